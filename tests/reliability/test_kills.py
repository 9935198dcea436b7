"""SIGKILL at random moments of create / apply / remove / merge / export (issue 14, point 5).

A worker (forked from tests/hvemu_zygote.py's server, so it starts in milliseconds) opens the
state once through the SDK and carries out random operations (tests/hvemu_oracle.py), logging
`start` and `done` around each; the test kills it with SIGKILL after a random delay, then checks
the state it left:

- it opens (a fresh SDK client; the journal of the cut-off transaction is replayed);
- it equals the reference model of every operation the worker finished, with the one it had
  started either wholly there or wholly absent (guest bytes of every VM, its checkpoints, every
  export folder: configuration, checkpoints and disks that open); Checkpoint-VM -SnapshotName is
  two steps on a host (create under the default name, then rename), so a kill between them
  leaves the checkpoint under its default name, which is accepted;
- `hvemu state check` finds it consistent (exit 0);
- `qemu-img check` passes on every base disk (when qemu-img is installed; qemu cannot open
  differencing disks).

The next worker goes on from that state, so kills land on states of growing history (merges
pending, journals replayed). KILLS kills per state, STATES states; CI's profile makes 5x.
"""

from __future__ import annotations

import os
import pathlib
import random
import shutil
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Iterator

import hvemu_oracle as O
import hvemu_testlib as T
import pytest
from hvemu_zygote import Zygote
from vhdx.readers import QEMU_IMG, qemu_check

from hyperv_emu import sdk

KINDS = ("write", "create", "apply", "remove", "merge", "export")
STATES = 4  # independent states (tests), each with its own seed
KILLS = T.examples(10)  # kills per state: 40 by default, 200 under CI's profile and --slow
VMS = ["A", "B"]
MAX_EXPORTS = 4  # export folders kept before the test deletes them
MAX_DONE = 6  # a worker is killed after 0..MAX_DONE finished operations
LAST_DELAY = 0.02  # s, and a random delay up to this (an operation takes ~5-20 ms)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    server = Zygote()
    yield server
    server.close()


@pytest.fixture
def scratch() -> Iterator[pathlib.Path]:
    shm = pathlib.Path("/dev/shm")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-kills-", dir=shm if shm.is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def wait_for_done(log: str, count: int, timeout: float = 30) -> None:
    """Until the worker has logged `count` finished operations (whatever the machine's load)."""
    deadline = time.monotonic() + timeout
    while count:
        try:
            with open(log, encoding="utf-8") as handle:
                if sum(line.startswith("done ") for line in handle) >= count:
                    return
        except FileNotFoundError:
            pass
        assert time.monotonic() < deadline, f"the worker did not finish {count} operations in {timeout} s"
        time.sleep(0.01)  # a poll that costs the machine little (other tests run beside this one)


KERNEL_PAGE = 4096


def _torn_page(client: sdk.HyperVClient, model: O.Model, pending: O.Op, seen: O.Model) -> bool:
    """Whether the page `pending` wrote reads as neither its old nor its new bytes, but as whole
    kernel pages of one or the other."""
    vm, page = pending["vm"], str(pending["page"])
    if seen["vms"][vm]["disk"].get(page) != -1:
        return False
    data = client.read_guest_disk(vm, 0, pending["page"] * O.PAGE, O.PAGE)
    seed = model["vms"][vm]["disk"].get(page)
    old = O.page_bytes(seed) if seed is not None else bytes(O.PAGE)
    new = O.page_bytes(pending["seed"])
    spans = range(0, O.PAGE, KERNEL_PAGE)
    return all(data[i:i + KERNEL_PAGE] in (old[i:i + KERNEL_PAGE], new[i:i + KERNEL_PAGE]) for i in spans)


def check_state(url: str, model: O.Model, pending: O.Op | None, checked: set[str]) -> O.Model:
    """The state equals `model`, or `model` with `pending` applied; returns the one it equals."""
    client = sdk.connect(url)
    client.sleep(600)  # merges the killed worker left due run now (they change no guest byte)
    candidates = [model] if pending is None else [model, O.apply(model, pending)]
    seen = O.observe(client, candidates, frozenset(model["exports"]))
    if pending is not None and pending["kind"] == "create":
        # Checkpoint-VM -SnapshotName creates the checkpoint under its default name, then renames
        # it (two calls on a host as here): a kill between leaves it under the default name
        known = model["vms"][pending["vm"]]["cps"]
        default = [n for n in seen["vms"][pending["vm"]]["cps"] if n.startswith(f"{pending['vm']} - (") and n not in known]
        if default:
            candidates.append(O.apply(model, dict(pending, name=default[0])))
    if pending is not None and pending["kind"] == "write" and _torn_page(client, model, pending, seen):
        # the guest write the kill cut short: Linux ends a write(2) early when a fatal signal
        # arrives between two page-cache pages (generic_perform_write), so a 64 KiB page write
        # may land as whole 4 KiB pages of the new bytes beside the old ones, as a disk gives no
        # more than a sector's atomicity; every other page and checkpoint is as the model says
        seen["vms"][pending["vm"]]["disk"][str(pending["page"])] = pending["seed"]
        candidates = [O.apply(model, pending)]
    matching = [m for m in candidates if O.expected(m) == seen]
    assert matching, f"the state matches no model: pending {pending}\nstate {seen}\nmodel {O.expected(candidates[0])}"
    code, text = O.state_check(url)
    assert code == 0, text
    if QEMU_IMG is not None:
        for disk in O.base_disks(url, checked):
            qemu_check(str(disk))
    return matching[-1]


def forget_exports(url: str, model: O.Model) -> O.Model:
    """Delete the export folders (checked already; no emulator record knows them) and drop
    them from the model."""
    (root,) = pathlib.Path(url).glob("hosts/*/D/Exports")
    shutil.rmtree(root)
    return dict(model, exports={})


@pytest.mark.parametrize("state", range(STATES))
def test_kill_at_random_moments(state: int, zygote: Zygote, scratch: pathlib.Path,
                                record_property: pytest.RecordProperty) -> None:
    rng = random.Random(1000 + state)
    url = str(scratch / "state")
    sdk.load_world(url, O.world(VMS))
    model = O.new_model(VMS)
    checked: set[str] = set()
    kills = cut_inside = 0
    by_kind: Counter[str] = Counter()
    operations = 0
    for i in range(KILLS):
        log = str(scratch / f"worker{i}.log")
        pid = zygote.run(url=url, model=model, seed=rng.randrange(1 << 30), count=1000, log=log, kinds=list(KINDS))
        wait_for_done(log, rng.randrange(MAX_DONE + 1))
        time.sleep(rng.uniform(0.0, LAST_DELAY))
        os.kill(pid, signal.SIGKILL)
        killed, code = zygote.wait(pid)
        done, pending, errors = O.read_log(log)
        assert not errors and code == 0, (errors, code, pathlib.Path(log).read_text())
        assert killed == signal.SIGKILL, "the worker ended before the kill: raise count"
        kills += 1
        cut_inside += pending is not None
        by_kind[pending["kind"] if pending is not None else "startup"] += 1
        operations += len(done)
        for op in done:
            model = O.apply(model, op)
        model = check_state(url, model, pending, checked)
        if len(model["exports"]) > MAX_EXPORTS:  # checked: make room (each check reads the folders)
            model = forget_exports(url, model)
    assert cut_inside > KILLS // 3, f"only {cut_inside} of {kills} kills landed inside an operation"
    record_property("reliability.kills", kills)
    record_property("reliability.kills_inside_an_operation", cut_inside)
    record_property("reliability.operations_before_kills", operations)
    for kind, n in sorted(by_kind.items()):
        record_property(f"reliability.kills_during_{kind}", n)
