r"""Move-VMStorage -DestinationStoragePath D: the VM's files move, the VM stays registered.

As the Move-VMStorage page describes it: the configuration goes to `D\Virtual Machines`, the
checkpoints to `D\Snapshots` (the VM's Path and SnapshotFileLocation become D), and every
virtual hard disk of the VM — its base disks and the differencing disks of its checkpoint tree —
to `D\Virtual Hard Disks`, each copied differencing disk linked to the copy of its parent. The
move works while the VM runs (live storage migration); the sources are deleted afterwards.
Refused: a VM whose disks are being merged (the move waits on a host; refused here [U]), a
target file that exists, two disk files of one name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyperv_emu.emulator import disks, winpath
from hyperv_emu.emulator.configfiles import checkpoint_config_path, vm_config_path, write_checkpoint_config, write_vm_config
from hyperv_emu.emulator.errors import EmulatorError, InvalidVMState
from hyperv_emu.emulator.exportvm import vm_disk_files
from hyperv_emu.emulator.model import FileOp, HostRecord, VirtualMachineRecord
from hyperv_emu.emulator.openfiles import runtime_state_path

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction


def _fail(message: str, target: str) -> EmulatorError:
    err = EmulatorError(message, target=target)
    err.error_id, err.category = "OperationFailed", "InvalidOperation"
    return err


def move(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, destination: str) -> None:
    from hyperv_emu.emulator.transaction import host_rel

    if disks.merging(host, vm.id, tx.now()):
        raise InvalidVMState(vm.name)
    dest = winpath.parse(destination)
    files = vm_disk_files(host, vm)
    mapping: dict[str, str] = {}
    for f in files:
        target = str(dest.joinpath("Virtual Hard Disks", winpath.parse(f.path).name))
        if disks.file_key(target) == disks.file_key(f.path):
            continue  # already there
        if target.casefold() in {m.casefold() for m in mapping.values()}:
            raise _fail(f"Failed to move the storage of '{vm.name}': two of its disk files are named "
                        f"'{winpath.parse(f.path).name}'.", target)
        if disks.find_file(host, target) is not None or tx.store.exists(host_rel(host.name, target)):
            raise _fail(f"Failed to move the storage of '{vm.name}': the system failed to create '{target}': "
                        f"The file exists. (0x80070050).", target)
        mapping[disks.file_key(f.path)] = target

    def moved(p: str) -> str:
        return mapping.get(disks.file_key(p), p)

    # the disks: copies (parents first, relinked), then the sources go
    for f in files:
        if disks.file_key(f.path) in mapping:
            tx.queue(FileOp(kind="copy_vhd", host=host.name, path=moved(f.path), parent=f.path,
                            payload=moved(f.parent) if f.parent is not None else ""))
    for f in files:
        if disks.file_key(f.path) in mapping:
            tx.queue(FileOp(kind="delete", host=host.name, path=f.path))
            host.file_times[winpath.parse(moved(f.path)).key()] = host.file_times.pop(
                winpath.parse(f.path).key(), tx.now())
    for f in files:
        f.path = moved(f.path)
        f.parent = moved(f.parent) if f.parent is not None else None
    for d in [*vm.disks, *(d for cp in vm.checkpoints for d in cp.disks)]:
        d.path, d.base_path = moved(d.path), moved(d.base_path)
    # the configuration, the checkpoints' files and the runtime state
    old_files = [vm_config_path(vm), runtime_state_path(vm),
                 *(checkpoint_config_path(vm, cp, ext) for cp in vm.checkpoints for ext in ("vmcx", "vmrs"))]
    old_vm_path, old_cp_path = vm.path, vm.snapshot_file_location
    vm.path = vm.snapshot_file_location = str(dest)
    new_files = [vm_config_path(vm), runtime_state_path(vm),
                 *(checkpoint_config_path(vm, cp, ext) for cp in vm.checkpoints for ext in ("vmcx", "vmrs"))]
    if (old_vm_path.casefold(), old_cp_path.casefold()) != (vm.path.casefold(), vm.snapshot_file_location.casefold()):
        for old, new in zip(old_files, new_files):
            if old.casefold() != new.casefold() and tx.store.exists(host_rel(host.name, old)):
                tx.queue(FileOp(kind="copy_sparse", host=host.name, path=new, parent=old,
                                size=tx.store.size(host_rel(host.name, old))))
                tx.queue(FileOp(kind="delete", host=host.name, path=old))
    for cp in vm.checkpoints:
        write_checkpoint_config(tx, host, vm, cp)
    write_vm_config(tx, host, vm)
    tx.changed = True
