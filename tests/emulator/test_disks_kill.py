"""SIGKILL a real process that is merging through the emulator, at random points, then check
the reopened state against the oracle.

A template state holds a VM whose checkpoint has ~100 MiB of guest data written after it. A
subprocess (the SDK over a copy of that local state) removes the checkpoint and lets the merge
run: under the virtual clock inside `client.sleep` (the merge is the transaction's journaled
file operation), under the real clock in its background worker thread. The test kills it with
SIGKILL after a random fraction of the time a full run takes (measured first), reopens the state
in this process (the journal of the cut-off merge is replayed and the merge resumed), lets every
merge finish, and checks: the state opens, Status settles to `Operating normally`, the VM is back
on its original .vhdx with no other disk file or journal left, and its bytes equal the oracle
through the emulator, pyvhdi, dissect.hypervisor and qemu-img (no block lost or duplicated).
"""

from __future__ import annotations

import pathlib
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import hvemu_disk_checks as D
import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.emulator import background

MiB = D.MiB
SIZE = 128 * MiB
KILLS = max(3, T.examples(3))  # per clock (at least 3: early, late, just after the end)

pytestmark = pytest.mark.skipif(D.QEMU_IMG is None, reason="qemu-img not installed (Debian qemu-utils)")

WORKER = """
import sys, time
from hyperv_emu import sdk
url, clock = sys.argv[1], sys.argv[2]
client = sdk.connect(url)
client.remove_checkpoints("A")
print("ready", flush=True)
start = time.monotonic()
if clock == "virtual":
    client.sleep(3600)  # the merge comes due and runs in this transaction's file operations
else:
    while client.vm("A").status == "Merging disks":  # the worker thread merges meanwhile
        time.sleep(0.01)
print(f"done {time.monotonic() - start:.3f}", flush=True)
"""


def _world(clock: str) -> str:
    head = "now = 2026-02-20T08:00:00\n" if clock == "virtual" else 'clock = "real"\n'
    return (f'{head}[[vm]]\nname = "A"\nstate = "Running"\ncheckpoint_type = "Standard"\nmemory = "32MB"\n'
            f"disks = [{{ path = 'D:\\VMs\\A.vhdx', size = \"{SIZE}\" }}]\n")


def _scratch() -> pathlib.Path:
    shm = pathlib.Path("/dev/shm")
    return pathlib.Path(tempfile.mkdtemp(prefix="hvemu-kill-", dir=shm if shm.is_dir() else None))


@pytest.fixture(scope="module")
def templates():
    """Per clock: a state whose checkpoint has ~100 MiB written after it, and the oracle."""
    folder = _scratch()
    rng = random.Random(2026)
    oracle = D.Disk(SIZE)
    writes = [(3 * MiB + 5, rng.randbytes(2 * MiB))]
    after = [(8 * MiB, rng.randbytes(40 * MiB)), (50 * MiB + 4096, rng.randbytes(30 * MiB)),
             (96 * MiB - 700, rng.randbytes(30 * MiB + 100)), (5 * MiB, bytes(MiB))]
    out = {}
    for clock in ("virtual", "real"):
        url = str(folder / clock)
        client = sdk.load_world(url, _world(clock))
        for offset, data in writes:
            client.write_guest_disk("A", 0, offset, data)
        client.checkpoint_vm("A", "cp")
        for offset, data in after:
            client.write_guest_disk("A", 0, offset, data)
        out[clock] = url
    for offset, data in writes + after:
        oracle.write(offset, data)
    yield out, oracle.read()
    shutil.rmtree(folder, ignore_errors=True)


def _spawn(url: str, clock: str) -> subprocess.Popen[str]:
    env = T.subprocess_env()
    proc = subprocess.Popen([sys.executable, "-c", WORKER, url, clock], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"worker failed: {line}{proc.communicate()[1]}")
    return proc


def _wait(client: sdk.HyperVClient, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while client.vm("A").status == "Merging disks":
        assert time.monotonic() < deadline, "the merge never ended"
        time.sleep(0.02)


def _cut_off(url: str) -> bool:
    """The killed process left a merge half done: its journal, or its journaled file operation."""
    state = T.stored_state(url)
    return bool(list(pathlib.Path(url).rglob("*.journal"))) or any(o.kind == "merge" for o in state.pending_ops)


def _check(url: str, clock: str, expected: bytes, scratch: pathlib.Path) -> None:
    client = sdk.connect(url)  # opening replays the journaled operations of the killed process
    if client.get_checkpoints("A"):  # killed before the removal was saved: do it here
        client.remove_checkpoints("A")
    if clock == "virtual":
        client.sleep(3600)
    _wait(client)
    vm = client.vm("A")
    assert vm.status == "Operating normally" and not client.get_checkpoints("A")
    assert [d.path for d in vm.hard_drives] == ["D:\\VMs\\A.vhdx"]
    assert [p.name for p in D.disk_files(url)] == ["A.vhdx"]
    assert not list(pathlib.Path(url).rglob("*.journal"))
    assert client.read_guest_disk("A", 0, 0, SIZE) == expected
    D.check_chain(client, "D:\\VMs\\A.vhdx", expected)
    D.check_base(client, "D:\\VMs\\A.vhdx", expected, scratch)
    assert background.wait_idle(url, 30)


@pytest.mark.parametrize("clock", ["virtual", "real"])
def test_a_merging_process_killed_at_random_points(templates, clock: str) -> None:
    urls, expected = templates
    scratch = _scratch()
    try:
        # A full run first: how long the merge takes here, and that it ends right.
        full = str(scratch / "full")
        shutil.copytree(urls[clock], full)
        proc = _spawn(full, clock)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        duration = float(out.split()[-1])
        _check(full, clock, expected, scratch)
        rng = random.Random(len(clock))
        cut_off = 0
        for i in range(KILLS):
            url = str(scratch / f"kill{i}")
            shutil.copytree(urls[clock], url)
            proc = _spawn(url, clock)
            # spread over the run: kill i lands in [i, i + 1) / (KILLS - 1) of it, the last just after its end
            time.sleep(duration * (i + rng.random()) / (KILLS - 1))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            cut_off += _cut_off(url)
            _check(url, clock, expected, scratch)
            shutil.rmtree(url, ignore_errors=True)
        assert cut_off, "no kill landed inside a merge: the recovery was not exercised"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
