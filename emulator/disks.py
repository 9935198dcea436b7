"""Virtual disk files: naming, the chain graph, deletion and background merges.

The rules (hyperv-reference.md §4.2–4.4, scenarios.md "Differencing disks", "Background merges"):

- A checkpoint captures the file each drive was writing (its *snapshot disk*, read-only from
  then on) and the drive moves to a new ``<base name>_<GUID>.avhdx`` beside the original
  ``.vhdx``; that new file is *owned* by the checkpoint (it holds what was written after it).
- A restore drops the VM's current files and gives each drive a new avhdx on the checkpoint's
  snapshot disk, also owned by that checkpoint.
- A file is *pinned* while a checkpoint captured it or a VM drive writes to it. After a removal,
  an unpinned differencing file with no child is deleted at once; an unpinned file with exactly
  one child gets that child merged into it in the background (the child's data folds into the
  parent, the child's children and pins move to the parent, the child file goes); with two or
  more children nothing happens until one remains.
- Merges of one VM run one after another. Under the virtual clock each lasts length / merge_rate
  seconds: until its end its files stay as they are, and `settle_merges` carries out every merge
  whose end has come, at the start of each transaction (the physical merge, a journaled
  `MergeJob`, runs as the transaction's "merge" file operation, so a process killed in the middle
  leaves a journal that the next transaction's replay finishes). Under the real clock a merge is
  a background job (`emulator.background`): a worker thread copies a slice at a time, each slice
  in its own transaction, and carries out the merge's effects when its job is done; a later
  process resumes a job that was cut off. Before an operation changes a VM's disks, `quiesce`
  finishes the job that has started for it (so no file of a running job changes under it).

The files themselves are real VHDX / AVHDX files (`emulator.vdisk`).

GC decisions are taken on the *logical* graph: the physical files with every pending merge
already applied, so that several removals in a row (a pipeline removing every checkpoint) plan
their merges against the disk layout they will produce.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import TYPE_CHECKING

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.model import (
    ClockMode,
    DiskFile,
    FileOp,
    HostRecord,
    MergeTask,
    VirtualMachineRecord,
)
from hyperv_emu.emulator.statetrack import find
from hyperv_emu.emulator.transaction import Transaction, host_rel

if TYPE_CHECKING:
    from hyperv_emu.emulator.storage import FileStore

EMPTY_AVHDX = 4 * 1024 * 1024  # an empty dynamic VHDX / AVHDX: header, log, metadata, BAT
EMPTY_VHDX = 4 * 1024 * 1024


def avhdx_name(base_path: str, guid: str) -> str:
    """`D:\\VHDs\\disk.vhdx` + guid -> `D:\\VHDs\\disk_<GUID>.avhdx` (GUID upper case)."""
    wp = winpath.parse(base_path)
    stem = wp.name.rsplit(".", 1)[0] if "." in wp.name else wp.name
    return str(wp.parent.joinpath(f"{stem}_{guid.upper()}.avhdx"))


def file_key(path: str) -> str:
    return path.casefold()


def _disk_file_key(f: DiskFile) -> str:
    return file_key(f.path)


def find_file(host: HostRecord, path: str) -> DiskFile | None:
    """The host's record of the disk file `path` (through an index of the records)."""
    found: DiskFile | None = find(host.disk_files, file_key(path), _disk_file_key)
    return found


# --- creating files -----------------------------------------------------------------------------


def add_base_disk(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str, size: int, *,
                  known_new: bool = False) -> int:
    """Record (and create) the base disk `path`; returns its virtual size. A file already on the
    host's storage (an exported disk being imported) is used as it is: it must be a VHDX.
    `known_new`: the caller knows the host records no such file (a world being read)."""
    existing = None if known_new else find_file(host, path)
    if existing is not None:
        return existing.size
    from hyperv_emu.emulator.vdisk import HostDisks, normalise_size

    files = HostDisks(tx.store, host.name)
    if files.exists(path):
        size = files.info(path).size
    else:
        size = normalise_size(size)
        host.file_times[winpath.parse(path).key()] = tx.now()
        tx.queue(FileOp(kind="create_vhdx", host=host.name, path=path, size=size, mtime=tx.now()))
    host.disk_files.append(DiskFile(path=path, kind="vhdx", size=size, vm_id=vm.id))
    tx.changed = True
    return size


def add_differencing(
    tx: "Transaction",
    host: HostRecord,
    vm: VirtualMachineRecord,
    parent: str,
    base_path: str,
    owner: str | None,
    *,
    guid: str | None = None,
    length: int = EMPTY_AVHDX,
    mtime: dt.datetime | None = None,
    parent_size: int | None = None,
) -> str:
    """A new avhdx on `parent`, named after the drive's original disk. Returns its path.
    `parent_size`: the parent's virtual size when the caller knows it (else looked up)."""
    path = avhdx_name(base_path, guid or tx.new_id())
    if parent_size is None:
        parent_file = find_file(host, parent)
        parent_size = parent_file.size if parent_file else 0
    size = parent_size
    host.disk_files.append(DiskFile(path=path, kind="avhdx", size=size, parent=parent, vm_id=vm.id, owner=owner))
    host.file_times[winpath.parse(path).key()] = mtime or tx.now()
    tx.queue(
        FileOp(
            kind="create_avhdx", host=host.name, path=path, parent=parent,
            size=max(EMPTY_AVHDX, length), mtime=mtime or tx.now(),
        )
    )
    return path


def delete_file(tx: "Transaction", host: HostRecord, path: str) -> None:
    # A merge of this file can no longer happen.
    host.merges = [m for m in host.merges if file_key(m.child) != file_key(path)]
    f = find_file(host, path)
    if f is None:
        return
    host.disk_files.remove(f)
    host.file_times.pop(winpath.parse(path).key(), None)
    tx.queue(FileOp(kind="delete", host=host.name, path=path))


def file_length(tx: "Transaction", host: HostRecord, path: str) -> int:
    rel = host_rel(host.name, path)
    try:
        return tx.store.size(rel)
    except (FileNotFoundError, OSError):
        pass
    for op in reversed(tx.ops):  # created in this transaction, not on storage yet
        if op.kind in ("create_avhdx", "create_vhdx") and file_key(op.path) == file_key(path):
            return op.size if op.kind == "create_avhdx" else EMPTY_VHDX
    return EMPTY_AVHDX


# --- the logical graph and GC ---------------------------------------------------------------------


def _aliases(host: HostRecord) -> dict[str, str]:
    return {file_key(m.child): m.into for m in host.merges}


def _resolve(aliases: dict[str, str], path: str) -> str:
    seen = set()
    while file_key(path) in aliases and file_key(path) not in seen:
        seen.add(file_key(path))
        path = aliases[file_key(path)]
    return path


def _merging_into(host: HostRecord, aliases: dict[str, str], key: str) -> list[str]:
    """The files whose pending merges lead, directly or through other pending merges, into the
    file `key`: the physical files that make up that logical file besides itself."""
    return [m.child for m in host.merges if file_key(_resolve(aliases, m.child)) == key]


def _pins(host: HostRecord, vm: VirtualMachineRecord, aliases: dict[str, str]) -> set[str]:
    pins = {file_key(_resolve(aliases, d.path)) for d in vm.disks}
    for cp in vm.checkpoints:
        pins |= {file_key(_resolve(aliases, d.path)) for d in cp.disks}
    return pins


def collect(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, merge_rate: int) -> None:
    """Delete or schedule merges for the VM's files that nothing needs any more."""
    while True:
        aliases = _aliases(host)
        pins = _pins(host, vm, aliases)
        logical = [f for f in host.disk_files if f.vm_id == vm.id and file_key(f.path) not in aliases]
        children: dict[str, list[DiskFile]] = {file_key(f.path): [] for f in logical}
        for f in logical:
            if f.parent is not None:
                parent = file_key(_resolve(aliases, f.parent))
                children.setdefault(parent, []).append(f)
        acted = False
        for f in logical:
            key = file_key(f.path)
            if key in pins:
                continue
            kids = children.get(key, [])
            if not kids and f.kind == "avhdx":
                # The file goes with every file still to be merged into it, however indirectly
                # (a pending merge into a file that is itself to be merged into `f`): none of
                # them has a dependant outside the group, and no merge may be left behind whose
                # target is gone.
                for g in _merging_into(host, aliases, key):
                    delete_file(tx, host, g)
                delete_file(tx, host, f.path)
                acted = True
                break
            if len(kids) == 1:
                schedule_merge(tx, host, vm, kids[0].path, f.path, merge_rate)
                acted = True
                break
        if not acted:
            return


def schedule_merge(
    tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, child: str, into: str, merge_rate: int
) -> None:
    now = tx.now()
    start = max([now] + [m.end for m in host.merges if m.vm_id == vm.id])
    length = file_length(tx, host, child)
    seconds = length / max(1, merge_rate)
    host.merges.append(
        MergeTask(id=tx.new_id(), vm_id=vm.id, child=child, into=into, length=length,
                  start=start, end=start + dt.timedelta(seconds=seconds),
                  job=tx.state.clock.mode is ClockMode.REAL)
    )
    tx.changed = True


def merges_due(tx: "Transaction") -> bool:
    """Whether `settle_merges` has a merge to finish."""
    now = tx.now()
    return any(not m.job and m.end <= now for host in tx.state.hosts for m in host.merges)


def settle_merges(tx: "Transaction") -> None:
    """Carry out, in order, every merge whose end time has come (a real-clock merge, `job`, ends
    when its background job is done instead)."""
    now = tx.now()
    for host in tx.state.hosts:
        while True:
            due = [m for m in host.merges if not m.job and m.end <= now]
            if not due:
                break
            task = min(due, key=lambda m: (m.end, m.start))
            finish_merge(tx, host, task)


def finish_merge(tx: "Transaction", host: HostRecord, task: MergeTask) -> None:
    """The merge's effects: data folded into `into`, dependants re-linked, pins moved, child gone."""
    host.merges.remove(task)
    child_key, into = file_key(task.child), task.into
    dependants = _dependants(host, task.child)
    tx.queue(FileOp(kind="merge", host=host.name, path=task.child, parent=into,
                    payload="\n".join(f.path for f in dependants)))
    for f in dependants:
        f.parent = into
    for vm in host.vms:
        for d in vm.disks:
            if file_key(d.path) == child_key:
                d.path = into
        for cp in vm.checkpoints:
            for d in cp.disks:
                if file_key(d.path) == child_key:
                    d.path = into
    child = find_file(host, task.child)
    if child is not None:
        host.disk_files.remove(child)
    tx.changed = True


def _dependants(host: HostRecord, child: str) -> list[DiskFile]:
    return [f for f in host.disk_files if f.parent is not None and file_key(f.parent) == file_key(child)]


def merging(host: HostRecord, vm_id: str, now: dt.datetime) -> bool:
    """A merge of the VM has not finished (virtual clock: its end is still to come; real clock:
    its job is not done)."""
    return any(m.vm_id == vm_id and (m.job or m.end > now) for m in host.merges)


def merge_percent(host: HostRecord, vm_id: str, now: dt.datetime) -> int | None:
    """How far the VM's unfinished merges are, 0-99, over the time from the earliest start to the
    latest (expected) end among them (a finished merge leaves the queue, so the count starts
    again with the next file); None when none runs."""
    running = [m for m in host.merges if m.vm_id == vm_id and (m.job or m.end > now)]
    if not running:
        return None
    start, end = min(m.start for m in running), max(m.end for m in running)
    total = (end - start).total_seconds()
    if total <= 0:
        return 99
    return max(0, min(99, int((now - start).total_seconds() * 100 // total)))


# --- physical merges under the real clock (emulator.background drives them) ------------------------


def merge_slice(tx: "Transaction", max_bytes: int) -> bool:
    """One slice of the first unfinished merge of the state (real clock); when its job is done,
    the merge's effects are carried out in this transaction. False when there is no merge."""
    from hyperv_emu.emulator.vdisk import HostDisks

    for host in tx.state.hosts:
        jobs = [m for m in host.merges if m.job]
        if not jobs:
            continue
        task = jobs[0]
        files = HostDisks(tx.store, host.name)
        deps = [f.path for f in _dependants(host, task.child)]
        if files.merge_slice(task.child, task.into, deps, max_bytes):
            finish_merge(tx, host, task)
        return True
    return False


def quiesce(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord) -> None:
    """Before the VM's disks change (a checkpoint, a restore, a removal, guest data): finish the
    merge job that has started for it, so that no file of a running job changes under it. Only
    the real clock has such jobs between transactions."""
    tasks = [m for m in host.merges if m.vm_id == vm.id and m.job]
    if not tasks:
        return
    from hyperv_emu.emulator.vdisk import HostDisks

    files = HostDisks(tx.store, host.name)
    for task in tasks:
        if files.merge_started(task.child):
            # Files first (the job is resumed from its journal), then the records: a crash in
            # between leaves a task whose child is gone, which the worker then just finishes.
            files.merge_to_end(task.child, task.into, [f.path for f in _dependants(host, task.child)])
            finish_merge(tx, host, task)


# --- world materialisation and file operations ----------------------------------------------------


# Operations that only create files (or folders): inside a batch they are not synced one by one
# (`FileStore.unsynced`). A merge keeps its own syncs: its journal's order depends on them.
_UNSYNCED_OPS = frozenset({"create_vhdx", "create_avhdx", "write_file", "write_bytes", "sparse_file",
                           "copy_sparse", "mkdir"})


def apply_op(store: "FileStore", op: FileOp) -> None:
    """Carry out one journaled file operation; each is idempotent (a replay after a crash
    finishes what was cut off: a torn creation is made again, a merge resumes from its journal).
    A file it creates is durable when the store's batch ends (at once outside a batch)."""
    if op.kind in _UNSYNCED_OPS:
        with store.unsynced():
            _apply(store, op)
    else:
        _apply(store, op)


def _apply(store: "FileStore", op: FileOp) -> None:
    from hyperv_emu.emulator.vdisk import HostDisks

    rel = host_rel(op.host, op.path)
    if op.kind == "create_vhdx":
        HostDisks(store, op.host).create_base(op.path, op.size)
    elif op.kind == "create_avhdx":
        HostDisks(store, op.host).create_child(op.path, op.parent, max(EMPTY_AVHDX, op.size))
    elif op.kind == "delete":
        store.delete(rel)
    elif op.kind == "merge":
        dependants = [d for d in op.payload.split("\n") if d]
        HostDisks(store, op.host).merge_to_end(op.path, op.parent, dependants)
    elif op.kind == "write_file":
        store.write_atomic(rel, op.payload.encode("utf-8"))
    elif op.kind == "write_bytes":  # any bytes, base64 in the journal
        store.write_atomic(rel, base64.b64decode(op.payload))
    elif op.kind == "sparse_file":
        if not store.exists(rel) or store.size(rel) != op.size:
            store.create_sparse(rel, op.size)
    elif op.kind == "copy_sparse":  # a memory state: parent (a Windows path) -> path
        src = host_rel(op.host, op.parent)
        if store.exists(src):
            store.copy_sparse(src, rel, op.size)
        else:  # memory never set: zeros
            store.create_sparse(rel, op.size)
    elif op.kind == "export_disk":  # the checkpoint's disk (parent) flattened into a new VHDX
        HostDisks(store, op.host).flatten(op.parent, op.path)
    elif op.kind == "mkdir":
        store.makedirs(rel)
    elif op.kind == "copy_vhd":  # Export-VM (emulator.exportvm plans it; vhdfiles copies)
        from hyperv_emu.emulator import vhdfiles

        vhdfiles.copy_vhd(store, op)
    elif op.kind in ("new_vhd", "resize_vhd"):  # New-VHD, Resize-VHD (emulator.vhdfiles)
        from hyperv_emu.emulator import vhdfiles

        vhdfiles.apply(store, op)
    else:
        raise ValueError(f"unknown file operation {op.kind!r}")
