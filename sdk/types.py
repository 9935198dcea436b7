"""The SDK's value types: frozen attrs classes with snake_case fields, and Hyper-V's enums.

Enums are IntEnums with Hyper-V's numeric values (what Windows PowerShell 5.1's ConvertTo-Json
emits) under PowerShell's member names (`VMState.Running`, `CheckpointType.Production`).

A value keeps the client it came from, so automation reads naturally:

    cp = hv.vm("SRV-APP01").checkpoint("Before KB5034567")
    ...
    cp.restore()

Acting on a value returns fresh values; a value itself never changes. What a value calls on its
client is the `ValueClient` protocol below; `sdk.client.HyperVClient` implements it (so this module
never imports the client). The PowerShell property
names (`VMName`, `ParentSnapshotName`, aliases such as `ParentCheckpointName`) are produced in
one place, `sdk.convert`; each field's PowerShell name is in its metadata where it is not the
plain PascalCase of the field name.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise
from hyperv_emu.sdk.vmparts import (
    CIM_SESSION,
    CriticalErrorAction,
    EnhancedSessionTransportType,
    IntegrationService,
    OnOffState,
    VMNetworkAdapterVlanMode,
    VMSwitchBandwidthMode,
    StartAction,
    StopAction,
    VirtualMachineSubType,
    VirtualMachineType,
    VMComPort,
    VMHeartbeatStatus,
    VMReplicationHealthState,
    VMReplicationMode,
    VMReplicationState,
)


def ps(name: str) -> dict[str, str]:
    """Field metadata: the property's PowerShell name."""
    return {"ps": name}


class PSEnum(enum.IntEnum):
    """An IntEnum that prints its name, as PowerShell prints enum values."""

    def __str__(self) -> str:
        return self.name


class VMState(PSEnum):
    """Microsoft.HyperV.PowerShell.VMState."""

    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMState"
    Other = 1
    Running = 2
    Off = 3
    Stopping = 4
    Saved = 6
    Paused = 9
    Starting = 10
    Reset = 11
    Saving = 32773
    Pausing = 32776
    Resuming = 32777
    FastSaved = 32779
    FastSaving = 32780
    ForceShutdown = 32781
    ForceReboot = 32782
    Hibernated = 32783
    ComponentServicing = 32784
    RunningCritical = 32785
    OffCritical = 32786
    StoppingCritical = 32787
    SavedCritical = 32788
    PausedCritical = 32789
    StartingCritical = 32790
    ResetCritical = 32791
    SavingCritical = 32792
    PausingCritical = 32793
    ResumingCritical = 32794
    FastSavedCritical = 32795
    FastSavingCritical = 32796


class CheckpointType(PSEnum):
    """Microsoft.HyperV.PowerShell.CheckpointType (Set-VM -CheckpointType)."""

    __ps_type_name__ = "Microsoft.HyperV.PowerShell.CheckpointType"
    Disabled = 2
    Production = 3
    ProductionOnly = 4
    Standard = 5


class SnapshotType(PSEnum):
    """Microsoft.HyperV.PowerShell.SnapshotType: every user checkpoint is Standard."""

    __ps_type_name__ = "Microsoft.HyperV.PowerShell.SnapshotType"
    Standard = 0
    Recovery = 1
    Planned = 2
    Missing = 5
    Replica = 6
    AppConsistentReplica = 7
    SyncedReplica = 8


class VMOperationalStatus(PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMOperationalStatus"
    Ok = 2
    Degraded = 3
    PredictiveFailure = 5
    InService = 11
    CreatingSnapshot = 32768
    ApplyingSnapshot = 32769
    DeletingSnapshot = 32770
    WaitingToStart = 32771
    MergingDisks = 32772
    ExportingVirtualMachine = 32773
    MigratingVirtualMachine = 32774


class ControllerType(PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.ControllerType"
    IDE = 0
    SCSI = 1


class VhdType(PSEnum):
    __ps_type_name__ = "Microsoft.Vhd.PowerShell.VhdType"
    Unknown = 0
    Fixed = 2
    Dynamic = 3
    Differencing = 4


class VhdFormat(PSEnum):
    __ps_type_name__ = "Microsoft.Vhd.PowerShell.VhdFormat"
    Unknown = 0
    VHD = 2
    VHDX = 3
    VHDSet = 4


class VMNetworkAdapterOperationalStatus(PSEnum):
    """An adapter's Status: Ok while its VM runs (the array is empty otherwise)."""

    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMNetworkAdapterOperationalStatus"
    Unknown = 0
    Ok = 2
    Degraded = 3


class VMSwitchType(PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMSwitchType"
    Private = 0
    Internal = 1
    External = 2


class StopMode(enum.Enum):
    """How Stop-VM stops: a guest shutdown, a turn-off (-TurnOff) or a save (-Save)."""

    SHUTDOWN = "shutdown"
    TURN_OFF = "turnoff"
    SAVE = "save"


class ValueClient(Protocol):
    """The client operations a bound `VM` or `Checkpoint` calls (`vm.start()`, `cp.restore()`);
    `sdk.client.HyperVClient` implements them with the same signatures."""

    def get_vm_by_id(self, vm_id: str) -> VM: ...
    def set_vm(self, vm: VM | str, *, checkpoint_type: CheckpointType | str | None = None,
               automatic_checkpoints_enabled: bool | None = None, snapshot_file_location: str | None = None,
               memory_startup: int | None = None, processor_count: int | None = None,
               notes: str | None = None) -> VM: ...
    def start_vm(self, vm: VM | str) -> VM: ...
    def stop_vm(self, vm: VM | str, *, save: bool = False, turn_off: bool = False, force: bool = False) -> VM: ...
    def suspend_vm(self, vm: VM | str) -> VM: ...
    def resume_vm(self, vm: VM | str) -> VM: ...
    def checkpoint_vm(self, vm: VM | str, snapshot_name: str | None = None) -> Checkpoint: ...
    def get_checkpoints(self, vms: VM | str | Sequence[VM | str] | None = None, *, name: str | None = None,
                        snapshot_type: str | None = None) -> list[Checkpoint]: ...
    def get_checkpoint(self, checkpoint_id: str) -> Checkpoint: ...
    def find_checkpoint(self, vm: VM | str, name: str) -> Checkpoint: ...
    def get_child_checkpoints(self, of: Checkpoint, *, name: str | None = None) -> list[Checkpoint]: ...
    def restore_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint: ...
    def remove_checkpoint(self, checkpoint: Checkpoint, *, include_children: bool = False) -> Checkpoint: ...
    def remove_checkpoints(self, vm: VM | str, *, name: str | None = None,
                           include_children: bool = False) -> list[Checkpoint]: ...
    def rename_checkpoint(self, checkpoint: Checkpoint, new_name: str) -> Checkpoint: ...
    def export_checkpoint(self, checkpoint: Checkpoint, path: str) -> str: ...


def _client_field() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True, metadata={"ps": ""})


def _drive_name(kind: str) -> Any:
    """`<kind> on SCSI controller number 0 at location 1`, the Name Hyper-V gives a drive."""

    def make(self: Any) -> str:
        return (f"{kind} on {self.controller_type.name} controller number {self.controller_number} "
                f"at location {self.controller_location}")

    return attrs.field(default=attrs.Factory(make, takes_self=True))


@attrs.frozen(eq=False, repr=False, kw_only=True)
class HardDrive(Fieldwise):
    """Microsoft.HyperV.PowerShell.HardDiskDrive (Get-VMHardDiskDrive), its properties in the
    module's order (hyperv-object-model.md §3). A value the emulator cannot know has the value
    a virtual hard disk drive on a real host has by default: no IOPS limits (0), no persistent
    reservations, the Primordial resource pool, DiskNumber null (not a pass-through disk)."""

    path: str
    disk_number: int | None = None
    maximum_iops: int = attrs.field(default=0, metadata=ps("MaximumIOPS"))
    minimum_iops: int = attrs.field(default=0, metadata=ps("MinimumIOPS"))
    support_persistent_reservations: bool = False
    controller_location: int
    controller_number: int
    controller_type: ControllerType
    name: str = _drive_name("Hard Drive")
    pool_name: str = "Primordial"
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_snapshot_id: str | None = attrs.field(default=None, metadata=ps("VMSnapshotId"))
    vm_snapshot_name: str | None = attrs.field(default=None, metadata=ps("VMSnapshotName"))
    computer_name: str


@attrs.frozen(eq=False, repr=False, kw_only=True)
class ScsiController(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMScsiController (Get-VMScsiController)."""

    controller_number: int
    drives: tuple[HardDrive | DvdDrive, ...] = ()
    name: str = "SCSI Controller"
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    computer_name: str


@attrs.frozen(eq=False, repr=False, kw_only=True)
class DvdDrive(Fieldwise):
    """Microsoft.HyperV.PowerShell.DvdDrive (Get-VMDvdDrive): without media, Path is null and
    DvdMediaType None; with an .iso mounted, DvdMediaType ISO."""

    path: str | None = None
    dvd_media_type: str = "None"
    controller_location: int
    controller_number: int
    controller_type: ControllerType
    name: str = _drive_name("DVD Drive")
    pool_name: str = "Primordial"
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    computer_name: str


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VHD(Fieldwise):
    """Microsoft.Vhd.PowerShell.VirtualHardDisk (Get-VHD, New-VHD, ...), its properties in the
    module's order (hyperv-object-model.md §4). Values a host decides alone have the value a
    new disk on a Windows Server 2022 host shows: FragmentationPercentage 0, Alignment 1,
    DiskNumber null (not mounted), IsPMEMCompatible False. MinimumSize is null for a disk
    without partitions."""

    computer_name: str
    path: str
    vhd_format: VhdFormat
    vhd_type: VhdType
    file_size: int
    size: int
    minimum_size: int | None = None
    logical_sector_size: int = 512
    physical_sector_size: int = 4096
    block_size: int = 0
    parent_path: str | None
    disk_identifier: str = ""
    fragmentation_percentage: int | None = 0
    alignment: int = 1
    attached: bool
    disk_number: int | None = None
    is_pmem_compatible: bool = attrs.field(default=False, metadata=ps("IsPMEMCompatible"))


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VlanSetting(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting (Get-VMNetworkAdapterVlan, and a
    VMNetworkAdapter's VlanSetting): untagged, or access mode on one VLAN (AccessVlanId 0 otherwise)."""

    operation_mode: VMNetworkAdapterVlanMode = VMNetworkAdapterVlanMode.Untagged
    access_vlan_id: int = 0
    native_vlan_id: int = 0
    parent_adapter: str = ""  # the adapter's name (the module holds the adapter object)
    computer_name: str = ""


@attrs.frozen(eq=False, repr=False, kw_only=True)
class NetworkAdapter(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMNetworkAdapter (Get-VMNetworkAdapter): a VM's adapter,
    synthetic (IsLegacy False) or legacy, with a dynamic or static MAC address; SwitchName null
    when not connected."""

    name: str
    is_legacy: bool = False
    is_management_os: bool = attrs.field(default=False, metadata=ps("IsManagementOs"))
    computer_name: str
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_id: str = attrs.field(metadata=ps("VMId"))
    switch_name: str | None = None
    switch_id: str | None = None
    mac_address: str
    dynamic_mac_address_enabled: bool = True
    mac_address_spoofing: OnOffState = OnOffState.Off
    dhcp_guard: OnOffState = OnOffState.Off
    router_guard: OnOffState = OnOffState.Off
    ieee_priority_tag: OnOffState = OnOffState.Off
    allow_teaming: OnOffState = OnOffState.Off
    device_naming: OnOffState = OnOffState.Off
    ip_addresses: tuple[str, ...] = attrs.field(default=(), metadata=ps("IPAddresses"))
    vlan_setting: VlanSetting = attrs.field(factory=VlanSetting)
    status: tuple[VMNetworkAdapterOperationalStatus, ...] = ()
    connected: bool = False  # connected to a switch


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMSwitch(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMSwitch (Get-VMSwitch)."""

    name: str
    id: str
    switch_type: VMSwitchType
    computer_name: str
    notes: str = ""
    # New-VMSwitch's defaults: the host shares an Internal/External switch; no SR-IOV, teaming or
    # PacketDirect; minimum bandwidth mode "Default" becomes Weight on a switch without IOV
    allow_management_os: bool = attrs.field(default=False, metadata=ps("AllowManagementOS"))
    embedded_teaming_enabled: bool = False
    iov_enabled: bool = False
    packet_direct_enabled: bool = False
    bandwidth_reservation_mode: VMSwitchBandwidthMode = VMSwitchBandwidthMode.Weight
    net_adapter_interface_description: str | None = None  # an External switch's physical adapter


@attrs.frozen(eq=False, repr=False)
class VhdTestResult(Fieldwise):
    """Test-VHD's answer for one file: `ok`, else `problem` says why the chain is unusable."""

    path: str
    ok: bool
    problem: str = ""


@attrs.frozen(eq=False, repr=False)
class HostEvent(Fieldwise):
    """An entry of the Hyper-V host's event log (e.g. a production checkpoint that fell back)."""

    time_created: dt.datetime
    level: str
    id: int
    message: str
    vm_name: str = attrs.field(default="", metadata=ps("VMName"))
    vm_id: str = attrs.field(default="", metadata=ps("VMId"))


class MadeOnRead(Fieldwise):
    """Base of the values (VM, Checkpoint) whose component objects a backend may leave to be
    made when first read: given `captured`, a function returning the fields named in the
    class's `CAPTURED` (in that order), the parts the constructor was given empty (None, `()`:
    the defaults) are left to the function, called on the first read of one of them (by
    attribute, equality, conversion, repr, pickling, ...). A value built so cannot be told from
    one given the parts themselves; a listing of a fleet need not build objects nobody reads.
    (`attrs.evolve` reads every part, so its copy is given them all, and keeps them.)"""

    __slots__ = ()
    CAPTURED: ClassVar[tuple[str, ...]] = ()

    def __attrs_post_init__(self) -> None:
        if getattr(self, "captured") is not None:
            for name in self.CAPTURED:
                value = getattr(self, name)
                if value is None or value == ():  # the function's to make
                    object.__delattr__(self, name)

    if not TYPE_CHECKING:  # (a __getattr__ would let the type checker accept any attribute)
        def __getattr__(self, name: str) -> Any:
            """Reached only for a field whose slot is empty: a captured part not made yet."""
            names = type(self).CAPTURED
            captured = object.__getattribute__(self, "captured") if name in names else None
            if captured is None:
                raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
            for field, value in zip(names, captured()):
                try:
                    object.__getattribute__(self, field)  # a part given to the constructor stays
                except AttributeError:
                    object.__setattr__(self, field, value)
            return object.__getattribute__(self, name)


def _captured_field() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True, metadata={"ps": "", "hidden": True})


# what the `captured` function of a VM and of a checkpoint returns (their CAPTURED fields)
VMParts = tuple["VMComPort | None", "VMComPort | None", "tuple[IntegrationService, ...]"]
CheckpointParts = tuple["VMComPort | None", "VMComPort | None", "tuple[HardDrive, ...]", "tuple[IntegrationService, ...]"]


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VM(MadeOnRead):
    """Microsoft.HyperV.PowerShell.VirtualMachine: the properties in the module's order (the
    class's own, then VirtualMachineBase's; hyperv-object-model.md §1). Defaults are what a
    fresh Generation 2 VM on Windows Server 2022 shows."""

    configuration_location: str
    smart_paging_file_in_use: bool = False
    smart_paging_file_path: str = ""
    snapshot_file_location: str
    automatic_start_action: StartAction = StartAction.StartIfRunning
    automatic_start_delay: int = 0
    automatic_stop_action: StopAction = StopAction.Save
    automatic_critical_error_action: CriticalErrorAction = CriticalErrorAction.Pause
    automatic_critical_error_action_timeout: int = 30
    automatic_checkpoints_enabled: bool
    cpu_usage: int = attrs.field(metadata=ps("CPUUsage"))
    memory_assigned: int
    memory_demand: int = 0
    memory_status: str = ""
    numa_aligned: bool | None = None
    numa_nodes_count: int = 1
    numa_socket_count: int = 1
    heartbeat: VMHeartbeatStatus | None = None
    integration_services_state: str = ""
    integration_services_version: str = "0.0"
    uptime: dt.timedelta
    operational_status: tuple[VMOperationalStatus, ...]
    primary_operational_status: VMOperationalStatus | None = VMOperationalStatus.Ok
    secondary_operational_status: VMOperationalStatus | None = None
    status_descriptions: tuple[str, ...] = ("Operating normally",)
    primary_status_description: str | None = "Operating normally"
    secondary_status_description: str | None = None
    status: str
    replication_health: VMReplicationHealthState = VMReplicationHealthState.NotApplicable
    replication_mode: VMReplicationMode = VMReplicationMode(0)
    replication_state: VMReplicationState = VMReplicationState.Disabled
    resource_metering_enabled: bool = False
    checkpoint_type: CheckpointType
    enhanced_session_transport_type: EnhancedSessionTransportType = EnhancedSessionTransportType.VMBus
    groups: tuple[str, ...] = ()
    version: str
    virtual_machine_type: VirtualMachineType = VirtualMachineType.RealizedVirtualMachine
    virtual_machine_sub_type: VirtualMachineSubType = VirtualMachineSubType.Generation2
    notes: str
    state: VMState
    com_port1: VMComPort | None = attrs.field(default=None, metadata=ps("ComPort1"))
    com_port2: VMComPort | None = attrs.field(default=None, metadata=ps("ComPort2"))
    dvd_drives: tuple[DvdDrive, ...] = attrs.field(default=(), metadata=ps("DVDDrives"))
    fibre_channel_host_bus_adapters: tuple[str, ...] = ()
    floppy_drive: str | None = None
    hard_drives: tuple[HardDrive, ...]
    remote_fx_adapter: str | None = attrs.field(default=None, metadata=ps("RemoteFxAdapter"))
    vm_integration_service: tuple[IntegrationService, ...] = attrs.field(default=(), metadata=ps("VMIntegrationService"))
    dynamic_memory_enabled: bool = False
    memory_maximum: int = 1099511627776
    memory_minimum: int = 536870912
    memory_startup: int
    processor_count: int
    battery_passthrough_enabled: bool = False
    generation: int
    is_clustered: bool = False
    parent_snapshot_id: str | None
    parent_snapshot_name: str | None
    path: str
    size_of_system_files: int = 28672
    guest_controlled_cache_types: bool = False
    # Get-VMProcessor's ExposeVirtualizationExtensions (not a VirtualMachine property)
    expose_virtualization_extensions: bool = attrs.field(default=False, metadata={"hidden": True})
    low_memory_mapped_io_space: int = 134217728
    high_memory_mapped_io_space: int = 536870912
    lock_on_disconnect: OnOffState | None = OnOffState.Off
    creation_time: dt.datetime
    id: str
    name: str
    network_adapters: tuple[NetworkAdapter, ...] = ()
    cim_session: str = CIM_SESSION
    computer_name: str
    is_deleted: bool = False
    client: Any = _client_field()
    captured: Callable[[], VMParts] | None = _captured_field()
    CAPTURED: ClassVar[tuple[str, ...]] = ("com_port1", "com_port2", "vm_integration_service")

    def __ps_string__(self) -> str:  # psshim's string conversion ("$x", [string]$x, .ToString())
        return self.ps_to_string()

    def ps_to_string(self) -> str:
        """VirtualMachine.ToString() ([AUTOLAB] in hyperv-object-model.md): what "$vm" gives."""
        return f"VirtualMachine (Name = '{self.name}') [Id = '{self.id}']"

    # --- acting on the VM (each returns fresh values) -----------------------------------

    def _c(self) -> ValueClient:
        if self.client is None:
            raise RuntimeError("This VM value is not bound to a client.")
        return cast(ValueClient, self.client)

    def refresh(self) -> "VM":
        return self._c().get_vm_by_id(self.id)

    def checkpoints(self, name: str | None = None) -> list["Checkpoint"]:
        return self._c().get_checkpoints(self, name=name)

    def checkpoint(self, name: str) -> "Checkpoint":
        """The one checkpoint of this VM whose name matches `name` (a wildcard pattern)."""
        return self._c().find_checkpoint(self, name)

    def create_checkpoint(self, name: str | None = None) -> "Checkpoint":
        return self._c().checkpoint_vm(self, name)

    def start(self) -> "VM":
        return self._c().start_vm(self)

    def stop(self, *, force: bool = False) -> "VM":
        return self._c().stop_vm(self, force=force)

    def turn_off(self) -> "VM":
        return self._c().stop_vm(self, turn_off=True)

    def save(self) -> "VM":
        return self._c().stop_vm(self, save=True)

    def suspend(self) -> "VM":
        return self._c().suspend_vm(self)

    def resume(self) -> "VM":
        return self._c().resume_vm(self)

    def set(self, **settings: Any) -> "VM":
        return self._c().set_vm(self, **settings)

    def remove_checkpoints(self, name: str | None = None, *, include_children: bool = False) -> list["Checkpoint"]:
        return self._c().remove_checkpoints(self, name=name, include_children=include_children)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class Checkpoint(MadeOnRead):
    """Microsoft.HyperV.PowerShell.VMSnapshot: the properties in the module's order
    (hyperv-object-model.md §2); the configuration is the one captured with the checkpoint."""

    snapshot_type: SnapshotType
    is_automatic_checkpoint: bool
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    state: VMState
    com_port1: VMComPort | None = attrs.field(default=None, metadata=ps("ComPort1"))
    com_port2: VMComPort | None = attrs.field(default=None, metadata=ps("ComPort2"))
    dvd_drives: tuple[str, ...] = attrs.field(default=(), metadata=ps("DVDDrives"))
    fibre_channel_host_bus_adapters: tuple[str, ...] = ()
    floppy_drive: str | None = None
    hard_drives: tuple[HardDrive, ...]
    remote_fx_adapter: str | None = attrs.field(default=None, metadata=ps("RemoteFxAdapter"))
    vm_integration_service: tuple[IntegrationService, ...] = attrs.field(default=(), metadata=ps("VMIntegrationService"))
    dynamic_memory_enabled: bool = False
    memory_maximum: int = 1099511627776
    memory_minimum: int = 536870912
    memory_startup: int
    processor_count: int = 1
    battery_passthrough_enabled: bool = False
    generation: int
    is_clustered: bool = False
    notes: str
    parent_snapshot_id: str | None
    parent_snapshot_name: str | None
    path: str
    size_of_system_files: int = 28672
    version: str
    guest_controlled_cache_types: bool = False
    low_memory_mapped_io_space: int = 134217728
    high_memory_mapped_io_space: int = 536870912
    lock_on_disconnect: OnOffState | None = OnOffState.Off
    creation_time: dt.datetime
    id: str
    name: str
    network_adapters: tuple[str, ...] = ()
    cim_session: str = CIM_SESSION
    computer_name: str
    is_deleted: bool = False
    client: Any = _client_field()
    # a listing of 10,000 checkpoints need not build their 90,000 component objects
    captured: Callable[[], CheckpointParts] | None = _captured_field()
    CAPTURED: ClassVar[tuple[str, ...]] = ("com_port1", "com_port2", "hard_drives", "vm_integration_service")

    def _c(self) -> ValueClient:
        if self.client is None:
            raise RuntimeError("This checkpoint value is not bound to a client.")
        return cast(ValueClient, self.client)

    def refresh(self) -> "Checkpoint":
        return self._c().get_checkpoint(self.id)

    def vm(self) -> VM:
        return self._c().get_vm_by_id(self.vm_id)

    def restore(self) -> "Checkpoint":
        return self._c().restore_checkpoint(self)

    def remove(self, *, include_children: bool = False) -> None:
        self._c().remove_checkpoint(self, include_children=include_children)

    def rename(self, new_name: str) -> "Checkpoint":
        return self._c().rename_checkpoint(self, new_name)

    def export(self, path: str) -> str:
        return self._c().export_checkpoint(self, path)

    def parent(self) -> "Checkpoint | None":
        if self.parent_snapshot_id is None:
            return None
        return self._c().get_checkpoint(self.parent_snapshot_id)

    def children(self) -> list["Checkpoint"]:
        """The immediate children; a leaf has none (Get-VMSnapshot -ChildOf would raise)."""
        from hyperv_emu.sdk.errors import CheckpointNotFoundError

        try:
            return self._c().get_child_checkpoints(self)
        except CheckpointNotFoundError:
            return []


@attrs.frozen(eq=False, repr=False)
class VMLookup(Fieldwise):
    """VMs found by name (host order) and the plain names that matched nothing."""

    found: tuple[VM, ...]
    missing: tuple[str, ...]


@attrs.frozen(eq=False, repr=False)
class FileInfo(Fieldwise):
    """A file or folder of a host's Windows file system; a Windows binary's version resource
    (FileVersionInfo: ProductVersion, FileVersion, ...) where it has one."""

    path: str
    name: str
    is_dir: bool
    length: int
    last_write_time: dt.datetime
    product_version: str | None = None
    file_version: str | None = None
    product_name: str | None = None
    company_name: str | None = None
    file_description: str | None = None
