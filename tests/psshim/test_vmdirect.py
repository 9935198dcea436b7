"""PowerShell Direct (Invoke-Command -VMName/-VMId): the errors PowerShell's remoting cmdlets give
(texts of RemotingErrorIdStrings.resx in PowerShell/PowerShell) and, for a VM the world declares
`guest_reachable = true`, a fresh session in an empty guest."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.psshim.session import Session

WORLD = T.base_world(extra=T.vm_table("Up", state="Running") + T.vm_table("Down", state="Off")
                     + T.vm_table("Guest", state="Running", extra="guest_reachable = true\n")
                     + T.vm_table("Sleeper", state="Saved", extra="guest_reachable = true\n"))


@pytest.fixture
def session(memory_url):
    return Session.from_world_text(WORLD, memory_url, environment={})


def test_vm_that_is_off_or_saved_is_not_in_running_state(session):
    r = session.run_command("Invoke-Command -VMName Down { 1 }; Invoke-Command -VMName Sleeper { 1 }")
    assert list(r.output) == []
    assert "The virtual machine Down is not in running state." in r.stderr
    assert "The virtual machine Sleeper is not in running state." in r.stderr
    assert "InvalidVMState,Microsoft.PowerShell.Commands.InvokeCommandCommand" in r.stderr


def test_unknown_vm_name_and_id(session):
    r = session.run_command("Invoke-Command -VMName Nope { 1 }")
    assert "The input VMName Nope does not resolve to a single virtual machine." in r.stderr
    assert "InvalidVMNameNotSingle" in r.stderr
    gid = "11111111-2222-4333-8444-555555555555"
    r = session.run_command(f"Invoke-Command -VMId {gid} {{ 1 }}")
    assert f"The input VMId {gid} does not resolve to a single virtual machine." in r.stderr


def test_running_vm_without_guest_services_fails_to_connect(session):
    r = session.run_command("Invoke-Command -VMName Up -ScriptBlock { 1 }")
    assert list(r.output) == []
    assert "A failure occurred while attempting to connect to the target virtual machine." in r.stderr
    assert "VMSessionConnectFailed,PSSessionStateBroken" in r.stderr
    caught = session.run_command("try { Invoke-Command -VMName Up { 1 } -ErrorAction Stop } catch { 'caught' }")
    assert list(caught.output) == ["caught"]


def test_reachable_guest_runs_the_block_in_a_fresh_empty_session(session):
    r = session.run_command("$x = 'host'; Invoke-Command -VMName Guest -Credential $null "
                            "{ param($a) $env:COMPUTERNAME; $a; $null -eq $x; $using:x } -ArgumentList 7")
    assert r.stderr == ""
    assert list(r.output) == ["GUEST", 7, True, "host"]
    by_id = session.run_command("Invoke-Command -VMId (Get-VM Guest).Id { $env:COMPUTERNAME }")
    assert list(by_id.output) == ["GUEST"]
    no_hyperv = session.run_command("Invoke-Command -VMName Guest { Get-VM }")
    assert "The term 'Get-VM' is not recognized" in no_hyperv.stderr


def test_guest_reachable_round_trips_through_world_export(memory_url):
    client = sdk.load_world(memory_url, WORLD, "<world>")
    text = sdk.export_world(memory_url)
    assert text.count("guest_reachable = true") == 2
    assert client.guest_reachable(client.vm("Guest")) and not client.guest_reachable(client.vm("Up"))


# --- sessions ----------------------------------------------------------------------------------------


def test_new_pssession_keeps_the_guest_state_between_calls(session):
    r = session.run_command("$s = New-PSSession -VMName Guest; Invoke-Command -Session $s { $x = 41 }; "
                            "Invoke-Command -Session $s { $x + 1 }; Invoke-Command -VMName Guest { $null -eq $x }; "
                            "$s.Name; $s.ComputerType; $s.State; $s.VMName; (Get-PSSession).Id")
    assert r.stderr == ""
    assert [str(o) for o in r.output] == ["42", "True", "Session1", "VirtualMachine", "Opened", "Guest", "1"]


def test_pssession_table_view_of_windows_powershell(session):
    r = session.run_command("New-PSSession -VMName Guest")
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert lines[0].split() == ["Id", "Name", "ComputerName", "ComputerType", "State", "ConfigurationName",
                                "Availability"]
    assert lines[2].split() == ["1", "Session1", "Guest", "VirtualMachine", "Opened", "Microsoft.PowerShell",
                                "Available"]


def test_removed_session_cannot_run_commands(session):
    r = session.run_command("$s = New-PSSession -VMName Guest; Remove-PSSession $s; Invoke-Command -Session $s { 1 }; "
                            "@(Get-PSSession).Count")
    assert [str(o) for o in r.output] == ["0"]
    flat = " ".join(r.stderr.split())  # the error view wraps at the console width
    assert "Guest is not equal to Open, you cannot run a command in the session. The session state is Closed." in flat
    assert "InvokeCommandCommandInvalidSessionState" in r.stderr


def test_new_and_enter_pssession_fail_as_a_host_does(session):
    r = session.run_command("New-PSSession -VMName Up; New-PSSession -VMName Down")
    assert list(r.output) == []
    assert "VMSessionConnectFailed,PSSessionOpenFailed" in r.stderr
    assert "The virtual machine Down is not in running state." in r.stderr
    r = session.run_command("Enter-PSSession -VMName Nope; Enter-PSSession -VMName Down")
    assert "The input VMName parameter does not resolve to any virtual machine." in r.stderr
    assert "InvalidVMNameNoVM,Microsoft.PowerShell.Commands.EnterPSSessionCommand" in r.stderr
    assert "The virtual machine Down is not in running state." in r.stderr


def test_file_path_sets_bind_and_say_not_supported(session):
    r = session.run_command("Invoke-Command -VMName Guest -FilePath C:\\x.ps1")
    assert "Invoke-Command -FilePath is not supported by hvemu." in r.stderr


def test_guest_files_are_its_own_and_last_for_the_run(session):
    r = session.run_command("Invoke-Command -VMName Guest { Set-Content C:\\note.txt hi; "
                            "(Get-ChildItem C:\\).Name -join ',' }; "
                            "Invoke-Command -VMName Guest { Get-Content C:\\note.txt; Test-Path $env:TEMP }; "
                            "Test-Path C:\\note.txt")
    assert r.stderr == ""
    assert list(r.output) == ["Program Files,ProgramData,Users,Windows,note.txt", "hi", True, False]


def test_wmi_inside_a_guest_is_not_emulated(session):
    r = session.run_command("Invoke-Command -VMName Guest { Get-CimInstance Win32_OperatingSystem }")
    assert "WMI inside an emulated guest is not supported by hvemu." in r.stderr
