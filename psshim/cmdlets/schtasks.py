"""schtasks.exe on the emulated host: /create, /query (/fo table|list|csv, /nh, /v), /run, /end,
/delete, /change, over the same Task Scheduler as the ScheduledTasks cmdlets (`sdk.tasks`).

It behaves as a native program: its arguments are strings, its output lines of text (on the
pipeline, as a native program's standard output is), its errors `ERROR: ...` lines on standard
error, and $LASTEXITCODE is 0 on success and 1 on failure. Texts are schtasks.exe's (en-US).
Options are case-insensitive and start with `/` or `-`. In the emulator it is a command of the
session (Get-Command shows it as a cmdlet, not an Application), reachable as `schtasks` and
`schtasks.exe`, not by its full path.

Not emulated: /sc MONTHLY, ONIDLE, ONEVENT; /s /u /p (remote computers); /xml; prompts (a
replace or delete without /f is answered No, as when standard input is not a console).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.registry import Cmdlet, Param, cmdlet
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.tasks import (
    HAS_NOT_RUN,
    NEVER,
    ScheduledTask,
    TaskAction,
    TaskDefinition,
    TaskPrincipal,
    TaskSettings,
    TaskTrigger,
)

NOT_FOUND = "ERROR: The system cannot find the file specified."
_VERBS = ("create", "delete", "query", "change", "run", "end", "showsid")
_DAY_ABBREV = {"SUN": "Sunday", "MON": "Monday", "TUE": "Tuesday", "WED": "Wednesday", "THU": "Thursday",
               "FRI": "Friday", "SAT": "Saturday"}
# options of each verb: name -> takes a value
_OPTIONS: dict[str, dict[str, bool]] = {
    "create": {"s": True, "u": True, "p": True, "ru": True, "rp": True, "sc": True, "mo": True, "d": True, "m": True,
               "i": True, "tn": True, "tr": True, "st": True, "ri": True, "et": True, "du": True, "k": False,
               "sd": True, "ed": True, "ec": True, "it": False, "np": False, "z": False, "xml": True, "v1": False,
               "f": False, "rl": True, "delay": True, "hresult": False},
    "delete": {"s": True, "u": True, "p": True, "tn": True, "f": False, "hresult": False},
    "query": {"s": True, "u": True, "p": True, "fo": True, "nh": False, "v": False, "tn": True, "xml": True,
              "hresult": False},
    "change": {"s": True, "u": True, "p": True, "ru": True, "rp": True, "tr": True, "st": True, "ri": True,
               "et": True, "du": True, "k": False, "sd": True, "ed": True, "enable": False, "disable": False,
               "it": False, "z": False, "tn": True, "rl": True, "delay": True, "hresult": False},
    "run": {"s": True, "u": True, "p": True, "tn": True, "i": False, "hresult": False},
    "end": {"s": True, "u": True, "p": True, "tn": True, "hresult": False},
}


class SchtasksError(Exception):
    """An `ERROR: ...` schtasks writes (the text may hold a second, usage line)."""


def _usage(verb: str) -> str:
    return f'Type "SCHTASKS /{verb.upper()} /?" for usage.'


def parse_args(args: list[str]) -> tuple[str, dict[str, str | bool]]:
    """The verb and its options, or SchtasksError with schtasks' message."""
    if not args:
        return "query", {}
    first = args[0]
    verb = first[1:].casefold() if first[:1] in ("/", "-") else ""
    if verb not in _OPTIONS:
        raise SchtasksError(f"ERROR: Invalid argument/option - '{first}'.\n" + 'Type "SCHTASKS /?" for usage.')
    allowed = _OPTIONS[verb]
    options: dict[str, str | bool] = {}
    i = 1
    while i < len(args):
        word = args[i]
        name = word[1:].casefold() if word[:1] in ("/", "-") else None
        if name is None or name not in allowed:
            raise SchtasksError(f"ERROR: Invalid argument/option - '{word}'.\n{_usage(verb)}")
        if name in options:
            raise SchtasksError(f"ERROR: Invalid syntax. Option '/{name}' not allowed more than '1' time(s).\n"
                                f"{_usage(verb)}")
        if allowed[name]:
            if i + 1 >= len(args):
                raise SchtasksError(f"ERROR: Invalid syntax. Value expected for '{word}'.\n{_usage(verb)}")
            options[name] = args[i + 1]
            i += 2
        else:
            options[name] = True
            i += 1
    return verb, options


def _require(options: dict[str, str | bool], verb: str, *names: str) -> None:
    for name in names:
        if name not in options:
            raise SchtasksError(f"ERROR: Invalid syntax. Mandatory option '{name}' is missing.\n{_usage(verb)}")


def split_task_run(text: str) -> TaskAction:
    """/tr's "program args": the program (quoted or up to the first space) and the rest."""
    text = text.strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        if end < 0:
            return TaskAction(text[1:])
        return TaskAction(text[1:end], text[end + 1:].strip())
    program, _, rest = text.partition(" ")
    return TaskAction(program, rest.strip())


def _time_of_day(text: str) -> dt.time:
    try:
        parts = [int(p) for p in text.split(":")]
        if len(parts) not in (2, 3) or not 0 <= parts[0] < 24 or not 0 <= parts[1] < 60:
            raise ValueError
        return dt.time(parts[0], parts[1], parts[2] if len(parts) == 3 else 0)
    except ValueError:
        raise SchtasksError("ERROR: Invalid Start Time.") from None


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise SchtasksError("ERROR: Invalid Start Date (Date should be in \"mm/dd/yyyy\" format).") from None


def _int(text: object, what: str) -> int:
    try:
        value = int(str(text))
        if value < 1:
            raise ValueError
        return value
    except ValueError:
        raise SchtasksError(f"ERROR: Invalid value for /{what} option.") from None


def build_trigger(options: dict[str, str | bool], now: dt.datetime) -> TaskTrigger:
    """The trigger of /sc /mo /d /st /sd /ed /ri /du."""
    schedule = str(options.get("sc", "")).upper()
    start_time = _time_of_day(str(options["st"])) if "st" in options else now.time().replace(second=0, microsecond=0)
    start_date = _date(str(options["sd"])) if "sd" in options else now.date()
    start = dt.datetime.combine(start_date, start_time)
    end = dt.datetime.combine(_date(str(options["ed"])), dt.time(23, 59, 59)) if "ed" in options else None
    modifier = options.get("mo")
    interval: dt.timedelta | None = None
    duration: dt.timedelta | None = None
    if "ri" in options:
        interval = dt.timedelta(minutes=_int(options["ri"], "RI"))
    if "du" in options:
        hours, _, minutes = str(options["du"]).partition(":")
        try:
            duration = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        except ValueError:
            raise SchtasksError("ERROR: Invalid duration value.") from None
    if schedule == "MINUTE":
        return TaskTrigger("Once", start, repetition_interval=dt.timedelta(minutes=_int(modifier or 1, "MO")),
                           repetition_duration=duration, end=end)
    if schedule == "HOURLY":
        return TaskTrigger("Once", start, repetition_interval=dt.timedelta(hours=_int(modifier or 1, "MO")),
                           repetition_duration=duration, end=end)
    if schedule == "DAILY":
        return TaskTrigger("Daily", start, days_interval=_int(modifier or 1, "MO"), repetition_interval=interval,
                           repetition_duration=duration if interval else None, end=end)
    if schedule == "WEEKLY":
        days_text = str(options.get("d", "")).upper()
        if days_text in ("", ):
            days: tuple[str, ...] = (("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                      "Saturday")[(start.weekday() + 1) % 7],)
        elif days_text == "*":
            days = tuple(_DAY_ABBREV.values())
        else:
            try:
                days = tuple(_DAY_ABBREV[d.strip()] for d in days_text.split(","))
            except KeyError:
                raise SchtasksError("ERROR: Invalid value for /D option.") from None
        return TaskTrigger("Weekly", start, weeks_interval=_int(modifier or 1, "MO"), days_of_week=days,
                           repetition_interval=interval, repetition_duration=duration if interval else None, end=end)
    if schedule == "ONCE":
        if "st" not in options:
            raise SchtasksError(f"ERROR: Invalid syntax. Mandatory option 'st' is missing.\n{_usage('create')}")
        return TaskTrigger("Once", start, repetition_interval=interval,
                           repetition_duration=duration if interval else None, end=end)
    if schedule == "ONSTART":
        return TaskTrigger("AtStartup")
    if schedule == "ONLOGON":
        return TaskTrigger("AtLogOn")
    if schedule in ("MONTHLY", "ONIDLE", "ONEVENT"):
        raise SchtasksError(f"ERROR: The schedule type {schedule} is not emulated by hvemu.")
    raise SchtasksError("ERROR: Invalid value for /SC option.")


def _principal(options: dict[str, str | bool]) -> TaskPrincipal | None:
    if "ru" not in options and "rl" not in options:
        return None
    user = str(options.get("ru", ""))
    level = str(options.get("rl", "LIMITED")).upper()
    if level not in ("LIMITED", "HIGHEST"):
        raise SchtasksError("ERROR: Invalid value for /RL option.")
    service = user.casefold() in ("system", "nt authority\\system", "localsystem")
    return TaskPrincipal(user, "ServiceAccount" if service else "Interactive",
                         "Highest" if level == "HIGHEST" else "Limited")


def native_args(values: Any) -> list[str]:
    """A native program's arguments as strings: an array argument (`/d MON,FRI`, which
    PowerShell parses as an array) is the text of its elements joined by commas."""
    if values is None:
        return []
    return [",".join(C.to_string(x) for x in a) if isinstance(a, list) else C.to_string(a) for a in C.as_list(values)]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str = "") -> None:
        self.lines.append(text)


@cmdlet("schtasks.exe", module="hvemu.NativeCommands", class_name="schtasks.exe")
class Schtasks(Cmdlet):
    """Creates, queries, runs, changes and deletes the host's scheduled tasks (/create /sc /tn /tr /st
    /sd /ed /mo /d /ri /du /ru /rl /f; /query /tn /fo TABLE|LIST|CSV /nh /v; /run; /end; /change
    /tr /st /enable /disable; /delete /f), with schtasks' SUCCESS/ERROR lines and $LASTEXITCODE."""

    Arguments = Param("object[]", position=0, remaining=True)

    def _date_text(self, value: dt.datetime | None) -> str:
        if value is None:
            return "N/A"
        from hyperv_emu.psshim.format.dotnet_format import format_datetime
        from hyperv_emu.psshim.runtime.textformat import culture_object

        return format_datetime(value, "G", culture_object(self.ctx.interp.settings.culture))  # type: ignore[arg-type]

    def process_record(self) -> Iterator[Any]:
        args = native_args(self.Arguments)
        out = _Writer()
        code = 0
        try:
            verb, options = parse_args(args)
            getattr(self, "_" + verb)(options, out)
        except SchtasksError as exc:
            code = 1
            for text in str(exc).split("\n"):
                self.ctx.interp.host.write_err(text + "\n")
        except HyperVError as exc:
            code = 1
            self.ctx.interp.host.write_err(f"ERROR: {exc.message}\n")
        interp = self.ctx.interp
        interp.last_exit_code = code
        interp.global_scope.define("LASTEXITCODE", code)
        if code:
            interp.failures += 1
        yield from out.lines

    # --- verbs --------------------------------------------------------------------------------

    def _find(self, options: dict[str, str | bool]) -> ScheduledTask:
        name = str(options["tn"])
        try:
            return self.ctx.hyperv.tasks.task(name if "\\" in name else "\\" + name)  # type: ignore[no-any-return]
        except HyperVError:
            raise SchtasksError(NOT_FOUND) from None

    def _create(self, options: dict[str, str | bool], out: _Writer) -> None:
        if "xml" in options:
            raise SchtasksError("ERROR: schtasks /create /xml is not emulated by hvemu.")
        _require(options, "create", "sc", "tn", "tr")
        tasks = self.ctx.hyperv.tasks
        name = str(options["tn"])
        trigger = build_trigger(options, self.ctx.hyperv.now())
        definition = TaskDefinition(actions=(split_task_run(str(options["tr"])),), triggers=(trigger,),
                                    settings=TaskSettings(), principal=_principal(options))
        try:
            tasks.task(name if "\\" in name else "\\" + name)
            exists = True
        except HyperVError:
            exists = False
        if exists and not options.get("f"):
            out.line(f'WARNING: The task name "{name}" already exists. Do you want to replace it (Y/N)? N')
            return
        tasks.register(name if "\\" in name else "\\" + name, definition, force=True)
        out.line(f'SUCCESS: The scheduled task "{name}" has successfully been created.')

    def _delete(self, options: dict[str, str | bool], out: _Writer) -> None:
        _require(options, "delete", "tn")
        name = str(options["tn"])
        if name == "*":
            targets = self.ctx.hyperv.tasks.get()
        else:
            targets = [self._find(options)]
        if not options.get("f"):
            out.line(f'WARNING: Are you sure you want to remove the task "{name}" (Y/N)? N')
            return
        for task in targets:
            self.ctx.hyperv.tasks.unregister(task.name, task.path)
        out.line(f'SUCCESS: The scheduled task "{name}" was successfully deleted.')

    def _run(self, options: dict[str, str | bool], out: _Writer) -> None:
        _require(options, "run", "tn")
        task = self._find(options)
        out.line(f'SUCCESS: Attempted to run the scheduled task "{options["tn"]}".')
        self.ctx.hyperv.tasks.start(task.name, task.path)

    def _end(self, options: dict[str, str | bool], out: _Writer) -> None:
        _require(options, "end", "tn")
        task = self._find(options)
        if task.state != "Running":
            raise SchtasksError(f'ERROR: The scheduled task "{options["tn"]}" is not running.')
        self.ctx.hyperv.tasks.stop(task.name, task.path)
        out.line(f'SUCCESS: The scheduled task "{options["tn"]}" has been terminated successfully.')

    def _change(self, options: dict[str, str | bool], out: _Writer) -> None:
        _require(options, "change", "tn")
        if options.get("enable") and options.get("disable"):
            raise SchtasksError(f"ERROR: Invalid syntax. /ENABLE and /DISABLE cannot be specified together.\n"
                                f"{_usage('change')}")
        if len([k for k in options if k not in ("tn", "s", "u", "p", "hresult")]) == 0:
            raise SchtasksError(f"ERROR: Invalid syntax. Specify at least one of the options to change.\n"
                                f"{_usage('change')}")
        task = self._find(options)
        tasks = self.ctx.hyperv.tasks
        actions = (split_task_run(str(options["tr"])),) if "tr" in options else None
        triggers = None
        if any(k in options for k in ("st", "sd", "ed", "ri", "du")) and task.triggers:
            first = task.triggers[0]
            start = first.start or self.ctx.hyperv.now()
            if "st" in options:
                start = dt.datetime.combine(start.date(), _time_of_day(str(options["st"])))
            if "sd" in options:
                start = dt.datetime.combine(_date(str(options["sd"])), start.time())
            changed = TaskTrigger(first.kind, start, first.days_interval, first.weeks_interval, first.days_of_week,
                                  dt.timedelta(minutes=_int(options["ri"], "RI")) if "ri" in options
                                  else first.repetition_interval, first.repetition_duration, first.random_delay,
                                  dt.datetime.combine(_date(str(options["ed"])), dt.time(23, 59, 59))
                                  if "ed" in options else first.end, first.enabled, first.user_id)
            triggers = (changed, *task.triggers[1:])
        settings = None
        if options.get("enable") or options.get("disable"):
            s = task.settings
            settings = TaskSettings(bool(options.get("enable")), s.execution_time_limit, s.multiple_instances,
                                    s.start_when_available, s.allow_demand_start, s.allow_hard_terminate, s.hidden,
                                    s.priority, s.disallow_start_if_on_batteries, s.stop_if_going_on_batteries,
                                    s.run_only_if_network_available, s.wake_to_run)
        tasks.update(task.name, TaskDefinition(actions=actions, triggers=triggers, settings=settings,
                                               principal=_principal(options)), task.path)
        out.line(f'SUCCESS: The parameters of scheduled task "{options["tn"]}" have been changed.')

    def _query(self, options: dict[str, str | bool], out: _Writer) -> None:
        if "xml" in options:
            raise SchtasksError("ERROR: schtasks /query /xml is not emulated by hvemu (use Export-ScheduledTask).")
        fmt = str(options.get("fo", "TABLE")).upper()
        if fmt not in ("TABLE", "LIST", "CSV"):
            raise SchtasksError(f"ERROR: Invalid value for /FO option.\n{_usage('query')}")
        if options.get("nh") and fmt == "LIST":
            raise SchtasksError(f"ERROR: Invalid syntax. /NH option is valid only for \"TABLE\" and \"CSV\" "
                                f"format.\n{_usage('query')}")
        tasks = [self._find(options)] if "tn" in options else self.ctx.hyperv.tasks.get()
        host = self.ctx.hyperv.host_name.split(".")[0].upper()
        verbose = bool(options.get("v"))
        rows = [self._row(t, host, verbose) for t in tasks]
        if fmt == "CSV":
            header = True
            for row in rows:
                if header and not options.get("nh"):
                    out.line(",".join(f'"{k}"' for k, _ in row))
                header = False
                out.line(",".join(f'"{v}"' for _, v in row))
            return
        folders: dict[str, list[list[tuple[str, str]]]] = {}
        for task, row in zip(tasks, rows):
            folders.setdefault(task.path, []).append(row)
        for folder, folder_rows in folders.items():
            out.line()
            shown = folder if folder == "\\" else folder.rstrip("\\")
            out.line(f"Folder: {shown}")
            if fmt == "LIST":
                width = max(len(k) for k, _ in folder_rows[0]) + 2
                for row in folder_rows:
                    for k, v in row:
                        out.line(f"{k + ':':<{width}}{v}")
                    out.line()
                continue
            if not options.get("nh"):
                out.line(f"{'TaskName':<40} {'Next Run Time':<22} {'Status':<15}")
                out.line(f"{'=' * 40} {'=' * 22} {'=' * 15}")
            for row in folder_rows:
                values = dict(row)
                name = values["TaskName"].rsplit("\\", 1)[-1]
                out.line(f"{name:<40} {values['Next Run Time']:<22} {values['Status']:<15}")

    def _row(self, task: ScheduledTask, host: str, verbose: bool) -> list[tuple[str, str]]:
        info = self.ctx.hyperv.tasks.info(task.name, task.path)
        row = [("HostName", host)] if verbose else []
        row += [("TaskName", task.uri), ("Next Run Time", self._date_text(info.next_run_time)),
                ("Status", task.state if task.state != "Disabled" else "Disabled")]
        if not verbose:
            return row
        action = task.actions[0] if task.actions else TaskAction("")
        limit = task.settings.execution_time_limit
        hours = int(limit.total_seconds() // 3600) if limit else 0
        minutes = int(limit.total_seconds() % 3600 // 60) if limit else 0
        trig = task.triggers[0] if task.triggers else None
        schedule_type = {"Once": "One Time Only", "Daily": "Daily", "Weekly": "Weekly", "AtStartup": "At system start up",
                         "AtLogOn": "At logon time"}.get(trig.kind, "N/A") if trig else "N/A"
        row += [("Logon Mode", "Interactive/Background"),
                ("Last Run Time", self._date_text(info.last_run_time or NEVER)),
                ("Last Result", str(info.last_task_result if info.last_task_result != HAS_NOT_RUN else HAS_NOT_RUN)),
                ("Author", task.author or "N/A"),
                ("Task To Run", (action.execute + " " + action.arguments).strip()),
                ("Start In", action.working_directory or "N/A"), ("Comment", task.description or "N/A"),
                ("Scheduled Task State", "Enabled" if task.settings.enabled else "Disabled"),
                ("Idle Time", "Disabled"), ("Power Management", "Stop On Battery Mode, No Start On Batteries"),
                ("Run As User", task.principal.user_id or "Administrator"),
                ("Delete Task If Not Rescheduled", "Disabled"),
                ("Stop Task If Runs X Hours and X Mins", f"{hours:02d}:{minutes:02d}:00" if limit else "Disabled"),
                ("Schedule", "Scheduling data is not available in this format."),
                ("Schedule Type", schedule_type),
                ("Start Time", self._time_text(trig.start) if trig and trig.start else "N/A"),
                ("Start Date", self._short_date(trig.start) if trig and trig.start else "N/A"),
                ("End Date", self._short_date(trig.end) if trig and trig.end else "N/A"),
                ("Days", ", ".join(d[:3].upper() for d in trig.days_of_week) if trig and trig.kind == "Weekly"
                 else ("Every " + str(trig.days_interval) + " day(s)" if trig and trig.kind == "Daily" else "N/A")),
                ("Months", "N/A")]
        return row

    def _time_text(self, value: dt.datetime) -> str:
        from hyperv_emu.psshim.format.dotnet_format import format_datetime
        from hyperv_emu.psshim.runtime.textformat import culture_object

        return format_datetime(value, "T", culture_object(self.ctx.interp.settings.culture))  # type: ignore[arg-type]

    def _short_date(self, value: dt.datetime) -> str:
        from hyperv_emu.psshim.format.dotnet_format import format_datetime
        from hyperv_emu.psshim.runtime.textformat import culture_object

        return format_datetime(value, "d", culture_object(self.ctx.interp.settings.culture))  # type: ignore[arg-type]


def setup(registry: Any) -> None:
    """`schtasks` runs schtasks.exe, as Windows finds it on the PATH."""
    registry.add_alias("schtasks", "schtasks.exe")
