"""Error records and the other stream records, as PowerShell shapes them.

An `ErrorRecord` holds everything the 5.1 error view (and pwsh 7's concise view) prints:

    Checkpoint-VM : Hyper-V was unable to find a virtual machine with name "SRV-WEB01".
    At C:\\s.ps1:7 char:5
    +     Checkpoint-VM -Name $vm -SnapshotName "Pre-patch $(Get-Date -Form ...
    +     ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
        + CategoryInfo          : ObjectNotFound: (:) [Checkpoint-VM], VirtualizationException
        + FullyQualifiedErrorId : ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM

Rendering lives in `psshim.format.error_view`; this module only holds the data.
"""

from __future__ import annotations

from typing import Any

import attrs

from hyperv_emu.psshim.ast import Extent
from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class ScriptPosition(Fieldwise):
    """Where an error happened: the script file (None for a command typed at a prompt or given
    with `-c`), and the extent to underline within the full source text."""

    script_path: str | None
    extent: Extent
    source: str  # the whole script text, to cut the line from


@attrs.frozen(eq=False, repr=False)
class InvocationInfo(Fieldwise):
    """command_name: the name as the user typed it (`Get-VMCheckpoint`, an alias), or None for
    errors that carry no invocation name (parameter-binding errors, `throw`), in which case the
    error view prefixes the real cmdlet name from CategoryInfo.activity when `prefix_activity`."""

    command_name: str | None
    position: ScriptPosition | None


@attrs.frozen(eq=False, repr=False)
class CategoryInfo(Fieldwise):
    """`ObjectNotFound: (SRV-WEB01:String) [Checkpoint-VM], VirtualizationException`.

    category: the ErrorCategory name (`ObjectNotFound`, `InvalidArgument`, `InvalidData`,
    `InvalidOperation`, `OperationStopped`, `ParserError`, `NotSpecified`, ...).
    activity: the real cmdlet name (`Get-VMSnapshot` even when called as Get-VMCheckpoint).
    target_name / target_type: the `(name:type)` part; both "" gives `(:)`.
    reason: the exception's short type name (`VirtualizationException`, `RuntimeException`,
    `ParameterBindingValidationException`, `ParentContainsErrorRecordException`).
    """

    category: str
    activity: str = ""
    target_name: str = ""
    target_type: str = ""
    reason: str = ""


@attrs.frozen(eq=False, repr=False)
class ErrorRecord(Fieldwise):
    """A PowerShell ErrorRecord.

    exception_type: full .NET type name of the exception
    (`Microsoft.HyperV.PowerShell.VirtualizationException`,
    `System.Management.Automation.RuntimeException`, ...), used by `catch [T]` and
    `$_.Exception.GetType()`.
    fully_qualified_error_id: `ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM`.
    target_object: `$_.TargetObject`.
    prefix: what the 5.1 view prints before ` : ` on the first line: usually the invocation name;
    a script path for Write-Error at script level; "" for `throw` and parse errors (no prefix).
    is_parse_error: parse errors print `At ...` first and no prefix.
    extra_positions: further (message, position) pairs printed back to back for a parse
    exception with several errors (scenario 13).
    """

    message: str
    fully_qualified_error_id: str
    category_info: CategoryInfo
    exception_type: str = "System.Management.Automation.RuntimeException"
    invocation: InvocationInfo | None = None
    target_object: Any = None
    prefix: str = ""
    is_parse_error: bool = False
    extra_positions: tuple[tuple[str, ScriptPosition], ...] = ()


@attrs.frozen(eq=False, repr=False)
class WarningRecord(Fieldwise):
    message: str


@attrs.frozen(eq=False, repr=False)
class VerboseRecord(Fieldwise):
    message: str


@attrs.frozen(eq=False, repr=False)
class ProgressRecord(Fieldwise):
    """One Write-Progress call (System.Management.Automation.ProgressRecord): `percent_complete`
    -1 and `seconds_remaining` -1 mean not given; `completed` ends the activity `activity_id`."""

    activity_id: int
    activity: str
    status_description: str
    current_operation: str = ""
    parent_activity_id: int = -1
    percent_complete: int = -1
    seconds_remaining: int = -1
    completed: bool = False


@attrs.frozen(eq=False, repr=False)
class InformationRecord(Fieldwise):
    """Write-Host output: text already joined; no_newline for -NoNewline."""

    text: str
    no_newline: bool = False
