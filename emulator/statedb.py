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

Local states use WAL with `synchronous=FULL`: a commit is durable when COMMIT returns (but for
the engine's emptied journal: `StateDB.commit(durable=False)`), readers never wait for a writer
and see one committed generation. Memory states are an in-memory
database shared by the process (`storage._DatabaseEntry`).

A process keeps the state it loaded last (`StateDB.state`) with its `statetrack.Tracker`; a
transaction reads the generation and reuses that state when no other connection committed
since (one indexed read), else catches up (`statecatchup.CatchUp`: the rows with a newer `gen`, and the
`tombstones` of rows deleted since, applied to the loaded objects) or, when the state was
replaced (a new `epoch`) or is older than the kept tombstones, loads it whole (`_load`). A commit writes only the rows the
tracker saw change (`statewrite.Flush`). With `HVEMU_VERIFY_TRACKING=1` every commit also serialises the
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

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from hyperv_emu.emulator import persist
from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.model import SCHEMA_VERSION, EmulatorState
from hyperv_emu.emulator.statecatchup import CatchUp
from hyperv_emu.emulator.statecodec import load_doc, load_map_value, load_row, load_rows, row_loader
from hyperv_emu.emulator.statetrack import CHILDREN, KINDS, MAPS, Tracker, TrackedDict
from hyperv_emu.emulator.statewrite import Flush, TrackingError, verify
from hyperv_emu.emulator.storage import STATE_DB, STATE_FILE, Database, FileStore

LAYOUT_VERSION = 1
VERIFY_ENV = "HVEMU_VERIFY_TRACKING"
# Tombstones (deleted rows, for catching up) older than this many generations are pruned, every
# so many commits; a process whose state is older than that loads it whole.
TOMBSTONE_GENERATIONS = 10_000
TOMBSTONE_PRUNE_EVERY = 1_000


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
                done = CatchUp(conn, self, self.state, self.tracker, self.generation).run(meta)
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
        state = self.structure_row(EmulatorState, meta["state"], "meta")
        if state.schema_version > SCHEMA_VERSION:
            raise StateError(f"The state database '{self.where}' has schema version {state.schema_version}, newer "
                             f"than this release understands ({SCHEMA_VERSION}); upgrade hyperv-emu to open it.")
        tracker = Tracker(state)
        objs: dict[int, Any] = {0: state}
        for kind in KINDS:
            parent_cls = type(state) if not kind.parent else next(k.cls for k in KINDS if k.table == kind.parent)
            rows = conn.execute(f"SELECT rid, parent, pos, data FROM {kind.table} ORDER BY parent, pos").fetchall()
            if not rows:
                continue
            docs = self.decode_rows(kind.table, rows)
            cls, load = kind.cls, row_loader(kind.cls)  # (made on first use: a table with rows)
            for (rid, parent, pos, data), doc in zip(rows, docs):
                owner = objs.get(parent)
                if type(owner) is not parent_cls:
                    raise StateError(f"The state database '{self.where}' is corrupt: the {kind.table} row {rid} "
                                     f"has no parent {kind.parent or 'state'} row {parent}.")
                try:
                    obj = load(doc, cls)
                except Exception:  # noqa: BLE001 - the detailed error (or the exact reading of the text)
                    obj = self.structure_doc(cls, doc, f"{kind.table} row {rid}", data)
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

    def decode_rows(self, table: str, rows: list[tuple[int, int, int, str]]) -> list[Any]:
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

    def structure_doc(self, cls: type, doc: Any, what: str, text: str | None = None) -> Any:
        """The record of a row from its decoded JSON (`decode_rows`). `text`: the row's JSON, read
        again by the standard module when the record is refused: orjson reads an integer beyond
        64 bits as a float, which an int field refuses and `json.loads` reads exactly."""
        try:
            return load_doc(cls, doc)
        except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
            if text is not None:
                return self.structure_row(cls, text, what)
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
            raise StateError(f"The state database '{self.where}' is corrupt: {what}: {detail}.") from None

    def structure_row(self, cls: type, data: str, what: str) -> Any:
        try:
            return load_row(cls, data)
        except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
            raise StateError(f"The state database '{self.where}' is corrupt: {what}: {detail}.") from None

    # --- writing -------------------------------------------------------------------------------

    def commit(self, *, durable: bool = True) -> None:
        """Write what changed in the loaded state, in one SQLite transaction. `durable=False`:
        the commit is atomic and survives the process (a killed process's writes are in the
        operating system's cache), but its fsync waits for the next durable commit (SQLite's
        `synchronous = NORMAL` for this one transaction; the next FULL commit syncs the WAL, and
        every earlier frame with it). Only for what a power loss may safely undo: the engine's
        emptied journal, whose operations are idempotent and replayed if it comes back."""
        assert self.state is not None and self.tracker is not None
        if not self.tracker.is_dirty():
            return
        assert self.db is not None
        conn = self.db.conn
        relaxed = not durable and self.db.wal
        try:
            if relaxed:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                self._write(conn)
            finally:
                if relaxed:
                    conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            self.discard()
            raise self._error(exc) from None

    def _write(self, conn: sqlite3.Connection) -> None:
        assert self.state is not None and self.tracker is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                generation = int(self._meta(conn, "generation") or 0) + 1
                Flush(conn, self.tracker, generation).run()
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
                Flush(conn, tracker, generation).run()
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


def copy_database(source: FileStore, dest: FileStore) -> bool:
    """Copy the state database of `source` into `dest` (which has none) with SQLite's backup
    API: one consistent generation, whatever the other connections do meanwhile. The copy gets
    a new epoch, so that a process that knew an earlier state at `dest` loads it whole rather
    than catching up from a generation of another state. False when `source` has no database
    (a state from before the database is copied as its JSON file)."""
    where = source.display_path(STATE_DB)
    try:
        src = source.open_database(STATE_DB, False)
        if src is None:
            return False
        try:
            dst = dest.open_database(STATE_DB, True)
            assert dst is not None
            try:
                src.conn.execute("PRAGMA busy_timeout = 60000")
                src.conn.backup(dst.conn)
                dst.conn.execute("INSERT OR REPLACE INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"The state database '{where}' cannot be copied: {exc}.") from None
    return True
