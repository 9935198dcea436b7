"""What a file store remembers while it carries out one batch of file operations.

A transaction that creates thousands of files (a world's disks, configuration and memory files)
would otherwise pay, per file, a listing of its folder (the NTFS case-insensitive lookup of a
new name), a `realpath` of its whole path (the state's confinement) and an fsync. Inside
`FileStore.batch()`:

- **folder listings** are read once and kept up to date as the store creates and deletes
  entries (`Listings`), so a new name is looked up in a dict;
- **real paths** of folders are resolved once (`Batch.real_folder`), and what a path resolved
  to is kept (`Listings.located`): a path that exists keeps its resolution while entries are
  only added (a new name cannot change how an existing one is found);
- **what a writer knows of a file it made** (`Batch.facts`: the VHDX identity of a disk just
  written, which a checkpoint's child needs) is kept until the file is opened for writing,
  rewritten or deleted, so that the next file need not parse it again;
- **durability is batched**: files written while `FileStore.unsynced()` is active are not
  fsynced one by one; the batch remembers them and `Batch.sync` makes them all durable at once
  before the batch ends (a few files: one fsync each and their folders; many: one `syncfs` of
  the file system). The engine saves the state only after that, so a crash still leaves either
  the journal (replayed: each file operation is idempotent) or files that are on disk.

A batch lives inside the state's lock: no other writer changes the root meanwhile. Outside a
batch the stores work as before, file by file.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

# Up to this many files, one fsync each (and one per folder) is cheaper than a sync of the
# whole file system, which also waits for every other process's dirty data.
FSYNC_EACH_LIMIT = 16
SYNC_THREADS = 8  # the threads that fsync together (`Syncer`)


class Listing:
    """The names of one folder: exact names, and the first name of each case-folded spelling."""

    __slots__ = ("exact", "folded")

    def __init__(self, names: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.folded: dict[str, str] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> bool:
        """Add `name`; False when another spelling of it was listed already (a lookup of that
        spelling may now find `name` itself)."""
        self.exact.add(name)
        return self.folded.setdefault(name.casefold(), name) == name

    def remove(self, name: str) -> None:
        self.exact.discard(name)
        folded = name.casefold()
        if self.folded.get(folded) == name:
            del self.folded[folded]
            other = next((n for n in self.exact if n.casefold() == folded), None)
            if other is not None:
                self.folded[folded] = other

    def match(self, name: str) -> str | None:
        """`name` as stored: itself when it exists as written, else a case-insensitive match."""
        if name in self.exact:
            return name
        return self.folded.get(name.casefold())


class Listings:
    """Folder listings by store-relative path, read on first use through `read(rel)` (the
    folder's names, or None when `rel` is no folder) and kept current by `added`/`removed`."""

    def __init__(self, read: Callable[[str], list[str] | None]) -> None:
        self.read = read
        self._folders: dict[str, Listing | None] = {}
        # what the store's path resolution made of a relative path (the name as found, the
        # absolute path; `LocalFileStore._locate`): `located` for paths found existing, kept
        # until an entry is removed (adding a name changes no existing path's resolution: an
        # exact name is found first, and a case-insensitive match keeps the first spelling),
        # `located_new` for the others, kept until any entry is added or removed
        self.located: dict[str, tuple[str, str]] = {}
        self.located_new: dict[str, tuple[str, str]] = {}

    def of(self, rel: str) -> Listing | None:
        if rel not in self._folders:
            names = self.read(rel)
            self._folders[rel] = None if names is None else Listing(names)
        return self._folders[rel]

    def exists(self, rel: str) -> bool:
        """Whether `rel` exists as written (answered from its folder's listing)."""
        folder, _, name = rel.rpartition("/")
        listing = self.of(folder)
        return listing is not None and name in listing.exact

    def lookup(self, rel: str) -> str:
        """`hosts/<host>/<drive>/...` as NTFS finds it (`storage.ntfs_lookup`, with each folder
        listed once and each name matched in a dict)."""
        parts = rel.split("/")
        out = parts[:3]
        for i in range(3, len(parts)):
            listing = self.of("/".join(out))
            match = listing.match(parts[i]) if listing is not None else None
            if match is None:
                return "/".join(out + parts[i:])
            out.append(match)
        return "/".join(out)

    def get(self, rel: str) -> tuple[str, str] | None:
        """What `rel` resolved to, when it is still known."""
        found = self.located.get(rel)
        return found if found is not None else self.located_new.get(rel)

    def put(self, rel: str, found: tuple[str, str], exists: bool) -> None:
        (self.located if exists else self.located_new)[rel] = found

    def added(self, rel: str, is_dir: bool) -> None:
        """`rel` was created (its missing folders too, as `makedirs` makes them)."""
        self.located_new.clear()
        if is_dir and self._folders.get(rel, 0) is None:
            self._folders[rel] = Listing(())
        while rel:
            folder, _, name = rel.rpartition("/")
            listing = self.of(folder)  # (a folder first read now already shows the change)
            if listing is None:
                self._folders[folder] = Listing((name,))
            elif name not in listing.exact and not listing.add(name):
                self.located.clear()  # a second spelling of a name (not NTFS): take no chances
            rel = folder

    def is_dir(self, rel: str) -> bool:
        return self.of(rel) is not None

    def removed(self, rel: str) -> None:
        self.located.clear()
        self.located_new.clear()
        folder, _, name = rel.rpartition("/")
        listing = self.of(folder)
        if listing is not None:
            listing.remove(name)
        self._folders.pop(rel, None)


class Batch:
    """One batch of a store: its listings, the real paths of folders, and the files whose
    durability waits for `sync`."""

    def __init__(self, read: Callable[[str], list[str] | None]) -> None:
        self.listings = Listings(read)
        self.depth = 0
        self.unsynced_depth = 0
        self.dirty: set[str] = set()
        self._real: dict[str, str] = {}
        # by relative path as found: what the store's caller said of a file it made
        # (`FileStore.remember`), dropped as soon as the file may change
        self.facts: dict[str, object] = {}

    @property
    def deferring(self) -> bool:
        return self.unsynced_depth > 0

    def forget(self, read: Callable[[str], list[str] | None]) -> None:
        """The root was emptied: what was listed or resolved no longer holds."""
        self.listings = Listings(read)
        self._real.clear()
        self.facts.clear()

    def known_real(self, folder: str, real: str) -> None:
        """`folder` (absolute, normalised) resolves to `real` (the store's root, resolved once
        when the store was opened): the folders below it are resolved from there."""
        self._real[folder] = real

    def real_folder(self, folder: str) -> str:
        """`os.path.realpath(folder)` for an absolute, normalised path, resolved from the
        nearest folder above it resolved before in this batch: one `lstat` per folder not
        seen yet (a symbolic link among them is resolved by `realpath` itself)."""
        real = self._real.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            if not name:  # the file system's root
                return os.path.realpath(folder)
            candidate = os.path.join(self.real_folder(parent), name)
            real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
            self._real[folder] = real
        return real

    def sync(self, root: str, syncer: Syncer) -> None:
        """Make every file written without its own fsync durable (and its folder entry)."""
        if not self.dirty:
            return
        paths, self.dirty = sorted(self.dirty), set()
        if len(paths) > FSYNC_EACH_LIMIT and sync_file_system(root):
            return
        syncer.fsync_all(paths + sorted({os.path.dirname(p) for p in paths}))


class Syncer:
    """fsyncs several paths at once (one per store): the file system commits its journal once
    for syncs that wait together (ext4, xfs), where one after the other each waits for a
    commit of its own. Its threads are started once and kept (starting threads for every batch
    costs more CPU than the rest of the sync); a process forked meanwhile starts its own."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="hvemu-fsync")
                self._pid = os.getpid()
            return self._pool

    def fsync_all(self, targets: list[str]) -> None:
        if len(targets) == 1:
            fsync_path(targets[0])
            return
        pool = self._executor()
        waiting = [pool.submit(fsync_path, t) for t in targets[1:]]
        fsync_path(targets[0])  # this thread syncs one itself
        for done in waiting:
            done.result()


def fsync_path(path: str) -> None:
    """fsync a file or folder by its path; one that is gone (deleted later in the batch) is
    skipped."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_file_system(path: str) -> bool:
    """syncfs(2) on the file system holding `path`; False where the C library lacks it."""
    libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols: the C library's
    syncfs = getattr(libc, "syncfs", None)
    if syncfs is None:
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)
    finally:
        os.close(fd)
    return True
