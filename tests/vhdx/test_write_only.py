"""`write_dynamic` and `write_differencing` make the same files as `create_dynamic` and
`create_differencing_with_length`, without opening them afterwards: the independent checker
finds them valid, and they open and chain as the others do."""

from __future__ import annotations

import os

from hyperv_emu.emulator.vhdx import (
    VhdxFile,
    create_differencing_with_length,
    create_dynamic,
    open_chain,
    write_differencing,
    write_dynamic,
)

from .checker import assert_valid
from .helpers import win_path

MiB = 1 << 20
GiB = 1 << 30


def test_a_written_base_and_child_are_valid_and_chain(disks):
    raf = disks.create("base.vhdx")
    write_dynamic(raf, GiB, block_size=32 * MiB)
    raf.close()
    base = assert_valid(disks.path("base.vhdx"))
    assert base.virtual_size == GiB and not base.has_parent
    parent = VhdxFile.open(disks("base.vhdx", False), "base.vhdx", writable=False)
    raf = disks.create("child.avhdx")
    write_differencing(raf, parent, parent_win_path=win_path("base.vhdx"),
                       child_win_path=win_path("child.avhdx"), length=40 * MiB, block_size=2 * MiB)
    raf.close()
    parent.close()
    child = assert_valid(disks.path("child.avhdx"))
    assert child.has_parent and child.virtual_size == GiB
    chain = open_chain(disks, "child.avhdx", writable=False)
    try:
        assert [f.name for f in chain.files] == ["child.avhdx", "base.vhdx"]
        assert chain.read(0, 4096) == bytes(4096)
    finally:
        chain.close()


def test_written_files_match_created_ones_but_for_their_guids(disks):
    made = create_dynamic(disks.create("a.vhdx"), GiB, name="a.vhdx", block_size=32 * MiB)
    made.close()
    raf = disks.create("b.vhdx")
    write_dynamic(raf, GiB, block_size=32 * MiB)
    raf.close()
    parent = VhdxFile.open(disks("a.vhdx", False), "a.vhdx", writable=False)
    created = create_differencing_with_length(
        disks.create("c1.avhdx"), parent, parent_win_path=win_path("a.vhdx"), child_win_path=win_path("c1.avhdx"),
        length=40 * MiB, name="c1.avhdx", block_size=2 * MiB)
    created.close()
    raf = disks.create("c2.avhdx")
    write_differencing(raf, parent, parent_win_path=win_path("a.vhdx"), child_win_path=win_path("c2.avhdx"),
                       length=40 * MiB, block_size=2 * MiB)
    raf.close()
    parent.close()
    for one, other in (("a.vhdx", "b.vhdx"), ("c1.avhdx", "c2.avhdx")):
        x, y = (VhdxFile.open(disks(n, False), n, writable=False) for n in (one, other))
        try:
            assert (x.virtual_size, x.block_size, x.logical_sector_size, x.physical_sector_size, x.has_parent) == \
                (y.virtual_size, y.block_size, y.logical_sector_size, y.physical_sector_size, y.has_parent)
            assert os.path.getsize(disks.path(one)) == os.path.getsize(disks.path(other))
            assert list(x.iter_blocks()) == list(y.iter_blocks())
        finally:
            x.close()
            y.close()
