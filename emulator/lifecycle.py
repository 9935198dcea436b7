"""The VM state machine of the Hyper-V cmdlets (hyperv-reference.md §1.3, §4.6).

| Action          | Allowed from                         | Target   |
|-----------------|--------------------------------------|----------|
| start           | Off, Saved, Paused (warns first)     | Running  |
| stop -TurnOff   | Running, Paused, Saved               | Off (saved state discarded) |
| stop (shutdown) | Running (guest shutdown)             | Off; from Paused/Saved, or with the Shutdown service off, only with force (turn off) |
| stop -Save      | Running, Paused                      | Saved    |
| suspend         | Running                              | Paused   |
| resume          | Paused                               | Running  |

Already in the target state: the warning "The virtual machine is already in the specified
state.", no error. Anything else: InvalidVMState.

Memory (emulator.guest): Stop-VM -Save keeps the VM's memory in its saved state (.vmrs); a
shutdown or turn-off drops it.

Starting from Off or Saved powers the VM's disks on: a disk file missing, corrupt or cut off from
its parent fails the start with the worker's errors (VMStartFailed), and the VM stays as it was.

Automatic checkpoints: starting an Off VM that has AutomaticCheckpointsEnabled and no current
checkpoint first takes an automatic checkpoint (a failure is ignored); a shutdown or turn-off
deletes the VM's current checkpoint when it is automatic.
"""

from __future__ import annotations

import uuid

from hyperv_emu.emulator import checkpoints, guest, integration, winpath
from hyperv_emu.emulator.configfiles import write_vm_config
from hyperv_emu.emulator.errors import EmulatorError, InvalidVMState, VMStartFailed
from hyperv_emu.emulator.model import HardDrive, HostRecord, VirtualMachineRecord, VMStateName
from hyperv_emu.emulator.transaction import Transaction
from hyperv_emu.emulator.vdisk import HostDisks
from hyperv_emu.emulator.vhdfiles import chain_problem

ALREADY = "The virtual machine is already in the specified state."
NOT_FOUND = "The system cannot find the file specified. (0x80070002)"
CORRUPT = "The file or directory is corrupted and unreadable. (0x80070570)"
_CONTROLLERS = {"SCSI": "Synthetic SCSI Controller", "IDE": "Microsoft Emulated IDE Controller"}


def _paused_warning(vm: VirtualMachineRecord) -> str:
    return (
        f'The virtual machine "{vm.name}" was paused. Use the Resume-VM cmdlet to return a paused '
        "virtual machine to a running state."
    )


def _set(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, state: VMStateName) -> None:
    if state is VMStateName.RUNNING and vm.state is not VMStateName.PAUSED:
        vm.started_at = tx.now()
    if state is VMStateName.OFF or state is VMStateName.SAVED:
        vm.started_at = None if state is VMStateName.OFF else vm.started_at
    vm.state = state
    write_vm_config(tx, host, vm)


def _disk_error(files: HostDisks, drive: HardDrive) -> str | None:
    """Why the worker cannot open the drive's disk chain, as Windows words it, or None."""
    if not files.exists(drive.path):
        return NOT_FOUND
    problem = chain_problem(files, drive.path)
    if problem is None:
        return None
    return problem if problem.startswith("The chain of virtual hard disks") else CORRUPT


def _check_disks(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    files = HostDisks(tx.store, host.name)
    for drive in vm.disks:
        error = _disk_error(files, drive)
        if error is None:
            continue
        short = error.rsplit(" (0x", 1)[0]
        path = str(winpath.parse(drive.path))
        controller = _CONTROLLERS.get(drive.controller_type, "Synthetic SCSI Controller")
        instance = str(uuid.uuid5(uuid.UUID(vm.id), f"{drive.controller_type}{drive.controller_number}")).upper()
        vm_id = vm.id.upper()
        raise VMStartFailed(
            f"'{vm.name}' failed to start.\n"
            f"{controller} (Instance ID {instance}): Failed to Power on with Error '{short}'.\n"
            f"Failed to open attachment '{path}'. Error: '{short}'.\n"
            f"'{vm.name}' failed to start. (Virtual machine ID {vm_id})\n"
            f"'{vm.name}' {controller} (Instance ID {instance}): Failed to Power on with Error '{error}'. "
            f"(Virtual machine ID {vm_id})\n"
            f"'{vm.name}': Failed to open attachment '{path}'. Error: '{error}'. (Virtual machine ID {vm_id})",
            target=vm.name)


def start(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> list[str]:
    if vm.state is VMStateName.RUNNING:
        return [ALREADY]
    if vm.state is not VMStateName.PAUSED:
        _check_disks(tx, host, vm)
    warnings = []
    if vm.state is VMStateName.PAUSED:
        warnings.append(_paused_warning(vm))
    if vm.state is VMStateName.OFF and vm.automatic_checkpoints and vm.parent_checkpoint_id is None:
        try:
            checkpoints.create(tx, host, vm, automatic=True)
        except EmulatorError:
            pass  # "a failure is ignored"
    _set(tx, host, vm, VMStateName.RUNNING)
    return warnings


def _drop_automatic_checkpoint(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    current = next((c for c in vm.checkpoints if c.id == vm.parent_checkpoint_id), None)
    if current is not None and current.is_automatic:
        checkpoints.remove(tx, host, vm, current, include_children=False)


def stop(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, mode: str, force: bool) -> list[str]:
    if mode == "save":
        if vm.state is VMStateName.SAVED:
            return [ALREADY]
        if vm.state not in (VMStateName.RUNNING, VMStateName.PAUSED):
            raise InvalidVMState(vm.name)
        guest.save_memory(tx, host, vm)
        _set(tx, host, vm, VMStateName.SAVED)
        return []
    if mode not in ("shutdown", "turnoff"):
        raise ValueError(f"unknown stop mode {mode!r}")
    if vm.state is VMStateName.OFF:
        return [ALREADY]
    if mode == "shutdown" and not force and (vm.state is not VMStateName.RUNNING
                                             or not integration.enabled(vm, "Shutdown")):
        # The guest cannot shut itself down (not running, or its Shutdown integration service is
        # off); the cmdlet would ask to turn the VM off instead.
        raise InvalidVMState(vm.name)
    guest.drop_memory(tx, host, vm)
    _set(tx, host, vm, VMStateName.OFF)
    _drop_automatic_checkpoint(tx, host, vm)
    return []


def suspend(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> list[str]:
    if vm.state is VMStateName.PAUSED:
        return [ALREADY]
    if vm.state is not VMStateName.RUNNING:
        raise InvalidVMState(vm.name)
    _set(tx, host, vm, VMStateName.PAUSED)
    return []


def resume(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> list[str]:
    if vm.state is VMStateName.RUNNING:
        return [ALREADY]
    if vm.state is not VMStateName.PAUSED:
        raise InvalidVMState(vm.name)
    _set(tx, host, vm, VMStateName.RUNNING)
    return []
