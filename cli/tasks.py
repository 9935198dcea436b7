"""`hvemu tasks list` and `hvemu tasks history TASK`: the emulated host's scheduled tasks and
their runs (the SDK's `client.tasks`); `hvemu tasks run-due [--every N]`, the scheduler of a
real-clock state (what is due by now runs; instants over a minute old count as missed); and
`duration`, the `--advance` argument type (`90`, `90s`, `15m`, `3h`, `14d`)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from hyperv_emu.cli.common import EXIT_OK, CLIError, _group, _leaf, _out, _state_url, format_datetime, format_table

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration(text: str) -> float:
    """Seconds from `90`, `90s`, `15m`, `3h`, `14d`, `2w` (argparse type)."""
    m = re.fullmatch(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([smhdw]?)\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration (a number of seconds, or 15m, 3h, 14d)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    tasks = _group(sub, "tasks", "the host's scheduled tasks (Task Scheduler) and their runs")
    _leaf(tasks, "list", common, cmd_list, "the registered tasks: state, last run and result, next run")
    p = _leaf(tasks, "history", common, cmd_history, "the runs of a task: due, started, ended, result, output")
    p.add_argument("task", metavar="TASK", help="the task's name, or its full name (\\Folder\\Name)")
    p.add_argument("--output", action="store_true", help="print each run's output under it")
    p = _leaf(tasks, "run-due", common, cmd_run_due,
              "real clock: run the tasks due by now (--every N: keep doing it every N seconds, a scheduler "
              "process for a real-clock state)")
    p.add_argument("--every", type=duration, metavar="DURATION", help="look again every DURATION until interrupted")


def _client(args: argparse.Namespace) -> Any:
    from hyperv_emu import sdk

    return sdk.connect(_state_url(args), computer_name=getattr(args, "computer_name", None))


def _fmt(hv: Any, value: Any) -> str:
    if value is None:
        return "N/A"
    settings = hv.settings()
    return format_datetime(value, str(settings.get("culture") or "en-US"), str(settings.get("edition") or "5.1"))


def _print_table(headers: tuple[str, ...], rows: list[list[str]]) -> None:
    if rows:
        _out(format_table(headers, rows))


def _result(code: int) -> str:
    return f"{code} (0x{code & 0xFFFFFFFF:X})" if code else "0"


def cmd_list(args: argparse.Namespace) -> int:
    hv = _client(args)
    rows = []
    for task in hv.tasks.get():
        info = hv.tasks.info(task.name, task.path)
        rows.append([task.uri, task.state, _fmt(hv, info.last_run_time), _result(info.last_task_result)
                     if info.last_run_time else "has not run", _fmt(hv, info.next_run_time)])
    _print_table(("Task", "State", "LastRunTime", "LastTaskResult", "NextRunTime"), rows)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from hyperv_emu.sdk.errors import TaskNotFoundError

    hv = _client(args)
    try:
        runs = hv.tasks.runs(args.task)
    except TaskNotFoundError:
        raise CLIError(f"no scheduled task '{args.task}' on this host (hvemu tasks list shows them)") from None
    if args.output:
        for r in runs:
            _out(f"{_fmt(hv, r.started)}  {r.reason}  result {_result(r.result)}")
            for line in r.output.splitlines():
                _out("    " + line)
        return EXIT_OK
    _print_table(("Due", "Started", "Ended", "Reason", "Result"),
                 [[_fmt(hv, r.scheduled), _fmt(hv, r.started), _fmt(hv, r.ended), r.reason, _result(r.result)]
                  for r in runs])
    return EXIT_OK


def cmd_run_due(args: argparse.Namespace) -> int:
    import os
    import time

    from hyperv_emu.psshim.tasks import attach

    hv = _client(args)
    if hv.clock_is_virtual:
        raise CLIError("the state's clock is virtual: its tasks run when the clock is moved (hvemu clock --advance)")
    attach(hv, os.environ)
    seen = {t.uri: len(hv.tasks.runs(t.name, t.path)) for t in hv.tasks.get()}
    while True:
        hv.sleep(0)  # on the real clock: the tasks due by now run
        for task in hv.tasks.get():
            runs = hv.tasks.runs(task.name, task.path)
            for r in runs[seen.get(task.uri, 0):]:
                _out(f"{_fmt(hv, r.started)}  {task.uri}  result {_result(r.result)}")
            seen[task.uri] = len(runs)
        if args.every is None:
            return EXIT_OK
        time.sleep(max(1.0, args.every))
