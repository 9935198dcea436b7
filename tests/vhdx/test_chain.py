from __future__ import annotations

import pytest

from hyperv_emu.emulator.vhdx import (
    LocalFile,
    ParentLinkageError,
    ReadOnlyVhdxError,
    SparseMemoryFile,
    VhdxChain,
    VhdxFile,
    create_differencing,
    create_dynamic,
    open_chain,
)
from hyperv_emu.emulator.vhdx.layout import (
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PAYLOAD_BLOCK_NOT_PRESENT,
    PAYLOAD_BLOCK_PARTIALLY_PRESENT,
    PAYLOAD_BLOCK_ZERO,
)

from .checker import assert_valid
from .helpers import MemoryOpener, pattern, win_path
from .readers import dissect_read, pyvhdi_open_chain, pyvhdi_read

MiB = 1 << 20
SIZE = 64 * MiB


def make_chain(disks, depth: int, size: int = SIZE) -> list[str]:
    """base.vhdx + depth-1 children, each created on the previous top; returns names top first."""
    names = ["base.vhdx"]
    create_dynamic(disks.create("base.vhdx"), size, name="base.vhdx").close()
    for i in range(1, depth):
        parent = VhdxFile.open(disks(names[0], False), names[0])
        name = f"c{i}.avhdx"
        create_differencing(
            disks.create(name), parent, parent_win_path=win_path(names[0]),
            child_win_path=win_path(name), name=name,
        ).close()
        parent.close()
        names.insert(0, name)
    return names


def test_chain_reads_writes_and_other_readers_agree(disks):
    expected = bytearray(SIZE)
    create_dynamic(disks.create("base.vhdx"), SIZE, name="base.vhdx").close()
    chain = open_chain(disks, "base.vhdx")
    for i, (off, n) in enumerate([(0, 3 * MiB), (40 * MiB + 7, 1000)]):
        data = pattern(i, n)
        chain.write(off, data)
        expected[off : off + n] = data
    chain.close()
    names = ["base.vhdx"]
    writes = [
        [(1 * MiB + 512, 700), (10 * MiB, 2 * MiB), (63 * MiB, MiB)],
        [(1, 5), (2 * MiB - 4096, 8192), (33 * MiB + 100, 3 * MiB)],
        [(0, SIZE // 2)],
    ]
    for level, extents in enumerate(writes):
        parent = VhdxFile.open(disks(names[0], False), names[0])
        name = f"c{level}.avhdx"
        create_differencing(disks.create(name), parent, parent_win_path=win_path(names[0]),
                            child_win_path=win_path(name), name=name).close()
        parent.close()
        names.insert(0, name)
        chain = open_chain(disks, name)
        assert chain.depth == len(names)
        for j, (off, n) in enumerate(extents):
            data = pattern(100 * level + j, n)
            chain.write(off, data)
            expected[off : off + n] = data
            assert chain.read(max(0, off - 5000), min(SIZE, off + n + 5000) - max(0, off - 5000)) == bytes(
                expected[max(0, off - 5000) : min(SIZE, off + n + 5000)]
            )
        assert chain.read(0, SIZE) == expected
        with pytest.raises(ReadOnlyVhdxError):
            chain.files[1].write(0, b"\0" * 512)
        chain.close()
        for n_ in names:
            assert_valid(disks.path(n_))
        paths = [disks.path(n_) for n_ in names]
        assert pyvhdi_read(paths, SIZE) == expected
        assert dissect_read(paths[0], SIZE) == expected


def test_block_states_after_writes(disks):
    names = make_chain(disks, 2)
    chain = open_chain(disks, names[0])
    chain.write(0, b"\1" * (2 * MiB))  # whole block
    chain.write(4 * MiB + 4096, b"\2" * 4096)  # partial
    chain.write_zeros(8 * MiB, 2 * MiB)  # whole zero block hides the parent
    chain.write(12 * MiB, bytes(4096))  # zeros over the parent: still must be stored (bitmap)
    top = chain.top
    assert top.block_state(0)[0] == PAYLOAD_BLOCK_FULLY_PRESENT
    assert top.block_state(2)[0] == PAYLOAD_BLOCK_PARTIALLY_PRESENT
    assert top.block_state(4) == (PAYLOAD_BLOCK_ZERO, 0)
    assert top.block_state(6)[0] == PAYLOAD_BLOCK_PARTIALLY_PRESENT
    assert top.block_state(7)[0] == PAYLOAD_BLOCK_NOT_PRESENT
    # One bitmap block (allocated on first need), one 2 MiB payload per written block.
    assert top.bitmap_state(0)[0] == 6
    chain.close()
    assert_valid(disks.path(names[0]))


def test_base_zero_writes_stay_sparse(disks):
    f = create_dynamic(disks.create("b.vhdx"), SIZE, name="b.vhdx")
    f.write(0, bytes(10 * MiB))
    f.write_zeros(32 * MiB, 32 * MiB)
    assert all(f.block_state(b)[0] == PAYLOAD_BLOCK_NOT_PRESENT for b in range(2))
    assert f.file_size() == 4 * MiB
    f.write(5, b"x")
    assert f.block_state(0)[0] == PAYLOAD_BLOCK_FULLY_PRESENT
    f.write_zeros(0, 32 * MiB)
    assert f.block_state(0) == (PAYLOAD_BLOCK_ZERO, 0)
    assert f.read(0, 10) == bytes(10)
    f.close()
    assert_valid(disks.path("b.vhdx"))


def test_linkage_is_checked_by_us_and_by_pyvhdi(disks):
    names = make_chain(disks, 2)
    other = create_dynamic(disks.create("other.vhdx"), SIZE, name="other.vhdx")
    other.close()
    with pytest.raises(ParentLinkageError):
        VhdxChain([VhdxFile.open(disks(names[0], False), names[0]), VhdxFile.open(disks("other.vhdx", False), "o")])
    import pyvhdi

    child = pyvhdi.file()
    child.open(str(disks.path(names[0])))
    wrong = pyvhdi.file()
    wrong.open(str(disks.path("other.vhdx")))
    with pytest.raises(OSError, match="mismatch"):
        child.set_parent(wrong)
    pyvhdi_open_chain([disks.path(n) for n in names])  # the right parent is accepted
    # A write to the parent behind the child's back rotates its DataWriteGuid: orphaned.
    base = VhdxFile.open(disks("base.vhdx", True), "base.vhdx", writable=True)
    base.write(0, b"x")
    base.close()
    with pytest.raises(ParentLinkageError, match="base.vhdx"):
        open_chain(disks, names[0])


def test_depth_32_chain_and_cache_invalidation():
    files = MemoryOpener()
    SMALL = 16 * MiB
    create_dynamic(files.create("base.vhdx"), SMALL, name="base.vhdx").close()
    expected = bytearray(SMALL)
    top = "base.vhdx"
    for i in range(31):
        chain = open_chain(files, top)
        off = (i * 1_900_000) % (SMALL - 300_000) // 512 * 512
        data = pattern(i, 300_000)
        chain.write(off, data)
        expected[off : off + len(data)] = data
        assert chain.read(0, SMALL) == expected  # warms the cache ...
        chain.write(off + 4096, b"\7" * 512)  # ... which a write must invalidate
        expected[off + 4096 : off + 4608] = b"\7" * 512
        assert chain.read(off, 8192) == expected[off : off + 8192]
        parent = chain.top
        name = f"c{i}.avhdx"
        create_differencing(files.create(name), parent, parent_win_path=win_path(top),
                            child_win_path=win_path(name), name=name).close()
        chain.close()
        top = name
    chain = open_chain(files, top, writable=False)
    assert chain.depth == 32
    assert chain.read(0, SMALL) == expected
    with pytest.raises(ReadOnlyVhdxError):
        chain.write(0, b"x")


def test_fsspec_local_and_memory_backends(tmp_path):
    import fsspec

    from hyperv_emu.emulator.vhdx import open_raf

    fs = fsspec.filesystem("file")
    raf = open_raf(fs, str(tmp_path / "x.vhdx"), "w")
    assert isinstance(raf, LocalFile)
    create_dynamic(raf, SIZE, name="x.vhdx").close()
    assert_valid(tmp_path / "x.vhdx")
    mem = SparseMemoryFile()
    f = create_dynamic(mem, 1 << 40, name="mem")
    f.write(1 << 39, b"abc")
    assert f.read((1 << 39) - 1, 5) == b"\0abc\0"
    assert mem.stored_bytes() <= 8 * MiB
