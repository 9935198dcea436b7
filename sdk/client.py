"""HyperVClient: one method per Hyper-V cmdlet, over any backend.

The calls behave as the cmdlets do, so code behaves the same on the emulator and on a real host:

| Cmdlet                         | Client method(s)                                            |
|--------------------------------|-------------------------------------------------------------|
| Get-VM [-Name] / -Id           | `get_vms(names)`, `lookup_vms(names)`, `vm(name)`, `get_vm_by_id(id)` |
| New-VM / Remove-VM / Set-VM    | `new_vm(...)`, `remove_vm(vm)`, `set_vm(vm, ...)`           |
| Start/Stop/Suspend/Resume-VM   | `start_vm`, `stop_vm(save=, turn_off=, force=)`, `suspend_vm`, `resume_vm` |
| Checkpoint-VM                  | `checkpoint_vm(vm, snapshot_name)` (create, then rename)    |
| Get-VMSnapshot                 | `get_checkpoints(vms, name=, snapshot_type=)`, `get_checkpoint(id)`, `get_parent_checkpoint(of)`, `get_child_checkpoints(of, name=)` |
| Restore-VMSnapshot             | `restore_checkpoint(cp)`, `restore_checkpoint_by_name(vm, name)` (exactly one match) |
| Remove-VMSnapshot              | `remove_checkpoint(cp, include_children=)`, `remove_checkpoints(vm, name=None, ...)` (no name: all) |
| Rename-VMSnapshot              | `rename_checkpoint(cp, new_name)`, `rename_checkpoint_by_name(vm, name, new_name)` |
| Export-VMSnapshot / Import-VM  | `export_checkpoint(cp, path)`, `import_vm(path, copy=, generate_new_id=, vhd_destination_path=, ...)` |
| Compare-VM / Import-VM -CompatibilityReport | `compare_vm_import(path, ImportOptions(...))`, `compare_report(report)`, `import_report(report)` |
| Export-VM                      | `export_vm(vm, path)` (checkpoints and disk chains included) |
| Move-VMStorage                 | `move_vm_storage(vm, destination)`                          |
| Get-VMHardDiskDrive / Get-VHD  | `get_hard_drives(vm_or_cp)`, `get_vhd(path)`                |
| New-VHD / Test-VHD             | `new_vhd(path, size, fixed=, parent_path=, ...)`, `test_vhd(path)` |
| Merge/Resize/Optimize-VHD      | `merge_vhd(path, destination)`, `resize_vhd(path, size)` (None: to its minimum), `optimize_vhd(path)` |
| Add/Remove/Set-VMHardDiskDrive | `add_hard_drive(vm, path, controller_type=, ...)`, `remove_hard_drive(drive)`, `set_hard_drive(drive, path=, to_controller_...=)` |
| Get-VMScsiController / Get-VMDvdDrive | `get_scsi_controllers(vm)`, `get_dvd_drives(vm)`           |
| Get-VMNetworkAdapter / Get-VMSwitch | `get_network_adapters(vm)`, `get_switches()`         |
| Connect-/Disconnect-VMNetworkAdapter | `connect_network_adapter(adapter, switch)` (None: disconnect) |
| Set-VMNetworkAdapter (MAC address, spoofing) | `set_network_adapter(adapter, static_mac_address=..., ...)` |
| Set-VMNetworkAdapterVlan -Access / -Untagged | `set_network_adapter_vlan(adapter, access_vlan_id)` |
| Add-/Remove-/Rename-VMNetworkAdapter | `add_network_adapter(vm, ...)`, `remove_network_adapter(adapter)`, `rename_network_adapter(adapter, new_name)` |
| New-/Set-/Rename-/Remove-VMSwitch | `new_switch(name, ...)`, `set_switch(switch, ...)`, `rename_switch(switch, new_name)`, `remove_switch(switch)` |
| Get-/Set-VMFirmware (secure boot, boot order) | `get_firmware(vm)`, `set_firmware(vm, secure_boot=..., boot_order=...)` |
| DVD drives, controllers, BIOS, TPM, key protector | `sdk.client_devices.DeviceCalls` (`add_dvd_drive`, `set_bios`, `enable_tpm`, ...) |
| Enable-/Disable-/Reset-VMResourceMetering, Measure-VM | `set_resource_metering(vm, enabled)`, `reset_resource_metering(vm)`, `measure_vm(vm)` |
| Set-VM (other settings), Set-VMMemory, Set-VMProcessor, Rename-VM | `configure_vm(vm, VMSettings(...))`, `rename_vm(vm, new)` |
| Get-VMMemory / Get-VMProcessor | `get_vm_memory(vm)`, `get_vm_processor(vm)`                |
| Save-VM / Restart-VM / Remove-VMSavedState | `save_vm`, `restart_vm`, `remove_saved_state(vm_or_cp)` |
| Get-/Enable-/Disable-VMIntegrationService | `get_integration_services(vm, name=)`, `set_integration_service(vm, name, enabled)` |
| Wait-VM                        | `wait_vm(vm, "Heartbeat", timeout=, delay=)`                |
| Get-/Set-VMHost                | `get_vm_host()`, `set_vm_host(virtual_hard_disk_path=, virtual_machine_path=)` |
| (the guest, emulator only)     | `write_guest_disk`, `read_guest_disk`, `set_guest_memory`, `read_guest_memory` |

Warnings a cmdlet writes go to `on_warning` (default: Python's warnings module, category
`HyperVWarning`). Restore starts a VM that was running, as Restore-VMSnapshot does.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import warnings as _warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from hyperv_emu.sdk.backend import Backend
from hyperv_emu.sdk.errors import (
    CheckpointNotFoundError,
    HyperVWarning,
    InvalidArgumentError,
    InvalidNameError,
    VMNotFoundError,
)
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    CheckpointType,
    FileInfo,
    HardDrive,
    HostEvent,
    StopMode,
    ControllerType,
    DvdDrive,
    NetworkAdapter,
    ScsiController,
    ValueClient,
    VhdTestResult,
    VM,
    VMLookup,
    VMSwitch,
    VMSwitchType,
)
from hyperv_emu.sdk.compat import ImportOptions, VMCompatibilityReport
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.client_devices import DeviceCalls
from hyperv_emu.sdk.vmparts import AdapterSettings, NetAdapter, NewAdapterSpec, SwitchSettings, CriticalErrorAction, VMFirmware, IntegrationService, StartAction, StopAction, VMHostInfo, VMMemory, VMProcessor, VMSettings

if TYPE_CHECKING:
    from hyperv_emu.sdk.tasks import TaskClient

VMRef = VM | str
# the memory and processor settings' class GUIDs in their Ids (Msvm_MemorySettingData /
# Msvm_ProcessorSettingData InstanceIDs)
_MEMORY_CLASS = "4764334d-e001-4176-82ee-5594ec9b530e"
_PROCESSOR_CLASS = "b637f346-6a0e-4dec-af52-bd70cb80a21d\\0"
WAIT_FOR = ("Heartbeat", "IPAddress", "Reboot", "MemoryOperations")
_ENUM_SETTINGS: dict[str, type[enum.IntEnum]] = {
    "checkpoint_type": CheckpointType, "automatic_start_action": StartAction, "automatic_stop_action": StopAction,
    "automatic_critical_error_action": CriticalErrorAction,
}


def _enum_name(cls: type[enum.IntEnum], value: object) -> str:
    """An enumerated setting's PowerShell name, from a member, a name or a number."""
    if isinstance(value, cls):
        return value.name
    for member in cls:
        if str(value).casefold() in (member.name.casefold(), str(int(member))):
            return member.name
    names = ", ".join(m.name for m in cls)
    raise InvalidArgumentError(f"'{value}' is not a valid {cls.__name__} ({names}).", target=str(value))


def _default_warning(message: str) -> None:
    _warnings.warn(message, HyperVWarning, stacklevel=3)


_V = TypeVar("_V")


def bound(value: _V, client: Any) -> _V:
    """The SDK value bound to `client`. A backend hands over the values it returns, unbound
    (`sdk.backend`): such a value is bound in place, before anyone else holds it (copying a
    40-field checkpoint cost as much as making it). A value bound to another client is copied
    field by field (a part left to be made on first read, `Checkpoint.captured`, stays so)."""
    held = getattr(value, "client")
    if held is client:
        return value
    if held is None:
        object.__setattr__(value, "client", client)
        return value
    cls: Any = type(value)
    new: _V = object.__new__(cls)
    read, write = object.__getattribute__, object.__setattr__
    for name in _field_names(cls):
        try:
            write(new, name, read(value, name))
        except AttributeError:  # a part not made yet
            pass
    write(new, "client", client)
    return new


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(cls) if a.name != "client")


class HyperVClient(DeviceCalls, ValueClient):
    """The SDK's entry point; the values it returns are bound to it (it is their `ValueClient`)."""

    def __init__(
        self,
        backend: Backend,
        computer_name: str | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.computer_name = computer_name
        self.on_warning = on_warning or _default_warning

    def host(self, computer_name: str | None) -> "HyperVClient":
        """The same backend, another host (`-ComputerName`)."""
        return HyperVClient(self.backend, computer_name, self.on_warning)

    def with_warnings(self, on_warning: Callable[[str], None]) -> "HyperVClient":
        return HyperVClient(self.backend, self.computer_name, on_warning)

    @property
    def host_name(self) -> str:
        return self.backend.host_name(self.computer_name)

    @property
    def tasks(self) -> TaskClient:
        """This host's Task Scheduler (sdk.tasks, imported on first use: most scripts schedule
        nothing; BackendError where the backend has none)."""
        from hyperv_emu.sdk.tasks import TaskClient

        return TaskClient(self.backend, self.computer_name)

    # --- binding values to this client ---------------------------------------------------

    def _vm(self, vm: VM) -> VM:
        return bound(vm, self)

    def _cp(self, cp: Checkpoint) -> Checkpoint:
        return bound(cp, self)

    def _warn(self, messages: Iterable[str]) -> None:
        for m in messages:
            self.on_warning(m)

    def _current(self, vm: VMRef) -> VM:
        """The VM as the host has it now; a compatibility report's planned VM (which Get-VM does
        not list) as the value the script holds."""
        try:
            return self.get_vm_by_id(self._vm_id(vm))
        except VMNotFoundError:
            if isinstance(vm, VM):
                return vm
            raise

    def _vm_id(self, vm: VMRef) -> str:
        return vm.id if isinstance(vm, VM) else self.vm(vm).id

    # --- Get-VM -------------------------------------------------------------------------------

    def lookup_vms(self, names: str | Sequence[str] | None = None) -> VMLookup:
        """VMs by name or pattern (host order), plus the plain names that matched nothing."""
        if isinstance(names, str):
            names = [names]
        found = self.backend.lookup_vms(self.computer_name, list(names) if names is not None else None)
        return VMLookup(tuple(self._vm(v) for v in found.found), found.missing)

    def get_vms(self, names: str | Sequence[str] | None = None) -> list[VM]:
        """Get-VM: every VM sorted by name, or the named ones (patterns allowed). A plain name
        that matches nothing raises VMNotFoundError."""
        found = self.lookup_vms(names)
        if found.missing:
            from_get_vm = f'Hyper-V was unable to find a virtual machine with name "{found.missing[0]}".'
            raise VMNotFoundError(from_get_vm, error_id="InvalidParameter", category="InvalidArgument",
                                  target=found.missing[0])
        return list(found.found)

    def vm(self, name: str) -> VM:
        """The one VM with this name (the name itself, not a wildcard pattern: `[` is a name)."""
        from hyperv_emu.sdk import escape_wildcards

        found = self.lookup_vms([escape_wildcards(name)])
        if found.missing or not found.found:
            raise VMNotFoundError(f'Hyper-V was unable to find a virtual machine with name "{name}".', target=name)
        return found.found[0]

    def get_vm_by_id(self, vm_id: str) -> VM:
        return self._vm(self.backend.get_vm_by_id(self.computer_name, vm_id))

    # --- New/Remove/Set-VM --------------------------------------------------------------------

    def new_vm(self, name: str, *, memory_startup: int = 1024**3, generation: int = 2, path: str | None = None,
               new_vhd_path: str | None = None, new_vhd_size: int = 0, vhd_path: str | None = None,
               boot_device: str | None = None) -> VM:
        """New-VM. `boot_device` (-BootDevice): CD, Floppy, IDE, LegacyNetworkAdapter,
        NetworkAdapter or VHD, the device the new VM boots from first."""
        return self._vm(self.backend.new_vm(
            self.computer_name, name, memory_startup=memory_startup, generation=generation, path=path,
            new_vhd_path=new_vhd_path, new_vhd_size=new_vhd_size, vhd_path=vhd_path, boot_device=boot_device))

    def remove_vm(self, vm: VMRef) -> None:
        self.backend.remove_vm(self.computer_name, self._vm_id(vm))

    def set_vm(self, vm: VMRef, *, checkpoint_type: CheckpointType | str | None = None,
               automatic_checkpoints_enabled: bool | None = None, snapshot_file_location: str | None = None,
               memory_startup: int | None = None, processor_count: int | None = None,
               notes: str | None = None) -> VM:
        ct = checkpoint_type.name if isinstance(checkpoint_type, CheckpointType) else checkpoint_type
        if ct is not None and ct not in CheckpointType.__members__:
            raise InvalidNameError(f"'{ct}' is not a checkpoint type (Disabled, Production, ProductionOnly, Standard).",
                                   target=str(ct))
        return self._vm(self.backend.set_vm(
            self.computer_name, self._vm_id(vm), checkpoint_type=ct,
            automatic_checkpoints_enabled=automatic_checkpoints_enabled,
            snapshot_file_location=snapshot_file_location, memory_startup=memory_startup,
            processor_count=processor_count, notes=notes))

    # --- Start/Stop/Suspend/Resume-VM --------------------------------------------------------

    def start_vm(self, vm: VMRef) -> VM:
        vm_id = self._vm_id(vm)
        self._warn(self.backend.start_vm(self.computer_name, vm_id))
        return self.get_vm_by_id(vm_id)

    def stop_vm(self, vm: VMRef, *, save: bool = False, turn_off: bool = False, force: bool = False) -> VM:
        if save and turn_off:
            raise InvalidNameError("The Save and TurnOff parameters are mutually exclusive.",
                                   error_id="InvalidParameter", category="InvalidArgument")
        mode = StopMode.SAVE if save else StopMode.TURN_OFF if turn_off else StopMode.SHUTDOWN
        vm_id = self._vm_id(vm)
        self._warn(self.backend.stop_vm(self.computer_name, vm_id, mode, force))
        return self.get_vm_by_id(vm_id)

    def suspend_vm(self, vm: VMRef) -> VM:
        vm_id = self._vm_id(vm)
        self._warn(self.backend.suspend_vm(self.computer_name, vm_id))
        return self.get_vm_by_id(vm_id)

    def resume_vm(self, vm: VMRef) -> VM:
        vm_id = self._vm_id(vm)
        self._warn(self.backend.resume_vm(self.computer_name, vm_id))
        return self.get_vm_by_id(vm_id)

    # --- VM settings and the actions around them ----------------------------------------------
    # Set-VM's other parameters, Set-VMMemory, Set-VMProcessor, Rename-VM, Save-VM, Restart-VM,
    # Remove-VMSavedState, Get-/Enable-/Disable-VMIntegrationService, Wait-VM, Get-/Set-VMHost.

    def configure_vm(self, vm: VMRef, settings: VMSettings) -> VM:
        """Set-VM / Set-VMMemory / Set-VMProcessor / Rename-VM in one call (None: unchanged).
        Hyper-V's rules apply: ProcessorCount, startup memory and DynamicMemoryEnabled only while
        the VM is Off, and so on (emulator.vmsettings)."""
        names: dict[str, Any] = {field: _enum_name(enum_cls, getattr(settings, field))
                                 for field, enum_cls in _ENUM_SETTINGS.items() if getattr(settings, field) is not None}
        settings = attrs.evolve(settings, **names)
        return self._vm(self.backend.configure_vm(self.computer_name, self._vm_id(vm), settings))

    def rename_vm(self, vm: VMRef, new_name: str) -> VM:
        return self.configure_vm(vm, VMSettings(new_name=new_name))

    def save_vm(self, vm: VMRef) -> VM:
        """Save-VM (what Stop-VM -Save does)."""
        return self.stop_vm(vm, save=True)

    def restart_vm(self, vm: VMRef) -> VM:
        """Restart-VM: a hard reset; the VM runs again with its memory cleared."""
        vm_id = self._vm_id(vm)
        self._warn(self.backend.restart_vm(self.computer_name, vm_id))
        return self.get_vm_by_id(vm_id)

    def remove_saved_state(self, of: VM | Checkpoint | str) -> None:
        """Remove-VMSavedState of a Saved VM (it becomes Off) or of a checkpoint holding memory."""
        if isinstance(of, Checkpoint):
            self.backend.remove_checkpoint_saved_state(self.computer_name, of.id)
        else:
            self.backend.remove_saved_state(self.computer_name, self._vm_id(of))

    def get_integration_services(self, vm: VMRef, name: str | None = None) -> list[IntegrationService]:
        """Get-VMIntegrationService: the VM's services (in the module's order), or those whose
        name matches the wildcard pattern `name`."""
        from hyperv_emu.sdk import wildcard_match

        current = self.get_vm_by_id(self._vm_id(vm))
        return [s for s in current.vm_integration_service if name is None or wildcard_match(name, s.name)]

    def set_integration_service(self, vm: VMRef, name: str, enabled: bool) -> VM:
        """Enable-/Disable-VMIntegrationService by the service's name (e.g. "VSS")."""
        return self._vm(self.backend.set_integration_service(self.computer_name, self._vm_id(vm), name, enabled))

    def set_resource_metering(self, vm: VMRef, enabled: bool) -> VM:
        """Enable-/Disable-VMResourceMetering (enabling a metered VM keeps its data)."""
        action = "enable" if enabled else "disable"
        return self._vm(self.backend.set_resource_metering(self.computer_name, self._vm_id(vm), action))

    def reset_resource_metering(self, vm: VMRef) -> VM:
        """Reset-VMResourceMetering: the data collected so far is discarded."""
        return self._vm(self.backend.set_resource_metering(self.computer_name, self._vm_id(vm), "reset"))

    def measure_vm(self, vm: VMRef) -> VMMeteringReport:
        """Measure-VM; MeteringDisabledError when the VM's resource metering is off."""
        return self.backend.measure_vm(self.computer_name, self._vm_id(vm))

    def wait_vm(self, vm: VMRef, for_: str = "Heartbeat", *, timeout: float | None = None, delay: float = 5) -> None:
        """Wait-VM -For Heartbeat|IPAddress|Reboot|MemoryOperations [-Timeout s] [-Delay s];
        OperationTimeoutError when the timeout passes first (a negative timeout: no limit)."""
        if timeout is not None and timeout < 0:
            timeout = None  # -Timeout -1: no limit, as [ValidateRange(-1, ...)] implies
        condition = next((c for c in WAIT_FOR if c.casefold() == for_.casefold()), None)
        if condition is None:
            raise InvalidArgumentError(f"'{for_}' is not one of {', '.join(WAIT_FOR)}.", target=for_)
        self.backend.wait_vm(self.computer_name, self._vm_id(vm), condition, timeout, delay)

    def get_vm_memory(self, vm: VMRef) -> VMMemory:
        """Get-VMMemory: the VM's memory settings."""
        return self.memory_of(self._current(vm))

    def memory_of(self, v: VM) -> VMMemory:
        """The memory settings a VM value holds (Set-VMMemory -Passthru of what it changed)."""
        return VMMemory(buffer=20, dynamic_memory_enabled=v.dynamic_memory_enabled, maximum=v.memory_maximum,
                        minimum=v.memory_minimum, priority=50, startup=v.memory_startup, name="Memory",
                        id=f"Microsoft:{v.id.upper()}\\{_MEMORY_CLASS}", vm_id=v.id, vm_name=v.name,
                        computer_name=v.computer_name)

    def get_vm_processor(self, vm: VMRef) -> VMProcessor:
        """Get-VMProcessor: the VM's processor settings (ExposeVirtualizationExtensions asked of the
        host: a VirtualMachine object does not carry it)."""
        v = self._current(vm)
        processor = self.processor_of(v)
        exposed = self.backend.virtualization_extensions(self.computer_name, v.id)
        if exposed == processor.expose_virtualization_extensions:
            return processor
        return attrs.evolve(processor, expose_virtualization_extensions=exposed)

    def processor_of(self, v: VM) -> VMProcessor:
        """The processor settings a VM value holds."""
        return VMProcessor(count=v.processor_count, compatibility_for_migration_enabled=False,
                           compatibility_for_older_operating_systems_enabled=False, maximum=100, reserve=0,
                           relative_weight=100, expose_virtualization_extensions=v.expose_virtualization_extensions, name="Processor",
                           id=f"Microsoft:{v.id.upper()}\\{_PROCESSOR_CLASS}", vm_id=v.id, vm_name=v.name,
                           computer_name=v.computer_name)

    def get_vm_host(self) -> VMHostInfo:
        return self.backend.get_vm_host(self.computer_name)

    def set_vm_host(self, *, virtual_hard_disk_path: str | None = None,
                    virtual_machine_path: str | None = None) -> VMHostInfo:
        """Set-VMHost: the folders New-VM (without -Path) and New-VHD use by default."""
        return self.backend.set_vm_host(self.computer_name, virtual_hard_disk_path=virtual_hard_disk_path,
                                        virtual_machine_path=virtual_machine_path)

    # --- Checkpoint-VM ------------------------------------------------------------------------

    def checkpoint_vm(self, vm: VMRef, snapshot_name: str | None = None) -> Checkpoint:
        """Checkpoint-VM: the checkpoint is created under Hyper-V's default name, then renamed
        when `snapshot_name` is given (a refused name leaves it under the default name)."""
        return self._cp(self.backend.checkpoint_vm(self.computer_name, self._vm_id(vm), snapshot_name))

    # --- Get-VMSnapshot -----------------------------------------------------------------------

    def state_generation(self) -> int | None:
        """Moves with every call the backend makes (see `Backend.state_generation`): results
        read at one generation still hold at the same generation. None: never assume so."""
        return self.backend.state_generation()

    def get_checkpoints(self, vms: VMRef | Sequence[VMRef] | None = None, *, name: str | None = None,
                        snapshot_type: str | None = None) -> list[Checkpoint]:
        """Checkpoints of the VMs (all VMs when None) sorted by CreationTime; `name` is a
        case-insensitive wildcard pattern. A filter that matches nothing raises
        CheckpointNotFoundError; a VM without checkpoints gives an empty list."""
        ids: list[str] | None = None
        if vms is not None:
            refs = [vms] if isinstance(vms, (VM, str)) else list(vms)
            ids = [self._vm_id(v) for v in refs]
        return [self._cp(c) for c in self.backend.get_checkpoints(
            self.computer_name, ids, name=name, snapshot_type=snapshot_type)]

    def get_checkpoint(self, checkpoint_id: str) -> Checkpoint:
        return self._cp(self.backend.get_checkpoint(self.computer_name, checkpoint_id))

    def find_checkpoint(self, vm: VMRef, name: str) -> Checkpoint:
        """Exactly one checkpoint of the VM matching `name` (else CheckpointNotFoundError or
        MultipleCheckpointsError), as Restore- and Rename-VMSnapshot require."""
        return self._cp(self.backend.find_checkpoint(self.computer_name, self._vm_id(vm), name))

    def get_parent_checkpoint(self, of: VM | Checkpoint, *, name: str | None = None) -> Checkpoint:
        """Get-VMSnapshot -ParentOf: the checkpoint a VM's state or a checkpoint hangs from."""
        found = self.backend.get_checkpoints(self.computer_name, None, parent_of=of.id, name=name)
        if not found:
            raise CheckpointNotFoundError("Unable to find a snapshot matching the given criteria.")
        return self._cp(found[0])

    def get_child_checkpoints(self, of: Checkpoint, *, name: str | None = None) -> list[Checkpoint]:
        """Get-VMSnapshot -ChildOf: the immediate children of a checkpoint."""
        return [self._cp(c) for c in self.backend.get_checkpoints(
            self.computer_name, None, child_of=of.id, name=name)]

    # --- Restore / Remove / Rename / Export ---------------------------------------------------

    def restore_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        self._warn(self.backend.restore_checkpoint(self.computer_name, checkpoint.id))
        return self.get_checkpoint(checkpoint.id)

    def restore_checkpoint_by_name(self, vm: VMRef, name: str) -> Checkpoint:
        return self.restore_checkpoint(self.find_checkpoint(vm, name))

    def remove_checkpoint(self, checkpoint: Checkpoint, *, include_children: bool = False) -> Checkpoint:
        return self._cp(self.backend.remove_checkpoint(self.computer_name, checkpoint.id, include_children))

    def remove_checkpoints(self, vm: VMRef, *, name: str | None = None, include_children: bool = False) -> list[Checkpoint]:
        """Remove-VMSnapshot -VMName X [-Name pattern]: without a name every checkpoint goes; a
        pattern that matches nothing removes nothing and is not an error."""
        vm_id = self._vm_id(vm)
        try:
            targets = self.backend.get_checkpoints(self.computer_name, [vm_id], name=name)
        except CheckpointNotFoundError:
            return []
        removed = []
        gone: set[str] = set()
        for cp in targets:
            if cp.id in gone:
                continue
            removed.append(self._cp(self.backend.remove_checkpoint(self.computer_name, cp.id, include_children)))
            gone.add(cp.id)
            if include_children:
                gone |= self._descendant_ids(cp, targets)
        return removed

    @staticmethod
    def _descendant_ids(cp: Checkpoint, pool: Sequence[Checkpoint]) -> set[str]:
        out: set[str] = set()
        frontier = {cp.id}
        while frontier:
            kids = {c.id for c in pool if c.parent_snapshot_id in frontier}
            out |= kids
            frontier = kids
        return out

    def rename_checkpoint(self, checkpoint: Checkpoint, new_name: str) -> Checkpoint:
        return self._cp(self.backend.rename_checkpoint(self.computer_name, checkpoint.id, new_name))

    def rename_checkpoint_by_name(self, vm: VMRef, name: str, new_name: str) -> Checkpoint:
        return self.rename_checkpoint(self.find_checkpoint(vm, name), new_name)

    def export_checkpoint(self, checkpoint: Checkpoint, path: str) -> str:
        return self.backend.export_checkpoint(self.computer_name, checkpoint.id, path)

    def export_vm(self, vm: VMRef, path: str) -> str:
        """Export-VM: `<path>\\<VMName>\\` with the VM, its checkpoints and its disk chains.
        Returns the export folder, which `import_vm` reads back."""
        return self.backend.export_vm(self.computer_name, self._vm_id(vm), path)

    def move_vm_storage(self, vm: VMRef, destination: str) -> VM:
        """Move-VMStorage -DestinationStoragePath: the VM's configuration, checkpoints and disks
        move under `destination` (disks to its `Virtual Hard Disks` folder)."""
        return self._vm(self.backend.move_vm_storage(self.computer_name, self._vm_id(vm), destination))

    def import_vm(self, path: str, *, generate_new_id: bool = False, copy: bool | None = None,
                  virtual_machine_path: str | None = None, snapshot_file_path: str | None = None,
                  smart_paging_file_path: str | None = None, vhd_destination_path: str | None = None,
                  vhd_source_path: str | None = None) -> VM:
        """Import-VM -Path of an exported configuration (a .vmcx, or the export folder): in place
        (Register), or a copy (`copy`, implied by `generate_new_id` as the module's Copy set has
        it). An incompatible configuration (a switch the host lacks) fails; see `compare_vm_import`."""
        options = ImportOptions(copy=generate_new_id if copy is None else copy, generate_new_id=generate_new_id,
                                virtual_machine_path=virtual_machine_path, snapshot_file_path=snapshot_file_path,
                                smart_paging_file_path=smart_paging_file_path,
                                vhd_destination_path=vhd_destination_path, vhd_source_path=vhd_source_path)
        return self._vm(self.backend.import_vm(self.computer_name, path, options))

    def compare_vm_import(self, path: str, options: ImportOptions | None = None) -> VMCompatibilityReport:
        """Compare-VM -Path (Register or Copy): the planned VM and its incompatibilities. Scripts may
        change the planned VM (memory, processors, network adapters) before `import_report`."""
        return self._report(self.backend.compare_import(self.computer_name, path, options or ImportOptions()))

    def compare_report(self, report: VMCompatibilityReport) -> VMCompatibilityReport:
        """Compare-VM -CompatibilityReport: the planned VM validated again (a new report)."""
        return self._report(self.backend.recompare(self.computer_name, report))

    def import_report(self, report: VMCompatibilityReport) -> VM:
        """Import-VM -CompatibilityReport: fails while the planned VM has incompatibilities."""
        return self._vm(self.backend.import_report(self.computer_name, report))

    def _report(self, report: VMCompatibilityReport) -> VMCompatibilityReport:
        return attrs.evolve(report, vm=self._vm(report.vm))

    # --- disks, events, faults ----------------------------------------------------------------

    def get_hard_drives(self, of: VM | Checkpoint) -> list[HardDrive]:
        return list(of.hard_drives)

    def get_vhd(self, path: str) -> VHD:
        return self.backend.get_vhd(self.computer_name, path)

    def new_vhd(self, path: str, size_bytes: int = 0, *, fixed: bool = False, parent_path: str | None = None,
                block_size: int = 0, logical_sector_size: int = 0, physical_sector_size: int = 0) -> VHD:
        """New-VHD: a dynamic disk (the default), a fixed one (`fixed`), or a differencing disk of
        `parent_path` (its size is the parent's). Sizes of 0 take the host's defaults."""
        kind = "Differencing" if parent_path is not None else ("Fixed" if fixed else "Dynamic")
        return self.backend.new_vhd(self.computer_name, path, vhd_type=kind, size=size_bytes, parent_path=parent_path,
                                    block_size=block_size, logical_sector_size=logical_sector_size,
                                    physical_sector_size=physical_sector_size)

    def test_vhd(self, path: str) -> VhdTestResult:
        return self.backend.test_vhd(self.computer_name, path)

    def merge_vhd(self, path: str, destination: str | None = None) -> VHD:
        """Merge-VHD: fold `path` (and the disks between) into `destination` (default: its parent)."""
        return self.backend.merge_vhd(self.computer_name, path, destination)

    def resize_vhd(self, path: str, size_bytes: int | None) -> VHD:
        """Resize-VHD -SizeBytes; None: -ToMinimumSize."""
        return self.backend.resize_vhd(self.computer_name, path, size_bytes)

    def optimize_vhd(self, path: str) -> VHD:
        return self.backend.optimize_vhd(self.computer_name, path)

    def add_hard_drive(self, vm: VMRef, path: str, *, controller_type: ControllerType | str | None = None,
                       controller_number: int | None = None, controller_location: int | None = None) -> HardDrive:
        """Add-VMHardDiskDrive: the drive on the controller slot given (the first free one where
        not given; IDE first on generation 1, SCSI on generation 2)."""
        return self.backend.add_hard_drive(self.computer_name, self._vm_id(vm), path,
                                           controller_type=_ctype(controller_type),
                                           controller_number=controller_number,
                                           controller_location=controller_location)

    def remove_hard_drive(self, drive: HardDrive) -> None:
        self.backend.remove_hard_drive(self.computer_name, drive.vm_id, drive.controller_type.name,
                                       drive.controller_number, drive.controller_location)

    def set_hard_drive(self, drive: HardDrive, *, path: str | None = None,
                       to_controller_type: ControllerType | str | None = None,
                       to_controller_number: int | None = None, to_controller_location: int | None = None) -> HardDrive:
        """Set-VMHardDiskDrive: point the drive at another file and/or move it to another slot."""
        return self.backend.set_hard_drive(
            self.computer_name, drive.vm_id, drive.controller_type.name, drive.controller_number,
            drive.controller_location, path=path, to_controller_type=_ctype(to_controller_type),
            to_controller_number=to_controller_number, to_controller_location=to_controller_location)

    def get_network_adapters(self, vm: VMRef) -> list[NetworkAdapter]:
        return self.backend.network_adapters(self.computer_name, self._vm_id(vm))

    def connect_network_adapter(self, adapter: NetworkAdapter, switch: str | None) -> NetworkAdapter:
        """Connect-VMNetworkAdapter -SwitchName, or Disconnect-VMNetworkAdapter (`switch` None);
        also an adapter of a compatibility report's planned VM. Returns the adapter after."""
        after = self.backend.connect_network_adapter(self.computer_name, adapter.vm_id, adapter.name, switch)
        return next(a for a in after if a.name.casefold() == adapter.name.casefold())

    def set_network_adapter(self, adapter: NetworkAdapter, *, static_mac_address: str | None = None,
                            dynamic_mac_address: bool = False,
                            mac_address_spoofing: bool | None = None, dhcp_guard: bool | None = None,
                            router_guard: bool | None = None, ieee_priority_tag: bool | None = None,
                            allow_teaming: bool | None = None, device_naming: bool | None = None) -> NetworkAdapter:
        """Set-VMNetworkAdapter -StaticMacAddress / -DynamicMacAddress (only while the VM is Off),
        -MacAddressSpoofing, -DhcpGuard, -RouterGuard, -IeeePriorityTag, -AllowTeaming,
        -DeviceNaming (None leaves a setting alone). Returns the adapter after."""
        named = {"DhcpGuard": dhcp_guard, "RouterGuard": router_guard, "IeeePriorityTag": ieee_priority_tag,
                 "AllowTeaming": allow_teaming, "DeviceNaming": device_naming}
        changes = AdapterSettings(static_mac=static_mac_address, dynamic_mac=dynamic_mac_address,
                                  mac_spoofing=mac_address_spoofing,
                                  features=tuple((k, v) for k, v in named.items() if v is not None))
        after = self.backend.configure_network_adapter(self.computer_name, adapter.vm_id, adapter.name, changes)
        return next(a for a in after if a.name.casefold() == adapter.name.casefold())

    def set_network_adapter_vlan(self, adapter: NetworkAdapter, access_vlan_id: int | None) -> NetworkAdapter:
        """Set-VMNetworkAdapterVlan -Access -VlanId N, or -Untagged (None). Returns the adapter after."""
        changes = AdapterSettings(vlan_mode="Untagged" if access_vlan_id is None else "Access",
                                  vlan_id=access_vlan_id)
        after = self.backend.configure_network_adapter(self.computer_name, adapter.vm_id, adapter.name, changes)
        return next(a for a in after if a.name.casefold() == adapter.name.casefold())

    def add_network_adapter(self, vm: VMRef, *, name: str | None = None, switch_name: str | None = None,
                            static_mac_address: str | None = None, is_legacy: bool = False) -> NetworkAdapter:
        """Add-VMNetworkAdapter (also to a compatibility report's planned VM): a synthetic adapter
        ("Network Adapter"), or a legacy one of a generation 1 VM. Returns the new adapter."""
        spec = NewAdapterSpec(name=name, switch_name=switch_name, static_mac=static_mac_address, is_legacy=is_legacy)
        return self.backend.add_network_adapter(self.computer_name, self._vm_id(vm), spec)

    def remove_network_adapter(self, adapter: NetworkAdapter) -> None:
        """Remove-VMNetworkAdapter of one adapter (by its VM and name: the first of that name)."""
        self.backend.remove_network_adapter(self.computer_name, adapter.vm_id, adapter.name)

    def rename_network_adapter(self, adapter: NetworkAdapter, new_name: str) -> NetworkAdapter:
        """Rename-VMNetworkAdapter. Returns the adapter after."""
        after = self.backend.configure_network_adapter(self.computer_name, adapter.vm_id, adapter.name,
                                                       AdapterSettings(new_name=new_name))
        return next(a for a in after if a.name.casefold() == new_name.casefold())

    def get_switches(self) -> list[VMSwitch]:
        return self.backend.switches(self.computer_name)

    def get_management_os_adapters(self) -> list[NetworkAdapter]:
        """Get-VMNetworkAdapter -ManagementOS: the host's adapter on each switch it shares."""
        return self.backend.management_os_adapters(self.computer_name)

    def get_net_adapters(self) -> list[NetAdapter]:
        """Get-NetAdapter: the host's physical adapters, then its virtual ones ("vEthernet (<switch>)")."""
        return self.backend.net_adapters(self.computer_name)

    def new_switch(self, name: str, *, switch_type: VMSwitchType | None = None, net_adapter_name: str | None = None,
                   net_adapter_description: str | None = None, allow_management_os: bool | None = None,
                   notes: str | None = None, minimum_bandwidth_mode: str | None = None) -> VMSwitch:
        """New-VMSwitch: Private or Internal (`switch_type`), or External on a physical adapter
        (`net_adapter_name` or its InterfaceDescription); `minimum_bandwidth_mode` Default (Weight),
        Weight, Absolute or None."""
        return self.backend.new_switch(self.computer_name, SwitchSettings(
            name=name, switch_type=switch_type.name if switch_type is not None else None,
            net_adapter_name=net_adapter_name, net_adapter_description=net_adapter_description,
            allow_management_os=allow_management_os, notes=notes, minimum_bandwidth_mode=minimum_bandwidth_mode))

    def set_switch(self, switch: VMSwitch, *, switch_type: VMSwitchType | None = None,
                   net_adapter_name: str | None = None, net_adapter_description: str | None = None,
                   allow_management_os: bool | None = None, notes: str | None = None) -> VMSwitch:
        """Set-VMSwitch. Returns the switch after."""
        return self.backend.set_switch(self.computer_name, switch.id, SwitchSettings(
            switch_type=switch_type.name if switch_type is not None else None, net_adapter_name=net_adapter_name,
            net_adapter_description=net_adapter_description, allow_management_os=allow_management_os, notes=notes))

    def rename_switch(self, switch: VMSwitch, new_name: str) -> VMSwitch:
        """Rename-VMSwitch: the adapters connected to it follow. Returns the switch after."""
        return self.backend.set_switch(self.computer_name, switch.id, SwitchSettings(name=new_name))

    def remove_switch(self, switch: VMSwitch) -> None:
        """Remove-VMSwitch: fails while a VM that is not off uses it; adapters of VMs that are off
        become not connected."""
        self.backend.remove_switch(self.computer_name, switch.id)

    def events(self) -> list[HostEvent]:
        return self.backend.events(self.computer_name)

    # --- guest data (the emulator; a real host raises BackendError) ---------------------------

    def write_guest_disk(self, vm: VMRef, disk: int, offset: int, data: bytes) -> None:
        """What the guest writes: `data` into the VM's virtual disk `disk` (0 = its first hard
        drive, in Get-VMHardDiskDrive's order) at byte `offset`. The bytes go to the VM's
        current file (its newest avhdx, or the .vhdx); checkpoints' files are never written."""
        self.backend.write_guest_disk(self.computer_name, self._vm_id(vm), disk, offset, bytes(data))

    def read_guest_disk(self, vm: VMRef, disk: int, offset: int, length: int) -> bytes:
        """What the guest reads from its virtual disk `disk` at `offset`, through the chain."""
        return self.backend.read_guest_disk(self.computer_name, self._vm_id(vm), disk, offset, length)

    def set_guest_memory(self, vm: VMRef, offset: int, data: bytes) -> None:
        """Set bytes of the memory of a running (or paused) VM. A standard checkpoint or
        Stop-VM -Save keeps it (a .vmrs); restoring such a checkpoint brings it back."""
        self.backend.set_guest_memory(self.computer_name, self._vm_id(vm), offset, bytes(data))

    def read_guest_memory(self, vm: VMRef, offset: int, length: int) -> bytes:
        """The memory of a running, paused or saved VM (zeros where nothing was set)."""
        return self.backend.read_guest_memory(self.computer_name, self._vm_id(vm), offset, length)

    def set_faults(self, vm: VMRef, *, guest_vss_failing: bool | None = None, pass_through_disks: int | None = None) -> VM:
        """Switch the emulator's faults at run time (guest VSS failing, pass-through disks)."""
        return self._vm(self.backend.set_faults(self.computer_name, self._vm_id(vm),
                                                guest_vss_failing=guest_vss_failing,
                                                pass_through_disks=pass_through_disks))

    def guest_reachable(self, vm: VMRef) -> bool:
        """Whether the VM's guest answers PowerShell Direct (the world's `guest_reachable`; a
        running VM's guest services do not answer unless the world says so)."""
        return self.backend.guest_reachable(self.computer_name, self._vm_id(vm))

    # --- clock and files ----------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.backend.now(self.computer_name)

    def sleep(self, seconds: float) -> None:
        """Start-Sleep: moves a virtual clock (finishing due merges) or really sleeps."""
        self.backend.sleep(self.computer_name, seconds)

    def merge_progress(self, vm: VMRef) -> int | None:
        """How far the VM's background disk merges are (0-99), None when none runs or when the
        backend cannot tell (a real host: Get-VM reports no percentage). Hyper-V Manager's
        Status column in `hvemu ui`."""
        fn: Callable[[str | None, str], int | None] | None = getattr(self.backend, "merge_progress", None)
        return fn(self.computer_name, self._vm_id(vm)) if fn is not None else None

    @property
    def clock_is_virtual(self) -> bool:
        return self.backend.clock_is_virtual()

    def list_dir(self, path: str) -> list[FileInfo]:
        return self.backend.list_dir(self.computer_name, path)

    def file_info(self, path: str) -> FileInfo | None:
        return self.backend.file_info(self.computer_name, path)

    def read_file(self, path: str) -> bytes:
        return self.backend.read_file(self.computer_name, path)

    def write_file(self, path: str, data: bytes) -> None:
        self.backend.write_file(self.computer_name, path, data)

    def make_dir(self, path: str) -> None:
        self.backend.make_dir(self.computer_name, path)

    def delete_file(self, path: str) -> None:
        self.backend.delete_file(self.computer_name, path)

    def settings(self) -> dict[str, Any]:
        fn = getattr(self.backend, "settings", None)
        return dict(fn()) if fn is not None else {}


def _ctype(value: ControllerType | str | None) -> str | None:
    """A controller type by name ("IDE" | "SCSI"), from the enum or its name in any case."""
    if value is None:
        return None
    if isinstance(value, ControllerType):
        return value.name
    for member in ControllerType:
        if member.name.casefold() == str(value).casefold():
            return member.name
    raise ValueError(f"{value!r} is not a controller type (IDE or SCSI)")
