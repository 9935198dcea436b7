"""Invoke-Command (here and on another emulated host), Get-WinEvent over the emulator's event
log, and the Hyper-V cmdlets' errors for an unknown -ComputerName, through a psshim Session on
an emulated two-host world."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.session import Session

WORLD = T.base_world(extra=T.vm_table("A", state="Running", checkpoint_type="Production", guest_vss="failing")) + """
[[host]]
name = "hv-host02.corp.local"

[[vm]]
name = "B"
host = "hv-host02.corp.local"
state = "Off"
"""


@pytest.fixture
def session(memory_url):
    s = Session.from_world_text(WORLD, memory_url, environment={})
    return s


def ok(session: Session, text: str) -> list:
    r = session.run_command(text)
    assert r.stderr == "" and r.exit_code == 0, r.stderr
    return list(r.output)


# --- Invoke-Command --------------------------------------------------------------------------------


def test_local_script_block_runs_in_a_child_scope_with_arguments_and_input(session):
    assert ok(session, "$x = 1; Invoke-Command { param($a) $a + $x } -ArgumentList 41") == [42]
    assert ok(session, "$x = 1; Invoke-Command { $x = 5 }; $x") == [1]
    assert ok(session, "$x = 1; Invoke-Command -NoNewScope { $x = 5 }; $x") == [5]
    assert ok(session, "1, 2, 3 | Invoke-Command { @($input).Count }") == [3]


def test_remote_runs_on_that_host_in_a_fresh_session(session):
    out = ok(session, "$secret = 's'; Invoke-Command -ComputerName 'hv-host02.corp.local' -ScriptBlock { "
                      "$env:COMPUTERNAME; (Get-VM).Name; $null -eq $secret }")
    assert out == ["HV-HOST02", "B", True]
    assert ok(session, "Invoke-Command -ComputerName HV-HOST01 { $env:COMPUTERNAME; (Get-VM).Name }") == [
        "HV-HOST01", "A"]
    assert ok(session, "Invoke-Command -cn localhost { param($n) $n * 2 } -ArgumentList 21") == [42]


def test_remote_custom_objects_carry_the_remoting_notes(session):
    out = session.run_command("Invoke-Command -ComputerName hv-host02.corp.local { [pscustomobject]@{ a = 1 } } | "
                              "Select-Object a, PSComputerName, PSShowComputerName | ConvertTo-Json -Compress")
    assert out.stdout.strip() == '{"a":1,"PSComputerName":"hv-host02.corp.local","PSShowComputerName":true}'
    hidden = ok(session, "(Invoke-Command -ComputerName hv-host02.corp.local -HideComputerName "
                         "{ [pscustomobject]@{ a = 1 } }).PSShowComputerName")
    assert hidden == [False]
    names = ok(session, "(Invoke-Command -cn localhost { [pscustomobject]@{ a = 1 } }).PSObject.TypeNames")
    assert names[0] == "Deserialized.System.Management.Automation.PSCustomObject"


def test_remote_errors_come_back_and_stop_makes_them_terminating(session):
    r = session.run_command("Invoke-Command -ComputerName localhost { Write-Error -Message 'boom' -ErrorId Mine; 'after' }")
    assert [str(o) for o in r.output] == ["after"]
    assert "boom" in r.stderr and r.errors[0].fully_qualified_error_id.startswith("Mine")
    text = ("try { Invoke-Command -ComputerName localhost -ErrorAction Stop -ScriptBlock { "
            "$ErrorActionPreference = 'Stop'; Get-Item -LiteralPath 'C:\\nope'; 'not here' }; 'nor here' } "
            "catch { 'caught: ' + $_.FullyQualifiedErrorId }")
    assert ok(session, text) == ["caught: PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand"]


def test_using_gives_the_callers_values_to_a_remote_block(session):
    text = ("$vm = 'B'; $n = 2; Invoke-Command -ComputerName hv-host02.corp.local { "
            "Checkpoint-VM -Name $Using:vm -SnapshotName pre; (Get-VMSnapshot -VMName $using:VM).Name; "
            "$using:n * 21; $null -eq $using:undefined; & { $USING:vm } }")
    assert ok(session, text) == ["pre", 42, True, "B"]
    # the value is taken when Invoke-Command runs, not when the block was written
    assert ok(session, "$n = 1; $sb = { $using:n }; $n = 2; Invoke-Command -cn localhost $sb") == [2]
    assert ok(session, "$n = 5; Receive-Job (Start-Job { $using:n + 1 })") == [6]


def test_using_outside_a_remote_block_is_powershells_error(session):
    for text, column in (("$x = 1; $using:x", 9), ("$x = 1; Invoke-Command { $using:x }", 26)):
        r = session.run_command(text)
        assert r.output == ()
        record = r.errors[0]
        assert record.fully_qualified_error_id == "UsingWithoutInvokeCommand"
        assert record.category_info.category == "InvalidOperation"
        assert record.message.startswith("A Using variable cannot be retrieved. A Using variable can be used only "
                                         "with Invoke-Command, Start-Job, or InlineScript in the script workflow.")
        assert f"char:{column}" in r.stderr


def test_unknown_computer_fails_as_winrm_does(session):
    r = session.run_command("Invoke-Command -ComputerName ghost { 1 }")
    assert r.output == ()
    record = r.errors[0]
    assert record.fully_qualified_error_id == "ComputerNotFound,PSSessionStateBroken"
    assert record.category_info.category == "OpenError"
    assert record.message.startswith("[ghost] Connecting to remote server ghost failed")
    assert "WinRM cannot process the request" in record.message


def test_sessions_and_files_are_not_emulated(session):
    r = session.run_command("Invoke-Command -FilePath C:\\x.ps1 -ComputerName localhost")
    assert "NotSupportedByHvemu" in r.errors[0].fully_qualified_error_id


# --- Get-WinEvent ----------------------------------------------------------------------------------


LOGS = "Microsoft-Windows-Hyper-V-VMMS-Admin, Microsoft-Windows-Hyper-V-Worker-Admin"


def test_no_events_is_an_error(session):
    r = session.run_command(f"Get-WinEvent -LogName {LOGS} -MaxEvents 5")
    assert r.errors[0].fully_qualified_error_id == \
        "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"
    assert r.errors[0].message == "No events were found that match the specified selection criteria."


def test_events_newest_first_with_level_numbers(session):
    ok(session, "Checkpoint-VM -Name A -SnapshotName one; Start-Sleep 5; Checkpoint-VM -Name A -SnapshotName two")
    events = ok(session, f"Get-WinEvent -LogName {LOGS} | "
                         "ForEach-Object { '{0} {1} {2} {3}' -f $_.Id, [int]$_.Level, $_.LevelDisplayName, "
                         "$_.TimeCreated.ToString('HH:mm:ss') }")
    assert len(events) == 2 and events[0].endswith("08:00:05") and events[1].endswith("08:00:00")
    assert events[0].split()[1:3] == ["3", "Warning"]
    assert ok(session, f"(Get-WinEvent -LogName {LOGS} -MaxEvents 1).Count") == [1]
    oldest = ok(session, f"Get-WinEvent -LogName {LOGS} -Oldest -MaxEvents 1 | ForEach-Object {{ $_.Message }}")
    assert "production checkpoint for 'A'" in oldest[0]
    assert ok(session, "(Get-WinEvent -LogName 'Microsoft-Windows-Hyper-V-VMMS-*' -MaxEvents 9).Count") == [2]
    assert ok(session, "(Get-WinEvent -LogName Microsoft-Windows-Hyper-V-VMMS-Admin -ComputerName "
                       "hv-host02.corp.local -ErrorAction SilentlyContinue).Count") == [0]


def test_unknown_log(session):
    r = session.run_command("Get-WinEvent -LogName NoSuchLog")
    assert r.errors[0].fully_qualified_error_id == "NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"
    assert r.errors[0].message == 'There is not an event log on the localhost computer that matches "NoSuchLog".'


# --- the Hyper-V cmdlets and an unknown host, error targets -----------------------------------------


def test_get_vm_on_an_unknown_computer_is_an_error_record(session):
    r = session.run_command("Get-VM -ComputerName ghost")
    assert r.output == ()
    assert r.errors[0].fully_qualified_error_id == "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVM"
    assert r.errors[0].message.startswith('Hyper-V was unable to find the computer "ghost".')


def test_error_target_is_the_sdk_errors_target(session):
    ok(session, "Set-VM -Name A -CheckpointType ProductionOnly")
    text = "try { Checkpoint-VM -Name A -SnapshotName x -ErrorAction Stop } catch { $_.TargetObject }"
    assert ok(session, text) == ["A"]
    long_name = "n" * 101
    text = f"try {{ Checkpoint-VM -Name A -SnapshotName '{long_name}' -ErrorAction Stop }} catch {{ $_.TargetObject }}"
    ok(session, "Set-VM -Name A -CheckpointType Standard")
    assert ok(session, text) == [long_name]
