"""The Task Scheduler through the SDK: values, the backend protocol, and `TaskClient`.

    client = hv.connect("memory://demo")
    tasks = client.tasks
    tasks.register("Daily Checkpoint", TaskDefinition(
        actions=(TaskAction("powershell.exe", "-File C:\\Scripts\\daily.ps1"),),
        triggers=(TaskTrigger.daily(dt.datetime(2026, 2, 20, 2)),)))
    client.sleep(14 * 86400)                 # the task runs at 02:00 every day on the way
    tasks.info("Daily Checkpoint").last_task_result
    tasks.runs("Daily Checkpoint")           # each run: when, exit code, output

A backend that has a Task Scheduler gives one from its `task_backend()` method (the emulated
backend does); `client.tasks` on another raises `BackendError`. Running a task's program needs an
`ActionRunner`: the emulator cannot start programs, so the layer above the SDK that can (psshim:
`hyperv_emu.psshim.tasks.attach(client)`) attaches one; without it a run fails with
0x80070002 and says why in its output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import attrs

from hyperv_emu.sdk.errors import BackendError
from hyperv_emu.sdk.fieldwise import Fieldwise

# Get-ScheduledTaskInfo's LastTaskResult for a task that never ran (SCHED_S_TASK_HAS_NOT_RUN)
HAS_NOT_RUN = 0x41303
RUNNING = 0x41301
TERMINATED = 0x41306
# what Windows shows as the LastRunTime of a task that never ran
NEVER = dt.datetime(1999, 11, 30)


@attrs.frozen(eq=False, repr=False)
class TaskAction(Fieldwise):
    """MSFT_TaskExecAction."""

    execute: str
    arguments: str = ""
    working_directory: str = ""


@attrs.frozen(eq=False, repr=False)
class TaskTrigger(Fieldwise):
    """A trigger: kind "Once" | "Daily" | "Weekly" | "AtStartup" | "AtLogOn" (see
    emulator/triggers.py for when each fires)."""

    kind: str
    start: dt.datetime | None = None
    days_interval: int = 1
    weeks_interval: int = 1
    days_of_week: tuple[str, ...] = ()
    repetition_interval: dt.timedelta | None = None
    repetition_duration: dt.timedelta | None = None  # None: indefinitely
    random_delay: dt.timedelta | None = None
    end: dt.datetime | None = None
    enabled: bool = True
    user_id: str = ""

    @classmethod
    def once(cls, at: dt.datetime, **kw: object) -> "TaskTrigger":
        return cls("Once", at, **kw)  # type: ignore[arg-type]

    @classmethod
    def daily(cls, at: dt.datetime, days_interval: int = 1, **kw: object) -> "TaskTrigger":
        return cls("Daily", at, days_interval=days_interval, **kw)  # type: ignore[arg-type]

    @classmethod
    def weekly(cls, at: dt.datetime, days_of_week: Sequence[str], weeks_interval: int = 1,
               **kw: object) -> "TaskTrigger":
        return cls("Weekly", at, weeks_interval=weeks_interval, days_of_week=tuple(days_of_week),
                   **kw)  # type: ignore[arg-type]


@attrs.frozen(eq=False, repr=False)
class TaskSettings(Fieldwise):
    """MSFT_TaskSettings (execution_time_limit None: no limit)."""

    enabled: bool = True
    execution_time_limit: dt.timedelta | None = dt.timedelta(hours=72)
    multiple_instances: str = "IgnoreNew"
    start_when_available: bool = False
    allow_demand_start: bool = True
    allow_hard_terminate: bool = True
    hidden: bool = False
    priority: int = 7
    disallow_start_if_on_batteries: bool = True
    stop_if_going_on_batteries: bool = True
    run_only_if_network_available: bool = False
    wake_to_run: bool = False


@attrs.frozen(eq=False, repr=False)
class TaskPrincipal(Fieldwise):
    """MSFT_TaskPrincipal."""

    user_id: str = ""
    logon_type: str = "Interactive"
    run_level: str = "Limited"
    group_id: str = ""


@attrs.frozen(eq=False, repr=False)
class TaskDefinition(Fieldwise):
    """What to register (or, for `update`, the parts to replace: None keeps the task's)."""

    actions: tuple[TaskAction, ...] | None = None
    triggers: tuple[TaskTrigger, ...] | None = None
    settings: TaskSettings | None = None
    principal: TaskPrincipal | None = None
    description: str | None = None
    author: str | None = None


@attrs.frozen(eq=False, repr=False)
class ScheduledTask(Fieldwise):
    """MSFT_ScheduledTask: state "Ready" | "Running" | "Disabled" | "Queued"."""

    path: str
    name: str
    state: str
    actions: tuple[TaskAction, ...]
    triggers: tuple[TaskTrigger, ...]
    settings: TaskSettings
    principal: TaskPrincipal
    description: str = ""
    author: str = ""
    date: dt.datetime | None = None  # registration time
    computer_name: str = ""

    @property
    def uri(self) -> str:
        return self.path + self.name


@attrs.frozen(eq=False, repr=False)
class ScheduledTaskInfo(Fieldwise):
    """MSFT_TaskDynamicInfo (Get-ScheduledTaskInfo). last_run_time None: never ran."""

    path: str
    name: str
    last_run_time: dt.datetime | None
    last_task_result: int
    next_run_time: dt.datetime | None
    number_of_missed_runs: int
    computer_name: str = ""


@attrs.frozen(eq=False, repr=False)
class TaskRun(Fieldwise):
    """One run of a task: reason "time" | "demand" | "queued"; result the exit code (or an
    SCHED_S_*/HRESULT value); output what the action wrote."""

    instance: str
    reason: str
    scheduled: dt.datetime | None
    started: dt.datetime
    ended: dt.datetime | None
    result: int
    output: str


@attrs.frozen(eq=False, repr=False)
class TaskEvent(Fieldwise):
    """An event of Microsoft-Windows-TaskScheduler/Operational."""

    time: dt.datetime
    event_id: int
    level: str
    message: str
    task: str
    instance: str = ""


@attrs.frozen(eq=False, repr=False)
class ActionRequest(Fieldwise):
    """Run this exec action of task `task` on host `host`."""

    host: str
    task: str
    instance: str
    execute: str
    arguments: str
    working_directory: str


@attrs.frozen(eq=False, repr=False)
class ActionOutcome(Fieldwise):
    """launched False: the program could not be started (exit_code: the HRESULT)."""

    exit_code: int
    output: str = ""
    launched: bool = True


ActionRunner = Callable[[ActionRequest], ActionOutcome]


@runtime_checkable
class TaskBackend(Protocol):
    def register_task(self, computer: str | None, path: str | None, name: str, definition: TaskDefinition,
                      force: bool) -> ScheduledTask: ...
    def get_tasks(self, computer: str | None, names: Sequence[str] | None,
                  paths: Sequence[str] | None) -> list[ScheduledTask]: ...
    def get_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask: ...
    def update_task(self, computer: str | None, path: str | None, name: str,
                    definition: TaskDefinition) -> ScheduledTask: ...
    def unregister_task(self, computer: str | None, path: str | None, name: str) -> None: ...
    def set_task_enabled(self, computer: str | None, path: str | None, name: str, enabled: bool) -> ScheduledTask: ...
    def start_task(self, computer: str | None, path: str | None, name: str) -> None: ...
    def stop_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask: ...
    def task_info(self, computer: str | None, path: str | None, name: str) -> ScheduledTaskInfo: ...
    def task_runs(self, computer: str | None, path: str | None, name: str) -> list[TaskRun]: ...
    def task_events(self, computer: str | None) -> list[TaskEvent]: ...
    def task_log_enabled(self, computer: str | None) -> bool: ...
    def set_task_log_enabled(self, computer: str | None, enabled: bool) -> None: ...
    def clear_task_log(self, computer: str | None) -> None: ...
    def set_action_runner(self, runner: ActionRunner | None) -> None: ...


class TaskClient:
    """The Task Scheduler of one host (`client.tasks`). Tasks are named by name and folder
    (`path`, default `\\`); a full name `\\Backup\\Nightly` in `name` also works."""

    def __init__(self, backend: object, computer: str | None) -> None:
        factory = getattr(backend, "task_backend", None)
        tasks = factory() if factory is not None else None
        if not isinstance(tasks, TaskBackend):
            raise BackendError(f"The Task Scheduler is not available through the {type(backend).__name__}.")
        self.backend: TaskBackend = tasks
        self.computer = computer

    @staticmethod
    def _split(name: str, path: str | None) -> tuple[str | None, str]:
        if path is None and "\\" in name:
            folder, _, leaf = name.rpartition("\\")
            return folder or "\\", leaf
        return path, name

    def register(self, name: str, definition: TaskDefinition, *, path: str | None = None,
                 force: bool = False) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.register_task(self.computer, path, name, definition, force)

    def get(self, names: Sequence[str] | None = None, paths: Sequence[str] | None = None) -> list[ScheduledTask]:
        return self.backend.get_tasks(self.computer, names, paths)

    def task(self, name: str, path: str | None = None) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.get_task(self.computer, path, name)

    def update(self, name: str, definition: TaskDefinition, path: str | None = None) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.update_task(self.computer, path, name, definition)

    def unregister(self, name: str, path: str | None = None) -> None:
        path, name = self._split(name, path)
        self.backend.unregister_task(self.computer, path, name)

    def enable(self, name: str, path: str | None = None) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.set_task_enabled(self.computer, path, name, True)

    def disable(self, name: str, path: str | None = None) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.set_task_enabled(self.computer, path, name, False)

    def start(self, name: str, path: str | None = None) -> None:
        path, name = self._split(name, path)
        self.backend.start_task(self.computer, path, name)

    def stop(self, name: str, path: str | None = None) -> ScheduledTask:
        path, name = self._split(name, path)
        return self.backend.stop_task(self.computer, path, name)

    def info(self, name: str, path: str | None = None) -> ScheduledTaskInfo:
        path, name = self._split(name, path)
        return self.backend.task_info(self.computer, path, name)

    def runs(self, name: str, path: str | None = None) -> list[TaskRun]:
        path, name = self._split(name, path)
        return self.backend.task_runs(self.computer, path, name)

    def events(self) -> list[TaskEvent]:
        return self.backend.task_events(self.computer)

    @property
    def log_enabled(self) -> bool:
        return self.backend.task_log_enabled(self.computer)

    def set_log_enabled(self, enabled: bool) -> None:
        self.backend.set_task_log_enabled(self.computer, enabled)

    def clear_log(self) -> None:
        self.backend.clear_task_log(self.computer)

    def set_action_runner(self, runner: ActionRunner | None) -> None:
        """Who runs the tasks' programs (for every host of this backend)."""
        self.backend.set_action_runner(runner)
