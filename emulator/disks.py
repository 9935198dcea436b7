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
- Merges of one VM run one after another; each lasts length / merge_rate seconds of the clock.
  Until a merge's end, its files stay as they are; `settle_merges` carries out every merge whose
  end has come, at the start of each transaction.

GC decisions are taken on the *logical* graph: the physical files with every pending merge
already applied, so that several removals in a row (a pipeline removing every checkpoint) plan
their merges against the disk layout they will produce.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import TYPE_CHECKING

from emulator import winpath
from emulator.model import DiskFile, FileOp, HostRecord, MergeTask, VirtualMachineRecord

if TYPE_CHECKING:
    from emulator.engine import Transaction
    from emulator.storage import FileStore

EMPTY_AVHDX = 4 * 1024 * 1024  # an empty dynamic VHDX / AVHDX: header, log, metadata, BAT
EMPTY_VHDX = 4 * 1024 * 1024


def avhdx_name(base_path: str, guid: str) -> str:
    """`D:\\VHDs\\disk.vhdx` + guid -> `D:\\VHDs\\disk_<GUID>.avhdx` (GUID upper case)."""
    wp = winpath.parse(base_path)
    stem = wp.name.rsplit(".", 1)[0] if "." in wp.name else wp.name
    return str(wp.parent.joinpath(f"{stem}_{guid.upper()}.avhdx"))


def file_key(path: str) -> str:
    return path.casefold()


def find_file(host: HostRecord, path: str) -> DiskFile | None:
    key = file_key(path)
    for f in host.disk_files:
        if file_key(f.path) == key:
            return f
    return None


# --- creating files -----------------------------------------------------------------------------


def add_base_disk(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str, size: int) -> None:
    if find_file(host, path) is None:
        host.disk_files.append(DiskFile(path=path, kind="vhdx", size=size, vm_id=vm.id))
        host.file_times[winpath.parse(path).key()] = tx.now()
        tx.queue(FileOp(kind="create_vhdx", host=host.name, path=path, size=size, mtime=tx.now()))


def add_differencing(
    tx: "Transaction",
    host: HostRecord,
    vm: VirtualMachineRecord,
    parent: str,
    base_path: str,
    owner: str,
    *,
    guid: str | None = None,
    length: int = EMPTY_AVHDX,
    mtime: dt.datetime | None = None,
) -> str:
    """A new avhdx on `parent`, named after the drive's original disk. Returns its path."""
    path = avhdx_name(base_path, guid or tx.new_id())
    parent_file = find_file(host, parent)
    size = parent_file.size if parent_file else 0
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
    f = find_file(host, path)
    if f is None:
        return
    host.disk_files.remove(f)
    host.file_times.pop(winpath.parse(path).key(), None)
    # A merge of this file can no longer happen.
    host.merges = [m for m in host.merges if file_key(m.child) != file_key(path)]
    tx.queue(FileOp(kind="delete", host=host.name, path=path))


def file_length(tx: "Transaction", host: HostRecord, path: str) -> int:
    from emulator.engine import host_rel

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
                for m in [m for m in host.merges if file_key(m.into) == key]:
                    delete_file(tx, host, m.child)
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
                  start=start, end=start + dt.timedelta(seconds=seconds))
    )
    tx.changed = True


def settle_merges(tx: "Transaction") -> None:
    """Carry out, in order, every merge whose end time has come."""
    now = tx.now()
    for host in tx.state.hosts:
        while True:
            due = [m for m in host.merges if m.end <= now]
            if not due:
                break
            task = min(due, key=lambda m: (m.end, m.start))
            finish_merge(tx, host, task)


def finish_merge(tx: "Transaction", host: HostRecord, task: MergeTask) -> None:
    """The merge's effects: data folded into `into`, dependants re-linked, pins moved, child gone."""
    host.merges.remove(task)
    child_key, into = file_key(task.child), task.into
    dependants = [f for f in host.disk_files if f.parent is not None and file_key(f.parent) == child_key]
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


def merging(host: HostRecord, vm_id: str, now: dt.datetime) -> bool:
    return any(m.vm_id == vm_id and m.end > now for m in host.merges)


# --- world materialisation and file operations ----------------------------------------------------


def apply_op(store: "FileStore", op: FileOp) -> None:
    from emulator.engine import host_rel

    rel = host_rel(op.host, op.path)
    if op.kind == "create_vhdx":
        if not store.exists(rel):
            store.create_sparse(rel, EMPTY_VHDX)
    elif op.kind == "create_avhdx":
        if not store.exists(rel):
            store.create_sparse(rel, max(EMPTY_AVHDX, op.size))
    elif op.kind == "delete":
        store.delete(rel)
    elif op.kind == "merge":
        # Placeholder files carry no data yet; the child goes once its dependants point past it.
        store.delete(rel)
    elif op.kind == "write_file":
        store.write_atomic(rel, op.payload.encode("utf-8"))
    elif op.kind == "write_bytes":  # any bytes, base64 in the journal
        store.write_atomic(rel, base64.b64decode(op.payload))
    elif op.kind == "sparse_file":
        if not store.exists(rel) or store.size(rel) != op.size:
            store.create_sparse(rel, op.size)
    elif op.kind == "export_disk":
        # The exported disk holds the checkpoint's disk state (flattened); placeholder for now.
        if not store.exists(rel):
            store.create_sparse(rel, EMPTY_VHDX)
    elif op.kind == "mkdir":
        store.makedirs(rel)
    else:
        raise ValueError(f"unknown file operation {op.kind!r}")
