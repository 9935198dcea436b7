"""The Task Scheduler's state on one host: attrs records, persisted with the rest of the state.

All of it hangs off one field, `HostRecord.scheduler` (a `SchedulerRecord`): the registered tasks
(`TaskRecord`, with their actions, triggers, settings and run history) and the
Microsoft-Windows-TaskScheduler/Operational event log (disabled by default, as on a host).
The rules that change these records live in `emulator.scheduler`; next-run times come from
`emulator.triggers`.

Durations are stored in seconds (floats; `None` where Task Scheduler has "no limit" /
"indefinitely"); days of the week by their English names (`"Monday"`).
"""

from __future__ import annotations

import datetime as dt

import attrs

from hyperv_emu.emulator.fieldwise import MutableFieldwise, tracked_setattr

# LastTaskResult values (winerror.h, SCHED_S_* / SCHED_E_*)
RESULT_SUCCESS = 0
RESULT_RUNNING = 0x41301  # 267009 SCHED_S_TASK_RUNNING
RESULT_HAS_NOT_RUN = 0x41303  # 267011 SCHED_S_TASK_HAS_NOT_RUN
RESULT_TERMINATED = 0x41306  # 267014 SCHED_S_TASK_TERMINATED: stopped by the user or the time limit
RESULT_FILE_NOT_FOUND = 0x80070002  # 2147942402 the action's program does not exist
RESULT_ALREADY_RUNNING = 0x800710E0  # 2147946720: "The operator or administrator has refused the request."

TASK_STATES = ("Unknown", "Disabled", "Queued", "Ready", "Running")  # MSFT_ScheduledTask.State's numbers
TRIGGER_KINDS = ("Once", "Daily", "Weekly", "AtStartup", "AtLogOn")
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MULTIPLE_INSTANCES = ("Parallel", "Queue", "IgnoreNew", "StopExisting")
DEFAULT_TIME_LIMIT = 72 * 3600.0  # PT72H
# a task keeps this many entries of run history (the newest); the Operational log this many events
HISTORY_LIMIT = 200
LOG_LIMIT = 2000


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskActionRecord(MutableFieldwise):
    """An exec action (MSFT_TaskExecAction): the program, its argument string, its folder."""

    execute: str
    arguments: str = ""
    working_directory: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskTriggerRecord(MutableFieldwise):
    """One trigger. kind: Once | Daily | Weekly | AtStartup | AtLogOn.

    start: the StartBoundary (local time; the time of day of Daily and Weekly triggers);
    days_interval (Daily), weeks_interval and days_of_week (Weekly); repetition_interval and
    repetition_duration (None: indefinitely) repeat each occurrence; random_delay: up to this many
    seconds are added to each occurrence, drawn from the world's seed; end: the EndBoundary."""

    kind: str
    start: dt.datetime | None = None
    days_interval: int = 1
    weeks_interval: int = 1
    days_of_week: list[str] = attrs.field(factory=list)
    repetition_interval: float | None = None
    repetition_duration: float | None = None
    random_delay: float = 0.0
    end: dt.datetime | None = None
    enabled: bool = True
    user_id: str = ""  # AtLogOn -User


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskSettingsRecord(MutableFieldwise):
    """The settings the emulator acts on (MSFT_TaskSettings); the others are kept for display."""

    enabled: bool = True
    execution_time_limit: float | None = DEFAULT_TIME_LIMIT  # None: PT0S, no limit
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


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskPrincipalRecord(MutableFieldwise):
    """MSFT_TaskPrincipal: who the task runs as."""

    user_id: str = ""
    logon_type: str = "Interactive"  # None | Password | S4U | Interactive | Group | ServiceAccount | ...
    run_level: str = "Limited"  # Limited | Highest
    group_id: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskRunRecord(MutableFieldwise):
    """One run of a task: when it was due (None: on demand), started and ended; its exit code
    (LastTaskResult) and the text its action wrote (standard output, then standard error)."""

    instance: str
    reason: str  # "time" | "demand" | "queued"
    scheduled: dt.datetime | None
    started: dt.datetime
    ended: dt.datetime | None = None
    result: int = RESULT_RUNNING
    output: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskRecord(MutableFieldwise):
    """A registered task. `cursor`: the instant up to which its triggers have been handled (the
    next run is the first trigger instant after it); `order`: its registration number (tasks due
    at the same instant run in registration order)."""

    path: str  # the folder, `\` or `\Backup\`
    name: str
    order: int
    registered: dt.datetime
    cursor: dt.datetime
    description: str = ""
    author: str = ""
    actions: list[TaskActionRecord] = attrs.field(factory=list)
    triggers: list[TaskTriggerRecord] = attrs.field(factory=list)
    settings: TaskSettingsRecord = attrs.field(factory=TaskSettingsRecord)
    principal: TaskPrincipalRecord = attrs.field(factory=TaskPrincipalRecord)
    running: list[str] = attrs.field(factory=list)  # instance ids of the runs not yet finished
    queued: int = 0  # MultipleInstances Queue: runs waiting for the running one
    last_run: dt.datetime | None = None
    last_result: int = RESULT_HAS_NOT_RUN
    missed_runs: int = 0
    history: list[TaskRunRecord] = attrs.field(factory=list)


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TaskEventRecord(MutableFieldwise):
    """An event of Microsoft-Windows-TaskScheduler/Operational."""

    time: dt.datetime
    event_id: int
    level: str  # "Information" | "Warning" | "Error"
    message: str
    task: str  # the task's full path, `\Daily Checkpoint`
    instance: str = ""


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class TimelineRecord(MutableFieldwise):
    """A world file's event on the timeline: at `at`, `action` happens to the VM `vm`
    (restart | start | stop | save | vss_failing | vss_ok), or to the host (merge_rate: the merges
    scheduled from then on copy `value` bytes per second)."""

    at: dt.datetime
    vm: str
    action: str
    done: bool = False
    value: int = 0


@attrs.define(eq=False, repr=False, on_setattr=tracked_setattr)
class SchedulerRecord(MutableFieldwise):
    """A host's Task Scheduler: its tasks, its Operational log, the world's timeline."""

    tasks: list[TaskRecord] = attrs.field(factory=list)
    next_order: int = 1
    log_enabled: bool = False
    events: list[TaskEventRecord] = attrs.field(factory=list)
    timeline: list[TimelineRecord] = attrs.field(factory=list)
