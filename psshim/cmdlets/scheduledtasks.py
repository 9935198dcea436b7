"""The ScheduledTasks module: thin adapters over `sdk.tasks` (the emulated host's Task Scheduler).

New-ScheduledTaskAction/-Trigger/-Principal/-SettingsSet/New-ScheduledTask build CIM instances
(`taskobjects`); Register-/Set-/Get-/Unregister-/Enable-/Disable-/Start-/Stop-ScheduledTask,
Get-ScheduledTaskInfo and Export-ScheduledTask each make one SDK call per task. Tasks are named
by -TaskName (wildcards allowed in Get-ScheduledTask) and -TaskPath (the folder, `\\` by default),
or come from the pipeline as MSFT_ScheduledTask objects (-InputObject).

Errors are the module's: an exact name that matches nothing is CIM's "No MSFT_ScheduledTask
objects found with property 'TaskName' equal to 'X'." (CmdletizationQuery_NotFound_TaskName);
the Task Scheduler's refusals carry its HRESULT (`HRESULT 0x800700b7`: the task exists).
Not emulated: -CimSession, -Xml, -Password (a task runs as the emulated user whoever it names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from hyperv_emu.psshim.cmdlets import taskobjects as O
from hyperv_emu.psshim.cmdlets.taskxml import task_xml
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards
from hyperv_emu.psshim.runtime.errors import PSError, not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.tasks import (
    ScheduledTask,
    TaskAction,
    TaskClient,
    TaskDefinition,
    TaskPrincipal,
    TaskSettings,
    TaskTrigger,
)

MODULE = "ScheduledTasks"
CIM_JOB_EXCEPTION = "Microsoft.PowerShell.Cmdletization.Cim.CimJobException"
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
MULTIPLE_INSTANCES = ("Parallel", "Queue", "IgnoreNew", "StopExisting")
LOGON_TYPES = ("None", "Password", "S4U", "Interactive", "Group", "ServiceAccount", "InteractiveOrPassword")


def _tasks(ctx: Any) -> TaskClient:
    client: HyperVClient = ctx.hyperv
    return client.tasks


def _cim_error(ctx: Any, exc: HyperVError) -> Any:
    """The Task Scheduler's refusal as the module reports it (a CimException with its HRESULT)."""
    return ctx.error_record(exc.message, exc.error_id, exc.category, exception_type=CIM_EXCEPTION,
                            target_name="PS_ScheduledTask", target_type=f"{O.NAMESPACE}/PS_ScheduledTask")


def _not_found(ctx: Any, prop: str, value: str) -> Any:
    return ctx.error_record(
        f"No MSFT_ScheduledTask objects found with property '{prop}' equal to '{value}'.  Verify the value of the "
        "property and retry.", f"CmdletizationQuery_NotFound_{prop}", "ObjectNotFound", target_object=value,
        exception_type=CIM_JOB_EXCEPTION)


def _conversion_error(ctx: Any, param: str, exc: Exception) -> Any:
    return ctx.error_record(f"Cannot process argument transformation on parameter '{param}'. {exc}",
                            "ParameterArgumentTransformationError", "InvalidData",
                            exception_type="System.Management.Automation.ParameterBindingArgumentTransformationException")


class _TaskCommand(Cmdlet):
    """The shared part of the cmdlets that act on named tasks."""

    CimSession = Param("object")

    def _refuse_cim_session(self) -> None:
        if self.is_bound("CimSession"):
            raise not_supported(f"{self.ctx.info.name} -CimSession")

    def targets(self) -> Iterator[ScheduledTask]:
        """The tasks named by -TaskName/-TaskPath or given as -InputObject (errors written for
        exact names that match nothing)."""
        self._refuse_cim_session()
        tasks = _tasks(self.ctx)
        obj = getattr(self, "InputObject", None) if self.is_bound("InputObject") else None
        if obj is not None:
            for item in C.as_list(obj):
                if not O.is_class(item, "MSFT_ScheduledTask"):
                    self.ctx.write_error(_conversion_error(self.ctx, "InputObject", ValueError(
                        f"Cannot convert '{C.to_string(item)}' to an MSFT_ScheduledTask.")))
                    continue
                try:
                    yield tasks.task(C.to_string(item.get("TaskName")), C.to_string(item.get("TaskPath") or "\\"))
                except HyperVError:
                    self.ctx.write_error(_not_found(self.ctx, "TaskName", C.to_string(item.get("TaskName"))))
            return
        task_name, task_path = getattr(self, "TaskName", None), getattr(self, "TaskPath", None)
        names = [C.to_string(n) for n in C.as_list(task_name)] if task_name is not None else None
        paths = [C.to_string(p) for p in C.as_list(task_path)] if task_path is not None else None
        for name in names if names is not None else [None]:
            query_paths = paths
            if name is not None and "\\" in name and paths is None:  # -TaskName "\\Sample\\SchedTask01"
                folder, _, name = name.rpartition("\\")
                query_paths = [folder + "\\"]
            found = tasks.get(None if name is None else [name], query_paths)
            if not found and name is not None and not has_wildcards(name):
                self.ctx.write_error(_not_found(self.ctx, "TaskName", name))
            if not found and name is None and paths and not any(has_wildcards(p) for p in paths):
                self.ctx.write_error(_not_found(self.ctx, "TaskPath", paths[0]))
            yield from found


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


def _definition(ctx: Any, action: Any, trigger: Any, settings: Any, principal: Any, description: Any,
                user: Any = None, run_level: Any = None) -> TaskDefinition:
    try:
        actions = None if action is None else tuple(O.action_of(a) for a in C.as_list(action))
        triggers = None if trigger is None else tuple(O.trigger_of(t) for t in C.as_list(trigger))
        settings_v = None if settings is None else O.settings_of(settings)
        principal_v = None if principal is None else O.principal_of(principal)
    except ValueError as exc:
        ctx.throw_terminating(_conversion_error(ctx, "Action" if action is not None else "Trigger", exc))
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
        d = _definition(self.ctx, self.Action, self.Trigger, self.Settings, self.Principal, self.Description)
        task = ScheduledTask(path="", name="", state="Unknown", actions=d.actions or (), triggers=d.triggers or (),
                             settings=d.settings or TaskSettings(), principal=d.principal or TaskPrincipal(),
                             description=d.description or "")
        cim = O.task_cim(task)
        cim.props["TaskName"] = None
        cim.props["TaskPath"] = None
        cim.props["URI"] = None
        yield cim


# --- registering and changing ------------------------------------------------------------------


@cmdlet("Register-ScheduledTask", module=MODULE, class_name="Register-ScheduledTask", default_set="User")
class RegisterScheduledTask(Cmdlet):
    """Registers a task (its name in -TaskName, its folder in -TaskPath); -Force replaces one."""

    # positions as the module declares them (TaskName 0, TaskPath 1, Action 2, Trigger 3, ...)
    TaskName = Param("string", InSet("User", position=0, mandatory=True), InSet("Principal", position=0,
                     mandatory=True), InSet("Object", position=0), InSet("Xml", position=0, mandatory=True))
    TaskPath = Param("string", position=1)
    Action = Param("object[]", InSet("User", position=2, mandatory=True), InSet("Principal", position=2,
                   mandatory=True))
    Trigger = Param("object[]", InSet("User", position=3), InSet("Principal", position=3))
    Settings = Param("object", InSet("User", position=4), InSet("Principal", position=4))
    User = Param("string", InSet("User", position=5), InSet("Object", position=5), InSet("Xml", position=5))
    Password = Param("string", InSet("User", position=6), InSet("Object", position=6), InSet("Xml", position=6))
    RunLevel = Param("string", InSet("User", position=7))
    Description = Param("string", InSet("User", position=8), InSet("Principal", position=8))
    Principal = Param("object", InSet("Principal", position=5, mandatory=True))
    InputObject = Param("object", InSet("Object", position=2, mandatory=True, pipeline=True))
    Xml = Param("string", InSet("Xml", position=2, mandatory=True))
    Force = Param("switch")
    CimSession = Param("object")

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set == "Xml":
            raise not_supported("Register-ScheduledTask -Xml")
        if self.is_bound("CimSession"):
            raise not_supported("Register-ScheduledTask -CimSession")
        if self.ctx.parameter_set == "Object":
            obj = self.InputObject
            if not O.is_class(obj, "MSFT_ScheduledTask"):
                self.ctx.throw_terminating(_conversion_error(self.ctx, "InputObject", ValueError(
                    f"Cannot convert '{C.to_string(obj)}' to an MSFT_ScheduledTask.")))
            d = _definition(self.ctx, obj.get("Actions"), obj.get("Triggers") or [], obj.get("Settings"),
                            obj.get("Principal"), obj.get("Description"))
        else:
            d = _definition(self.ctx, self.Action, self.Trigger if self.Trigger is not None else [], self.Settings,
                            self.Principal, self.Description, self.User, self.RunLevel)
        name = self.TaskName
        if name is None and self.ctx.parameter_set == "Object":
            name = self.InputObject.get("TaskName")
        if not name:
            self.ctx.throw_terminating(self.ctx.error_record(
                "The task XML is missing a required element or attribute.", "HRESULT 0x8004131a",
                "InvalidArgument", exception_type=CIM_EXCEPTION))
        try:
            task = _tasks(self.ctx).register(C.to_string(name), d, path=C.to_string(self.TaskPath or "\\"),
                                             force=bool(self.Force))
        except HyperVError as exc:
            self.ctx.write_error(_cim_error(self.ctx, exc))
            return
        yield O.task_cim(task)


@cmdlet("Set-ScheduledTask", module=MODULE, class_name="Set-ScheduledTask", default_set="User")
class SetScheduledTask(_TaskCommand):
    """Replaces the parts given (-Action, -Trigger, -Settings, -Principal or -User)."""

    TaskName = Param("string", InSet("User", position=0, mandatory=True), InSet("Principal", position=0,
                     mandatory=True))
    TaskPath = Param("string", InSet("User", position=1), InSet("Principal", position=1))
    Action = Param("object[]", InSet("User", position=2), InSet("Principal", position=2))
    Trigger = Param("object[]", InSet("User", position=3), InSet("Principal", position=3))
    Settings = Param("object", InSet("User", position=4), InSet("Principal", position=5))
    User = Param("string", InSet("User", position=5))
    Password = Param("string", InSet("User", position=6))
    Principal = Param("object", InSet("Principal", position=4, mandatory=True))
    InputObject = Param("object", InSet("Object", position=0, mandatory=True, pipeline=True))

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set == "Object":
            obj = self.InputObject
            d = _definition(self.ctx, obj.get("Actions"), obj.get("Triggers"), obj.get("Settings"),
                            obj.get("Principal"), obj.get("Description")) if O.is_class(obj, "MSFT_ScheduledTask") \
                else TaskDefinition()
        else:
            d = _definition(self.ctx, self.Action, self.Trigger, self.Settings, self.Principal, None, self.User)
        for task in list(self.targets()):
            try:
                yield O.task_cim(_tasks(self.ctx).update(task.name, d, task.path))
            except HyperVError as exc:
                self.ctx.write_error(_cim_error(self.ctx, exc))


class _NamedTaskCommand(_TaskCommand):
    TaskName = Param("string[]", InSet("Query", position=0))
    TaskPath = Param("string[]", InSet("Query", position=1))
    InputObject = Param("object[]", InSet("Object", mandatory=True, pipeline=True))


@cmdlet("Get-ScheduledTask", module=MODULE, class_name="Get-ScheduledTask", default_set="Query")
class GetScheduledTask(_NamedTaskCommand):
    """The registered tasks (by name and folder, wildcards allowed), folder then name."""

    def process_record(self) -> Iterator[Any]:
        for task in self.targets():
            yield O.task_cim(task)


@cmdlet("Get-ScheduledTaskInfo", module=MODULE, class_name="Get-ScheduledTaskInfo", default_set="Query")
class GetScheduledTaskInfo(_NamedTaskCommand):
    """LastRunTime, LastTaskResult, NextRunTime, NumberOfMissedRuns of tasks."""

    TaskName = Param("string", InSet("Query", position=0, mandatory=True))
    TaskPath = Param("string", InSet("Query", position=1))
    InputObject = Param("object", InSet("Object", position=0, mandatory=True, pipeline=True))

    def process_record(self) -> Iterator[Any]:
        for task in list(self.targets()):
            yield O.info_cim(_tasks(self.ctx).info(task.name, task.path))


@cmdlet("Unregister-ScheduledTask", module=MODULE, class_name="Unregister-ScheduledTask", default_set="Query",
        supports_should_process=True, confirm_impact="High")
class UnregisterScheduledTask(_NamedTaskCommand):
    """Deletes tasks (asks first: ConfirmImpact High; -Confirm:$false does not)."""

    def process_record(self) -> None:
        for task in list(self.targets()):
            if self.ctx.should_process(task.uri, "Delete"):
                _tasks(self.ctx).unregister(task.name, task.path)


@cmdlet("Enable-ScheduledTask", module=MODULE, class_name="Enable-ScheduledTask", default_set="Query")
class EnableScheduledTask(_NamedTaskCommand):
    """Enables tasks (their triggers fire again from now; the ones that passed are not caught up)."""

    def process_record(self) -> Iterator[Any]:
        for task in list(self.targets()):
            yield O.task_cim(_tasks(self.ctx).enable(task.name, task.path))


@cmdlet("Disable-ScheduledTask", module=MODULE, class_name="Disable-ScheduledTask", default_set="Query")
class DisableScheduledTask(_NamedTaskCommand):
    """Disables tasks: their triggers pass without running them."""

    def process_record(self) -> Iterator[Any]:
        for task in list(self.targets()):
            yield O.task_cim(_tasks(self.ctx).disable(task.name, task.path))


@cmdlet("Start-ScheduledTask", module=MODULE, class_name="Start-ScheduledTask", default_set="Query")
class StartScheduledTask(_NamedTaskCommand):
    """Runs tasks now. In the emulator the run finishes before the cmdlet returns (on a host the
    cmdlet returns at once): its Start-Sleep moves the caller's clock too."""

    def process_record(self) -> None:
        for task in list(self.targets()):
            try:
                _tasks(self.ctx).start(task.name, task.path)
            except HyperVError as exc:
                self.ctx.write_error(_cim_error(self.ctx, exc))


@cmdlet("Stop-ScheduledTask", module=MODULE, class_name="Stop-ScheduledTask", default_set="Query")
class StopScheduledTask(_NamedTaskCommand):
    """Ends the unfinished runs of tasks (recorded as terminated, 0x41306)."""

    def process_record(self) -> None:
        for task in list(self.targets()):
            _tasks(self.ctx).stop(task.name, task.path)


@cmdlet("Export-ScheduledTask", module=MODULE, class_name="Export-ScheduledTask", default_set="Query")
class ExportScheduledTask(_NamedTaskCommand):
    """A task's definition as Task Scheduler XML (schema 1.2)."""

    TaskName = Param("string", InSet("Query", position=0))
    TaskPath = Param("string", InSet("Query", position=1))
    InputObject = Param("object", InSet("Object", position=0, mandatory=True, pipeline=True))

    def process_record(self) -> Iterator[Any]:
        for task in list(self.targets()):
            yield task_xml(task, self.ctx.hyperv.host_name)
