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
import uuid as _uuid
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from typing import Any

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise


class Char(str):
    """A System.Char: a one-character string that prints as itself but types as [char]."""


class Int64(int):
    """A System.Int64 whose value would also fit an Int32 (`[long]5`, `5l`).

    Plain Python ints stand for Int32 when they fit and Int64 otherwise; this marker keeps the
    declared type where it matters (`-is [long]`, `GetType()`, overflow to double vs long).
    Arithmetic on it returns plain ints: `psshim.runtime.operators` re-wraps results.
    """

    def __repr__(self) -> str:
        return f"Int64({int(self)})"


class _SameObject:
    """A key .NET compares by reference (a Hashtable, an array, a PSCustomObject: types that do
    not override Equals/GetHashCode) and Python cannot hash: equal only to the same object."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SameObject) and other.obj is self.obj


def _fold(key: object) -> object:
    if isinstance(key, str):
        return key.casefold()
    try:
        hash(key)
    except TypeError:
        return _SameObject(key)
    return key


class KeyCollection(list[Any]):
    """A Hashtable's (or dictionary's) `.Keys`: a list of the keys whose Contains uses the table's
    comparer (case-insensitive for string keys), as Hashtable.KeyCollection does."""

    def __init__(self, table: "Hashtable") -> None:
        super().__init__(table.keys())
        self.table = table


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


class ArrayList(list[Any]):
    """System.Collections.ArrayList (`New-Object System.Collections.ArrayList`): a growable
    list whose `Add` returns the new index. Behaves as a list everywhere else."""

    __ps_type_names__ = ["System.Collections.ArrayList", "System.Object"]


class GenericList(list[Any]):
    """System.Collections.Generic.List[T]; `element_type` is the PowerShell name of T."""

    def __init__(self, items: Any = (), element_type: str = "System.Object") -> None:
        super().__init__(items)
        self.element_type = element_type

    @property
    def __ps_type_names__(self) -> list[str]:
        return [f"System.Collections.Generic.List`1[[{self.element_type}]]", "System.Object"]


@attrs.frozen(order=True)
class Version:
    """System.Version (`$PSVersionTable.PSVersion`, `[version]'1.2.3'`)."""

    major: int
    minor: int
    build: int = -1
    revision: int = -1

    def __str__(self) -> str:
        parts = [self.major, self.minor]
        if self.build >= 0:
            parts.append(self.build)
            if self.revision >= 0:
                parts.append(self.revision)
        return ".".join(str(p) for p in parts)


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


@attrs.frozen(eq=False, repr=False)
class Adapter(Fieldwise):
    """How PowerShell sees instances of one Python class.

    type_names: PSTypeNames for an instance, most derived first.
    properties: the instance's properties in PowerShell order (name, value), aliases included
    where PowerShell lists them (`Select-Object *`).
    lookup: one property by name, case-insensitive; returns (found, value).
    json_properties: the properties in ConvertTo-Json's order, when it is not `properties`' (the
    cmdlet writes an object's .NET properties first and its extended ones after them).
    """

    type_names: Callable[[Any], list[str]]
    properties: Callable[[Any], list[tuple[str, Any]]]
    lookup: Callable[[Any, str], tuple[bool, Any]]
    # ConvertTo-Json's order where it differs: the .NET properties, then the extended (ETS) ones
    json_properties: Callable[[Any], list[tuple[str, Any]]] | None = None


@attrs.define(eq=False, repr=False)
class AdapterRegistry(MutableFieldwise):
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
    (_uuid.UUID, "System.Guid"),
    (Version, "System.Version"),
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
        fits = -(2**31) <= obj < 2**31 and not isinstance(obj, Int64)
        name = "System.Int32" if fits else "System.Int64"
        return [name, "System.ValueType", "System.Object"]
    if isinstance(obj, enum.Enum):
        return [_enum_type_name(obj), "System.Enum", "System.ValueType", "System.Object"]
    for cls, name in _BASIC_TYPE_NAMES:
        if isinstance(obj, cls):
            return [name, "System.Object"]
    if isinstance(obj, list):
        list_names = getattr(obj, "__ps_type_names__", None)
        if list_names is not None:
            return list(list_names)
        return ["System.Object[]", "System.Array", "System.Object"]
    record_names = _record_type_names(obj)
    if record_names is not None:
        return record_names
    ps_names = getattr(obj, "__ps_type_names__", None)
    if ps_names is not None:
        # runtime objects (ScriptBlock, ErrorRecord views, ...) declare their PSTypeNames
        return list(ps_names() if callable(ps_names) else ps_names)
    if isinstance(obj, Hashtable):
        if obj.ordered:
            return ["System.Collections.Specialized.OrderedDictionary", "System.Object"]
        return ["System.Collections.Hashtable", "System.Object"]
    return [f"{type(obj).__module__}.{type(obj).__qualname__}", "System.Object"]


def _enum_type_name(value: enum.Enum) -> str:
    ps_name = getattr(type(value), "__ps_type_name__", None)
    return str(ps_name) if ps_name else type(value).__name__


def _record_type_names(obj: object) -> list[str] | None:
    from hyperv_emu.psshim.runtime import records

    sma = "System.Management.Automation."
    if isinstance(obj, records.ErrorRecord):
        return [sma + "ErrorRecord", "System.Object"]
    if isinstance(obj, records.WarningRecord):
        return [sma + "WarningRecord", sma + "InformationalRecord", "System.Object"]
    if isinstance(obj, records.VerboseRecord):
        return [sma + "VerboseRecord", sma + "InformationalRecord", "System.Object"]
    if isinstance(obj, records.InformationRecord):
        return [sma + "InformationRecord", "System.Object"]
    return None
