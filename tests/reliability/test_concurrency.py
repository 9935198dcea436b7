"""8 processes x 50 mixed operations on one state (issue 14, point 5): no lost update, no
deadlock, no corrupt file.

Eight workers (forked from tests/hvemu_zygote.py's server) run at once on one local state, each
through its own SDK client: random writes, checkpoints, restores, removals, merges and exports
(tests/hvemu_oracle.py) on a VM of its own, and checkpoints it creates and removes on a VM all
of them share (each names its checkpoints with its own prefix, so their operations commute).
Every worker must finish within the time limit (a deadlock would not), report no error, and the
final state must equal the reference model of every operation they logged as done: each VM's
guest bytes and checkpoints, the shared VM's checkpoints (the union of the workers' own), every
export; `hvemu state check` finds it consistent and `qemu-img check` passes on every base disk.
"""

from __future__ import annotations

import pathlib
import random
import shutil
import tempfile
import time
from collections.abc import Iterator

import hvemu_oracle as O
import pytest
from hvemu_zygote import Zygote
from vhdx.readers import QEMU_IMG, qemu_check

from hyperv_emu import sdk

WORKERS = 8
OPERATIONS = 50
SHARED = "S"
KINDS = ("write", "create", "apply", "remove", "merge", "export")
TIME_LIMIT = 240.0  # s for all 400 operations on a loaded 2-core machine (they take ~10 s alone)


@pytest.fixture
def scratch() -> Iterator[pathlib.Path]:
    shm = pathlib.Path("/dev/shm")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-concurrency-", dir=shm if shm.is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def done_count(log: pathlib.Path) -> int:
    if not log.exists():
        return 0
    return sum(line.startswith("done ") for line in log.read_text(encoding="utf-8").splitlines())


def lost(want: O.Model, seen: O.Model) -> int:
    """How many operations' effects are missing: pages, checkpoints and exports the model has and
    the state does not (or holds otherwise)."""
    missing = 0
    for name, vm in want["vms"].items():
        got = seen["vms"].get(name, {"disk": {}, "cps": []})
        missing += sum(got["disk"].get(page) != seed for page, seed in vm["disk"].items())
        missing += len(set(vm["cps"]) - set(got["cps"]))
    missing += sum(seen["exports"].get(path) != e for path, e in want["exports"].items())
    return missing


def test_eight_processes_fifty_operations_each(scratch: pathlib.Path, record_property: pytest.RecordProperty) -> None:
    own = [f"W{i}" for i in range(WORKERS)]
    url = str(scratch / "state")
    sdk.load_world(url, O.world([*own, SHARED]))
    zygote = Zygote()
    try:
        rng = random.Random(14)
        logs = [scratch / f"worker{i}.log" for i in range(WORKERS)]
        pids = [zygote.run(url=url, model=O.new_model([own[i], SHARED]), seed=rng.randrange(1 << 30),
                           count=OPERATIONS, log=str(logs[i]), kinds=list(KINDS), vms=[own[i], SHARED],
                           shared=[SHARED], prefix=f"{own[i]}-")
                for i in range(WORKERS)]
        deadline = time.monotonic() + TIME_LIMIT
        while any(done_count(log) < OPERATIONS and "error" not in log.read_text() for log in logs if log.exists()):
            assert time.monotonic() < deadline, (
                f"not finished in {TIME_LIMIT} s (deadlock?): {[done_count(log) for log in logs]} operations done")
            time.sleep(0.1)
        results = [zygote.wait(pid) for pid in pids]
    finally:
        zygote.close()
    models = []
    for i, log in enumerate(logs):
        done, pending, errors = O.read_log(str(log))
        assert not errors and results[i] == (0, 0), (i, errors, results[i], log.read_text())
        assert pending is None and len(done) == OPERATIONS
        model = O.new_model([own[i], SHARED])
        for op in done:
            model = O.apply(model, op)
        models.append(model)
    combined: O.Model = {"vms": {}, "exports": {}, "n": 0}
    shared_cps: dict[str, dict[str, int]] = {}
    for i, model in enumerate(models):
        combined["vms"][own[i]] = model["vms"][own[i]]
        shared_cps.update(model["vms"][SHARED]["cps"])
        combined["exports"].update(model["exports"])
    combined["vms"][SHARED] = {"disk": {}, "cps": shared_cps}
    client = sdk.connect(url)
    client.sleep(600)
    seen = O.observe(client, [combined])
    want = O.expected(combined)
    record_property("reliability.data_lost", lost(want, seen))
    assert seen == want, "an update was lost"
    code, text = O.state_check(url)
    assert code == 0, text
    disks = O.base_disks(url, set())
    if QEMU_IMG is not None:
        for disk in disks:
            qemu_check(str(disk))
    record_property("reliability.concurrent_processes", WORKERS)
    record_property("reliability.concurrent_operations", WORKERS * OPERATIONS)
