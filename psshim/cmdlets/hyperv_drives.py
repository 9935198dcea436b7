"""The Hyper-V module's drive and controller cmdlets: Add-/Remove-/Set-VMHardDiskDrive,
Get-VMScsiController, Get-VMDvdDrive (Get-VMHardDiskDrive is in `hyperv.py`).

Thin adapters over `sdk.HyperVClient`; the rules (slots, states, files) are the emulator's
(`emulator/drives.py`) or the real host's. Not emulated: pass-through disks (-DiskNumber),
QoS, resource pools, -VMDriveController, a checkpoint's controllers and DVD drives (-VMSnapshot),
and every other parameter a handler has no `Bound` for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM as VMValue
from hyperv_emu.sdk.types import ControllerType, HardDrive


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _ctype(value: Any) -> str | None:
    return None if value is None else ControllerType(int(value)).name


class _VMDevices(HyperVCmdlet):
    """The VMName / VM sets."""

    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()

    def vms(self) -> list[tuple[HyperVClient, VMValue]]:
        if self.is_bound("VM"):
            return [(self.client(None if vm.client is None else vm.client.computer_name), vm)
                    for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
        names = [str(n) for n in self._bound_list("VMName")]
        return [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, names)]


@hyperv_cmdlet("Add-VMHardDiskDrive")
class AddVMHardDiskDrive(_VMDevices):
    ControllerType = Bound()
    ControllerNumber = Bound()
    ControllerLocation = Bound()
    Path = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        path = self.ctx.resolve_path(str(self.Path)) if self.is_bound("Path") else None
        if path is None:
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("Add-VMHardDiskDrive without -Path (a pass-through or empty drive)")

        def add(client: HyperVClient, vm: VMValue) -> HardDrive:
            return client.add_hard_drive(vm, path, controller_type=_ctype(self.ControllerType),
                                         controller_number=_int(self.ControllerNumber),
                                         controller_location=_int(self.ControllerLocation))

        yield from self.each(self.vms(), lambda vm: f'Add-VMHardDiskDrive will add a hard disk drive to virtual machine "{vm.name}".', add)


class _ByDrive(_VMDevices):
    """The VMHardDiskDrive (object) and VMName (controller slot) sets of Remove-/Set-."""

    VMHardDiskDrive = Bound()
    ControllerType = Bound()
    ControllerNumber = Bound()
    ControllerLocation = Bound()
    Passthru = Bound()

    def drives(self) -> list[tuple[HyperVClient, HardDrive]]:
        if self.is_bound("VMHardDiskDrive"):
            return [(self.client(), d) for d in self._bound_list("VMHardDiskDrive") if isinstance(d, HardDrive)]
        out: list[tuple[HyperVClient, HardDrive]] = []
        # Set-VMHardDiskDrive's slot parameters are optional (its reference page: `-VMName TestVM
        # -Path .\Test.vhd` "configures the hard drive of virtual machine TestVM"): a slot part
        # left out matches every drive, as Get-VMHardDiskDrive's filters do.
        ctype = int(self.ControllerType) if self.is_bound("ControllerType") else None
        number = int(self.ControllerNumber) if self.is_bound("ControllerNumber") else None
        location = int(self.ControllerLocation) if self.is_bound("ControllerLocation") else None
        for client, vm in self.vms():
            hits = [d for d in vm.hard_drives
                    if (ctype is None or int(d.controller_type) == ctype)
                    and (number is None or d.controller_number == number)
                    and (location is None or d.controller_location == location)]
            if not hits:
                if ctype is not None and number is not None and location is not None:
                    text = (f"Hyper-V was unable to find a hard disk drive on {ControllerType(ctype).name} "
                            f"controller number {number} at location {location} of virtual machine '{vm.name}'.")
                else:  # inferred: the text of a slot named in part
                    text = f"Hyper-V was unable to find a hard disk drive of virtual machine '{vm.name}'."
                self.report(HyperVError(text, error_id="ObjectNotFound", category="ObjectNotFound",
                                        target=vm.name), vm.name)
            out.extend((client, d) for d in hits)
        return out


@hyperv_cmdlet("Remove-VMHardDiskDrive")
class RemoveVMHardDiskDrive(_ByDrive):
    def process(self) -> Iterator[Any]:
        def remove(client: HyperVClient, drive: HardDrive) -> HardDrive:
            client.remove_hard_drive(drive)
            return drive

        yield from self.each(self.drives(), lambda d: f'Remove-VMHardDiskDrive will remove the hard disk drive '
                                                       f'"{d.name}" from the virtual machine "{d.vm_name}".', remove)


@hyperv_cmdlet("Set-VMHardDiskDrive")
class SetVMHardDiskDrive(_ByDrive):
    Path = Bound()
    ToControllerType = Bound()
    ToControllerNumber = Bound()
    ToControllerLocation = Bound()

    def process(self) -> Iterator[Any]:
        path = self.ctx.resolve_path(str(self.Path)) if self.is_bound("Path") else None

        def change(client: HyperVClient, drive: HardDrive) -> HardDrive:
            return client.set_hard_drive(drive, path=path, to_controller_type=_ctype(self.ToControllerType),
                                         to_controller_number=_int(self.ToControllerNumber),
                                         to_controller_location=_int(self.ToControllerLocation))

        yield from self.each(self.drives(), lambda d: f'Set-VMHardDiskDrive will configure the hard disk drive '
                                                       f'"{d.name}" of the virtual machine "{d.vm_name}".', change)


@hyperv_cmdlet("Get-VMScsiController")
class GetVMScsiController(_VMDevices):
    ControllerNumber = Bound()

    def process(self) -> Iterator[Any]:
        for client, vm in self.vms():
            try:
                found = client.get_scsi_controllers(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            for c in found:
                if not self.is_bound("ControllerNumber") or c.controller_number == int(self.ControllerNumber):
                    yield c


@hyperv_cmdlet("Get-VMDvdDrive")
class GetVMDvdDrive(_VMDevices):
    ControllerNumber = Bound()
    ControllerLocation = Bound()

    def process(self) -> Iterator[Any]:
        for client, vm in self.vms():
            try:
                found = client.get_dvd_drives(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            for d in found:
                if self.is_bound("ControllerNumber") and d.controller_number != int(self.ControllerNumber):
                    continue
                if self.is_bound("ControllerLocation") and d.controller_location != int(self.ControllerLocation):
                    continue
                yield d
