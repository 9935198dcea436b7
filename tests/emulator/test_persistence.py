"""Persistence: the state document, its schema version, its journal, and sharing one state
between connections and processes (the database itself: tests/emulator/test_statedb.py).

- every stored type of emulator/model.py survives unstructure -> JSON -> structure (hypothesis),
  and whole states survive persist.dumps/loads;
- a state written through one `sdk.connect(url)` is read by another, in process and in a real
  subprocess;
- a JSON state of an earlier release (`hvemu-state.json`) with a newer schema_version, corrupt
  JSON, unknown keys or wrong types gives a StateError naming the file when it is migrated, and
  the file is left as it was (never a silent reset);
- a journal left by a crashed transaction is replayed by the next one;
- two processes taking checkpoints concurrently on one local state lose no update.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import pathlib
import re
import subprocess
import sys
import textwrap
import types
import typing

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.emulator import disks, model, persist
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.model import SCHEMA_VERSION, EmulatorState, FileOp
from hyperv_emu.emulator.storage import STATE_DB, STATE_FILE

STORED_TYPES = [obj for obj in vars(model).values()
                if isinstance(obj, type) and attrs.has(obj) and obj.__module__ == model.__name__]


def test_every_model_class_is_covered():
    assert {c.__name__ for c in STORED_TYPES} >= {
        "Clock", "Timing", "Settings", "HardDrive", "CheckpointRecord", "VirtualMachineRecord", "DiskFile",
        "MergeTask", "Event", "HostRecord", "FileOp", "EmulatorState"}


# --- hypothesis strategies built from the attrs classes' type hints -----------------------------

TEXT = st.text(max_size=12)
DATETIMES = st.datetimes(min_value=dt.datetime(1601, 1, 1), max_value=dt.datetime(9999, 12, 31))


def strategy_for(tp: typing.Any) -> st.SearchStrategy:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[strategy_for(a) for a in args])
    if origin is list:
        return st.lists(strategy_for(args[0]), max_size=2)
    if origin is dict:
        return st.dictionaries(strategy_for(args[0]), strategy_for(args[1]), max_size=2)
    if tp is type(None):
        return st.none()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=-(2**63), max_value=2**64)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is str:
        return TEXT
    if tp is dt.datetime:
        return DATETIMES
    if attrs.has(tp):
        return builds_all(tp)
    raise AssertionError(f"no strategy for {tp!r}")


def builds_all(cls: type) -> st.SearchStrategy:
    """Every field drawn (not only the required ones, as st.builds would)."""
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: st.deferred(lambda t=hints[f.name]: strategy_for(t)) for f in attrs.fields(cls)})


CONVERTER = persist.make_converter()


@pytest.mark.parametrize("cls", STORED_TYPES, ids=lambda c: c.__name__)
def test_round_trip_of_every_stored_type(cls):
    @settings(max_examples=T.examples(40), deadline=None)
    @given(builds_all(cls))
    def check(value):
        text = json.dumps(CONVERTER.unstructure(value), ensure_ascii=False)
        assert CONVERTER.structure(json.loads(text), cls) == value

    check()


@settings(max_examples=T.examples(60), deadline=None)
@given(builds_all(EmulatorState).map(lambda s: attrs.evolve(s, schema_version=SCHEMA_VERSION)))
def test_round_trip_of_whole_states(state):
    """A state comes back whole, or, when it holds what no host would (persist.state_problem:
    duplicate ids, parent cycles, sizes out of range, merges that never end), is refused with
    that problem named; never loaded half-right."""
    problem = persist.state_problem(state)
    if problem is None:
        assert persist.loads(persist.dumps(state), "state.json") == state
    else:
        with pytest.raises(StateError, match="is corrupt: " + re.escape(problem)):
            persist.loads(persist.dumps(state), "state.json")
    # the document itself always round-trips (the converter is not where the rules live)
    assert CONVERTER.structure(json.loads(persist.dumps(state)), EmulatorState) == state


def test_round_trip_of_a_lived_in_state(memory_url):
    client = sdk.load_world(memory_url, (T.SCENARIOS / "10-audit-old-checkpoints" / "world.toml").read_text())
    vm = client.get_vms()[0]
    client.start_vm(vm) if vm.state.name == "Off" else None
    client.checkpoint_vm(vm, "x")
    client.remove_checkpoints(vm)
    state = Emulator(memory_url).read_state()
    assert persist.loads(persist.dumps(state), "s") == state


# --- one state, several connections and processes -------------------------------------------------


def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = T.subprocess_env()
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_two_connections_share_a_memory_state(memory_url):
    a = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("A")))
    b = sdk.connect(memory_url)
    a.checkpoint_vm("A", "from a")
    assert [c.name for c in b.get_checkpoints("A")] == ["from a"]
    b.start_vm("A")
    assert a.vm("A").state.name == "Running"


def test_two_connections_share_a_local_state(tmp_path):
    url = str(tmp_path / "state")
    sdk.load_world(url, T.base_world(extra=T.vm_table("A")))
    a, b = sdk.connect(url), sdk.connect("file://" + url)
    cp = a.checkpoint_vm("A", "one")
    assert b.get_checkpoint(cp.id).name == "one"
    b.sleep(30)
    assert a.now() == T.dt_(T.NOW) + dt.timedelta(seconds=30)


def test_a_subprocess_reads_and_writes_the_same_state(tmp_path):
    url = str(tmp_path / "state")
    client = sdk.load_world(url, T.base_world(extra=T.vm_table("A", state="Running")))
    client.checkpoint_vm("A", "parent made")
    proc = run_python("""
        import sys, json
        from hyperv_emu import sdk
        c = sdk.connect(sys.argv[1])
        print(json.dumps([x.name for x in c.get_checkpoints("A")]))
        c.checkpoint_vm("A", "child made")
        c.stop_vm("A", save=True)
    """, url)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["parent made"]
    assert [(x.name, x.parent_snapshot_name) for x in client.get_checkpoints("A")] == [
        ("parent made", None), ("child made", "parent made")]
    assert client.vm("A").state.name == "Saved"


# --- refusing a state that cannot be read ---------------------------------------------------------


def as_json_state(url: str) -> pathlib.Path:
    """Turn the local state at `url` into one of a release before the database: its metadata
    as the JSON document `hvemu-state.json`, no database."""
    document = persist.dumps(Emulator(url).read_state())
    root = pathlib.Path(url)
    for suffix in ("", "-wal", "-shm"):
        (root / (STATE_DB + suffix)).unlink(missing_ok=True)
    (root / STATE_FILE).write_bytes(document)
    return root / STATE_FILE


@pytest.fixture
def local_state(tmp_path):
    url = str(tmp_path / "state")
    sdk.load_world(url, T.base_world(extra=T.vm_table("A")))
    return url, as_json_state(url)


def _refused(url: str, path: pathlib.Path, data: bytes) -> sdk.StateError:
    path.write_bytes(data)
    with pytest.raises(sdk.StateError) as ei:
        sdk.connect(url).get_vms()
    assert path.read_bytes() == data  # left as it was: no silent reset
    assert str(path) in ei.value.message  # names the file
    assert (ei.value.error_id, ei.value.category) == ("StateError", "ResourceUnavailable")
    return ei.value


def test_newer_schema_is_refused(local_state):
    url, path = local_state
    doc = json.loads(path.read_bytes())
    doc["schema_version"] = SCHEMA_VERSION + 1
    err = _refused(url, path, json.dumps(doc).encode())
    assert f"schema version {SCHEMA_VERSION + 1}" in err.message and "upgrade" in err.message


@pytest.mark.parametrize("data", [b"{not json", b"", b"\xff\xfe", b"[]", b'{"hello": 1}', b'{"schema_version": "1"}',
                                  b'{"schema_version": 0}', b'{"schema_version": true}'],
                         ids=["syntax", "empty", "not-utf8", "list", "no-version", "version-string", "too-old", "version-bool"])
def test_corrupt_document_is_refused(local_state, data):
    url, path = local_state
    _refused(url, path, data)


MUTATIONS = {
    "unknown top-level key": lambda d: d.__setitem__("surprise", 1),
    "unknown VM key": lambda d: d["hosts"][0]["vms"][0].__setitem__("colour", "blue"),
    "unknown disk key": lambda d: d["hosts"][0]["disk_files"][0].__setitem__("x", 1),
    "number as string": lambda d: d["settings"].__setitem__("width", "120"),
    "boolean as string": lambda d: d["hosts"][0].__setitem__("default", "false"),
    "string as number": lambda d: d["hosts"][0]["vms"][0].__setitem__("name", 5),
    "boolean as number": lambda d: d["timing"].__setitem__("checkpoint_seconds", True),
    "object for list": lambda d: d["hosts"][0].__setitem__("vms", {}),
    "bad enum": lambda d: d["hosts"][0]["vms"][0].__setitem__("state", "Exploded"),
    "bad date": lambda d: d["clock"].__setitem__("now", "yesterday"),
    "missing field": lambda d: d["hosts"][0]["vms"][0].pop("id"),
    "null for string": lambda d: d["hosts"][0]["vms"][0].__setitem__("name", None),
    "number for env": lambda d: d["env"].__setitem__("X", 1),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_unknown_keys_and_wrong_types_are_refused(local_state, mutation):
    url, path = local_state
    doc = json.loads(path.read_bytes())
    MUTATIONS[mutation](doc)
    _refused(url, path, json.dumps(doc).encode())


def test_a_sound_edit_by_hand_is_accepted(local_state):
    url, path = local_state
    doc = json.loads(path.read_bytes())
    doc["timing"]["checkpoint_seconds"] = 5  # an integer where a float is stored: still a number
    doc["hosts"][0]["vms"][0]["notes"] = "edited"
    path.write_bytes(json.dumps(doc).encode())
    assert sdk.connect(url).vm("A").notes == "edited"


# --- the journal ----------------------------------------------------------------------------------


def test_a_journal_left_by_a_crash_is_replayed(memory_url):
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("A")))
    emu = Emulator(memory_url)
    with emu.store.lock():  # a journal committed, its operations not applied
        state = emu.load()
        host = state.hosts[0].name
        state.pending_ops = [
            FileOp(kind="write_file", host=host, path="C:\\Journal\\a.txt", payload="replayed"),
            FileOp(kind="mkdir", host=host, path="C:\\Journal\\dir"),
            FileOp(kind="delete", host=host, path="C:\\Journal\\never-there.txt"),
        ]
        emu.db.commit()
    assert client.file_info("C:\\Journal\\a.txt") is not None  # the next transaction replays
    assert client.read_file("C:\\Journal\\a.txt") == b"replayed"
    assert client.file_info("C:\\Journal\\dir").is_dir
    assert emu.read_state().pending_ops == []


def test_a_transaction_killed_while_applying_is_finished_by_the_next(tmp_path, monkeypatch):
    url = str(tmp_path / "state")
    client = sdk.load_world(url, T.base_world(extra=T.vm_table("A", state="Running")))
    real_apply = disks.apply_op
    calls = {"n": 0}

    def dying_apply(store, op):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")  # the process stops mid-way
        real_apply(store, op)

    monkeypatch.setattr(disks, "apply_op", dying_apply)
    with pytest.raises(KeyboardInterrupt):
        client.checkpoint_vm("A")
    monkeypatch.setattr(disks, "apply_op", real_apply)
    saved = Emulator(url).load()  # as stored, nothing replayed
    assert saved.pending_ops, "the new state was saved with its journal"
    assert len(saved.hosts[0].vms[0].checkpoints) == 1
    # a fresh connection (another process would do the same) finishes the work
    other = sdk.connect(url)
    cp = other.get_checkpoints("A")[0]
    vm = other.vm("A")
    assert other.file_info(vm.hard_drives[0].path).length == T.EMPTY_AVHDX
    assert other.file_info(f"{vm.snapshot_file_location}\\Snapshots\\{cp.id.upper()}.vmcx") is not None
    assert Emulator(url).load().pending_ops == []


# --- concurrency ----------------------------------------------------------------------------------

WORKER = """
    import sys
    from hyperv_emu import sdk
    url, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    c = sdk.connect(url)
    for i in range(n):
        c.checkpoint_vm("A", f"{tag}-{i}")
    print("done")
"""


def test_two_processes_lose_no_update(tmp_path):
    url = str(tmp_path / "state")
    client = sdk.load_world(url, T.base_world(extra=T.vm_table("A", state="Running")))
    n = 12
    env = T.subprocess_env()
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(WORKER), url, tag, str(n)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("p", "q")]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "done", err
    cps = client.get_checkpoints("A")
    assert len(cps) == 2 * n
    assert sorted(c.name for c in cps) == sorted(f"{t}-{i}" for t in "pq" for i in range(n))
    # one chain: each checkpoint hangs from the one taken before it, whichever process took it
    ids = {c.id for c in cps}
    roots = [c for c in cps if c.parent_snapshot_id is None]
    assert len(roots) == 1 and all(c.parent_snapshot_id in ids for c in cps if c is not roots[0])
    assert len({c.parent_snapshot_id for c in cps}) == 2 * n
    files = [f for f in client.list_dir(T.DISK_DIR) if f.name.endswith(".avhdx")]
    assert len(files) == 2 * n
