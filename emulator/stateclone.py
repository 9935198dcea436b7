"""`clone_state(src_url, dst_url)`: a new, independent state that starts as a copy of another,
made without building anything again (the pytest plugin's per-test copy of a session world).

- the database is copied with SQLite's backup API (`statedb.copy_database`): one consistent
  generation, under a new epoch;
- memory to memory: the files share their 4 KiB pages copy-on-write
  (`MemoryFileStore.share_files`, `SparseMemoryFile.clone`): a clone costs a dict of page
  references per file, and a page is copied when either state first writes it;
- folder to folder: each file is a reflink where the file system has them, else its data
  extents are copied in the kernel (`emulator.filecopy`), holes kept;
- between a memory state and a folder: the files are copied page by page, zero pages left out.

The source is locked for the copy (no commit lands half-way); the target must be empty. The
two states then share nothing: a change, a merge or a write in one never shows in the other.
"""

from __future__ import annotations

import collections
import os

from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.filecopy import copy_tree
from hyperv_emu.emulator.statedb import copy_database
from hyperv_emu.emulator.storage import (
    LOCK_FILE,
    PAGE,
    STATE_DB,
    STATE_FILE,
    FileStore,
    LocalFileStore,
    MemoryFileStore,
    open_store,
)

# not copied as files: the lock, and the database with its WAL (copied by `copy_database`)
_SKIPPED = frozenset({LOCK_FILE, STATE_DB, STATE_DB + "-wal", STATE_DB + "-shm", STATE_DB + "-journal"})


def _files(store: FileStore, rel: str = "") -> list[str]:
    out: list[str] = []
    for entry in store.listdir(rel):
        child = f"{rel}/{entry.name}" if rel else entry.name
        if entry.is_dir:
            out += _files(store, child)
        elif child not in _SKIPPED:
            out.append(child)
    return out


def _copy_pages(source: FileStore, dest: FileStore) -> collections.Counter[str]:
    """Any store to any store: each file's non-zero pages read and written."""
    from hyperv_emu.emulator.vhdx.raf import is_zero

    how: collections.Counter[str] = collections.Counter()
    for rel in _files(source):
        length = source.size(rel)
        dest.create_sparse(rel, length)
        src = source.open_random(rel, writable=False)
        out = dest.open_random(rel)
        try:
            for offset in range(0, length, PAGE):
                data = src.read_at(offset, min(PAGE, length - offset))
                if not is_zero(data):
                    out.write_at(offset, data)
            out.flush()
        finally:
            out.close()
            src.close()
        how["copy"] += 1
    return how


def _inside(path: str, folder: str, sep: str = os.sep) -> bool:
    return path == folder or path.startswith(folder.rstrip(sep) + sep)


def _check(source: FileStore, dest: FileStore, src_url: str, dst_url: str) -> None:
    if isinstance(source, LocalFileStore) and isinstance(dest, LocalFileStore):
        a, b = os.path.realpath(source.root), os.path.realpath(dest.root)
        if _inside(a, b) or _inside(b, a):
            raise StateError(f"Cannot clone the state '{src_url}' into '{dst_url}': one folder holds the other.")
    if isinstance(source, MemoryFileStore) and isinstance(dest, MemoryFileStore):
        if _inside(source.root, dest.root, "/") or _inside(dest.root, source.root, "/"):
            raise StateError(f"Cannot clone the state '{src_url}' into '{dst_url}': one holds the other.")
    if not (source.exists(STATE_DB) or source.exists(STATE_FILE)):
        raise StateError(f"There is no hvemu state at '{src_url}' to clone.")
    if not dest.is_empty():
        raise StateError(f"Cannot clone into '{dst_url}': it is not empty (clone_state makes a new state).")


def clone_state(src_url: str, dst_url: str) -> collections.Counter[str]:
    """Make a new state at `dst_url` (an empty place) that is a copy of the state at `src_url`
    (see the module docstring). Returns how many files were copied each way: "shared" (memory
    pages shared copy-on-write), "reflink", "copy_file_range", "copy", "link" (a symbolic link
    of a folder state)."""
    source = open_store(src_url)
    dest = open_store(dst_url)
    _check(source, dest, src_url, dst_url)
    with source.lock(), dest.lock():
        if not dest.is_empty():  # made meanwhile
            raise StateError(f"Cannot clone into '{dst_url}': it is not empty (clone_state makes a new state).")
        how: collections.Counter[str]
        if isinstance(source, MemoryFileStore) and isinstance(dest, MemoryFileStore):
            how = collections.Counter(shared=source.share_files(dest))
        elif isinstance(source, LocalFileStore) and isinstance(dest, LocalFileStore):
            how = copy_tree(source.root, dest.root, _SKIPPED)
        else:
            how = _copy_pages(source, dest)
        copy_database(source, dest)
    return +how
