"""Encoding and decoding of the fixed VHDX structures.

Decoders raise :class:`StructError` with a short detail; the file layer turns
it into a :class:`~emulator.vhdx.errors.CorruptVhdxError` naming the file.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from uuid import UUID

import attrs
import crc32c

from .layout import (
    FILE_SIGNATURE,
    HEADER_SIGNATURE,
    HEADER_SIZE,
    MAX_TABLE_ENTRIES,
    METADATA_SIGNATURE,
    METADATA_TABLE_SIZE,
    REGION_SIGNATURE,
    REGION_TABLE_SIZE,
    VHDX_LOCATOR_TYPE_GUID,
)


class StructError(ValueError):
    """A structure does not decode; the message is the detail."""


def crc32c_of(data: bytes | bytearray, checksum_offset: int) -> int:
    """CRC-32C of ``data`` with its 4-byte checksum field zeroed."""
    buf = bytearray(data)
    buf[checksum_offset : checksum_offset + 4] = b"\0\0\0\0"
    return int(crc32c.crc32c(bytes(buf)))


def _with_crc(buf: bytearray, checksum_offset: int) -> bytes:
    struct.pack_into("<I", buf, checksum_offset, crc32c_of(buf, checksum_offset))
    return bytes(buf)


def guid_text(guid: UUID) -> str:
    """GUID as parent_linkage text: lowercase with braces."""
    return "{" + str(guid).lower() + "}"


def parse_guid_text(text: str) -> UUID | None:
    """Parse a ``{...}`` GUID text; None when it is not one."""
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        stripped = stripped[1:-1]
    try:
        return UUID(stripped)
    except ValueError:
        return None


# --------------------------------------------------------------------------- file identifier


def encode_file_identifier(creator: str) -> bytes:
    raw = FILE_SIGNATURE + creator.encode("utf-16-le")[:512]
    return raw + bytes(64 * 1024 - len(raw))


def check_file_identifier(raw: bytes) -> None:
    if raw[:8] != FILE_SIGNATURE:
        raise StructError(f"signature {raw[:8]!r} is not 'vhdxfile'")


# --------------------------------------------------------------------------- header

_HEADER = struct.Struct("<4sIQ16s16s16sHHIQ")
HEADER_FIELDS_SIZE = _HEADER.size  # the rest of a header's 4 KiB is zeros


@attrs.frozen
class Header:
    """One of the two 4 KiB headers."""

    sequence_number: int
    file_write_guid: UUID
    data_write_guid: UUID
    log_guid: UUID
    log_version: int
    version: int
    log_length: int
    log_offset: int

    def encode(self) -> bytes:
        buf = bytearray(HEADER_SIZE)
        _HEADER.pack_into(
            buf,
            0,
            HEADER_SIGNATURE,
            0,
            self.sequence_number,
            self.file_write_guid.bytes_le,
            self.data_write_guid.bytes_le,
            self.log_guid.bytes_le,
            self.log_version,
            self.version,
            self.log_length,
            self.log_offset,
        )
        return _with_crc(buf, 4)

    @staticmethod
    def decode(raw: bytes) -> Header:
        """Decode and verify signature and CRC-32C."""
        if len(raw) < HEADER_SIZE:
            raise StructError("header truncated")
        raw = raw[:HEADER_SIZE]
        sig, checksum, seq, fwg, dwg, lg, log_version, version, log_length, log_offset = (
            _HEADER.unpack_from(raw, 0)
        )
        if sig != HEADER_SIGNATURE:
            raise StructError(f"signature {sig!r} is not 'head'")
        if crc32c_of(raw, 4) != checksum:
            raise StructError("CRC-32C mismatch")
        return Header(
            sequence_number=seq,
            file_write_guid=UUID(bytes_le=fwg),
            data_write_guid=UUID(bytes_le=dwg),
            log_guid=UUID(bytes_le=lg),
            log_version=log_version,
            version=version,
            log_length=log_length,
            log_offset=log_offset,
        )


# --------------------------------------------------------------------------- region table

_REGION_HEADER = struct.Struct("<4sIII")
_REGION_ENTRY = struct.Struct("<16sQII")


@attrs.frozen
class RegionEntry:
    guid: UUID
    file_offset: int
    length: int
    required: bool


def encode_region_table(entries: Sequence[RegionEntry]) -> bytes:
    buf = bytearray(REGION_TABLE_SIZE)
    _REGION_HEADER.pack_into(buf, 0, REGION_SIGNATURE, 0, len(entries), 0)
    for i, entry in enumerate(entries):
        _REGION_ENTRY.pack_into(
            buf,
            16 + 32 * i,
            entry.guid.bytes_le,
            entry.file_offset,
            entry.length,
            1 if entry.required else 0,
        )
    return _with_crc(buf, 4)


def decode_region_table(raw: bytes) -> list[RegionEntry]:
    if len(raw) < REGION_TABLE_SIZE:
        raise StructError("region table truncated")
    raw = raw[:REGION_TABLE_SIZE]
    sig, checksum, count, _reserved = _REGION_HEADER.unpack_from(raw, 0)
    if sig != REGION_SIGNATURE:
        raise StructError(f"signature {sig!r} is not 'regi'")
    if crc32c_of(raw, 4) != checksum:
        raise StructError("CRC-32C mismatch")
    if count > MAX_TABLE_ENTRIES:
        raise StructError(f"entry count {count} > {MAX_TABLE_ENTRIES}")
    entries = []
    for i in range(count):
        guid, offset, length, required = _REGION_ENTRY.unpack_from(raw, 16 + 32 * i)
        entries.append(RegionEntry(UUID(bytes_le=guid), offset, length, bool(required & 1)))
    return entries


# --------------------------------------------------------------------------- metadata table

_META_HEADER = struct.Struct("<8sHH20s")
_META_ENTRY = struct.Struct("<16sIIII")
META_ENTRY_SIZE = 32
META_USER = 1
META_VIRTUAL_DISK = 2
META_REQUIRED = 4


@attrs.frozen
class MetadataEntry:
    item_id: UUID
    offset: int
    length: int
    is_user: bool
    is_virtual_disk: bool
    is_required: bool

    def encode(self) -> bytes:
        flags = (
            (META_USER if self.is_user else 0)
            | (META_VIRTUAL_DISK if self.is_virtual_disk else 0)
            | (META_REQUIRED if self.is_required else 0)
        )
        return _META_ENTRY.pack(self.item_id.bytes_le, self.offset, self.length, flags, 0)


def metadata_entry_position(index: int) -> int:
    """Byte position of table entry ``index`` inside the metadata region."""
    return _META_HEADER.size + META_ENTRY_SIZE * index


def encode_metadata_table(entries: Sequence[MetadataEntry]) -> bytes:
    buf = bytearray(METADATA_TABLE_SIZE)
    _META_HEADER.pack_into(buf, 0, METADATA_SIGNATURE, 0, len(entries), bytes(20))
    for i, entry in enumerate(entries):
        buf[metadata_entry_position(i) : metadata_entry_position(i) + 32] = entry.encode()
    return bytes(buf)


def decode_metadata_table(raw: bytes) -> list[MetadataEntry]:
    if len(raw) < METADATA_TABLE_SIZE:
        raise StructError("metadata table truncated")
    sig, _reserved, count, _reserved2 = _META_HEADER.unpack_from(raw, 0)
    if sig != METADATA_SIGNATURE:
        raise StructError(f"signature {sig!r} is not 'metadata'")
    if count > MAX_TABLE_ENTRIES:
        raise StructError(f"entry count {count} > {MAX_TABLE_ENTRIES}")
    entries = []
    for i in range(count):
        guid, offset, length, flags, _res = _META_ENTRY.unpack_from(raw, metadata_entry_position(i))
        entries.append(
            MetadataEntry(
                UUID(bytes_le=guid),
                offset,
                length,
                bool(flags & META_USER),
                bool(flags & META_VIRTUAL_DISK),
                bool(flags & META_REQUIRED),
            )
        )
    return entries


# --------------------------------------------------------------------------- metadata items

_FILE_PARAMETERS = struct.Struct("<II")


@attrs.frozen
class FileParameters:
    block_size: int
    leave_blocks_allocated: bool
    has_parent: bool

    def encode(self) -> bytes:
        flags = (1 if self.leave_blocks_allocated else 0) | (2 if self.has_parent else 0)
        return _FILE_PARAMETERS.pack(self.block_size, flags)

    @staticmethod
    def decode(raw: bytes) -> FileParameters:
        if len(raw) < 8:
            raise StructError("file parameters truncated")
        block_size, flags = _FILE_PARAMETERS.unpack_from(raw, 0)
        return FileParameters(block_size, bool(flags & 1), bool(flags & 2))


def encode_u64(value: int) -> bytes:
    return struct.pack("<Q", value)


def encode_u32(value: int) -> bytes:
    return struct.pack("<I", value)


def decode_u64(raw: bytes) -> int:
    if len(raw) < 8:
        raise StructError("item truncated")
    return int(struct.unpack_from("<Q", raw, 0)[0])


def decode_u32(raw: bytes) -> int:
    if len(raw) < 4:
        raise StructError("item truncated")
    return int(struct.unpack_from("<I", raw, 0)[0])


# --------------------------------------------------------------------------- parent locator

_LOCATOR_HEADER = struct.Struct("<16sHH")
_LOCATOR_ENTRY = struct.Struct("<IIHH")

KEY_PARENT_LINKAGE = "parent_linkage"
KEY_PARENT_LINKAGE2 = "parent_linkage2"
KEY_RELATIVE_PATH = "relative_path"
KEY_VOLUME_PATH = "volume_path"
KEY_ABSOLUTE_WIN32_PATH = "absolute_win32_path"
PATH_KEYS = (KEY_RELATIVE_PATH, KEY_VOLUME_PATH, KEY_ABSOLUTE_WIN32_PATH)


def _as_dict(mapping: Mapping[str, str]) -> dict[str, str]:
    return dict(mapping)


@attrs.frozen
class ParentLocator:
    """The VHDX parent locator: key/value strings (UTF-16LE on disk)."""

    entries: dict[str, str] = attrs.field(converter=_as_dict)

    @property
    def parent_linkage(self) -> str | None:
        return self.entries.get(KEY_PARENT_LINKAGE)

    @property
    def parent_linkage2(self) -> str | None:
        return self.entries.get(KEY_PARENT_LINKAGE2)

    @property
    def relative_path(self) -> str | None:
        return self.entries.get(KEY_RELATIVE_PATH)

    @property
    def volume_path(self) -> str | None:
        return self.entries.get(KEY_VOLUME_PATH)

    @property
    def absolute_win32_path(self) -> str | None:
        return self.entries.get(KEY_ABSOLUTE_WIN32_PATH)

    def linkages(self) -> list[UUID]:
        """Acceptable parent DataWriteGuids (parent_linkage, then parent_linkage2)."""
        out = []
        for key in (KEY_PARENT_LINKAGE, KEY_PARENT_LINKAGE2):
            text = self.entries.get(key)
            guid = parse_guid_text(text) if text is not None else None
            if guid is not None:
                out.append(guid)
        return out

    def encode(self) -> bytes:
        items = [(k.encode("utf-16-le"), v.encode("utf-16-le")) for k, v in self.entries.items()]
        table_end = _LOCATOR_HEADER.size + _LOCATOR_ENTRY.size * len(items)
        heap = bytearray()
        table = bytearray(_LOCATOR_HEADER.pack(VHDX_LOCATOR_TYPE_GUID.bytes_le, 0, len(items)))
        for key, value in items:
            key_off = table_end + len(heap)
            heap += key
            value_off = table_end + len(heap)
            heap += value
            table += _LOCATOR_ENTRY.pack(key_off, value_off, len(key), len(value))
        return bytes(table + heap)

    @staticmethod
    def decode(raw: bytes) -> ParentLocator:
        if len(raw) < _LOCATOR_HEADER.size:
            raise StructError("parent locator truncated")
        type_guid, _reserved, count = _LOCATOR_HEADER.unpack_from(raw, 0)
        if UUID(bytes_le=type_guid) != VHDX_LOCATOR_TYPE_GUID:
            raise StructError(f"locator type {UUID(bytes_le=type_guid)} is not the VHDX locator")
        if _LOCATOR_HEADER.size + count * _LOCATOR_ENTRY.size > len(raw):
            raise StructError(f"{count} key/value entries do not fit in the item")
        entries: dict[str, str] = {}
        for i in range(count):
            key_off, value_off, key_len, value_len = _LOCATOR_ENTRY.unpack_from(
                raw, _LOCATOR_HEADER.size + i * _LOCATOR_ENTRY.size
            )
            if key_off == 0 or value_off == 0 or key_len == 0 or value_len == 0:
                raise StructError(f"entry {i} has a zero offset or length")
            if key_off + key_len > len(raw) or value_off + value_len > len(raw):
                raise StructError(f"entry {i} points outside the item")
            try:
                key = raw[key_off : key_off + key_len].decode("utf-16-le")
                value = raw[value_off : value_off + value_len].decode("utf-16-le")
            except UnicodeDecodeError as exc:
                raise StructError(f"entry {i} is not UTF-16LE: {exc}") from exc
            if key in entries:
                raise StructError(f"duplicate key {key!r}")
            entries[key] = value
        if KEY_PARENT_LINKAGE not in entries:
            raise StructError("parent_linkage key missing")
        if not any(k in entries for k in PATH_KEYS):
            raise StructError("no path key (relative_path, volume_path, absolute_win32_path)")
        return ParentLocator(entries)
