"""The PowerShell backend's device calls (`sdk.backend_devices.DeviceBackend`): one script per
call, in the shape of `ps_script.ScriptBuilder`'s. `PowerShellBackend` inherits them.

What the emulated backend gives and this one does not: a controller's Drives and a firmware's
BootOrder come back empty (their nested device objects are not carried through the JSON).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from hyperv_emu.sdk import errors
from hyperv_emu.sdk.backends import ps_json
from hyperv_emu.sdk.backends.ps_json import Envelope
from hyperv_emu.sdk.backends.ps_script import DVD_PROPS, Script, _get_vm, _select_list, frame, ps_bool, ps_int, ps_quote
from hyperv_emu.sdk.devices import BootDevice, BootTarget, FloppyDrive, IdeController, VMBios, VMBootSourceType, VMSecurity, VMVideo
from hyperv_emu.sdk.types import ControllerType, DvdDrive, ScsiController
from hyperv_emu.sdk.vmparts import VMFirmware

SCSI_ONLY_PROPS = _select_list(ScsiController, skip=("Drives",))
IDE_PROPS = _select_list(IdeController, skip=("Drives",))
FIRMWARE_PROPS = _select_list(VMFirmware, skip=("BootOrder",))
BIOS_PROPS = ("@('NumLockEnabled', @{Name='StartupOrder'; Expression={ @($_.StartupOrder | ForEach-Object { [int]$_ }) }}, "
              "'VMName', 'VMId', 'ComputerName')")
SECURITY_PROPS = _select_list(VMSecurity)
FLOPPY_PROPS = _select_list(FloppyDrive)
VIDEO_PROPS = _select_list(VMVideo)


def _dvd_sel(ctype: str, number: int, location: int) -> str:
    return (f"$hvDvd = @(Get-VMDvdDrive -VM $hvVm -ControllerNumber {ps_int(number)} -ControllerLocation "
            f"{ps_int(location)} | Where-Object {{ [string]$_.ControllerType -eq {ps_quote(ctype)} }})")


def _target(t: BootTarget, var: str) -> list[str]:
    if t.kind is VMBootSourceType.Network:
        return [f"{var} = @(Get-VMNetworkAdapter -VM $hvVm -Name {ps_quote(t.adapter_name)})[0]"]
    slot = (f"-ControllerNumber {ps_int(t.controller_number)} -ControllerLocation {ps_int(t.controller_location)}")
    ctype = ControllerType(t.controller_type).name
    return [f"{var} = @(@(Get-VMHardDiskDrive -VM $hvVm -ControllerType {ctype} {slot}) + "
            f"@(Get-VMDvdDrive -VM $hvVm {slot} | Where-Object {{ [string]$_.ControllerType -eq '{ctype}' }}))[0]"]


class PowerShellDevices:
    """Mixed into `PowerShellBackend`, which provides `_run`, `_c` and `_vm_id`."""

    def _run(self, script: Script, *, context: Mapping[str, str] | None = None,
             tolerate: Callable[[errors.HyperVError], bool] | None = None) -> Envelope:
        raise NotImplementedError

    def _c(self, computer: str | None) -> str | None:
        raise NotImplementedError

    def _vm_id(self, vm_id: str) -> str:
        raise NotImplementedError

    def _items(self, computer: str | None, vm_id: str, call: str, lines: list[str]) -> tuple[Any, ...]:
        body = [_get_vm(self._c(computer), self._vm_id(vm_id)), *lines]
        return self._run(frame(call, body)).items

    def _first(self, items: tuple[Any, ...], what: str) -> Any:
        if not items:
            raise errors.BackendError(f"The host returned no {what}.")
        return items[0]

    def scsi_controllers(self, computer: str | None, vm_id: str) -> list[ScsiController]:
        items = self._items(computer, vm_id, "scsi_controllers",
                            [f"$hvItems = @(Get-VMScsiController -VM $hvVm | Select-Object -Property {SCSI_ONLY_PROPS})"])
        return [ps_json.value_from_json(ScsiController, i) for i in items]

    def ide_controllers(self, computer: str | None, vm_id: str) -> list[IdeController]:
        items = self._items(computer, vm_id, "ide_controllers",
                            [f"$hvItems = @(Get-VMIdeController -VM $hvVm | Select-Object -Property {IDE_PROPS})"])
        return [ps_json.value_from_json(IdeController, i) for i in items]

    def add_scsi_controller(self, computer: str | None, vm_id: str) -> ScsiController:
        items = self._items(computer, vm_id, "add_scsi_controller", [
            "Add-VMScsiController -VM $hvVm -Confirm:$false",
            f"$hvItems = @(Get-VMScsiController -VM $hvVm | Select-Object -Last 1 -Property {SCSI_ONLY_PROPS})"])
        return ps_json.value_from_json(ScsiController, self._first(items, "SCSI controller"))

    def remove_scsi_controller(self, computer: str | None, vm_id: str, controller_number: int) -> None:
        self._items(computer, vm_id, "remove_scsi_controller", [
            f"Get-VMScsiController -VM $hvVm -ControllerNumber {ps_int(controller_number)} | "
            "Remove-VMScsiController -Confirm:$false"])

    def dvd_drives(self, computer: str | None, vm_id: str) -> list[DvdDrive]:
        items = self._items(computer, vm_id, "dvd_drives",
                            [f"$hvItems = @(Get-VMDvdDrive -VM $hvVm | Select-Object -Property {DVD_PROPS})"])
        return [ps_json.value_from_json(DvdDrive, i) for i in items]

    def add_dvd_drive(self, computer: str | None, vm_id: str, path: str | None, controller_number: int | None,
                      controller_location: int | None) -> DvdDrive:
        args = "" if path is None else f" -Path {ps_quote(path)}"
        if controller_number is not None:
            args += f" -ControllerNumber {ps_int(controller_number)}"
        if controller_location is not None:
            args += f" -ControllerLocation {ps_int(controller_location)}"
        items = self._items(computer, vm_id, "add_dvd_drive", [
            f"$hvItems = @(Add-VMDvdDrive -VM $hvVm{args} -Passthru -Confirm:$false | Select-Object -Property {DVD_PROPS})"])
        return ps_json.value_from_json(DvdDrive, self._first(items, "DVD drive"))

    def set_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                      controller_location: int, *, path: str | None, change_path: bool,
                      to_controller_number: int | None, to_controller_location: int | None) -> DvdDrive:
        args = ""
        if change_path:
            args += " -Path " + ("$null" if path is None else ps_quote(path))
        if to_controller_number is not None:
            args += f" -ToControllerNumber {ps_int(to_controller_number)}"
        if to_controller_location is not None:
            args += f" -ToControllerLocation {ps_int(to_controller_location)}"
        items = self._items(computer, vm_id, "set_dvd_drive", [
            _dvd_sel(controller_type, controller_number, controller_location),
            f"$hvItems = @(Set-VMDvdDrive -VMDvdDrive $hvDvd{args} -Passthru -Confirm:$false | "
            f"Select-Object -Property {DVD_PROPS})"])
        return ps_json.value_from_json(DvdDrive, self._first(items, "DVD drive"))

    def remove_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                         controller_location: int) -> None:
        self._items(computer, vm_id, "remove_dvd_drive", [
            _dvd_sel(controller_type, controller_number, controller_location),
            "Remove-VMDvdDrive -VMDvdDrive $hvDvd -Confirm:$false"])

    def firmware(self, computer: str | None, vm_id: str) -> VMFirmware:
        items = self._items(computer, vm_id, "firmware",
                            [f"$hvItems = @(Get-VMFirmware -VM $hvVm | Select-Object -Property {FIRMWARE_PROPS})"])
        return ps_json.value_from_json(VMFirmware, self._first(items, "firmware"))

    def configure_firmware(self, computer: str | None, vm_id: str, secure_boot: bool | None,
                           template: str | None, first_boot_device: BootTarget | None = None,
                           boot_order: tuple[BootTarget, ...] | None = None) -> VMFirmware:
        lines: list[str] = []
        args = ""
        if secure_boot is not None:
            args += f" -EnableSecureBoot {'On' if secure_boot else 'Off'}"
        if template is not None:
            args += f" -SecureBootTemplate {ps_quote(template)}"
        if first_boot_device is not None:
            lines += _target(first_boot_device, "$hvFirst")
            args += " -FirstBootDevice $hvFirst"
        if boot_order is not None:
            names = []
            for n, t in enumerate(boot_order):
                lines += _target(t, f"$hvBoot{n}")
                names.append(f"$hvBoot{n}")
            args += f" -BootOrder @({', '.join(names)})"
        if args:
            lines.append(f"Set-VMFirmware -VM $hvVm{args} -Confirm:$false")
        lines.append(f"$hvItems = @(Get-VMFirmware -VM $hvVm | Select-Object -Property {FIRMWARE_PROPS})")
        return ps_json.value_from_json(VMFirmware, self._first(self._items(computer, vm_id, "configure_firmware", lines),
                                                               "firmware"))

    def _bios(self, items: tuple[Any, ...]) -> VMBios:
        raw = dict(self._first(items, "BIOS"))
        order = tuple(BootDevice(int(n)) for n in raw.pop("StartupOrder", None) or ())
        return VMBios(num_lock_enabled=bool(raw.get("NumLockEnabled")), startup_order=order,
                      vm_name=str(raw.get("VMName", "")), vm_id=str(raw.get("VMId", "")),
                      computer_name=str(raw.get("ComputerName", "")))

    def bios(self, computer: str | None, vm_id: str) -> VMBios:
        return self._bios(self._items(computer, vm_id, "bios",
                                      [f"$hvItems = @(Get-VMBios -VM $hvVm | Select-Object -Property {BIOS_PROPS})"]))

    def configure_bios(self, computer: str | None, vm_id: str, startup_order: tuple[str, ...] | None,
                       num_lock: bool | None) -> VMBios:
        args = ""
        if startup_order is not None:
            args += " -StartupOrder @(" + ", ".join(ps_quote(n) for n in startup_order) + ")"
        if num_lock is not None:
            args += " -EnableNumLock" if num_lock else " -DisableNumLock"
        lines = [f"Set-VMBios -VM $hvVm{args} -Confirm:$false"] if args else []
        lines.append(f"$hvItems = @(Get-VMBios -VM $hvVm | Select-Object -Property {BIOS_PROPS})")
        return self._bios(self._items(computer, vm_id, "configure_bios", lines))

    def security(self, computer: str | None, vm_id: str) -> VMSecurity:
        items = self._items(computer, vm_id, "security",
                            [f"$hvItems = @(Get-VMSecurity -VM $hvVm | Select-Object -Property {SECURITY_PROPS})"])
        return ps_json.value_from_json(VMSecurity, self._first(items, "security settings"))

    def set_tpm(self, computer: str | None, vm_id: str, enabled: bool) -> VMSecurity:
        verb = "Enable" if enabled else "Disable"
        items = self._items(computer, vm_id, "set_tpm", [
            f"{verb}-VMTPM -VM $hvVm -Confirm:$false",
            f"$hvItems = @(Get-VMSecurity -VM $hvVm | Select-Object -Property {SECURITY_PROPS})"])
        return ps_json.value_from_json(VMSecurity, self._first(items, "security settings"))

    def set_key_protector(self, computer: str | None, vm_id: str, protector: bytes | None) -> None:
        arg = " -NewLocalKeyProtector" if protector is None else (
            " -KeyProtector ([byte[]]@(" + ",".join(str(b) for b in protector) + "))")
        self._items(computer, vm_id, "set_key_protector", [f"Set-VMKeyProtector -VM $hvVm{arg} -Confirm:$false"])

    def configure_security(self, computer: str | None, vm_id: str, encrypt_state: bool | None,
                           vbs_opt_out: bool | None) -> VMSecurity:
        args = ""
        if encrypt_state is not None:
            args += f" -EncryptStateAndVmMigrationTraffic {ps_bool(encrypt_state)}"
        if vbs_opt_out is not None:
            args += f" -VirtualizationBasedSecurityOptOut {ps_bool(vbs_opt_out)}"
        lines = [f"Set-VMSecurity -VM $hvVm{args} -Confirm:$false"] if args else []
        lines.append(f"$hvItems = @(Get-VMSecurity -VM $hvVm | Select-Object -Property {SECURITY_PROPS})")
        return ps_json.value_from_json(VMSecurity, self._first(self._items(computer, vm_id, "configure_security", lines),
                                                               "security settings"))

    def floppy_drive(self, computer: str | None, vm_id: str) -> FloppyDrive | None:
        items = self._items(computer, vm_id, "floppy_drive",
                            [f"$hvItems = @(Get-VMFloppyDiskDrive -VM $hvVm | Select-Object -Property {FLOPPY_PROPS})"])
        return ps_json.value_from_json(FloppyDrive, items[0]) if items else None

    def set_floppy_drive(self, computer: str | None, vm_id: str, path: str | None) -> FloppyDrive:
        arg = "$null" if path is None else ps_quote(path)
        items = self._items(computer, vm_id, "set_floppy_drive", [
            f"Set-VMFloppyDiskDrive -VM $hvVm -Path {arg} -Confirm:$false",
            f"$hvItems = @(Get-VMFloppyDiskDrive -VM $hvVm | Select-Object -Property {FLOPPY_PROPS})"])
        return ps_json.value_from_json(FloppyDrive, self._first(items, "diskette drive"))

    def video(self, computer: str | None, vm_id: str) -> VMVideo:
        items = self._items(computer, vm_id, "video",
                            [f"$hvItems = @(Get-VMVideo -VM $hvVm | Select-Object -Property {VIDEO_PROPS})"])
        return ps_json.value_from_json(VMVideo, self._first(items, "video settings"))

    def configure_video(self, computer: str | None, vm_id: str, resolution_type: str | None,
                        horizontal: int | None, vertical: int | None) -> VMVideo:
        args = ""
        if resolution_type is not None:
            args += f" -ResolutionType {ps_quote(resolution_type)}"
        if horizontal is not None:
            args += f" -HorizontalResolution {ps_int(horizontal)}"
        if vertical is not None:
            args += f" -VerticalResolution {ps_int(vertical)}"
        lines = [f"Set-VMVideo -VM $hvVm{args} -Confirm:$false"] if args else []
        lines.append(f"$hvItems = @(Get-VMVideo -VM $hvVm | Select-Object -Property {VIDEO_PROPS})")
        return ps_json.value_from_json(VMVideo, self._first(self._items(computer, vm_id, "configure_video", lines),
                                                            "video settings"))

    def virtualization_extensions(self, computer: str | None, vm_id: str) -> bool:
        items = self._items(computer, vm_id, "virtualization_extensions", [
            "$hvItems = @([pscustomobject]@{ Value = [bool](Get-VMProcessor -VM $hvVm).ExposeVirtualizationExtensions })"])
        return bool(self._first(items, "processor settings").get("Value"))

    def key_protector(self, computer: str | None, vm_id: str) -> bytes:
        items = self._items(computer, vm_id, "key_protector", [
            "$hvItems = @([pscustomobject]@{ Bytes = [Convert]::ToBase64String([byte[]](Get-VMKeyProtector -VM $hvVm)) })"])
        return base64.b64decode(str(self._first(items, "key protector").get("Bytes", "")))
