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
from hyperv_emu.emulator.errors import EmulatorError, PathError, StateError
from hyperv_emu.emulator.model import EmulatorState, FileOp
from hyperv_emu.emulator.persist import dumps, loads
from hyperv_emu.emulator.storage import HOSTS_DIR, STATE_FILE, FileStore, open_store
from hyperv_emu.emulator.transaction import Transaction, host_rel

_CREATES_FILE = {"create_vhdx", "create_avhdx", "write_file", "write_bytes", "sparse_file", "copy_sparse", "export_disk"}
_REMOVES_FILE = {"delete", "merge"}


def check_ops(store: FileStore, ops: list[FileOp]) -> None:
    """Raise PathError for a file operation the host's file system cannot carry out: a file whose
    folder (or a folder above it) is a file, a file where a folder is, a folder where a file is,
    a file op on a drive root. Operations earlier in `ops` count as done."""
    made: dict[str, bool] = {}  # rel -> is_dir, for what earlier ops create or delete (False: file)
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


class Emulator:
    """An emulated Hyper-V installation whose state lives at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
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
                # A process stopped between saving and applying: finish its work first.
                self._apply_ops(state.pending_ops)
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
            self._apply_ops(tx.ops)
            tx.state.pending_ops = []
            document = dumps(tx.state)
            self.store.write_atomic(STATE_FILE, document)
        self._cache = (document, tx.state)
        tx.ops = []
        tx.changed = False

    def _apply_ops(self, ops: list[FileOp]) -> None:
        for op in ops:
            disks.apply_op(self.store, op)

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
