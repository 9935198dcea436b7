""".NET formatting of numbers, dates, time spans and composite format strings.

What PowerShell prints for `-f`, `.ToString(fmt)`, `Get-Date -Format`, a table cell or an
interpolated string comes from .NET's formatting code, not from Python's. The rules reproduced
here (from the .NET docs on standard/custom numeric and date/time format strings, and the
behaviour of .NET Framework 4.x vs .NET 5+):

- Numbers are turned into a digit buffer (`_Number`: sign, significant digits, decimal scale)
  and rounded on those digits *half away from zero*, like .NET's `RoundNumber`.
- A double is first reduced to 15 significant digits for the standard formats on .NET Framework
  (Windows PowerShell 5.1: `2.675.ToString("F2")` is `2.68`); .NET Core 3.0+ (pwsh 7) uses the
  double's exact value (`2.67`). Custom formats (`0.00`) use 15 digits in both.
- `ToString()` of a double is `G15` on .NET Framework and the shortest round-trip string on
  .NET Core 3.0+ (`0.1 + 0.2` prints `0.3` in 5.1, `0.30000000000000004` in 7).
- Date and time patterns expand `/` and `:` to the culture's separators; single-letter formats
  are the standard patterns of the culture.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Sequence
from decimal import Decimal
import attrs

from hyperv_emu.psshim.format.culture import INVARIANT, Culture
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.format.objects import (
    DictionaryEntry,
    iter_output,
    ps_properties,
    ps_type_names,
    timespan_ticks,
)
from hyperv_emu.psshim.runtime.records import ErrorRecord, WarningRecord
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Char, Hashtable, PSObject
from hyperv_emu.sdk.fieldwise import MutableFieldwise


class FormatError(ValueError):
    """A .NET System.FormatException; `message` is .NET's English text."""

    def __init__(self, message: str = "Input string was not in a correct format.") -> None:
        super().__init__(message)
        self.message = message


INVALID_SPECIFIER = "Format specifier was invalid."
BAD_INPUT = "Input string was not in a correct format."
BAD_INDEX = (
    "Index (zero based) must be greater than or equal to zero and less than the size of the "
    "argument list."
)

_TICKS_PER_SECOND = 10_000_000
_TICKS_PER_DAY = 86_400 * _TICKS_PER_SECOND


# =============================================================================================
# The digit buffer
# =============================================================================================


@attrs.define(eq=False, repr=False)
class _Number(MutableFieldwise):
    """value = (-1 if negative) * 0.d1d2d3... * 10**scale. digits "" means zero."""

    negative: bool
    digits: str
    scale: int

    @property
    def is_zero(self) -> bool:
        return self.digits == ""


def _from_decimal(d: Decimal, keep_trailing_zeros: bool = False) -> _Number:
    sign, digit_tuple, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(str(x) for x in digit_tuple).lstrip("0")
    if not digits:
        return _Number(bool(sign), "", 0)
    scale = len(digits) + exponent
    if not keep_trailing_zeros:
        digits = digits.rstrip("0")
    return _Number(bool(sign), digits, scale)


def _round_number(num: _Number, pos: int) -> _Number:
    """.NET RoundNumber: keep `pos` digits of the buffer, rounding half away from zero."""
    digits = num.digits
    if pos < 0 or not digits:
        return _Number(num.negative, "", 0)
    if pos >= len(digits):
        return _Number(num.negative, digits.rstrip("0"), num.scale)
    scale = num.scale
    kept = digits[:pos]
    if digits[pos] >= "5":
        # increment the kept digits
        as_int = int(kept) + 1 if kept else 1
        new = str(as_int).rjust(len(kept), "0") if kept else "1"
        if len(new) > len(kept):  # 999 -> 1000
            scale += 1
            new = new[: max(len(kept), 1)]
        kept = new
    kept = kept.rstrip("0")
    if not kept:
        return _Number(num.negative, "", 0)
    return _Number(num.negative, kept, scale)


def _is_float(value: object) -> bool:
    return isinstance(value, float)


def _shortest_number(value: float) -> _Number:
    """The shortest digits that round-trip (.NET Core's `R`/`G`, Python's repr)."""
    return _from_decimal(Decimal(repr(abs(value)))) if value != 0 else _Number(False, "", 0)


def _make_number(value: int | float | Decimal, precision: int | None) -> _Number:
    """The digit buffer of a value; `precision` significant digits for doubles (None: exact)."""
    if isinstance(value, float):
        num = _from_decimal(Decimal(value))
        num.negative = value < 0 or (value == 0 and str(value).startswith("-"))
        if precision is not None:
            num = _round_number(num, precision)
        return num
    if isinstance(value, Decimal):
        return _from_decimal(value)
    return _from_decimal(Decimal(int(value)))


def _as_number(value: object) -> int | float | Decimal:
    if isinstance(value, bool):
        raise FormatError(INVALID_SPECIFIER)
    if isinstance(value, (int, float, Decimal)):
        return value
    raise TypeError(f"not a number: {value!r}")


# =============================================================================================
# Numbers
# =============================================================================================


def _group(int_digits: str, sep: str) -> str:
    """Insert a group separator every three digits from the right."""
    out: list[str] = []
    for i, ch in enumerate(int_digits):
        out.append(ch)
        remaining = len(int_digits) - i - 1
        if remaining > 0 and remaining % 3 == 0:
            out.append(sep)
    return "".join(out)


def _fixed_parts(num: _Number, places: int) -> tuple[str, str]:
    """Integer and fraction digit strings of an already rounded buffer."""
    digits = num.digits
    if num.scale > 0:
        int_part = (digits[: num.scale]).ljust(num.scale, "0")
        rest = digits[num.scale :]
    else:
        int_part = "0"
        rest = "0" * (-num.scale) + digits
    frac = rest[:places].ljust(places, "0")
    return int_part, frac


def _format_fixed(num: _Number, places: int, decimal_sep: str, group_sep: str | None) -> str:
    int_part, frac = _fixed_parts(num, places)
    if group_sep is not None:
        int_part = _group(int_part, group_sep)
    return int_part + (decimal_sep + frac if places > 0 else "")


def _exponent(value: int, letter: str, min_digits: int, plus: bool) -> str:
    sign = "-" if value < 0 else ("+" if plus else "")
    return letter + sign + str(abs(value)).rjust(min_digits, "0")


def _format_general(
    num: _Number, max_digits: int, exp_letter: str, decimal_sep: str, suppress_sci: bool = False
) -> str:
    dig_pos = num.scale
    scientific = False
    if not suppress_sci and not num.is_zero and (dig_pos > max_digits or dig_pos < -3):
        dig_pos = 1
        scientific = True
    digits = num.digits
    i = 0
    out: list[str] = []
    if dig_pos > 0:
        for _ in range(dig_pos):
            out.append(digits[i] if i < len(digits) else "0")
            i += 1
    else:
        out.append("0")
    if i < len(digits) or dig_pos < 0:
        out.append(decimal_sep)
        out.append("0" * max(-dig_pos, 0))
        out.append(digits[i:])
    if scientific:
        out.append(_exponent(num.scale - 1, exp_letter, 2, True))
    return "".join(out)


def _format_scientific(num: _Number, places: int, exp_letter: str, decimal_sep: str) -> str:
    digits = num.digits
    first = digits[0] if digits else "0"
    rest = digits[1:].ljust(places, "0")[:places]
    mantissa = first + (decimal_sep + rest if places > 0 else "")
    exp = 0 if num.is_zero else num.scale - 1
    return mantissa + _exponent(exp, exp_letter, 3, True)


def _apply_pattern(pattern: str, number_text: str, symbol: str, negative_sign: str) -> str:
    return (
        pattern.replace("-", "\x00").replace("{n}", number_text).replace("{s}", symbol)
    ).replace("\x00", negative_sign)


def _parse_standard(fmt: str) -> tuple[str, int | None] | None:
    """`N2` -> ("N", 2); `X` -> ("X", None); a custom format -> None."""
    if not fmt or not fmt[0].isascii() or not fmt[0].isalpha():
        return None
    rest = fmt[1:]
    if rest == "":
        return fmt[0], None
    if rest.isdigit() and rest.isascii():
        return fmt[0], int(rest)
    return None


def _special_double(value: float, culture: Culture) -> str | None:
    if value != value:
        return culture.nan_symbol
    if value == float("inf"):
        return culture.positive_infinity
    if value == float("-inf"):
        return culture.negative_infinity
    return None


def _sign_of(num: _Number, value: object, edition: str) -> bool:
    """Whether to print a minus sign: .NET Core keeps the sign of a double that rounds to zero
    (and of -0.0); .NET Framework and integers/decimals drop it."""
    if not num.negative:
        return False
    if not num.is_zero:
        return True
    return edition == "7" and isinstance(value, float)


def _round_trip_framework(value: float) -> _Number:
    """.NET Framework `R`: G15 if it parses back to the same double, else G17."""
    g15 = _round_number(_make_number(value, None), 15)
    text = ("-" if value < 0 else "") + "0." + (g15.digits or "0") + f"e{g15.scale}"
    if float(text) == value:
        return g15
    return _round_number(_make_number(value, None), 17)


def format_number(
    value: int | float | Decimal,
    fmt: str | None,
    culture: Culture,
    *,
    edition: str = "5.1",
) -> str:
    """`value.ToString(fmt, culture)` for Int32/Int64/Double/Decimal (enums: use their value).

    Standard formats C D E F G N P R X (any case, optional precision) and custom formats
    (`0.00`, `#,##0`, `0.##`, `0%`, `0.00E+0`, sections `;`, quoted literals, `\\` escapes).
    Raises FormatError for invalid specifiers (`D` on a double, an unknown letter).
    """
    value = _as_number(value)
    if isinstance(value, enum.Enum):
        value = int(value)
    if isinstance(value, float):
        special = _special_double(value, culture)
        if special is not None:
            return special
    fmt = fmt or ""
    standard = _parse_standard(fmt) if fmt else ("G", None)
    if standard is None:
        return _format_custom(value, fmt, culture)
    letter, precision = standard
    upper = letter.upper()
    is_double = isinstance(value, float)
    framework = edition != "7"

    def prepared(places_precision: int | None = None) -> _Number:
        if is_double and framework:
            p = 15 if places_precision is None or places_precision <= 15 else places_precision
            return _make_number(value, p)
        return _make_number(value, None)

    if upper == "G":
        if is_double:
            assert isinstance(value, float)
            if precision is None or precision == 0:
                if framework:
                    num = _make_number(value, 15)
                    max_digits = 15
                else:
                    num = _shortest_number(value)
                    num.negative = value < 0 or str(value).startswith("-")
                    max_digits = max(len(num.digits), 15)
            else:
                num = _round_number(_make_number(value, None), precision)
                num.negative = value < 0
                max_digits = precision
            text = _format_general(num, max_digits, "E" if letter == "G" else "e",
                                   culture.decimal_separator)
            return (culture.negative_sign if _sign_of(num, value, edition) else "") + text
        if isinstance(value, Decimal):
            num = _from_decimal(value, keep_trailing_zeros=True)
            if precision:
                num = _round_number(num, precision)
                text = _format_general(num, precision, "E" if letter == "G" else "e",
                                       culture.decimal_separator)
            else:
                text = _format_general(num, 29, "E", culture.decimal_separator, suppress_sci=True)
            return (culture.negative_sign if num.negative and not num.is_zero else "") + text
        num = _make_number(value, None)
        if precision:
            num = _round_number(num, precision)
            text = _format_general(num, precision, "E" if letter == "G" else "e",
                                   culture.decimal_separator)
        else:
            text = _format_general(num, max(len(num.digits), num.scale, 1), "E",
                                   culture.decimal_separator)
        return (culture.negative_sign if num.negative and not num.is_zero else "") + text

    if upper == "R":
        if is_double:
            assert isinstance(value, float)
            if framework:
                num = _round_trip_framework(value)
                max_digits = 15
            else:
                num = _shortest_number(value)
                max_digits = max(len(num.digits), 15)
            num.negative = value < 0 or str(value).startswith("-")
            text = _format_general(num, max_digits, "E" if letter == "R" else "e",
                                   culture.decimal_separator)
            return (culture.negative_sign if _sign_of(num, value, edition) else "") + text
        if isinstance(value, Decimal):
            raise FormatError(INVALID_SPECIFIER)
        return format_number(value, "D", culture, edition=edition)

    if upper == "D":
        if is_double or isinstance(value, Decimal):
            raise FormatError(INVALID_SPECIFIER)
        iv = int(value)
        digits = str(abs(iv)).rjust(precision or 0, "0")
        return (culture.negative_sign if iv < 0 else "") + digits

    if upper == "X":
        if is_double or isinstance(value, Decimal):
            raise FormatError(INVALID_SPECIFIER)
        iv = int(value)
        if iv < 0:
            iv += 2**32 if iv >= -(2**31) else 2**64
        text = format(iv, "X" if letter == "X" else "x")
        return text.rjust(precision or 0, "0")

    if upper in ("F", "N"):
        places = 2 if precision is None else precision
        num = _round_number(prepared(), prepared().scale + places)
        group = culture.group_separator if upper == "N" else None
        text = _format_fixed(num, places, culture.decimal_separator, group)
        if _sign_of(num, value, edition):
            if upper == "N":
                return _apply_pattern(culture.number_negative, text, "", culture.negative_sign)
            return culture.negative_sign + text
        return text

    if upper == "E":
        places = 6 if precision is None else precision
        base = prepared()
        num = _round_number(base, places + 1)
        text = _format_scientific(num, places, "E" if letter == "E" else "e",
                                  culture.decimal_separator)
        return (culture.negative_sign if _sign_of(num, value, edition) else "") + text

    if upper == "P":
        places = 2 if precision is None else precision
        base = prepared()
        if not base.is_zero:
            base = _Number(base.negative, base.digits, base.scale + 2)
        num = _round_number(base, base.scale + places)
        text = _format_fixed(num, places, culture.decimal_separator, culture.group_separator)
        if _sign_of(num, value, edition):
            return _apply_pattern(culture.percent_negative, text, culture.percent_symbol,
                                  culture.negative_sign)
        return _apply_pattern(culture.percent_positive, text, culture.percent_symbol,
                              culture.negative_sign)

    if upper == "C":
        places = 2 if precision is None else precision
        base = prepared()
        num = _round_number(base, base.scale + places)
        text = _format_fixed(num, places, culture.currency_decimal_separator,
                             culture.currency_group_separator)
        if _sign_of(num, value, edition):
            return _apply_pattern(culture.currency_negative, text, culture.currency_symbol,
                                  culture.negative_sign)
        return _apply_pattern(culture.currency_positive, text, culture.currency_symbol,
                              culture.negative_sign)

    raise FormatError(INVALID_SPECIFIER)


# --- custom numeric formats ------------------------------------------------------------------


def _split_sections(fmt: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in "'\"":
            end = fmt.find(ch, i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


@attrs.define(eq=False, repr=False)
class _CustomLayout(MutableFieldwise):
    digit_count: int = 0
    decimal_pos: int = -1
    first_zero: int = 0x7FFFFFFF
    last_zero: int = 0
    thousand_seps: bool = False
    scale_adjust: int = 0
    scientific: bool = False


def _scan_custom(section: str) -> _CustomLayout:
    lay = _CustomLayout()
    thousand_pos = -1
    thousand_count = 0
    i = 0
    n = len(section)
    while i < n:
        ch = section[i]
        if ch == "#":
            lay.digit_count += 1
        elif ch == "0":
            if lay.first_zero == 0x7FFFFFFF:
                lay.first_zero = lay.digit_count
            lay.digit_count += 1
            lay.last_zero = lay.digit_count
        elif ch == ".":
            if lay.decimal_pos < 0:
                lay.decimal_pos = lay.digit_count
        elif ch == ",":
            if lay.digit_count > 0 and lay.decimal_pos < 0:
                if thousand_pos >= 0:
                    if thousand_pos == lay.digit_count:
                        thousand_count += 1
                        i += 1
                        continue
                    lay.thousand_seps = True
                thousand_pos = lay.digit_count
                thousand_count = 1
        elif ch == "%":
            lay.scale_adjust += 2
        elif ch == "\u2030":
            lay.scale_adjust += 3
        elif ch in "'\"":
            end = section.find(ch, i + 1)
            i = n if end < 0 else end + 1
            continue
        elif ch == "\\":
            i += 2
            continue
        elif ch in "Ee":
            j = i + 1
            if j < n and section[j] in "+-":
                j += 1
            if j < n and section[j] == "0":
                lay.scientific = True
                while j < n and section[j] == "0":
                    j += 1
                i = j
                continue
        i += 1
    if lay.decimal_pos < 0:
        lay.decimal_pos = lay.digit_count
    if thousand_pos >= 0:
        if thousand_pos == lay.decimal_pos:
            lay.scale_adjust -= thousand_count * 3
        else:
            lay.thousand_seps = True
    return lay


def _format_custom(value: int | float | Decimal, fmt: str, culture: Culture) -> str:
    sections = _split_sections(fmt)
    base = _make_number(value, 15 if isinstance(value, float) else None)
    negative = base.negative and not base.is_zero

    def pick(kind: int) -> int:
        # kind: 0 positive, 1 negative, 2 zero
        if kind == 1 and len(sections) >= 2 and sections[1] != "":
            return 1
        if kind == 2 and len(sections) >= 3 and sections[2] != "":
            return 2
        return 0

    section_index = pick(2 if base.is_zero else (1 if negative else 0))
    while True:
        section = sections[section_index]
        lay = _scan_custom(section)
        num = _Number(base.negative, base.digits, base.scale)
        if not num.is_zero:
            num.scale += lay.scale_adjust
            pos = lay.digit_count if lay.scientific else num.scale + lay.digit_count - lay.decimal_pos
            num = _round_number(num, pos)
            if num.is_zero:
                zero_section = pick(2)
                if zero_section != section_index and zero_section == 2:
                    section_index = zero_section
                    continue
        break
    return _render_custom(num, section, lay, culture, use_sign=(section_index == 0 and negative
                                                                 and not num.is_zero))


def _render_custom(
    num: _Number, section: str, lay: _CustomLayout, culture: Culture, use_sign: bool
) -> str:
    first_digit = lay.decimal_pos - lay.first_zero if lay.first_zero < lay.decimal_pos else 0
    last_digit = lay.decimal_pos - lay.last_zero if lay.last_zero > lay.decimal_pos else 0
    if num.is_zero:
        num = _Number(num.negative, "", 0)
    if lay.scientific:
        dig_pos = lay.decimal_pos
        adjust = 0
    else:
        dig_pos = num.scale if num.scale > lay.decimal_pos else lay.decimal_pos
        adjust = num.scale - lay.decimal_pos
    digits = num.digits
    di = 0
    out: list[str] = []
    if use_sign:
        out.append(culture.negative_sign)
    decimal_written = False

    def next_digit() -> str:
        nonlocal di
        if di < len(digits):
            d = digits[di]
            di += 1
            return d
        return ""

    def maybe_group() -> None:
        if lay.thousand_seps and dig_pos > 1 and (dig_pos - 1) % 3 == 0:
            out.append(culture.group_separator)

    i = 0
    n = len(section)
    while i < n:
        ch = section[i]
        if adjust > 0 and ch in "#0.":
            while adjust > 0:
                d = next_digit()
                out.append(d or "0")
                maybe_group()
                dig_pos -= 1
                adjust -= 1
        if ch in "#0":
            if adjust < 0:
                adjust += 1
                c = "0" if dig_pos <= first_digit else ""
            else:
                d = next_digit()
                c = d if d else ("0" if dig_pos > last_digit else "")
            if c:
                out.append(c)
                maybe_group()
            dig_pos -= 1
        elif ch == ".":
            if not (dig_pos != 0 or decimal_written):
                if last_digit < 0 or (lay.decimal_pos < lay.digit_count and di < len(digits)):
                    out.append(culture.decimal_separator)
                    decimal_written = True
        elif ch == ",":
            pass
        elif ch == "%":
            out.append(culture.percent_symbol)
        elif ch == "\u2030":
            out.append(culture.per_mille_symbol)
        elif ch in "'\"":
            end = section.find(ch, i + 1)
            end = n if end < 0 else end
            out.append(section[i + 1 : end])
            i = end + 1
            continue
        elif ch == "\\":
            if i + 1 < n:
                out.append(section[i + 1])
            i += 2
            continue
        elif ch in "Ee":
            j = i + 1
            plus = False
            if j < n and section[j] in "+-":
                plus = section[j] == "+"
                j += 1
            if j < n and section[j] == "0":
                zeros = 0
                while j < n and section[j] == "0":
                    zeros += 1
                    j += 1
                exp = 0 if num.is_zero else num.scale - lay.decimal_pos
                sign = "-" if exp < 0 else ("+" if plus else "")
                out.append(ch + sign + str(abs(exp)).rjust(zeros, "0"))
                i = j
                continue
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# =============================================================================================
# Dates and times
# =============================================================================================

_INVARIANT_PATTERNS = {
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}


def _standard_date_pattern(letter: str, culture: Culture) -> tuple[str, Culture]:
    table = {
        "d": culture.short_date,
        "D": culture.long_date,
        "f": f"{culture.long_date} {culture.short_time}",
        "F": culture.full_date_time,
        "g": f"{culture.short_date} {culture.short_time}",
        "G": culture.general_long,
        "m": culture.month_day,
        "M": culture.month_day,
        "t": culture.short_time,
        "T": culture.long_time,
        "y": culture.year_month,
        "Y": culture.year_month,
        "U": culture.full_date_time,
    }
    if letter in table:
        return table[letter], culture
    low = letter.lower()
    if low in _INVARIANT_PATTERNS and (letter in "oOrRsu"):
        return _INVARIANT_PATTERNS[low], INVARIANT
    raise FormatError(INVALID_SPECIFIER)


def _offset_text(offset: _dt.timedelta, count: int) -> str:
    total_minutes = int(offset.total_seconds() // 60)
    sign = "-" if total_minutes < 0 else "+"
    total_minutes = abs(total_minutes)
    hours, minutes = divmod(total_minutes, 60)
    if count == 1:
        return f"{sign}{hours}"
    if count == 2:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


def _repeat(fmt: str, i: int) -> int:
    ch = fmt[i]
    j = i
    while j < len(fmt) and fmt[j] == ch:
        j += 1
    return j - i


def _quoted(fmt: str, i: int) -> tuple[str, int]:
    """The literal of a quoted run starting at fmt[i] (a quote); returns (text, next index)."""
    quote = fmt[i]
    out: list[str] = []
    j = i + 1
    while j < len(fmt):
        ch = fmt[j]
        if ch == quote:
            return "".join(out), j + 1
        if ch == "\\" and j + 1 < len(fmt):
            out.append(fmt[j + 1])
            j += 2
            continue
        out.append(ch)
        j += 1
    raise FormatError(BAD_INPUT)


def format_datetime(
    dt: _dt.datetime,
    fmt: str | None,
    culture: Culture,
    *,
    utc_offset: _dt.timedelta | None = None,
) -> str:
    """`DateTime.ToString(fmt, culture)` (and `Get-Date -Format fmt`).

    Standard one-letter patterns (d D f F g G m M o O r R s t T u U y Y) and custom patterns
    (d..dddd M..MMMM y..yyyyy h hh H HH m mm s ss f..fffffff F..FFFFFFF t tt z zz zzz K g,
    `:` and `/` as the culture's separators, '...' and "..." literals, `\\x` escapes, `%x`).

    Time zone: an aware datetime uses its own offset (`K` prints `Z` for UTC). A naive one
    (PowerShell's DateTime values are naive host-local times) uses `utc_offset` for `z`/`K`;
    without it, `z` prints +00:00 and `K` prints nothing (an Unspecified DateTime).
    """
    if not fmt:
        fmt = "G"
    if len(fmt) == 1:
        pattern, culture = _standard_date_pattern(fmt, culture)
        if fmt == "U":
            if dt.tzinfo is not None:
                dt = dt.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            elif utc_offset is not None:
                dt = dt - utc_offset
        fmt = pattern
    return _format_datetime_custom(dt, fmt, culture, utc_offset)


def _format_datetime_custom(
    dt: _dt.datetime, fmt: str, culture: Culture, utc_offset: _dt.timedelta | None
) -> str:
    out: list[str] = []
    i = 0
    n = len(fmt)
    if dt.tzinfo is not None:
        offset: _dt.timedelta = dt.utcoffset() or _dt.timedelta(0)
        k_text = "Z" if dt.tzinfo is _dt.timezone.utc else _offset_text(offset, 3)
    else:
        offset = utc_offset if utc_offset is not None else _dt.timedelta(0)
        k_text = "" if utc_offset is None else _offset_text(offset, 3)
    ticks_fraction = dt.microsecond * 10
    while i < n:
        ch = fmt[i]
        count = _repeat(fmt, i)
        if ch == "h":
            hour = dt.hour % 12 or 12
            out.append(str(hour) if count == 1 else f"{hour:02d}")
        elif ch == "H":
            out.append(str(dt.hour) if count == 1 else f"{dt.hour:02d}")
        elif ch == "m":
            out.append(str(dt.minute) if count == 1 else f"{dt.minute:02d}")
        elif ch == "s":
            out.append(str(dt.second) if count == 1 else f"{dt.second:02d}")
        elif ch in "fF":
            if count > 7:
                raise FormatError(BAD_INPUT)
            frac = f"{ticks_fraction:07d}"[:count]
            if ch == "F":
                frac = frac.rstrip("0")
                if not frac and out and out[-1].endswith("."):
                    out[-1] = out[-1][:-1]
            out.append(frac)
        elif ch == "t":
            designator = culture.am if dt.hour < 12 else culture.pm
            out.append(designator[:1] if count == 1 else designator)
        elif ch == "d":
            if count == 1:
                out.append(str(dt.day))
            elif count == 2:
                out.append(f"{dt.day:02d}")
            else:
                dow = (dt.weekday() + 1) % 7
                out.append(culture.day_names_abbr[dow] if count == 3 else culture.day_names[dow])
        elif ch == "M":
            if count == 1:
                out.append(str(dt.month))
            elif count == 2:
                out.append(f"{dt.month:02d}")
            elif count == 3:
                out.append(culture.month_names_abbr[dt.month - 1])
            else:
                out.append(culture.month_names[dt.month - 1])
        elif ch == "y":
            if count == 1:
                out.append(str(dt.year % 100))
            elif count == 2:
                out.append(f"{dt.year % 100:02d}")
            else:
                out.append(str(dt.year).rjust(count, "0"))
        elif ch == "g":
            out.append("A.D.")
        elif ch == "z":
            out.append(_offset_text(offset, count))
        elif ch == "K":
            out.append(k_text)
            count = 1
        elif ch == ":":
            out.append(culture.time_separator)
            count = 1
        elif ch == "/":
            out.append(culture.date_separator)
            count = 1
        elif ch in "'\"":
            text, i = _quoted(fmt, i)
            out.append(text)
            continue
        elif ch == "%":
            if i + 1 < n and fmt[i + 1] != "%":
                sub = _format_datetime_custom(dt, fmt[i + 1], culture, utc_offset) if fmt[
                    i + 1
                ] not in "'\"\\" else fmt[i + 1]
                out.append(sub)
                i += 2
                continue
            raise FormatError(BAD_INPUT)
        elif ch == "\\":
            if i + 1 >= n:
                raise FormatError(BAD_INPUT)
            out.append(fmt[i + 1])
            i += 2
            continue
        else:
            out.append(ch)
            count = 1
        i += count
    return "".join(out)


def format_uformat(dt: _dt.datetime, fmt: str, culture: Culture) -> str:
    """`Get-Date -UFormat`: the common %-specifiers (%Y %m %d %H %M %S %y %b %B %a %A %j %p
    %Z %s %D %T %R %F %e %I %n %t %%); other characters are copied."""
    mapping = {
        "Y": f"{dt.year:04d}",
        "y": f"{dt.year % 100:02d}",
        "m": f"{dt.month:02d}",
        "d": f"{dt.day:02d}",
        "e": f"{dt.day:2d}",
        "H": f"{dt.hour:02d}",
        "I": f"{dt.hour % 12 or 12:02d}",
        "M": f"{dt.minute:02d}",
        "S": f"{dt.second:02d}",
        "b": culture.month_names_abbr[dt.month - 1],
        "h": culture.month_names_abbr[dt.month - 1],
        "B": culture.month_names[dt.month - 1],
        "a": culture.day_names_abbr[(dt.weekday() + 1) % 7],
        "A": culture.day_names[(dt.weekday() + 1) % 7],
        "j": f"{dt.timetuple().tm_yday:03d}",
        "p": culture.am if dt.hour < 12 else culture.pm,
        "D": f"{dt.month:02d}/{dt.day:02d}/{dt.year % 100:02d}",
        "T": f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}",
        "R": f"{dt.hour:02d}:{dt.minute:02d}",
        "F": f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}",
        "u": str(dt.isoweekday()),
        "w": str((dt.weekday() + 1) % 7),
        "n": "\n",
        "t": "\t",
        "%": "%",
        "s": str(int((dt - _dt.datetime(1970, 1, 1)).total_seconds()))
        if dt.tzinfo is None
        else str(int(dt.timestamp())),
    }
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt) and fmt[i + 1] in mapping:
            out.append(mapping[fmt[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# =============================================================================================
# Time spans
# =============================================================================================


def format_timespan(td: _dt.timedelta, fmt: str | None, culture: Culture) -> str:
    """`TimeSpan.ToString(fmt, culture)`: `c` (default: `[-][d.]hh:mm:ss[.fffffff]`), `g`, `G`
    and custom patterns (d.. h hh m mm s ss f.. F.., quoted or `\\`-escaped literals)."""
    ticks = timespan_ticks(td)
    negative = ticks < 0
    ticks = abs(ticks)
    days, rem = divmod(ticks, _TICKS_PER_DAY)
    hours, rem = divmod(rem, 3600 * _TICKS_PER_SECOND)
    minutes, rem = divmod(rem, 60 * _TICKS_PER_SECOND)
    seconds, fraction = divmod(rem, _TICKS_PER_SECOND)
    sign = "-" if negative else ""
    if not fmt or fmt in ("c", "t", "T"):
        text = f"{sign}{str(days) + '.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
        return text + (f".{fraction:07d}" if fraction else "")
    if fmt == "g":
        frac = f"{fraction:07d}".rstrip("0")
        text = f"{sign}{str(days) + ':' if days else ''}{hours}:{minutes:02d}:{seconds:02d}"
        return text + (culture.decimal_separator + frac if frac else "")
    if fmt == "G":
        return (
            f"{sign}{days}:{hours:02d}:{minutes:02d}:{seconds:02d}"
            f"{culture.decimal_separator}{fraction:07d}"
        )
    if len(fmt) == 1 and fmt not in "dhmsfF":
        raise FormatError(BAD_INPUT)
    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        ch = fmt[i]
        count = _repeat(fmt, i)
        if ch == "d":
            if count > 8:
                raise FormatError(BAD_INPUT)
            out.append(str(days).rjust(count, "0"))
        elif ch in "hms":
            if count > 2:
                raise FormatError(BAD_INPUT)
            part = {"h": hours, "m": minutes, "s": seconds}[ch]
            out.append(str(part) if count == 1 else f"{part:02d}")
        elif ch in "fF":
            if count > 7:
                raise FormatError(BAD_INPUT)
            frac = f"{fraction:07d}"[:count]
            out.append(frac.rstrip("0") if ch == "F" else frac)
        elif ch in "'\"":
            text, i = _quoted(fmt, i)
            out.append(text)
            continue
        elif ch == "\\":
            if i + 1 >= n:
                raise FormatError(BAD_INPUT)
            out.append(fmt[i + 1])
            i += 2
            continue
        elif ch == "%" and i + 1 < n:
            i += 1
            continue
        else:
            raise FormatError(BAD_INPUT)
        i += count
    return "".join(out)


# =============================================================================================
# ToString of any value
# =============================================================================================


def _decimal_text(value: Decimal, culture: Culture) -> str:
    """System.Decimal.ToString(): plain notation, scale kept (`1.50`)."""
    return format_number(value, "G", culture)


def enum_name(value: enum.Enum) -> str:
    name = value.name
    return name if name is not None else str(int(value.value))


def _object_to_string(
    value: object, culture: Culture, edition: str, adapters: AdapterRegistry | None
) -> str:
    """.NET Object.ToString() for values that are not numbers, dates or strings."""
    hook = getattr(value, "ps_to_string", None)
    if callable(hook):
        return str(hook())
    if isinstance(value, (ErrorRecord, WarningRecord)):
        return value.message
    if type(value).__str__ is not object.__str__ and not isinstance(value, DictionaryEntry):
        return str(value)
    return ps_type_names(value, adapters)[0]


def _overrides_to_string(value: object) -> bool:
    """Whether .NET's ToString() of the value says something more than its type name."""
    if callable(getattr(value, "ps_to_string", None)):
        return True
    if isinstance(value, (ErrorRecord, WarningRecord)):
        return True
    return type(value).__str__ is not object.__str__ and not isinstance(value, DictionaryEntry)


def to_string(
    value: object,
    culture: Culture,
    *,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
    ofs: str = " ",
    top_level: bool = True,
) -> str:
    """PowerShell's string conversion of one value under `culture` (`LanguagePrimitives`):
    the shared core of `to_invariant_string` (interpolation) and display strings.

    Arrays at the top level join their elements with `ofs`; nested arrays print as
    `System.Object[]` as .NET's ToString does.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return str(value)
    if isinstance(value, enum.Enum):
        return enum_name(value)
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, None, culture, edition=edition)
    if isinstance(value, _dt.datetime):
        return format_datetime(value, "G", culture)
    if isinstance(value, _dt.date):
        return format_datetime(_dt.datetime(value.year, value.month, value.day), "G", culture)
    if isinstance(value, _dt.timedelta):
        return format_timespan(value, None, culture)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        if not top_level:
            return "System.Object[]"
        return ofs.join(
            to_string(v, culture, edition=edition, adapters=adapters, top_level=False)
            for v in value
        )
    if isinstance(value, Hashtable):
        return ps_type_names(value, adapters)[0]
    if isinstance(value, PSObject):
        return psobject_to_string(value, culture, edition=edition, adapters=adapters)
    return _object_to_string(value, culture, edition, adapters)


def psobject_to_string(
    obj: PSObject, culture: Culture, *, edition: str = "5.1", adapters: AdapterRegistry | None = None
) -> str:
    """PSCustomObject.ToString(): `@{Name=SRV-APP01; State=Running}` ("" without properties)."""
    if not obj.properties:
        return ""
    parts = []
    for name, val in obj.properties.items():
        parts.append(
            f"{name}={to_string(val, culture, edition=edition, adapters=adapters)}"
        )
    return "@{" + "; ".join(parts) + "}"


def double_to_string(value: float) -> str:
    """PowerShell's conversion of a double to string (`"$x"`, `[string]$x`, the invariant
    culture): 15 significant digits ("G15") in both editions: `"$(2/3)"` is `0.666666666666667`
    and `"$(0.1 + 0.2)"` is `0.3`. 5.1 gets it from .NET Framework's double.ToString(); pwsh 7
    asks for G15 on purpose (PowerShell PR #9893) although .NET Core's ToString() became
    shortest round-trip. (`double.ToString()` itself, edition by edition, is `format_number`.)"""
    special = _special_double(value, INVARIANT)
    if special is not None:
        return special
    if value == 0:
        return "0"
    digits, exp = _g15_digits(value)
    sign = "-" if value < 0 else ""
    # exp: position of the decimal point relative to the digit string (scientific exponent)
    if exp >= 15 or exp < -4:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        esign = "+" if exp >= 0 else "-"
        return f"{sign}{mant}E{esign}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    intpart = digits[: exp + 1].ljust(exp + 1, "0")
    frac = digits[exp + 1:]
    return f"{sign}{intpart}{'.' + frac if frac else ''}"


def _g15_digits(value: float) -> tuple[str, int]:
    """The 15 significant digits of |value| (trailing zeros dropped) and its decimal exponent."""
    mant, _, e = f"{abs(value):.14e}".partition("e")
    return mant.replace(".", "").rstrip("0") or "0", int(e)


def to_invariant_string(
    value: object,
    *,
    edition: str = "5.1",
    ofs: str = " ",
    adapters: AdapterRegistry | None = None,
) -> str:
    """What `"$value"` gives: the invariant culture (`02/20/2026 08:00:00`), doubles with 15
    significant digits (`double_to_string`), TimeSpan `7.00:00:00`, bool `True`, arrays joined
    with `ofs` ($OFS)."""
    if isinstance(value, float):
        return double_to_string(value)
    if isinstance(value, (list, tuple)):
        return ofs.join(
            to_invariant_string(v, edition=edition, adapters=adapters)
            if not isinstance(v, (list, tuple))
            else "System.Object[]"
            for v in value
        )
    return to_string(value, INVARIANT, edition=edition, adapters=adapters, ofs=ofs)


_DISPLAY_NAME_PATTERNS = ("name", "id", "key", "*key", "*name")


def display_name(
    value: object, settings: FormatSettings, adapters: AdapterRegistry | None = None
) -> str:
    """How one element of a collection shows inside `{...}` (PSObjectHelper.GetObjectName):
    `$null` for null, ToString() when the type has its own, else the value of its first
    property called Name, Id, Key, *Key or *Name (a hashtable entry shows its key), else the
    type name."""
    culture = settings.culture
    if value is None:
        return "$null"
    if isinstance(value, (str, bool, int, float, Decimal, _dt.datetime, _dt.timedelta,
                          uuid.UUID, enum.Enum)):
        return to_string(value, culture, edition=settings.edition, adapters=adapters)
    if isinstance(value, PSObject):
        return psobject_to_string(value, culture, edition=settings.edition, adapters=adapters)
    if isinstance(value, (list, tuple, Hashtable)) or not _overrides_to_string(value):
        if not isinstance(value, (list, tuple)):
            props = ps_properties(value, adapters)
            for pattern in _DISPLAY_NAME_PATTERNS:
                for name, prop in props:
                    folded = name.casefold()
                    matched = (
                        folded.endswith(pattern[1:]) if pattern.startswith("*")
                        else folded == pattern
                    )
                    if matched:
                        return to_string(prop, culture, edition=settings.edition,
                                         adapters=adapters, top_level=False)
        return ps_type_names(value, adapters)[0]
    return to_string(value, culture, edition=settings.edition, adapters=adapters)


def enumerable_display(
    items: Sequence[object], settings: FormatSettings, adapters: AdapterRegistry | None = None
) -> str:
    """A collection in a table cell or list value: `{a, b, c, d...}` ($FormatEnumerationLimit)."""
    limit = settings.enumeration_limit
    shown = [display_name(v, settings, adapters) for v in list(items)[: max(limit, 0)]]
    text = ", ".join(shown)
    if len(items) > limit:
        text += settings.ellipsis
    return "{" + text + "}"


def to_display_string(
    value: object, settings: FormatSettings, adapters: AdapterRegistry | None = None
) -> str:
    """What a table cell, a list value or an out-of-band scalar prints for a value: the current
    culture (DateTime `2/20/2026 8:00:00 AM` in en-US), doubles as `ToString()` (G15 in 5.1),
    collections as `{a, b, c, d...}`, nested custom objects as `@{A=1; B=2}`."""
    culture = settings.culture
    if isinstance(value, (list, tuple)):
        return enumerable_display(value, settings, adapters)
    if isinstance(value, Hashtable):
        return enumerable_display(list(iter_output(value)), settings, adapters)
    if isinstance(value, Char):
        return str(value)
    return to_string(value, culture, edition=settings.edition, adapters=adapters)


# =============================================================================================
# Composite formatting (-f)
# =============================================================================================


def format_value(
    value: object,
    fmt: str | None,
    culture: Culture,
    *,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
) -> str:
    """`value.ToString(fmt, culture)` for one argument of a composite format (IFormattable
    values honour fmt; others use their ToString())."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, enum.Enum):
        if fmt and fmt.upper() == "D":
            return str(int(value.value))
        if fmt and fmt.upper() == "X":
            return format(int(value.value) & 0xFFFFFFFF, "08X" if fmt == "X" else "08x")
        if fmt and fmt.upper() not in ("G", "F"):
            raise FormatError(INVALID_SPECIFIER)
        return enum_name(value)
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, fmt, culture, edition=edition)
    if isinstance(value, _dt.datetime):
        return format_datetime(value, fmt, culture)
    if isinstance(value, _dt.timedelta):
        return format_timespan(value, fmt, culture)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    return to_string(value, culture, edition=edition, adapters=adapters)


def composite_format(
    fmt: str,
    args: Sequence[object],
    culture: Culture,
    *,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
) -> str:
    """`String.Format(culture, fmt, args)`, the `-f` operator: `{index[,alignment][:format]}`,
    `{{`/`}}` escapes. Raises FormatError with .NET's message on a malformed string or an index
    out of range."""
    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == "}":
            if i + 1 < n and fmt[i + 1] == "}":
                out.append("}")
                i += 2
                continue
            raise FormatError(BAD_INPUT)
        if ch != "{":
            out.append(ch)
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == "{":
            out.append("{")
            i += 2
            continue
        i += 1
        # index
        start = i
        while i < n and fmt[i].isdigit() and fmt[i].isascii():
            i += 1
        if i == start:
            raise FormatError(BAD_INPUT)
        index = int(fmt[start:i])
        while i < n and fmt[i] == " ":
            i += 1
        alignment = 0
        if i < n and fmt[i] == ",":
            i += 1
            while i < n and fmt[i] == " ":
                i += 1
            negative = False
            if i < n and fmt[i] == "-":
                negative = True
                i += 1
            start = i
            while i < n and fmt[i].isdigit() and fmt[i].isascii():
                i += 1
            if i == start:
                raise FormatError(BAD_INPUT)
            alignment = int(fmt[start:i]) * (-1 if negative else 1)
            while i < n and fmt[i] == " ":
                i += 1
        spec: str | None = None
        if i < n and fmt[i] == ":":
            i += 1
            parts: list[str] = []
            while i < n:
                c = fmt[i]
                if c == "}":
                    if i + 1 < n and fmt[i + 1] == "}":
                        parts.append("}")
                        i += 2
                        continue
                    break
                if c == "{":
                    if i + 1 < n and fmt[i + 1] == "{":
                        parts.append("{")
                        i += 2
                        continue
                    raise FormatError(BAD_INPUT)
                parts.append(c)
                i += 1
            spec = "".join(parts)
        if i >= n or fmt[i] != "}":
            raise FormatError(BAD_INPUT)
        i += 1
        if index >= len(args):
            raise FormatError(BAD_INDEX)
        text = format_value(args[index], spec, culture, edition=edition, adapters=adapters)
        if alignment > 0:
            text = text.rjust(alignment)
        elif alignment < 0:
            text = text.ljust(-alignment)
        out.append(text)
    return "".join(out)


__all__ = [
    "FormatError",
    "composite_format",
    "double_to_string",
    "enum_name",
    "enumerable_display",
    "format_datetime",
    "format_number",
    "format_timespan",
    "format_uformat",
    "format_value",
    "psobject_to_string",
    "to_display_string",
    "to_invariant_string",
    "to_string",
]
