"""The emulator's state: attrs classes, stored one row per object by `emulator.statedb`.

Every record class is `@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)` over
`MutableFieldwise`: the hook is how the store learns which rows an operation changed
(`emulator.statetrack`); a record class without it is caught by the verification mode
(`HVEMU_VERIFY_TRACKING=1`), which the test suite always runs. A list of records that should be
rows of their own (not part of their owner's row) is declared in `statetrack.KINDS`.

The state is plain data; the rules that change it live in `checkpoints.py`, `lifecycle.py`,
`disks.py` and `host.py`. Enumerated values are stored by their PowerShell names
(`"Running"`, `"Production"`) so that a state file reads like the cmdlets' output.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from hyperv_emu.emulator.fieldwise import MutableFieldwise, tracked_setattr
from hyperv_emu.emulator.taskmodel import SchedulerRecord

SCHEMA_VERSION = 1

# What a Server 2022 host allows (one place: world files, Set-VM's rules and the state loader)
MIN_MEMORY = 32 * 1024**2
MAX_MEMORY = {1: 1024**4, 2: 12 * 1024**4}  # startup memory by generation
MAX_PROCESSORS = 240  # virtual processors of a generation 2 VM
MIN_DISK_SIZE = 3 * 1024**2  # New-VHD's smallest VHDX
MAX_DISK_SIZE = 64 * 1024**4  # the VHDX format's largest
# A host's physical network adapters unless its world lists others (a two-port server NIC)
PHYSICAL_ADAPTERS = (("Ethernet", "Intel(R) Ethernet Server Adapter I350-T2"),
                     ("Ethernet 2", "Intel(R) Ethernet Server Adapter I350-T2 #2"))


class VMStateName(str, enum.Enum):
    """The VM states the emulator models (Hyper-V's VMState names)."""

    RUNNING = "Running"
    OFF = "Off"
    SAVED = "Saved"
    PAUSED = "Paused"


class CheckpointTypeName(str, enum.Enum):
    DISABLED = "Disabled"
    PRODUCTION = "Production"
    PRODUCTION_ONLY = "ProductionOnly"
    STANDARD = "Standard"


class ClockMode(str, enum.Enum):
    VIRTUAL = "virtual"
    REAL = "real"


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class Clock(MutableFieldwise):
    """virtual: `now` is the time, moved only by `advance`. real: time is `now` plus the wall
    time elapsed since `wall_anchor` (a UTC timestamp taken when the state was created)."""

    mode: ClockMode = ClockMode.VIRTUAL
    now: dt.datetime = dt.datetime(2026, 1, 1)
    wall_anchor: float = 0.0


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class Timing(MutableFieldwise):
    checkpoint_seconds: float = 0.0
    merge_rate: int = 100 * 1024 * 1024  # bytes per (virtual) second


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class Settings(MutableFieldwise):
    culture: str = "en-US"
    edition: str = "5.1"
    width: int = 120
    timezone: str = "UTC"
    deterministic_ids: bool = False
    id_seed: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class HardDrive(MutableFieldwise):
    """A virtual hard disk drive of a VM (or as captured in a checkpoint).

    path: the Windows path of the file the drive uses now (the newest .avhdx, or the .vhdx).
    base_path: the drive's original .vhdx (avhdx files are named after it).
    """

    path: str
    base_path: str
    size: int
    controller_type: str = "SCSI"
    controller_number: int = 0
    controller_location: int = 0


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class NetworkAdapterRecord(MutableFieldwise):
    """A VM's network adapter (Get-VMNetworkAdapter); switch: the virtual switch's name, or
    None when not connected."""

    name: str = "Network Adapter"
    switch: str | None = None
    static_mac: str | None = None  # Set-VMNetworkAdapter -StaticMacAddress (12 hex digits); None: dynamic
    mac_spoofing: bool = False  # -MacAddressSpoofing On
    access_vlan: int | None = None  # Set-VMNetworkAdapterVlan -Access -VlanId; None: untagged
    is_legacy: bool = False  # Add-VMNetworkAdapter -IsLegacy (an emulated adapter of a generation 1 VM)
    # the dynamic address given when the adapter was added (or kept when another was removed);
    # None: derived from the adapter's position (emulator.network.mac_address)
    dynamic_mac: str | None = None
    # Set-VMNetworkAdapter's On/Off settings that are On (emulator.network.FEATURES; all Off by default)
    features: list[str] = attrs.field(factory=list)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class DvdDriveRecord(MutableFieldwise):
    """A VM's DVD drive (Add-VMDvdDrive); path: the mounted .iso (a Windows path), None when empty."""

    controller_type: str = "IDE"
    controller_number: int = 1
    controller_location: int = 0
    path: str | None = None


def _default_adapters() -> list[NetworkAdapterRecord]:
    """New-VM gives a VM one adapter, "Network Adapter", not connected."""
    return [NetworkAdapterRecord()]


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class SwitchRecord(MutableFieldwise):
    """A virtual switch of a host (Get-VMSwitch); switch_type: Private | Internal | External."""

    name: str
    id: str
    switch_type: str = "Internal"
    notes: str = ""
    net_adapter: str | None = None  # an External switch's physical adapter (a name of HostRecord.physical_adapters)
    allow_management_os: bool = True  # the host shares the switch (meaningless for a Private one)
    bandwidth_mode: str = "Weight"  # New-VMSwitch -MinimumBandwidthMode (Default is Weight without SR-IOV)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class CheckpointRecord(MutableFieldwise):
    """One checkpoint (a Msvm_VirtualSystemSettingData of type Snapshot:Realized).

    disks: the read-only disk files the checkpoint captured, one per drive, in drive order.
    has_memory: a saved state (.vmrs) was captured (State "Saved"), else State "Off".
    config: the VM settings captured with it, restored by Restore-VMSnapshot.
    """

    id: str
    vm_id: str
    name: str
    parent_id: str | None
    creation_time: dt.datetime
    has_memory: bool
    is_automatic: bool = False
    disks: list[HardDrive] = attrs.field(factory=list)
    memory_startup: int = 1024**3
    notes: str = ""
    # the VM's processor and memory settings captured with it (None: a state from before they
    # were captured; restoring such a checkpoint leaves the VM's as they are)
    processor_count: int | None = None
    memory_minimum: int | None = None
    memory_maximum: int | None = None
    dynamic_memory: bool | None = None
    # the VM's network adapters captured with it (None: a state from before they were captured)
    network_adapters: list[NetworkAdapterRecord] | None = None
    # the devices and firmware settings captured with it (None: a state from before they were
    # captured; restoring such a checkpoint leaves the VM's as they are)
    dvd_drives: list[DvdDriveRecord] | None = None
    boot_order: list[str] | None = None
    bios_startup_order: list[str] | None = None
    secure_boot: bool | None = None
    expose_virtualization_extensions: bool | None = None


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class VirtualMachineRecord(MutableFieldwise):
    id: str
    name: str
    state: VMStateName = VMStateName.OFF
    checkpoint_type: CheckpointTypeName = CheckpointTypeName.PRODUCTION
    automatic_checkpoints: bool = False
    memory_startup: int = 1024**3
    generation: int = 2
    secure_boot: bool = True  # a generation 2 VM's UEFI secure boot (Set-VMFirmware -EnableSecureBoot)
    secure_boot_template: str = ""  # "" = the default, MicrosoftWindows (Set-VMFirmware -SecureBootTemplate)
    version: str = "10.0"
    path: str = ""  # configuration root (ConfigurationLocation)
    snapshot_file_location: str = ""
    guest_vss_failing: bool = False
    pass_through_disks: int = 0
    guest_reachable: bool = False  # PowerShell Direct: the guest's services answer
    processor_count: int = 1
    notes: str = ""
    creation_time: dt.datetime = dt.datetime(2026, 1, 1)
    started_at: dt.datetime | None = None  # clock time of the last start, for Uptime
    disks: list[HardDrive] = attrs.field(factory=list)
    parent_checkpoint_id: str | None = None
    # Checkpoints of this VM in creation order (Get-VMSnapshot sorts by CreationTime anyway).
    checkpoints: list[CheckpointRecord] = attrs.field(factory=list)
    network_adapters: list[NetworkAdapterRecord] = attrs.field(factory=_default_adapters)
    # Set-VM / Set-VMMemory / Set-VMProcessor settings (a fresh Server 2022 VM's values)
    memory_minimum: int = 512 * 1024**2
    memory_maximum: int = 1024**4
    dynamic_memory: bool = False
    automatic_start_action: str = "StartIfRunning"
    automatic_start_delay: int = 0  # seconds
    automatic_stop_action: str = "Save"
    automatic_critical_error_action: str = "Pause"
    automatic_critical_error_action_timeout: int = 30  # minutes
    smart_paging_file_path: str = ""  # "" = the configuration root (path)
    # Get-VMIntegrationService: service name -> Enabled (see emulator.vmsettings.SERVICES)
    integration_services: dict[str, bool] = attrs.field(factory=dict)
    # Enable-/Reset-VMResourceMetering: the start of the metering window (None: metering is off)
    metering_since: dt.datetime | None = None
    # DVD drives (emulator.dvd); None: the drives New-VM gave (generation 1: one, empty, on IDE
    # controller 1 at location 0; generation 2: none), for VMs of states from before they were kept
    dvd_drives: list[DvdDriveRecord] | None = None
    scsi_controllers: int | None = None  # how many (None: New-VM's, 0 on generation 1, 1 on generation 2)
    # a generation 2 VM's boot order (emulator.bootorder): device keys first to last; None or a
    # device not listed: in the order the VM got them
    boot_order: list[str] | None = None
    boot_hidden: list[str] = attrs.field(factory=list)  # devices Set-VMFirmware -BootOrder left out
    bios_startup_order: list[str] | None = None  # Set-VMBios -StartupOrder (None: CD, IDE, LegacyNetworkAdapter, Floppy)
    bios_num_lock: bool = False
    expose_virtualization_extensions: bool = False  # Set-VMProcessor (nested virtualization)
    tpm_enabled: bool = False  # Enable-VMTPM
    encrypt_state: bool = False  # Set-VMSecurity -EncryptStateAndVmMigrationTraffic
    vbs_opt_out: bool = False  # Set-VMSecurity -VirtualizationBasedSecurityOptOut
    floppy_path: str | None = None
    # Set-VMVideo (New-VM's: the largest resolution up to 1024 x 768)
    video_resolution_type: str = "Maximum"
    video_horizontal: int = 1024
    video_vertical: int = 768  # a generation 1 VM's diskette (Set-VMFloppyDiskDrive -Path, a .vfd)
    key_protector: str = ""  # Set-VMKeyProtector: the protector's bytes as hex ("" = none)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class PlannedImportRecord(MutableFieldwise):
    """A planned VM: what Compare-VM prepared from an exported configuration and Import-VM
    -CompatibilityReport brings in (emulator.importvm). `vm` holds the settings the import will
    give the VM (scripts may change them first); `copy`: the disks are copied to `vm`'s drive
    paths (else registered where they are); `ids`: exported checkpoint id -> imported id."""

    vm: VirtualMachineRecord
    config_path: str
    copy: bool = False
    snapshot_source: str = ""  # the export's Snapshots folder (the report's SnapshotPath)
    vhd_destination: str = ""
    vhd_source: str = ""
    ids: dict[str, str] = attrs.field(factory=dict)
    # the exported disk files, as the export lists them (path, kind, size, parent; owner: the
    # imported checkpoint id), parents first
    files: list["DiskFile"] = attrs.field(factory=list)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class DiskFile(MutableFieldwise):
    """A virtual disk file on the host's file system, with its chain relation.

    kind: "vhdx" (a base disk) or "avhdx" (a differencing disk whose parent is `parent`).
    owner: the checkpoint that owns an avhdx (the one it grew from), or None.
    """

    path: str
    kind: str
    size: int  # virtual size in bytes
    parent: str | None = None
    vm_id: str | None = None
    owner: str | None = None


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class MergeTask(MutableFieldwise):
    """A background merge: `child` is folded into `into` (both Windows paths, physical names).

    end: the clock time at which the merge is complete (virtual clock: modelled as
    length / merge_rate after the previous merge of the same VM).
    job: a real-clock merge, which ends when its background job is done (`end` is an estimate).
    """

    id: str
    vm_id: str
    child: str
    into: str
    length: int
    start: dt.datetime
    end: dt.datetime
    job: bool = False


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class Event(MutableFieldwise):
    """An entry of the host's Hyper-V event log (e.g. a production checkpoint that fell back)."""

    time: dt.datetime
    level: str  # "Information" | "Warning" | "Error"
    event_id: int
    message: str
    vm_name: str = ""
    vm_id: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class HostRecord(MutableFieldwise):
    name: str
    default: bool = False
    vms: list[VirtualMachineRecord] = attrs.field(factory=list)
    disk_files: list[DiskFile] = attrs.field(factory=list)
    merges: list[MergeTask] = attrs.field(factory=list)
    events: list[Event] = attrs.field(factory=list)
    # LastWriteTime of the files the emulator wrote, by case-folded Windows path (clock time).
    file_times: dict[str, dt.datetime] = attrs.field(factory=dict)
    default_vm_path: str = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"
    default_vhd_path: str = "C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks"
    switches: list[SwitchRecord] = attrs.field(factory=list)
    # the host's physical network adapters (Get-NetAdapter -Physical): name -> InterfaceDescription
    physical_adapters: dict[str, str] = attrs.field(factory=lambda: dict(PHYSICAL_ADAPTERS))
    # planned VMs (Compare-VM of an exported configuration), not listed by Get-VM
    planned: list["PlannedImportRecord"] = attrs.field(factory=list)
    # Get-VMHost's hardware (not knowable: a modest Server 2022 host's)
    logical_processor_count: int = 8
    memory_capacity: int = 64 * 1024**3
    # the Task Scheduler: tasks, their history, its Operational log (emulator.taskmodel)
    scheduler: SchedulerRecord = attrs.field(factory=SchedulerRecord)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class FileOp(MutableFieldwise):
    """A journaled file-system operation, applied after the state that needs it is saved.

    kind: "write_file" (path, UTF-8 text payload), "write_bytes" (path, base64 payload),
    "delete" (path), "create_vhdx" (path, size: a dynamic VHDX),
    "create_avhdx" (path, parent, size: the file's length, mtime: a differencing disk),
    "merge" (path: the child, parent: the file it folds into, payload: its dependants, one per
    line), "export_disk" (path, parent: the disk flattened into it), "mkdir" (path),
    "sparse_file" (path, size), "copy_sparse" (path, parent: the file copied, size).
    "new_vhd" (path, size, parent, payload: New-VHD's type and sizes), "resize_vhd" (path, size):
    see emulator.vhdfiles; "copy_vhd" (path, parent: the source, payload: the copy's new parent):
    see emulator.exportvm.
    All are idempotent, so a crash between saving and applying is repaired by replaying.
    """

    kind: str
    host: str
    path: str
    parent: str = ""
    size: int = 0
    payload: str = ""
    mtime: dt.datetime | None = None


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class ParkedOp(MutableFieldwise):
    """A journaled file operation that could not be carried out (a file deleted or damaged
    behind the emulator's back): set aside with the error, so it no longer blocks every later
    transaction. `hvemu state check` lists them; `hvemu state repair` retries or drops them."""

    op: FileOp
    error: str
    time: dt.datetime


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class EmulatorState(MutableFieldwise):
    schema_version: int = SCHEMA_VERSION
    clock: Clock = attrs.field(factory=Clock)
    timing: Timing = attrs.field(factory=Timing)
    settings: Settings = attrs.field(factory=Settings)
    env: dict[str, str] = attrs.field(factory=dict)
    hosts: list[HostRecord] = attrs.field(factory=list)
    id_counter: int = 0
    pending_ops: list[FileOp] = attrs.field(factory=list)
    parked_ops: list[ParkedOp] = attrs.field(factory=list)
