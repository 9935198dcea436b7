"""`sdk.clone_state`: a new state that starts as a copy of another and shares nothing with it
afterwards (VMs, checkpoints, merges, guest data, disk files), for memory and folder states."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Callable

import pytest

from hyperv_emu import sdk
from hyperv_emu.emulator.stateclone import clone_state as emulator_clone

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
[[vm.checkpoint]]
name = "Before"
created = 2026-02-10T08:00:00
[[vm]]
name = "SRV-DB01"
state = "Off"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-DB01.vhdx', size = "10GB" }]
"""

Place = Callable[[], str]


@pytest.fixture(params=["memory", "local"])
def place(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Place:
    """New, empty state urls of one kind."""
    names = iter(range(1000))
    if request.param == "local":
        return lambda: str(tmp_path / f"state{next(names)}")
    return lambda: f"memory://clone-test/{uuid.uuid4().hex}"


def _picture(client: sdk.HyperVClient) -> dict[str, object]:
    """What a test would look at: VMs, checkpoints, status, guest data and the disk files' bytes."""
    out: dict[str, object] = {"now": client.now()}
    for vm in client.get_vms():
        drives = client.get_hard_drives(vm)
        out[vm.name] = (vm.state.name, vm.status, [c.name for c in vm.checkpoints()],
                        client.read_guest_disk(vm, 0, 0, 64),
                        [(d.path, client.read_file(d.path)[:1 << 20]) for d in drives])
    return out


def _change_everything(client: sdk.HyperVClient) -> None:
    client.write_guest_disk("SRV-APP01", 0, 0, b"written in the clone")
    client.vm("SRV-APP01").checkpoint("Before").remove()  # a merge starts...
    assert client.vm("SRV-APP01").status == "Merging disks"
    client.vm("SRV-APP01").create_checkpoint("Mine")
    client.remove_vm("SRV-DB01")
    client.write_file("D:\\VHDs\\note.txt", b"hello")


def test_a_clone_sees_the_whole_state_and_its_changes_stay_its_own(place: Place) -> None:
    src, dst = place(), place()
    template = sdk.load_world(src, WORLD)
    before = _picture(template)
    sdk.clone_state(src, dst)
    clone = sdk.connect(dst)
    assert _picture(clone) == before
    _change_everything(clone)
    clone.sleep(3600)  # ...and finishes, writing into the parent disk
    assert clone.vm("SRV-APP01").status == "Operating normally"
    assert clone.read_guest_disk("SRV-APP01", 0, 0, 20) == b"written in the clone"
    assert [v.name for v in clone.get_vms()] == ["SRV-APP01"]
    assert _picture(sdk.connect(src)) == before
    assert not sdk.connect(src).file_info("D:\\VHDs\\note.txt")
    again = place()
    sdk.clone_state(src, again)
    assert _picture(sdk.connect(again)) == before


def test_a_merge_in_flight_in_the_clone_does_not_reach_the_template(place: Place) -> None:
    src, dst = place(), place()
    sdk.load_world(src, WORLD)
    sdk.clone_state(src, dst)
    clone = sdk.connect(dst)
    clone.vm("SRV-APP01").checkpoint("Before").remove()
    template = sdk.connect(src)
    template.sleep(3600)
    assert template.vm("SRV-APP01").status == "Operating normally"
    assert [c.name for c in template.vm("SRV-APP01").checkpoints()] == ["Before"]
    assert clone.vm("SRV-APP01").status == "Merging disks"


def test_the_template_changed_after_the_clone_leaves_the_clone_alone(place: Place) -> None:
    src, dst = place(), place()
    template = sdk.load_world(src, WORLD)
    sdk.clone_state(src, dst)
    before = _picture(sdk.connect(dst))
    _change_everything(template)
    template.sleep(3600)
    assert _picture(sdk.connect(dst)) == before


def test_a_client_of_an_earlier_state_at_the_place_sees_the_new_clone(place: Place) -> None:
    """A client that loaded another state at the same url (a clone of the same template, further
    on) sees the new clone, not its old state nor a mix (the database is opened again, and the
    clone has an epoch of its own)."""
    src, dst = place(), place()
    sdk.load_world(src, WORLD)
    sdk.clone_state(src, dst)
    old = sdk.connect(dst)
    old.remove_vm("SRV-DB01")
    old.vm("SRV-APP01").create_checkpoint("Mine")
    sdk.delete_state(dst)
    sdk.clone_state(src, dst)
    assert [v.name for v in old.get_vms()] == ["SRV-APP01", "SRV-DB01"]
    assert [c.name for c in old.vm("SRV-APP01").checkpoints()] == ["Before"]


def test_how_the_files_are_copied(place: Place) -> None:
    src, dst = place(), place()
    sdk.load_world(src, WORLD)
    how = emulator_clone(src, dst)
    if src.startswith("memory://"):
        assert set(how) == {"shared"}
    else:
        assert set(how) <= {"reflink", "copy_file_range", "copy"}
    assert sum(how.values()) >= 3  # two disks and a checkpoint's differencing disk, at least


def test_a_clone_between_memory_and_a_folder(tmp_path: pathlib.Path) -> None:
    src = f"memory://clone-test/{uuid.uuid4().hex}"
    before = _picture(sdk.load_world(src, WORLD))
    sdk.clone_state(src, str(tmp_path / "folder"))
    assert _picture(sdk.connect(str(tmp_path / "folder"))) == before
    back = f"memory://clone-test/{uuid.uuid4().hex}"
    sdk.clone_state(str(tmp_path / "folder"), back)
    assert _picture(sdk.connect(back)) == before


def test_bad_places_are_refused_with_a_clear_error(place: Place, tmp_path: pathlib.Path) -> None:
    src, dst = place(), place()
    with pytest.raises(sdk.StateError, match="There is no hvemu state at"):
        sdk.clone_state(src, dst)
    sdk.load_world(src, WORLD)
    sdk.load_world(dst, WORLD)
    with pytest.raises(sdk.StateError, match="it is not empty"):
        sdk.clone_state(src, dst)
    with pytest.raises(sdk.StateError, match="one .*holds the other"):
        sdk.clone_state(src, src + "/inner")
    with pytest.raises(sdk.StateError, match="protocol"):
        sdk.clone_state(src, "s3://bucket/state")
