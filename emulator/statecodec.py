"""The JSON of one row of the state database: a record without its child rows.

The converter is `persist.make_converter()`'s (strict: unknown keys and values of the wrong
JSON type are errors); the fields a record keeps as rows of their own (`statetrack.CHILDREN`,
`CHILD_MAPS`) are left out of its row, and refused in it.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Callable
from typing import Any

import attrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

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


# The hooks of a record class are generated on its first use (generating all of them costs a
# cold `hvemu run` tens of milliseconds; the detailed loaders are needed only to name an error).
@functools.cache
def _dump_fn(cls: type) -> Callable[[Any], Any]:
    return make_dict_unstructure_fn(cls, _converter(True), **_omitted(cls))


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
    return _text(_converter(True).unstructure(value, _map_value_type(table)))


def load_map_value(table: str, data: str) -> Any:
    return _converter(True).structure(json.loads(data), _map_value_type(table))
