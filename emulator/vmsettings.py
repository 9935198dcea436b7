"""Hyper-V's rules for a VM's settings (Set-VM, Set-VMMemory, Set-VMProcessor, Rename-VM) and
the VM-level actions around them (Restart-VM, Remove-VMSavedState, Wait-VM).

What may change when (hyperv-reference.md §2, Microsoft docs for Set-VM/Set-VMMemory):
- ProcessorCount, MemoryStartupBytes, DynamicMemoryEnabled and SmartPagingFilePath only while the
  VM is Off; while it runs (or is paused or saved) Hyper-V refuses with the "current state" error.
- With dynamic memory a running VM's MemoryMinimum may go down and MemoryMaximum up (not the
  other way round); without dynamic memory, only while Off.
- ProcessorCount: 1 to the host's logical processors (240 at most).
- Memory values are whole multiples of 2 MB, 32 MB at the least, and
  MemoryMinimum <= MemoryStartup <= MemoryMaximum (12 TB at most for a generation 2 VM on
  Windows Server 2022, 1 TB for generation 1).
- SnapshotFileLocation only while the VM has no checkpoints.
- The automatic actions, their delay/timeout, Notes and the name: any time.
The exact texts of Hyper-V's refusals beyond "current state" are not in our sources: the
messages here say what is wrong plainly (docs/differences.md).
"""

from __future__ import annotations

import attrs

from hyperv_emu.emulator import guest, integration, lifecycle, winpath
from hyperv_emu.emulator.configfiles import checkpoint_config_path, write_checkpoint_config, write_vm_config
from hyperv_emu.emulator.transaction import Transaction
from hyperv_emu.emulator.errors import InvalidArgument, InvalidVMState
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import (
    CheckpointRecord,
    CheckpointTypeName,
    FileOp,
    HostRecord,
    VirtualMachineRecord,
    MAX_MEMORY,
    MAX_PROCESSORS,
    MIN_MEMORY,
    VMStateName,
)

MB = 1024**2
START_ACTIONS = ("Nothing", "StartIfRunning", "Start")
STOP_ACTIONS = ("TurnOff", "Save", "ShutDown")
CRITICAL_ACTIONS = ("None", "Pause")


@attrs.frozen(eq=False, repr=False)
class VMChanges(Fieldwise):
    """What one Set-VM (or Set-VMMemory / Set-VMProcessor / Rename-VM) asks for; None = keep."""

    checkpoint_type: str | None = None
    automatic_checkpoints: bool | None = None
    snapshot_file_location: str | None = None
    smart_paging_file_path: str | None = None
    memory_startup: int | None = None
    memory_minimum: int | None = None
    memory_maximum: int | None = None
    dynamic_memory: bool | None = None
    processor_count: int | None = None
    expose_virtualization_extensions: bool | None = None
    notes: str | None = None
    new_name: str | None = None
    automatic_start_action: str | None = None
    automatic_start_delay: int | None = None
    automatic_stop_action: str | None = None
    automatic_critical_error_action: str | None = None
    automatic_critical_error_action_timeout: int | None = None


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    for a in allowed:
        if a.casefold() == value.casefold():
            return a
    raise InvalidArgument(f"'{value}' is not a valid {what} ({', '.join(allowed)}).", target=value)


def _check_memory(vm: VirtualMachineRecord, what: str, value: int) -> None:
    if value < MIN_MEMORY or value % (2 * MB):
        raise InvalidArgument(
            f"Invalid {what} for '{vm.name}': memory must be a multiple of 2 MB and at least 32 MB "
            f"({value} bytes given).", target=vm.name)
    if value > MAX_MEMORY.get(vm.generation, MAX_MEMORY[2]):
        raise InvalidArgument(f"Invalid {what} for '{vm.name}': {value} bytes is more than a generation "
                              f"{vm.generation} virtual machine can have.", target=vm.name)


def _apply_memory(vm: VirtualMachineRecord, c: VMChanges) -> None:
    off = vm.state is VMStateName.OFF
    if (c.memory_startup is not None and c.memory_startup != vm.memory_startup) or (
            c.dynamic_memory is not None and c.dynamic_memory != vm.dynamic_memory):
        if not off:
            raise InvalidVMState(vm.name)
    dynamic = vm.dynamic_memory if c.dynamic_memory is None else c.dynamic_memory
    startup = vm.memory_startup if c.memory_startup is None else c.memory_startup
    minimum = vm.memory_minimum if c.memory_minimum is None else c.memory_minimum
    maximum = vm.memory_maximum if c.memory_maximum is None else c.memory_maximum
    for what, value, given in (("startup memory", startup, c.memory_startup),
                               ("minimum memory", minimum, c.memory_minimum),
                               ("maximum memory", maximum, c.memory_maximum)):
        if given is not None:
            _check_memory(vm, what, value)
    if not off and (minimum != vm.memory_minimum or maximum != vm.memory_maximum):
        # a running VM with dynamic memory: the minimum may go down, the maximum up
        if not dynamic or minimum > vm.memory_minimum or maximum < vm.memory_maximum:
            raise InvalidVMState(vm.name)
    if not dynamic:  # static memory: the limits follow the startup memory (no rule to break)
        minimum, maximum = min(minimum, startup), max(maximum, startup)
    if dynamic and not minimum <= startup <= maximum:
        raise InvalidArgument(
            f"Invalid memory settings for '{vm.name}': the minimum memory ({minimum} bytes) must not be more than "
            f"the startup memory ({startup} bytes), and the startup memory not more than the maximum "
            f"({maximum} bytes).", target=vm.name)
    vm.memory_startup, vm.memory_minimum, vm.memory_maximum, vm.dynamic_memory = startup, minimum, maximum, dynamic


def apply(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, c: VMChanges) -> None:
    """Check every change first, then make them all (a refused Set-VM changes nothing)."""
    if c.processor_count is not None:
        limit = min(MAX_PROCESSORS, host.logical_processor_count)  # no more than the host has
        if not 1 <= c.processor_count <= limit:
            raise InvalidArgument(f"Invalid processor count for '{vm.name}': {c.processor_count} "
                                  f"(1 to {limit}: the host has {host.logical_processor_count} logical processors).",
                                  target=vm.name)
        if c.processor_count != vm.processor_count and vm.state is not VMStateName.OFF:
            raise InvalidVMState(vm.name)
    if c.smart_paging_file_path is not None and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)
    exposed = c.expose_virtualization_extensions
    if exposed is not None and exposed != vm.expose_virtualization_extensions and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)  # nested virtualization: only while the VM is Off
    if c.snapshot_file_location is not None and vm.checkpoints:
        raise InvalidVMState(vm.name)
    for value in (c.automatic_start_delay, c.automatic_critical_error_action_timeout):
        if value is not None and value < 0:
            raise InvalidArgument(f"The value {value} is negative; a delay or timeout cannot be.", target=vm.name)
    start = None if c.automatic_start_action is None else _choice(c.automatic_start_action, START_ACTIONS, "StartAction")
    stop = None if c.automatic_stop_action is None else _choice(c.automatic_stop_action, STOP_ACTIONS, "StopAction")
    critical = (None if c.automatic_critical_error_action is None
                else _choice(c.automatic_critical_error_action, CRITICAL_ACTIONS, "CriticalErrorAction"))
    paging = None if c.smart_paging_file_path is None else str(winpath.parse(c.smart_paging_file_path))
    snapshots = None if c.snapshot_file_location is None else str(winpath.parse(c.snapshot_file_location))
    before = attrs.evolve(vm, integration_services=dict(vm.integration_services))
    _apply_memory(before, c)  # checks the memory changes on a copy
    # --- every check passed: make the changes ---
    vm.memory_startup, vm.memory_minimum = before.memory_startup, before.memory_minimum
    vm.memory_maximum, vm.dynamic_memory = before.memory_maximum, before.dynamic_memory
    if c.processor_count is not None:
        vm.processor_count = c.processor_count
    if exposed is not None:
        vm.expose_virtualization_extensions = exposed
    if c.checkpoint_type is not None:
        vm.checkpoint_type = CheckpointTypeName(c.checkpoint_type)
    if c.automatic_checkpoints is not None:
        vm.automatic_checkpoints = c.automatic_checkpoints
    if snapshots is not None:
        vm.snapshot_file_location = snapshots
    if paging is not None:
        vm.smart_paging_file_path = paging
    if c.notes is not None:
        vm.notes = c.notes
    if c.new_name is not None:
        vm.name = c.new_name
    if start is not None:
        vm.automatic_start_action = start
    if c.automatic_start_delay is not None:
        vm.automatic_start_delay = c.automatic_start_delay
    if stop is not None:
        vm.automatic_stop_action = stop
    if critical is not None:
        vm.automatic_critical_error_action = critical
    if c.automatic_critical_error_action_timeout is not None:
        vm.automatic_critical_error_action_timeout = c.automatic_critical_error_action_timeout
    write_vm_config(tx, host, vm)


# --- Restart-VM, Remove-VMSavedState ---------------------------------------------------------------


def restart(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> list[str]:
    """Restart-VM: a hard reset of a running (or paused) VM; it runs again, its memory cleared and
    its Uptime from zero. An Off or Saved VM cannot be restarted."""
    if vm.state not in (VMStateName.RUNNING, VMStateName.PAUSED):
        raise InvalidVMState(vm.name)
    guest.drop_memory(tx, host, vm)
    vm.state = VMStateName.OFF
    vm.started_at = None
    return lifecycle.start(tx, host, vm)


def remove_saved_state(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord) -> None:
    """Remove-VMSavedState of a VM: a Saved VM becomes Off and its memory is gone."""
    if vm.state is not VMStateName.SAVED:
        raise InvalidVMState(vm.name)
    guest.drop_memory(tx, host, vm)
    vm.state = VMStateName.OFF
    vm.started_at = None
    write_vm_config(tx, host, vm)


def remove_checkpoint_saved_state(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord,
                                  cp: CheckpointRecord) -> None:
    """Remove-VMSavedState of a checkpoint: one that holds memory (State Saved) loses it and
    becomes Off; restoring it then leaves the VM Off. One without memory is refused."""
    if not cp.has_memory:
        raise InvalidVMState(cp.name)
    path = checkpoint_config_path(vm, cp, "vmrs")
    tx.queue(FileOp(kind="delete", host=host.name, path=path))
    host.file_times.pop(winpath.parse(path).key(), None)
    cp.has_memory = False
    write_checkpoint_config(tx, host, vm, cp)


# --- Wait-VM ---------------------------------------------------------------------------------------

WAIT_FOR = ("Heartbeat", "IPAddress", "Reboot", "MemoryOperations")


def wait_satisfied(vm: VirtualMachineRecord, condition: str, since: object) -> bool:
    """Whether what Wait-VM -For waits for holds now.

    Heartbeat: the guest answers the Heartbeat service (running, service on). IPAddress: the guest
    reports its addresses through Key-Value Pair Exchange (a simplification: network adapters are
    not consulted). MemoryOperations: the guest can take memory operations (heartbeat up).
    Reboot: the VM was (re)started after the wait began (`since`), its heartbeat up again.
    """
    up = integration.heartbeat(vm) == "OkApplicationsUnknown"
    if condition == "Heartbeat" or condition == "MemoryOperations":
        return up
    if condition == "IPAddress":
        return up and integration.enabled(vm, "Key-Value Pair Exchange")
    if condition == "Reboot":
        return up and vm.started_at is not None and since is not None and vm.started_at >= since  # type: ignore[operator]
    raise InvalidArgument(f"'{condition}' is not a valid WaitVMTypes ({', '.join(WAIT_FOR)}).", target=condition)
