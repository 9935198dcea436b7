from __future__ import annotations

import ntpath
import uuid

import crc32c
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperv_emu.emulator.vhdx import (
    ParentLocator,
    absolute_win32_path,
    relative_win_path,
    resolve_parent_name,
)
from hyperv_emu.emulator.vhdx.layout import BAT_GUID, Geometry
from hyperv_emu.emulator.vhdx.structs import (
    Header,
    RegionEntry,
    StructError,
    decode_region_table,
    encode_region_table,
)

MiB = 1 << 20


def test_crc32c_and_guid_layout():
    assert crc32c.crc32c(b"123456789") == 0xE3069283
    assert BAT_GUID.bytes_le == bytes.fromhex("6677c22d23f600429d64115e9bfd4a08")


def test_header_roundtrip_and_crc():
    h = Header(7, uuid.uuid4(), uuid.uuid4(), uuid.UUID(int=0), 0, 1, MiB, MiB)
    raw = h.encode()
    assert len(raw) == 4096
    assert Header.decode(raw) == h
    bad = bytearray(raw)
    bad[100] ^= 1
    with pytest.raises(StructError, match="CRC"):
        Header.decode(bytes(bad))


def test_region_table_roundtrip():
    entries = [RegionEntry(BAT_GUID, 3 * MiB, MiB, True)]
    raw = encode_region_table(entries)
    assert len(raw) == 64 * 1024
    assert decode_region_table(raw) == entries


def test_parent_locator_roundtrip_and_linkages():
    g = uuid.uuid4()
    loc = ParentLocator(
        {"parent_linkage": "{" + str(g) + "}", "relative_path": ".\\a.vhdx", "absolute_win32_path": "\\\\?\\D:\\a.vhdx"}
    )
    back = ParentLocator.decode(loc.encode())
    assert back == loc
    assert back.linkages() == [g]
    with pytest.raises(StructError):
        ParentLocator.decode(ParentLocator({"relative_path": "x"}).encode())
    with pytest.raises(StructError):
        ParentLocator.decode(ParentLocator({"parent_linkage": "{" + str(g) + "}"}).encode())


def test_windows_paths():
    child = "D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01_E1B438CE-4624-4BD3-AA84-2DCAE6D64395.avhdx"
    parent = "D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx"
    assert relative_win_path(child, parent) == ".\\SRV-APP01.vhdx"
    assert relative_win_path("D:\\VMs\\a\\c.avhdx", "D:\\VMs\\x\\base.vhdx") == "..\\x\\base.vhdx"
    assert relative_win_path("\\\\?\\D:\\VMs\\c.avhdx", "d:\\VMs\\sub\\b.vhdx") == ".\\sub\\b.vhdx"
    assert relative_win_path("D:\\VMs\\c.avhdx", "E:\\VMs\\b.vhdx") is None
    assert absolute_win32_path(parent) == "\\\\?\\D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx"
    assert absolute_win32_path("\\\\?\\D:\\x.vhdx") == "\\\\?\\D:\\x.vhdx"


_PART = st.sampled_from(["VMs", "vms", "a", "A", "Virtual Hard Disks", "x.vhdx", "X.VHDX", "..", "."])
_WIN_PATH = st.tuples(st.sampled_from(["D:\\", "d:\\", "E:\\", "\\\\?\\D:\\"]),
                      st.lists(_PART, min_size=1, max_size=4)).map(lambda t: t[0] + "\\".join(t[1]))


@given(child=_WIN_PATH, parent=_WIN_PATH)
def test_relative_paths_are_what_ntpath_relpath_makes_of_them(child: str, parent: str) -> None:
    # (the same folder is answered without relpath: the answer must not differ)
    got = relative_win_path(child, parent)
    c = ntpath.normpath(child.removeprefix("\\\\?\\"))
    p = ntpath.normpath(parent.removeprefix("\\\\?\\"))
    if ntpath.splitdrive(c)[0].lower() != ntpath.splitdrive(p)[0].lower():
        assert got is None
        return
    try:
        rel = ntpath.relpath(p, ntpath.dirname(c))
    except ValueError:
        assert got is None
        return
    assert got == (rel if rel.startswith("..") else ".\\" + rel)


def test_default_parent_resolver():
    loc = ParentLocator({"parent_linkage": "{" + str(uuid.uuid4()) + "}", "relative_path": "..\\b\\base.vhdx"})
    assert resolve_parent_name("/data/vms/a/c.avhdx", loc) == "/data/vms/b/base.vhdx"
    assert resolve_parent_name("D:\\vms\\a\\c.avhdx", loc) == "D:\\vms\\b\\base.vhdx"
    assert resolve_parent_name("memory://st/a/c.avhdx", loc) == "memory://st/b/base.vhdx"
    assert resolve_parent_name("c.avhdx", ParentLocator({"parent_linkage": "{x}", "relative_path": ".\\p.vhdx"})) == "p.vhdx"


@pytest.mark.parametrize(
    ("block", "lss", "ratio"), [(MiB, 512, 4096), (2 * MiB, 512, 2048), (32 * MiB, 512, 128), (256 * MiB, 4096, 128)]
)
def test_geometry(block, lss, ratio):
    g = Geometry(10 * (1 << 30), block, lss, False)
    assert g.chunk_ratio == ratio
    assert g.payload_index(ratio) == ratio + 1
    assert g.bitmap_index(0) == ratio
    child = Geometry(10 * (1 << 30), block, lss, True)
    assert child.bat_entries == child.bitmap_blocks * (ratio + 1)
