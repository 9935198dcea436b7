"""`psshim.format.dotnet_format`: .NET number, date, time-span and composite formatting."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest

from hyperv_emu.psshim.format.culture import DE_DE, EN_GB, EN_US, FR_FR, INVARIANT, SV_SE, get_culture
from hyperv_emu.psshim.format.dotnet_format import (
    FormatError,
    composite_format,
    format_datetime,
    format_number,
    format_timespan,
    format_uformat,
    to_display_string,
    to_invariant_string,
)
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.runtime.values import Hashtable, PSObject

US7 = get_culture("en-US", "7")


class Color(enum.IntEnum):
    Red = 1
    Green = 2


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (1234.5, "N2", "1,234.50"),
        (1234.5, "N", "1,234.50"),
        (-1234.5, "N0", "-1,235"),
        (1234, "N2", "1,234.00"),
        (0.125, "F2", "0.13"),
        (2.5, "F0", "3"),
        (-2.5, "F0", "-3"),
        (3.5, "F0", "4"),
        (1.0, "F3", "1.000"),
        (-0.001, "F2", "0.00"),
        (42, "D5", "00042"),
        (-42, "D5", "-00042"),
        (255, "X", "FF"),
        (255, "x4", "00ff"),
        (-1, "X", "FFFFFFFF"),
        (2**40, "X", "10000000000"),
        (1234.5678, "E2", "1.23E+003"),
        (1234.5678, "e", "1.234568e+003"),
        (0.0, "E2", "0.00E+000"),
        (0.45, "P0", "45 %"),
        (0.4567, "P", "45.67 %"),
        (-0.45, "P0", "-45 %"),
        (12.5, "P0", "1,250 %"),
        (1234.5, "C", "$1,234.50"),
        (-1234.5, "C", "($1,234.50)"),
        (1234.5, "C0", "$1,235"),
        (0.1 + 0.2, None, "0.3"),
        (0.1 + 0.2, "R", "0.30000000000000004"),
        (0.1, "R", "0.1"),
        (1.0, None, "1"),
        (1e15, None, "1E+15"),
        (123456789012345.0, None, "123456789012345"),
        (1.5e-5, None, "1.5E-05"),
        (0.0001, None, "0.0001"),
        (12345, "G2", "1.2E+04"),
        (123.456, "G4", "123.5"),
        (1 / 3, None, "0.333333333333333"),
        (2 / 3, "G17", "0.66666666666666663"),
        (Decimal("1.50"), None, "1.50"),
        (Decimal("-0.5"), "F0", "-1"),
        (Decimal("2.675"), "F2", "2.68"),
        (10**12, None, "1000000000000"),
    ],
)
def test_standard_numeric_formats_en_us_51(value: object, fmt: str | None, text: str) -> None:
    assert format_number(value, fmt, EN_US) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "fmt", "text51", "text7"),
    [
        (2.675, "F2", "2.68", "2.67"),
        (1.005, "F2", "1.01", "1.00"),
        (0.125, "F2", "0.13", "0.13"),
        (0.1 + 0.2, None, "0.3", "0.30000000000000004"),
        (1 / 3, None, "0.333333333333333", "0.3333333333333333"),
        (-0.0, None, "0", "-0"),
        (-0.001, "F2", "0.00", "-0.00"),
    ],
)
def test_edition_rounding(value: float, fmt: str | None, text51: str, text7: str) -> None:
    assert format_number(value, fmt, EN_US, edition="5.1") == text51
    assert format_number(value, fmt, US7, edition="7") == text7


def test_percent_pattern_per_edition() -> None:
    assert format_number(0.45, "P0", EN_US) == "45 %"
    assert format_number(0.45, "P0", US7, edition="7") == "45%"
    assert format_number(-1234.5, "C", US7, edition="7") == "-$1,234.50"


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (1234.5678, "0.00", "1234.57"),
        (1234567.891, "#,##0", "1,234,568"),
        (1234.5, "#,##0.00", "1,234.50"),
        (1234.5, "#,#.00", "1,234.50"),
        (0.5, "0%", "50%"),
        (0.5, "0.0\u2030", "500.0\u2030"),
        (1234567, "#,##0,K", "1,235K"),
        (1234567890, "#,##0,,", "1,235"),
        (-5, "0;(0)", "(5)"),
        (5, "0;(0)", "5"),
        (0, "0;(0);'zero'", "zero"),
        (-0.001, "0.00;(0.00);zero", "zero"),
        (3.14159, "0.##", "3.14"),
        (3.0, "0.##", "3"),
        (0.5, "#.##", ".5"),
        (0, "#.##", ""),
        (7, "000", "007"),
        (12345.678, "0.00E+00", "1.23E+04"),
        (0.00012, "0.0e-0", "1.2e-4"),
        (42, "'#'0", "#42"),
        (42, "\\#0", "#42"),
        (-42, "0", "-42"),
        (1.005, "0.00", "1.01"),
        (2.675, "0.00", "2.68"),
    ],
)
def test_custom_numeric_formats(value: object, fmt: str, text: str) -> None:
    assert format_number(value, fmt, EN_US) == text  # type: ignore[arg-type]


def test_custom_format_uses_15_digits_in_7_too() -> None:
    assert format_number(2.675, "0.00", US7, edition="7") == "2.68"


@pytest.mark.parametrize(
    ("culture", "fmt", "text"),
    [
        (FR_FR, "N2", "1\u00a0234,50"),
        (DE_DE, "N2", "1.234,50"),
        (SV_SE, "N2", "1\u00a0234,50"),
        (EN_GB, "N2", "1,234.50"),
        (INVARIANT, "N2", "1,234.50"),
        (FR_FR, "C", "1\u00a0234,50 \u20ac"),
        (DE_DE, "C", "1.234,50 \u20ac"),
        (EN_GB, "C", "\u00a31,234.50"),
        (SV_SE, "C", "1\u00a0234,50 kr"),
        (FR_FR, "F1", "1234,5"),
        (DE_DE, None, "1234,5"),
    ],
)
def test_number_cultures(culture: object, fmt: str | None, text: str) -> None:
    assert format_number(1234.5, fmt, culture) == text  # type: ignore[arg-type]


def test_invalid_specifiers() -> None:
    with pytest.raises(FormatError):
        format_number(1.5, "D2", EN_US)
    with pytest.raises(FormatError):
        format_number(1.5, "X", EN_US)
    with pytest.raises(FormatError):
        format_number(1, "Q", EN_US)


def test_special_doubles() -> None:
    assert format_number(float("nan"), "N2", EN_US) == "NaN"
    assert format_number(float("inf"), None, EN_US) == "Infinity"
    assert format_number(float("-inf"), None, EN_US) == "-Infinity"


# --- dates ------------------------------------------------------------------------------------

D = dt.datetime(2026, 2, 20, 8, 0, 0)
PM = dt.datetime(2026, 2, 20, 14, 5, 9, 123400)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("d", "2/20/2026"),
        ("D", "Friday, February 20, 2026"),
        ("f", "Friday, February 20, 2026 8:00 AM"),
        ("F", "Friday, February 20, 2026 8:00:00 AM"),
        ("g", "2/20/2026 8:00 AM"),
        ("G", "2/20/2026 8:00:00 AM"),
        (None, "2/20/2026 8:00:00 AM"),
        ("m", "February 20"),
        ("y", "February 2026"),
        ("t", "8:00 AM"),
        ("T", "8:00:00 AM"),
        ("s", "2026-02-20T08:00:00"),
        ("u", "2026-02-20 08:00:00Z"),
        ("o", "2026-02-20T08:00:00.0000000"),
        ("r", "Fri, 20 Feb 2026 08:00:00 GMT"),
        ("yyyy-MM-dd", "2026-02-20"),
        ("yyyy-MM-dd HH:mm:ss", "2026-02-20 08:00:00"),
        ("M/d/yyyy - h:mm:ss tt", "2/20/2026 - 8:00:00 AM"),
        ("ddd dd MMM yy", "Fri 20 Feb 26"),
        ("dddd MMMM", "Friday February"),
        ("yyyyMMdd'T'HHmm", "20260220T0800"),
        ('"Day" d', "Day 20"),
        ("\\d d", "d 20"),
        ("%d", "20"),
        ("%M", "2"),
        ("h t", "8 A"),
        ("g", "2/20/2026 8:00 AM"),
        ("yy gg", "26 A.D."),
    ],
)
def test_datetime_en_us(fmt: str | None, text: str) -> None:
    assert format_datetime(D, fmt, EN_US) == text


def test_datetime_fractions_and_zones() -> None:
    assert format_datetime(PM, "HH:mm:ss.fff", EN_US) == "14:05:09.123"
    assert format_datetime(PM, "HH:mm:ss.fffffff", EN_US) == "14:05:09.1234000"
    assert format_datetime(PM, "ss.FFFFFFF", EN_US) == "09.1234"
    assert format_datetime(D, "ss.FFF", EN_US) == "00"
    assert format_datetime(PM, "h:mm tt", EN_US) == "2:05 PM"
    assert format_datetime(D, "zzz", EN_US, utc_offset=dt.timedelta(hours=1)) == "+01:00"
    assert format_datetime(D, "zz z", EN_US, utc_offset=dt.timedelta(hours=-5)) == "-05 -5"
    assert format_datetime(D, "%K", EN_US) == ""
    assert format_datetime(D, "%K", EN_US, utc_offset=dt.timedelta(hours=2)) == "+02:00"
    utc = D.replace(tzinfo=dt.timezone.utc)
    assert format_datetime(utc, "HH:mmK", EN_US) == "08:00Z"
    assert format_datetime(utc, "o", EN_US) == "2026-02-20T08:00:00.0000000Z"


@pytest.mark.parametrize(
    ("culture", "fmt", "text"),
    [
        (FR_FR, "G", "20/02/2026 08:00:00"),
        (FR_FR, "D", "vendredi 20 f\u00e9vrier 2026"),
        (DE_DE, "G", "20.02.2026 08:00:00"),
        (DE_DE, "D", "Freitag, 20. Februar 2026"),
        (SV_SE, "G", "2026-02-20 08:00:00"),
        (SV_SE, "D", "den 20 februari 2026"),
        (EN_GB, "G", "20/02/2026 08:00:00"),
        (INVARIANT, "G", "02/20/2026 08:00:00"),
        (DE_DE, "dd/MM/yyyy HH:mm", "20.02.2026 08:00"),
        (FR_FR, "tt", ""),
    ],
)
def test_datetime_cultures(culture: object, fmt: str, text: str) -> None:
    assert format_datetime(D, fmt, culture) == text  # type: ignore[arg-type]


def test_datetime_bad_formats() -> None:
    with pytest.raises(FormatError):
        format_datetime(D, "q", EN_US)
    with pytest.raises(FormatError):
        format_datetime(D, "'unterminated", EN_US)


def test_uformat() -> None:
    assert format_uformat(D, "%Y-%m-%d %H:%M:%S", EN_US) == "2026-02-20 08:00:00"
    assert format_uformat(D, "%A %B %j", EN_US) == "Friday February 051"


# --- time spans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "fmt", "text"),
    [
        (dt.timedelta(days=7), None, "7.00:00:00"),
        (dt.timedelta(hours=1, minutes=30), None, "01:30:00"),
        (dt.timedelta(minutes=3, seconds=7, microseconds=56000), None, "00:03:07.0560000"),
        (dt.timedelta(hours=-1), None, "-01:00:00"),
        (dt.timedelta(days=-1, hours=-2), "c", "-1.02:00:00"),
        (dt.timedelta(hours=1, minutes=5), "g", "1:05:00"),
        (dt.timedelta(days=2, hours=1, minutes=5), "G", "2:01:05:00.0000000"),
        (dt.timedelta(hours=1, minutes=5), "hh\\:mm", "01:05"),
        (dt.timedelta(days=3, hours=1), "d' days 'h' h'", "3 days 1 h"),
        (dt.timedelta(seconds=1, microseconds=500000), "ss\\.ff", "01.50"),
    ],
)
def test_timespan(span: dt.timedelta, fmt: str | None, text: str) -> None:
    assert format_timespan(span, fmt, EN_US) == text


def test_timespan_unescaped_colon_is_an_error() -> None:
    with pytest.raises(FormatError):
        format_timespan(dt.timedelta(hours=1), "hh:mm", EN_US)


# --- composite formatting (-f) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "args", "text"),
    [
        ("{0:N2}", [1234.5], "1,234.50"),
        ("{0,-10}|", ["ab"], "ab        |"),
        ("{0,10}|", ["ab"], "        ab|"),
        ("{0,8:N1}|", [3.14159], "     3.1|"),
        ("{{x}} {0}", [1], "{x} 1"),
        ("{0:yyyy-MM-dd}", [D], "2026-02-20"),
        ("{0}", [D], "2/20/2026 8:00:00 AM"),
        ("{0} {1} {0}", ["a", "b"], "a b a"),
        ("{0}", [None], ""),
        ("{0}", [True], "True"),
        ("{0}", [Color.Green], "Green"),
        ("{0:D}", [Color.Green], "2"),
        ("{0}", [[1, 2]], "System.Object[]"),
        ("{0:P1}", [0.256], "25.6 %"),
        ("{0:hh\\:mm}", [dt.timedelta(hours=2, minutes=3)], "02:03"),
        ("{0}", [dt.timedelta(days=1)], "1.00:00:00"),
        ("{0 , -4}|", [7], "7   |"),
        ("{0:0.0}", [2.25], "2.3"),
    ],
)
def test_composite_format(fmt: str, args: list[object], text: str) -> None:
    assert composite_format(fmt, args, EN_US) == text


def test_composite_format_errors() -> None:
    with pytest.raises(FormatError) as err:
        composite_format("{1}", ["a"], EN_US)
    assert err.value.message.startswith("Index (zero based)")
    with pytest.raises(FormatError):
        composite_format("{0", ["a"], EN_US)
    with pytest.raises(FormatError):
        composite_format("a}b", [], EN_US)


def test_composite_format_current_culture() -> None:
    assert composite_format("{0:N2}", [1234.5], DE_DE) == "1.234,50"
    assert composite_format("{0}", [1.5], FR_FR) == "1,5"


# --- string conversions -----------------------------------------------------------------------


def test_invariant_string() -> None:
    assert to_invariant_string(D) == "02/20/2026 08:00:00"
    assert to_invariant_string(dt.timedelta(days=7)) == "7.00:00:00"
    assert to_invariant_string(dt.timedelta(hours=1, minutes=30)) == "01:30:00"
    assert to_invariant_string(True) == "True"
    assert to_invariant_string(None) == ""
    assert to_invariant_string([1, "a", 2.5]) == "1 a 2.5"
    assert to_invariant_string([1, 2], ofs=",") == "1,2"
    assert to_invariant_string([1, [2, 3]]) == "1 System.Object[]"
    assert to_invariant_string(0.1) == "0.1"
    # PowerShell converts doubles to string with G15 in both editions (PR #9893), not "R"
    assert to_invariant_string(0.1 + 0.2) == "0.3"
    assert to_invariant_string(2 / 3) == "0.666666666666667"
    assert to_invariant_string(2 / 3, edition="7") == "0.666666666666667"
    assert to_invariant_string(1e20) == "1E+20"
    assert to_invariant_string(Decimal("1.50")) == "1.50"
    assert to_invariant_string(Color.Red) == "Red"
    assert to_invariant_string(Hashtable({"a": 1})) == "System.Collections.Hashtable"
    assert to_invariant_string(PSObject({"A": 1, "B": "x"})) == "@{A=1; B=x}"
    assert to_invariant_string(PSObject()) == ""
    guid = uuid.UUID("4f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162")
    assert to_invariant_string(guid) == "4f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162"


def test_display_string() -> None:
    s = FormatSettings()
    assert to_display_string(D, s) == "2/20/2026 8:00:00 AM"
    assert to_display_string(1.5, FormatSettings(culture=DE_DE)) == "1,5"
    assert to_display_string([1, 2, 3, 4, 5], s) == "{1, 2, 3, 4...}"
    assert to_display_string([1, 2], s) == "{1, 2}"
    assert to_display_string([1, 2, 3, 4, 5], FormatSettings(edition="7")) == "{1, 2, 3, 4\u2026}"
    assert to_display_string([[1], 2], s) == "{System.Object[], 2}"
    assert to_display_string(PSObject({"A": 1, "B": 2}), s) == "@{A=1; B=2}"
    assert to_display_string(0.1 + 0.2, s) == "0.3"
    assert to_display_string(Hashtable({"a": 1, "b": 2}), s) == "{a, b}"
    assert to_display_string([None, "x", Hashtable()], s) == "{$null, x, System.Collections.Hashtable}"
    assert to_display_string([PSObject({"Id": 7, "Other": 1})], s) == "{@{Id=7; Other=1}}"
    assert to_display_string([], s) == "{}"
    assert to_display_string([1, 2, 3], FormatSettings(enumeration_limit=2)) == "{1, 2...}"
