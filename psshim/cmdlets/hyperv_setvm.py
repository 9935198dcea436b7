"""Set-VM's settings beyond the checkpoint ones, read from the bound cmdlet into an SDK
`VMSettings` (used by Set-VM in hyperv.py; the other VM cmdlets are in hyperv_vm.py)."""

from __future__ import annotations

from typing import Any

from hyperv_emu.sdk.errors import InvalidArgumentError
from hyperv_emu.sdk.types import VM
from hyperv_emu.sdk.vmparts import VMSettings


# The module's texts (CmdletErrorMessages in the decompiled module): Set-VM's memory parameters that
# need Dynamic Memory (SetVM.cs), and Set-VMMemory's (SetVMMemory.cs); both InvalidParameter.
MIX_MATCHING = ("Dynamic and static memory settings cannot be specified together. To set maximum memory, minimum "
                "memory and buffer settings, turn on Dynamic Memory as well.")
NEEDS_DYNAMIC = "Setting maximum, minimum, and buffer settings requires Dynamic Memory to be enabled."


def needs_dynamic_memory(message: str, vm: VM, dynamic: bool | None, settings: VMSettings) -> None:
    """Minimum/maximum memory given for a VM whose Dynamic Memory stays off: the module refuses."""
    if (settings.memory_minimum is not None or settings.memory_maximum is not None) and not (
            dynamic if dynamic is not None else vm.dynamic_memory_enabled):
        raise InvalidArgumentError(message, error_id="InvalidParameter", target=vm.name)


def enum_name(value: Any) -> str | None:
    """An enum parameter's member name (the binder converted it), or None when not given."""
    return None if value is None else str(getattr(value, "name", value))


def set_vm_settings(cmd: Any) -> VMSettings:
    """Set-VM's parameters beyond -CheckpointType/-AutomaticCheckpointsEnabled/
    -SnapshotFileLocation/-MemoryStartupBytes/-ProcessorCount/-Notes."""
    dynamic: bool | None = None
    if cmd.is_bound("DynamicMemory") and cmd.DynamicMemory:
        dynamic = True
    elif cmd.is_bound("StaticMemory") and cmd.StaticMemory:
        dynamic = False

    def opt_int(name: str) -> int | None:
        return int(getattr(cmd, name)) if cmd.is_bound(name) else None

    return VMSettings(
        automatic_start_action=enum_name(cmd.AutomaticStartAction) if cmd.is_bound("AutomaticStartAction") else None,
        automatic_start_delay=opt_int("AutomaticStartDelay"),
        automatic_stop_action=enum_name(cmd.AutomaticStopAction) if cmd.is_bound("AutomaticStopAction") else None,
        automatic_critical_error_action=(enum_name(cmd.AutomaticCriticalErrorAction)
                                         if cmd.is_bound("AutomaticCriticalErrorAction") else None),
        automatic_critical_error_action_timeout=opt_int("AutomaticCriticalErrorActionTimeout"),
        smart_paging_file_path=str(cmd.SmartPagingFilePath) if cmd.is_bound("SmartPagingFilePath") else None,
        memory_minimum=opt_int("MemoryMinimumBytes"),
        memory_maximum=opt_int("MemoryMaximumBytes"),
        dynamic_memory_enabled=dynamic,
        new_name=str(cmd.NewVMName) if cmd.is_bound("NewVMName") else None,
    )
