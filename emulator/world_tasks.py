"""A world file's scheduled tasks (`[[task]]`) and timeline (`[[event]]`), loaded into the hosts'
`scheduler` records (emulator.taskmodel). `emulator.world` calls `load` with its context (for
errors that name the file, table and line) and its typed getter.

    [[task]]
    name = "Daily Checkpoint"           # required; path = '\\Backup\\' puts it in a folder
    schedule = "daily"                  # once | daily | weekly | startup | logon
    at = "02:00"                        # a time (on the world's `now` day) or a date-time
    script = '''Checkpoint-VM -Name SRV-APP01 -SnapshotName "Daily $(Get-Date -Format yyyy-MM-dd)"'''
    # script_path = 'C:\\Scripts\\daily.ps1' (default C:\\Scripts\\<name>.ps1); or instead of script:
    # action = 'powershell.exe -NoProfile -File C:\\Scripts\\daily.ps1 -VMName SRV-APP01'
    arguments = "-VMName SRV-APP01"     # appended to the script's command line
    days_interval = 1                   # daily; weekly: days_of_week = ["Monday"], weeks_interval
    repeat_every = "15m"                # repeat_for = "12h" (default: indefinitely); random_delay = "30m"
    multiple_instances = "IgnoreNew"    # execution_time_limit = "1h"; enabled = false

    [[event]]                           # the timeline
    at = 2026-02-25T03:00:00
    vm = "SRV-APP01"
    action = "restart"                  # restart | start | stop | save | vss_failing | vss_ok
    # action = "merge_rate", value = "20MB": merges scheduled from then on copy 20 MB a second
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Protocol

from hyperv_emu.emulator import scheduler, winpath
from hyperv_emu.emulator.errors import EmulatorError, WorldError
from hyperv_emu.emulator.model import EmulatorState, FileOp
from hyperv_emu.emulator.taskmodel import (
    DAYS,
    DEFAULT_TIME_LIMIT,
    MULTIPLE_INSTANCES,
    TaskActionRecord,
    TaskSettingsRecord,
    TaskTriggerRecord,
    TimelineRecord,
)
from hyperv_emu.emulator.transaction import Transaction

TASK_KEYS = {"name", "path", "host", "schedule", "at", "script", "script_path", "action", "arguments",
             "days_interval", "weeks_interval", "days_of_week", "repeat_every", "repeat_for", "random_delay",
             "multiple_instances", "execution_time_limit", "enabled", "description", "edition"}
EVENT_KEYS = {"at", "vm", "action", "host", "value"}
EVENT_ACTIONS = ["restart", "start", "stop", "save", "vss_failing", "vss_ok", "merge_rate"]
SCHEDULES = {"once": "Once", "daily": "Daily", "weekly": "Weekly", "startup": "AtStartup", "logon": "AtLogOn"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class Ctx(Protocol):
    def error(self, table: tuple[Any, ...], key: str | None, message: str) -> WorldError: ...


Getter = Callable[..., Any]


def _duration(ctx: Ctx, table: tuple[Any, ...], key: str, value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    m = _DURATION.match(value) if isinstance(value, str) else None
    if not m or float(m.group(1)) <= 0:
        raise ctx.error(table, key, f"{value!r} is not a duration such as \"15m\", \"12h\", \"1d\" (or seconds)")
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


def _at(ctx: Ctx, table: tuple[Any, ...], value: Any, now: dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.time):
        return dt.datetime.combine(now.date(), value.replace(tzinfo=None))
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return dt.datetime.combine(now.date(), dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)))
    raise ctx.error(table, "at", f"{value!r} is not a time (\"02:00\") or a date-time (2026-02-20T02:00:00)")


def _host(ctx: Ctx, tx: Transaction, table: tuple[Any, ...], name: str | None) -> Any:
    try:
        return tx.host(name)
    except EmulatorError:
        raise ctx.error(table, "host", f"no [[host]] named {name!r}") from None


def load(ctx: Ctx, tx: Transaction, state: EmulatorState, tasks: list[Any], events: list[Any],
         get: Getter, size: Callable[..., int]) -> None:
    """Register the world's tasks (in their order: the registration order) and its timeline."""
    for i, t in enumerate(tasks):
        _load_task(ctx, tx, state, ("task", i), t, get)
    for i, e in enumerate(events):
        table = ("event", i)
        if not isinstance(e, dict):
            raise ctx.error(table, None, "expected a table")
        for key in e:
            if key not in EVENT_KEYS:
                raise ctx.error(table, key, f"unknown key (allowed: {', '.join(sorted(EVENT_KEYS))})")
        at = get(ctx, table, e, "at", dt.datetime)
        vm = get(ctx, table, e, "vm", str, "")
        action = get(ctx, table, e, "action", str)
        if at is None or action is None:
            raise ctx.error(table, None, "an [[event]] needs at and action")
        if action.casefold() not in EVENT_ACTIONS:
            raise ctx.error(table, "action", f"{action!r} is not one of {', '.join(EVENT_ACTIONS)}")
        host = _host(ctx, tx, table, get(ctx, table, e, "host", str))
        value = 0
        if action.casefold() == "merge_rate":
            if "value" not in e:
                raise ctx.error(table, "value", "a merge_rate event needs a value (a size per second, \"20MB\")")
            value = size(ctx, table, "value", e["value"])
            if value <= 0:
                raise ctx.error(table, "value", "must be positive")
        elif not any(v.name.casefold() == vm.casefold() for v in host.vms):
            raise ctx.error(table, "vm", f"no VM named {vm!r} on host {host.name!r}")
        host.scheduler.timeline.append(TimelineRecord(at=at.replace(tzinfo=None), vm=vm, action=action.casefold(),
                                                      value=value))


def _load_task(ctx: Ctx, tx: Transaction, state: EmulatorState, table: tuple[Any, ...], t: Any, get: Getter) -> None:
    if not isinstance(t, dict):
        raise ctx.error(table, None, "expected a table")
    for key in t:
        if key not in TASK_KEYS:
            raise ctx.error(table, key, f"unknown key (allowed: {', '.join(sorted(TASK_KEYS))})")
    name = get(ctx, table, t, "name", str)
    if not name:
        raise ctx.error(table, "name", "a [[task]] needs a name")
    host = _host(ctx, tx, table, get(ctx, table, t, "host", str))
    now = state.clock.now
    kind_text = get(ctx, table, t, "schedule", str, "daily")
    kind = SCHEDULES.get(kind_text.casefold())
    if kind is None:
        raise ctx.error(table, "schedule", f"{kind_text!r} is not one of {', '.join(SCHEDULES)}")
    start = _at(ctx, table, t["at"], now) if "at" in t else (None if kind in ("AtStartup", "AtLogOn") else now)
    days = []
    for d in get(ctx, table, t, "days_of_week", list, []):
        match = next((x for x in DAYS if isinstance(d, str) and x.casefold() == d.casefold()), None)
        if match is None:
            raise ctx.error(table, "days_of_week", f"{d!r} is not a day of the week")
        days.append(match)
    trigger = TaskTriggerRecord(
        kind=kind, start=start, days_interval=get(ctx, table, t, "days_interval", int, 1),
        weeks_interval=get(ctx, table, t, "weeks_interval", int, 1), days_of_week=days,
        repetition_interval=_duration(ctx, table, "repeat_every", t["repeat_every"]) if "repeat_every" in t else None,
        repetition_duration=_duration(ctx, table, "repeat_for", t["repeat_for"]) if "repeat_for" in t else None,
        random_delay=_duration(ctx, table, "random_delay", t["random_delay"]) if "random_delay" in t else 0.0)
    if trigger.days_interval < 1 or trigger.weeks_interval < 1:
        raise ctx.error(table, "days_interval" if trigger.days_interval < 1 else "weeks_interval", "must be 1 or more")
    policy = get(ctx, table, t, "multiple_instances", str, "IgnoreNew")
    match_policy = next((p for p in MULTIPLE_INSTANCES if p.casefold() == policy.casefold()), None)
    if match_policy is None:
        raise ctx.error(table, "multiple_instances", f"{policy!r} is not one of {', '.join(MULTIPLE_INSTANCES)}")
    settings = TaskSettingsRecord(enabled=get(ctx, table, t, "enabled", bool, True), multiple_instances=match_policy)
    if "execution_time_limit" in t:
        settings.execution_time_limit = _duration(ctx, table, "execution_time_limit", t["execution_time_limit"])
    script = get(ctx, table, t, "script", str)
    action_text = get(ctx, table, t, "action", str)
    arguments = get(ctx, table, t, "arguments", str, "")
    if (script is None) == (action_text is None):
        raise ctx.error(table, None, "a [[task]] needs either script (its PowerShell text) or action (a command line)")
    exe = "pwsh.exe" if str(get(ctx, table, t, "edition", (str, int, float), "5.1")) == "7" else "powershell.exe"
    if script is not None:
        try:
            path = str(winpath.parse(get(ctx, table, t, "script_path", str, f"C:\\Scripts\\{name}.ps1")))
        except EmulatorError as exc:
            raise ctx.error(table, "script_path", exc.message) from None
        tx.queue(FileOp(kind="write_file", host=host.name, path=path, payload=script))
        host.file_times[winpath.parse(path).key()] = now
        quoted = f'"{path}"' if " " in path else path
        action = TaskActionRecord(exe, f"-NoProfile -ExecutionPolicy Bypass -File {quoted} {arguments}".strip())
    else:
        assert action_text is not None
        text = action_text.strip()
        if text.startswith('"'):
            program, _, rest = text[1:].partition('"')
        else:
            program, _, rest = text.partition(" ")
        action = TaskActionRecord(program, f"{rest.strip()} {arguments}".strip())
    definition = scheduler.Definition(actions=[action], triggers=[trigger], settings=settings,
                                      description=get(ctx, table, t, "description", str))
    try:
        scheduler.register(tx, host, get(ctx, table, t, "path", str), name, definition)
    except EmulatorError as exc:
        raise ctx.error(table, "name", exc.message) from None


def export(state: EmulatorState) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The hosts' tasks as `[[task]]` tables (each with its first trigger and its action line) and
    the timeline events still to come as `[[event]]` tables, for `hvemu world export`. Run
    history, missed runs and the Operational log are not part of a world."""
    kinds = {v: k for k, v in SCHEDULES.items()}
    tasks: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for host in state.hosts:
        for task in host.scheduler.tasks:
            table: dict[str, Any] = {"name": task.name, "host": host.name}
            if task.path != "\\":
                table["path"] = task.path
            if task.triggers:
                trig = task.triggers[0]
                table["schedule"] = kinds[trig.kind]
                if trig.start is not None:
                    table["at"] = trig.start
                if trig.kind == "Daily" and trig.days_interval != 1:
                    table["days_interval"] = trig.days_interval
                if trig.kind == "Weekly":
                    table["days_of_week"] = list(trig.days_of_week)
                    if trig.weeks_interval != 1:
                        table["weeks_interval"] = trig.weeks_interval
                if trig.repetition_interval:
                    table["repeat_every"] = trig.repetition_interval
                    if trig.repetition_duration:
                        table["repeat_for"] = trig.repetition_duration
                if trig.random_delay:
                    table["random_delay"] = trig.random_delay
            action = task.actions[0]
            program = f'"{action.execute}"' if " " in action.execute else action.execute
            table["action"] = f"{program} {action.arguments}".strip()
            if task.settings.multiple_instances != "IgnoreNew":
                table["multiple_instances"] = task.settings.multiple_instances
            if task.settings.execution_time_limit and task.settings.execution_time_limit != DEFAULT_TIME_LIMIT:
                table["execution_time_limit"] = task.settings.execution_time_limit
            if not task.settings.enabled:
                table["enabled"] = False
            if task.description:
                table["description"] = task.description
            tasks.append(table)
        events += [{"at": e.at, "action": e.action, "host": host.name,
                    **({"value": e.value} if e.action == "merge_rate" else {"vm": e.vm})}
                   for e in host.scheduler.timeline if not e.done]
    return tasks, events
