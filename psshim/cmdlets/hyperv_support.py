"""How psshim sees SDK values and SDK errors — the one place each is mapped.

- `register_sdk_adapters`: PowerShell's view of the SDK's values (type names such as
  `Microsoft.HyperV.PowerShell.VirtualMachine`, properties by their PowerShell names with the
  alias properties first), built on `sdk.convert`.
- `error_record`: an `sdk.errors.HyperVError` as the ErrorRecord the Hyper-V module writes:
  `VirtualizationException`, its error id and category, the FullyQualifiedErrorId
  `<id>,Microsoft.HyperV.PowerShell.Commands.<CmdletClass>`, and CategoryInfo's activity the
  real cmdlet name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hyperv_emu.psshim.runtime.errors import WILDCARD_PATTERN_EXCEPTION, short_type_name
from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, InvocationInfo
from hyperv_emu.psshim.runtime.values import Adapter, AdapterRegistry
from hyperv_emu.sdk.convert import PS_TYPE_NAMES, ps_json_properties, ps_lookup, ps_properties
from hyperv_emu.sdk.errors import HyperVError, InvalidPatternError

VIRTUALIZATION_EXCEPTION = "Microsoft.HyperV.PowerShell.VirtualizationException"

# Real cmdlet name -> the class that implements it in the Hyper-V module (for FQIDs).
CMDLET_CLASSES: dict[str, str] = {
    "Get-VM": "Microsoft.HyperV.PowerShell.Commands.GetVM",
    "New-VM": "Microsoft.HyperV.PowerShell.Commands.NewVM",
    "Remove-VM": "Microsoft.HyperV.PowerShell.Commands.RemoveVM",
    "Set-VM": "Microsoft.HyperV.PowerShell.Commands.SetVM",
    "Start-VM": "Microsoft.HyperV.PowerShell.Commands.StartVM",
    "Stop-VM": "Microsoft.HyperV.PowerShell.Commands.StopVM",
    "Suspend-VM": "Microsoft.HyperV.PowerShell.Commands.SuspendVM",
    "Resume-VM": "Microsoft.HyperV.PowerShell.Commands.ResumeVM",
    "Checkpoint-VM": "Microsoft.HyperV.PowerShell.Commands.CheckpointVM",
    "Get-VMSnapshot": "Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot",
    "Restore-VMSnapshot": "Microsoft.HyperV.PowerShell.Commands.RestoreVMSnapshot",
    "Remove-VMSnapshot": "Microsoft.HyperV.PowerShell.Commands.RemoveVMSnapshot",
    "Rename-VMSnapshot": "Microsoft.HyperV.PowerShell.Commands.RenameVMSnapshot",
    "Export-VMSnapshot": "Microsoft.HyperV.PowerShell.Commands.ExportVMSnapshot",
    "Import-VM": "Microsoft.HyperV.PowerShell.Commands.ImportVM",
    "Get-VMHardDiskDrive": "Microsoft.HyperV.PowerShell.Commands.GetVMHardDiskDrive",
    "Get-VHD": "Microsoft.Vhd.PowerShell.Commands.GetVHD",
}


def _type_names_of(names: list[str]) -> Callable[[Any], list[str]]:
    return lambda _obj: list(names)


def _lookup(value: Any, name: str) -> tuple[bool, Any]:
    """`$obj.Prop`: a collection property (HardDrives, Incompatibilities, ...) as the array the
    module's object holds, so `.Count` and indexing work on it."""
    found, got = ps_lookup(value, name)
    return found, list(got) if isinstance(got, tuple) else got


def register_sdk_adapters(registry: AdapterRegistry) -> None:
    for cls, names in PS_TYPE_NAMES.items():
        registry.register(cls, Adapter(type_names=_type_names_of(names), properties=ps_properties, lookup=_lookup,
                                       json_properties=ps_json_properties))


def error_record(exc: HyperVError, cmdlet: str, invocation: InvocationInfo | None, target_object: Any = None) -> ErrorRecord:
    """The ErrorRecord the Hyper-V module writes for `exc` raised by the real cmdlet `cmdlet`.

    Get-VM reports an unknown name with the name as CategoryInfo's target (`(X:String)`); the
    other cmdlets leave the target empty (`(:)`), as real 5.1 output shows (scenario 21).
    TargetObject is the exception's target when it has one (a VM or checkpoint name), else
    `target_object` (the VM or checkpoint the cmdlet acted on).
    """
    cls = CMDLET_CLASSES.get(cmdlet, "Microsoft.HyperV.PowerShell.Commands." + cmdlet.replace("-", ""))
    show_target = exc.error_id == "InvalidParameter" and cmdlet == "Get-VM" and bool(exc.target)
    # a -Name pattern PowerShell's WildcardPattern refuses: its exception, not the Hyper-V module's
    exception_type = WILDCARD_PATTERN_EXCEPTION if isinstance(exc, InvalidPatternError) else VIRTUALIZATION_EXCEPTION
    return ErrorRecord(
        message=exc.message,
        fully_qualified_error_id=f"{exc.error_id},{cls}",
        category_info=CategoryInfo(
            category=exc.category,
            activity=cmdlet,
            target_name=exc.target if show_target else "",
            target_type="String" if show_target else "",
            reason=short_type_name(exception_type),
        ),
        exception_type=exception_type,
        invocation=invocation,
        # the SDK error's own target (the name it is about) first, so a PowerShell host's record
        # carries what the emulator's exception does; else the object the cmdlet acted on
        target_object=exc.target or target_object,
        prefix=invocation.command_name if invocation and invocation.command_name else cmdlet,
    )
