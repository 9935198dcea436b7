r"""The rules of the VHD cmdlets: New-VHD, Get-VHD, Test-VHD, Merge-VHD, Resize-VHD, Optimize-VHD.

Sources: the cmdlets' reference pages (winserver2022-ps/Hyper-V) and the Windows virtual disk
errors (winerror.h ERROR_VHD_*, e.g. 0xC03A0012 "The size of the virtual hard disk is not valid.").

- New-VHD makes a VHDX (the extension decides the format; ``.vhd`` files are not emulated):
  dynamic (the default, 32 MiB blocks), fixed (every block allocated: a sparse file here) or
  differencing (-ParentPath; 2 MiB blocks, the parent's size). An existing file is refused.
- Get-VHD reads the file: type, sizes, parent, identifier, MinimumSize from its partitions.
  ``Attached`` is true while a VM's worker holds the file open (the VM is not Off).
- Test-VHD: True, or False with the reason the chain is unusable.
- Merge-VHD (offline): folds the chain from -Path down to -DestinationPath (default: the parent)
  into that ancestor; the merged files go. Any file of that chain held open is refused.
- Resize-VHD: expands any base VHDX and shrinks one down to its MinimumSize; a differencing disk
  or a disk with differencing children (checkpoints) is refused (hyperv-reference §4, "Resizing a
  VHD that has checkpoints is refused"); online only on a SCSI controller.
- Optimize-VHD: a fixed disk and a disk in use are refused; otherwise it succeeds without
  changing the file (a compaction that finds nothing to reclaim, which the page allows).

Texts whose exact Windows wording is not documented follow the Hyper-V "Failed to … The system
failed to … '<path>': <Win32 text>" shape [U]: the block/sector size texts, "not a differencing
disk", "not an ancestor", the resize refusals (children, minimum size) and compacting a fixed disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator import disks, openfiles, winpath
from hyperv_emu.emulator.transaction import host_rel
from hyperv_emu.emulator.errors import DiskError, EmulatorError, FileInUse, PathError
from hyperv_emu.emulator.model import FileOp, HostRecord, MergeTask, VMStateName
from hyperv_emu.emulator.vdisk import MAX_SIZE, HostDisks
from hyperv_emu.emulator.vhdfiles import NewVhdSpec, VhdFacts, chain_problem, facts

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

MiB = 1 << 20
TYPES = ("Fixed", "Dynamic", "Differencing")
NOT_FOUND = "The system cannot find the file specified. (0x80070002)"
INVALID_SIZE = "The size of the virtual hard disk is not valid. (0xC03A0012)"
IN_USE = "The process cannot access the file because it is being used by another process. (0x80070020)"


def _error(cls: type[EmulatorError], message: str, target: str, error_id: str, category: str) -> EmulatorError:
    err = cls(message, target=target)
    err.error_id, err.category = error_id, category
    return err


def _path(path: str) -> str:
    return str(winpath.parse(path))


def _exists(tx: "Transaction", host: HostRecord, path: str) -> bool:
    rel = host_rel(host.name, path)
    return tx.store.exists(rel) and not tx.store.is_dir(rel)


def _require(tx: "Transaction", host: HostRecord, path: str, action: str) -> None:
    if not _exists(tx, host, path):
        raise _error(PathError, f"Failed to {action}. The system failed to {action.split()[0]} '{path}': {NOT_FOUND}.",
                     path, "ObjectNotFound", "ObjectNotFound")


def held_by_vm(host: HostRecord, path: str) -> bool:
    holder = openfiles.holder_of(host, path)
    return holder is not None and holder.startswith("virtual machine")


# --- New-VHD -------------------------------------------------------------------------------------


def new_vhd(tx: "Transaction", host: HostRecord, path: str, spec: NewVhdSpec) -> str:
    """Record and queue the new file; returns its Windows path."""
    p = _path(path)
    fail = f"Failed to create the virtual hard disk. The system failed to create '{p}'"
    ext = p.rsplit(".", 1)[-1].casefold() if "." in winpath.parse(p).name else ""
    if ext == "vhd":
        raise _error(DiskError, f"{fail}: VHD-format (.vhd) files are not emulated by hvemu; use a .vhdx path.",
                     p, "NotSupportedByHvemu", "NotImplemented")
    if ext not in ("vhdx", "avhdx") or (ext == "avhdx" and spec.vhd_type != "Differencing"):
        raise _error(DiskError, f"{fail}: The system does not recognize the file format of this virtual hard disk. "
                     "(0xC03A0004).", p, "InvalidParameter", "InvalidArgument")
    if disks.find_file(host, p) is not None or tx.store.exists(host_rel(host.name, p)):
        raise _error(DiskError, f"{fail}: The file exists. (0x80070050).", p, "InvalidParameter", "ResourceExists")
    _check_sizes(spec, fail, p)
    parent_path: str | None = None
    size = spec.size
    if spec.vhd_type == "Differencing":
        parent_path = _path(spec.parent)
        if not _exists(tx, host, parent_path):
            raise _error(PathError, f"{fail}: {NOT_FOUND}.", parent_path, "ObjectNotFound", "ObjectNotFound")
        parent_size = facts(HostDisks(tx.store, host.name), parent_path).size
        if size and size != parent_size:
            raise _error(DiskError, f"{fail}: {INVALID_SIZE}.", p, "InvalidParameter", "InvalidArgument")
        size = parent_size
        spec = NewVhdSpec(spec.vhd_type, size, spec.block_size, 0, 0, parent_path)
    # Not recorded as a disk of the state: like any file the host did not make for a VM, it is
    # read from its headers, and Remove-Item may delete it.
    host.file_times[winpath.parse(p).key()] = tx.now()
    tx.queue(FileOp(kind="new_vhd", host=host.name, path=p, parent=parent_path or "", size=size,
                    payload=spec.payload(), mtime=tx.now()))
    return p


def _check_sizes(spec: NewVhdSpec, fail: str, p: str) -> None:
    bs, lss, pss = spec.block_size, spec.logical_sector_size, spec.physical_sector_size
    if bs and (bs < MiB or bs > 256 * MiB or bs & (bs - 1)):
        raise _error(DiskError, f"{fail}: The specified block size is not valid: a VHDX block size is a power of 2 "
                     "from 1 MB to 256 MB.", p, "InvalidParameter", "InvalidArgument")
    for value in (lss, pss):
        if value not in (0, 512, 4096):
            raise _error(DiskError, f"{fail}: The specified sector size is not valid: it must be 512 or 4096.",
                         p, "InvalidParameter", "InvalidArgument")
    if spec.vhd_type != "Differencing":
        if spec.size <= 0 or spec.size % (lss or 512) or spec.size > MAX_SIZE:
            raise _error(DiskError, f"{fail}: {INVALID_SIZE}.", p, "InvalidParameter", "InvalidArgument")


# --- Get-VHD, Test-VHD -----------------------------------------------------------------------------


def vhd_facts(tx: "Transaction", host: HostRecord, path: str) -> tuple[VhdFacts, bool]:
    """The file's facts and whether it is attached (held open by a VM)."""
    p = _path(path)
    if not _exists(tx, host, p):
        raise PathError(f"The system cannot find the file specified: '{p}'.", target=p)
    known = disks.find_file(host, p)
    f = facts(HostDisks(tx.store, host.name), known.path if known is not None else p)
    if f.parent_path is not None:
        parent = disks.find_file(host, f.parent_path)
        if parent is not None:
            f = attrs.evolve(f, parent_path=parent.path)
    return f, held_by_vm(host, p)


def test_vhd(tx: "Transaction", host: HostRecord, path: str) -> str | None:
    """None when the chain under `path` is usable, else why not."""
    p = _path(path)
    if not _exists(tx, host, p):
        raise _error(PathError, f"The system cannot find the file specified: '{p}'.", p, "ObjectNotFound",
                     "ObjectNotFound")
    return chain_problem(HostDisks(tx.store, host.name), p)


# --- Merge-VHD -------------------------------------------------------------------------------------


def merge_vhd(tx: "Transaction", host: HostRecord, path: str, destination: str | None) -> str:
    """Fold `path` and the files between it and `destination` into `destination`; returns the
    destination's path."""
    p = _path(path)
    _require(tx, host, p, "merge the virtual disk")
    fail = f"Failed to merge the virtual disk. The system failed to merge '{p}'"
    files = HostDisks(tx.store, host.name)
    problem = chain_problem(files, p)
    if problem is not None:
        raise _error(DiskError, f"{fail}: {problem}.", p, "OperationFailed", "InvalidOperation")
    chain = [p]
    while (parent := files.info(chain[-1]).parent_path) is not None:
        known = disks.find_file(host, parent)
        chain.append(known.path if known is not None else _path(parent))
    if len(chain) == 1:
        raise _error(DiskError, f"{fail}: The virtual hard disk is not a differencing disk; only a differencing "
                     "disk can be merged.", p, "InvalidParameter", "InvalidArgument")
    dest = chain[1] if destination is None else _path(destination)
    keys = [winpath.parse(c).key() for c in chain]
    if winpath.parse(dest).key() not in keys[1:]:
        raise _error(DiskError, f"{fail}: '{dest}' is not an ancestor of the differencing disk in its chain.",
                     dest, "InvalidParameter", "InvalidArgument")
    last = keys.index(winpath.parse(dest).key())
    for f in chain[: last + 1]:
        if openfiles.holder_of(host, f) is not None:
            raise FileInUse(f"{fail}: {IN_USE}.", target=f)
    owner = next((r.vm_id for c in chain if (r := disks.find_file(host, c)) and r.vm_id), None) or ""
    for i in range(last):
        task = MergeTask(id=tx.new_id(), vm_id=owner, child=chain[i], into=chain[i + 1], length=0,
                         start=tx.now(), end=tx.now())
        host.merges.append(task)
        disks.finish_merge(tx, host, task)
        host.file_times.pop(winpath.parse(chain[i]).key(), None)
    host.file_times[winpath.parse(chain[last]).key()] = tx.now()
    return chain[last]


# --- Resize-VHD, Optimize-VHD ----------------------------------------------------------------------


def resize_vhd(tx: "Transaction", host: HostRecord, path: str, size: int | None) -> str:
    """`size` None: -ToMinimumSize. Returns the file's path."""
    p = _path(path)
    _require(tx, host, p, "resize the virtual disk")
    fail = f"Failed to resize the virtual disk. The system failed to resize '{p}'"
    f = facts(HostDisks(tx.store, host.name), p)
    if f.vhd_type == "Differencing" or any(
            r.parent is not None and disks.file_key(r.parent) == disks.file_key(p) for r in host.disk_files):
        raise _error(DiskError, f"{fail}: The virtual disk has differencing disks (checkpoints) in its chain, "
                     "which a resize would corrupt.", p, "InvalidOperation", "InvalidOperation")
    holder = openfiles.holder_of(host, p)
    if holder is not None:
        ide = any(d.controller_type == "IDE" and disks.file_key(d.path) == disks.file_key(p)
                  for vm in host.vms if vm.state is not VMStateName.OFF for d in vm.disks)
        if not holder.startswith("virtual machine") or ide:
            raise FileInUse(f"{fail}: {IN_USE}.", target=p)
    if size is None:
        if f.minimum_size is None:
            raise _error(DiskError, f"{fail}: The minimum size of the virtual disk is not known: it holds no "
                         "partitions.", p, "InvalidOperation", "InvalidOperation")
        size = f.minimum_size
    if size <= 0 or size % f.logical_sector_size or size > MAX_SIZE:
        raise _error(DiskError, f"{fail}: {INVALID_SIZE}.", p, "InvalidParameter", "InvalidArgument")
    if size < f.size and f.minimum_size is not None and size < f.minimum_size:
        raise _error(DiskError, f"{fail}: The requested size is smaller than the minimum size of the virtual "
                     f"disk ({f.minimum_size} bytes).", p, "InvalidParameter", "InvalidArgument")
    if size == f.size:
        return p
    record = disks.find_file(host, p)
    if record is not None:
        record.size = size
    for vm in host.vms:
        for d in vm.disks:
            if disks.file_key(d.path) == disks.file_key(p):
                d.size = size
    host.file_times[winpath.parse(p).key()] = tx.now()
    tx.queue(FileOp(kind="resize_vhd", host=host.name, path=p, size=size, mtime=tx.now()))
    return p


def optimize_vhd(tx: "Transaction", host: HostRecord, path: str) -> str:
    p = _path(path)
    _require(tx, host, p, "compact the virtual disk")
    fail = f"Failed to compact the virtual disk. The system failed to compact '{p}'"
    if openfiles.holder_of(host, p) is not None:
        raise FileInUse(f"{fail}: {IN_USE}.", target=p)
    if facts(HostDisks(tx.store, host.name), p).vhd_type == "Fixed":
        raise _error(DiskError, f"{fail}: The request is not supported. (0x80070032).", p,
                     "InvalidOperation", "InvalidOperation")
    return p
