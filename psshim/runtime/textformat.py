"""Culture-sensitive text for the runtime: `-f`, `.ToString(fmt)`, `Get-Date -Format`.

The real implementation belongs to the formatting package (`psshim.format.dotnet_format`:
`format_datetime(dt, fmt, culture)`, `format_number(value, fmt, culture)`,
`composite_format(fmt, args, culture)`). This module calls it when it is present and otherwise
falls back to a small private implementation (en-US and invariant only), so that the runtime
works before/without the formatter. Callers pass a culture *name*; `culture_object(name)`
turns it into whatever the formatter's functions take.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from psshim.runtime import options

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _formatter_module() -> Any | None:
    try:
        return importlib.import_module("psshim.format.dotnet_format")
    except Exception:  # noqa: BLE001 - not written yet, or broken mid-edit by its owner
        return None


def culture_object(name: str) -> Any:
    """The formatter's Culture for a name (`en-US`), or the name itself for the fallback."""
    try:
        mod = importlib.import_module("psshim.format.culture")
    except Exception:  # noqa: BLE001
        return name
    for attr in ("get_culture", "culture", "lookup", "by_name", "find_culture"):
        fn = getattr(mod, attr, None)
        if callable(fn):
            try:
                return fn(name)
            except Exception:  # noqa: BLE001
                continue
    table = getattr(mod, "CULTURES", None)
    if isinstance(table, dict):
        for k, v in table.items():
            if str(k).lower() == name.lower():
                return v
    cls = getattr(mod, "Culture", None)
    for attr in ("get", "from_name", "named", "by_name"):
        fn = getattr(cls, attr, None)
        if callable(fn):
            try:
                return fn(name)
            except Exception:  # noqa: BLE001
                continue
    return name


def _delegate(fn_name: str) -> Callable[..., str] | None:
    mod = _formatter_module()
    if mod is None:
        return None
    fn = getattr(mod, fn_name, None)
    return fn if callable(fn) else None


def composite_format(fmt: str, args: list[Any], culture: str = "en-US") -> str:
    fn = _delegate("composite_format")
    if fn is not None:
        return fn(fmt, args, culture_object(culture))
    return _composite(fmt, args, culture)


def format_number(value: Any, fmt: str, culture: str = "en-US") -> str:
    fn = _delegate("format_number")
    if fn is not None:
        return fn(value, fmt, culture_object(culture))
    return _format_number(value, fmt, culture)


def format_datetime(d: dt.datetime, fmt: str, culture: str = "en-US") -> str:
    fn = _delegate("format_datetime")
    if fn is not None:
        return fn(d, fmt, culture_object(culture))
    return _format_datetime(d, fmt, culture)


def culture_string(value: Any, culture: str = "en-US") -> str:
    """`value.ToString()` with the current culture (DateTime `G`, numbers `G`)."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, "G", culture)
    if isinstance(value, float):
        from psshim.runtime.conversions import format_double

        text = format_double(value)
        return text.replace(".", _decimal_sep(culture)) if _decimal_sep(culture) != "." else text
    if isinstance(value, Decimal):
        from psshim.runtime.conversions import format_decimal

        text = format_decimal(value)
        return text.replace(".", _decimal_sep(culture))
    from psshim.runtime.conversions import to_string

    return to_string(value)


# ------------------------------------------------------------------------------------------
# fallback implementation (en-US / invariant)
# ------------------------------------------------------------------------------------------


def _decimal_sep(culture: str) -> str:
    return "," if culture.lower() in ("fr-fr", "de-de", "sv-se") else "."


def _group_sep(culture: str) -> str:
    return {"fr-fr": "\u202f", "de-de": ".", "sv-se": "\u00a0"}.get(culture.lower(), ",")


def _composite(fmt: str, args: list[Any], culture: str) -> str:
    from psshim.runtime.errors import runtime_error

    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c == "{":
            if i + 1 < n and fmt[i + 1] == "{":
                out.append("{")
                i += 2
                continue
            j = fmt.find("}", i)
            if j < 0:
                raise _format_error()
            spec = fmt[i + 1:j]
            idx_part, _, fmt_part = spec.partition(":")
            idx_text, _, align_text = idx_part.partition(",")
            try:
                idx = int(idx_text.strip())
                align = int(align_text.strip()) if align_text.strip() else 0
            except ValueError:
                raise _format_error() from None
            if idx >= len(args):
                raise runtime_error(
                    "Error formatting a string: Index (zero based) must be greater than or equal to zero and "
                    "less than the size of the argument list..",
                    "FormatError", "InvalidOperation", exception_type="System.FormatException")
            text = _format_one(args[idx], fmt_part, culture)
            if align > 0:
                text = text.rjust(align)
            elif align < 0:
                text = text.ljust(-align)
            out.append(text)
            i = j + 1
            continue
        if c == "}":
            if i + 1 < n and fmt[i + 1] == "}":
                out.append("}")
                i += 2
                continue
            raise _format_error()
        out.append(c)
        i += 1
    return "".join(out)


def _format_error() -> Exception:
    from psshim.runtime.errors import runtime_error

    return runtime_error("Error formatting a string: Input string was not in a correct format..",
                         "FormatError", "InvalidOperation", exception_type="System.FormatException")


def _format_one(value: Any, fmt: str, culture: str) -> str:
    from psshim.runtime.conversions import to_string

    if fmt:
        if isinstance(value, dt.datetime):
            return _format_datetime(value, fmt, culture)
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, (bool, enum.Enum)):
            return _format_number(value, fmt, culture)
        if isinstance(value, dt.timedelta):
            from psshim.runtime.dotnet_datetime import timespan_text

            return timespan_text(value)
    if isinstance(value, (dt.datetime, float, Decimal)):
        return culture_string(value, culture)
    return to_string(value)


def _round_away(value: Decimal, places: int) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return value.quantize(q, rounding=ROUND_HALF_UP)


def _exact(value: Any) -> Decimal:
    if isinstance(value, float):
        if not options.is_core():
            return Decimal(f"{value:.15g}")
        return Decimal(value)
    return Decimal(value)


def _group(int_text: str, sep: str) -> str:
    out = []
    while len(int_text) > 3:
        out.insert(0, int_text[-3:])
        int_text = int_text[:-3]
    out.insert(0, int_text)
    return sep.join(out)


def _format_number(value: Any, fmt: str, culture: str) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    f = fmt.strip()
    dsep = _decimal_sep(culture)
    gsep = _group_sep(culture)
    letter = f[:1].upper()
    digits_text = f[1:]
    if letter and letter in "NFDXPCEG" and (digits_text.isdigit() or digits_text == ""):
        prec = int(digits_text) if digits_text else None
        if letter in ("N", "F", "P", "C"):
            places = 2 if prec is None else prec
            d = _exact(value) * (100 if letter == "P" else 1)
            r = _round_away(d, places)
            neg = r < 0
            text = format(abs(r), "f")
            ip, _, fp = text.partition(".")
            if letter in ("N", "P", "C"):
                ip = _group(ip, gsep)
            body = ip + (dsep + fp if places > 0 else "")
            if letter == "P":
                body = body + (" %" if not options.is_core() else "%")
            if letter == "C":
                body = "$" + body
            return ("-" if neg else "") + body
        if letter == "D":
            iv = int(value)
            s = str(abs(iv)).rjust(prec or 0, "0")
            return ("-" if iv < 0 else "") + s
        if letter == "X":
            iv = int(value)
            if iv < 0:
                iv += 2**32 if iv >= -(2**31) else 2**64
            s = format(iv, "X" if f[0] == "X" else "x")
            return s.rjust(prec or 0, "0")
        if letter == "E":
            p = 6 if prec is None else prec
            s = f"{float(value):.{p}E}"
            mant, _, e = s.partition("E")
            return mant.replace(".", dsep) + ("E" if f[0] == "E" else "e") + e[0] + e[1:].rjust(3, "0")
        if letter == "G":
            from psshim.runtime.conversions import format_decimal, format_double

            if isinstance(value, float):
                return format_double(value).replace(".", dsep)
            if isinstance(value, Decimal):
                return format_decimal(value).replace(".", dsep)
            return str(int(value))
    return _custom_number(value, f, dsep, gsep)


def _custom_number(value: Any, fmt: str, dsep: str, gsep: str) -> str:
    section = fmt.split(";")[0]
    literal_prefix = ""
    literal_suffix = ""
    core = section
    # split literal text around the digit placeholders
    start = min((core.find(c) for c in "0#" if core.find(c) >= 0), default=-1)
    if start < 0:
        return section
    end = max(core.rfind(c) for c in "0#.,")
    literal_prefix, core, literal_suffix = core[:start], core[start:end + 1], core[end + 1:]
    percent = "%" in literal_suffix or "%" in literal_prefix
    ip_fmt, _, fp_fmt = core.partition(".")
    grouping = "," in ip_fmt
    scale_commas = 0
    while ip_fmt.endswith(","):
        scale_commas += 1
        ip_fmt = ip_fmt[:-1]
    d = _exact(value)
    if percent:
        d *= 100
    if scale_commas:
        d /= Decimal(1000) ** scale_commas
    min_frac = fp_fmt.count("0")
    max_frac = len(fp_fmt.replace(",", ""))
    r = _round_away(d, max_frac)
    neg = r < 0
    text = format(abs(r), "f")
    ip, _, fp = text.partition(".")
    fp = fp.rstrip("0")
    if len(fp) < min_frac:
        fp = fp.ljust(min_frac, "0")
    min_int = ip_fmt.replace(",", "").count("0")
    if ip == "0" and min_int == 0:
        ip = ""
    ip = ip.rjust(min_int, "0")
    if grouping and ip:
        ip = _group(ip, gsep)
    body = ip + (dsep + fp if fp else "")
    if neg and (ip.strip("0") or fp.strip("0")):
        body = "-" + body
    return literal_prefix + body + literal_suffix


_STANDARD_EN_US = {
    "d": "M/d/yyyy", "D": "dddd, MMMM d, yyyy", "t": "h:mm tt", "T": "h:mm:ss tt",
    "f": "dddd, MMMM d, yyyy h:mm tt", "F": "dddd, MMMM d, yyyy h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt", "M": "MMMM d", "m": "MMMM d",
    "Y": "MMMM yyyy", "y": "MMMM yyyy", "s": "yyyy-MM-ddTHH:mm:ss", "u": "yyyy-MM-dd HH:mm:ssZ",
    "o": "yyyy-MM-ddTHH:mm:ss.fffffff", "O": "yyyy-MM-ddTHH:mm:ss.fffffff",
    "r": "ddd, dd MMM yyyy HH:mm:ss 'GMT'", "R": "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
}
_STANDARD_INVARIANT = dict(_STANDARD_EN_US, d="MM/dd/yyyy", D="dddd, dd MMMM yyyy", t="HH:mm",
                           T="HH:mm:ss", g="MM/dd/yyyy HH:mm", G="MM/dd/yyyy HH:mm:ss",
                           f="dddd, dd MMMM yyyy HH:mm", F="dddd, dd MMMM yyyy HH:mm:ss")


def _format_datetime(d: dt.datetime, fmt: str, culture: str) -> str:
    table = _STANDARD_INVARIANT if culture.lower() in ("", "invariant") else _STANDARD_EN_US
    if len(fmt) == 1:
        fmt = table.get(fmt, fmt)
    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c in "'\"":
            j = fmt.find(c, i + 1)
            if j < 0:
                j = n
            out.append(fmt[i + 1:j])
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            out.append(fmt[i + 1])
            i += 2
            continue
        if c == "%" and i + 1 < n:
            i += 1
            continue
        j = i
        while j < n and fmt[j] == c:
            j += 1
        k = j - i
        i = j
        if c == "y":
            y = d.year
            out.append(str(y % 100).rjust(2, "0") if k == 2 else (str(y % 100) if k == 1 else str(y).rjust(k, "0")))
        elif c == "M":
            out.append(str(d.month) if k == 1 else f"{d.month:02d}" if k == 2 else
                       MONTHS[d.month - 1][:3] if k == 3 else MONTHS[d.month - 1])
        elif c == "d":
            out.append(str(d.day) if k == 1 else f"{d.day:02d}" if k == 2 else
                       DAYS[d.weekday()][:3] if k == 3 else DAYS[d.weekday()])
        elif c == "h":
            h12 = d.hour % 12 or 12
            out.append(str(h12) if k == 1 else f"{h12:02d}")
        elif c == "H":
            out.append(str(d.hour) if k == 1 else f"{d.hour:02d}")
        elif c == "m":
            out.append(str(d.minute) if k == 1 else f"{d.minute:02d}")
        elif c == "s":
            out.append(str(d.second) if k == 1 else f"{d.second:02d}")
        elif c in "fF":
            frac = f"{d.microsecond:06d}0"[:k]
            out.append(frac.rstrip("0") if c == "F" else frac)
        elif c == "t":
            ampm = "AM" if d.hour < 12 else "PM"
            out.append(ampm[:1] if k == 1 else ampm)
        elif c == "z":
            out.append("+00" if k == 1 else "+00" if k == 2 else "+00:00")
        elif c == "K":
            out.append("")
        elif c == ":":
            out.append(":" * k)
        elif c == "/":
            out.append("/" * k)
        else:
            out.append(c * k)
    return "".join(out)
