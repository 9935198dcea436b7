"""An operation with file operations commits twice (emulator.engine): the rows with the
journal, synced (`synchronous = FULL`), then the emptied journal without a sync of its own
(`synchronous = NORMAL` for that one transaction), after the files are synced."""

from __future__ import annotations

import pathlib

from hyperv_emu import sdk
from hyperv_emu.emulator import storebatch
from hyperv_emu.emulator.engine import Emulator, drop_superseded_writes
from hyperv_emu.emulator.model import FileOp
from hyperv_emu.sdk.backends.emulated import EmulatedBackend

WORLD = """now = 2026-02-20T08:00:00
[[host]]
name = "HV"
default = true
[[vm]]
name = "A"
disks = [{ path = 'D:\\\\VMs\\\\A.vhdx', size = "1GB" }]
"""


def test_the_emptied_journal_commit_alone_skips_its_sync(tmp_path: pathlib.Path, monkeypatch) -> None:
    url = str(tmp_path / "state")
    sdk.load_world(url, WORLD)
    emulator = Emulator(url)
    events: list[str] = []
    real_sync = storebatch.Batch.sync

    def sync(self: storebatch.Batch, root: str, syncer: storebatch.Syncer) -> None:
        if self.dirty:
            events.append("files synced")
        real_sync(self, root, syncer)

    monkeypatch.setattr(storebatch.Batch, "sync", sync)
    emulator.load()  # opens the connection
    assert emulator.db.db is not None
    conn = emulator.db.db.conn
    conn.set_trace_callback(lambda sql: events.append(sql.strip()) if sql.strip().startswith(
        ("PRAGMA synchronous", "COMMIT")) else None)
    client = sdk.HyperVClient(EmulatedBackend(url, emulator=emulator))
    client.checkpoint_vm("A", "one")
    # the first commit (journal) is synced, the files next, then the emptied journal, unsynced
    first = events.index("COMMIT")
    assert "PRAGMA synchronous = NORMAL" not in events[:first]
    assert events[first + 1:first + 5] == ["files synced", "PRAGMA synchronous = NORMAL", "COMMIT",
                                           "PRAGMA synchronous = FULL"]
    assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL again
    assert emulator.load().pending_ops == []
    assert Emulator(url).load().pending_ops == []  # as another process sees it
    assert [c.name for c in client.get_checkpoints("A")] == ["one"]


def test_world_init_writes_the_world_and_its_journal_in_one_transaction(tmp_path: pathlib.Path,
                                                                         monkeypatch) -> None:
    """A world's rows and the journal of its disk files are one SQLite transaction (synced); the
    files come next, then the emptied journal, unsynced: two commits in all."""
    from hyperv_emu.emulator import storage
    from hyperv_emu.emulator.world import load_text

    events: list[str] = []
    real_open = storage.LocalFileStore.open_database

    def open_database(self: storage.LocalFileStore, rel: str, create: bool) -> storage.Database | None:
        db = real_open(self, rel, create)
        if db is not None:
            db.conn.set_trace_callback(lambda sql: events.append(
                "journal row" if sql.lstrip().startswith("INSERT INTO journal") else sql.strip()))
        return db

    real_sync = storebatch.Batch.sync

    def sync(self: storebatch.Batch, root: str, syncer: storebatch.Syncer) -> None:
        if self.dirty:
            events.append("files synced")
        real_sync(self, root, syncer)

    monkeypatch.setattr(storage.LocalFileStore, "open_database", open_database)
    monkeypatch.setattr(storebatch.Batch, "sync", sync)
    state, ops = load_text(WORLD)
    Emulator(str(tmp_path / "state")).create(state, ops)
    kept = [e for e in events if e in ("COMMIT", "files synced", "journal row", "PRAGMA synchronous = NORMAL")
            or e.startswith("BEGIN")]
    first = kept.index("COMMIT")
    assert kept[0] == "BEGIN IMMEDIATE" and "journal row" in kept[:first]
    assert kept[first + 1:] == ["files synced", "PRAGMA synchronous = NORMAL", "BEGIN IMMEDIATE", "COMMIT"]
    assert Emulator(str(tmp_path / "state")).load().pending_ops == []


def _op(kind: str, path: str, payload: str = "", parent: str = "") -> FileOp:
    return FileOp(kind=kind, host="HV", path=path, payload=payload, parent=parent)


def test_a_write_that_a_later_write_replaces_is_dropped() -> None:
    ops = [_op("write_file", "C:\\a.vmcx", "1"), _op("write_file", "C:\\b.vmcx", "b"),
           _op("create_avhdx", "D:\\x.avhdx", parent="D:\\x.vhdx"), _op("write_file", "c:\\A.VMCX", "2")]
    assert [(o.path, o.payload) for o in drop_superseded_writes(ops)] == [
        ("C:\\b.vmcx", "b"), ("D:\\x.avhdx", ""), ("c:\\A.VMCX", "2")]


def test_a_write_stays_when_an_operation_between_touches_its_file() -> None:
    between = [_op("delete", "C:\\a.vmcx"), _op("copy_sparse", "C:\\c.bin", parent="C:\\a.vmcx"),
               _op("merge", "D:\\x.avhdx", parent="D:\\x.vhdx")]  # a merge: anything may be read
    for op in between:
        ops = [_op("write_file", "C:\\a.vmcx", "1"), op, _op("write_file", "C:\\a.vmcx", "2")]
        assert drop_superseded_writes(ops) == ops, op.kind


def test_a_named_checkpoint_writes_its_configuration_once(tmp_path: pathlib.Path, monkeypatch) -> None:
    url = str(tmp_path / "state")
    sdk.load_world(url, WORLD)
    emulator = Emulator(url)
    written: list[str] = []
    store_type = type(emulator.store)
    real_write = store_type.write_atomic

    def write_atomic(self: object, rel: str, data: bytes) -> None:
        written.append(rel)
        real_write(self, rel, data)

    monkeypatch.setattr(store_type, "write_atomic", write_atomic)
    client = sdk.HyperVClient(EmulatedBackend(url, emulator=emulator))
    cp = client.checkpoint_vm("A", "one")
    mine = [rel for rel in written if cp.id.casefold() in rel.casefold()]
    assert len(mine) == 1
    assert "one" in emulator.store.read_bytes(mine[0]).decode("utf-8")
