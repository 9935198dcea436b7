"""Move-VMStorage -DestinationStoragePath on every backend.

Expected behaviour (Move-VMStorage reference page): the VM's configuration, checkpoints and
virtual hard disks move to the destination (disks under its `Virtual Hard Disks` folder); the VM
stays registered with the same id, its Path becomes the destination; the move works while the VM
runs; the source files are gone afterwards.
"""

from __future__ import annotations

import pytest


def test_files_move_and_the_chain_follows(client, fleet, emulated):
    vm = fleet.vm("mv", state="Off")
    client.checkpoint_vm(vm, "A")
    old = client.vm(vm.name)
    moved = client.move_vm_storage(old, "F:\\Moved")
    assert (moved.id, moved.path, moved.snapshot_file_location) == (vm.id, "F:\\Moved", "F:\\Moved")
    [drive] = moved.hard_drives
    assert drive.path.startswith("F:\\Moved\\Virtual Hard Disks\\") and drive.path.endswith(".avhdx")
    [cp] = client.get_checkpoints(moved)
    assert cp.hard_drives[0].path == f"F:\\Moved\\Virtual Hard Disks\\{fleet.name('mv')}.vhdx"
    assert client.get_vhd(drive.path).parent_path == cp.hard_drives[0].path
    assert client.test_vhd(drive.path).ok
    assert client.file_info(old.hard_drives[0].path) is None
    assert client.file_info(f"F:\\Moved\\Virtual Machines\\{vm.id.upper()}.vmcx") is not None
    client.restore_checkpoint(cp)


def test_a_running_vm_moves_live(client, fleet, emulated):
    vm = fleet.vm("live", state="Running")
    moved = client.move_vm_storage(vm, "F:\\Live")
    assert moved.state == vm.state and moved.hard_drives[0].path.startswith("F:\\Live\\")
    assert client.get_vhd(moved.hard_drives[0].path).attached is True


def test_guest_data_moves(backend, fleet):
    if backend not in ("memory", "local"):
        pytest.skip("guest disk data is the emulated backend's")
    client = fleet.client
    vm = fleet.vm("data", state="Off")
    client.write_guest_disk(vm, 0, 512, b"moved bytes")
    moved = client.move_vm_storage(vm, "F:\\Data")
    assert client.read_guest_disk(moved, 0, 512, 11) == b"moved bytes"
