"""A checkpoint's captured component objects (COM ports, drives, integration services) made on first
read (`sdk.types.Checkpoint.captured`), and values bound to their client without a copy
(`sdk.client.bound`): neither may be visible in what a caller gets."""

from __future__ import annotations

import pickle

import attrs
import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk.client import bound
from hyperv_emu.sdk.convert import make_converter, ps_properties
from hyperv_emu.sdk.types import VM, Checkpoint

CAPTURED_FIELDS = Checkpoint.CAPTURED


@pytest.fixture
def client(request: pytest.FixtureRequest) -> sdk.HyperVClient:
    url = T.memory_url()
    request.addfinalizer(lambda: T.drop_memory_root(url))
    hv = sdk.load_world(url, T.base_world(extra=T.vm_table("APP01")))
    hv.checkpoint_vm("APP01", "one")
    hv.checkpoint_vm("APP01", "two")
    return hv


def _unmade(cp: Checkpoint) -> list[str]:
    out = []
    for name in CAPTURED_FIELDS:
        try:
            object.__getattribute__(cp, name)
        except AttributeError:
            out.append(name)
    return out


def test_parts_are_made_on_first_read_and_are_the_checkpoints_own(client: sdk.HyperVClient) -> None:
    cp = client.get_checkpoints("APP01", name="two")[0]
    assert _unmade(cp) == list(CAPTURED_FIELDS)
    assert cp.com_port1 is not None and cp.com_port2 is not None
    assert _unmade(cp) == []
    assert (cp.com_port1.name, cp.com_port2.name) == ("COM 1", "COM 2")
    assert [d.vm_snapshot_id for d in cp.hard_drives] == [cp.id] and cp.hard_drives[0].vm_name == "APP01"
    assert cp.com_port1.vm_snapshot_id == cp.id and cp.com_port1.vm_snapshot_name == "two"
    assert cp.com_port1.id.startswith(f"Microsoft:{cp.id.upper()}\\")
    names = [s.name for s in cp.vm_integration_service]
    assert "Heartbeat" in names and len(names) == 6
    assert all(s.vm_snapshot_id == cp.id and s.vm_name == "APP01" for s in cp.vm_integration_service)
    assert cp.com_port1 is cp.com_port1  # made once


def test_a_lazy_value_equals_the_same_value_given_its_parts(client: sdk.HyperVClient) -> None:
    lazy = client.get_checkpoints("APP01", name="one")[0]
    fresh = client.get_checkpoints("APP01", name="one")[0]
    eager = attrs.evolve(lazy, captured=None)  # reads every field: the parts given as values
    assert eager.captured is None and _unmade(eager) == []
    assert eager == fresh and hash(eager) == hash(fresh) and repr(eager) == repr(fresh)
    other = client.get_checkpoints("APP01", name="two")[0]
    assert other != fresh


def test_conversions_see_the_parts_and_not_the_maker(client: sdk.HyperVClient) -> None:
    cp = client.get_checkpoints("APP01", name="one")[0]
    props = dict(ps_properties(cp))
    assert "" not in props and "Captured" not in props
    assert props["ComPort1"].name == "COM 1" and len(props["VMIntegrationService"]) == 6
    doc = make_converter().unstructure(cp)
    assert "" not in doc and doc["ComPort2"]["Name"] == "COM 2"
    back = make_converter().structure(doc, Checkpoint)
    assert back.captured is None and back.com_port2 == cp.com_port2
    assert pickle.loads(pickle.dumps(attrs.evolve(cp, client=None))) == cp


def test_binding_keeps_a_value_and_copies_one_bound_elsewhere(client: sdk.HyperVClient) -> None:
    cp = client.get_checkpoints("APP01", name="one")[0]
    assert cp.client is client and bound(cp, client) is cp
    other = sdk.HyperVClient(client.backend)
    copy = bound(cp, other)
    assert copy is not cp and copy.client is other and cp.client is client
    assert _unmade(copy) == list(CAPTURED_FIELDS)  # still made on first read
    assert copy == cp and copy.vm_integration_service == cp.vm_integration_service


def test_a_vms_parts_are_made_on_first_read(client: sdk.HyperVClient) -> None:
    vm = client.get_vms("APP01")[0]
    unmade = [n for n in VM.CAPTURED if n in _unmade_of(vm)]
    assert unmade == ["com_port1", "com_port2", "vm_integration_service"]
    assert vm.com_port2 is not None and vm.com_port2.name == "COM 2" and vm.com_port2.vm_id == vm.id
    assert [s.name for s in vm.vm_integration_service] == [s.name for s in client.get_integration_services("APP01")]
    assert attrs.evolve(vm, captured=None) == client.get_vms("APP01")[0]


def _unmade_of(value: object) -> list[str]:
    out = []
    for name in type(value).CAPTURED:  # type: ignore[attr-defined]
        try:
            object.__getattribute__(value, name)
        except AttributeError:
            out.append(name)
    return out


def test_a_part_given_to_evolve_is_kept(client: sdk.HyperVClient) -> None:
    cp = client.get_checkpoints("APP01", name="one")[0]
    other = client.get_checkpoints("APP01", name="two")[0]
    mixed = attrs.evolve(cp, com_port1=other.com_port1, name="renamed")
    assert mixed.com_port1 == other.com_port1 and mixed.name == "renamed"
    assert mixed.com_port2 == cp.com_port2 and mixed.hard_drives == cp.hard_drives
    fresh = client.get_checkpoints("APP01", name="one")[0]
    plain = {a.name: object.__getattribute__(fresh, a.name) for a in attrs.fields(Checkpoint)
             if a.name not in CAPTURED_FIELDS}
    partly = Checkpoint(**plain, hard_drives=(), com_port1=other.com_port1)  # the rest left to `captured`
    assert _unmade(partly) == ["com_port2", "hard_drives", "vm_integration_service"]
    assert partly.com_port2 == cp.com_port2 and partly.com_port1 == other.com_port1
