"""Export-VM and Import-VM of what it wrote, checkpoints included, on every backend.

Expected behaviour (Export-VM / Import-VM reference pages; hyperv-reference.md §4): Export-VM
writes `<Path>\\<VMName>\\` with `Virtual Machines`, `Snapshots` and `Virtual Hard Disks`, the
VM's checkpoints and every disk file of its chains; Import-VM of that folder registers the VM
with the same id and its checkpoint tree (in place); -Copy -GenerateNewId gives a new id; an
import whose id is already registered fails; an export never overwrites a file.
"""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.sdk.errors import ExportImportError


def _vm_with_checkpoints(client, fleet, short: str):
    vm = fleet.vm(short, state="Off")
    client.checkpoint_vm(vm, "A")
    client.checkpoint_vm(vm, "B")
    return client.vm(vm.name)


def test_export_holds_the_chain(client, fleet, emulated):
    vm = _vm_with_checkpoints(client, fleet, "exp")
    folder = client.export_vm(vm, "E:\\Export")
    assert folder == f"E:\\Export\\{vm.name}"
    names = [f.name for f in client.list_dir(folder + "\\Virtual Hard Disks")]
    assert f"{vm.name}.vhdx" in names and sum(n.endswith(".avhdx") for n in names) == 2
    assert [f.name for f in client.list_dir(folder + "\\Virtual Machines")] == [f"{vm.id.upper()}.vmcx"]
    for name in names:
        assert client.test_vhd(f"{folder}\\Virtual Hard Disks\\{name}").ok


def test_import_registers_the_vm_with_its_checkpoints(client, fleet, emulated):
    vm = _vm_with_checkpoints(client, fleet, "roundtrip")
    folder = client.export_vm(vm, "E:\\Export")
    client.remove_vm(vm)
    back = client.import_vm(folder)
    assert (back.id, back.name, back.parent_snapshot_name) == (vm.id, vm.name, "B")
    assert [cp.name for cp in client.get_checkpoints(back)] == ["A", "B"]
    assert back.hard_drives[0].path.startswith(folder + "\\Virtual Hard Disks\\")
    client.restore_checkpoint(client.find_checkpoint(back, "A"))  # the chain works


def test_import_with_a_new_id_beside_the_original(client, fleet, emulated):
    vm = _vm_with_checkpoints(client, fleet, "twin")
    folder = client.export_vm(vm, "E:\\Export")
    with pytest.raises(ExportImportError):
        client.import_vm(folder)  # the id is registered already
    copy = client.import_vm(folder, generate_new_id=True)
    assert copy.id != vm.id and copy.name == vm.name
    assert len(client.get_checkpoints(copy)) == 2


def test_export_never_overwrites(client, fleet, emulated):
    vm = fleet.vm("again")
    client.export_vm(vm, "E:\\Export")
    with pytest.raises(ExportImportError):
        client.export_vm(vm, "E:\\Export")


def test_guest_data_survives_the_round_trip(make_client, backend, fleet):
    if backend not in ("memory", "local"):
        pytest.skip("guest disk data is the emulated backend's")
    client = fleet.client
    vm = fleet.vm("data", state="Off")
    client.write_guest_disk(vm, 0, 0, b"before")
    client.checkpoint_vm(vm, "A")
    client.write_guest_disk(vm, 0, 0, b"after!")
    folder = client.export_vm(vm, "E:\\Export")
    client.remove_vm(vm)
    back = client.import_vm(folder)
    assert client.read_guest_disk(back, 0, 0, 6) == b"after!"
    client.restore_checkpoint(client.find_checkpoint(back, "A"))
    assert client.read_guest_disk(back, 0, 0, 6) == b"before"
