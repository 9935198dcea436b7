"""Add-/Remove-/Set-VMHardDiskDrive, Get-VMScsiController, Get-VMDvdDrive on every backend.

Expected behaviour from the reference pages and Hyper-V's device model: a generation 2 VM has
one SCSI controller and no DVD drive; a generation 1 VM has IDE controllers 0 and 1 (two
locations each) and New-VM gives it a DVD drive on IDE controller 1 at location 0; without
-ControllerType, IDE is attempted first on generation 1 and SCSI is used on generation 2; IDE
devices change only while the VM is off, SCSI disks can be hot-added to a running VM; a drive's
Name is "Hard Drive on <type> controller number <n> at location <l>"; Remove-VMHardDiskDrive
leaves the file on the host.
"""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.sdk.errors import FileInUseError, HostPathError, HyperVError, InvalidStateError
from hyperv_emu.sdk.types import ControllerType


def _disk(client, fleet, name: str) -> str:
    return client.new_vhd(f"{fleet.disk_root}\\{fleet.name('drv')}\\{name}.vhdx", T.GB).path


def _gen1(client, fleet, short: str):
    return client.new_vm(fleet.name(short), generation=1)


class TestControllers:
    def test_generation_2_has_one_scsi_controller_and_no_dvd(self, client, fleet):
        vm = fleet.vm("g2", disk=False)
        [scsi] = client.get_scsi_controllers(vm)
        assert (scsi.controller_number, scsi.name, scsi.vm_name) == (0, "SCSI Controller", vm.name)
        assert client.get_dvd_drives(vm) == []

    def test_generation_1_has_a_dvd_drive_and_no_scsi_controller(self, client, fleet):
        vm = _gen1(client, fleet, "g1")
        assert client.get_scsi_controllers(vm) == []
        [dvd] = client.get_dvd_drives(vm)
        assert (dvd.controller_type, dvd.controller_number, dvd.controller_location) == (ControllerType.IDE, 1, 0)
        assert dvd.path is None and dvd.name == "DVD Drive on IDE controller number 1 at location 0"


class TestAddHardDrive:
    def test_generation_2_takes_the_next_scsi_location(self, client, fleet):
        vm = fleet.vm("add2")
        path = _disk(client, fleet, "data")
        drive = client.add_hard_drive(vm, path)
        assert (drive.controller_type, drive.controller_number, drive.controller_location) == (ControllerType.SCSI, 0, 1)
        assert drive.name == "Hard Drive on SCSI controller number 0 at location 1" and drive.path == path
        assert [d.path for d in client.vm(vm.name).hard_drives][-1] == path

    def test_generation_1_tries_ide_first(self, client, fleet):
        vm = _gen1(client, fleet, "add1")
        drive = client.add_hard_drive(vm, _disk(client, fleet, "boot"))
        assert (drive.controller_type, drive.controller_number, drive.controller_location) == (ControllerType.IDE, 0, 0)

    def test_a_location_in_use_is_refused(self, client, fleet):
        vm = _gen1(client, fleet, "busy1")
        with pytest.raises(HyperVError):
            client.add_hard_drive(vm, _disk(client, fleet, "dvdslot"), controller_type="IDE",
                                  controller_number=1, controller_location=0)

    def test_scsi_hot_add_to_a_running_vm(self, client, fleet):
        vm = fleet.vm("hot", state="Running")
        drive = client.add_hard_drive(vm, _disk(client, fleet, "hot"))
        assert drive.controller_type is ControllerType.SCSI
        assert client.get_vhd(drive.path).attached is True

    def test_ide_needs_the_vm_off(self, client, fleet):
        vm = _gen1(client, fleet, "ide-run")
        client.add_hard_drive(vm, _disk(client, fleet, "ide-boot"))
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.add_hard_drive(vm, _disk(client, fleet, "ide-more"), controller_type="IDE")

    def test_a_missing_file_is_refused(self, client, fleet):
        vm = fleet.vm("nofile")
        with pytest.raises(HostPathError):
            client.add_hard_drive(vm, f"{fleet.disk_root}\\{fleet.name('drv')}\\missing.vhdx")

    def test_another_vms_disk_is_refused(self, client, fleet):
        one = fleet.vm("one")
        two = fleet.vm("two")
        with pytest.raises(FileInUseError):
            client.add_hard_drive(two, one.hard_drives[0].path)


class TestRemoveAndSetHardDrive:
    def test_remove_leaves_the_file(self, client, fleet):
        vm = fleet.vm("rm")
        drive = client.add_hard_drive(vm, _disk(client, fleet, "rm"))
        client.remove_hard_drive(drive)
        assert [d.path for d in client.vm(vm.name).hard_drives] == [vm.hard_drives[0].path]
        assert client.get_vhd(drive.path).attached is False
        client.add_hard_drive(fleet.vm("rm2"), drive.path)  # free for another VM

    def test_move_to_another_location_while_off(self, client, fleet):
        vm = _gen1(client, fleet, "mv")
        drive = client.add_hard_drive(vm, _disk(client, fleet, "mv"))
        moved = client.set_hard_drive(drive, to_controller_number=1)
        assert (moved.controller_type, moved.controller_number, moved.controller_location) == (ControllerType.IDE, 1, 1)

    def test_point_a_drive_at_another_file(self, client, fleet):
        vm = fleet.vm("repoint")
        drive = client.add_hard_drive(vm, _disk(client, fleet, "first"))
        other = _disk(client, fleet, "second")
        assert client.set_hard_drive(drive, path=other).path == other
        assert [d.path for d in client.vm(vm.name).hard_drives][-1] == other
