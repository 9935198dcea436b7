"""The emulated backend's conversions of the VM's settings and component objects: the emulator's
views (emulator.views) to the SDK's values (sdk.vmparts, the newer fields of VM and Checkpoint).
No Hyper-V rule lives here: a property the emulator decides comes from its view; the ones it
cannot know are the SDK types' defaults (a fresh Server 2022 VM's values)."""

from __future__ import annotations

import functools
from typing import Any

from hyperv_emu.emulator.integration import SERVICES
from hyperv_emu.emulator.metering import MeteringView
from hyperv_emu.emulator.views import CheckpointView, DriveView, HostView, VMView
from hyperv_emu.sdk.metering import PortAclMeteringReport, VHDMetrics, VMMeteringReport, VMNetworkAdapterAclDirection
from hyperv_emu.sdk.types import (
    VM,
    CheckpointParts,
    ControllerType,
    HardDrive,
    NetworkAdapter,
    VMOperationalStatus,
    VMParts,
)
from hyperv_emu.sdk.vmparts import (
    CriticalErrorAction,
    IntegrationService,
    OnOffState,
    StartAction,
    StopAction,
    VirtualMachineSubType,
    VMComPort,
    VMHeartbeatStatus,
    VMHostInfo,
    VMIntegrationComponentOperationalStatus,
)

SERVICE_IDS = {name: guid for name, (_, guid) in SERVICES.items()}


def vm_settings(v: VMView) -> dict[str, Any]:
    """The VM's settings and derived properties beyond the basic ones (hyperv-object-model.md §1)."""
    ops = [VMOperationalStatus(s) for s in v.operational_status]
    descriptions = tuple(_STATUS_TEXT.get(s, s.name) for s in ops)
    return dict(
        captured=functools.partial(vm_parts, v),  # the COM ports and integration services
        smart_paging_file_path=v.smart_paging_file_path,
        automatic_start_action=StartAction[v.automatic_start_action],
        automatic_start_delay=v.automatic_start_delay,
        automatic_stop_action=StopAction[v.automatic_stop_action],
        automatic_critical_error_action=CriticalErrorAction[v.automatic_critical_error_action],
        automatic_critical_error_action_timeout=v.automatic_critical_error_action_timeout,
        memory_demand=v.memory_demand,
        heartbeat=None if v.heartbeat is None else VMHeartbeatStatus[v.heartbeat],
        integration_services_state=v.integration_services_state,
        primary_operational_status=ops[0] if ops else None,
        secondary_operational_status=ops[1] if len(ops) > 1 else None,
        status_descriptions=descriptions,
        primary_status_description=descriptions[0] if descriptions else None,
        secondary_status_description=descriptions[1] if len(descriptions) > 1 else None,
        virtual_machine_sub_type=VirtualMachineSubType(v.generation),
        dynamic_memory_enabled=v.dynamic_memory,
        memory_maximum=v.memory_maximum,
        memory_minimum=v.memory_minimum,
    )


# the serial ports' class in their Id (hyperv-object-model.md, [AUTOLAB])
_COM_CLASS = "8E3A359F-559A-4B6A-98A9-1690A6100ED7"
_STATUS_TEXT = {VMOperationalStatus.Ok: "Operating normally", VMOperationalStatus.MergingDisks: "Merging disks"}


def vm_parts(v: VMView) -> VMParts:
    """The VM's component objects (`VM.captured`): its COM ports and integration services."""
    upper = v.id.upper()
    ports = tuple(VMComPort(path="", debugger_mode=OnOffState.Off, name=f"COM {n}",
                            id=f"Microsoft:{upper}\\{_COM_CLASS}\\{n - 1}",
                            vm_id=v.id, vm_name=v.name, computer_name=v.computer_name) for n in (1, 2))
    return ports[0], ports[1], integration_services(v)


def integration_services(v: VMView) -> tuple[IntegrationService, ...]:
    """Get-VMIntegrationService's objects: while the VM is Off (or Saved) a service has no
    operational status; while it runs an enabled one is Ok ("OK"), a disabled one Disabled."""
    out = []
    live = v.heartbeat is not None
    for name, enabled in v.integration_services:
        status: VMIntegrationComponentOperationalStatus | None = None
        if live:
            status = (VMIntegrationComponentOperationalStatus.Ok if enabled
                      else VMIntegrationComponentOperationalStatus.Disabled)
        text = None if status is None else ("OK" if enabled else "Disabled")
        out.append(IntegrationService(
            enabled=enabled, operational_status=() if status is None else (status,),
            primary_operational_status=status, primary_status_description=text,
            secondary_operational_status=None, secondary_status_description=None,
            status_description=() if text is None else (text,), name=name,
            id=f"Microsoft:{v.id.upper()}\\{SERVICE_IDS[name]}", vm_id=v.id, vm_name=v.name,
            computer_name=v.computer_name))
    return tuple(out)


def drive_from_view(d: DriveView) -> HardDrive:
    return HardDrive(
        vm_name=d.vm_name, vm_id=d.vm_id, path=d.path,
        controller_type=ControllerType[d.controller_type], controller_number=d.controller_number,
        controller_location=d.controller_location, computer_name=d.computer_name,
        vm_snapshot_id=d.checkpoint_id, vm_snapshot_name=d.checkpoint_name,
    )


def checkpoint_settings(c: CheckpointView) -> dict[str, Any]:
    """A checkpoint's captured settings; its component objects and drives are made when first
    read (`Checkpoint.captured`)."""
    return dict(captured=functools.partial(checkpoint_parts, c), dynamic_memory_enabled=c.dynamic_memory,
                memory_maximum=c.memory_maximum, memory_minimum=c.memory_minimum, processor_count=c.processor_count)


def checkpoint_parts(c: CheckpointView) -> CheckpointParts:
    """A checkpoint's captured component objects (their VMSnapshotId/Name its own)."""
    upper = c.id.upper()
    ports = tuple(VMComPort(path="", debugger_mode=OnOffState.Off, name=f"COM {n}",
                            id=f"Microsoft:{upper}\\{_COM_CLASS}\\{n - 1}", vm_id=c.vm_id, vm_name=c.vm_name,
                            vm_snapshot_id=c.id, vm_snapshot_name=c.name, computer_name=c.computer_name)
                  for n in (1, 2))
    services = tuple(IntegrationService(
        enabled=enabled, operational_status=(), primary_operational_status=None, primary_status_description=None,
        secondary_operational_status=None, secondary_status_description=None, status_description=(), name=name,
        id=f"Microsoft:{upper}\\{SERVICE_IDS[name]}", vm_id=c.vm_id, vm_name=c.vm_name,
        vm_snapshot_id=c.id, vm_snapshot_name=c.name, computer_name=c.computer_name)
        for name, enabled in c.integration_services)
    return ports[0], ports[1], tuple(drive_from_view(d) for d in c.hard_drives), services


def host_info(h: HostView) -> VMHostInfo:
    return VMHostInfo(
        logical_processor_count=h.logical_processor_count, virtual_hard_disk_path=h.virtual_hard_disk_path,
        virtual_machine_path=h.virtual_machine_path, fully_qualified_domain_name=h.name,
        memory_capacity=h.memory_capacity, name=h.name, computer_name=h.computer_name)


def metering_report(m: MeteringView, vm: VM, adapters: list[NetworkAdapter]) -> VMMeteringReport:
    """Measure-VM's report from the emulator's figures: one ACL report per metering ACL (with its
    adapter), one VHDMetrics per attached disk."""
    by_name = {a.name: a for a in adapters}
    return VMMeteringReport(
        computer_name=vm.computer_name, vm_id=m.vm_id, vm_name=m.vm_name, metering_duration=m.duration,
        average_processor_usage=m.average_processor_usage, average_memory_usage=m.average_memory_usage,
        maximum_memory_usage=m.maximum_memory_usage, minimum_memory_usage=m.minimum_memory_usage,
        total_disk_allocation=m.total_disk_allocation,
        network_metered_traffic_report=tuple(
            PortAclMeteringReport(network_adapter=by_name.get(adapter), remote_address=remote,
                                  direction=VMNetworkAdapterAclDirection[direction], total_traffic=traffic)
            for adapter, direction, remote, traffic in m.acl_traffic),
        hard_disk_metrics=tuple(VHDMetrics(virtual_hard_disk=d) for d in vm.hard_drives),
    )
