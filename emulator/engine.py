"""The emulator's root object: one state location, its clock, its ids, and transactions.

Every operation runs inside `Emulator.transaction()`:

1. take the state's lock (other processes wait);
2. load the state document and replay any file operations a crashed process left journaled;
3. finish the background merges whose time has come (committed at once, as in 5, so that the
   operation sees their files merged);
4. run the operation on the in-memory state, which queues file operations;
5. save the state with those operations journaled (atomic replace), apply them (each is
   idempotent), and save again with the journal empty.

Under the real clock, a transaction that leaves merges unfinished makes sure this process's
background worker (`emulator.background`) is carrying them out.

A process killed at any point thus leaves either the old state, or the new state with a journal
that the next transaction replays: no update is lost and no file is left half-made.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator

from hyperv_emu.emulator import background, disks, winpath
from hyperv_emu.emulator.errors import DiskError, EmulatorError, PathError, StateError
from hyperv_emu.emulator.model import EmulatorState, Event, FileOp, ParkedOp
from hyperv_emu.emulator.persist import dumps, loads
from hyperv_emu.emulator.storage import HOSTS_DIR, STATE_FILE, FileStore, open_store
from hyperv_emu.emulator.transaction import Transaction, host_rel

_CREATES_FILE = {"create_vhdx", "create_avhdx", "write_file", "write_bytes", "sparse_file", "copy_sparse", "export_disk",
                 "new_vhd", "resize_vhd", "copy_vhd"}
_REMOVES_FILE = {"delete", "merge"}


# operations that read a disk chain that must already exist (`op.parent`): a differencing disk's
# parent, an export's source
_READS_CHAIN = {"create_avhdx", "export_disk", "new_vhd"}


def _check_chain(store: FileStore, host: str, path: str, checked: set[str]) -> None:
    """Open the chain under `path` (headers, region tables, metadata, parents): a DiskError names
    the file that is missing or corrupt, before anything is saved."""
    key = f"{host}|{winpath.parse(path).key()}"
    if key in checked:
        return
    from hyperv_emu.emulator.vdisk import HostDisks

    HostDisks(store, host).open_chain(path, writable=False).close()
    checked.add(key)


def check_ops(store: FileStore, ops: list[FileOp]) -> None:
    """Raise PathError for a file operation the host's file system cannot carry out: a file whose
    folder (or a folder above it) is a file, a file where a folder is, a folder where a file is,
    a file op on a drive root; DiskError for a disk chain an operation reads (a differencing
    disk's parent, an export's source) that is missing or corrupt. Operations earlier in `ops`
    count as done."""
    made: dict[str, bool] = {}  # rel -> is_dir, for what earlier ops create or delete (False: file)
    checked: set[str] = set()  # chains already opened
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
            for i in range(len(wp.parts)):
                folder = winpath.WinPath(wp.drive, wp.parts[:i])
                folder_rel = host_rel(op.host, str(folder))
                if kind(folder_rel) == "file":
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
            _check_chain(store, op.host, op.parent, checked)


# The event a parked file operation leaves in the host's log (hvemu's own id: Hyper-V reports
# such damage in many ways, none of which a journal replay has)
PARKED_OP_EVENT_ID = 19100


def park_event(tx: Transaction, op: FileOp, message: str) -> None:
    """An Error event on the host of `op`, naming the VM whose file it is when one is known."""
    host = next((h for h in tx.state.hosts if h.name.casefold() == op.host.casefold()), None)
    if host is None:
        return
    key = winpath.parse(op.path).key()
    vm_id = next((f.vm_id for f in host.disk_files if winpath.parse(f.path).key() == key and f.vm_id), None)
    vm = next((v for v in host.vms if v.id == vm_id), None)
    if vm is None:  # a configuration or memory file under a VM's folder
        vm = next((v for v in host.vms if v.id.casefold() in key), None)
    host.events.append(Event(time=tx.now(), level="Error", event_id=PARKED_OP_EVENT_ID,
                             message=f"A file operation could not be completed and was set aside: {message}",
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
        # The last state document read or written, and the state it holds: a transaction that
        # finds the same bytes again reuses the state instead of structuring it anew. A
        # transaction that fails drops it (its state object may be half-changed).
        self._cache: tuple[bytes, EmulatorState] | None = None

    def exists(self) -> bool:
        return self.store.exists(STATE_FILE)

    def create(self, state: EmulatorState, ops: list[FileOp] | None = None, *, force: bool = False) -> None:
        """Write a fresh state (from a world) and create its files. An existing state is an
        error unless `force`."""
        with self.store.lock():
            if self.store.exists(STATE_FILE):
                if not force:
                    raise StateError(
                        f"A state already exists at '{self.url}'; use --force to replace it."
                    )
                self._wipe_hosts()
            tx = Transaction(state, self.store, ops=list(ops or []), changed=True)
            self._commit(tx)

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
        if not self.store.exists(STATE_FILE):
            raise StateError(
                f"No hvemu state at '{self.url}'. Create one with `hvemu init --world FILE --state {self.url}`."
            )
        data = self.store.read_bytes(STATE_FILE)
        if self._cache is not None and self._cache[0] == data:
            return self._cache[1]
        state = loads(data, self.store.display_path(STATE_FILE))
        self._cache = (data, state)
        return state

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        if not self.store.exists(STATE_FILE):
            self.load()  # raises the "no state" error without creating anything
        with self.store.lock():
            state = self.load()
            tx = Transaction(state, self.store)
            if state.pending_ops:
                # A process stopped between saving and applying: finish its work first. An
                # operation that cannot be carried out any more is parked, not replayed forever.
                self._apply_or_park(tx, state.pending_ops)
                state.pending_ops = []
                tx.changed = True
            try:
                disks.settle_merges(tx)
                if tx.ops:
                    self._commit(tx)  # the merges that came due happen before the operation runs
                yield tx
                if tx.changed:
                    self._commit(tx)
            except BaseException:
                self._cache = None
                raise
            jobs = any(m.job for h in tx.state.hosts for m in h.merges)
        if jobs:
            background.ensure_worker(self.url, functools.partial(_merge_slices, self.url))

    def _commit(self, tx: Transaction) -> None:
        # Refuse, before anything is saved, what could not be stored: a journaled operation that
        # fails would fail again at every replay and lock the state for good.
        with self.store.batch():  # folder listings read once for all the operations
            check_ops(self.store, tx.ops)
        tx.state.pending_ops = list(tx.ops)
        try:
            document = dumps(tx.state)
        except UnicodeEncodeError as exc:
            raise EmulatorError(
                f"A value is not valid Unicode text (it holds a lone surrogate) and cannot be stored: {exc.reason}."
            ) from None
        self.store.write_atomic(STATE_FILE, document)
        if tx.ops:
            failure = self._apply_or_park(tx, tx.ops)
            tx.state.pending_ops = []
            document = dumps(tx.state)
            self.store.write_atomic(STATE_FILE, document)
            if failure is not None:
                self._cache = (document, tx.state)
                tx.ops = []
                tx.changed = False
                raise failure
        self._cache = (document, tx.state)
        tx.ops = []
        tx.changed = False

    def _apply_or_park(self, tx: Transaction, ops: list[FileOp]) -> EmulatorError | None:
        """Apply `ops` in order; one that fails with a disk or path error (its file deleted or
        damaged outside the emulator) is parked in the state with its error and an Error event,
        and the rest still run. Returns the first such error (None if all were applied)."""
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
        return json.dumps(json.loads(dumps(self.read_state())), indent=1)


def _merge_slices(url: str) -> Callable[[int], bool]:
    """The background worker's step for the state at `url` (`background.SliceRunner`): one
    slice of its first unfinished merge, in a transaction of an `Emulator` of its own."""
    emulator = Emulator(url)

    def run(max_bytes: int) -> bool:
        with emulator.transaction() as tx:
            return disks.merge_slice(tx, max_bytes)

    return run
