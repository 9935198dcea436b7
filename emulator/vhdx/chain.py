"""Chains: a top file and its parents down to the base, read as one disk.

Reads resolve each *unit* (the smallest block size of the chain) once into a
list of runs ``(start, end, source, file_offset)`` and cache it, so a read at
chain depth 32 costs the same as at depth 1 once the unit is resolved.
Writes go to the top file only; every other file of the chain is opened
read-only (a file with children must never change).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Sequence

from .errors import ParentLinkageError, VhdxError
from .layout import (
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PAYLOAD_BLOCK_NOT_PRESENT,
    PAYLOAD_BLOCK_PARTIALLY_PRESENT,
)
from .paths import resolve_parent_name
from .raf import Buffer, RandomAccessFile
from .structs import ParentLocator
from .vhdxfile import VhdxFile

Opener = Callable[[str, bool], RandomAccessFile]
"""``opener(name, writable)`` returns the file called ``name`` (read-only unless writable)."""

ParentResolver = Callable[[str, ParentLocator], str]
"""``resolver(child_name, locator)`` returns the opener name of the child's parent."""

Run = tuple[int, int, int, int]  # start, end (in unit), source level (-1 = zeros), file offset

MAX_DEPTH = 256
DEFAULT_CACHE_UNITS = 1 << 16


def check_linkage(child: VhdxFile, parent: VhdxFile) -> None:
    """Raise :class:`ParentLinkageError` unless ``parent`` is ``child``'s parent."""
    locator = child.parent_locator
    if locator is None:
        raise ParentLinkageError(child.name, parent.name, "child has no parent locator")
    if parent.data_write_guid not in locator.linkages():
        raise ParentLinkageError(
            child.name,
            parent.name,
            f"parent_linkage {locator.parent_linkage} does not match the parent's "
            f"DataWriteGuid {{{parent.data_write_guid}}}",
        )
    if parent.virtual_size != child.virtual_size:
        raise ParentLinkageError(child.name, parent.name, "virtual sizes differ")
    if parent.logical_sector_size != child.logical_sector_size:
        raise ParentLinkageError(child.name, parent.name, "logical sector sizes differ")


class VhdxChain:
    """A validated chain ``files[0]`` (top) -> ... -> ``files[-1]`` (base)."""

    def __init__(self, files: Sequence[VhdxFile], *, cache_units: int = DEFAULT_CACHE_UNITS) -> None:
        if not files:
            raise ValueError("empty chain")
        for child, parent in itertools.pairwise(files):
            if not child.has_parent:
                raise VhdxError(f"{child.name}: base disk cannot have a parent in a chain")
            check_linkage(child, parent)
        if files[-1].has_parent:
            raise VhdxError(f"{files[-1].name}: differencing disk without its parent")
        self.files = list(files)
        self.unit = min(f.block_size for f in self.files)
        self.virtual_size = files[0].virtual_size
        self.logical_sector_size = files[0].logical_sector_size
        self._rafs = [f.raf for f in self.files]
        self._cache: dict[int, tuple[list[int], list[Run]]] = {}
        self._cache_units = cache_units

    @property
    def top(self) -> VhdxFile:
        """The only file of the chain that may be written."""
        return self.files[0]

    @property
    def depth(self) -> int:
        return len(self.files)

    # ------------------------------------------------------------------ reading

    def read(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes of the virtual disk at ``offset``."""
        if offset < 0 or length < 0 or offset + length > self.virtual_size:
            raise ValueError(f"range {offset}+{length} outside the virtual disk ({self.virtual_size})")
        unit = self.unit
        first = offset // unit
        if (offset + length - 1) // unit == first and length:
            return self._read_in_unit(first, offset - first * unit, length)
        parts = []
        pos = offset
        end = offset + length
        while pos < end:
            u = pos // unit
            inner = pos - u * unit
            n = min(unit - inner, end - pos)
            parts.append(self._read_in_unit(u, inner, n))
            pos += n
        return b"".join(parts)

    def _read_in_unit(self, unit_index: int, inner: int, length: int) -> bytes:
        resolved = self._cache.get(unit_index)
        if resolved is None:
            resolved = self._resolve(unit_index)
        starts, runs = resolved
        i = bisect_right(starts, inner) - 1
        start, end, source, foff = runs[i]
        if inner + length <= end:
            if source < 0:
                return bytes(length)
            return self._pread(source, foff + inner - start, length)
        parts = []
        pos = inner
        stop = inner + length
        while pos < stop:
            start, end, source, foff = runs[i]
            n = min(end, stop) - pos
            if source < 0:
                parts.append(bytes(n))
            else:
                parts.append(self._pread(source, foff + pos - start, n))
            pos += n
            i += 1
        return b"".join(parts)

    def _pread(self, source: int, offset: int, length: int) -> bytes:
        data = self._rafs[source].read_at(offset, length)
        if len(data) < length:
            data += bytes(length - len(data))
        return data

    def _resolve(self, unit_index: int) -> tuple[list[int], list[Run]]:
        unit = self.unit
        ustart = unit_index * unit
        ulen = min(unit, self.virtual_size - ustart)
        lss = self.logical_sector_size
        pending: list[tuple[int, int]] = [(0, ulen)]
        runs: list[Run] = []
        for level, f in enumerate(self.files):
            if not pending:
                break
            bs = f.block_size
            block = ustart // bs
            base = ustart - block * bs  # unit start inside the block
            state, foff = f.block_state(block)
            if state == PAYLOAD_BLOCK_NOT_PRESENT and f.has_parent:
                continue
            if state == PAYLOAD_BLOCK_FULLY_PRESENT:
                runs += [(s, e, level, foff + base + s) for s, e in pending]
                pending = []
            elif state == PAYLOAD_BLOCK_PARTIALLY_PRESENT:
                present = [
                    (sector * lss - base, (sector + count) * lss - base)
                    for sector, count, here in f.sector_runs(block, base // lss, ulen // lss)
                    if here
                ]
                taken, pending = _split(pending, present)
                runs += [(s, e, level, foff + base + s) for s, e in taken]
            else:  # ZERO, UNDEFINED, UNMAPPED, or NOT_PRESENT in the base
                runs += [(s, e, -1, 0) for s, e in pending]
                pending = []
        runs += [(s, e, -1, 0) for s, e in pending]
        runs.sort()
        merged: list[Run] = []
        for run in runs:
            if merged:
                ps, pe, psrc, poff = merged[-1]
                if psrc == run[2] and pe == run[0] and (psrc < 0 or poff + (pe - ps) == run[3]):
                    merged[-1] = (ps, run[1], psrc, poff)
                    continue
            merged.append(run)
        result = ([r[0] for r in merged], merged)
        if len(self._cache) >= self._cache_units:
            self._cache.clear()
        self._cache[unit_index] = result
        return result

    # ------------------------------------------------------------------ writing

    def write(self, offset: int, data: Buffer) -> None:
        """Write to the top file (unaligned edges are completed from the chain's view).

        A differencing top gets its sector bitmap set in aligned groups of 8
        sectors (4 KiB at 512-byte sectors), as Hyper-V does.
        """
        view = memoryview(data).cast("B")
        length = len(view)
        if offset < 0 or offset + length > self.virtual_size:
            raise ValueError(f"range {offset}+{length} outside the virtual disk ({self.virtual_size})")
        if length == 0:
            return
        top = self.top
        if top.has_parent:
            granule = 8 * self.logical_sector_size
            start = offset // granule * granule
            end = min(self.virtual_size, -(-(offset + length) // granule) * granule)
            if start != offset or end != offset + length:
                head = self.read(start, offset - start)
                tail = self.read(offset + length, end - offset - length)
                view = memoryview(b"".join((head, view, tail)))
                offset, length = start, end - start
        try:
            top.write(offset, view)
        finally:
            self._invalidate(offset, length)

    def write_zeros(self, offset: int, length: int) -> None:
        """Make a range of the top read as zeros (no zeros stored where avoidable)."""
        if offset < 0 or length < 0 or offset + length > self.virtual_size:
            raise ValueError(f"range {offset}+{length} outside the virtual disk ({self.virtual_size})")
        granule = 8 * self.logical_sector_size if self.top.has_parent else 1
        start = -(-offset // granule) * granule
        end = (offset + length) // granule * granule
        if offset + length == self.virtual_size:
            end = offset + length
        if end <= start:
            self.write(offset, bytes(length))
            return
        if start > offset:
            self.write(offset, bytes(start - offset))
        try:
            self.top.write_zeros(start, end - start)
        finally:
            self._invalidate(start, end - start)
        if offset + length > end:
            self.write(end, bytes(offset + length - end))

    def _invalidate(self, offset: int, length: int) -> None:
        if length <= 0:
            return
        first = offset // self.unit
        last = (offset + length - 1) // self.unit
        if last - first > len(self._cache):
            for key in [k for k in self._cache if first <= k <= last]:
                del self._cache[key]
        else:
            for key in range(first, last + 1):
                self._cache.pop(key, None)

    def invalidate_cache(self) -> None:
        """Forget every resolved unit (call after the files changed behind this object)."""
        self._cache.clear()

    def flush(self) -> None:
        self.top.flush()

    def close(self) -> None:
        """Close every file of the chain."""
        for f in self.files:
            f.close()


def _split(
    pending: list[tuple[int, int]], present: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Intersect sorted disjoint interval lists: (parts of pending in present, the rest)."""
    taken: list[tuple[int, int]] = []
    rest: list[tuple[int, int]] = []
    ends = [pe for _ps, pe in present]
    for s, e in pending:
        pos = s
        j = bisect_right(ends, pos)
        while j < len(present) and pos < e:
            ps, pe = present[j]
            if ps >= e:
                break
            if ps > pos:
                rest.append((pos, ps))
                pos = ps
            stop = min(pe, e)
            taken.append((pos, stop))
            pos = stop
            j += 1
        if pos < e:
            rest.append((pos, e))
    return taken, rest


def open_chain(
    opener: Opener,
    name: str,
    *,
    writable: bool = True,
    resolver: ParentResolver = resolve_parent_name,
    cache_units: int = DEFAULT_CACHE_UNITS,
) -> VhdxChain:
    """Open ``name`` and its parents (found through ``resolver``) as a chain.

    Only the top is opened writable (when ``writable``); parents are opened
    read-only and checked against each child's parent_linkage (or
    parent_linkage2) before use.
    """
    files: list[VhdxFile] = []
    try:
        current = VhdxFile.open(opener(name, writable), name, writable=writable)
        files.append(current)
        seen = {name}
        while current.has_parent:
            if len(files) >= MAX_DEPTH:
                raise VhdxError(f"{name}: chain deeper than {MAX_DEPTH}")
            assert current.parent_locator is not None
            parent_name = resolver(current.name, current.parent_locator)
            if parent_name in seen:
                raise VhdxError(f"{current.name}: parent chain loops back to {parent_name}")
            seen.add(parent_name)
            parent = VhdxFile.open(opener(parent_name, False), parent_name, writable=False)
            files.append(parent)
            check_linkage(current, parent)
            current = parent
        return VhdxChain(files, cache_units=cache_units)
    except BaseException:
        for f in files:
            f.close()
        raise
