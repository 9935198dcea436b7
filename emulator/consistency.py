"""`hvemu state check` and `hvemu state repair`: what in a state does not add up, and the fixes a
host would make.

Checked, per host: every disk file the state records exists and opens as a VHDX, and a
differencing disk's parent locator names the parent the state records; every drive of a VM and
of a checkpoint points at a recorded file; every pending merge has both its files; no file
operation is parked (journal entries that could not be carried out); and `.avhdx` files on the
host's storage that no record knows (orphans, as Hyper-V leaves after a failed merge) are listed.

Repair retries the parked operations (one that now succeeds is dropped, one that still fails
stays parked and is reported), finishes the merges that are due, and reports what only a person
can fix: orphaned files are listed, never deleted (Hyper-V does not delete them either), and a
missing or damaged disk is named with the VMs and checkpoints that use it.
"""

from __future__ import annotations

import json

import attrs

from hyperv_emu.emulator import disks, exportvm, winpath
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.errors import DiskError, EmulatorError, PathError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord
from hyperv_emu.emulator.transaction import Transaction, host_rel


@attrs.frozen(eq=False, repr=False)
class Problem(Fieldwise):
    """One inconsistency. kind: missing-file, corrupt-file, chain-mismatch, unknown-drive-file,
    merge-missing-file, parked-operation, orphaned-file. path: the Windows path it is about."""

    host: str
    kind: str
    path: str
    message: str


@attrs.frozen(eq=False, repr=False)
class RepairReport(Fieldwise):
    fixed: tuple[str, ...]
    remaining: tuple[Problem, ...]


def check(emulator: Emulator) -> list[Problem]:
    with emulator.transaction() as tx:
        return _problems(tx)


def repair(emulator: Emulator) -> RepairReport:
    fixed: list[str] = []
    with emulator.transaction() as tx:
        parked = list(tx.state.parked_ops)
        if parked:
            tx.state.parked_ops = []
            for entry in parked:
                try:
                    disks.apply_op(tx.store, entry.op)
                except (DiskError, PathError, OSError):
                    tx.state.parked_ops.append(entry)
                else:
                    fixed.append(f"retried the parked {entry.op.kind} of '{entry.op.path}': done")
            tx.changed = True
        disks.settle_merges(tx)
        remaining = _problems(tx)
    return RepairReport(tuple(fixed), tuple(remaining))


def _problems(tx: Transaction) -> list[Problem]:
    out: list[Problem] = []
    for entry in tx.state.parked_ops:
        out.append(Problem(entry.op.host, "parked-operation", entry.op.path,
                           f"the {entry.op.kind} of '{entry.op.path}' could not be carried out "
                           f"({entry.time.isoformat()}): {entry.error}"))
    for host in tx.state.hosts:
        out += _host_problems(tx, host)
    return out


def _users(host: HostRecord, path: str) -> str:
    key = winpath.parse(path).key()
    names = [f"VM '{vm.name}'" for vm in host.vms if any(winpath.parse(d.path).key() == key for d in vm.disks)]
    names += [f"checkpoint '{cp.name}' of '{vm.name}'" for vm in host.vms for cp in vm.checkpoints
              if any(winpath.parse(d.path).key() == key for d in cp.disks)]
    return ", ".join(names) if names else "no VM or checkpoint"


def _host_problems(tx: Transaction, host: HostRecord) -> list[Problem]:
    from hyperv_emu.emulator.vdisk import HostDisks

    files = HostDisks(tx.store, host.name)
    out: list[Problem] = []
    known = {winpath.parse(f.path).key(): f for f in host.disk_files}
    for f in host.disk_files:
        if not tx.store.exists(host_rel(host.name, f.path)):
            out.append(Problem(host.name, "missing-file", f.path,
                               f"the disk file '{f.path}' is missing (used by {_users(host, f.path)})"))
            continue
        try:
            info = files.info(f.path)
        except EmulatorError as exc:
            out.append(Problem(host.name, "corrupt-file", f.path, f"{exc.message} (used by {_users(host, f.path)})"))
            continue
        if f.parent and (info.parent_path is None
                         or winpath.parse(info.parent_path).key() != winpath.parse(f.parent).key()):
            out.append(Problem(host.name, "chain-mismatch", f.path,
                               f"'{f.path}' names its parent '{info.parent_path}', but the state records "
                               f"'{f.parent}'"))
    for vm in host.vms:
        drives = [("VM", vm.name, d.path) for d in vm.disks]
        drives += [("checkpoint", f"{cp.name}' of '{vm.name}", d.path) for cp in vm.checkpoints for d in cp.disks]
        for what, name, path in drives:
            if winpath.parse(path).key() not in known:
                out.append(Problem(host.name, "unknown-drive-file", path,
                                   f"the {what} '{name}' uses '{path}', which the state does not record"))
    for merge in host.merges:
        for path in (merge.child, merge.into):
            if not tx.store.exists(host_rel(host.name, path)):
                out.append(Problem(host.name, "merge-missing-file", path,
                                   f"the merge of '{merge.child}' into '{merge.into}' cannot finish: '{path}' is missing"))
    found, exported = _avhdx_on_storage(tx, host)
    for path in found:
        key = winpath.parse(path).key()
        if key not in known and key not in exported:
            out.append(Problem(host.name, "orphaned-file", path,
                               f"'{path}' is on the host's storage but belongs to no VM or checkpoint"))
    return out


def _avhdx_on_storage(tx: Transaction, host: HostRecord) -> tuple[list[str], set[str]]:
    """The .avhdx files on the host's storage, and the keys of the disk files that Export-VM
    folders list (an exported VM's files belong to it, though no VM of the host uses them)."""
    root = host_rel(host.name, "C:\\").rsplit("/", 1)[0]  # the host's folder, above its drives
    found: list[str] = []
    exported: set[str] = set()

    def walk(rel: str, parts: list[str]) -> None:
        for entry in tx.store.listdir(rel):
            child = rel + "/" + entry.name
            if entry.is_dir:
                walk(child, [*parts, entry.name])
            elif entry.name.casefold().endswith(".avhdx"):
                drive, *folders = [*parts, entry.name]
                found.append(str(winpath.WinPath(drive, tuple(folders))))
            elif entry.name.casefold().endswith(".vmcx") and parts and parts[-1].casefold() == "virtual machines":
                exported.update(_exported_keys(tx, child))

    if tx.store.exists(root):
        walk(root, [])
    return sorted(found), exported


def _exported_keys(tx: Transaction, rel: str) -> set[str]:
    try:
        manifest = json.loads(tx.store.read_bytes(rel))
        return {winpath.parse(p).key() for p in exportvm.exported_files(manifest)}
    except (ValueError, OSError, EmulatorError):
        return set()  # a host's own configuration (or garbage): no export
