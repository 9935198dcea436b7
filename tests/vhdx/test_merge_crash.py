"""Crash a merge before every single mutating I/O operation and recover.

Files live in SparseMemoryFiles, so the state at a crash point is exactly
what the killed process would have left in the page cache (SIGKILL loses no
completed write). At every point: the dependants' chains read the oracle's
bytes before recovery, ``recover`` finishes the merge, and afterwards the
parent holds the child's view, the child is gone and every other view is
unchanged. The real SIGKILL test is in test_merge_kill.py.
"""

from __future__ import annotations

import pytest

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    MergeJob,
    RafJournal,
    SparseMemoryFile,
    VhdxFile,
    recover,
)

from .helpers import MemoryOpener, win_path
from .scenario import build, read_view

MiB = 1 << 20


class Crash(Exception):
    pass


class CrashingOpener:
    """Counts mutating operations (write, truncate, flush) and raises before op number ``budget``."""

    def __init__(self, inner: MemoryOpener, budget: int) -> None:
        self.inner = inner
        self.budget = budget
        self.ops = 0

    def tick(self) -> None:
        if self.ops >= self.budget:
            raise Crash
        self.ops += 1

    def __call__(self, name: str, writable: bool) -> CrashingRaf:
        return CrashingRaf(self.inner(name, writable), self)


class CrashingRaf:
    def __init__(self, inner, owner: CrashingOpener) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.owner = owner

    def read_at(self, offset: int, length: int) -> bytes:
        return self.inner.read_at(offset, length)  # type: ignore[no-any-return]

    def write_at(self, offset: int, data) -> None:  # type: ignore[no-untyped-def]
        self.owner.tick()
        self.inner.write_at(offset, data)

    def size(self) -> int:
        return self.inner.size()  # type: ignore[no-any-return]

    def truncate(self, length: int) -> None:
        self.owner.tick()
        self.inner.truncate(length)

    def flush(self) -> None:
        self.owner.tick()
        self.inner.flush()

    def close(self) -> None:
        self.inner.close()


def ref(name: str) -> DiskRef:
    return DiskRef(name, win_path(name))


CASES = {
    # child, parent, dependants
    "into-base": ("c1.avhdx", "base.vhdx", ["c2.avhdx"]),
    "mid-chain": ("c2.avhdx", "c1.avhdx", ["c3.avhdx"]),
    "leaf": ("c3.avhdx", "c2.avhdx", []),
}


def run_merge(files: MemoryOpener, journal_raf: SparseMemoryFile, case: str, budget: int, slice_bytes: int) -> int:
    child, parent, deps = CASES[case]
    crashing = CrashingOpener(files, budget)
    journal = RafJournal(CrashingRaf(journal_raf, crashing))
    try:
        job = MergeJob.start(child=ref(child), parent=ref(parent), dependants=[ref(d) for d in deps],
                             journal=journal, opener=crashing)
        while not job.step(slice_bytes):
            pass
        job.finish(files.delete)
    except Crash:
        return -1
    return crashing.ops


@pytest.mark.parametrize(("case", "slice_bytes"), [("into-base", MiB), ("mid-chain", 4 * MiB), ("leaf", 64 * MiB)])
def test_crash_at_every_operation(case, slice_bytes):
    initial = MemoryOpener()
    views = build(initial)
    child, parent, deps = CASES[case]
    # Views that read through the child (the files below the parent never change).
    watched = deps or [child]
    total = run_merge(initial.clone(), SparseMemoryFile(), case, 10**9, slice_bytes)
    assert total > 20
    for budget in range(total + 1):
        files = initial.clone()
        journal_raf = SparseMemoryFile()
        result = run_merge(files, journal_raf, case, budget, slice_bytes)
        assert (result == -1) == (budget < total)
        # During: every chain through the child reads the same bytes.
        for name in watched:
            if name in files.files:
                assert read_view(files, name) == views[name], (budget, name)
        job = recover(RafJournal(journal_raf), files, delete_child=files.delete)
        if job is None and child in files.files:
            # Killed before the merge was journaled: nothing changed; merge again.
            assert read_view(files, parent) == views[parent]
            assert run_merge(files, journal_raf, case, 10**9, slice_bytes) == total
        assert child not in files.files, budget
        assert read_view(files, parent) == views[child], budget
        for name in deps:
            assert read_view(files, name) == views[name], (budget, name)
            f = VhdxFile.open(files(name, False), name)
            assert f.parent_locator is not None and f.parent_locator.relative_path == ".\\" + parent
            f.close()
        assert RafJournal(journal_raf).load() is None
    # The untouched descendants still read right after the last merge.
    for name in views:
        if name not in (child, parent) and name in files.files and name not in deps:
            assert read_view(files, name) == views[name]
