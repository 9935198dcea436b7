"""Merges on the bulk path checked against qemu-img's own commit of the same data.

A base VHDX with data in some of its 32 MiB blocks gets a child holding whole blocks,
partial blocks, ZERO blocks, present-but-sparse (hole) blocks, over parent blocks that
hold data and over absent ones. The same child data goes into a qcow2 overlay of a
qcow2 copy of the base (qemu-img convert), ``qemu-img commit`` folds it, and the merged
VHDX must equal that (``qemu-img compare``) and pass ``qemu-img check``. The merge runs
on local files (copies in the kernel) and on memory files (copies through Python), in
slices of several sizes, and a process merging large local files is SIGKILLed at random
times and recovered.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import hvemu_testlib as T
import pytest

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    LocalFile,
    MergeJob,
    RafJournal,
    SparseMemoryFile,
    VhdxFile,
    create_differencing,
    create_differencing_with_length,
    create_dynamic,
    open_chain,
    recover,
)
from hyperv_emu.emulator.vhdx.layout import (
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PAYLOAD_BLOCK_PARTIALLY_PRESENT,
    ZERO_STATES,
)

from .checker import assert_valid
from .conftest import requires_qemu
from .helpers import LocalOpener, MemoryOpener, pattern, win_path
from .readers import qemu, qemu_check

MiB = 1 << 20
SIZE = 192 * MiB
WORKER = Path(__file__).with_name("merge_worker.py")


def ref(name: str) -> DiskRef:
    return DiskRef(name, win_path(name))


def build_pair(files, seed: int, *, sparse_child: bool) -> None:  # type: ignore[no-untyped-def]
    """base.vhdx (32 MiB blocks) with data in some blocks; c1.avhdx (2 MiB blocks) over it."""
    rng = random.Random(seed)
    base = create_dynamic(files.create("base.vhdx"), SIZE, name="base.vhdx")
    for start in (0, 64 * MiB, 100 * MiB):  # parent blocks 0, 2 and 3 hold data
        base.write(start, pattern(seed + start, 3 * MiB))
    if sparse_child:  # its first 16 blocks present, zero and stored nowhere
        child = create_differencing_with_length(
            files.create("c1.avhdx"), base, parent_win_path=win_path("base.vhdx"),
            child_win_path=win_path("c1.avhdx"), length=36 * MiB, name="c1.avhdx")
    else:
        child = create_differencing(files.create("c1.avhdx"), base, parent_win_path=win_path("base.vhdx"),
                                    child_win_path=win_path("c1.avhdx"), name="c1.avhdx")
    child.close()
    base.close()
    chain = open_chain(files, "c1.avhdx")
    for i in range(40):
        kind = rng.choice(["blocks", "blocks", "sectors", "zero"])
        if kind == "blocks":
            off, n = rng.randrange(SIZE // (2 * MiB)) * 2 * MiB, rng.randint(1, 12) * 2 * MiB
        else:
            off, n = rng.randrange(SIZE // 512) * 512, rng.randint(1, 4096) * 512
        n = min(n, SIZE - off)
        if kind == "zero":
            chain.write_zeros(off, n)
        else:
            chain.write(off, pattern(seed * 1000 + i, n))
    chain.close()


def child_ranges(path: Path) -> list[tuple[int, int, bytes | None]]:
    """The child's own ranges as its file stores them: (offset, length, bytes or None = zeros)."""
    f = VhdxFile.open(LocalFile(path, "r"), path.name)
    out: list[tuple[int, int, bytes | None]] = []
    try:
        lss = f.logical_sector_size
        for block, state, foff in f.iter_blocks():
            vstart = block * f.block_size
            blen = f.geometry.block_length(block)
            if state in ZERO_STATES:
                out.append((vstart, blen, None))
            elif state == PAYLOAD_BLOCK_FULLY_PRESENT:
                out.append((vstart, blen, f.raf.read_at(foff, blen)))
            elif state == PAYLOAD_BLOCK_PARTIALLY_PRESENT:
                for s, n, present in f.sector_runs(block, 0, blen // lss):
                    if present:
                        out.append((vstart + s * lss, n * lss, f.raf.read_at(foff + s * lss, n * lss)))
    finally:
        f.close()
    return out


def qemu_commit_oracle(folder: Path, work: Path) -> Path:
    """qemu-img's commit of c1's ranges into a qcow2 copy of base.vhdx; returns the qcow2 base."""
    base_q, top_q = work / "oracle-base.qcow2", work / "oracle-top.qcow2"
    for args in (("convert", "-f", "vhdx", "-O", "qcow2", str(folder / "base.vhdx"), str(base_q)),
                 ("create", "-q", "-f", "qcow2", "-b", str(base_q), "-F", "qcow2", str(top_q))):
        res = qemu(*args)
        assert res.returncode == 0, res.stderr
    commands: list[str] = []
    for i, (off, n, data) in enumerate(child_ranges(folder / "c1.avhdx")):
        if data is None:
            commands += ["-c", f"write -z {off} {n}"]
        else:
            raw = work / f"range{i}.raw"
            raw.write_bytes(data)
            commands += ["-c", f"write -s {raw} {off} {n}"]
    res = subprocess.run(["qemu-io", "-f", "qcow2", *commands, str(top_q)], capture_output=True, text=True,
                         timeout=120, check=False)
    assert res.returncode == 0 and "error" not in res.stdout.lower(), (res.stdout, res.stderr)
    res = qemu("commit", "-q", "-f", "qcow2", str(top_q))
    assert res.returncode == 0, res.stderr
    return base_q


def assert_like_qemu(merged: Path, oracle: Path) -> None:
    qemu_check(merged)
    res = qemu("compare", "-f", "vhdx", "-F", "qcow2", str(merged), str(oracle))
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert_valid(merged)


def run_merge(files, step: int) -> list[int]:  # type: ignore[no-untyped-def]
    job = MergeJob.start(child=ref("c1.avhdx"), parent=ref("base.vhdx"), dependants=[],
                         journal=RafJournal(SparseMemoryFile()), opener=files)
    done = []
    try:
        while not job.step(step):
            done.append(job.progress().bytes_done)
        job.finish(files.delete)
    finally:
        job.close()
    return done


@requires_qemu
@pytest.mark.parametrize(("seed", "sparse_child", "step"), [(1, False, 256 * MiB), (2, True, 6 * MiB),
                                                            (3, False, 2 * MiB)])
def test_merge_equals_qemu_commit(tmp_path, seed, sparse_child, step):
    folder = tmp_path / "disks"
    folder.mkdir()
    disks = LocalOpener(folder)
    build_pair(disks, seed, sparse_child=sparse_child)
    oracle = qemu_commit_oracle(folder, tmp_path)
    # The same files in memory: the buffered path must give the same bytes.
    memory = MemoryOpener()
    for name in ("base.vhdx", "c1.avhdx"):
        memory.create(name).write_at(0, (folder / name).read_bytes())
    done = run_merge(disks, step)
    assert done == sorted(done)
    assert_like_qemu(folder / "base.vhdx", oracle)
    run_merge(memory, step)
    merged = tmp_path / "memory-base.vhdx"
    merged.write_bytes(memory.files["base.vhdx"].getvalue())
    assert_like_qemu(merged, oracle)


def test_hole_ranges_stay_holes_on_the_kernel_path(tmp_path):
    """A child's present but sparse blocks fold into nothing: the base's file does not grow."""
    disks = LocalOpener(tmp_path)
    base = create_dynamic(disks.create("base.vhdx"), SIZE, name="base.vhdx")
    base.write(0, pattern(1, MiB))
    child = create_differencing_with_length(
        disks.create("c1.avhdx"), base, parent_win_path=win_path("base.vhdx"),
        child_win_path=win_path("c1.avhdx"), length=68 * MiB, name="c1.avhdx")
    child.write(40 * MiB, pattern(2, 2 * MiB))  # one block of real data among 32 sparse ones
    child.close()
    base.close()
    before = (tmp_path / "base.vhdx").stat().st_blocks
    run_merge(disks, 256 * MiB)
    grown = ((tmp_path / "base.vhdx").stat().st_blocks - before) * 512
    assert grown <= 2 * MiB + 64 * 1024, grown
    chain = open_chain(disks, "base.vhdx", writable=False)
    assert chain.read(0, MiB) == bytes(MiB)  # the child's zeros hide the base's data
    assert chain.read(40 * MiB, 2 * MiB) == pattern(2, 2 * MiB)
    chain.close()


@pytest.fixture(scope="module")
def large_pair(tmp_path_factory):
    """A 128 MiB child over a base, on local files, and the view the merge must give."""
    folder = tmp_path_factory.mktemp("bulk-kill")
    disks = LocalOpener(folder)
    base = create_dynamic(disks.create("base.vhdx"), SIZE, name="base.vhdx")
    base.write(64 * MiB, pattern(5, 8 * MiB))
    child = create_differencing(disks.create("c1.avhdx"), base, parent_win_path=win_path("base.vhdx"),
                                child_win_path=win_path("c1.avhdx"), name="c1.avhdx")
    child.close()
    base.close()
    chain = open_chain(disks, "c1.avhdx")
    chain.write(16 * MiB, pattern(6, 128 * MiB))
    chain.write_zeros(20 * MiB, 2 * MiB)
    view = chain.read(0, SIZE)
    chain.close()
    return folder, view


def test_sigkill_during_bulk_copies(large_pair, tmp_path):
    """Bare local files (no I/O hooks: the kernel copies run): killed at random times, recovered."""
    template, view = large_pair
    rng = random.Random(99)
    for i in range(T.examples(4)):
        work = tmp_path / f"run{i}"
        subprocess.run(["cp", "-r", "--sparse=always", str(template), str(work)], check=True)
        proc = subprocess.Popen([sys.executable, str(WORKER), str(work), "raf", "bare", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=T.subprocess_env())
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, -signal.SIGKILL), err
        disks = LocalOpener(work)
        journal = RafJournal(LocalFile(work / "merge.journal", "r+"))
        recover(journal, disks, delete_child=disks.delete)
        assert not (work / "c1.avhdx").exists()
        chain = open_chain(disks, "base.vhdx", writable=False)
        assert chain.read(0, SIZE) == view
        chain.close()
        assert_valid(work / "base.vhdx")
