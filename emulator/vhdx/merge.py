"""Journaled, streaming, resumable merge of a differencing disk into its parent.

``merge_into_parent`` folds the child's data into the parent (the surviving
file), re-links the child's dependants to the parent, and leaves the child to
be deleted. Phases, each recorded in the journal before the next starts:

``prepare``
    A new DataWriteGuid ``G'`` for the parent is chosen and journaled. The
    child's locator gets ``parent_linkage2 = G'`` (so the child still accepts
    its parent), then the parent's DataWriteGuid becomes ``G'`` (any other
    child of the parent is orphaned on purpose: the parent's data changes).
``copy``
    Child blocks, in order, a slice at a time: the child's own sectors are
    written into the parent in bulk (:mod:`.mergestep`: new parent blocks
    allocated together, adjacent ranges joined into one copy, in the kernel
    between local files, one sync of the data per slice). This is idempotent
    and invisible through the child (its sectors hide the parent's), so
    replaying any slice after a crash is harmless. The journal records the next
    block after each slice (after flushing the parent). Zero data is never
    stored where the parent already reads zero, and a whole zero block becomes
    a ZERO block.
``relink``
    Each dependant's locator is rewritten to point at the parent (``G'`` and
    the parent's paths); a dependant reads the same bytes through the child or
    straight through the parent.
``done``
    The caller deletes the child, then clears the journal (or passes
    ``delete_child`` and the library does both).

A process killed at any point leaves files that :func:`recover` finishes
(rolling forward); every chain reads the same bytes before, during and after.
The child must not be written while it is merged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID, uuid4

import attrs

from .bulkcopy import Copier
from .chain import Opener, check_linkage
from .create import make_parent_locator
from .errors import MergeError
from .journal import JournalStore
from .layout import MiB
from .mergestep import fold_blocks
from .structs import KEY_PARENT_LINKAGE2, ParentLocator, guid_text
from .vhdxfile import VhdxFile

JOURNAL_VERSION = 1
DEFAULT_STEP_BYTES = 64 * MiB
# run() (a merge to its end): a slice pays a data sync, a BAT sync and a journal save.
DEFAULT_RUN_SLICE = 1024 * MiB
MAX_BLOCKS_PER_STEP = 1 << 16
PHASES = ("prepare", "copy", "relink", "done")


@attrs.frozen
class DiskRef:
    """A disk as the caller knows it: opener ``name`` and its Windows path."""

    name: str
    win_path: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "win_path": self.win_path}

    @staticmethod
    def from_json(raw: Any) -> DiskRef:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise MergeError(f"bad disk reference in journal: {raw!r}")
        return DiskRef(raw["name"], str(raw.get("win_path", "")))


@attrs.frozen
class MergeProgress:
    """Where a merge stands: phase and bytes of child data done / total."""

    phase: str
    bytes_done: int
    bytes_total: int

    @property
    def done(self) -> bool:
        return self.phase == "done"


def _weight(f: VhdxFile, first: int = 0, end: int | None = None) -> int:
    """Child data in blocks ``first`` .. ``end - 1`` (allocated blocks only are visited)."""
    return sum(
        f.geometry.block_length(b) for b in f.allocated_blocks(first) if end is None or b < end
    )


class MergeJob:
    """A merge in progress; create with :meth:`start` or :meth:`resume`."""

    def __init__(self, journal: JournalStore, opener: Opener, record: dict[str, Any]) -> None:
        self._journal = journal
        self._opener = opener
        self._record = record
        self.child = DiskRef.from_json(record["child"])
        self.parent = DiskRef.from_json(record["parent"])
        self.dependants = [DiskRef.from_json(d) for d in record["dependants"]]
        self._child_guid = UUID(record["child_guid"])
        self._old_guid = UUID(record["parent_old_guid"])
        self._new_guid = UUID(record["parent_new_guid"])
        self._child_file: VhdxFile | None = None
        self._parent_file: VhdxFile | None = None
        self._done_bytes: int | None = None
        self._copy_checked = False

    # ------------------------------------------------------------------ construction

    @classmethod
    def start(
        cls,
        *,
        child: DiskRef,
        parent: DiskRef,
        dependants: Sequence[DiskRef],
        journal: JournalStore,
        opener: Opener,
    ) -> MergeJob:
        """Validate the files, journal the merge and return the job (nothing changed yet)."""
        if journal.load() is not None:
            raise MergeError("the journal holds an unfinished merge: call recover() first")
        if not parent.win_path:
            raise MergeError("the parent's Windows path is needed to re-link dependants")
        for dep in dependants:
            if not dep.win_path:
                raise MergeError(f"{dep.name}: the dependant's Windows path is needed")
        child_f = VhdxFile.open(opener(child.name, False), child.name)
        try:
            parent_f = VhdxFile.open(opener(parent.name, False), parent.name)
            try:
                if not child_f.has_parent:
                    raise MergeError(f"{child.name}: not a differencing disk")
                check_linkage(child_f, parent_f)
                locator = child_f.parent_locator
                assert locator is not None
                if parent_f.data_write_guid != locator.linkages()[0]:
                    raise MergeError(f"{child.name}: parent_linkage does not name {parent.name}")
                for dep in dependants:
                    dep_f = VhdxFile.open(opener(dep.name, False), dep.name)
                    try:
                        check_linkage(dep_f, child_f)
                    finally:
                        dep_f.close()
                total = _weight(child_f)
                record: dict[str, Any] = {
                    "kind": "merge",
                    "version": JOURNAL_VERSION,
                    "child": child.to_json(),
                    "parent": parent.to_json(),
                    "dependants": [d.to_json() for d in dependants],
                    "child_guid": str(child_f.data_write_guid),
                    "parent_old_guid": str(parent_f.data_write_guid),
                    "parent_new_guid": str(uuid4()),
                    "phase": "prepare",
                    "next_block": 0,
                    "bytes_total": total,
                }
            finally:
                parent_f.close()
        finally:
            child_f.close()
        journal.save(record)
        return cls(journal, opener, record)

    @classmethod
    def resume(cls, journal: JournalStore, opener: Opener) -> MergeJob | None:
        """The merge recorded in ``journal``, or None when the journal is empty."""
        record = journal.load()
        if record is None:
            return None
        if record.get("kind") != "merge" or record.get("version") != JOURNAL_VERSION:
            raise MergeError(f"journal record is not a version {JOURNAL_VERSION} merge: {record!r}")
        if record.get("phase") not in PHASES:
            raise MergeError(f"journal record has an unknown phase: {record.get('phase')!r}")
        return cls(journal, opener, record)

    # ------------------------------------------------------------------ progress

    @property
    def phase(self) -> str:
        return str(self._record["phase"])

    @property
    def done(self) -> bool:
        return self.phase == "done"

    def progress(self) -> MergeProgress:
        total = int(self._record["bytes_total"])
        if self.phase in ("relink", "done"):
            return MergeProgress(self.phase, total, total)
        if self.phase == "prepare":
            return MergeProgress(self.phase, 0, total)
        if self._done_bytes is None:
            child = self._open_child()
            self._done_bytes = _weight(child, 0, int(self._record["next_block"]))
        return MergeProgress(self.phase, self._done_bytes, total)

    # ------------------------------------------------------------------ work

    def step(self, max_bytes: int = DEFAULT_STEP_BYTES) -> bool:
        """Do one bounded slice of work (about ``max_bytes`` of child data); True when done."""
        phase = self.phase
        if phase == "prepare":
            self._prepare()
        elif phase == "copy":
            self._copy(max_bytes)
        elif phase == "relink":
            self._relink()
        return self.done

    def run(
        self,
        progress: Callable[[MergeProgress], None] | None = None,
        *,
        slice_bytes: int = DEFAULT_RUN_SLICE,
    ) -> None:
        """Run to the end, reporting progress after every slice."""
        while not self.step(slice_bytes):
            if progress is not None:
                progress(self.progress())
        if progress is not None:
            progress(self.progress())

    def finish(self, delete_child: Callable[[str], None]) -> None:
        """After the merge: delete the child (``delete_child(name)``, must accept a
        missing file) and clear the journal."""
        if not self.done:
            raise MergeError("merge not finished")
        self.close()
        delete_child(self.child.name)
        self._journal.clear()

    def close(self) -> None:
        """Close the files this job opened (the journal stays as it is)."""
        for f in (self._child_file, self._parent_file):
            if f is not None:
                f.close()
        self._child_file = self._parent_file = None

    # ------------------------------------------------------------------ phases

    def _save(self, **changes: Any) -> None:
        record = dict(self._record)
        record.update(changes)
        self._journal.save(record)
        self._record = record

    def _open_child(self, writable: bool = False) -> VhdxFile:
        if self._child_file is not None and (self._child_file.writable or not writable):
            return self._child_file
        if self._child_file is not None:
            self._child_file.close()
        self._child_file = VhdxFile.open(
            self._opener(self.child.name, writable), self.child.name, writable=writable
        )
        if self._child_file.data_write_guid != self._child_guid:
            raise MergeError(f"{self.child.name}: DataWriteGuid changed during the merge")
        return self._child_file

    def _open_parent(self) -> VhdxFile:
        if self._parent_file is None:
            self._parent_file = VhdxFile.open(
                self._opener(self.parent.name, True), self.parent.name, writable=True
            )
        return self._parent_file

    def _prepare(self) -> None:
        child = self._open_child(writable=True)
        parent = self._open_parent()
        locator = child.parent_locator
        assert locator is not None
        linkages = locator.linkages()
        if not linkages or linkages[0] != self._old_guid:
            raise MergeError(f"{self.child.name}: parent_linkage changed during the merge")
        if parent.data_write_guid not in (self._old_guid, self._new_guid):
            raise MergeError(f"{self.parent.name}: DataWriteGuid changed during the merge")
        entries = dict(locator.entries)
        entries[KEY_PARENT_LINKAGE2] = guid_text(self._new_guid)
        child.set_parent_locator(ParentLocator(entries))
        child.flush()
        parent.set_data_write_guid(self._new_guid)
        parent.flush()
        self._save(phase="copy", next_block=0)
        self._done_bytes = 0

    def _check_copy_state(self, child: VhdxFile, parent: VhdxFile) -> None:
        if parent.data_write_guid != self._new_guid:
            raise MergeError(f"{self.parent.name}: DataWriteGuid changed during the merge")
        parent.set_data_write_guid(self._new_guid)  # pin: writes must not rotate it
        check_linkage(child, parent)

    def _copy(self, max_bytes: int) -> None:
        child = self._open_child()
        parent = self._open_parent()
        if not self._copy_checked:
            self._check_copy_state(child, parent)
            self._copy_checked = True
        if self._done_bytes is None:
            self.progress()
        block = int(self._record["next_block"])
        geo = child.geometry
        blocks = geo.payload_blocks
        spent = 0
        todo = child.allocated_blocks(block)
        chosen: list[int] = []
        for allocated in todo[:MAX_BLOCKS_PER_STEP]:
            chosen.append(allocated)
            spent += geo.block_length(allocated)
            block = allocated + 1
            if spent >= max_bytes:
                break
        with Copier(child.raf, parent.raf) as copier:
            fold_blocks(child, parent, chosen, copier)
        if not todo or block > todo[-1]:
            block = blocks  # nothing left to copy
        parent.flush()
        assert self._done_bytes is not None
        self._done_bytes += spent
        if block >= blocks:
            self._save(phase="relink", next_block=block)
        else:
            self._save(next_block=block)

    def _relink(self) -> None:
        for dep in self.dependants:
            f = VhdxFile.open(self._opener(dep.name, True), dep.name, writable=True)
            try:
                locator = f.parent_locator
                if locator is None or not (
                    set(locator.linkages()) & {self._child_guid, self._new_guid}
                ):
                    raise MergeError(f"{dep.name}: no longer a child of {self.child.name}")
                f.set_parent_locator(
                    make_parent_locator(self._new_guid, self.parent.win_path, dep.win_path)
                )
                f.flush()
            finally:
                f.close()
        self.close()
        self._save(phase="done")


def merge_into_parent(
    child: DiskRef,
    parent: DiskRef,
    dependants: Sequence[DiskRef],
    journal: JournalStore,
    opener: Opener,
    *,
    progress: Callable[[MergeProgress], None] | None = None,
    delete_child: Callable[[str], None] | None = None,
) -> None:
    """Merge ``child`` into ``parent`` and re-link ``dependants`` to ``parent``, to the end.

    With ``delete_child`` the child is deleted and the journal cleared;
    without it the journal is left in phase ``done`` and the caller deletes
    the child, then calls ``journal.clear()``.
    """
    job = MergeJob.start(
        child=child, parent=parent, dependants=dependants, journal=journal, opener=opener
    )
    try:
        job.run(progress)
        if delete_child is not None:
            job.finish(delete_child)
    finally:
        job.close()


def recover(
    journal: JournalStore,
    opener: Opener,
    *,
    delete_child: Callable[[str], None] | None = None,
) -> MergeJob | None:
    """Finish the merge recorded in ``journal`` (roll forward); None if there is none.

    Returns the finished job (its ``child`` is the file to delete). With
    ``delete_child`` the child is deleted and the journal cleared.
    """
    job = MergeJob.resume(journal, opener)
    if job is None:
        return None
    try:
        job.run()
        if delete_child is not None:
            job.finish(delete_child)
    finally:
        job.close()
    return job
