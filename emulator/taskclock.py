"""The clock runs the scheduled tasks: moving the virtual clock from T to T + s stops at every
instant in between where something is due, in time order.

At each instant, in this order:
1. the background merges whose end has come finish (`disks.settle_merges`);
2. the world's timeline events due then happen (a VM restarted, VSS starting to fail, merges
   slowed), in the order the world lists them;
3. the tasks whose triggers fire then run, hosts in the state's order and, on one host, in
   registration order. A run is its own sequence of transactions: the task is marked Running
   (events 107/110, 100), each action runs through the `ActionRunner` (event 200), the result
   goes to its history (events 201, 102; or 203/103, 111).

Inside a run the clock moves as in any script (Start-Sleep, the time operations take): that is
a nested `advance`, which runs what falls due meanwhile, the running task's own later triggers
following its MultipleInstances setting (IgnoreNew: skipped, event 322; Queue: run once the
running one ends; Parallel: run at once, nested). The outer move then carries on from wherever
the clock stands to its target.

The emulator does not know how to run a program: the SDK's caller provides an `ActionRunner`
(psshim's, which runs `powershell.exe`/`pwsh` command lines). No transaction is open while an
action runs, so the action's own cmdlets work as usual.

Under the real clock nothing moves time but time itself: the tasks due by now run when a client
sleeps (Start-Sleep, the SDK's `sleep`, which then calls `advance(0)`). A trigger instant more
than a minute in the past by then was missed while no process looked: it counts in
NumberOfMissedRuns, and with StartWhenAvailable the task runs once, late (as the Task Scheduler
does after the computer was off).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import attrs

from hyperv_emu.emulator import disks, lifecycle, scheduler, taskruns, vmsettings
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.errors import EmulatorError
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import ClockMode, EmulatorState, HostRecord, VMStateName
from hyperv_emu.emulator.taskmodel import RESULT_FILE_NOT_FOUND, TaskActionRecord, TaskRecord, TimelineRecord
from hyperv_emu.emulator.transaction import Transaction

RESULT_ACTION_FAILED = 0x80004005  # E_FAIL: the runner itself failed
# Real clock: a trigger instant further in the past than this when the scheduler looks is missed
MISSED_AFTER = dt.timedelta(minutes=1)


@attrs.frozen(eq=False, repr=False)
class ActionRequest(Fieldwise):
    """Run this exec action of a task on host `host`."""

    host: str
    task: str  # the task's full path, `\\Daily Checkpoint`
    instance: str
    execute: str
    arguments: str
    working_directory: str


@attrs.frozen(eq=False, repr=False)
class ActionOutcome(Fieldwise):
    """What a run of the program gave: its exit code and output; launched False when the
    program could not be started at all (exit_code is then the Win32 error as an HRESULT)."""

    exit_code: int
    output: str = ""
    launched: bool = True


class ActionRunner(Protocol):
    def __call__(self, request: ActionRequest) -> ActionOutcome: ...


NO_RUNNER_TEXT = ("No action runner is attached to this client: the emulator cannot start programs by itself "
                  "(psshim attaches one; see docs/time.md).")


# --- finding what is due --------------------------------------------------------------------------


def _next_timeline(state: EmulatorState, until: dt.datetime) -> tuple[dt.datetime, HostRecord, TimelineRecord] | None:
    best: tuple[dt.datetime, HostRecord, TimelineRecord] | None = None
    for host in state.hosts:
        for ev in host.scheduler.timeline:
            if not ev.done and ev.at <= until and (best is None or ev.at < best[0]):
                best = (ev.at, host, ev)
    return best


def _apply_timeline(tx: Transaction, host: HostRecord, ev: TimelineRecord) -> None:
    """A timeline event happens to its VM (a VM it cannot happen to, or one not there, is
    skipped: the world said something that no longer applies)."""
    ev.done = True
    tx.changed = True
    if ev.action == "merge_rate":
        tx.state.timing.merge_rate = ev.value
        return
    vm = next((v for v in host.vms if v.name.casefold() == ev.vm.casefold()), None)
    if vm is None:
        return
    try:
        if ev.action == "restart":
            if vm.state in (VMStateName.RUNNING, VMStateName.PAUSED):
                vmsettings.restart(tx, host, vm)
            else:
                lifecycle.start(tx, host, vm)
        elif ev.action == "start":
            lifecycle.start(tx, host, vm)
        elif ev.action == "stop":
            lifecycle.stop(tx, host, vm, "shutdown", True)
        elif ev.action == "save":
            lifecycle.stop(tx, host, vm, "save", False)
        elif ev.action == "vss_failing":
            vm.guest_vss_failing = True
        elif ev.action == "vss_ok":
            vm.guest_vss_failing = False
    except EmulatorError:
        pass


def _move_to(tx: Transaction, when: dt.datetime) -> None:
    seconds = (when - tx.now()).total_seconds()
    if seconds > 0:
        tx.advance(seconds)
    disks.settle_merges(tx)


# --- the driver -----------------------------------------------------------------------------------


def advance(emulator: Emulator, seconds: float, runner: ActionRunner | None) -> dt.datetime:
    """Move the virtual clock on by `seconds`, running what falls due on the way (see the module
    docstring); on the real clock, run what is due by now. Returns the clock's time."""
    target: dt.datetime | None = None
    while True:
        with emulator.transaction() as tx:
            if target is None:
                target = tx.target(seconds)
            target = max(target, tx.now())
            timeline = _next_timeline(tx.state, target)
            due = scheduler.next_due(tx.state, target if timeline is None else min(target, timeline[0]))
            if timeline is not None and (due is None or timeline[0] <= due.time):
                _move_to(tx, timeline[0])
                _apply_timeline(tx, timeline[1], timeline[2])
                continue
            if due is None:
                _move_to(tx, target)
                return tx.now()
            _move_to(tx, due.time)
            host = tx.host(due.host)
            scheduled: dt.datetime | None = due.time
            if tx.state.clock.mode is ClockMode.REAL and tx.now() - due.time > MISSED_AFTER:
                scheduled = taskruns.skip_missed(tx, host, due.task, tx.now() - MISSED_AFTER)
                if scheduled is None:
                    continue
            instance = taskruns.begin_run(tx, host, due.task, "time", scheduled)
            key = (host.name, due.task.path, due.task.name)
            actions = _starting(tx, host, due.task, instance)
        if instance is not None:
            run_instance(emulator, key, instance, runner, actions)


def start_now(emulator: Emulator, host_name: str | None, path: str | None, name: str,
              runner: ActionRunner | None) -> None:
    """Start-ScheduledTask / schtasks /run: the task runs now, to its end, before this returns
    (on a host the call returns at once and the task runs beside the caller)."""
    with emulator.transaction() as tx:
        host = tx.host(host_name)
        task = scheduler.find(host, name, path)
        if not task.settings.allow_demand_start:
            raise scheduler.TaskDefinitionError("The request is not supported.", target=scheduler.full_name(task))
        instance = taskruns.begin_run(tx, host, task, "demand", None)
        key = (host.name, task.path, task.name)
        actions = _starting(tx, host, task, instance)
    if instance is not None:
        run_instance(emulator, key, instance, runner, actions)


def _task_of(tx: Transaction, key: tuple[str, str, str]) -> tuple[HostRecord, TaskRecord] | None:
    host = tx.host(key[0])
    try:
        return host, scheduler.find(host, key[2], key[1])
    except scheduler.TaskNotFound:
        return None  # the task unregistered itself (or was replaced) while it ran


def _starting(tx: Transaction, host: HostRecord, task: TaskRecord, instance: str | None) -> list[TaskActionRecord]:
    """In the transaction that started `instance`: copies of its actions, the first one's
    start logged (event 200)."""
    if instance is None or not task.actions:
        return []
    taskruns.action_started(tx, host, task, instance, task.actions[0].execute)
    return [attrs.evolve(a) for a in task.actions]


def run_instance(emulator: Emulator, key: tuple[str, str, str], instance: str, runner: ActionRunner | None,
                 actions: list[TaskActionRecord]) -> None:
    """Run the actions of a started instance one after another (the first one's start is
    already logged); the last one's exit code is the run's result. Then a queued run, if any,
    starts."""
    outcome = ActionOutcome(0)
    execute = ""
    for i, action in enumerate(actions):
        execute = action.execute
        if i:
            with emulator.transaction() as tx:
                found = _task_of(tx, key)
                if found is not None:
                    taskruns.action_started(tx, found[0], found[1], instance, action.execute)
        request = ActionRequest(host=key[0], task=key[1] + key[2], instance=instance, execute=action.execute,
                                arguments=action.arguments, working_directory=action.working_directory)
        if runner is None:
            outcome = ActionOutcome(RESULT_FILE_NOT_FOUND, NO_RUNNER_TEXT, launched=False)
        else:
            try:
                outcome = runner(request)
            except Exception as exc:  # the runner's own failure must not leave the task Running
                outcome = ActionOutcome(RESULT_ACTION_FAILED, f"{type(exc).__name__}: {exc}", launched=False)
        if not outcome.launched:
            break
    with emulator.transaction() as tx:
        found = _task_of(tx, key)
        if found is None:
            return
        host, task = found
        taskruns.finish_run(tx, host, task, instance, execute=execute, exit_code=outcome.exit_code,
                             output=outcome.output, launched=outcome.launched)
        queued = None
        if task.queued > 0 and not task.running:
            task.queued -= 1
            queued = taskruns.begin_run(tx, host, task, "queued", None)
        queued_actions = _starting(tx, host, task, queued)
    if queued is not None:
        run_instance(emulator, key, queued, runner, queued_actions)
