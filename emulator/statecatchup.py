"""Catching up: a loaded state brought up to date with the rows another connection committed
since its generation, and the tombstones of the rows it deleted (`emulator.statedb.refresh`)."""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol

import attrs

from hyperv_emu.emulator.model import EmulatorState
from hyperv_emu.emulator.statecodec import load_map_value
from hyperv_emu.emulator.statetrack import CHILDREN, KINDS, MAPS, Kind, TrackedList, Tracker, child_fields


class RowReader(Protocol):
    """How rows are decoded (`statedb.StateDB`: errors name the database and the row)."""

    def structure_row(self, cls: type, data: str, what: str) -> Any: ...
    def structure_doc(self, cls: type, doc: Any, what: str, text: str | None = None) -> Any: ...
    def decode_rows(self, table: str, rows: list[tuple[int, int, int, str]]) -> list[Any]: ...


class CatchUp:
    """Apply to a loaded state the rows and tombstones newer than its generation."""

    def __init__(self, conn: sqlite3.Connection, reader: RowReader, state: EmulatorState, tracker: Tracker,
                 since: int) -> None:
        self.conn = conn
        self.db = reader
        self.state = state
        self.t = tracker
        self.since = since
        self.moved: dict[int, TrackedList] = {}  # lists whose order must be restored

    def owner(self, rid: int) -> Any:
        if rid == 0:
            return self.state
        info = self.t.rows.get(rid)
        return None if info is None else info.obj

    def run(self, meta: dict[str, str]) -> bool:
        t, since = self.t, self.since
        if int(meta.get("state_gen", 0)) > since:
            fresh = self.db.structure_row(EmulatorState, meta["state"], "meta")
            self._copy(fresh, self.state)
        for tbl, rid, key in self.conn.execute("SELECT tbl, rid, key FROM tombstones WHERE gen > ?", (since,)):
            if key == "" and tbl in _KIND_BY_TABLE:
                info = t.rows.get(rid)
                if info is not None:
                    parent = self.owner(info.parent)
                    if parent is None:
                        return False
                    _remove_identical(getattr(parent, info.kind.field), info.obj)
                    self._forget_tree(info.obj, rid)
            elif tbl in _MAP_BY_TABLE:
                parent = self.owner(rid)
                if parent is not None:
                    dict.pop(getattr(parent, _MAP_BY_TABLE[tbl].field), key, None)
        for kind in KINDS:
            rows = self.conn.execute(f"SELECT rid, parent, pos, data FROM {kind.table} WHERE gen > ? "
                                     "ORDER BY parent, pos", (since,)).fetchall()
            for (rid, parent, pos, data), doc in zip(rows, self.db.decode_rows(kind.table, rows)):
                if not self._row(kind, rid, parent, pos, doc, data):
                    return False
        for mk in MAPS:
            for parent, key, data in self.conn.execute(
                    f"SELECT parent, key, data FROM {mk.table} WHERE gen > ? ORDER BY rowid", (since,)):
                owner = self.owner(parent)
                if owner is None:
                    return False
                dict.__setitem__(getattr(owner, mk.field), key, load_map_value(mk.table, data))
        for lst in self.moved.values():
            list.sort(lst, key=lambda o: t.rows[t.rid_of[id(o)]].pos)
            lst.lookup = None
        return True

    def _row(self, kind: Kind, rid: int, parent: int, pos: int, doc: Any, text: str) -> bool:
        t = self.t
        fresh = self.db.structure_doc(kind.cls, doc, f"{kind.table} row {rid}", text)
        owner = self.owner(parent)
        if owner is None or type(owner) is not (type(self.state) if not kind.parent else _KIND_BY_TABLE[kind.parent].cls):
            return False
        target: TrackedList = getattr(owner, kind.field)
        info = t.rows.get(rid)
        if info is None:
            list.append(target, fresh)
            t.adopt(fresh, kind, parent, pos, rid)
            self.moved[id(target)] = target
            return True
        if info.kind is not kind:
            return False
        self._copy(fresh, info.obj)
        if info.parent != parent:
            before = self.owner(info.parent)
            if before is not None:
                _remove_identical(getattr(before, kind.field), info.obj)
            list.append(target, info.obj)
            info.parent = parent
            self.moved[id(target)] = target
        if info.pos != pos:
            info.pos = pos
            self.moved[id(target)] = target
        return True

    def _copy(self, fresh: Any, obj: Any) -> None:
        """The fields of a freshly read record onto the loaded one (its child rows stay)."""
        skip = _CHILD_FIELDS.get(type(obj), frozenset())
        for a in attrs.fields(type(obj)):
            if a.name not in skip:
                object.__setattr__(obj, a.name, getattr(fresh, a.name))
        self.t.embed_fields(obj, obj)

    def _forget_tree(self, obj: Any, rid: int) -> None:
        for kind in CHILDREN.get(type(obj), ()):
            for child in getattr(obj, kind.field):
                child_rid = self.t.rid_of.get(id(child))
                if child_rid is not None:
                    self._forget_tree(child, child_rid)
        self.t.forget(rid)


_KIND_BY_TABLE = {k.table: k for k in KINDS}
_MAP_BY_TABLE = {m.table: m for m in MAPS}
_CHILD_FIELDS = {cls: child_fields(cls) for cls in (EmulatorState, *(k.cls for k in KINDS))}


def _remove_identical(items: list[Any], obj: Any) -> None:
    for i, item in enumerate(items):
        if item is obj:
            list.__delitem__(items, i)
            if isinstance(items, TrackedList):
                items.lookup = None
            return
