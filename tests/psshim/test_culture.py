"""`psshim.format.culture`: the culture table and the NLS (5.1) / ICU (7) variants."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from hyperv_emu.psshim.format.culture import EN_US, INVARIANT, SV_SE, get_culture, supported_cultures
from hyperv_emu.psshim.format.dotnet_format import format_datetime, to_display_string
from hyperv_emu.psshim.format.settings import FormatSettings


def test_lookup_names() -> None:
    assert get_culture("en-US") is EN_US
    assert get_culture("EN-us") is EN_US
    assert get_culture("") is INVARIANT
    assert get_culture("invariant") is INVARIANT
    assert set(supported_cultures()) == {"en-US", "en-GB", "fr-FR", "de-DE", "sv-SE"}
    with pytest.raises(KeyError):
        get_culture("xx-XX")


@pytest.mark.parametrize(
    ("name", "short_date", "long_time"),
    [
        ("en-US", "M/d/yyyy", "h:mm:ss tt"),
        ("en-GB", "dd/MM/yyyy", "HH:mm:ss"),
        ("fr-FR", "dd/MM/yyyy", "HH:mm:ss"),
        ("de-DE", "dd.MM.yyyy", "HH:mm:ss"),
        ("sv-SE", "yyyy-MM-dd", "HH:mm:ss"),
        ("", "MM/dd/yyyy", "HH:mm:ss"),
    ],
)
def test_patterns(name: str, short_date: str, long_time: str) -> None:
    culture = get_culture(name)
    assert culture.short_date == short_date
    assert culture.long_time == long_time
    assert culture.general_long == f"{short_date} {long_time}"


def test_icu_variant_for_edition_7() -> None:
    nls = get_culture("en-US", "5.1")
    icu = get_culture("en-US", "7")
    assert nls.percent_positive == "{n} {s}"
    assert icu.percent_positive == "{n}{s}"
    assert get_culture("fr-FR", "7").group_separator == "\u202f"
    assert get_culture("fr-FR", "5.1").group_separator == "\u00a0"
    assert get_culture("", "7") is INVARIANT


def test_seed_style_dates_through_sv_se() -> None:
    """The hand-typed seeds show `2026-02-20 08:00:00`: sv-SE's short date + long time."""
    settings = FormatSettings(culture=SV_SE)
    assert to_display_string(dt.datetime(2026, 2, 20, 8, 0), settings) == "2026-02-20 08:00:00"


def test_cultures_are_configurable() -> None:
    custom = attrs.evolve(EN_US, short_date="yyyy-MM-dd", long_time="HH:mm:ss")
    assert format_datetime(dt.datetime(2026, 2, 20, 8, 0), "G", custom) == "2026-02-20 08:00:00"
    assert format_datetime(dt.datetime(2026, 2, 20, 8, 0), "d", custom) == "2026-02-20"


def test_day_and_month_names() -> None:
    d = dt.datetime(2026, 2, 22)  # a Sunday
    assert format_datetime(d, "dddd ddd MMMM MMM", get_culture("de-DE")) == "Sonntag So Februar Feb"
    assert format_datetime(d, "dddd MMMM", get_culture("fr-FR")) == "dimanche f\u00e9vrier"
    assert format_datetime(d, "dddd MMMM", get_culture("sv-SE")) == "s\u00f6ndag februari"
