"""Crash safety of the state database: a process killed (SIGKILL) at a random point while it
creates and removes checkpoints loses no committed operation and leaves no half-made one.

The child reports each operation before it starts (`begin`) and after it returned (`done`); the
parent kills it after a random delay, opens the state (which replays a journal the child left)
and finds exactly the checkpoints of the operations reported done, plus, or not, the effect of
the one in flight. `hvemu state check` then finds nothing wrong and `qemu-img check` passes on the
base disk. The SQLite writes themselves are C code that no Python I/O hook sees; real kills at
random points are what reaches them. (The disk files' own crash tests hook Python's I/O:
tests/emulator/test_disks_kill.py, tests/reliability/test_crash_*.)
"""

from __future__ import annotations

import pathlib
from collections import Counter
import random
import shutil
import subprocess
import sys
import tempfile
import time

import hvemu_disk_checks as D
import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

ROUNDS = max(4, T.examples(6))

CHILD = """
import random, sys
from hyperv_emu import sdk
url, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
client = sdk.connect(url)
for i in range(10_000):
    names = [c.name for c in client.get_checkpoints("A")]
    if names and (len(names) >= 5 or rng.random() < 0.4):
        victim = rng.choice(names)
        print("begin remove", victim, flush=True)
        client.remove_checkpoint(client.get_checkpoints("A", name=victim)[0])
        print("done remove", victim, flush=True)
    else:
        name = f"r{seed}-{i}"
        print("begin create", name, flush=True)
        client.checkpoint_vm("A", name)
        print("done create", name, flush=True)
"""

DEFAULT_NAME = "A - (2/20/2026 - 8:00:00 AM)"
WORLD = ("now = 2026-02-20T08:00:00\n[timing]\nmerge_rate = \"1MB\"\n[[vm]]\nname = \"A\"\nstate = \"Running\"\n"
         "checkpoint_type = \"Standard\"\nmemory = \"32MB\"\ndisks = [{ path = 'D:\\\\VMs\\\\A.vhdx', size = \"1GB\" }]\n")


def _apply(names: Counter[str], line: str, default_name: bool = False) -> Counter[str]:
    """The checkpoints after the operation of `line`. `default_name`: a create cut short after
    its checkpoint was made but before it was renamed (the SDK names a checkpoint in a second
    operation), which leaves it with Hyper-V's default name `A - (<time>)`."""
    _, op, name = line.split(" ", 2)
    if op == "create":
        return names + Counter([DEFAULT_NAME if default_name else name])
    return names - Counter([name])


@pytest.fixture
def folder():
    shm = pathlib.Path("/dev/shm")
    path = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-state-kill-", dir=shm if shm.is_dir() else None))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_killed_process_loses_no_committed_operation(folder: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = str(folder / "state")
    sdk.load_world(url, WORLD)
    rng = random.Random(2026)
    names: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, url, str(round_)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=T.subprocess_env())
        assert proc.stdout is not None
        first = proc.stdout.readline()  # started: imports done, the first operation begun
        assert first.startswith("begin"), first + proc.communicate()[1]
        time.sleep(rng.uniform(0.0, 0.4))
        proc.kill()
        out, err = proc.communicate(timeout=60)
        if out and not out.endswith("\n"):  # a report line the kill cut short was not made
            out = out[:out.rfind("\n") + 1]
        lines = [first.strip()] + [x for x in out.splitlines() if x]
        assert "Traceback" not in err, err
        for line in lines:
            if line.startswith("done"):
                names = _apply(names, line)
        begun = [x for x in lines if x.startswith("begin")]
        in_flight = begun[-1] if len(lines) % 2 else None  # a begin without its done
        client = sdk.connect(url)  # replays what the child left journaled
        found = Counter(c.name for c in client.get_checkpoints("A"))
        allowed = [names]
        if in_flight:
            allowed += [_apply(names, in_flight), _apply(names, in_flight, default_name=True)]
        assert found in allowed, (lines[-3:], found, names)
        names = found
        assert main(["state", "check", "--state", url]) == 0, capsys.readouterr().out
        capsys.readouterr()
    client = sdk.connect(url)
    if D.QEMU_IMG is not None:
        D.qemu_check(D.storage_path(client, "D:\\VMs\\A.vhdx"))
    client.sleep(7200)  # every merge the removals left comes due
    assert Counter(c.name for c in client.get_checkpoints("A")) == names
    assert main(["state", "check", "--state", url]) == 0, capsys.readouterr().out
