"""Sector bitmap arithmetic (one bit per logical sector, LSB first)."""

from __future__ import annotations

import re

_RUNS = re.compile(r"1+|0+")


def extract_bits(raw: bytes, first_bit: int, count: int) -> int:
    """Bits ``first_bit .. first_bit+count-1`` of ``raw`` as an int (bit 0 = first)."""
    value = int.from_bytes(raw, "little") >> first_bit
    return value & ((1 << count) - 1)


def bit_runs(bits: int, count: int) -> list[tuple[int, int, bool]]:
    """Split ``count`` bits into runs ``(start, length, is_set)``, in order."""
    if count <= 0:
        return []
    mask = (1 << count) - 1
    bits &= mask
    if bits == 0:
        return [(0, count, False)]
    if bits == mask:
        return [(0, count, True)]
    text = format(bits, f"0{count}b")[::-1]
    return [(m.start(), m.end() - m.start(), text[m.start()] == "1") for m in _RUNS.finditer(text)]


def byte_span(first_bit: int, count: int) -> tuple[int, int]:
    """Byte range ``(start, end)`` holding bits ``first_bit .. first_bit+count-1``."""
    return first_bit // 8, (first_bit + count - 1) // 8 + 1


def set_bits(raw: bytes, first_bit_in_raw: int, count: int) -> bytes:
    """Return ``raw`` with ``count`` bits set from bit ``first_bit_in_raw``."""
    value = int.from_bytes(raw, "little")
    value |= ((1 << count) - 1) << first_bit_in_raw
    return value.to_bytes(len(raw), "little")


def bits_bytes(first_bit: int, count: int, total_bits: int) -> bytes:
    """A byte string of ``total_bits`` bits (multiple of 8) with only the given bits set."""
    value = ((1 << count) - 1) << first_bit
    return value.to_bytes(total_bits // 8, "little")
