"""The emulator as an SDK backend: a thin adapter over `emulator.Host`.

It converts the emulator's views into SDK values and its errors into SDK exceptions (the one
mapping table, `_ERRORS`). No Hyper-V rule lives here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from hyperv_emu.emulator import errors as emu_errors
from hyperv_emu.emulator import scheduler as emu_scheduler
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.host import FileInfo as EmuFileInfo
from hyperv_emu.emulator.host import Host
from hyperv_emu.emulator.model import ClockMode
from hyperv_emu.emulator.views import CheckpointView, VhdView, VMView
from hyperv_emu.emulator.vmsettings import VMChanges
from hyperv_emu.sdk import errors
from hyperv_emu.sdk.backends.emulated_devices import EmulatedDevices, dvd_from_view
from hyperv_emu.sdk.backends.emulated_parts import (
    checkpoint_settings,
    drive_from_view,
    host_info,
    metering_report,
    vm_settings,
)
from hyperv_emu.emulator import importvm as emu_importvm
from hyperv_emu.emulator.network import AdapterChanges, AdapterView, NewAdapter
from hyperv_emu.emulator.switches import SwitchChanges, SwitchView
from hyperv_emu.emulator.views import CompatibilityView
from hyperv_emu.sdk.compat import ImportOptions, VMCompatibilityError, VMCompatibilityReport
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.vmparts import AdapterSettings, NetAdapter, NewAdapterSpec, OnOffState, SwitchSettings, VMFirmware, VMHostInfo, VMNetworkAdapterVlanMode, VMSettings, VMSwitchBandwidthMode
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    CheckpointType,
    ControllerType,
    FileInfo,
    HardDrive,
    HostEvent,
    SnapshotType,
    StopMode,
    VhdFormat,
    NetworkAdapter,
    VhdTestResult,
    VlanSetting,
    VhdType,
    VM,
    VMLookup,
    VMOperationalStatus,
    VMState,
    VMSwitch,
    VMSwitchType,
    VMNetworkAdapterOperationalStatus,
)

if TYPE_CHECKING:
    from hyperv_emu.sdk.backends.emulated_tasks import EmulatedTasks
    from hyperv_emu.sdk.tasks import ActionRunner

T = TypeVar("T")

# Wait-VM's text when -Timeout passes (the module's CmdletErrorMessages.OperationFailed_ConditionNotSatisfied)
CONDITION_NOT_SATISFIED = ("This command stopped operation because the specified condition is not satisfied in the "
                           "specified time-out.")

# One table: emulator error class -> SDK exception class (most specific first).
_ERRORS: list[tuple[type[emu_errors.EmulatorError], type[errors.HyperVError]]] = [
    (emu_errors.VMNotFound, errors.VMNotFoundError),
    (emu_errors.CheckpointNotFound, errors.CheckpointNotFoundError),
    (emu_errors.MoreThanOneCheckpoint, errors.MultipleCheckpointsError),
    (emu_errors.InvalidVMState, errors.InvalidStateError),
    (emu_errors.CheckpointFailed, errors.CheckpointFailedError),
    (emu_errors.CheckpointNameInvalid, errors.InvalidNameError),
    (emu_errors.VMNameInvalid, errors.InvalidNameError),
    (emu_errors.VMAlreadyExists, errors.AlreadyExistsError),
    (emu_errors.HostNotFound, errors.HostNotFoundError),
    (emu_errors.ExportFailed, errors.ExportImportError),
    (emu_errors.ImportFailed, errors.ExportImportError),
    (emu_errors.FileInUse, errors.FileInUseError),
    (emu_errors.AccessDenied, errors.AccessDeniedError),
    (emu_errors.PathError, errors.HostPathError),
    (emu_errors.VMCreateFailed, errors.AlreadyExistsError),
    (emu_errors.WorldError, errors.WorldFileError),
    (emu_errors.InvalidArgument, errors.InvalidArgumentError),
    (emu_errors.StateError, errors.StateError),
    (emu_errors.DiskError, errors.DiskError),
    (emu_errors.InvalidWildcardPattern, errors.InvalidPatternError),
    (emu_errors.OperationTimeout, errors.OperationTimeoutError),
    (emu_errors.MeteringDisabled, errors.MeteringDisabledError),
    (emu_scheduler.TaskNotFound, errors.TaskNotFoundError),
    (emu_scheduler.TaskExists, errors.AlreadyExistsError),
    (emu_scheduler.TaskDefinitionError, errors.TaskDefinitionError),
    (emu_errors.EmulatorError, errors.HyperVError),
]


def translate(exc: emu_errors.EmulatorError) -> errors.HyperVError:
    for emu_cls, sdk_cls in _ERRORS:
        if isinstance(exc, emu_cls):
            return sdk_cls(exc.message, error_id=exc.error_id, category=exc.category, target=exc.target)
    raise AssertionError("unreachable: EmulatorError is the last entry")


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except emu_errors.EmulatorError as exc:
        raise translate(exc) from exc




def vm_from_view(v: VMView) -> VM:
    return VM(
        name=v.name, id=v.id, state=VMState[v.state], status=v.status,
        operational_status=tuple(VMOperationalStatus(s) for s in v.operational_status),
        checkpoint_type=CheckpointType[v.checkpoint_type],
        automatic_checkpoints_enabled=v.automatic_checkpoints,
        parent_snapshot_id=v.parent_checkpoint_id, parent_snapshot_name=v.parent_checkpoint_name,
        path=v.path, snapshot_file_location=v.snapshot_file_location,
        memory_startup=v.memory_startup, memory_assigned=v.memory_assigned, cpu_usage=v.cpu_usage,
        uptime=v.uptime, generation=v.generation, version=v.version, computer_name=v.computer_name,
        hard_drives=tuple(drive_from_view(d) for d in v.hard_drives), creation_time=v.creation_time,
        network_adapters=tuple(adapter_from_view(a) for a in v.network_adapters),
        dvd_drives=tuple(dvd_from_view(d) for d in v.dvd_drives), expose_virtualization_extensions=v.expose_virtualization_extensions,
        processor_count=v.processor_count, notes=v.notes, configuration_location=v.path,
        resource_metering_enabled=v.resource_metering_enabled, **vm_settings(v),
    )


_FEATURE_FIELDS = {"DhcpGuard": "dhcp_guard", "RouterGuard": "router_guard", "IeeePriorityTag": "ieee_priority_tag",
                   "AllowTeaming": "allow_teaming", "DeviceNaming": "device_naming"}


def adapter_from_view(a: AdapterView) -> NetworkAdapter:
    vlan = VlanSetting(operation_mode=VMNetworkAdapterVlanMode.Untagged if a.access_vlan is None
                       else VMNetworkAdapterVlanMode.Access, access_vlan_id=a.access_vlan or 0,
                       parent_adapter=a.name, computer_name=a.computer_name)
    return NetworkAdapter(name=a.name, computer_name=a.computer_name, vm_name=a.vm_name, vm_id=a.vm_id,
                          switch_name=a.switch_name, switch_id=a.switch_id, mac_address=a.mac_address,
                          dynamic_mac_address_enabled=a.dynamic_mac_address_enabled,
                          mac_address_spoofing=OnOffState.On if a.mac_address_spoofing else OnOffState.Off,
                          vlan_setting=vlan, is_legacy=a.is_legacy, ip_addresses=a.ip_addresses,
                          status=(VMNetworkAdapterOperationalStatus.Ok,) if a.status == "Ok" else (),
                          connected=a.switch_name is not None, is_management_os=a.is_management_os,
                          **{_FEATURE_FIELDS[f]: OnOffState.On for f in a.features})


def switch_from_view(s: SwitchView) -> VMSwitch:
    return VMSwitch(name=s.name, id=s.id, switch_type=VMSwitchType[s.switch_type], computer_name=s.computer_name,
                    allow_management_os=s.allow_management_os, notes=s.notes,
                    net_adapter_interface_description=s.net_adapter_interface_description or None,
                    bandwidth_reservation_mode=VMSwitchBandwidthMode[s.bandwidth_reservation_mode])


def _switch_changes(s: SwitchSettings) -> SwitchChanges:
    return SwitchChanges(name=s.name, switch_type=s.switch_type, net_adapter=s.net_adapter_name,
                         net_adapter_description=s.net_adapter_description,
                         allow_management_os=s.allow_management_os, notes=s.notes,
                         bandwidth_mode=s.minimum_bandwidth_mode)


def import_options(o: ImportOptions) -> emu_importvm.ImportOptions:
    return emu_importvm.ImportOptions(copy=o.copy, new_id=o.generate_new_id, vm_path=o.virtual_machine_path,
                                      snapshot_path=o.snapshot_file_path, smart_paging_path=o.smart_paging_file_path,
                                      vhd_destination=o.vhd_destination_path, vhd_source=o.vhd_source_path)


def checkpoint_from_view(c: CheckpointView) -> Checkpoint:
    return Checkpoint(
        id=c.id, name=c.name, vm_name=c.vm_name, vm_id=c.vm_id, creation_time=c.creation_time,
        snapshot_type=SnapshotType.Standard, state=VMState[c.state], is_automatic_checkpoint=c.is_automatic,
        parent_snapshot_id=c.parent_id, parent_snapshot_name=c.parent_name, path=c.path,
        computer_name=c.computer_name, hard_drives=(),  # made with the other captured parts
        memory_startup=c.memory_startup, generation=c.generation, version=c.version, notes=c.notes,
        **checkpoint_settings(c),
    )


def _vhd(v: VhdView) -> VHD:
    return VHD(
        path=v.path, parent_path=v.parent_path, vhd_type=VhdType[v.vhd_type], vhd_format=VhdFormat.VHDX,
        size=v.size, file_size=v.file_size, computer_name=v.computer_name, attached=v.attached,
        block_size=v.block_size, logical_sector_size=v.logical_sector_size,
        physical_sector_size=v.physical_sector_size, minimum_size=v.minimum_size, disk_identifier=v.disk_id,
    )


def _file(f: EmuFileInfo) -> FileInfo:
    v = f.version
    if v is None:
        return FileInfo(path=f.path, name=f.name, is_dir=f.is_dir, length=f.length, last_write_time=f.last_write_time)
    return FileInfo(path=f.path, name=f.name, is_dir=f.is_dir, length=f.length, last_write_time=f.last_write_time,
                    product_version=v.product_version, file_version=v.file_version, product_name=v.product_name,
                    company_name=v.company_name, file_description=v.file_description)


class EmulatedBackend(EmulatedDevices):
    """An SDK backend over an emulator state at `url`."""

    def __init__(self, url: str, *, emulator: Emulator | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        """`progress(description, done, total)`: told as the emulator applies its file operations
        (disk files made, merges folded; see emulator.engine.FileOpsProgress)."""
        if emulator is None:
            with _mapped():
                emulator = Emulator(url, on_file_ops=progress)
        elif progress is not None:
            emulator.on_file_ops = progress
        self.emulator = emulator
        self.url = url
        self._tasks: EmulatedTasks | None = None
        self._runner: ActionRunner | None = None
        self._generation = 0

    def task_backend(self) -> EmulatedTasks:
        """The host's Task Scheduler (sdk.tasks.TaskBackend), made on first use (most runs
        schedule nothing, and the SDK's task types are then not imported)."""
        if self._tasks is None:
            from hyperv_emu.sdk.backends.emulated_tasks import EmulatedTasks

            self._tasks = EmulatedTasks(self.emulator, self._call)
            self._tasks.set_action_runner(self._runner)
        return self._tasks

    def set_action_runner(self, runner: ActionRunner | None) -> None:
        """Who runs the tasks' programs (`sdk.tasks.TaskClient.set_action_runner`, without
        making the Task Scheduler before it is used)."""
        self._runner = runner
        if self._tasks is not None:
            self._tasks.set_action_runner(runner)

    def state_generation(self) -> int | None:
        return self._generation

    def _host(self, computer: str | None) -> Host:
        return Host(self.emulator, computer)

    def _call(self, fn: Callable[[], T]) -> T:
        self._generation += 1  # every operation goes through here (Backend.state_generation)
        with _mapped():
            return fn()

    # --- VMs -----------------------------------------------------------------------------------

    def lookup_vms(self, computer: str | None, names: Sequence[str] | None) -> VMLookup:
        found = self._call(lambda: self._host(computer).lookup_vms(names))
        return VMLookup(tuple(vm_from_view(v) for v in found.found), found.missing)

    def get_vm_by_id(self, computer: str | None, vm_id: str) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).get_vm_by_id(vm_id)))

    def new_vm(self, computer: str | None, name: str, *, memory_startup: int, generation: int, path: str | None,
               new_vhd_path: str | None, new_vhd_size: int, vhd_path: str | None,
               boot_device: str | None = None) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).new_vm(
            name, memory_startup=memory_startup, generation=generation, path=path,
            new_vhd_path=new_vhd_path, new_vhd_size=new_vhd_size, vhd_path=vhd_path, boot_device=boot_device)))

    def remove_vm(self, computer: str | None, vm_id: str) -> None:
        self._call(lambda: self._host(computer).remove_vm(vm_id))

    def set_vm(self, computer: str | None, vm_id: str, **settings: Any) -> VM:
        if "automatic_checkpoints_enabled" in settings:
            settings["automatic_checkpoints"] = settings.pop("automatic_checkpoints_enabled")
        return vm_from_view(self._call(lambda: self._host(computer).set_vm(vm_id, **settings)))

    def start_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._call(lambda: self._host(computer).start_vm(vm_id)).warnings)

    def stop_vm(self, computer: str | None, vm_id: str, mode: StopMode, force: bool) -> list[str]:
        return list(self._call(lambda: self._host(computer).stop_vm(vm_id, mode=mode.value, force=force)).warnings)

    def suspend_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._call(lambda: self._host(computer).suspend_vm(vm_id)).warnings)

    def resume_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._call(lambda: self._host(computer).resume_vm(vm_id)).warnings)

    # --- VM settings and actions around them -------------------------------------------------------

    def configure_vm(self, computer: str | None, vm_id: str, settings: VMSettings) -> VM:
        changes = VMChanges(
            checkpoint_type=settings.checkpoint_type, automatic_checkpoints=settings.automatic_checkpoints_enabled,
            snapshot_file_location=settings.snapshot_file_location,
            smart_paging_file_path=settings.smart_paging_file_path, memory_startup=settings.memory_startup,
            memory_minimum=settings.memory_minimum, memory_maximum=settings.memory_maximum,
            dynamic_memory=settings.dynamic_memory_enabled, processor_count=settings.processor_count,
            expose_virtualization_extensions=settings.expose_virtualization_extensions,
            notes=settings.notes, new_name=settings.new_name,
            automatic_start_action=settings.automatic_start_action,
            automatic_start_delay=settings.automatic_start_delay,
            automatic_stop_action=settings.automatic_stop_action,
            automatic_critical_error_action=settings.automatic_critical_error_action,
            automatic_critical_error_action_timeout=settings.automatic_critical_error_action_timeout,
        )
        return vm_from_view(self._call(lambda: self._host(computer).configure_vm(vm_id, changes)))

    def restart_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._call(lambda: self._host(computer).restart_vm(vm_id)).warnings)

    def remove_saved_state(self, computer: str | None, vm_id: str) -> None:
        self._call(lambda: self._host(computer).remove_saved_state(vm_id))

    def remove_checkpoint_saved_state(self, computer: str | None, checkpoint_id: str) -> None:
        self._call(lambda: self._host(computer).remove_checkpoint_saved_state(checkpoint_id))

    def set_integration_service(self, computer: str | None, vm_id: str, name: str, enabled: bool) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).set_integration_service(vm_id, name, enabled)))

    def set_resource_metering(self, computer: str | None, vm_id: str, action: str) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).set_resource_metering(vm_id, action)))

    def measure_vm(self, computer: str | None, vm_id: str) -> VMMeteringReport:
        view = self._call(lambda: self._host(computer).measure_vm(vm_id))
        vm = self.get_vm_by_id(computer, vm_id)
        return metering_report(view, vm, self.network_adapters(computer, vm_id))

    def wait_vm(self, computer: str | None, vm_id: str, condition: str, timeout: float | None, delay: float) -> None:
        """Wait-VM: poll every `delay` seconds until the condition holds or `timeout` passes. On the
        virtual clock nothing changes a VM while the script waits, so an unmet condition moves the
        clock by the whole timeout at once (without a timeout the wait could never end: an error)."""
        host = self._host(computer)
        since = self._call(host.now)
        try:
            deadline = None if timeout is None else since + dt.timedelta(seconds=timeout)
        except OverflowError:  # past DateTime.MaxValue
            if self.clock_is_virtual():  # the clock's own error: it cannot pass its end
                self._call(lambda: host.advance(float(timeout or 0)))
            deadline = None  # on the real clock, a wait that long is a wait without end
        while not self._call(lambda: host.wait_satisfied(vm_id, condition, since)):
            name = self.get_vm_by_id(computer, vm_id).name
            if self.clock_is_virtual():
                if deadline is None:
                    raise errors.OperationTimeoutError(
                        f"Wait-VM would wait forever: nothing will make '{name}' reach {condition} while the "
                        "script waits on the emulator's virtual clock. Give -Timeout.", target=name)
                self._call(lambda: host.advance(max(0.0, (deadline - host.now()).total_seconds()),
                                                self.task_backend().emulator_runner()))
            elif deadline is None or self._call(host.now) < deadline:
                time.sleep(max(0.1, delay))
                continue
            raise errors.OperationTimeoutError(CONDITION_NOT_SATISFIED, target=name)

    def get_vm_host(self, computer: str | None) -> VMHostInfo:
        return host_info(self._call(lambda: self._host(computer).host_info()))

    def set_vm_host(self, computer: str | None, *, virtual_hard_disk_path: str | None,
                    virtual_machine_path: str | None) -> VMHostInfo:
        return host_info(self._call(lambda: self._host(computer).set_host_paths(
            virtual_hard_disk_path=virtual_hard_disk_path, virtual_machine_path=virtual_machine_path)))

    # --- checkpoints -----------------------------------------------------------------------

    def checkpoint_vm(self, computer: str | None, vm_id: str, name: str | None) -> Checkpoint:
        return checkpoint_from_view(self._call(lambda: self._host(computer).create_checkpoint(vm_id, name)))

    def get_checkpoints(self, computer: str | None, vm_ids: Sequence[str] | None, *, name: str | None = None,
                        parent_of: str | None = None, child_of: str | None = None,
                        snapshot_type: str | None = None) -> list[Checkpoint]:
        views = self._call(lambda: self._host(computer).get_checkpoints(
            vm_ids, name=name, parent_of=parent_of, child_of=child_of, snapshot_type=snapshot_type))
        return [checkpoint_from_view(c) for c in views]

    def get_checkpoint(self, computer: str | None, checkpoint_id: str) -> Checkpoint:
        return checkpoint_from_view(self._call(lambda: self._host(computer).get_checkpoint(checkpoint_id)))

    def find_checkpoint(self, computer: str | None, vm_id: str, name: str) -> Checkpoint:
        return checkpoint_from_view(self._call(lambda: self._host(computer).find_one_checkpoint(vm_id, name)))

    def restore_checkpoint(self, computer: str | None, checkpoint_id: str) -> list[str]:
        return list(self._call(lambda: self._host(computer).restore_checkpoint(checkpoint_id)).warnings)

    def remove_checkpoint(self, computer: str | None, checkpoint_id: str, include_children: bool) -> Checkpoint:
        return checkpoint_from_view(self._call(
            lambda: self._host(computer).remove_checkpoint(checkpoint_id, include_children=include_children)))

    def rename_checkpoint(self, computer: str | None, checkpoint_id: str, new_name: str) -> Checkpoint:
        return checkpoint_from_view(self._call(lambda: self._host(computer).rename_checkpoint(checkpoint_id, new_name)))

    def export_checkpoint(self, computer: str | None, checkpoint_id: str, path: str) -> str:
        return self._call(lambda: self._host(computer).export_checkpoint(checkpoint_id, path))

    def export_vm(self, computer: str | None, vm_id: str, path: str) -> str:
        return self._call(lambda: self._host(computer).export_vm(vm_id, path))

    def move_vm_storage(self, computer: str | None, vm_id: str, destination: str) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).move_vm_storage(vm_id, destination)))

    def import_vm(self, computer: str | None, path: str, options: ImportOptions) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).import_vm(path, import_options(options))))

    def compare_import(self, computer: str | None, path: str, options: ImportOptions) -> VMCompatibilityReport:
        view = self._call(lambda: self._host(computer).compare_import(path, import_options(options)))
        return self._report(computer, view, options)

    def recompare(self, computer: str | None, report: VMCompatibilityReport) -> VMCompatibilityReport:
        view = self._call(lambda: self._host(computer).recompare(report.vm.id))
        return self._report(computer, view, report.options)

    def import_report(self, computer: str | None, report: VMCompatibilityReport) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).import_planned(report.vm.id)))

    def _report(self, computer: str | None, view: CompatibilityView, options: ImportOptions) -> VMCompatibilityReport:
        adapters = {a.name: a for a in self.network_adapters(computer, view.vm.id)}
        return VMCompatibilityReport(
            vm=vm_from_view(view.vm), destination=view.destination, path=view.path, snapshot_path=view.snapshot_path,
            vhd_destination_path=view.vhd_destination_path, vhd_source_path=view.vhd_source_path,
            incompatibilities=tuple(VMCompatibilityError(message=m, message_id=i, source=adapters.get(a) if a else None)
                                    for i, m, a in view.incompatibilities),
            options=options)

    # --- disks, events, faults -------------------------------------------------------------

    def get_vhd(self, computer: str | None, path: str) -> VHD:
        return _vhd(self._call(lambda: self._host(computer).get_vhd(path)))

    def new_vhd(self, computer: str | None, path: str, *, vhd_type: str, size: int, parent_path: str | None,
                block_size: int, logical_sector_size: int, physical_sector_size: int) -> VHD:
        from hyperv_emu.emulator.vhdfiles import NewVhdSpec

        spec = NewVhdSpec(vhd_type, size, block_size, logical_sector_size, physical_sector_size, parent_path or "")
        return _vhd(self._call(lambda: self._host(computer).new_vhd(path, spec)))

    def test_vhd(self, computer: str | None, path: str) -> VhdTestResult:
        problem = self._call(lambda: self._host(computer).test_vhd(path))
        return VhdTestResult(path=path, ok=problem is None, problem=problem or "")

    def merge_vhd(self, computer: str | None, path: str, destination: str | None) -> VHD:
        return _vhd(self._call(lambda: self._host(computer).merge_vhd(path, destination)))

    def resize_vhd(self, computer: str | None, path: str, size: int | None) -> VHD:
        return _vhd(self._call(lambda: self._host(computer).resize_vhd(path, size)))

    def optimize_vhd(self, computer: str | None, path: str) -> VHD:
        return _vhd(self._call(lambda: self._host(computer).optimize_vhd(path)))

    def add_hard_drive(self, computer: str | None, vm_id: str, path: str, *, controller_type: str | None,
                       controller_number: int | None, controller_location: int | None) -> HardDrive:
        return drive_from_view(self._call(lambda: self._host(computer).add_hard_drive(
            vm_id, path, controller_type=controller_type, controller_number=controller_number,
            controller_location=controller_location)))

    def remove_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                          controller_location: int) -> None:
        self._call(lambda: self._host(computer).remove_hard_drive(vm_id, controller_type, controller_number,
                                                                  controller_location))

    def set_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                       controller_location: int, *, path: str | None, to_controller_type: str | None,
                       to_controller_number: int | None, to_controller_location: int | None) -> HardDrive:
        return drive_from_view(self._call(lambda: self._host(computer).set_hard_drive(
            vm_id, controller_type, controller_number, controller_location, path=path,
            to_controller_type=to_controller_type, to_controller_number=to_controller_number,
            to_controller_location=to_controller_location)))

    def connect_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                switch: str | None) -> list[NetworkAdapter]:
        views = self._call(lambda: self._host(computer).connect_adapter(vm_id, adapter, switch))
        return [adapter_from_view(a) for a in views]

    def configure_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                  changes: AdapterSettings) -> list[NetworkAdapter]:
        emu = AdapterChanges(static_mac=changes.static_mac, dynamic_mac=changes.dynamic_mac,
                             mac_spoofing=changes.mac_spoofing, vlan_mode=changes.vlan_mode, vlan_id=changes.vlan_id,
                             new_name=changes.new_name, features=changes.features)
        views = self._call(lambda: self._host(computer).configure_adapter(vm_id, adapter, emu))
        return [adapter_from_view(a) for a in views]

    def network_adapters(self, computer: str | None, vm_id: str) -> list[NetworkAdapter]:
        return [adapter_from_view(a) for a in self._call(lambda: self._host(computer).network_adapters(vm_id))]

    def switches(self, computer: str | None) -> list[VMSwitch]:
        return [switch_from_view(s) for s in self._call(lambda: self._host(computer).switches())]

    def management_os_adapters(self, computer: str | None) -> list[NetworkAdapter]:
        return [adapter_from_view(a) for a in self._call(lambda: self._host(computer).management_adapters())]

    def net_adapters(self, computer: str | None) -> list[NetAdapter]:
        return [NetAdapter(name=a.name, interface_description=a.interface_description, if_index=a.if_index,
                           mac_address=a.mac_address, link_speed=f"{a.speed // 10**9} Gbps", speed=a.speed,
                           virtual=a.virtual,
                           interface_alias=a.name)
                for a in self._call(lambda: self._host(computer).host_adapters())]

    def add_network_adapter(self, computer: str | None, vm_id: str, spec: NewAdapterSpec) -> NetworkAdapter:
        new = NewAdapter(name=spec.name, switch=spec.switch_name, static_mac=spec.static_mac, is_legacy=spec.is_legacy)
        return adapter_from_view(self._call(lambda: self._host(computer).add_adapter(vm_id, new)))

    def remove_network_adapter(self, computer: str | None, vm_id: str, adapter: str) -> None:
        self._call(lambda: self._host(computer).remove_adapter(vm_id, adapter))

    def new_switch(self, computer: str | None, settings: SwitchSettings) -> VMSwitch:
        return switch_from_view(self._call(lambda: self._host(computer).new_switch(_switch_changes(settings))))

    def set_switch(self, computer: str | None, switch_id: str, settings: SwitchSettings) -> VMSwitch:
        return switch_from_view(self._call(lambda: self._host(computer).set_switch(switch_id,
                                                                                   _switch_changes(settings))))

    def remove_switch(self, computer: str | None, switch_id: str) -> None:
        self._call(lambda: self._host(computer).remove_switch(switch_id))

    # --- guest data ---------------------------------------------------------------------------

    def write_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, data: bytes) -> None:
        self._call(lambda: self._host(computer).write_guest_disk(vm_id, disk, offset, data))

    def read_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, length: int) -> bytes:
        return self._call(lambda: self._host(computer).read_guest_disk(vm_id, disk, offset, length))

    def set_guest_memory(self, computer: str | None, vm_id: str, offset: int, data: bytes) -> None:
        self._call(lambda: self._host(computer).write_guest_memory(vm_id, offset, data))

    def read_guest_memory(self, computer: str | None, vm_id: str, offset: int, length: int) -> bytes:
        return self._call(lambda: self._host(computer).read_guest_memory(vm_id, offset, length))

    def events(self, computer: str | None) -> list[HostEvent]:
        return [HostEvent(e.time, e.level, e.event_id, e.message, e.vm_name, e.vm_id)
                for e in self._call(lambda: self._host(computer).events())]

    def set_faults(self, computer: str | None, vm_id: str, *, guest_vss_failing: bool | None,
                   pass_through_disks: int | None) -> VM:
        return vm_from_view(self._call(lambda: self._host(computer).set_faults(
            vm_id, guest_vss_failing=guest_vss_failing, pass_through_disks=pass_through_disks)))

    def guest_reachable(self, computer: str | None, vm_id: str) -> bool:
        return bool(self._call(lambda: self._host(computer).get_vm_by_id(vm_id)).guest_reachable)

    # --- host, clock, files ----------------------------------------------------------------

    def host_name(self, computer: str | None) -> str:
        return self._call(lambda: self._host(computer).name)

    def now(self, computer: str | None) -> dt.datetime:
        return self._call(lambda: self._host(computer).now())

    def merge_progress(self, computer: str | None, vm_id: str) -> int | None:
        return self._call(lambda: self._host(computer).merge_progress(vm_id))

    def sleep(self, computer: str | None, seconds: float) -> None:
        if self.clock_is_virtual():
            self._call(lambda: self._host(computer).advance(seconds, self.task_backend().emulator_runner()))
        else:
            time.sleep(max(0.0, seconds))
            # the tasks due by now run (or count as missed; emulator.taskclock)
            self._call(lambda: self._host(computer).advance(0, self.task_backend().emulator_runner()))

    def clock_is_virtual(self) -> bool:
        return self._call(lambda: self.emulator.read_state().clock.mode is ClockMode.VIRTUAL)

    def list_dir(self, computer: str | None, path: str) -> list[FileInfo]:
        return [_file(f) for f in self._call(lambda: self._host(computer).list_dir(path))]

    def file_info(self, computer: str | None, path: str) -> FileInfo | None:
        info = self._call(lambda: self._host(computer).file_info(path))
        return _file(info) if info is not None else None

    def read_file(self, computer: str | None, path: str) -> bytes:
        return self._call(lambda: self._host(computer).read_file(path))

    def write_file(self, computer: str | None, path: str, data: bytes) -> None:
        self._call(lambda: self._host(computer).write_file(path, data))

    def make_dir(self, computer: str | None, path: str) -> None:
        self._call(lambda: self._host(computer).make_dir(path))

    def delete_file(self, computer: str | None, path: str) -> None:
        self._call(lambda: self._host(computer).delete_file(path))

    def storage_path(self, computer: str | None, path: str) -> str:
        return self._call(lambda: self._host(computer).storage_path(path))

    def settings(self) -> dict[str, Any]:
        """The world's presentation settings (culture, edition, width, timezone, env)."""
        state = self._call(self.emulator.read_state)
        s = state.settings
        return {"culture": s.culture, "edition": s.edition, "width": s.width, "timezone": s.timezone,
                "env": dict(state.env)}
