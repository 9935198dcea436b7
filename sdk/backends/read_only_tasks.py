"""The Task Scheduler of a read-only backend (`read_only.ReadOnlyBackend.task_backend()`): task
definitions, run history and the log read through; registering, changing, running or stopping a
task refused with Hyper-V's authorization error (`deny`). Attaching an action runner is no change
to the host: it passes through (tasks still run when time passes, as the system's)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NoReturn

from hyperv_emu.sdk.tasks import (
    ActionRunner,
    ScheduledTask,
    ScheduledTaskInfo,
    TaskBackend,
    TaskDefinition,
    TaskEvent,
    TaskRun,
)


class ReadOnlyTasks:
    def __init__(self, inner: TaskBackend, deny: Callable[[str | None], NoReturn]) -> None:
        self.inner = inner
        self.deny = deny

    def register_task(self, computer: str | None, path: str | None, name: str, definition: TaskDefinition,
                      force: bool) -> ScheduledTask:
        self.deny(computer)

    def get_tasks(self, computer: str | None, names: Sequence[str] | None,
                  paths: Sequence[str] | None) -> list[ScheduledTask]:
        return self.inner.get_tasks(computer, names, paths)

    def get_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask:
        return self.inner.get_task(computer, path, name)

    def update_task(self, computer: str | None, path: str | None, name: str,
                    definition: TaskDefinition) -> ScheduledTask:
        self.deny(computer)

    def unregister_task(self, computer: str | None, path: str | None, name: str) -> None:
        self.deny(computer)

    def set_task_enabled(self, computer: str | None, path: str | None, name: str, enabled: bool) -> ScheduledTask:
        self.deny(computer)

    def start_task(self, computer: str | None, path: str | None, name: str) -> None:
        self.deny(computer)

    def stop_task(self, computer: str | None, path: str | None, name: str) -> ScheduledTask:
        self.deny(computer)

    def task_info(self, computer: str | None, path: str | None, name: str) -> ScheduledTaskInfo:
        return self.inner.task_info(computer, path, name)

    def task_runs(self, computer: str | None, path: str | None, name: str) -> list[TaskRun]:
        return self.inner.task_runs(computer, path, name)

    def task_events(self, computer: str | None) -> list[TaskEvent]:
        return self.inner.task_events(computer)

    def task_log_enabled(self, computer: str | None) -> bool:
        return self.inner.task_log_enabled(computer)

    def set_task_log_enabled(self, computer: str | None, enabled: bool) -> None:
        self.deny(computer)

    def clear_task_log(self, computer: str | None) -> None:
        self.deny(computer)

    def set_action_runner(self, runner: ActionRunner | None) -> None:
        self.inner.set_action_runner(runner)
