"""The ScheduledTasks module's objects: CIM instances of Root/Microsoft/Windows/TaskScheduler
(MSFT_ScheduledTask, MSFT_TaskExecAction, MSFT_Task*Trigger, MSFT_TaskSettings3,
MSFT_TaskPrincipal2, MSFT_TaskDynamicInfo), converted from and to the SDK's values.

As in the module (a CDXML module over CIM), their properties can be set (`$trigger.DaysInterval
= 2`, `$task.Settings.ExecutionTimeLimit = 'PT2H'`), durations are ISO 8601 strings (`PT72H`,
`P1D`), StartBoundary and EndBoundary strings (`2026-02-20T02:00:00`), DaysOfWeek a bit mask
(Sunday 1 ... Saturday 64) and State an enum (Unknown, Disabled, Queued, Ready, Running).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.sdk.types import PSEnum
from hyperv_emu.sdk.tasks import (
    ScheduledTask,
    ScheduledTaskInfo,
    TaskAction,
    TaskPrincipal,
    TaskSettings,
    TaskTrigger,
)

NAMESPACE = "Root/Microsoft/Windows/TaskScheduler"
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
TRIGGER_CLASSES = {"Once": "MSFT_TaskTimeTrigger", "Daily": "MSFT_TaskDailyTrigger",
                   "Weekly": "MSFT_TaskWeeklyTrigger", "AtStartup": "MSFT_TaskBootTrigger",
                   "AtLogOn": "MSFT_TaskLogonTrigger"}
_KIND_OF_CLASS = {v.casefold(): k for k, v in TRIGGER_CLASSES.items()}
INDEFINITELY_DAYS = 10000  # a repetition duration longer than this (TimeSpan.MaxValue) means "indefinitely"


class StateEnum(PSEnum):
    """Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.StateEnum."""

    __ps_type_name__ = "Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.StateEnum"
    Unknown = 0
    Disabled = 1
    Queued = 2
    Ready = 3
    Running = 4


class TaskCim(PSNative):
    """A CIM instance of the Task Scheduler's namespace: class name and settable properties."""

    def __init__(self, class_name: str, props: list[tuple[str, Any]], computer: str = "") -> None:
        self.class_name = class_name
        self.props: dict[str, Any] = dict(props)
        self.props["PSComputerName"] = computer or None

    def __ps_type_names__(self) -> list[str]:  # type: ignore[override]
        base = "Microsoft.Management.Infrastructure.CimInstance"
        return [f"{base}#{NAMESPACE}/{self.class_name}", f"{base}#{self.class_name}", base, "System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return list(self.props.items())

    def __ps_set__(self, name: str, value: Any) -> None:
        for key in self.props:
            if key.casefold() == name.casefold() and key != "PSComputerName":
                self.props[key] = value
                return
        from hyperv_emu.psshim.runtime.members import property_not_found

        raise property_not_found(name)

    def __ps_string__(self) -> str:
        """CimInstance.ToString(): the class name, with the key properties of a task."""
        if self.class_name == "MSFT_ScheduledTask":
            return f"MSFT_ScheduledTask (TaskName = \"{self.get('TaskName')}\", TaskPath = \"{self.get('TaskPath')}\")"
        return self.class_name

    def ps_to_string(self) -> str:
        return self.__ps_string__()

    def get(self, name: str) -> Any:
        for key, value in self.props.items():
            if key.casefold() == name.casefold():
                return value
        return None


def is_class(obj: Any, *names: str) -> bool:
    return isinstance(obj, TaskCim) and obj.class_name.casefold() in {n.casefold() for n in names}


# --- ISO 8601 durations and boundaries --------------------------------------------------------------

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE)


DEFAULT_TIME_LIMIT = 72 * 3600  # the Task Scheduler's default ExecutionTimeLimit, written `PT72H`


def iso_duration(seconds: float | None) -> str | None:
    """XmlConvert.ToString(TimeSpan), as the module writes a duration: `P1D`, `PT2H`, `PT1H30M`;
    the default execution time limit is the Task Scheduler's own `PT72H`."""
    if seconds is None:
        return None
    if seconds == DEFAULT_TIME_LIMIT:
        return "PT72H"
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    if time_part:
        text += "T" + time_part
    return text if text != "P" else "PT0S"


def parse_duration(value: Any, what: str) -> float | None:
    """A duration given as a TimeSpan or an ISO 8601 string (None / "" -> None)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    text = C.to_string(value).strip()
    m = _DURATION.match(text)
    if not m or text.upper() in ("P", "PT"):
        raise ValueError(f"The {what} '{text}' is not an ISO 8601 duration such as PT1H or P1D.")
    d, h, mi, s = m.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def boundary(value: dt.datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat()


def parse_boundary(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    text = C.to_string(value).strip()
    text = re.sub(r"(Z|[+-]\d\d:\d\d)$", "", text)
    return dt.datetime.fromisoformat(text)


def days_mask(days: tuple[str, ...] | list[str]) -> int:
    return sum(1 << DAYS.index(d) for d in days if d in DAYS)


def days_of_mask(mask: int) -> tuple[str, ...]:
    return tuple(d for i, d in enumerate(DAYS) if mask >> i & 1)


# --- SDK values -> CIM instances ----------------------------------------------------------------


def action_cim(a: TaskAction, computer: str = "") -> TaskCim:
    return TaskCim("MSFT_TaskExecAction", [("Id", None), ("Arguments", a.arguments or None), ("Execute", a.execute),
                                           ("WorkingDirectory", a.working_directory or None)], computer)


def repetition_cim(t: TaskTrigger, computer: str = "") -> TaskCim:
    interval = t.repetition_interval.total_seconds() if t.repetition_interval else None
    duration = t.repetition_duration.total_seconds() if t.repetition_duration else None
    return TaskCim("MSFT_TaskRepetitionPattern", [("Duration", iso_duration(duration) if interval else None),
                                                  ("Interval", iso_duration(interval)),
                                                  ("StopAtDurationEnd", False)], computer)


def trigger_cim(t: TaskTrigger, computer: str = "") -> TaskCim:
    props: list[tuple[str, Any]] = [
        ("Enabled", t.enabled), ("EndBoundary", boundary(t.end)), ("ExecutionTimeLimit", None), ("Id", None),
        ("Repetition", repetition_cim(t, computer)), ("StartBoundary", boundary(t.start))]
    delay = iso_duration(t.random_delay.total_seconds()) if t.random_delay else None
    if t.kind == "Daily":
        props += [("DaysInterval", t.days_interval), ("RandomDelay", delay)]
    elif t.kind == "Weekly":
        props += [("DaysOfWeek", days_mask(t.days_of_week)), ("RandomDelay", delay), ("WeeksInterval", t.weeks_interval)]
    elif t.kind == "Once":
        props += [("RandomDelay", delay)]
    elif t.kind == "AtStartup":
        props += [("Delay", delay)]
    else:
        props += [("Delay", delay), ("UserId", t.user_id or None)]
    return TaskCim(TRIGGER_CLASSES[t.kind], props, computer)


def settings_cim(s: TaskSettings, computer: str = "") -> TaskCim:
    limit = s.execution_time_limit.total_seconds() if s.execution_time_limit else 0
    return TaskCim("MSFT_TaskSettings3", [
        ("AllowDemandStart", s.allow_demand_start), ("AllowHardTerminate", s.allow_hard_terminate),
        ("Compatibility", "Win8"), ("DeleteExpiredTaskAfter", None),
        ("DisallowStartIfOnBatteries", s.disallow_start_if_on_batteries), ("Enabled", s.enabled),
        ("ExecutionTimeLimit", iso_duration(limit)), ("Hidden", s.hidden), ("IdleSettings", None),
        ("MultipleInstances", s.multiple_instances), ("NetworkSettings", None), ("Priority", s.priority),
        ("RestartCount", 0), ("RestartInterval", None), ("RunOnlyIfIdle", False),
        ("RunOnlyIfNetworkAvailable", s.run_only_if_network_available), ("StartWhenAvailable", s.start_when_available),
        ("StopIfGoingOnBatteries", s.stop_if_going_on_batteries), ("WakeToRun", s.wake_to_run),
        ("DisallowStartOnRemoteAppSession", False), ("UseUnifiedSchedulingEngine", True),
        ("MaintenanceSettings", None), ("volatile", False)], computer)


def principal_cim(p: TaskPrincipal, computer: str = "") -> TaskCim:
    return TaskCim("MSFT_TaskPrincipal2", [
        ("DisplayName", None), ("GroupId", p.group_id or None), ("Id", "Author"), ("LogonType", p.logon_type),
        ("RunLevel", p.run_level), ("UserId", p.user_id or None), ("ProcessTokenSidType", "Default"),
        ("RequiredPrivilege", None)], computer)


def task_cim(t: ScheduledTask) -> TaskCim:
    computer = ""
    return TaskCim("MSFT_ScheduledTask", [
        ("Actions", [action_cim(a, computer) for a in t.actions]), ("Author", t.author or None),
        ("Date", boundary(t.date)), ("Description", t.description or None), ("Documentation", None),
        ("Principal", principal_cim(t.principal, computer)), ("SecurityDescriptor", None),
        ("Settings", settings_cim(t.settings, computer)), ("Source", None),
        ("State", StateEnum[t.state] if t.state in StateEnum.__members__ else StateEnum.Unknown),
        ("TaskName", t.name), ("TaskPath", t.path),
        ("Triggers", [trigger_cim(x, computer) for x in t.triggers]), ("URI", t.uri), ("Version", None)], computer)


NEVER = dt.datetime(1999, 11, 30)  # the LastRunTime Windows shows for a task that never ran


def info_cim(i: ScheduledTaskInfo) -> TaskCim:
    return TaskCim("MSFT_TaskDynamicInfo", [
        ("LastRunTime", i.last_run_time or NEVER), ("LastTaskResult", i.last_task_result),
        ("NextRunTime", i.next_run_time), ("NumberOfMissedRuns", i.number_of_missed_runs),
        ("TaskName", i.name), ("TaskPath", i.path)], "")


# --- CIM instances -> SDK values ----------------------------------------------------------------


def _bool(value: Any, default: bool) -> bool:
    return default if value is None else C.to_bool(value)


def action_of(obj: Any) -> TaskAction:
    if not is_class(obj, "MSFT_TaskExecAction"):
        raise ValueError(f"Cannot convert '{C.to_string(obj)}' to an MSFT_TaskAction.")
    return TaskAction(C.to_string(obj.get("Execute") or ""), C.to_string(obj.get("Arguments") or ""),
                      C.to_string(obj.get("WorkingDirectory") or ""))


def trigger_of(obj: Any) -> TaskTrigger:
    kind = _KIND_OF_CLASS.get(obj.class_name.casefold()) if isinstance(obj, TaskCim) else None
    if kind is None:
        raise ValueError(f"Cannot convert '{C.to_string(obj)}' to an MSFT_TaskTrigger.")
    rep = obj.get("Repetition")
    interval = parse_duration(rep.get("Interval"), "repetition interval") if isinstance(rep, TaskCim) else None
    duration = parse_duration(rep.get("Duration"), "repetition duration") if isinstance(rep, TaskCim) else None
    if duration is not None and duration > INDEFINITELY_DAYS * 86400:
        duration = None
    delay = parse_duration(obj.get("RandomDelay") if kind in ("Once", "Daily", "Weekly") else obj.get("Delay"),
                           "delay")

    def td(s: float | None) -> dt.timedelta | None:
        return None if not s else dt.timedelta(seconds=s)

    return TaskTrigger(
        kind=kind, start=parse_boundary(obj.get("StartBoundary")),
        days_interval=int(obj.get("DaysInterval") or 1), weeks_interval=int(obj.get("WeeksInterval") or 1),
        days_of_week=days_of_mask(int(obj.get("DaysOfWeek") or 0)), repetition_interval=td(interval),
        repetition_duration=td(duration), random_delay=td(delay), end=parse_boundary(obj.get("EndBoundary")),
        enabled=_bool(obj.get("Enabled"), True), user_id=C.to_string(obj.get("UserId") or ""))


def settings_of(obj: Any) -> TaskSettings:
    if not is_class(obj, "MSFT_TaskSettings3", "MSFT_TaskSettings2", "MSFT_TaskSettings"):
        raise ValueError(f"Cannot convert '{C.to_string(obj)}' to an MSFT_TaskSettings.")
    limit = parse_duration(obj.get("ExecutionTimeLimit"), "execution time limit")
    return TaskSettings(
        enabled=_bool(obj.get("Enabled"), True),
        execution_time_limit=dt.timedelta(seconds=limit) if limit else None,
        multiple_instances=C.to_string(obj.get("MultipleInstances") or "IgnoreNew"),
        start_when_available=_bool(obj.get("StartWhenAvailable"), False),
        allow_demand_start=_bool(obj.get("AllowDemandStart"), True),
        allow_hard_terminate=_bool(obj.get("AllowHardTerminate"), True), hidden=_bool(obj.get("Hidden"), False),
        priority=int(obj.get("Priority") if obj.get("Priority") is not None else 7),
        disallow_start_if_on_batteries=_bool(obj.get("DisallowStartIfOnBatteries"), True),
        stop_if_going_on_batteries=_bool(obj.get("StopIfGoingOnBatteries"), True),
        run_only_if_network_available=_bool(obj.get("RunOnlyIfNetworkAvailable"), False),
        wake_to_run=_bool(obj.get("WakeToRun"), False))


def principal_of(obj: Any) -> TaskPrincipal:
    if not is_class(obj, "MSFT_TaskPrincipal2", "MSFT_TaskPrincipal"):
        raise ValueError(f"Cannot convert '{C.to_string(obj)}' to an MSFT_TaskPrincipal.")
    return TaskPrincipal(C.to_string(obj.get("UserId") or ""), C.to_string(obj.get("LogonType") or "Interactive"),
                         C.to_string(obj.get("RunLevel") or "Limited"), C.to_string(obj.get("GroupId") or ""))
