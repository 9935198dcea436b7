"""`ReadOnlyBackend`'s device calls: the reads pass to the inner backend, the changes are refused
(the read-only key protector is a read: Get-VMKeyProtector is allowed to a read-only user [U])."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from hyperv_emu.sdk.devices import BootTarget, FloppyDrive, IdeController, VMBios, VMSecurity, VMVideo
from hyperv_emu.sdk.types import DvdDrive, ScsiController
from hyperv_emu.sdk.vmparts import VMFirmware

if TYPE_CHECKING:
    from hyperv_emu.sdk.backend import Backend


class ReadOnlyDevices:
    """Mixed into `ReadOnlyBackend`, which provides `inner` and `_deny`."""

    inner: "Backend"

    def _deny(self, computer: str | None) -> NoReturn:
        raise NotImplementedError

    def scsi_controllers(self, computer: str | None, vm_id: str) -> list[ScsiController]:
        return self.inner.scsi_controllers(computer, vm_id)

    def ide_controllers(self, computer: str | None, vm_id: str) -> list[IdeController]:
        return self.inner.ide_controllers(computer, vm_id)

    def add_scsi_controller(self, computer: str | None, vm_id: str) -> ScsiController:
        self._deny(computer)

    def remove_scsi_controller(self, computer: str | None, vm_id: str, controller_number: int) -> None:
        self._deny(computer)

    def dvd_drives(self, computer: str | None, vm_id: str) -> list[DvdDrive]:
        return self.inner.dvd_drives(computer, vm_id)

    def add_dvd_drive(self, computer: str | None, vm_id: str, path: str | None, controller_number: int | None,
                      controller_location: int | None) -> DvdDrive:
        self._deny(computer)

    def set_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                      controller_location: int, *, path: str | None, change_path: bool,
                      to_controller_number: int | None, to_controller_location: int | None) -> DvdDrive:
        self._deny(computer)

    def remove_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                         controller_location: int) -> None:
        self._deny(computer)

    def firmware(self, computer: str | None, vm_id: str) -> VMFirmware:
        return self.inner.firmware(computer, vm_id)

    def configure_firmware(self, computer: str | None, vm_id: str, secure_boot: bool | None,
                           template: str | None, first_boot_device: BootTarget | None = None,
                           boot_order: tuple[BootTarget, ...] | None = None) -> VMFirmware:
        self._deny(computer)

    def bios(self, computer: str | None, vm_id: str) -> VMBios:
        return self.inner.bios(computer, vm_id)

    def configure_bios(self, computer: str | None, vm_id: str, startup_order: tuple[str, ...] | None,
                       num_lock: bool | None) -> VMBios:
        self._deny(computer)

    def security(self, computer: str | None, vm_id: str) -> VMSecurity:
        return self.inner.security(computer, vm_id)

    def set_tpm(self, computer: str | None, vm_id: str, enabled: bool) -> VMSecurity:
        self._deny(computer)

    def set_key_protector(self, computer: str | None, vm_id: str, protector: bytes | None) -> None:
        self._deny(computer)

    def configure_security(self, computer: str | None, vm_id: str, encrypt_state: bool | None,
                           vbs_opt_out: bool | None) -> VMSecurity:
        self._deny(computer)

    def floppy_drive(self, computer: str | None, vm_id: str) -> FloppyDrive | None:
        return self.inner.floppy_drive(computer, vm_id)

    def set_floppy_drive(self, computer: str | None, vm_id: str, path: str | None) -> FloppyDrive:
        self._deny(computer)

    def video(self, computer: str | None, vm_id: str) -> VMVideo:
        return self.inner.video(computer, vm_id)

    def configure_video(self, computer: str | None, vm_id: str, resolution_type: str | None,
                        horizontal: int | None, vertical: int | None) -> VMVideo:
        self._deny(computer)

    def virtualization_extensions(self, computer: str | None, vm_id: str) -> bool:
        return self.inner.virtualization_extensions(computer, vm_id)

    def key_protector(self, computer: str | None, vm_id: str) -> bytes:
        return self.inner.key_protector(computer, vm_id)
