"""The Hyper-V module's DVD drive, controller, BIOS and TPM cmdlets: Add-/Set-/Remove-VMDvdDrive,
Get-VMIdeController, Add-/Remove-VMScsiController, Get-/Set-VMBios, Get-VMSecurity,
Set-VMSecurity, Enable-/Disable-VMTPM, Set-/Get-VMKeyProtector, Get-/Set-VMFloppyDiskDrive, Get-/Set-VMVideo (Get-VMDvdDrive and Get-VMScsiController are in
`hyperv_drives`, Set-VMFirmware in `hyperv_firmware`).

Thin adapters over `sdk.HyperVClient` (`sdk.client_devices`); the rules are the emulator's
(`emulator/devices.py`, `bootorder.py`, `security.py`) or the real host's. The -WhatIf texts
follow the module's pattern (inferred). Not emulated: -VMDriveController, -VMSnapshot,
-ResourcePoolName, -AllowUnverifiedPaths, -VMBios input, -RestoreLastKnownGoodKeyProtector (each
fails with "not supported by hvemu" when bound).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.psshim.cmdlets.hyperv_drives import _VMDevices
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.devices import FloppyDrive
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM as VMValue
from hyperv_emu.sdk.types import DvdDrive, ScsiController


def _each_read(cmdlet: _VMDevices, read: Any) -> Iterator[Any]:
    for client, vm in cmdlet.vms():
        try:
            found = read(client, vm)
        except HyperVError as exc:
            cmdlet.report(exc, vm.name)
            continue
        yield from (found if isinstance(found, list) else [found])


# --- DVD drives ---------------------------------------------------------------------------------

@hyperv_cmdlet("Add-VMDvdDrive")
class AddVMDvdDrive(_VMDevices):
    ControllerNumber = Bound()
    ControllerLocation = Bound()
    Path = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        path = self.ctx.resolve_path(str(self.Path)) if self.is_bound("Path") and self.Path else None
        number = int(self.ControllerNumber) if self.is_bound("ControllerNumber") else None
        location = int(self.ControllerLocation) if self.is_bound("ControllerLocation") else None
        yield from self.each(
            self.vms(), lambda vm: f'Add-VMDvdDrive will add a DVD drive to virtual machine "{vm.name}".',
            lambda client, vm: client.add_dvd_drive(vm, path, controller_number=number, controller_location=location))


class _ByDvd(_VMDevices):
    """The VMDvdDrive (object) and VMName (controller slot) sets of Set-/Remove-VMDvdDrive."""

    VMDvdDrive = Bound()
    ControllerNumber = Bound()
    ControllerLocation = Bound()
    Passthru = Bound()

    def drives(self) -> list[tuple[HyperVClient, DvdDrive]]:
        if self.is_bound("VMDvdDrive"):
            return [(self.client(), d) for d in self._bound_list("VMDvdDrive") if isinstance(d, DvdDrive)]
        out: list[tuple[HyperVClient, DvdDrive]] = []
        for client, vm in self.vms():
            number = int(self.ControllerNumber) if self.is_bound("ControllerNumber") else None
            location = int(self.ControllerLocation) if self.is_bound("ControllerLocation") else None
            try:
                hits = [d for d in client.get_dvd_drives(vm)
                        if (number is None or d.controller_number == number)
                        and (location is None or d.controller_location == location)]
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            if not hits:
                self.report(HyperVError(
                    f"Hyper-V was unable to find a DVD drive on controller number {number if number is not None else 0} "
                    f"at location {location if location is not None else 0} of virtual machine '{vm.name}'.",
                    error_id="ObjectNotFound", category="ObjectNotFound", target=vm.name), vm.name)
            out.extend((client, d) for d in hits)
        return out


@hyperv_cmdlet("Set-VMDvdDrive")
class SetVMDvdDrive(_ByDvd):
    Path = Bound()
    ToControllerNumber = Bound()
    ToControllerLocation = Bound()

    def process(self) -> Iterator[Any]:
        given = self.is_bound("Path")
        raw = self.Path if given else None
        path = self.ctx.resolve_path(str(raw)) if raw else None  # -Path $null or '' ejects the media
        to_number = int(self.ToControllerNumber) if self.is_bound("ToControllerNumber") else None
        to_location = int(self.ToControllerLocation) if self.is_bound("ToControllerLocation") else None

        def change(client: HyperVClient, d: DvdDrive) -> DvdDrive:
            return client.set_dvd_drive(d, path=path, eject=given and path is None, to_controller_number=to_number,
                                        to_controller_location=to_location)

        yield from self.each(self.drives(), lambda d: f'Set-VMDvdDrive will configure the DVD drive "{d.name}" of '
                                                       f'the virtual machine "{d.vm_name}".', change)


@hyperv_cmdlet("Remove-VMDvdDrive")
class RemoveVMDvdDrive(_ByDvd):
    def process(self) -> Iterator[Any]:
        def remove(client: HyperVClient, d: DvdDrive) -> DvdDrive:
            client.remove_dvd_drive(d)
            return d

        yield from self.each(self.drives(), lambda d: f'Remove-VMDvdDrive will remove the DVD drive "{d.name}" from '
                                                       f'the virtual machine "{d.vm_name}".', remove)


# --- controllers ----------------------------------------------------------------------------------

@hyperv_cmdlet("Get-VMIdeController")
class GetVMIdeController(_VMDevices):
    ControllerNumber = Bound()

    def process(self) -> Iterator[Any]:
        for c in _each_read(self, lambda client, vm: client.get_ide_controllers(vm)):
            if not self.is_bound("ControllerNumber") or c.controller_number == int(self.ControllerNumber):
                yield c


@hyperv_cmdlet("Add-VMScsiController")
class AddVMScsiController(_VMDevices):
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self.vms(), lambda vm: f'Add-VMScsiController will add a SCSI controller to virtual '
                                                     f'machine "{vm.name}".',
                             lambda client, vm: client.add_scsi_controller(vm))


@hyperv_cmdlet("Remove-VMScsiController")
class RemoveVMScsiController(_VMDevices):
    VMScsiController = Bound()
    ControllerNumber = Bound()
    Passthru = Bound()

    def controllers(self) -> list[tuple[HyperVClient, ScsiController]]:
        if self.is_bound("VMScsiController"):
            return [(self.client(), c) for c in self._bound_list("VMScsiController") if isinstance(c, ScsiController)]
        out: list[tuple[HyperVClient, ScsiController]] = []
        for client, vm in self.vms():
            try:
                hits = [c for c in client.get_scsi_controllers(vm) if c.controller_number == int(self.ControllerNumber)]
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            if not hits:
                self.report(HyperVError(f"Hyper-V was unable to find SCSI controller number {int(self.ControllerNumber)} "
                                        f"of virtual machine '{vm.name}'.", error_id="ObjectNotFound",
                                        category="ObjectNotFound", target=vm.name), vm.name)
            out.extend((client, c) for c in hits)
        return out

    def process(self) -> Iterator[Any]:
        def remove(client: HyperVClient, c: ScsiController) -> ScsiController:
            client.remove_scsi_controller(c)
            return c

        yield from self.each(self.controllers(), lambda c: f'Remove-VMScsiController will remove SCSI controller '
                                                            f'number {c.controller_number} from the virtual machine '
                                                            f'"{c.vm_name}".', remove)


# --- BIOS -------------------------------------------------------------------------------------------

@hyperv_cmdlet("Get-VMBios")
class GetVMBios(_VMDevices):
    def process(self) -> Iterator[Any]:
        yield from _each_read(self, lambda client, vm: client.get_bios(vm))


@hyperv_cmdlet("Set-VMBios")
class SetVMBios(_VMDevices):
    StartupOrder = Bound()
    EnableNumLock = Bound()
    DisableNumLock = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        order = [getattr(d, "name", str(d)) for d in self._bound_list("StartupOrder")] \
            if self.is_bound("StartupOrder") else None
        num_lock = True if self.EnableNumLock else (False if self.DisableNumLock else None)
        if self.EnableNumLock and self.DisableNumLock:
            self.ctx.throw_terminating("The EnableNumLock and DisableNumLock switches cannot be set at the same time.",
                                       "InvalidParameter", "InvalidArgument")
        yield from self.each(self.vms(), lambda vm: f'Set-VMBios will configure the BIOS of virtual machine "{vm.name}".',
                             lambda client, vm: client.set_bios(vm, startup_order=order, num_lock=num_lock))


# --- TPM, key protector ----------------------------------------------------------------------------

@hyperv_cmdlet("Get-VMSecurity")
class GetVMSecurity(_VMDevices):
    def process(self) -> Iterator[Any]:
        yield from _each_read(self, lambda client, vm: client.get_security(vm))


@hyperv_cmdlet("Enable-VMTPM")
class EnableVMTPM(_VMDevices):
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self.vms(), lambda vm: f'Enable-VMTPM will enable the virtual TPM of virtual machine '
                                                     f'"{vm.name}".', lambda client, vm: client.enable_tpm(vm))


@hyperv_cmdlet("Disable-VMTPM")
class DisableVMTPM(_VMDevices):
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self.vms(), lambda vm: f'Disable-VMTPM will disable the virtual TPM of virtual machine '
                                                     f'"{vm.name}".', lambda client, vm: client.disable_tpm(vm))


@hyperv_cmdlet("Set-VMKeyProtector")
class SetVMKeyProtector(_VMDevices):
    KeyProtector = Bound()
    NewLocalKeyProtector = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        if self.is_bound("KeyProtector") == bool(self.NewLocalKeyProtector):
            self.ctx.throw_terminating("Specify either -KeyProtector or -NewLocalKeyProtector.",
                                       "InvalidParameter", "InvalidArgument")
        protector = bytes(int(b) & 0xFF for b in self._bound_list("KeyProtector")) \
            if self.is_bound("KeyProtector") else None

        def act(client: HyperVClient, vm: VMValue) -> VMValue:
            client.set_key_protector(vm, protector)
            return vm

        yield from self.each(self.vms(), lambda vm: f'Set-VMKeyProtector will set the key protector of virtual '
                                                     f'machine "{vm.name}".', act)


@hyperv_cmdlet("Set-VMSecurity")
class SetVMSecurity(_VMDevices):
    EncryptStateAndVmMigrationTraffic = Bound()
    VirtualizationBasedSecurityOptOut = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        encrypt = bool(self.EncryptStateAndVmMigrationTraffic) \
            if self.is_bound("EncryptStateAndVmMigrationTraffic") else None
        opt_out = bool(self.VirtualizationBasedSecurityOptOut) \
            if self.is_bound("VirtualizationBasedSecurityOptOut") else None
        yield from self.each(self.vms(), lambda vm: f'Set-VMSecurity will configure the security settings of virtual '
                                                     f'machine "{vm.name}".',
                             lambda client, vm: client.set_security(
                                 vm, encrypt_state_and_vm_migration_traffic=encrypt,
                                 virtualization_based_security_opt_out=opt_out))


# --- the diskette drive ------------------------------------------------------------------------------

@hyperv_cmdlet("Get-VMFloppyDiskDrive")
class GetVMFloppyDiskDrive(_VMDevices):
    def process(self) -> Iterator[Any]:
        for drive in _each_read(self, lambda client, vm: client.get_floppy_drive(vm)):
            if drive is not None:
                yield drive


@hyperv_cmdlet("Set-VMFloppyDiskDrive")
class SetVMFloppyDiskDrive(_VMDevices):
    VMFloppyDiskDrive = Bound()
    Path = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        raw = self.Path if self.is_bound("Path") else None
        path = self.ctx.resolve_path(str(raw)) if raw else None  # -Path $null takes the diskette out
        targets: list[tuple[HyperVClient, VMValue]] = []
        if self.is_bound("VMFloppyDiskDrive"):
            client = self.client()
            for d in self._bound_list("VMFloppyDiskDrive"):
                if isinstance(d, FloppyDrive):
                    try:
                        targets.append((client, client.get_vm_by_id(d.vm_id)))
                    except HyperVError as exc:
                        self.report(exc, d.vm_name)
        else:
            targets = self.vms()
        yield from self.each(targets, lambda vm: f'Set-VMFloppyDiskDrive will configure the diskette drive of '
                                                 f'virtual machine "{vm.name}".',
                             lambda client, vm: client.set_floppy_drive(vm, path))


# --- video ------------------------------------------------------------------------------------------------

@hyperv_cmdlet("Get-VMVideo")
class GetVMVideo(_VMDevices):
    def process(self) -> Iterator[Any]:
        yield from _each_read(self, lambda client, vm: client.get_video(vm))


@hyperv_cmdlet("Set-VMVideo")
class SetVMVideo(_VMDevices):
    ResolutionType = Bound()
    HorizontalResolution = Bound()
    VerticalResolution = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        kind = getattr(self.ResolutionType, "name", None) if self.is_bound("ResolutionType") else None
        horizontal = int(self.HorizontalResolution) if self.is_bound("HorizontalResolution") else None
        vertical = int(self.VerticalResolution) if self.is_bound("VerticalResolution") else None
        yield from self.each(self.vms(), lambda vm: f'Set-VMVideo will configure the video settings of virtual '
                                                     f'machine "{vm.name}".',
                             lambda client, vm: client.set_video(vm, resolution_type=kind,
                                                                 horizontal_resolution=horizontal,
                                                                 vertical_resolution=vertical))


@hyperv_cmdlet("Get-VMKeyProtector")
class GetVMKeyProtector(_VMDevices):
    def process(self) -> Iterator[Any]:
        for client, vm in self.vms():
            try:
                data = client.get_key_protector(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            yield list(data)  # one byte[] object
