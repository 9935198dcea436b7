"""The Task Scheduler operations of one emulated host (the ScheduledTasks module's and
schtasks.exe's), each one transaction on the state, as `emulator.host.Host` does for Hyper-V.

Views are copies of the records (with the computed State and NextRunTime), so nothing outside
a transaction changes the state.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Iterator

import attrs

from hyperv_emu.emulator import scheduler, taskclock, taskruns
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord
from hyperv_emu.emulator.taskmodel import TaskEventRecord, TaskRecord
from hyperv_emu.emulator.transaction import Transaction


@attrs.frozen(eq=False, repr=False)
class TaskView(Fieldwise):
    """A task as Get-ScheduledTask / Get-ScheduledTaskInfo see it."""

    record: TaskRecord  # a copy
    state: str
    next_run: dt.datetime | None
    host: str


class TaskHost:
    """The Task Scheduler of a host of an Emulator (None: the default host)."""

    def __init__(self, emulator: Emulator, name: str | None = None) -> None:
        self.emulator = emulator
        self.requested_name = name

    @contextlib.contextmanager
    def _tx(self) -> Iterator[tuple[Transaction, HostRecord]]:
        with self.emulator.transaction() as tx:
            yield tx, tx.host(self.requested_name)

    @staticmethod
    def _view(tx: Transaction, host: HostRecord, task: TaskRecord) -> TaskView:
        return TaskView(copy.deepcopy(task), scheduler.state_name(task),
                        scheduler.next_run_time(tx.state, host, task), host.name)

    def register(self, path: str | None, name: str, definition: scheduler.Definition, *, force: bool = False) -> TaskView:
        with self._tx() as (tx, host):
            return self._view(tx, host, scheduler.register(tx, host, path, name, definition, force=force))

    def get(self, names: list[str] | None = None, paths: list[str] | None = None) -> list[TaskView]:
        with self._tx() as (tx, host):
            return [self._view(tx, host, t) for t in scheduler.select(host, names, paths)]

    def find(self, name: str, path: str | None = None) -> TaskView:
        with self._tx() as (tx, host):
            return self._view(tx, host, scheduler.find(host, name, path))

    def update(self, name: str, path: str | None, definition: scheduler.Definition) -> TaskView:
        with self._tx() as (tx, host):
            task = scheduler.find(host, name, path)
            return self._view(tx, host, scheduler.update(tx, host, task, definition))

    def unregister(self, name: str, path: str | None) -> None:
        with self._tx() as (tx, host):
            scheduler.unregister(tx, host, scheduler.find(host, name, path))

    def set_enabled(self, name: str, path: str | None, enabled: bool) -> TaskView:
        with self._tx() as (tx, host):
            task = scheduler.find(host, name, path)
            return self._view(tx, host, scheduler.set_enabled(tx, host, task, enabled))

    def start(self, name: str, path: str | None, runner: taskclock.ActionRunner | None) -> None:
        taskclock.start_now(self.emulator, self.requested_name, path, name, runner)

    def stop(self, name: str, path: str | None) -> TaskView:
        with self._tx() as (tx, host):
            task = scheduler.find(host, name, path)
            taskruns.stop_runs(tx, host, task)
            return self._view(tx, host, task)

    def events(self) -> list[TaskEventRecord]:
        with self._tx() as (tx, host):
            return copy.deepcopy(host.scheduler.events)

    def log_enabled(self) -> bool:
        with self._tx() as (tx, host):
            return host.scheduler.log_enabled

    def set_log_enabled(self, enabled: bool) -> None:
        with self._tx() as (tx, host):
            if host.scheduler.log_enabled != enabled:
                host.scheduler.log_enabled = enabled
                tx.changed = True

    def clear_log(self) -> None:
        with self._tx() as (tx, host):
            if host.scheduler.events:
                host.scheduler.events.clear()
                tx.changed = True
