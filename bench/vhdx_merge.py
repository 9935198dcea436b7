"""Merge throughput vs a plain file copy and vs `qemu-img commit`, same bytes, same run.

An AVHDX holding N GiB of incompressible data (2 MiB blocks, all present) is
merged into an empty dynamic base (32 MiB blocks). Baselines:

* copy: the child file copied to a new file by a Python pread/pwrite loop
  (8 MiB chunks) then fsync'd (the merge flushes too); shutil.copyfile
  (in-kernel copy_file_range) is printed for information.
* qemu: a qcow2 overlay holding the same amount of data over an empty qcow2
  base, `qemu-img commit` timed (with a sync of the base after it, as the merge's
  time includes its syncs).

Every figure is the median of ``--rounds`` (5) rounds; in each round the merge and
qemu-img commit run one after the other (which goes first alternates) and their
ratio is that round's figure. Targets: merge/copy >= 0.5, merge/qemu >= 1.0.

    python bench/vhdx_merge.py [--data-gib 1] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess

from vhdx_common import GiB, MiB, Timer, data_chunks, report, temp_folder, win_path

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    LocalFileJournal,
    VhdxFile,
    create_differencing,
    create_dynamic,
    merge_into_parent,
    open_chain,
)


def python_copy(src: str, dst: str) -> None:
    fin = os.open(src, os.O_RDONLY)
    fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        pos = 0
        while True:
            chunk = os.pread(fin, 8 * MiB, pos)
            if not chunk:
                break
            os.pwrite(fout, chunk, pos)
            pos += len(chunk)
        os.fsync(fout)
    finally:
        os.close(fin)
        os.close(fout)


def drop(path: str) -> None:
    """Write back and evict a file from the page cache, so every run starts alike."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def build_child(folder, size: int, data: int) -> None:  # type: ignore[no-untyped-def]
    create_dynamic(folder.create("base.vhdx"), size, name="base.vhdx").close()
    parent = VhdxFile.open(folder("base.vhdx", False), "base.vhdx")
    create_differencing(folder.create("c1.avhdx"), parent, parent_win_path=win_path("base.vhdx"),
                        child_win_path=win_path("c1.avhdx"), name="c1.avhdx").close()
    parent.close()
    chain = open_chain(folder, "c1.avhdx")
    pos = 0
    for chunk in data_chunks(data):
        chain.write(pos, chunk)
        pos += len(chunk)
    chain.close()
    drop(str(folder.path / "c1.avhdx"))


def settle() -> None:
    """Write back every dirty page of the machine first, so a timed operation does not pay
    for the writeback of what was set up before it (each side gets the same start)."""
    os.sync()


def fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def time_merge(folder) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds for the merge (data folded, durable) and for deleting the child afterwards."""
    journal = LocalFileJournal(folder.path / "merge.journal")
    settle()
    t = Timer()
    merge_into_parent(DiskRef("c1.avhdx", win_path("c1.avhdx")), DiskRef("base.vhdx", win_path("base.vhdx")),
                      [], journal, folder)
    fsync_path(str(folder.path / "base.vhdx"))
    merge_s = t()
    t = Timer()
    folder.delete("c1.avhdx")
    journal.clear()
    return merge_s, t()


def time_copy(src: str, dst: str, kernel: bool) -> float:
    drop(src)
    t = Timer()
    if kernel:
        shutil.copyfile(src, dst)
        fsync_path(dst)
    else:
        python_copy(src, dst)
    elapsed = t()
    os.unlink(dst)
    return elapsed


def time_qemu_commit(folder, size: int, data: int) -> float | None:  # type: ignore[no-untyped-def]
    qemu_img = shutil.which("qemu-img")
    qemu_io = shutil.which("qemu-io")
    if qemu_img is None or qemu_io is None:
        return None
    base_q = str(folder.path / "base.qcow2")
    top_q = str(folder.path / "top.qcow2")
    subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", base_q, str(size)], check=True)
    subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", "-b", base_q, "-F", "qcow2", top_q], check=True)
    raw = str(folder.path / "data.raw")
    with open(raw, "wb") as handle:
        handle.writelines(data_chunks(data, seed=2))
    # Same amount of incompressible data into the overlay (-s: buffer filled from the file).
    subprocess.run([qemu_io, "-f", "qcow2", "-c", f"write -s {raw} 0 {data}", top_q], check=True, capture_output=True)
    os.unlink(raw)
    drop(top_q)
    settle()
    t = Timer()
    subprocess.run([qemu_img, "commit", "-q", "-f", "qcow2", top_q], check=True)
    fsync_path(base_q)
    elapsed = t()
    os.unlink(base_q)
    os.unlink(top_q)
    return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-gib", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are reported")
    args = parser.parse_args()
    data = int(args.data_gib * GiB)
    size = max(4 * GiB, data)
    merges, deletes, copies, kernel_copies, commits, ratios = [], [], [], [], [], []
    for i in range(args.rounds):
        with temp_folder("vhdx-bench-merge-") as folder:
            build_child(folder, size, data)
            child = str(folder.path / "c1.avhdx")
            copies.append(time_copy(child, str(folder.path / "copy.bin"), kernel=False))
            kernel_copies.append(time_copy(child, str(folder.path / "copy.bin"), kernel=True))
            drop(child)
            commit = None
            if i % 2:  # alternate which goes first, so neither always meets the other's writeback
                commit = time_qemu_commit(folder, size, data)
            merge_s, delete_s = time_merge(folder)
            os.unlink(folder.path / "base.vhdx")
            if not i % 2:
                commit = time_qemu_commit(folder, size, data)
            merges.append(merge_s)
            deletes.append(delete_s)
            if commit is not None:
                commits.append(commit)
                ratios.append(commit / merge_s)
                report(f"round{i + 1}.merge_vs_qemu_commit", commit / merge_s)
    mb = data / MiB
    merge_s, copy_s, kernel_s = median(merges), median(copies), median(kernel_copies)
    report("merge.rounds", args.rounds)
    report("merge.data_mib", int(mb))
    report("merge.mib_per_s", mb / merge_s)
    report("merge.delete_child_s", median(deletes))
    report("copy.python_loop_mib_per_s", mb / copy_s)
    report("copy.shutil_copyfile_mib_per_s", mb / kernel_s)
    report("merge.vs_python_copy", median([c / m for c, m in zip(copies, merges, strict=True)]))
    report("merge.vs_shutil_copyfile", median([c / m for c, m in zip(kernel_copies, merges, strict=True)]))
    if ratios:
        report("qemu.commit_mib_per_s", mb / median(commits))
        report("merge.vs_qemu_commit", median(ratios))
        report("merge.vs_qemu_commit.range", f"{min(ratios):.3g}..{max(ratios):.3g}")
        report("merge.vs_qemu_commit.target", ">= 1.0 (median of the rounds)")
    else:
        report("qemu.commit", "skipped (qemu-utils not installed)")


if __name__ == "__main__":
    main()
