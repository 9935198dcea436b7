r"""Import-VM and Compare-VM of an exported configuration, through a planned VM, as the module
does it (ImportVM.cs, CompareVM.cs, VMCompatibilityReport.cs in the decompiled module):

1. `plan`: the exported configuration (an Export-VM folder, checkpoints included, or an
   Export-VMSnapshot folder; emulator.exportvm and emulator.checkpoints write them) becomes a
   *planned VM* on the host (`HostRecord.planned`; Get-VM does not list it). Register (in place):
   the VM's folders are the export's and its disks stay where they are. Copy: the configuration
   goes to VirtualMachinePath (default: the host's VirtualMachinePath), checkpoints to
   SnapshotFilePath (default: the same), and the disks are copied from VhdSourcePath (default:
   where the export lists them) to VhdDestinationPath (default: the host's VirtualHardDiskPath).
   Without -GenerateNewId the VM keeps its id, which must not be registered already; an older
   planned VM of the same id is replaced.
2. `incompatibilities`: what validation reports for the planned VM: a network adapter connected
   to a switch the host does not have (33012 `Could not find Ethernet switch '{0}'.`, the
   Compare-VM page's example).
3. `realize` (Import-VM): refused while any incompatibility remains (the module's
   ImportVM_FailedValidate text); otherwise the disk files are registered (or copied) and the VM
   joins the host's VMs with the planned VM's settings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from hyperv_emu.emulator import disks, exportvm, winpath
from hyperv_emu.emulator.configfiles import write_checkpoint_config, write_vm_config
from hyperv_emu.emulator.errors import ImportFailed, VMNotFound
from hyperv_emu.emulator.model import (
    CheckpointTypeName,
    DiskFile,
    FileOp,
    HardDrive,
    HostRecord,
    PlannedImportRecord,
    VirtualMachineRecord,
    VMStateName,
)

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

SWITCH_NOT_FOUND = 33012
FAILED_VALIDATE = ("Unable to import virtual machine due to configuration errors.  Please use Compare-VM to repair "
                   "the virtual machine.")


@attrs.frozen
class ImportOptions:
    """Import-VM's / Compare-VM's Register and Copy sets (paths None: the defaults above)."""

    copy: bool = False
    new_id: bool = False
    vm_path: str | None = None
    snapshot_path: str | None = None
    smart_paging_path: str | None = None
    vhd_destination: str | None = None
    vhd_source: str | None = None


@attrs.frozen
class Incompatibility:
    message_id: int
    message: str
    adapter: str | None = None  # the network adapter it is about (its Source)


def locate(tx: "Transaction", host: HostRecord, path: str) -> winpath.WinPath:
    """The configuration file: `path` itself (a .vmcx), or the one .vmcx under `path\\Virtual Machines`."""
    from hyperv_emu.emulator.transaction import host_rel

    wp = winpath.parse(path)
    if wp.name.casefold().endswith(".vmcx"):
        return wp
    folder = wp.joinpath("Virtual Machines")
    rel = host_rel(host.name, str(folder))
    if not tx.store.exists(rel):
        raise ImportFailed(f"Cannot find an exported virtual machine at '{wp}'.", target=str(wp))
    names = [e.name for e in tx.store.listdir(rel) if e.name.casefold().endswith(".vmcx")]
    if len(names) != 1:
        raise ImportFailed(f"Expected one .vmcx file under '{folder}', found {len(names)}.", target=str(wp))
    return folder.joinpath(names[0])


def _manifest(tx: "Transaction", host: HostRecord, config: str) -> dict[str, Any]:
    from hyperv_emu.emulator.transaction import host_rel

    try:
        manifest = json.loads(tx.store.read_bytes(host_rel(host.name, config)))
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"The exported configuration '{config}' cannot be read: {exc}.", target=config) from exc
    if not isinstance(manifest, dict):
        raise ImportFailed(f"The exported configuration '{config}' is not valid.", target=config)
    return manifest


def plan(tx: "Transaction", host: HostRecord, path: str, options: ImportOptions) -> PlannedImportRecord:
    config = locate(tx, host, path)
    manifest = _manifest(tx, host, str(config))
    root = config.parent.parent
    try:
        if exportvm.is_vm_export(manifest):
            vm, ids = exportvm.vm_from_manifest(tx, manifest, options.new_id)
        else:
            vm, ids = _vm_from_checkpoint_export(tx, manifest, options.new_id), {}
        files = _exported_files(manifest, ids)
    except (KeyError, ValueError, TypeError) as exc:
        raise ImportFailed(f"The exported configuration '{config}' is not valid: {exc}.", target=str(config)) from exc
    if any(v.id == vm.id for v in host.vms):
        raise ImportFailed(f"A virtual machine with id '{vm.id}' already exists; import with a new id.", target=vm.id)
    record = PlannedImportRecord(vm=vm, config_path=str(config), copy=options.copy,
                                 snapshot_source=str(root.joinpath("Snapshots")), ids=ids, files=files)
    if options.copy:
        vm_path = str(winpath.parse(options.vm_path)) if options.vm_path else host.default_vm_path
        record.vhd_destination = str(winpath.parse(options.vhd_destination)) if options.vhd_destination \
            else host.default_vhd_path
        record.vhd_source = str(winpath.parse(options.vhd_source)) if options.vhd_source else ""
        for d in [*vm.disks, *(d for cp in vm.checkpoints for d in cp.disks)]:
            d.path, d.base_path = _moved(record, d.path), _moved(record, d.base_path)
        vm.path = vm_path
        vm.snapshot_file_location = str(winpath.parse(options.snapshot_path)) if options.snapshot_path else vm_path
        vm.smart_paging_file_path = str(winpath.parse(options.smart_paging_path)) if options.smart_paging_path else ""
    else:
        vm.path = vm.snapshot_file_location = str(root)
        vm.smart_paging_file_path = ""
    host.planned = [p for p in host.planned if p.vm.id.casefold() != vm.id.casefold()] + [record]
    tx.changed = True
    return record


def _moved(record: PlannedImportRecord, path: str) -> str:
    """Where a copy import puts an exported disk file (its name in VhdDestinationPath)."""
    if not record.copy:
        return path
    return str(winpath.parse(record.vhd_destination).joinpath(winpath.parse(path).name))


def _source(record: PlannedImportRecord, path: str) -> str:
    """Where a copy import reads an exported disk file (VhdSourcePath, else where the export lists it)."""
    if not record.vhd_source:
        return path
    return str(winpath.parse(record.vhd_source).joinpath(winpath.parse(path).name))


def _vm_from_checkpoint_export(tx: "Transaction", manifest: dict[str, Any], new_id: bool) -> VirtualMachineRecord:
    vm = VirtualMachineRecord(
        # A checkpoint that held memory comes back Saved, as its exported runtime state does.
        id=tx.new_id() if new_id else str(manifest["Id"]), name=str(manifest["Name"]),
        state=VMStateName.SAVED if manifest.get("HasMemory") is True else VMStateName.OFF,
        checkpoint_type=CheckpointTypeName(manifest.get("CheckpointType", "Production")),
        memory_startup=int(manifest["MemoryStartup"]), generation=int(manifest["Generation"]),
        version=str(manifest.get("Version", "10.0")), creation_time=tx.now(), notes=str(manifest.get("Notes", "")),
    )
    for d in manifest["HardDrives"]:
        p = str(winpath.parse(d["path"]))
        vm.disks.append(HardDrive(p, p, int(d["size"]), d["controller_type"], int(d["controller_number"]),
                                  int(d["controller_location"])))
    return vm


def _exported_files(manifest: dict[str, Any], ids: dict[str, str]) -> list[DiskFile]:
    """The export's disk files (the configuration file itself may be rewritten before the import)."""
    if exportvm.is_vm_export(manifest):
        return [DiskFile(path=str(winpath.parse(e["path"])), kind=str(e["kind"]), size=int(e["size"]),
                         parent=str(winpath.parse(e["parent"])) if e.get("parent") else None,
                         owner=ids.get(e["owner"]) if e.get("owner") else None) for e in manifest["Files"]]
    return [DiskFile(path=str(winpath.parse(d["path"])), kind="vhdx", size=int(d["size"])) for d in manifest["HardDrives"]]


def incompatibilities(host: HostRecord, record: PlannedImportRecord) -> list[Incompatibility]:
    switches = {s.name.casefold() for s in host.switches}
    return [Incompatibility(SWITCH_NOT_FOUND, f"Could not find Ethernet switch '{a.switch}'.", a.name)
            for a in record.vm.network_adapters if a.switch is not None and a.switch.casefold() not in switches]


def planned_by_id(host: HostRecord, vm_id: str) -> PlannedImportRecord:
    for record in host.planned:
        if record.vm.id.casefold() == str(vm_id).casefold():
            return record
    raise VMNotFound(str(vm_id), by_id=True)


def realize(tx: "Transaction", host: HostRecord, record: PlannedImportRecord) -> VirtualMachineRecord:
    if incompatibilities(host, record):
        raise ImportFailed(FAILED_VALIDATE, target=record.config_path)
    vm = record.vm
    if any(v.id == vm.id for v in host.vms):
        raise ImportFailed(f"A virtual machine with id '{vm.id}' already exists; import with a new id.", target=vm.id)
    for f in record.files:
        _register(tx, host, record, f.path, f.kind, f.size, f.parent, f.owner)
    host.planned.remove(record)
    host.vms.append(vm)
    for cp in vm.checkpoints:
        write_checkpoint_config(tx, host, vm, cp)
    write_vm_config(tx, host, vm)
    tx.changed = True
    return vm


def _register(tx: "Transaction", host: HostRecord, record: PlannedImportRecord, path: str, kind: str, size: int,
              parent: str | None, owner: str | None) -> None:
    from hyperv_emu.emulator.transaction import host_rel

    target = _moved(record, path)
    if disks.find_file(host, target) is not None:
        raise ImportFailed(f"The disk file '{target}' is already used on this host.", target=target)
    if record.copy:
        if tx.store.exists(host_rel(host.name, target)):
            raise ImportFailed(f"Failed to import '{record.vm.name}': the system failed to create '{target}': "
                               f"The file exists. (0x80070050).", target=target)
        source = _source(record, path)
        if not tx.store.exists(host_rel(host.name, source)):
            raise ImportFailed(f"Failed to import '{record.vm.name}': the system cannot find the file '{source}'.",
                               target=source)
        new_parent = _moved(record, parent) if parent else ""
        tx.queue(FileOp(kind="copy_vhd", host=host.name, path=target, parent=source, payload=new_parent))
        host.file_times[winpath.parse(target).key()] = tx.now()
    host.disk_files.append(DiskFile(path=target, kind=kind, size=size,
                                    parent=_moved(record, parent) if parent else None, vm_id=record.vm.id, owner=owner))
