"""Resource metering, as thin adapters over the SDK: Enable-/Disable-/Reset-VMResourceMetering
(the VMName and VMObject sets; the ResourcePool set is not emulated) and Measure-VM.

As the module's cmdlets do (EnableVMResourceMetering.cs and its siblings in the decompiled
module), the three metering switches neither prompt nor write output; Measure-VM writes one
`VMMeteringReportForVirtualMachine` per VM, and a VM whose metering is off gets the module's
non-terminating ObjectNotFound error (`Resource metering is not enabled for this virtual machine.
...`). The figures are the emulator's (emulator.metering).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM as VMValue


class _Metering(HyperVCmdlet):
    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()

    def apply(self, client: HyperVClient, vm: VMValue) -> Any:
        raise NotImplementedError

    def process(self) -> Iterator[Any]:
        yield from self.each(self.target_vms(), str, self.apply, confirm=False)

    def passthru(self) -> bool:
        return False  # these cmdlets write nothing


@hyperv_cmdlet("Enable-VMResourceMetering")
class EnableVMResourceMetering(_Metering):
    def apply(self, client: HyperVClient, vm: VMValue) -> Any:
        return client.set_resource_metering(vm, True)


@hyperv_cmdlet("Disable-VMResourceMetering")
class DisableVMResourceMetering(_Metering):
    def apply(self, client: HyperVClient, vm: VMValue) -> Any:
        return client.set_resource_metering(vm, False)


@hyperv_cmdlet("Reset-VMResourceMetering")
class ResetVMResourceMetering(_Metering):
    def apply(self, client: HyperVClient, vm: VMValue) -> Any:
        return client.reset_resource_metering(vm)


@hyperv_cmdlet("Measure-VM")
class MeasureVM(HyperVCmdlet):
    Name = Bound()
    VM = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        for client, vm in self.target_vms():
            try:
                report = client.measure_vm(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            yield report
