"""The JSON of one row of the state database: a record without its child rows.

The converter is `persist.make_converter()`'s (strict: unknown keys and values of the wrong
JSON type are errors); the fields a record keeps as rows of their own (`statetrack.CHILDREN`,
`CHILD_MAPS`) are left out of its row, and refused in it.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import operator
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import orjson
from cattrs.gen import make_dict_structure_fn, override

from hyperv_emu.emulator.errors import EmulatorError
from hyperv_emu.emulator.model import EmulatorState
from hyperv_emu.emulator.persist import make_converter
from hyperv_emu.emulator.statetrack import KINDS, MAPS, MapKind, child_fields

@functools.cache
def _converter(detailed: bool) -> Any:
    return make_converter(detailed=detailed)


def _omitted(cls: type) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {name: override(omit=True) for name in child_fields(cls)}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """The JSON value of an embedded value as the converter unstructures it: an enum member's
    value, a datetime's ISO text, a record's fields in order, lists and dicts item by item."""
    cls = value.__class__
    if cls in _SCALARS:
        return value
    return _plain_fn(cls)(value)


def _plain_list(value: Any) -> list[Any]:
    return [_plain(v) for v in value]


def _plain_dict(value: Any) -> dict[Any, Any]:
    return {_plain(k): _plain(v) for k, v in value.items()}


def _enum_value(value: Any) -> Any:
    return _plain(value.value)


def _as_is(value: Any) -> Any:
    return value  # a subclass of str, int or float that is no enum: json writes it as its base


def _scalar_type(t: Any) -> bool:
    """Whether a field of type `t` holds only JSON scalars (`str`, `int | None`, ...)."""
    if t in _SCALARS:
        return True
    return typing.get_origin(t) in (typing.Union, types.UnionType) and all(a in _SCALARS for a in typing.get_args(t))


@functools.cache
def _plain_fn(cls: type) -> Callable[[Any], Any]:
    if issubclass(cls, enum.Enum):
        return _enum_value
    if issubclass(cls, dt.datetime):
        return cls.isoformat
    if issubclass(cls, (list, tuple)):
        return _plain_list
    if issubclass(cls, dict):
        return _plain_dict
    if attrs.has(cls):
        return _dump_fn(cls)
    return _as_is


# The dumper of a record class is made on its first use, without generating code: cattrs'
# generated hooks cost a cold `hvemu run` ~15 ms to make, for the few rows it writes. The loaders
# are cattrs' (generated on first use; the detailed ones only to name an error).
@functools.cache
def _dump_fn(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The document of a record: its fields in order but its child rows. A field declared as a
    JSON scalar (str, int, float, bool, or None) is written as it is, as the converter does; the rest
    goes through `_plain`. (tests/emulator/test_statecodec.py compares it with the converter.)"""
    attrs.resolve_types(cls)
    skip = child_fields(cls)
    fields = [a for a in attrs.fields(cls) if a.name not in skip]
    names = tuple(a.name for a in fields)
    converted = tuple(i for i, a in enumerate(fields) if not _scalar_type(a.type))
    if not names:
        return lambda obj: {}
    values_of = operator.attrgetter(*names)
    if len(names) == 1:
        name = names[0]
        return lambda obj: {name: _plain(getattr(obj, name))}

    def dump(obj: Any) -> dict[str, Any]:
        values = list(values_of(obj))
        for i in converted:
            values[i] = _plain(values[i])
        return dict(zip(names, values))

    return dump


@functools.cache
def _load_fn(cls: type) -> Callable[[Any, Any], Any]:
    """The fast loader of a record class."""
    return make_dict_structure_fn(cls, _converter(False), _cattrs_forbid_extra_keys=True,
                                  _cattrs_detailed_validation=False, **_omitted(cls))


@functools.cache
def _load_detailed_fn(cls: type) -> Callable[[Any, Any], Any]:
    return make_dict_structure_fn(cls, _converter(True), _cattrs_forbid_extra_keys=True, **_omitted(cls))


def _record_class(cls: type) -> type:
    """`cls` if it is a record class of the state (the state itself or a row kind), else KeyError."""
    if cls is EmulatorState or cls in _KIND_CLASSES:
        return cls
    raise KeyError(cls)


_KIND_CLASSES = frozenset(k.cls for k in KINDS)


@functools.cache
def _map_value_type(table: str) -> Any:
    """The value type of a map table's entries (KeyError for an unknown table)."""
    mk: MapKind = _MAPS[table]
    parent = EmulatorState if not mk.parent else next(k.cls for k in KINDS if k.table == mk.parent)
    attrs.resolve_types(parent)
    return typing.get_args(attrs.fields_dict(parent)[mk.field].type)[1]


_MAPS: dict[str, MapKind] = {mk.table: mk for mk in MAPS}


def _text(doc: Any) -> str:
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EmulatorError(
            f"A value is not valid Unicode text (it holds a lone surrogate) and cannot be stored: {exc.reason}."
        ) from None
    return text


def dump_row(obj: Any) -> str:
    """The row JSON of a record (the state: its meta row)."""
    return _text(_dump_fn(_record_class(type(obj)))(obj))


def load_row(cls: type, data: str) -> Any:
    """A record from its row JSON; ValueError, TypeError, KeyError or a cattrs error if the
    row does not hold one."""
    return load_doc(cls, json.loads(data))


def load_doc(cls: type, doc: Any) -> Any:
    """A record from its row's decoded JSON (errors as `load_row`'s, detailed)."""
    try:
        return _load_fn(_record_class(cls))(doc, cls)
    except Exception:  # noqa: BLE001 - read again for the detailed error
        return _load_detailed_fn(_record_class(cls))(doc, cls)


def row_loader(cls: type) -> Callable[[Any, Any], Any]:
    """The fast loader of a record class, called `loader(doc, cls)` (what `load_doc` tries first,
    for a caller that loads many rows): any error means "read again with `load_doc`"."""
    return _load_fn(_record_class(cls))


def load_rows(rows: str) -> list[Any]:
    """The decoded JSON of many rows at once: `rows` is their texts as one JSON array (one
    call of the decoder instead of one per row). orjson reads it (a third of the standard
    module's time: most of a load's decoding); what orjson refuses and the standard module
    takes (NaN, integers beyond 64 bits, a lone surrogate's escape) is read by the latter, so
    the rows mean what `json.loads` makes of them."""
    try:
        out = orjson.loads(rows)
    except orjson.JSONDecodeError:
        out = json.loads(rows)
    if not isinstance(out, list):
        raise ValueError("not a list of rows")
    return out


def dump_map_value(table: str, value: Any) -> str:
    _map_value_type(table)  # KeyError for an unknown table
    return _text(_plain(value))


def load_map_value(table: str, data: str) -> Any:
    return _converter(True).structure(json.loads(data), _map_value_type(table))
