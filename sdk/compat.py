"""Compare-VM's report of an import (Microsoft.HyperV.PowerShell.VMCompatibilityReport and its
VMCompatibilityError entries) and the options of Import-VM's / Compare-VM's Register and Copy sets."""

from __future__ import annotations

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise
from hyperv_emu.sdk.types import VM, NetworkAdapter
from hyperv_emu.sdk.vmparts import _PSEnum, ps


class OperationType(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.OperationType"
    MoveVirtualMachine = 0
    ImportVirtualMachine = 1
    MoveVirtualMachineAndStorage = 2


@attrs.frozen(eq=False, repr=False, kw_only=True)
class ImportOptions(Fieldwise):
    """Register (in place, the default) or Copy (`copy`: the disks copied to
    `vhd_destination_path`, default the host's VirtualHardDiskPath; the configuration to
    `virtual_machine_path`, default the host's VirtualMachinePath); `generate_new_id` needs `copy`."""

    copy: bool = False
    generate_new_id: bool = False
    virtual_machine_path: str | None = None
    snapshot_file_path: str | None = None
    smart_paging_file_path: str | None = None
    vhd_destination_path: str | None = None
    vhd_source_path: str | None = None


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMCompatibilityError(Fieldwise):
    """One incompatibility: the host's message, its id (33012: a switch the host lacks) and the
    object it is about (the network adapter, for a missing switch)."""

    message: str
    message_id: int = attrs.field(metadata=ps("MessageId"))
    source: NetworkAdapter | None = None


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMCompatibilityReport(Fieldwise):
    """Compare-VM's report for an import: `vm` is the planned VM (Import-VM -CompatibilityReport
    brings it in; Get-VM does not list it before). `options` (not a property of the module's
    object) records how it was planned."""

    vm: VM = attrs.field(metadata=ps("VM"))
    operation_type: OperationType = OperationType.ImportVirtualMachine
    destination: str = ""
    path: str = ""
    snapshot_path: str | None = None
    vhd_destination_path: str | None = None
    vhd_source_path: str | None = None
    incompatibilities: tuple[VMCompatibilityError, ...] = ()
    options: ImportOptions = attrs.field(factory=ImportOptions, metadata={"hidden": True})
