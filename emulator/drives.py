r"""A VM's storage controllers and drives: Add-/Remove-/Set-VMHardDiskDrive, Get-VMScsiController,
Get-VMDvdDrive.

The rules (Add-VMHardDiskDrive / Set-VMHardDiskDrive / Get-VMDvdDrive reference pages, and
Hyper-V's device model):

- A generation 1 VM has two IDE controllers (0 and 1) of two locations each, and no SCSI
  controller; New-VM gives it a DVD drive on IDE controller 1 at location 0. A generation 2 VM
  has no IDE controller and one SCSI controller (number 0, locations 0–63) and no DVD drive.
  Either may get up to four SCSI controllers (Add-VMScsiController, `emulator.dvd`), which
  DVD drives (`emulator.dvd`) share with hard drives.
- Without -ControllerType a drive goes to IDE on generation 1 ("IDE is attempted first"), to SCSI
  on generation 2; without a number or location it takes the first free location.
- IDE devices change only while the VM is Off; SCSI drives can be added, removed or re-pointed
  while it runs (hot add); a Saved or Paused VM refuses every change.
- The disk file must exist and no other VM may use it; a running VM opens it at once.
- Removing a drive leaves its files on the host (Remove-VMHardDiskDrive deletes nothing); a
  file no checkpoint of the VM still uses is no longer the VM's (its garbage collection leaves it).

Texts of refusals the reference does not give follow Hyper-V's wording [U].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from hyperv_emu.emulator import disks, openfiles, winpath
from hyperv_emu.emulator.transaction import host_rel
from hyperv_emu.emulator.errors import EmulatorError, FileInUse, InvalidVMState, PathError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import DiskFile, DvdDriveRecord, HardDrive, HostRecord, VirtualMachineRecord, VMStateName
from hyperv_emu.emulator.vdisk import HostDisks

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

IDE_CONTROLLERS = 2
IDE_LOCATIONS = 2
SCSI_LOCATIONS = 64
DVD_SLOT = ("IDE", 1, 0)  # a generation 1 VM's DVD drive


@attrs.frozen(eq=False, repr=False)
class ControllerView(Fieldwise):
    """Get-VMScsiController / Get-VMIdeController: one controller of a VM."""

    vm_name: str
    vm_id: str
    controller_type: str
    controller_number: int
    computer_name: str
    drives: tuple[Any, ...] = ()  # views.DriveView / DvdView of its drives, by location


@attrs.frozen(eq=False, repr=False)
class DvdView(Fieldwise):
    """Get-VMDvdDrive: one DVD drive (no media: Path null, DvdMediaType None)."""

    vm_name: str
    vm_id: str
    controller_type: str
    controller_number: int
    controller_location: int
    computer_name: str
    path: str | None = None


def _fail(cls: type[EmulatorError], message: str, target: str, error_id: str, category: str) -> EmulatorError:
    err = cls(message, target=target)
    err.error_id, err.category = error_id, category
    return err


def scsi_count(vm: VirtualMachineRecord) -> int:
    """How many SCSI controllers the VM has (New-VM's: none on generation 1, one on generation 2)."""
    if vm.scsi_controllers is not None:
        return vm.scsi_controllers
    return 0 if vm.generation == 1 else 1


def controllers(vm: VirtualMachineRecord) -> list[tuple[str, int]]:
    ide = [("IDE", n) for n in range(IDE_CONTROLLERS)] if vm.generation == 1 else []
    return ide + [("SCSI", n) for n in range(scsi_count(vm))]


def dvd_records(vm: VirtualMachineRecord) -> list[DvdDriveRecord]:
    """The VM's DVD drives; for a VM that never had them changed, New-VM's (not stored)."""
    if vm.dvd_drives is not None:
        return vm.dvd_drives
    return [DvdDriveRecord(*DVD_SLOT)] if vm.generation == 1 else []


def own_dvd_records(vm: VirtualMachineRecord) -> list[DvdDriveRecord]:
    """The VM's DVD drives as a stored list, to change."""
    if vm.dvd_drives is None:
        vm.dvd_drives = dvd_records(vm)
    return vm.dvd_drives


def dvd_slots(vm: VirtualMachineRecord) -> list[tuple[str, int, int]]:
    return [(d.controller_type, d.controller_number, d.controller_location) for d in dvd_records(vm)]


def _locations(ctype: str) -> int:
    return IDE_LOCATIONS if ctype == "IDE" else SCSI_LOCATIONS


def _taken(vm: VirtualMachineRecord) -> set[tuple[str, int, int]]:
    return {(d.controller_type, d.controller_number, d.controller_location) for d in vm.disks} | set(dvd_slots(vm))


def slot(vm: VirtualMachineRecord, ctype: str | None, number: int | None, location: int | None,
         ignore: tuple[str, int, int] | None = None) -> tuple[str, int, int]:
    """The controller slot a drive goes to (first free where not given)."""
    ctype = ctype or ("IDE" if vm.generation == 1 else "SCSI")
    numbers = [n for t, n in controllers(vm) if t == ctype]
    if not numbers or (number is not None and number not in numbers):
        what = f"number {number}" if number is not None else "of that type"
        raise _fail(EmulatorError, f"The virtual machine '{vm.name}' has no {ctype} controller {what}.",
                    vm.name, "ObjectNotFound", "ObjectNotFound")
    taken = _taken(vm)
    if ignore is not None:
        taken.discard(ignore)
    for n in ([number] if number is not None else numbers):
        assert n is not None
        if location is not None:
            if not 0 <= location < _locations(ctype):
                raise _fail(EmulatorError, f"The {ctype} controller of '{vm.name}' has no location {location}.",
                            vm.name, "InvalidParameter", "InvalidArgument")
            if (ctype, n, location) in taken:
                continue
            return ctype, n, location
        for loc in range(_locations(ctype)):
            if (ctype, n, loc) not in taken:
                return ctype, n, loc
    raise _fail(EmulatorError, f"The {ctype} controller location of '{vm.name}' is already in use.",
                vm.name, "InvalidParameter", "ResourceExists")


def check_state(vm: VirtualMachineRecord, *ctypes: str) -> None:
    if vm.state is VMStateName.OFF:
        return
    if vm.state is VMStateName.RUNNING and all(t == "SCSI" for t in ctypes):
        return
    raise InvalidVMState(vm.name)


def find_drive(vm: VirtualMachineRecord, ctype: str, number: int, location: int) -> HardDrive:
    for d in vm.disks:
        if (d.controller_type, d.controller_number, d.controller_location) == (ctype, number, location):
            return d
    raise _fail(EmulatorError, f"Hyper-V was unable to find a hard disk drive on {ctype} controller number {number} "
                f"at location {location} of virtual machine '{vm.name}'.", vm.name, "ObjectNotFound", "ObjectNotFound")


def _attach_file(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str) -> DiskFile:
    p = str(winpath.parse(path))
    rel = host_rel(host.name, p)
    if not tx.store.exists(rel) or tx.store.is_dir(rel):
        raise _fail(PathError, f"Failed to add device 'Virtual Hard Disk'. The system cannot find the file specified: "
                    f"'{p}'. (0x80070002)", p, "ObjectNotFound", "ObjectNotFound")
    for other in host.vms:
        if any(disks.file_key(d.path) == disks.file_key(p) for d in other.disks):
            raise FileInUse(openfiles.in_use_message(p), target=p)
    openfiles.ensure_not_held(host, p)
    record = disks.find_file(host, p)
    if record is None:
        info = HostDisks(tx.store, host.name).info(p)
        parent = info.parent_path
        if parent is not None:
            known = disks.find_file(host, parent)
            parent = known.path if known is not None else parent
        record = DiskFile(path=p, kind="avhdx" if parent else "vhdx", size=info.size, parent=parent, vm_id=vm.id)
        host.disk_files.append(record)
    elif record.vm_id not in (None, vm.id):
        raise FileInUse(openfiles.in_use_message(p), target=p)
    record.vm_id = vm.id
    return record


def add(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str, ctype: str | None,
        number: int | None, location: int | None) -> HardDrive:
    where = slot(vm, ctype, number, location)
    check_state(vm, where[0])
    record = _attach_file(tx, host, vm, path)
    drive = HardDrive(path=record.path, base_path=record.path, size=record.size, controller_type=where[0],
                      controller_number=where[1], controller_location=where[2])
    vm.disks.append(drive)
    tx.changed = True
    return drive


def _release(host: HostRecord, vm: VirtualMachineRecord, path: str) -> None:
    """The file of a removed drive is no longer the VM's unless a checkpoint still uses it."""
    pinned = {disks.file_key(d.path) for cp in vm.checkpoints for d in cp.disks}
    if any(disks.file_key(d.path) == disks.file_key(path) for d in vm.disks) or disks.file_key(path) in pinned:
        return
    record = disks.find_file(host, path)
    if record is not None and record.vm_id == vm.id:
        record.vm_id = None


def remove(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, ctype: str, number: int,
           location: int) -> HardDrive:
    drive = find_drive(vm, ctype, number, location)
    check_state(vm, ctype)
    disks.quiesce(tx, host, vm)
    vm.disks.remove(drive)
    _release(host, vm, drive.path)
    tx.changed = True
    return drive


def change(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, ctype: str, number: int, location: int,
           *, path: str | None, to_type: str | None, to_number: int | None, to_location: int | None) -> HardDrive:
    """Set-VMHardDiskDrive: move the drive to another slot and/or point it at another file."""
    drive = find_drive(vm, ctype, number, location)
    moving = to_type is not None or to_number is not None or to_location is not None
    where = (ctype, number, location)
    if moving:
        new_type = to_type or ctype
        new_number = to_number if to_number is not None else (number if new_type == ctype else None)
        where = slot(vm, new_type, new_number, to_location, ignore=where)
    check_state(vm, ctype, where[0])
    if moving and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)
    if path is not None and disks.file_key(str(winpath.parse(path))) != disks.file_key(drive.path):
        disks.quiesce(tx, host, vm)
        old = drive.path
        record = _attach_file(tx, host, vm, path)
        drive.path = drive.base_path = record.path
        drive.size = record.size
        _release(host, vm, old)
    drive.controller_type, drive.controller_number, drive.controller_location = where
    tx.changed = True
    return drive
