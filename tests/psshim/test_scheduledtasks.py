"""The ScheduledTasks cmdlets, schtasks.exe and wevtutil.exe through a psshim Session, and tasks
running their scripts when the clock moves (Start-Sleep).

Expected texts and values come from the module's documentation (docs.microsoft.com,
ScheduledTasks; windows-commands/schtasks-*) and Windows' behaviour: LastTaskResult 267011
(SCHED_S_TASK_HAS_NOT_RUN) and LastRunTime 11/30/1999 for a task that never ran, CIM's
"No MSFT_ScheduledTask objects found" error, schtasks' SUCCESS/ERROR lines."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.session import Session

WORLD = T.base_world("2026-02-20T08:00:00") + T.vm_table("SRV-APP01", state="Running")

JOB = ("param($VMName) Checkpoint-VM -Name $VMName -SnapshotName \"Daily $(Get-Date -Format yyyy-MM-dd)\"; "
       "\"done $VMName at $(Get-Date -Format HH:mm)\"; exit 3")


@pytest.fixture
def session(memory_url):
    s = Session.from_world_text(WORLD, memory_url, environment={})
    s.client.make_dir("C:\\Scripts")
    s.client.write_file("C:\\Scripts\\job.ps1", JOB.encode())
    return s


def ok(session: Session, text: str) -> list:
    r = session.run(text)
    assert r.stderr == "" and r.exit_code == 0, r.stderr
    return list(r.output)


def out(session: Session, text: str) -> str:
    r = session.run(text)
    assert r.stderr == "", r.stderr
    return r.stdout


REGISTER = ("$a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "
            "'-NoProfile -ExecutionPolicy Bypass -File C:\\Scripts\\job.ps1 -VMName SRV-APP01'\n"
            "$t = New-ScheduledTaskTrigger -Daily -At 2am\n"
            "Register-ScheduledTask -TaskName 'Daily Checkpoint' -Action $a -Trigger $t | Out-Null\n")


def test_building_blocks_are_cim_instances(session):
    action, trigger, settings = ok(session, "New-ScheduledTaskAction -Execute cmd.exe -Argument '/c dir'; "
                                            "New-ScheduledTaskTrigger -Weekly -DaysOfWeek Monday, Friday -At 3am "
                                            "-WeeksInterval 2; New-ScheduledTaskSettingsSet")
    assert ok(session, "(New-ScheduledTaskAction -Execute cmd.exe).pstypenames[0]") == [
        "Microsoft.Management.Infrastructure.CimInstance#Root/Microsoft/Windows/TaskScheduler/MSFT_TaskExecAction"]
    assert action.get("Execute") == "cmd.exe" and action.get("Arguments") == "/c dir"
    assert trigger.class_name == "MSFT_TaskWeeklyTrigger"
    assert trigger.get("DaysOfWeek") == 2 + 32 and trigger.get("WeeksInterval") == 2  # Monday | Friday
    assert trigger.get("StartBoundary") == "2026-02-20T03:00:00"  # -At 3am: today on the host's clock
    assert settings.get("ExecutionTimeLimit") == "PT72H" and settings.get("MultipleInstances") == "IgnoreNew"
    assert ok(session, "(New-ScheduledTaskTrigger -Once -At 9am -RepetitionInterval (New-TimeSpan -Minutes 15)"
                       ").Repetition.Interval") == ["PT15M"]


def test_register_then_get_and_info_before_any_run(session):
    ok(session, REGISTER)
    # the module's table: TaskPath 46 wide, TaskName 33 (its documentation's example 3)
    lines = out(session, "Get-ScheduledTask").splitlines()
    assert [line.rstrip() for line in lines[1:4]] == [
        "TaskPath" + " " * 39 + "TaskName" + " " * 26 + "State",
        "--------" + " " * 39 + "--------" + " " * 26 + "-----",
        "\\" + " " * 46 + "Daily Checkpoint" + " " * 18 + "Ready"]
    [info] = ok(session, "Get-ScheduledTask | Get-ScheduledTaskInfo")
    assert info.get("TaskName") == "Daily Checkpoint"
    assert ok(session, "(Get-ScheduledTaskInfo -TaskName '\\Daily Checkpoint').TaskPath") == ["\\"]
    [info] = ok(session, "Get-ScheduledTaskInfo -TaskName 'Daily Checkpoint'")
    assert info.get("LastTaskResult") == 267011 and info.get("NumberOfMissedRuns") == 0
    assert info.get("LastRunTime").isoformat() == "1999-11-30T00:00:00"
    assert info.get("NextRunTime").isoformat() == "2026-02-21T02:00:00"


def test_the_clock_runs_the_task_through_powershell(session):
    ok(session, REGISTER)
    ok(session, "Start-Sleep -Seconds (2 * 86400)")
    [info] = ok(session, "Get-ScheduledTaskInfo 'Daily Checkpoint'")
    assert info.get("LastRunTime").isoformat() == "2026-02-22T02:00:00"
    assert info.get("LastTaskResult") == 3  # the script's exit code
    assert info.get("NextRunTime").isoformat() == "2026-02-23T02:00:00"
    assert ok(session, "(Get-VMSnapshot -VMName SRV-APP01).Name") == ["Daily 2026-02-21", "Daily 2026-02-22"]
    runs = session.client.tasks.runs("Daily Checkpoint")
    assert [r.output for r in runs] == ["done SRV-APP01 at 02:00\n"] * 2


def test_errors_are_the_modules(session):
    ok(session, REGISTER)
    r = session.run("Get-ScheduledTask -TaskName nope")
    assert "No MSFT_ScheduledTask objects found with property 'TaskName' equal to 'nope'." in r.stderr
    assert "CmdletizationQuery_NotFound_TaskName,Get-ScheduledTask" in r.stderr
    assert session.run("Get-ScheduledTask -TaskName no*").stderr == ""  # a pattern matching nothing is silent
    r = session.run(REGISTER.replace(" | Out-Null", ""))
    assert "Cannot create a file when that file already exists." in r.stderr
    assert "HRESULT 0x800700b7,Register-ScheduledTask" in r.stderr
    assert session.run(REGISTER.replace("| Out-Null", "-Force | Out-Null")).stderr == ""


def test_disable_enable_set_unregister(session):
    ok(session, REGISTER)
    assert [str(t.get("State")) for t in ok(session, "Disable-ScheduledTask 'Daily Checkpoint'")] == ["Disabled"]
    ok(session, "Start-Sleep -Seconds 86400")
    assert ok(session, "(Get-ScheduledTaskInfo 'Daily Checkpoint').LastTaskResult") == [267011]
    ok(session, "Enable-ScheduledTask 'Daily Checkpoint' | Out-Null; "
                "Set-ScheduledTask 'Daily Checkpoint' -Trigger (New-ScheduledTaskTrigger -Daily -At 4am) | Out-Null")
    assert [str(x) for x in ok(session, "(Get-ScheduledTaskInfo 'Daily Checkpoint').NextRunTime")] == \
        ["2026-02-22 04:00:00"]
    ok(session, "Get-ScheduledTask 'Daily Checkpoint' | Unregister-ScheduledTask -Confirm:$false")
    assert ok(session, "@(Get-ScheduledTask).Count") == [0]


def test_start_scheduled_task_and_folders(session):
    ok(session, REGISTER.replace("-TaskName 'Daily Checkpoint'", "-TaskName Nightly -TaskPath Backup"))
    assert ok(session, "(Get-ScheduledTask -TaskPath '\\Backup\\').URI") == ["\\Backup\\Nightly"]
    ok(session, "Start-ScheduledTask -TaskName Nightly -TaskPath \\Backup\\")
    assert ok(session, "(Get-VMSnapshot -VMName SRV-APP01).Name") == ["Daily 2026-02-20"]
    assert session.client.tasks.runs("\\Backup\\Nightly")[0].reason == "demand"


def test_export_scheduled_task(session):
    ok(session, REGISTER)
    [xml] = ok(session, "Export-ScheduledTask 'Daily Checkpoint'")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2"')
    assert "<StartBoundary>2026-02-21T02:00:00</StartBoundary>" not in xml  # the trigger's own start
    assert "<StartBoundary>2026-02-20T02:00:00</StartBoundary>" in xml
    assert "<ScheduleByDay>\r\n        <DaysInterval>1</DaysInterval>" in xml
    assert "<Command>powershell.exe</Command>" in xml and "<ExecutionTimeLimit>PT72H</ExecutionTimeLimit>" in xml


# --- schtasks.exe ---------------------------------------------------------------------------------


def test_schtasks_create_query_run_delete(session):
    text = out(session, 'schtasks /create /sc daily /st 02:00 /tn "Nightly" '
                        '/tr "powershell.exe -NoProfile -File C:\\Scripts\\job.ps1 -VMName SRV-APP01"; $LASTEXITCODE')
    assert text == 'SUCCESS: The scheduled task "Nightly" has successfully been created.\n0\n'
    assert out(session, "schtasks /query /tn Nightly") == (
        "\nFolder: \\\n"
        "TaskName                                 Next Run Time          Status         \n"
        "======================================== ====================== ===============\n"
        "Nightly                                  2/21/2026 2:00:00 AM   Ready          \n")
    assert out(session, "schtasks /query /fo csv /nh") == '"\\Nightly","2/21/2026 2:00:00 AM","Ready"\n'
    assert out(session, "schtasks /query /fo list") == (
        "\nFolder: \\\nTaskName:      \\Nightly\nNext Run Time: 2/21/2026 2:00:00 AM\nStatus:        Ready\n\n")
    assert out(session, "schtasks /run /tn Nightly") == 'SUCCESS: Attempted to run the scheduled task "Nightly".\n'
    assert ok(session, "(Get-VMSnapshot -VMName SRV-APP01).Name") == ["Daily 2026-02-20"]
    assert out(session, "schtasks /change /tn Nightly /disable") == \
        'SUCCESS: The parameters of scheduled task "Nightly" have been changed.\n'
    assert ok(session, "(Get-ScheduledTask Nightly).State.ToString()") == ["Disabled"]
    assert out(session, "schtasks /delete /tn Nightly /f") == \
        'SUCCESS: The scheduled task "Nightly" was successfully deleted.\n'


def test_schtasks_errors(session):
    r = session.run("schtasks /query /tn nope; $LASTEXITCODE")
    assert r.stderr == "ERROR: The system cannot find the file specified.\n" and r.stdout == "1\n"
    r = session.run("schtasks /create /tn x /tr cmd.exe")
    assert r.stderr == ("ERROR: Invalid syntax. Mandatory option 'sc' is missing.\n"
                        'Type "SCHTASKS /CREATE /?" for usage.\n')
    r = session.run("schtasks /bogus")
    assert r.stderr.startswith("ERROR: Invalid argument/option - '/bogus'.")


def test_schtasks_weekly_and_minute_schedules(session):
    ok(session, 'schtasks /create /sc weekly /d MON,FRI /st 03:30 /tn W /tr "cmd.exe /c echo" | Out-Null; '
                'schtasks /create /sc minute /mo 15 /st 09:00 /tn M /tr "cmd.exe /c echo" | Out-Null')
    info = {t: session.client.tasks.info(t) for t in ("W", "M")}
    # 2026-02-20 is a Friday whose 03:30 has passed (it is 08:00): next Monday
    assert info["W"].next_run_time.isoformat() == "2026-02-23T03:30:00"
    assert info["M"].next_run_time.isoformat() == "2026-02-20T09:00:00"
    ok(session, "Start-Sleep -Seconds 3600")
    assert session.client.tasks.info("M").next_run_time.isoformat() == "2026-02-20T09:15:00"
    # cmd.exe is not there on the emulated host: the run fails as a missing program does
    assert session.client.tasks.info("M").last_task_result == 0x80070002


# --- the Operational log --------------------------------------------------------------------------


def test_task_events_only_after_the_log_is_enabled(session):
    ok(session, REGISTER)
    ok(session, "Start-Sleep -Seconds 86400")
    r = session.run("Get-WinEvent -LogName Microsoft-Windows-TaskScheduler/Operational")
    assert "No events were found that match the specified selection criteria." in r.stderr
    assert out(session, "wevtutil gl Microsoft-Windows-TaskScheduler/Operational").splitlines()[1] == "enabled: false"
    ok(session, "wevtutil sl Microsoft-Windows-TaskScheduler/Operational /e:true")
    ok(session, "Start-Sleep -Seconds 86400")
    ids = ok(session, "(Get-WinEvent -LogName Microsoft-Windows-TaskScheduler/Operational -Oldest).Id")
    assert ids == [107, 100, 200, 201, 102]
    [msg] = ok(session, "(Get-WinEvent -LogName Microsoft-Windows-TaskScheduler/Operational -MaxEvents 1).Message")
    assert msg.startswith('Task Scheduler successfully finished "{') and msg.endswith(
        'instance of the "\\Daily Checkpoint" task for user "HV-HOST01\\Administrator".')


def test_the_dotnet_way_to_enable_the_log(session):
    ok(session, REGISTER)
    assert ok(session, "$c = New-Object System.Diagnostics.Eventing.Reader.EventLogConfiguration "
                       "'Microsoft-Windows-TaskScheduler/Operational'; $c.IsEnabled") == [False]
    assert ok(session, "$c = New-Object System.Diagnostics.Eventing.Reader.EventLogConfiguration "
                       "'Microsoft-Windows-TaskScheduler/Operational'; $c.IsEnabled = $true; $c.SaveChanges()") == []
    ok(session, "Start-Sleep -Seconds 86400")
    assert ok(session, "@(Get-WinEvent -LogName Microsoft-Windows-TaskScheduler/Operational).Count") == [5]
