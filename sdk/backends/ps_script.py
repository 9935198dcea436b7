"""PowerShell script text for the PowerShell backend: quoting, and one fixed template per SDK call.

**The one rule.** No user value is ever pasted into a script as code. Every string an SDK call
receives (VM and checkpoint names, ids, paths, notes, computer names, file contents) goes
through `ps_quote`, which returns a PowerShell expression that evaluates to exactly that string:

- normally a **single-quoted literal**: `'…'`, with every single-quote character doubled. PowerShell
  treats four look-alikes as single quotes too (U+2018 ‘ U+2019 ’ U+201A ‚ U+201B ‛), both to end a
  literal and, doubled, as an escaped quote, so those are doubled as well. Inside a single-quoted
  literal nothing else is special: `$( )`, backticks, `;`, `|`, `#`, `<#`, `--%`, newlines and any
  other Unicode stay text.
- an **encoded argument** for the few values a literal cannot carry: a value containing NUL or
  another C0 control character other than tab, CR and LF (NUL ends the input for some parsers,
  and WinRM's XML cannot carry most C0 characters), or U+FFFE/U+FFFF, becomes
  `([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('<base64 of UTF-8>')))`
  whose only literal is base64 text.
- a value holding an unpaired UTF-16 surrogate cannot be represented by either form (nor sent to
  a host at all): `ps_quote` refuses it with `InvalidNameError`.

Numbers are written by `ps_int` from Python ints (never from text), booleans by `ps_bool`, and
enum names are checked against the SDK's enums before `ps_quote` writes them.

**The envelope.** Every script has the same frame: `$ErrorActionPreference = 'Stop'`, the call's
body in `try { } catch { }`, and one output line

    HVEMU-JSON:{"format":"hyperv-emu/1","psVersion":"5.1.…","items":[…],"errors":[…],"warnings":[…]}

(`ConvertTo-Json -Depth 8 -Compress` of a `[pscustomobject]`), so one object, an array and nothing
are told apart (`items` is always built with `@( )`), and the error records (non-terminating ones
collected with `-ErrorVariable`, the terminating one caught) and the warnings (`-WarningVariable`)
come back as data: `FullyQualifiedErrorId`, `CategoryInfo.Category`, `CategoryInfo.Activity`,
`Exception.Message`, `TargetObject`. Objects are projected with `Select-Object` onto exactly the
properties the SDK types need, named by `sdk.convert`; DateTime properties are written as
`.ToString('o')` (round-trip ISO 8601 with the host's offset), which both editions print alike.

Hyper-V cmdlets take `-ComputerName` for another host; host-level calls (clock, files, host name)
run in `Invoke-Command -ComputerName … -ScriptBlock { … }` there.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import typing
from collections.abc import Sequence

import attrs

from hyperv_emu.sdk.compat import ImportOptions
from hyperv_emu.sdk.convert import ps_name
from hyperv_emu.sdk.errors import InvalidNameError
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    CheckpointType,
    DvdDrive,
    FileInfo,
    HardDrive,
    HostEvent,
    NetworkAdapter,
    ScsiController,
    SnapshotType,
    StopMode,
    VM,
    VMSwitch,
)

# PowerShell's single-quote characters: ' and its look-alikes (tokenizer: CharExtensions.IsSingleQuote).
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
# PowerShell's double-quote characters (not special inside single-quoted literals; listed for tests).
DOUBLE_QUOTES = '"\u201c\u201d\u201e'

RESULT_MARKER = "HVEMU-JSON:"
FORMAT = "hyperv-emu/1"
JSON_DEPTH = 8

_ENCODED_PREFIX = "([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String("
_ENCODED_SUFFIX = ")))"


# Characters a single-quoted literal cannot carry (see the module docstring).
_NEEDS_ENCODING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DOUBLE_QUOTES_TABLE = {ord(q): q + q for q in SINGLE_QUOTES}


def _check_representable(value: str) -> None:
    m = _SURROGATE.search(value)
    if m:
        raise InvalidNameError(
            f"The value cannot be sent to PowerShell: it holds an unpaired surrogate (U+{ord(m.group()):04X}) "
            f"at index {m.start()}.",
            error_id="InvalidArgument", category="InvalidArgument",
        )


def ps_single_quoted(value: str) -> str:
    """`value` as a single-quoted PowerShell literal (every quote character doubled). Only for
    values `is_literal_safe` accepts; `ps_quote` is the function to call."""
    return "'" + value.translate(_DOUBLE_QUOTES_TABLE) + "'"


def is_literal_safe(value: str) -> bool:
    """True when `value` can be written as a single-quoted literal (else it is encoded)."""
    return _NEEDS_ENCODING.search(value) is None


def ps_quote(value: str) -> str:
    """A PowerShell expression whose value is exactly `value`: a single-quoted literal, or the
    base64 form for values a literal cannot carry (see the module docstring)."""
    if not isinstance(value, str):
        raise TypeError(f"ps_quote takes a str, not {type(value).__name__}")
    _check_representable(value)
    if is_literal_safe(value):
        return ps_single_quoted(value)
    return encoded_form(value)


def encoded_form(value: str) -> str:
    """The encoded form `ps_quote` uses for `value` (for tests and documentation)."""
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return _ENCODED_PREFIX + ps_single_quoted(encoded) + _ENCODED_SUFFIX


def ps_int(value: int) -> str:
    """An integer written by code (bools and non-ints refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int, got {type(value).__name__}")
    return str(int(value))


def ps_bool(value: bool) -> str:
    if not isinstance(value, bool):
        raise TypeError(f"expected a bool, got {type(value).__name__}")
    return "$true" if value else "$false"


def _flag(value: bool) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a bool, got {type(value).__name__}")
    return value


def ps_array(values: Sequence[str]) -> str:
    """`@('a', 'b')` from strings, each through `ps_quote`."""
    return "@(" + ", ".join(ps_quote(v) for v in values) + ")"


# --- projections (Select-Object property lists), named by sdk.convert --------------------------


def _fields(cls: type) -> list[tuple[str, object]]:
    hints = typing.get_type_hints(cls)
    return [(ps_name(f), hints[f.name]) for f in attrs.fields(cls)
            if f.name != "client" and not f.metadata.get("hidden")]


def _date_property(name: str) -> str:
    return f"@{{Name='{name}'; Expression={{ if ($null -ne $_.{name}) {{ $_.{name}.ToString('o') }} }}}}"


# properties whose value is an object the SDK keeps as its text (a System.Version, a CimSession,
# a device the emulator does not model)
_AS_TEXT = frozenset({"IntegrationServicesVersion", "CimSession", "FloppyDrive", "RemoteFxAdapter"})


def _nested_class(hint: object) -> type | None:
    """The component class of a field holding component objects (VMComPort, IntegrationService)."""
    args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
    cand = args[0] if args else hint
    return cand if isinstance(cand, type) and attrs.has(cand) else None


def _select_list(cls: type, *, skip: Sequence[str] = ()) -> str:
    parts: list[str] = []
    for name, hint in _fields(cls):
        if name in skip:
            continue
        if hint is dt.datetime:
            parts.append(_date_property(name))
        elif name == "HardDrives":
            parts.append("@{Name='HardDrives'; Expression={ @($_.HardDrives | Select-Object -Property $hvDriveProps) }}")
        elif hint == tuple[str, ...]:  # objects the SDK keeps by their text (DVDDrives, Groups, ...)
            parts.append(f"@{{Name='{name}'; Expression={{ @($_.{name} | ForEach-Object {{ [string]$_ }}) }}}}")
        elif name == "ExposeVirtualizationExtensions" and cls is VM:
            continue  # Get-VMProcessor's, not a VirtualMachine property: read by `virtualization_extensions`
        elif name in _AS_TEXT:
            parts.append(f"@{{Name='{name}'; Expression={{ if ($null -ne $_.{name}) {{ [string]$_.{name} }} }}}}")
        elif _nested_class(hint) is not None:
            inner = _select_list(_nested_class(hint))  # type: ignore[arg-type]
            many = typing.get_origin(hint) is tuple
            pipe = f"$_.{name} | Select-Object -Property {inner}"
            parts.append(f"@{{Name='{name}'; Expression={{ {'@(' + pipe + ')' if many else pipe} }}}}")
        else:
            parts.append(f"'{name}'")
    return "@(" + ", ".join(parts) + ")"


DRIVE_PROPS = _select_list(HardDrive)
VM_PROPS = _select_list(VM).replace("'DvdMediaType'", "@{Name='DvdMediaType'; Expression={ [string]$_.DvdMediaType }}")
CHECKPOINT_PROPS = _select_list(Checkpoint)
VHD_PROPS = _select_list(VHD)
SCSI_PROPS = _select_list(ScsiController)
ADAPTER_PROPS = _select_list(NetworkAdapter)
SWITCH_PROPS = _select_list(VMSwitch)
# DvdMediaType as its name ("None", "ISO", "PassThrough"): the SDK keeps it as text
DVD_PROPS = _select_list(DvdDrive).replace("'DvdMediaType'", "@{Name='DvdMediaType'; Expression={ [string]$_.DvdMediaType }}")
# Event records: the level as its number (LevelDisplayName is localised); VM name/id come from the message.
EVENT_PROPS = ("@(" + _date_property("TimeCreated") + ", @{Name='Level'; Expression={ [int]$_.Level }}, 'Id', 'Message')")
FILE_PROPS = (
    "@(@{Name='Path'; Expression={ $_.FullName }}, 'Name', "
    "@{Name='IsDir'; Expression={ [bool]$_.PSIsContainer }}, "
    "@{Name='Length'; Expression={ if ($_.PSIsContainer) { 0 } else { $_.Length } }}, "
    + _date_property("LastWriteTime") + ", "
    + ", ".join(f"@{{Name='{n}'; Expression={{ if (-not $_.PSIsContainer) {{ $_.VersionInfo.{n} }} }}}}"
                for n in ("ProductVersion", "FileVersion", "ProductName", "CompanyName", "FileDescription"))
    + ")"
)
assert [n for n, _ in _fields(FileInfo)] == ["Path", "Name", "IsDir", "Length", "LastWriteTime", "ProductVersion",
                                             "FileVersion", "ProductName", "CompanyName", "FileDescription"]
assert [n for n, _ in _fields(HostEvent)][:4] == ["TimeCreated", "Level", "Id", "Message"]

EVENT_LOGS = ("Microsoft-Windows-Hyper-V-VMMS-Admin", "Microsoft-Windows-Hyper-V-Worker-Admin")
MAX_EVENTS = 500


# --- scripts -----------------------------------------------------------------------------------


@attrs.frozen
class Script:
    """One call's script. `call` names the SDK call (for error mapping); `text` is what runs."""

    call: str
    text: str


_PRELUDE = """\
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$hvItems = @()
$hvErrors = @()
$hvWarnings = @()"""

_EPILOGUE = """\
$hvErrorInfo = @(foreach ($hvRecord in $hvErrors) {
    if ($null -ne $hvRecord) {
        [pscustomobject]@{
            FullyQualifiedErrorId = [string]$hvRecord.FullyQualifiedErrorId
            Category = [string]$hvRecord.CategoryInfo.Category
            Activity = [string]$hvRecord.CategoryInfo.Activity
            Message = [string]$hvRecord.Exception.Message
            TargetObject = [string]$hvRecord.TargetObject
        }
    }
})
$hvWarningText = @(foreach ($hvRecord in $hvWarnings) {
    if ($null -ne $hvRecord) {
        [string]$hvRecord.Message
    }
})
$hvOut = [pscustomobject]@{
    format = 'FORMAT'
    psVersion = [string]$PSVersionTable.PSVersion
    items = @($hvItems)
    errors = $hvErrorInfo
    warnings = $hvWarningText
}
'MARKER' + (ConvertTo-Json -InputObject $hvOut -Depth DEPTH -Compress)""".replace("FORMAT", FORMAT).replace(
    "MARKER", RESULT_MARKER).replace("DEPTH", str(JSON_DEPTH))


def _indent(lines: Sequence[str], by: str = "    ") -> list[str]:
    return [by + line if line else line for line in lines]


def frame(call: str, body: Sequence[str], *, props: Sequence[str] = ()) -> Script:
    """The envelope around a call's body lines. `props` names the property lists the body uses."""
    defs: list[str] = []
    if "drive" in props or "vm" in props or "checkpoint" in props:
        defs.append("$hvDriveProps = " + DRIVE_PROPS)
    if "vm" in props:
        defs.append("$hvVMProps = " + VM_PROPS)
    if "checkpoint" in props:
        defs.append("$hvCheckpointProps = " + CHECKPOINT_PROPS)
    if "vhd" in props:
        defs.append("$hvVhdProps = " + VHD_PROPS)
    lines = [f"# hyperv-emu: {call}", _PRELUDE, *defs, "try {", *_indent(body), "}", "catch {",
             "    $hvErrors += @($_)", "}", _EPILOGUE]
    return Script(call, "\n".join(lines) + "\n")


def _cn(computer: str | None) -> str:
    return f" -ComputerName {ps_quote(computer)}" if computer is not None else ""


def _on_host(computer: str | None, statements: Sequence[str], var: str = "$hvItems") -> list[str]:
    """Statements whose output becomes `var` (the items), run here or on `computer` (Invoke-Command)."""
    if computer is None:
        return [f"{var} = @(", *_indent(statements), ")"]
    return [f"{var} = @(Invoke-Command -ComputerName {ps_quote(computer)} -ErrorAction Stop -ScriptBlock {{",
            "    $ErrorActionPreference = 'Stop'", *_indent(statements), "})"]


def _get_vm(computer: str | None, vm_id: str, var: str = "$hvVm") -> str:
    return f"{var} = Get-VM -Id {ps_quote(vm_id)}{_cn(computer)}"


def _get_cp(computer: str | None, checkpoint_id: str, var: str = "$hvCp") -> str:
    return f"{var} = Get-VMSnapshot -Id {ps_quote(checkpoint_id)}{_cn(computer)}"


_WARN = "-WarningAction SilentlyContinue -WarningVariable hvW"
_KEEP_WARNINGS = "$hvWarnings += @($hvW)"
_SOFT = "-ErrorAction SilentlyContinue -ErrorVariable hvE"
_KEEP_ERRORS = "$hvErrors += @($hvE)"
_SELECT_VM = "$hvItems = @(Get-VM -Id {id}{cn} | Select-Object -Property $hvVMProps)"


def find_export(computer: str | None, path: str) -> list[str]:
    """Statements that set `$hvFound` to the exported configuration: `path` itself, or the one
    .vmcx under `path\\Virtual Machines` (else the backend's HvEmu.NoExport error)."""
    q = ps_quote(path)
    folder = ps_quote(path.rstrip("\\/") + "\\Virtual Machines")
    body = _on_host(computer, [
        f"if (Test-Path -LiteralPath {q} -PathType Leaf) {{",
        f"    (Get-Item -LiteralPath {q}).FullName",
        "}",
        "else {",
        f"    @(Get-ChildItem -LiteralPath {folder} -Filter '*.vmcx' | Select-Object -ExpandProperty FullName)",
        "}",
    ], var="$hvFound")
    return body + [
        "if ($hvFound.Count -ne 1) {",
        "    Write-Error -Message 'The folder does not hold exactly one exported virtual machine.' "
        "-ErrorId 'HvEmu.NoExport' -Category ObjectNotFound",
        "}",
    ]


def import_args(options: ImportOptions) -> str:
    """Import-VM's / Compare-VM's Register or Copy parameters."""
    if not _flag(options.copy):
        return ""
    args = " -Copy" + (" -GenerateNewId" if _flag(options.generate_new_id) else "")
    for param, value in (("VirtualMachinePath", options.virtual_machine_path),
                         ("SnapshotFilePath", options.snapshot_file_path),
                         ("SmartPagingFilePath", options.smart_paging_file_path),
                         ("VhdDestinationPath", options.vhd_destination_path),
                         ("VhdSourcePath", options.vhd_source_path)):
        if value is not None:
            args += f" -{param} {ps_quote(value)}"
    return args


def _refetch_vm(computer: str | None, vm_id: str) -> str:
    return _SELECT_VM.format(id=ps_quote(vm_id), cn=_cn(computer))


class ScriptBuilder:
    """One method per `Backend` call (same arguments); each returns the call's `Script`."""

    # --- VMs -----------------------------------------------------------------------------------

    def lookup_vms(self, computer: str | None, names: Sequence[str] | None) -> Script:
        if names is None:
            body = [f"$hvItems = @(Get-VM{_cn(computer)} | Select-Object -Property $hvVMProps)"]
        else:
            body = [f"$hvItems = @(Get-VM -Name {ps_array(list(names))}{_cn(computer)} {_SOFT}"
                    " | Select-Object -Property $hvVMProps)", _KEEP_ERRORS]
        return frame("lookup_vms", body, props=("vm",))

    def get_vm_by_id(self, computer: str | None, vm_id: str) -> Script:
        return frame("get_vm_by_id", [_refetch_vm(computer, vm_id)], props=("vm",))

    def new_vm(self, computer: str | None, name: str, *, memory_startup: int, generation: int, path: str | None,
               new_vhd_path: str | None, new_vhd_size: int, vhd_path: str | None,
               boot_device: str | None = None) -> Script:
        qname = ps_quote(name)
        args = f"-Name {qname} -MemoryStartupBytes {ps_int(memory_startup)} -Generation {ps_int(generation)}"
        if boot_device is not None:
            args += f" -BootDevice {ps_quote(boot_device)}"
        if path is not None:
            args += f" -Path {ps_quote(path)}"
        if new_vhd_path is not None:
            args += f" -NewVHDPath {ps_quote(new_vhd_path)} -NewVHDSizeBytes {ps_int(new_vhd_size)}"
        elif vhd_path is not None:
            args += f" -VHDPath {ps_quote(vhd_path)}"
        else:
            args += " -NoVHD"
        body = [
            f"$hvSame = @(Get-VM{_cn(computer)} | Where-Object {{ $_.Name -eq {qname} }})",
            "if ($hvSame.Count -gt 0) {",
            "    Write-Error -Message 'A virtual machine with this name already exists.' "
            "-ErrorId 'HvEmu.VMAlreadyExists' -Category ResourceExists -TargetObject $hvSame[0].ComputerName",
            "}",
            f"$hvVm = New-VM {args}{_cn(computer)}",
            "$hvItems = @($hvVm | Select-Object -Property $hvVMProps)",
        ]
        return frame("new_vm", body, props=("vm",))

    def remove_vm(self, computer: str | None, vm_id: str) -> Script:
        return frame("remove_vm", [_get_vm(computer, vm_id), "Remove-VM -VM $hvVm -Force -Confirm:$false"])

    def set_vm(self, computer: str | None, vm_id: str, *, checkpoint_type: str | None = None,
               automatic_checkpoints_enabled: bool | None = None, snapshot_file_location: str | None = None,
               memory_startup: int | None = None, processor_count: int | None = None,
               notes: str | None = None) -> Script:
        args = ""
        if checkpoint_type is not None:
            if checkpoint_type not in CheckpointType.__members__:
                raise InvalidNameError(
                    f"'{checkpoint_type}' is not a checkpoint type (Disabled, Production, ProductionOnly, Standard).",
                    target=checkpoint_type)
            args += f" -CheckpointType {ps_quote(checkpoint_type)}"
        if automatic_checkpoints_enabled is not None:
            args += f" -AutomaticCheckpointsEnabled {ps_bool(automatic_checkpoints_enabled)}"
        if snapshot_file_location is not None:
            args += f" -SnapshotFileLocation {ps_quote(snapshot_file_location)}"
        if memory_startup is not None:
            args += f" -MemoryStartupBytes {ps_int(memory_startup)}"
        if processor_count is not None:
            args += f" -ProcessorCount {ps_int(processor_count)}"
        if notes is not None:
            args += f" -Notes {ps_quote(notes)}"
        body = [_get_vm(computer, vm_id)]
        if args:
            body += [f"Set-VM -VM $hvVm{args} -Confirm:$false {_WARN}", _KEEP_WARNINGS]
        body.append(_refetch_vm(computer, vm_id))
        return frame("set_vm", body, props=("vm",))

    def _state_change(self, call: str, computer: str | None, vm_id: str, command: str) -> Script:
        return frame(call, [_get_vm(computer, vm_id), f"{command} -Confirm:$false {_WARN}", _KEEP_WARNINGS])

    def start_vm(self, computer: str | None, vm_id: str) -> Script:
        return self._state_change("start_vm", computer, vm_id, "Start-VM -VM $hvVm")

    def stop_vm(self, computer: str | None, vm_id: str, mode: StopMode, force: bool) -> Script:
        command = "Stop-VM -VM $hvVm"
        if mode is StopMode.TURN_OFF:
            command += " -TurnOff"
        elif mode is StopMode.SAVE:
            command += " -Save"
        elif mode is not StopMode.SHUTDOWN:
            raise ValueError(f"unknown stop mode {mode!r}")
        if force:
            command += " -Force"
        return self._state_change("stop_vm", computer, vm_id, command)

    def suspend_vm(self, computer: str | None, vm_id: str) -> Script:
        return self._state_change("suspend_vm", computer, vm_id, "Suspend-VM -VM $hvVm")

    def resume_vm(self, computer: str | None, vm_id: str) -> Script:
        return self._state_change("resume_vm", computer, vm_id, "Resume-VM -VM $hvVm")

    # --- checkpoints ---------------------------------------------------------------------------

    def checkpoint_vm(self, computer: str | None, vm_id: str, name: str | None) -> Script:
        command = "Checkpoint-VM -VM $hvVm"
        if name is not None:
            command += f" -SnapshotName {ps_quote(name)}"
        body = [_get_vm(computer, vm_id),
                f"$hvCp = {command} -Passthru -Confirm:$false {_WARN}", _KEEP_WARNINGS,
                "$hvItems = @($hvCp | Select-Object -Property $hvCheckpointProps)"]
        return frame("checkpoint_vm", body, props=("checkpoint",))

    def get_checkpoints(self, computer: str | None, vm_ids: Sequence[str] | None, *, name: str | None = None,
                        parent_of: str | None = None, child_of: str | None = None,
                        snapshot_type: str | None = None) -> Script:
        filters = ""
        if name is not None:
            filters += f" -Name {ps_quote(name)}"
        if snapshot_type is not None:
            if snapshot_type not in SnapshotType.__members__:
                raise ValueError(f"not a snapshot type: {snapshot_type!r}")
            filters += f" -SnapshotType {ps_quote(snapshot_type)}"
        select = f"{_SOFT} | Select-Object -Property $hvCheckpointProps)"
        if parent_of is not None:
            q = ps_quote(parent_of)
            body = [f"$hvOf = Get-VM -Id {q}{_cn(computer)} -ErrorAction SilentlyContinue",
                    "if ($null -eq $hvOf) {",
                    f"    $hvOf = Get-VMSnapshot -Id {q}{_cn(computer)}",
                    "}",
                    f"$hvItems = @(Get-VMSnapshot -ParentOf $hvOf{filters} {select}", _KEEP_ERRORS]
        elif child_of is not None:
            body = [_get_cp(computer, child_of, "$hvOf"),
                    f"$hvItems = @(Get-VMSnapshot -ChildOf $hvOf{filters} {select}", _KEEP_ERRORS]
        else:
            if vm_ids is None:
                body = [f"$hvVms = @(Get-VM{_cn(computer)})"]
            else:
                body = [f"$hvVms = @(foreach ($hvId in {ps_array(list(vm_ids))}) {{",
                        f"    Get-VM -Id $hvId{_cn(computer)} -ErrorAction SilentlyContinue", "})"]
            body += ["if ($hvVms.Count -gt 0) {",
                     f"    $hvItems = @(Get-VMSnapshot -VM $hvVms{filters} {select}", "    " + _KEEP_ERRORS, "}"]
        return frame("get_checkpoints", body, props=("checkpoint",))

    def get_checkpoint(self, computer: str | None, checkpoint_id: str) -> Script:
        body = [f"$hvItems = @(Get-VMSnapshot -Id {ps_quote(checkpoint_id)}{_cn(computer)}"
                " | Select-Object -Property $hvCheckpointProps)"]
        return frame("get_checkpoint", body, props=("checkpoint",))

    def find_checkpoint(self, computer: str | None, vm_id: str, name: str) -> Script:
        body = [_get_vm(computer, vm_id),
                f"$hvItems = @(Get-VMSnapshot -VM $hvVm -Name {ps_quote(name)} {_SOFT}"
                " | Select-Object -Property $hvCheckpointProps)", _KEEP_ERRORS]
        return frame("find_checkpoint", body, props=("checkpoint",))

    def restore_checkpoint(self, computer: str | None, checkpoint_id: str) -> Script:
        body = [_get_cp(computer, checkpoint_id),
                f"Restore-VMSnapshot -VMSnapshot $hvCp -Confirm:$false {_WARN}", _KEEP_WARNINGS]
        return frame("restore_checkpoint", body)

    def remove_checkpoint(self, computer: str | None, checkpoint_id: str, include_children: bool) -> Script:
        children = " -IncludeAllChildSnapshots" if _flag(include_children) else ""
        body = [_get_cp(computer, checkpoint_id),
                "$hvItems = @($hvCp | Select-Object -Property $hvCheckpointProps)",
                f"Remove-VMSnapshot -VMSnapshot $hvCp{children} -Confirm:$false {_WARN}", _KEEP_WARNINGS]
        return frame("remove_checkpoint", body, props=("checkpoint",))

    def rename_checkpoint(self, computer: str | None, checkpoint_id: str, new_name: str) -> Script:
        body = [_get_cp(computer, checkpoint_id),
                f"Rename-VMSnapshot -VMSnapshot $hvCp -NewName {ps_quote(new_name)} -Confirm:$false",
                f"$hvItems = @(Get-VMSnapshot -Id {ps_quote(checkpoint_id)}{_cn(computer)}"
                " | Select-Object -Property $hvCheckpointProps)"]
        return frame("rename_checkpoint", body, props=("checkpoint",))

    def export_checkpoint(self, computer: str | None, checkpoint_id: str, path: str) -> Script:
        body = [_get_cp(computer, checkpoint_id),
                f"Export-VMSnapshot -VMSnapshot $hvCp -Path {ps_quote(path)} -Confirm:$false",
                "$hvItems = @($hvCp | Select-Object -Property $hvCheckpointProps)"]
        return frame("export_checkpoint", body, props=("checkpoint",))

    def export_vm(self, computer: str | None, vm_id: str, path: str) -> Script:
        body = [_get_vm(computer, vm_id), f"Export-VM -VM $hvVm -Path {ps_quote(path)} -Confirm:$false",
                "$hvItems = @($hvVm | Select-Object -Property $hvVMProps)"]
        return frame("export_vm", body, props=("vm",))

    def move_vm_storage(self, computer: str | None, vm_id: str, destination: str) -> Script:
        body = [_get_vm(computer, vm_id), f"Move-VMStorage -VM $hvVm -DestinationStoragePath {ps_quote(destination)}",
                _refetch_vm(computer, vm_id)]
        return frame("move_vm_storage", body, props=("vm",))

    def import_vm(self, computer: str | None, path: str, options: ImportOptions) -> Script:
        body = find_export(computer, path)
        body += [f"$hvVm = Import-VM -Path $hvFound[0]{import_args(options)}{_cn(computer)}",
                 "$hvItems = @($hvVm | Select-Object -Property $hvVMProps)"]
        return frame("import_vm", body, props=("vm",))

    # --- disks, events -------------------------------------------------------------------------

    def get_vhd(self, computer: str | None, path: str) -> Script:
        body = [f"$hvItems = @(Get-VHD -Path {ps_quote(path)}{_cn(computer)} | Select-Object -Property $hvVhdProps)"]
        return frame("get_vhd", body, props=("vhd",))

    def new_vhd(self, computer: str | None, path: str, *, vhd_type: str, size: int, parent_path: str | None,
                block_size: int, logical_sector_size: int, physical_sector_size: int) -> Script:
        args = f"-Path {ps_quote(path)}"
        if vhd_type == "Differencing":
            args += f" -Differencing -ParentPath {ps_quote(parent_path or '')}"
        else:
            args += f" -SizeBytes {ps_int(size)}" + (" -Fixed" if vhd_type == "Fixed" else " -Dynamic")
        for name, value in (("BlockSizeBytes", block_size), ("LogicalSectorSizeBytes", logical_sector_size),
                            ("PhysicalSectorSizeBytes", physical_sector_size)):
            if value:
                args += f" -{name} {ps_int(value)}"
        body = [f"$hvItems = @(New-VHD {args}{_cn(computer)} | Select-Object -Property $hvVhdProps)"]
        return frame("new_vhd", body, props=("vhd",))

    def test_vhd(self, computer: str | None, path: str) -> Script:
        q = ps_quote(path)
        body = [f"$hvOk = @(Test-VHD -Path {q}{_cn(computer)} {_SOFT})",
                "if ($hvOk.Count -eq 0) {",
                "    " + _KEEP_ERRORS,
                "}",
                "else {",
                "    $hvProblem = ''",
                "    if (-not $hvOk[0] -and $hvE.Count -gt 0) { $hvProblem = [string]$hvE[0].Exception.Message }",
                f"    $hvItems = @([pscustomobject]@{{ Path = {q}; Ok = [bool]$hvOk[0]; Problem = $hvProblem }})",
                "}"]
        return frame("test_vhd", body)

    def merge_vhd(self, computer: str | None, path: str, destination: str | None) -> Script:
        q = ps_quote(path)
        body = [f"$hvDest = {ps_quote(destination)}" if destination is not None
                else f"$hvDest = (Get-VHD -Path {q}{_cn(computer)}).ParentPath",
                f"Merge-VHD -Path {q} -DestinationPath $hvDest{_cn(computer)} -Confirm:$false",
                f"$hvItems = @(Get-VHD -Path $hvDest{_cn(computer)} | Select-Object -Property $hvVhdProps)"]
        return frame("merge_vhd", body, props=("vhd",))

    def resize_vhd(self, computer: str | None, path: str, size: int | None) -> Script:
        how = "-ToMinimumSize" if size is None else f"-SizeBytes {ps_int(size)}"
        body = [f"$hvItems = @(Resize-VHD -Path {ps_quote(path)} {how}{_cn(computer)} -Passthru -Confirm:$false"
                " | Select-Object -Property $hvVhdProps)"]
        return frame("resize_vhd", body, props=("vhd",))

    def optimize_vhd(self, computer: str | None, path: str) -> Script:
        body = [f"$hvItems = @(Optimize-VHD -Path {ps_quote(path)}{_cn(computer)} -Passthru -Confirm:$false"
                " | Select-Object -Property $hvVhdProps)"]
        return frame("optimize_vhd", body, props=("vhd",))

    # --- drives and controllers ----------------------------------------------------------------

    def add_hard_drive(self, computer: str | None, vm_id: str, path: str, *, controller_type: str | None,
                       controller_number: int | None, controller_location: int | None) -> Script:
        args = _slot_args("", controller_type, controller_number, controller_location)
        body = [_get_vm(computer, vm_id),
                f"$hvItems = @(Add-VMHardDiskDrive -VM $hvVm -Path {ps_quote(path)}{args} -Passthru"
                " | Select-Object -Property $hvDriveProps)"]
        return frame("add_hard_drive", body, props=("drive",))

    def remove_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                          controller_location: int) -> Script:
        body = [_get_vm(computer, vm_id), *_find_drive(controller_type, controller_number, controller_location),
                "Remove-VMHardDiskDrive -VMHardDiskDrive $hvDrive[0] -Confirm:$false"]
        return frame("remove_hard_drive", body)

    def set_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                       controller_location: int, *, path: str | None, to_controller_type: str | None,
                       to_controller_number: int | None, to_controller_location: int | None) -> Script:
        args = _slot_args("To", to_controller_type, to_controller_number, to_controller_location)
        if path is not None:
            args += f" -Path {ps_quote(path)}"
        body = [_get_vm(computer, vm_id), *_find_drive(controller_type, controller_number, controller_location),
                f"$hvItems = @(Set-VMHardDiskDrive -VMHardDiskDrive $hvDrive[0]{args} -Passthru -Confirm:$false"
                " | Select-Object -Property $hvDriveProps)"]
        return frame("set_hard_drive", body, props=("drive",))

    def scsi_controllers(self, computer: str | None, vm_id: str) -> Script:
        body = [_get_vm(computer, vm_id), f"$hvItems = @(Get-VMScsiController -VM $hvVm | Select-Object -Property {SCSI_PROPS})"]
        return frame("scsi_controllers", body)

    def dvd_drives(self, computer: str | None, vm_id: str) -> Script:
        body = [_get_vm(computer, vm_id), f"$hvItems = @(Get-VMDvdDrive -VM $hvVm | Select-Object -Property {DVD_PROPS})"]
        return frame("dvd_drives", body)

    def network_adapters(self, computer: str | None, vm_id: str) -> Script:
        body = [_get_vm(computer, vm_id),
                f"$hvItems = @(Get-VMNetworkAdapter -VM $hvVm | Select-Object -Property {ADAPTER_PROPS})"]
        return frame("network_adapters", body)

    def switches(self, computer: str | None) -> Script:
        return frame("switches", [f"$hvItems = @(Get-VMSwitch{_cn(computer)} | Select-Object -Property {SWITCH_PROPS})"])

    def events(self, computer: str | None) -> Script:
        body = [f"$hvItems = @(Get-WinEvent -LogName {ps_array(EVENT_LOGS)} -MaxEvents {ps_int(MAX_EVENTS)}"
                f"{_cn(computer)} {_SOFT} | Select-Object -Property {EVENT_PROPS})", _KEEP_ERRORS]
        return frame("events", body)

    # --- the host: name, clock, files ----------------------------------------------------------

    def host_name(self, computer: str | None) -> Script:
        return frame("host_name", _on_host(computer, ["[string]$env:COMPUTERNAME"]))

    def now(self, computer: str | None) -> Script:
        return frame("now", _on_host(computer, ["(Get-Date).ToString('o')"]))

    def list_dir(self, computer: str | None, path: str) -> Script:
        return frame("list_dir", _on_host(computer, [
            f"$hvDir = Get-Item -LiteralPath {ps_quote(path)} -Force",
            "if (-not $hvDir.PSIsContainer) {",
            "    Write-Error -Message 'The path is not a folder.' -ErrorId 'HvEmu.NotAFolder' "
            "-Category InvalidArgument -TargetObject $hvDir.FullName",
            "}",
            f"Get-ChildItem -LiteralPath $hvDir.FullName -Force | Select-Object -Property {FILE_PROPS}",
        ]))

    def file_info(self, computer: str | None, path: str) -> Script:
        q = ps_quote(path)
        return frame("file_info", _on_host(computer, [
            f"if (Test-Path -LiteralPath {q}) {{",
            f"    Get-Item -LiteralPath {q} -Force | Select-Object -Property {FILE_PROPS}",
            "}",
        ]))

    def read_file(self, computer: str | None, path: str) -> Script:
        return frame("read_file", _on_host(computer, [
            f"$hvFile = Get-Item -LiteralPath {ps_quote(path)} -Force",
            "if ($hvFile.PSIsContainer) {",
            "    Write-Error -Message 'The path is a folder.' -ErrorId 'HvEmu.IsAFolder' "
            "-Category InvalidArgument -TargetObject $hvFile.FullName",
            "}",
            "[System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($hvFile.FullName))",
        ]))

    def write_file(self, computer: str | None, path: str, data: bytes) -> Script:
        payload = ps_quote(base64.b64encode(bytes(data)).decode("ascii"))
        return frame("write_file", _on_host(computer, [
            f"[System.IO.File]::WriteAllBytes({ps_quote(path)}, [System.Convert]::FromBase64String({payload}))",
        ]))

    def make_dir(self, computer: str | None, path: str) -> Script:
        return frame("make_dir", _on_host(computer, [
            f"$null = [System.IO.Directory]::CreateDirectory({ps_quote(path)})",
        ]))

    def delete_file(self, computer: str | None, path: str) -> Script:
        return frame("delete_file", _on_host(computer, [
            f"Remove-Item -LiteralPath {ps_quote(path)} -Recurse -Force -Confirm:$false",
        ]))


_CONTROLLER_TYPES = ("IDE", "SCSI")


def _slot_args(prefix: str, controller_type: str | None, number: int | None, location: int | None) -> str:
    """` -ControllerType SCSI -ControllerNumber 0 ...` (prefix "To" for Set-VMHardDiskDrive's target)."""
    args = ""
    if controller_type is not None:
        if controller_type not in _CONTROLLER_TYPES:
            raise ValueError(f"{controller_type!r} is not a controller type")
        args += f" -{prefix}ControllerType {controller_type}"
    if number is not None:
        args += f" -{prefix}ControllerNumber {ps_int(number)}"
    if location is not None:
        args += f" -{prefix}ControllerLocation {ps_int(location)}"
    return args


def _find_drive(controller_type: str, number: int, location: int) -> list[str]:
    """`$hvDrive`: the VM's drive at that slot, or the backend's own not-found error."""
    return [f"$hvDrive = @(Get-VMHardDiskDrive -VM $hvVm{_slot_args('', controller_type, number, location)})",
            "if ($hvDrive.Count -eq 0) {",
            "    Write-Error -Message 'The virtual machine has no hard disk drive at that controller location.' "
            "-ErrorId 'HvEmu.NoDrive' -Category ObjectNotFound",
            "}"]
