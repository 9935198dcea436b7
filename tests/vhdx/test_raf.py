from __future__ import annotations

import fsspec
import pytest
from fsspec.implementations.local import LocalFileSystem

from hyperv_emu.emulator.vhdx import (
    FsspecFile,
    LocalFile,
    RandomAccessFile,
    SparseMemoryFile,
    open_raf,
    write_sparse,
)
from hyperv_emu.emulator.vhdx.raf import MEMORY_PAGE_SIZE

MiB = 1 << 20
GiB = 1 << 30


def test_local_file_basics_and_sparse_extension(tmp_path):
    f = LocalFile(tmp_path / "a.bin", "w")
    assert isinstance(f, RandomAccessFile)
    f.write_at(10, b"abc")
    assert f.size() == 13
    assert f.read_at(8, 10) == b"\0\0abc"
    f.truncate(2 * GiB)
    assert f.size() == 2 * GiB
    assert f.allocated_bytes() < MiB
    assert f.read_at(GiB, 4) == b"\0" * 4
    f.flush()
    f.close()
    r = LocalFile(tmp_path / "a.bin")
    with pytest.raises(OSError):
        r.write_at(0, b"x")
    r.close()


def test_sparse_memory_file_stores_no_zero_pages():
    f = SparseMemoryFile()
    f.truncate(2 * GiB)
    assert f.size() == 2 * GiB and f.stored_bytes() == 0
    f.write_at(5 * MiB, bytes(3 * MiB))
    assert f.stored_bytes() == 0
    f.write_at(MiB - 2, b"\1\2\3\4")
    assert f.stored_bytes() == 2 * MEMORY_PAGE_SIZE  # the two pages either side of 1 MiB
    assert f.read_at(MiB - 3, 6) == b"\0\1\2\3\4\0"
    f.write_at(MiB - 2, b"\0\0\0\0")
    assert f.stored_bytes() == 0
    f.write_at(10, b"xyz")
    f.truncate(11)
    f.truncate(100)
    assert f.read_at(0, 100) == bytes(10) + b"x" + bytes(89)
    assert f.read_at(99, 10) == b"\0"
    assert f.clone().read_at(10, 1) == b"x"


def test_open_raf_local_and_memory(tmp_path):
    local = open_raf(LocalFileSystem(), str(tmp_path / "l.bin"), "w")
    assert isinstance(local, LocalFile)
    local.write_at(0, b"hello")
    local.close()
    assert (tmp_path / "l.bin").read_bytes() == b"hello"

    fs = fsspec.filesystem("memory")
    path = "/vhdx-test/m.bin"
    f = open_raf(fs, path, "w")
    assert isinstance(f, FsspecFile)
    f.write_at(3, b"xyz")
    f.close()
    assert fs.cat_file(path) == b"\0\0\0xyz"
    g = open_raf(fs, path, "r+")
    assert g.read_at(0, 6) == b"\0\0\0xyz"
    g.truncate(2)
    g.close()
    assert fs.cat_file(path) == b"\0\0"
    with pytest.raises(FileNotFoundError):
        open_raf(fs, "/vhdx-test/missing.bin", "r")
    fs.rm(path)


def test_write_sparse_skips_zero_granules():
    f = SparseMemoryFile()
    data = bytes(64 * 1024) + b"\1" * 100 + bytes(200 * 1024)
    written = write_sparse(f, 0, data, target_is_zero=True)
    assert written == 64 * 1024  # only the granule holding the ones
    assert f.size() == len(data)
    assert f.read_at(0, len(data)) == data
    # Over existing data, zeros are written where the target is not zero.
    f.write_at(300 * 1024, b"\7" * 10)
    written = write_sparse(f, 256 * 1024, bytes(128 * 1024))
    assert written == 64 * 1024
    assert f.read_at(300 * 1024, 10) == bytes(10)


def test_is_hole_on_local_and_memory_files(tmp_path):
    local = LocalFile(tmp_path / "h.bin", "w")
    mem = SparseMemoryFile()
    for f in (local, mem):
        f.truncate(64 * MiB)
        f.write_at(20 * MiB + 5, b"data")
        assert f.is_hole(0, 16 * MiB)
        assert not f.is_hole(16 * MiB, 8 * MiB)
        assert not f.is_hole(20 * MiB, 1)  # the page or extent holding the data
        assert f.is_hole(40 * MiB, 24 * MiB)
        assert f.is_hole(64 * MiB, MiB)  # past the end reads as nothing stored
    local.close()
