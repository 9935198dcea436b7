""".NET/PowerShell conversions (LanguagePrimitives.ConvertTo and friends).

- `to_bool(v)`: PowerShell truthiness (`$null 0 "" @()` false, `"False"` true, a one-element
  array takes its element's value).
- `to_string(v, ofs)`: the invariant-culture string PowerShell uses for interpolation and
  `[string]` casts (`02/20/2026 08:00:00`, `7.00:00:00`, `@{a=1; b=2}`, arrays joined by `$OFS`).
- `parse_number(s)`: PowerShell's number syntax inside strings (`"0x10"`, `"1kb"`, `" 42 "`).
- `to_number(v)`: the operand conversion of arithmetic.
- `convert_to(v, type)`: casts and parameter conversion with .NET's rules (`[int]2.5` = 2,
  `[datetime]'...'` invariant, enums by name case-insensitively or by number).
- `enumerate(v)` / `collect(items)`: pipeline unrolling and the scalar-or-array result shape.

Objects may define `__ps_string__(self) -> str` to give their PowerShell `ToString()`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import uuid
from collections import abc
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Iterable

from hyperv_emu.psshim.format import dotnet_format as DF
from hyperv_emu.psshim.format.culture import INVARIANT
from hyperv_emu.psshim.runtime import dotnet_datetime as dtf
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.errors import (
    INVALID_CAST_EXCEPTION,
    PSError,
    invalid_cast,
    not_supported,
    runtime_error,
)
from hyperv_emu.psshim.runtime.records import ErrorRecord, InformationRecord, VerboseRecord, WarningRecord
from hyperv_emu.psshim.runtime.values import (
    AdapterRegistry,
    ArrayList,
    Char,
    GenericList,
    Hashtable,
    Int64,
    PSObject,
    Version,
    type_names,
)

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
PSCUSTOM = "System.Management.Automation.PSCustomObject"


class AutomationNull:
    """`[System.Management.Automation.Internal.AutomationNull]::Value`: "no output" (a command
    that wrote nothing). Used where PowerShell distinguishes it from $null; otherwise None."""

    _instance: "AutomationNull | None" = None

    def __new__(cls) -> "AutomationNull":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance


# ------------------------------------------------------------------------------------------
# truthiness
# ------------------------------------------------------------------------------------------


def to_bool(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, enum.Enum):
        return bool(v.value)
    if isinstance(v, (int, float, Decimal)):
        return v != 0
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, list):
        if len(v) == 0:
            return False
        if len(v) == 1:
            inner = v[0]
            if isinstance(inner, list):
                return len(inner) > 0
            return to_bool(inner)
        return True
    if isinstance(v, AutomationNull):
        return False
    return True


# ------------------------------------------------------------------------------------------
# strings
# ------------------------------------------------------------------------------------------


def format_decimal(d: Decimal) -> str:
    if d.is_nan():
        return "NaN"
    sign, digits, exp = d.as_tuple()
    if isinstance(exp, int) and exp > 0:
        d = d.quantize(Decimal(1))
    return format(d, "f")


def to_string(v: Any, ofs: str = " ", adapters: AdapterRegistry | None = None) -> str:
    """PowerShell's conversion to string (invariant culture)."""
    if v is None or isinstance(v, AutomationNull):
        return ""
    if isinstance(v, str):
        return str(v)
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, enum.Enum):
        return enum_name(v)
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return DF.double_to_string(v)
    if isinstance(v, Decimal):
        return format_decimal(v)
    if isinstance(v, dt.datetime):
        return DF.format_datetime(v, "G", INVARIANT)
    if isinstance(v, dt.timedelta):
        return DF.format_timespan(v, None, INVARIANT)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, Version):
        return str(v)
    if isinstance(v, list):
        return ofs.join(_element_string(x, ofs, adapters) for x in v)
    if isinstance(v, Hashtable):
        return type_names(v)[0]
    if isinstance(v, PSObject):
        return psobject_string(v, adapters)
    if isinstance(v, ErrorRecord):
        return v.message
    if isinstance(v, (WarningRecord, VerboseRecord)):
        return v.message
    if isinstance(v, InformationRecord):
        return v.text
    if isinstance(v, T.PSType):
        return v.full_name
    hook = getattr(v, "__ps_string__", None)
    if hook is not None:
        return str(hook())
    return type_names(v, adapters)[0]


def _element_string(x: Any, ofs: str, adapters: AdapterRegistry | None) -> str:
    if isinstance(x, list):
        return type_names(x)[0]
    return to_string(x, ofs, adapters)


def psobject_string(o: PSObject, adapters: AdapterRegistry | None = None) -> str:
    if PSCUSTOM in o.type_names or any(t.startswith("Selected.") for t in o.type_names):
        parts = []
        for k, val in o.properties.items():
            parts.append(f"{k}={_nested_string(val, adapters)}")
        return "@{" + "; ".join(parts) + "}"
    return o.type_names[0]


def _nested_string(val: Any, adapters: AdapterRegistry | None) -> str:
    if isinstance(val, list):
        return type_names(val)[0]
    return to_string(val, " ", adapters)


def enum_name(v: enum.Enum) -> str:
    if v.name is not None:
        return v.name
    # flag combinations
    if isinstance(v, enum.Flag):
        names = [m.name for m in type(v) if m.value and (v.value & m.value) == m.value and m.name]
        return ", ".join(names)
    return str(v.value)


# ------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------

_MULT = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}
_NUM_RE = re.compile(
    r"^(?P<sign>[+-]?)(?:(?P<hex>0[xX][0-9a-fA-F]+)|(?P<dec>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))"
    r"(?P<suffix>[lLdD])?(?P<mult>[kKmMgGtTpP][bB])?$"
)


def parse_number(s: str) -> int | float | Decimal | None:
    """A number written the PowerShell way inside a string, or None."""
    text = s.strip()
    if not text:
        return None
    m = _NUM_RE.match(text)
    if not m:
        return None
    neg = m.group("sign") == "-"
    suffix = (m.group("suffix") or "").lower()
    mult = _MULT.get((m.group("mult") or "").lower(), 1)
    value: int | float | Decimal
    if m.group("hex"):
        iv = int(m.group("hex"), 16)
        if suffix != "l" and 2**31 <= iv <= 2**32 - 1:
            iv -= 2**32
        value = iv
    else:
        dec = m.group("dec")
        if suffix == "d":
            value = Decimal(dec)
        elif "." in dec or "e" in dec.lower():
            value = float(dec)
        else:
            value = int(dec)
    if mult != 1:
        value = value * mult
    if neg:
        value = -value
    if suffix == "l" and isinstance(value, int):
        return Int64(value)
    if isinstance(value, int) and not (INT64_MIN <= value <= INT64_MAX):
        return float(value)
    return value


def to_number(v: Any, for_type: str = "System.Int32") -> int | float | Decimal:
    """An arithmetic operand as a number (`"10" - 1`, `$true + 1`, `$null + 5`)."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, enum.Enum):
        return int(v.value)
    if isinstance(v, (int, float, Decimal)):
        return v
    if isinstance(v, Char):
        return ord(v)
    if isinstance(v, str):
        if v.strip() == "":
            return 0
        n = parse_number(v)
        if n is None:
            raise invalid_cast(v, for_type, "Input string was not in a correct format.")
        return n
    if isinstance(v, list) and len(v) == 1:
        return to_number(v[0], for_type)
    raise runtime_error(
        f'Cannot convert the "{to_string(v)}" value of type "{type_names(v)[0]}" to type "{for_type}".',
        "ConvertToFinalInvalidCastException",
        "InvalidArgument",
        exception_type=INVALID_CAST_EXCEPTION,
    )


def round_half_even(x: float | Decimal) -> int:
    if isinstance(x, Decimal):
        return int(x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return int(round(x))


def to_integer(v: Any, t: T.PSType) -> int:
    lo = t.min if t.min is not None else INT32_MIN
    hi = t.max if t.max is not None else INT32_MAX
    short = t.full_name.rsplit(".", 1)[-1]
    if v is None:
        return 0
    if isinstance(v, str) and not isinstance(v, Char):
        if v.strip() == "":
            return 0
        n = parse_number(v)
        if n is None:
            raise invalid_cast(v, t.full_name, "Input string was not in a correct format.")
        if isinstance(n, float) and (math.isnan(n) or math.isinf(n)):
            raise invalid_cast(v, t.full_name, f"Value was either too large or too small for an {short}.")
        iv = round_half_even(n) if not isinstance(n, int) else int(n)
        if not lo <= iv <= hi:
            raise invalid_cast(v, t.full_name, f"Value was either too large or too small for an {short}.")
        return iv
    if isinstance(v, list):
        if len(v) == 1:
            return to_integer(v[0], t)
        raise _cast_error(v, t)
    if isinstance(v, (bool, int, float, Decimal, enum.Enum, Char)):
        n2 = to_number(v, t.full_name)
        if isinstance(n2, float) and (math.isnan(n2) or math.isinf(n2)):
            raise invalid_cast(to_string(v), t.full_name, f"Value was either too large or too small for an {short}.",
                               "InvalidCastIConvertible")
        iv = round_half_even(n2) if not isinstance(n2, int) else int(n2)
        if not lo <= iv <= hi:
            raise invalid_cast(to_string(v), t.full_name, f"Value was either too large or too small for an {short}.",
                               "InvalidCastIConvertible")
        return iv
    raise _cast_error(v, t)


def _cast_error(v: Any, t: T.PSType, adapters: AdapterRegistry | None = None) -> PSError:
    shown = to_string(v, " ", adapters)
    return runtime_error(
        f'Cannot convert the "{shown}" value of type "{type_names(v, adapters)[0]}" to type "{t.full_name}".',
        "ConvertToFinalInvalidCastException",
        "InvalidArgument",
        exception_type=INVALID_CAST_EXCEPTION,
    )


def to_double(v: Any, t: T.PSType = T.DOUBLE) -> float:
    if v is None:
        return 0.0
    if isinstance(v, str) and not isinstance(v, Char):
        if v.strip() == "":
            return 0.0
        n = parse_number(v)
        if n is None:
            low = v.strip().casefold()
            if low in ("nan",):
                return math.nan
            if low in ("infinity", "+infinity"):
                return math.inf
            if low == "-infinity":
                return -math.inf
            raise invalid_cast(v, t.full_name, "Input string was not in a correct format.",
                               "InvalidCastFromStringToDoubleOrSingle")
        return float(n)
    if isinstance(v, list) and len(v) == 1:
        return to_double(v[0], t)
    if isinstance(v, (bool, int, float, Decimal, enum.Enum, Char)):
        return float(to_number(v))
    raise _cast_error(v, t)


def to_decimal(v: Any) -> Decimal:
    if v is None:
        return Decimal(0)
    if isinstance(v, Decimal):
        return v
    if isinstance(v, str) and not isinstance(v, Char):
        if v.strip() == "":
            return Decimal(0)
        try:
            return Decimal(v.strip())
        except InvalidOperation:
            n = parse_number(v)
            if n is None:
                raise invalid_cast(v, "System.Decimal", "Input string was not in a correct format.",
                                   "InvalidCastFromStringToDecimal") from None
            return Decimal(str(n)) if isinstance(n, float) else Decimal(n)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise invalid_cast(to_string(v), "System.Decimal", "Value was either too large or too small for a Decimal.",
                               "InvalidCastIConvertible")
        return Decimal(repr(v)) if abs(v) >= 1e-28 or v == 0 else Decimal(0)
    if isinstance(v, list) and len(v) == 1:
        return to_decimal(v[0])
    if isinstance(v, (bool, int, enum.Enum, Char)):
        return Decimal(int(to_number(v)))
    raise _cast_error(v, T.DECIMAL)


def narrow_int(value: int, long_ok: bool = True) -> int | float:
    """An integer result as .NET would type it: Int32 if it fits, else Int64, else double."""
    if INT32_MIN <= value <= INT32_MAX:
        return int(value)
    if long_ok and INT64_MIN <= value <= INT64_MAX:
        return value
    return float(value)


# ------------------------------------------------------------------------------------------
# enums
# ------------------------------------------------------------------------------------------


def to_enum(v: Any, cls: type[enum.Enum], type_name: str) -> enum.Enum:
    if isinstance(v, cls):
        return v
    if isinstance(v, list) and len(v) == 1:
        return to_enum(v[0], cls, type_name)
    members = [m for m in cls]
    if isinstance(v, str):
        text = v.strip()
        if re.fullmatch(r"-?\d+", text):
            try:
                return cls(int(text))
            except ValueError:
                pass
        parts = [p.strip() for p in text.split(",")] if "," in text else [text]
        found: list[enum.Enum] = []
        for part in parts:
            match = next((m for m in members if m.name is not None and m.name.casefold() == part.casefold()), None)
            if match is None:
                names = ", ".join(m.name for m in members if m.name)
                raise invalid_cast(
                    v,
                    type_name,
                    f"Unable to match the identifier name {part} to a valid enumerator name. Specify one of the "
                    f"following enumerator names and try again:\n{names}",
                    "RuntimeException",
                )
            found.append(match)
        if len(found) == 1:
            return found[0]
        if issubclass(cls, enum.Flag):
            acc = found[0]
            for f in found[1:]:
                acc = acc | f  # type: ignore[operator]
            return acc
        raise runtime_error(
            f'Cannot convert value "{v}" to type "{type_name}" because no commas are allowed for this enumeration.',
            "RuntimeException",
            "InvalidArgument",
            exception_type=INVALID_CAST_EXCEPTION,
        )
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        try:
            return cls(int(v))
        except ValueError:
            names = ", ".join(m.name for m in members if m.name)
            raise invalid_cast(
                to_string(v), type_name,
                None,
            ) from None
    if isinstance(v, enum.Enum):
        return to_enum(v.name or str(v.value), cls, type_name)
    if v is None:
        names = ", ".join(f"{m.name}" for m in members if m.name)
        raise runtime_error(
            f'Cannot convert null to type "{type_name}" due to enumeration values that are not valid. Specify one of '
            f'the following enumeration values and try again. The possible enumeration values are "{names}".',
            "RuntimeException",
            "InvalidArgument",
            exception_type=INVALID_CAST_EXCEPTION,
        )
    raise _cast_error(v, T.PSType("enum", type_name))


class ActionPreference(enum.IntEnum):
    SilentlyContinue = 0
    Stop = 1
    Continue = 2
    Inquire = 3
    Ignore = 4
    Suspend = 5
    Break = 6


ActionPreference.__ps_type_name__ = "System.Management.Automation.ActionPreference"  # type: ignore[attr-defined]


# PowerShell's ConfirmImpact has a member named None, which Python's class syntax cannot spell.
ConfirmImpact = enum.IntEnum("ConfirmImpact", [("None", 0), ("Low", 1), ("Medium", 2), ("High", 3)])
ConfirmImpact.__ps_type_name__ = "System.Management.Automation.ConfirmImpact"  # type: ignore[attr-defined]


class DayOfWeek(enum.IntEnum):
    Sunday = 0
    Monday = 1
    Tuesday = 2
    Wednesday = 3
    Thursday = 4
    Friday = 5
    Saturday = 6


DayOfWeek.__ps_type_name__ = "System.DayOfWeek"  # type: ignore[attr-defined]


def to_action_preference(v: Any) -> ActionPreference:
    r = to_enum(v, ActionPreference, "System.Management.Automation.ActionPreference")
    assert isinstance(r, ActionPreference)
    if not options.is_core() and r == ActionPreference.Break:
        raise invalid_cast(to_string(v), "System.Management.Automation.ActionPreference")
    return r


def to_confirm_impact(v: Any) -> enum.IntEnum:
    r = to_enum(v, ConfirmImpact, "System.Management.Automation.ConfirmImpact")
    assert isinstance(r, enum.IntEnum)
    return r


# ------------------------------------------------------------------------------------------
# general conversion
# ------------------------------------------------------------------------------------------


def to_datetime(v: Any, today: dt.date | None = None) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v
    if v is None:
        return dt.datetime(1, 1, 1)
    if isinstance(v, str):
        parsed = dtf.parse_datetime(v, today)
        if parsed is None:
            raise invalid_cast(v, "System.DateTime", "String was not recognized as a valid DateTime.",
                               "InvalidCastParseTargetInvocation")
        return parsed
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, int) and not isinstance(v, bool):
        # PowerShell converts a number by DateTime's constructor DateTime(Int64 ticks), whose
        # ArgumentOutOfRangeException the conversion reports
        if not 0 <= v <= dtf.MAX_TICKS:
            note = " (Parameter 'ticks')" if options.is_core() else "\r\nParameter name: ticks"
            raise invalid_cast(str(int(v)), "System.DateTime", "Ticks must be between DateTime.MinValue.Ticks and "
                               f"DateTime.MaxValue.Ticks.{note}", "InvalidCastConstructorException")
        return dtf.from_ticks(v)
    if isinstance(v, list) and len(v) == 1:
        return to_datetime(v[0], today)
    raise _cast_error(v, T.DATETIME)


def to_timespan(v: Any) -> dt.timedelta:
    if isinstance(v, dt.timedelta):
        return v
    if v is None:
        return dt.timedelta(0)
    if isinstance(v, str):
        parsed = dtf.parse_timespan(v)
        if parsed is None:
            reason = ("The TimeSpan could not be parsed because at least one of the numeric components is out of "
                      "range or contains too many digits." if dtf.timespan_days_out_of_range(v)
                      else "String was not recognized as a valid TimeSpan.")
            raise invalid_cast(v, "System.TimeSpan", reason, "InvalidCastParseTargetInvocation")
        return parsed
    if isinstance(v, int) and not isinstance(v, bool):
        return dtf.timespan_from_ticks(v)
    if isinstance(v, list) and len(v) == 1:
        return to_timespan(v[0])
    raise _cast_error(v, T.TIMESPAN)


def to_char(v: Any) -> Char:
    if isinstance(v, Char):
        return v
    if isinstance(v, str):
        if len(v) == 1:
            return Char(v)
        raise invalid_cast(v, "System.Char", "String must be exactly one character long.",
                           "InvalidCastParseTargetInvocation")
    if isinstance(v, int) and not isinstance(v, bool):
        if not 0 <= v <= 0xFFFF:  # a System.Char is one UTF-16 code unit (Convert.ToChar's OverflowException)
            raise invalid_cast(str(int(v)), "System.Char", "Value was either too large or too small for a character.",
                               "InvalidCastIConvertible")
        return Char(chr(v))
    if isinstance(v, list) and len(v) == 1:
        return to_char(v[0])
    raise _cast_error(v, T.CHAR)


def to_guid(v: Any) -> uuid.UUID:
    if isinstance(v, uuid.UUID):
        return v
    if isinstance(v, str):
        try:
            return uuid.UUID(v.strip().strip("{}"))
        except ValueError:
            raise invalid_cast(
                v, "System.Guid",
                "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
                "InvalidCastParseTargetInvocation") from None
    raise _cast_error(v, T.GUID)


def to_version(v: Any) -> Version:
    if isinstance(v, Version):
        return v
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        parts = str(v).strip().split(".")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if 2 <= len(nums) <= 4:
            while len(nums) < 4:
                nums.append(-1)
            return Version(nums[0], nums[1], nums[2], nums[3])
        raise invalid_cast(str(v), "System.Version", "Version string portion was too short or too long.",
                           "InvalidCastParseTargetInvocation")
    raise _cast_error(v, T.VERSION)


def to_hashtable(v: Any) -> Hashtable:
    if isinstance(v, Hashtable):
        return v
    if isinstance(v, dict):
        return Hashtable(v)
    if isinstance(v, list) and len(v) == 1:
        return to_hashtable(v[0])
    raise _cast_error(v, T.HASHTABLE)


def to_pscustomobject(v: Any) -> Any:
    if isinstance(v, Hashtable):
        return PSObject(properties={str(k): val for k, val in v.items()})
    return v


def convert_to(
    v: Any,
    t: T.PSType,
    adapters: AdapterRegistry | None = None,
    *,
    today: dt.date | None = None,
) -> Any:
    """`[t]$v`."""
    k = t.kind
    if k in ("object", "psobject"):
        return v
    if isinstance(v, AutomationNull):
        v = None
    if k == "string":
        if v is None:
            return ""  # [string]$null is ""
        return to_string(v, " ", adapters)
    if k == "array":
        return to_array(v, t.element or T.OBJECT, adapters, today=today)
    if k == "bool" or k == "switch":
        return to_bool(v)
    if k == "int":
        iv = to_integer(v, t)
        return Int64(iv) if t.full_name == "System.Int64" and INT32_MIN <= iv <= INT32_MAX else iv
    if k == "double":
        return to_double(v, t)
    if k == "decimal":
        return to_decimal(v)
    if k == "char":
        return to_char(v)
    if k == "datetime":
        return to_datetime(v, today)
    if k == "timespan":
        return to_timespan(v)
    if k == "guid":
        return to_guid(v)
    if k == "version":
        return to_version(v)
    if k == "hashtable":
        return to_hashtable(v)
    if k == "ordered":
        h = to_hashtable(v)
        return Hashtable(h.items(), ordered=True)
    if k == "pscustomobject":
        return to_pscustomobject(v)
    if k == "void":
        return None
    if k == "arraylist":
        if v is None:
            return ArrayList()
        return ArrayList(v if isinstance(v, list) else [v])
    if k == "genericlist":
        elem = t.element or T.OBJECT
        items = v if isinstance(v, list) else ([] if v is None else [v])
        return GenericList([convert_to(x, elem, adapters, today=today) for x in items], elem.full_name)
    if k == "enum":
        if t.py_class is not None and issubclass(t.py_class, enum.Enum):
            return to_enum(v, t.py_class, t.full_name)
        if t.full_name == "System.Management.Automation.ActionPreference":
            return to_action_preference(v)
        return v
    if k == "dayofweek":
        return to_enum(v, DayOfWeek, "System.DayOfWeek")
    if k == "regex":
        from hyperv_emu.psshim.runtime.dotnet_regex import PSRegex

        if isinstance(v, PSRegex):
            return v
        return PSRegex(to_string(v))
    if k == "type":
        if isinstance(v, T.PSType):
            return v
        if isinstance(v, str):
            return T.resolve_type(v, None, lenient=False)
        raise _cast_error(v, t, adapters)
    if k == "scriptblock":
        if "System.Management.Automation.ScriptBlock" in type_names(v):
            return v
        raise _cast_error(v, t, adapters)
    if k in ("class", "named", "exception", "cultureinfo", "stringbuilder"):
        if v is None:
            return None
        if T.is_instance(v, t, adapters):
            return v
        convert_from = getattr(t.py_class, "ps_convert_from", None)  # a cast through a constructor
        if convert_from is not None:
            made = convert_from(v)
            if made is not None:
                return made
        raise _cast_error(v, t, adapters)
    if k in ("unsupported", "dictionary"):
        raise not_supported(f"The type [{t.full_name}]")
    if k == "static":
        raise _cast_error(v, t, adapters)
    return v


def to_array(v: Any, elem: T.PSType, adapters: AdapterRegistry | None = None, *, today: dt.date | None = None) -> Any:
    if v is None:
        return None
    items = v if isinstance(v, list) else [v]
    if elem.kind == "object":
        return list(items)
    return [convert_to(x, elem, adapters, today=today) for x in items]


def try_convert(v: Any, t: T.PSType, adapters: AdapterRegistry | None = None) -> tuple[bool, Any]:
    try:
        return True, convert_to(v, t, adapters)
    except PSError:
        return False, None


# ------------------------------------------------------------------------------------------
# pipeline shapes
# ------------------------------------------------------------------------------------------


def is_enumerable(v: Any) -> bool:
    """Does the pipeline unroll this value? (arrays and lists: yes; strings, hashtables: no)"""
    return isinstance(v, list) or isinstance(v, (tuple, range)) or _is_iterator(v)


def _is_iterator(v: Any) -> bool:
    return isinstance(v, abc.Iterator)


_SCALARS = (int, str, float, bool)


def enumerate_value(v: Any) -> Iterable[Any]:
    """The objects a value writes to the pipeline."""
    if type(v) in _SCALARS:
        return (v,)
    if v is None:
        return (None,)
    if isinstance(v, AutomationNull):
        return ()
    if isinstance(v, (list, tuple, range)) or _is_iterator(v):
        seq: Iterable[Any] = v
        return seq
    return (v,)


def collect(items: list[Any]) -> Any:
    """A pipeline's result as a value: nothing -> $null, one object -> itself, else an array."""
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return items


def as_list(v: Any) -> list[Any]:
    """`@(v)` for a value: $null -> empty, an array -> a copy, a scalar -> one element."""
    if v is None or isinstance(v, AutomationNull):
        return []
    if isinstance(v, list):
        return list(v)
    return [v]
