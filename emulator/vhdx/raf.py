"""Random-access files: the only way the library touches bytes.

The emulator decides where bytes live (a local folder, memory, any fsspec
filesystem); the library only sees :class:`RandomAccessFile` objects.

* :class:`LocalFile` -- ``os.pread``/``os.pwrite`` on a descriptor; holes are
  free on Linux, so extending with :meth:`truncate` costs no disk.
* :class:`SparseMemoryFile` -- a dict of 64 KiB pages; all-zero pages are never
  stored, so a 2 GiB file of zeros costs nothing.

Both also answer the optional ``is_hole(offset, length)`` (not part of the
protocol): a merge skips reading ranges that are holes.
* :class:`FsspecFile` -- whole-file adapter for any other fsspec filesystem
  (loads on open, writes back on flush); fine for small files only.
"""

from __future__ import annotations

import errno
import os
from typing import Any, Iterable, Protocol, runtime_checkable

Buffer = bytes | bytearray | memoryview

PAGE_SIZE = 1 << 20
ZERO_GRANULE = 64 * 1024
_ZERO_PAGE = bytes(PAGE_SIZE)
_ZERO_VIEW = memoryview(_ZERO_PAGE)
_ZERO_GRANULE = bytes(ZERO_GRANULE)
# SparseMemoryFile's page: small, because a VHDX writes a few KiB here and there (headers, region
# tables, metadata, BAT entries) and every page touched is allocated and zeroed whole.
MEMORY_PAGE_SIZE = 64 * 1024
_ZERO_MEMORY_PAGE = bytes(MEMORY_PAGE_SIZE)
_ZERO_MEMORY_VIEW = memoryview(_ZERO_MEMORY_PAGE)


@runtime_checkable
class RandomAccessFile(Protocol):
    """Minimal positional file interface used by the whole library."""

    def read_at(self, offset: int, length: int) -> bytes:
        """Return ``length`` bytes at ``offset``; fewer only when EOF is reached."""
        ...

    def write_at(self, offset: int, data: Buffer) -> None:
        """Write ``data`` at ``offset``, extending the file if needed."""
        ...

    def size(self) -> int:
        """Current file length in bytes."""
        ...

    def truncate(self, length: int) -> None:
        """Set the file length; growing must be sparse (no bytes written)."""
        ...

    def flush(self) -> None:
        """Make previous writes durable (fsync where meaningful)."""
        ...

    def close(self) -> None:
        """Release the file; further calls are errors."""
        ...


def is_zero(data: Buffer) -> bool:
    """True if every byte of ``data`` is zero (memcmp speed; memoryview == is slow)."""
    view = memoryview(data).cast("B")
    n = len(view)
    pos = 0
    while pos < n:
        end = min(n, pos + PAGE_SIZE)
        if view[pos] or view[end - 1]:
            return False
        size = end - pos
        if size == PAGE_SIZE:
            reference = _ZERO_PAGE
        elif size == ZERO_GRANULE:
            reference = _ZERO_GRANULE
        else:
            reference = bytes(size)
        if view[pos:end].tobytes() != reference:
            return False
        pos = end
    return True


def _check_mode(mode: str) -> tuple[bool, bool, bool]:
    """Return (writable, create, truncate) for a mode among r, r+, w, w+, x, x+."""
    table = {
        "r": (False, False, False),
        "rb": (False, False, False),
        "r+": (True, False, False),
        "rb+": (True, False, False),
        "r+b": (True, False, False),
        "w": (True, True, True),
        "w+": (True, True, True),
        "wb": (True, True, True),
        "wb+": (True, True, True),
        "w+b": (True, True, True),
    }
    if mode not in table:
        raise ValueError(f"unsupported mode {mode!r} (use 'r', 'r+' or 'w')")
    return table[mode]


class LocalFile:
    """A local file accessed with pread/pwrite (sparse by nature on Linux)."""

    def __init__(self, path: str | os.PathLike[str], mode: str = "r") -> None:
        writable, create, trunc = _check_mode(mode)
        flags = os.O_RDWR if writable else os.O_RDONLY
        if create:
            flags |= os.O_CREAT
        if trunc:
            flags |= os.O_TRUNC
        self.path = os.fspath(path)
        self.writable = writable
        self._fd: int | None = os.open(self.path, flags | getattr(os, "O_CLOEXEC", 0), 0o666)

    def _desc(self) -> int:
        if self._fd is None:
            raise ValueError(f"{self.path}: file is closed")
        return self._fd

    def read_at(self, offset: int, length: int) -> bytes:
        fd = self._desc()
        data = os.pread(fd, length, offset)
        if len(data) == length or not data:
            return data
        parts = [data]
        got = len(data)
        while got < length:
            more = os.pread(fd, length - got, offset + got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def write_at(self, offset: int, data: Buffer) -> None:
        fd = self._desc()
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.pwrite(fd, view[done:], offset + done)

    def fileno(self) -> int:
        """The descriptor (a merge copies between two local files in the kernel with it)."""
        return self._desc()

    def size(self) -> int:
        return os.fstat(self._desc()).st_size

    def truncate(self, length: int) -> None:
        os.ftruncate(self._desc(), length)

    def flush(self) -> None:
        os.fsync(self._desc())

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def is_hole(self, offset: int, length: int) -> bool:
        """True when ``[offset, offset + length)`` holds no data (SEEK_DATA finds none there),
        so it reads as zeros; False when it may hold data (or the system cannot tell)."""
        fd = self._desc()
        end = offset + length
        if offset >= os.fstat(fd).st_size:
            return True
        try:
            return os.lseek(fd, offset, os.SEEK_DATA) >= end
        except OSError as exc:
            return exc.errno == errno.ENXIO  # no data at or after offset

    def allocated_bytes(self) -> int:
        """Bytes the file really occupies on disk (st_blocks x 512)."""
        return os.fstat(self._desc()).st_blocks * 512

    def __repr__(self) -> str:
        return f"LocalFile({self.path!r})"


class SparseMemoryFile:
    """An in-memory sparse file made of pages (64 KiB unless `page_size` says otherwise: a
    power of two from 512 bytes to 64 KiB); zero pages are never stored, nor a page's
    trailing zeros.

    `clone()` is copy-on-write: the copy shares the pages, and whichever file writes a shared
    page first takes a copy of that one page (`_shared`: the indices of pages another file may
    also hold, never changed in place)."""

    def __init__(self, length: int = 0, *, page_size: int = MEMORY_PAGE_SIZE) -> None:
        if not 512 <= page_size <= MEMORY_PAGE_SIZE or page_size & (page_size - 1):
            raise ValueError(f"page_size must be a power of two from 512 to {MEMORY_PAGE_SIZE}")
        self._pages: dict[int, bytearray] = {}
        self._shared: set[int] = set()
        self._size = length
        self._page = page_size
        self.closed = False

    def read_at(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise ValueError("negative offset or length")
        end = min(offset + length, self._size)
        if end <= offset:
            return b""
        first = offset // self._page
        last = (end - 1) // self._page
        if first == last:
            page = self._pages.get(first)
            lo = offset - first * self._page
            if page is None:
                return bytes(end - offset)
            data = bytes(page[lo : lo + end - offset])
            return data if len(data) == end - offset else data + bytes(end - offset - len(data))
        # zeros, with the stored pages of the range copied in (a few pages of a wide range
        # are found through the page dict rather than by visiting every index)
        out = bytearray(end - offset)
        view = memoryview(out)
        size = self._page
        if last - first < len(self._pages):
            indices: Iterable[int] = range(first, last + 1)
        else:
            indices = [i for i in self._pages if first <= i <= last]
        for index in indices:
            page = self._pages.get(index)
            if page is None:
                continue
            start = index * size
            lo = max(offset, start)
            hi = min(end, start + size)
            chunk = memoryview(page)[lo - start : hi - start]  # (a page's trailing zeros are not stored)
            view[lo - offset : lo - offset + len(chunk)] = chunk
        return bytes(out)

    def write_at(self, offset: int, data: Buffer) -> None:
        if offset < 0:
            raise ValueError("negative offset")
        view = memoryview(data).cast("B")
        pos = 0
        while pos < len(view):
            absolute = offset + pos
            index = absolute // self._page
            lo = absolute - index * self._page
            n = min(self._page - lo, len(view) - pos)
            chunk = view[pos : pos + n]
            page = self._pages.get(index)
            if page is None:
                if not is_zero(chunk):
                    page = bytearray(lo)
                    page += chunk
                    self._pages[index] = page
                    self._trim(index, page)
            else:
                if index in self._shared:
                    page = self._own(index)
                if len(page) < lo:
                    page += bytes(lo - len(page))
                page[lo : lo + n] = chunk
                if lo + n >= len(page):  # the write reached the page's stored end
                    self._trim(index, page)
            pos += n
        self._size = max(self._size, offset + len(view))

    def _trim(self, index: int, page: bytearray) -> None:
        """A stored page ends with its last non-zero byte (a header's 4 KiB page holds a few
        dozen bytes); an all-zero page is not stored."""
        if page and page[-1]:
            return
        kept = len(page.rstrip(b"\0"))
        if kept == 0:
            del self._pages[index]
            self._shared.discard(index)
        else:
            del page[kept:]

    def _own(self, index: int) -> bytearray:
        """The page at `index`, made this file's own (copied) if another file shares it."""
        page = bytearray(self._pages[index])
        self._pages[index] = page
        self._shared.discard(index)
        return page

    def size(self) -> int:
        return self._size

    def truncate(self, length: int) -> None:
        if length < 0:
            raise ValueError("negative length")
        if length < self._size:
            keep = (length + self._page - 1) // self._page
            for index in [i for i in self._pages if i >= keep]:
                del self._pages[index]
                self._shared.discard(index)
            tail = length % self._page
            index = length // self._page
            if tail and index in self._pages:
                page = self._own(index) if index in self._shared else self._pages[index]
                del page[tail:]
                self._trim(index, page)
        self._size = length

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def is_hole(self, offset: int, length: int) -> bool:
        """True when no page of ``[offset, offset + length)`` is stored (it reads as zeros)."""
        if length <= 0:
            return True
        first = offset // self._page
        last = (offset + length - 1) // self._page
        if last - first < len(self._pages):
            return all(i not in self._pages for i in range(first, last + 1))
        return not any(first <= i <= last for i in self._pages)

    def stored_bytes(self) -> int:
        """The size of the pages stored (each counted whole, though its trailing zeros are not
        kept)."""
        return len(self._pages) * self._page

    def clone(self) -> SparseMemoryFile:
        """An independent copy, copy-on-write: it shares this file's pages until either file
        writes one (a state's per-test clone, a copied disk; tests freeze a crash state)."""
        copy = SparseMemoryFile(self._size, page_size=self._page)
        copy._pages = dict(self._pages)
        self._shared = set(self._pages)
        copy._shared = set(self._pages)
        return copy

    def shared_pages(self) -> int:
        """How many of the stored pages are shared with a clone (not yet copied on write)."""
        return len(self._shared)

    def getvalue(self) -> bytes:
        """The whole content (small files only)."""
        return self.read_at(0, self._size)


class FsspecFile:
    """Whole-file adapter for an fsspec filesystem (small files only).

    The content is loaded into a :class:`SparseMemoryFile` on open and written
    back in full by :meth:`flush` and :meth:`close` when it changed.
    """

    def __init__(self, fs: Any, path: str, mode: str = "r") -> None:
        writable, create, trunc = _check_mode(mode)
        self.fs = fs
        self.path = path
        self.writable = writable
        self._buf = SparseMemoryFile()
        self._dirty = False
        exists = bool(fs.exists(path))
        if not exists and not create:
            raise FileNotFoundError(path)
        if exists and not trunc:
            with fs.open(path, "rb") as handle:
                self._buf.write_at(0, handle.read())
        elif create:
            self._dirty = True
            self.flush()

    def read_at(self, offset: int, length: int) -> bytes:
        return self._buf.read_at(offset, length)

    def write_at(self, offset: int, data: Buffer) -> None:
        self._require_writable()
        self._buf.write_at(offset, data)
        self._dirty = True

    def size(self) -> int:
        return self._buf.size()

    def truncate(self, length: int) -> None:
        self._require_writable()
        self._buf.truncate(length)
        self._dirty = True

    def flush(self) -> None:
        if self._dirty and self.writable:
            with self.fs.open(self.path, "wb") as handle:
                pos = 0
                total = self._buf.size()
                while pos < total:
                    n = min(PAGE_SIZE, total - pos)
                    handle.write(self._buf.read_at(pos, n))
                    pos += n
            self._dirty = False

    def close(self) -> None:
        self.flush()

    def _require_writable(self) -> None:
        if not self.writable:
            raise PermissionError(f"{self.path}: opened read-only")


def open_raf(fs: Any, path: str, mode: str = "r") -> RandomAccessFile:
    """Open ``path`` on fsspec filesystem ``fs``.

    A :class:`LocalFile` for fsspec's local filesystem, otherwise a
    :class:`FsspecFile` (whole-file adapter). Modes: ``r``, ``r+``, ``w``.
    """
    _check_mode(mode)
    from fsspec.implementations.local import LocalFileSystem

    if isinstance(fs, LocalFileSystem):
        return LocalFile(str(fs._strip_protocol(path)), mode)
    return FsspecFile(fs, path, mode)


def write_sparse(
    raf: RandomAccessFile,
    offset: int,
    data: Buffer,
    *,
    target_is_zero: bool = False,
    granule: int = ZERO_GRANULE,
) -> int:
    """Write ``data`` at ``offset`` without storing runs of zeros needlessly.

    All-zero granules (aligned to ``granule`` in the file) are skipped when the
    target already reads as zero: always when ``target_is_zero`` (e.g. a freshly
    extended hole), otherwise after reading and comparing the current bytes.
    Returns the number of bytes physically written.
    """
    view = memoryview(data).cast("B")
    total = len(view)
    written = 0
    pos = 0
    run_start = -1  # start (in view) of a pending run of bytes to write
    while pos < total:
        end = min(total, (offset + pos) // granule * granule + granule - offset)
        piece = view[pos:end]
        write_it = True
        if is_zero(piece):
            if target_is_zero:
                write_it = False
            else:
                current = raf.read_at(offset + pos, end - pos)
                write_it = not is_zero(current) and len(current) > 0
        if write_it:
            if run_start < 0:
                run_start = pos
        elif run_start >= 0:
            raf.write_at(offset + run_start, view[run_start:pos])
            written += pos - run_start
            run_start = -1
        pos = end
    if run_start >= 0:
        raf.write_at(offset + run_start, view[run_start:total])
        written += total - run_start
    elif total and offset + total > raf.size():
        raf.truncate(offset + total)  # the skipped zeros still extend the file
    return written
