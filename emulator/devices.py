r"""A VM's DVD drives (Add-/Set-/Remove-VMDvdDrive) and SCSI controllers (Add-/Remove-VMScsiController).

The rules (the cmdlets' reference pages and Hyper-V's device model; see `emulator.drives` for
the controllers and slots hard drives share with DVD drives):

- A generation 1 VM's DVD drives sit on its IDE controllers (a SCSI DVD drive needs a
  generation 2 VM); a generation 2 VM's on its SCSI controllers. Without a controller number or
  location a drive takes the first free slot.
- Adding, moving or removing a DVD drive needs the VM Off [U: Hyper-V refuses a DVD drive's hot
  add]; changing its media (-Path, or -Path $null to eject) works while it runs too, not while
  it is Saved or Paused.
- The media must be an .iso image (checked first, as the module's parameter validation does)
  and exist. A physical drive (-Path D:) is not emulated.
- A generation 1 VM has one diskette drive (Set-VMFloppyDiskDrive -Path, an existing .vfd, or
  none); a generation 2 VM has none.
- Set-VMVideo's resolution type and resolution are settings (New-VM's: Maximum, 1024 x 768),
  changed only while the VM is Off [U].
- A VM has one to four SCSI controllers on generation 2 (zero to four on generation 1), numbered
  0 up; adding or removing one needs the VM Off, and a controller that still has drives cannot
  be removed [U]. Numbers stay contiguous: removing one renumbers those after it.

- New-VM -BootDevice (its reference page): CD, Floppy, IDE, LegacyNetworkAdapter, NetworkAdapter,
  VHD. On generation 1, VHD means IDE and NetworkAdapter means LegacyNetworkAdapter; the device
  class goes first in the BIOS startup order, and LegacyNetworkAdapter makes the VM's adapter a
  legacy one (PXE boot). On generation 2, Floppy, IDE and LegacyNetworkAdapter are refused; CD
  adds a DVD drive, and CD, VHD or NetworkAdapter makes that drive, the first hard drive or the
  adapter the first boot device (VHD without a hard drive changes nothing [U]).

Texts of refusals the reference does not give follow Hyper-V's wording [U].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator import bootorder, drives, winpath
from hyperv_emu.emulator.errors import EmulatorError, InvalidArgument, InvalidVMState, PathError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import DvdDriveRecord, HostRecord, VirtualMachineRecord, VMStateName
from hyperv_emu.emulator.transaction import host_rel

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

MAX_SCSI_CONTROLLERS = 4


def _fail(cls: type[EmulatorError], message: str, target: str, error_id: str, category: str) -> EmulatorError:
    err = cls(message, target=target)
    err.error_id, err.category = error_id, category
    return err


def find_dvd(vm: VirtualMachineRecord, ctype: str, number: int, location: int) -> DvdDriveRecord:
    for d in drives.own_dvd_records(vm):
        if (d.controller_type, d.controller_number, d.controller_location) == (ctype, number, location):
            return d
    raise _fail(EmulatorError, f"Hyper-V was unable to find a DVD drive on {ctype} controller number {number} at "
                f"location {location} of virtual machine '{vm.name}'.", vm.name, "ObjectNotFound", "ObjectNotFound")


def _media(tx: "Transaction", host: HostRecord, path: str, verb: str) -> str:
    p = str(winpath.parse(path))
    if not p.casefold().endswith(".iso"):  # the module checks this first, before it looks at the VM
        raise _fail(InvalidArgument, f"The path '{p}' is not valid for a DVD drive: specify an ISO image file "
                    f"(.iso).", p, "InvalidParameter", "InvalidArgument")
    rel = host_rel(host.name, p)
    if not tx.store.exists(rel) or tx.store.is_dir(rel):
        raise _fail(PathError, f"Failed to {verb} device 'Virtual CD/DVD Disk'. The system cannot find the file "
                    f"specified: '{p}'. (0x80070002)", p, "ObjectNotFound", "ObjectNotFound")
    return p


def _dvd_type(vm: VirtualMachineRecord) -> str:
    return "IDE" if vm.generation == 1 else "SCSI"


def _require_off(vm: VirtualMachineRecord) -> None:
    if vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)


def add_dvd(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str | None, number: int | None,
            location: int | None) -> DvdDriveRecord:
    """Add-VMDvdDrive: a drive in the first free slot of the VM's DVD controller type."""
    ctype = _dvd_type(vm)
    where = drives.slot(vm, ctype, number, location)
    media = _media(tx, host, path, "add") if path else None
    _require_off(vm)
    drive = DvdDriveRecord(where[0], where[1], where[2], media)
    drives.own_dvd_records(vm).append(drive)
    bootorder.device_added(vm, bootorder.drive_key(*where))
    tx.changed = True
    return drive


def set_dvd(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, ctype: str, number: int, location: int,
            *, path: str | None, change_path: bool, to_number: int | None, to_location: int | None) -> DvdDriveRecord:
    """Set-VMDvdDrive: new media (path None: eject) and/or another slot on the same controller type."""
    drive = find_dvd(vm, ctype, number, location)
    old = (ctype, number, location)
    where = old
    if to_number is not None or to_location is not None:
        where = drives.slot(vm, ctype, to_number if to_number is not None else number, to_location, ignore=old)
    media = _media(tx, host, path, "modify") if change_path and path else None
    if where != old:
        _require_off(vm)
    if change_path and vm.state not in (VMStateName.OFF, VMStateName.RUNNING):
        raise InvalidVMState(vm.name)
    if change_path:
        drive.path = media
    if where != old:
        drive.controller_type, drive.controller_number, drive.controller_location = where
        bootorder.device_moved(vm, bootorder.drive_key(*old), bootorder.drive_key(*where))
    tx.changed = True
    return drive


def remove_dvd(tx: "Transaction", vm: VirtualMachineRecord, ctype: str, number: int, location: int) -> DvdDriveRecord:
    drive = find_dvd(vm, ctype, number, location)
    _require_off(vm)
    drives.own_dvd_records(vm).remove(drive)
    bootorder.device_removed(vm, bootorder.drive_key(ctype, number, location))
    tx.changed = True
    return drive


# --- the diskette drive (generation 1) ------------------------------------------------------------

def set_floppy(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str | None) -> None:
    """Set-VMFloppyDiskDrive -Path (a .vfd; None: no diskette). Generation 1 only; the media may
    change while the VM runs, not while it is Saved or Paused."""
    require_floppy(vm)
    media = None
    if path:
        media = str(winpath.parse(path))
        rel = host_rel(host.name, media)
        if not tx.store.exists(rel) or tx.store.is_dir(rel):
            raise _fail(PathError, f"Failed to modify device 'Virtual Floppy Disk'. The system cannot find the file "
                        f"specified: '{media}'. (0x80070002)", media, "ObjectNotFound", "ObjectNotFound")
    if vm.state not in (VMStateName.OFF, VMStateName.RUNNING):
        raise InvalidVMState(vm.name)
    vm.floppy_path = media
    tx.changed = True


def require_floppy(vm: VirtualMachineRecord) -> None:
    if vm.generation != 1:
        raise _fail(InvalidArgument, f"The virtual machine '{vm.name}' is a generation 2 virtual machine: it has no "
                    f"diskette drive.", vm.name, "InvalidParameter", "InvalidArgument")


# --- video ---------------------------------------------------------------------------------------------

RESOLUTION_TYPES = ("Maximum", "Single", "Default")


@attrs.frozen(eq=False, repr=False)
class VideoView(Fieldwise):
    """Get-VMVideo."""

    vm_name: str
    vm_id: str
    computer_name: str
    resolution_type: str
    horizontal_resolution: int
    vertical_resolution: int


def video(host: HostRecord, vm: VirtualMachineRecord) -> VideoView:
    return VideoView(vm.name, vm.id, winpath.netbios_name(host.name), vm.video_resolution_type, vm.video_horizontal,
                     vm.video_vertical)


def set_video(vm: VirtualMachineRecord, resolution_type: str | None, horizontal: int | None,
              vertical: int | None) -> None:
    """Set-VMVideo: all or nothing, only while the VM is Off [U]."""
    kind = None
    if resolution_type is not None:
        kind = next((t for t in RESOLUTION_TYPES if t.casefold() == resolution_type.casefold()), None)
        if kind is None:
            raise _fail(InvalidArgument, f"'{resolution_type}' is not a resolution type ({', '.join(RESOLUTION_TYPES)}).",
                        vm.name, "InvalidParameter", "InvalidArgument")
    for value in (horizontal, vertical):
        if value is not None and value <= 0:
            raise _fail(InvalidArgument, f"The resolution {value} is not valid for the virtual machine '{vm.name}'.",
                        vm.name, "InvalidParameter", "InvalidArgument")
    if kind is not None or horizontal is not None or vertical is not None:
        _require_off(vm)
    if kind is not None:
        vm.video_resolution_type = kind
    if horizontal is not None:
        vm.video_horizontal = horizontal
    if vertical is not None:
        vm.video_vertical = vertical


# --- SCSI controllers ---------------------------------------------------------------------------

def add_scsi_controller(tx: "Transaction", vm: VirtualMachineRecord) -> int:
    """Add-VMScsiController: the new controller's number."""
    count = drives.scsi_count(vm)
    if count >= MAX_SCSI_CONTROLLERS:
        raise _fail(EmulatorError, f"Failed to add device 'Synthetic SCSI Controller'. The virtual machine "
                    f"'{vm.name}' already has the most SCSI controllers it can have ({MAX_SCSI_CONTROLLERS}).",
                    vm.name, "InvalidOperation", "InvalidOperation")
    _require_off(vm)
    vm.scsi_controllers = count + 1
    tx.changed = True
    return count


def remove_scsi_controller(tx: "Transaction", vm: VirtualMachineRecord, number: int) -> None:
    count = drives.scsi_count(vm)
    if not 0 <= number < count:
        raise _fail(EmulatorError, f"Hyper-V was unable to find SCSI controller number {number} of virtual machine "
                    f"'{vm.name}'.", vm.name, "ObjectNotFound", "ObjectNotFound")
    used = [d for d in vm.disks if d.controller_type == "SCSI" and d.controller_number == number]
    used_dvd = [d for d in drives.dvd_records(vm) if d.controller_type == "SCSI" and d.controller_number == number]
    if used or used_dvd:
        raise _fail(EmulatorError, f"Failed to remove device 'Synthetic SCSI Controller'. SCSI controller number "
                    f"{number} of virtual machine '{vm.name}' still has drives attached; remove them first.",
                    vm.name, "InvalidOperation", "InvalidOperation")
    _require_off(vm)
    for d in vm.disks:
        if d.controller_type == "SCSI" and d.controller_number > number:
            bootorder.device_moved(vm, bootorder.drive_key("SCSI", d.controller_number, d.controller_location),
                                   bootorder.drive_key("SCSI", d.controller_number - 1, d.controller_location))
            d.controller_number -= 1
    for dvd in drives.own_dvd_records(vm):
        if dvd.controller_type == "SCSI" and dvd.controller_number > number:
            bootorder.device_moved(vm, bootorder.drive_key("SCSI", dvd.controller_number, dvd.controller_location),
                                   bootorder.drive_key("SCSI", dvd.controller_number - 1, dvd.controller_location))
            dvd.controller_number -= 1
    vm.scsi_controllers = count - 1
    tx.changed = True


BOOT_DEVICES = ("CD", "Floppy", "IDE", "LegacyNetworkAdapter", "NetworkAdapter", "VHD")
_GEN1_BOOT = {"VHD": "IDE", "NetworkAdapter": "LegacyNetworkAdapter"}


def apply_boot_device(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, device: str) -> None:
    """New-VM -BootDevice on the VM New-VM is making (see the module docstring)."""
    name = next((d for d in BOOT_DEVICES if d.casefold() == device.casefold()), None)
    if name is None:
        raise InvalidArgument(f"'{device}' is not a boot device ({', '.join(BOOT_DEVICES)}).", target=device)
    if vm.generation == 1:
        name = _GEN1_BOOT.get(name, name)
        bootorder.configure_bios(vm, [name] + [d for d in bootorder.startup_order(vm) if d != name], None)
        if name == "LegacyNetworkAdapter" and vm.network_adapters:
            vm.network_adapters[0].is_legacy = True
        tx.changed = True
        return
    if name in ("Floppy", "IDE", "LegacyNetworkAdapter"):
        err = InvalidArgument(f"Generation 2 virtual machines do not support the {name} boot device.", target=vm.name)
        err.error_id = "InvalidParameter"
        raise err
    if name == "CD":
        drive = add_dvd(tx, host, vm, None, None, None)
        ref = bootorder.DeviceRef("Drive", drive.controller_type, drive.controller_number, drive.controller_location)
    elif name == "VHD":
        if not vm.disks:
            return
        first = vm.disks[0]
        ref = bootorder.DeviceRef("Drive", first.controller_type, first.controller_number, first.controller_location)
    else:
        if not vm.network_adapters:
            return
        ref = bootorder.DeviceRef("Network", adapter_name=vm.network_adapters[0].name)
    bootorder.set_first(vm, ref)
    tx.changed = True
