"""SDK values of a VM's devices and firmware beyond `types`/`vmparts`: the boot entries of
Get-VMFirmware (VMBootSource), Get-VMBios, Get-VMSecurity, Get-VMIdeController, and the
`BootTarget` a Set-VMFirmware -BootOrder / -FirstBootDevice names."""

from __future__ import annotations

from typing import Any

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise
from hyperv_emu.sdk.types import ControllerType, DvdDrive, HardDrive, NetworkAdapter
from hyperv_emu.sdk.vmparts import EMPTY_GUID, _PSEnum


class VMBootSourceType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMBootSourceType"
    Unknown = 0
    Drive = 1
    Network = 2
    File = 3


class BootDevice(_PSEnum):
    """A generation 1 VM's BIOS boot device class (Set-VMBios -StartupOrder)."""

    __ps_type_name__ = "Microsoft.HyperV.PowerShell.BootDevice"
    Floppy = 0
    CD = 1
    IDE = 2
    LegacyNetworkAdapter = 3
    NetworkAdapter = 4
    VHD = 5


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMBootSource(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMBootSource: one entry of a generation 2 VM's boot order;
    Device is the drive or network adapter it boots."""

    boot_type: VMBootSourceType
    description: str
    firmware_path: str
    device: HardDrive | DvdDrive | NetworkAdapter | None = None
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata={"ps": "VMSnapshotId"})
    vm_snapshot_name: str = attrs.field(default="", metadata={"ps": "VMSnapshotName"})
    computer_name: str
    is_deleted: bool = False

    def __ps_string__(self) -> str:  # psshim's string conversion ("$x", [string]$x, .ToString())
        return self.ps_to_string()

    def ps_to_string(self) -> str:
        """What a boot order shows: {Drive, Network} [U]."""
        return self.boot_type.name


@attrs.frozen(eq=False, repr=False, kw_only=True)
class BootTarget(Fieldwise):
    """A device a boot order names: a drive by its slot, or a network adapter by its name."""

    kind: VMBootSourceType
    controller_type: ControllerType = ControllerType.SCSI
    controller_number: int = 0
    controller_location: int = 0
    adapter_name: str = ""

    @staticmethod
    def of(device: Any) -> "BootTarget":
        """The target of a drive, network adapter or boot entry value."""
        if isinstance(device, VMBootSource):
            if device.device is None:
                raise ValueError(f"the boot entry '{device.description}' has no device")
            device = device.device
        if isinstance(device, (HardDrive, DvdDrive)):
            return BootTarget(kind=VMBootSourceType.Drive, controller_type=device.controller_type,
                              controller_number=device.controller_number,
                              controller_location=device.controller_location)
        if isinstance(device, NetworkAdapter):
            return BootTarget(kind=VMBootSourceType.Network, adapter_name=device.name)
        raise ValueError(f"a {type(device).__name__} is not a boot device")


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMBios(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMBios (Get-VMBios) of a generation 1 VM."""

    num_lock_enabled: bool
    startup_order: tuple[BootDevice, ...]
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata={"ps": "VMSnapshotId"})
    vm_snapshot_name: str = attrs.field(default="", metadata={"ps": "VMSnapshotName"})
    computer_name: str
    is_deleted: bool = False


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMSecurity(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMSecurity (Get-VMSecurity): the virtual TPM and shielding;
    what the emulator does not model has a plain VM's value (not shielded, no key storage drive)."""

    tpm_enabled: bool = attrs.field(metadata={"ps": "TpmEnabled"})
    ksd_enabled: bool = attrs.field(default=False, metadata={"ps": "KsdEnabled"})
    shielded: bool = False
    encrypt_state_and_vm_migration_traffic: bool = attrs.field(default=False,
                                                            metadata={"ps": "EncryptStateAndVmMigrationTraffic"})
    virtualization_based_security_opt_out: bool = False
    bind_to_host_tpm: bool = attrs.field(default=False, metadata={"ps": "BindToHostTpm"})
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    computer_name: str


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FloppyDrive(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMFloppyDiskDrive (Get-VMFloppyDiskDrive) of a generation 1 VM."""

    path: str | None = None
    pool_name: str = "Primordial"
    name: str = "Diskette Drive"
    id: str = ""
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata={"ps": "VMSnapshotId"})
    vm_snapshot_name: str = attrs.field(default="", metadata={"ps": "VMSnapshotName"})
    computer_name: str
    is_deleted: bool = False


class ResolutionType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.ResolutionType"
    Maximum = 2
    Single = 3
    Default = 4


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMVideo(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMVideo (Get-VMVideo)."""

    resolution_type: ResolutionType
    horizontal_resolution: int
    vertical_resolution: int
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    vm_snapshot_id: str = attrs.field(default=EMPTY_GUID, metadata={"ps": "VMSnapshotId"})
    vm_snapshot_name: str = attrs.field(default="", metadata={"ps": "VMSnapshotName"})
    computer_name: str
    is_deleted: bool = False


@attrs.frozen(eq=False, repr=False, kw_only=True)
class IdeController(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMIdeController (Get-VMIdeController) of a generation 1 VM."""

    controller_number: int
    drives: tuple[HardDrive | DvdDrive, ...] = ()
    name: str = "IDE Controller"
    vm_id: str = attrs.field(metadata={"ps": "VMId"})
    vm_name: str = attrs.field(metadata={"ps": "VMName"})
    computer_name: str
