"""Core cmdlets: the Write-* family, Out-Null, dates and time, objects and members, commands,
variables, paths, modules and aliases.

Get-Date reads the run's clock (`services.clock`); Start-Sleep moves it when it is virtual and
waits otherwise. Test-Path/Join-Path/Split-Path work on the emulated host's Windows paths
(`services.files` for existence).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from typing import Any, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import dotnet_datetime as dtf
from hyperv_emu.psshim.runtime import members as M
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import paths as P
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.errors import PSError, WRITE_ERROR_EXCEPTION, not_supported
from hyperv_emu.psshim.runtime.nativeobjects import ExceptionView, PSNative
from hyperv_emu.psshim.runtime.records import ErrorRecord, InvocationInfo, ProgressRecord, ScriptPosition
from hyperv_emu.psshim.runtime.registry import (Cmdlet, InSet, Param, ValidateNotNullOrEmpty, ValidateRange, ValidateSet,
                                                cmdlet)
from hyperv_emu.psshim.runtime.scopes import FunctionInfo, ScriptBlock
from hyperv_emu.psshim.runtime.textformat import culture_string, format_datetime, format_uformat
from hyperv_emu.psshim.runtime.values import Hashtable, PSObject, type_names

UTILITY = "Microsoft.PowerShell.Utility"
MGMT = "Microsoft.PowerShell.Management"
CORE = "Microsoft.PowerShell.Core"
NS = "Microsoft.PowerShell.Commands."


def _host_text(value: Any, separator: str, culture: str) -> str:
    if isinstance(value, list):
        return separator.join(_host_text(v, separator, culture) for v in value)
    if isinstance(value, (dt.datetime, float)):
        return culture_string(value, culture)
    return C.to_string(value)


# ------------------------------------------------------------------------------------------
# Write-*
# ------------------------------------------------------------------------------------------


@cmdlet("Write-Output", aliases=("echo", "write"), module=UTILITY, class_name=NS + "WriteOutputCommand")
class WriteOutput(Cmdlet):
    """Sends objects to the pipeline."""

    InputObject = Param("psobject[]", position=0, mandatory=True, pipeline=True, remaining=True,
                        allow_null=True, allow_empty_collection=True)
    NoEnumerate = Param("switch")

    def process_record(self) -> Iterator[Any]:
        value = self.InputObject
        if self.ctx.has_input:
            yield value[0] if isinstance(value, list) and len(value) == 1 else value
            return
        if value is None:
            return
        if self.NoEnumerate:
            yield value
            return
        for item in value:
            yield from C.enumerate_value(item) if isinstance(item, list) else (item,)


@cmdlet("Write-Host", module=UTILITY, class_name=NS + "WriteHostCommand")
class WriteHost(Cmdlet):
    """Writes text straight to the host."""

    Object = Param("object", position=0, pipeline=True, remaining=True)
    NoNewline = Param("switch")
    Separator = Param("object", default=" ")
    ForegroundColor = Param("string")
    BackgroundColor = Param("string")

    def process_record(self) -> None:
        value = self.Object
        sep = C.to_string(self.Separator)
        if value is None:
            text = ""
        elif isinstance(value, list) and not self.ctx.has_input:
            text = sep.join(_host_text(v, sep, self.ctx.culture) for v in value)
        else:
            text = _host_text(value, sep, self.ctx.culture)
        self.ctx.write_host(text, no_newline=bool(self.NoNewline))


@cmdlet("Write-Warning", module=UTILITY, class_name=NS + "WriteWarningCommand")
class WriteWarning(Cmdlet):
    """Writes a WARNING: line."""

    Message = Param("string", position=0, mandatory=True, pipeline=True, allow_empty_string=True)

    def process_record(self) -> None:
        self.ctx.write_warning(self.Message or "")


@cmdlet("Write-Verbose", module=UTILITY, class_name=NS + "WriteVerboseCommand")
class WriteVerbose(Cmdlet):
    """Writes a VERBOSE: line when verbose output is on."""

    Message = Param("string", position=0, mandatory=True, pipeline=True, allow_empty_string=True)

    def process_record(self) -> None:
        self.ctx.write_verbose(self.Message or "")


@cmdlet("Write-Debug", module=UTILITY, class_name=NS + "WriteDebugCommand")
class WriteDebug(Cmdlet):
    """Writes a DEBUG: line when debug output is on."""

    Message = Param("string", position=0, mandatory=True, pipeline=True, allow_empty_string=True)

    def process_record(self) -> None:
        self.ctx.write_debug(self.Message or "")


@cmdlet("Write-Information", module=UTILITY, class_name=NS + "WriteInformationCommand")
class WriteInformation(Cmdlet):
    """Writes to the information stream (shown when $InformationPreference is Continue)."""

    MessageData = Param("object", position=0, mandatory=True, pipeline=True, aliases=("Msg", "Message"))
    Tags = Param("string[]", position=1)

    def process_record(self) -> None:
        self.ctx.write_information(self.MessageData, self.Tags)


@cmdlet("Write-Progress", module=UTILITY, class_name=NS + "WriteProgressCommand")
class WriteProgress(Cmdlet):
    """Writes a progress record: a bar on a terminal (`hvemu run`), nothing when redirected.

    The record goes to the host (`runtime.host.Host.write_progress`), as the console host's
    progress pane gets it; $ProgressPreference SilentlyContinue hides it."""

    Activity = Param("string", position=0)
    Status = Param("string", position=1)
    Id = Param("int", position=2)
    PercentComplete = Param("int")
    SecondsRemaining = Param("int")
    CurrentOperation = Param("string")
    ParentId = Param("int")
    Completed = Param("switch")
    SourceId = Param("int")

    def process_record(self) -> None:
        self.ctx.write_progress(ProgressRecord(
            activity_id=self.Id or 0, activity=self.Activity or "",
            status_description=self.Status if self.Status else "Processing",
            current_operation=self.CurrentOperation or "",
            parent_activity_id=-1 if self.ParentId is None else self.ParentId,
            percent_complete=-1 if self.PercentComplete is None else self.PercentComplete,
            seconds_remaining=-1 if self.SecondsRemaining is None else self.SecondsRemaining,
            completed=bool(self.Completed)))


@cmdlet("Write-Error", module=UTILITY, class_name=NS + "WriteErrorCommand", default_set="NoException")
class WriteError(Cmdlet):
    """Writes a non-terminating error."""

    Message = Param("string", InSet("NoException", position=0, mandatory=True, pipeline=True),
                    InSet("WithException"), aliases=("Msg",), allow_empty_string=True, allow_null=True)
    Exception = Param("object", InSet("WithException", mandatory=True))
    ErrorRecord = Param(ErrorRecord, InSet("ErrorRecord", mandatory=True))
    Category = Param("string", InSet("NoException"), InSet("WithException"), default="NotSpecified")
    ErrorId = Param("string", InSet("NoException"), InSet("WithException"))
    TargetObject = Param("object", InSet("NoException"), InSet("WithException"))
    RecommendedAction = Param("string")
    CategoryActivity = Param("string", aliases=("Activity",))
    CategoryReason = Param("string", aliases=("Reason",))
    CategoryTargetName = Param("string", aliases=("TargetName",))
    CategoryTargetType = Param("string", aliases=("TargetType",))

    def process_record(self) -> None:
        import attrs

        from hyperv_emu.psshim.runtime.errors import make_record

        if self.is_bound("ErrorRecord"):
            self.ctx.interp.write_error(self.ErrorRecord, self.ctx.frame, self.ctx.common)
            return
        exc = self.Exception
        exc_type = WRITE_ERROR_EXCEPTION
        message = self.Message
        if isinstance(exc, ExceptionView):
            exc_type = exc.type_name
            if message is None:
                message = exc.message
        elif exc is not None and message is None:
            message = C.to_string(exc)
        message = message or ""
        frame = self.ctx.frame
        call = frame.call
        invoker = ""
        prefix = ""
        position: ScriptPosition | None = None
        if call is not None and call.kind in ("function", "scriptblock") and call.name:
            invoker = call.name
            prefix = call.name
            src = call.source or frame.source
            position = ScriptPosition(src.path, call.extent, src.text)
        elif call is not None and call.kind == "script" and call.script_path:
            invoker = P.leaf(call.script_path)
            prefix = call.script_path
        else:
            prefix = "Write-Error"
            invoker = "Write-Error"
            position = ScriptPosition(frame.source.path, self.ctx.extent, frame.source.text)
        error_id = self.ErrorId or WRITE_ERROR_EXCEPTION
        category = C.to_string(self.Category or "NotSpecified")
        target = self.TargetObject
        record = make_record(
            message, error_id, category, exception_type=exc_type, target_object=target,
            target_name=self.CategoryTargetName if self.CategoryTargetName is not None
            else ("" if target is None else C.to_string(target)),
            target_type=self.CategoryTargetType if self.CategoryTargetType is not None
            else ("" if target is None else self.ctx.interp.short_type_name(target)),
            activity=self.CategoryActivity or "Write-Error",
            reason=self.CategoryReason or exc_type.rsplit(".", 1)[-1],
            fqid=f"{error_id},{invoker}" if invoker else error_id, prefix=prefix,
            invocation=InvocationInfo(invoker or None, position))
        record = attrs.evolve(record)
        self.ctx.interp.write_error(record, frame, self.ctx.common)


@cmdlet("Out-Null", module=CORE, class_name=NS + "OutNullCommand")
class OutNull(Cmdlet):
    """Discards its input."""

    InputObject = Param("psobject", pipeline=True)


# ------------------------------------------------------------------------------------------
# dates and time
# ------------------------------------------------------------------------------------------


@cmdlet("Get-Date", module=UTILITY, class_name=NS + "GetDateCommand", default_set="net", polls=True)
class GetDate(Cmdlet):
    """The current date and time from the run's clock (or -Date), optionally formatted."""

    Date = Param("datetime", position=0, pipeline=True, pipeline_by_property=True, aliases=("LastWriteTime",))
    Year = Param("int")
    Month = Param("int")
    Day = Param("int")
    Hour = Param("int")
    Minute = Param("int")
    Second = Param("int")
    Millisecond = Param("int")
    DisplayHint = Param("string", validate=(ValidateSet("Date", "Time", "DateTime"),))
    Format = Param("string", InSet("net"))
    UFormat = Param("string", InSet("UFormat"))
    AsUTC = Param("switch")

    def process_record(self) -> Iterator[Any]:
        d: dt.datetime = self.Date if self.is_bound("Date") else self.ctx.now()
        try:
            repl: dict[str, int] = {}
            for name, attr in (("Year", "year"), ("Month", "month"), ("Day", "day"), ("Hour", "hour"),
                               ("Minute", "minute"), ("Second", "second")):
                if self.is_bound(name):
                    repl[attr] = int(self.ctx.bound[name])
            d = d.replace(**repl)  # type: ignore[arg-type]
            if self.is_bound("Millisecond"):
                d = d.replace(microsecond=int(self.Millisecond) * 1000)
        except ValueError as exc:
            self.ctx.throw_terminating(str(exc), "GetDateParameterOutOfRange", "InvalidArgument")
        if self.is_bound("Format") and self.Format is not None:
            yield format_datetime(d, self.Format, self.ctx.culture)
            return
        if self.is_bound("UFormat") and self.UFormat is not None:
            yield format_uformat(d, self.UFormat, self.ctx.culture)
            return
        if self.DisplayHint == "Date":
            d = dt.datetime(d.year, d.month, d.day)
        yield d


@cmdlet("New-TimeSpan", module=UTILITY, class_name=NS + "NewTimeSpanCommand", default_set="Date")
class NewTimeSpan(Cmdlet):
    """A TimeSpan from -Start/-End or from -Days/-Hours/-Minutes/-Seconds."""

    Start = Param("datetime", InSet("Date", position=0, pipeline_by_property=True), aliases=("LastWriteTime",))
    End = Param("datetime", InSet("Date", position=1, pipeline_by_property=True))
    Days = Param("int", InSet("Time"))
    Hours = Param("int", InSet("Time"))
    Minutes = Param("int", InSet("Time"))
    Seconds = Param("int", InSet("Time"))
    Milliseconds = Param("int", InSet("Time"))

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set == "Time":
            yield dt.timedelta(days=self.Days or 0, hours=self.Hours or 0, minutes=self.Minutes or 0,
                               seconds=self.Seconds or 0, milliseconds=self.Milliseconds or 0)
            return
        start: dt.datetime | None = self.Start if self.is_bound("Start") else None
        end: dt.datetime | None = self.End if self.is_bound("End") else None
        if start is None or end is None:
            now = self.ctx.now()
            start = start or now
            end = end or now
        yield end - start


@cmdlet("Start-Sleep", aliases=("sleep",), module=UTILITY, class_name=NS + "StartSleepCommand",
        default_set="Seconds")
class StartSleep(Cmdlet):
    """Waits: moves a virtual clock forward, or sleeps for real."""

    Seconds = Param("double", InSet("Seconds", position=0, mandatory=True, pipeline=True,
                                    pipeline_by_property=True))
    Milliseconds = Param("int", InSet("Milliseconds", mandatory=True, pipeline_by_property=True),
                         aliases=("ms",))
    Duration = Param("timespan", InSet("FromTimeSpan", mandatory=True, pipeline=True))

    def process_record(self) -> None:
        if self.ctx.parameter_set == "Milliseconds":
            seconds = float(self.Milliseconds) / 1000.0
        elif self.ctx.parameter_set == "FromTimeSpan":
            seconds = self.Duration.total_seconds()
        else:
            seconds = float(self.Seconds)
            if not options.is_core():
                # 5.1 declares -Seconds as Int32: the value converts first
                if not math.isfinite(seconds) or not -2**31 <= C.round_half_even(seconds) < 2**31:
                    self.ctx.throw_terminating(
                        f"Cannot bind parameter 'Seconds'. Cannot convert value \"{C.to_string(self.Seconds)}\" to "
                        f"type \"System.Int32\". Error: \"Value was either too large or too small for an Int32.\"",
                        "CannotConvertArgumentNoMessage", "InvalidArgument")
                seconds = float(C.round_half_even(seconds))
        # ValidateRange(0, int.MaxValue / 1000); NaN compares below every number, as .NET's CompareTo has it
        if math.isnan(seconds) or seconds < 0:
            self.ctx.throw_terminating(
                f"Cannot validate argument on parameter 'Seconds'. The {C.to_string(seconds)} argument is less than "
                f"the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then "
                f"try the command again.", "ParameterArgumentValidationError", "InvalidData")
        if seconds > _MAX_SLEEP_SECONDS and self.ctx.parameter_set == "Seconds":
            self.ctx.throw_terminating(
                f"Cannot validate argument on parameter 'Seconds'. The {C.to_string(seconds)} argument is greater "
                f"than the maximum allowed range of {_MAX_SLEEP_SECONDS}. Supply an argument that is less than or "
                f"equal to {_MAX_SLEEP_SECONDS} and then try the command again.",
                "ParameterArgumentValidationError", "InvalidData")
        self.ctx.sleep(seconds)


_MAX_SLEEP_SECONDS = 2**31 // 1000  # Start-Sleep's ValidateRange(0, int.MaxValue / 1000)


# ------------------------------------------------------------------------------------------
# objects
# ------------------------------------------------------------------------------------------


@cmdlet("New-Object", module=UTILITY, class_name=NS + "NewObjectCommand", default_set="Net")
class NewObject(Cmdlet):
    """Creates an object (PSObject -Property, ArrayList, List[T], DateTime, TimeSpan, ...)."""

    TypeName = Param("string", InSet("Net", position=0, mandatory=True))
    ArgumentList = Param("object[]", InSet("Net", position=1), aliases=("Args",))
    ComObject = Param("string", InSet("Com", position=0, mandatory=True))
    Property = Param("hashtable")
    Strict = Param("switch")

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set == "Com":
            raise not_supported("New-Object -ComObject")
        name = str(self.TypeName)
        t = T.find_type(name, self.ctx.interp.types)
        if t is None:
            self.ctx.throw_terminating(
                f'Cannot find type [{name}]: verify that the assembly containing this type is loaded.',
                "TypeNotFound", "InvalidType", exception_type="System.Management.Automation.PSArgumentException",
                target_name=name, target_type="String")
        args = list(self.ArgumentList or [])
        obj = M.construct(t, args, self.ctx.frame.env)
        props = self.Property
        if props:
            for k, v in props.items():
                key = C.to_string(k)
                if isinstance(obj, PSObject):
                    obj.properties[key] = v
                else:
                    M.set_member(obj, key, v, self.ctx.frame.env)
        yield obj


@cmdlet("Add-Member", module=UTILITY, class_name=NS + "AddMemberCommand", default_set="TypeNameSet")
class AddMember(Cmdlet):
    """Adds a NoteProperty, ScriptProperty, ScriptMethod or AliasProperty to an object."""

    InputObject = Param("psobject", pipeline=True, mandatory=True)
    MemberType = Param("string", InSet("MemberSet", position=0, mandatory=True), aliases=("Type",))
    Name = Param("string", InSet("MemberSet", position=1, mandatory=True))
    Value = Param("object", InSet("MemberSet", position=2))
    SecondValue = Param("object", InSet("MemberSet", position=3))
    NotePropertyName = Param("string", InSet("NotePropertySingleMemberSet", position=0, mandatory=True))
    NotePropertyValue = Param("object", InSet("NotePropertySingleMemberSet", position=1, mandatory=True),
                              allow_null=True)
    NotePropertyMembers = Param("hashtable", InSet("NotePropertyMultiMemberSet", position=0, mandatory=True))
    TypeName = Param("string", InSet("TypeNameSet", mandatory=True), InSet("MemberSet"),
                     InSet("NotePropertySingleMemberSet"), InSet("NotePropertyMultiMemberSet"))
    Force = Param("switch")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        obj = self.InputObject
        if not isinstance(obj, PSObject):
            raise not_supported("Add-Member on an object that is not a PSCustomObject")
        members: list[tuple[str, Any]] = []
        pset = self.ctx.parameter_set
        if pset == "NotePropertySingleMemberSet":
            members.append((str(self.NotePropertyName), self.NotePropertyValue))
        elif pset == "NotePropertyMultiMemberSet":
            members.extend((C.to_string(k), v) for k, v in (self.NotePropertyMembers or Hashtable()).items())
        elif pset == "MemberSet":
            kind = str(self.MemberType).casefold()
            value = self.Value
            if kind == "noteproperty":
                members.append((str(self.Name), value))
            elif kind == "scriptproperty":
                members.append((str(self.Name), M.ScriptProperty(value)))
            elif kind == "scriptmethod":
                members.append((str(self.Name), M.ScriptMethod(value)))
            elif kind == "aliasproperty":
                target = C.to_string(value)
                sb = self.ctx.interp.create_scriptblock(f"$this.{target}")
                members.append((str(self.Name), M.ScriptProperty(sb)))
            else:
                raise not_supported(f"Add-Member -MemberType {self.MemberType}")
        for name, value in members:
            if obj.has(name) and not self.Force:
                self.ctx.write_error(self.ctx.error_record(
                    f'Cannot add a member with the name "{name}" because a member with that name already exists. '
                    f"To overwrite the member anyway, add the Force parameter to your command.",
                    "MemberAlreadyExists", "InvalidOperation", target_object=obj,
                    exception_type="System.InvalidOperationException"))
                return
            obj.set(name, value)
        if self.is_bound("TypeName") and self.TypeName:
            obj.type_names.insert(0, str(self.TypeName))
        if self.PassThru:
            yield obj


@cmdlet("Get-Member", aliases=("gm",), module=UTILITY, class_name=NS + "GetMemberCommand")
class GetMember(Cmdlet):
    """Lists the properties (and common methods) of each distinct input type."""

    InputObject = Param("psobject", pipeline=True)
    Name = Param("string[]", position=0)
    MemberType = Param("string", aliases=("Type",))
    Force = Param("switch")
    Static = Param("switch")

    def begin_processing(self) -> None:
        self.seen: set[str] = set()

    def process_record(self) -> Iterator[Any]:
        obj = self.InputObject
        if not self.ctx.has_input or obj is None:
            return
        tn = self.ctx.interp.short_type_name(obj)
        full = type_names(obj, self.ctx.adapters)[0]
        if full in self.seen:
            return
        self.seen.add(full)
        rows: list[tuple[str, str, str]] = []
        for name, value in M.properties_of(obj, self.ctx.adapters):
            vt = T.type_of(value, self.ctx.adapters).name if value is not None else "System.Object"
            kind = "NoteProperty" if isinstance(obj, PSObject) else "Property"
            definition = f"{vt} {name}=" + C.to_string(value) if kind == "NoteProperty" else f"{vt} {name} {{get;}}"
            rows.append((name, kind, definition))
        for m in ("Equals", "GetHashCode", "GetType", "ToString"):
            rows.append((m, "Method", {"Equals": "bool Equals(System.Object obj)", "GetHashCode": "int GetHashCode()",
                                       "GetType": "type GetType()", "ToString": "string ToString()"}[m]))
        rows.sort(key=lambda r: ({"Method": 1}.get(r[1], 2), r[0].casefold()))
        pats = [str(p) for p in (self.Name or [])]
        for name, kind, definition in rows:
            if pats and not any(wildcard_match(name, p) for p in pats):
                continue
            if self.MemberType and kind.casefold() != str(self.MemberType).casefold():
                continue
            yield PSObject({"TypeName": full, "Name": name, "MemberType": kind, "Definition": definition},
                           ["Microsoft.PowerShell.Commands.MemberDefinition", "System.Object"])


@cmdlet("New-Guid", module=UTILITY, class_name=NS + "NewGuidCommand")
class NewGuid(Cmdlet):
    """A new GUID."""

    def process_record(self) -> Iterator[Any]:
        yield self.ctx.interp.new_guid()


@cmdlet("Get-Random", module=UTILITY, class_name=NS + "GetRandomCommand", default_set="RandomNumberParameterSet")
class GetRandom(Cmdlet):
    """A random number, or random items of -InputObject (GetRandomCommand.cs: the bounds are Int32
    when both are, else Int64 when both are integers, else doubles converted as [double] does;
    a Minimum not below the Maximum is the MinGreaterThanOrEqualMax error)."""

    Minimum = Param("object", InSet("RandomNumberParameterSet"))
    Maximum = Param("object", InSet("RandomNumberParameterSet", position=0))
    InputObject = Param("object[]", InSet("RandomListItemParameterSet", position=0, mandatory=True, pipeline=True))
    Count = Param("int", InSet("RandomListItemParameterSet"), validate=(ValidateRange(1, 2**31 - 1),))
    SetSeed = Param("int")

    def begin_processing(self) -> None:
        self.items: list[Any] = []
        seed = self.SetSeed if self.is_bound("SetSeed") else self.ctx.interp.new_guid().int & 0xFFFFFFFF
        self.rng = random.Random(seed)
        # an array -Maximum picks from its items, as -InputObject would
        self.list_mode = self.ctx.parameter_set == "RandomListItemParameterSet" or isinstance(self.Maximum, list)
        if isinstance(self.Maximum, list) and self.ctx.parameter_set != "RandomListItemParameterSet":
            self.items.extend(self.Maximum)

    def process_record(self) -> None:
        if self.ctx.parameter_set == "RandomListItemParameterSet":
            self.items.extend(self.InputObject if self.InputObject is not None else [None])

    def end_processing(self) -> Iterator[Any]:
        if self.list_mode:
            count = self.Count if self.is_bound("Count") else 1
            yield from self.rng.sample(self.items, min(count, len(self.items)))
            return
        lo, hi = _random_operand(self.Minimum), _random_operand(self.Maximum)
        if _is_int32(lo) and _is_int32(hi):
            yield self._integer(0 if lo is None else int(lo), 2**31 - 1 if hi is None else int(hi))
        elif _is_integer(lo) and _is_integer(hi):
            yield self._integer(0 if lo is None else int(lo), 2**63 - 1 if hi is None else int(hi))
        else:
            low = lo if isinstance(lo, float) else self._double(self.Minimum, 0.0)
            high = hi if isinstance(hi, float) else self._double(self.Maximum, sys.float_info.max)
            self._check_bounds(low, high)
            r = self.rng.random()
            diff = high - low
            # (an infinite span is scaled bound by bound, as GetRandomDouble does)
            yield low + r * high - r * low if math.isinf(diff) else low + r * diff

    def _double(self, value: Any, default: float) -> float:
        """LanguagePrimitives.ConvertTo(value, double): its PSInvalidCastException is the
        command's error."""
        if value is None:
            return default
        try:
            return C.to_double(value)
        except PSError as exc:
            self.ctx.throw_terminating(exc.record)

    def _integer(self, low: int, high: int) -> int:
        self._check_bounds(low, high)
        return self.rng.randrange(low, high)

    def _check_bounds(self, low: float, high: float) -> None:
        if low >= high:
            self.ctx.throw_terminating(
                f"The Minimum value ({C.to_string(low)}) cannot be greater than or equal to the Maximum value "
                f"({C.to_string(high)}).", "MinGreaterThanOrEqualMax", "InvalidArgument",
                exception_type="System.ArgumentException")


def _random_operand(value: Any) -> Any:
    """GetRandomCommand.ProcessOperand: a string is read as a number literal when it is one."""
    if isinstance(value, str):
        number = C.parse_number(value)
        return value if number is None else number
    return value


def _is_int32(value: Any) -> bool:
    return value is None or (type(value) is int and -2**31 <= value < 2**31)


def _is_integer(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63)


# ------------------------------------------------------------------------------------------
# commands, variables, aliases, modules
# ------------------------------------------------------------------------------------------


class CommandInfoView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.CmdletInfo", "System.Management.Automation.CommandInfo",
                         "System.Object"]

    def __init__(self, kind: str, name: str, source: str, definition: str = "", target: Any = None) -> None:
        self.kind = kind
        self.name = name
        self.source = source
        self.definition = definition
        self.target = target
        self.metadata_fn: Any = None  # () -> CommandMetadata, for .Parameters
        if kind == "Alias":
            self.__ps_type_names__ = ["System.Management.Automation.AliasInfo",
                                      "System.Management.Automation.CommandInfo", "System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        # the four columns of PowerShell's CommandInfo table view
        name = f"{self.name} -> {self.definition}" if self.kind == "Alias" else self.name
        return [("CommandType", self.kind), ("Name", name), ("Version", ""), ("Source", self.source)]

    def __ps_get__(self, name: str) -> tuple[bool, Any]:
        extra = {"name": self.name, "definition": self.definition or self.name, "modulename": self.source,
                 "displayname": self.__ps_properties__()[1][1],
                 "resolvedcommandname": self.definition if self.kind == "Alias" else self.name}
        if self.kind == "Function" and self.target is not None:
            extra["scriptblock"] = self.target.scriptblock  # FunctionInfo.ScriptBlock
        if name.casefold() in extra:
            return True, extra[name.casefold()]
        if name.casefold() == "parameters" and self.metadata_fn is not None:
            from hyperv_emu.psshim.cmdlets.commandinfo import parameters_table

            return True, parameters_table(self.metadata_fn())
        for k, v in self.__ps_properties__():
            if k.casefold() == name.casefold():
                return True, v
        return False, None

    def __ps_string__(self) -> str:
        return self.name


@cmdlet("Get-Command", aliases=("gcm",), module=CORE, class_name=NS + "GetCommandCommand",
        default_set="CmdletSet")
class GetCommand(Cmdlet):
    """Finds cmdlets, functions and aliases."""

    Name = Param("string[]", InSet("AllCommandSet", position=0, pipeline_by_property=True), InSet("CmdletSet"))
    Verb = Param("string[]", InSet("CmdletSet"))
    Noun = Param("string[]", InSet("CmdletSet"))
    Module = Param("string[]", aliases=("PSSnapin",))
    CommandType = Param("string[]", InSet("AllCommandSet"), aliases=("Type",))
    ListImported = Param("switch")
    All = Param("switch")
    ParameterName = Param("string[]")

    def process_record(self) -> Iterator[Any]:
        interp = self.ctx.interp
        registry = interp.registry
        entries: list[CommandInfoView] = []
        for info in registry.all():
            entries.append(CommandInfoView("Cmdlet", info.name, info.module, info.name, info))
            entries[-1].metadata_fn = info.metadata
        for alias, target in sorted(registry.aliases.items()):
            entries.append(CommandInfoView("Alias", alias, "", target))
        frame = self.ctx.frame
        for key, fn in sorted(frame.scope.all_functions().items()):
            entries.append(CommandInfoView("Function", fn.name, fn.module.name if fn.module else "",
                                           fn.scriptblock.text, fn))
            entries[-1].metadata_fn = (lambda f=fn: interp.script_metadata(f.scriptblock, f.name, frame))
        from hyperv_emu.psshim.cmdlets.commandinfo import split_qualified

        qualified = [split_qualified(str(n)) for n in (self.Name or [])]
        modules_of = {bare.casefold(): module.casefold() for module, bare in qualified if module}
        names = [bare for _, bare in qualified]
        typed = {bare.casefold(): str(n) for (_, bare), n in zip(qualified, self.Name or [])}
        types = [str(t).casefold() for t in (self.CommandType or [])]
        modules = [str(m).casefold() for m in (self.Module or [])]
        verbs = [str(v) for v in (self.Verb or [])]
        nouns = [str(v) for v in (self.Noun or [])]
        found_any: set[str] = set()
        out: list[CommandInfoView] = []
        for e in entries:
            if types and e.kind.casefold() not in types and "all" not in types:
                continue
            if modules and e.source.casefold() not in modules:
                continue
            if verbs and not any(wildcard_match(e.name.split("-")[0], v) for v in verbs):
                continue
            if nouns and not any(wildcard_match(e.name.partition("-")[2], n) for n in nouns):
                continue
            if names:
                hit = [n for n in names if wildcard_match(e.name, n)
                       and modules_of.get(n.casefold(), e.source.casefold()) == e.source.casefold()]
                if not hit:
                    continue
            if self.ParameterName and not _has_parameter(e, [str(p) for p in self.ParameterName]):
                continue
            if names:
                found_any.update(n.casefold() for n in hit)
            out.append(e)
        if not names:
            out.sort(key=lambda e: (e.name.casefold()))
        yield from out
        for n in names:
            if n.casefold() not in found_any and not has_wildcards(n):
                n = typed.get(n.casefold(), n)
                if options.is_core():
                    msg = (f"The term '{n}' is not recognized as a name of a cmdlet, function, script file, or "
                           f"executable program.\nCheck the spelling of the name, or if a path was included, verify "
                           f"that the path is correct and try again.")
                else:
                    msg = (f"The term '{n}' is not recognized as the name of a cmdlet, function, script file, or "
                           f"operable program. Check the spelling of the name, or if a path was included, verify that "
                           f"the path is correct and try again.")
                self.ctx.write_error(self.ctx.error_record(
                    msg, "CommandNotFoundException", "ObjectNotFound", target_object=n,
                    exception_type="System.Management.Automation.CommandNotFoundException"))


def _has_parameter(entry: "CommandInfoView", patterns: list[str]) -> bool:
    """Get-Command -ParameterName: the command has a parameter (common ones included) whose name or
    one of whose aliases matches a pattern; an alias is resolved to its command first."""
    from hyperv_emu.psshim.cmdlets.commandinfo import parameters_table

    if entry.metadata_fn is None:
        return False
    for view in parameters_table(entry.metadata_fn()).values():
        p = view.p
        if any(wildcard_match(n, pat) for n in (p.name, *p.aliases) for pat in patterns):
            return True
    return False


class PSVariableView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.PSVariable", "System.Object"]

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Name", self.name), ("Value", self.value)]

    def __ps_get__(self, name: str) -> tuple[bool, Any]:
        extra = {"description": "", "options": "None", "visibility": "Public"}
        if name.casefold() in extra:
            return True, extra[name.casefold()]
        for k, v in self.__ps_properties__():
            if k.casefold() == name.casefold():
                return True, v
        return False, None


def _scope_of(ctx: Any, scope: str | None) -> Any:
    """The scope `-Scope` names (SessionStateScopeAPIs.GetScopeByID): global, local, private,
    script, or a number of scopes up from the current one, which must exist."""
    frame = ctx.frame
    if scope is None or scope.casefold() in ("local", "private", "0"):
        return frame.scope
    s = scope.casefold()
    if s == "global":
        return ctx.interp.global_scope
    if s == "script":
        return frame.scope.script_scope()
    try:
        number = int(s.strip())
    except ValueError:
        ctx.throw_terminating(
            'Cannot process argument because the value of parameter "Scope" is not valid. Valid values are "Global", '
            '"Local", or "Script", or a number relative to the current scope (0 through the number of scopes where 0 '
            'is the current scope and 1 is its parent). Change the value of the "Scope" parameter and run the '
            "operation again.", "Argument", "InvalidArgument",
            exception_type="System.Management.Automation.PSArgumentException")
    if number < 0 or number > 2**31 - 1:  # Int32.Parse's overflow, or below zero
        _scope_out_of_range(ctx, 'Cannot process argument because the value of argument "Scope" is out of range. '
                                 'Change argument "Scope" to a value that is within range.', scope.strip())
    target = frame.scope
    for _ in range(number):
        target = target.parent
        if target is None:  # past the global scope
            _scope_out_of_range(ctx, f"The scope number '{number}' exceeds the number of active scopes.", number)
    return target


def _scope_out_of_range(ctx: Any, message: str, actual: Any) -> None:
    from hyperv_emu.psshim.runtime.dotnet_methods import param_note

    ctx.throw_terminating(f"{message}{param_note('Scope')}\r\nActual value was {actual}.", "ArgumentOutOfRange",
                          "InvalidArgument", exception_type="System.Management.Automation.PSArgumentOutOfRangeException")


@cmdlet("Get-Variable", aliases=("gv",), module=UTILITY, class_name=NS + "GetVariableCommand")
class GetVariable(Cmdlet):
    """Variables by name (wildcards)."""

    Name = Param("string[]", position=0, pipeline=True, pipeline_by_property=True)
    ValueOnly = Param("switch")
    Scope = Param("string")
    Include = Param("string[]")
    Exclude = Param("string[]")

    def process_record(self) -> Iterator[Any]:
        scope = _scope_of(self.ctx, self.Scope)
        variables = scope.all_variables() if self.Scope is None else dict(scope.variables)
        names = [str(n) for n in (self.Name or ["*"])]
        include = [str(i) for i in (self.Include or [])]
        exclude = [str(e) for e in (self.Exclude or [])]

        def wanted(name: str) -> bool:
            # -Include (when given) must match and -Exclude must not, as in VariableCommandBase
            return ((not include or any(wildcard_match(name, i) for i in include))
                    and not any(wildcard_match(name, e) for e in exclude))

        for pat in names:
            if not has_wildcards(pat) and not wanted(pat):
                continue  # a literal name filtered out is no error: nothing was looked up
            hits = [v for k, v in sorted(variables.items()) if wildcard_match(v.name, pat) and wanted(v.name)]
            if not hits and not has_wildcards(pat):
                self.ctx.write_error(self.ctx.error_record(
                    f"Cannot find a variable with the name '{pat}'.", "VariableNotFound", "ObjectNotFound",
                    target_object=pat, exception_type="System.Management.Automation.ItemNotFoundException"))
                continue
            for v in hits:
                yield v.value if self.ValueOnly else PSVariableView(v.name, v.value)


@cmdlet("Set-Variable", aliases=("set",), module=UTILITY, class_name=NS + "SetVariableCommand",
        supports_should_process=True, confirm_impact="Low")
class SetVariable(Cmdlet):
    """Sets a variable (creating it)."""

    Name = Param("string[]", position=0, mandatory=True, pipeline_by_property=True)
    Value = Param("object", position=1, pipeline=True, pipeline_by_property=True, allow_null=True)
    Scope = Param("string")
    Option = Param("string")
    PassThru = Param("switch")
    Description = Param("string")
    Force = Param("switch")
    Visibility = Param("string")

    def process_record(self) -> Iterator[Any]:
        scope = _scope_of(self.ctx, self.Scope)
        for name in self.Name or []:
            if not self.ctx.should_process(f"Name: {name} Value: {C.to_string(self.Value)}", "Set variable"):
                continue
            opt = str(self.Option or "").casefold()
            existing = scope.local_variable(str(name))
            if existing is not None and not (existing.readonly and not self.Force):
                existing.value = self.Value
            else:
                scope.define(str(name), self.Value, readonly="readonly" in opt, constant="constant" in opt)
            if self.PassThru:
                yield PSVariableView(str(name), self.Value)


@cmdlet("New-Variable", aliases=("nv",), module=UTILITY, class_name=NS + "NewVariableCommand",
        supports_should_process=True, confirm_impact="Low")
class NewVariable(SetVariable):
    """Creates a variable."""

    Value = Param("object", position=1, pipeline=True, allow_null=True)


@cmdlet("Remove-Variable", aliases=("rv",), module=UTILITY, class_name=NS + "RemoveVariableCommand",
        supports_should_process=True, confirm_impact="Medium")
class RemoveVariable(Cmdlet):
    """Removes variables."""

    Name = Param("string[]", position=0, mandatory=True, pipeline_by_property=True)
    Scope = Param("string")
    Force = Param("switch")

    def process_record(self) -> None:
        scope = _scope_of(self.ctx, self.Scope)
        for name in self.Name or []:
            if not scope.remove_variable(str(name)):
                target = scope.find_variable(str(name)) if self.Scope is None else None
                if target is None:
                    self.ctx.write_error(self.ctx.error_record(
                        f"Cannot find a variable with the name '{name}'.", "VariableNotFound", "ObjectNotFound",
                        target_object=str(name), exception_type="System.Management.Automation.ItemNotFoundException"))
                    continue
                for s in scope.chain():
                    if s.remove_variable(str(name)):
                        break


@cmdlet("Clear-Variable", aliases=("clv",), module=UTILITY, class_name=NS + "ClearVariableCommand",
        supports_should_process=True, confirm_impact="Medium")
class ClearVariable(Cmdlet):
    """Sets variables to $null."""

    Name = Param("string[]", position=0, mandatory=True, pipeline_by_property=True)
    Scope = Param("string")

    def process_record(self) -> None:
        for name in self.Name or []:
            v = self.ctx.frame.scope.find_variable(str(name))
            if v is not None:
                v.value = None


@cmdlet("Set-Alias", aliases=("sal",), module=UTILITY, class_name=NS + "SetAliasCommand",
        supports_should_process=True, confirm_impact="Low")
class SetAlias(Cmdlet):
    """Defines an alias in the current scope."""

    Name = Param("string", position=0, mandatory=True, pipeline_by_property=True)
    Value = Param("string", position=1, mandatory=True, pipeline_by_property=True)
    Scope = Param("string")
    Description = Param("string")
    Option = Param("string")
    PassThru = Param("switch")
    Force = Param("switch")

    def process_record(self) -> None:
        scope = _scope_of(self.ctx, self.Scope)
        scope.aliases[str(self.Name).casefold()] = str(self.Value)


@cmdlet("New-Alias", aliases=("nal",), module=UTILITY, class_name=NS + "NewAliasCommand",
        supports_should_process=True, confirm_impact="Low")
class NewAlias(SetAlias):
    """Defines a new alias."""


@cmdlet("Get-Alias", aliases=("gal",), module=UTILITY, class_name=NS + "GetAliasCommand")
class GetAlias(Cmdlet):
    """Lists aliases."""

    Name = Param("string[]", position=0, pipeline_by_property=True)
    Definition = Param("string[]")

    def process_record(self) -> Iterator[Any]:
        aliases = dict(self.ctx.interp.registry.aliases)
        for s in reversed(list(self.ctx.frame.scope.chain())):
            aliases.update(s.aliases)
        pats = [str(n) for n in (self.Name or ["*"])]
        for alias, target in sorted(aliases.items()):
            if any(wildcard_match(alias, p) for p in pats):
                if self.Definition and not any(wildcard_match(target, d) for d in self.Definition):
                    continue
                yield CommandInfoView("Alias", alias, "", target)


@cmdlet("Import-Module", aliases=("ipmo",), module=CORE, class_name=NS + "ImportModuleCommand")
class ImportModule(Cmdlet):
    """Imports a .psm1 module found through $env:PSModulePath (or by path)."""

    Name = Param("string[]", position=0, mandatory=True, pipeline=True)
    Force = Param("switch")
    PassThru = Param("switch")
    Global = Param("switch")
    Prefix = Param("string")
    Function = Param("string[]")
    Cmdlet = Param("string[]")
    Variable = Param("string[]")
    Alias = Param("string[]")
    DisableNameChecking = Param("switch")
    MinimumVersion = Param("version", aliases=("Version",))
    MaximumVersion = Param("string")
    RequiredVersion = Param("version")
    Scope = Param("string")

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.runtime.pipeline import import_module

        for name in self.Name or []:
            mod = import_module(self.ctx.interp, str(name), self.ctx.frame, force=bool(self.Force))
            if mod is None:
                self.ctx.write_error(self.ctx.error_record(
                    f"The specified module '{name}' was not loaded because no valid module file was found in any "
                    f"module directory.", "Modules_ModuleNotFound", "ResourceUnavailable", target_object=str(name),
                    exception_type="System.IO.FileNotFoundException"))
                continue
            if self.PassThru:
                yield mod


@cmdlet("Remove-Module", aliases=("rmo",), module=CORE, class_name=NS + "RemoveModuleCommand",
        supports_should_process=True)
class RemoveModule(Cmdlet):
    """Forgets an imported module (its functions stay defined)."""

    Name = Param("string[]", position=0, mandatory=True)
    Force = Param("switch")

    def process_record(self) -> None:
        for name in self.Name or []:
            self.ctx.interp.modules.pop(str(name).casefold(), None)


@cmdlet("Get-Module", aliases=("gmo",), module=CORE, class_name=NS + "GetModuleCommand")
class GetModule(Cmdlet):
    """Lists imported modules."""

    Name = Param("string[]", position=0)
    ListAvailable = Param("switch")
    All = Param("switch")

    def process_record(self) -> Iterator[Any]:
        pats = [str(n) for n in (self.Name or ["*"])]
        for key, mod in sorted(self.ctx.interp.modules.items()):
            if any(wildcard_match(mod.name, p) for p in pats):
                yield mod


@cmdlet("Export-ModuleMember", module=CORE, class_name=NS + "ExportModuleMemberCommand")
class ExportModuleMember(Cmdlet):
    """Chooses what a .psm1 exports."""

    Function = Param("string[]", position=0)
    Cmdlet = Param("string[]")
    Variable = Param("string[]")
    Alias = Param("string[]")

    def process_record(self) -> None:
        module = self.ctx.frame.scope.module
        if module is None:
            self.ctx.throw_terminating(
                "The Export-ModuleMember cmdlet can only be called from inside a module.",
                "Modules_CanOnlyExecuteExportModuleMemberInsideAModule", "PermissionDenied",
                exception_type="System.InvalidOperationException")
        if module is not None:
            module.exported_functions = [str(f) for f in (self.Function or [])]
            module.exported_aliases = [str(a) for a in (self.Alias or [])]
            module.exported_variables = [str(v) for v in (self.Variable or [])]


@cmdlet("Invoke-Expression", aliases=("iex",), module=UTILITY, class_name=NS + "InvokeExpressionCommand")
class InvokeExpression(Cmdlet):
    """Runs a string as PowerShell in the current scope."""

    Command = Param("string", position=0, mandatory=True, pipeline=True)

    def process_record(self) -> Iterator[Any]:
        interp = self.ctx.interp
        text = str(self.Command)
        ast_ = interp.parse(text, None)
        from hyperv_emu.psshim.runtime.scopes import ScriptSource

        frame = self.ctx.frame.child(source=ScriptSource(None, text))
        statements: list[Any] = []
        for block in (ast_.begin_block, ast_.process_block, ast_.end_block):
            if block is not None:
                statements.extend(block.statements)
        yield from interp.exec_block(statements, frame)


@cmdlet("Set-StrictMode", module=CORE, class_name=NS + "SetStrictModeCommand", default_set="Version",
        notes="Accepted and ignored: strict-mode checks (uninitialized variables, missing properties) are not "
              "emulated.")
class SetStrictMode(Cmdlet):
    """Accepted; strict-mode checks are not emulated."""

    Version = Param("string", InSet("Version", mandatory=True), aliases=("v",))
    Off = Param("switch", InSet("Off", mandatory=True))


@cmdlet("Clear-Host", aliases=("cls", "clear"), module=CORE, class_name=NS + "ClearHostCommand")
class ClearHost(Cmdlet):
    """Does nothing (no screen to clear)."""


@cmdlet("Get-Host", module=UTILITY, class_name=NS + "GetHostCommand")
class GetHost(Cmdlet):
    """$Host."""

    def process_record(self) -> Iterator[Any]:
        yield self.ctx.get_variable("Host")


@cmdlet("Read-Host", module=UTILITY, class_name=NS + "ReadHostCommand",
        notes="Reads a line of standard input (echoed after `Prompt: `, as the console host does when its input "
              "is redirected); fails as under -NonInteractive when there is none.")
class ReadHost(Cmdlet):
    """A line of the host's input."""

    Prompt = Param("object", position=0, remaining=True)
    AsSecureString = Param("switch")

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.runtime.prompts import PromptUnavailable

        prompt = self.Prompt
        if isinstance(prompt, list):
            prompt = " ".join(C.to_string(p) for p in prompt)
        try:
            line = self.ctx.prompt_ui().read_host(None if prompt is None else C.to_string(prompt),
                                                  secure=bool(self.AsSecureString))
        except PromptUnavailable:
            self.ctx.prompt_unavailable()
        if self.AsSecureString:
            from hyperv_emu.psshim.runtime.security import SecureString

            yield SecureString(line)
        else:
            yield line


# ------------------------------------------------------------------------------------------
# paths and locations
# ------------------------------------------------------------------------------------------


def _files(ctx: Any) -> Any:
    return getattr(ctx.services, "files", None)


@cmdlet("Test-Path", module=MGMT, class_name=NS + "TestPathCommand", default_set="Path")
class TestPath(Cmdlet):
    """True when the path exists on the emulated host (-PathType Leaf/Container)."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True),
                 allow_empty_string=True, allow_null=True)
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    PathType = Param("string", aliases=("Type",), validate=(ValidateSet("Any", "Container", "Leaf"),))
    IsValid = Param("switch")
    Filter = Param("string")
    Include = Param("string[]")
    Exclude = Param("string[]")

    def process_record(self) -> Iterator[Any]:
        paths = self.Path if self.ctx.parameter_set == "Path" else self.LiteralPath
        files = _files(self.ctx)
        for raw in paths or [None]:
            if raw is None or str(raw).strip() == "":
                self.ctx.throw_terminating(
                    "Cannot bind argument to parameter 'Path' because it is an empty string." if raw == ""
                    else "Cannot bind argument to parameter 'Path' because it is null.",
                    "ParameterArgumentValidationErrorEmptyStringNotAllowed" if raw == ""
                    else "ParameterArgumentValidationErrorNullNotAllowed", "InvalidData")
            path = str(raw)
            if self.IsValid:
                yield not any(c in P.no_qualifier(path) for c in '<>|"')
                continue
            from hyperv_emu.psshim.cmdlets.registry_items import registry_exists

            in_registry = registry_exists(self.ctx, path, str(self.PathType or "Any"))
            if in_registry is not None:
                yield in_registry
                continue
            full = self.ctx.resolve_path(path)
            if files is None:
                yield False
                continue
            if has_wildcards(P.leaf(full)) and self.ctx.parameter_set == "Path":
                parent = P.parent(full)
                try:
                    names = files.list(parent) if files.exists(parent) else []
                except Exception:  # noqa: BLE001
                    names = []
                candidates = [P.join(parent, n) for n in names if wildcard_match(n, P.leaf(full))]
            else:
                candidates = [full] if files.exists(full) else []
            kind = str(self.PathType or "Any").casefold()
            is_dir = getattr(files, "is_dir", None)
            ok = False
            for c in candidates:
                if kind == "any":
                    ok = True
                elif is_dir is not None:
                    d = bool(is_dir(c))
                    ok = d if kind == "container" else not d
                if ok:
                    break
            yield ok


@cmdlet("Join-Path", module=MGMT, class_name=NS + "JoinPathCommand")
class JoinPath(Cmdlet):
    """Joins a parent path and child paths with one backslash."""

    Path = Param("string[]", position=0, mandatory=True, pipeline=True, pipeline_by_property=True,
                 aliases=("PSPath",))
    ChildPath = Param("string", position=1, mandatory=True, pipeline_by_property=True, allow_empty_string=True,
                      allow_null=True)
    AdditionalChildPath = Param("string[]", position=2, remaining=True)
    Resolve = Param("switch")

    def process_record(self) -> Iterator[Any]:
        for parent in self.Path or []:
            out = P.join(str(parent), str(self.ChildPath or ""))
            for extra in self.AdditionalChildPath or []:
                if not options.is_core():
                    self.ctx.throw_terminating(
                        f"A positional parameter cannot be found that accepts argument '{extra}'.",
                        "PositionalParameterNotFound", "InvalidArgument",
                        exception_type="System.Management.Automation.ParameterBindingException")
                out = P.join(out, str(extra))
            if self.Resolve:
                files = _files(self.ctx)
                full = self.ctx.resolve_path(out)
                if files is None or not files.exists(full):
                    self.ctx.write_error(self.ctx.error_record(
                        f"Cannot find path '{full}' because it does not exist.", "PathNotFound", "ObjectNotFound",
                        target_object=full, exception_type="System.Management.Automation.ItemNotFoundException"))
                    continue
                out = full
            yield out


@cmdlet("Split-Path", module=MGMT, class_name=NS + "SplitPathCommand", default_set="ParentSet")
class SplitPath(Cmdlet):
    """The parent, leaf, qualifier (drive) of a path."""

    Path = Param("string[]", position=0, mandatory=True, pipeline=True, pipeline_by_property=True)
    Parent = Param("switch", InSet("ParentSet"))
    Leaf = Param("switch", InSet("LeafSet", mandatory=True))
    LeafBase = Param("switch", InSet("LeafBaseSet", mandatory=True))
    Extension = Param("switch", InSet("ExtensionSet", mandatory=True))
    Qualifier = Param("switch", InSet("QualifierSet", mandatory=True))
    NoQualifier = Param("switch", InSet("NoQualifierSet", mandatory=True))
    IsAbsolute = Param("switch", InSet("IsAbsoluteSet", mandatory=True))
    Resolve = Param("switch")

    def process_record(self) -> Iterator[Any]:
        for raw in self.Path or []:
            p = str(raw)
            s = self.ctx.parameter_set
            if s == "LeafSet":
                yield P.leaf(p)
            elif s == "LeafBaseSet":
                leaf = P.leaf(p)
                yield leaf.rsplit(".", 1)[0] if "." in leaf else leaf
            elif s == "ExtensionSet":
                leaf = P.leaf(p)
                yield "." + leaf.rsplit(".", 1)[1] if "." in leaf else ""
            elif s == "QualifierSet":
                q = P.qualifier(p)
                if not q:
                    self.ctx.write_error(self.ctx.error_record(
                        f"Cannot parse path because path '{p}' does not have a qualifier specified.",
                        "ParsePathFormatError", "InvalidArgument", target_object=p,
                        exception_type="System.Management.Automation.ParameterBindingException"))
                    continue
                yield q
            elif s == "NoQualifierSet":
                yield P.no_qualifier(p)
            elif s == "IsAbsoluteSet":
                yield P.is_rooted(p)
            else:
                yield P.parent(p)


class PathInfo(PSNative):
    __ps_type_names__ = ["System.Management.Automation.PathInfo", "System.Object"]

    def __init__(self, path: str) -> None:
        self.path = path

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Path", self.path)]

    def __ps_get__(self, name: str) -> tuple[bool, Any]:
        extra = {"drive": self.path[:1], "provider": "Microsoft.PowerShell.Core\\FileSystem",
                 "providerpath": self.path, "path": self.path}
        if name.casefold() in extra:
            return True, extra[name.casefold()]
        return False, None

    def __ps_string__(self) -> str:
        return self.path


@cmdlet("Get-Location", aliases=("gl", "pwd"), module=MGMT, class_name=NS + "GetLocationCommand")
class GetLocation(Cmdlet):
    """The current location."""

    def process_record(self) -> Iterator[Any]:
        yield PathInfo(self.ctx.interp.location)


@cmdlet("Set-Location", aliases=("cd", "sl", "chdir"), module=MGMT, class_name=NS + "SetLocationCommand")
class SetLocation(Cmdlet):
    """Changes the current location (a folder of the emulated host)."""

    Path = Param("string", position=0, pipeline=True, pipeline_by_property=True)
    LiteralPath = Param("string", aliases=("PSPath",))
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        target = self.Path or self.LiteralPath or "C:\\Users\\Administrator"
        full = self.ctx.resolve_path(str(target))
        files = _files(self.ctx)
        if files is None or not files.exists(full):
            self.ctx.write_error(self.ctx.error_record(
                f"Cannot find path '{full}' because it does not exist.", "PathNotFound", "ObjectNotFound",
                target_object=full, exception_type="System.Management.Automation.ItemNotFoundException"))
            return
        self.ctx.interp.location = full
        self.ctx.interp.global_scope.define("PWD", full)
        if self.PassThru:
            yield PathInfo(full)


@cmdlet("Resolve-Path", aliases=("rvpa",), module=MGMT, class_name=NS + "ResolvePathCommand")
class ResolvePath(Cmdlet):
    """Absolute paths of existing items."""

    Path = Param("string[]", position=0, mandatory=True, pipeline=True, pipeline_by_property=True)
    Relative = Param("switch")

    def process_record(self) -> Iterator[Any]:
        files = _files(self.ctx)
        for raw in self.Path or []:
            full = self.ctx.resolve_path(str(raw))
            if files is None or not files.exists(full):
                self.ctx.write_error(self.ctx.error_record(
                    f"Cannot find path '{full}' because it does not exist.", "PathNotFound", "ObjectNotFound",
                    target_object=full, exception_type="System.Management.Automation.ItemNotFoundException"))
                continue
            yield PathInfo(full)


@cmdlet("Get-Help", aliases=("help", "man"), module=CORE, class_name=NS + "GetHelpCommand")
class GetHelp(Cmdlet):
    """Not emulated: there is no help content (see docs/supported-cmdlets.md)."""

    Name = Param("string", position=0, pipeline_by_property=True)
    Full = Param("switch")
    Detailed = Param("switch")
    Examples = Param("switch")
    Parameter = Param("string")
    Online = Param("switch")

    def process_record(self) -> None:
        raise not_supported("Get-Help (see docs/supported-cmdlets.md for what each cmdlet accepts)")
