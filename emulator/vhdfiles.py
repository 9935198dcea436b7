r"""The files behind the VHD cmdlets (New-VHD, Get-VHD, Test-VHD, Resize-VHD): what a VHDX's
headers say, creating fixed / dynamic / differencing files, a resized copy, and the minimum size
the partitions inside a disk allow.

Every change is a journaled file operation (`FileOp`) applied after the state is saved, like the
rest of `disks.apply_op`, and each is idempotent:

- ``new_vhd`` (path, size, parent, payload ``type,block_size,lss,pss``): a new VHDX of that type
  (a differencing one on `parent`). A file that already opens as a VHDX is left alone.
- ``resize_vhd`` (path, size): the disk rebuilt at the new virtual size through a temporary file
  beside it (``<path>.hvemu-resize``) that is copied over the original and removed; a replay
  finds either the original at its new size (done), or a complete temporary file (copied again).

The rules (who may do what when) are in `emulator.vhdrules`.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID
from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator.errors import DiskError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.vdisk import BASE_BLOCK_SIZE, COPY_PIECE, DIFF_BLOCK_SIZE, HostDisks, disk_errors

if TYPE_CHECKING:
    from hyperv_emu.emulator.model import FileOp
    from hyperv_emu.emulator.storage import FileStore
    from hyperv_emu.emulator.vhdx import VhdxFile

OP_KINDS = frozenset({"new_vhd", "resize_vhd"})
RESIZE_SUFFIX = ".hvemu-resize"
MBR_SIGNATURE = b"\x55\xaa"
GPT_PROTECTIVE = 0xEE


@attrs.frozen(eq=False, repr=False)
class VhdFacts(Fieldwise):
    """What Get-VHD reports that the file's headers and contents decide."""

    path: str
    vhd_type: str  # "Fixed" | "Dynamic" | "Differencing"
    parent_path: str | None
    size: int
    file_size: int
    block_size: int  # 0 for a fixed disk, as Get-VHD shows it
    logical_sector_size: int
    physical_sector_size: int
    disk_identifier: str
    minimum_size: int | None


@attrs.frozen
class NewVhdSpec:
    """New-VHD's choices: type "Fixed" | "Dynamic" | "Differencing"; 0 means the default."""

    vhd_type: str
    size: int = 0
    block_size: int = 0
    logical_sector_size: int = 0
    physical_sector_size: int = 0
    parent: str = ""

    def payload(self) -> str:
        return f"{self.vhd_type},{self.block_size},{self.logical_sector_size},{self.physical_sector_size}"

    @staticmethod
    def from_op(op: "FileOp") -> "NewVhdSpec":
        kind, bs, lss, pss = op.payload.split(",")
        return NewVhdSpec(kind, op.size, int(bs), int(lss), int(pss), op.parent)


def facts(files: HostDisks, path: str) -> VhdFacts:
    """Get-VHD's values from the file (DiskError for a file that is not a valid VHDX)."""
    info = files.info(path)
    f = files.open_file(path)
    try:
        fixed = f.leave_blocks_allocated and not f.has_parent
    finally:
        f.close()
    kind = "Differencing" if info.differencing else ("Fixed" if fixed else "Dynamic")
    return VhdFacts(
        path=path, vhd_type=kind, parent_path=info.parent_path, size=info.size, file_size=info.file_size,
        block_size=0 if fixed else info.block_size, logical_sector_size=info.logical_sector_size,
        physical_sector_size=info.physical_sector_size, disk_identifier=info.disk_id.upper(),
        minimum_size=minimum_size(files, path, info.logical_sector_size),
    )


def minimum_size(files: HostDisks, path: str, sector: int) -> int | None:
    """The smallest virtual size the disk's partitions allow (MinimumSize): the end of the last
    partition of its MBR or GPT, rounded up to a MiB. None for a disk without a partition table
    (a new disk); a chain that cannot be read gives None too (Test-VHD reports why)."""
    try:
        chain = files.open_chain(path, writable=False)
    except DiskError:
        return None
    try:
        with disk_errors():
            mbr = chain.read(0, 512)
            if mbr[510:512] != MBR_SIGNATURE:
                return None
            entries = [mbr[446 + 16 * i: 462 + 16 * i] for i in range(4)]
            if any(e[4] == GPT_PROTECTIVE for e in entries):
                end = _gpt_end(chain.read, sector, chain.virtual_size)
            else:
                end = max((int.from_bytes(e[8:12], "little") + int.from_bytes(e[12:16], "little")) * 512
                          for e in entries)
    except DiskError:
        return None
    finally:
        chain.close()
    if end <= 0:
        return None
    mib = 1 << 20
    return -(-end // mib) * mib


def _gpt_end(read: Callable[[int, int], bytes], sector: int, size: int) -> int:
    header = read(sector, 92)
    if header[:8] != b"EFI PART":
        return 0
    first = int.from_bytes(header[72:80], "little")
    count = min(int.from_bytes(header[80:84], "little"), 1024)
    entry_size = int.from_bytes(header[84:88], "little") or 128
    if first * sector + count * entry_size > size:
        return 0
    table = read(first * sector, count * entry_size)
    last = 0
    for i in range(count):
        e = table[i * entry_size: (i + 1) * entry_size]
        if any(e[:16]):  # a used entry has a type GUID
            last = max(last, int.from_bytes(e[40:48], "little"))
    # the backup table and header follow the last usable sector: 33 sectors
    return (last + 1 + 33) * sector if last else 0


def chain_problem(files: HostDisks, path: str) -> str | None:
    """Why the chain under `path` is unusable (Test-VHD), or None. The texts are the Windows
    virtual disk errors (winerror.h ERROR_VHD_*)."""
    seen: set[str] = set()
    current: str | None = path
    child: "VhdxFile | None" = None
    try:
        while current is not None:
            if current.casefold() in seen:
                return "The chain of virtual hard disks is corrupted. A differencing disk is its own ancestor."
            seen.add(current.casefold())
            if not files.exists(current):
                if child is None:
                    return None  # the caller reports a missing file itself
                return ("The chain of virtual hard disks is broken. The system cannot locate the parent virtual "
                        "hard disk for the differencing disk. (0xC03A000D)")
            try:
                f = files.open_file(current)
            except DiskError as exc:
                return exc.message
            if child is not None:
                problem = _linkage_problem(child, f)
                child.close()
                if problem:
                    f.close()
                    return problem
            child = f
            locator = f.parent_locator
            current = files.resolve_parent(current, locator) if f.has_parent and locator else None
        return None
    finally:
        if child is not None:
            child.close()


def _linkage_problem(child: "VhdxFile", parent: "VhdxFile") -> str | None:
    from hyperv_emu.emulator.vhdx import VhdxError, check_linkage

    if child.virtual_size != parent.virtual_size:
        return ("The chain of virtual hard disks is corrupted. There is a mismatch in the virtual sizes of the "
                "parent virtual hard disk and differencing disk. (0xC03A0017)")
    try:
        check_linkage(child, parent)
    except VhdxError:
        return ("The chain of virtual hard disks is corrupted. There is a mismatch in the identifiers of the "
                "parent virtual hard disk and differencing disk. (0xC03A000E)")
    return None


# --- file operations -------------------------------------------------------------------------------


def apply(store: "FileStore", op: "FileOp") -> None:
    files = HostDisks(store, op.host)
    if op.kind == "new_vhd":
        create(files, op.path, NewVhdSpec.from_op(op))
    elif op.kind == "resize_vhd":
        resize(files, op.path, op.size)
    else:
        raise ValueError(f"unknown file operation {op.kind!r}")


def create(files: HostDisks, path: str, spec: NewVhdSpec) -> None:
    """Make the file New-VHD asked for (idempotent)."""
    from hyperv_emu.emulator.vhdx import create_differencing, create_dynamic, create_fixed

    if files.is_vhdx(path):
        return
    raf = files.store.open_random(_fresh(files, path), True)
    with disk_errors():
        if spec.vhd_type == "Differencing":
            parent = files.open_file(spec.parent)
            try:
                create_differencing(raf, parent, parent_win_path=spec.parent, child_win_path=path, name=path,
                                    block_size=spec.block_size or DIFF_BLOCK_SIZE).close()
            finally:
                parent.close()
            return
        make = create_fixed if spec.vhd_type == "Fixed" else create_dynamic
        make(raf, spec.size, name=path, block_size=spec.block_size or BASE_BLOCK_SIZE,
             logical_sector_size=spec.logical_sector_size or 512,
             physical_sector_size=spec.physical_sector_size or 4096).close()


def _fresh(files: HostDisks, path: str) -> str:
    rel = files.rel(path)
    files.store.create_sparse(rel, 0)
    return rel


def resize(files: HostDisks, path: str, size: int) -> None:
    """Rebuild the base disk `path` at virtual size `size`, keeping its type, block and sector
    sizes, identifier and the data below the new end (idempotent, see the module docstring)."""
    from hyperv_emu.emulator.vhdx import create_dynamic, create_fixed

    tmp = path + RESIZE_SUFFIX
    if files.is_vhdx(path) and files.info(path).size == size:
        if files.exists(tmp):
            files.store.delete(files.rel(tmp))
        return
    if not (files.is_vhdx(tmp) and files.info(tmp).size == size):
        source = files.open_file(path)
        try:
            with disk_errors():
                make = create_fixed if source.leave_blocks_allocated else create_dynamic
                out = make(files.store.open_random(_fresh(files, tmp), True), size, name=tmp,
                           block_size=source.block_size, logical_sector_size=source.logical_sector_size,
                           physical_sector_size=source.physical_sector_size, disk_id=source.disk_id)
                try:
                    _copy_allocated(source, out, min(size, source.virtual_size))
                    out.flush()
                finally:
                    out.close()
        finally:
            source.close()
    length = files.store.size(files.rel(tmp))
    files.store.copy_sparse(files.rel(tmp), files.rel(path), length)
    files.store.delete(files.rel(tmp))


def _copy_allocated(source: "VhdxFile", out: "VhdxFile", end: int) -> None:
    from hyperv_emu.emulator.vhdx.layout import PAYLOAD_BLOCK_NOT_PRESENT

    for block, state, _offset in source.iter_blocks():
        if state == PAYLOAD_BLOCK_NOT_PRESENT:
            continue
        pos = block * source.block_size
        stop = min(end, pos + source.block_size)
        while pos < stop:
            n = min(COPY_PIECE, stop - pos)
            data = source.read(pos, n)
            if any(data):
                out.write(pos, data)
            pos += n


def copy_vhd(store: "FileStore", op: "FileOp") -> None:
    """The journaled copy: `op.parent` (the source) to `op.path`, then, for a differencing disk,
    its parent locator pointed at `op.payload` (idempotent: copying again gives the same file)."""
    from hyperv_emu.emulator.transaction import host_rel
    from hyperv_emu.emulator.vdisk import HostDisks, disk_errors
    from hyperv_emu.emulator.vhdx import make_parent_locator
    from hyperv_emu.emulator.vhdx.structs import KEY_PARENT_LINKAGE

    src, dst = host_rel(op.host, op.parent), host_rel(op.host, op.path)
    store.copy_sparse(src, dst, store.size(src))
    if not op.payload:
        return
    files = HostDisks(store, op.host)
    f = files.open_file(op.path, writable=True)
    try:
        with disk_errors():
            locator = f.parent_locator
            if locator is None:
                return
            linkage = UUID(locator.entries[KEY_PARENT_LINKAGE].strip("{}"))
            f.set_parent_locator(make_parent_locator(linkage, op.payload, op.path))
            f.flush()
    finally:
        f.close()
