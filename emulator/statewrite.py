"""Writing the state database: the SQL for what a `statetrack.Tracker` saw change (`Flush`),
and the verification mode's comparison of the whole state with the database (`verify`,
`HVEMU_VERIFY_TRACKING`). `emulator.statedb` runs both inside its write transaction."""

from __future__ import annotations

import sqlite3
from typing import Any

from hyperv_emu.emulator.model import EmulatorState
from hyperv_emu.emulator.statecodec import dump_map_value, dump_row
from hyperv_emu.emulator.statetrack import (
    CHILD_MAPS,
    CHILDREN,
    KINDS,
    MAPS,
    Kind,
    RowInfo,
    TrackedDict,
    TrackedList,
    Tracker,
)


class TrackingError(AssertionError):
    """The verification mode found a row that the change tracking did not write."""


class Flush:
    """The SQL for what a tracker saw change (see `statetrack`)."""

    def __init__(self, conn: sqlite3.Connection, tracker: Tracker, generation: int) -> None:
        self.conn = conn
        self.t = tracker
        self.gen = generation
        self.written: set[int] = set()  # ids of records inserted whole
        # the rows of records inserted whole, by statement, written together (`_write_inserts`)
        self.inserts: dict[str, list[tuple[Any, ...]]] = {}

    def run(self) -> None:
        t = self.t
        order = {k.table: i for i, k in enumerate(KINDS)}
        changed = sorted(t.lists.values(), key=lambda e: order[e[0].kind.table] if e[0].kind else -1)
        came: set[int] = set()
        went: dict[int, Any] = {}
        for lst, before in changed:
            self._list(lst, before, came, went)
        self._write_inserts()
        for key, obj in went.items():
            if key not in came:
                rid = t.rid_of.get(key)
                if rid is not None and rid in t.rows:
                    self._delete(t.rows[rid].kind, [rid])
        state_id = id(t.state)
        for key, obj in list(t.dirty.items()):
            if key == state_id:
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?), ('state_gen', ?)",
                                  (dump_row(obj), str(self.gen)))
                continue
            rid = t.rid_of.get(key)
            if rid is None or key in self.written or rid not in t.rows:
                continue
            kind = t.rows[rid].kind
            self.conn.execute(f"UPDATE {kind.table} SET gen = ?, key = ?, data = ? WHERE rid = ?",
                              (self.gen, kind.key(obj), dump_row(obj), rid))
        for d, keys in t.maps.values():
            owner = t.rid_of.get(id(d.owner), 0 if d.owner is t.state else None)
            if owner is None or (d.owner is not t.state and owner not in t.rows) or id(d.owner) in self.written:
                continue
            assert d.kind is not None
            table = d.kind.table
            if keys is None:
                stored = {k for (k,) in self.conn.execute(f"SELECT key FROM {table} WHERE parent = ?", (owner,))}
                keys = stored | set(d)
            for k in keys:
                if k in d:
                    self.conn.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)",
                                      (owner, k, self.gen, dump_map_value(table, d[k])))
                else:
                    self.conn.execute(f"DELETE FROM {table} WHERE parent = ? AND key = ?", (owner, k))
                    self.conn.execute("INSERT INTO tombstones VALUES (?, ?, ?, ?)", (table, owner, k, self.gen))

    def _list(self, lst: TrackedList, before: list[Any], came: set[int], went: dict[int, Any]) -> None:
        """A changed row list: what came (inserted, or moved here), what went (deleted unless it
        came to another list), positions. Appending, the common change, costs what it adds."""
        t = self.t
        kind = lst.kind
        assert kind is not None
        appended = id(lst) in t.appended  # nothing went (a long list is not scanned for it)
        if not appended:
            new_ids = set(map(id, lst))
            if not new_ids.issuperset(map(id, before)):
                went.update((i, o) for i, o in zip(map(id, before), before) if i not in new_ids)
        if lst.owner is t.state:
            owner = 0
        else:
            maybe = t.rid_of.get(id(lst.owner))
            if maybe is None or maybe not in t.rows or id(lst.owner) in self.written:
                return  # the owner is new (inserted whole) or gone
            owner = maybe
        n = len(before)
        if appended or (len(lst) >= n and lst[:n] == before):  # appended to (a C-speed identity comparison)
            start, items = n, lst[n:]
            last = t.rows[t.rid_of[id(before[-1])]].pos if before and id(before[-1]) in t.rid_of \
                and t.rid_of[id(before[-1])] in t.rows else -1
        else:
            start, items, last = 0, list(lst), -1
        infos: list[RowInfo | None] = []
        for obj in items:
            came.add(id(obj))
            rid = t.rid_of.get(id(obj))
            info = t.rows.get(rid) if rid is not None else None
            infos.append(info if info is not None and info.kind is kind else None)
        # keep the stored positions when the old rows keep their order and new rows come last
        keep, tail, base = True, False, last
        for info in infos:
            if info is None:
                tail = True
            elif tail or info.parent != owner or info.pos <= last:
                keep = False
                break
            else:
                last = info.pos
        if not keep and start:  # not a plain append after all: renumber the whole list
            self._list_positions(lst, kind, owner, came)
            return
        for i, (obj, info) in enumerate(zip(items, infos)):
            pos = start + i if not keep else (info.pos if info is not None else max(last, base) + 1 + i)
            if info is None:
                self._insert(obj, kind, owner, pos)
            elif info.parent != owner or info.pos != pos:
                info.parent, info.pos = owner, pos
                self.conn.execute(f"UPDATE {kind.table} SET parent = ?, pos = ?, gen = ? WHERE rid = ?",
                                  (owner, pos, self.gen, t.rid_of[id(obj)]))

    def _list_positions(self, lst: TrackedList, kind: Kind, owner: int, came: set[int]) -> None:
        t = self.t
        for pos, obj in enumerate(lst):
            came.add(id(obj))
            rid = t.rid_of.get(id(obj))
            info = t.rows.get(rid) if rid is not None else None
            if info is None or info.kind is not kind:
                self._insert(obj, kind, owner, pos)
            elif info.parent != owner or info.pos != pos:
                info.parent, info.pos = owner, pos
                self.conn.execute(f"UPDATE {kind.table} SET parent = ?, pos = ?, gen = ? WHERE rid = ?",
                                  (owner, pos, self.gen, rid))

    def _insert(self, obj: Any, kind: Kind, parent: int, pos: int) -> None:
        t = self.t
        old = t.rid_of.get(id(obj))
        if old is not None:  # a row of another kind reused (never in practice): store it anew
            t.forget(old)
        rid = t.next_rid
        t.adopt(obj, kind, parent, pos, rid)
        self.written.add(id(obj))
        self.inserts.setdefault(f"INSERT INTO {kind.table} VALUES (?, ?, ?, ?, ?, ?)", []).append(
            (rid, parent, pos, self.gen, kind.key(obj), dump_row(obj)))
        for child in CHILDREN.get(kind.cls, ()):
            for i, item in enumerate(getattr(obj, child.field)):
                self._insert(item, child, rid, i)
        for mk in CHILD_MAPS.get(kind.cls, ()):
            values = getattr(obj, mk.field)
            if values:
                self.inserts.setdefault(f"INSERT INTO {mk.table} VALUES (?, ?, ?, ?)", []).extend(
                    (rid, k, self.gen, dump_map_value(mk.table, v)) for k, v in values.items())

    def _write_inserts(self) -> None:
        """The rows `_insert` collected, one `executemany` per table (before any row is deleted:
        a row inserted under a record that goes is deleted with it)."""
        for sql, rows in self.inserts.items():
            self.conn.executemany(sql, rows)
        self.inserts.clear()

    def _delete(self, kind: Kind, rids: list[int]) -> None:
        if not rids:
            return
        marks = ",".join("?" * len(rids))
        for child in CHILDREN.get(kind.cls, ()):
            found = [r for (r,) in self.conn.execute(f"SELECT rid FROM {child.table} WHERE parent IN ({marks})", rids)]
            self._delete(child, found)
        for mk in CHILD_MAPS.get(kind.cls, ()):
            self.conn.execute(f"DELETE FROM {mk.table} WHERE parent IN ({marks})", rids)
        self.conn.execute(f"DELETE FROM {kind.table} WHERE rid IN ({marks})", rids)
        self.conn.executemany("INSERT INTO tombstones VALUES (?, ?, '', ?)",
                              [(kind.table, rid, self.gen) for rid in rids])
        for rid in rids:
            self.t.forget(rid)


def verify(conn: sqlite3.Connection, state: EmulatorState, tracker: Tracker) -> None:
    """Raise TrackingError unless the database holds exactly the state (`HVEMU_VERIFY_TRACKING`)."""
    stored = conn.execute("SELECT value FROM meta WHERE name = 'state'").fetchone()
    if stored is None or stored[0] != dump_row(state):
        raise TrackingError(f"the meta row differs from the state: stored {stored and stored[0]!r}, "
                            f"in memory {dump_row(state)!r}")
    expected: dict[str, dict[int, list[tuple[int, str]]]] = {k.table: {} for k in KINDS}
    maps: dict[str, dict[int, dict[str, str]]] = {m.table: {} for m in MAPS}

    def walk(obj: Any, rid: int) -> None:
        for kind in CHILDREN.get(type(obj), ()):
            rows = expected[kind.table].setdefault(rid, [])
            for item in getattr(obj, kind.field):
                child = tracker.rid_of.get(id(item))
                if child is None or type(getattr(obj, kind.field)) is not TrackedList:
                    raise TrackingError(f"a {kind.table} row was not stored: {item!r}")
                rows.append((child, dump_row(item)))
                walk(item, child)
        for mk in CHILD_MAPS.get(type(obj), ()):
            value = getattr(obj, mk.field)
            if type(value) is not TrackedDict:
                raise TrackingError(f"the {mk.table} of row {rid} are not tracked")
            maps[mk.table][rid] = {k: dump_map_value(mk.table, v) for k, v in value.items()}

    walk(state, 0)
    for kind in KINDS:
        actual: dict[int, list[tuple[int, str]]] = {}
        for rid, parent, data in conn.execute(f"SELECT rid, parent, data FROM {kind.table} ORDER BY parent, pos"):
            actual.setdefault(parent, []).append((rid, data))
        want = {p: rows for p, rows in expected[kind.table].items() if rows}
        if actual != want:
            for parent in sorted(set(actual) | set(want)):
                a, w = actual.get(parent, []), want.get(parent, [])
                if a != w:
                    diff = next(((x, y) for x, y in zip(a, w) if x != y), (a[len(w):], w[len(a):]))
                    raise TrackingError(f"the {kind.table} rows of parent {parent} differ from the state "
                                        f"(stored, in memory): {diff!r}")
    for mk in MAPS:
        actual_map: dict[int, dict[str, str]] = {}
        for parent, key, data in conn.execute(f"SELECT parent, key, data FROM {mk.table}"):
            actual_map.setdefault(parent, {})[key] = data
        want_map = {p: v for p, v in maps[mk.table].items() if v}
        if actual_map != want_map:
            raise TrackingError(f"the {mk.table} rows differ from the state: stored {actual_map!r}, in memory {want_map!r}")
