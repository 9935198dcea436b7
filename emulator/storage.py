"""Where the emulator's bytes live: one root under an fsspec URL.

Layout of a root:

    hvemu-state.db          the emulator's metadata (schema version, clock, hosts, VMs, ...):
                            a SQLite database, one row per object (`emulator.statedb`), in WAL
                            mode (with its -wal and -shm files)
    hvemu-state.json        the metadata as one JSON document, from releases before the
                            database: migrated into it when the state is first opened
    hvemu.lock              the lock every process takes before changing the state or its files
    hosts/<host>/<drive>/…  each host's Windows file system, laid out as Hyper-V lays it out

Supported protocols:
- local paths and ``file://``: atomic saves with ``os.replace``, a lock file (filelock) that
  works across processes, and sparse files (a fresh 60 GB disk costs 4 MiB);
- ``memory://``: fsspec's in-process memory file system, for fast tests; disk and memory-state
  files are kept sparse in memory (the VHDX library's `SparseMemoryFile`: zero pages are never
  stored), a lock per root serialises threads. The database is an in-memory SQLite database
  shared by every connection of the process (`mode=memory&cache=shared`), kept alive by a
  keeper connection that is itself an entry of fsspec's memory store (`_DatabaseEntry`): the
  store is the one registry, and removing the root removes the database with it.

Random access (`FileStore.open_random`) hands out objects of the VHDX library's
`RandomAccessFile` protocol (`emulator.vhdx.raf`): its `LocalFile` (pread/pwrite) for local
roots, its `SparseMemoryFile` for memory roots. There is one implementation of each.
Other protocols lack the atomic rename and locking that concurrent saves need; they are refused
with a clear error rather than risking lost updates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import fsspec
from fsspec.implementations.memory import MemoryFile

from hyperv_emu.emulator.errors import AccessDenied, StateError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.storebatch import Batch, Syncer

if TYPE_CHECKING:
    from filelock import BaseFileLock

    from hyperv_emu.emulator.vhdx.raf import Buffer, LocalFile, RandomAccessFile, SparseMemoryFile

STATE_FILE = "hvemu-state.json"  # the metadata before the database (migrated on open)
STATE_DB = "hvemu-state.db"
LOCK_FILE = "hvemu.lock"
HOSTS_DIR = "hosts"
PAGE = 1 << 20
MEMORY_STORE_PAGE = 4096  # the pages of a memory state's files (SparseMemoryFile)


@attrs.frozen(eq=False, repr=False)
class Entry(Fieldwise):
    name: str
    is_dir: bool
    size: int
    mtime: dt.datetime | None = None


class Database(Protocol):
    """A connection to a store's state database (`FileStore.open_database`)."""

    conn: sqlite3.Connection
    wal: bool  # a file database: WAL mode, readers need no lock

    def valid(self) -> bool:
        """False once the database file was removed or replaced (open it again)."""
        ...

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
    def signature(self, rel: str) -> tuple[int, ...] | None: ...
    def listdir(self, rel: str) -> list[Entry]: ...
    def makedirs(self, rel: str) -> None: ...
    def create_sparse(self, rel: str, length: int) -> None: ...
    def create_random(self, rel: str) -> RandomAccessFile: ...
    def open_random(self, rel: str, writable: bool = True) -> RandomAccessFile: ...
    def copy_sparse(self, src: str, dst: str, length: int) -> None: ...
    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def is_empty(self) -> bool: ...
    def remove_all(self) -> None: ...
    def batch(self) -> contextlib.AbstractContextManager[None]: ...
    def unsynced(self) -> contextlib.AbstractContextManager[None]: ...
    def open_database(self, rel: str, create: bool) -> Database | None: ...
    def remember(self, rel: str, facts: object) -> None: ...
    def recall(self, rel: str) -> object | None: ...


def ntfs_lookup(rel: str, exists: Callable[[str], bool], children: Callable[[str], list[str]]) -> str:
    """A host path as NTFS finds it: each component of `hosts/<host>/<drive>/...` that does not
    exist as written matches an existing entry case-insensitively (its stored case is used);
    components that exist nowhere keep the case given, so new files are created as named.
    `children(rel)` lists a folder's names ([] when `rel` is no folder)."""
    if not rel.startswith(HOSTS_DIR + "/") or exists(rel):
        return rel
    parts = rel.split("/")
    out = parts[:3]
    for i, comp in enumerate(parts[3:], start=3):
        here = "/".join(out)
        if not exists(here + "/" + comp):
            folded = comp.casefold()
            match = next((n for n in children(here) if n.casefold() == folded), None)
            if match is None:
                return "/".join(out + parts[i:])
            comp = match
        out.append(comp)
    return "/".join(out)


def windows_path_of(rel: str) -> str:
    """`hosts/<host>/<drive>/a/b` as the Windows path `<drive>:\\a\\b` (else `rel` itself)."""
    parts = rel.split("/")
    if len(parts) >= 3 and parts[0] == HOSTS_DIR:
        return parts[2] + ":\\" + "\\".join(parts[3:])
    return rel


def _join(root: str, rel: str) -> str:
    return root.rstrip("/") + ("/" + rel if rel else "")


# --- local ------------------------------------------------------------------------------------


class _UnsyncedFile:
    """A local file whose flush leaves durability to its batch's sync (`unsynced()`)."""

    def __init__(self, f: LocalFile) -> None:
        self._f = f

    def read_at(self, offset: int, length: int) -> bytes:
        return self._f.read_at(offset, length)

    def write_at(self, offset: int, data: Buffer) -> None:
        self._f.write_at(offset, data)

    def size(self) -> int:
        return self._f.size()

    def is_hole(self, offset: int, length: int) -> bool:
        return self._f.is_hole(offset, length)

    def truncate(self, length: int) -> None:
        self._f.truncate(length)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self._f.close()


class _BatchedStore:
    """What both stores do with their thread's current batch (emulator.storebatch): find it, and
    keep what a caller knows of a file it made (`Batch.facts`) while the file does not change."""

    _batches: threading.local

    def _locate(self, rel: str) -> tuple[str, str]:
        raise NotImplementedError

    def _batch(self) -> Batch | None:
        return getattr(self._batches, "current", None)

    def remember(self, rel: str, facts: object) -> None:
        """Keep `facts` about the file `rel` while the batch lasts and the file does not change
        (nothing is kept outside a batch)."""
        batch = self._batch()
        if batch is not None:
            batch.facts[self._locate(rel)[0]] = facts

    def recall(self, rel: str) -> object | None:
        batch = self._batch()
        return batch.facts.get(self._locate(rel)[0]) if batch is not None else None

    def _changing(self, rel: str) -> None:
        """`rel` (as found) is about to be written or deleted: what was remembered of it goes."""
        batch = self._batch()
        if batch is not None:
            batch.facts.pop(rel, None)


class LocalFileStore(_BatchedStore):
    def __init__(self, root: str, url: str) -> None:
        self.root = os.path.abspath(root)
        self._real_root = os.path.realpath(self.root)
        self.url = url
        self._thread_lock = threading.RLock()
        self._batches = threading.local()
        self._syncer = Syncer()
        self._file_lock: tuple[int, BaseFileLock] | None = None  # (pid, the lock of LOCK_FILE)

    # --- batches (emulator.storebatch) ------------------------------------------------------------

    def _folder_names(self, rel: str) -> list[str] | None:
        path = os.path.join(self.root, rel)
        try:
            return os.listdir(path)
        except (NotADirectoryError, FileNotFoundError):
            return None

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Folder listings and real paths kept for the duration; files written under
        `unsynced()` are made durable together when the outermost batch ends."""
        batch = self._batch()
        if batch is None:
            batch = self._batches.current = Batch(self._folder_names)
            batch.known_real(self.root, self._real_root)
        batch.depth += 1
        try:
            yield
        finally:
            batch.depth -= 1
            if batch.depth == 0:
                self._batches.current = None
                batch.sync(self.root, self._syncer)

    @contextlib.contextmanager
    def unsynced(self) -> Iterator[None]:
        """Files created or written meanwhile are not fsynced one by one: the batch syncs them
        all before it ends."""
        with self.batch():
            batch = self._batch()
            assert batch is not None
            batch.unsynced_depth += 1
            try:
                yield
            finally:
                batch.unsynced_depth -= 1

    def _written(self, rel: str, path: str, is_dir: bool = False) -> None:
        batch = self._batch()
        if batch is not None:
            batch.listings.added(rel, is_dir)
            if batch.deferring and not is_dir:
                batch.dirty.add(path)

    # --- paths --------------------------------------------------------------------------------------

    def _locate(self, rel: str) -> tuple[str, str]:
        """(the relative path as found, its absolute path), confined to the root."""
        batch = self._batch()
        if batch is not None:
            known = batch.listings.get(rel)
            if known is not None:
                return known
            found = self._resolve(rel, batch)
            batch.listings.put(rel, found, found[0].startswith(HOSTS_DIR + "/")
                               and batch.listings.exists(found[0]))
            return found
        return self._resolve(rel, None)

    def _resolve(self, rel: str, batch: Batch | None) -> tuple[str, str]:
        listed = False  # in a batch, a host path whose folder listing says it does not exist
        if rel.startswith(HOSTS_DIR + "/"):
            if batch is not None:
                rel = batch.listings.lookup(rel)
                listed = not batch.listings.exists(rel)
            else:
                rel = ntfs_lookup(rel, lambda r: os.path.lexists(os.path.join(self.root, r)),
                                  lambda r: os.listdir(os.path.join(self.root, r))
                                  if os.path.isdir(os.path.join(self.root, r)) else [])
        path = os.path.normpath(os.path.join(self.root, rel)) if rel else self.root
        if path != self.root and not path.startswith(self.root + os.sep):
            raise StateError(f"Refusing to touch '{path}': it is outside the state root '{self.root}'.")
        if rel:
            # Confinement follows links: a symbolic link in the state (a state unpacked from an
            # archive) must not lead a script's write or delete outside the root. In a batch the
            # real path of each folder is resolved once (and a name its folder lacks is no link).
            folder, name = os.path.split(path)
            if batch is not None and path != self.root and (listed or not os.path.islink(path)):
                real = os.path.join(batch.real_folder(folder), name)
            else:
                real = os.path.realpath(path)
            if real != self._real_root and not real.startswith(self._real_root + os.sep):
                raise AccessDenied(f"Access to the path '{windows_path_of(rel)}' is denied.",
                                   target=windows_path_of(rel))
        return path[len(self.root) + 1:], path

    def _p(self, rel: str) -> str:
        return self._locate(rel)[1]

    def display_path(self, rel: str) -> str:
        return self._p(rel)

    def exists(self, rel: str) -> bool:
        rel, path = self._locate(rel)
        batch = self._batch()
        if batch is not None and rel.startswith(HOSTS_DIR + "/"):
            return batch.listings.exists(rel)  # the hosts' files change through the store only
        return os.path.lexists(path)

    def is_dir(self, rel: str) -> bool:
        return os.path.isdir(self._p(rel))

    def read_bytes(self, rel: str) -> bytes:
        with open(self._p(rel), "rb") as f:
            return f.read()

    def _make_folder_of(self, rel: str, path: str) -> None:
        batch = self._batch()
        if batch is None or not batch.listings.is_dir(rel.rpartition("/")[0]):
            os.makedirs(os.path.dirname(path), exist_ok=True)

    def write_atomic(self, rel: str, data: bytes) -> None:
        rel, path = self._locate(rel)
        self._changing(rel)
        self._make_folder_of(rel, path)
        batch = self._batch()
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if batch is None or not batch.deferring:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._written(rel, path)

    def delete(self, rel: str) -> None:
        rel, path = self._locate(rel)
        self._changing(rel)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        batch = self._batch()
        if batch is not None:
            batch.listings.removed(rel)

    def size(self, rel: str) -> int:
        return os.stat(self._p(rel)).st_size

    def signature(self, rel: str) -> tuple[int, ...] | None:
        """What changes whenever the file's bytes do: (inode, size, change time, modification
        time) in ns (`emulator.chaincheck`)."""
        st = os.stat(self._p(rel))
        return (st.st_ino, st.st_size, st.st_ctime_ns, st.st_mtime_ns)

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
        rel, path = self._locate(rel)
        os.makedirs(path, exist_ok=True)
        self._written(rel, path, is_dir=True)

    def create_sparse(self, rel: str, length: int) -> None:
        rel, path = self._locate(rel)
        self._changing(rel)
        self._make_folder_of(rel, path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if length:
                os.ftruncate(fd, length)
        finally:
            os.close(fd)
        self._written(rel, path)

    def create_random(self, rel: str) -> RandomAccessFile:
        """A new empty file (an existing one emptied) open for writing: `create_sparse(rel, 0)`
        and `open_random(rel)` in one open."""
        from hyperv_emu.emulator.vhdx.raf import LocalFile

        rel, path = self._locate(rel)
        self._changing(rel)
        self._make_folder_of(rel, path)
        f = LocalFile(path, "w")
        self._written(rel, path)
        return self._writable(f, path)

    def _writable(self, f: LocalFile, path: str) -> RandomAccessFile:
        batch = self._batch()
        if batch is not None and batch.deferring:
            batch.dirty.add(path)
            return _UnsyncedFile(f)
        return f

    def open_random(self, rel: str, writable: bool = True) -> RandomAccessFile:
        from hyperv_emu.emulator.vhdx.raf import LocalFile

        rel, path = self._locate(rel)
        if writable:
            self._changing(rel)
        f = LocalFile(path, "r+" if writable else "r")
        return self._writable(f, path) if writable else f

    def copy_sparse(self, src: str, dst: str, length: int) -> None:
        """`dst` becomes a copy of `src` cut or extended to `length`; only `src`'s data extents
        are read and written (SEEK_DATA / SEEK_HOLE), so holes stay holes."""
        from hyperv_emu.emulator.vhdx.raf import LocalFile, write_sparse

        dst, target = self._locate(dst)
        self._changing(dst)
        self._make_folder_of(dst, target)
        fd = os.open(self._p(src), os.O_RDONLY)
        try:
            out = LocalFile(target, "w")
            self._written(dst, target)
            try:
                out.truncate(length)
                end = min(length, os.fstat(fd).st_size)
                pos = 0
                while pos < end:
                    try:
                        start = os.lseek(fd, pos, os.SEEK_DATA)
                    except OSError:  # ENXIO: no data after pos
                        break
                    stop = min(end, os.lseek(fd, start, os.SEEK_HOLE))
                    while start < stop:
                        n = min(PAGE, stop - start)
                        write_sparse(out, start, os.pread(fd, n, start), target_is_zero=True)
                        start += n
                    pos = max(pos + 1, stop)
                batch = self._batch()
                if batch is None or not batch.deferring:
                    out.flush()
            finally:
                out.close()
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        import filelock

        os.makedirs(self.root, exist_ok=True)
        with self._thread_lock:
            # one FileLock per process (filelock refuses an instance inherited across a fork):
            # a new one per transaction costs more than the flock itself
            if self._file_lock is None or self._file_lock[0] != os.getpid():
                self._file_lock = (os.getpid(), filelock.FileLock(self._p(LOCK_FILE), timeout=60))
            try:
                with self._file_lock[1]:
                    yield
            except filelock.Timeout as exc:
                raise StateError(f"The state at '{self.root}' is locked by another process (waited 60 s).") from exc

    def is_empty(self) -> bool:
        return not os.path.isdir(self.root) or not [n for n in os.listdir(self.root) if n != LOCK_FILE]

    def remove_all(self) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)
        batch = self._batch()
        if batch is not None:
            batch.forget(self._folder_names)

    def open_database(self, rel: str, create: bool) -> Database | None:
        path = self._p(rel)
        if not create and not os.path.lexists(path):
            return None
        os.makedirs(self.root, exist_ok=True)
        return _LocalDatabase(path)


class _LocalDatabase:
    """A SQLite file: `valid` while the file it opened is still the one at its path (a state
    removed and made anew, perhaps on the same inode number, is opened again).

    The file is watched through an `O_PATH` descriptor (Linux): closing an ordinary descriptor
    of the database would drop every POSIX lock this process holds on it, SQLite's included;
    closing an `O_PATH` one does not. Elsewhere only the path's inode is compared."""

    wal = True

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            st = os.stat(path)
            self._identity = (st.st_dev, st.st_ino)
            o_path = getattr(os, "O_PATH", None)
            if o_path is not None:
                self._fd = os.open(path, o_path)
        except OSError:
            self.conn.close()
            raise

    def valid(self) -> bool:
        try:
            now = os.stat(self.path)
            if self._fd >= 0 and os.fstat(self._fd).st_nlink == 0:
                return False
        except OSError:
            return False
        return (now.st_dev, now.st_ino) == self._identity

    def close(self) -> None:
        self.conn.close()
        self._close_fd()

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:  # an emulator dropped without closing: no descriptor left open
        self._close_fd()


# --- memory -----------------------------------------------------------------------------------


class _DatabaseEntry(MemoryFile):  # type: ignore[misc]
    """The state database of a memory root, as an entry of fsspec's memory store: it holds the
    keeper connection of a shared in-memory SQLite database (which lives while a connection to
    it is open). Its bytes, for a copy of the state, are the database serialised."""

    def __init__(self, fs: Any, path: str) -> None:
        super().__init__(fs, path)
        self.uri = f"file:hvemu-{uuid.uuid4().hex}?mode=memory&cache=shared"
        self.keeper = sqlite3.connect(self.uri, uri=True, isolation_level=None, check_same_thread=False)

    @property
    def size(self) -> int:
        return len(self.getvalue())

    def getvalue(self) -> bytes:
        return bytes(self.keeper.serialize())

    def getbuffer(self) -> memoryview:
        return memoryview(self.getvalue())


class _MemoryDatabase:
    wal = False

    def __init__(self, fs: Any, path: str, entry: _DatabaseEntry) -> None:
        self.fs = fs
        self.path = path
        self.entry = entry
        self.conn = sqlite3.connect(entry.uri, uri=True, isolation_level=None, check_same_thread=False)

    def valid(self) -> bool:
        return self.fs.store.get(self.path) is self.entry

    def close(self) -> None:
        self.conn.close()



class _SparseEntry(MemoryFile):  # type: ignore[misc]
    """A file of fsspec's memory store whose bytes are a VHDX-library `SparseMemoryFile`, so
    that fsspec's listings and sizes see it while random access goes to the sparse pages."""

    def __init__(self, fs: Any, path: str, data: SparseMemoryFile) -> None:
        super().__init__(fs, path)
        self.data = data

    @property
    def size(self) -> int:
        return self.data.size()

    def getvalue(self) -> bytes:
        return self.data.getvalue()

    def getbuffer(self) -> memoryview:
        return memoryview(self.data.getvalue())


class _MemoryHandle:
    """A handle on a shared `SparseMemoryFile`: closing it leaves the file's bytes alone."""

    def __init__(self, f: SparseMemoryFile, writable: bool) -> None:
        self._f = f
        self._writable = writable

    def read_at(self, offset: int, length: int) -> bytes:
        return self._f.read_at(offset, length)

    def write_at(self, offset: int, data: Buffer) -> None:
        if not self._writable:
            raise PermissionError("opened read-only")
        self._f.write_at(offset, data)

    def size(self) -> int:
        return self._f.size()

    def is_hole(self, offset: int, length: int) -> bool:
        return self._f.is_hole(offset, length)

    def truncate(self, length: int) -> None:
        if not self._writable:
            raise PermissionError("opened read-only")
        self._f.truncate(length)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


_MEMORY_LOCKS: dict[str, threading.RLock] = {}
_MEMORY_LOCKS_GUARD = threading.Lock()


class MemoryFileStore(_BatchedStore):
    """fsspec's memory file system (its store is process-wide, as fsspec documents). Files are
    `SparseMemoryFile`s of 4 KiB pages (`MEMORY_STORE_PAGE`): an AVHDX's few KiB of headers
    and metadata cost a few pages, not the library's default 64 KiB ones."""

    def __init__(self, fs: Any, root: str, url: str) -> None:
        self.fs = fs
        self.root = "/" + root.strip("/")
        self.url = url
        self._batches = threading.local()
        with _MEMORY_LOCKS_GUARD:
            self._lock = _MEMORY_LOCKS.setdefault(self.root, threading.RLock())

    # --- batches (emulator.storebatch): fsspec's memory `ls`, `exists` and `makedirs` scan the
    # whole store; in a batch every folder of the root is indexed in one pass instead.

    def _index(self) -> Callable[[str], list[str] | None]:
        """A batch's reader of folders: the root's keys are indexed on the first read."""
        index: list[dict[str, set[str]]] = []

        def read(rel: str) -> list[str] | None:
            if not index:
                index.append(self._scan())
            names = index[0].get(rel)
            return None if names is None else list(names)

        return read

    def _scan(self) -> dict[str, set[str]]:
        folders: dict[str, set[str]] = {}
        prefix = self.root + "/"
        for key in [*self.fs.store, *self.fs.pseudo_dirs]:
            if not key.startswith(prefix):
                continue
            rel = key[len(prefix):].rstrip("/")
            if key in self.fs.pseudo_dirs:
                folders.setdefault(rel, set())
            while rel:
                folder, _, name = rel.rpartition("/")
                names = folders.setdefault(folder, set())
                if name in names:
                    break
                names.add(name)
                rel = folder
        return folders

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        batch = self._batch()
        if batch is None:
            index = self._index()
            batch = self._batches.current = Batch(index)
        batch.depth += 1
        try:
            yield
        finally:
            batch.depth -= 1
            if batch.depth == 0:
                self._batches.current = None

    @contextlib.contextmanager
    def unsynced(self) -> Iterator[None]:
        with self.batch():  # nothing to sync in memory
            yield

    def _locate(self, rel: str) -> tuple[str, str]:
        if ".." in rel.split("/"):
            raise StateError(f"Refusing to touch '{rel}': it is outside the state root.")
        if rel.startswith(HOSTS_DIR + "/"):
            batch = self._batch()
            if batch is not None:
                known = batch.listings.get(rel)
                if known is not None:
                    return known
                found = batch.listings.lookup(rel)
                located = found, _join(self.root, found)
                batch.listings.put(rel, located, batch.listings.exists(found))
                return located
            else:
                rel = ntfs_lookup(rel, lambda r: self._exists(_join(self.root, r)),
                                  lambda r: [str(n).rstrip("/").rsplit("/", 1)[-1]
                                             for n in self.fs.ls(_join(self.root, r), detail=False)]
                                  if self._isdir(_join(self.root, r)) else [])
        return rel, _join(self.root, rel)

    def _p(self, rel: str) -> str:
        return self._locate(rel)[1]

    def _has(self, rel: str, path: str) -> bool:
        if path in self.fs.store:
            return True
        batch = self._batch()
        if batch is not None:
            return batch.listings.is_dir(rel)
        return self._exists(path)

    # fsspec's memory `info` scans the whole store (a directory is any prefix); a stored file or
    # an explicit folder is answered from the dicts first.
    def _exists(self, path: str) -> bool:
        return path in self.fs.store or path in self.fs.pseudo_dirs or bool(self.fs.exists(path))

    def _isdir(self, path: str) -> bool:
        if path in self.fs.store:
            return False
        return path in self.fs.pseudo_dirs or bool(self.fs.isdir(path))

    def _makedirs(self, rel: str, path: str) -> None:
        # A file where a folder of the path should be is refused, as a local file system does
        # (fsspec's memory `makedirs` lets it pass, then the file is also a folder).
        folder = rel
        while folder:
            if _join(self.root, folder) in self.fs.store:
                raise FileExistsError(_join(self.root, folder))
            folder = folder.rpartition("/")[0]
        batch = self._batch()
        if batch is None:
            self.fs.makedirs(path, exist_ok=True)
            return
        missing = []
        while rel and not batch.listings.is_dir(rel):
            missing.append(_join(self.root, rel))
            rel = rel.rpartition("/")[0]
        self.fs.pseudo_dirs.extend(reversed(missing))
        if missing:
            batch.listings.added(missing[0][len(self.root) + 1:], True)

    def _written(self, rel: str) -> None:
        batch = self._batch()
        if batch is not None:
            batch.listings.added(rel, False)

    def display_path(self, rel: str) -> str:
        return "memory://" + self._p(rel)

    def exists(self, rel: str) -> bool:
        return self._has(*self._locate(rel))

    def is_dir(self, rel: str) -> bool:
        rel, path = self._locate(rel)
        batch = self._batch()
        if batch is not None:
            return path not in self.fs.store and batch.listings.is_dir(rel)
        return self._isdir(path)

    def read_bytes(self, rel: str) -> bytes:
        obj = self.fs.store.get(self._p(rel))
        if isinstance(obj, _SparseEntry):
            return obj.getvalue()
        return bytes(self.fs.cat_file(self._p(rel)))

    def write_atomic(self, rel: str, data: bytes) -> None:
        # A dict assignment: readers see the old or the new bytes, never a mix.
        rel, path = self._locate(rel)
        self._changing(rel)
        batch = self._batch()
        if batch is None:
            if path not in self.fs.store and self._isdir(path):  # as a local folder refuses it
                raise IsADirectoryError(path)
            # the folders are made (they stay when the file goes, as on a disk; fsspec's implicit
            # folders would vanish with their last file)
            folder = rel.rpartition("/")[0]
            self._makedirs(folder, _join(self.root, folder))
            self.fs.pipe_file(path, data)
            return
        # fsspec's `open` checks every parent with a scan of the store; the batch knows them
        if batch.listings.is_dir(rel):
            raise IsADirectoryError(path)
        folder = rel.rpartition("/")[0]
        self._makedirs(folder, _join(self.root, folder))  # FileExistsError under a file
        MemoryFile(self.fs, path, data).commit()
        self._written(rel)

    def delete(self, rel: str) -> None:
        rel, path = self._locate(rel)
        self._changing(rel)
        if self._has(rel, path):
            self.fs.rm_file(path)
            batch = self._batch()
            if batch is not None:
                batch.listings.removed(rel)

    def size(self, rel: str) -> int:
        path = self._p(rel)
        obj = self.fs.store.get(path)
        if obj is not None:
            return int(obj.size)
        return int(self.fs.info(path)["size"])

    def signature(self, rel: str) -> tuple[int, ...] | None:
        return None  # files change in place without a trace: always read (emulator.chaincheck)

    def listdir(self, rel: str) -> list[Entry]:
        out = []
        for info in self.fs.ls(self._p(rel), detail=True):
            name = info["name"].rstrip("/").rsplit("/", 1)[-1]
            is_dir = info["type"] == "directory"
            out.append(Entry(name, is_dir, 0 if is_dir else int(info["size"])))
        return out

    def makedirs(self, rel: str) -> None:
        self._makedirs(*self._locate(rel))

    def _put(self, rel: str, path: str, data: SparseMemoryFile) -> None:
        batch = self._batch()
        if batch.listings.is_dir(rel) if batch is not None else self._isdir(path):
            raise IsADirectoryError(path)  # as a local folder refuses it
        self._changing(rel)
        folder = rel.rpartition("/")[0]
        self._makedirs(folder, _join(self.root, folder))
        self.fs.store[path] = _SparseEntry(self.fs, path, data)
        self._written(rel)

    def create_sparse(self, rel: str, length: int) -> None:
        from hyperv_emu.emulator.vhdx.raf import SparseMemoryFile

        self._put(*self._locate(rel), SparseMemoryFile(length, page_size=MEMORY_STORE_PAGE))

    def create_random(self, rel: str) -> RandomAccessFile:
        from hyperv_emu.emulator.vhdx.raf import SparseMemoryFile

        data = SparseMemoryFile(page_size=MEMORY_STORE_PAGE)
        self._put(*self._locate(rel), data)
        return _MemoryHandle(data, True)

    def _sparse(self, path: str) -> SparseMemoryFile:
        obj = self.fs.store.get(path)
        if isinstance(obj, _SparseEntry):
            return obj.data
        if obj is None:
            raise FileNotFoundError(path)
        from hyperv_emu.emulator.vhdx.raf import SparseMemoryFile

        data = SparseMemoryFile(page_size=MEMORY_STORE_PAGE)
        if isinstance(obj, _DatabaseEntry):  # a copy of the database's bytes, read-only
            snapshot = SparseMemoryFile()
            snapshot.write_at(0, obj.getvalue())
            return snapshot

        data = SparseMemoryFile()
        data.write_at(0, bytes(self.fs.cat_file(path)))
        self.fs.store[path] = _SparseEntry(self.fs, path, data)
        return data

    def open_random(self, rel: str, writable: bool = True) -> RandomAccessFile:
        rel, path = self._locate(rel)
        if writable:
            self._changing(rel)
        return _MemoryHandle(self._sparse(path), writable)

    def copy_sparse(self, src: str, dst: str, length: int) -> None:
        copy = self._sparse(self._p(src)).clone()
        copy.truncate(length)
        self._put(*self._locate(dst), copy)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with self._lock:
            yield

    def is_empty(self) -> bool:
        return not self.fs.exists(self.root) or not self.fs.ls(self.root)

    def open_database(self, rel: str, create: bool) -> Database | None:
        path = self._p(rel)
        obj = self.fs.store.get(path)
        if not isinstance(obj, _DatabaseEntry):
            if obj is None and not create:
                return None
            entry = _DatabaseEntry(self.fs, path)
            if obj is not None:  # a database's bytes written as a file (a state copied in)
                data = obj.getvalue()
                loader = sqlite3.connect(":memory:")
                try:
                    loader.deserialize(data)
                    loader.backup(entry.keeper)
                except sqlite3.DatabaseError:
                    raise StateError(f"The state database '{self.display_path(rel)}' is corrupt or not a "
                                     "database.") from None
                finally:
                    loader.close()
            self.fs.makedirs(self.root, exist_ok=True)
            self.fs.store[path] = obj = entry
        return _MemoryDatabase(self.fs, path, obj)

    def share_files(self, dest: MemoryFileStore) -> int:
        """Put a copy of every file of this root but the database (and the lock) into the empty
        root `dest`, page-wise copy-on-write: a disk or memory file shares its 4 KiB pages with
        the original until either writes one (`SparseMemoryFile.clone`); folders are kept.
        `emulator.stateclone` copies the database and takes the locks. Returns the files copied."""
        prefix = self.root + "/"
        count = 0
        self.fs.makedirs(dest.root, exist_ok=True)
        for key in [k for k in self.fs.pseudo_dirs if k.startswith(prefix)]:
            self.fs.pseudo_dirs.append(dest.root + key[len(self.root):])
        for key, obj in [(k, v) for k, v in self.fs.store.items() if k.startswith(prefix)]:
            rel = key[len(prefix):]
            if rel in (STATE_DB, LOCK_FILE):
                continue
            path = _join(dest.root, rel)
            if isinstance(obj, _SparseEntry):
                self.fs.store[path] = _SparseEntry(self.fs, path, obj.data.clone())
            else:
                self.fs.store[path] = MemoryFile(self.fs, path, obj.getvalue())
            count += 1
        return count

    def remove_all(self) -> None:
        with self._lock:  # after a transaction in flight (a real-clock merge slice), never during
            # the root's keys, found in one pass (fsspec's recursive `rm` asks `exists` of each
            # file, and each `exists` scans the whole store: seconds for a 100-VM state)
            prefix = self.root + "/"
            for key in [k for k in self.fs.store if k.startswith(prefix) or k == self.root]:
                del self.fs.store[key]
            self.fs.pseudo_dirs[:] = [d for d in self.fs.pseudo_dirs if d != self.root and not d.startswith(prefix)]
            batch = self._batch()
            if batch is not None:
                batch.forget(self._index())


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
