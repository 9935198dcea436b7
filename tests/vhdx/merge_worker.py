"""A merge run in its own process, killed with SIGKILL by itself or by the test.

Usage: ``python merge_worker.py FOLDER JOURNAL_KIND MODE ARG``

* MODE ``ops N``    -- SIGKILL itself just before its N-th mutating I/O operation
  (write, truncate, flush, journal save); N larger than the total runs to the end.
* MODE ``slices K`` -- SIGKILL itself after K ``step()`` slices.
* MODE ``run 0``    -- print ``started`` and step slowly until the test kills it.
* MODE ``bare 0``   -- bare local files (no I/O hooks, so the kernel copies run), slices of
  8 MiB, until the test kills it.

The merge is c1.avhdx into base.vhdx with c2.avhdx re-linked (see scenario.py).
Prints ``ops=<count>`` when it completes.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    JournalStore,
    LocalFile,
    LocalFileJournal,
    MergeJob,
    RafJournal,
    RandomAccessFile,
)

WIN_DIR = "D:\\Hyper-V\\Virtual Hard Disks"


class Killer:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.ops = 0

    def tick(self) -> None:
        if self.ops >= self.budget:
            os.kill(os.getpid(), signal.SIGKILL)
        self.ops += 1


class KillingFile:
    def __init__(self, inner: RandomAccessFile, killer: Killer) -> None:
        self.inner = inner
        self.killer = killer

    def read_at(self, offset: int, length: int) -> bytes:
        return self.inner.read_at(offset, length)

    def write_at(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        self.killer.tick()
        self.inner.write_at(offset, data)

    def size(self) -> int:
        return self.inner.size()

    def truncate(self, length: int) -> None:
        self.killer.tick()
        self.inner.truncate(length)

    def flush(self) -> None:
        self.killer.tick()
        self.inner.flush()

    def close(self) -> None:
        self.inner.close()


class KillingJournal:
    def __init__(self, inner: JournalStore, killer: Killer) -> None:
        self.inner = inner
        self.killer = killer

    def load(self) -> dict[str, object] | None:
        return self.inner.load()

    def save(self, record: dict[str, object]) -> None:
        self.killer.tick()
        self.inner.save(record)

    def clear(self) -> None:
        self.killer.tick()
        self.inner.clear()


def ref(name: str) -> DiskRef:
    return DiskRef(name, f"{WIN_DIR}\\{name}")


def main() -> None:
    folder = Path(sys.argv[1])
    journal_kind, mode, arg = sys.argv[2], sys.argv[3], int(sys.argv[4])
    killer = Killer(arg if mode == "ops" else 10**12)

    def opener(name: str, writable: bool) -> RandomAccessFile:
        if mode == "bare":
            return LocalFile(folder / name, "r+" if writable else "r")
        return KillingFile(LocalFile(folder / name, "r+" if writable else "r"), killer)

    journal: JournalStore
    if mode == "bare":
        journal = RafJournal(LocalFile(folder / "merge.journal", "w"))
    elif journal_kind == "raf":
        journal = RafJournal(KillingFile(LocalFile(folder / "merge.journal", "w"), killer))
    else:
        journal = KillingJournal(LocalFileJournal(folder / "merge.journal"), killer)

    def delete(name: str) -> None:
        killer.tick()
        try:
            os.unlink(folder / name)
        except FileNotFoundError:
            pass

    dependants = [ref("c2.avhdx")] if (folder / "c2.avhdx").exists() else []
    job = MergeJob.start(child=ref("c1.avhdx"), parent=ref("base.vhdx"), dependants=dependants,
                         journal=journal, opener=opener)
    print("started", flush=True)
    slices = 0
    step_bytes = {"ops": 4, "bare": 8}.get(mode, 2) * 1024 * 1024
    while not job.step(step_bytes):
        slices += 1
        if mode == "slices" and slices >= arg:
            os.kill(os.getpid(), signal.SIGKILL)
    job.finish(delete)
    print(f"ops={killer.ops}", flush=True)


if __name__ == "__main__":
    main()
