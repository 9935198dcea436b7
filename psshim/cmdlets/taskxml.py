"""Export-ScheduledTask's XML: a task's definition in the Task Scheduler's schema (version 1.2,
namespace http://schemas.microsoft.com/windows/2004/02/mit/task), elements in the schema's order,
indented by two spaces, as `schtasks /query /xml` and Export-ScheduledTask write it."""

from __future__ import annotations

from hyperv_emu.psshim.cmdlets.taskobjects import boundary, iso_duration
from hyperv_emu.sdk.tasks import ScheduledTask, TaskTrigger

_SERVICE_SIDS = {"system": "S-1-5-18", "nt authority\\system": "S-1-5-18", "localsystem": "S-1-5-18",
                 "local service": "S-1-5-19", "nt authority\\local service": "S-1-5-19",
                 "network service": "S-1-5-20", "nt authority\\network service": "S-1-5-20"}


def _b(value: bool) -> str:
    return "true" if value else "false"


def _el(indent: int, name: str, text: str) -> str:
    from xml.sax.saxutils import escape  # on first use: xml.sax costs ~15 ms of every start-up

    return f"{'  ' * indent}<{name}>{escape(text)}</{name}>"


def _trigger(t: TaskTrigger) -> list[str]:
    tag = {"Once": "TimeTrigger", "Daily": "CalendarTrigger", "Weekly": "CalendarTrigger",
           "AtStartup": "BootTrigger", "AtLogOn": "LogonTrigger"}[t.kind]
    out = [f"    <{tag}>"]
    if t.repetition_interval:
        out.append("      <Repetition>")
        out.append(_el(4, "Interval", iso_duration(t.repetition_interval.total_seconds()) or ""))
        if t.repetition_duration:
            out.append(_el(4, "Duration", iso_duration(t.repetition_duration.total_seconds()) or ""))
        out.append(_el(4, "StopAtDurationEnd", "false"))
        out.append("      </Repetition>")
    if t.start is not None:
        out.append(_el(3, "StartBoundary", boundary(t.start) or ""))
    if t.end is not None:
        out.append(_el(3, "EndBoundary", boundary(t.end) or ""))
    out.append(_el(3, "Enabled", _b(t.enabled)))
    if t.random_delay:
        out.append(_el(3, "RandomDelay" if t.kind in ("Once", "Daily", "Weekly") else "Delay",
                       iso_duration(t.random_delay.total_seconds()) or ""))
    if t.kind == "AtLogOn" and t.user_id:
        out.append(_el(3, "UserId", t.user_id))
    if t.kind == "Daily":
        out += ["      <ScheduleByDay>", _el(4, "DaysInterval", str(t.days_interval)), "      </ScheduleByDay>"]
    elif t.kind == "Weekly":
        out += ["      <ScheduleByWeek>", "        <DaysOfWeek>"]
        out += [f"          <{d} />" for d in t.days_of_week]
        out += ["        </DaysOfWeek>", _el(4, "WeeksInterval", str(t.weeks_interval)), "      </ScheduleByWeek>"]
    out.append(f"    </{tag}>")
    return out


def task_xml(task: ScheduledTask, host: str) -> str:
    """The XML text (lines joined with CRLF, as on Windows)."""
    s = task.settings
    p = task.principal
    lines = ['<?xml version="1.0" encoding="UTF-16"?>',
             '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
             "  <RegistrationInfo>"]
    if task.date is not None:
        lines.append(_el(2, "Date", boundary(task.date) or ""))
    if task.author:
        lines.append(_el(2, "Author", task.author))
    if task.description:
        lines.append(_el(2, "Description", task.description))
    lines += [_el(2, "URI", task.uri), "  </RegistrationInfo>"]
    if task.triggers:
        lines.append("  <Triggers>")
        for t in task.triggers:
            lines += _trigger(t)
        lines.append("  </Triggers>")
    else:
        lines.append("  <Triggers />")
    lines += ["  <Principals>", '    <Principal id="Author">']
    if p.group_id:
        lines.append(_el(3, "GroupId", p.group_id))
    else:
        user = p.user_id or f"{host.split('.')[0].upper()}\\Administrator"
        lines.append(_el(3, "UserId", _SERVICE_SIDS.get(user.casefold(), user)))
        if p.logon_type not in ("ServiceAccount", "None") and user.casefold() not in _SERVICE_SIDS:
            lines.append(_el(3, "LogonType", "InteractiveToken" if p.logon_type == "Interactive" else p.logon_type))
    lines.append(_el(3, "RunLevel", "HighestAvailable" if p.run_level == "Highest" else "LeastPrivilege"))
    lines += ["    </Principal>", "  </Principals>", "  <Settings>",
              _el(2, "MultipleInstancesPolicy", s.multiple_instances),
              _el(2, "DisallowStartIfOnBatteries", _b(s.disallow_start_if_on_batteries)),
              _el(2, "StopIfGoingOnBatteries", _b(s.stop_if_going_on_batteries)),
              _el(2, "AllowHardTerminate", _b(s.allow_hard_terminate)),
              _el(2, "StartWhenAvailable", _b(s.start_when_available)),
              _el(2, "RunOnlyIfNetworkAvailable", _b(s.run_only_if_network_available)),
              "    <IdleSettings>", _el(3, "StopOnIdleEnd", "true"), _el(3, "RestartOnIdle", "false"),
              "    </IdleSettings>",
              _el(2, "AllowStartOnDemand", _b(s.allow_demand_start)), _el(2, "Enabled", _b(s.enabled)),
              _el(2, "Hidden", _b(s.hidden)), _el(2, "RunOnlyIfIdle", "false"), _el(2, "WakeToRun", _b(s.wake_to_run)),
              _el(2, "ExecutionTimeLimit", (iso_duration(s.execution_time_limit.total_seconds()) or "PT0S")
                  if s.execution_time_limit else "PT0S"),
              _el(2, "Priority", str(s.priority)), "  </Settings>", '  <Actions Context="Author">']
    for a in task.actions:
        lines += ["    <Exec>", _el(3, "Command", a.execute)]
        if a.arguments:
            lines.append(_el(3, "Arguments", a.arguments))
        if a.working_directory:
            lines.append(_el(3, "WorkingDirectory", a.working_directory))
        lines.append("    </Exec>")
    lines += ["  </Actions>", "</Task>"]
    return "\r\n".join(lines)
