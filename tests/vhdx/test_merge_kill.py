"""SIGKILL a real merging process at random points, then recover in this process.

The worker (merge_worker.py) merges c1.avhdx into base.vhdx and re-links
c2.avhdx, on local files. It is killed before a random mutating I/O
operation, after a random number of step() slices, or at a random time.
After each kill the chains read the oracle's bytes, ``recover`` (in this,
later, process) finishes the merge, and the result is checked against the
oracle, the structural checker and qemu-img.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import hvemu_testlib as T
import pytest

from hyperv_emu.emulator.vhdx import LocalFile, LocalFileJournal, RafJournal, recover

from .checker import assert_valid
from .helpers import LocalOpener
from .readers import QEMU_IMG, qemu_check
from .scenario import build, read_view

WORKER = Path(__file__).with_name("merge_worker.py")


def run_worker(
    folder: Path, journal: str, mode: str, arg: int, kill_after: float | None = None
) -> tuple[int, str, float]:
    """Run the worker; returns (return code, stdout, seconds from 'started' to exit)."""
    env = T.subprocess_env()
    proc = subprocess.Popen([sys.executable, str(WORKER), str(folder), journal, mode, str(arg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    started = time.perf_counter()
    if kill_after is not None and first.strip() == "started":
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    elapsed = time.perf_counter() - started
    assert proc.returncode in (0, -signal.SIGKILL), err
    return proc.returncode, first + out, elapsed


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill-template")
    views = build(LocalOpener(folder))
    return folder, views


def check_recovered(folder: Path, views: dict[str, bytes], journal_kind: str) -> None:
    disks = LocalOpener(folder)
    # Before recovery (the state the killed process left): same bytes through the child.
    assert read_view(disks, "c2.avhdx") == views["c2.avhdx"]
    if (folder / "c1.avhdx").exists():
        assert read_view(disks, "c1.avhdx") == views["c1.avhdx"]
    if journal_kind == "raf":
        journal = RafJournal(LocalFile(folder / "merge.journal", "r+"))
    else:
        journal = LocalFileJournal(folder / "merge.journal")
    job = recover(journal, disks, delete_child=disks.delete)
    if job is None and (folder / "c1.avhdx").exists():
        # Killed before the merge was journaled: nothing changed at all.
        assert read_view(disks, "base.vhdx") == views["base.vhdx"]
        return
    assert not (folder / "c1.avhdx").exists()
    assert read_view(disks, "base.vhdx") == views["c1.avhdx"]
    assert read_view(disks, "c2.avhdx") == views["c2.avhdx"]
    assert read_view(disks, "c3.avhdx") == views["c3.avhdx"]
    for name in ("base.vhdx", "c2.avhdx", "c3.avhdx"):
        assert_valid(folder / name)
    if QEMU_IMG:
        qemu_check(folder / "base.vhdx")


def fresh_copy(template_folder: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(template_folder, dest)
    return dest


def test_sigkill_at_random_points(template, tmp_path):
    folder_t, views = template
    rng = random.Random(1234)
    # A complete run gives the number of mutating operations and the duration.
    work = fresh_copy(folder_t, tmp_path / "full")
    code, out, duration = run_worker(work, "raf", "ops", 10**9)
    assert code == 0
    total = int(out.strip().splitlines()[-1].split("=")[1])
    assert total > 30
    check_recovered(work, views, "raf")
    runs: list[tuple[str, int, str, float | None]] = [
        ("ops", rng.randrange(total), "file", None),
        ("ops", rng.randrange(total), "raf", None),
        ("ops", rng.randrange(total), "raf", None),
        ("slices", rng.randrange(1, 7), "file", None),
        ("slices", rng.randrange(1, 7), "raf", None),
        ("run", 0, "raf", duration * 0.2),
        ("run", 0, "file", duration * 0.6),
    ]
    for i, (mode, arg, journal, kill_after) in enumerate(runs):
        work = fresh_copy(folder_t, tmp_path / f"run{i}")
        code, _out, _t = run_worker(work, journal, mode, arg, kill_after)
        if mode == "ops":
            assert code == -signal.SIGKILL, (mode, arg)
        check_recovered(work, views, journal)
