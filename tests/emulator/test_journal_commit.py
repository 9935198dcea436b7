"""An operation with file operations commits twice (emulator.engine): the rows with the
journal, synced (`synchronous = FULL`), then the emptied journal without a sync of its own
(`synchronous = NORMAL` for that one transaction), after the files are synced."""

from __future__ import annotations

import pathlib

from hyperv_emu import sdk
from hyperv_emu.emulator import storebatch
from hyperv_emu.emulator.engine import Emulator
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
