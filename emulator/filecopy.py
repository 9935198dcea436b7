"""Copy a local folder's files as cheaply as the file system allows (`cp --reflink=auto`).

Each file is, in order of preference:

- ``reflink``: a clone of the source's extents (`ioctl FICLONE`, Linux: btrfs, XFS, bcachefs,
  OCFS2...): no data is copied, the file system copies a block when either file writes it;
- ``copy_file_range``: the source's data extents (SEEK_DATA / SEEK_HOLE) copied inside the
  kernel (`os.copy_file_range`; some file systems, NFS among them, clone or copy on the server);
- ``copy``: the same extents read and written (`os.pread` / `os.pwrite`).

Holes stay holes in the last two (a fresh 60 GB disk stays a few MiB). Symbolic links are
copied as links. `emulator.stateclone` uses it for a state in a folder.
"""

from __future__ import annotations

import collections
import errno
import os

FICLONE = 0x40049409  # _IOW(0x94, 9, int), linux/fs.h
CHUNK = 8 << 20
# the errors that mean "this file system (or kernel) cannot do that here": try the next way
_UNSUPPORTED = {errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS}


def _reflink(src: int, dst: int) -> bool:
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return False
    try:
        fcntl.ioctl(dst, FICLONE, src)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return False
        raise
    return True


def _extents(fd: int, size: int) -> list[tuple[int, int]]:
    """The data extents of an open file, as (offset, length)."""
    out = []
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # no data after pos
                break
            return [(0, size)]  # no SEEK_DATA here: all of it is data
        stop = min(size, os.lseek(fd, start, os.SEEK_HOLE))
        out.append((start, stop - start))
        pos = stop
    return out


def _copy_range(src: int, dst: int, offset: int, length: int, in_kernel: bool) -> bool:
    """Copy one extent; returns whether `copy_file_range` still works here."""
    end = offset + length
    while offset < end:
        n = min(CHUNK, end - offset)
        if in_kernel:
            try:
                done = os.copy_file_range(src, dst, n, offset, offset)
            except OSError as exc:
                if exc.errno not in _UNSUPPORTED:
                    raise
                in_kernel = False
                continue
            if done == 0:  # the source is shorter than it was
                return in_kernel
        else:
            data = os.pread(src, n, offset)
            if not data:
                return in_kernel
            done = os.pwrite(dst, data, offset)
        offset += done
    return in_kernel


def copy_file(src: str, dst: str) -> str:
    """Make `dst` (which must not exist) a copy of the regular file `src`; returns how it was
    copied: "reflink", "copy_file_range" or "copy" (see the module docstring)."""
    fin = os.open(src, os.O_RDONLY)
    try:
        fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if _reflink(fin, fout):
                return "reflink"
            size = os.fstat(fin).st_size
            in_kernel = hasattr(os, "copy_file_range")
            for offset, length in _extents(fin, size):
                in_kernel = _copy_range(fin, fout, offset, length, in_kernel)
            os.ftruncate(fout, size)
            return "copy_file_range" if in_kernel else "copy"
        finally:
            os.close(fout)
    finally:
        os.close(fin)


def copy_tree(src: str, dst: str, skip: frozenset[str] = frozenset()) -> collections.Counter[str]:
    """Copy the folder `src` into the folder `dst` (created if missing; its files must not exist
    yet), leaving out the names in `skip` at the top level. Returns how many files were copied
    each way (`copy_file`'s words, and "link" for symbolic links)."""
    how: collections.Counter[str] = collections.Counter()
    os.makedirs(dst, exist_ok=True)
    with os.scandir(src) as entries:
        for entry in entries:
            if entry.name in skip:
                continue
            target = os.path.join(dst, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
                how["link"] += 1
            elif entry.is_dir():
                how += copy_tree(entry.path, target)
            else:
                how[copy_file(entry.path, target)] += 1
    return how
