"""Independent readers (pyvhdi, dissect.hypervisor, qemu-img) and their workarounds.

libvhdi trap (docs/vhdx-format.md section 4): for a NOT_PRESENT block of a
child, libvhdi still reads the chunk's sector bitmap, and when the bitmap
entry is SB_BLOCK_NOT_PRESENT it takes the "bitmap" from file offset 0 (the
header section) and returns garbage. The library does NOT pre-allocate bitmap
blocks (Hyper-V does not either; the brief forbids it), so the tests hand
pyvhdi a :class:`LibvhdiView` of each file: the real bytes, except that every
SB_BLOCK_NOT_PRESENT bitmap entry is shown as SB_BLOCK_PRESENT pointing at one
virtual all-zero 1 MiB block past the end of the file. By the spec an absent
bitmap means "no sector present", which is exactly an all-zero bitmap, so the
view reads the same disk; everything else libvhdi sees (headers, region
table, metadata, parent locator, linkage, payload) is the file as written.

dissect.hypervisor bugs (doc section 8.3): we read whole disks from offset 0
in one call (bug 1), the library sets bitmap bits in aligned 8-sector groups
(bug 2), and parents are found through relative_path in the child's folder,
so tests keep a chain in one folder.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .checker import MB, parse_and_check

QEMU_IMG = shutil.which("qemu-img")
NO_QEMU_REASON = "qemu-img not installed (Debian package qemu-utils; CI installs it)"


class LibvhdiView(io.RawIOBase):
    """A read-only view of a VHDX file with absent sector bitmaps shown as zero blocks."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self._fh = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        parsed, _problems = parse_and_check(self.path)
        self._real_size = parsed.size
        self._patches: dict[int, bytes] = {}
        self._zero_block = -(-parsed.size // MB) * MB
        self._size = self._zero_block + MB
        if parsed.has_parent:
            cr = parsed.chunk_ratio
            chunks = -(-parsed.payload_blocks // cr)
            for chunk in range(chunks):
                index = chunk * (cr + 1) + cr
                if parsed.bat[index] & 7 == 0:
                    value = self._zero_block | 6
                    self._patches[parsed.bat_offset + index * 8] = struct.pack("<Q", value)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        else:
            self._pos = self._size + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def get_size(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        start = self._pos
        end = min(self._size, start + size)
        if end <= start:
            return b""
        self._fh.seek(start)
        data = bytearray(self._fh.read(max(0, min(end, self._real_size) - start)))
        data += bytes(end - start - len(data))
        for where, patch in self._patches.items():
            if where < end and where + 8 > start:
                lo = max(where, start)
                hi = min(where + 8, end)
                data[lo - start : hi - start] = patch[lo - where : hi - where]
        self._pos = end
        return bytes(data)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


def pyvhdi_open_chain(paths: Sequence[str | os.PathLike[str]], *, patched: bool = True) -> list[object]:
    """Open ``paths`` (top first, base last) with pyvhdi and attach each parent."""
    import pyvhdi

    handles = []
    for path in paths:
        f = pyvhdi.file()
        if patched:
            f.open_file_object(LibvhdiView(path))
        else:
            f.open(os.fspath(path))
        handles.append(f)
    for child, parent in reversed(list(itertools.pairwise(handles))):
        child.set_parent(parent)
    return handles


def pyvhdi_read(paths: Sequence[str | os.PathLike[str]], length: int, *, patched: bool = True) -> bytes:
    handles = pyvhdi_open_chain(paths, patched=patched)
    top = handles[0]
    top.seek(0)  # type: ignore[attr-defined]
    out = bytearray()
    while len(out) < length:
        chunk = top.read(min(64 * MB, length - len(out)))  # type: ignore[attr-defined]
        if not chunk:
            break
        out += chunk
    for h in handles:
        h.close()  # type: ignore[attr-defined]
    return bytes(out)


def dissect_read(path: str | os.PathLike[str], length: int) -> bytes:
    """Whole-disk read from offset 0 in one call (avoids dissect bug 1)."""
    from dissect.hypervisor.disk.vhdx import VHDX

    disk = VHDX(Path(path))
    try:
        disk.seek(0)
        return bytes(disk.read(length))
    finally:
        f = disk
        while f is not None:
            f.fh.close()
            f = f.parent


def qemu(*args: str) -> subprocess.CompletedProcess[str]:
    assert QEMU_IMG is not None
    return subprocess.run([QEMU_IMG, *args], capture_output=True, text=True, timeout=120, check=False)


def qemu_check(path: str | os.PathLike[str]) -> None:
    res = qemu("check", "-f", "vhdx", os.fspath(path))
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "No errors were found" in res.stdout


def qemu_compare(path: str | os.PathLike[str], expected: bytes, tmp_dir: str | os.PathLike[str]) -> None:
    raw = Path(tmp_dir) / (Path(path).name + ".expected.raw")
    raw.write_bytes(expected)
    try:
        res = qemu("compare", "-f", "vhdx", "-F", "raw", os.fspath(path), os.fspath(raw))
        assert res.returncode == 0, (res.stdout, res.stderr)
    finally:
        raw.unlink()
