"""One slice of a merge's copy phase: child blocks folded into the parent in bulk.

:func:`fold_blocks` reads the child's block map for the slice's blocks and sorts every
range of child data by what the parent's block there is:

* **fresh** -- the parent's block reads as zeros by itself (a base disk's absent block, any
  ZERO state), or is absent from a differencing parent and the child covers all of it: the
  slice allocates all such blocks at once, consecutively at the end of the file, copies the
  data there (holes stay holes), syncs, then points the BAT entries at them (adjacent entries
  in one write). A crash before the BAT write leaves unused space at the end of the file.
* **in place** -- the parent's block is FULLY_PRESENT: the data is copied to its place in it.
* **other** -- a PARTIALLY_PRESENT parent block, or a differencing parent's absent block the
  child covers in part: the ordinary write path (sector bitmaps), piece by piece.

The copies of the first two kinds are joined where adjacent and run by a
:class:`~emulator.vhdx.bulkcopy.Copier` (in the kernel between local files). Ranges of the
child that read as zeros (ZERO blocks, holes of a local file) are never copied: nothing is
written where the parent already reads zero, and a whole zero block becomes a ZERO block.
Everything is idempotent, so replaying a slice after a crash is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .bulkcopy import Copier, Move, data_extents, reads_as_hole
from .layout import (
    PAYLOAD_BLOCK_FULLY_PRESENT,
    PAYLOAD_BLOCK_NOT_PRESENT,
    PAYLOAD_BLOCK_PARTIALLY_PRESENT,
    ZERO_STATES,
    MiB,
)
from .vhdxfile import VhdxFile

PIECE = 8 * MiB


class Piece(NamedTuple):
    """``length`` bytes of the child's view at virtual offset ``voff``: data at child file
    offset ``src``, or zeros when ``src`` is None."""

    voff: int
    length: int
    src: int | None


def child_pieces(child: VhdxFile, block: int, *, split_holes: bool) -> list[Piece]:
    """What block ``block`` of the child holds: its present ranges, in order; with
    ``split_holes`` the ranges the child's file stores nowhere (holes, as
    :func:`~emulator.vhdx.bulkcopy.data_extents` finds them) become zero pieces."""
    state, foff = child.block_state(block)
    geo = child.geometry
    vstart = block * geo.block_size
    blen = geo.block_length(block)
    if state == PAYLOAD_BLOCK_NOT_PRESENT:
        return []
    if state in ZERO_STATES:
        return [Piece(vstart, blen, None)]
    if state == PAYLOAD_BLOCK_FULLY_PRESENT:
        runs = [(0, blen)]
    elif state == PAYLOAD_BLOCK_PARTIALLY_PRESENT:
        lss = geo.logical_sector_size
        runs = [(s * lss, n * lss) for s, n, present in child.sector_runs(block, 0, blen // lss) if present]
    else:  # pragma: no cover - states are validated on open
        raise ValueError(f"{child.name}: block {block} has state {state}")
    out: list[Piece] = []
    for start, length in runs:
        extents = data_extents(child.raf, foff + start, length) if split_holes else None
        if extents is None:
            out.append(Piece(vstart + start, length, foff + start))
            continue
        pos = foff + start
        for ext_start, ext_len in extents + [(foff + start + length, 0)]:
            if ext_start > pos:  # a hole: zeros
                out.append(Piece(vstart + pos - foff, ext_start - pos, None))
            if ext_len:
                out.append(Piece(vstart + ext_start - foff, ext_len, ext_start))
            pos = ext_start + ext_len
    return out


def _by_parent_block(pieces: list[Piece], block_size: int) -> dict[int, list[Piece]]:
    """The pieces grouped by the parent's block, split where they cross a block boundary."""
    out: dict[int, list[Piece]] = {}
    for p in pieces:
        voff, length, src = p
        while length:
            block = voff // block_size
            n = min(length, (block + 1) * block_size - voff)
            out.setdefault(block, []).append(Piece(voff, n, src))
            voff += n
            length -= n
            src = None if src is None else src + n
    return out


def fold_blocks(child: VhdxFile, parent: VhdxFile, blocks: Sequence[int], copier: Copier) -> None:
    """Write the child's sectors of ``blocks`` into ``parent`` (see the module's text)."""
    pieces: list[Piece] = []
    for block in blocks:
        pieces.extend(child_pieces(child, block, split_holes=True))
    if not pieces:
        return
    bs = parent.block_size
    parent.begin_bulk_write()
    moves: list[Move] = []
    fresh: list[tuple[int, list[Piece]]] = []
    others: list[Piece] = []
    for pblock, group in sorted(_by_parent_block(pieces, bs).items()):
        state, pfoff = parent.block_state(pblock)
        has_data = any(p.src is not None for p in group)
        if state == PAYLOAD_BLOCK_FULLY_PRESENT:
            for p in group:
                if p.src is None:
                    others.append(p)
                else:
                    moves.append(Move(p.src, pfoff + p.voff - pblock * bs, p.length, False))
        elif has_data and (
            parent.reads_zero(pblock)
            or (
                state == PAYLOAD_BLOCK_NOT_PRESENT
                and sum(p.length for p in group) == parent.geometry.block_length(pblock)
            )
        ):
            fresh.append((pblock, group))
        elif has_data or not parent.reads_zero(pblock):
            others.extend(group)
    placed: list[tuple[int, int]] = []
    if fresh:
        first = parent.allocate_blocks(len(fresh))
        for i, (pblock, group) in enumerate(fresh):
            offset = first + i * bs
            placed.append((pblock, offset))
            moves.extend(
                Move(p.src, offset + p.voff - pblock * bs, p.length, True) for p in group if p.src is not None
            )
    copier.copy(moves)
    for p in _join_zeros(others):
        _write_through(child, parent, p)
    if placed:
        parent.flush()  # the data is durable before the BAT points at it
        parent.set_present(placed)


def _join_zeros(pieces: list[Piece]) -> list[Piece]:
    """Adjacent zero pieces as one (a parent block they cover whole becomes a ZERO block)."""
    out: list[Piece] = []
    for p in pieces:
        last = out[-1] if out else None
        if last is not None and p.src is None and last.src is None and last.voff + last.length == p.voff:
            out[-1] = Piece(last.voff, last.length + p.length, None)
        else:
            out.append(p)
    return out


def _write_through(child: VhdxFile, parent: VhdxFile, p: Piece) -> None:
    """The ordinary write path for one piece (zeros, or data read in pieces of 8 MiB)."""
    if p.src is None:
        parent.write_zeros(p.voff, p.length)
        return
    pos = 0
    while pos < p.length:
        n = min(PIECE, p.length - pos)
        if reads_as_hole(child.raf, p.src + pos, n):
            parent.write_zeros(p.voff + pos, n)
        else:
            data = child.raf.read_at(p.src + pos, n)
            if len(data) < n:
                data += bytes(n - len(data))
            parent.write(p.voff + pos, data)
        pos += n

