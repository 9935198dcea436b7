"""Where the emulator's bytes live: one root under an fsspec URL.

Layout of a root:

    hvemu-state.json        the emulator's metadata (schema version, clock, hosts, VMs, ...)
    hvemu.lock              the lock every process takes before touching the state
    hosts/<host>/<drive>/…  each host's Windows file system, laid out as Hyper-V lays it out

Supported protocols:
- local paths and ``file://``: atomic saves with ``os.replace``, a lock file (filelock) that
  works across processes, and sparse files (a fresh 60 GB disk costs 4 MiB);
- ``memory://``: fsspec's in-process memory file system, for fast tests; disk files are kept
  sparse in memory (`SparseMemoryFile`), a lock per root serialises threads.
Other protocols lack the atomic rename and locking that concurrent saves need; they are refused
with a clear error rather than risking lost updates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import threading
from collections.abc import Iterator
from typing import Any, Protocol

import attrs
import fsspec
from fsspec.implementations.memory import MemoryFile

from emulator.errors import StateError

STATE_FILE = "hvemu-state.json"
LOCK_FILE = "hvemu.lock"
HOSTS_DIR = "hosts"
PAGE = 1 << 20


@attrs.frozen
class Entry:
    name: str
    is_dir: bool
    size: int
    mtime: dt.datetime | None = None


class RandomAccess(Protocol):
    def read_at(self, offset: int, length: int) -> bytes: ...
    def write_at(self, offset: int, data: bytes) -> None: ...
    def size(self) -> int: ...
    def truncate(self, length: int) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class FileStore(Protocol):
    url: str

    def display_path(self, rel: str) -> str: ...
    def exists(self, rel: str) -> bool: ...
    def is_dir(self, rel: str) -> bool: ...
    def read_bytes(self, rel: str) -> bytes: ...
    def write_atomic(self, rel: str, data: bytes) -> None: ...
    def delete(self, rel: str) -> None: ...
    def size(self, rel: str) -> int: ...
    def listdir(self, rel: str) -> list[Entry]: ...
    def makedirs(self, rel: str) -> None: ...
    def create_sparse(self, rel: str, length: int) -> None: ...
    def open_random(self, rel: str) -> RandomAccess: ...
    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def is_empty(self) -> bool: ...
    def remove_all(self) -> None: ...


def _join(root: str, rel: str) -> str:
    return root.rstrip("/") + ("/" + rel if rel else "")


# --- local ------------------------------------------------------------------------------------


class LocalFile:
    """A random-access local file (pread/pwrite); extending by truncate is sparse."""

    def __init__(self, path: str, writable: bool = True) -> None:
        self._fd = os.open(path, (os.O_RDWR if writable else os.O_RDONLY))

    def read_at(self, offset: int, length: int) -> bytes:
        return os.pread(self._fd, length, offset)

    def write_at(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self._fd, view, offset)
            view = view[n:]
            offset += n

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def truncate(self, length: int) -> None:
        os.ftruncate(self._fd, length)

    def flush(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class LocalFileStore:
    def __init__(self, root: str, url: str) -> None:
        self.root = os.path.abspath(root)
        self.url = url
        self._thread_lock = threading.RLock()

    def _p(self, rel: str) -> str:
        path = os.path.normpath(os.path.join(self.root, rel)) if rel else self.root
        if path != self.root and not path.startswith(self.root + os.sep):
            raise StateError(f"Refusing to touch '{path}': it is outside the state root '{self.root}'.")
        return path

    def display_path(self, rel: str) -> str:
        return self._p(rel)

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self._p(rel))

    def is_dir(self, rel: str) -> bool:
        return os.path.isdir(self._p(rel))

    def read_bytes(self, rel: str) -> bytes:
        with open(self._p(rel), "rb") as f:
            return f.read()

    def write_atomic(self, rel: str, data: bytes) -> None:
        path = self._p(rel)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._p(rel))

    def size(self, rel: str) -> int:
        return os.stat(self._p(rel)).st_size

    def listdir(self, rel: str) -> list[Entry]:
        path = self._p(rel)
        out = []
        with os.scandir(path) as it:
            for e in it:
                if e.name.startswith(".tmp-"):
                    continue
                st = e.stat(follow_symlinks=False)
                out.append(Entry(e.name, e.is_dir(follow_symlinks=False), 0 if e.is_dir() else st.st_size))
        return out

    def makedirs(self, rel: str) -> None:
        os.makedirs(self._p(rel), exist_ok=True)

    def create_sparse(self, rel: str, length: int) -> None:
        path = self._p(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(length)

    def open_random(self, rel: str) -> RandomAccess:
        return LocalFile(self._p(rel))

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        import filelock

        os.makedirs(self.root, exist_ok=True)
        with self._thread_lock:
            try:
                with filelock.FileLock(self._p(LOCK_FILE), timeout=60):
                    yield
            except filelock.Timeout as exc:
                raise StateError(f"The state at '{self.root}' is locked by another process (waited 60 s).") from exc

    def is_empty(self) -> bool:
        return not os.path.isdir(self.root) or not [n for n in os.listdir(self.root) if n != LOCK_FILE]

    def remove_all(self) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


# --- memory -----------------------------------------------------------------------------------


class SparseMemoryFile(MemoryFile):  # type: ignore[misc]
    """An in-memory file whose zero pages are never stored, kept in fsspec's memory store so
    that fsspec's listings and sizes see it. Used for disk and memory-state files."""

    def __init__(self, fs: Any = None, path: str | None = None, length: int = 0) -> None:
        super().__init__(fs, path)
        self.pages: dict[int, bytearray] = {}
        self.length = length

    @property
    def size(self) -> int:
        return self.length

    def getvalue(self) -> bytes:
        return self.read_at(0, self.length)

    def read_at(self, offset: int, length: int) -> bytes:
        length = max(0, min(length, self.length - offset))
        out = bytearray(length)
        pos = 0
        while pos < length:
            page, inner = divmod(offset + pos, PAGE)
            n = min(PAGE - inner, length - pos)
            data = self.pages.get(page)
            if data is not None:
                out[pos : pos + n] = data[inner : inner + n]
            pos += n
        return bytes(out)

    def write_at(self, offset: int, data: bytes) -> None:
        pos = 0
        while pos < len(data):
            page, inner = divmod(offset + pos, PAGE)
            n = min(PAGE - inner, len(data) - pos)
            chunk = data[pos : pos + n]
            buf = self.pages.get(page)
            if buf is None:
                if not any(chunk):
                    pos += n
                    continue
                buf = self.pages[page] = bytearray(PAGE)
            buf[inner : inner + n] = chunk
            pos += n
        self.length = max(self.length, offset + len(data))

    def truncate(self, length: int | None = None) -> int:
        length = self.length if length is None else length
        for page in [p for p in self.pages if p * PAGE >= length]:
            del self.pages[page]
        if length % PAGE and (length // PAGE) in self.pages:
            buf = self.pages[length // PAGE]
            buf[length % PAGE :] = bytes(PAGE - length % PAGE)
        self.length = length
        return length

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


class _MemoryRandom:
    def __init__(self, f: SparseMemoryFile) -> None:
        self._f = f

    def read_at(self, offset: int, length: int) -> bytes:
        return self._f.read_at(offset, length)

    def write_at(self, offset: int, data: bytes) -> None:
        self._f.write_at(offset, data)

    def size(self) -> int:
        return self._f.length

    def truncate(self, length: int) -> None:
        self._f.truncate(length)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


_MEMORY_LOCKS: dict[str, threading.RLock] = {}
_MEMORY_LOCKS_GUARD = threading.Lock()


class MemoryFileStore:
    """fsspec's memory file system (its store is process-wide, as fsspec documents)."""

    def __init__(self, fs: Any, root: str, url: str) -> None:
        self.fs = fs
        self.root = "/" + root.strip("/")
        self.url = url
        with _MEMORY_LOCKS_GUARD:
            self._lock = _MEMORY_LOCKS.setdefault(self.root, threading.RLock())

    def _p(self, rel: str) -> str:
        if ".." in rel.split("/"):
            raise StateError(f"Refusing to touch '{rel}': it is outside the state root.")
        return _join(self.root, rel)

    def display_path(self, rel: str) -> str:
        return "memory://" + self._p(rel)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._p(rel)))

    def is_dir(self, rel: str) -> bool:
        return bool(self.fs.isdir(self._p(rel)))

    def read_bytes(self, rel: str) -> bytes:
        obj = self.fs.store.get(self._p(rel))
        if isinstance(obj, SparseMemoryFile):
            return obj.getvalue()
        return bytes(self.fs.cat_file(self._p(rel)))

    def write_atomic(self, rel: str, data: bytes) -> None:
        # A dict assignment: readers see the old or the new bytes, never a mix.
        self.fs.pipe_file(self._p(rel), data)

    def delete(self, rel: str) -> None:
        path = self._p(rel)
        if self.fs.exists(path):
            self.fs.rm_file(path)

    def size(self, rel: str) -> int:
        return int(self.fs.info(self._p(rel))["size"])

    def listdir(self, rel: str) -> list[Entry]:
        out = []
        for info in self.fs.ls(self._p(rel), detail=True):
            name = info["name"].rstrip("/").rsplit("/", 1)[-1]
            is_dir = info["type"] == "directory"
            out.append(Entry(name, is_dir, 0 if is_dir else int(info["size"])))
        return out

    def makedirs(self, rel: str) -> None:
        self.fs.makedirs(self._p(rel), exist_ok=True)

    def create_sparse(self, rel: str, length: int) -> None:
        path = self._p(rel)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        self.fs.store[path] = SparseMemoryFile(self.fs, path, length)

    def open_random(self, rel: str) -> RandomAccess:
        path = self._p(rel)
        obj = self.fs.store.get(path)
        if not isinstance(obj, SparseMemoryFile):
            data = bytes(self.fs.cat_file(path)) if obj is not None else b""
            obj = SparseMemoryFile(self.fs, path, 0)
            obj.write_at(0, data)
            self.fs.store[path] = obj
        return _MemoryRandom(obj)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with self._lock:
            yield

    def is_empty(self) -> bool:
        return not self.fs.exists(self.root) or not self.fs.ls(self.root)

    def remove_all(self) -> None:
        if self.fs.exists(self.root):
            self.fs.rm(self.root, recursive=True)


def open_store(url: str) -> FileStore:
    """The FileStore for a state URL (a local path, ``file://…`` or ``memory://…``)."""
    scheme, _ = fsspec.core.split_protocol(url)
    if scheme is not None and scheme.lower() not in ("file", "local", "memory"):
        # Refused before fsspec builds the file system (which may connect to a server).
        raise StateError(
            f"The state location '{url}' uses the '{scheme}' protocol, which does not offer the atomic "
            "rename and locking that hvemu needs; use a local path, file:// or memory://."
        )
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ValueError, ImportError) as exc:
        raise StateError(f"Cannot open the state location '{url}': {exc}") from exc
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol in ("file", "local"):
        return LocalFileStore(path, url)
    if protocol == "memory":
        return MemoryFileStore(fs, path, url)
    raise StateError(
        f"The state location '{url}' uses the '{protocol}' protocol, which does not offer the atomic "
        "rename and locking that hvemu needs; use a local path, file:// or memory://."
    )
