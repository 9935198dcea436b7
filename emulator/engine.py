"""The emulator's root object: one state location, its clock, its ids, and transactions.

Every operation runs inside `Emulator.transaction()`:

1. take the state's lock (other processes wait);
2. bring the state up to date (`statedb.StateDB.refresh`: the state this process loaded last,
   unless another process committed since) and replay any file operations a crashed process
   left journaled;
3. finish the background merges whose time has come (committed at once, as in 5, so that the
   operation sees their files merged);
4. run the operation on the in-memory state, which queues file operations;
5. commit the rows it changed with those operations journaled (one SQLite transaction), apply
   them (each is idempotent; the files they make are synced together), and commit again with the
   journal empty (atomic, but not synced on its own: a power loss that undoes it brings the
   journal back, whose operations are replayed).

A read-only transaction (`read_only=True`) of a local state skips the lock: it reads the last
committed state (SQLite's WAL gives it one consistent generation); when there is a journal to
replay or a merge that came due, it runs as a writing transaction instead.

Under the real clock, a transaction that leaves merges unfinished makes sure this process's
background worker (`emulator.background`) is carrying them out.

A process killed at any point thus leaves either the old state, or the new state with a journal
that the next transaction replays: no update is lost and no file is left half-made.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Callable, Iterator

from hyperv_emu.emulator import background, disks, winpath
from hyperv_emu.emulator.chaincheck import ChainChecks
from hyperv_emu.emulator.errors import DiskError, EmulatorError, PathError, StateError
from hyperv_emu.emulator.model import EmulatorState, Event, FileOp, ParkedOp
from hyperv_emu.emulator.persist import dumps
from hyperv_emu.emulator.statedb import StateDB
from hyperv_emu.emulator.storage import HOSTS_DIR, STATE_FILE, FileStore, open_store
from hyperv_emu.emulator.transaction import Transaction, host_rel

_CREATES_FILE = {"create_vhdx", "create_avhdx", "write_file", "write_bytes", "sparse_file", "copy_sparse", "export_disk",
                 "new_vhd", "resize_vhd", "copy_vhd"}
_REMOVES_FILE = {"delete", "merge"}


# operations that read a disk chain that must already exist (`op.parent`): a differencing disk's
# parent, an export's source
_READS_CHAIN = {"create_avhdx", "export_disk", "new_vhd", "copy_vhd"}


def check_ops(store: FileStore, ops: list[FileOp], chains: ChainChecks | None = None) -> None:
    """Raise PathError for a file operation the host's file system cannot carry out: a file whose
    folder (or a folder above it) is a file, a file where a folder is, a folder where a file is,
    a file op on a drive root; DiskError for a disk chain an operation reads (a differencing
    disk's parent, an export's source) that is missing or corrupt. Operations earlier in `ops`
    count as done. `chains`: the sound files seen before (a new one when None)."""
    chains = chains if chains is not None else ChainChecks()
    made: dict[str, bool] = {}  # rel -> is_dir, for what earlier ops create or delete (False: file)
    checked: set[str] = set()  # chains already opened (host|key)
    gone: set[str] = set()
    seen: dict[str, str] = {}  # rel -> "file" | "dir" | "none" on storage (cached)

    def kind(rel: str) -> str:
        if rel in gone:
            return "none"
        if rel in made:
            return "dir" if made[rel] else "file"
        if rel not in seen:
            seen[rel] = ("dir" if store.is_dir(rel) else "file") if store.exists(rel) else "none"
        return seen[rel]

    for op in ops:
        wp = winpath.parse(op.path)
        rel = host_rel(op.host, op.path)
        if op.kind in _CREATES_FILE or op.kind == "mkdir":
            # the folders above: hosts/<host>/<drive>, then each part of the path (host_rel's form)
            rel_parts = rel.split("/")
            for i in range(len(wp.parts)):
                folder_rel = "/".join(rel_parts[:3 + i])
                if kind(folder_rel) == "file":
                    folder = winpath.WinPath(wp.drive, wp.parts[:i])
                    raise PathError(f"Cannot create '{wp}' because '{folder}' is a file.", target=str(wp))
                made[folder_rel] = True
                gone.discard(folder_rel)
        if op.kind in _CREATES_FILE:
            if not wp.parts or kind(rel) == "dir":
                raise PathError(f"Cannot write the file '{wp}' because a folder of that name exists.", target=str(wp))
            made[rel] = False
            gone.discard(rel)
        elif op.kind == "mkdir":
            if kind(rel) == "file":
                raise PathError(f"An item with the specified name {wp} already exists.", target=str(wp))
            made[rel] = True
        elif op.kind in _REMOVES_FILE:
            if not wp.parts or kind(rel) == "dir":
                raise PathError(f"'{wp}' is a folder, not a file.", target=str(wp))
            made.pop(rel, None)
            gone.add(rel)
        if op.kind in _READS_CHAIN and op.parent:
            parent_rel = host_rel(op.host, op.parent)
            if made.get(parent_rel) is False:
                continue  # created earlier in this batch
            if kind(parent_rel) != "file":
                raise DiskError(f"The virtual disk file '{winpath.parse(op.parent)}' does not exist.",
                                target=str(winpath.parse(op.parent)))
            key = f"{op.host}|{winpath.parse(op.parent).key()}"
            if key not in checked:
                chains.check(store, op.host, op.parent)
                checked.add(key)


_WRITES = frozenset({"write_file", "write_bytes"})
# operations that touch nothing but their path (and their parent: the file they read)
_TOUCH_OWN_PATHS = _WRITES | {"create_vhdx", "create_avhdx", "delete", "mkdir", "sparse_file", "copy_sparse"}


def drop_superseded_writes(ops: list[FileOp]) -> list[FileOp]:
    """`ops` without each write of a whole file that a later write of the same file replaces
    with nothing between that reads or changes it (a checkpoint created and renamed in one
    transaction writes its configuration twice): the same files result, with one write less."""
    if len(ops) < 2:
        return ops
    kept: list[FileOp] = []
    rewritten: set[str] = set()  # files a later write replaces, untouched since
    for op in reversed(ops):
        key = f"{op.host.casefold()}|{winpath.parse(op.path).key()}"
        if op.kind in _WRITES:
            if key in rewritten:
                continue
            rewritten.add(key)
        elif op.kind in _TOUCH_OWN_PATHS:
            rewritten.discard(key)
            if op.parent:
                rewritten.discard(f"{op.host.casefold()}|{winpath.parse(op.parent).key()}")
        else:
            rewritten.clear()
        kept.append(op)
    return ops if len(kept) == len(ops) else kept[::-1]


# The event a parked file operation leaves in the host's log (hvemu's own id: Hyper-V reports
# such damage in many ways, none of which a journal replay has)
PARKED_OP_EVENT_ID = 19100


def park_event(tx: Transaction, op: FileOp, message: str) -> None:
    """An Error event on the host of `op`, naming the VM whose file it is when one is known."""
    host = next((h for h in tx.state.hosts if h.name.casefold() == op.host.casefold()), None)
    if host is None:
        return
    keys = [winpath.parse(p).key() for p in (op.path, op.parent) if p]
    vm_id = next((f.vm_id for key in keys for f in host.disk_files
                  if winpath.parse(f.path).key() == key and f.vm_id), None)
    vm = next((v for v in host.vms if v.id == vm_id), None)
    if vm is None:  # a configuration or memory file under a VM's folder
        vm = next((v for v in host.vms if v.id.casefold() in keys[0]), None)
    if op.kind == "merge" and vm is not None:
        text = f"'{vm.name}' background disk merge failed to complete: {message} (Virtual machine ID {vm.id.upper()})"
    else:
        text = f"A file operation could not be completed and was set aside: {message}"
    host.events.append(Event(time=tx.now(), level="Error", event_id=PARKED_OP_EVENT_ID, message=text,
                             vm_name=vm.name if vm else "", vm_id=vm.id if vm else ""))


# `on_file_ops(description, done, total)`: told before each journaled file operation is applied
# (`description` is its kind and path: `merge D:\VMs\x.avhdx`) and once when all are done
# (description "", done == total): an application shows the progress of long merges and of the
# creation of a big world's disk files.
FileOpsProgress = Callable[[str, int, int], None]


class Emulator:
    """An emulated Hyper-V installation whose state lives at `url`."""

    def __init__(self, url: str, *, on_file_ops: FileOpsProgress | None = None) -> None:
        self.url = url
        self.on_file_ops = on_file_ops
        self.store = open_store(url)
        # The state database and the state this process loaded last (reused while no other
        # connection commits; dropped when a transaction fails: it may be half-changed).
        self.db = StateDB(self.store)
        self._thread_lock = threading.RLock()
        self.chains = ChainChecks()  # the disk files found sound by check_ops (emulator.chaincheck)

    def exists(self) -> bool:
        with self._thread_lock:
            return self.db.exists()

    def create(self, state: EmulatorState, ops: list[FileOp] | None = None, *, force: bool = False) -> None:
        """Write a fresh state (from a world) and create its files. An existing state is an
        error unless `force`."""
        with self._thread_lock, self.store.lock():
            if self.db.exists():
                if not force:
                    raise StateError(
                        f"A state already exists at '{self.url}'; use --force to replace it."
                    )
                self._wipe_hosts()
                self.store.delete(STATE_FILE)
            # One SQLite transaction writes the whole world with the journal of its file
            # operations; the files are then made and the emptied journal committed, as for
            # any operation (`_commit`).
            tx = Transaction(state, self.store, ops=list(ops or []), changed=True)
            self._commit(tx, write=lambda: self.db.replace(state))

    def _wipe_hosts(self) -> None:
        from hyperv_emu.emulator.vdisk import MERGES_DIR

        for top in (HOSTS_DIR, MERGES_DIR):
            if self.store.exists(top):
                for entry in self.store.listdir(top):
                    self._remove_tree(top + "/" + entry.name)

    def _remove_tree(self, rel: str) -> None:
        if self.store.is_dir(rel):
            for entry in self.store.listdir(rel):
                self._remove_tree(rel + "/" + entry.name)
        else:
            self.store.delete(rel)

    def load(self) -> EmulatorState:
        """The current state as stored (no journal replayed); the "no state" StateError when
        there is none."""
        with self._thread_lock:
            if self.db.needs_migration():
                with self.store.lock():
                    return self.db.refresh()
            return self.db.refresh()

    @contextlib.contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Transaction]:
        """One operation on the state. `read_only`: the operation changes nothing; on a local
        state it then reads the last committed state without taking the lock (a journal to
        replay or merges that came due make it a writing transaction after all)."""
        with self._thread_lock:
            status = self.db.status()
            if status == "none":
                self.db.refresh()  # the "no state" error, before the lock makes the folder
            if read_only and status == "db":
                tx = self._read_tx()
                if tx is not None:
                    try:
                        yield tx
                    finally:
                        if tx.changed or (self.db.tracker is not None and self.db.tracker.is_dirty()):
                            self.db.discard()  # a read that changed the state: not kept
                    self._ensure_worker(tx.state)
                    return
            with self.store.lock():
                state = self.db.refresh()
                tx = Transaction(state, self.store)
                try:
                    if state.pending_ops:
                        # A process stopped between saving and applying: finish its work first.
                        # An operation that cannot be carried out any more is parked, not
                        # replayed forever.
                        self._apply_or_park(tx, list(state.pending_ops))
                        state.pending_ops = []
                        tx.changed = True
                    disks.settle_merges(tx)
                    if tx.ops or tx.changed:
                        self._commit(tx)  # the merges that came due happen before the operation runs
                    yield tx
                    if tx.changed:
                        self._commit(tx)
                    elif self.db.tracker is not None and self.db.tracker.is_dirty():
                        self.db.discard()  # changed without saying so: not kept, as before
                        if self.db.verify:  # the test suite: such a change would be lost
                            from hyperv_emu.emulator.statewrite import TrackingError

                            raise TrackingError("An operation changed the state without marking its "
                                                "transaction changed: the change is lost.")
                except BaseException:
                    self.db.discard()
                    raise
            self._ensure_worker(tx.state)

    def _read_tx(self) -> Transaction | None:
        """A read-only transaction on the last committed state, or None when it needs the lock
        (a memory state; a journal to replay; merges that came due)."""
        if not self.db.lockless_reads():
            return None
        state = self.db.refresh()
        tx = Transaction(state, self.store)
        if state.pending_ops or disks.merges_due(tx):
            return None
        return tx

    def _ensure_worker(self, state: EmulatorState) -> None:
        if any(m.job for h in state.hosts for m in h.merges):
            background.ensure_worker(self.url, functools.partial(_merge_slices, self.url))

    def _commit(self, tx: Transaction, write: Callable[[], None] | None = None) -> None:
        """Save the transaction's state with its file operations journaled, apply them, and save
        the emptied journal. `write`: how the first save is done (`StateDB.commit`, the rows that
        changed, when None; `create` writes the whole state)."""
        # One batch for the check and the operations: folder listings and real paths are read
        # once; the files the operations make are synced when it ends, before the emptied
        # journal is committed.
        failure = None
        tx.ops = drop_superseded_writes(tx.ops)
        with self.store.batch():
            # Refuse, before anything is saved, what could not be stored: a journaled operation
            # that fails would fail again at every replay and lock the state for good.
            check_ops(self.store, tx.ops, self.chains)
            ops, tx.ops = tx.ops, []
            if ops or tx.state.pending_ops:
                tx.state.pending_ops = list(ops)
            (write or self.db.commit)()
            if ops:
                failure = self._apply_or_park(tx, ops)
        if ops:
            tx.state.pending_ops = []
            # The emptied journal needs no fsync of its own: if a power loss undoes this commit,
            # the journal comes back and its idempotent operations, done and synced by now, are
            # replayed; the next durable commit syncs it (statedb.StateDB.commit).
            self.db.commit(durable=False)
        tx.changed = False
        if failure is not None:
            raise failure

    def _apply_or_park(self, tx: Transaction, ops: list[FileOp]) -> EmulatorError | None:
        """Apply `ops` in order; one that fails with a disk or path error (its file deleted or
        damaged outside the emulator) is parked in the state with its error and an Error event,
        and the rest still run. Returns the first such error (None if all were applied), except
        a background merge's: that runs on its own on a host, whatever command happens to let
        the clock reach its end, so its failure is the event only (Hyper-V logs "background disk
        merge failed to complete"), not that command's error."""
        first: EmulatorError | None = None
        report = self.on_file_ops
        # One batch: the files the operations create are synced together when it ends, before
        # the caller saves the state that no longer journals them (storage.FileStore.batch).
        with self.store.batch():
            for done, op in enumerate(ops):
                if report is not None:
                    report(f"{op.kind} {op.path}", done, len(ops))
                try:
                    disks.apply_op(self.store, op)
                except (DiskError, PathError, OSError) as exc:
                    error = exc if isinstance(exc, EmulatorError) else DiskError(
                        f"The file operation on '{op.path}' failed: {exc.strerror or exc}.", target=op.path)
                    if op.kind != "merge":
                        first = first or error
                    tx.state.parked_ops.append(ParkedOp(op=op, error=error.message, time=tx.now()))
                    park_event(tx, op, error.message)
        if report is not None and ops:
            report("", len(ops), len(ops))
        return first

    def read_state(self) -> EmulatorState:
        """The current state (after replaying the journal and finishing due merges)."""
        with self.transaction() as tx:
            return tx.state

    def export_json(self) -> str:
        """The whole state as one indented JSON document (`hvemu state dump`)."""
        return json.dumps(json.loads(dumps(self.read_state())), indent=1, ensure_ascii=False)


def _merge_slices(url: str) -> Callable[[int], bool]:
    """The background worker's step for the state at `url` (`background.SliceRunner`): one
    slice of its first unfinished merge, in a transaction of an `Emulator` of its own."""
    emulator = Emulator(url)

    def run(max_bytes: int) -> bool:
        with emulator.transaction() as tx:
            return disks.merge_slice(tx, max_bytes)

    return run
