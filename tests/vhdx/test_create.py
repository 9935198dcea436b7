from __future__ import annotations

import json
import os
import time

import pytest

from hyperv_emu.emulator.vhdx import (
    ReadOnlyVhdxError,
    SparseMemoryFile,
    VhdxFile,
    create_differencing,
    create_differencing_with_length,
    create_dynamic,
    open_chain,
)
from hyperv_emu.emulator.vhdx.layout import PAYLOAD_BLOCK_FULLY_PRESENT

from .checker import assert_valid
from .conftest import requires_qemu
from .helpers import pattern, win_path
from .readers import dissect_read, pyvhdi_read, qemu, qemu_check, qemu_compare

MiB = 1 << 20
GiB = 1 << 30
GB60 = 60 * 10**9 // 512 * 512


def test_fresh_60gb_dynamic_disk_is_4mib_and_sparse(disks):
    f = create_dynamic(disks.create("SRV-APP01.vhdx"), GB60, name="SRV-APP01.vhdx")
    assert f.block_size == 32 * MiB and f.logical_sector_size == 512 and f.physical_sector_size == 4096
    f.close()
    path = disks.path("SRV-APP01.vhdx")
    assert os.path.getsize(path) == 4 * MiB
    assert os.stat(path).st_blocks * 512 <= 64 * 1024
    parsed = assert_valid(path)
    assert parsed.virtual_size == GB60 and not parsed.has_parent


@requires_qemu
def test_qemu_accepts_fresh_and_written_base(disks, tmp_path):
    f = create_dynamic(disks.create("b.vhdx"), GB60, name="b.vhdx")
    f.close()
    path = disks.path("b.vhdx")
    qemu_check(path)
    info = json.loads(qemu("info", "--output=json", str(path)).stdout)
    assert info["format"] == "vhdx" and info["virtual-size"] == GB60 and info["cluster-size"] == 32 * MiB

    size = 100 * MiB + 512 * 3  # partial last block
    f = create_dynamic(disks.create("w.vhdx"), size, name="w.vhdx")
    expected = bytearray(size)
    for i, (off, n) in enumerate([(0, 4096), (33 * MiB - 100, 300), (64 * MiB, 34 * MiB), (size - 700, 700)]):
        data = pattern(i, n)
        f.write(off, data)
        expected[off : off + n] = data
    f.write_zeros(64 * MiB, 32 * MiB)  # whole block -> ZERO
    expected[64 * MiB : 96 * MiB] = bytes(32 * MiB)
    f.close()
    path = disks.path("w.vhdx")
    assert_valid(path)
    qemu_check(path)
    qemu_compare(path, bytes(expected), tmp_path)
    assert pyvhdi_read([path], size) == expected
    assert dissect_read(path, size) == expected


@requires_qemu
@pytest.mark.parametrize(
    ("size", "block", "lss", "pss"),
    [(9 * GiB + 512, MiB, 512, 512), (64 * MiB, 256 * MiB, 512, 4096), (40 * MiB + 4096, 2 * MiB, 4096, 4096)],
)
def test_base_variants(disks, tmp_path, size, block, lss, pss):
    f = create_dynamic(disks.create("v.vhdx"), size, name="v.vhdx", block_size=block,
                       logical_sector_size=lss, physical_sector_size=pss)
    data = pattern(1, 3 * MiB)
    f.write(size - len(data), data)
    f.close()
    path = disks.path("v.vhdx")
    assert_valid(path)
    got = VhdxFile.open(disks("v.vhdx", False), "v.vhdx")
    assert got.read(size - len(data), len(data)) == data
    got.close()
    if lss == 512:  # qemu 7.2 refuses 4096-byte logical sectors (doc, trap 8)
        qemu_check(path)
    if size <= GiB:
        expected = bytes(size - len(data)) + data
        assert pyvhdi_read([path], size) == expected
        assert dissect_read(path, size) == expected


@requires_qemu
def test_fresh_avhdx_layout_locator_and_qemu_smoke(disks):
    parent = create_dynamic(disks.create("SRV-APP01.vhdx"), GB60, name="SRV-APP01.vhdx")
    parent.write(0, b"x" * 4096)
    child_name = "SRV-APP01_E1B438CE-4624-4BD3-AA84-2DCAE6D64395.avhdx"
    child = create_differencing(
        disks.create(child_name), parent,
        parent_win_path=win_path("SRV-APP01.vhdx"), child_win_path=win_path(child_name), name=child_name,
    )
    assert child.block_size == 2 * MiB and child.disk_id == parent.disk_id
    loc = child.parent_locator
    assert loc is not None
    assert loc.parent_linkage == "{" + str(parent.data_write_guid) + "}"
    assert loc.parent_linkage == loc.parent_linkage.lower()
    assert loc.relative_path == ".\\SRV-APP01.vhdx"
    assert loc.absolute_win32_path == "\\\\?\\D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx"
    with pytest.raises(ReadOnlyVhdxError):
        parent.write(0, b"y")  # a file with children must never change
    child.close()
    parent.close()
    path = disks.path(child_name)
    assert os.path.getsize(path) == 4 * MiB
    parsed = assert_valid(path)
    assert parsed.has_parent and parsed.locator["relative_path"] == ".\\SRV-APP01.vhdx"
    assert all(e == 0 for e in parsed.bat)  # no bitmap block pre-allocated
    res = qemu("info", str(path))
    assert res.returncode != 0 and "Operation not supported" in res.stderr
    qemu_check(disks.path("SRV-APP01.vhdx"))


@pytest.mark.parametrize("length", [0, 4 * MiB, 4 * MiB + 1, 6 * MiB + 12345, 100 * MiB])
def test_differencing_with_length_exact_length(disks, length):
    size = 64 * MiB
    parent = create_dynamic(disks.create("p.vhdx"), size, name="p.vhdx")
    parent.write(0, pattern(3, size))
    child = create_differencing_with_length(
        disks.create("c.avhdx"), parent, parent_win_path=win_path("p.vhdx"),
        child_win_path=win_path("c.avhdx"), length=length, name="c.avhdx",
    )
    child.close()
    parent.close()
    path = disks.path("c.avhdx")
    assert os.path.getsize(path) == max(4 * MiB, length)
    assert os.stat(path).st_blocks * 512 < MiB
    parsed = assert_valid(path)
    present = min(size // (2 * MiB), max(0, length - 4 * MiB) // (2 * MiB))
    states = [parsed.payload(b) & 7 for b in range(parsed.payload_blocks)]
    assert states == [PAYLOAD_BLOCK_FULLY_PRESENT] * present + [0] * (parsed.payload_blocks - present)
    expected = bytes(present * 2 * MiB) + pattern(3, size)[present * 2 * MiB :]
    chain = open_chain(disks, "c.avhdx", writable=False)
    assert chain.read(0, size) == expected
    chain.close()
    assert pyvhdi_read([path, disks.path("p.vhdx")], size) == expected
    assert dissect_read(path, size) == expected


def test_differencing_with_length_2gib_is_instant_and_free(disks):
    parent = create_dynamic(disks.create("p.vhdx"), 127 * GiB, name="p.vhdx")
    start = time.perf_counter()
    child = create_differencing_with_length(
        disks.create("c.avhdx"), parent, parent_win_path=win_path("p.vhdx"),
        child_win_path=win_path("c.avhdx"), length=2 * GiB, name="c.avhdx",
    )
    elapsed = time.perf_counter() - start
    child.close()
    parent.close()
    path = disks.path("c.avhdx")
    assert os.path.getsize(path) == 2 * GiB
    assert os.stat(path).st_blocks * 512 < MiB
    assert elapsed < 0.5, elapsed
    assert_valid(path)

    mem_parent_raf = SparseMemoryFile()
    mem_parent = create_dynamic(mem_parent_raf, 127 * GiB, name="mp")
    raf = SparseMemoryFile()
    create_differencing_with_length(raf, mem_parent, parent_win_path="D:\\p.vhdx",
                                    child_win_path="D:\\c.avhdx", length=2 * GiB + 7, name="mc")
    assert raf.size() == 2 * GiB + 7 and raf.stored_bytes() <= 4 * MiB


def test_allocated_blocks_lists_present_blocks_only(disks):
    parent = create_dynamic(disks.create("p.vhdx"), 20 * GiB, name="p.vhdx")
    child = create_differencing_with_length(
        disks.create("c.avhdx"), parent, parent_win_path=win_path("p.vhdx"),
        child_win_path=win_path("c.avhdx"), length=4 * MiB + 6 * MiB, name="c.avhdx",
    )
    assert child.allocated_blocks() == [0, 1, 2]
    child.write(5000 * 2 * MiB + 512, b"x" * 512)  # past the first 4 GiB chunk, partially present
    child.write_zeros(7000 * 2 * MiB, 2 * MiB)
    assert child.allocated_blocks() == [0, 1, 2, 5000, 7000]
    assert child.allocated_blocks(3) == [5000, 7000]
    assert child.allocated_blocks(7001) == []
    assert parent.allocated_blocks() == []
    child.close()
    parent.close()
