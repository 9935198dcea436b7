"""Checking a disk chain before a journaled operation reads it, without re-reading every file
each time (`engine.check_ops`).

Before a transaction journals an operation that reads a differencing chain (a checkpoint's new
AVHDX reads its parent), the engine makes sure the chain opens: every file present, its
headers, region table and metadata sound, each parent linked to its child. Opening a 30-deep
chain costs 30 VHDX opens per checkpoint, most of a create's time. `ChainChecks` (one per
`Emulator`) keeps, for each file found sound, what the walk needs of it (its parent's name, the
linkage GUIDs, its DataWriteGuid, sizes) together with the file's signature on the store
(`FileStore.signature`: inode, size, change and modification times); a later walk opens only the files whose
signature changed or that were never seen.

A file modified within the resolution of the file system's clock could keep its signature; a
file is therefore remembered only once its change time lies `SETTLE_NS` in the past (the
rule git's index uses against "racy" entries): any later change stamps a newer time. A store
without signatures (memory states) is always opened. When the walk finds anything amiss, the
library's own `open_chain` runs, so the error is the one a full open gives.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import TYPE_CHECKING
from uuid import UUID

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import DiskError
from hyperv_emu.emulator.transaction import host_rel
from hyperv_emu.emulator.vdisk import HostDisks

if TYPE_CHECKING:
    from hyperv_emu.emulator.storage import FileStore

# A file's signature is trusted once its modification time is this old (Linux file systems
# stamp times from a clock of at most 10 ms resolution).
SETTLE_NS = 50_000_000
MAX_DEPTH = 256  # as the VHDX library's chains
_KEEP = 100_000  # files remembered at most (a 1000-VM fleet of 10-deep chains: 11,000)


@attrs.frozen
class FileSummary:
    """What a chain walk needs of one sound VHDX file."""

    signature: Hashable
    parent: str | None  # the resolved parent's Windows path; None for a base disk
    linkages: tuple[UUID, ...]
    data_write_guid: UUID
    virtual_size: int
    logical_sector_size: int


def _links(child: FileSummary, parent: FileSummary) -> bool:
    """The checks of the library's `check_linkage`."""
    return (parent.data_write_guid in child.linkages and parent.virtual_size == child.virtual_size
            and parent.logical_sector_size == child.logical_sector_size)


class ChainChecks:
    """The sound files seen by one emulator's chain checks (not shared between threads without
    the emulator's lock)."""

    def __init__(self) -> None:
        self._files: dict[str, FileSummary] = {}

    def check(self, store: FileStore, host: str, path: str) -> None:
        """Raise DiskError unless the chain under `path` (a Windows path of `host`) opens."""
        disks = HostDisks(store, host)
        if not self._walk(store, disks, host, path):
            disks.open_chain(path, writable=False).close()  # the library's own error

    def _walk(self, store: FileStore, disks: HostDisks, host: str, path: str) -> bool:
        name: str | None = path
        child: FileSummary | None = None
        seen: set[str] = set()
        while name is not None:
            key = f"{host.casefold()}|{winpath.parse(name).key()}"
            if key in seen or len(seen) >= MAX_DEPTH:
                return False
            seen.add(key)
            summary = self._summary(store, disks, host, key, name)
            if summary is None or (child is not None and not _links(child, summary)):
                return False
            child, name = summary, summary.parent
        return True

    def _summary(self, store: FileStore, disks: HostDisks, host: str, key: str, name: str) -> FileSummary | None:
        rel = host_rel(host, name)
        try:
            signature = store.signature(rel)
        except OSError:
            return None
        known = self._files.get(key)
        if known is not None and signature is not None and known.signature == signature:
            return known
        self._files.pop(key, None)
        try:
            f = disks.open_file(name)
        except DiskError:
            return None
        try:
            locator = f.parent_locator
            if f.has_parent and locator is None:
                return None
            summary = FileSummary(
                signature=signature,
                parent=disks.resolve_parent(name, locator) if f.has_parent and locator is not None else None,
                linkages=tuple(locator.linkages()) if locator is not None else (),
                data_write_guid=f.data_write_guid, virtual_size=f.virtual_size,
                logical_sector_size=f.logical_sector_size)
        except Exception:  # noqa: BLE001 - anything odd: the library's open_chain says what
            return None
        finally:
            f.close()
        if signature is not None and _settled(signature):
            if len(self._files) >= _KEEP:
                self._files.clear()
            self._files[key] = summary
        return summary


def _settled(signature: Hashable) -> bool:
    """Whether a signature's change time (its third field, `FileStore.signature`) is `SETTLE_NS`
    old."""
    if not isinstance(signature, tuple) or len(signature) < 3 or not isinstance(signature[2], int):
        return False
    return signature[2] + SETTLE_NS <= time.time_ns()
