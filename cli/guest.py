"""The bytes of `hvemu guest write|read`: byte counts, files streamed in chunks, raw output.

`hvemu guest write --file F` never holds F whole: `read_chunks` yields it 4 MiB at a time and the
command writes each chunk through the SDK at its offset. When F's size is known (a regular
file) its last chunk is written first: a range that runs past the end of the disk (or the
memory) then fails before any byte is written, as one write of the whole file would; the other
chunks follow in order. Standard input (`--file -`) is read in order, chunk by chunk.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

from hyperv_emu.cli.common import CLIError

CHUNK_SIZE = 4 * 1024 * 1024

_SIZE_SUFFIXES = {"": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def byte_count(text: str) -> int:
    """A byte count or offset for argparse: decimal, 0x hexadecimal, or with PowerShell's
    KB/MB/GB/TB suffixes (powers of 1024): `4096`, `0x1000`, `2MB`, `1.5GB`."""
    raw = text.strip().replace("_", "")
    upper = raw.upper()
    suffix = next((s for s in ("KB", "MB", "GB", "TB") if upper.endswith(s)), "")
    number = raw[: len(raw) - len(suffix)].strip()
    try:
        if number.lower().startswith("0x") and not suffix:
            value = int(number, 16)
        else:
            exact = float(number) * _SIZE_SUFFIXES[suffix]
            value = int(exact)
            if value != exact:
                raise ValueError(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a byte count (e.g. 4096, 0x1000, 2MB)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    return value


Chunks = Iterator[tuple[int, bytes]]


@contextlib.contextmanager
def read_chunks(path: str, what: str, chunk_size: int | None = None) -> Iterator[tuple[int | None, Chunks]]:
    """(the size if known, the chunks as (offset in the file, bytes)) of a file, `-` being
    standard input. Yields one empty chunk for an empty input (the write still checks its
    target)."""
    size_of_chunk = chunk_size or CHUNK_SIZE
    if path == "-":
        yield None, _in_order(sys.stdin.buffer, 0, None, size_of_chunk)
        return
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise CLIError(f"{what} '{path}' does not exist.") from None
    except IsADirectoryError:
        raise CLIError(f"{what} '{path}' is a folder, not a file.") from None
    except OSError as exc:
        raise CLIError(f"cannot read {what.lower()} '{path}': {exc.strerror or exc}") from None
    with f:
        stat = os.fstat(f.fileno())
        import stat as st

        size = stat.st_size if st.S_ISREG(stat.st_mode) else None
        yield size, _chunks(f, size, size_of_chunk, path)


def _chunks(f: BinaryIO, size: int | None, chunk_size: int, path: str) -> Chunks:
    try:
        if size is None or size <= chunk_size:
            yield from _in_order(f, 0, None, chunk_size)
            return
        last = (size - 1) // chunk_size * chunk_size
        f.seek(last)
        yield last, f.read(chunk_size)
        f.seek(0)
        yield from _in_order(f, 0, last, chunk_size)
    except OSError as exc:
        raise CLIError(f"cannot read '{path}': {exc.strerror or exc}") from None


def _in_order(f: BinaryIO, offset: int, stop: int | None, chunk_size: int) -> Chunks:
    """Chunks from `offset` up to `stop` (None: the end); one empty chunk for nothing at all."""
    first = True
    while stop is None or offset < stop:
        want = chunk_size if stop is None else min(chunk_size, stop - offset)
        data = f.read(want)
        if not data:
            if first and stop is None:
                yield offset, b""
            return
        first = False
        yield offset, data
        offset += len(data)


def write_bytes(path: str | None, data: bytes) -> None:
    """Raw bytes to standard output (no newline added), or into a file."""
    if path in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    assert path is not None
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise CLIError(f"cannot write '{path}': {exc.strerror or exc}") from None
