r"""Export-VM and the import of what it writes, checkpoints included.

Export-VM -Path P writes `P\<VMName>\`: `Virtual Machines\<VM ID>.vmcx` (the configuration:
here a JSON document with the VM's record and its disk files), `Snapshots\<id>.vmcx` per
checkpoint, and `Virtual Hard Disks\` with a copy of every disk file of the VM — the base
`.vhdx` files and every `.avhdx` of its checkpoint tree, each differencing copy linked to the
copy of its parent (its parent locator rewritten; the linkage identifier is kept, so the copied
chain opens as the original does). Import-VM of that folder (emulator.importvm) registers the VM
where the files are, or copies them, its checkpoint tree with it; -GenerateNewId gives the VM and
its checkpoints new ids.

Refused: an existing target file (Hyper-V's copy fails with ERROR_FILE_EXISTS), a VM whose disks
are being merged (the export waits on a host; here it is refused [U]), two disk files of one
name (they would collide in `Virtual Hard Disks` [U]).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hyperv_emu.emulator import disks, openfiles, winpath
from hyperv_emu.emulator.errors import ExportFailed, ImportFailed, InvalidVMState
from hyperv_emu.emulator.model import DiskFile, FileOp, HostRecord, VirtualMachineRecord, VMStateName

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction
    from hyperv_emu.emulator.storage import FileStore

FORMAT = "hvemu-export-vm/1"


def vm_disk_files(host: HostRecord, vm: VirtualMachineRecord) -> list[DiskFile]:
    """The VM's disk files, parents before children."""
    wanted = {disks.file_key(f.path) for f in host.disk_files if f.vm_id == vm.id}
    for d in [*vm.disks, *(d for cp in vm.checkpoints for d in cp.disks)]:
        wanted |= {disks.file_key(p) for p in openfiles.chain_of(host, d.path)}
    files = [f for f in host.disk_files if disks.file_key(f.path) in wanted]
    ordered: list[DiskFile] = []
    done: set[str] = set()
    while len(ordered) < len(files):
        progressed = False
        for f in files:
            key = disks.file_key(f.path)
            if key not in done and (f.parent is None or disks.file_key(f.parent) not in wanted
                                    or disks.file_key(f.parent) in done):
                ordered.append(f)
                done.add(key)
                progressed = True
        if not progressed:
            raise ExportFailed(f"The disk files of '{vm.name}' form a cycle.", target=vm.name)
    return ordered


def export_vm(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, path: str) -> str:
    from hyperv_emu.emulator.transaction import host_rel
    from hyperv_emu.emulator.persist import make_converter

    if disks.merging(host, vm.id, tx.now()):
        raise InvalidVMState(vm.name)
    dest = winpath.parse(path)
    folder = dest.joinpath(vm.name)
    if folder.parent != dest:
        raise ExportFailed(f"The virtual machine name '{vm.name}' cannot be used as a folder name.", target=vm.name)
    files = vm_disk_files(host, vm)
    mapping: dict[str, str] = {}
    for f in files:
        target = str(folder.joinpath("Virtual Hard Disks", winpath.parse(f.path).name))
        if target.casefold() in {m.casefold() for m in mapping.values()}:
            raise ExportFailed(f"Failed to export '{vm.name}': two of its disk files are named "
                               f"'{winpath.parse(f.path).name}'.", target=target)
        mapping[disks.file_key(f.path)] = target
    config = str(folder.joinpath("Virtual Machines", f"{vm.id.upper()}.vmcx"))
    for target in [*mapping.values(), config]:
        if disks.find_file(host, target) is not None or tx.store.exists(host_rel(host.name, target)):
            raise ExportFailed(f"Failed to export '{vm.name}': the system failed to create '{target}': "
                               f"The file exists. (0x80070050).", target=target)

    def moved(p: str) -> str:
        return mapping.get(disks.file_key(p), p)

    for f in files:
        new_parent = moved(f.parent) if f.parent is not None else ""
        tx.queue(FileOp(kind="copy_vhd", host=host.name, path=moved(f.path), parent=f.path, payload=new_parent))
        host.file_times[winpath.parse(moved(f.path)).key()] = tx.now()
    record = make_converter().unstructure(vm)
    for d in [*record["disks"], *(d for cp in record["checkpoints"] for d in cp["disks"])]:
        d["path"], d["base_path"] = moved(d["path"]), moved(d["base_path"])
    record["path"] = record["snapshot_file_location"] = str(folder)
    manifest = {
        "Format": FORMAT,
        "VM": record,
        "Files": [{"path": moved(f.path), "kind": f.kind, "size": f.size,
                   "parent": moved(f.parent) if f.parent is not None else None, "owner": f.owner} for f in files],
    }
    tx.queue(FileOp(kind="write_file", host=host.name, path=config, payload=json.dumps(manifest, indent=1)))
    host.file_times[winpath.parse(config).key()] = tx.now()
    return str(folder)


def is_vm_export(manifest: Any) -> bool:
    return isinstance(manifest, dict) and manifest.get("Format") == FORMAT


def exported_files(manifest: Any) -> list[str]:
    """The disk files an export's configuration lists (none when it is no export's)."""
    if not is_vm_export(manifest) or not isinstance(manifest.get("Files"), list):
        return []
    return [str(f["path"]) for f in manifest["Files"] if isinstance(f, dict) and isinstance(f.get("path"), str)]


def vm_from_manifest(tx: "Transaction", manifest: dict[str, Any], new_id: bool) -> tuple[VirtualMachineRecord, dict[str, str]]:
    """The exported VM's record as an import gives it (Off unless it was saved, created now), and
    the exported checkpoint ids -> the imported ones (new ones with `new_id`)."""
    from cattrs.errors import BaseValidationError

    from hyperv_emu.emulator.persist import make_converter

    try:
        vm = make_converter().structure(manifest["VM"], VirtualMachineRecord)
    except (BaseValidationError, KeyError, ValueError, TypeError) as exc:
        raise ImportFailed(f"The exported configuration is not valid: {exc}.", target=str(manifest.get("VM", ""))[:80]) \
            from exc
    if new_id:
        ids = {cp.id: tx.new_id() for cp in vm.checkpoints}
        vm.id = tx.new_id()
        for cp in vm.checkpoints:
            cp.id, cp.vm_id = ids[cp.id], vm.id
            cp.parent_id = ids.get(cp.parent_id) if cp.parent_id else None
        vm.parent_checkpoint_id = ids.get(vm.parent_checkpoint_id) if vm.parent_checkpoint_id else None
        # a copy's dynamic MAC addresses are its own (derived from its new id), not the original's
        for a in vm.network_adapters:
            a.dynamic_mac = None
        for cp in vm.checkpoints:
            for a in cp.network_adapters or []:
                a.dynamic_mac = None
    else:
        ids = {cp.id: cp.id for cp in vm.checkpoints}
    if vm.state is not VMStateName.SAVED:
        vm.state = VMStateName.OFF
    vm.started_at = None
    vm.creation_time = tx.now()
    return vm, ids
