"""The Hyper-V module's firmware cmdlets: Get-VMFirmware and Set-VMFirmware (-EnableSecureBoot,
-SecureBootTemplate, -FirstBootDevice, -BootOrder) of a generation 2 VM.

Thin adapters over `sdk.HyperVClient` (`get_firmware`, `set_firmware`); the rules are the
emulator's (`emulator/firmware.py`). The -WhatIf text follows the module's pattern (inferred).
Not emulated: a checkpoint's firmware (-VMSnapshot), -VMFirmware input, -SecureBootTemplateId, -PreferredNetworkBootProtocol,
-ConsoleMode and -PauseAfterBootFailure (each fails with "not supported by hvemu" when bound).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.psshim.cmdlets.hyperv_drives import _VMDevices
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.devices import BootTarget
from hyperv_emu.sdk.vmparts import OnOffState


@hyperv_cmdlet("Get-VMFirmware")
class GetVMFirmware(_VMDevices):
    def process(self) -> Iterator[Any]:
        for client, vm in self.vms():
            try:
                yield client.get_firmware(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)


@hyperv_cmdlet("Set-VMFirmware")
class SetVMFirmware(_VMDevices):
    EnableSecureBoot = Bound()
    SecureBootTemplate = Bound()
    FirstBootDevice = Bound()
    BootOrder = Bound()
    Passthru = Bound()

    def _target(self, value: Any) -> BootTarget:
        try:
            return BootTarget.of(value)
        except ValueError:
            self.ctx.throw_terminating(f"Cannot validate argument: '{value}' is not a boot device (a hard disk drive, "
                                       f"DVD drive, network adapter or boot entry of the virtual machine).",
                                       "InvalidParameter", "InvalidArgument")

    def process(self) -> Iterator[Any]:
        secure = (int(self.EnableSecureBoot) == int(OnOffState.On)) if self.is_bound("EnableSecureBoot") else None
        template = str(self.SecureBootTemplate) if self.is_bound("SecureBootTemplate") else None
        first = self._target(self.FirstBootDevice) if self.is_bound("FirstBootDevice") else None
        order = [self._target(d) for d in self._bound_list("BootOrder")] if self.is_bound("BootOrder") else None
        yield from self.each(self.vms(),
                             lambda vm: f'Set-VMFirmware will configure the firmware of virtual machine "{vm.name}".',
                             lambda client, vm: client.set_firmware(vm, secure_boot=secure,
                                                                    secure_boot_template=template,
                                                                    first_boot_device=first, boot_order=order))
