"""Culture data (System.Globalization.CultureInfo) for the cultures psshim formats with.

Windows PowerShell 5.1 runs on .NET Framework, which reads culture data from Windows (NLS);
pwsh 7 runs on .NET 5+, which reads ICU data. The two differ in a few fields (en-US `P0` of 0.45
is `45 %` under NLS and `45%` under ICU). `get_culture(name, edition)` returns the NLS variant for
"5.1" and the ICU variant for "7".

Number patterns are templates: `{n}` is the formatted number, `{s}` the currency or percent
symbol, `-` the negative sign (replaced by `negative_sign`). Every field is plain data, so a
culture can be adjusted with `attrs.evolve` (for instance the hand-typed seeds' dates
`2026-02-20 08:00:00` are sv-SE's short date and long time).
"""

from __future__ import annotations

from typing import Any

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise


_EN_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_EN_DAYS_ABBR = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@attrs.frozen(eq=False, repr=False)
class Culture(Fieldwise):
    """The parts of a CultureInfo that formatting reads (DateTimeFormatInfo, NumberFormatInfo)."""

    name: str
    # DateTimeFormatInfo
    short_date: str
    long_date: str
    short_time: str
    long_time: str
    month_day: str
    year_month: str
    am: str
    pm: str
    date_separator: str
    time_separator: str
    day_names: tuple[str, ...] = _EN_DAYS  # Sunday first, as .NET
    day_names_abbr: tuple[str, ...] = _EN_DAYS_ABBR
    month_names: tuple[str, ...] = _EN_MONTHS
    month_names_abbr: tuple[str, ...] = _EN_MONTHS_ABBR
    # NumberFormatInfo
    decimal_separator: str = "."
    group_separator: str = ","
    negative_sign: str = "-"
    number_negative: str = "-{n}"
    percent_symbol: str = "%"
    percent_positive: str = "{n} {s}"
    percent_negative: str = "-{n} {s}"
    currency_symbol: str = "$"
    currency_positive: str = "{s}{n}"
    currency_negative: str = "({s}{n})"
    currency_decimal_separator: str = "."
    currency_group_separator: str = ","
    nan_symbol: str = "NaN"
    positive_infinity: str = "Infinity"
    negative_infinity: str = "-Infinity"
    per_mille_symbol: str = "\u2030"

    @property
    def full_date_time(self) -> str:
        """The `F` pattern (FullDateTimePattern): long date + long time."""
        return f"{self.long_date} {self.long_time}"

    @property
    def general_long(self) -> str:
        """The `G` pattern: short date + long time (DateTime.ToString())."""
        return f"{self.short_date} {self.long_time}"


INVARIANT = Culture(
    name="",
    short_date="MM/dd/yyyy",
    long_date="dddd, dd MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="MMMM dd",
    year_month="yyyy MMMM",
    am="AM",
    pm="PM",
    date_separator="/",
    time_separator=":",
    currency_symbol="\u00a4",
)

EN_US = Culture(
    name="en-US",
    short_date="M/d/yyyy",
    long_date="dddd, MMMM d, yyyy",
    short_time="h:mm tt",
    long_time="h:mm:ss tt",
    month_day="MMMM d",
    year_month="MMMM yyyy",
    am="AM",
    pm="PM",
    date_separator="/",
    time_separator=":",
)

EN_GB = Culture(
    name="en-GB",
    short_date="dd/MM/yyyy",
    long_date="dd MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="dd MMMM",
    year_month="MMMM yyyy",
    am="AM",
    pm="PM",
    date_separator="/",
    time_separator=":",
    percent_positive="{n}{s}",
    percent_negative="-{n}{s}",
    currency_symbol="\u00a3",
    currency_negative="-{s}{n}",
)

FR_FR = Culture(
    name="fr-FR",
    short_date="dd/MM/yyyy",
    long_date="dddd d MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="d MMMM",
    year_month="MMMM yyyy",
    am="",
    pm="",
    date_separator="/",
    time_separator=":",
    day_names=("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
    day_names_abbr=("dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."),
    month_names=(
        "janvier",
        "f\u00e9vrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "ao\u00fbt",
        "septembre",
        "octobre",
        "novembre",
        "d\u00e9cembre",
    ),
    month_names_abbr=(
        "janv.",
        "f\u00e9vr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "ao\u00fbt",
        "sept.",
        "oct.",
        "nov.",
        "d\u00e9c.",
    ),
    decimal_separator=",",
    group_separator="\u00a0",
    currency_symbol="\u20ac",
    currency_positive="{n} {s}",
    currency_negative="-{n} {s}",
    currency_decimal_separator=",",
    currency_group_separator="\u00a0",
)

DE_DE = Culture(
    name="de-DE",
    short_date="dd.MM.yyyy",
    long_date="dddd, d. MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="d. MMMM",
    year_month="MMMM yyyy",
    am="",
    pm="",
    date_separator=".",
    time_separator=":",
    day_names=("Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"),
    day_names_abbr=("So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"),
    month_names=(
        "Januar",
        "Februar",
        "M\u00e4rz",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    month_names_abbr=(
        "Jan",
        "Feb",
        "M\u00e4r",
        "Apr",
        "Mai",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Okt",
        "Nov",
        "Dez",
    ),
    decimal_separator=",",
    group_separator=".",
    currency_symbol="\u20ac",
    currency_positive="{n} {s}",
    currency_negative="-{n} {s}",
    currency_decimal_separator=",",
    currency_group_separator=".",
)

SV_SE = Culture(
    name="sv-SE",
    short_date="yyyy-MM-dd",
    long_date="'den 'd MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="'den 'd MMMM",
    year_month="MMMM yyyy",
    am="fm",
    pm="em",
    date_separator="-",
    time_separator=":",
    day_names=("s\u00f6ndag", "m\u00e5ndag", "tisdag", "onsdag", "torsdag", "fredag", "l\u00f6rdag"),
    day_names_abbr=("s\u00f6", "m\u00e5", "ti", "on", "to", "fr", "l\u00f6"),
    month_names=(
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ),
    month_names_abbr=(
        "jan",
        "feb",
        "mar",
        "apr",
        "maj",
        "jun",
        "jul",
        "aug",
        "sep",
        "okt",
        "nov",
        "dec",
    ),
    decimal_separator=",",
    group_separator="\u00a0",
    currency_symbol="kr",
    currency_positive="{n} {s}",
    currency_negative="-{n} {s}",
    currency_decimal_separator=",",
    currency_group_separator="\u00a0",
)

_NLS: dict[str, Culture] = {
    c.name.casefold(): c for c in (INVARIANT, EN_US, EN_GB, FR_FR, DE_DE, SV_SE)
}


def _icu_variant(culture: Culture) -> Culture:
    """The fields where .NET 5+ (ICU) differs from .NET Framework (NLS) for our cultures."""
    if culture.name == "":
        return culture
    changes: dict[str, Any] = {"positive_infinity": "\u221e", "negative_infinity": "-\u221e"}
    if culture.name == "en-US":
        changes.update(
            percent_positive="{n}{s}", percent_negative="-{n}{s}", currency_negative="-{s}{n}"
        )
    elif culture.name == "en-GB":
        changes.update(am="am", pm="pm")
    elif culture.name in ("fr-FR", "sv-SE"):
        changes.update(
            group_separator="\u202f",
            currency_group_separator="\u202f",
            percent_positive="{n}\u00a0{s}",
            percent_negative="-{n}\u00a0{s}",
            currency_positive="{n}\u00a0{s}",
            currency_negative="-{n}\u00a0{s}",
        )
        if culture.name == "fr-FR":
            changes.update(am="AM", pm="PM")
        else:
            changes.update(negative_sign="\u2212", number_negative="\u2212{n}")
    elif culture.name == "de-DE":
        changes.update(
            am="AM",
            pm="PM",
            percent_positive="{n}\u00a0{s}",
            percent_negative="-{n}\u00a0{s}",
            currency_positive="{n}\u00a0{s}",
            currency_negative="-{n}\u00a0{s}",
        )
    return attrs.evolve(culture, **changes)


def get_culture(name: str, edition: str = "5.1") -> Culture:
    """The culture called `name` (`en-US`, `fr-FR`, `de-DE`, `sv-SE`, `en-GB`, or `""` /
    `invariant` for the invariant culture), as the given PowerShell edition sees it.

    Raises KeyError for a culture without data here.
    """
    key = "" if name.casefold() in ("", "invariant", "iv") else name.casefold()
    culture = _NLS[key]
    return _icu_variant(culture) if edition == "7" else culture


def supported_cultures() -> tuple[str, ...]:
    return tuple(c.name for c in _NLS.values() if c.name)
