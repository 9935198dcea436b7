r"""Guest data: the bytes of a VM's virtual disks and of its memory.

Disks. Disk N of a VM is its N-th hard drive (0 first, the order Get-VMHardDiskDrive lists).
It is read and written through its chain: the VM's current file (the newest avhdx, or the
.vhdx) on top of its parents; only that top file is written, parents are only read. A write
updates the top file's LastWriteTime. Under the virtual clock a merge that has not come due has
not touched any file yet, so data written to a merging child is simply part of what the merge
folds in when it runs; under the real clock a merge job that has started for the VM is finished
first (`disks.quiesce`), so no write lands in a file while it is being merged.

Memory. A VM that is running, paused or saved keeps its memory in
`<VM path>\Virtual Machines\<VM ID>.vmrs`, a sparse file as long as its startup memory (a VM
whose memory was never set has no file yet: its memory reads as zeros). Stop-VM -Save makes the
file exist (the saved state); a shutdown or turn-off deletes it. A checkpoint that holds memory
(State Saved: a standard checkpoint of a running, paused or saved VM, or a production checkpoint
that fell back) copies it to `<SnapshotFileLocation>\Snapshots\<checkpoint id>.vmrs`; restoring
that checkpoint copies it back; a checkpoint without memory writes no .vmrs, and restoring it
leaves the VM off, without memory. All of these are journaled file operations.
"""

from __future__ import annotations

from hyperv_emu.emulator import disks, winpath
from hyperv_emu.emulator.configfiles import checkpoint_config_path
from hyperv_emu.emulator.errors import DiskError, InvalidVMState
from hyperv_emu.emulator.model import (
    CheckpointRecord,
    FileOp,
    HostRecord,
    VirtualMachineRecord,
    VMStateName,
)
from hyperv_emu.emulator.openfiles import runtime_state_path
from hyperv_emu.emulator.transaction import Transaction, host_rel
from hyperv_emu.emulator.vdisk import HostDisks

LIVE = (VMStateName.RUNNING, VMStateName.PAUSED)


# --- disks ------------------------------------------------------------------------------------------


def _drive_path(vm: VirtualMachineRecord, disk: int) -> str:
    if not isinstance(disk, int) or isinstance(disk, bool) or not 0 <= disk < len(vm.disks):
        count = len(vm.disks)
        has = "none" if not count else "only drive 0" if count == 1 else f"drives 0 to {count - 1}"
        raise DiskError(f"The virtual machine '{vm.name}' has no hard drive {disk} (it has {has}).",
                        target=vm.name)
    return vm.disks[disk].path


def write_disk(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, disk: int, offset: int, data: bytes) -> None:
    path = _drive_path(vm, disk)
    disks.quiesce(tx, host, vm)
    path = _drive_path(vm, disk)  # a finished merge moves the drive to the merged file
    HostDisks(tx.store, host.name).write(path, offset, data)
    host.file_times[winpath.parse(path).key()] = tx.now()
    tx.changed = True


def read_disk(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, disk: int, offset: int, length: int) -> bytes:
    return HostDisks(tx.store, host.name).read(_drive_path(vm, disk), offset, length)


# --- memory -----------------------------------------------------------------------------------------


def _check_memory_range(vm: VirtualMachineRecord, offset: int, length: int) -> None:
    if offset < 0 or length < 0 or offset + length > vm.memory_startup:
        raise DiskError(
            f"The range {offset}+{length} is outside the memory of '{vm.name}' ({vm.memory_startup} bytes).",
            target=vm.name,
        )


def write_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, offset: int, data: bytes) -> None:
    """Guest memory of a running (or paused) VM."""
    if vm.state not in LIVE:
        raise InvalidVMState(vm.name)
    _check_memory_range(vm, offset, len(data))
    path = runtime_state_path(vm)
    rel = host_rel(host.name, path)
    if not tx.store.exists(rel):
        tx.store.create_sparse(rel, vm.memory_startup)
    raf = tx.store.open_random(rel, True)
    try:
        if raf.size() != vm.memory_startup:
            raf.truncate(vm.memory_startup)
        raf.write_at(offset, data)
        raf.flush()
    finally:
        raf.close()
    host.file_times[winpath.parse(path).key()] = tx.now()
    tx.changed = True


def read_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, offset: int, length: int) -> bytes:
    """Guest memory of a running, paused or saved VM (zeros where it was never set)."""
    if vm.state is VMStateName.OFF:
        raise InvalidVMState(vm.name)
    _check_memory_range(vm, offset, length)
    rel = host_rel(host.name, runtime_state_path(vm))
    if not tx.store.exists(rel):
        return bytes(length)
    raf = tx.store.open_random(rel, False)
    try:
        data = raf.read_at(offset, length)
    finally:
        raf.close()
    return data + bytes(length - len(data))


def save_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    """Stop-VM -Save: the saved state holds the memory (a sparse file as long as it)."""
    path = runtime_state_path(vm)
    tx.queue(FileOp(kind="sparse_file", host=host.name, path=path, size=vm.memory_startup))
    host.file_times[winpath.parse(path).key()] = tx.now()


def drop_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    """The VM stops (or gets a checkpoint without memory): its memory is gone."""
    path = runtime_state_path(vm)
    tx.queue(FileOp(kind="delete", host=host.name, path=path))
    host.file_times.pop(winpath.parse(path).key(), None)


def capture_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> None:
    """A checkpoint with memory: `<checkpoint id>.vmrs` gets the VM's memory."""
    path = checkpoint_config_path(vm, cp, "vmrs")
    tx.queue(FileOp(kind="copy_sparse", host=host.name, path=path, parent=runtime_state_path(vm), size=vm.memory_startup))
    host.file_times[winpath.parse(path).key()] = tx.now()


def restore_memory(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> None:
    """Restoring a checkpoint with memory: the VM's memory comes back from its .vmrs."""
    path = runtime_state_path(vm)
    tx.queue(FileOp(kind="copy_sparse", host=host.name, path=path,
                    parent=checkpoint_config_path(vm, cp, "vmrs"), size=cp.memory_startup))
    host.file_times[winpath.parse(path).key()] = tx.now()
