"""The JSON of one row of the state database: a record without its child rows.

The converter is `persist.make_converter()`'s (strict: unknown keys and values of the wrong
JSON type are errors); the fields a record keeps as rows of their own (`statetrack.CHILDREN`,
`CHILD_MAPS`) are left out of its row, and refused in it.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from hyperv_emu.emulator.errors import EmulatorError
from hyperv_emu.emulator.model import EmulatorState
from hyperv_emu.emulator.persist import make_converter
from hyperv_emu.emulator.statetrack import KINDS, MAPS, MapKind, child_fields

_CONVERTER = make_converter()
_FAST = make_converter(detailed=False)
_DUMP: dict[type, Callable[[Any], Any]] = {}
_LOAD: dict[type, Callable[[Any, Any], Any]] = {}  # the fast ones
_LOAD_DETAILED: dict[type, Callable[[Any, Any], Any]] = {}
for _cls in (EmulatorState, *(k.cls for k in KINDS)):
    attrs.resolve_types(_cls)
    _omit: dict[str, Any] = {name: override(omit=True) for name in child_fields(_cls)}
    _DUMP[_cls] = make_dict_unstructure_fn(_cls, _CONVERTER, **_omit)
    _LOAD[_cls] = make_dict_structure_fn(_cls, _FAST, _cattrs_forbid_extra_keys=True,
                                         _cattrs_detailed_validation=False, **_omit)
    _LOAD_DETAILED[_cls] = make_dict_structure_fn(_cls, _CONVERTER, _cattrs_forbid_extra_keys=True, **_omit)


def _map_value_type(mk: MapKind) -> Any:
    parent = EmulatorState if not mk.parent else next(k.cls for k in KINDS if k.table == mk.parent)
    return typing.get_args(attrs.fields_dict(parent)[mk.field].type)[1]


_MAP_VALUE: dict[str, Any] = {mk.table: _map_value_type(mk) for mk in MAPS}


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
    return _text(_DUMP[type(obj)](obj))


def load_row(cls: type, data: str) -> Any:
    """A record from its row JSON; ValueError, TypeError, KeyError or a cattrs error if the
    row does not hold one."""
    return load_doc(cls, json.loads(data))


def load_doc(cls: type, doc: Any) -> Any:
    """A record from its row's decoded JSON (errors as `load_row`'s, detailed)."""
    try:
        return _LOAD[cls](doc, cls)
    except Exception:  # noqa: BLE001 - read again for the detailed error
        return _LOAD_DETAILED[cls](doc, cls)


def load_rows(rows: str) -> list[Any]:
    """The decoded JSON of many rows at once: `rows` is their texts as one JSON array (one
    call of the decoder instead of one per row)."""
    out = json.loads(rows)
    if not isinstance(out, list):
        raise ValueError("not a list of rows")
    return out


def dump_map_value(table: str, value: Any) -> str:
    return _text(_CONVERTER.unstructure(value, _MAP_VALUE[table]))


def load_map_value(table: str, data: str) -> Any:
    return _CONVERTER.structure(json.loads(data), _MAP_VALUE[table])
