"""The Hyper-V module's enums and small component objects around a VM.

Enums carry Hyper-V's numbers (what Windows PowerShell 5.1's ConvertTo-Json writes) under the
module's member names and full .NET type names, so `[Microsoft.HyperV.PowerShell.StartAction]`
is a type literal in psshim. Values and sources: ../shared/docs/hyperv-object-model.md.

- `VMComPort`: ComPort1/ComPort2 of a VM (a fresh VM has both, unconnected).
- `IntegrationService`: Microsoft.HyperV.PowerShell.VMIntegrationComponent
  (Get-VMIntegrationService).
- `VMHostInfo`: Microsoft.HyperV.PowerShell.VMHost (Get-VMHost).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise

EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
CIM_SESSION = "CimSession: ."


def ps(name: str) -> dict[str, str]:
    """Field metadata: the property's PowerShell name."""
    return {"ps": name}


class _PSEnum(enum.IntEnum):
    def __str__(self) -> str:
        return self.name


class StartAction(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.StartAction"
    Nothing = 2
    StartIfRunning = 3
    Start = 4


class StopAction(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.StopAction"
    TurnOff = 2
    Save = 3
    ShutDown = 4


def _enum_with_none(name: str, members: list[tuple[str, int]]) -> type[_PSEnum]:
    """An enum with a member named None (.NET allows it; Python only through the functional API)."""
    cls: type[_PSEnum] = _PSEnum(name, members)  # type: ignore[call-arg, arg-type, assignment]
    setattr(cls, "__ps_type_name__", "Microsoft.HyperV.PowerShell." + name)
    return cls


if TYPE_CHECKING:
    class CriticalErrorAction(_PSEnum):
        Pause = 1

    class VMSwitchBandwidthMode(_PSEnum):
        Default = 0
        Weight = 1
        Absolute = 2

    class VMReplicationMode(_PSEnum):
        Primary = 1
else:
    CriticalErrorAction = _enum_with_none("CriticalErrorAction", [("None", 0), ("Pause", 1)])
    VMSwitchBandwidthMode = _enum_with_none(
        "VMSwitchBandwidthMode", [("Default", 0), ("Weight", 1), ("Absolute", 2), ("None", 3)])
    VMReplicationMode = _enum_with_none(
        "VMReplicationMode", [("None", 0), ("Primary", 1), ("Replica", 2), ("TestReplica", 3), ("ExtendedReplica", 4)])


class OnOffState(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.OnOffState"
    On = 0
    Off = 1


class VMNetworkAdapterVlanMode(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanMode"
    Untagged = 0
    Access = 1
    Trunk = 2
    Private = 3


class VMHeartbeatStatus(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMHeartbeatStatus"
    Unknown = 0
    Disabled = 1
    NoContact = 2
    Error = 3
    LostCommunication = 4
    OkApplicationsUnknown = 5
    OkApplicationsHealthy = 6
    OkApplicationsCritical = 7
    Paused = 8


class VMReplicationState(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMReplicationState"
    Disabled = 0
    ReadyForInitialReplication = 1
    InitialReplicationInProgress = 2
    WaitingForInitialReplication = 3
    Replicating = 4
    PreparedForFailover = 5
    FailedOverWaitingCompletion = 6
    FailedOver = 7
    Suspended = 8
    Error = 9
    WaitingForStartResynchronize = 10
    Resynchronizing = 11
    ResynchronizeSuspended = 12
    RecoveryInProgress = 13
    FailbackInProgress = 14
    FailbackComplete = 15
    WaitingForUpdateCompletion = 16
    UpdateError = 17
    WaitingForRepurposeCompletion = 18
    PreparedForSyncReplication = 19
    PreparedForGroupReverseReplication = 20
    FiredrillInProgress = 21


class VMReplicationHealthState(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMReplicationHealthState"
    NotApplicable = 0
    Normal = 1
    Warning = 2
    Critical = 3


class EnhancedSessionTransportType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.EnhancedSessionTransportType"
    VMBus = 0
    HvSocket = 1


class VirtualMachineType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VirtualMachineType"
    RealizedVirtualMachine = 3
    PlannedVirtualMachine = 4


class VirtualMachineSubType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VirtualMachineSubType"
    Unknown = 0
    Generation1 = 1
    Generation2 = 2


class VMIntegrationComponentOperationalStatus(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMIntegrationComponentOperationalStatus"
    Ok = 2
    Degraded = 3
    Error = 6
    NonRecoverableError = 7
    NoContact = 12
    LostCommunication = 13
    ProtocolMismatch = 32775
    ApplicationCritical = 32782
    CommunicationTimedOut = 32783
    CommunicationFailed = 32784
    Disabled = 32896


@attrs.frozen(eq=False, repr=False)
class VMComPort(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMComPort: a fresh VM's COM 1 and COM 2, unconnected."""

    path: str
    debugger_mode: OnOffState
    name: str
    id: str
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata=ps("VMSnapshotId"))
    vm_snapshot_name: str = attrs.field(default="", metadata=ps("VMSnapshotName"))
    cim_session: str = CIM_SESSION
    computer_name: str = ""
    is_deleted: bool = False

    def __ps_string__(self) -> str:  # psshim's string conversion ("$x", [string]$x, .ToString())
        return self.ps_to_string()

    def ps_to_string(self) -> str:
        return (f"VMComPort (Name = '{self.name}', VMName = '{self.vm_name}') "
                f"[Id = '{self.id}', VMId = '{self.vm_id}']")


@attrs.frozen(eq=False, repr=False)
class IntegrationService(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMIntegrationComponent (Get-VMIntegrationService)."""

    enabled: bool
    operational_status: tuple[VMIntegrationComponentOperationalStatus, ...]
    primary_operational_status: VMIntegrationComponentOperationalStatus | None
    primary_status_description: str | None
    secondary_operational_status: VMIntegrationComponentOperationalStatus | None
    secondary_status_description: str | None
    status_description: tuple[str, ...]
    name: str
    id: str
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata=ps("VMSnapshotId"))
    vm_snapshot_name: str = attrs.field(default="", metadata=ps("VMSnapshotName"))
    cim_session: str = CIM_SESSION
    computer_name: str = ""
    is_deleted: bool = False

    def __ps_string__(self) -> str:  # psshim's string conversion ("$x", [string]$x, .ToString())
        return self.ps_to_string()

    def ps_to_string(self) -> str:
        return (f"VMIntegrationComponent (Name = '{self.name}', VMName = '{self.vm_name}') "
                f"[Id = '{self.id}', VMId = '{self.vm_id}']")


class MigrationAuthenticationType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.MigrationAuthenticationType"
    CredSSP = 0
    Kerberos = 1


class VMMigrationPerformance(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMMigrationPerformance"
    TCPIP = 0
    Compression = 1
    SMB = 2


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMHostInfo(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMHost (Get-VMHost), properties in the module's order
    (hyperv-object-model.md §5): the settings the emulator keeps (VirtualHardDiskPath,
    VirtualMachinePath) and the hardware it models; the rest a fresh Server 2022 host's values
    (inferred there; NUMA nodes, adapters and secure boot templates are not modelled)."""

    logical_processor_count: int
    resource_metering_save_interval: dt.timedelta = dt.timedelta(hours=1)
    host_numa_status: tuple[str, ...] = ()
    numa_status: tuple[str, ...] = ()
    iov_support: bool = False
    iov_support_reasons: tuple[str, ...] = ()
    internal_network_adapters: tuple[str, ...] = ()
    external_network_adapters: tuple[str, ...] = ()
    supported_vm_versions: tuple[str, ...] = attrs.field(
        default=("5.0", "6.2", "7.0", "7.1", "8.0", "8.1", "8.2", "8.3", "9.0", "9.1", "9.2", "9.3", "10.0"),
        metadata=ps("SupportedVmVersions"))
    secure_boot_templates: tuple[str, ...] = ("MicrosoftWindows", "MicrosoftUEFICertificateAuthority",
                                              "OpenSourceShieldedVM")
    enable_enhanced_session_mode: bool = False
    fibre_channel_wwnn: str = "C003FF0000FFFF00"
    fibre_channel_wwpn_maximum: str = "C003FFFBEAE9FFFF"
    fibre_channel_wwpn_minimum: str = "C003FFFBEAE90000"
    mac_address_maximum: str = "00155D0A01FF"
    mac_address_minimum: str = "00155D0A0100"
    numa_spanning_enabled: bool = True
    virtual_hard_disk_path: str
    virtual_machine_path: str
    fully_qualified_domain_name: str
    memory_capacity: int
    name: str
    maximum_storage_migrations: int = 2
    maximum_virtual_machine_migrations: int = 2
    use_any_network_for_migration: bool = False
    virtual_machine_migration_authentication_type: MigrationAuthenticationType = MigrationAuthenticationType.CredSSP
    virtual_machine_migration_enabled: bool = False
    virtual_machine_migration_performance_option: VMMigrationPerformance = VMMigrationPerformance.Compression
    cim_session: str = CIM_SESSION
    computer_name: str
    is_deleted: bool = False


@attrs.frozen(eq=False, repr=False)
class VMSettings(Fieldwise):
    """What one Set-VM / Set-VMMemory / Set-VMProcessor / Rename-VM changes (None: unchanged).
    Enumerated settings are given by their PowerShell names ("StartIfRunning", "Production")."""

    checkpoint_type: str | None = None
    automatic_checkpoints_enabled: bool | None = None
    snapshot_file_location: str | None = None
    smart_paging_file_path: str | None = None
    memory_startup: int | None = None
    memory_minimum: int | None = None
    memory_maximum: int | None = None
    dynamic_memory_enabled: bool | None = None
    processor_count: int | None = None
    expose_virtualization_extensions: bool | None = None
    notes: str | None = None
    new_name: str | None = None
    automatic_start_action: str | None = None
    automatic_start_delay: int | None = None
    automatic_stop_action: str | None = None
    automatic_critical_error_action: str | None = None
    automatic_critical_error_action_timeout: int | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, a.name) is None for a in attrs.fields(VMSettings))


@attrs.frozen(eq=False, repr=False)
class VMMemory(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMMemory (Get-VMMemory): the memory settings of a VM, read
    from its VirtualMachine object; Buffer and Priority are a fresh VM's (20 %, 50)."""

    buffer: int
    dynamic_memory_enabled: bool
    maximum: int
    minimum: int
    priority: int
    startup: int
    name: str
    id: str
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata=ps("VMSnapshotId"))
    vm_snapshot_name: str = attrs.field(default="", metadata=ps("VMSnapshotName"))
    cim_session: str = CIM_SESSION
    computer_name: str = ""
    is_deleted: bool = False


@attrs.frozen(eq=False, repr=False)
class VMProcessor(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMProcessor (Get-VMProcessor): Count from the VM, the rest a
    fresh VM's values (no reserve, 100 % limit, weight 100, no compatibility modes)."""

    count: int
    compatibility_for_migration_enabled: bool
    compatibility_for_older_operating_systems_enabled: bool
    maximum: int
    reserve: int
    relative_weight: int
    expose_virtualization_extensions: bool
    name: str
    id: str
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata=ps("VMSnapshotId"))
    vm_snapshot_name: str = attrs.field(default="", metadata=ps("VMSnapshotName"))
    cim_session: str = CIM_SESSION
    computer_name: str = ""
    is_deleted: bool = False


@attrs.frozen(eq=False, repr=False, kw_only=True)
class AdapterSettings(Fieldwise):
    """One Set-VMNetworkAdapter / Set-VMNetworkAdapterVlan call; None (False) leaves a setting alone."""

    static_mac: str | None = None
    dynamic_mac: bool = False
    mac_spoofing: bool | None = None
    vlan_mode: str | None = None  # "Access" (with vlan_id) or "Untagged"
    vlan_id: int | None = None
    new_name: str | None = None  # Rename-VMNetworkAdapter
    # On/Off settings by their PowerShell names (DhcpGuard, RouterGuard, IeeePriorityTag, AllowTeaming, DeviceNaming)
    features: tuple[tuple[str, bool], ...] = ()


@attrs.frozen(eq=False, repr=False, kw_only=True)
class NetAdapter(Fieldwise):
    """MSFT_NetAdapter (Get-NetAdapter, the NetAdapter module): one of the host's network adapters,
    physical or virtual (a "vEthernet (<switch>)" adapter of a switch the host shares)."""

    name: str
    interface_description: str
    if_index: int = attrs.field(metadata=ps("ifIndex"))
    status: str = "Up"
    mac_address: str
    link_speed: str  # "1 Gbps"
    speed: int  # bits per second
    virtual: bool = False
    interface_alias: str = ""  # the name


@attrs.frozen(eq=False, repr=False, kw_only=True)
class NewAdapterSpec(Fieldwise):
    """One Add-VMNetworkAdapter call: name None is the module's default ("Network Adapter", or
    "Legacy Network Adapter"); switch None leaves it not connected."""

    name: str | None = None
    switch_name: str | None = None
    static_mac: str | None = None
    is_legacy: bool = False


@attrs.frozen(eq=False, repr=False, kw_only=True)
class SwitchSettings(Fieldwise):
    """One New-VMSwitch / Set-VMSwitch / Rename-VMSwitch call; None leaves a setting alone (New-VMSwitch:
    its default). net_adapter_name / net_adapter_description make the switch External."""

    name: str | None = None
    switch_type: str | None = None  # "Private" | "Internal" | "External"
    net_adapter_name: str | None = None
    net_adapter_description: str | None = None
    allow_management_os: bool | None = None
    notes: str | None = None
    minimum_bandwidth_mode: str | None = None  # New-VMSwitch only: Default | Weight | Absolute | None


class IPProtocolPreference(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.IPProtocolPreference"
    IPv4 = 0
    IPv6 = 1


if TYPE_CHECKING:
    class ConsoleModeType(_PSEnum):
        Default = 0
        COM1 = 1
        COM2 = 2
else:
    ConsoleModeType = _enum_with_none("ConsoleModeType", [("Default", 0), ("COM1", 1), ("COM2", 2), ("None", 3)])


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMFirmware(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMFirmware (Get-VMFirmware) of a generation 2 VM: secure boot
    and its template; the network boot protocol, console mode and boot-failure pause keep New-VM's
    defaults (IPv4, Default, Off). BootOrder: the boot entries (`sdk.devices.VMBootSource`), first to
    last."""

    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    computer_name: str
    secure_boot: OnOffState
    secure_boot_template: str
    secure_boot_template_id: str
    preferred_network_boot_protocol: IPProtocolPreference = IPProtocolPreference.IPv4
    console_mode: ConsoleModeType = ConsoleModeType.Default
    pause_after_boot_failure: OnOffState = OnOffState.Off
    boot_order: tuple[Any, ...] = ()
