from __future__ import annotations

import os
import time

import pytest

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    LocalFile,
    LocalFileJournal,
    MergeError,
    MergeJob,
    ParentLinkageError,
    RafJournal,
    SparseMemoryFile,
    VhdxFile,
    merge_into_parent,
    open_chain,
    recover,
)
from hyperv_emu.emulator.vhdx.layout import PAYLOAD_BLOCK_ZERO

from .checker import assert_valid
from .conftest import requires_qemu
from .helpers import MemoryOpener, win_path
from .readers import dissect_read, pyvhdi_read, qemu_check, qemu_compare
from .scenario import build, read_view

MiB = 1 << 20
GiB = 1 << 30


def ref(name: str) -> DiskRef:
    return DiskRef(name, win_path(name))


@requires_qemu
def test_merge_checkpoint_into_base_and_relink(disks, tmp_path):
    views = build(disks)
    journal = LocalFileJournal(tmp_path / "merge.journal")
    seen = []
    merge_into_parent(ref("c1.avhdx"), ref("base.vhdx"), [ref("c2.avhdx")], journal, disks,
                      progress=seen.append, delete_child=disks.delete)
    assert not disks.path("c1.avhdx").exists()
    assert journal.load() is None
    assert seen[-1].done and seen[-1].bytes_done == seen[-1].bytes_total > 0
    # The surviving base now holds c1's view; every other view is unchanged.
    assert read_view(disks, "base.vhdx") == views["c1.avhdx"]
    for name in ("c2.avhdx", "c3.avhdx"):
        assert read_view(disks, name) == views[name]
    c2 = VhdxFile.open(disks("c2.avhdx", False), "c2.avhdx")
    base = VhdxFile.open(disks("base.vhdx", False), "base.vhdx")
    assert c2.parent_locator is not None and c2.parent_locator.relative_path == ".\\base.vhdx"
    assert c2.parent_locator.linkages() == [base.data_write_guid]
    c2.close()
    base.close()
    for name in ("base.vhdx", "c2.avhdx", "c3.avhdx"):
        assert_valid(disks.path(name))
    qemu_check(disks.path("base.vhdx"))
    qemu_compare(disks.path("base.vhdx"), views["c1.avhdx"], tmp_path)
    paths = [disks.path(n) for n in ("c3.avhdx", "c2.avhdx", "base.vhdx")]
    size = len(views["c3.avhdx"])
    assert pyvhdi_read(paths, size) == views["c3.avhdx"]
    assert dissect_read(paths[0], size) == views["c3.avhdx"]


def test_merge_into_differencing_parent_and_leaf_merge(disks, tmp_path):
    views = build(disks)
    journal = RafJournal(LocalFile(tmp_path / "j", "w"))
    # Mid-chain: c2 into c1 (a differencing parent), c3 re-linked to c1.
    merge_into_parent(ref("c2.avhdx"), ref("c1.avhdx"), [ref("c3.avhdx")], journal, disks,
                      delete_child=disks.delete)
    assert read_view(disks, "c1.avhdx") == views["c2.avhdx"]
    assert read_view(disks, "c3.avhdx") == views["c3.avhdx"]
    # The VM's own disk (no dependants) into its parent: the VM returns to c1.
    merge_into_parent(ref("c3.avhdx"), ref("c1.avhdx"), [], journal, disks, delete_child=disks.delete)
    assert read_view(disks, "c1.avhdx") == views["c3.avhdx"]
    merge_into_parent(ref("c1.avhdx"), ref("base.vhdx"), [], journal, disks, delete_child=disks.delete)
    assert read_view(disks, "base.vhdx") == views["c3.avhdx"]
    assert sorted(os.listdir(tmp_path)) == ["base.vhdx", "j"]
    assert_valid(disks.path("base.vhdx"))
    assert pyvhdi_read([disks.path("base.vhdx")], len(views["c3.avhdx"])) == views["c3.avhdx"]


def test_zero_blocks_stay_holes(disks, tmp_path):
    size = 4 * GiB
    views_size = size
    from hyperv_emu.emulator.vhdx import create_differencing_with_length, create_dynamic

    base = create_dynamic(disks.create("base.vhdx"), views_size, name="base.vhdx")
    base.write(0, b"\x42" * MiB)
    base.write(3 * GiB, b"\x43" * MiB)
    child = create_differencing_with_length(
        disks.create("c1.avhdx"), base, parent_win_path=win_path("base.vhdx"),
        child_win_path=win_path("c1.avhdx"), length=256 * MiB + 4 * MiB, name="c1.avhdx",
    )
    child.close()
    base.close()
    before = os.stat(disks.path("base.vhdx"))
    start = time.perf_counter()
    merge_into_parent(ref("c1.avhdx"), ref("base.vhdx"), [], RafJournal(SparseMemoryFile()), disks,
                      delete_child=disks.delete)
    elapsed = time.perf_counter() - start
    after = os.stat(disks.path("base.vhdx"))
    assert after.st_size == before.st_size  # nothing allocated: the zeros went nowhere
    assert after.st_blocks <= before.st_blocks
    assert elapsed < 5, elapsed
    chain = open_chain(disks, "base.vhdx", writable=False)
    assert chain.read(0, 2 * MiB) == bytes(2 * MiB)
    assert chain.read(3 * GiB, 4) == b"\x43" * 4
    chain.close()
    assert_valid(disks.path("base.vhdx"))


def test_whole_zero_block_becomes_zero_state(tmp_path):
    files = MemoryOpener()
    from hyperv_emu.emulator.vhdx import create_differencing, create_dynamic

    base = create_dynamic(files.create("base.vhdx"), 16 * MiB, name="base.vhdx", block_size=2 * MiB)
    base.write(0, b"\1" * (16 * MiB))
    child = create_differencing(files.create("c.avhdx"), base, parent_win_path=win_path("base.vhdx"),
                                child_win_path=win_path("c.avhdx"), name="c.avhdx")
    child.write_zeros(4 * MiB, 4 * MiB)
    child.close()
    base.close()
    merge_into_parent(ref("c.avhdx"), ref("base.vhdx"), [], RafJournal(SparseMemoryFile()), files,
                      delete_child=files.delete)
    base = VhdxFile.open(files("base.vhdx", False), "base.vhdx")
    assert [base.block_state(b)[0] for b in (2, 3)] == [PAYLOAD_BLOCK_ZERO] * 2
    assert base.read(0, 16 * MiB) == b"\1" * (4 * MiB) + bytes(4 * MiB) + b"\1" * (8 * MiB)


def test_step_progress_and_resume_in_new_job(tmp_path):
    files = MemoryOpener()
    views = build(files)
    journal_raf = SparseMemoryFile()
    job = MergeJob.start(child=ref("c1.avhdx"), parent=ref("base.vhdx"), dependants=[ref("c2.avhdx")],
                         journal=RafJournal(journal_raf), opener=files)
    assert job.progress().phase == "prepare" and job.progress().bytes_done == 0
    total = job.progress().bytes_total
    assert total == 10 * MiB  # five 2 MiB blocks of c1 hold data
    job.step(MiB)
    assert job.phase == "copy"
    done = [job.progress().bytes_done]
    for _ in range(2):
        job.step(MiB)
        done.append(job.progress().bytes_done)
    job.close()
    assert done == sorted(done) and 0 < done[-1] < total
    # A later process picks the job up from the journal.
    job2 = MergeJob.resume(RafJournal(journal_raf), files)
    assert job2 is not None and job2.progress().bytes_done == done[-1]
    assert read_view(files, "c2.avhdx") == views["c2.avhdx"]  # readers see the same bytes meanwhile
    while not job2.step(MiB):
        assert read_view(files, "c2.avhdx") == views["c2.avhdx"]
    job2.finish(files.delete)
    assert "c1.avhdx" not in files.files
    assert read_view(files, "base.vhdx") == views["c1.avhdx"]
    assert read_view(files, "c3.avhdx") == views["c3.avhdx"]
    assert RafJournal(journal_raf).load() is None


def test_start_refuses_bad_requests(tmp_path):
    files = MemoryOpener()
    build(files)
    journal = RafJournal(SparseMemoryFile())
    with pytest.raises(ParentLinkageError, match="parent"):  # c2's parent is c1
        MergeJob.start(child=ref("c2.avhdx"), parent=ref("base.vhdx"), dependants=[], journal=journal, opener=files)
    with pytest.raises(ParentLinkageError):  # c3 is not a child of c1
        MergeJob.start(child=ref("c1.avhdx"), parent=ref("base.vhdx"), dependants=[ref("c3.avhdx")],
                       journal=journal, opener=files)
    job = MergeJob.start(child=ref("c1.avhdx"), parent=ref("base.vhdx"), dependants=[ref("c2.avhdx")],
                         journal=journal, opener=files)
    with pytest.raises(MergeError, match="recover"):
        MergeJob.start(child=ref("c2.avhdx"), parent=ref("c1.avhdx"), dependants=[], journal=journal, opener=files)
    with pytest.raises(MergeError, match="not finished"):
        job.finish(files.delete)
    assert recover(journal, files, delete_child=files.delete) is not None
    assert recover(journal, files) is None


def test_journals(tmp_path):
    raf = SparseMemoryFile()
    j = RafJournal(raf)
    assert j.load() is None
    j.save({"a": 1})
    j.save({"a": 2})
    assert RafJournal(raf).load() == {"a": 2}
    # A torn write of the newest slot leaves the previous record.
    slot_of_a2 = 1  # slots alternate: 0, 1, 0, ...
    raf.write_at(slot_of_a2 * 65536 + 22, b"garbage")
    assert RafJournal(raf).load() == {"a": 1}
    j2 = RafJournal(raf)
    j2.save({"a": 3})
    assert RafJournal(raf).load() == {"a": 3}
    j2.clear()
    assert RafJournal(raf).load() is None
    lj = LocalFileJournal(tmp_path / "x.journal")
    assert lj.load() is None
    lj.save({"b": [1, 2]})
    assert LocalFileJournal(tmp_path / "x.journal").load() == {"b": [1, 2]}
    lj.clear()
    assert lj.load() is None and not (tmp_path / "x.journal").exists()
