"""The host culture's short date and long time, for Hyper-V's default checkpoint names.

Only what the emulator itself prints lives here (a checkpoint's default name is host data, not
PowerShell formatting): `<VM> - (<short date> - <long time>)`, e.g. en-US
`SRV-APP01 - (2/20/2026 - 8:00:00 AM)`.
"""

from __future__ import annotations

import datetime as dt

# culture -> (short date pattern, long time pattern, AM designator, PM designator)
_PATTERNS: dict[str, tuple[str, str, str, str]] = {
    "en-US": ("M/d/yyyy", "h:mm:ss tt", "AM", "PM"),
    "en-GB": ("dd/MM/yyyy", "HH:mm:ss", "am", "pm"),
    "fr-FR": ("dd/MM/yyyy", "HH:mm:ss", "", ""),
    "de-DE": ("dd.MM.yyyy", "HH:mm:ss", "", ""),
    "sv-SE": ("yyyy-MM-dd", "HH:mm:ss", "", ""),
    "invariant": ("MM/dd/yyyy", "HH:mm:ss", "AM", "PM"),
}


def known_cultures() -> list[str]:
    return sorted(_PATTERNS)


def _format(d: dt.datetime, pattern: str, am: str, pm: str) -> str:
    tokens = {
        "yyyy": f"{d.year:04d}", "MM": f"{d.month:02d}", "M": str(d.month),
        "dd": f"{d.day:02d}", "d": str(d.day), "HH": f"{d.hour:02d}", "H": str(d.hour),
        "hh": f"{(d.hour % 12) or 12:02d}", "h": str((d.hour % 12) or 12),
        "mm": f"{d.minute:02d}", "ss": f"{d.second:02d}", "tt": am if d.hour < 12 else pm,
    }
    out, i = [], 0
    while i < len(pattern):
        for tok in ("yyyy", "MM", "dd", "HH", "hh", "mm", "ss", "tt", "M", "d", "H", "h"):
            if pattern.startswith(tok, i):
                out.append(tokens[tok])
                i += len(tok)
                break
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out).strip()


def default_checkpoint_name(vm_name: str, when: dt.datetime, culture: str, automatic: bool = False) -> str:
    date_pat, time_pat, am, pm = _PATTERNS.get(culture, _PATTERNS["en-US"])
    stamp = f"{_format(when, date_pat, am, pm)} - {_format(when, time_pat, am, pm)}"
    prefix = "Automatic Checkpoint - " if automatic else ""
    return f"{prefix}{vm_name} - ({stamp})"
