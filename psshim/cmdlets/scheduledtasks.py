"""The ScheduledTasks module: thin adapters over `sdk.tasks` (the emulated host's Task Scheduler).

New-ScheduledTaskAction/-Trigger/-Principal/-SettingsSet/New-ScheduledTask (`scheduledtask_parts`) build CIM instances
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

from typing import Any, Iterator

from hyperv_emu.psshim.cmdlets import taskobjects as O
from hyperv_emu.psshim.cmdlets.scheduledtask_parts import MODULE, conversion_error, definition
from hyperv_emu.psshim.cmdlets.taskxml import task_xml
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.tasks import ScheduledTask, TaskClient, TaskDefinition

CIM_JOB_EXCEPTION = "Microsoft.PowerShell.Cmdletization.Cim.CimJobException"
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"


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
                    self.ctx.write_error(conversion_error(self.ctx, "InputObject", ValueError(
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
                self.ctx.throw_terminating(conversion_error(self.ctx, "InputObject", ValueError(
                    f"Cannot convert '{C.to_string(obj)}' to an MSFT_ScheduledTask.")))
            d = definition(self.ctx, obj.get("Actions"), obj.get("Triggers") or [], obj.get("Settings"),
                            obj.get("Principal"), obj.get("Description"))
        else:
            d = definition(self.ctx, self.Action, self.Trigger if self.Trigger is not None else [], self.Settings,
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
            d = definition(self.ctx, obj.get("Actions"), obj.get("Triggers"), obj.get("Settings"),
                            obj.get("Principal"), obj.get("Description")) if O.is_class(obj, "MSFT_ScheduledTask") \
                else TaskDefinition()
        else:
            d = definition(self.ctx, self.Action, self.Trigger, self.Settings, self.Principal, None, self.User)
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
