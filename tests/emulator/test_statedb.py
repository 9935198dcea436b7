"""The state database (emulator.statedb, emulator.statetrack):

- a JSON state written by the release before the database (tests/emulator/data/state-v1.json) is
  migrated on open: the same state, the document gone, operations go on;
- a file that is no database, a row edited by hand, a newer layout are refused with a StateError
  naming the database (and left as they are);
- whole states (hypothesis) survive the database;
- a commit writes only the rows it changed; the verification mode catches a change the tracking
  missed; a read-only operation takes no lock; a memory state goes with its root.
"""

from __future__ import annotations

import gc
import json
import pathlib
import shutil
import sqlite3
import threading

import attrs
import filelock
import hvemu_testlib as T
import pytest
from hypothesis import given, settings
from test_persistence import builds_all

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.emulator import persist
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.model import SCHEMA_VERSION, EmulatorState
from hyperv_emu.emulator.statedb import StateDB, TrackingError
from hyperv_emu.emulator.storage import LOCK_FILE, STATE_DB, STATE_FILE, open_store

FIXTURE = pathlib.Path(__file__).parent / "data" / "state-v1.json"


# --- migration --------------------------------------------------------------------------------


def test_a_json_state_of_the_previous_release_is_migrated(tmp_path):
    """state-v1.json: written by the release before the database (two VMs, four checkpoints,
    a merge in progress, file times)."""
    root = tmp_path / "state"
    root.mkdir()
    shutil.copy(FIXTURE, root / STATE_FILE)
    expected = persist.loads(FIXTURE.read_bytes(), "fixture")
    client = sdk.connect(str(root))
    assert sorted(v.name for v in client.get_vms()) == ["SRV-A", "SRV-B"]
    assert not (root / STATE_FILE).exists() and (root / STATE_DB).is_file()
    assert Emulator(str(root)).load() == expected
    assert [c.name for c in client.get_checkpoints("SRV-A")] == ["one", "three"]
    assert client.vm("SRV-A").status == "Merging disks"
    client.rename_checkpoint(client.get_checkpoints("SRV-B")[0], "renamed")
    assert [c.name for c in sdk.connect(str(root)).get_checkpoints("SRV-B")] == ["renamed"]


def test_a_lived_in_json_state_is_migrated_and_goes_on(tmp_path, capsys):
    url = str(tmp_path / "state")
    client = sdk.load_world(url, T.base_world(extra=T.vm_table("A", state="Running")))
    client.checkpoint_vm("A", "one")
    client.checkpoint_vm("A", "two")
    before = T.state_document(url)
    T.write_json_state(url, before)
    client = sdk.connect(url)
    assert T.state_document(url) == before
    client.remove_checkpoint(client.get_checkpoints("A")[0])
    client.checkpoint_vm("A", "three")
    assert [c.name for c in client.get_checkpoints("A")] == ["two", "three"]
    assert main(["state", "check", "--state", url]) == 0, capsys.readouterr()


# --- refusing what is no state ----------------------------------------------------------------


@pytest.fixture
def local_db(tmp_path):
    url = str(tmp_path / "state")
    sdk.load_world(url, T.base_world(extra=T.vm_table("A") + T.vm_table("B")))
    gc.collect()  # no connection of this process left open: its close would write the file
    return url, tmp_path / "state" / STATE_DB


def _refused(url: str, path: pathlib.Path, capsys) -> str:
    before = path.read_bytes()
    assert main(["vm", "list", "--state", url]) == 1
    err = capsys.readouterr().err
    assert f"'{path}'" in err and "internal error" not in err, err
    assert path.read_bytes() == before
    with pytest.raises(sdk.StateError):
        sdk.connect(url).get_vms()
    return err


@pytest.mark.parametrize("data", [b"not a database at all" * 100, b"", b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_file_that_is_no_database_is_refused(local_db, data, capsys):
    url, path = local_db
    for suffix in ("-wal", "-shm"):
        pathlib.Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(data)
    if not data:  # an empty file is an empty database to SQLite: a state that is not there
        assert main(["vm", "list", "--state", url]) == 1
        assert "No hvemu state at" in capsys.readouterr().err
        return
    assert "is corrupt or not an hvemu state" in _refused(url, path, capsys)


@pytest.mark.parametrize("edit, problem", [
    ("""UPDATE vms SET data = json_set(data, '$.colour', 'blue') WHERE rid = (SELECT min(rid) FROM vms)""",
     "extra fields"),
    ("""UPDATE vms SET data = json_set(data, '$.memory_startup', '4GB') WHERE rid = (SELECT min(rid) FROM vms)""",
     "memory_startup"),
    ("""UPDATE vms SET data = '{' WHERE rid = (SELECT min(rid) FROM vms)""", "vms row"),
    ("""UPDATE vms SET parent = 999999""", "has no parent hosts row 999999"),
    ("""UPDATE meta SET value = json_set(value, '$.surprise', 1) WHERE name = 'state'""", "meta"),
])
def test_a_row_edited_by_hand_is_refused(local_db, edit, problem, capsys):
    url, path = local_db
    with sqlite3.connect(path) as conn:
        conn.execute(edit)
    err = _refused(url, path, capsys)
    assert "is corrupt" in err and problem in err, err


def test_a_newer_layout_or_schema_is_refused(local_db, capsys):
    url, path = local_db
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'layout'")
    assert "layout version 99" in _refused(url, path, capsys)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE name = 'layout'")
        conn.execute(f"UPDATE meta SET value = json_set(value, '$.schema_version', {SCHEMA_VERSION + 1}) "
                     "WHERE name = 'state'")
    err = _refused(url, path, capsys)
    assert f"schema version {SCHEMA_VERSION + 1}" in err and "upgrade" in err


# --- whole states ------------------------------------------------------------------------------


@settings(max_examples=T.examples(40), deadline=None)
@given(builds_all(EmulatorState).map(lambda s: attrs.evolve(s, schema_version=SCHEMA_VERSION)))
def test_whole_states_survive_the_database(state):
    """Written row by row and read back by another connection: the same state, or, when it
    holds what no host would (persist.state_problem), refused with that problem named."""
    url = T.memory_url()
    try:
        StateDB(open_store(url)).replace(state)
        problem = persist.state_problem(state)
        if problem is None:
            assert StateDB(open_store(url)).refresh() == state
        else:
            with pytest.raises(StateError, match="is corrupt: "):
                StateDB(open_store(url)).refresh()
    finally:
        T.drop_memory_root(url)


# --- what a commit writes ----------------------------------------------------------------------


def _generations(path: pathlib.Path, table: str) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {key: gen for key, gen in conn.execute(f"SELECT key, gen FROM {table}")}


def test_a_commit_writes_only_the_rows_it_changed(local_db):
    url, path = local_db
    client = sdk.connect(url)
    a, b = client.vm("A"), client.vm("B")
    vms = _generations(path, "vms")
    disks = _generations(path, "disk_files")
    client.checkpoint_vm(a, "x")
    after = _generations(path, "vms")
    assert after[b.id.casefold()] == vms[b.id.casefold()]  # B's row was not written
    assert after[a.id.casefold()] > vms[a.id.casefold()]  # A's was (its disk moved to the .avhdx)
    changed = {k for k, g in _generations(path, "disk_files").items() if disks.get(k) != g}
    assert len(changed) == 1 and changed.pop().endswith(".avhdx")  # the new file only
    assert list(_generations(path, "checkpoints")) == [client.get_checkpoints(a)[0].id.casefold()]


def test_the_verification_catches_a_change_the_tracking_missed(memory_url, monkeypatch):
    monkeypatch.setenv("HVEMU_VERIFY_TRACKING", "1")
    sdk.load_world(memory_url, T.base_world(extra=T.vm_table("A")))
    emu = Emulator(memory_url)
    with pytest.raises(TrackingError, match="the vms rows"):
        with emu.transaction() as tx:
            object.__setattr__(tx.state.hosts[0].vms[0], "notes", "behind the tracker's back")
            tx.state.hosts[0].file_times["c:\\x"] = tx.now()  # a change it does see
            tx.changed = True
    assert sdk.connect(memory_url).vm("A").notes == ""  # the commit was rolled back


def test_a_read_takes_no_lock(local_db):
    """Get-VM on a local state reads the last committed generation while another process holds
    the state's lock (a long merge, say)."""
    url, _ = local_db
    client = sdk.connect(url)
    client.get_vms()
    lock = filelock.FileLock(str(pathlib.Path(url) / LOCK_FILE))
    result: list[object] = []
    with lock:
        reader = threading.Thread(target=lambda: result.append([v.name for v in sdk.connect(url).get_vms()]))
        reader.start()
        reader.join(20)
        assert result == [["A", "B"]]


def test_a_memory_state_goes_with_its_root(memory_url):
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("A")))
    emu = Emulator(memory_url)
    assert emu.exists()
    T.drop_memory_root(memory_url)
    assert not emu.exists()
    with pytest.raises(sdk.StateError, match="No hvemu state"):
        client.get_vms()
    sdk.load_world(memory_url, T.base_world(extra=T.vm_table("B")))  # a new state on the same URL
    assert [v.name for v in client.get_vms()] == ["B"]


def test_the_dump_is_the_whole_state(local_db, capsys):
    url, _ = local_db
    assert main(["state", "dump", "--state", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == T.state_document(url)
    assert [v["name"] for v in doc["hosts"][0]["vms"]] == ["A", "B"]


# --- catching up with another connection's commits ------------------------------------------------


def test_another_connections_commits_are_caught_up_row_by_row(tmp_path, monkeypatch):
    """A process whose state is older than the database reads only the rows written since (and
    the tombstones of those deleted): the same state as a full load (the verification mode
    compares it with the database after each catch-up), in the same objects."""
    monkeypatch.setenv("HVEMU_VERIFY_TRACKING", "1")
    url = str(tmp_path / "state")
    writer = sdk.load_world(url, T.base_world(extra=T.vm_table("A", state="Running") + T.vm_table("B")))
    reader = Emulator(url)
    state = reader.read_state()
    steps = [
        lambda: writer.checkpoint_vm("A", "one"),
        lambda: writer.checkpoint_vm("A", "two"),
        lambda: writer.rename_checkpoint(writer.get_checkpoints("A")[0], "first"),
        lambda: writer.new_vm("C", memory_startup=1 << 30),
        lambda: writer.remove_checkpoint(writer.get_checkpoints("A")[0]),  # a merge, a tombstone
        lambda: writer.sleep(3600),  # the merge ends: disk files go
        lambda: writer.remove_vm(writer.vm("B")),
        lambda: writer.stop_vm("A", turn_off=True),
    ]
    for step in steps:
        step()
        assert reader.read_state() is state  # caught up in place
        assert state == Emulator(url).load()  # (file_times in another order: a dict)
    assert sorted(v.name for v in state.hosts[0].vms) == ["A", "C"]


def test_a_replaced_state_is_loaded_whole(tmp_path):
    url = str(tmp_path / "state")
    sdk.load_world(url, T.base_world(extra=T.vm_table("A")))
    reader = Emulator(url)
    before = reader.read_state()
    sdk.load_world(url, T.base_world(extra=T.vm_table("Z")), force=True)
    after = reader.read_state()
    assert after is not before and [v.name for v in after.hosts[0].vms] == ["Z"]
