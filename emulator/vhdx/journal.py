"""Small crash-safe journals for merges.

:class:`JournalStore` is what the merge needs: ``load``/``save``/``clear`` of
one JSON record, where ``save`` is atomic. Two implementations:

* :class:`RafJournal` -- on any :class:`RandomAccessFile`: two 64 KiB slots,
  each with a sequence number and CRC-32C, written alternately (like the VHDX
  headers), so a torn write leaves the previous record readable.
* :class:`LocalFileJournal` -- a local path written as temp file + fsync +
  ``os.replace``.

Callers with another storage implement the three methods themselves.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any, Protocol

import crc32c

from .errors import VhdxError
from .raf import RandomAccessFile

SLOT_SIZE = 64 * 1024
_MAGIC = b"HVXJ"
_SLOT_HEADER = struct.Struct("<4sIQI")  # magic, crc (of seq..payload), seq, payload length


class JournalStore(Protocol):
    """Storage of one journal record; ``save`` must be atomic."""

    def load(self) -> dict[str, Any] | None:
        """The last saved record, or None when empty/cleared."""
        ...

    def save(self, record: dict[str, Any]) -> None:
        """Atomically replace the record and make it durable."""
        ...

    def clear(self) -> None:
        """Forget the record."""
        ...


class RafJournal:
    """A journal in a RandomAccessFile: two alternately written, checksummed slots."""

    def __init__(self, raf: RandomAccessFile) -> None:
        self.raf = raf
        self._seq = -1
        self._slot = 1

    def _read_slot(self, slot: int) -> tuple[int, dict[str, Any]] | None:
        raw = self.raf.read_at(slot * SLOT_SIZE, SLOT_SIZE)
        if len(raw) < _SLOT_HEADER.size:
            return None
        magic, crc, seq, length = _SLOT_HEADER.unpack_from(raw, 0)
        if magic != _MAGIC or _SLOT_HEADER.size + length > len(raw):
            return None
        body = raw[8 : _SLOT_HEADER.size + length]
        if crc32c.crc32c(body) != crc:
            return None
        try:
            record = json.loads(raw[_SLOT_HEADER.size : _SLOT_HEADER.size + length].decode("utf-8"))
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        return int(seq), record

    def load(self) -> dict[str, Any] | None:
        best: tuple[int, int, dict[str, Any]] | None = None
        for slot in (0, 1):
            got = self._read_slot(slot)
            if got is not None and (best is None or got[0] > best[0]):
                best = (got[0], slot, got[1])
        if best is None:
            self._seq, self._slot = -1, 1
            return None
        self._seq, self._slot = best[0], best[1]
        if best[2].get("cleared"):
            return None
        return best[2]

    def save(self, record: dict[str, Any]) -> None:
        if self._seq < 0:
            self.load()
        payload = json.dumps(record, sort_keys=True).encode("utf-8")
        if _SLOT_HEADER.size + len(payload) > SLOT_SIZE:
            raise VhdxError(f"journal record too large ({len(payload)} bytes)")
        seq = self._seq + 1
        slot = 1 - self._slot
        body = struct.pack("<QI", seq, len(payload)) + payload
        raw = _MAGIC + struct.pack("<I", crc32c.crc32c(body)) + body
        self.raf.write_at(slot * SLOT_SIZE, raw)
        self.raf.flush()
        self._seq, self._slot = seq, slot

    def clear(self) -> None:
        self.save({"cleared": True})


class LocalFileJournal:
    """A journal kept in a local file, replaced atomically (temp file, fsync, rename)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)

    def load(self) -> dict[str, Any] | None:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return None
        record = json.loads(raw.decode("utf-8"))
        if not isinstance(record, dict):
            raise VhdxError(f"{self.path}: journal is not a JSON object")
        return record

    def save(self, record: dict[str, Any]) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as handle:
            handle.write(json.dumps(record, sort_keys=True).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(os.path.dirname(os.path.abspath(self.path)))

    def clear(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        _fsync_dir(os.path.dirname(os.path.abspath(self.path)))


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
