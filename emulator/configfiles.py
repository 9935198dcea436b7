"""The configuration files Hyper-V keeps beside a VM, and the host's event log."""

from __future__ import annotations

import json

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.model import CheckpointRecord, Event, FileOp, HostRecord, VirtualMachineRecord
from hyperv_emu.emulator.transaction import Transaction


def config_text(doc: dict[str, object]) -> str:
    """`json.dumps(doc, indent=1)` of a flat document (scalars, and lists of scalars): the same
    text, each value encoded by the C encoder (with an indent, json encodes in Python)."""
    items = []
    for key, value in doc.items():
        if isinstance(value, list):
            text = "[\n" + ",\n".join("  " + json.dumps(v) for v in value) + "\n ]" if value else "[]"
        else:
            text = json.dumps(value)
        items.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(items) + "\n}" if items else "{}"


def vm_config_path(vm: VirtualMachineRecord) -> str:
    return str(winpath.parse(vm.path).joinpath("Virtual Machines", f"{vm.id.upper()}.vmcx"))


def write_vm_config(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    """The VM's configuration file (JSON standing in for Hyper-V's binary .vmcx). A planned VM
    (emulator.importvm) gets its file when it is imported; until then the exported one stays
    (its changed settings are still the transaction's change)."""
    if not any(v is vm for v in host.vms):
        tx.changed = True
        return
    payload = config_text(
        {"Name": vm.name, "Id": vm.id, "CheckpointType": vm.checkpoint_type.value,
         "MemoryStartup": vm.memory_startup, "Generation": vm.generation, "Version": vm.version,
         "HardDrives": [d.path for d in vm.disks], "ParentSnapshotId": vm.parent_checkpoint_id},
    )
    path = vm_config_path(vm)
    tx.queue(FileOp(kind="write_file", host=host.name, path=path, payload=payload))
    host.file_times[winpath.parse(path).key()] = tx.now()


def record_event(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, level: str, event_id: int, message: str) -> None:
    host.events.append(Event(time=tx.now(), level=level, event_id=event_id, message=message, vm_name=vm.name, vm_id=vm.id))
    tx.changed = True


def checkpoint_config_path(vm: VirtualMachineRecord, cp: CheckpointRecord, ext: str = "vmcx") -> str:
    """`<SnapshotFileLocation>\\Snapshots\\<CheckpointId>.vmcx` (and `.vmrs`)."""
    return str(winpath.parse(vm.snapshot_file_location).joinpath("Snapshots", f"{cp.id.upper()}.{ext}"))


def write_checkpoint_config(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> None:
    payload = config_text(
        {"Name": cp.name, "Id": cp.id, "VMId": vm.id, "VMName": vm.name, "ParentSnapshotId": cp.parent_id,
         "CreationTime": cp.creation_time.isoformat(), "IsSaved": cp.has_memory,
         "IsAutomaticSnapshot": cp.is_automatic, "MemoryStartup": cp.memory_startup,
         "HardDrives": [d.path for d in cp.disks]},
    )
    path = checkpoint_config_path(vm, cp)
    tx.queue(FileOp(kind="write_file", host=host.name, path=path, payload=payload))
    host.file_times[winpath.parse(path).key()] = tx.now()
