"""The operations of `emulator.host.Host` on a VM's devices and firmware: DVD drives and SCSI
controllers (`emulator.devices`), the boot order and BIOS (`emulator.bootorder`), the TPM and key
protector (`emulator.security`). `Host` inherits them; each is one transaction."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator import bootorder, devices, drives, firmware, security, winpath
from hyperv_emu.emulator.configfiles import write_vm_config
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import DvdDriveRecord, HardDrive, HostRecord, VirtualMachineRecord
from hyperv_emu.emulator.views import DriveView

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction


def dvd_view(host: HostRecord, vm: VirtualMachineRecord, d: DvdDriveRecord) -> drives.DvdView:
    return drives.DvdView(vm.name, vm.id, d.controller_type, d.controller_number, d.controller_location,
                          winpath.netbios_name(host.name), d.path)


def _hard_view(host: HostRecord, vm: VirtualMachineRecord, d: HardDrive) -> DriveView:
    return DriveView(vm_name=vm.name, vm_id=vm.id, path=d.path, controller_type=d.controller_type,
                     controller_number=d.controller_number, controller_location=d.controller_location,
                     computer_name=winpath.netbios_name(host.name))


def controller_views(host: HostRecord, vm: VirtualMachineRecord, ctype: str) -> list[drives.ControllerView]:
    """The VM's controllers of one type, each with its drives (hard drives, then DVD drives, by location)."""
    out = []
    for t, n in drives.controllers(vm):
        if t != ctype:
            continue
        attached: list[DriveView | drives.DvdView] = [
            _hard_view(host, vm, d) for d in vm.disks if (d.controller_type, d.controller_number) == (t, n)]
        attached += [dvd_view(host, vm, d) for d in drives.dvd_records(vm)
                     if (d.controller_type, d.controller_number) == (t, n)]
        attached.sort(key=lambda v: v.controller_location)
        out.append(drives.ControllerView(vm.name, vm.id, t, n, winpath.netbios_name(host.name), tuple(attached)))
    return out


@attrs.frozen(eq=False, repr=False)
class FloppyView(Fieldwise):
    """Get-VMFloppyDiskDrive: a generation 1 VM's diskette drive."""

    vm_name: str
    vm_id: str
    computer_name: str
    path: str | None


def _floppy(host: HostRecord, vm: VirtualMachineRecord) -> FloppyView:
    return FloppyView(vm.name, vm.id, winpath.netbios_name(host.name), vm.floppy_path)


class DeviceOps:
    """Mixed into `Host`, which provides the transaction and the VM lookup."""

    def _tx(self, read_only: bool = False) -> AbstractContextManager[tuple["Transaction", HostRecord]]:
        raise NotImplementedError

    def _device_vm(self, host: HostRecord, vm_id: str) -> VirtualMachineRecord:
        raise NotImplementedError

    # --- DVD drives, controllers -------------------------------------------------------------------

    def dvd_drives(self, vm_id: str) -> list[drives.DvdView]:
        with self._tx(read_only=True) as (tx, host):
            vm = self._device_vm(host, vm_id)
            return [dvd_view(host, vm, d) for d in drives.dvd_records(vm)]

    def add_dvd_drive(self, vm_id: str, path: str | None, controller_number: int | None,
                      controller_location: int | None) -> drives.DvdView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            drive = devices.add_dvd(tx, host, vm, path, controller_number, controller_location)
            write_vm_config(tx, host, vm)
            return dvd_view(host, vm, drive)

    def set_dvd_drive(self, vm_id: str, controller_type: str, controller_number: int, controller_location: int, *,
                      path: str | None, change_path: bool, to_controller_number: int | None = None,
                      to_controller_location: int | None = None) -> drives.DvdView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            drive = devices.set_dvd(tx, host, vm, controller_type, controller_number, controller_location, path=path,
                                    change_path=change_path, to_number=to_controller_number,
                                    to_location=to_controller_location)
            write_vm_config(tx, host, vm)
            return dvd_view(host, vm, drive)

    def remove_dvd_drive(self, vm_id: str, controller_type: str, controller_number: int,
                         controller_location: int) -> drives.DvdView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            drive = devices.remove_dvd(tx, vm, controller_type, controller_number, controller_location)
            write_vm_config(tx, host, vm)
            return dvd_view(host, vm, drive)

    def controllers_of(self, vm_id: str, controller_type: str) -> list[drives.ControllerView]:
        """Get-VMScsiController ("SCSI") / Get-VMIdeController ("IDE"), with their drives."""
        with self._tx(read_only=True) as (tx, host):
            return controller_views(host, self._device_vm(host, vm_id), controller_type)

    def add_scsi_controller(self, vm_id: str) -> drives.ControllerView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            number = devices.add_scsi_controller(tx, vm)
            write_vm_config(tx, host, vm)
            return controller_views(host, vm, "SCSI")[number]

    def remove_scsi_controller(self, vm_id: str, controller_number: int) -> None:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            devices.remove_scsi_controller(tx, vm, controller_number)
            write_vm_config(tx, host, vm)

    # --- firmware, BIOS ------------------------------------------------------------------------------

    def vm_firmware(self, vm_id: str) -> firmware.FirmwareView:
        """Get-VMFirmware of a generation 2 VM."""
        with self._tx(read_only=True) as (tx, host):
            return firmware.view(host, self._device_vm(host, vm_id))

    def configure_firmware(self, vm_id: str, secure_boot: bool | None, template: str | None,
                           first_boot_device: bootorder.DeviceRef | None = None,
                           boot_order: list[bootorder.DeviceRef] | None = None) -> firmware.FirmwareView:
        """Set-VMFirmware; the firmware after."""
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            firmware.configure(vm, secure_boot, template, first_boot_device, boot_order)
            tx.changed = True
            write_vm_config(tx, host, vm)
            return firmware.view(host, vm)

    def vm_bios(self, vm_id: str) -> bootorder.BiosView:
        with self._tx(read_only=True) as (tx, host):
            return bootorder.bios(host, self._device_vm(host, vm_id))

    def configure_bios(self, vm_id: str, startup_order: list[str] | None, num_lock: bool | None) -> bootorder.BiosView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            bootorder.configure_bios(vm, startup_order, num_lock)
            tx.changed = True
            write_vm_config(tx, host, vm)
            return bootorder.bios(host, vm)

    def virtualization_extensions(self, vm_id: str) -> bool:
        """Get-VMProcessor's ExposeVirtualizationExtensions (nested virtualization)."""
        with self._tx(read_only=True) as (tx, host):
            return self._device_vm(host, vm_id).expose_virtualization_extensions

    # --- TPM, key protector --------------------------------------------------------------------------

    def vm_security(self, vm_id: str) -> security.SecurityView:
        with self._tx(read_only=True) as (tx, host):
            return security.view(host, self._device_vm(host, vm_id))

    def set_tpm(self, vm_id: str, enabled: bool) -> security.SecurityView:
        """Enable-VMTPM / Disable-VMTPM."""
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            security.set_tpm(vm, enabled)
            tx.changed = True
            write_vm_config(tx, host, vm)
            return security.view(host, vm)

    def set_key_protector(self, vm_id: str, protector: bytes | None) -> None:
        """Set-VMKeyProtector -KeyProtector (bytes) or -NewLocalKeyProtector (None)."""
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            security.set_key_protector(tx, vm, protector)
            tx.changed = True
            write_vm_config(tx, host, vm)

    def configure_security(self, vm_id: str, encrypt_state: bool | None,
                           vbs_opt_out: bool | None) -> security.SecurityView:
        """Set-VMSecurity."""
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            security.configure(vm, encrypt_state, vbs_opt_out)
            tx.changed = True
            write_vm_config(tx, host, vm)
            return security.view(host, vm)

    def floppy_drive(self, vm_id: str) -> FloppyView | None:
        """Get-VMFloppyDiskDrive (None: a generation 2 VM, which has none)."""
        with self._tx(read_only=True) as (tx, host):
            vm = self._device_vm(host, vm_id)
            return None if vm.generation != 1 else _floppy(host, vm)

    def set_floppy_drive(self, vm_id: str, path: str | None) -> FloppyView:
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            devices.set_floppy(tx, host, vm, path)
            write_vm_config(tx, host, vm)
            return _floppy(host, vm)

    def vm_video(self, vm_id: str) -> devices.VideoView:
        with self._tx(read_only=True) as (tx, host):
            return devices.video(host, self._device_vm(host, vm_id))

    def configure_video(self, vm_id: str, resolution_type: str | None, horizontal: int | None,
                        vertical: int | None) -> devices.VideoView:
        """Set-VMVideo."""
        with self._tx() as (tx, host):
            vm = self._device_vm(host, vm_id)
            devices.set_video(vm, resolution_type, horizontal, vertical)
            tx.changed = True
            write_vm_config(tx, host, vm)
            return devices.video(host, vm)

    def key_protector(self, vm_id: str) -> bytes:
        with self._tx(read_only=True) as (tx, host):
            return security.key_protector(self._device_vm(host, vm_id))
