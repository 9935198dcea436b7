"""Helpers shared by the foundation's tests (tests/sdk, tests/emulator).

Kept in one importable module (tests/conftest.py puts this folder on sys.path) so that the
behaviour suite, the scenario replays, the state machine and the persistence tests build worlds,
states and fleets the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import tomllib
import uuid
from collections.abc import Iterator
from typing import Any

import fsspec
from hypothesis import settings

from hyperv_emu import sdk

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = REPO_ROOT / "tests"
# The acceptance scenarios and the seed documents, kept in the repository: copies of
# ../shared's, which tests/test_shared_copies.py compares with the originals where they are.
SCENARIOS = TESTS / "scenarios"
SEEDS = TESTS / "seeds"


def shared_dir() -> pathlib.Path:
    """The shared/ folder the copies come from: $HVEMU_SHARED (.ci/run sets it, as it runs the
    suite in a clone with nothing beside it), else ../shared beside the clone (on developer
    machines; absent in a user's fresh clone). Only the comparison of the copies reads it."""
    env = os.environ.get("HVEMU_SHARED")
    return pathlib.Path(env) if env else REPO_ROOT.parent / "shared"


def scenario_dirs() -> list[pathlib.Path]:
    return sorted(p for p in SCENARIOS.iterdir() if (p / "world.toml").is_file())


# The Hypothesis profiles of tests/conftest.py give max_examples as multiples of this budget.
BASE_EXAMPLES = 100


def examples(n: int) -> int:
    """How many examples (or random runs) a test makes: `n` in the default profile, scaled with
    the loaded Hypothesis profile (5n under --slow and $CI). Call it at import time, in a
    `@settings(max_examples=...)` or a module constant: tests/conftest.py has loaded the profile by then."""
    return max(1, n * settings.default.max_examples // BASE_EXAMPLES)


NOW = "2026-02-20T08:00:00"
HOST = "HV-HOST01"
DISK_DIR = "D:\\Hyper-V\\Virtual Hard Disks"
GB = 1024**3
MB = 1024**2
EMPTY_AVHDX = 4 * MB


def base_world(now: str = NOW, *, culture: str = "en-US", checkpoint_seconds: float = 0,
               merge_rate: str = "100MB", extra: str = "") -> str:
    """A world with one named host and no VM (VMs come from `extra` or from New-VM)."""
    return (
        f"now = {now}\nculture = \"{culture}\"\n\n[timing]\ncheckpoint_seconds = {checkpoint_seconds}\n"
        f"merge_rate = \"{merge_rate}\"\n\n[[host]]\nname = \"{HOST}\"\ndefault = true\n{extra}"
    )


def vm_table(name: str, *, state: str = "Off", checkpoint_type: str = "Standard", memory: str = "4GB",
             disks: int = 1, guest_vss: str = "ok", extra: str = "") -> str:
    disk_list = ", ".join(
        f"{{ path = '{DISK_DIR}\\{name}{'' if i == 0 else f'-{i}'}.vhdx', size = \"60GB\" }}" for i in range(disks)
    )
    return (
        f"\n[[vm]]\nname = \"{name}\"\nstate = \"{state}\"\ncheckpoint_type = \"{checkpoint_type}\"\n"
        f"memory = \"{memory}\"\nguest_vss = \"{guest_vss}\"\ndisks = [{disk_list}]\n{extra}"
    )


def local_state_dir(request, tmp_path: pathlib.Path) -> pathlib.Path:
    """A fresh local folder for an emulator state: under /dev/shm when it is there (a local file
    system whose fsync costs nothing, so the local backend runs at memory speed), else tmp_path.
    Removed at teardown."""
    import shutil
    import tempfile

    shm = pathlib.Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and not os.environ.get("HVEMU_TEST_DISK_STATE"):
        folder = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-test-", dir=shm))
        request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
        return folder / "state"
    return tmp_path / f"state-{uuid.uuid4().hex[:8]}"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a Python subprocess of a test: PYTHONPATH leads first to the
    hyperv_emu this process imported (a worktree's src/ or an installed copy) and to tests/."""
    import hyperv_emu

    package_root = pathlib.Path(hyperv_emu.__file__).resolve().parents[1]
    path = [str(package_root), str(TESTS)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path), **extra)


def memory_url() -> str:
    return f"memory://hvemu-test-{uuid.uuid4().hex}"


def drop_memory_root(url: str) -> None:
    fs, path = fsspec.core.url_to_fs(url)
    root = "/" + path.strip("/")
    if fs.exists(root):
        fs.rm(root, recursive=True)


def tree(path: pathlib.Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `path` (relative name -> (size, mtime_ns)), for before/after
    comparisons of the file system."""
    out: dict[str, tuple[int, int]] = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            p = pathlib.Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(path))] = (st.st_size if name in files else 0, st.st_mtime_ns if name in files else 0)
    return out


def parse_toml_file(path: pathlib.Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8-sig"))


def checkpoint_facts(client: sdk.HyperVClient, vm: sdk.VM | str) -> list[dict[str, Any]]:
    """A VM's checkpoints in Get-VMSnapshot order as plain facts (name, parent, created, state)."""
    return [
        {"name": c.name, "parent": c.parent_snapshot_name or "", "created": c.creation_time, "state": c.state.name}
        for c in client.get_checkpoints(vm)
    ]


class Fleet:
    """Creates VMs through the SDK (New-VM, Set-VM, Start-VM ...), so the same test runs on any
    backend, a real host included; on a real host it removes what it made at teardown."""

    def __init__(self, client: sdk.HyperVClient, *, disk_root: str = "D:\\VMs", prefix: str = "", real: bool = False) -> None:
        self.client = client
        self.disk_root = disk_root
        self.prefix = prefix
        self.real = real
        self.made: list[str] = []

    def name(self, short: str) -> str:
        return self.prefix + short

    def vm(self, short: str, *, state: str = "Off", checkpoint_type: str = "Standard", disk: bool = True,
           memory: int = 2 * GB) -> sdk.VM:
        name = self.name(short)
        c = self.client
        vm = c.new_vm(name, memory_startup=memory,
                      new_vhd_path=f"{self.disk_root}\\{name}\\{name}.vhdx" if disk else None,
                      new_vhd_size=20 * GB)
        self.made.append(vm.id)
        vm = c.set_vm(vm, checkpoint_type=checkpoint_type)
        return self.to_state(vm, state)

    def to_state(self, vm: sdk.VM, state: str) -> sdk.VM:
        c = self.client
        if state == "Off":
            return vm
        vm = c.start_vm(vm)
        if state == "Paused":
            vm = c.suspend_vm(vm)
        elif state == "Saved":
            vm = c.stop_vm(vm, save=True)
        assert vm.state.name == state
        return vm

    def cleanup(self) -> None:
        if not self.real:
            return
        for vm_id in self.made:
            try:
                vm = self.client.get_vm_by_id(vm_id)
                if vm.state.name != "Off":
                    self.client.stop_vm(vm, turn_off=True)
                self.client.remove_checkpoints(vm)
                self.client.remove_vm(vm)
            except sdk.HyperVError:
                pass


def iter_files(client: sdk.HyperVClient, folder: str) -> Iterator[sdk.types.FileInfo]:
    """Every file under a host folder, recursively."""
    try:
        entries = client.list_dir(folder)
    except sdk.HyperVError:
        return
    for e in entries:
        if e.is_dir:
            yield from iter_files(client, e.path)
        else:
            yield e


def dt_(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def state_store_file(state: pathlib.Path | str) -> pathlib.Path:
    """The file that holds a local emulator state (the reliability suite damages it): the SQLite
    database, with its write-ahead log folded in first (as when the last process closed it), so
    that damage to the file is damage to the state. The one place that knows its name: adapt it
    here when the store changes."""
    import sqlite3

    from hyperv_emu.emulator.storage import STATE_DB

    path = pathlib.Path(state) / STATE_DB
    if path.exists():
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    return path


# --- the state as stored (emulator.statedb) ----------------------------------------------------


def stored_state(url: str) -> Any:
    """The state at `url` as stored: the journal not replayed, no merge finished."""
    from hyperv_emu.emulator.engine import Emulator

    return Emulator(url).load()


def commit_journal(url: str, ops: list[dict[str, Any]]) -> None:
    """Commit file operations to the state's journal without applying them, as a process
    killed between the two leaves it (`ops`: FileOp fields)."""
    from hyperv_emu.emulator.engine import Emulator
    from hyperv_emu.emulator.model import FileOp

    emu = Emulator(url)
    with emu.store.lock():
        state = emu.load()
        state.pending_ops = [FileOp(**op) for op in ops]
        emu.db.commit()


def state_document(url: str) -> dict[str, Any]:
    """The whole state at `url` as the JSON document of releases before the database."""
    import json

    from hyperv_emu.emulator import persist

    return json.loads(persist.dumps(stored_state(url)))


def write_json_state(url: str, document: dict[str, Any] | bytes) -> pathlib.Path:
    """Make the local state at `url` one of a release before the database: `document` as its
    `hvemu-state.json`, no database (the next open migrates it). Returns the JSON file."""
    import json

    from hyperv_emu.emulator.storage import STATE_DB, STATE_FILE

    root = pathlib.Path(url)
    for suffix in ("", "-wal", "-shm"):
        (root / (STATE_DB + suffix)).unlink(missing_ok=True)
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    (root / STATE_FILE).write_bytes(data)
    return root / STATE_FILE
