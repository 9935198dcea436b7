"""Read-only snapshots of emulator objects, with the properties Hyper-V computes.

These are what the emulator hands out (the SDK's emulated backend turns them into SDK values):
Status, OperationalStatus, Uptime, MemoryAssigned, CPUUsage and ComputerName are Hyper-V's rules,
so they are computed here, not in the SDK.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from hyperv_emu.emulator import disks, drives, integration, network, winpath
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import CheckpointRecord, HardDrive, HostRecord, Settings, VirtualMachineRecord, VMStateName

STATUS_NORMAL = "Operating normally"
STATUS_MERGING = "Merging disks"
OP_OK = 2
OP_MERGING = 32772


@attrs.frozen(eq=False, repr=False)
class DriveView(Fieldwise):
    vm_name: str
    vm_id: str
    path: str
    controller_type: str
    controller_number: int
    controller_location: int
    computer_name: str
    checkpoint_id: str | None = None
    checkpoint_name: str | None = None


@attrs.frozen(eq=False, repr=False)
class VMView(Fieldwise):
    id: str
    name: str
    state: str
    status: str
    operational_status: tuple[int, ...]
    checkpoint_type: str
    automatic_checkpoints: bool
    parent_checkpoint_id: str | None
    parent_checkpoint_name: str | None
    path: str
    snapshot_file_location: str
    memory_startup: int
    memory_assigned: int
    cpu_usage: int
    uptime: dt.timedelta
    generation: int
    version: str
    computer_name: str
    creation_time: dt.datetime
    processor_count: int
    notes: str
    guest_vss_failing: bool
    pass_through_disks: int
    hard_drives: tuple[DriveView, ...]
    dvd_drives: tuple[drives.DvdView, ...] = ()
    expose_virtualization_extensions: bool = False
    guest_reachable: bool = False
    network_adapters: tuple[network.AdapterView, ...] = ()
    # Set-VM / Set-VMMemory settings and what Hyper-V derives from them
    memory_minimum: int = 512 * 1024**2
    memory_maximum: int = 1024**4
    dynamic_memory: bool = False
    memory_demand: int = 0
    automatic_start_action: str = "StartIfRunning"
    automatic_start_delay: int = 0
    automatic_stop_action: str = "Save"
    automatic_critical_error_action: str = "Pause"
    automatic_critical_error_action_timeout: int = 30
    smart_paging_file_path: str = ""
    heartbeat: str | None = None
    integration_services_state: str = ""
    # (name, enabled) in Get-VMIntegrationService's order
    integration_services: tuple[tuple[str, bool], ...] = ()
    resource_metering_enabled: bool = False


@attrs.frozen(eq=False, repr=False)
class CompatibilityView(Fieldwise):
    """Compare-VM's report of a planned import (emulator.importvm): the planned VM, the paths,
    and the incompatibilities as (message id, message, network adapter name or None)."""

    vm: VMView
    destination: str
    path: str
    snapshot_path: str
    vhd_destination_path: str | None
    vhd_source_path: str | None
    incompatibilities: tuple[tuple[int, str, str | None], ...]


@attrs.frozen(eq=False, repr=False)
class CheckpointView(Fieldwise):
    id: str
    name: str
    vm_name: str
    vm_id: str
    creation_time: dt.datetime
    state: str  # "Saved" (holds memory) or "Off"
    is_automatic: bool
    parent_id: str | None
    parent_name: str | None
    path: str
    computer_name: str
    memory_startup: int
    generation: int
    version: str
    notes: str
    hard_drives: tuple[DriveView, ...]
    processor_count: int = 1
    memory_minimum: int = 512 * 1024**2
    memory_maximum: int = 1024**4
    dynamic_memory: bool = False
    integration_services: tuple[tuple[str, bool], ...] = ()


@attrs.frozen(eq=False, repr=False)
class VhdView(Fieldwise):
    """Get-VHD's object, from the file's VHDX headers."""

    path: str
    parent_path: str | None
    vhd_type: str  # "Fixed" | "Dynamic" | "Differencing"
    size: int
    file_size: int
    computer_name: str
    attached: bool
    block_size: int = 0
    logical_sector_size: int = 512
    physical_sector_size: int = 4096
    disk_id: str = ""
    minimum_size: int | None = None


@attrs.frozen(eq=False, repr=False)
class HostView(Fieldwise):
    """Get-VMHost's object: the host's settings and hardware."""

    name: str
    computer_name: str
    virtual_hard_disk_path: str
    virtual_machine_path: str
    logical_processor_count: int
    memory_capacity: int


@attrs.frozen(eq=False, repr=False)
class EventView(Fieldwise):
    time: dt.datetime
    level: str
    event_id: int
    message: str
    vm_name: str
    vm_id: str


def _drives(host: HostRecord, vm: VirtualMachineRecord, drives: list[HardDrive], cp: CheckpointRecord | None) -> tuple[DriveView, ...]:
    return _drive_views(winpath.netbios_name(host.name), vm, drives, cp)


def _drive_views(computer: str, vm: VirtualMachineRecord, drives: list[HardDrive],
                 cp: CheckpointRecord | None) -> tuple[DriveView, ...]:
    return tuple(
        DriveView(
            vm_name=vm.name, vm_id=vm.id, path=d.path, controller_type=d.controller_type,
            controller_number=d.controller_number, controller_location=d.controller_location,
            computer_name=computer, checkpoint_id=cp.id if cp else None, checkpoint_name=cp.name if cp else None,
        )
        for d in drives
    )


def vm_view(host: HostRecord, vm: VirtualMachineRecord, now: dt.datetime, settings: Settings) -> VMView:
    merging = disks.merging(host, vm.id, now)
    running = vm.state in (VMStateName.RUNNING, VMStateName.PAUSED)
    parent = next((c for c in vm.checkpoints if c.id == vm.parent_checkpoint_id), None)
    uptime = dt.timedelta(0)
    if running and vm.started_at is not None:
        uptime = max(dt.timedelta(0), now - vm.started_at)
        uptime = dt.timedelta(seconds=int(uptime.total_seconds()))
    return VMView(
        id=vm.id,
        name=vm.name,
        state=vm.state.value,
        status=STATUS_MERGING if merging else STATUS_NORMAL,
        operational_status=(OP_OK, OP_MERGING) if merging else (OP_OK,),
        checkpoint_type=vm.checkpoint_type.value,
        automatic_checkpoints=vm.automatic_checkpoints,
        parent_checkpoint_id=parent.id if parent else None,
        parent_checkpoint_name=parent.name if parent else None,
        path=vm.path,
        snapshot_file_location=vm.snapshot_file_location,
        memory_startup=vm.memory_startup,
        memory_assigned=vm.memory_startup if running else 0,
        cpu_usage=1 if vm.state is VMStateName.RUNNING else 0,
        uptime=uptime,
        generation=vm.generation,
        version=vm.version,
        computer_name=winpath.netbios_name(host.name),
        creation_time=vm.creation_time,
        processor_count=vm.processor_count,
        notes=vm.notes,
        guest_vss_failing=vm.guest_vss_failing,
        pass_through_disks=vm.pass_through_disks,
        hard_drives=_drives(host, vm, vm.disks, None),
        dvd_drives=tuple(drives.DvdView(vm.name, vm.id, d.controller_type, d.controller_number, d.controller_location,
                                        winpath.netbios_name(host.name), d.path) for d in drives.dvd_records(vm)),
        expose_virtualization_extensions=vm.expose_virtualization_extensions,
        guest_reachable=vm.guest_reachable,
        network_adapters=tuple(network.adapters(host, vm, settings)),
        memory_minimum=vm.memory_minimum,
        memory_maximum=vm.memory_maximum,
        dynamic_memory=vm.dynamic_memory,
        # a running guest's demand is not modelled: it is taken to equal what it was assigned
        memory_demand=vm.memory_startup if running else 0,
        automatic_start_action=vm.automatic_start_action,
        automatic_start_delay=vm.automatic_start_delay,
        automatic_stop_action=vm.automatic_stop_action,
        automatic_critical_error_action=vm.automatic_critical_error_action,
        automatic_critical_error_action_timeout=vm.automatic_critical_error_action_timeout,
        smart_paging_file_path=vm.smart_paging_file_path or vm.path,
        heartbeat=integration.heartbeat(vm),
        integration_services_state="Up to date" if running else "",
        integration_services=tuple((n, integration.enabled(vm, n)) for n in integration.SERVICES),
        resource_metering_enabled=vm.metering_since is not None,
    )


def checkpoint_view(host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> CheckpointView:
    return checkpoint_views(host, [(vm, cp)])[0]


def checkpoint_views(host: HostRecord,
                     pairs: Iterable[tuple[VirtualMachineRecord, CheckpointRecord]]) -> list[CheckpointView]:
    """The views of checkpoints of the host's VMs; what a checkpoint's view takes from its VM
    (the checkpoints by id, the integration services) is made once per VM."""
    computer = winpath.netbios_name(host.name)
    shared: dict[int, tuple[dict[str, CheckpointRecord], tuple[tuple[str, bool], ...]]] = {}
    out = []
    for vm, cp in pairs:
        of_vm = shared.get(id(vm))
        if of_vm is None:
            by_id: dict[str, CheckpointRecord] = {}
            for c in vm.checkpoints:
                by_id.setdefault(c.id, c)  # the first of an id, as a scan finds it
            services = tuple((n, integration.enabled(vm, n)) for n in integration.SERVICES)
            of_vm = shared[id(vm)] = (by_id, services)
        parent = None if cp.parent_id is None else of_vm[0].get(cp.parent_id)
        out.append(CheckpointView(
            id=cp.id,
            name=cp.name,
            vm_name=vm.name,
            vm_id=vm.id,
            creation_time=cp.creation_time,
            state="Saved" if cp.has_memory else "Off",
            is_automatic=cp.is_automatic,
            parent_id=parent.id if parent else None,
            parent_name=parent.name if parent else None,
            path=vm.snapshot_file_location,
            computer_name=computer,
            memory_startup=cp.memory_startup,
            generation=vm.generation,
            version=vm.version,
            notes=cp.notes,
            hard_drives=_drive_views(computer, vm, cp.disks, cp),
            processor_count=vm.processor_count if cp.processor_count is None else cp.processor_count,
            memory_minimum=vm.memory_minimum if cp.memory_minimum is None else cp.memory_minimum,
            memory_maximum=vm.memory_maximum if cp.memory_maximum is None else cp.memory_maximum,
            dynamic_memory=vm.dynamic_memory if cp.dynamic_memory is None else cp.dynamic_memory,
            integration_services=of_vm[1],
        ))
    return out


def host_view(host: HostRecord) -> HostView:
    return HostView(name=winpath.netbios_name(host.name), computer_name=winpath.netbios_name(host.name),
                    virtual_hard_disk_path=host.default_vhd_path, virtual_machine_path=host.default_vm_path,
                    logical_processor_count=host.logical_processor_count, memory_capacity=host.memory_capacity)
