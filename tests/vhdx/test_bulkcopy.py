"""The merge's data path: bulk copies between files (kernel copy, sendfile, reader thread,
buffered), joined moves and the holes of local files."""

from __future__ import annotations

import os

import pytest

from hyperv_emu.emulator.vhdx import LocalFile, SparseMemoryFile
from hyperv_emu.emulator.vhdx.bulkcopy import METHODS, Copier, Move, coalesce, data_extents

from .helpers import pattern

MiB = 1 << 20


def test_coalesce_joins_moves_contiguous_on_both_sides():
    moves = [Move(4 * MiB, 10 * MiB, MiB, True), Move(0, 0, MiB, False), Move(MiB, MiB, MiB, False),
             Move(3 * MiB, 9 * MiB, MiB, True), Move(2 * MiB, 5 * MiB, MiB, False), Move(9, 9, 0, True)]
    assert coalesce(moves) == [
        Move(0, 0, 2 * MiB, False),  # contiguous source and target
        Move(2 * MiB, 5 * MiB, MiB, False),  # source contiguous, target not
        Move(3 * MiB, 9 * MiB, 2 * MiB, True),
    ]


def _source(path) -> tuple[LocalFile, bytes]:  # type: ignore[no-untyped-def]
    """A 24 MiB file: data, a 4 MiB hole, data up to 21 MiB, a hole to the end."""
    src = LocalFile(path, "w")
    src.truncate(24 * MiB)
    data = pattern(7, 21 * MiB)
    src.write_at(0, data[: 8 * MiB])
    src.write_at(12 * MiB, data[12 * MiB :])
    expected = data[: 8 * MiB] + bytes(4 * MiB) + data[12 * MiB :] + bytes(3 * MiB)
    return src, expected


@pytest.mark.parametrize("method", METHODS)
def test_local_copy_methods_copy_the_same_bytes(tmp_path, method):
    src, expected = _source(tmp_path / "src")
    dst = LocalFile(tmp_path / "dst", "w")
    dst.write_at(0, b"\xee" * (40 * MiB))
    copier = Copier(src, dst, method)
    assert copier.local
    # Adjacent moves (joined into one I/O), one longer than a copy piece, one past the source's end.
    moves = [Move(0, MiB, 3 * MiB, False), Move(3 * MiB, 4 * MiB, 13 * MiB, False),
             Move(20 * MiB, 30 * MiB, 8 * MiB, False)]
    assert copier.copy(moves) == 24 * MiB
    assert copier.method == method
    copier.close()
    got = dst.read_at(0, 40 * MiB)
    assert got[:MiB] == b"\xee" * MiB
    assert got[MiB : 17 * MiB] == expected[: 16 * MiB]
    assert got[17 * MiB : 30 * MiB] == b"\xee" * (13 * MiB)
    assert got[30 * MiB : 38 * MiB] == expected[20 * MiB : 24 * MiB] + bytes(4 * MiB)  # past the end: zeros
    assert got[38 * MiB :] == b"\xee" * (2 * MiB)
    src.close()
    dst.close()


def test_unknown_copy_method_is_refused(tmp_path):
    with pytest.raises(ValueError, match="copy method"):
        Copier(SparseMemoryFile(), SparseMemoryFile(), "splice")


def test_reader_thread_error_reaches_the_caller(tmp_path):
    src, _ = _source(tmp_path / "src")
    dst = LocalFile(tmp_path / "dst", "w")
    copier = Copier(src, dst, "pread")
    os.close(src.fileno())  # the reader thread's pread fails
    with pytest.raises(OSError):
        copier.copy([Move(0, 0, 20 * MiB, True)])
    src._fd = None  # already closed
    dst.close()


def test_data_extents_of_a_sparse_local_file(tmp_path):
    src, _ = _source(tmp_path / "src")
    assert data_extents(src, 0, 24 * MiB) == [(0, 8 * MiB), (12 * MiB, 9 * MiB)]
    assert data_extents(src, 6 * MiB, 8 * MiB) == [(6 * MiB, 2 * MiB), (12 * MiB, 2 * MiB)]
    assert data_extents(src, 8 * MiB, 4 * MiB) == []
    assert data_extents(src, 22 * MiB, 8 * MiB) == []  # the tail hole, and past the end
    src.close()


class _Opaque:
    """A file that tells nothing about its holes."""

    def read_at(self, offset: int, length: int) -> bytes:
        return bytes(length)


def test_data_extents_of_a_memory_file_by_granules():
    mem = SparseMemoryFile(8 * MiB)
    mem.write_at(MiB + 100, b"x")  # the 64 KiB granule at 1 MiB
    mem.write_at(3 * MiB, b"y" * (3 * 65536))
    assert data_extents(mem, 0, 8 * MiB) == [(MiB, 65536), (3 * MiB, 3 * 65536)]
    assert data_extents(mem, MiB + 512, 4 * MiB) == [(MiB + 512, 65536 - 512), (3 * MiB, 3 * 65536)]
    assert data_extents(mem, 4 * MiB, 4 * MiB) == []
    assert data_extents(_Opaque(), 0, MiB) is None  # cannot tell: every byte may be data


def test_buffered_copy_keeps_zeros_out_of_fresh_space():
    src = SparseMemoryFile()
    data = pattern(3, 4 * MiB)
    src.write_at(0, data)
    src.write_at(MiB, bytes(MiB))  # a stored run of zeros in the middle
    dst = SparseMemoryFile()
    copier = Copier(src, dst)
    assert not copier.local
    copier.copy([Move(0, 8 * MiB, 4 * MiB, True)])
    assert dst.read_at(8 * MiB, 4 * MiB) == data[:MiB] + bytes(MiB) + data[2 * MiB :]
    assert dst.stored_bytes() == 3 * MiB  # the zeros went nowhere
    # Into space that holds data, zeros are written.
    dst2 = SparseMemoryFile()
    dst2.write_at(0, b"\x01" * (4 * MiB))
    Copier(src, dst2).copy([Move(0, 0, 4 * MiB, False)])
    assert dst2.read_at(0, 4 * MiB) == data[:MiB] + bytes(MiB) + data[2 * MiB :]
