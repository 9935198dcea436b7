"""One VHDX or AVHDX file: validated open, block map, in-place updates.

A :class:`VhdxFile` validates everything on open (header CRCs with fallback to
the other header, region tables, metadata, BAT) and keeps the BAT in memory.
Updates are done in place in an order that keeps the file valid between any
two writes (data, then sector bitmap, then BAT entry; a new block is always
appended at the end of the file), so a process killed at any point leaves a
file that opens and reads either the old or the new bytes of a write. No log
entries are ever written (LogGuid stays zero).
"""

from __future__ import annotations

import itertools
import uuid
from array import array
from collections.abc import Iterator
from uuid import UUID

import attrs

from . import bitmap
from .errors import CorruptVhdxError, ReadOnlyVhdxError, UnsupportedVhdxError, VhdxError
from .layout import (
    ALIGNMENT,
    BAT_GUID,
    BAT_RESERVED_MASK,
    BITMAP_BLOCK_SIZE,
    DATA_STATES,
    FILE_PARAMETERS_GUID,
    HEADER_OFFSETS,
    HEADER_SECTION_SIZE,
    HEADER_SIZE,
    LOG_ENTRY_SIGNATURE,
    LOGICAL_SECTOR_SIZE_GUID,
    MAX_BLOCK_SIZE,
    MAX_VIRTUAL_SIZE,
    METADATA_GUID,
    METADATA_TABLE_SIZE,
    MIN_BLOCK_SIZE,
    PARENT_LOCATOR_GUID,
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PAYLOAD_BLOCK_NOT_PRESENT,
    PAYLOAD_BLOCK_PARTIALLY_PRESENT,
    PAYLOAD_BLOCK_ZERO,
    PAYLOAD_STATES,
    PHYSICAL_SECTOR_SIZE_GUID,
    REGION_TABLE_OFFSETS,
    REGION_TABLE_SIZE,
    SB_BLOCK_NOT_PRESENT,
    SB_BLOCK_PRESENT,
    SECTOR_SIZES,
    VIRTUAL_DISK_ID_GUID,
    VIRTUAL_DISK_SIZE_GUID,
    ZERO_GUID,
    ZERO_STATES,
    Geometry,
    align_up,
    bat_entry,
    bat_offset,
    bat_state,
)
from .raf import PAGE_SIZE, Buffer, RandomAccessFile, is_zero, write_sparse
from .structs import (
    FileParameters,
    Header,
    MetadataEntry,
    ParentLocator,
    RegionEntry,
    StructError,
    check_file_identifier,
    decode_metadata_table,
    decode_region_table,
    decode_u32,
    decode_u64,
    metadata_entry_position,
)

_ZERO_CHUNK = bytes(PAGE_SIZE)
_KNOWN_ITEMS = frozenset(
    {
        FILE_PARAMETERS_GUID,
        VIRTUAL_DISK_SIZE_GUID,
        VIRTUAL_DISK_ID_GUID,
        LOGICAL_SECTOR_SIZE_GUID,
        PHYSICAL_SECTOR_SIZE_GUID,
        PARENT_LOCATOR_GUID,
    }
)


@attrs.frozen
class Extent:
    """A byte range of a file: ``[offset, offset + length)``, with a label for messages."""

    offset: int
    length: int
    label: str

    @property
    def end(self) -> int:
        return self.offset + self.length


def _check_no_overlap(name: str, structure: str, extents: list[Extent]) -> None:
    ordered = sorted(extents, key=lambda e: (e.offset, e.length))
    for before, after in itertools.pairwise(ordered):
        if after.offset < before.end:
            raise CorruptVhdxError(name, structure, f"{before.label} overlaps {after.label}")


_ZERO_4K = bytes(4096)


def _nonzero_indices(raw: bytes) -> Iterator[int]:
    """Indices of the non-zero u64 entries of ``raw`` (skips zero 4 KiB runs quickly)."""
    for start in range(0, len(raw), 4096):
        if raw[start : start + 4096] == _ZERO_4K[: min(4096, len(raw) - start)]:
            continue
        for pos in range(start, min(len(raw), start + 4096) - 7, 8):
            if raw[pos : pos + 8] != b"\0\0\0\0\0\0\0\0":
                yield pos // 8


class VhdxFile:
    """An open VHDX/AVHDX file. Use :meth:`open`; :meth:`close` closes the raf too."""

    def __init__(
        self,
        raf: RandomAccessFile,
        name: str,
        writable: bool,
        *,
        header: Header,
        header_slot: int,
        bat_region: RegionEntry,
        metadata_region: RegionEntry,
        metadata_entries: list[MetadataEntry],
        geometry: Geometry,
        physical_sector_size: int,
        disk_id: UUID,
        leave_blocks_allocated: bool,
        parent_locator: ParentLocator | None,
        bat: array[int],
        alloc_end: int,
    ) -> None:
        self.raf = raf
        self.name = name
        self._writable = writable
        self._frozen_reason: str | None = None
        self._header = header
        self._header_slot = header_slot
        self._bat_region = bat_region
        self._metadata_region = metadata_region
        self._metadata_entries = metadata_entries
        self.geometry = geometry
        self.physical_sector_size = physical_sector_size
        self.disk_id = disk_id
        self.leave_blocks_allocated = leave_blocks_allocated
        self._parent_locator = parent_locator
        self._bat = bat
        self._alloc_end = alloc_end
        self._session_started = False
        self._data_guid_fixed = False

    # ------------------------------------------------------------------ open

    @classmethod
    def open(cls, raf: RandomAccessFile, name: str, *, writable: bool = False) -> VhdxFile:
        """Parse and validate ``raf``; ``name`` is used in error messages.

        Raises :class:`CorruptVhdxError` (naming file and structure) or
        :class:`UnsupportedVhdxError` (log needing replay, unknown required
        region or metadata item).
        """
        return _Opener(raf, name).open(writable)

    # ------------------------------------------------------------------ properties

    @property
    def writable(self) -> bool:
        return self._writable and self._frozen_reason is None

    @property
    def virtual_size(self) -> int:
        return self.geometry.virtual_size

    @property
    def block_size(self) -> int:
        return self.geometry.block_size

    @property
    def logical_sector_size(self) -> int:
        return self.geometry.logical_sector_size

    @property
    def has_parent(self) -> bool:
        return self.geometry.has_parent

    @property
    def header(self) -> Header:
        """The current header."""
        return self._header

    @property
    def data_write_guid(self) -> UUID:
        return self._header.data_write_guid

    @property
    def file_write_guid(self) -> UUID:
        return self._header.file_write_guid

    @property
    def parent_locator(self) -> ParentLocator | None:
        return self._parent_locator

    @property
    def bat_region(self) -> RegionEntry:
        return self._bat_region

    @property
    def metadata_region(self) -> RegionEntry:
        return self._metadata_region

    def file_size(self) -> int:
        return self.raf.size()

    # ------------------------------------------------------------------ block map

    def block_state(self, block: int) -> tuple[int, int]:
        """``(state, file_offset)`` of payload block ``block``."""
        entry = self._bat[self.geometry.payload_index(block)]
        return bat_state(entry), bat_offset(entry)

    def bitmap_state(self, chunk: int) -> tuple[int, int]:
        """``(state, file_offset)`` of the sector bitmap block of ``chunk``."""
        index = self.geometry.bitmap_index(chunk)
        if index >= len(self._bat):
            return SB_BLOCK_NOT_PRESENT, 0
        entry = self._bat[index]
        return bat_state(entry), bat_offset(entry)

    def iter_blocks(self) -> Iterator[tuple[int, int, int]]:
        """``(block, state, file_offset)`` for every payload block."""
        for block in range(self.geometry.payload_blocks):
            state, offset = self.block_state(block)
            yield block, state, offset

    def allocated_blocks(self, first: int = 0) -> list[int]:
        """The payload blocks from ``first`` on whose state is not NOT_PRESENT, in order.

        Scans the BAT for non-zero entries (a zero entry is NOT_PRESENT), so a
        large, mostly empty disk costs little.
        """
        geo = self.geometry
        period = geo.chunk_ratio + 1
        start = geo.payload_index(first) if first < geo.payload_blocks else len(self._bat)
        out = []
        for index in _nonzero_indices(self._bat[start:].tobytes()):
            index += start
            pos = index % period
            if pos == geo.chunk_ratio:
                continue
            block = index // period * geo.chunk_ratio + pos
            if block < geo.payload_blocks and bat_state(self._bat[index]) != PAYLOAD_BLOCK_NOT_PRESENT:
                out.append(block)
        return out

    def sector_runs(self, block: int, first_sector: int, count: int) -> list[tuple[int, int, bool]]:
        """Runs ``(sector, count, present)`` of a PARTIALLY_PRESENT block's bitmap.

        Sectors are relative to the block; ``present`` means the sector is in this file.
        """
        geo = self.geometry
        sb_state, sb_offset = self.bitmap_state(block // geo.chunk_ratio)
        if sb_state != SB_BLOCK_PRESENT:
            return [(first_sector, count, False)]
        first_bit = (block % geo.chunk_ratio) * geo.sectors_per_block + first_sector
        lo, hi = bitmap.byte_span(first_bit, count)
        raw = self.raf.read_at(sb_offset + lo, hi - lo)
        raw = raw + bytes(hi - lo - len(raw))
        bits = bitmap.extract_bits(raw, first_bit - lo * 8, count)
        return [(first_sector + s, n, p) for s, n, p in bitmap.bit_runs(bits, count)]

    # ------------------------------------------------------------------ reading (base disks)

    def read(self, offset: int, length: int) -> bytes:
        """Read the virtual disk of a base (parentless) file.

        Differencing files must be read through a :class:`~emulator.vhdx.chain.VhdxChain`.
        """
        if self.has_parent:
            raise VhdxError(f"{self.name}: a differencing disk is read through a VhdxChain")
        self._check_range(offset, length)
        out = bytearray(length)
        pos = 0
        bs = self.block_size
        while pos < length:
            voff = offset + pos
            block = voff // bs
            inner = voff - block * bs
            n = min(bs - inner, length - pos)
            state, foff = self.block_state(block)
            if state in DATA_STATES:
                data = self.raf.read_at(foff + inner, n)
                out[pos : pos + len(data)] = data
            pos += n
        return bytes(out)

    # ------------------------------------------------------------------ writing

    def freeze(self, reason: str = "file has children and must not change") -> None:
        """Forbid every further write (used once a child links to this file)."""
        self._frozen_reason = reason

    def write(self, offset: int, data: Buffer) -> None:
        """Write guest data at virtual ``offset``.

        Differencing files need sector-aligned writes (a
        :class:`~emulator.vhdx.chain.VhdxChain` aligns them). Zero ranges never
        allocate space when the target already reads as zero; a whole block of
        zeros becomes a ZERO block.
        """
        view = memoryview(data).cast("B")
        self._write(offset, len(view), view)

    def write_zeros(self, offset: int, length: int) -> None:
        """Make ``[offset, offset+length)`` read as zeros without storing zeros where possible."""
        self._write(offset, length, None)

    def set_data_write_guid(self, guid: UUID) -> None:
        """Set the DataWriteGuid (idempotent) and keep it for the rest of this session.

        Later writes in this session do not rotate it (a merge uses this so that
        the child's ``parent_linkage2`` keeps matching).
        """
        self._require_writable()
        if self._header.data_write_guid != guid:
            file_guid = None if self._session_started else uuid.uuid4()
            self._update_header(file_write_guid=file_guid, data_write_guid=guid)
            self._session_started = True
        self._data_guid_fixed = True

    def set_parent_locator(self, locator: ParentLocator) -> None:
        """Replace the parent locator (idempotent; crash-safe).

        The new item is written to a free part of the metadata region, then the
        32-byte table entry is switched to it in a single write.
        """
        self._require_writable()
        if not self.has_parent:
            raise VhdxError(f"{self.name}: not a differencing disk")
        if self._parent_locator is not None and dict(self._parent_locator.entries) == dict(
            locator.entries
        ):
            return
        encoded = locator.encode()
        index = next(
            i for i, e in enumerate(self._metadata_entries) if e.item_id == PARENT_LOCATOR_GUID
        )
        current = self._metadata_entries[index]
        region_len = self._metadata_region.length
        busy = [Extent(0, METADATA_TABLE_SIZE, "table")]
        busy += [Extent(e.offset, e.length, str(e.item_id)) for e in self._metadata_entries if e.length]
        slot = METADATA_TABLE_SIZE
        while True:
            if slot + len(encoded) > region_len:
                raise VhdxError(f"{self.name}: no room for a new parent locator")
            if all(slot + len(encoded) <= b.offset or slot >= b.end for b in busy):
                break
            slot += METADATA_TABLE_SIZE
        self._begin_modification(guest_visible=False)
        base = self._metadata_region.file_offset
        self.raf.write_at(base + slot, encoded)
        self.raf.flush()
        new_entry = attrs.evolve(current, offset=slot, length=len(encoded))
        self.raf.write_at(base + metadata_entry_position(index), new_entry.encode())
        self.raf.flush()
        self._metadata_entries[index] = new_entry
        self._parent_locator = ParentLocator(dict(locator.entries))

    # ------------------------------------------------------------------ bulk writes (merges)

    def begin_bulk_write(self) -> None:
        """Before bulk writes (:meth:`allocate_blocks`, data into block offsets, then
        :meth:`set_present`): the session's header update, as for any guest write."""
        self._begin_modification(guest_visible=True)

    def reads_zero(self, block: int) -> bool:
        """Block ``block`` reads as zeros in this file alone (no parent's data shows through)."""
        state = self.block_state(block)[0]
        return state in ZERO_STATES or (state == PAYLOAD_BLOCK_NOT_PRESENT and not self.has_parent)

    def allocate_blocks(self, count: int) -> int:
        """File offset of ``count`` new consecutive payload blocks (sparse, one truncate); the
        caller fills them, then makes them the blocks' data with :meth:`set_present`."""
        self._require_writable()
        return self._allocate(count * self.block_size) if count else 0

    def set_present(self, blocks: list[tuple[int, int]]) -> None:
        """Point each ``(block, file_offset)`` at its data (FULLY_PRESENT), in as few BAT writes
        as the entries' positions allow: entries at most one apart are one write (the entry
        between, a sector bitmap's, is rewritten with the value it holds)."""
        self._require_writable()
        base = self._bat_region.file_offset
        indices = sorted(self.geometry.payload_index(b) for b, _ in blocks)
        for block, offset in blocks:
            self._bat[self.geometry.payload_index(block)] = bat_entry(PAYLOAD_BLOCK_FULLY_PRESENT, offset)
        start = 0
        while start < len(indices):
            end = start + 1
            while end < len(indices) and indices[end] <= indices[end - 1] + 2:
                end += 1
            first, last = indices[start], indices[end - 1]
            self.raf.write_at(base + first * 8, self._bat[first : last + 1].tobytes())
            start = end

    def flush(self) -> None:
        self.raf.flush()

    def close(self) -> None:
        self.raf.close()

    # ------------------------------------------------------------------ internals

    def _check_range(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0 or offset + length > self.virtual_size:
            raise ValueError(
                f"{self.name}: range {offset}+{length} outside the virtual disk ({self.virtual_size})"
            )

    def _require_writable(self) -> None:
        if not self._writable:
            raise ReadOnlyVhdxError(self.name)
        if self._frozen_reason is not None:
            raise ReadOnlyVhdxError(self.name, self._frozen_reason)

    def _begin_modification(self, *, guest_visible: bool) -> None:
        """Rotate FileWriteGuid (and DataWriteGuid for guest-visible changes) once a session."""
        self._require_writable()
        file_guid = None if self._session_started else uuid.uuid4()
        data_guid = uuid.uuid4() if guest_visible and not self._data_guid_fixed else None
        if file_guid or data_guid:
            self._update_header(file_write_guid=file_guid, data_write_guid=data_guid)
        self._session_started = True
        if guest_visible:
            self._data_guid_fixed = True

    def _update_header(
        self, *, file_write_guid: UUID | None = None, data_write_guid: UUID | None = None
    ) -> None:
        """Write the header twice (non-current slot first), flushing after each."""
        first = attrs.evolve(
            self._header,
            sequence_number=self._header.sequence_number + 1,
            file_write_guid=file_write_guid or self._header.file_write_guid,
            data_write_guid=data_write_guid or self._header.data_write_guid,
        )
        other = 1 - self._header_slot
        self.raf.write_at(HEADER_OFFSETS[other], first.encode())
        self.raf.flush()
        self._header = first
        self._header_slot = other
        second = attrs.evolve(first, sequence_number=first.sequence_number + 1)
        self.raf.write_at(HEADER_OFFSETS[1 - other], second.encode())
        self.raf.flush()
        self._header = second
        self._header_slot = 1 - other

    def _set_bat(self, index: int, state: int, offset: int) -> None:
        value = bat_entry(state, offset)
        self.raf.write_at(self._bat_region.file_offset + index * 8, value.to_bytes(8, "little"))
        self._bat[index] = value

    def _allocate(self, length: int) -> int:
        """Reserve ``length`` bytes (1 MiB aligned) at the end of the file, sparsely."""
        offset = align_up(max(self._alloc_end, self.raf.size()), ALIGNMENT)
        self._alloc_end = offset + length
        self.raf.truncate(offset + length)
        return offset

    def _ensure_bitmap(self, chunk: int) -> int:
        state, offset = self.bitmap_state(chunk)
        if state == SB_BLOCK_PRESENT:
            return offset
        offset = self._allocate(BITMAP_BLOCK_SIZE)
        self._set_bat(self.geometry.bitmap_index(chunk), SB_BLOCK_PRESENT, offset)
        return offset

    def _set_block_bits(self, block: int, first_sector: int, count: int, *, exact: bool) -> None:
        """Set bitmap bits of ``block``; ``exact`` rewrites the block's whole bit range."""
        geo = self.geometry
        sb_offset = self._ensure_bitmap(block // geo.chunk_ratio)
        block_bit = (block % geo.chunk_ratio) * geo.sectors_per_block
        if exact:
            raw = bitmap.bits_bytes(first_sector, count, geo.sectors_per_block)
            self.raf.write_at(sb_offset + block_bit // 8, raw)
            return
        first_bit = block_bit + first_sector
        lo, hi = bitmap.byte_span(first_bit, count)
        current = self.raf.read_at(sb_offset + lo, hi - lo)
        current = current + bytes(hi - lo - len(current))
        updated = bitmap.set_bits(current, first_bit - lo * 8, count)
        if updated != current:
            self.raf.write_at(sb_offset + lo, updated)

    def _put_data(self, file_offset: int, data: memoryview | None, length: int, fresh: bool) -> None:
        """Store data (None = zeros) at ``file_offset``; ``fresh`` = target is a hole."""
        if data is not None:
            write_sparse(self.raf, file_offset, data, target_is_zero=fresh)
            return
        if fresh:
            return
        pos = 0
        while pos < length:
            n = min(PAGE_SIZE, length - pos)
            write_sparse(self.raf, file_offset + pos, _ZERO_CHUNK[:n], target_is_zero=False)
            pos += n

    def _write(self, offset: int, length: int, data: memoryview | None) -> None:
        self._require_writable()
        self._check_range(offset, length)
        lss = self.logical_sector_size
        if self.has_parent and (offset % lss or length % lss):
            raise ValueError(f"{self.name}: differencing disk writes must be {lss}-byte aligned")
        if length == 0:
            return
        self._begin_modification(guest_visible=True)
        bs = self.block_size
        pos = 0
        while pos < length:
            voff = offset + pos
            block = voff // bs
            inner = voff - block * bs
            n = min(bs - inner, length - pos)
            piece = None if data is None else data[pos : pos + n]
            self._write_piece(block, inner, n, piece)
            pos += n

    def _write_piece(self, block: int, inner: int, n: int, piece: memoryview | None) -> None:
        geo = self.geometry
        whole = inner == 0 and n == geo.block_length(block)
        zero = piece is None or is_zero(piece)
        state, foff = self.block_state(block)
        index = geo.payload_index(block)
        reads_zero = state in ZERO_STATES or (state == PAYLOAD_BLOCK_NOT_PRESENT and not self.has_parent)
        keep_allocated = self.leave_blocks_allocated and state in DATA_STATES
        if zero and whole and not keep_allocated:
            if not reads_zero and state != PAYLOAD_BLOCK_ZERO:
                self._set_bat(index, PAYLOAD_BLOCK_ZERO, 0)
            return
        if state == PAYLOAD_BLOCK_FULLY_PRESENT:
            self._put_data(foff + inner, piece, n, fresh=False)
            return
        if state == PAYLOAD_BLOCK_PARTIALLY_PRESENT:
            self._put_data(foff + inner, piece, n, fresh=False)
            lss = geo.logical_sector_size
            self._set_block_bits(block, inner // lss, n // lss, exact=False)
            return
        if reads_zero:
            if zero:
                return
            new = self._allocate(geo.block_size)
            self._put_data(new + inner, piece, n, fresh=True)
            self._set_bat(index, PAYLOAD_BLOCK_FULLY_PRESENT, new)
            return
        # Differencing disk, block not present: the rest of the block stays with the parent.
        new = self._allocate(geo.block_size)
        self._put_data(new + inner, piece, n, fresh=True)
        if whole:
            self._set_bat(index, PAYLOAD_BLOCK_FULLY_PRESENT, new)
            return
        lss = geo.logical_sector_size
        self._set_block_bits(block, inner // lss, n // lss, exact=True)
        self._set_bat(index, PAYLOAD_BLOCK_PARTIALLY_PRESENT, new)


class _Opener:
    """Parsing and validation of a file being opened."""

    def __init__(self, raf: RandomAccessFile, name: str) -> None:
        self.raf = raf
        self.name = name

    def fail(self, structure: str, detail: str) -> CorruptVhdxError:
        return CorruptVhdxError(self.name, structure, detail)

    def open(self, writable: bool) -> VhdxFile:
        size = self.raf.size()
        if size < HEADER_SECTION_SIZE:
            raise self.fail("header section", f"file is {size} bytes, shorter than 1 MiB")
        # The structures of the header section end with the second region table (320 KiB).
        section = self.raf.read_at(0, max(REGION_TABLE_OFFSETS) + REGION_TABLE_SIZE)
        try:
            check_file_identifier(section)
        except StructError as exc:
            raise self.fail("file identifier", str(exc)) from None
        header, slot = self._headers(section)
        self._check_header(header, size)
        self._check_log(header)
        bat_region, meta_region = self._regions(section, header, size)
        (entries, geometry, pss, disk_id, leave, locator) = self._metadata(meta_region)
        bat, alloc_end = self._bat(bat_region, geometry, size, header, meta_region)
        return VhdxFile(
            self.raf,
            self.name,
            writable,
            header=header,
            header_slot=slot,
            bat_region=bat_region,
            metadata_region=meta_region,
            metadata_entries=entries,
            geometry=geometry,
            physical_sector_size=pss,
            disk_id=disk_id,
            leave_blocks_allocated=leave,
            parent_locator=locator,
            bat=bat,
            alloc_end=alloc_end,
        )

    def _headers(self, section: bytes) -> tuple[Header, int]:
        valid: list[tuple[Header, int, bytes]] = []
        problems = []
        for slot, offset in enumerate(HEADER_OFFSETS):
            raw = section[offset : offset + HEADER_SIZE]
            try:
                valid.append((Header.decode(raw), slot, raw))
            except StructError as exc:
                problems.append(f"header {slot + 1}: {exc}")
        if not valid:
            raise self.fail("header", "no valid header (" + "; ".join(problems) + ")")
        same_seq = len(valid) == 2 and valid[0][0].sequence_number == valid[1][0].sequence_number
        if same_seq and valid[0][2] != valid[1][2]:
            raise self.fail("header", "both headers have the same sequence number but differ")
        best = max(valid, key=lambda v: v[0].sequence_number)
        return best[0], best[1]

    def _check_header(self, header: Header, size: int) -> None:
        if header.version != 1:
            raise self.fail("header", f"version {header.version} is not 1")
        if header.log_version != 0:
            raise self.fail("header", f"log version {header.log_version} is not 0")
        if header.log_offset < ALIGNMENT or header.log_offset % ALIGNMENT:
            raise self.fail("header", f"log offset {header.log_offset:#x} not 1 MiB aligned past 1 MiB")
        if header.log_length == 0 or header.log_length % ALIGNMENT:
            raise self.fail("header", f"log length {header.log_length:#x} not a multiple of 1 MiB")
        if header.log_offset + header.log_length > size:
            raise self.fail("header", "log extends past the end of the file")

    def _check_log(self, header: Header) -> None:
        """Refuse a file whose log holds entries of the active LogGuid (needs replay)."""
        if header.log_guid == ZERO_GUID:
            return
        want = header.log_guid.bytes_le
        pos = 0
        while pos < header.log_length:
            n = min(PAGE_SIZE, header.log_length - pos)
            raw = self.raf.read_at(header.log_offset + pos, n)
            for sector in range(0, len(raw), 4096):
                if raw[sector : sector + 4] == LOG_ENTRY_SIGNATURE and raw[sector + 32 : sector + 48] == want:
                    raise UnsupportedVhdxError(self.name, "the log holds entries that need replay")
            pos += n

    def _regions(self, section: bytes, header: Header, size: int) -> tuple[RegionEntry, RegionEntry]:
        tables = []
        for i, offset in enumerate(REGION_TABLE_OFFSETS):
            raw = section[offset : offset + REGION_TABLE_SIZE]
            try:
                tables.append(decode_region_table(raw))
            except StructError as exc:
                raise self.fail(f"region table {i + 1}", str(exc)) from None
        if tables[0] != tables[1]:
            raise self.fail("region table", "the two copies differ")
        bat = meta = None
        extents = [
            Extent(0, HEADER_SECTION_SIZE, "header section"),
            Extent(header.log_offset, header.log_length, "log"),
        ]
        for entry in tables[0]:
            if entry.guid == BAT_GUID:
                if bat is not None:
                    raise self.fail("region table", "two BAT regions")
                bat = entry
            elif entry.guid == METADATA_GUID:
                if meta is not None:
                    raise self.fail("region table", "two metadata regions")
                meta = entry
            elif entry.required:
                raise UnsupportedVhdxError(self.name, f"unknown required region {entry.guid}")
            if entry.file_offset < ALIGNMENT or entry.file_offset % ALIGNMENT:
                raise self.fail("region table", f"region {entry.guid} offset {entry.file_offset:#x} misaligned")
            if entry.length == 0 or entry.length % ALIGNMENT:
                raise self.fail("region table", f"region {entry.guid} length {entry.length:#x} misaligned")
            if entry.file_offset + entry.length > size:
                raise self.fail("region table", f"region {entry.guid} extends past the end of the file")
            extents.append(Extent(entry.file_offset, entry.length, f"region {entry.guid}"))
        if bat is None or meta is None:
            raise self.fail("region table", "BAT or metadata region missing")
        _check_no_overlap(self.name, "region table", extents)
        return bat, meta

    def _metadata(
        self, region: RegionEntry
    ) -> tuple[list[MetadataEntry], Geometry, int, UUID, bool, ParentLocator | None]:
        raw = self.raf.read_at(region.file_offset, METADATA_TABLE_SIZE)
        try:
            entries = decode_metadata_table(raw)
        except StructError as exc:
            raise self.fail("metadata", str(exc)) from None
        items: dict[UUID, bytes] = {}
        extents = [Extent(0, METADATA_TABLE_SIZE, "metadata table")]
        for entry in entries:
            if entry.item_id in items:
                raise self.fail("metadata", f"item {entry.item_id} listed twice")
            if entry.length == 0:
                if entry.offset != 0:
                    raise self.fail("metadata", f"item {entry.item_id}: empty item with an offset")
            else:
                if entry.offset < METADATA_TABLE_SIZE or entry.offset + entry.length > region.length:
                    raise self.fail("metadata", f"item {entry.item_id} outside the metadata region")
                if entry.length > ALIGNMENT:
                    raise self.fail("metadata", f"item {entry.item_id} longer than 1 MiB")
                extents.append(Extent(entry.offset, entry.length, f"item {entry.item_id}"))
            if entry.item_id not in _KNOWN_ITEMS and entry.is_required:
                raise UnsupportedVhdxError(self.name, f"unknown required metadata item {entry.item_id}")
            item = self.raf.read_at(region.file_offset + entry.offset, entry.length) if entry.length else b""
            items[entry.item_id] = item
        _check_no_overlap(self.name, "metadata", extents)

        def need(guid: UUID, label: str) -> bytes:
            if guid not in items:
                raise self.fail("metadata", f"{label} item missing")
            return items[guid]

        try:
            params = FileParameters.decode(need(FILE_PARAMETERS_GUID, "file parameters"))
            vsize = decode_u64(need(VIRTUAL_DISK_SIZE_GUID, "virtual disk size"))
            disk_id_raw = need(VIRTUAL_DISK_ID_GUID, "virtual disk id")
            lss = decode_u32(need(LOGICAL_SECTOR_SIZE_GUID, "logical sector size"))
            pss = decode_u32(need(PHYSICAL_SECTOR_SIZE_GUID, "physical sector size"))
        except StructError as exc:
            raise self.fail("metadata", str(exc)) from None
        if len(disk_id_raw) < 16:
            raise self.fail("metadata", "virtual disk id truncated")
        bs = params.block_size
        if bs < MIN_BLOCK_SIZE or bs > MAX_BLOCK_SIZE or bs & (bs - 1):
            raise self.fail("metadata", f"block size {bs} is not a power of 2 in 1 MiB..256 MiB")
        if lss not in SECTOR_SIZES:
            raise self.fail("metadata", f"logical sector size {lss} is not 512 or 4096")
        if pss not in SECTOR_SIZES:
            raise self.fail("metadata", f"physical sector size {pss} is not 512 or 4096")
        if vsize == 0 or vsize % lss or vsize > MAX_VIRTUAL_SIZE:
            raise self.fail("metadata", f"virtual disk size {vsize} invalid")
        locator = None
        if params.has_parent:
            try:
                locator = ParentLocator.decode(need(PARENT_LOCATOR_GUID, "parent locator"))
            except StructError as exc:
                raise self.fail("parent locator", str(exc)) from None
        geometry = Geometry(vsize, bs, lss, params.has_parent)
        disk_id = UUID(bytes_le=disk_id_raw[:16])
        return entries, geometry, pss, disk_id, params.leave_blocks_allocated, locator

    def _bat(
        self,
        region: RegionEntry,
        geo: Geometry,
        size: int,
        header: Header,
        meta_region: RegionEntry,
    ) -> tuple[array[int], int]:
        count = geo.bat_entries
        if count * 8 > region.length:
            raise self.fail("BAT", f"region holds {region.length // 8} entries, {count} needed")
        bat: array[int] = array("Q")
        raw_bat = self.raf.read_at(region.file_offset, count * 8)
        bat.frombytes(raw_bat[: len(raw_bat) // 8 * 8])
        if len(bat) != count:
            raise self.fail("BAT", "region truncated")
        extents = [
            Extent(0, HEADER_SECTION_SIZE, "header section"),
            Extent(header.log_offset, header.log_length, "log"),
            Extent(region.file_offset, region.length, "BAT region"),
            Extent(meta_region.file_offset, meta_region.length, "metadata region"),
        ]
        end = max(e.end for e in extents)
        period = geo.chunk_ratio + 1
        partial_chunks = set()
        for index in _nonzero_indices(raw_bat):
            entry = bat[index]
            state = entry & 7
            if entry & BAT_RESERVED_MASK:
                raise self.fail("BAT", f"entry {index} has reserved bits set")
            offset = bat_offset(entry)
            if index % period == geo.chunk_ratio:
                if state not in (SB_BLOCK_NOT_PRESENT, SB_BLOCK_PRESENT):
                    raise self.fail("BAT", f"sector bitmap entry {index} has state {state}")
                if state == SB_BLOCK_PRESENT:
                    if not geo.has_parent:
                        raise self.fail("BAT", f"sector bitmap entry {index} present in a base disk")
                    length = BITMAP_BLOCK_SIZE
                else:
                    continue
            else:
                if state not in PAYLOAD_STATES:
                    raise self.fail("BAT", f"payload entry {index} has state {state}")
                if state not in DATA_STATES:
                    continue
                if state == PAYLOAD_BLOCK_PARTIALLY_PRESENT:
                    if not geo.has_parent:
                        raise self.fail("BAT", f"payload entry {index} partially present in a base disk")
                    partial_chunks.add(index // period)
                length = geo.block_size
            if offset < ALIGNMENT:
                raise self.fail("BAT", f"entry {index} points into the header section")
            if offset + length > size:
                raise self.fail("BAT", f"entry {index} block ends at {offset + length:#x}, past the end of the file ({size:#x})")
            extents.append(Extent(offset, length, f"block of BAT entry {index}"))
            end = max(end, offset + length)
        for chunk in partial_chunks:
            index = geo.bitmap_index(chunk)
            if index >= len(bat) or bat_state(bat[index]) != SB_BLOCK_PRESENT:
                raise self.fail("BAT", f"chunk {chunk} has partially present blocks but no sector bitmap")
        _check_no_overlap(self.name, "BAT", extents)
        return bat, align_up(max(end, size), ALIGNMENT)
