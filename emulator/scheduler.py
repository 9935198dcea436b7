"""The Task Scheduler's rules on one host: registering, finding and changing tasks, their next
run times and which is due first, and the Operational log (the life of a run is
`emulator.taskruns`).

Running an action is not done here: the emulator knows nothing of PowerShell. `emulator.taskclock`
asks an `ActionRunner` (provided from above, by psshim) to run it, between transactions.

Tasks are named by folder and name (`\\` + `Daily Checkpoint`; folders `\\Backup\\`), case-
insensitively, as the Task Scheduler does. A task's state is Disabled when its settings say so,
Running while a run is unfinished, Queued while a run waits (MultipleInstances Queue), else Ready.
"""

from __future__ import annotations

import datetime as dt

import attrs

from hyperv_emu.emulator import triggers, winpath
from hyperv_emu.emulator.errors import EmulatorError
from hyperv_emu.emulator.model import EmulatorState, HostRecord
from hyperv_emu.emulator.taskmodel import (
    LOG_LIMIT,
    MULTIPLE_INSTANCES,
    TRIGGER_KINDS,
    TaskActionRecord,
    TaskEventRecord,
    TaskPrincipalRecord,
    TaskRecord,
    TaskSettingsRecord,
    TaskTriggerRecord,
)
from hyperv_emu.emulator.transaction import Transaction
from hyperv_emu.emulator.wildcard import contains_wildcards, is_match

_BAD_NAME_CHARS = set('/:*?"<>|')
# MultipleInstances Parallel: a run starts inside the running one (nested); past this many running
# instances a trigger is ignored, so a task that repeats faster than it runs cannot nest forever
MAX_PARALLEL = 8  # used by emulator.taskruns


class TaskNotFound(EmulatorError):
    """No task by that name (ERROR_FILE_NOT_FOUND, as the Task Scheduler reports it)."""

    error_id = "HRESULT 0x80070002"
    category = "ObjectNotFound"

    def __init__(self, name: str) -> None:
        super().__init__("The system cannot find the file specified.", target=name)


class TaskExists(EmulatorError):
    """Registering a task whose name is taken (ERROR_ALREADY_EXISTS)."""

    error_id = "HRESULT 0x800700b7"
    category = "ResourceExists"

    def __init__(self, name: str) -> None:
        super().__init__("Cannot create a file when that file already exists.", target=name)


class TaskDefinitionError(EmulatorError):
    """A task definition the Task Scheduler refuses (bad name, no action, a bad trigger)."""

    error_id = "HRESULT 0x8007007b"
    category = "InvalidArgument"


# --- names and lookup ---------------------------------------------------------------------------


def normalize_folder(path: str | None) -> str:
    """`Backup` / `\\Backup` / `\\Backup\\` -> `\\Backup\\`; None or "" -> `\\`."""
    if not path:
        return "\\"
    parts = [p for p in path.replace("/", "\\").split("\\") if p]
    return "\\" + "".join(p + "\\" for p in parts)


def full_name(task: TaskRecord) -> str:
    return task.path + task.name


def check_name(name: str) -> None:
    if not name.strip() or any(c in _BAD_NAME_CHARS or ord(c) < 32 for c in name) or "\\" in name:
        raise TaskDefinitionError("The filename, directory name, or volume label syntax is incorrect.", target=name)


def find(host: HostRecord, name: str, path: str | None = None) -> TaskRecord:
    """The task `name` (in folder `path`; None: `\\`), or TaskNotFound."""
    folder = normalize_folder(path).casefold()
    for task in host.scheduler.tasks:
        if task.name.casefold() == name.casefold() and task.path.casefold() == folder:
            return task
    raise TaskNotFound(normalize_folder(path) + name)


def select(host: HostRecord, names: list[str] | None, paths: list[str] | None) -> list[TaskRecord]:
    """Get-ScheduledTask's filter: task names and folder paths, each a wildcard pattern or exact
    (case-insensitive); tasks in folder-then-name order."""

    def matches(value: str, patterns: list[str] | None) -> bool:
        if patterns is None:
            return True
        return any(is_match(p, value) if contains_wildcards(p) else p.casefold() == value.casefold()
                   for p in patterns)

    folder_patterns = None if paths is None else [p if contains_wildcards(p) else normalize_folder(p) for p in paths]
    found = [t for t in host.scheduler.tasks if matches(t.name, names) and matches(t.path, folder_patterns)]
    return sorted(found, key=lambda t: (t.path.casefold(), t.name.casefold()))


def state_name(task: TaskRecord) -> str:
    if not task.settings.enabled:
        return "Disabled"
    if task.running:
        return "Running"
    if task.queued:
        return "Queued"
    return "Ready"


def current_user(host: HostRecord) -> str:
    """The account the emulated scripts run as."""
    return f"{winpath.netbios_name(host.name).upper()}\\Administrator"


def user_of(host: HostRecord, task: TaskRecord) -> str:
    """The account a run is for, as the events name it."""
    user = task.principal.user_id or task.principal.group_id
    if not user:
        return current_user(host)
    if user.casefold() in ("system", "nt authority\\system", "localsystem"):
        return "NT AUTHORITY\\SYSTEM"
    return user


# --- the Operational log --------------------------------------------------------------------------


def log(tx: Transaction, host: HostRecord, event_id: int, task: TaskRecord, message: str, *,
        level: str = "Information", instance: str = "") -> None:
    """An event of Microsoft-Windows-TaskScheduler/Operational, kept only while the log is
    enabled (a host's default is disabled)."""
    sched = host.scheduler
    if not sched.log_enabled:
        return
    sched.events.append(TaskEventRecord(time=tx.now(), event_id=event_id, level=level, message=message,
                                        task=full_name(task), instance=instance))
    if len(sched.events) > LOG_LIMIT:
        del sched.events[: len(sched.events) - LOG_LIMIT]
    tx.changed = True


def _user_event(tx: Transaction, host: HostRecord, event_id: int, verb: str, task: TaskRecord) -> None:
    log(tx, host, event_id, task, f'User "{current_user(host)}"  {verb} Task Scheduler task "{full_name(task)}"')


# --- definitions ----------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class Definition:
    """What Register-/Set-ScheduledTask give (None: keep the registered task's part)."""

    actions: list[TaskActionRecord] | None = None
    triggers: list[TaskTriggerRecord] | None = None
    settings: TaskSettingsRecord | None = None
    principal: TaskPrincipalRecord | None = None
    description: str | None = None
    author: str | None = None


def _check_definition(d: Definition) -> None:
    if d.actions is not None:
        if not d.actions:
            raise TaskDefinitionError("The task XML is missing a required element or attribute.\n(1,2):Actions:")
        for a in d.actions:
            if not a.execute.strip():
                raise TaskDefinitionError("The task XML is missing a required element or attribute.\n(1,2):Command:")
    for trig in d.triggers or []:
        if trig.kind not in TRIGGER_KINDS:
            raise TaskDefinitionError(f"The trigger kind '{trig.kind}' is not one of {', '.join(TRIGGER_KINDS)}.")
        if trig.kind in ("Once", "Daily", "Weekly") and trig.start is None:
            raise TaskDefinitionError("The task XML is missing a required element or attribute.\n(1,2):StartBoundary:")
        if trig.repetition_interval is not None and trig.repetition_interval > 0:
            if trig.repetition_interval < 60 or trig.repetition_interval > 31 * 86400:
                raise TaskDefinitionError("The task XML contains a value which is incorrectly formatted or out of "
                                          "range.\n(1,2):Interval:")
            if trig.repetition_duration and trig.repetition_duration < trig.repetition_interval:
                raise TaskDefinitionError("The task XML contains a value which is incorrectly formatted or out of "
                                          "range.\n(1,2):Duration:")
    if d.settings is not None and d.settings.multiple_instances not in MULTIPLE_INSTANCES:
        raise TaskDefinitionError(f"MultipleInstances '{d.settings.multiple_instances}' is not one of "
                                  f"{', '.join(MULTIPLE_INSTANCES)}.")


def register(tx: Transaction, host: HostRecord, path: str | None, name: str, d: Definition, *,
             force: bool = False) -> TaskRecord:
    """Register-ScheduledTask: a new task (force: replacing one of that name)."""
    check_name(name)
    _check_definition(d)
    if not d.actions:
        raise TaskDefinitionError("The task XML is missing a required element or attribute.\n(1,2):Actions:")
    folder = normalize_folder(path)
    sched = host.scheduler
    try:
        old = find(host, name, folder)
    except TaskNotFound:
        old = None
    if old is not None:
        if not force:
            raise TaskExists(folder + name)
        sched.tasks.remove(old)
    now = tx.now()
    task = TaskRecord(path=folder, name=name, order=sched.next_order, registered=now, cursor=now,
                      description=d.description or "", author=d.author or "",
                      actions=list(d.actions), triggers=list(d.triggers or []),
                      settings=d.settings or TaskSettingsRecord(), principal=d.principal or TaskPrincipalRecord())
    sched.next_order += 1
    sched.tasks.append(task)
    tx.changed = True
    _user_event(tx, host, 140 if old is not None else 106, "updated" if old is not None else "registered", task)
    return task


def update(tx: Transaction, host: HostRecord, task: TaskRecord, d: Definition) -> TaskRecord:
    """Set-ScheduledTask / schtasks /change: the parts given replace the task's."""
    _check_definition(d)
    if d.actions is not None:
        task.actions = list(d.actions)
    if d.triggers is not None:
        task.triggers = list(d.triggers)
        task.cursor = max(task.cursor, tx.now())
    if d.settings is not None:
        was = task.settings.enabled
        task.settings = d.settings
        if d.settings.enabled and not was:
            task.cursor = max(task.cursor, tx.now())
    if d.principal is not None:
        task.principal = d.principal
    if d.description is not None:
        task.description = d.description
    if d.author is not None:
        task.author = d.author
    tx.changed = True
    _user_event(tx, host, 140, "updated", task)
    return task


def unregister(tx: Transaction, host: HostRecord, task: TaskRecord) -> None:
    host.scheduler.tasks.remove(task)
    tx.changed = True
    _user_event(tx, host, 141, "deleted", task)


def set_enabled(tx: Transaction, host: HostRecord, task: TaskRecord, enabled: bool) -> TaskRecord:
    """Enable-/Disable-ScheduledTask. A task enabled again does not catch up on the triggers that
    passed while it was disabled."""
    if task.settings.enabled != enabled:
        task.settings.enabled = enabled
        if enabled:
            task.cursor = max(task.cursor, tx.now())
        tx.changed = True
        _user_event(tx, host, 140 if enabled else 142, "updated" if enabled else "disabled", task)
    return task


# --- next runs ------------------------------------------------------------------------------------


def next_run_time(state: EmulatorState, host: HostRecord, task: TaskRecord) -> dt.datetime | None:
    """NextRunTime: the first trigger instant after the task's cursor (None when disabled or
    when no trigger fires on the clock)."""
    if not task.settings.enabled:
        return None
    seed = state.settings.id_seed or host.name

    def delay_for(i: int, trig: TaskTriggerRecord) -> triggers.DelayOf:
        if trig.random_delay <= 0:
            return triggers.no_delay
        return triggers.seeded_delay(seed, f"{host.name.casefold()}|{full_name(task).casefold()}|{i}",
                                     trig.random_delay)

    return triggers.next_run(task.triggers, task.cursor, delay_for)


@attrs.frozen(eq=False, repr=False)
class Due:
    """A task whose trigger fires at `time`."""

    time: dt.datetime
    host: str
    task: TaskRecord


def next_due(state: EmulatorState, until: dt.datetime) -> Due | None:
    """The first trigger instant at or before `until` over every host's tasks; at the same
    instant, hosts in their order and tasks in registration order."""
    best: Due | None = None
    best_key: tuple[dt.datetime, int, int] | None = None
    for h_index, host in enumerate(state.hosts):
        for task in host.scheduler.tasks:
            t = next_run_time(state, host, task)
            if t is None or t > until:
                continue
            key = (t, h_index, task.order)
            if best_key is None or key < best_key:
                best, best_key = Due(t, host.name, task), key
    return best
