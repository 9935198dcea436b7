"""DateTime and TimeSpan parsing as .NET does it (invariant culture), and ticks.

- `parse_datetime(s, today)`: `[datetime]'...'`, `DateTime.Parse(s)` with the invariant culture
  (month first: `02/20/2026 08:00:00`, ISO 8601, `Feb 20 2026 8:00 AM`, time only = today).
- `parse_exact(s, fmt)`: `[datetime]::ParseExact(s, 'yyyy-MM-dd HH:mm', $null)` for the usual
  custom specifiers.
- `ticks_of(d)`, `from_ticks(n)`, `timespan_from_ticks(n)`: DateTime/TimeSpan ticks.
- `parse_timespan(s)`: TimeSpan.Parse.

All text output (the invariant `MM/dd/yyyy HH:mm:ss` of interpolation, TimeSpan's "c" format,
`ToString('D')`, `Get-Date -Format`) is `psshim.format.dotnet_format`.
"""

from __future__ import annotations

import datetime as dt
import re

from hyperv_emu.psshim.format.objects import timespan_ticks

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

DOTNET_EPOCH = dt.datetime(1, 1, 1)
MAX_TICKS = 3155378975999999999  # DateTime.MaxValue.Ticks (9999-12-31 23:59:59.9999999)


def ticks_of(d: dt.datetime) -> int:
    return timespan_ticks(d - DOTNET_EPOCH)


def from_ticks(ticks: int) -> dt.datetime:
    return DOTNET_EPOCH + dt.timedelta(microseconds=ticks // 10)


def timespan_from_ticks(ticks: int) -> dt.timedelta:
    return dt.timedelta(microseconds=int(ticks / 10))


# TimeSpan.Parse: [-][d.]hh:mm[:ss[.fffffff]], or d:hh:mm:ss[.fffffff] (days before a colon only
# when the seconds are there too: "01:30:00" is 1 h 30 min, not 1 day 30 h).
_TS_RE = re.compile(
    r"^\s*(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,7}))?)?\s*$"
)
_TS_COLON_DAYS_RE = re.compile(
    r"^\s*(?P<sign>-)?(?P<days>\d+):(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:\.(?P<f>\d{1,7}))?\s*$"
)


def _timespan_match(text: str) -> "re.Match[str] | None":
    return _TS_RE.match(text) or _TS_COLON_DAYS_RE.match(text)


MAX_TIMESPAN_DAYS = 10675199  # TimeSpan.MaxValue.Days


def timespan_days_out_of_range(s: str) -> bool:
    """The text has TimeSpan.Parse's shape but a day count no TimeSpan holds (its OverflowException)."""
    text = s.strip()
    if re.fullmatch(r"-?\d+", text):
        return abs(int(text)) > MAX_TIMESPAN_DAYS
    m = _timespan_match(text)
    return m is not None and int(m.group("days") or 0) > MAX_TIMESPAN_DAYS


def parse_timespan(s: str) -> dt.timedelta | None:
    text = s.strip()
    if timespan_days_out_of_range(text):
        return None
    if re.fullmatch(r"-?\d+", text):
        days = int(text)
        return dt.timedelta(days=days)
    m = _timespan_match(text)
    if not m:
        return None
    days = int(m.group("days") or 0)
    h, mi = int(m.group("h")), int(m.group("m"))
    sec = int(m.group("s") or 0)
    frac = m.group("f") or ""
    if h > 23 or mi > 59 or sec > 59:
        return None
    ticks = int(frac.ljust(7, "0")) if frac else 0
    td = dt.timedelta(days=days, hours=h, minutes=mi, seconds=sec, microseconds=ticks // 10)
    return -td if m.group("sign") else td


def _month_from_name(name: str) -> int | None:
    n = name.casefold().rstrip(".")
    for i, full in enumerate(MONTHS):
        f = full.casefold()
        if n == f or (len(n) >= 3 and f.startswith(n)):
            return i + 1
    return None


_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<F>\d{1,7}))?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
_PATTERNS = [
    # ISO 8601
    re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[T ]" + _TIME + r")?\s*" + _TZ + r"$"),
    re.compile(r"^(?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2})(?:[T ]" + _TIME + r")?$"),
    # invariant: month/day/year
    re.compile(r"^(?P<mo>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{2}|\d{4})(?:\s+" + _TIME + r")?$"),
    # Feb 20 2026 / Feb 20, 2026 / February 20, 2026 8:00 AM
    re.compile(r"^(?:(?P<dow>[A-Za-z]+),?\s+)?(?P<mon>[A-Za-z]{3,}\.?)\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})(?:\s+" + _TIME + r")?$"),
    # 20 Feb 2026 / 20 February 2026 08:00
    re.compile(r"^(?:(?P<dow>[A-Za-z]+),?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3,}\.?)\s+(?P<y>\d{4})(?:\s+" + _TIME + r")?$"),
    # time only
    re.compile(r"^" + _TIME + r"$"),
    # an hour with AM/PM (`2am`, `3 PM`: New-ScheduledTaskTrigger -At 2am)
    re.compile(r"^(?P<H>\d{1,2})\s*(?P<ampm>[AaPp]\.?[Mm]\.?)$"),
    # year-month only
    re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})$"),
]


def parse_datetime(s: str, today: dt.date | None = None) -> dt.datetime | None:
    """DateTime.Parse(s, InvariantCulture); None when it is not a date."""
    text = " ".join(s.strip().split())
    if not text:
        return None
    for pat in _PATTERNS:
        m = pat.match(text)
        if not m:
            continue
        g = m.groupdict()
        try:
            if g.get("y") is not None:
                year = int(g["y"])
                if len(g["y"]) == 2:
                    year += 2000 if year < 50 else 1900
                if g.get("mon"):
                    month = _month_from_name(g["mon"])
                    if month is None:
                        continue
                else:
                    month = int(g["mo"])
                day = int(g["d"]) if g.get("d") else 1
            else:
                base = today or dt.date.today()
                year, month, day = base.year, base.month, base.day
            hour = int(g["H"]) if g.get("H") else 0
            minute = int(g["M"]) if g.get("M") else 0
            second = int(g["S"]) if g.get("S") else 0
            micro = int((g.get("F") or "0").ljust(7, "0")) // 10 if g.get("F") else 0
            ampm = (g.get("ampm") or "").replace(".", "").upper()
            if ampm:
                if hour > 12 or hour == 0:
                    continue
                if ampm == "PM" and hour != 12:
                    hour += 12
                elif ampm == "AM" and hour == 12:
                    hour = 0
            return dt.datetime(year, month, day, hour, minute, second, micro)
        except ValueError:
            return None
    return None


_ABBR = [m[:3] for m in MONTHS]


def _exact_regex(fmt: str) -> tuple[str, list[str]]:
    """Translate a .NET custom date format into a regex with named groups."""
    out = ""
    names: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c in "'\"":
            j = fmt.find(c, i + 1)
            if j < 0:
                j = n
            out += re.escape(fmt[i + 1:j])
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            out += re.escape(fmt[i + 1])
            i += 2
            continue
        if c == "%" and i + 1 < n:
            i += 1
            continue
        j = i
        while j < n and fmt[j] == c:
            j += 1
        count = j - i
        token = c * count
        i = j
        if c == "y":
            g = "y4" if count >= 3 else "y2"
            out += rf"(?P<{g}>\d{{4}})" if count >= 3 else rf"(?P<{g}>\d{{1,2}})" if count == 1 else rf"(?P<{g}>\d{{2}})"
            names.append(g)
        elif c == "M":
            if count >= 3:
                out += r"(?P<mon>[A-Za-z]+)"
                names.append("mon")
            else:
                out += r"(?P<mo>\d{2})" if count == 2 else r"(?P<mo>\d{1,2})"
                names.append("mo")
        elif c == "d":
            if count >= 3:
                out += r"(?:[A-Za-z]+)"
            else:
                out += r"(?P<d>\d{2})" if count == 2 else r"(?P<d>\d{1,2})"
                names.append("d")
        elif c in "Hh":
            g = "H" if c == "H" else "h"
            out += rf"(?P<{g}>\d{{2}})" if count == 2 else rf"(?P<{g}>\d{{1,2}})"
            names.append(g)
        elif c == "m":
            out += r"(?P<mi>\d{2})" if count == 2 else r"(?P<mi>\d{1,2})"
            names.append("mi")
        elif c == "s":
            out += r"(?P<s>\d{2})" if count == 2 else r"(?P<s>\d{1,2})"
            names.append("s")
        elif c in "fF":
            out += rf"(?P<f>\d{{{count}}})" if c == "f" else rf"(?P<f>\d{{0,{count}}})"
            names.append("f")
        elif c == "t":
            out += r"(?P<tt>[AaPp][Mm]?)"
            names.append("tt")
        elif c in "zK":
            out += r"(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?"
        else:
            out += re.escape(token)
    return out, names


def parse_exact(s: str, fmt: str) -> dt.datetime | None:
    if len(fmt) == 1:
        standard = {
            "d": "MM/dd/yyyy", "D": "dddd, dd MMMM yyyy", "s": "yyyy-MM-ddTHH:mm:ss",
            "u": "yyyy-MM-dd HH:mm:ssZ", "o": "yyyy-MM-ddTHH:mm:ss.fffffffK",
            "g": "MM/dd/yyyy HH:mm", "G": "MM/dd/yyyy HH:mm:ss", "t": "HH:mm", "T": "HH:mm:ss",
        }
        fmt = standard.get(fmt, fmt)
    pattern, _ = _exact_regex(fmt)
    m = re.fullmatch(pattern, s.strip())
    if not m:
        return None
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    try:
        year = int(g["y4"]) if "y4" in g else (2000 + int(g["y2"]) if "y2" in g else 1)
        if "mon" in g:
            month = _month_from_name(g["mon"])
            if month is None:
                return None
        else:
            month = int(g.get("mo", 1))
        day = int(g.get("d", 1))
        hour = int(g.get("H", g.get("h", 0)))
        if "tt" in g:
            pm = g["tt"].upper().startswith("P")
            if hour == 12:
                hour = 0
            if pm:
                hour += 12
        minute = int(g.get("mi", 0))
        second = int(g.get("s", 0))
        frac = g.get("f", "")
        micro = int(frac.ljust(6, "0")[:6]) if frac else 0
        return dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
