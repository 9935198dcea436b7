"""How the formatter sees values: their type names and PowerShell properties.

PSObjects carry their properties; SDK objects are read through their registered `Adapter`;
.NET value types that the formatter has views for (DateTime, TimeSpan, hashtable entries) get
their .NET properties here. Everything else is property-less and prints with ToString().
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from hyperv_emu.psshim.runtime.records import ErrorRecord, InformationRecord, VerboseRecord, WarningRecord
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Char, Hashtable, PSObject, type_names
from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class DictionaryEntry(Fieldwise):
    """System.Collections.DictionaryEntry: what enumerating a hashtable gives (Out-Default shows
    a hashtable as a Name/Value table of these). `Name` is an alias of `Key`."""

    key: Any
    value: Any


def timespan_ticks(td: _dt.timedelta) -> int:
    """TimeSpan.Ticks (100 ns units) of a timedelta."""
    return (td.days * 86_400 + td.seconds) * 10_000_000 + td.microseconds * 10


def ps_type_names(obj: object, adapters: AdapterRegistry | None) -> list[str]:
    if isinstance(obj, DictionaryEntry):
        return ["System.Collections.DictionaryEntry", "System.ValueType", "System.Object"]
    if isinstance(obj, uuid.UUID):
        return ["System.Guid", "System.ValueType", "System.Object"]
    if isinstance(obj, ErrorRecord):
        return ["System.Management.Automation.ErrorRecord", "System.Object"]
    if isinstance(obj, WarningRecord):
        return ["System.Management.Automation.WarningRecord", "System.Object"]
    if isinstance(obj, VerboseRecord):
        return ["System.Management.Automation.VerboseRecord", "System.Object"]
    if isinstance(obj, InformationRecord):
        return ["System.Management.Automation.InformationRecord", "System.Object"]
    return type_names(obj, adapters)


def is_scalar(obj: object) -> bool:
    """The types Out-Default always prints out of band with ToString (DefaultScalarTypes, plus
    enums, which have no properties)."""
    return isinstance(obj, (str, bool, int, float, Decimal, Char, enum.Enum))


def _datetime_properties(d: _dt.datetime) -> list[tuple[str, object]]:
    midnight = d.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        ("Date", midnight),
        ("Day", d.day),
        ("DayOfWeek", ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                       "Saturday")[(d.weekday() + 1) % 7]),
        ("DayOfYear", d.timetuple().tm_yday),
        ("Hour", d.hour),
        ("Kind", "Unspecified" if d.tzinfo is None else "Utc"),
        ("Millisecond", d.microsecond // 1000),
        ("Minute", d.minute),
        ("Month", d.month),
        ("Second", d.second),
        ("Ticks", _datetime_ticks(d)),
        ("TimeOfDay", d - midnight),
        ("Year", d.year),
    ]


def _datetime_ticks(d: _dt.datetime) -> int:
    naive = d.replace(tzinfo=None)
    delta = naive - _dt.datetime(1, 1, 1)
    return timespan_ticks(delta)


def timespan_properties(td: _dt.timedelta) -> list[tuple[str, object]]:
    """TimeSpan's properties in the order of its list view."""
    ticks = timespan_ticks(td)
    sign = -1 if ticks < 0 else 1
    a = abs(ticks)
    days, rem = divmod(a, 864_000_000_000)
    hours, rem = divmod(rem, 36_000_000_000)
    minutes, rem = divmod(rem, 600_000_000)
    seconds, rem = divmod(rem, 10_000_000)
    millis = rem // 10_000
    return [
        ("Days", sign * days),
        ("Hours", sign * hours),
        ("Minutes", sign * minutes),
        ("Seconds", sign * seconds),
        ("Milliseconds", sign * millis),
        ("Ticks", ticks),
        ("TotalDays", ticks / 864_000_000_000),
        ("TotalHours", ticks / 36_000_000_000),
        ("TotalMinutes", ticks / 600_000_000),
        ("TotalSeconds", ticks / 10_000_000),
        ("TotalMilliseconds", ticks / 10_000),
    ]


def ps_properties(obj: object, adapters: AdapterRegistry | None) -> list[tuple[str, object]]:
    """The object's properties in PowerShell order (what `Select-Object *` / `fl *` list)."""
    if obj is None:
        return []
    if isinstance(obj, PSObject):
        return list(obj.properties.items())
    if adapters is not None:
        adapter = adapters.find(obj)
        if adapter is not None:
            return list(adapter.properties(obj))
    if isinstance(obj, DictionaryEntry):
        return [("Name", obj.key), ("Key", obj.key), ("Value", obj.value)]
    if isinstance(obj, _dt.datetime):
        return _datetime_properties(obj)
    if isinstance(obj, _dt.timedelta):
        return timespan_properties(obj)
    if isinstance(obj, uuid.UUID):
        return [("Guid", str(obj))]
    if isinstance(obj, Hashtable):
        return [
            ("IsReadOnly", False),
            ("IsFixedSize", False),
            ("IsSynchronized", False),
            ("Keys", list(obj.keys())),
            ("Values", list(obj.values())),
            ("SyncRoot", None),
            ("Count", len(obj)),
        ]
    if isinstance(obj, ErrorRecord):
        return [
            ("Exception", obj.message),
            ("TargetObject", obj.target_object),
            ("CategoryInfo", obj.category_info),
            ("FullyQualifiedErrorId", obj.fully_qualified_error_id),
        ]
    if isinstance(obj, (WarningRecord, VerboseRecord)):
        return [("Message", obj.message)]
    if is_scalar(obj):
        if isinstance(obj, str):
            return [("Length", len(obj))]
        return []
    if isinstance(obj, (list, tuple)):
        return [("Length", len(obj)), ("Count", len(obj))]
    # Any other Python value (a script block, an SDK object without an adapter) is opaque:
    # property-less, so Out-Default prints its ToString().
    return []


def ps_property(obj: object, name: str, adapters: AdapterRegistry | None) -> tuple[bool, object]:
    """One property by name, case-insensitive: (found, value)."""
    if obj is None:
        return False, None
    if isinstance(obj, PSObject):
        if obj.has(name):
            return True, obj.get(name)
        return False, None
    if adapters is not None:
        adapter = adapters.find(obj)
        if adapter is not None:
            return adapter.lookup(obj, name)
    folded = name.casefold()
    for prop_name, value in ps_properties(obj, adapters):
        if prop_name.casefold() == folded:
            return True, value
    return False, None


def iter_output(obj: object) -> Iterator[object]:
    """What Out-Default receives for one pipeline object: collections are unrolled (nested ones
    too), hashtables become their entries, $null disappears."""
    if obj is None:
        return
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from iter_output(item)
        return
    if isinstance(obj, Hashtable):
        for key, value in obj.items():
            yield DictionaryEntry(key, value)
        return
    yield obj
