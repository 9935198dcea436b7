"""The checkpoint tree of a VM: create, restore (apply), remove, rename, export, import.

Tree rules (hyperv-reference.md §4.2–4.5):
- create: the new checkpoint's parent is the VM's current checkpoint (or none); the VM then
  hangs from the new one. Names may repeat. The default name is `<VM> - (<date> - <time>)` in
  the host culture; CreationTime is the clock when the checkpoint starts, and the clock then
  moves on by `timing.checkpoint_seconds` (virtual clock). A failed checkpoint takes no time.
- restore (Restore-VMSnapshot):

  | VM before     | checkpoint with memory (Saved) | checkpoint without memory (Off) |
  |---------------|--------------------------------|---------------------------------|
  | Running       | Running (saved, applied, started again) | Off                    |
  | Paused        | Saved                          | Off                             |
  | Off / Saved   | Saved                          | Off                             |

  The VM then hangs from the restored checkpoint, its old "Now" disks are dropped and each drive
  gets a new avhdx on the checkpoint's disk; existing children stay (a later checkpoint starts a
  sibling branch).
- remove: one checkpoint (its children move up to its parent) or a subtree; the VM's pointer
  moves up when it hung from a removed checkpoint; disks follow disks.collect.
- types: Disabled fails; Standard keeps memory when the VM runs (or is paused/saved);
  Production asks the guest's VSS and keeps no memory, falling back to a standard checkpoint
  (memory, State Saved, an event in the host log) when VSS fails; ProductionOnly fails instead.
  A VM with a pass-through disk cannot be checkpointed.
"""

from __future__ import annotations

import json

from hyperv_emu.emulator import bootorder, culture, disks, drives, guest, openfiles, winpath
from hyperv_emu.emulator import integration, network
from hyperv_emu.emulator.configfiles import checkpoint_config_path, record_event, write_checkpoint_config, write_vm_config
from hyperv_emu.emulator.errors import (
    MAX_CHECKPOINTS,
    CheckpointNameInvalid,
    ExportFailed,
    checkpoint_name_empty,
    checkpoint_name_too_long,
    checkpoints_disabled,
    pass_through_checkpoint_failed,
    checkpoint_state_missing,
    production_checkpoint_failed,
    too_many_checkpoints,
)
from hyperv_emu.emulator.model import (
    CheckpointRecord,
    CheckpointTypeName,
    DvdDriveRecord,
    FileOp,
    HardDrive,
    HostRecord,
    VirtualMachineRecord,
    VMStateName,
)
from hyperv_emu.emulator.transaction import Transaction, host_rel

MAX_NAME = 100
FALLBACK_EVENT_ID = 18016


def check_name_given(name: str, parameter: str = "SnapshotName") -> None:
    """An explicit name must not be empty (ValidateNotNullOrEmpty on -SnapshotName, or -NewName
    when renaming), and must be Unicode text (a lone surrogate cannot be stored)."""
    if name is None or name == "":
        raise checkpoint_name_empty(parameter)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointNameInvalid(
            f"The checkpoint name {json.dumps(name)[:120]} is not valid Unicode text (it holds a lone surrogate)."
        ) from None


def _has_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> bool:
    """Decide what kind of checkpoint the VM gets; raise when it cannot get one."""
    kind = vm.checkpoint_type
    if kind is CheckpointTypeName.DISABLED:
        raise checkpoints_disabled(vm.name, vm.id)
    if vm.pass_through_disks > 0:
        raise pass_through_checkpoint_failed(vm.name, vm.id)
    live = vm.state in (VMStateName.RUNNING, VMStateName.PAUSED)
    saved = vm.state is VMStateName.SAVED
    if kind is CheckpointTypeName.STANDARD:
        return live or saved
    # Production / ProductionOnly: an Off VM's disks are consistent as they are.
    if vm.state is VMStateName.OFF:
        return False
    vss_ok = integration.guest_vss_usable(vm)  # the VSS integration service on, the guest's VSS working
    if vss_ok:
        return False
    if kind is CheckpointTypeName.PRODUCTION_ONLY:
        raise production_checkpoint_failed(vm.name, vm.id)
    record_event(
        tx, host, vm, "Warning", FALLBACK_EVENT_ID,
        f"Could not create a production checkpoint for '{vm.name}' because the guest's Volume Shadow "
        f"Copy Service failed; a standard checkpoint was created instead. (Virtual machine ID {vm.id.upper()})",
    )
    return True


def create(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, *, automatic: bool) -> CheckpointRecord:
    if len(vm.checkpoints) >= MAX_CHECKPOINTS:
        raise too_many_checkpoints(vm.name, vm.id)
    has_memory = _has_memory(tx, host, vm)
    disks.quiesce(tx, host, vm)
    now = tx.now()
    cp = CheckpointRecord(
        id=tx.new_id(),
        vm_id=vm.id,
        name=culture.default_checkpoint_name(vm.name, now, tx.state.settings.culture, automatic),
        parent_id=vm.parent_checkpoint_id,
        creation_time=now,
        has_memory=has_memory,
        is_automatic=automatic,
        disks=[HardDrive(d.path, d.base_path, d.size, d.controller_type, d.controller_number, d.controller_location) for d in vm.disks],
        memory_startup=vm.memory_startup,
        notes=vm.notes,
        processor_count=vm.processor_count, memory_minimum=vm.memory_minimum, memory_maximum=vm.memory_maximum,
        dynamic_memory=vm.dynamic_memory, network_adapters=network.captured(tx.state.settings, vm),
        dvd_drives=[DvdDriveRecord(d.controller_type, d.controller_number, d.controller_location, d.path)
                    for d in drives.dvd_records(vm)],
        boot_order=list(bootorder.order(vm)), bios_startup_order=list(bootorder.startup_order(vm)),
        secure_boot=vm.secure_boot, expose_virtualization_extensions=vm.expose_virtualization_extensions,
    )
    vm.checkpoints.append(cp)
    for d in vm.disks:
        d.path = disks.add_differencing(tx, host, vm, d.path, d.base_path, cp.id)
    vm.parent_checkpoint_id = cp.id
    write_checkpoint_config(tx, host, vm, cp)
    if has_memory:
        guest.capture_memory(tx, host, vm, cp)
    write_vm_config(tx, host, vm)
    tx.advance(tx.state.timing.checkpoint_seconds)
    return cp


def _restore_settings(host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> None:
    """The processor and memory settings and the network adapters revert with the checkpoint
    (hyperv-reference.md §4.4)."""
    if cp.network_adapters is not None:
        vm.network_adapters = network.restored(host, cp.network_adapters)
    if cp.processor_count is not None:
        vm.processor_count = cp.processor_count
    if cp.memory_minimum is not None:
        vm.memory_minimum = cp.memory_minimum
    if cp.memory_maximum is not None:
        vm.memory_maximum = cp.memory_maximum
    if cp.dynamic_memory is not None:
        vm.dynamic_memory = cp.dynamic_memory
    # the devices and firmware settings (a restored VM has the DVD media and boot order it had)
    if cp.dvd_drives is not None:
        vm.dvd_drives = [DvdDriveRecord(d.controller_type, d.controller_number, d.controller_location, d.path)
                         for d in cp.dvd_drives]
    if cp.boot_order is not None:
        vm.boot_order = list(cp.boot_order)
        vm.boot_hidden = []
    if cp.bios_startup_order is not None:
        vm.bios_startup_order = list(cp.bios_startup_order)
    if cp.secure_boot is not None:
        vm.secure_boot = cp.secure_boot
    if cp.expose_virtualization_extensions is not None:
        vm.expose_virtualization_extensions = cp.expose_virtualization_extensions


def restore(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> list[str]:
    was_running = vm.state is VMStateName.RUNNING
    if cp.has_memory:
        saved = checkpoint_config_path(vm, cp, "vmrs")
        if not tx.store.exists(host_rel(host.name, saved)):
            raise checkpoint_state_missing(vm.name, vm.id, cp.name, saved)
    disks.quiesce(tx, host, vm)
    # 1. a running or paused VM is saved first; 2. apply; 3. the cmdlet starts it again.
    for d in vm.disks:
        f = disks.find_file(host, d.path)
        if f is not None and f.kind == "avhdx" and not any(disks.file_key(m.into) == disks.file_key(d.path) for m in host.merges):
            disks.delete_file(tx, host, d.path)
    vm.disks = [
        HardDrive(
            path=disks.add_differencing(tx, host, vm, cd.path, cd.base_path, cp.id),
            base_path=cd.base_path, size=cd.size, controller_type=cd.controller_type,
            controller_number=cd.controller_number, controller_location=cd.controller_location,
        )
        for cd in cp.disks
    ]
    vm.parent_checkpoint_id = cp.id
    vm.memory_startup = cp.memory_startup
    _restore_settings(host, vm, cp)
    if cp.has_memory:
        guest.restore_memory(tx, host, vm, cp)
        vm.state = VMStateName.RUNNING if was_running else VMStateName.SAVED
        if was_running:
            vm.started_at = tx.now()
    else:
        guest.drop_memory(tx, host, vm)
        vm.state = VMStateName.OFF
        vm.started_at = None
    write_vm_config(tx, host, vm)
    disks.collect(tx, host, vm, tx.state.timing.merge_rate)
    return []


def descendants(vm: VirtualMachineRecord, cp: CheckpointRecord) -> list[CheckpointRecord]:
    out: list[CheckpointRecord] = []
    frontier = [cp.id]
    while frontier:
        kids = [c for c in vm.checkpoints if c.parent_id in frontier]
        out.extend(kids)
        frontier = [c.id for c in kids]
    return out


def remove(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord, include_children: bool) -> None:
    disks.quiesce(tx, host, vm)
    doomed = [cp] + (descendants(vm, cp) if include_children else [])
    doomed_ids = {c.id for c in doomed}
    for c in vm.checkpoints:
        if c.id not in doomed_ids and c.parent_id in doomed_ids:
            c.parent_id = cp.parent_id
    if vm.parent_checkpoint_id in doomed_ids:
        vm.parent_checkpoint_id = cp.parent_id
    for c in doomed:
        delete_config_files(tx, host, vm, c)
        vm.checkpoints.remove(c)
    write_vm_config(tx, host, vm)
    disks.collect(tx, host, vm, tx.state.timing.merge_rate)


def delete_config_files(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> None:
    for ext in ("vmcx", "vmrs"):
        path = checkpoint_config_path(vm, cp, ext)
        tx.queue(FileOp(kind="delete", host=host.name, path=path))
        host.file_times.pop(winpath.parse(path).key(), None)


def rename(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord, new_name: str) -> None:
    check_name_given(new_name, "NewName")
    if len(new_name) > MAX_NAME:
        raise checkpoint_name_too_long(vm.name, vm.id, new_name)
    cp.name = new_name
    write_checkpoint_config(tx, host, vm, cp)


# --- export and import ---------------------------------------------------------------------------

EXPORT_MANIFEST = "hvemu-export.json"


def export(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord, path: str) -> str:
    """`<path>\\<VMName>\\`: `Virtual Machines\\<id>.vmcx` (the checkpoint's configuration),
    `Virtual Hard Disks\\<base name>.vhdx` per drive (a copy of the checkpoint's disk state),
    and a manifest that Import-VM reads."""
    dest = winpath.parse(path)
    folder = dest.joinpath(vm.name)
    if folder.parent != dest:  # a VM named "." or "..": not a folder name
        raise ExportFailed(f"The virtual machine name '{vm.name}' cannot be used as a folder name.", target=vm.name)
    drives = []
    config = str(folder.joinpath("Virtual Machines", f"{vm.id.upper()}.vmcx"))
    targets = [str(folder.joinpath("Virtual Hard Disks", winpath.parse(d.base_path).name)) for d in cp.disks]
    _refuse_existing_targets(tx, host, vm, [*targets, config])
    for d in cp.disks:
        target = str(folder.joinpath("Virtual Hard Disks", winpath.parse(d.base_path).name))
        tx.queue(FileOp(kind="export_disk", host=host.name, path=target, parent=d.path, size=d.size))
        host.file_times[winpath.parse(target).key()] = tx.now()
        drives.append({"path": target, "size": d.size, "controller_type": d.controller_type,
                       "controller_number": d.controller_number, "controller_location": d.controller_location})
    manifest = {
        "Name": vm.name, "Id": vm.id, "CheckpointName": cp.name, "CheckpointId": cp.id,
        "MemoryStartup": cp.memory_startup, "Generation": vm.generation, "Version": vm.version,
        "CheckpointType": vm.checkpoint_type.value, "HasMemory": cp.has_memory, "Notes": cp.notes,
        "HardDrives": drives,
    }
    tx.queue(FileOp(kind="write_file", host=host.name, path=config, payload=json.dumps(manifest, indent=1)))
    host.file_times[winpath.parse(config).key()] = tx.now()
    return str(folder)


def _refuse_existing_targets(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, targets: list[str]) -> None:
    """An export never replaces a file: not a VM's live disk (held open), not an earlier export,
    not any disk the host knows (Hyper-V's copy fails with ERROR_FILE_EXISTS)."""
    for target in targets:
        openfiles.ensure_not_held(host, target)
        if disks.find_file(host, target) is not None or tx.store.exists(host_rel(host.name, target)):
            raise ExportFailed(f"Failed to export '{vm.name}': the system failed to create '{target}': "
                               f"The file exists. (0x80070050).", target=target)
