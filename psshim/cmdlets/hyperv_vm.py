"""The Hyper-V module's cmdlets around a VM's settings, as thin adapters over the SDK:
Rename-VM, Save-VM, Restart-VM, Remove-VMSavedState, Wait-VM, Get-/Set-VMMemory,
Get-/Set-VMProcessor, Get-/Enable-/Disable-VMIntegrationService, Get-/Set-VMHost, and the
parameters of Set-VM beyond the checkpoint ones (`set_vm_settings`).

As in `hyperv`, each handler reads the parameters it honours through `Bound` attributes; any other
parameter fails after binding with "not supported by hvemu". Hyper-V's rules (what may change
while a VM runs, what Wait-VM waits for) are the emulator's (emulator.vmsettings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet, _ByNameOrVM
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError, InvalidArgumentError, OperationTimeoutError
from hyperv_emu.sdk.types import VM as VMValue
from hyperv_emu.sdk.types import Checkpoint
from hyperv_emu.psshim.cmdlets.hyperv_setvm import NEEDS_DYNAMIC, needs_dynamic_memory
from hyperv_emu.psshim.cmdlets.hyperv_setvm import enum_name as _name
from hyperv_emu.sdk.vmparts import IntegrationService, VMSettings


# ---------------------------------------------------------------------------------------------
# Rename-VM, Save-VM, Restart-VM, Remove-VMSavedState, Wait-VM
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Rename-VM")
class RenameVM(_ByNameOrVM):
    NewName = Bound()

    def process(self) -> Iterator[Any]:
        new = str(self.NewName)
        yield from self.each(self.target_vms(), lambda vm: f'Rename-VM will rename the virtual machine "{vm.name}" to "{new}".',
                             lambda client, vm: client.rename_vm(vm, new))


@hyperv_cmdlet("Save-VM")
class SaveVM(_ByNameOrVM):
    AsJob = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self.target_vms(), lambda vm: f'Save-VM will save virtual machine "{vm.name}".',
                             lambda client, vm: client.save_vm(vm))


@hyperv_cmdlet("Restart-VM")
class RestartVM(_ByNameOrVM):
    Force = Bound()
    AsJob = Bound()
    Wait = Bound()
    For = Bound()
    Delay = Bound()
    Timeout = Bound()

    def process(self) -> Iterator[Any]:
        for client, vm in self.target_vms():
            if not self.ctx.should_process(vm.name, text=f'Restart-VM will restart virtual machine "{vm.name}".'):
                continue
            # Hyper-V asks again before a hard reset (docs example 1), unless -Force
            if not self.Force and not self.ctx.should_continue(
                    f'Are you sure you want to restart virtual machine "{vm.name}"?', "Confirm"):
                continue
            try:
                result = client.restart_vm(vm)
                if self.Wait:
                    timeout = int(self.Timeout) if self.is_bound("Timeout") else None
                    client.wait_vm(result, _name(self.For) or "Heartbeat", timeout=timeout,
                                   delay=int(self.Delay) if self.is_bound("Delay") else 5)
            except HyperVError as exc:
                self.report(exc, vm)
                continue
            if self.passthru():
                yield result


@hyperv_cmdlet("Remove-VMSavedState")
class RemoveVMSavedState(HyperVCmdlet):
    VMName = Bound()
    VM = Bound()
    VMSnapshot = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        if self.is_bound("VMSnapshot"):
            for cp in self._bound_list("VMSnapshot"):
                if isinstance(cp, Checkpoint):
                    yield from self.each([(self._client_of(cp), cp)],
                                         lambda c: f'Remove-VMSavedState will remove the saved state of snapshot "{c.name}".',
                                         lambda client, c: client.remove_saved_state(c))
            return
        if self.is_bound("VM"):
            targets = [(self._client_of(vm), vm) for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
        else:
            names = [str(n) for n in self._bound_list("VMName")]
            targets = [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, names)]
        yield from self.each(targets,
                             lambda vm: f'Remove-VMSavedState will remove the saved state of virtual machine "{vm.name}".',
                             lambda client, vm: client.remove_saved_state(vm))

    def _client_of(self, value: Any) -> HyperVClient:
        return self.client(None if value.client is None else value.client.computer_name)


@hyperv_cmdlet("Wait-VM")
class WaitVM(_ByNameOrVM):
    AsJob = Bound()
    For = Bound()
    Delay = Bound()
    Timeout = Bound()

    def process(self) -> Iterator[Any]:
        condition = _name(self.For) or "Heartbeat"
        timeout = int(self.Timeout) if self.is_bound("Timeout") else None
        delay = int(self.Delay) if self.is_bound("Delay") else 5

        def wait(client: HyperVClient, vm: VMValue) -> VMValue:
            left = self.ctx.remaining_time()  # on a real clock, hvemu's time budget bounds the wait
            if left is not None and (timeout is None or timeout > left):
                try:
                    client.wait_vm(vm, condition, timeout=left, delay=min(delay, max(left, 0.1)))
                except OperationTimeoutError:
                    self.ctx.stop_for_time_budget()
            else:
                client.wait_vm(vm, condition, timeout=timeout, delay=delay)
            return client.get_vm_by_id(vm.id)

        yield from self.each(self.target_vms(), lambda vm: "", wait, confirm=False)


# ---------------------------------------------------------------------------------------------
# Get-/Set-VMMemory, Get-/Set-VMProcessor
# ---------------------------------------------------------------------------------------------


class _VMComponentCmdlet(HyperVCmdlet):
    """-VMName / -VM (and -VMSnapshot, not emulated for these) selection."""

    def owners(self) -> list[tuple[HyperVClient, VMValue]]:
        if self.is_bound("VM"):
            return [(self.client(None if vm.client is None else vm.client.computer_name), vm)
                    for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
        names = [str(n) for n in self._bound_list("VMName")]
        return [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, names)]

    def each_owner(self, read: Callable[[HyperVClient, VMValue], Any]) -> Iterator[Any]:
        """`read` of each selected VM; a VM it fails for is a non-terminating error."""
        for client, vm in self.owners():
            try:
                yield read(client, vm)
            except HyperVError as exc:
                self.report(exc, vm)


@hyperv_cmdlet("Get-VMMemory")
class GetVMMemory(_VMComponentCmdlet):
    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        return self.each_owner(lambda client, vm: client.get_vm_memory(vm))


@hyperv_cmdlet("Set-VMMemory")
class SetVMMemory(_VMComponentCmdlet):
    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()
    DynamicMemoryEnabled = Bound()
    StartupBytes = Bound()
    MinimumBytes = Bound()
    MaximumBytes = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        settings = VMSettings(
            dynamic_memory_enabled=bool(self.DynamicMemoryEnabled) if self.is_bound("DynamicMemoryEnabled") else None,
            memory_startup=int(self.StartupBytes) if self.is_bound("StartupBytes") else None,
            memory_minimum=int(self.MinimumBytes) if self.is_bound("MinimumBytes") else None,
            memory_maximum=int(self.MaximumBytes) if self.is_bound("MaximumBytes") else None,
        )

        def act(client: HyperVClient, vm: VMValue) -> Any:
            needs_dynamic_memory(NEEDS_DYNAMIC, vm, settings.dynamic_memory_enabled, settings)
            return client.memory_of(client.configure_vm(vm, settings))

        yield from self.each(self.owners(), lambda vm: f'Set-VMMemory will configure the memory settings of the virtual machine "{vm.name}".',
                             act)


@hyperv_cmdlet("Get-VMProcessor")
class GetVMProcessor(_VMComponentCmdlet):
    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        return self.each_owner(lambda client, vm: client.get_vm_processor(vm))


@hyperv_cmdlet("Set-VMProcessor")
class SetVMProcessor(_VMComponentCmdlet):
    VMName = Bound()
    VM = Bound()
    ComputerName = Bound()
    Count = Bound()
    ExposeVirtualizationExtensions = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        exposed = bool(self.ExposeVirtualizationExtensions) if self.is_bound("ExposeVirtualizationExtensions") else None
        settings = VMSettings(processor_count=int(self.Count) if self.is_bound("Count") else None,
                              expose_virtualization_extensions=exposed)

        def act(client: HyperVClient, vm: VMValue) -> Any:
            return client.processor_of(client.configure_vm(vm, settings))

        yield from self.each(self.owners(),
                             lambda vm: f'Set-VMProcessor will configure the processor settings of the virtual machine "{vm.name}".', act)


# ---------------------------------------------------------------------------------------------
# Get-/Enable-/Disable-VMIntegrationService
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Get-VMIntegrationService")
class GetVMIntegrationService(_VMComponentCmdlet):
    VMName = Bound()
    VM = Bound()
    VMSnapshot = Bound()
    Name = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        patterns: list[str | None] = [str(n) for n in self._bound_list("Name")] or [None]
        if self.is_bound("VMSnapshot"):  # the services as the checkpoint captured them
            cp = self.VMSnapshot
            if isinstance(cp, Checkpoint):
                yield from (s for s in cp.vm_integration_service
                            if any(p is None or _matches(p, s.name) for p in patterns))
            return
        for client, vm in self.owners():
            try:
                services = client.get_integration_services(vm)
            except HyperVError as exc:
                self.report(exc, vm)
                continue
            yield from (s for s in services if any(p is None or _matches(p, s.name) for p in patterns))


def _matches(pattern: str, name: str) -> bool:
    from hyperv_emu.sdk import wildcard_match

    return wildcard_match(pattern, name)


class _SetIntegrationService(_VMComponentCmdlet):
    enable = True
    VMName = Bound()
    VM = Bound()
    Name = Bound()
    VMIntegrationService = Bound()
    ComputerName = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        verb = "Enable" if self.enable else "Disable"
        targets: list[tuple[HyperVClient, IntegrationService]] = []
        if self.is_bound("VMIntegrationService"):
            targets = [(self.client(), s) for s in self._bound_list("VMIntegrationService")
                       if isinstance(s, IntegrationService)]
        else:
            patterns = [str(n) for n in self._bound_list("Name")]
            for client, vm in self.owners():
                services = client.get_integration_services(vm)
                for pattern in patterns:
                    hits = [s for s in services if _matches(pattern, s.name)]
                    if not hits:
                        # the module's ErrorMessages.VMIntegrationService_IntegrationComponentNotFound
                        self.report(InvalidArgumentError(
                            "No integration component with the given name could be found.", target=pattern), pattern)
                    targets.extend((client, s) for s in hits)

        def act(client: HyperVClient, s: IntegrationService) -> Any:
            vm = client.set_integration_service(client.get_vm_by_id(s.vm_id), s.name, self.enable)
            return next(x for x in vm.vm_integration_service if x.name == s.name)

        yield from self.each(
            targets,
            lambda s: f'{verb}-VMIntegrationService will {verb.lower()} integration service "{s.name}" '
                      f'of virtual machine "{s.vm_name}".', act)


@hyperv_cmdlet("Enable-VMIntegrationService")
class EnableVMIntegrationService(_SetIntegrationService):
    enable = True


@hyperv_cmdlet("Disable-VMIntegrationService")
class DisableVMIntegrationService(_SetIntegrationService):
    enable = False


# ---------------------------------------------------------------------------------------------
# Get-/Set-VMHost
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Get-VMHost")
class GetVMHost(HyperVCmdlet):
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        for client in self.clients():
            try:
                yield client.get_vm_host()
            except HyperVError as exc:
                self.report(exc)


@hyperv_cmdlet("Set-VMHost")
class SetVMHost(HyperVCmdlet):
    ComputerName = Bound()
    VirtualHardDiskPath = Bound()
    VirtualMachinePath = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        vhd = str(self.VirtualHardDiskPath) if self.is_bound("VirtualHardDiskPath") else None
        vms = str(self.VirtualMachinePath) if self.is_bound("VirtualMachinePath") else None
        yield from self.each(((c, c) for c in self.clients()),
                             lambda c: f'Set-VMHost will configure host "{c.host_name}".',
                             lambda client, _c: client.set_vm_host(virtual_hard_disk_path=vhd,
                                                                   virtual_machine_path=vms))
