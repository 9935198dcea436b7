"""Culture-sensitive text for the runtime: `-f`, `.ToString(fmt)`, `Get-Date -Format`.

The implementation belongs to the formatting package (`psshim.format.dotnet_format`); this
module is the runtime's adapter to it: it takes culture *names* (the run's settings), passes
the edition, and turns the formatter's `FormatError` into PowerShell's error records
(`Error formatting a string: ...`, `Exception calling "ToString" ...`).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from hyperv_emu.psshim.format import dotnet_format as DF
from hyperv_emu.psshim.format.culture import Culture, get_culture
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import PSError, runtime_error


@lru_cache(maxsize=64)
def _culture(name: str, edition: str) -> Culture:
    try:
        return get_culture(name or "invariant", "7" if edition.startswith("7") else "5.1")
    except KeyError:
        return get_culture("en-US", "7" if edition.startswith("7") else "5.1")


def culture_object(name: str) -> Culture:
    return _culture(name, options.edition())


def _edition() -> str:
    return "7" if options.is_core() else "5.1"


def _format_failure(exc: DF.FormatError, method: str | None, nargs: int) -> PSError:
    if method is None:
        return runtime_error(f"Error formatting a string: {exc.message}.", "FormatError", "InvalidOperation",
                             exception_type="System.FormatException")
    return runtime_error(f'Exception calling "{method}" with "{nargs}" argument(s): "{exc.message}"',
                         "FormatException", "NotSpecified",
                         exception_type="System.Management.Automation.MethodInvocationException")


def composite_format(fmt: str, args: list[Any], culture: str = "en-US") -> str:
    try:
        return DF.composite_format(fmt, args, culture_object(culture), edition=_edition())
    except DF.FormatError as exc:
        raise _format_failure(exc, None, 0) from None


def format_number(value: Any, fmt: str, culture: str = "en-US") -> str:
    try:
        return DF.format_number(value, fmt, culture_object(culture), edition=_edition())
    except DF.FormatError as exc:
        raise _format_failure(exc, "ToString", 1) from None


def format_datetime(d: dt.datetime, fmt: str, culture: str = "en-US") -> str:
    try:
        return DF.format_datetime(d, fmt, culture_object(culture))
    except DF.FormatError as exc:
        raise _format_failure(exc, "ToString", 1) from None


def format_uformat(d: dt.datetime, fmt: str, culture: str = "en-US") -> str:
    return DF.format_uformat(d, fmt, culture_object(culture))


def format_timespan(t: dt.timedelta, fmt: str | None, culture: str = "en-US") -> str:
    try:
        return DF.format_timespan(t, fmt, culture_object(culture))
    except DF.FormatError as exc:
        raise _format_failure(exc, "ToString", 1) from None


def culture_string(value: Any, culture: str = "en-US") -> str:
    """`value.ToString()` with the current culture (DateTime `G`, doubles, decimals)."""
    return DF.to_string(value, culture_object(culture), edition=_edition())
