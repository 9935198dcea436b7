"""PowerShell names for SDK values: the one place where `vm_name` becomes `VMName`.

- `ps_properties(value)`: a value's properties as PowerShell lists them (alias properties first,
  as `Select-Object *` shows them, then the real ones), used by psshim's adapter;
  `ps_json_properties(value)`: ConvertTo-Json's order (the real ones, then the aliases).
- `make_converter()`: a cattrs converter that unstructures SDK values to dicts keyed by
  PowerShell names and structures them back from what a host's `ConvertTo-Json` produced
  (lenient: extra properties are ignored, enums may come as numbers or names, dates as
  `\\/Date(ms)\\/` (Windows PowerShell 5.1) or ISO 8601 (pwsh 7)).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    DvdDrive,
    HardDrive,
    HostEvent,
    NetworkAdapter,
    VlanSetting,
    ScsiController,
    VM,
    VMSwitch,
)
from hyperv_emu.sdk.devices import FloppyDrive, IdeController, VMBios, VMBootSource, VMSecurity, VMVideo
from hyperv_emu.sdk.compat import VMCompatibilityError, VMCompatibilityReport
from hyperv_emu.sdk.metering import PortAclMeteringReport, VHDMetrics, VMMeteringReport
from hyperv_emu.sdk.vmparts import IntegrationService, NetAdapter, VMComPort, VMFirmware, VMHostInfo, VMMemory, VMProcessor

_ACRONYMS = {"vm": "VM", "cpu": "CPU", "vhd": "Vhd", "id": "Id"}

# Alias properties the Hyper-V module adds (hyperv-reference.md §2.2–2.3): PS alias -> field.
ALIASES: dict[type, dict[str, str]] = {
    VM: {  # in the module's types.ps1xml order (hyperv-object-model.md §1 #72-76)
        "ParentCheckpointId": "parent_snapshot_id",
        "ParentCheckpointName": "parent_snapshot_name",
        "VMName": "name",
        "VMId": "id",
        "CheckpointFileLocation": "snapshot_file_location",
    },
    VMComPort: {"VMCheckpointId": "vm_snapshot_id", "VMCheckpointName": "vm_snapshot_name"},
    IntegrationService: {"VMCheckpointId": "vm_snapshot_id", "VMCheckpointName": "vm_snapshot_name"},
    VMMemory: {"VMCheckpointId": "vm_snapshot_id", "VMCheckpointName": "vm_snapshot_name"},
    VMProcessor: {"VMCheckpointId": "vm_snapshot_id", "VMCheckpointName": "vm_snapshot_name"},
    Checkpoint: {
        "ParentCheckpointId": "parent_snapshot_id",
        "ParentCheckpointName": "parent_snapshot_name",
        "CheckpointType": "snapshot_type",
    },
    # the short names of Measure-VM's table columns (a 2012 host's Format-List lists them first)
    VMMeteringReport: {
        "AvgCPU": "average_processor_usage",
        "AvgRAM": "average_memory_usage",
        "MinRAM": "minimum_memory_usage",
        "MaxRAM": "maximum_memory_usage",
        "TotalDisk": "total_disk_allocation",
    },
}

# Aliases listed after the adapted properties, where the module's output shows them there
# (Get-VHD | Format-List * ends with Number; hyperv-object-model.md §4).
TRAILING_ALIASES: dict[type, dict[str, str]] = {
    VHD: {"Number": "disk_number"},
}

PS_TYPE_NAMES: dict[type, list[str]] = {
    VM: ["Microsoft.HyperV.PowerShell.VirtualMachine", "Microsoft.HyperV.PowerShell.VirtualMachineBase", "System.Object"],
    Checkpoint: ["Microsoft.HyperV.PowerShell.VMSnapshot", "Microsoft.HyperV.PowerShell.VirtualMachineBase", "System.Object"],
    # drives and adapters are devices, which Set-VMFirmware -BootOrder/-FirstBootDevice take
    # ([VMComponentObject[]]); the module's VMDevice derives from VMComponentObject
    HardDrive: ["Microsoft.HyperV.PowerShell.HardDiskDrive", "Microsoft.HyperV.PowerShell.Drive",
                "Microsoft.HyperV.PowerShell.VMDevice", "Microsoft.HyperV.PowerShell.VMComponentObject", "System.Object"],
    VHD: ["Microsoft.Vhd.PowerShell.VirtualHardDisk", "System.Object"],
    ScsiController: ["Microsoft.HyperV.PowerShell.VMScsiController", "Microsoft.HyperV.PowerShell.VMDriveController",
                     "System.Object"],
    DvdDrive: ["Microsoft.HyperV.PowerShell.DvdDrive", "Microsoft.HyperV.PowerShell.Drive",
               "Microsoft.HyperV.PowerShell.VMDevice", "Microsoft.HyperV.PowerShell.VMComponentObject", "System.Object"],
    NetworkAdapter: ["Microsoft.HyperV.PowerShell.VMNetworkAdapter", "Microsoft.HyperV.PowerShell.VMNetworkAdapterBase",
                     "Microsoft.HyperV.PowerShell.VMDevice", "Microsoft.HyperV.PowerShell.VMComponentObject",
                     "System.Object"],
    VMSwitch: ["Microsoft.HyperV.PowerShell.VMSwitch", "System.Object"],
    NetAdapter: ["Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_NetworkAdapter",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_NetworkPort",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_LogicalPort",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_LogicalDevice",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_EnabledLogicalElement",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_LogicalElement",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_ManagedSystemElement",
                 "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/CIM_ManagedElement",
                 "Microsoft.Management.Infrastructure.CimInstance", "System.Object"],
    VMFirmware: ["Microsoft.HyperV.PowerShell.VMFirmware", "Microsoft.HyperV.PowerShell.VMComponentObject",
                 "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    VlanSetting: ["Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting",
                  "Microsoft.HyperV.PowerShell.VMNetworkAdapterFeatureBase", "System.Object"],
    HostEvent: ["System.Diagnostics.Eventing.Reader.EventLogRecord", "System.Object"],
    VMComPort: ["Microsoft.HyperV.PowerShell.VMComPort", "Microsoft.HyperV.PowerShell.VMDevice",
                "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    IntegrationService: ["Microsoft.HyperV.PowerShell.VMIntegrationComponent",
                         "Microsoft.HyperV.PowerShell.VMDevice",
                         "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    VMMemory: ["Microsoft.HyperV.PowerShell.VMMemory", "Microsoft.HyperV.PowerShell.VMComponentObject",
               "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    VMProcessor: ["Microsoft.HyperV.PowerShell.VMProcessor", "Microsoft.HyperV.PowerShell.VMComponentObject",
                  "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    VMHostInfo: ["Microsoft.HyperV.PowerShell.VMHost", "Microsoft.HyperV.PowerShell.VirtualizationObject",
                 "System.Object"],
    VMMeteringReport: ["Microsoft.HyperV.PowerShell.VMMeteringReportForVirtualMachine",
                       "Microsoft.HyperV.PowerShell.VMResourceReport", "System.Object"],
    PortAclMeteringReport: ["Microsoft.HyperV.PowerShell.VMNetworkAdapterPortAclMeteringReport",
                            "Microsoft.HyperV.PowerShell.VMPortAclMeteringReport", "System.Object"],
    VHDMetrics: ["Microsoft.HyperV.PowerShell.VHDMetrics", "System.Object"],
    VMCompatibilityReport: ["Microsoft.HyperV.PowerShell.VMCompatibilityReport", "System.Object"],
    VMCompatibilityError: ["Microsoft.HyperV.PowerShell.VMCompatibilityError", "System.Object"],
    IdeController: ["Microsoft.HyperV.PowerShell.VMIdeController", "Microsoft.HyperV.PowerShell.VMDriveController",
                    "System.Object"],
    VMBootSource: ["Microsoft.HyperV.PowerShell.VMBootSource", "Microsoft.HyperV.PowerShell.VMComponentObject",
                   "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    VMBios: ["Microsoft.HyperV.PowerShell.VMBios", "Microsoft.HyperV.PowerShell.VMComponentObject",
             "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
    FloppyDrive: ["Microsoft.HyperV.PowerShell.VMFloppyDiskDrive", "Microsoft.HyperV.PowerShell.Drive",
                  "Microsoft.HyperV.PowerShell.VMDevice", "Microsoft.HyperV.PowerShell.VMComponentObject",
                  "System.Object"],
    VMVideo: ["Microsoft.HyperV.PowerShell.VMVideo", "Microsoft.HyperV.PowerShell.VMDevice",
              "Microsoft.HyperV.PowerShell.VMComponentObject", "System.Object"],
    VMSecurity: ["Microsoft.HyperV.PowerShell.VMSecurity", "Microsoft.HyperV.PowerShell.VMComponentObject",
                 "Microsoft.HyperV.PowerShell.VirtualMachineComponent", "System.Object"],
}


def ps_name(field: "attrs.Attribute[Any]") -> str:
    explicit = field.metadata.get("ps")
    if explicit is not None:
        return str(explicit)
    return "".join(_ACRONYMS.get(part, part.capitalize()) for part in field.name.split("_"))


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {
    cls: tuple((ps_name(f), f.name) for f in attrs.fields(cls) if f.name != "client" and not f.metadata.get("hidden"))
    for cls in PS_TYPE_NAMES
}


def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(PowerShell name, field name) for the class's properties, client excluded."""
    return _FIELDS[cls]


# Properties the module types as System.Guid (VirtualMachine.Id/VMId, VMSnapshot.ParentSnapshotId,
# a device's VMId, VMSwitch.Id, ...): the SDK keeps GUID text, PowerShell sees a Guid
# (`$vm.Id.Guid`, `$vm.Id -eq $text`); other Ids (an integration service's "Microsoft:…\…", an
# event's number) are not GUID text and stay as they are.
_GUID_PROPS = frozenset({"id", "vmid", "parentsnapshotid", "parentcheckpointid"})


def _ps_value(name: str, value: Any) -> Any:
    if type(value) is str and name.casefold() in _GUID_PROPS and len(value) == 36:
        try:
            return uuid.UUID(value)
        except ValueError:
            return value
    return value


def ps_properties(value: Any) -> list[tuple[str, Any]]:
    cls = type(value)
    aliases = [(alias, _ps_value(alias, getattr(value, field))) for alias, field in ALIASES.get(cls, {}).items()]
    trailing = [(alias, _ps_value(alias, getattr(value, field)))
                for alias, field in TRAILING_ALIASES.get(cls, {}).items()]
    return aliases + [(name, _ps_value(name, getattr(value, field))) for name, field in _fields(cls)] + trailing


def ps_json_properties(value: Any) -> list[tuple[str, Any]]:
    """ConvertTo-Json's order: the .NET properties, then the module's alias properties (5.1 and 7
    write extended members after the adapted ones; hyperv-object-model.md [LIBHVEE])."""
    cls = type(value)
    aliases = [(alias, _ps_value(alias, getattr(value, field))) for alias, field in ALIASES.get(cls, {}).items()]
    return [(name, _ps_value(name, getattr(value, field))) for name, field in _fields(cls)] + aliases


def ps_lookup(value: Any, name: str) -> tuple[bool, Any]:
    folded = name.casefold()
    cls = type(value)
    for alias, field in [*ALIASES.get(cls, {}).items(), *TRAILING_ALIASES.get(cls, {}).items()]:
        if alias.casefold() == folded:
            return True, _ps_value(alias, getattr(value, field))
    for ps, field in _fields(cls):
        if ps.casefold() == folded:
            return True, _ps_value(ps, getattr(value, field))
    return False, None


def is_sdk_value(value: Any) -> bool:
    return type(value) in PS_TYPE_NAMES


_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_ps_datetime(value: Any) -> dt.datetime:
    """`\\/Date(1771574400000)\\/` (5.1 JSON; the backslashes are gone after json.loads) or ISO."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        m = _MS_DATE.match(value)
        if m:
            return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(m.group(1)))
        text = value.replace("Z", "+00:00")
        parsed = dt.datetime.fromisoformat(text)
        return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed
    raise ValueError(f"not a date: {value!r}")


def parse_ps_timespan(value: Any) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, dict):
        if "Ticks" in value:
            return dt.timedelta(microseconds=int(value["Ticks"]) / 10)
        if "TotalMilliseconds" in value:
            return dt.timedelta(milliseconds=float(value["TotalMilliseconds"]))
    if isinstance(value, str):
        m = re.match(r"^(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$", value)
        if m:
            days, h, mi, s, frac = m.groups()
            return dt.timedelta(days=int(days or 0), hours=int(h), minutes=int(mi), seconds=int(s),
                                microseconds=int((frac or "0").ljust(6, "0")[:6]))
    raise ValueError(f"not a time span: {value!r}")


def _structure_enum(value: Any, cls: type[enum.IntEnum]) -> enum.IntEnum:
    if isinstance(value, dict) and "value__" in value:
        value = value["value__"]
    if isinstance(value, str):
        for member in cls:
            if member.name.casefold() == value.casefold():
                return member
        value = int(value)
    return cls(int(value))


def make_converter() -> cattrs.Converter:
    """PowerShell-named dicts <-> SDK values. Lenient on input (real hosts send many more
    properties); enums unstructure to their numbers as 5.1's ConvertTo-Json does."""
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.datetime, lambda v, _: parse_ps_datetime(v))
    conv.register_unstructure_hook(dt.timedelta, lambda t: t.total_seconds())
    conv.register_structure_hook(dt.timedelta, lambda v, _: parse_ps_timespan(v))
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.IntEnum), lambda v, t: _structure_enum(v, t)
    )
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.IntEnum), lambda e: int(e))
    for cls in (HardDrive, VHD, HostEvent, VMComPort, IntegrationService, VMHostInfo, VM, Checkpoint,  # nested first
                VlanSetting, NetworkAdapter, VHDMetrics, PortAclMeteringReport, VMMeteringReport):
        overrides: Any = {f.name: override(rename=ps_name(f)) if f.name != "client" and not f.metadata.get("hidden")
                          else override(omit=True) for f in attrs.fields(cls)}
        conv.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, conv, **overrides))
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, **overrides))
    return conv
