"""World files: the VM settings keys (docs/world-files.md) load, are checked, and export back."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import CriticalErrorAction, StartAction, StopAction, WorldFileError

WORLD = T.base_world(extra=T.vm_table("DB01", extra=(
    'memory_minimum = "1GB"\nmemory_maximum = "8GB"\ndynamic_memory = true\nprocessor_count = 4\n'
    'automatic_start_action = "Nothing"\nautomatic_stop_action = "TurnOff"\n'
    'automatic_critical_error_action = "None"\nnotes = "sql"\n')))


@pytest.fixture
def url(request: pytest.FixtureRequest) -> str:
    u = T.memory_url()
    request.addfinalizer(lambda: T.drop_memory_root(u))
    return u


def test_settings_load_and_export_round_trip(url: str) -> None:
    vm = sdk.load_world(url, WORLD).vm("DB01")
    assert (vm.memory_minimum, vm.memory_startup, vm.memory_maximum, vm.dynamic_memory_enabled) == (
        T.GB, 4 * T.GB, 8 * T.GB, True)
    assert (vm.automatic_start_action, vm.automatic_stop_action, vm.automatic_critical_error_action) == (
        StartAction.Nothing, StopAction.TurnOff, CriticalErrorAction(0))
    assert (vm.processor_count, vm.notes) == (4, "sql")
    exported = sdk.export_world(url)
    for line in ('memory_minimum = "1GB"', 'memory_maximum = "8GB"', "dynamic_memory = true",
                 'automatic_start_action = "Nothing"', 'automatic_stop_action = "TurnOff"',
                 'automatic_critical_error_action = "None"'):
        assert line in exported
    again = T.memory_url()
    try:
        vm2 = sdk.load_world(again, exported).vm("DB01")
        assert (vm2.memory_minimum, vm2.memory_maximum, vm2.automatic_stop_action) == (T.GB, 8 * T.GB, StopAction.TurnOff)
    finally:
        T.drop_memory_root(again)


def test_a_fresh_vm_exports_no_settings_keys(url: str) -> None:
    sdk.load_world(url, T.base_world(extra=T.vm_table("A")))
    exported = sdk.export_world(url)
    assert "memory_minimum" not in exported and "automatic_start_action" not in exported


@pytest.mark.parametrize("extra, key", [
    ('automatic_stop_action = "Hibernate"\n', "automatic_stop_action"),
    ('memory_minimum = "8GB"\n', "memory"),  # above the startup memory (4GB)
    ('dynamic_memory = "yes"\n', "dynamic_memory"),
])
def test_bad_values_name_the_key(url: str, extra: str, key: str) -> None:
    with pytest.raises(WorldFileError) as ei:
        sdk.load_world(url, T.base_world(extra=T.vm_table("A", extra=extra)))
    assert key in ei.value.message


def test_host_settings_load_and_export(url: str) -> None:
    world = T.base_world().replace('default = true\n', "default = true\nvirtual_machine_path = 'E:\\\\VMs'\n"
                                   "logical_processor_count = 16\nmemory_capacity = \"128GB\"\n")
    client = sdk.load_world(url, world)
    host = client.get_vm_host()
    assert (host.virtual_machine_path, host.logical_processor_count, host.memory_capacity) == (
        "E:\\VMs", 16, 128 * T.GB)
    assert client.new_vm("N", memory_startup=T.GB).path == "E:\\VMs"
    client.set_vm_host(virtual_hard_disk_path="F:\\Disks")
    exported = sdk.export_world(url)
    assert "virtual_machine_path = 'E:\\VMs'" in exported or 'virtual_machine_path = "E:\\\\VMs"' in exported
    assert "F:" in exported and "logical_processor_count = 16" in exported and 'memory_capacity = "128GB"' in exported
