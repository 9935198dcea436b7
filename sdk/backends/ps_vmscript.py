"""The PowerShell backend's scripts for a VM's settings and the actions around them: Set-VM's
other parameters, Set-VMMemory, Set-VMProcessor, Rename-VM, Restart-VM, Remove-VMSavedState,
Enable-/Disable-VMIntegrationService, Wait-VM, Get-/Set-VMHost, Enable-/Disable-/Reset-VMResourceMetering
and Measure-VM (one function per `Backend` call,
in the shape of `ps_script.ScriptBuilder`'s)."""

from __future__ import annotations

from hyperv_emu.sdk.backends.ps_script import (
    _KEEP_WARNINGS,
    _WARN,
    Script,
    _cn,
    _get_cp,
    _get_vm,
    _refetch_vm,
    _select_list,
    frame,
    ps_bool,
    ps_int,
    ps_quote,
)
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.vmparts import VMHostInfo, VMSettings

HOST_PROPS = _select_list(VMHostInfo)
METERING_PROPS = _select_list(VMMeteringReport)

# VMSettings field -> (cmdlet, parameter, kind)
_PARAMS: dict[str, tuple[str, str, str]] = {
    "checkpoint_type": ("Set-VM", "CheckpointType", "str"),
    "automatic_checkpoints_enabled": ("Set-VM", "AutomaticCheckpointsEnabled", "bool"),
    "snapshot_file_location": ("Set-VM", "SnapshotFileLocation", "str"),
    "smart_paging_file_path": ("Set-VM", "SmartPagingFilePath", "str"),
    "notes": ("Set-VM", "Notes", "str"),
    "automatic_start_action": ("Set-VM", "AutomaticStartAction", "str"),
    "automatic_start_delay": ("Set-VM", "AutomaticStartDelay", "int"),
    "automatic_stop_action": ("Set-VM", "AutomaticStopAction", "str"),
    "automatic_critical_error_action": ("Set-VM", "AutomaticCriticalErrorAction", "str"),
    "automatic_critical_error_action_timeout": ("Set-VM", "AutomaticCriticalErrorActionTimeout", "int"),
    "processor_count": ("Set-VMProcessor", "Count", "int"),
    "expose_virtualization_extensions": ("Set-VMProcessor", "ExposeVirtualizationExtensions", "bool"),
    "dynamic_memory_enabled": ("Set-VMMemory", "DynamicMemoryEnabled", "bool"),
    "memory_startup": ("Set-VMMemory", "StartupBytes", "int"),
    "memory_minimum": ("Set-VMMemory", "MinimumBytes", "int"),
    "memory_maximum": ("Set-VMMemory", "MaximumBytes", "int"),
}


def _arg(kind: str, value: object) -> str:
    if kind == "bool":
        return ps_bool(bool(value))
    if kind == "int":
        return ps_int(int(value))  # type: ignore[call-overload]
    return ps_quote(str(value))


def configure_vm(computer: str | None, vm_id: str, settings: VMSettings) -> Script:
    """One Set-VMMemory, Set-VMProcessor and Set-VM each (only those with something to change),
    then Rename-VM; on a refusal the script stops (the host applies each cmdlet whole)."""
    args: dict[str, str] = {"Set-VMMemory": "", "Set-VMProcessor": "", "Set-VM": ""}
    for field, (cmdlet, param, kind) in _PARAMS.items():
        value = getattr(settings, field)
        if value is not None:
            args[cmdlet] += f" -{param} {_arg(kind, value)}"
    body = [_get_vm(computer, vm_id)]
    for cmdlet, text in args.items():
        if text:
            body += [f"{cmdlet} -VM $hvVm{text} -Confirm:$false {_WARN}", _KEEP_WARNINGS]
    if settings.new_name is not None:
        body.append(f"Rename-VM -VM $hvVm -NewName {ps_quote(settings.new_name)} -Confirm:$false")
    body.append(_refetch_vm(computer, vm_id))
    return frame("configure_vm", body, props=("vm",))


def restart_vm(computer: str | None, vm_id: str) -> Script:
    return frame("restart_vm", [_get_vm(computer, vm_id),
                                f"Restart-VM -VM $hvVm -Force -Confirm:$false {_WARN}", _KEEP_WARNINGS])


def remove_saved_state(computer: str | None, vm_id: str) -> Script:
    return frame("remove_saved_state", [_get_vm(computer, vm_id), "Remove-VMSavedState -VM $hvVm -Confirm:$false"])


def remove_checkpoint_saved_state(computer: str | None, checkpoint_id: str) -> Script:
    return frame("remove_checkpoint_saved_state",
                 [_get_cp(computer, checkpoint_id), "Remove-VMSavedState -VMSnapshot $hvCp -Confirm:$false"])


def set_integration_service(computer: str | None, vm_id: str, name: str, enabled: bool) -> Script:
    verb = "Enable" if enabled else "Disable"
    body = [_get_vm(computer, vm_id),
            f"{verb}-VMIntegrationService -VM $hvVm -Name {ps_quote(name)} -Confirm:$false",
            _refetch_vm(computer, vm_id)]
    return frame("set_integration_service", body, props=("vm",))


def wait_vm(computer: str | None, vm_id: str, condition: str, timeout: float | None, delay: float) -> Script:
    args = f" -For {ps_quote(condition)} -Delay {ps_int(max(1, int(delay)))}"
    if timeout is not None:
        args += f" -Timeout {ps_int(max(0, int(timeout)))}"
    return frame("wait_vm", [_get_vm(computer, vm_id), f"Wait-VM -VM $hvVm{args}"])


def get_vm_host(computer: str | None) -> Script:
    return frame("get_vm_host", [f"$hvItems = @(Get-VMHost{_cn(computer)} | Select-Object -Property {HOST_PROPS})"])


def set_vm_host(computer: str | None, *, virtual_hard_disk_path: str | None,
                virtual_machine_path: str | None) -> Script:
    args = ""
    if virtual_hard_disk_path is not None:
        args += f" -VirtualHardDiskPath {ps_quote(virtual_hard_disk_path)}"
    if virtual_machine_path is not None:
        args += f" -VirtualMachinePath {ps_quote(virtual_machine_path)}"
    body = [f"Set-VMHost{args}{_cn(computer)} -Confirm:$false"] if args else []
    body.append(f"$hvItems = @(Get-VMHost{_cn(computer)} | Select-Object -Property {HOST_PROPS})")
    return frame("set_vm_host", body)


_METERING_VERBS = {"enable": "Enable", "disable": "Disable", "reset": "Reset"}


def set_resource_metering(computer: str | None, vm_id: str, action: str) -> Script:
    body = [_get_vm(computer, vm_id), f"{_METERING_VERBS[action]}-VMResourceMetering -VM $hvVm",
            _refetch_vm(computer, vm_id)]
    return frame("set_resource_metering", body, props=("vm",))


def measure_vm(computer: str | None, vm_id: str) -> Script:
    body = [_get_vm(computer, vm_id),
            f"$hvItems = @(Measure-VM -VM $hvVm | Select-Object -Property {METERING_PROPS})"]
    return frame("measure_vm", body, props=("drive",))
