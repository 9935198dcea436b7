"""Member access on PowerShell values: properties, methods, statics, indexing.

- `get_member(obj, name, env)`: `$x.Name` (PSObject notes, Hashtable keys first, adapted SDK
  objects through the AdapterRegistry, DateTime/TimeSpan/string/array properties, `.Count` on
  scalars = 1 and on $null = 0, member enumeration over arrays: `(Get-VM).Name`).
- `set_member`, `invoke_method` (`$d.AddDays(-7)`, `$s.Split(',')`, `$list.Add(x)`, ...),
  `get_static`/`invoke_static` (`[math]::Round`, `[datetime]::Now`, `[string]::IsNullOrEmpty`),
  `get_index`/`set_index`, and `properties_of(obj)` (what `Select-Object *` and the formatter list).

Errors use PowerShell's texts: `You cannot call a method on a null-valued expression.`,
`Method invocation failed because [T] does not contain a method named 'M'.`,
`Exception calling "M" with "n" argument(s): "..."`, `Cannot index into a null array.`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import uuid
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Callable, MutableMapping, Protocol, cast

from hyperv_emu.psshim.format.objects import timespan_ticks
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import dotnet_datetime as dtf
from hyperv_emu.psshim.runtime import dotnet_io
from hyperv_emu.psshim.runtime import operators as O
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import types as T
# VOID and method_exception are re-exported: callers use M.VOID and M.method_exception.
from hyperv_emu.psshim.runtime.dotnet_methods import VOID as VOID
from hyperv_emu.psshim.runtime.dotnet_methods import method_exception as method_exception
from hyperv_emu.psshim.runtime.dotnet_methods import overload_error, param_note
from hyperv_emu.psshim.runtime.dotnet_regex import (
    REGEX_TIMEOUT_EXCEPTION,
    PSGroup,
    PSMatch,
    PSRegex,
    compile_regex,
    expand_replacement,
)
from hyperv_emu.psshim.runtime.errors import PSError, not_supported, runtime_error
from hyperv_emu.psshim.runtime.nativeobjects import (
    NOT_FOUND,
    CategoryInfoView,
    CultureInfoValue,
    DictionaryEntry,
    ExceptionView,
    InvocationInfoView,
    PSNative,
    PSObjectView,
    StringBuilder,
)
from hyperv_emu.psshim.runtime.records import ErrorRecord, InformationRecord, VerboseRecord, WarningRecord
from hyperv_emu.psshim.runtime import textformat
from hyperv_emu.psshim.runtime.textformat import culture_string, format_datetime, format_number
from hyperv_emu.psshim.runtime.values import (
    AdapterRegistry,
    ArrayList,
    Char,
    GenericList,
    Hashtable,
    KeyCollection,
    Int64,
    PSObject,
    Version,
    type_names,
)


class MemberEnv(Protocol):
    adapters: AdapterRegistry
    types: T.TypeTable

    @property
    def culture(self) -> str: ...

    @property
    def ofs(self) -> str: ...

    @property
    def environment(self) -> MutableMapping[str, str]: ...

    def now(self) -> dt.datetime: ...

    def new_guid(self) -> uuid.UUID: ...

    def invoke_scriptblock(self, sb: Any, args: list[Any], this: Any = None,
                           dollar_under: Any = NOT_FOUND) -> list[Any]: ...

    def create_scriptblock(self, text: str) -> Any: ...

    def file_exists(self, path: str) -> bool: ...

    def read_file(self, path: str) -> str: ...

    def format(self, fmt: str, args: list[Any]) -> str: ...

    def set_matches(self, table: Hashtable) -> None: ...


SCRIPTBLOCK_TYPE = "System.Management.Automation.ScriptBlock"


def is_scriptblock(v: Any) -> bool:
    return hasattr(v, "__ps_scriptblock__")


class ScriptProperty:
    """A ScriptProperty member (Add-Member -MemberType ScriptProperty): evaluated on access."""

    def __init__(self, getter: Any) -> None:
        self.getter = getter


class ScriptMethod:
    def __init__(self, body: Any) -> None:
        self.body = body


# ------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------


def null_method() -> PSError:
    return runtime_error("You cannot call a method on a null-valued expression.", "InvokeMethodOnNull",
                         "InvalidOperation")


def method_not_found(obj: Any, name: str, adapters: AdapterRegistry | None) -> PSError:
    tn = "System.Object[]" if isinstance(obj, list) and type(obj) is list else type_names(obj, adapters)[0]
    if isinstance(obj, T.PSType):
        tn = obj.full_name
    return runtime_error(
        f"Method invocation failed because [{tn}] does not contain a method named '{name}'.",
        "MethodNotFound", "InvalidOperation")


def static_not_found(t: T.PSType, name: str) -> PSError:
    return runtime_error(
        f"Method invocation failed because [{t.full_name}] does not contain a method named '{name}'.",
        "MethodNotFound", "InvalidOperation")


def readonly_property(name: str) -> PSError:
    return runtime_error(f"'{name}' is a ReadOnly property.", "PropertyAssignmentException", "InvalidOperation")


def property_not_found(name: str) -> PSError:
    return runtime_error(
        f"The property '{name}' cannot be found on this object. Verify that the property exists and can be set.",
        "PropertyNotFound", "InvalidOperation")


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------


def datetime_property(d: dt.datetime, name: str) -> tuple[bool, Any]:
    n = name.casefold()
    table: dict[str, Callable[[], Any]] = {
        "year": lambda: d.year, "month": lambda: d.month, "day": lambda: d.day,
        "hour": lambda: d.hour, "minute": lambda: d.minute, "second": lambda: d.second,
        "millisecond": lambda: d.microsecond // 1000,
        "dayofweek": lambda: C.DayOfWeek((d.weekday() + 1) % 7),
        "dayofyear": lambda: d.timetuple().tm_yday,
        "date": lambda: dt.datetime(d.year, d.month, d.day),
        "timeofday": lambda: dt.timedelta(hours=d.hour, minutes=d.minute, seconds=d.second,
                                          microseconds=d.microsecond),
        "ticks": lambda: dtf.ticks_of(d),
        "kind": lambda: "Local",
        "datetime": lambda: format_datetime(d, "F", "en-US"),
    }
    fn = table.get(n)
    return (True, fn()) if fn else (False, None)


def _ts_parts(t: dt.timedelta) -> tuple[int, int, int, int, int, int]:
    ticks = timespan_ticks(t)
    sign = -1 if ticks < 0 else 1
    a = abs(ticks)
    days, rem = divmod(a, 86400 * 10**7)
    hours, rem = divmod(rem, 3600 * 10**7)
    minutes, rem = divmod(rem, 60 * 10**7)
    seconds, rem = divmod(rem, 10**7)
    ms = rem // 10**4
    return sign, days, hours, minutes, seconds, ms


def timespan_property(t: dt.timedelta, name: str) -> tuple[bool, Any]:
    n = name.casefold()
    sign, days, hours, minutes, seconds, ms = _ts_parts(t)
    ticks = timespan_ticks(t)
    table: dict[str, Any] = {
        "days": sign * days, "hours": sign * hours, "minutes": sign * minutes,
        "seconds": sign * seconds, "milliseconds": sign * ms, "ticks": Int64(ticks) if abs(ticks) < 2**31 else ticks,
        "totaldays": ticks / (86400 * 10**7), "totalhours": ticks / (3600 * 10**7),
        "totalminutes": ticks / (60 * 10**7), "totalseconds": ticks / 10**7,
        "totalmilliseconds": ticks / 10**4,
    }
    if n in table:
        return True, table[n]
    return False, None


TIMESPAN_PROPERTIES = ["Days", "Hours", "Milliseconds", "Minutes", "Seconds", "Ticks", "TotalDays",
                       "TotalHours", "TotalMilliseconds", "TotalMinutes", "TotalSeconds"]
DATETIME_PROPERTIES = ["DisplayHint", "Date", "Day", "DayOfWeek", "DayOfYear", "Hour", "Kind", "Millisecond",
                       "Minute", "Month", "Second", "Ticks", "TimeOfDay", "Year", "DateTime"]


def error_record_property(r: ErrorRecord, name: str) -> tuple[bool, Any]:
    n = name.casefold()
    if n == "exception":
        return True, ExceptionView(r.exception_type, r.message, None, r)
    if n == "categoryinfo":
        return True, CategoryInfoView(r.category_info)
    if n == "fullyqualifiederrorid":
        return True, r.fully_qualified_error_id
    if n == "targetobject":
        return True, r.target_object
    if n == "invocationinfo":
        return True, InvocationInfoView(r.invocation)
    if n == "errordetails":
        return True, None
    if n == "scriptstacktrace":
        pos = r.invocation.position if r.invocation else None
        if pos is None:
            return True, ""
        where = pos.script_path or "<No file>"
        return True, f"at <ScriptBlock>, {where}: line {pos.extent.start_line}"
    if n == "pipelineiterationinfo":
        return True, []
    return False, None


def properties_of(obj: Any, adapters: AdapterRegistry | None) -> list[tuple[str, Any]]:
    """The object's properties in PowerShell order (Select-Object *, Format-List *)."""
    if obj is None:
        return []
    if isinstance(obj, PSObject):
        out = []
        for k, v in obj.properties.items():
            out.append((k, v))
        return out
    if adapters is not None:
        adapter = adapters.find(obj)
        if adapter is not None:
            return adapter.properties(obj)
    if isinstance(obj, PSNative) or hasattr(obj, "__ps_properties__"):
        result: list[tuple[str, Any]] = obj.__ps_properties__()
        return result
    if isinstance(obj, dt.timedelta):
        return [(p, timespan_property(obj, p)[1]) for p in TIMESPAN_PROPERTIES]
    if isinstance(obj, dt.datetime):
        return [(p, datetime_property(obj, p)[1]) for p in DATETIME_PROPERTIES if p != "DisplayHint"] \
            + [("DisplayHint", "DateTime")]
    if isinstance(obj, Hashtable):
        return [("IsReadOnly", False), ("IsFixedSize", False), ("IsSynchronized", False),
                ("Keys", list(obj.keys())), ("Values", list(obj.values())), ("SyncRoot", None),
                ("Count", len(obj))]
    if isinstance(obj, ErrorRecord):
        return [(n, error_record_property(obj, n)[1]) for n in
                ("PSMessageDetails", "Exception", "TargetObject", "CategoryInfo", "FullyQualifiedErrorId",
                 "ErrorDetails", "InvocationInfo", "ScriptStackTrace", "PipelineIterationInfo")]
    if isinstance(obj, (WarningRecord, VerboseRecord)):
        return [("Message", obj.message), ("InvocationInfo", None), ("PipelineIterationInfo", [])]
    if isinstance(obj, InformationRecord):
        return [("MessageData", obj.text), ("Source", ""), ("TimeGenerated", None), ("Tags", []),
                ("User", ""), ("Computer", ""), ("ProcessId", 0), ("NativeThreadId", 0), ("ManagedThreadId", 0)]
    if isinstance(obj, str):
        return [("Length", len(obj))]
    if isinstance(obj, Version):
        return [("Major", obj.major), ("Minor", obj.minor), ("Build", obj.build), ("Revision", obj.revision),
                ("MajorRevision", -1 if obj.revision < 0 else obj.revision >> 16),
                ("MinorRevision", -1 if obj.revision < 0 else obj.revision & 0xFFFF)]
    if isinstance(obj, uuid.UUID):
        return [("Guid", str(obj))]
    if isinstance(obj, T.PSType):
        return [("IsPublic", True), ("IsSerial", obj.kind not in ("static",)), ("Name", obj.name),
                ("BaseType", _base_type_name(obj)), ("FullName", obj.full_name)]
    if is_scriptblock(obj):
        return [("Attributes", []), ("File", getattr(obj, "file", None)), ("IsFilter", False),
                ("IsConfiguration", False), ("Module", None), ("StartPosition", None),
                ("DebuggerHidden", False), ("Id", None), ("Ast", None)]
    return []


def _base_type_name(t: T.PSType) -> str:
    k = t.kind
    if k in ("int", "double", "decimal", "bool", "char", "datetime", "timespan", "guid"):
        return "System.ValueType"
    if k == "enum":
        return "System.Enum"
    if k == "array":
        return "System.Array"
    return "System.Object"


def get_member(obj: Any, name: str, env: MemberEnv) -> Any:
    found, value = try_get_member(obj, name, env)
    return value if found else None


def try_get_member(obj: Any, name: str, env: MemberEnv) -> tuple[bool, Any]:
    n = name.casefold()
    if obj is None or isinstance(obj, C.AutomationNull):
        if n in ("count", "length"):
            return True, 0
        return False, None
    if n == "pstypenames":
        return True, type_names(obj, env.adapters)
    if n == "psobject":
        return True, PSObjectView(obj, properties_of(obj, env.adapters), type_names(obj, env.adapters))
    if isinstance(obj, PSObject):
        if obj.has(name):
            v = obj.get(name)
            if isinstance(v, ScriptProperty):
                return True, C.collect(env.invoke_scriptblock(v.getter, [], this=obj))
            if isinstance(v, ScriptMethod):
                return True, v
            return True, v
        if n in ("count", "length"):
            return True, 1
        return False, None
    if isinstance(obj, Hashtable):
        if name in obj:
            return True, obj[name]
        table: dict[str, Callable[[], Any]] = {"count": lambda: len(obj), "keys": lambda: KeyCollection(obj),
                 "values": lambda: list(obj.values()), "isreadonly": lambda: False,
                 "isfixedsize": lambda: False, "issynchronized": lambda: False, "syncroot": lambda: obj}
        getter = table.get(n)
        if getter is not None:
            return True, getter()
        return False, None
    if isinstance(obj, list):
        if n in ("count", "length", "longlength"):
            return True, len(obj)
        if n == "rank":
            return True, 1
        if n == "isfixedsize":
            return True, type(obj) is list
        if n in ("isreadonly", "issynchronized"):
            return True, False
        if n == "syncroot":
            return True, obj
        if n == "capacity" and isinstance(obj, (ArrayList, GenericList)):
            return True, max(4, len(obj))
        # member enumeration
        results: list[Any] = []
        any_found = False
        for item in obj:
            f, v = try_get_member(item, name, env)
            if f:
                any_found = True
                if v is None:
                    continue
                if isinstance(v, list):
                    results.extend(v)
                else:
                    results.append(v)
        if not any_found:
            return False, None
        return True, C.collect(results)
    if isinstance(obj, Char):
        if n in ("count", "length"):
            return True, 1
        return False, None
    if isinstance(obj, str):
        if n == "length":
            return True, len(obj)
        if n == "count":
            return True, 1
        if n == "chars":
            return False, None
        return False, None
    if isinstance(obj, dt.datetime):
        f, v = datetime_property(obj, name)
        if f:
            return True, v
    elif isinstance(obj, dt.timedelta):
        f, v = timespan_property(obj, name)
        if f:
            return True, v
    elif isinstance(obj, ErrorRecord):
        f, v = error_record_property(obj, name)
        if f:
            return True, v
    elif isinstance(obj, (WarningRecord, VerboseRecord)) and n == "message":
        return True, obj.message
    elif isinstance(obj, InformationRecord) and n in ("messagedata",):
        return True, obj.text
    elif isinstance(obj, enum.Enum) and n == "value__":
        return True, obj.value
    elif isinstance(obj, T.PSType):
        for k, v in properties_of(obj, env.adapters):
            if k.casefold() == n:
                return True, v
        if n == "isenum":
            return True, obj.kind == "enum"
        if n == "namespace":
            return True, obj.full_name.rsplit(".", 1)[0] if "." in obj.full_name else ""
        if n == "isvaluetype":
            return True, _base_type_name(obj) in ("System.ValueType", "System.Enum")
        if n == "isarray":
            return True, obj.is_array
    elif isinstance(obj, (PSNative, PSGroup)):
        f, v = native_get(obj, name)
        if f:
            return True, v
    else:
        adapter = env.adapters.find(obj)
        if adapter is not None:
            f, v = adapter.lookup(obj, name)
            if f:
                return True, v
        elif hasattr(obj, "__ps_get__") or hasattr(obj, "__ps_properties__"):
            f, v = native_get(obj, name)
            if f:
                return True, v
        else:
            for k, v in properties_of(obj, env.adapters):
                if k.casefold() == n:
                    return True, v
    if n in ("count", "length"):
        return True, 1
    return False, None


def native_get(obj: Any, name: str) -> tuple[bool, Any]:
    """A property of a runtime object: its `__ps_get__` when it has one (for properties beyond
    its listed ones), else a case-insensitive look through `__ps_properties__`."""
    getter = getattr(obj, "__ps_get__", None)
    if getter is not None:
        result: tuple[bool, Any] = getter(name)
        return result
    folded = name.casefold()
    for k, v in obj.__ps_properties__():
        if k.casefold() == folded:
            return True, v
    return False, None


def set_member(obj: Any, name: str, value: Any, env: MemberEnv) -> None:
    if obj is None:
        raise runtime_error(
            f"The property '{name}' cannot be found on this object. Verify that the property exists and can be set.",
            "PropertyNotFound", "InvalidOperation")
    if isinstance(obj, PSObject):
        if not obj.has(name):
            raise property_not_found(name)
        current = obj.get(name)
        if isinstance(current, ScriptProperty):
            raise readonly_property(name)
        obj.set(name, value)
        return
    if isinstance(obj, Hashtable):
        obj[name] = value
        return
    if isinstance(obj, list):
        if name.casefold() in ("count", "length"):
            raise readonly_property(name)
        for item in obj:
            set_member(item, name, value, env)
        return
    setter = getattr(obj, "__ps_set__", None)
    if setter is not None:
        setter(name, value)
        return
    found, _ = try_get_member(obj, name, env)
    if found:
        raise readonly_property(name)
    raise property_not_found(name)


# ------------------------------------------------------------------------------------------
# indexing
# ------------------------------------------------------------------------------------------


def get_index(obj: Any, index: Any, env: MemberEnv) -> Any:
    if obj is None:
        raise runtime_error("Cannot index into a null array.", "NullArray", "InvalidOperation")
    if isinstance(obj, Hashtable):
        if isinstance(index, list):
            return [obj.get(k) for k in index]
        return obj.get(index)
    if isinstance(obj, PSObject):
        if isinstance(index, str):
            return obj.get(index)
        raise runtime_error(f"Unable to index into an object of type {obj.type_names[0]}.", "CannotIndex",
                            "InvalidOperation")
    if isinstance(obj, (list, str)):
        if isinstance(index, list):
            out = []
            for i in index:
                v = _index_one(obj, i)
                if v is not _MISSING:
                    out.append(v)
            return out
        v = _index_one(obj, index)
        return None if v is _MISSING else v
    getter = getattr(obj, "__ps_index__", None)
    if getter is not None:
        return getter(index)
    if isinstance(obj, PSMatch):
        return None
    # a scalar indexed by 0 (or -1) is itself
    try:
        i = C.to_integer(index, T.INT32)
    except PSError:
        raise runtime_error(f"Unable to index into an object of type {type_names(obj, env.adapters)[0]}.",
                            "CannotIndex", "InvalidOperation") from None
    if i in (0, -1):
        return obj
    return None


_MISSING: Any = object()


def _index_one(obj: list[Any] | str, index: Any) -> Any:
    try:
        i = C.to_integer(index, T.INT32)
    except PSError:
        return _MISSING
    n = len(obj)
    if i < 0:
        i += n
    if 0 <= i < n:
        v = obj[i]
        return Char(v) if isinstance(obj, str) else v
    return _MISSING


def set_index(obj: Any, index: Any, value: Any, env: MemberEnv) -> None:
    if obj is None:
        raise runtime_error("Cannot index into a null array.", "NullArray", "InvalidOperation")
    if isinstance(obj, Hashtable):
        obj[index] = value
        return
    if isinstance(obj, list):
        i = C.to_integer(index, T.INT32)
        n = len(obj)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise runtime_error("Index was outside the bounds of the array.", "System.IndexOutOfRangeException",
                                "OperationStopped", exception_type="System.IndexOutOfRangeException",
                                target_object=None)
        obj[j] = value
        return
    if isinstance(obj, PSObject) and isinstance(index, str):
        set_member(obj, index, value, env)
        return
    raise runtime_error(f"Unable to index into an object of type {type_names(obj, env.adapters)[0]}.",
                        "CannotIndex", "InvalidOperation")


# ------------------------------------------------------------------------------------------
# instance methods
# ------------------------------------------------------------------------------------------


def _argc(name: str, args: list[Any], *allowed: int) -> None:
    if len(args) not in allowed:
        raise overload_error(name, len(args))


def _int(v: Any) -> int:
    return C.to_integer(v, T.INT32)


def _str(v: Any) -> str:
    return C.to_string(v)


def _culture_name(arg: Any, env: MemberEnv) -> str:
    if isinstance(arg, CultureInfoValue):
        return arg.name or "invariant"
    if arg is None:
        return env.culture
    return _str(arg) or "invariant"


def invoke_method(obj: Any, name: str, args: list[Any], env: MemberEnv) -> Any:
    if obj is None or isinstance(obj, C.AutomationNull):
        raise null_method()
    n = name.casefold()
    if n == "gettype" and not args:
        return T.type_of(obj, env.adapters, env.types)
    if isinstance(obj, PSObject):
        member = obj.get(name) if obj.has(name) else None
        if isinstance(member, ScriptMethod):
            return C.collect(env.invoke_scriptblock(member.body, args, this=obj))
        if n == "tostring" and not args:
            if options.is_core():
                return C.psobject_string(obj, env.adapters)
            return "" if "System.Management.Automation.PSCustomObject" in obj.type_names else obj.type_names[0]
        if n == "equals" and len(args) == 1:
            return obj is args[0]
        if n == "gethashcode":
            return id(obj) & 0x7FFFFFFF
        raise method_not_found(obj, name, env.adapters)
    if is_scriptblock(obj):
        if n == "invoke":
            return list(env.invoke_scriptblock(obj, args))
        if n == "invokereturnasis":
            return C.collect(env.invoke_scriptblock(obj, args))
        if n == "getnewclosure":
            return obj
        if n == "tostring":
            return C.to_string(obj)
        raise method_not_found(obj, name, env.adapters)
    if isinstance(obj, str) and not isinstance(obj, Char):
        return _string_method(obj, name, n, args, env)
    if isinstance(obj, Hashtable):
        return _hashtable_method(obj, name, n, args, env)
    if isinstance(obj, list):
        return _list_method(obj, name, n, args, env)
    if isinstance(obj, dt.datetime):
        return _datetime_method(obj, name, n, args, env)
    if isinstance(obj, dt.timedelta):
        return _timespan_method(obj, name, n, args, env)
    if isinstance(obj, PSRegex):
        return _regex_method(obj, name, n, args, env)
    if isinstance(obj, PSMatch) and n == "nextmatch":
        m = obj.match
        if m is None:
            return PSMatch(None)
        nxt = m.re.search(m.string, m.end() if m.end() > m.start() else m.end() + 1)
        return PSMatch(nxt)
    if n == "tostring":
        return _to_string_method(obj, args, env)
    if n == "equals" and len(args) == 1:
        return O.equals(obj, args[0], False, env.adapters)
    if n == "compareto" and len(args) == 1:
        return O.compare(obj, args[0], False, env.adapters)
    if n == "gethashcode" and not args:
        try:
            return hash(obj) & 0x7FFFFFFF
        except TypeError:
            return id(obj) & 0x7FFFFFFF
    if isinstance(obj, (PSNative, PSGroup)):
        inv = getattr(obj, "__ps_invoke__", None)
        if inv is not None:
            r = inv(name, args)
            if r is not NOT_FOUND:
                return r
        raise method_not_found(obj, name, env.adapters)
    if isinstance(obj, (int, float, Decimal)) and not isinstance(obj, (bool, enum.Enum)):
        if n == "toint32" or n == "toint64":
            return C.to_integer(obj, T.INT32 if n == "toint32" else T.INT64)
    if isinstance(obj, bool) and n == "tobool":
        return obj
    if isinstance(obj, Char):
        if n in ("toupper", "toupperinvariant"):
            return Char(obj.upper())
        if n in ("tolower", "tolowerinvariant"):
            return Char(obj.lower())
    inv = getattr(obj, "__ps_invoke__", None)
    if inv is not None:
        r = inv(name, args)
        if r is not NOT_FOUND:
            return r
    raise method_not_found(obj, name, env.adapters)


def _to_string_method(obj: Any, args: list[Any], env: MemberEnv) -> str:
    if isinstance(obj, (int, float, Decimal)) and not isinstance(obj, (bool, enum.Enum)):
        if not args:
            if isinstance(obj, (float, Decimal)):
                return culture_string(obj, env.culture)
            return C.to_string(obj)
        fmt = _str(args[0])
        culture = _culture_name(args[1], env) if len(args) > 1 else env.culture
        return format_number(obj, fmt, culture)
    if isinstance(obj, enum.Enum) and args:
        f = _str(args[0]).upper()
        if f == "D":
            return str(obj.value)
        if f == "X":
            return format(int(obj.value), "08X")
        return C.enum_name(obj)
    if isinstance(obj, uuid.UUID) and args:
        f = _str(args[0])
        s = str(obj)
        return {"N": s.replace("-", ""), "B": "{" + s + "}", "P": "(" + s + ")"}.get(f.upper(), s)
    return C.to_string(obj, env.ofs, env.adapters)


def _string_method(s: str, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    na = len(args)
    if n in ("toupper", "toupperinvariant"):
        return s.upper()
    if n in ("tolower", "tolowerinvariant"):
        return s.lower()
    if n in ("trim", "trimstart", "trimend"):
        chars: str | None = None
        if args:
            chars = "".join(_str(a) for a in (args[0] if isinstance(args[0], list) else args))
        if n == "trim":
            return s.strip(chars) if chars is not None else s.strip()
        if n == "trimstart":
            return s.lstrip(chars) if chars is not None else s.lstrip()
        return s.rstrip(chars) if chars is not None else s.rstrip()
    if n == "split":
        return _string_split(s, args)
    if n == "replace":
        _argc(name, args, 2, 3)
        old = _str(args[0])
        new = _str(args[1]) if args[1] is not None else ""
        if old == "":
            raise method_exception(name, na, "String cannot be of zero length." + param_note("oldValue"))
        if na == 3 and C.to_bool(args[2]):
            return re.sub(re.escape(old), lambda _m: new, s, flags=re.IGNORECASE)
        return s.replace(old, new)
    if n == "contains":
        _argc(name, args, 1, 2)
        if args[0] is None:
            raise method_exception(name, na, "Value cannot be null." + param_note("value"),
                                   "System.ArgumentNullException")
        sub = _str(args[0])
        if na == 2 and "ignorecase" in _str(args[1]).lower():
            return sub.lower() in s.lower()
        return sub in s
    if n in ("startswith", "endswith"):
        _argc(name, args, 1, 2, 3)
        sub = _str(args[0])
        ic = na >= 2 and ("ignorecase" in _str(args[1]).lower() or args[1] is True)
        a, b = (s.lower(), sub.lower()) if ic else (s, sub)
        return a.startswith(b) if n == "startswith" else a.endswith(b)
    if n in ("indexof", "lastindexof"):
        _argc(name, args, 1, 2, 3)
        sub = _str(args[0])
        if n == "indexof":
            start = _int(args[1]) if na >= 2 and not isinstance(args[1], str) else 0
            if na >= 2 and isinstance(args[1], str) and "ignorecase" in args[1].lower():
                return s.lower().find(sub.lower())
            if start > len(s):
                raise method_exception(name, na, "Index was out of range. Must be non-negative and less than the "
                                                 "size of the collection." + param_note("startIndex"),
                                       "System.ArgumentOutOfRangeException")
            return s.find(sub, start)
        return s.rfind(sub)
    if n == "indexofany":
        chars2 = _str(args[0]) if not isinstance(args[0], list) else "".join(_str(c) for c in args[0])
        idx = [s.find(c) for c in chars2 if c in s]
        return min(idx) if idx else -1
    if n == "substring":
        _argc(name, args, 1, 2)
        start = _int(args[0])
        if start < 0 or start > len(s):
            msg = "startIndex cannot be larger than length of string." if start > len(s) else \
                "StartIndex cannot be less than zero."
            raise method_exception(name, na, msg + param_note("startIndex"), "System.ArgumentOutOfRangeException")
        if na == 2:
            length = _int(args[1])
            if length < 0 or start + length > len(s):
                msg = "Index and length must refer to a location within the string." if length >= 0 else \
                    "Length cannot be less than zero."
                raise method_exception(name, na, msg + param_note("length"), "System.ArgumentOutOfRangeException")
            return s[start:start + length]
        return s[start:]
    if n in ("padleft", "padright"):
        _argc(name, args, 1, 2)
        width = _int(args[0])
        ch = _str(args[1]) if na == 2 else " "
        return s.rjust(width, ch) if n == "padleft" else s.ljust(width, ch)
    if n == "insert":
        _argc(name, args, 2)
        i = _int(args[0])
        return s[:i] + _str(args[1]) + s[i:]
    if n == "remove":
        _argc(name, args, 1, 2)
        i = _int(args[0])
        if na == 1:
            return s[:i]
        return s[:i] + s[i + _int(args[1]):]
    if n == "tochararray":
        return [Char(c) for c in s]
    if n == "tostring":
        return s
    if n == "equals":
        _argc(name, args, 1, 2)
        other = args[0]
        if not isinstance(other, str):
            return False
        if na == 2 and "ignorecase" in _str(args[1]).lower():
            return s.lower() == other.lower()
        return s == other
    if n == "compareto":
        return O.compare_strings(s, _str(args[0]), False)
    if n == "normalize":
        return s
    if n == "gethashcode":
        return hash(s) & 0x7FFFFFFF
    if n == "clone":
        return s
    if n == "format":
        return env.format(s, list(args))
    if n == "getenumerator":
        return [Char(c) for c in s]
    if n in ("isnormalized",):
        return True
    raise method_not_found(s, name, env.adapters)


def _string_split(s: str, args: list[Any]) -> list[Any]:
    if not args:
        return re.split(r"[\s]", s)
    first = args[0]
    options_arg = args[-1] if len(args) > 1 and isinstance(args[-1], (str, enum.Enum)) and \
        _str(args[-1]).lower() in ("removeemptyentries", "none", "trimentries") else None
    remove_empty = options_arg is not None and _str(options_arg).lower() == "removeemptyentries"
    count: int | None = None
    if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
        count = args[1]
    if isinstance(first, list):
        seps = [_str(x) for x in first]
        whole = any(len(x) > 1 for x in seps) and len(args) > 1 and options_arg is not None
        if not whole:
            seps = [c for x in seps for c in x]
    else:
        sep = _str(first)
        if options.is_core() and len(sep) > 1 and (len(args) == 1 or options_arg is not None or count is not None):
            seps = [sep]
        else:
            seps = list(sep) if sep else []
    if not seps:
        parts = re.split(r"\s", s)
    else:
        pattern = "|".join(re.escape(x) for x in sorted(seps, key=len, reverse=True))
        parts = re.split(pattern, s, maxsplit=(count - 1) if count and count > 0 else 0)
    if remove_empty:
        parts = [p for p in parts if p != ""]
    return parts


def _hashtable_method(h: Hashtable, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    na = len(args)
    if n == "add":
        _argc(name, args, 2)
        if args[0] is None:
            raise method_exception(name, na, "Key cannot be null." + param_note("key"),
                                   "System.ArgumentNullException")
        if args[0] in h:
            raise method_exception(
                name, na,
                f"Item has already been added. Key in dictionary: '{_str(args[0])}'  Key being added: '{_str(args[0])}'")
        h[args[0]] = args[1]
        return VOID
    if n in ("containskey", "contains"):
        _argc(name, args, 1)
        return args[0] in h
    if n == "containsvalue":
        return any(O.equals(v, args[0], False) for v in h.values())
    if n == "remove":
        _argc(name, args, 1)
        if args[0] in h:
            del h[args[0]]
        return VOID
    if n == "clear":
        h.clear()
        return VOID
    if n == "clone":
        return h.copy()
    if n == "getenumerator":
        return [DictionaryEntry(k, v) for k, v in h.items()]
    if n == "tostring":
        return C.to_string(h)
    if n == "equals":
        return h is (args[0] if args else None)
    if n == "gethashcode":
        return id(h) & 0x7FFFFFFF
    if n == "get_item":
        return h.get(args[0])
    if n == "set_item":
        h[args[0]] = args[1]
        return VOID
    raise method_not_found(h, name, env.adapters)


def _list_method(lst: list[Any], name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    na = len(args)
    growable = isinstance(lst, (ArrayList, GenericList))
    if n == "contains" and isinstance(lst, KeyCollection):
        _argc(name, args, 1)
        return args[0] in lst.table
    if n == "contains":
        _argc(name, args, 1)
        return any(O.equals(x, args[0], False, env.adapters) for x in lst)
    if n == "indexof":
        _argc(name, args, 1, 2)
        for i, x in enumerate(lst):
            if O.equals(x, args[0], False, env.adapters):
                return i
        return -1
    if n == "where":
        if not args:
            raise overload_error(name, 0)
        out = [x for x in lst if C.to_bool(C.collect(env.invoke_scriptblock(args[0], [], dollar_under=x)))]
        if na > 1:
            mode = _str(args[1]).lower()
            cnt = _int(args[2]) if na > 2 else 0
            if mode == "first":
                return out[: (cnt or 1)]
            if mode == "last":
                return out[-(cnt or 1):]
            if mode == "skipuntil":
                idx = next((i for i, x in enumerate(lst)
                            if C.to_bool(C.collect(env.invoke_scriptblock(args[0], [], dollar_under=x)))), len(lst))
                return lst[idx:]
        return out
    if n == "foreach":
        if not args:
            raise overload_error(name, 0)
        fn = args[0]
        out2: list[Any] = []
        if is_scriptblock(fn):
            for x in lst:
                out2.extend(env.invoke_scriptblock(fn, list(args[1:]), dollar_under=x))
            return out2
        if isinstance(fn, T.PSType):
            return [C.convert_to(x, fn, env.adapters) for x in lst]
        member = _str(fn)
        for x in lst:
            if na > 1:
                out2.append(invoke_method(x, member, list(args[1:]), env))
            else:
                v = get_member(x, member, env)
                out2.extend(v if isinstance(v, list) else [v])
        return out2
    if n == "add":
        _argc(name, args, 1)
        if not growable:
            raise method_exception(name, na, "Collection was of a fixed size.", "System.NotSupportedException")
        lst.append(args[0])
        return VOID if isinstance(lst, GenericList) else len(lst) - 1
    if n == "addrange":
        if not growable:
            raise method_not_found(lst, name, env.adapters)
        lst.extend(C.as_list(args[0]))
        return VOID
    if n in ("remove", "removeat", "insert", "clear", "reverse", "sort"):
        if not growable and n not in ("clear",):
            if n in ("reverse", "sort"):
                raise method_not_found(lst, name, env.adapters)
            raise method_exception(name, na, "Collection was of a fixed size.", "System.NotSupportedException")
        if n == "remove":
            for i, x in enumerate(lst):
                if O.equals(x, args[0], False, env.adapters):
                    del lst[i]
                    return True if isinstance(lst, GenericList) else VOID
            return False if isinstance(lst, GenericList) else VOID
        if n == "removeat":
            del lst[_int(args[0])]
            return VOID
        if n == "insert":
            lst.insert(_int(args[0]), args[1])
            return VOID
        if n == "clear":
            if not growable:
                for i in range(len(lst)):
                    lst[i] = None
            else:
                lst.clear()
            return VOID
        if n == "reverse":
            lst.reverse()
            return VOID
        if n == "sort":
            import functools

            lst.sort(key=functools.cmp_to_key(lambda a, b: O.compare(a, b, True, env.adapters)))
            return VOID
    if n == "toarray":
        return list(lst)
    if n == "clone":
        return type(lst)(lst) if not isinstance(lst, GenericList) else GenericList(lst, lst.element_type)
    if n == "getenumerator":
        return list(lst)
    if n == "tostring":
        return type_names(lst)[0]
    if n == "equals":
        return lst is (args[0] if args else None)
    if n == "gethashcode":
        return id(lst) & 0x7FFFFFFF
    if n == "getvalue":
        return get_index(lst, args[0], env)
    if n == "setvalue":
        set_index(lst, args[1], args[0], env)
        return VOID
    # method enumeration: call the method on every element
    if lst:
        out3 = []
        for x in lst:
            r = invoke_method(x, name, args, env)
            out3.append(r)
        return C.collect(out3)
    raise method_not_found(lst, name, env.adapters)


def _add_months(d: dt.datetime, months: int) -> dt.datetime:
    total = d.year * 12 + (d.month - 1) + months
    y, m = divmod(total, 12)
    m += 1
    import calendar

    last = calendar.monthrange(y, m)[1]
    return d.replace(year=y, month=m, day=min(d.day, last))


def _double_to_timedelta(value: float, unit_ms: float, name: str, nargs: int) -> dt.timedelta:
    ms = value * unit_ms
    if not math.isfinite(ms):
        raise method_exception(name, nargs, "Value to add was out of range." + param_note("value"),
                               "System.ArgumentOutOfRangeException")
    # .NET rounds to the nearest millisecond for AddDays/AddHours/... (Framework)
    rounded = int(ms + 0.5) if ms >= 0 else -int(-ms + 0.5)
    return dt.timedelta(milliseconds=rounded)


def _datetime_method(d: dt.datetime, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    na = len(args)
    units = {"adddays": 86400000.0, "addhours": 3600000.0, "addminutes": 60000.0, "addseconds": 1000.0,
             "addmilliseconds": 1.0}
    try:
        if n in units:
            _argc(name, args, 1)
            return d + _double_to_timedelta(C.to_double(args[0]), units[n], name, na)
        if n == "addticks":
            return d + dtf.timespan_from_ticks(C.to_integer(args[0], T.INT64))
        if n == "addmonths":
            _argc(name, args, 1)
            return _add_months(d, _int(args[0]))
        if n == "addyears":
            _argc(name, args, 1)
            return _add_months(d, 12 * _int(args[0]))
        if n == "add":
            _argc(name, args, 1)
            return d + C.to_timespan(args[0])
        if n == "subtract":
            _argc(name, args, 1)
            if isinstance(args[0], dt.datetime):
                return d - args[0]
            return d - C.to_timespan(args[0])
    except OverflowError:
        raise method_exception(name, na, "The added or subtracted value results in an un-representable DateTime."
                               + param_note("value"), "System.ArgumentOutOfRangeException") from None
    if n == "tostring":
        if na == 0:
            return culture_string(d, env.culture)
        fmt = _str(args[0]) if args[0] is not None else "G"
        culture = _culture_name(args[1], env) if na > 1 else env.culture
        if isinstance(args[0], CultureInfoValue):
            return format_datetime(d, "G", _culture_name(args[0], env))
        return format_datetime(d, fmt, culture)
    if n == "toshortdatestring":
        return format_datetime(d, "d", env.culture)
    if n == "tolongdatestring":
        return format_datetime(d, "D", env.culture)
    if n == "toshorttimestring":
        return format_datetime(d, "t", env.culture)
    if n == "tolongtimestring":
        return format_datetime(d, "T", env.culture)
    if n in ("touniversaltime", "tolocaltime"):
        return d
    if n == "compareto":
        return O.compare(d, args[0], False, env.adapters)
    if n == "equals":
        return isinstance(args[0], dt.datetime) and args[0] == d
    if n == "isdaylightsavingtime":
        return False
    if n == "tofiletime" or n == "tofiletimeutc":
        return dtf.ticks_of(d) - dtf.ticks_of(dt.datetime(1601, 1, 1))
    if n == "gethashcode":
        return hash(d) & 0x7FFFFFFF
    if n == "getdatetimeformats":
        raise not_supported("DateTime.GetDateTimeFormats()")
    raise method_not_found(d, name, env.adapters)


def _timespan_method(t: dt.timedelta, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    if n == "add":
        return t + C.to_timespan(args[0])
    if n == "subtract":
        return t - C.to_timespan(args[0])
    if n == "negate":
        return -t
    if n == "duration":
        return abs(t)
    if n == "tostring":
        fmt = _str(args[0]) if args and args[0] is not None else None
        culture = _culture_name(args[1], env) if len(args) > 1 else env.culture
        return textformat.format_timespan(t, fmt, culture)
    if n == "compareto":
        return O.compare(t, args[0], False, env.adapters)
    if n == "equals":
        return isinstance(args[0], dt.timedelta) and args[0] == t
    raise method_not_found(t, name, env.adapters)


def _regex_method(rx: PSRegex, name: str, n: str, args: list[Any], env: MemberEnv, nargs: int | None = None) -> Any:
    """A method of a Regex; a match past hvemu's time limit is the RegexMatchTimeoutException
    .NET throws from the method, wrapped as PowerShell wraps any exception of a method call."""
    try:
        return _regex_call(rx, name, n, args, env)
    except PSError as exc:
        if exc.record.exception_type != REGEX_TIMEOUT_EXCEPTION:
            raise
        raise method_exception(name, len(args) if nargs is None else nargs, exc.record.message,
                               REGEX_TIMEOUT_EXCEPTION) from None


def _regex_call(rx: PSRegex, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    if n == "match":
        return PSMatch(rx.compiled.search(_str(args[0])))
    if n == "matches":
        return [PSMatch(m) for m in rx.compiled.finditer(_str(args[0]))]
    if n == "ismatch":
        return rx.compiled.search(_str(args[0])) is not None
    if n == "replace":
        rep = _str(args[1])
        return rx.compiled.sub(lambda m: expand_replacement(rep, m), _str(args[0]))
    if n == "split":
        return [p for p in rx.compiled.split(_str(args[0])) if p is not None]
    if n == "tostring":
        return rx.pattern
    if n == "getgroupnames":
        names = [str(i) for i in range(rx.compiled.groups + 1)]
        named = list(rx.compiled.groupindex)
        return [x for x in names if int(x) not in rx.compiled.groupindex.values()] + named
    raise method_not_found(rx, name, env.adapters)


# ------------------------------------------------------------------------------------------
# statics
# ------------------------------------------------------------------------------------------


def _round(args: list[Any], name: str) -> Any:
    na = len(args)
    if na == 0 or na > 3:
        raise overload_error(name, na)
    x = args[0]
    digits = 0
    mode = "ToEven"
    if na >= 2:
        if isinstance(args[1], enum.Enum) or (isinstance(args[1], str)
                                              and not args[1].strip().lstrip("-").isdigit()):
            mode = _str(args[1])
        else:
            digits = _int(args[1])
    if na == 3:
        mode = _str(args[2])
    away = mode.lower() in ("awayfromzero", "1")
    if isinstance(x, Decimal):
        q = Decimal(1).scaleb(-digits)
        from decimal import ROUND_HALF_UP

        return x.quantize(q, rounding=ROUND_HALF_UP if away else ROUND_HALF_EVEN)
    v = C.to_double(x)
    if digits < 0 or digits > 15:
        raise method_exception(name, na, "Rounding digits must be between 0 and 15, inclusive."
                               + param_note("digits"), "System.ArgumentOutOfRangeException")
    if math.isnan(v) or math.isinf(v):
        return v
    power = 10.0 ** digits
    scaled = v * power if abs(v) < 1e16 else v
    if away:
        r = math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1)
    else:
        r = round(scaled)
    return float(r) / power if abs(v) < 1e16 else v


def _math_static(name: str, n: str, args: list[Any]) -> Any:
    def d(i: int) -> float:
        return C.to_double(args[i])

    if n == "round":
        return _round(args, name)
    if n in ("floor", "ceiling", "truncate"):
        _argc(name, args, 1)
        if isinstance(args[0], Decimal):
            v = args[0]
            return Decimal(math.floor(v) if n == "floor" else math.ceil(v) if n == "ceiling" else int(v))
        f = d(0)
        return float(math.floor(f) if n == "floor" else math.ceil(f) if n == "ceiling" else math.trunc(f))
    if n == "abs":
        _argc(name, args, 1)
        v = args[0]
        if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            return abs(v)
        return abs(d(0))
    if n in ("max", "min"):
        _argc(name, args, 2)
        a, b = args
        if all(isinstance(x, int) and not isinstance(x, bool) for x in (a, b)):
            return max(a, b) if n == "max" else min(a, b)
        if any(isinstance(x, Decimal) for x in (a, b)):
            da, db = C.to_decimal(a), C.to_decimal(b)
            return max(da, db) if n == "max" else min(da, db)
        fa, fb = d(0), d(1)
        return max(fa, fb) if n == "max" else min(fa, fb)
    if n == "pow":
        _argc(name, args, 2)
        try:
            return math.pow(d(0), d(1))
        except OverflowError:
            return math.inf
    if n == "sqrt":
        _argc(name, args, 1)
        f = d(0)
        return math.sqrt(f) if f >= 0 else math.nan
    if n == "log":
        _argc(name, args, 1, 2)
        f = d(0)
        if f <= 0:
            return -math.inf if f == 0 else math.nan
        return math.log(f) if len(args) == 1 else math.log(f, d(1))
    if n == "log10":
        f = d(0)
        return math.log10(f) if f > 0 else (-math.inf if f == 0 else math.nan)
    if n == "log2":
        return math.log2(d(0))
    if n == "exp":
        return math.exp(d(0))
    if n == "sign":
        v = args[0]
        return (v > 0) - (v < 0)
    if n in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"):
        return float(getattr(math, n)(d(0)))
    if n == "atan2":
        return math.atan2(d(0), d(1))
    if n == "divrem":
        raise not_supported("[math]::DivRem with a [ref] argument")
    if n == "bigmul":
        return int(args[0]) * int(args[1])
    if n == "clamp":
        return max(args[1], min(args[0], args[2]))
    return NOT_FOUND


def get_static(t: T.PSType, name: str, env: MemberEnv) -> Any:
    n = name.casefold()
    fn = t.full_name
    hook = getattr(t.py_class, "ps_static_get", None)  # security.py's types
    if hook is not None:
        r0 = hook(name, env)
        return None if r0 is NOT_FOUND else r0
    if t.kind == "enum" and t.py_class is not None:
        for m in t.py_class:  # type: ignore[attr-defined]
            if m.name.casefold() == n:
                return m
        return None
    if t.kind == "enum" and fn == "System.Management.Automation.ActionPreference":
        for m in C.ActionPreference:
            if m.name.casefold() == n:
                return m
    if t.kind == "dayofweek":
        for m in C.DayOfWeek:
            if m.name.casefold() == n:
                return m
    if fn in ("System.Management.Automation.PSCmdlet", "System.Management.Automation.Cmdlet"):
        from hyperv_emu.psshim.runtime.parameters import common_parameter_names, optional_common_parameter_names

        if n == "commonparameters":
            return common_parameter_names()
        if n == "optionalcommonparameters":
            return optional_common_parameter_names()
    if fn == "System.Math":
        if n == "pi":
            return math.pi
        if n == "e":
            return math.e
    if fn == "System.DateTime":
        if n == "now":
            return env.now()
        if n == "today":
            now = env.now()
            return dt.datetime(now.year, now.month, now.day)
        if n == "utcnow":
            return env.now()
        if n == "minvalue":
            return dt.datetime(1, 1, 1)
        if n == "maxvalue":
            return dt.datetime(9999, 12, 31, 23, 59, 59, 999999)
    if fn == "System.TimeSpan":
        if n == "zero":
            return dt.timedelta(0)
        if n == "maxvalue":
            return dt.timedelta.max
        if n == "minvalue":
            return dt.timedelta.min
        if n.startswith("ticksper"):
            return {"tickspermillisecond": 10**4, "tickspersecond": 10**7, "ticksperminute": 6 * 10**8,
                    "ticksperhour": 36 * 10**9, "ticksperday": 864 * 10**9}.get(n)
    if t.kind == "int" and t.min is not None and t.max is not None:
        if n == "maxvalue":
            return Int64(t.max) if fn == "System.Int64" and t.max < 2**31 else t.max
        if n == "minvalue":
            return t.min
    if t.kind == "double":
        table = {"maxvalue": 1.7976931348623157e308, "minvalue": -1.7976931348623157e308,
                 "epsilon": 5e-324, "nan": math.nan, "positiveinfinity": math.inf,
                 "negativeinfinity": -math.inf}
        if n in table:
            return table[n]
    if t.kind == "decimal":
        if n == "maxvalue":
            return Decimal("79228162514264337593543950335")
        if n == "minvalue":
            return Decimal("-79228162514264337593543950335")
        if n in ("zero", "one", "minusone"):
            return Decimal({"zero": 0, "one": 1, "minusone": -1}[n])
    if fn == "System.String" and n == "empty":
        return ""
    if fn == "System.Boolean":
        if n == "truestring":
            return "True"
        if n == "falsestring":
            return "False"
    if fn == "System.Guid" and n == "empty":
        return uuid.UUID(int=0)
    if fn == "System.Environment":
        envmap = env.environment
        table2: dict[str, Callable[[], Any]] = {
            "newline": lambda: "\r\n",
            "machinename": lambda: _env_get(envmap, "COMPUTERNAME") or "localhost",
            "username": lambda: _env_get(envmap, "USERNAME") or "Administrator",
            "userdomainname": lambda: _env_get(envmap, "USERDOMAIN") or _env_get(envmap, "COMPUTERNAME") or "",
            "currentdirectory": lambda: _env_get(envmap, "PWD") or "C:\\",
            "processorcount": lambda: 4,
            "is64bitoperatingsystem": lambda: True,
            "is64bitprocess": lambda: True,
            "osversion": lambda: _OperatingSystem(Version(10, 0, 20348, 0)),
            "systemdirectory": lambda: "C:\\Windows\\system32",
            "tickcount": lambda: 0,
            "userinteractive": lambda: False,
            "version": lambda: Version(4, 0, 30319, 42000),
        }
        f = table2.get(n)
        if f is not None:
            return f()
    if fn == "System.IO.Path":
        if n == "directoryseparatorchar":
            return Char("\\")
        if n == "altdirectoryseparatorchar":
            return Char("/")
        if n == "pathseparator":
            return Char(";")
    if fn == "System.Globalization.CultureInfo":
        if n == "invariantculture":
            return CultureInfoValue("")
        if n in ("currentculture", "currentuiculture"):
            return CultureInfoValue(env.culture)
    if fn == "System.Text.RegularExpressions.Regex" and n == "cachesize":
        return 15
    r = dotnet_io.get_static(fn, n)
    if r is not NOT_FOUND:
        return r
    return None


class _OperatingSystem(PSNative):
    """`[Environment]::OSVersion` (System.OperatingSystem) of the emulated host, Windows Server
    2022; scripts test `.Version.Major -ge 10` (Vagrant's has_vmcx_support.ps1)."""

    __ps_type_names__ = ["System.OperatingSystem", "System.Object"]

    def __init__(self, version: Version) -> None:
        self.version = version

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Platform", "Win32NT"), ("ServicePack", ""), ("Version", self.version),
                ("VersionString", self.__ps_string__())]

    def __ps_string__(self) -> str:
        v = self.version
        return f"Microsoft Windows NT {v.major}.{v.minor}.{v.build}.{v.revision}"


def _env_get(m: MutableMapping[str, str], key: str) -> str | None:
    for k, v in m.items():
        if k.casefold() == key.casefold():
            return v
    return None


def invoke_static(t: T.PSType, name: str, args: list[Any], env: MemberEnv) -> Any:
    n = name.casefold()
    fn = t.full_name
    na = len(args)
    if n == "new":
        return construct(t, args, env)
    hook = getattr(t.py_class, "ps_static_invoke", None)  # security.py's types
    if hook is not None:
        r0 = hook(name, args, env)
        if r0 is NOT_FOUND:
            raise static_not_found(t, name)
        return r0
    if fn == "System.Math":
        r = _math_static(name, n, args)
        if r is not NOT_FOUND:
            return r
    elif fn == "System.DateTime":
        if n == "parse":
            _argc(name, args, 1, 2, 3)
            text = _str(args[0])
            parsed = dtf.parse_datetime(text, env.now().date())
            if parsed is None:
                raise method_exception(name, na, "String was not recognized as a valid DateTime.",
                                       "System.FormatException")
            return parsed
        if n == "parseexact":
            _argc(name, args, 3, 4)
            text = _str(args[0])
            fmts = args[1] if isinstance(args[1], list) else [args[1]]
            for f in fmts:
                parsed = dtf.parse_exact(text, _str(f))
                if parsed is not None:
                    return parsed
            raise method_exception(name, na, "String was not recognized as a valid DateTime.",
                                   "System.FormatException")
        if n == "daysinmonth":
            import calendar

            return calendar.monthrange(_int(args[0]), _int(args[1]))[1]
        if n == "isleapyear":
            import calendar

            return calendar.isleap(_int(args[0]))
        if n == "compare":
            return O.compare(args[0], args[1])
        if n == "fromfiletime" or n == "fromfiletimeutc":
            return dt.datetime(1601, 1, 1) + dtf.timespan_from_ticks(C.to_integer(args[0], T.INT64))
        if n == "specifykind":
            return args[0]
        if n == "tryparse":
            raise not_supported("[datetime]::TryParse with a [ref] argument")
    elif fn == "System.TimeSpan":
        factors = {"fromdays": 86400000.0, "fromhours": 3600000.0, "fromminutes": 60000.0,
                   "fromseconds": 1000.0, "frommilliseconds": 1.0}
        if n in factors:
            _argc(name, args, 1)
            return _double_to_timedelta(C.to_double(args[0]), factors[n], name, na)
        if n == "fromticks":
            return dtf.timespan_from_ticks(C.to_integer(args[0], T.INT64))
        if n == "parse":
            return C.to_timespan(_str(args[0]))
        if n == "compare":
            return O.compare(args[0], args[1])
    elif fn == "System.String":
        if n == "isnullorempty":
            _argc(name, args, 1)
            return args[0] is None or C.to_string(args[0]) == ""
        if n == "isnullorwhitespace":
            _argc(name, args, 1)
            return args[0] is None or C.to_string(args[0]).strip() == ""
        if n == "join":
            if na < 2:
                raise overload_error(name, na)
            sep = _str(args[0])
            items = args[1] if na == 2 and isinstance(args[1], list) else args[1:]
            return sep.join(C.to_string(x, env.ofs, env.adapters) for x in items)
        if n == "format":
            if na < 1:
                raise overload_error(name, na)
            rest = args[1] if na == 2 and isinstance(args[1], list) else args[1:]
            if isinstance(args[0], CultureInfoValue):
                return env.format(_str(args[1]), list(args[2:]))
            return env.format(_str(args[0]), list(rest))
        if n == "concat":
            items2 = args[0] if na == 1 and isinstance(args[0], list) else args
            return "".join(C.to_string(x) for x in items2)
        if n == "compare":
            ic = na >= 3 and C.to_bool(args[2])
            a, b = _str(args[0]), _str(args[1])
            return O.compare_strings(a, b, ic)
        if n == "equals":
            return _str(args[0]) == _str(args[1])
        if n == "copy":
            return _str(args[0])
    elif t.kind in ("int", "double", "decimal"):
        if n == "parse":
            _argc(name, args, 1, 2, 3)
            try:
                return C.convert_to(_str(args[0]), t)
            except PSError:
                raise method_exception(name, na, "Input string was not in a correct format.",
                                       "System.FormatException") from None
        if n == "tryparse":
            raise not_supported(f"[{t.name}]::TryParse with a [ref] argument")
        if t.kind == "double" and n in ("isnan", "isinfinity", "ispositiveinfinity", "isnegativeinfinity"):
            v = C.to_double(args[0])
            return {"isnan": math.isnan(v), "isinfinity": math.isinf(v),
                    "ispositiveinfinity": v == math.inf, "isnegativeinfinity": v == -math.inf}[n]
    elif fn == "System.Boolean" and n == "parse":
        text = _str(args[0]).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise method_exception(name, na, "String was not recognized as a valid Boolean.", "System.FormatException")
    elif fn == "System.Char":
        c = _str(args[0]) if args else ""
        if na == 2:
            c = _str(args[0])[_int(args[1])]
        tests: dict[str, Callable[[str], bool]] = {"isdigit": str.isdigit, "isletter": str.isalpha, "isupper": str.isupper, "islower": str.islower,
                 "iswhitespace": str.isspace, "isletterordigit": str.isalnum, "isnumber": str.isnumeric,
                 "ispunctuation": lambda ch: ch in "!\"#%&'()*,-./:;?@[\\]_{}"}
        if n in tests:
            return bool(c) and bool(tests[n](c))
        if n == "toupper":
            return Char(c.upper())
        if n == "tolower":
            return Char(c.lower())
        if n == "convertfromutf32":
            return chr(_int(args[0]))
    elif fn == "System.Guid":
        if n == "newguid":
            return env.new_guid()
        if n == "parse":
            return C.to_guid(args[0])
    elif fn == "System.Environment":
        if n == "getenvironmentvariable":
            return _env_get(env.environment, _str(args[0]))
        if n == "setenvironmentvariable":
            key = _str(args[0])
            for k in list(env.environment):
                if k.casefold() == key.casefold():
                    del env.environment[k]
            if args[1] is not None and _str(args[1]) != "":
                env.environment[key] = _str(args[1])
            return VOID
        if n == "getenvironmentvariables":
            return Hashtable(dict(env.environment))
        if n == "expandenvironmentvariables":
            return re.sub(r"%([^%]+)%", lambda m: _env_get(env.environment, m.group(1)) or m.group(0), _str(args[0]))
        if n == "getfolderpath":
            return {"desktop": "C:\\Users\\Administrator\\Desktop", "mydocuments": "C:\\Users\\Administrator\\Documents",
                    "programfiles": "C:\\Program Files", "windows": "C:\\Windows", "system": "C:\\Windows\\system32",
                    "userprofile": "C:\\Users\\Administrator"}.get(_str(args[0]).lower(), "")
        if n == "exit":
            raise not_supported("[Environment]::Exit()")
        if n == "getcommandlineargs":
            return ["powershell.exe"]
    elif fn == "System.IO.Path":
        r2 = _path_static(name, n, args, env)
        if r2 is not NOT_FOUND:
            return r2
    elif fn in (dotnet_io.FILE, dotnet_io.DIRECTORY, dotnet_io.ENCODING):
        r4 = dotnet_io.invoke_static(fn, name, n, args, cast(dotnet_io.IOEnv, env))
        if r4 is not NOT_FOUND:
            return r4
        if fn != dotnet_io.FILE:
            raise static_not_found(t, name)
        if n == "exists":
            return env.file_exists(_str(args[0]))
        if n == "readalltext":
            return env.read_file(_str(args[0]))
        if n == "readalllines":
            return env.read_file(_str(args[0])).splitlines()
        raise not_supported(f"[System.IO.File]::{name}()")
    elif fn == "System.Convert":
        r3 = _convert_static(name, n, args)
        if r3 is not NOT_FOUND:
            return r3
    elif fn == "System.Text.RegularExpressions.Regex":
        if n == "escape":
            return re.sub(r"([\\*+?|{\[()^$.#\s])", lambda m: "\\" + m.group(1) if m.group(1) not in "\t\n\r " else
                          {"\t": "\\t", "\n": "\\n", "\r": "\\r", " ": "\\ "}[m.group(1)], _str(args[0]))
        if n == "unescape":
            return re.sub(r"\\(.)", r"\1", _str(args[0]))
        if n in ("match", "matches", "ismatch", "replace", "split"):
            ic = na >= 3 + (1 if n == "replace" else 0) and "ignorecase" in _str(args[-1]).lower()
            rx = PSRegex(_str(args[1]), ic)
            return _regex_method(rx, name, n, [args[0]] + (args[2:3] if n == "replace" else []), env, na)
    elif fn == "System.Enum" or t.kind == "enum":
        return _enum_static(t, name, n, args, env)
    elif fn == "System.Array":
        if n == "reverse":
            if isinstance(args[0], list):
                args[0].reverse()
            return VOID
        if n == "indexof":
            return _list_method(C.as_list(args[0]), "IndexOf", "indexof", [args[1]], env)
        if n == "sort":
            import functools

            if isinstance(args[0], list):
                args[0].sort(key=functools.cmp_to_key(lambda a, b: O.compare(a, b, True, env.adapters)))
            return VOID
        if n == "empty":
            return []
        if n == "exists":
            return any(C.to_bool(C.collect(env.invoke_scriptblock(args[1], [], dollar_under=x)))
                       for x in C.as_list(args[0]))
        if n == "find":
            for x in C.as_list(args[0]):
                if C.to_bool(C.collect(env.invoke_scriptblock(args[1], [], dollar_under=x))):
                    return x
            return None
        if n == "findall":
            return [x for x in C.as_list(args[0])
                    if C.to_bool(C.collect(env.invoke_scriptblock(args[1], [], dollar_under=x)))]
        if n == "clear":
            return VOID
    elif fn == "System.Management.Automation.ScriptBlock":
        if n == "create":
            return env.create_scriptblock(_str(args[0]))
    elif fn == "System.Globalization.CultureInfo":
        if n == "getcultureinfo":
            return CultureInfoValue(_str(args[0]))
    if t.kind == "static" or t.kind in ("int", "double", "string", "datetime", "timespan", "guid", "bool",
                                        "decimal", "char", "regex", "array", "scriptblock", "cultureinfo"):
        raise static_not_found(t, name)
    if t.kind in ("class", "named", "unsupported"):
        raise not_supported(f"Calling [{t.full_name}]::{name}()")
    raise static_not_found(t, name)


def _path_static(name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    from hyperv_emu.psshim.runtime import paths

    if n == "combine":
        parts = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return paths.combine(*[_str(p) for p in parts])
    if n == "getfilename":
        return paths.leaf(_str(args[0]))
    if n == "getfilenamewithoutextension":
        leafname = paths.leaf(_str(args[0]))
        return leafname.rsplit(".", 1)[0] if "." in leafname else leafname
    if n == "getextension":
        leafname = paths.leaf(_str(args[0]))
        return "." + leafname.rsplit(".", 1)[1] if "." in leafname else ""
    if n == "getdirectoryname":
        return paths.parent(_str(args[0])) or None
    if n == "getfullpath":
        return paths.combine(_env_get(env.environment, "PWD") or "C:\\", _str(args[0])) \
            if not paths.is_rooted(_str(args[0])) else _str(args[0])
    if n == "ispathrooted":
        return paths.is_rooted(_str(args[0]))
    if n == "changeextension":
        p = _str(args[0])
        base = p.rsplit(".", 1)[0] if "." in paths.leaf(p) else p
        ext = _str(args[1]) if args[1] is not None else ""
        return base + ("" if not ext else (ext if ext.startswith(".") else "." + ext))
    if n == "gettemppath":
        temp = _env_get(env.environment, "TEMP") or "C:\\Windows\\Temp"
        return temp.rstrip("\\") + "\\"
    if n == "getpathroot":
        p = _str(args[0])
        return p[:3] if len(p) >= 2 and p[1] == ":" else ""
    if n == "getrandomfilename":
        g = env.new_guid().hex
        return f"{g[:8]}.{g[8:11]}"
    if n == "gettempfilename":
        raise not_supported("[System.IO.Path]::GetTempFileName()")
    if n == "getinvalidfilenamechars":
        return [Char(c) for c in '"<>|\x00:*?\\/']
    return NOT_FOUND


def _convert_static(name: str, n: str, args: list[Any]) -> Any:
    if n in ("toint32", "toint64", "toint16", "tobyte", "touint32"):
        t = {"toint32": T.INT32, "toint64": T.INT64, "toint16": T.INT16, "tobyte": T.BYTE,
             "touint32": T.UINT32}[n]
        if len(args) == 2:
            try:
                return int(_str(args[0]), _int(args[1]))
            except ValueError:
                raise method_exception(name, 2, "Could not find any recognizable digits.",
                                       "System.FormatException") from None
        v = args[0]
        if isinstance(v, float):
            return C.to_integer(v, t)
        return C.convert_to(v, t)
    if n == "todouble":
        return C.to_double(args[0])
    if n == "todecimal":
        return C.to_decimal(args[0])
    if n == "tostring":
        if len(args) == 2 and isinstance(args[1], int):
            base = args[1]
            v = int(args[0])
            if base == 2:
                return format(v if v >= 0 else v + 2**32, "b")
            if base == 8:
                return format(v, "o")
            if base == 16:
                return format(v if v >= 0 else v + 2**32, "x")
            return str(v)
        return C.to_string(args[0])
    if n == "toboolean":
        v = args[0]
        if isinstance(v, str):
            low = v.strip().lower()
            if low in ("true", "false"):
                return low == "true"
            raise method_exception(name, 1, "String was not recognized as a valid Boolean.",
                                   "System.FormatException")
        return C.to_bool(v)
    if n == "todatetime":
        return C.to_datetime(args[0])
    if n == "tochar":
        return C.to_char(args[0])
    if n == "tobase64string":
        import base64

        data = args[0]
        if isinstance(data, list):
            return base64.b64encode(bytes(int(x) for x in data)).decode()
        raise not_supported("[Convert]::ToBase64String of a non-byte array")
    if n == "frombase64string":
        import base64

        return list(base64.b64decode(_str(args[0])))
    return NOT_FOUND


def _enum_static(t: T.PSType, name: str, n: str, args: list[Any], env: MemberEnv) -> Any:
    def enum_cls(v: Any) -> Any:
        tt = v if isinstance(v, T.PSType) else T.resolve_type(_str(v), env.types)
        if tt.py_class is not None:
            return tt.py_class
        if tt.full_name == "System.Management.Automation.ActionPreference":
            return C.ActionPreference
        if tt.kind == "dayofweek":
            return C.DayOfWeek
        raise method_exception(name, len(args), "Type provided must be an Enum." + param_note("enumType"))

    if t.full_name == "System.Enum":
        if n == "getnames":
            return [m.name for m in enum_cls(args[0])]
        if n == "getvalues":
            return list(enum_cls(args[0]))
        if n == "parse":
            cls = enum_cls(args[0])
            return C.to_enum(_str(args[1]), cls, cls.__name__)
        if n == "isdefined":
            cls = enum_cls(args[0])
            v = args[1]
            if isinstance(v, str):
                return any(m.name == v for m in cls)
            return any(m.value == v for m in cls)
        if n == "toobject":
            return enum_cls(args[0])(int(args[1]))
        raise static_not_found(t, name)
    cls2 = t.py_class
    if cls2 is not None and n == "parse":
        return C.to_enum(_str(args[0]), cls2, t.full_name)
    if cls2 is not None and n in ("getnames", "getvalues"):
        members_ = list(cls2.__members__.values()) if hasattr(cls2, "__members__") else []
        return [m.name for m in members_] if n == "getnames" else members_
    raise static_not_found(t, name)


def construct(t: T.PSType, args: list[Any], env: MemberEnv) -> Any:
    """`[T]::new(...)` and `New-Object T args`."""
    k = t.kind
    na = len(args)
    hook = getattr(t.py_class, "ps_new", None)  # security.py's types
    in_run = getattr(t.py_class, "ps_new_in_run", None)  # types that need the run (its services)
    if in_run is not None:
        hook = lambda a: in_run(a, env)  # noqa: E731
    if hook is not None:
        made = hook(args)
        if made is NOT_FOUND:
            raise overload_error("new", na)
        return made
    if k == "datetime":
        if na == 1:
            return dtf.from_ticks(C.to_integer(args[0], T.INT64))
        if na in (3, 6, 7):
            nums = [_int(a) for a in args]
            try:
                if na == 3:
                    return dt.datetime(nums[0], nums[1], nums[2])
                return dt.datetime(nums[0], nums[1], nums[2], nums[3], nums[4], nums[5],
                                   nums[6] * 1000 if na == 7 else 0)
            except ValueError:
                raise method_exception("new", na, "Year, Month, and Day parameters describe an un-representable "
                                                  "DateTime.", "System.ArgumentOutOfRangeException") from None
        raise overload_error("new", na)
    if k == "timespan":
        if na == 0:
            return dt.timedelta(0)
        if na == 1:
            return dtf.timespan_from_ticks(C.to_integer(args[0], T.INT64))
        nums = [_int(a) for a in args]
        if na == 3:
            return dt.timedelta(hours=nums[0], minutes=nums[1], seconds=nums[2])
        if na == 4:
            return dt.timedelta(days=nums[0], hours=nums[1], minutes=nums[2], seconds=nums[3])
        if na == 5:
            return dt.timedelta(days=nums[0], hours=nums[1], minutes=nums[2], seconds=nums[3],
                                milliseconds=nums[4])
        raise overload_error("new", na)
    if k == "arraylist":
        return ArrayList(C.as_list(args[0]) if na == 1 and isinstance(args[0], list) else [])
    if k == "genericlist":
        elem = t.element or T.OBJECT
        items = C.as_list(args[0]) if na == 1 and isinstance(args[0], list) else []
        return GenericList([C.convert_to(x, elem, env.adapters) for x in items], elem.full_name)
    if k == "hashtable":
        return Hashtable()
    if k == "ordered":
        return Hashtable(ordered=True)
    if k in ("pscustomobject", "psobject", "object"):
        return PSObject()
    if k == "stringbuilder":
        return StringBuilder(_str(args[0]) if na >= 1 and isinstance(args[0], str) else "")
    if k == "guid":
        if na == 0:
            return uuid.UUID(int=0)
        return C.to_guid(args[0])
    if k == "regex":
        ic = na >= 2 and "ignorecase" in _str(args[1]).lower()
        return PSRegex(_str(args[0]), ic)
    if k == "version":
        if na == 1:
            return C.to_version(args[0])
        nums = [_int(a) for a in args] + [-1, -1]
        return Version(nums[0], nums[1], nums[2], nums[3])
    if k == "string":
        if na == 2:
            return _str(args[0]) * _int(args[1])
        if na == 1 and isinstance(args[0], list):
            return "".join(_str(c) for c in args[0])
        raise overload_error("new", na)
    if k == "exception" or (k == "named" and t.full_name.endswith("Exception")):
        message = _str(args[0]) if na >= 1 else f"Exception of type '{t.full_name}' was thrown."
        inner = args[1] if na >= 2 and isinstance(args[1], ExceptionView) else None
        return ExceptionView(t.full_name, message, inner)
    if k == "cultureinfo":
        return CultureInfoValue(_str(args[0]) if args else "")
    if k == "array":
        if na == 1:
            return [None] * _int(args[0])
    if k in ("int", "double", "decimal", "bool", "char") and na == 0:
        return C.convert_to(None, t)
    raise not_supported(f"Creating an object of type [{t.full_name}]")
