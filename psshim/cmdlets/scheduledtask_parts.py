"""The ScheduledTasks module's building blocks: New-ScheduledTaskAction, New-ScheduledTaskTrigger,
New-ScheduledTaskPrincipal, New-ScheduledTaskSettingsSet and New-ScheduledTask make the CIM
instances (`taskobjects`) that Register-/Set-ScheduledTask (`scheduledtasks`) take; `definition`
turns them into the SDK's `TaskDefinition`. Nothing here talks to the Task Scheduler."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from hyperv_emu.psshim.cmdlets import taskobjects as O
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.errors import PSError
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.sdk.tasks import (
    ScheduledTask,
    TaskAction,
    TaskDefinition,
    TaskPrincipal,
    TaskSettings,
    TaskTrigger,
)

MODULE = "ScheduledTasks"
MULTIPLE_INSTANCES = ("Parallel", "Queue", "IgnoreNew", "StopExisting")
LOGON_TYPES = ("None", "Password", "S4U", "Interactive", "Group", "ServiceAccount", "InteractiveOrPassword")


def conversion_error(ctx: Any, param: str, exc: Exception) -> Any:
    return ctx.error_record(f"Cannot process argument transformation on parameter '{param}'. {exc}",
                            "ParameterArgumentTransformationError", "InvalidData",
                            exception_type="System.Management.Automation.ParameterBindingArgumentTransformationException")


# --- building blocks ------------------------------------------------------------------------------


@cmdlet("New-ScheduledTaskAction", module=MODULE, class_name="New-ScheduledTaskAction")
class NewScheduledTaskAction(Cmdlet):
    """An exec action (MSFT_TaskExecAction)."""

    Execute = Param("string", position=0, mandatory=True)
    Argument = Param("string", position=1)
    WorkingDirectory = Param("string", position=2)
    Id = Param("string")
    CimSession = Param("object")

    def process_record(self) -> Iterator[Any]:
        action = TaskAction(C.to_string(self.Execute), C.to_string(self.Argument or ""),
                            C.to_string(self.WorkingDirectory or ""))
        cim = O.action_cim(action)
        if self.Id is not None:
            cim.props["Id"] = C.to_string(self.Id)
        yield cim


def _timespan(value: Any) -> dt.timedelta | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value
    seconds = O.parse_duration(value, "time span")
    return None if seconds is None else dt.timedelta(seconds=seconds)


@cmdlet("New-ScheduledTaskTrigger", module=MODULE, class_name="New-ScheduledTaskTrigger", default_set="Once")
class NewScheduledTaskTrigger(Cmdlet):
    """A trigger: -Once, -Daily, -Weekly, -AtStartup, -AtLogOn."""

    Once = Param("switch", InSet("Once", mandatory=True))
    Daily = Param("switch", InSet("Daily", mandatory=True))
    Weekly = Param("switch", InSet("Weekly", mandatory=True))
    AtStartup = Param("switch", InSet("Startup", mandatory=True))
    AtLogOn = Param("switch", InSet("Logon", mandatory=True))
    # bound as an object and converted here: a time without a date (`2am`) is on the host's
    # today, from the emulated clock
    At = Param("object", InSet("Once", mandatory=True), InSet("Daily", mandatory=True),
               InSet("Weekly", mandatory=True))
    DaysInterval = Param("int", InSet("Daily"))
    WeeksInterval = Param("int", InSet("Weekly"))
    DaysOfWeek = Param("string[]", InSet("Weekly"))
    RepetitionInterval = Param("timespan", InSet("Once"))
    RepetitionDuration = Param("timespan", InSet("Once"))
    RandomDelay = Param("timespan")
    User = Param("string", InSet("Logon"))

    def process_record(self) -> Iterator[Any]:
        kind = {"Once": "Once", "Daily": "Daily", "Weekly": "Weekly", "Startup": "AtStartup",
                "Logon": "AtLogOn"}[self.ctx.parameter_set]
        days: tuple[str, ...] = ()
        if kind == "Weekly":
            for d in C.as_list(self.DaysOfWeek):
                text = C.to_string(d)
                match = next((n for n in O.DAYS if n.casefold() == text.casefold()), None)
                if match is None:
                    self.ctx.throw_terminating(self.ctx.error_record(
                        f"Cannot bind parameter 'DaysOfWeek'. Cannot convert value \"{text}\" to type "
                        "\"Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.DaysOfWeekEnum\". Error: "
                        "\"Unable to match the identifier name " + text + " to a valid enumerator name. Specify one "
                        "of the following enumerator names and try again:\r\nSunday, Monday, Tuesday, Wednesday, "
                        "Thursday, Friday, Saturday\"", "CannotConvertArgumentNoMessage", "InvalidArgument",
                        exception_type="System.Management.Automation.ParameterBindingException"))
                days += (match,)
        interval = _timespan(self.RepetitionInterval)
        duration = _timespan(self.RepetitionDuration)
        if duration is not None and duration.days > O.INDEFINITELY_DAYS:
            duration = None
        at = None
        if self.At is not None:
            try:
                at = C.to_datetime(self.At, self.ctx.interp.clock.now().date()).replace(tzinfo=None)
            except PSError as exc:
                self.ctx.throw_terminating(self.ctx.error_record(
                    f"Cannot bind parameter 'At'. {exc.record.message}", "CannotConvertArgumentNoMessage",
                    "InvalidArgument", exception_type="System.Management.Automation.ParameterBindingException"))
        trigger = TaskTrigger(kind=kind, start=at, days_interval=int(self.DaysInterval or 1),
                              weeks_interval=int(self.WeeksInterval or 1), days_of_week=days,
                              repetition_interval=interval, repetition_duration=duration if interval else None,
                              random_delay=_timespan(self.RandomDelay),
                              user_id=C.to_string(self.User or ""))
        yield O.trigger_cim(trigger)


@cmdlet("New-ScheduledTaskPrincipal", module=MODULE, class_name="New-ScheduledTaskPrincipal", default_set="User")
class NewScheduledTaskPrincipal(Cmdlet):
    """Who a task runs as (MSFT_TaskPrincipal2)."""

    UserId = Param("string", InSet("User", position=0, mandatory=True))
    GroupId = Param("string", InSet("Group", position=0, mandatory=True))
    LogonType = Param("string", InSet("User"), validate=())
    RunLevel = Param("string")
    Id = Param("string")
    ProcessTokenSidType = Param("string")
    RequiredPrivilege = Param("string[]")
    CimSession = Param("object")

    def process_record(self) -> Iterator[Any]:
        run_level = C.to_string(self.RunLevel or "Limited")
        if run_level.casefold() not in ("limited", "highest"):
            self.ctx.throw_terminating(self.ctx.error_record(
                f"Cannot bind parameter 'RunLevel'. Cannot convert value \"{run_level}\" to type "
                "\"Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.RunLevelEnum\".",
                "CannotConvertArgumentNoMessage", "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException"))
        run_level = "Highest" if run_level.casefold() == "highest" else "Limited"
        logon = C.to_string(self.LogonType or ("Group" if self.GroupId else "Interactive"))
        logon = next((t for t in LOGON_TYPES if t.casefold() == logon.casefold()), logon)
        principal = TaskPrincipal(C.to_string(self.UserId or ""), logon, run_level, C.to_string(self.GroupId or ""))
        cim = O.principal_cim(principal)
        if self.Id is not None:
            cim.props["Id"] = C.to_string(self.Id)
        yield cim


@cmdlet("New-ScheduledTaskSettingsSet", module=MODULE, class_name="New-ScheduledTaskSettingsSet")
class NewScheduledTaskSettingsSet(Cmdlet):
    """Task settings (MSFT_TaskSettings3)."""

    DisallowDemandStart = Param("switch")
    DisallowHardTerminate = Param("switch")
    AllowStartIfOnBatteries = Param("switch")
    Disable = Param("switch")
    Hidden = Param("switch")
    StartWhenAvailable = Param("switch")
    DontStopIfGoingOnBatteries = Param("switch")
    WakeToRun = Param("switch")
    RunOnlyIfNetworkAvailable = Param("switch")
    RunOnlyIfIdle = Param("switch")
    ExecutionTimeLimit = Param("timespan")
    MultipleInstances = Param("string")
    Priority = Param("int")
    RestartCount = Param("int")
    RestartInterval = Param("timespan")
    Compatibility = Param("string")
    DeleteExpiredTaskAfter = Param("timespan")
    CimSession = Param("object")

    def process_record(self) -> Iterator[Any]:
        policy = C.to_string(self.MultipleInstances or "IgnoreNew")
        match = next((p for p in MULTIPLE_INSTANCES if p.casefold() == policy.casefold()), None)
        if match is None:
            self.ctx.throw_terminating(self.ctx.error_record(
                f"Cannot bind parameter 'MultipleInstances'. Cannot convert value \"{policy}\" to type "
                "\"Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.MultipleInstancesEnum\". Error: "
                f"\"Unable to match the identifier name {policy} to a valid enumerator name. Specify one of the "
                "following enumerator names and try again:\r\nParallel, Queue, IgnoreNew\"",
                "CannotConvertArgumentNoMessage", "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException"))
        limit = _timespan(self.ExecutionTimeLimit) if self.is_bound("ExecutionTimeLimit") else dt.timedelta(hours=72)
        settings = TaskSettings(
            enabled=not self.Disable, execution_time_limit=limit or None, multiple_instances=match or "IgnoreNew",
            start_when_available=bool(self.StartWhenAvailable), allow_demand_start=not self.DisallowDemandStart,
            allow_hard_terminate=not self.DisallowHardTerminate, hidden=bool(self.Hidden),
            priority=int(self.Priority) if self.Priority is not None else 7,
            disallow_start_if_on_batteries=not self.AllowStartIfOnBatteries,
            stop_if_going_on_batteries=not self.DontStopIfGoingOnBatteries,
            run_only_if_network_available=bool(self.RunOnlyIfNetworkAvailable), wake_to_run=bool(self.WakeToRun))
        yield O.settings_cim(settings)


def definition(ctx: Any, action: Any, trigger: Any, settings: Any, principal: Any, description: Any,
                user: Any = None, run_level: Any = None) -> TaskDefinition:
    try:
        actions = None if action is None else tuple(O.action_of(a) for a in C.as_list(action))
        triggers = None if trigger is None else tuple(O.trigger_of(t) for t in C.as_list(trigger))
        settings_v = None if settings is None else O.settings_of(settings)
        principal_v = None if principal is None else O.principal_of(principal)
    except ValueError as exc:
        ctx.throw_terminating(conversion_error(ctx, "Action" if action is not None else "Trigger", exc))
    if principal_v is None and (user is not None or run_level is not None):
        who = C.to_string(user or "")
        service = who.casefold() in ("system", "nt authority\\system", "localsystem", "local service",
                                     "network service", "nt authority\\local service", "nt authority\\network service")
        level = "Highest" if C.to_string(run_level or "").casefold() == "highest" else "Limited"
        principal_v = TaskPrincipal(who, "ServiceAccount" if service else "Interactive", level)
    return TaskDefinition(actions=actions, triggers=triggers, settings=settings_v, principal=principal_v,
                          description=None if description is None else C.to_string(description))


@cmdlet("New-ScheduledTask", module=MODULE, class_name="New-ScheduledTask")
class NewScheduledTask(Cmdlet):
    """A task definition not registered yet (MSFT_ScheduledTask without a name)."""

    Action = Param("object[]", position=0)
    Trigger = Param("object[]", position=1)
    Settings = Param("object", position=2)
    Principal = Param("object", position=3)
    Description = Param("string", position=4)
    CimSession = Param("object")

    def process_record(self) -> Iterator[Any]:
        d = definition(self.ctx, self.Action, self.Trigger, self.Settings, self.Principal, self.Description)
        task = ScheduledTask(path="", name="", state="Unknown", actions=d.actions or (), triggers=d.triggers or (),
                             settings=d.settings or TaskSettings(), principal=d.principal or TaskPrincipal(),
                             description=d.description or "")
        cim = O.task_cim(task)
        cim.props["TaskName"] = None
        cim.props["TaskPath"] = None
        cim.props["URI"] = None
        yield cim
