"""Bulk copies of byte ranges from one random-access file into another: a merge's data path.

A :class:`Copier` takes :class:`Move` s (source offset, target offset, length, whether the
target is fresh space that reads as zeros), joins the adjacent ones into one I/O and copies them:

* between two local files (both have ``fileno``), in the kernel, no byte passing through
  Python: ``os.copy_file_range``; where the kernel refuses it (another file system, an old
  kernel), ``os.sendfile``; where that fails too, ``pread`` in a reader thread overlapping the
  ``pwrite`` of the previous piece. The source is read with sequential advice (a larger
  read-ahead), and every :data:`WRITEBACK_EVERY` bytes the copied ranges are
  handed to writeback (``posix_fadvise(DONTNEED)`` starts it without waiting and drops the
  clean pages), so writing to the disk overlaps the copy, the caller's one sync finds little
  left to do, and the page cache does not fill with a merge's data. Local copies do not look
  at the bytes: the caller splits ranges at the source's holes first (:func:`data_extents`,
  which also knows the holes of memory files), so holes stay holes.
* between other files (memory stores, wrapped files), through Python in pieces of
  :data:`COPY_PIECE`, zero granules not stored where the target already reads zero
  (:func:`~emulator.vhdx.raf.write_sparse`).
"""

from __future__ import annotations

import errno
import mmap
import os
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .layout import MiB
from .raf import ZERO_GRANULE, RandomAccessFile, write_sparse

COPY_PIECE = 8 * MiB
WRITEBACK_EVERY = 8 * MiB
METHODS = ("copy_file_range", "sendfile", "pread")
PIPELINE_BUFFERS = 3
_FALLBACK_ERRNOS = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.ETXTBSY}
)
_ZEROS = bytes(COPY_PIECE)


class Move(NamedTuple):
    """``length`` bytes from source offset ``src`` to target offset ``dst``; ``fresh``: the
    target range reads as zeros (newly allocated), so zeros need not be written there."""

    src: int
    dst: int
    length: int
    fresh: bool


def coalesce(moves: Iterable[Move]) -> list[Move]:
    """The moves in source order, adjacent ones (contiguous on both sides) joined."""
    out: list[Move] = []
    for m in sorted(moves):
        if m.length <= 0:
            continue
        if out:
            last = out[-1]
            if last.src + last.length == m.src and last.dst + last.length == m.dst and last.fresh == m.fresh:
                out[-1] = Move(last.src, last.dst, last.length + m.length, m.fresh)
                continue
        out.append(m)
    return out


def file_descriptor(raf: Any) -> int | None:
    """The descriptor of a local file (its ``fileno``), None for any other file."""
    get = getattr(raf, "fileno", None)
    if get is None:
        return None
    try:
        return int(get())
    except (OSError, ValueError):
        return None


def data_extents(raf: Any, offset: int, length: int) -> list[tuple[int, int]] | None:
    """The ``(offset, length)`` ranges of ``[offset, offset + length)`` that may hold data:
    of a local file by SEEK_DATA / SEEK_HOLE (past the end of the file is a hole), of a file
    that answers ``is_hole`` (a memory store) by 64 KiB granules; None when ``raf`` cannot
    tell (then every byte may be data)."""
    fd = file_descriptor(raf)
    if fd is None:
        probe = getattr(raf, "is_hole", None)
        return None if probe is None else _probed_extents(probe, offset, length)
    end = min(offset + length, os.fstat(fd).st_size)
    out: list[tuple[int, int]] = []
    pos = offset
    try:
        while pos < end:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError as exc:
                if exc.errno == errno.ENXIO:  # no data at or after pos
                    break
                raise
            if start >= end:
                break
            stop = min(end, os.lseek(fd, start, os.SEEK_HOLE))
            out.append((start, stop - start))
            pos = stop
    except OSError:
        return None
    return out


def _probed_extents(probe: Any, offset: int, length: int) -> list[tuple[int, int]]:
    if length <= 0 or probe(offset, length):
        return []
    out: list[tuple[int, int]] = []
    pos, end = offset, offset + length
    while pos < end:
        stop = min(end, (pos // ZERO_GRANULE + 1) * ZERO_GRANULE)
        if not probe(pos, stop - pos):
            if out and out[-1][0] + out[-1][1] == pos:
                out[-1] = (out[-1][0], out[-1][1] + stop - pos)
            else:
                out.append((pos, stop - pos))
        pos = stop
    return out


class Copier:
    """Copies :class:`Move` s from ``src`` into ``dst``; ``method`` forces one of
    :data:`METHODS` for local files (tests), else the best that works is used. Close it
    after use (it may hold read buffers)."""

    def __init__(self, src: RandomAccessFile, dst: RandomAccessFile, method: str | None = None) -> None:
        if method is not None and method not in METHODS:
            raise ValueError(f"unknown copy method {method!r}")
        self._src = src
        self._dst = dst
        self._src_fd = file_descriptor(src)
        self._dst_fd = file_descriptor(dst)
        self.method = method or METHODS[0]
        self._buffers: list[mmap.mmap] = []

    @property
    def local(self) -> bool:
        """Both files are local: the copy runs in the kernel and never looks at the bytes."""
        return self._src_fd is not None and self._dst_fd is not None

    def copy(self, moves: Iterable[Move]) -> int:
        """Copy every move (joined where adjacent); returns the bytes copied."""
        total = 0
        moves = coalesce(moves)
        if self.local and moves:
            self._advise_sequential()
        for m in moves:
            if self.local:
                self._copy_local(m)
            else:
                self._copy_buffered(m)
            total += m.length
        return total

    def close(self) -> None:
        self._buffers = []

    def __enter__(self) -> Copier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ local files

    def _copy_local(self, m: Move) -> None:
        if self.method == "pread":
            self._copy_pipelined(m)
        else:
            self._copy_kernel(m, self.method)

    def _copy_kernel(self, m: Move, method: str) -> None:
        done = kicked = 0
        while done < m.length:
            got = self._kernel_piece(method, m.src + done, m.dst + done, min(COPY_PIECE, m.length - done), m.fresh)
            if got == 0:  # the kernel refused the method: the next one goes on
                method = self.method = METHODS[METHODS.index(method) + 1]
                if method == "pread":
                    self._copy_pipelined(Move(m.src + done, m.dst + done, m.length - done, m.fresh))
                    done = m.length
                continue
            done += got
            if done - kicked >= WRITEBACK_EVERY or done == m.length:
                self._kick(m.src + kicked, m.dst + kicked, done - kicked)
                kicked = done

    def _kernel_piece(self, method: str, src: int, dst: int, n: int, fresh: bool) -> int:
        """Copy up to ``n`` bytes in the kernel; 0 when the kernel refuses ``method``."""
        assert self._src_fd is not None and self._dst_fd is not None
        try:
            if method == "copy_file_range":
                got = os.copy_file_range(self._src_fd, self._dst_fd, n, src, dst)
            else:
                os.lseek(self._dst_fd, dst, os.SEEK_SET)
                got = os.sendfile(self._dst_fd, self._src_fd, src, n)
        except OSError as exc:
            if exc.errno not in _FALLBACK_ERRNOS:
                raise
            return 0
        if got:
            return got
        if src < os.fstat(self._src_fd).st_size:  # pragma: no cover - no progress inside the file
            return 0
        if not fresh:  # past the source's end: the rest reads as zeros
            self._write_zeros(dst, n)
        return n

    def _copy_pipelined(self, m: Move) -> None:
        """A reader thread reads the source into a ring of buffers ahead of the writes here."""
        assert self._src_fd is not None and self._dst_fd is not None
        if not self._buffers:
            self._buffers = [mmap.mmap(-1, COPY_PIECE) for _ in range(PIPELINE_BUFFERS)]
        kicked = 0
        for pos, view in _read_ahead(self._src_fd, m.src, m.length, self._buffers):
            done = 0
            while done < len(view):
                done += os.pwritev(self._dst_fd, [view[done:]], m.dst + pos + done)
            view.release()
            end = pos + done
            if end - kicked >= WRITEBACK_EVERY or end == m.length:
                self._kick(m.src + kicked, m.dst + kicked, end - kicked)
                kicked = end

    def _advise_sequential(self) -> None:
        """The source is read in order: the kernel reads further ahead."""
        assert self._src_fd is not None
        try:
            os.posix_fadvise(self._src_fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        except OSError:  # pragma: no cover - advice only
            pass

    def _kick(self, src: int, dst: int, length: int) -> None:
        """Start writeback of a copied range and drop the source's cached pages."""
        assert self._src_fd is not None and self._dst_fd is not None
        for fd, offset in ((self._dst_fd, dst), (self._src_fd, src)):
            try:
                os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
            except OSError:  # pragma: no cover - advice only
                pass

    def _write_zeros(self, dst: int, length: int) -> None:
        pos = 0
        while pos < length:
            n = min(COPY_PIECE, length - pos)
            self._dst.write_at(dst + pos, _ZEROS[:n])
            pos += n

    # ------------------------------------------------------------------ other files

    def _copy_buffered(self, m: Move) -> None:
        pos = 0
        while pos < m.length:
            n = min(COPY_PIECE, m.length - pos)
            if reads_as_hole(self._src, m.src + pos, n):
                data: bytes = _ZEROS[:n]  # nothing to read; stored only where the target is not zero
            else:
                data = self._src.read_at(m.src + pos, n)
                if len(data) < n:
                    data += bytes(n - len(data))
            write_sparse(self._dst, m.dst + pos, data, target_is_zero=m.fresh)
            pos += n


def reads_as_hole(raf: Any, offset: int, length: int) -> bool:
    """The file says the range is a hole (reads as zeros without being stored); optional."""
    probe = getattr(raf, "is_hole", None)
    return bool(probe(offset, length)) if probe is not None else False


def _read_ahead(fd: int, offset: int, length: int, buffers: list[mmap.mmap]) -> Iterator[tuple[int, memoryview]]:
    """``(position, view)`` pieces of ``[offset, offset + length)`` of ``fd``, read by a thread
    into ``buffers`` ahead of the consumer (who releases each view before the next); past the
    end of the file reads as zeros. The thread stops when the consumer does."""
    free: queue.Queue[int] = queue.Queue()
    for i in range(len(buffers)):
        free.put(i)
    full: queue.Queue[tuple[int, int, int] | BaseException | None] = queue.Queue()
    stop = threading.Event()

    def reader() -> None:
        try:
            pos = 0
            while pos < length:
                try:
                    i = free.get(timeout=0.1)
                except queue.Empty:
                    if stop.is_set():
                        return
                    continue
                if stop.is_set():
                    return
                n = min(len(buffers[i]), length - pos)
                with memoryview(buffers[i]) as view:
                    got = 0
                    while got < n:
                        k = os.preadv(fd, [view[got:n]], offset + pos + got)
                        if k == 0:
                            view[got:n] = bytes(n - got)
                            break
                        got += k
                full.put((pos, i, n))
                pos += n
            full.put(None)
        except BaseException as exc:  # handed to the consumer, raised there
            full.put(exc)

    thread = threading.Thread(target=reader, name="vhdx-merge-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = full.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            pos, i, n = item
            yield pos, memoryview(buffers[i])[:n]
            free.put(i)
    finally:
        stop.set()
        thread.join()
