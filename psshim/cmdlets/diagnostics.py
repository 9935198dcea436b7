"""Get-WinEvent over the emulated host's Hyper-V event log (`sdk.HyperVClient.events()`).

The emulator keeps one log, the VMMS admin channel (`Microsoft-Windows-Hyper-V-VMMS-Admin`: e.g.
a production checkpoint that fell back to a standard one). Get-WinEvent -LogName reads it, and
knows the other common logs as existing but empty; a log it does not know fails as Windows does
(`NoMatchingLogsFound`), and a query that finds no event fails with `NoMatchingEventsFound`.
Events come newest first (-Oldest: oldest first), at most -MaxEvents of them, as
EventLogRecord objects (Level as its number, LevelDisplayName its name). Not emulated:
-FilterHashtable, -FilterXml, -FilterXPath, -ListLog, -ListProvider, -ProviderName, -Path.
"""

from __future__ import annotations

from typing import Any, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import HostEvent

DIAGNOSTICS = "Microsoft.PowerShell.Diagnostics"
CLASS = "Microsoft.PowerShell.Commands.GetWinEventCommand"

HYPERV_LOG = "Microsoft-Windows-Hyper-V-VMMS-Admin"
HYPERV_PROVIDER = "Microsoft-Windows-Hyper-V-VMMS"
HYPERV_PROVIDER_ID = "6066f867-7ca1-4418-85fd-36e3f9c0600c"
# Logs every Hyper-V host has; only the VMMS admin log holds the emulator's events.
KNOWN_LOGS = (
    "Application", "System", "Security", "Setup", "Windows PowerShell", "Microsoft-Windows-PowerShell/Operational",
    HYPERV_LOG, "Microsoft-Windows-Hyper-V-VMMS-Operational", "Microsoft-Windows-Hyper-V-VMMS-Networking",
    "Microsoft-Windows-Hyper-V-VMMS-Storage", "Microsoft-Windows-Hyper-V-Worker-Admin",
    "Microsoft-Windows-Hyper-V-Worker-Operational", "Microsoft-Windows-Hyper-V-Compute-Admin",
    "Microsoft-Windows-Hyper-V-Compute-Operational", "Microsoft-Windows-Hyper-V-Config-Admin",
    "Microsoft-Windows-Hyper-V-Config-Operational", "Microsoft-Windows-Hyper-V-Hypervisor-Admin",
    "Microsoft-Windows-Hyper-V-Hypervisor-Operational", "Microsoft-Windows-Hyper-V-StorageVSP-Admin",
    "Microsoft-Windows-Hyper-V-VID-Admin", "Microsoft-Windows-Hyper-V-VmSwitch-Operational",
    "Microsoft-Windows-TaskScheduler/Operational",
)
# The Task Scheduler's log: disabled by default, as on a host (wevtutil sl ... /e:true enables it)
TASK_LOG = "Microsoft-Windows-TaskScheduler/Operational"
TASK_PROVIDER = "Microsoft-Windows-TaskScheduler"
TASK_PROVIDER_ID = "de7b24ea-73c8-4a09-985d-5bdadcfa9017"
LEVELS = {"Critical": 1, "Error": 2, "Warning": 3, "Information": 4, "Verbose": 5}


class EventLogRecord(PSNative):
    """System.Diagnostics.Eventing.Reader.EventLogRecord."""

    __ps_type_names__ = ["System.Diagnostics.Eventing.Reader.EventLogRecord",
                         "System.Diagnostics.Eventing.Reader.EventRecord", "System.Object"]

    def __init__(self, event: HostEvent, record_id: int, machine: str, log: str = HYPERV_LOG,
                 provider: tuple[str, str] = (HYPERV_PROVIDER, HYPERV_PROVIDER_ID)) -> None:
        self.event = event
        self.record_id = record_id
        self.machine = machine
        self.log = log
        self.provider = provider

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        e = self.event
        level_name = e.level if e.level in LEVELS else "Information"
        return [
            ("Message", e.message), ("Id", e.id), ("Version", 0), ("Qualifiers", None),
            ("Level", LEVELS[level_name]), ("Task", 0), ("Opcode", 0), ("Keywords", -9223372036854775808),
            ("RecordId", self.record_id), ("ProviderName", self.provider[0]), ("ProviderId", self.provider[1]),
            ("LogName", self.log), ("ProcessId", 0), ("ThreadId", 0), ("MachineName", self.machine),
            ("UserId", None), ("TimeCreated", e.time_created), ("ActivityId", None), ("RelatedActivityId", None),
            ("ContainerLog", self.log), ("MatchedQueryIds", []), ("Bookmark", None),
            ("LevelDisplayName", level_name), ("OpcodeDisplayName", "Info"), ("TaskDisplayName", None),
            ("KeywordsDisplayNames", []), ("Properties", []),
        ]

    def __ps_string__(self) -> str:
        return "System.Diagnostics.Eventing.Reader.EventLogRecord"


@cmdlet("Get-WinEvent", module=DIAGNOSTICS, class_name=CLASS, default_set="GetLogSet")
class GetWinEvent(Cmdlet):
    """Events of the emulated host's logs."""

    LogName = Param("string[]", InSet("GetLogSet", position=0))
    MaxEvents = Param("long")
    ComputerName = Param("string", aliases=("Cn",))
    Oldest = Param("switch")
    Credential = Param("object")
    FilterXPath = Param("string", InSet("GetLogSet"))
    Force = Param("switch")
    ListLog = Param("string[]", InSet("ListLogSet", position=0, mandatory=True))
    ListProvider = Param("string[]", InSet("ListProviderSet", position=0, mandatory=True))
    ProviderName = Param("string[]", InSet("GetProviderSet", position=0, mandatory=True))
    Path = Param("string[]", InSet("File", position=0, mandatory=True), aliases=("PSPath",))
    FilterHashtable = Param("hashtable[]", InSet("HashQuerySet", position=0, mandatory=True))
    FilterXml = Param("object", InSet("XmlQuerySet", position=0, mandatory=True))

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set != "GetLogSet" or self.is_bound("FilterXPath"):
            raise not_supported("Get-WinEvent other than -LogName")
        if self.is_bound("Credential"):
            raise not_supported("Get-WinEvent -Credential")
        base: HyperVClient = self.ctx.hyperv
        computer = C.to_string(self.ComputerName) if self.ComputerName is not None else None
        client = base.host(computer) if computer else base
        patterns = [C.to_string(n) for n in C.as_list(self.LogName)] if self.LogName is not None else ["*"]
        matched: list[str] = []
        for pattern in patterns:
            logs = [log for log in KNOWN_LOGS if wildcard_match(log, pattern)] if has_wildcards(pattern) else \
                [log for log in KNOWN_LOGS if log.casefold() == pattern.casefold()]
            if not logs:
                where = computer or "localhost"
                self.ctx.write_error(self.ctx.error_record(
                    f'There is not an event log on the {where} computer that matches "{pattern}".',
                    "NoMatchingLogsFound", "ObjectNotFound", target_object=pattern,
                    exception_type="System.Exception"))
                continue
            matched.extend(log for log in logs if log not in matched)
        if not matched:
            return
        events: list[HostEvent] = []
        if HYPERV_LOG in matched:
            try:
                events = client.events()
                machine = client.host_name
            except HyperVError:
                self.ctx.write_error(self.ctx.error_record(
                    "The RPC server is unavailable.", "System.Diagnostics.Eventing.Reader.EventLogException",
                    "NotSpecified", exception_type="System.Diagnostics.Eventing.Reader.EventLogException"))
                return
        records = [EventLogRecord(e, i + 1, machine) for i, e in enumerate(events)]
        if TASK_LOG in matched:
            try:
                machine = client.host_name
                task_events = client.tasks.events()
            except HyperVError:
                task_events = []
            records += [EventLogRecord(HostEvent(e.time, e.level, e.event_id, e.message), i + 1, machine, TASK_LOG,
                                       (TASK_PROVIDER, TASK_PROVIDER_ID)) for i, e in enumerate(task_events)]
        records.sort(key=lambda r: (r.event.time_created, r.record_id), reverse=not self.Oldest)
        if self.MaxEvents is not None:
            records = records[:max(0, int(self.MaxEvents))]
        if not records:
            self.ctx.write_error(self.ctx.error_record(
                "No events were found that match the specified selection criteria.", "NoMatchingEventsFound",
                "ObjectNotFound", exception_type="System.Exception"))
            return
        yield from records
