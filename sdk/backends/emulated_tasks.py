"""The emulated backend's Task Scheduler (`sdk.tasks.TaskBackend` over `emulator.taskhost`): a
thin adapter converting SDK values to the emulator's records and its views back.
`EmulatedBackend.task_backend()` gives it; errors are mapped by the backend's one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from hyperv_emu.emulator import scheduler as emu_scheduler
from hyperv_emu.emulator import taskclock
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.taskhost import TaskHost, TaskView
from hyperv_emu.emulator.taskmodel import (
    TaskActionRecord,
    TaskPrincipalRecord,
    TaskSettingsRecord,
    TaskTriggerRecord,
)
from hyperv_emu.sdk.tasks import (
    ActionRequest,
    ActionRunner,
    ScheduledTask,
    ScheduledTaskInfo,
    TaskAction,
    TaskDefinition,
    TaskEvent,
    TaskPrincipal,
    TaskRun,
    TaskSettings,
    TaskTrigger,
)

T = TypeVar("T")


def _seconds(td: dt.timedelta | None) -> float | None:
    return None if td is None else td.total_seconds()


def _delta(seconds: float | None) -> dt.timedelta | None:
    return None if seconds is None else dt.timedelta(seconds=seconds)


def trigger_record(t: TaskTrigger) -> TaskTriggerRecord:
    return TaskTriggerRecord(kind=t.kind, start=t.start, days_interval=t.days_interval, weeks_interval=t.weeks_interval,
                             days_of_week=list(t.days_of_week), repetition_interval=_seconds(t.repetition_interval),
                             repetition_duration=_seconds(t.repetition_duration),
                             random_delay=_seconds(t.random_delay) or 0.0, end=t.end, enabled=t.enabled,
                             user_id=t.user_id)


def settings_record(s: TaskSettings) -> TaskSettingsRecord:
    return TaskSettingsRecord(
        enabled=s.enabled, execution_time_limit=_seconds(s.execution_time_limit) or None,
        multiple_instances=s.multiple_instances, start_when_available=s.start_when_available,
        allow_demand_start=s.allow_demand_start, allow_hard_terminate=s.allow_hard_terminate, hidden=s.hidden,
        priority=s.priority, disallow_start_if_on_batteries=s.disallow_start_if_on_batteries,
        stop_if_going_on_batteries=s.stop_if_going_on_batteries,
        run_only_if_network_available=s.run_only_if_network_available, wake_to_run=s.wake_to_run)


def definition(d: TaskDefinition) -> emu_scheduler.Definition:
    return emu_scheduler.Definition(
        actions=None if d.actions is None else [TaskActionRecord(a.execute, a.arguments, a.working_directory)
                                                for a in d.actions],
        triggers=None if d.triggers is None else [trigger_record(t) for t in d.triggers],
        settings=None if d.settings is None else settings_record(d.settings),
        principal=None if d.principal is None else TaskPrincipalRecord(
            d.principal.user_id, d.principal.logon_type, d.principal.run_level, d.principal.group_id),
        description=d.description, author=d.author)


def task_from_view(v: TaskView) -> ScheduledTask:
    r = v.record
    s = r.settings
    return ScheduledTask(
        path=r.path, name=r.name, state=v.state,
        actions=tuple(TaskAction(a.execute, a.arguments, a.working_directory) for a in r.actions),
        triggers=tuple(TaskTrigger(
            kind=t.kind, start=t.start, days_interval=t.days_interval, weeks_interval=t.weeks_interval,
            days_of_week=tuple(t.days_of_week), repetition_interval=_delta(t.repetition_interval),
            repetition_duration=_delta(t.repetition_duration),
            random_delay=_delta(t.random_delay) if t.random_delay else None, end=t.end, enabled=t.enabled,
            user_id=t.user_id) for t in r.triggers),
        settings=TaskSettings(
            enabled=s.enabled, execution_time_limit=_delta(s.execution_time_limit),
            multiple_instances=s.multiple_instances, start_when_available=s.start_when_available,
            allow_demand_start=s.allow_demand_start, allow_hard_terminate=s.allow_hard_terminate, hidden=s.hidden,
            priority=s.priority, disallow_start_if_on_batteries=s.disallow_start_if_on_batteries,
            stop_if_going_on_batteries=s.stop_if_going_on_batteries,
            run_only_if_network_available=s.run_only_if_network_available, wake_to_run=s.wake_to_run),
        principal=TaskPrincipal(r.principal.user_id, r.principal.logon_type, r.principal.run_level,
                                r.principal.group_id),
        description=r.description, author=r.author, date=r.registered, computer_name=v.host)


class EmulatedTasks:
    """The TaskBackend of an EmulatedBackend: `call` runs an emulator call with the backend's
    error mapping."""

    def __init__(self, emulator: Emulator, call: Callable[[Callable[[], object]], object]) -> None:
        self.emulator = emulator
        self._call_any = call
        self._runner: ActionRunner | None = None

    def _call(self, fn: Callable[[], T]) -> T:
        return self._call_any(fn)  # type: ignore[return-value]

    def _tasks(self, computer: str | None) -> TaskHost:
        return TaskHost(self.emulator, computer)

    def emulator_runner(self) -> taskclock.ActionRunner | None:
        """The attached runner, in the emulator's terms."""
        runner = self._runner
        if runner is None:
            return None

        def run(request: taskclock.ActionRequest) -> taskclock.ActionOutcome:
            out = runner(ActionRequest(request.host, request.task, request.instance, request.execute,
                                       request.arguments, request.working_directory))
            return taskclock.ActionOutcome(out.exit_code, out.output, out.launched)

        return run

    def set_action_runner(self, runner: ActionRunner | None) -> None:
        self._runner = runner

    def register_task(self, computer: str | None, path: str | None, name: str, definition_: TaskDefinition,
                      force: bool) -> ScheduledTask:
        return task_from_view(self._call(lambda: self._tasks(computer).register(
            path, name, definition(definition_), force=force)))

    def get_tasks(self, computer: str | None, names: Sequence[str] | None,
                  paths: Sequence[str] | None) -> list[ScheduledTask]:
        views = self._call(lambda: self._tasks(computer).get(None if names is None else list(names),
                                                             None if paths is None else list(paths)))
        return [task_from_view(v) for v in views]

    def get_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask:
        return task_from_view(self._call(lambda: self._tasks(computer).find(name, path)))

    def update_task(self, computer: str | None, path: str | None, name: str,
                    definition_: TaskDefinition) -> ScheduledTask:
        return task_from_view(self._call(lambda: self._tasks(computer).update(name, path, definition(definition_))))

    def unregister_task(self, computer: str | None, path: str | None, name: str) -> None:
        self._call(lambda: self._tasks(computer).unregister(name, path))

    def set_task_enabled(self, computer: str | None, path: str | None, name: str, enabled: bool) -> ScheduledTask:
        return task_from_view(self._call(lambda: self._tasks(computer).set_enabled(name, path, enabled)))

    def start_task(self, computer: str | None, path: str | None, name: str) -> None:
        self._call(lambda: self._tasks(computer).start(name, path, self.emulator_runner()))

    def stop_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask:
        return task_from_view(self._call(lambda: self._tasks(computer).stop(name, path)))

    def task_info(self, computer: str | None, path: str | None, name: str) -> ScheduledTaskInfo:
        v = self._call(lambda: self._tasks(computer).find(name, path))
        r = v.record
        return ScheduledTaskInfo(r.path, r.name, r.last_run, r.last_result, v.next_run, r.missed_runs, v.host)

    def task_runs(self, computer: str | None, path: str | None, name: str) -> list[TaskRun]:
        v = self._call(lambda: self._tasks(computer).find(name, path))
        return [TaskRun(h.instance, h.reason, h.scheduled, h.started, h.ended, h.result, h.output)
                for h in v.record.history]

    def task_events(self, computer: str | None) -> list[TaskEvent]:
        return [TaskEvent(e.time, e.event_id, e.level, e.message, e.task, e.instance)
                for e in self._call(lambda: self._tasks(computer).events())]

    def task_log_enabled(self, computer: str | None) -> bool:
        return self._call(lambda: self._tasks(computer).log_enabled())

    def set_task_log_enabled(self, computer: str | None, enabled: bool) -> None:
        self._call(lambda: self._tasks(computer).set_log_enabled(enabled))

    def clear_task_log(self, computer: str | None) -> None:
        self._call(lambda: self._tasks(computer).clear_log())

