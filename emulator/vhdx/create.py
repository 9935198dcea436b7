"""Creation of dynamic base disks and differencing disks.

Layout of every file created here (all offsets 1 MiB aligned)::

    0      header section: identifier, headers (seq 1, 2), region tables
    1 MiB  log (1 MiB, all zero: never written, a sparse hole)
    2 MiB  metadata region (table, items from +64 KiB, parent locator at +128 KiB)
    3 MiB  BAT (entries x 8 rounded up to 1 MiB; zero, so a hole)
    ...    blocks appended later at the end of the file

A fresh 60 GB dynamic disk or a fresh AVHDX is therefore 4 MiB long and
occupies a few KiB. Sector bitmap blocks are allocated when a block first
becomes partially present, as Hyper-V does (none at creation).
"""

from __future__ import annotations

import functools
import uuid
from uuid import UUID

import attrs

from .layout import (
    BAT_GUID,
    BAT_OFFSET,
    DEFAULT_DIFFERENCING_BLOCK_SIZE,
    DEFAULT_DYNAMIC_BLOCK_SIZE,
    FILE_PARAMETERS_GUID,
    HEADER_OFFSETS,
    LOG_LENGTH,
    LOG_OFFSET,
    LOGICAL_SECTOR_SIZE_GUID,
    MAX_BLOCK_SIZE,
    MAX_VIRTUAL_SIZE,
    METADATA_GUID,
    METADATA_LENGTH,
    METADATA_OFFSET,
    METADATA_TABLE_SIZE,
    MIN_BLOCK_SIZE,
    PARENT_LOCATOR_GUID,
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PHYSICAL_SECTOR_SIZE_GUID,
    REGION_TABLE_OFFSETS,
    SECTOR_SIZES,
    VIRTUAL_DISK_ID_GUID,
    VIRTUAL_DISK_SIZE_GUID,
    ZERO_GUID,
    Geometry,
    KiB,
    bat_entry,
)
from .paths import absolute_win32_path, relative_win_path
from .raf import RandomAccessFile
from .structs import (
    HEADER_FIELDS_SIZE,
    KEY_ABSOLUTE_WIN32_PATH,
    KEY_PARENT_LINKAGE,
    KEY_RELATIVE_PATH,
    FileParameters,
    Header,
    MetadataEntry,
    ParentLocator,
    RegionEntry,
    encode_file_identifier,
    encode_metadata_table,
    encode_region_table,
    encode_u32,
    encode_u64,
    guid_text,
    metadata_entry_position,
)
from .vhdxfile import VhdxFile

DEFAULT_CREATOR = "hyperv-emu vhdx"
FRESH_FILE_LENGTH = BAT_OFFSET + 1024 * KiB  # for disks whose BAT fits in 1 MiB
_ITEMS_OFFSET = METADATA_TABLE_SIZE
_LOCATOR_OFFSET = 2 * METADATA_TABLE_SIZE


@attrs.frozen
class DiskIdentity:
    """What a differencing disk takes from its parent: the virtual size, the sector sizes, the
    Virtual Disk ID and the current DataWriteGuid (the parent locator's linkage). The writers
    return the new file's; `identity_of` reads an open file's."""

    virtual_size: int
    logical_sector_size: int
    physical_sector_size: int
    disk_id: UUID
    data_write_guid: UUID


def identity_of(f: VhdxFile) -> DiskIdentity:
    return DiskIdentity(f.virtual_size, f.logical_sector_size, f.physical_sector_size, f.disk_id,
                        f.data_write_guid)


def _validate(virtual_size: int, block_size: int, lss: int, pss: int) -> None:
    if block_size < MIN_BLOCK_SIZE or block_size > MAX_BLOCK_SIZE or block_size & (block_size - 1):
        raise ValueError(f"block size {block_size} is not a power of 2 in 1 MiB..256 MiB")
    if lss not in SECTOR_SIZES or pss not in SECTOR_SIZES:
        raise ValueError("sector sizes must be 512 or 4096")
    if virtual_size <= 0 or virtual_size % lss or virtual_size > MAX_VIRTUAL_SIZE:
        raise ValueError(f"virtual size {virtual_size} must be a positive multiple of {lss} <= 64 TiB")


def _metadata_pieces(
    geometry: Geometry,
    pss: int,
    disk_id: UUID,
    locator: ParentLocator | None,
    fixed: bool = False,
) -> list[tuple[int, bytes, int]]:
    """The metadata region's parts, (offset in the region, bytes, how many of them are not
    padding): the table, the items from +64 KiB, the parent locator at +128 KiB; the rest of
    the region is zero."""
    params = FileParameters(geometry.block_size, fixed, geometry.has_parent).encode()
    values = b"".join((params, encode_u64(geometry.virtual_size), disk_id.bytes_le,
                       encode_u32(geometry.logical_sector_size), encode_u32(pss)))
    pieces = [(_ITEMS_OFFSET, values, len(values))]
    locator_length = None
    if locator is not None:
        raw = locator.encode()
        pieces.append((_LOCATOR_OFFSET, raw, len(raw)))
        locator_length = len(raw)
    table = _metadata_table(locator_length)
    return [(0, table, len(table)), *pieces]


@functools.lru_cache(maxsize=64)
def _metadata_table(locator_length: int | None) -> bytes:
    """The metadata table (its entries, without the zeros after them) of the items
    `_metadata_pieces` writes: it depends only on the parent locator's length."""
    entries = []
    pos = _ITEMS_OFFSET
    for guid, length, virtual_disk in ((FILE_PARAMETERS_GUID, 8, False), (VIRTUAL_DISK_SIZE_GUID, 8, True),
                                       (VIRTUAL_DISK_ID_GUID, 16, True), (LOGICAL_SECTOR_SIZE_GUID, 4, True),
                                       (PHYSICAL_SECTOR_SIZE_GUID, 4, True)):
        entries.append(MetadataEntry(guid, pos, length, False, virtual_disk, True))
        pos += length
    if locator_length is not None:
        entries.append(MetadataEntry(PARENT_LOCATOR_GUID, _LOCATOR_OFFSET, locator_length, False, False, True))
    return encode_metadata_table(entries)[:metadata_entry_position(len(entries))]


def _put(raf: RandomAccessFile, offset: int, data: bytes, used: int) -> None:
    """Write the first `used` bytes of `data` into a freshly truncated file: the zeros after
    them already read as zeros (a hole, or the extension the final truncate makes)."""
    raf.write_at(offset, memoryview(data)[:used])


def _build(
    raf: RandomAccessFile,
    name: str,
    geometry: Geometry,
    pss: int,
    disk_id: UUID,
    locator: ParentLocator | None,
    creator: str,
    *,
    present_blocks: int = 0,
    length: int = 0,
    fixed: bool = False,
) -> VhdxFile:
    """Write a complete new file (`_write`) and open it."""
    _write(raf, geometry, pss, disk_id, locator, creator, present_blocks=present_blocks, length=length,
           fixed=fixed)
    return VhdxFile.open(raf, name, writable=True)


def _write(
    raf: RandomAccessFile,
    geometry: Geometry,
    pss: int,
    disk_id: UUID,
    locator: ParentLocator | None,
    creator: str,
    *,
    present_blocks: int = 0,
    length: int = 0,
    fixed: bool = False,
) -> DiskIdentity:
    """Write a complete new file; headers go last so a torn creation never opens. Returns
    the new file's identity."""
    bat_length = geometry.bat_length
    data_start = BAT_OFFSET + bat_length
    raf.truncate(0)
    # each structure is written up to its last entry: the rest of it is zeros
    _put(raf, 0, encode_file_identifier(creator), 8 + len(creator.encode("utf-16-le")[:512]))
    regions = [
        RegionEntry(BAT_GUID, BAT_OFFSET, bat_length, True),
        RegionEntry(METADATA_GUID, METADATA_OFFSET, METADATA_LENGTH, True),
    ]
    table = encode_region_table(regions)
    for offset in REGION_TABLE_OFFSETS:
        _put(raf, offset, table, 16 + 32 * len(regions))
    for offset, raw, used in _metadata_pieces(geometry, pss, disk_id, locator, fixed):
        _put(raf, METADATA_OFFSET + offset, raw, used)
    if present_blocks:
        bs = geometry.block_size
        last_index = geometry.payload_index(present_blocks - 1)
        entries = bytearray((last_index + 1) * 8)
        for block in range(present_blocks):
            value = bat_entry(PAYLOAD_BLOCK_FULLY_PRESENT, data_start + block * bs)
            index = geometry.payload_index(block)
            entries[index * 8 : index * 8 + 8] = value.to_bytes(8, "little")
        raf.write_at(BAT_OFFSET, entries)
    raf.truncate(max(data_start + present_blocks * geometry.block_size, length))
    raf.flush()
    file_guid = uuid.uuid4()
    data_guid = uuid.uuid4()
    for seq, offset in ((1, HEADER_OFFSETS[0]), (2, HEADER_OFFSETS[1])):
        header = Header(seq, file_guid, data_guid, ZERO_GUID, 0, 1, LOG_LENGTH, LOG_OFFSET)
        _put(raf, offset, header.encode(), HEADER_FIELDS_SIZE)
    raf.flush()
    return DiskIdentity(geometry.virtual_size, geometry.logical_sector_size, pss, disk_id, data_guid)


def write_dynamic(
    raf: RandomAccessFile,
    virtual_size: int,
    *,
    block_size: int = DEFAULT_DYNAMIC_BLOCK_SIZE,
    logical_sector_size: int = 512,
    physical_sector_size: int = 4096,
    disk_id: UUID | None = None,
    creator: str = DEFAULT_CREATOR,
) -> DiskIdentity:
    """:func:`create_dynamic` without opening the new file (a caller that only makes it does
    not pay for parsing it again); returns the new file's identity."""
    _validate(virtual_size, block_size, logical_sector_size, physical_sector_size)
    geometry = Geometry(virtual_size, block_size, logical_sector_size, False)
    return _write(raf, geometry, physical_sector_size, disk_id or uuid.uuid4(), None, creator)


def create_dynamic(
    raf: RandomAccessFile,
    virtual_size: int,
    *,
    name: str = "<new vhdx>",
    block_size: int = DEFAULT_DYNAMIC_BLOCK_SIZE,
    logical_sector_size: int = 512,
    physical_sector_size: int = 4096,
    disk_id: UUID | None = None,
    creator: str = DEFAULT_CREATOR,
) -> VhdxFile:
    """Create an empty dynamic base disk in ``raf`` (truncated first); returns it open for writing."""
    write_dynamic(raf, virtual_size, block_size=block_size, logical_sector_size=logical_sector_size,
                  physical_sector_size=physical_sector_size, disk_id=disk_id, creator=creator)
    return VhdxFile.open(raf, name, writable=True)


def create_fixed(
    raf: RandomAccessFile,
    virtual_size: int,
    *,
    name: str = "<new vhdx>",
    block_size: int = DEFAULT_DYNAMIC_BLOCK_SIZE,
    logical_sector_size: int = 512,
    physical_sector_size: int = 4096,
    disk_id: UUID | None = None,
    creator: str = DEFAULT_CREATOR,
) -> VhdxFile:
    """Create a fixed base disk (LeaveBlocksAllocated): every payload block FULLY_PRESENT at
    its place after the BAT, the file as long as its blocks. The blocks are never written, so
    the file is sparse and reads as zeros."""
    _validate(virtual_size, block_size, logical_sector_size, physical_sector_size)
    geometry = Geometry(virtual_size, block_size, logical_sector_size, False)
    return _build(
        raf, name, geometry, physical_sector_size, disk_id or uuid.uuid4(), None, creator,
        present_blocks=geometry.payload_blocks, fixed=True,
    )


def parent_locator_for(parent: VhdxFile, parent_win_path: str, child_win_path: str) -> ParentLocator:
    """The locator Hyper-V writes: linkage to the parent's current DataWriteGuid and its paths."""
    return make_parent_locator(parent.data_write_guid, parent_win_path, child_win_path)


def make_parent_locator(parent_guid: UUID, parent_win_path: str, child_win_path: str) -> ParentLocator:
    """A locator with ``parent_linkage`` = ``parent_guid``, ``relative_path`` and ``absolute_win32_path``."""
    entries = {KEY_PARENT_LINKAGE: guid_text(parent_guid)}
    rel = relative_win_path(child_win_path, parent_win_path)
    if rel is not None:
        entries[KEY_RELATIVE_PATH] = rel
    entries[KEY_ABSOLUTE_WIN32_PATH] = absolute_win32_path(parent_win_path)
    return ParentLocator(entries)


def create_differencing(
    raf: RandomAccessFile,
    parent: VhdxFile,
    *,
    parent_win_path: str,
    child_win_path: str,
    name: str = "<new avhdx>",
    block_size: int = DEFAULT_DIFFERENCING_BLOCK_SIZE,
    creator: str = DEFAULT_CREATOR,
) -> VhdxFile:
    """Create an empty differencing disk (``.avhdx``) of ``parent``; returns it open for writing.

    The child links to the parent's current DataWriteGuid, copies its virtual
    size, Virtual Disk ID and sector sizes, and records ``relative_path``
    (computed from the two Windows paths) and ``absolute_win32_path``. The
    ``parent`` object is frozen: a file with children must never change.
    """
    return create_differencing_with_length(
        raf,
        parent,
        parent_win_path=parent_win_path,
        child_win_path=child_win_path,
        length=0,
        name=name,
        block_size=block_size,
        creator=creator,
    )


def create_differencing_with_length(
    raf: RandomAccessFile,
    parent: VhdxFile,
    *,
    parent_win_path: str,
    child_win_path: str,
    length: int,
    name: str = "<new avhdx>",
    block_size: int = DEFAULT_DIFFERENCING_BLOCK_SIZE,
    creator: str = DEFAULT_CREATOR,
) -> VhdxFile:
    """Like :func:`create_differencing`, with a file exactly ``max(fresh size, length)`` long.

    The space past the fresh file holds the first ``n`` payload blocks,
    FULLY_PRESENT but never written (sparse holes): those blocks read as zeros
    through this child, hiding the parent there. A remainder smaller than a
    block (or beyond the last block) is a sparse extension. Costs no disk.
    """
    write_differencing(raf, parent, parent_win_path=parent_win_path, child_win_path=child_win_path,
                       length=length, block_size=block_size, creator=creator)
    return VhdxFile.open(raf, name, writable=True)


def write_differencing(
    raf: RandomAccessFile,
    parent: VhdxFile | DiskIdentity,
    *,
    parent_win_path: str,
    child_win_path: str,
    length: int = 0,
    block_size: int = DEFAULT_DIFFERENCING_BLOCK_SIZE,
    creator: str = DEFAULT_CREATOR,
) -> DiskIdentity:
    """:func:`create_differencing_with_length` without opening the new file; returns the new
    file's identity. The parent is an open file (frozen here: a file with children must never
    change) or the identity its writer returned (a caller that made the parent a moment before
    need not open it again)."""
    _validate(parent.virtual_size, block_size, parent.logical_sector_size, parent.physical_sector_size)
    if length < 0:
        raise ValueError("length must be >= 0")
    geometry = Geometry(parent.virtual_size, block_size, parent.logical_sector_size, True)
    locator = make_parent_locator(parent.data_write_guid, parent_win_path, child_win_path)
    data_start = BAT_OFFSET + geometry.bat_length
    present = 0
    if length > data_start:
        present = min(geometry.payload_blocks, (length - data_start) // block_size)
    made = _write(
        raf,
        geometry,
        parent.physical_sector_size,
        parent.disk_id,
        locator,
        creator,
        present_blocks=present,
        length=length,
    )
    if isinstance(parent, VhdxFile):
        parent.freeze()
    return made
