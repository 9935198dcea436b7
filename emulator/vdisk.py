r"""The emulator's virtual disk files as real VHDX / AVHDX files (the `emulator.vhdx` library).

- A base disk (`.vhdx`) is a dynamic VHDX with 32 MiB blocks, as Hyper-V makes them (a fresh
  60 GB disk is a 4 MiB file). A checkpoint's `.avhdx` is a differencing disk with 2 MiB blocks
  whose parent locator holds `parent_linkage` (the parent's DataWriteGuid), `relative_path` and
  `absolute_win32_path`; a world's `written` makes it exactly that long, the extra blocks present
  but zero and stored sparsely. A parent is never written again.
- The library sees files through `HostDisks.open`, whose names are the host's Windows paths (so
  the library's errors name the file as the user knows it) and which maps them to the state's
  storage (`FileStore.open_random`: a local file or the memory store's sparse file).
- A parent is found through its `absolute_win32_path` (the Windows path the emulator wrote), else
  its `relative_path`.
- A merge is a `MergeJob` whose journal (a `RafJournal`) lives in the state root under
  `merges/<host>/<key>.journal`, outside the hosts' file systems. `merge_to_end` runs or resumes
  one to the end (the virtual clock, and every replay after a crash); `merge_slice` does one
  bounded slice (the real clock's background worker). A job found in a journal is always resumed,
  so a process killed at any point of a merge leaves files that the next one finishes.
- Every library error becomes a `DiskError` that names the file and the structure.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator.errors import DiskError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import MAX_DISK_SIZE
from hyperv_emu.emulator.transaction import host_rel

if TYPE_CHECKING:
    from hyperv_emu.emulator.storage import FileStore
    from hyperv_emu.emulator.vhdx import (
        MergeJob,
        ParentLocator,
        RandomAccessFile,
        VhdxChain,
        VhdxFile,
    )

MiB = 1 << 20
BASE_BLOCK_SIZE = 32 * MiB
DIFF_BLOCK_SIZE = 2 * MiB
SECTOR = 512
MAX_SIZE = MAX_DISK_SIZE
DEFAULT_SIZE = 127 << 30  # New-VM's new disk without a size, as Hyper-V Manager proposes
MERGES_DIR = "merges"
COPY_PIECE = 8 * MiB


def normalise_size(size: int) -> int:
    """The virtual size a new base disk gets: a multiple of 512 bytes (127 GB when none is
    given). Raises DiskError past the format's 64 TB."""
    if size <= 0:
        return DEFAULT_SIZE
    size = -(-size // SECTOR) * SECTOR
    if size > MAX_SIZE:
        raise DiskError(f"A virtual hard disk cannot be larger than 64 TB ({size} bytes were asked).")
    return size


@attrs.frozen(eq=False, repr=False)
class DiskInfo(Fieldwise):
    """What a VHDX file's headers say (Get-VHD)."""

    path: str
    parent_path: str | None
    size: int
    file_size: int
    block_size: int
    logical_sector_size: int
    physical_sector_size: int
    disk_id: str

    @property
    def differencing(self) -> bool:
        return self.parent_path is not None


def _message(exc: Exception) -> str:
    from hyperv_emu.emulator.vhdx import CorruptVhdxError, ParentLinkageError, UnsupportedVhdxError

    if isinstance(exc, CorruptVhdxError):
        return f"The virtual disk file '{exc.path}' is corrupt: its {exc.structure} is not valid ({exc.detail})."
    if isinstance(exc, UnsupportedVhdxError):
        return f"The virtual disk file '{exc.path}' uses a feature that is not supported: {exc.detail}."
    if isinstance(exc, ParentLinkageError):
        return (f"The differencing disk '{exc.child}' does not match its parent '{exc.parent}' "
                f"(parent locator: {exc.detail}).")
    return f"Virtual disk error: {exc}."


@contextlib.contextmanager
def disk_errors() -> Iterator[None]:
    """Turn the VHDX library's errors into DiskErrors."""
    from hyperv_emu.emulator.vhdx import VhdxError

    try:
        yield
    except VhdxError as exc:
        raise DiskError(_message(exc)) from exc


def journal_rel(host: str, child: str) -> str:
    """Where the journal of the merge of `child` (a Windows path) lives in the state root."""
    key = hashlib.sha1(child.casefold().encode("utf-8")).hexdigest()[:24]
    return f"{MERGES_DIR}/{host.casefold()}/{key}.journal"


class HostDisks:
    """The virtual disk files of one host of a state."""

    def __init__(self, store: FileStore, host: str) -> None:
        self.store = store
        self.host = host

    def rel(self, path: str) -> str:
        return host_rel(self.host, path)

    def exists(self, path: str) -> bool:
        return self.store.exists(self.rel(path))

    # --- the library's opener and parent resolver ----------------------------------------------

    def open(self, name: str, writable: bool) -> RandomAccessFile:
        """The library's opener: `name` is a Windows path of this host."""
        rel = self.rel(name)
        if not self.store.exists(rel) or self.store.is_dir(rel):
            raise DiskError(f"The virtual disk file '{name}' does not exist.", target=name)
        return self.store.open_random(rel, writable)

    @staticmethod
    def resolve_parent(child: str, locator: ParentLocator) -> str:
        from hyperv_emu.emulator.vhdx import resolve_parent_name
        from hyperv_emu.emulator.vhdx.paths import strip_long_prefix

        if locator.absolute_win32_path:
            return strip_long_prefix(locator.absolute_win32_path)
        return resolve_parent_name(child, locator)

    def open_file(self, path: str, writable: bool = False) -> VhdxFile:
        from hyperv_emu.emulator.vhdx import VhdxFile

        with disk_errors():
            return VhdxFile.open(self.open(path, writable), path, writable=writable)

    def open_chain(self, path: str, *, writable: bool) -> VhdxChain:
        from hyperv_emu.emulator.vhdx import open_chain

        with disk_errors():
            return open_chain(self.open, path, writable=writable, resolver=self.resolve_parent)

    def is_vhdx(self, path: str) -> bool:
        """The file exists and opens as a VHDX (a torn creation does not)."""
        if not self.exists(path):
            return False
        try:
            self.open_file(path).close()
        except DiskError:
            return False
        return True

    # --- creating -----------------------------------------------------------------------------

    def _fresh(self, path: str) -> RandomAccessFile:
        return self.store.create_random(self.rel(path))

    def create_base(self, path: str, size: int) -> None:
        """An empty dynamic VHDX (idempotent: a file that already opens is left alone)."""
        from hyperv_emu.emulator.vhdx import write_dynamic

        if self.is_vhdx(path):
            return
        raf = self._fresh(path)
        try:
            with disk_errors():
                made = write_dynamic(raf, normalise_size(size), block_size=BASE_BLOCK_SIZE)
        finally:
            raf.close()
        self.store.remember(self.rel(path), made)

    def create_child(self, path: str, parent: str, length: int) -> None:
        """A differencing disk of `parent`, exactly max(4 MiB, length) long (idempotent). A
        parent made earlier in the same store batch is not opened again: its identity is what
        its writer remembered (`FileStore.remember`; forgotten once the parent may change)."""
        from hyperv_emu.emulator.vhdx import DiskIdentity, write_differencing

        if self.is_vhdx(path):
            return
        known = self.store.recall(self.rel(parent))
        parent_file: VhdxFile | DiskIdentity = known if isinstance(known, DiskIdentity) else self.open_file(parent)
        try:
            raf = self._fresh(path)
            try:
                with disk_errors():
                    made = write_differencing(raf, parent_file, parent_win_path=parent, child_win_path=path,
                                              length=length, block_size=DIFF_BLOCK_SIZE)
            finally:
                raf.close()
        finally:
            if not isinstance(parent_file, DiskIdentity):
                parent_file.close()
        self.store.remember(self.rel(path), made)

    def flatten(self, source: str, target: str) -> None:
        """A new dynamic VHDX at `target` holding the disk `source`'s chain reads (Export).
        Only the ranges some file of the chain allocates are read; zeros are not stored."""
        from hyperv_emu.emulator.vhdx import create_dynamic
        from hyperv_emu.emulator.vhdx.layout import PAYLOAD_BLOCK_NOT_PRESENT

        chain = self.open_chain(source, writable=False)
        try:
            with disk_errors():
                out = create_dynamic(self._fresh(target), chain.virtual_size, name=target,
                                     block_size=BASE_BLOCK_SIZE)
                try:
                    spans: list[tuple[int, int]] = []
                    for f in chain.files:
                        for block, state, _offset in f.iter_blocks():
                            if state != PAYLOAD_BLOCK_NOT_PRESENT:
                                start = block * f.block_size
                                spans.append((start, min(chain.virtual_size, start + f.block_size)))
                    for start, end in _union(spans):
                        pos = start
                        while pos < end:
                            n = min(COPY_PIECE, end - pos)
                            out.write(pos, chain.read(pos, n))
                            pos += n
                    out.flush()
                finally:
                    out.close()
        finally:
            chain.close()

    # --- reading and writing through a chain --------------------------------------------------

    def read(self, path: str, offset: int, length: int) -> bytes:
        chain = self.open_chain(path, writable=False)
        try:
            _check_range(path, chain.virtual_size, offset, length)
            with disk_errors():
                return chain.read(offset, length)
        finally:
            chain.close()

    def write(self, path: str, offset: int, data: bytes) -> None:
        """Guest data into the top file `path` (its parents are only read)."""
        chain = self.open_chain(path, writable=True)
        try:
            _check_range(path, chain.virtual_size, offset, len(data))
            with disk_errors():
                chain.write(offset, data)
                chain.flush()
        finally:
            chain.close()

    def info(self, path: str) -> DiskInfo:
        f = self.open_file(path)
        try:
            locator = f.parent_locator
            return DiskInfo(
                path=path,
                parent_path=self.resolve_parent(path, locator) if f.has_parent and locator else None,
                size=f.virtual_size, file_size=f.file_size(), block_size=f.block_size,
                logical_sector_size=f.logical_sector_size, physical_sector_size=f.physical_sector_size,
                disk_id=str(f.disk_id),
            )
        finally:
            f.close()

    # --- merges -------------------------------------------------------------------------------

    def merge_started(self, child: str) -> bool:
        return self.store.exists(journal_rel(self.host, child))

    def _job(self, child: str, into: str, dependants: Sequence[str]) -> tuple[MergeJob, RandomAccessFile] | None:
        """The merge of `child` into `into`: resumed from its journal, else started; None when
        there is nothing (left) to do (the child is gone)."""
        from hyperv_emu.emulator.vhdx import DiskRef, MergeJob, RafJournal

        jrel = journal_rel(self.host, child)
        if self.store.exists(jrel):
            raf = self.store.open_random(jrel, True)
            try:
                with disk_errors():
                    job = MergeJob.resume(RafJournal(raf), self.open)
            except BaseException:
                raf.close()
                raise
            if job is not None:
                return job, raf
            raf.close()
        if not self.exists(child):
            self.store.delete(jrel)
            return None
        self.store.create_sparse(jrel, 0)
        raf = self.store.open_random(jrel, True)
        try:
            with disk_errors():
                job = MergeJob.start(
                    child=DiskRef(child, child), parent=DiskRef(into, into),
                    dependants=[DiskRef(d, d) for d in dependants], journal=RafJournal(raf), opener=self.open,
                )
        except BaseException:
            raf.close()
            self.store.delete(jrel)
            raise
        return job, raf

    def merge_slice(self, child: str, into: str, dependants: Sequence[str], max_bytes: int) -> bool:
        """One bounded slice of the merge (started if need be). True once its data is folded
        in and its dependants re-linked; `merge_to_end` then deletes the child."""
        got = self._job(child, into, dependants)
        if got is None:
            return True
        job, raf = got
        try:
            with disk_errors():
                return job.step(max_bytes)
        finally:
            job.close()
            raf.close()

    def merge_to_end(self, child: str, into: str, dependants: Sequence[str]) -> None:
        """Run (or resume) the merge to its end, delete the child and the journal."""
        got = self._job(child, into, dependants)
        if got is None:
            return
        job, raf = got
        try:
            with disk_errors():
                job.run()
                job.finish(lambda _name: self.store.delete(self.rel(child)))
        finally:
            job.close()
            raf.close()
        self.store.delete(journal_rel(self.host, child))


def _check_range(path: str, size: int, offset: int, length: int) -> None:
    if offset < 0 or length < 0 or offset + length > size:
        raise DiskError(
            f"The range {offset}+{length} is outside the virtual disk '{path}' ({size} bytes).", target=path
        )


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
