"""The life of a scheduled task's run: it starts (or MultipleInstances keeps it from starting),
its actions start, it finishes with a result or is stopped; missed runs under the real clock.
Each function works on a task record inside a transaction, writes the run history and the
Operational log's events (`scheduler.log`); `emulator.taskclock` calls them around the actions.
"""

from __future__ import annotations

import datetime as dt

from hyperv_emu.emulator.model import HostRecord
from hyperv_emu.emulator.scheduler import MAX_PARALLEL, full_name, log, next_run_time, user_of
from hyperv_emu.emulator.taskmodel import (
    HISTORY_LIMIT,
    RESULT_FILE_NOT_FOUND,
    RESULT_RUNNING,
    RESULT_TERMINATED,
    TaskRecord,
    TaskRunRecord,
)
from hyperv_emu.emulator.transaction import Transaction


def skip_missed(tx: Transaction, host: HostRecord, task: TaskRecord, before: dt.datetime) -> dt.datetime | None:
    """Real clock: the trigger instants of `task` before `before` passed while no process ran the
    scheduler. They count as missed runs (NumberOfMissedRuns); the last of them is returned when
    the task has StartWhenAvailable (it then runs once, late), else None."""
    count, last = 0, None
    while count < 100_000:
        t = next_run_time(tx.state, host, task)
        if t is None or t >= before:
            break
        count, last = count + 1, t
        task.cursor = t
    if count:
        task.missed_runs += count
        tx.changed = True
    return last if task.settings.start_when_available else None


def begin_run(tx: Transaction, host: HostRecord, task: TaskRecord, reason: str,
              scheduled: dt.datetime | None) -> str | None:
    """A run starts now (reason "time": its trigger fired at `scheduled`; "demand": Start-
    ScheduledTask; "queued": a queued run after the one before it). Returns the new instance id,
    or None when MultipleInstances keeps it from starting (IgnoreNew: skipped; Queue: queued)."""
    if scheduled is not None:
        task.cursor = max(task.cursor, scheduled)
    tx.changed = True
    if task.running and reason != "queued":
        policy = task.settings.multiple_instances
        if policy == "Queue":
            task.queued += 1
            log(tx, host, 324, task, f'Task Scheduler queued instance "{{{tx.new_id()}}}"  of task '
                f'"{full_name(task)}" and will launch it as soon as instance "{{{task.running[0]}}}" completes.',
                instance=task.running[0])
            return None
        if policy in ("IgnoreNew", "StopExisting") or len(task.running) >= MAX_PARALLEL:
            log(tx, host, 322, task, f'Task Scheduler did not launch task "{full_name(task)}"  because instance '
                f'"{{{task.running[0]}}}" of the same task is already running.', level="Warning",
                instance=task.running[0])
            return None
    instance = tx.new_id()
    task.running.append(instance)
    now = tx.now()
    task.last_run = now
    task.last_result = RESULT_RUNNING
    task.history.append(TaskRunRecord(instance=instance, reason=reason, scheduled=scheduled, started=now))
    if len(task.history) > HISTORY_LIMIT:
        del task.history[: len(task.history) - HISTORY_LIMIT]
    who = user_of(host, task)
    if reason == "time":
        log(tx, host, 107, task, f'Task Scheduler launched "{{{instance}}}"  instance of task "{full_name(task)}" '
            "due to a time trigger condition.", instance=instance)
    else:
        log(tx, host, 110, task, f'Task Scheduler launched "{{{instance}}}"  instance of task "{full_name(task)}"  '
            f'for user "{who}" .', instance=instance)
    log(tx, host, 100, task, f'Task Scheduler started "{{{instance}}}" instance of the "{full_name(task)}" task '
        f'for user "{who}".', instance=instance)
    return instance


def find_run(task: TaskRecord, instance: str) -> TaskRunRecord | None:
    return next((r for r in reversed(task.history) if r.instance == instance), None)


def action_started(tx: Transaction, host: HostRecord, task: TaskRecord, instance: str, execute: str) -> None:
    log(tx, host, 200, task, f'Task Scheduler launched action "{execute}" in instance "{{{instance}}}" of task '
        f'"{full_name(task)}".', instance=instance)


def finish_run(tx: Transaction, host: HostRecord, task: TaskRecord, instance: str, *, execute: str,
               exit_code: int, output: str, launched: bool) -> None:
    """A run ended now with `exit_code` (launched False: the program could not be started). A
    run that took longer than ExecutionTimeLimit is recorded as terminated by the limit (the
    emulated action still ran to its end: a Python call cannot be cut off half-way)."""
    now = tx.now()
    run = find_run(task, instance)
    if instance in task.running:
        task.running.remove(instance)
    tx.changed = True
    limit = task.settings.execution_time_limit
    who = user_of(host, task)
    name = full_name(task)
    code = exit_code & 0xFFFFFFFF
    if not launched:
        code = RESULT_FILE_NOT_FOUND if exit_code == 0 else code
        log(tx, host, 203, task, f'Task Scheduler failed to launch action "{execute}" in instance '
            f'"{{{instance}}}" of task "{name}". Additional Data: Error Value: {code}.', level="Error",
            instance=instance)
        log(tx, host, 103, task, f'Task Scheduler failed to start instance "{{{instance}}}" of "{name}" task for '
            f'user "{who}" . Additional Data: Error Value: {code}.', level="Error", instance=instance)
    elif run is not None and limit and (now - run.started).total_seconds() > limit:
        code = RESULT_TERMINATED
        log(tx, host, 111, task, f'Task Scheduler terminated "{{{instance}}}" instance of the "{name}" task.',
            level="Warning", instance=instance)
    else:
        log(tx, host, 201, task, f'Task Scheduler successfully completed task "{name}" , instance '
            f'"{{{instance}}}" , action "{execute}" with return code {code}.', instance=instance)
        log(tx, host, 102, task, f'Task Scheduler successfully finished "{{{instance}}}" instance of the '
            f'"{name}" task for user "{who}".', instance=instance)
    task.last_result = code
    if run is not None:
        run.ended = now
        run.result = code
        run.output = output


def stop_runs(tx: Transaction, host: HostRecord, task: TaskRecord) -> None:
    """Stop-ScheduledTask: the task's unfinished runs end as terminated (in the emulator a run
    has always finished by the time another command runs, unless it is the caller itself)."""
    for instance in list(task.running):
        run = find_run(task, instance)
        task.running.remove(instance)
        if run is not None:
            run.ended, run.result = tx.now(), RESULT_TERMINATED
        task.last_result = RESULT_TERMINATED
        log(tx, host, 111, task, f'Task Scheduler terminated "{{{instance}}}" instance of the "{full_name(task)}" '
            "task.", level="Warning", instance=instance)
    task.queued = 0
    tx.changed = True
