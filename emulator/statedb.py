"""The state in SQLite: one row per object, one SQLite transaction per commit.

Layout (`LAYOUT_VERSION`; `_LAYOUT_STEPS` brings an older database up to date on open):

    meta(name, value)      layout: the layout version; generation: bumped by every commit;
                           next_rid: the next row id; state: the JSON of `EmulatorState`'s
                           scalar fields (everything but its row lists: schema version, clock,
                           timing, settings, env, id counter, and any field added later)
    <kind>(rid, parent, pos, gen, key, data)
                           one table per `statetrack.KINDS` (hosts, vms, checkpoints,
                           disk_files, merges, events, switches, journal = the pending file
                           operations, parked_ops): `rid` unique over all tables, `parent` the
                           row id of the owner (0: the state), `pos` the order among its
                           siblings, `gen` the generation that wrote it, `key` the id or path
                           (indexed), `data` the record's JSON without its child rows
    <map>(parent, key, gen, data)
                           one table per `statetrack.MAPS` (file_times)
    tombstones(tbl, rid, key, gen)
                           the rows (and map keys) deleted by each generation; meta also
                           holds epoch (new when the whole content is replaced), state_gen
                           (the generation that wrote the meta row) and pruned_below

Local states use WAL with `synchronous=FULL`: a commit is durable when COMMIT returns, readers
never wait for a writer and see one committed generation. Memory states are an in-memory
database shared by the process (`storage._DatabaseEntry`).

A process keeps the state it loaded last (`StateDB.state`) with its `statetrack.Tracker`; a
transaction reads the generation and reuses that state when no other connection committed
since (one indexed read), else catches up (`_CatchUp`: the rows with a newer `gen`, and the
`tombstones` of rows deleted since, applied to the loaded objects) or, when the state was
replaced (a new `epoch`) or is older than the kept tombstones, loads it whole (`_load`). A commit writes only the rows the
tracker saw change (`_flush`). With `HVEMU_VERIFY_TRACKING=1` every commit also serialises the
whole state and compares it with the database before COMMIT: a change the tracker missed fails
loudly (`TrackingError`) instead of being lost silently.

A state folder that holds the JSON document of earlier releases (`hvemu-state.json`) is
migrated into a new database on open, in one transaction; the document is then deleted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from hyperv_emu.emulator import persist
from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.model import SCHEMA_VERSION, EmulatorState
from hyperv_emu.emulator.statecodec import dump_map_value, dump_row, load_doc, load_map_value, load_row, load_rows
from hyperv_emu.emulator.statetrack import (
    CHILD_MAPS,
    CHILDREN,
    KINDS,
    MAPS,
    Kind,
    RowInfo,
    Tracker,
    TrackedDict,
    TrackedList,
    child_fields,
)
from hyperv_emu.emulator.storage import STATE_DB, STATE_FILE, Database, FileStore

LAYOUT_VERSION = 1
VERIFY_ENV = "HVEMU_VERIFY_TRACKING"
# Tombstones (deleted rows, for catching up) older than this many generations are pruned, every
# so many commits; a process whose state is older than that loads it whole.
TOMBSTONE_GENERATIONS = 10_000
TOMBSTONE_PRUNE_EVERY = 1_000


class TrackingError(AssertionError):
    """The verification mode found a row that the change tracking did not write."""


def _create_tables(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for kind in KINDS:
        t = kind.table
        conn.execute(f"CREATE TABLE IF NOT EXISTS {t} (rid INTEGER PRIMARY KEY, parent INTEGER NOT NULL, "
                     "pos INTEGER NOT NULL, gen INTEGER NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {t}_parent ON {t} (parent, pos)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {t}_key ON {t} (key)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {t}_gen ON {t} (gen)")
    conn.execute("CREATE TABLE IF NOT EXISTS tombstones (tbl TEXT NOT NULL, rid INTEGER NOT NULL, "
                 "key TEXT NOT NULL, gen INTEGER NOT NULL)")
    conn.execute("CREATE INDEX IF NOT EXISTS tombstones_gen ON tombstones (gen)")
    for mk in MAPS:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {mk.table} (parent INTEGER NOT NULL, key TEXT NOT NULL, "
                     "gen INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (parent, key))")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {mk.table}_gen ON {mk.table} (gen)")


# _LAYOUT_STEPS[v] brings a database of layout v to v + 1 (in the open transaction)
_LAYOUT_STEPS: dict[int, Any] = {}


class StateDB:
    """The state database of one store, as one `Emulator` uses it (not shared between threads
    without the emulator's lock)."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.where = store.display_path(STATE_DB)
        self.verify = os.environ.get(VERIFY_ENV, "") not in ("", "0")
        self.db: Database | None = None
        self.state: EmulatorState | None = None
        self.tracker: Tracker | None = None
        self.generation = -1
        self.next_rid = 1
        self.epoch = ""  # of the loaded state: a new one each time the content is replaced

    # --- opening -------------------------------------------------------------------------------

    def _error(self, exc: BaseException) -> StateError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return StateError(f"The state database '{self.where}' is locked by another process (waited 60 s).")
        return StateError(f"The state database '{self.where}' is corrupt or not an hvemu state: {exc}.")

    def _connect(self, create: bool) -> Database | None:
        if self.db is not None and self.db.valid():
            return self.db
        self.close()
        try:
            db = self.store.open_database(STATE_DB, create)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        if db is None:
            return None
        try:
            db.conn.execute("PRAGMA busy_timeout = 60000")
            if db.wal:
                db.conn.execute("PRAGMA journal_mode = WAL")
                db.conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise self._error(exc) from None
        self.db = db
        return db

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        self.db = None
        self.discard()

    def discard(self) -> None:
        """Forget the loaded state (after a failed transaction: it may be half-changed)."""
        self.state = None
        self.tracker = None
        self.generation = -1

    def _meta(self, conn: sqlite3.Connection, name: str) -> str | None:
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _initialised(self, conn: sqlite3.Connection) -> bool:
        try:
            return self._meta(conn, "state") is not None
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return False
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def exists(self) -> bool:
        return self.status() != "none"

    def status(self) -> str:
        """"db": a database with a state; "json": a JSON state of an earlier release to
        migrate; "none"."""
        db = self._connect(create=False)
        if db is not None and self._initialised(db.conn):
            return "db"
        return "json" if self.store.exists(STATE_FILE) else "none"

    def _require(self) -> sqlite3.Connection:
        """The connection to an initialised database (migrating a JSON state first); the
        "no state" StateError when there is none. The caller holds the store's lock when a
        migration may be needed (`needs_migration`)."""
        db = self._connect(create=False)
        if db is not None and self._initialised(db.conn):
            return db.conn
        if self.store.exists(STATE_FILE):
            self._migrate_json()
            db = self._connect(create=False)
            assert db is not None
            return db.conn
        raise StateError(
            f"No hvemu state at '{self.store.url}'. Create one with `hvemu init --world FILE --state {self.store.url}`."
        )

    def lockless_reads(self) -> bool:
        """Whether readers may skip the store's lock (a WAL database: a file)."""
        db = self._connect(create=False)
        return db is not None and db.wal

    def needs_migration(self) -> bool:
        db = self._connect(create=False)
        return (db is None or not self._initialised(db.conn)) and self.store.exists(STATE_FILE)

    def _migrate_json(self) -> None:
        where = self.store.display_path(STATE_FILE)
        state = persist.loads(self.store.read_bytes(STATE_FILE), where)
        self.replace(state)
        self.store.delete(STATE_FILE)

    # --- reading -------------------------------------------------------------------------------

    def refresh(self) -> EmulatorState:
        """The current state: the one loaded last when no commit happened since, else loaded."""
        conn = self._require()
        try:
            generation = int(self._meta(conn, "generation") or 0)
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise self._error(exc) from None
        if self.state is not None and generation == self.generation:
            return self.state
        if self.state is not None and self.tracker is not None and not self.tracker.is_dirty():
            state = self._catch_up(conn)
            if state is not None:
                return state
        return self._load(conn)

    def _catch_up(self, conn: sqlite3.Connection) -> EmulatorState | None:
        """The loaded state brought up to date with the rows newer than its generation (and the
        tombstones of the rows deleted since); None when only a full load can (a state
        replaced, tombstones pruned past it, rows that do not fit)."""
        assert self.state is not None and self.tracker is not None
        try:
            conn.execute("BEGIN")
            try:
                meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
                if meta.get("epoch") != self.epoch or self.generation < int(meta.get("pruned_below", 0)):
                    return None
                done = _CatchUp(conn, self, self.generation).run(meta)
                if done and self.verify:
                    verify(conn, self.state, self.tracker)
            finally:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        except TrackingError:
            raise
        except Exception:  # noqa: BLE001 - anything odd: load it whole instead
            done = False
        if not done:
            self.discard()
            return None
        self.generation = int(meta["generation"])
        self.next_rid = int(meta["next_rid"])
        self.tracker.next_rid = max(self.tracker.next_rid, self.next_rid)
        self.tracker.clear()
        return self.state

    def _load(self, conn: sqlite3.Connection) -> EmulatorState:
        self.discard()
        try:
            conn.execute("BEGIN")
            try:
                state, tracker = self._read_all(conn)
            finally:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        problem = persist.state_problem(state)
        if problem is not None:
            raise StateError(f"The state database '{self.where}' is corrupt: {problem}.")
        self.state, self.tracker = state, tracker
        return state

    def _read_all(self, conn: sqlite3.Connection) -> tuple[EmulatorState, Tracker]:
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        layout = int(meta.get("layout", 0))
        if layout > LAYOUT_VERSION:
            raise StateError(f"The state database '{self.where}' has layout version {layout}, newer than this "
                             f"release understands ({LAYOUT_VERSION}); upgrade hyperv-emu to open it.")
        if layout < LAYOUT_VERSION:
            raise StateError(f"The state database '{self.where}' has layout version {layout}, which this "
                             "release cannot open.")
        self.generation = int(meta["generation"])
        self.next_rid = int(meta["next_rid"])
        self.epoch = meta.get("epoch", "")
        state = self._structure(EmulatorState, meta["state"], "meta")
        if state.schema_version > SCHEMA_VERSION:
            raise StateError(f"The state database '{self.where}' has schema version {state.schema_version}, newer "
                             f"than this release understands ({SCHEMA_VERSION}); upgrade hyperv-emu to open it.")
        tracker = Tracker(state)
        objs: dict[int, Any] = {0: state}
        for kind in KINDS:
            parent_cls = type(state) if not kind.parent else next(k.cls for k in KINDS if k.table == kind.parent)
            rows = conn.execute(f"SELECT rid, parent, pos, data FROM {kind.table} ORDER BY parent, pos").fetchall()
            docs = self._decode_all(kind.table, rows)
            for (rid, parent, pos, _), doc in zip(rows, docs):
                owner = objs.get(parent)
                if type(owner) is not parent_cls:
                    raise StateError(f"The state database '{self.where}' is corrupt: the {kind.table} row {rid} "
                                     f"has no parent {kind.parent or 'state'} row {parent}.")
                obj = self._structure_doc(kind.cls, doc, f"{kind.table} row {rid}")
                list.append(getattr(owner, kind.field), obj)
                tracker.adopt(obj, kind, parent, pos, rid)
                objs[rid] = obj
        for mk in MAPS:
            for parent, key, data in conn.execute(f"SELECT parent, key, data FROM {mk.table} ORDER BY rowid"):
                owner = objs.get(parent)
                if owner is None or not isinstance(getattr(owner, mk.field, None), TrackedDict):
                    raise StateError(f"The state database '{self.where}' is corrupt: a {mk.table} row has no "
                                     f"parent row {parent}.")
                try:
                    value = load_map_value(mk.table, data)
                except (ValueError, TypeError) as exc:
                    raise StateError(f"The state database '{self.where}' is corrupt: {mk.table} '{key}': {exc}.") from None
                dict.__setitem__(getattr(owner, mk.field), key, value)
        tracker.next_rid = max(tracker.next_rid, self.next_rid)
        return state, tracker

    def _decode_all(self, table: str, rows: list[tuple[int, int, int, str]]) -> list[Any]:
        """The JSON of `rows` (rid, parent, pos, data) decoded in one call; a row that is no
        JSON is named."""
        try:
            docs = load_rows("[" + ",".join(r[3] for r in rows) + "]")
            if len(docs) == len(rows):
                return docs
        except ValueError:
            pass
        out = []
        for rid, _, _, data in rows:
            try:
                out.append(json.loads(data))
            except ValueError as exc:
                raise StateError(f"The state database '{self.where}' is corrupt: {table} row {rid}: {exc}.") from None
        return out

    def _structure_doc(self, cls: type, doc: Any, what: str) -> Any:
        try:
            return load_doc(cls, doc)
        except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
            raise StateError(f"The state database '{self.where}' is corrupt: {what}: {detail}.") from None

    def _structure(self, cls: type, data: str, what: str) -> Any:
        try:
            return load_row(cls, data)
        except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
            raise StateError(f"The state database '{self.where}' is corrupt: {what}: {detail}.") from None

    # --- writing -------------------------------------------------------------------------------

    def commit(self) -> None:
        """Write what changed in the loaded state, in one SQLite transaction."""
        assert self.state is not None and self.tracker is not None
        if not self.tracker.is_dirty():
            return
        assert self.db is not None
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                generation = int(self._meta(conn, "generation") or 0) + 1
                _Flush(conn, self.tracker, generation).run()
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?), ('next_rid', ?)",
                             (str(generation), str(self.tracker.next_rid)))
                if generation % TOMBSTONE_PRUNE_EVERY == 0:
                    horizon = generation - TOMBSTONE_GENERATIONS
                    conn.execute("DELETE FROM tombstones WHERE gen <= ?", (horizon,))
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('pruned_below', ?)", (str(horizon),))
                if self.verify:
                    verify(conn, self.state, self.tracker)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.discard()
            raise self._error(exc) from None
        except BaseException:
            self.discard()
            raise
        self.tracker.clear()
        self.generation = generation
        self.next_rid = self.tracker.next_rid

    def replace(self, state: EmulatorState) -> None:
        """Make `state` the whole content of the database (created if missing): a new state,
        or a migrated one."""
        db = self._connect(create=True)
        assert db is not None
        conn = db.conn
        self.discard()
        tracker = Tracker(state)
        for kind in CHILDREN.get(EmulatorState, ()):
            lst = getattr(state, kind.field)
            tracker.lists[id(lst)] = (lst, [])
        tracker.dirty[id(state)] = state
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _create_tables(conn)
                previous = int(self._meta(conn, "generation") or 0)
                for kind in KINDS:
                    conn.execute(f"DELETE FROM {kind.table}")
                for mk in MAPS:
                    conn.execute(f"DELETE FROM {mk.table}")
                conn.execute("DELETE FROM tombstones")
                generation = previous + 1
                epoch = uuid.uuid4().hex
                _Flush(conn, tracker, generation).run()
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                    ("layout", str(LAYOUT_VERSION)), ("generation", str(generation)),
                    ("next_rid", str(tracker.next_rid)), ("epoch", epoch), ("pruned_below", str(generation))])
                if self.verify:
                    verify(conn, state, tracker)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        tracker.clear()
        self.state, self.tracker, self.generation = state, tracker, generation
        self.next_rid = tracker.next_rid
        self.epoch = epoch


class _Flush:
    """The SQL for what a tracker saw change (see `statetrack`)."""

    def __init__(self, conn: sqlite3.Connection, tracker: Tracker, generation: int) -> None:
        self.conn = conn
        self.t = tracker
        self.gen = generation
        self.written: set[int] = set()  # ids of records inserted whole

    def run(self) -> None:
        t = self.t
        order = {k.table: i for i, k in enumerate(KINDS)}
        changed = sorted(t.lists.values(), key=lambda e: order[e[0].kind.table] if e[0].kind else -1)
        came: set[int] = set()
        went: dict[int, Any] = {}
        for lst, before in changed:
            self._list(lst, before, came, went)
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
        if len(lst) >= n and lst[:n] == before:  # appended to (a C-speed identity comparison)
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
        self.conn.execute(f"INSERT INTO {kind.table} VALUES (?, ?, ?, ?, ?, ?)",
                          (rid, parent, pos, self.gen, kind.key(obj), dump_row(obj)))
        for child in CHILDREN.get(kind.cls, ()):
            for i, item in enumerate(getattr(obj, child.field)):
                self._insert(item, child, rid, i)
        for mk in CHILD_MAPS.get(kind.cls, ()):
            for k, v in getattr(obj, mk.field).items():
                self.conn.execute(f"INSERT INTO {mk.table} VALUES (?, ?, ?, ?)",
                                  (rid, k, self.gen, dump_map_value(mk.table, v)))

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


class _CatchUp:
    """Apply to a loaded state the rows and tombstones newer than its generation."""

    def __init__(self, conn: sqlite3.Connection, db: StateDB, since: int) -> None:
        assert db.state is not None and db.tracker is not None
        self.conn = conn
        self.db = db
        self.state = db.state
        self.t = db.tracker
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
            fresh = self.db._structure(EmulatorState, meta["state"], "meta")
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
            for (rid, parent, pos, _), doc in zip(rows, self.db._decode_all(kind.table, rows)):
                if not self._row(kind, rid, parent, pos, doc):
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

    def _row(self, kind: Kind, rid: int, parent: int, pos: int, doc: Any) -> bool:
        t = self.t
        fresh = self.db._structure_doc(kind.cls, doc, f"{kind.table} row {rid}")
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
