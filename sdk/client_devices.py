"""`HyperVClient`'s calls for a VM's devices and firmware (a mixin it inherits): DVD drives,
SCSI and IDE controllers, the boot order (Set-VMFirmware), the BIOS (Set-VMBios), the virtual
TPM and its key protector. Hyper-V's rules are the backend's (the emulator's, or a real host's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hyperv_emu.sdk.devices import BootDevice, BootTarget, FloppyDrive, IdeController, VMBios, VMSecurity, VMVideo
from hyperv_emu.sdk.types import VM, DvdDrive, ScsiController
from hyperv_emu.sdk.vmparts import VMFirmware

if TYPE_CHECKING:
    from hyperv_emu.sdk.backend import Backend


class DeviceCalls:
    """Mixed into `HyperVClient`, which provides `backend`, `computer_name` and `_vm_id`."""

    backend: "Backend"
    computer_name: str | None

    def _vm_id(self, vm: VM | str) -> str:
        raise NotImplementedError

    # --- controllers, DVD drives ---------------------------------------------------------------

    def get_scsi_controllers(self, vm: VM | str) -> list[ScsiController]:
        """Get-VMScsiController: each with its Drives (hard and DVD drives, by location)."""
        return self.backend.scsi_controllers(self.computer_name, self._vm_id(vm))

    def get_ide_controllers(self, vm: VM | str) -> list[IdeController]:
        """Get-VMIdeController (a generation 1 VM's two; none on generation 2)."""
        return self.backend.ide_controllers(self.computer_name, self._vm_id(vm))

    def add_scsi_controller(self, vm: VM | str) -> ScsiController:
        """Add-VMScsiController (VM Off; at most four)."""
        return self.backend.add_scsi_controller(self.computer_name, self._vm_id(vm))

    def remove_scsi_controller(self, controller: ScsiController) -> None:
        """Remove-VMScsiController (VM Off; the controller must have no drives)."""
        self.backend.remove_scsi_controller(self.computer_name, controller.vm_id, controller.controller_number)

    def get_dvd_drives(self, vm: VM | str) -> list[DvdDrive]:
        return self.backend.dvd_drives(self.computer_name, self._vm_id(vm))

    def add_dvd_drive(self, vm: VM | str, path: str | None = None, *, controller_number: int | None = None,
                      controller_location: int | None = None) -> DvdDrive:
        """Add-VMDvdDrive: IDE on generation 1, SCSI on generation 2, the first free slot where not
        given; `path` an existing .iso (None: no media)."""
        return self.backend.add_dvd_drive(self.computer_name, self._vm_id(vm), path, controller_number,
                                          controller_location)

    def set_dvd_drive(self, drive: DvdDrive, *, path: str | None = None, eject: bool = False,
                      to_controller_number: int | None = None, to_controller_location: int | None = None) -> DvdDrive:
        """Set-VMDvdDrive -Path (`eject`: -Path $null) and/or -ToControllerNumber/-ToControllerLocation."""
        return self.backend.set_dvd_drive(
            self.computer_name, drive.vm_id, drive.controller_type.name, drive.controller_number,
            drive.controller_location, path=None if eject else path, change_path=eject or path is not None,
            to_controller_number=to_controller_number, to_controller_location=to_controller_location)

    def remove_dvd_drive(self, drive: DvdDrive) -> None:
        self.backend.remove_dvd_drive(self.computer_name, drive.vm_id, drive.controller_type.name,
                                      drive.controller_number, drive.controller_location)

    # --- firmware, BIOS -------------------------------------------------------------------------

    def get_firmware(self, vm: VM | str) -> VMFirmware:
        """Get-VMFirmware (a generation 2 VM), with its BootOrder."""
        return self.backend.firmware(self.computer_name, self._vm_id(vm))

    def set_firmware(self, vm: VM | str, *, secure_boot: bool | None = None, secure_boot_template: str | None = None,
                     first_boot_device: Any = None, boot_order: Sequence[Any] | None = None) -> VMFirmware:
        """Set-VMFirmware (VM Off): secure boot and its template; -FirstBootDevice / -BootOrder take
        drives, network adapters, boot entries or `BootTarget`s of the VM."""
        first = None if first_boot_device is None else _target(first_boot_device)
        order = None if boot_order is None else tuple(_target(d) for d in boot_order)
        return self.backend.configure_firmware(self.computer_name, self._vm_id(vm), secure_boot, secure_boot_template,
                                               first, order)

    def get_bios(self, vm: VM | str) -> VMBios:
        """Get-VMBios (a generation 1 VM)."""
        return self.backend.bios(self.computer_name, self._vm_id(vm))

    def set_bios(self, vm: VM | str, *, startup_order: Sequence[BootDevice | str] | None = None,
                 num_lock: bool | None = None) -> VMBios:
        """Set-VMBios -StartupOrder (each of CD, IDE, LegacyNetworkAdapter, Floppy once) / -EnableNumLock."""
        order = None if startup_order is None else tuple(
            d.name if isinstance(d, BootDevice) else str(d) for d in startup_order)
        return self.backend.configure_bios(self.computer_name, self._vm_id(vm), order, num_lock)

    # --- TPM, key protector -----------------------------------------------------------------------

    def get_security(self, vm: VM | str) -> VMSecurity:
        return self.backend.security(self.computer_name, self._vm_id(vm))

    def enable_tpm(self, vm: VM | str) -> VMSecurity:
        """Enable-VMTPM (VM Off; it needs a key protector first)."""
        return self.backend.set_tpm(self.computer_name, self._vm_id(vm), True)

    def disable_tpm(self, vm: VM | str) -> VMSecurity:
        return self.backend.set_tpm(self.computer_name, self._vm_id(vm), False)

    def set_key_protector(self, vm: VM | str, protector: bytes | None = None) -> None:
        """Set-VMKeyProtector -KeyProtector `protector`, or -NewLocalKeyProtector (None)."""
        self.backend.set_key_protector(self.computer_name, self._vm_id(vm), protector)

    def set_security(self, vm: VM | str, *, encrypt_state_and_vm_migration_traffic: bool | None = None,
                     virtualization_based_security_opt_out: bool | None = None) -> VMSecurity:
        """Set-VMSecurity (VM Off)."""
        return self.backend.configure_security(self.computer_name, self._vm_id(vm),
                                               encrypt_state_and_vm_migration_traffic,
                                               virtualization_based_security_opt_out)

    def get_floppy_drive(self, vm: VM | str) -> FloppyDrive | None:
        """Get-VMFloppyDiskDrive (None for a generation 2 VM)."""
        return self.backend.floppy_drive(self.computer_name, self._vm_id(vm))

    def set_floppy_drive(self, vm: VM | str, path: str | None) -> FloppyDrive:
        """Set-VMFloppyDiskDrive -Path (an existing .vfd; None: no diskette). Generation 1 only."""
        return self.backend.set_floppy_drive(self.computer_name, self._vm_id(vm), path)

    def get_video(self, vm: VM | str) -> VMVideo:
        return self.backend.video(self.computer_name, self._vm_id(vm))

    def set_video(self, vm: VM | str, *, resolution_type: str | None = None, horizontal_resolution: int | None = None,
                  vertical_resolution: int | None = None) -> VMVideo:
        """Set-VMVideo (VM Off): -ResolutionType Maximum | Single | Default, the resolution."""
        return self.backend.configure_video(self.computer_name, self._vm_id(vm), resolution_type,
                                            horizontal_resolution, vertical_resolution)

    def get_key_protector(self, vm: VM | str) -> bytes:
        return self.backend.key_protector(self.computer_name, self._vm_id(vm))


def _target(device: Any) -> BootTarget:
    return device if isinstance(device, BootTarget) else BootTarget.of(device)
