"""PowerShell values as the interpreter, the binder and the formatter see them.

Python types stand for .NET types where they behave alike:

| PowerShell            | Python                                    |
|-----------------------|-------------------------------------------|
| $null                 | None                                      |
| bool                  | bool                                      |
| int / long            | int (Int32 when it fits, else Int64)      |
| double                | float                                     |
| decimal               | decimal.Decimal                           |
| string                | str                                       |
| char                  | `Char` (a str subclass)                   |
| DateTime              | datetime.datetime (naive, host local time)|
| TimeSpan              | datetime.timedelta                        |
| object[]              | list                                      |
| Hashtable / [ordered] | `Hashtable` (case-insensitive keys)       |
| PSCustomObject        | `PSObject`                                |
| ScriptBlock           | `ScriptBlock` (defined by the interpreter)|
| Hyper-V objects       | the SDK's frozen attrs values (VM, ...)   |
| enums                 | enum.IntEnum members (SDK enums)          |

Objects that are not PSObjects get their PowerShell properties from an *adapter* registered for
their Python class (`register_adapter`): psshim registers one for the SDK types, built on the SDK's
cattrs converter, so that PowerShell names (`VMName`, `ParentSnapshotName`, aliases) are produced in
one place.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from typing import Any

import attrs


class Char(str):
    """A System.Char: a one-character string that prints as itself but types as [char]."""


def _fold(key: object) -> object:
    return key.casefold() if isinstance(key, str) else key


class Hashtable(MutableMapping[Any, Any]):
    """System.Collections.Hashtable / OrderedDictionary: case-insensitive string keys.

    Real Hashtables enumerate in hash order; we keep insertion order for both (a documented gap).
    `ordered` records whether it was made with `[ordered]` (only its type name differs).
    """

    def __init__(self, items: Any = (), *, ordered: bool = False) -> None:
        self._data: dict[object, tuple[Any, Any]] = {}
        self.ordered = ordered
        pairs = items.items() if isinstance(items, (dict, Hashtable)) else items
        for k, v in pairs:
            self[k] = v

    def __getitem__(self, key: Any) -> Any:
        return self._data[_fold(key)][1]

    def __setitem__(self, key: Any, value: Any) -> None:
        folded = _fold(key)
        if folded in self._data:
            self._data[folded] = (self._data[folded][0], value)
        else:
            self._data[folded] = (key, value)

    def __delitem__(self, key: Any) -> None:
        del self._data[_fold(key)]

    def __iter__(self) -> Iterator[Any]:
        return (k for k, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return _fold(key) in self._data

    def __repr__(self) -> str:
        return f"Hashtable({dict(self.items())!r})"

    def copy(self) -> "Hashtable":
        return Hashtable(self.items(), ordered=self.ordered)


@attrs.define(eq=False)
class PSObject:
    """A PSCustomObject (or a `Selected.<type>` object from Select-Object).

    properties keep their insertion order; lookup is case-insensitive (`get`/`set`).
    type_names is PowerShell's `PSTypeNames`, most derived first
    (e.g. `["Selected.Microsoft.HyperV.PowerShell.VirtualMachine", "System.Management.Automation.PSCustomObject", "System.Object"]`).
    """

    properties: dict[str, Any] = attrs.field(factory=dict)
    type_names: list[str] = attrs.field(
        factory=lambda: ["System.Management.Automation.PSCustomObject", "System.Object"]
    )

    def _key(self, name: str) -> str | None:
        folded = name.casefold()
        for k in self.properties:
            if k.casefold() == folded:
                return k
        return None

    def has(self, name: str) -> bool:
        return self._key(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        k = self._key(name)
        return self.properties[k] if k is not None else default

    def set(self, name: str, value: Any) -> None:
        k = self._key(name)
        self.properties[k if k is not None else name] = value


# --- adapters ------------------------------------------------------------------------------


@attrs.frozen
class Adapter:
    """How PowerShell sees instances of one Python class.

    type_names: PSTypeNames for an instance, most derived first.
    properties: the instance's properties in PowerShell order (name, value), aliases included
    where PowerShell lists them (`Select-Object *`).
    lookup: one property by name, case-insensitive; returns (found, value).
    """

    type_names: Callable[[Any], list[str]]
    properties: Callable[[Any], list[tuple[str, Any]]]
    lookup: Callable[[Any, str], tuple[bool, Any]]


@attrs.define
class AdapterRegistry:
    """Adapters by Python class (looked up along the MRO). One per runtime, no globals."""

    by_class: dict[type, Adapter] = attrs.field(factory=dict)

    def register(self, cls: type, adapter: Adapter) -> None:
        self.by_class[cls] = adapter

    def find(self, obj: object) -> Adapter | None:
        for cls in type(obj).__mro__:
            adapter = self.by_class.get(cls)
            if adapter is not None:
                return adapter
        return None


_BASIC_TYPE_NAMES: list[tuple[type, str]] = [
    (bool, "System.Boolean"),
    (Char, "System.Char"),
    (str, "System.String"),
    (int, "System.Int32"),
    (float, "System.Double"),
    (Decimal, "System.Decimal"),
    (_dt.datetime, "System.DateTime"),
    (_dt.timedelta, "System.TimeSpan"),
]


def type_names(obj: object, adapters: AdapterRegistry | None = None) -> list[str]:
    """PowerShell's PSTypeNames of a value, most derived first."""
    if isinstance(obj, PSObject):
        return list(obj.type_names)
    if adapters is not None:
        adapter = adapters.find(obj)
        if adapter is not None:
            return adapter.type_names(obj)
    if isinstance(obj, bool):
        return ["System.Boolean", "System.ValueType", "System.Object"]
    if isinstance(obj, int) and not isinstance(obj, enum.Enum):
        name = "System.Int32" if -(2**31) <= obj < 2**31 else "System.Int64"
        return [name, "System.ValueType", "System.Object"]
    if isinstance(obj, enum.Enum):
        return [_enum_type_name(obj), "System.Enum", "System.ValueType", "System.Object"]
    for cls, name in _BASIC_TYPE_NAMES:
        if isinstance(obj, cls):
            return [name, "System.Object"]
    if isinstance(obj, list):
        return ["System.Object[]", "System.Array", "System.Object"]
    if isinstance(obj, Hashtable):
        if obj.ordered:
            return ["System.Collections.Specialized.OrderedDictionary", "System.Object"]
        return ["System.Collections.Hashtable", "System.Object"]
    return [f"{type(obj).__module__}.{type(obj).__qualname__}", "System.Object"]


def _enum_type_name(value: enum.Enum) -> str:
    ps_name = getattr(type(value), "__ps_type_name__", None)
    return str(ps_name) if ps_name else type(value).__name__
