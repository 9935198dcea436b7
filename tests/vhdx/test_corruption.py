from __future__ import annotations

import struct
import uuid

import pytest

from hyperv_emu.emulator.vhdx import (
    CorruptVhdxError,
    UnsupportedVhdxError,
    VhdxFile,
    create_differencing,
    create_dynamic,
    open_chain,
)
from hyperv_emu.emulator.vhdx.layout import BAT_OFFSET, METADATA_OFFSET

from .helpers import win_path

MiB = 1 << 20
SIZE = 64 * MiB


def patch(path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def flip(path, offset: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.fixture
def base(disks):
    f = create_dynamic(disks.create("base.vhdx"), SIZE, name="base.vhdx")
    f.write(0, b"\x5a" * 4096)  # rotates the GUIDs: headers now at sequence 3 (slot 1) and 4 (slot 2)
    f.close()
    return disks.path("base.vhdx")


def open_base(path) -> VhdxFile:
    from hyperv_emu.emulator.vhdx import LocalFile

    return VhdxFile.open(LocalFile(path), "D:\\VMs\\base.vhdx")


def test_bad_current_header_falls_back_to_the_other(base):
    good = open_base(base)
    seq, guid = good.header.sequence_number, good.data_write_guid
    good.close()
    flip(base, 0x20000 + 200)  # header 2 (the current one) -> CRC mismatch
    f = open_base(base)
    assert f.header.sequence_number == seq - 1
    assert f.data_write_guid == guid  # both copies carry the same GUIDs
    assert f.read(0, 4096) == b"\x5a" * 4096
    f.close()


def test_bad_header_1_uses_header_2(base):
    flip(base, 0x10000 + 8)  # header 1 sequence number byte, CRC no longer matches
    f = open_base(base)
    assert f.read(0, 10) == b"\x5a" * 10
    f.close()


def test_both_headers_bad_names_file_and_structure(base):
    flip(base, 0x10000 + 100)
    flip(base, 0x20000 + 100)
    with pytest.raises(CorruptVhdxError) as info:
        open_base(base)
    err = info.value
    assert err.structure == "header" and err.path == "D:\\VMs\\base.vhdx"
    assert "D:\\VMs\\base.vhdx" in str(err) and "no valid header" in str(err)


@pytest.mark.parametrize(("offset", "structure"), [(0x30000 + 40, "region table 1"), (0x40000 + 40, "region table 2")])
def test_corrupt_region_table(base, offset, structure):
    flip(base, offset)
    with pytest.raises(CorruptVhdxError) as info:
        open_base(base)
    assert info.value.structure == structure and "base.vhdx" in str(info.value)


@pytest.mark.parametrize(
    ("offset", "data"),
    [
        (METADATA_OFFSET, b"METADATA"),  # signature
        (METADATA_OFFSET + 64 * 1024, struct.pack("<I", 3 * MiB)),  # block size not a power of 2
        (METADATA_OFFSET + 64 * 1024 + 32, struct.pack("<I", 1000)),  # logical sector size
        (METADATA_OFFSET + 32 + 16, struct.pack("<I", 1000)),  # item offset inside the table
        (METADATA_OFFSET + 10, struct.pack("<H", 4)),  # entry count: the 5th item vanishes
    ],
)
def test_corrupt_metadata(base, offset, data):
    patch(base, offset, data)
    with pytest.raises(CorruptVhdxError) as info:
        open_base(base)
    assert info.value.structure == "metadata" and "base.vhdx" in str(info.value)


@pytest.mark.parametrize(
    ("entry", "detail"),
    [
        ((64 * MiB) | 6, "past the end"),  # block beyond EOF
        (4, "state 4"),  # reserved state
        ((8 * MiB) | 7, "partially present in a base"),
        ((3 * MiB) | 6, "overlaps"),  # on top of the BAT region
        (0x100 | 6, "reserved bits"),
    ],
)
def test_corrupt_bat(base, entry, detail):
    patch(base, BAT_OFFSET + 8, struct.pack("<Q", entry))  # block 1
    with pytest.raises(CorruptVhdxError, match=detail) as info:
        open_base(base)
    assert info.value.structure == "BAT" and "base.vhdx" in str(info.value)


def test_corrupt_parent_locator_and_missing_bitmap(disks):
    parent = create_dynamic(disks.create("p.vhdx"), SIZE, name="p.vhdx")
    child = create_differencing(disks.create("c.avhdx"), parent, parent_win_path=win_path("p.vhdx"),
                                child_win_path=win_path("c.avhdx"), name="c.avhdx")
    child.close()
    parent.close()
    path = disks.path("c.avhdx")
    patch(path, BAT_OFFSET, struct.pack("<Q", (4 * MiB) | 7))  # partial block, no bitmap
    with open(path, "r+b") as h:
        h.truncate(6 * MiB)
    with pytest.raises(CorruptVhdxError, match="no sector bitmap") as info:
        open_chain(disks, "c.avhdx")
    assert info.value.structure == "BAT"
    patch(path, BAT_OFFSET, bytes(8))
    patch(path, METADATA_OFFSET + 128 * 1024, uuid.uuid4().bytes_le)  # locator type GUID
    with pytest.raises(CorruptVhdxError) as info:
        open_chain(disks, "c.avhdx")
    assert info.value.structure == "parent locator" and info.value.path == "c.avhdx"


def test_truncated_and_foreign_files(disks):
    p = disks.path("x.vhdx")
    p.write_bytes(b"not a vhdx" + bytes(2 * MiB))
    with pytest.raises(CorruptVhdxError, match="file identifier"):
        open_base(p)
    p.write_bytes(b"vhdxfile")
    with pytest.raises(CorruptVhdxError, match="shorter than 1 MiB"):
        open_base(p)


def test_log_needing_replay_is_refused(base):
    from hyperv_emu.emulator.vhdx.structs import Header

    f = open_base(base)
    log_guid = uuid.uuid4()
    h = f.header
    f.close()
    for i, off in enumerate((0x10000, 0x20000)):
        import attrs

        patch(base, off, attrs.evolve(h, sequence_number=h.sequence_number + 1 + i, log_guid=log_guid).encode())
    # An empty log with a non-zero LogGuid is tolerated (as qemu does) ...
    open_base(base).close()
    # ... but a log entry carrying the LogGuid needs replay, which we refuse.
    entry = b"loge" + bytes(28) + log_guid.bytes_le
    patch(base, MiB, entry)
    with pytest.raises(UnsupportedVhdxError, match="replay"):
        open_base(base)
    with open(base, "rb") as handle:
        assert Header.decode(handle.read()[0x10000:0x11000]).log_guid == log_guid
