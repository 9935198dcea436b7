"""A backend that reads through another and refuses every change: what a read-only account
gets (`hvemu serve --read-only-user`).

Reads (VMs, checkpoints, disks, events, host files, the clock) go to the wrapped backend.
A change to the Hyper-V configuration (new/set/remove/start/stop VMs, checkpoints, imports,
exports, faults, guest data) raises `PermissionDeniedError` with Hyper-V's authorization
message for the host; a change to the host's files raises `AccessDeniedError` with .NET's
`Access to the path '...' is denied.`. Time passing (`sleep`) is not a change: it is allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NoReturn

from hyperv_emu.sdk.backend import Backend
from hyperv_emu.sdk.errors import AccessDeniedError, HyperVError, PermissionDeniedError
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    DvdDrive,
    FileInfo,
    HardDrive,
    HostEvent,
    NetworkAdapter,
    ScsiController,
    StopMode,
    VhdTestResult,
    VM,
    VMLookup,
    VMSwitch,
)
from hyperv_emu.sdk.compat import ImportOptions, VMCompatibilityReport
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.backends.read_only_devices import ReadOnlyDevices
from hyperv_emu.sdk.vmparts import AdapterSettings, NetAdapter, NewAdapterSpec, SwitchSettings, VMFirmware, VMHostInfo, VMSettings


class ReadOnlyBackend(ReadOnlyDevices):
    """`inner`'s reads; every change refused (see the module docstring)."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner

    def state_generation(self) -> int | None:
        return self.inner.state_generation()

    def _deny(self, computer: str | None) -> NoReturn:
        try:
            host = self.inner.host_name(computer).split(".")[0].upper()
        except HyperVError:
            host = (computer or "localhost").upper()
        raise PermissionDeniedError("You do not have the required permission to complete this task. Contact the "
                                    f"administrator of the authorization policy for the computer '{host}'.",
                                    target=host)

    def _deny_path(self, path: str) -> NoReturn:
        raise AccessDeniedError(f"Access to the path '{path}' is denied.", target=path)

    def settings(self) -> dict[str, Any]:
        fn = getattr(self.inner, "settings", None)
        return dict(fn()) if fn is not None else {}

    def task_backend(self) -> Any:
        """The inner backend's Task Scheduler, read-only (None when it has none)."""
        from hyperv_emu.sdk.backends.read_only_tasks import ReadOnlyTasks
        from hyperv_emu.sdk.tasks import TaskBackend

        factory = getattr(self.inner, "task_backend", None)
        tasks = factory() if factory is not None else None
        return ReadOnlyTasks(tasks, self._deny) if isinstance(tasks, TaskBackend) else None

    # --- VMs ---------------------------------------------------------------------------------
    def lookup_vms(self, computer: str | None, names: Sequence[str] | None) -> VMLookup:
        return self.inner.lookup_vms(computer, names)

    def get_vm_by_id(self, computer: str | None, vm_id: str) -> VM:
        return self.inner.get_vm_by_id(computer, vm_id)

    def new_vm(self, computer: str | None, name: str, *, memory_startup: int, generation: int, path: str | None,
               new_vhd_path: str | None, new_vhd_size: int, vhd_path: str | None,
               boot_device: str | None = None) -> VM:
        self._deny(computer)

    def remove_vm(self, computer: str | None, vm_id: str) -> None:
        self._deny(computer)

    def set_vm(self, computer: str | None, vm_id: str, *, checkpoint_type: str | None = None,
               automatic_checkpoints_enabled: bool | None = None, snapshot_file_location: str | None = None,
               memory_startup: int | None = None, processor_count: int | None = None,
               notes: str | None = None) -> VM:
        self._deny(computer)

    def start_vm(self, computer: str | None, vm_id: str) -> list[str]:
        self._deny(computer)

    def stop_vm(self, computer: str | None, vm_id: str, mode: StopMode, force: bool) -> list[str]:
        self._deny(computer)

    def suspend_vm(self, computer: str | None, vm_id: str) -> list[str]:
        self._deny(computer)

    def resume_vm(self, computer: str | None, vm_id: str) -> list[str]:
        self._deny(computer)

    # --- checkpoints -------------------------------------------------------------------------
    def checkpoint_vm(self, computer: str | None, vm_id: str, name: str | None) -> Checkpoint:
        self._deny(computer)

    def get_checkpoints(self, computer: str | None, vm_ids: Sequence[str] | None, *, name: str | None = None,
                        parent_of: str | None = None, child_of: str | None = None,
                        snapshot_type: str | None = None) -> list[Checkpoint]:
        return self.inner.get_checkpoints(computer, vm_ids, name=name, parent_of=parent_of, child_of=child_of,
                                          snapshot_type=snapshot_type)

    def get_checkpoint(self, computer: str | None, checkpoint_id: str) -> Checkpoint:
        return self.inner.get_checkpoint(computer, checkpoint_id)

    def find_checkpoint(self, computer: str | None, vm_id: str, name: str) -> Checkpoint:
        return self.inner.find_checkpoint(computer, vm_id, name)

    def restore_checkpoint(self, computer: str | None, checkpoint_id: str) -> list[str]:
        self._deny(computer)

    def remove_checkpoint(self, computer: str | None, checkpoint_id: str, include_children: bool) -> Checkpoint:
        self._deny(computer)

    def rename_checkpoint(self, computer: str | None, checkpoint_id: str, new_name: str) -> Checkpoint:
        self._deny(computer)

    def export_checkpoint(self, computer: str | None, checkpoint_id: str, path: str) -> str:
        self._deny(computer)

    def import_vm(self, computer: str | None, path: str, options: ImportOptions) -> VM:
        self._deny(computer)

    def compare_import(self, computer: str | None, path: str, options: ImportOptions) -> VMCompatibilityReport:
        self._deny(computer)  # it creates a planned VM on the host

    def recompare(self, computer: str | None, report: VMCompatibilityReport) -> VMCompatibilityReport:
        return self.inner.recompare(computer, report)

    def import_report(self, computer: str | None, report: VMCompatibilityReport) -> VM:
        self._deny(computer)

    def connect_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                switch: str | None) -> list[NetworkAdapter]:
        self._deny(computer)

    def configure_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                  changes: AdapterSettings) -> list[NetworkAdapter]:
        self._deny(computer)

    # --- disks, events, faults ---------------------------------------------------------------
    def get_vhd(self, computer: str | None, path: str) -> VHD:
        return self.inner.get_vhd(computer, path)

    def events(self, computer: str | None) -> list[HostEvent]:
        return self.inner.events(computer)

    def set_faults(self, computer: str | None, vm_id: str, *, guest_vss_failing: bool | None,
                   pass_through_disks: int | None) -> VM:
        self._deny(computer)

    def guest_reachable(self, computer: str | None, vm_id: str) -> bool:
        return self.inner.guest_reachable(computer, vm_id)

    # --- guest data --------------------------------------------------------------------------
    def write_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, data: bytes) -> None:
        self._deny(computer)

    def read_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, length: int) -> bytes:
        return self.inner.read_guest_disk(computer, vm_id, disk, offset, length)

    def set_guest_memory(self, computer: str | None, vm_id: str, offset: int, data: bytes) -> None:
        self._deny(computer)

    def read_guest_memory(self, computer: str | None, vm_id: str, offset: int, length: int) -> bytes:
        return self.inner.read_guest_memory(computer, vm_id, offset, length)

    # --- the host: name, clock, files ----------------------------------------------------------
    def host_name(self, computer: str | None) -> str:
        return self.inner.host_name(computer)

    def now(self, computer: str | None) -> dt.datetime:
        return self.inner.now(computer)

    def sleep(self, computer: str | None, seconds: float) -> None:
        self.inner.sleep(computer, seconds)

    def clock_is_virtual(self) -> bool:
        return self.inner.clock_is_virtual()

    def list_dir(self, computer: str | None, path: str) -> list[FileInfo]:
        return self.inner.list_dir(computer, path)

    def file_info(self, computer: str | None, path: str) -> FileInfo | None:
        return self.inner.file_info(computer, path)

    def read_file(self, computer: str | None, path: str) -> bytes:
        return self.inner.read_file(computer, path)

    def write_file(self, computer: str | None, path: str, data: bytes) -> None:
        self._deny_path(path)

    def make_dir(self, computer: str | None, path: str) -> None:
        self._deny_path(path)

    def delete_file(self, computer: str | None, path: str) -> None:
        self._deny_path(path)


    # --- the VM settings, disk and device calls ----------------------------------------------

    def configure_vm(self, computer: str | None, vm_id: str, settings: VMSettings) -> VM:
        self._deny(computer)

    def restart_vm(self, computer: str | None, vm_id: str) -> list[str]:
        self._deny(computer)

    def remove_saved_state(self, computer: str | None, vm_id: str) -> None:
        self._deny(computer)

    def remove_checkpoint_saved_state(self, computer: str | None, checkpoint_id: str) -> None:
        self._deny(computer)

    def set_integration_service(self, computer: str | None, vm_id: str, name: str, enabled: bool) -> VM:
        self._deny(computer)

    def set_resource_metering(self, computer: str | None, vm_id: str, action: str) -> VM:
        self._deny(computer)

    def measure_vm(self, computer: str | None, vm_id: str) -> VMMeteringReport:
        return self.inner.measure_vm(computer, vm_id)

    def wait_vm(self, computer: str | None, vm_id: str, condition: str, timeout: float | None, delay: float) -> None:
        return self.inner.wait_vm(computer, vm_id, condition, timeout, delay)

    def get_vm_host(self, computer: str | None) -> VMHostInfo:
        return self.inner.get_vm_host(computer)

    def set_vm_host(self, computer: str | None, *, virtual_hard_disk_path: str | None,
                    virtual_machine_path: str | None) -> VMHostInfo:
        self._deny(computer)

    def export_vm(self, computer: str | None, vm_id: str, path: str) -> str:
        self._deny(computer)

    def move_vm_storage(self, computer: str | None, vm_id: str, destination: str) -> VM:
        self._deny(computer)

    def new_vhd(self, computer: str | None, path: str, *, vhd_type: str, size: int, parent_path: str | None,
                block_size: int, logical_sector_size: int, physical_sector_size: int) -> VHD:
        self._deny(computer)

    def test_vhd(self, computer: str | None, path: str) -> VhdTestResult:
        return self.inner.test_vhd(computer, path)

    def merge_vhd(self, computer: str | None, path: str, destination: str | None) -> VHD:
        self._deny(computer)

    def resize_vhd(self, computer: str | None, path: str, size: int | None) -> VHD:
        self._deny(computer)

    def optimize_vhd(self, computer: str | None, path: str) -> VHD:
        self._deny(computer)

    def add_hard_drive(self, computer: str | None, vm_id: str, path: str, *, controller_type: str | None,
                       controller_number: int | None, controller_location: int | None) -> HardDrive:
        self._deny(computer)

    def remove_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                          controller_location: int) -> None:
        self._deny(computer)

    def set_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                       controller_location: int, *, path: str | None, to_controller_type: str | None,
                       to_controller_number: int | None, to_controller_location: int | None) -> HardDrive:
        self._deny(computer)

    def network_adapters(self, computer: str | None, vm_id: str) -> list[NetworkAdapter]:
        return self.inner.network_adapters(computer, vm_id)

    def switches(self, computer: str | None) -> list[VMSwitch]:
        return self.inner.switches(computer)

    def management_os_adapters(self, computer: str | None) -> list[NetworkAdapter]:
        return self.inner.management_os_adapters(computer)

    def net_adapters(self, computer: str | None) -> list[NetAdapter]:
        return self.inner.net_adapters(computer)

    def add_network_adapter(self, computer: str | None, vm_id: str, spec: NewAdapterSpec) -> NetworkAdapter:
        self._deny(computer)

    def remove_network_adapter(self, computer: str | None, vm_id: str, adapter: str) -> None:
        self._deny(computer)

    def new_switch(self, computer: str | None, settings: SwitchSettings) -> VMSwitch:
        self._deny(computer)

    def set_switch(self, computer: str | None, switch_id: str, settings: SwitchSettings) -> VMSwitch:
        self._deny(computer)

    def remove_switch(self, computer: str | None, switch_id: str) -> None:
        self._deny(computer)


def read_only(backend: Backend) -> Backend:
    """`backend` for a read-only account."""
    return ReadOnlyBackend(backend)
