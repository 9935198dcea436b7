"""Registered views: how Out-Default and Format-* show objects of known types.

A view is chosen by the object's type names (PSTypeNames, most derived first), as PowerShell's
format database does. Columns and list items read PowerShell properties by name through the
adapter registry, or compute a value (the equivalent of a view's script block).

Views defined here:
- Hyper-V (hyperv-reference.md §3): VirtualMachine, VMSnapshot, HardDiskDrive, VMSwitch,
  VMNetworkAdapter tables without widths or alignments (content-sized, all left-aligned);
  VirtualHardDisk as a list.
- PowerShell/.NET: GroupInfo (+NoElement), DictionaryEntry (hashtables), GenericMeasureInfo,
  TextMeasureInfo, TimeSpan, DateTime, Guid, FileInfo/DirectoryInfo (grouped by directory),
  ErrorRecord / WarningRecord / VerboseRecord / InformationRecord (out of band).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Union

import attrs

from hyperv_emu.psshim.format.dotnet_format import composite_format, format_datetime, to_display_string
from hyperv_emu.psshim.format.objects import ps_property
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.runtime.values import AdapterRegistry
from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise


@attrs.frozen(eq=False, repr=False)
class ViewContext(Fieldwise):
    """What a view's computed values need: the settings and the adapters."""

    settings: FormatSettings
    adapters: AdapterRegistry | None = None

    def get(self, obj: object, name: str) -> object:
        found, value = ps_property(obj, name, self.adapters)
        return value if found else None

    def has(self, obj: object, name: str) -> bool:
        return ps_property(obj, name, self.adapters)[0]

    def display(self, value: object) -> str:
        return to_display_string(value, self.settings, self.adapters)


ValueSpec = Union[str, Callable[[object, ViewContext], object]]


@attrs.frozen(eq=False, repr=False)
class Column(Fieldwise):
    """A table column: `value` is a property name or a function of (object, context).
    width 0 = unsized; alignment "undefined" prints left."""

    label: str
    value: ValueSpec
    width: int = 0
    alignment: str = "undefined"


@attrs.frozen(eq=False, repr=False)
class ListItem(Fieldwise):
    label: str
    value: ValueSpec


@attrs.frozen(eq=False, repr=False)
class GroupBy(Fieldwise):
    """A view's GroupBy: objects are grouped while `key` stays equal; each group starts with
    `label` shown in a frame indented by `indent` (followed by an empty line when
    `newline_after`, as 5.1's FileSystem grouping control ends with a NewLine)."""

    key: Callable[[object, ViewContext], object]
    label: Callable[[object, ViewContext], str]
    indent: int = 0
    newline_after: bool = False


@attrs.frozen(eq=False, repr=False)
class TableView(Fieldwise):
    name: str
    type_names: tuple[str, ...]
    columns: tuple[Column, ...]
    group_by: GroupBy | None = None
    wrap: bool = False


@attrs.frozen(eq=False, repr=False)
class ListView(Fieldwise):
    """items None = every property of the object, in order."""

    name: str
    type_names: tuple[str, ...]
    items: tuple[ListItem, ...] | None = None
    group_by: GroupBy | None = None


@attrs.frozen(eq=False, repr=False)
class CustomView(Fieldwise):
    """A custom control: `render` gives the text (ComplexWriter wraps it to the width unless
    `prewrapped`). Out-of-band views print wherever the object arrives."""

    name: str
    type_names: tuple[str, ...]
    render: Callable[[object, ViewContext], str]
    out_of_band: bool = False
    prewrapped: bool = False


View = Union[TableView, ListView, CustomView]


def evaluate(spec: ValueSpec, obj: object, ctx: ViewContext) -> object:
    if isinstance(spec, str):
        return ctx.get(obj, spec)
    return spec(obj, ctx)


@attrs.define(eq=False, repr=False)
class ViewRegistry(MutableFieldwise):
    """Views by type name. `find` returns the view for the most derived type name that has one
    (optionally of one kind only, as Format-Table/Format-List ask)."""

    views: list[View] = attrs.field(factory=list)

    def register(self, view: View) -> None:
        self.views.insert(0, view)

    def find(self, type_names: Sequence[str], kind: type | None = None) -> View | None:
        for name in type_names:
            folded = name.casefold()
            for view in self.views:
                if kind is not None and not isinstance(view, kind):
                    continue
                if any(t.casefold() == folded for t in view.type_names):
                    return view
        return None

    def applies(self, view: View, type_names: Sequence[str]) -> bool:
        wanted = {t.casefold() for t in view.type_names}
        return any(t.casefold() in wanted for t in type_names)


# ---------------------------------------------------------------------------------------------
# value helpers
# ---------------------------------------------------------------------------------------------


def _traffic(direction: str) -> Callable[[object, ViewContext], object]:
    """Measure-VM's NetworkInbound(M)/NetworkOutbound(M): the metering ACLs' traffic one way."""
    def get(obj: object, ctx: ViewContext) -> object:
        from hyperv_emu.sdk.metering import VMMeteringReport, VMNetworkAdapterAclDirection

        if isinstance(obj, VMMeteringReport):
            return obj.traffic(VMNetworkAdapterAclDirection[direction])
        return None
    return get


def _mb_of(name: str) -> Callable[[object, ViewContext], object]:
    """`$_.<name>/1MB` (Get-VMMemory's and Get-VMHost's "(M)" columns)."""
    def get(obj: object, ctx: ViewContext) -> object:
        value = ctx.get(obj, name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value // 1048576 if value % 1048576 == 0 else value / 1048576
        return value
    return get


def _memory_mb(obj: object, ctx: ViewContext) -> object:
    """`$_.MemoryAssigned/1MB`: PowerShell division gives an integer when exact."""
    value = ctx.get(obj, "MemoryAssigned")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value % 1048576 == 0:
            return value // 1048576
        return value / 1048576
    if isinstance(value, (float, Decimal)):
        return value / 1048576
    return value


def _parent_directory(obj: object, ctx: ViewContext) -> str:
    parent = ctx.get(obj, "PSParentPath")
    if isinstance(parent, str) and parent:
        marker = "::"
        return parent.split(marker, 1)[1] if marker in parent else parent
    directory = ctx.get(obj, "DirectoryName")
    if isinstance(directory, str) and directory:
        return directory
    full = ctx.get(obj, "FullName")
    if isinstance(full, str) and full:
        trimmed = full.rstrip("\\/")
        cut = max(trimmed.rfind("\\"), trimmed.rfind("/"))
        if cut <= 0:
            return trimmed
        head = trimmed[:cut]
        return head + "\\" if head.endswith(":") else head
    return ""


def _is_directory(obj: object, ctx: ViewContext) -> bool:
    from hyperv_emu.psshim.format.objects import ps_type_names

    names = ps_type_names(obj, ctx.adapters)
    if any(n.casefold() == "system.io.directoryinfo" for n in names):
        return True
    flag = ctx.get(obj, "PSIsContainer")
    return flag is True


def _mode(obj: object, ctx: ViewContext) -> object:
    mode = ctx.get(obj, "Mode")
    if isinstance(mode, str):
        if ctx.settings.edition == "7" and len(mode) == 6:
            return mode[:5]
        return mode
    directory = _is_directory(obj, ctx)
    if ctx.settings.edition == "7":
        return "d----" if directory else "-a---"
    return "d-----" if directory else "-a----"


def _last_write_51(obj: object, ctx: ViewContext) -> object:
    when = ctx.get(obj, "LastWriteTime")
    if not isinstance(when, _dt.datetime):
        return when
    culture = ctx.settings.culture
    return composite_format(
        "{0,10}  {1,8}",
        [format_datetime(when, "d", culture), format_datetime(when, "t", culture)],
        culture,
    )


def _last_write_7(obj: object, ctx: ViewContext) -> object:
    when = ctx.get(obj, "LastWriteTime")
    if not isinstance(when, _dt.datetime):
        return when
    culture = ctx.settings.culture
    return composite_format("{0,10:d} {0,8:t}", [when], culture, edition="7")


def _length(obj: object, ctx: ViewContext) -> object:
    if _is_directory(obj, ctx):
        return None
    return ctx.get(obj, "Length")


def _datetime_text(obj: object, ctx: ViewContext) -> str:
    if not isinstance(obj, _dt.datetime):
        return ctx.display(obj)
    culture = ctx.settings.culture
    return format_datetime(obj, "D", culture) + " " + format_datetime(obj, "T", culture)


def _error_text(obj: object, ctx: ViewContext) -> str:
    from hyperv_emu.psshim.format.error_view import render_error
    from hyperv_emu.psshim.runtime.records import ErrorRecord

    if isinstance(obj, ErrorRecord):
        return render_error(obj, ctx.settings).rstrip("\n")
    return ctx.display(obj)


def _stream_text(prefix: str) -> Callable[[object, ViewContext], str]:
    def render(obj: object, ctx: ViewContext) -> str:
        message = ctx.get(obj, "Message")
        return prefix + (message if isinstance(message, str) else ctx.display(message))

    return render


def _information_text(obj: object, ctx: ViewContext) -> str:
    text = getattr(obj, "text", None)
    return text if isinstance(text, str) else ctx.display(obj)


def _entry_name(obj: object, ctx: ViewContext) -> object:
    return ctx.get(obj, "Key") if ctx.has(obj, "Key") else ctx.get(obj, "Name")


# ---------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------


def _wmi_host_views() -> list[View]:
    """Win32_OperatingSystem / Win32_ComputerSystem: a table of a CimInstance (CimCmdlets'
    format data), a list of a ManagementObject's DefaultDisplayPropertySet (types.ps1xml)."""
    os_props = ("SystemDirectory", "Organization", "BuildNumber", "RegisteredUser", "SerialNumber", "Version")
    cs_cim = ("Name", "PrimaryOwnerName", "Domain", "TotalPhysicalMemory", "Model", "Manufacturer")
    cs_wmi = ("Domain", "Manufacturer", "Model", "Name", "PrimaryOwnerName", "TotalPhysicalMemory")
    cim = "Microsoft.Management.Infrastructure.CimInstance#root/cimv2/"
    wmi = "System.Management.ManagementObject#root\\cimv2\\"
    return [
        TableView(name="Win32_OperatingSystem", type_names=(cim + "Win32_OperatingSystem",),
                  columns=tuple(Column(p, p) for p in os_props)),
        TableView(name="Win32_ComputerSystem", type_names=(cim + "Win32_ComputerSystem",),
                  columns=tuple(Column(p, p) for p in cs_cim)),
        ListView(name="Win32_OperatingSystem", type_names=(wmi + "Win32_OperatingSystem",),
                 items=tuple(ListItem(p, p) for p in os_props)),
        ListView(name="Win32_ComputerSystem", type_names=(wmi + "Win32_ComputerSystem",),
                 items=tuple(ListItem(p, p) for p in cs_wmi)),
    ]


def _pssession_view(edition: str) -> TableView:
    """PSSession (PowerShellCore_format_ps1xml.cs; 5.1 has no Transport column)."""
    columns = [Column("Id", "Id", 3, "right"), Column("Name", "Name", 15), Column("Transport", "Transport", 9),
               Column("ComputerName", "ComputerName", 15), Column("ComputerType", "ComputerType", 15),
               Column("State", "State", 13), Column("ConfigurationName", "ConfigurationName", 20),
               Column("Availability", "Availability", 13, "right")]
    if edition != "7":
        columns = [c for c in columns if c.label != "Transport"]
    return TableView(name="PSSession", type_names=("System.Management.Automation.Runspaces.PSSession",),
                     columns=tuple(columns))


def _file_system_view(edition: str) -> TableView:
    if edition == "7":
        return TableView(
            name="children",
            type_names=("System.IO.DirectoryInfo", "System.IO.FileInfo"),
            columns=(
                Column("Mode", _mode, width=7, alignment="left"),
                Column("LastWriteTime", _last_write_7, width=26, alignment="right"),
                Column("Length", _length, width=14, alignment="right"),
                Column("Name", "Name", alignment="left"),
            ),
            group_by=GroupBy(
                key=_parent_directory,
                label=lambda o, c: "Directory: " + _parent_directory(o, c),
                indent=4,
                newline_after=False,
            ),
            wrap=True,
        )
    return TableView(
        name="children",
        type_names=("System.IO.DirectoryInfo", "System.IO.FileInfo"),
        columns=(
            Column("Mode", _mode, width=7, alignment="left"),
            Column("LastWriteTime", _last_write_51, width=25, alignment="right"),
            Column("Length", _length, width=14, alignment="right"),
            Column("Name", "Name"),
        ),
        group_by=GroupBy(
            key=_parent_directory,
            label=lambda o, c: "Directory: " + _parent_directory(o, c),
            indent=4,
            newline_after=True,
        ),
        wrap=True,
    )


def default_views(edition: str = "5.1") -> ViewRegistry:
    """The views of a run (a new registry each time; no shared state)."""
    measure_items = [
        ListItem("Count", "Count"),
        ListItem("Average", "Average"),
        ListItem("Sum", "Sum"),
        ListItem("Maximum", "Maximum"),
        ListItem("Minimum", "Minimum"),
    ]
    if edition == "7":
        measure_items.append(ListItem("StandardDeviation", "StandardDeviation"))
    measure_items.append(ListItem("Property", "Property"))
    views: list[View] = [
        # --- Hyper-V ------------------------------------------------------------------------
        TableView(
            name="VirtualMachine",
            type_names=("Microsoft.HyperV.PowerShell.VirtualMachine",),
            columns=(
                Column("Name", "Name"),
                Column("State", "State"),
                Column("CPUUsage(%)", "CPUUsage"),
                Column("MemoryAssigned(M)", _memory_mb),
                Column("Uptime", "Uptime"),
                Column("Status", "Status"),
                Column("Version", "Version"),
            ),
        ),
        TableView(
            name="VMSnapshot",
            type_names=("Microsoft.HyperV.PowerShell.VMSnapshot",),
            columns=(
                Column("VMName", "VMName"),
                Column("Name", "Name"),
                Column("SnapshotType", "SnapshotType"),
                Column("CreationTime", "CreationTime"),
                Column("ParentSnapshotName", "ParentSnapshotName"),
            ),
        ),
        TableView(
            name="HardDiskDrive",
            type_names=("Microsoft.HyperV.PowerShell.HardDiskDrive",),
            columns=(
                Column("VMName", "VMName"),
                Column("ControllerType", "ControllerType"),
                Column("ControllerNumber", "ControllerNumber"),
                Column("ControllerLocation", "ControllerLocation"),
                Column("DiskNumber", "DiskNumber"),
                Column("Path", "Path"),
            ),
        ),
        TableView(
            name="DvdDrive",
            type_names=("Microsoft.HyperV.PowerShell.DvdDrive",),
            columns=(
                Column("VMName", "VMName"),
                Column("ControllerType", "ControllerType"),
                Column("ControllerNumber", "ControllerNumber"),
                Column("ControllerLocation", "ControllerLocation"),
                Column("DvdMediaType", "DvdMediaType"),
                Column("Path", "Path"),
            ),
        ),
        TableView(
            name="VMVideo",
            type_names=("Microsoft.HyperV.PowerShell.VMVideo",),
            columns=(
                Column("VMName", "VMName"),
                Column("ResolutionType", "ResolutionType"),
                Column("HorizontalResolution", "HorizontalResolution"),
                Column("VerticalResolution", "VerticalResolution"),
            ),
        ),
        ListView(name="VirtualHardDisk", type_names=("Microsoft.Vhd.PowerShell.VirtualHardDisk",)),
        TableView(
            name="VMSwitch",
            type_names=("Microsoft.HyperV.PowerShell.VMSwitch",),
            columns=(Column("Name", "Name"), Column("SwitchType", "SwitchType"),
                     Column("NetAdapterInterfaceDescription", "NetAdapterInterfaceDescription")),
        ),
        TableView(
            name="VMNetworkAdapter",
            type_names=("Microsoft.HyperV.PowerShell.VMNetworkAdapter",),
            columns=(Column("Name", "Name"), Column("IsManagementOs", "IsManagementOs"), Column("VMName", "VMName"),
                     Column("SwitchName", "SwitchName"), Column("MacAddress", "MacAddress"),
                     Column("Status", "Status"), Column("IPAddresses", "IPAddresses")),
        ),
        # --- NetAdapter (the module's table: Name, InterfaceDescription, ifIndex, Status, MacAddress, LinkSpeed)
        TableView(
            name="MSFT_NetAdapter",
            type_names=("Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter",),
            columns=(Column("Name", "Name"), Column("InterfaceDescription", "InterfaceDescription"),
                     Column("ifIndex", "ifIndex"), Column("Status", "Status"), Column("MacAddress", "MacAddress"),
                     Column("LinkSpeed", "LinkSpeed")),
        ),
        # --- ScheduledTasks (the module's table: TaskPath 46 wide, TaskName 33, State; its docs' example 3) --
        TableView(
            name="MSFT_ScheduledTask",
            type_names=("Microsoft.Management.Infrastructure.CimInstance#Root/Microsoft/Windows/TaskScheduler/"
                        "MSFT_ScheduledTask",),
            columns=(Column("TaskPath", "TaskPath", 46), Column("TaskName", "TaskName", 33), Column("State", "State")),
        ),
        TableView(
            name="VMMeteringReportForVirtualMachine",
            type_names=("Microsoft.HyperV.PowerShell.VMMeteringReportForVirtualMachine",),
            columns=(
                Column("VMName", "VMName"),
                Column("AvgCPU(MHz)", "AverageProcessorUsage"),
                Column("AvgRAM(M)", "AverageMemoryUsage"),
                Column("MaxRAM(M)", "MaximumMemoryUsage"),
                Column("MinRAM(M)", "MinimumMemoryUsage"),
                Column("TotalDisk(M)", "TotalDiskAllocation"),
                Column("NetworkInbound(M)", _traffic("Inbound")),
                Column("NetworkOutbound(M)", _traffic("Outbound")),
            ),
        ),
        TableView(
            name="VMPortAclMeteringReport",
            type_names=("Microsoft.HyperV.PowerShell.VMPortAclMeteringReport",),
            columns=(
                Column("LocalAddress", "LocalAddress"),
                Column("RemoteAddress", "RemoteAddress"),
                Column("Direction", "Direction"),
                Column("TotalTraffic(M)", "TotalTraffic"),
            ),
        ),
        TableView(
            name="VMIntegrationComponent",
            type_names=("Microsoft.HyperV.PowerShell.VMIntegrationComponent",),
            columns=(
                Column("VMName", "VMName"),
                Column("Name", "Name"),
                Column("Enabled", "Enabled"),
                Column("PrimaryStatusDescription", "PrimaryStatusDescription"),
                Column("SecondaryStatusDescription", "SecondaryStatusDescription"),
            ),
        ),
        TableView(
            name="VMMemory",
            type_names=("Microsoft.HyperV.PowerShell.VMMemory",),
            columns=(
                Column("VMName", "VMName"),
                Column("DynamicMemoryEnabled", "DynamicMemoryEnabled"),
                Column("Minimum(M)", _mb_of("Minimum")),
                Column("Startup(M)", _mb_of("Startup")),
                Column("Maximum(M)", _mb_of("Maximum")),
            ),
        ),
        TableView(
            name="VMProcessor",
            type_names=("Microsoft.HyperV.PowerShell.VMProcessor",),
            columns=(
                Column("VMName", "VMName"),
                Column("Count", "Count"),
                Column("CompatibilityForMigrationEnabled", "CompatibilityForMigrationEnabled"),
                Column("CompatibilityForOlderOperatingSystemsEnabled", "CompatibilityForOlderOperatingSystemsEnabled"),
            ),
        ),
        TableView(
            name="VMHost",
            type_names=("Microsoft.HyperV.PowerShell.VMHost",),
            columns=(
                Column("Name", "Name"),
                Column("LogicalProcessorCount", "LogicalProcessorCount"),
                Column("MemoryCapacity(M)", _mb_of("MemoryCapacity")),
                Column("VirtualMachineMigrationEnabled", "VirtualMachineMigrationEnabled"),
            ),
        ),
        # --- PowerShell -----------------------------------------------------------------------
        TableView(
            name="GroupInfo",
            type_names=("Microsoft.PowerShell.Commands.GroupInfo",),
            columns=(
                Column("Count", "Count", width=5, alignment="right"),
                Column("Name", "Name", width=25, alignment="left"),
                Column("Group", "Group", alignment="left"),
            ),
        ),
        TableView(
            name="GroupInfoNoElement",
            type_names=("Microsoft.PowerShell.Commands.GroupInfoNoElement",),
            columns=(
                Column("Count", "Count", width=5, alignment="right"),
                Column("Name", "Name", alignment="left"),
            ),
        ),
        TableView(
            name="Dictionary",
            type_names=("System.Collections.DictionaryEntry",),
            columns=(Column("Name", _entry_name, width=30), Column("Value", "Value")),
        ),
        ListView(
            name="MeasureInfo",
            type_names=("Microsoft.PowerShell.Commands.GenericMeasureInfo",),
            items=tuple(measure_items),
        ),
        TableView(
            name="TextMeasureInfo",
            type_names=("Microsoft.PowerShell.Commands.TextMeasureInfo",),
            columns=(
                Column("Lines", "Lines"),
                Column("Words", "Words"),
                Column("Characters", "Characters"),
                Column("Property", "Property"),
            ),
        ),
        ListView(
            name="System.TimeSpan",
            type_names=("System.TimeSpan",),
            items=tuple(
                ListItem(n, n)
                for n in (
                    "Days",
                    "Hours",
                    "Minutes",
                    "Seconds",
                    "Milliseconds",
                    "Ticks",
                    "TotalDays",
                    "TotalHours",
                    "TotalMinutes",
                    "TotalSeconds",
                    "TotalMilliseconds",
                )
            ),
        ),
        CustomView(name="DateTime", type_names=("System.DateTime",), render=_datetime_text),
        TableView(name="Guid", type_names=("System.Guid",), columns=(Column("Guid", "Guid"),)),
        _pssession_view(edition),
        *_wmi_host_views(),
        _file_system_view(edition),
        CustomView(
            name="ErrorInstance",
            type_names=("System.Management.Automation.ErrorRecord",),
            render=_error_text,
            out_of_band=True,
            prewrapped=True,
        ),
        CustomView(
            name="WarningRecord",
            type_names=("System.Management.Automation.WarningRecord",),
            render=_stream_text("WARNING: "),
            out_of_band=True,
        ),
        CustomView(
            name="VerboseRecord",
            type_names=("System.Management.Automation.VerboseRecord",),
            render=_stream_text("VERBOSE: "),
            out_of_band=True,
        ),
        CustomView(
            name="InformationRecord",
            type_names=("System.Management.Automation.InformationRecord",),
            render=_information_text,
            out_of_band=True,
        ),
    ]
    return ViewRegistry(views=views)
