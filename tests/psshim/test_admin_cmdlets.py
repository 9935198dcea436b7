"""Security types, the location stack, transcripts, Start-Process through the powershell
command-line parser, and cluster cmdlets missing as on a host without FailoverClusters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.commandline import encode_command
from hyperv_emu.psshim.runtime.prompts import Answers
from hyperv_emu.psshim.session import RunResult, Session

WORLD = """
now = 2026-02-20T08:00:00

[[vm]]
name = "SRV-APP01"
state = "Off"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx', size = "60GB" }]
"""


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://ps12-admin/{uuid.uuid4().hex}",
                                environment={"COMPUTERNAME": "HV-HOST01", "USERNAME": "Administrator"})
    made = s.run("New-Item -ItemType Directory C:\\scripts, C:\\logs | Out-Null")
    assert made.stderr == "", made.stderr
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(script, path="C:\\scripts\\t.ps1")


def lines(result: RunResult) -> list[str]:
    assert result.stderr == "", result.stderr
    return result.stdout.splitlines()


# --- security types ---------------------------------------------------------------------------


def test_elevation_check_of_admin_scripts(session: Session) -> None:
    script = r"""
$id = [Security.Principal.WindowsIdentity]::GetCurrent()
$id.Name -eq "$env:COMPUTERNAME\$env:USERNAME"
$id.Name.EndsWith('\Administrator')
$principal = New-Object Security.Principal.WindowsPrincipal($id)
$principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole] 'Administrator')
[Security.Principal.WindowsPrincipal]::new($id).IsInRole('BUILTIN\Administrators')
$principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Guest)
$principal.IsInRole('S-1-5-32-544')
[int][Security.Principal.WindowsBuiltInRole]::Administrator
$id -is [Security.Principal.WindowsIdentity]
"""
    assert lines(run(session, script)) == ["True", "True", "True", "True", "True", "False", "True", "544", "True"]


def test_secure_strings_and_credentials(session: Session) -> None:
    script = r"""
$pw = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force
$pw.Length
$pw.GetType().FullName
$cred = New-Object System.Management.Automation.PSCredential('CONTOSO\svc-backup', $pw)
$cred.UserName
$net = $cred.GetNetworkCredential()
$net.UserName; $net.Domain; $net.Password
$c2 = [pscredential]::new('admin', $pw)
$c2 -is [System.Management.Automation.PSCredential]
[PSCredential]::Empty.UserName -eq $null
"$pw"
"""
    assert lines(run(session, script)) == ["8", "System.Security.SecureString", "CONTOSO\\svc-backup", "svc-backup",
                                           "CONTOSO", "P@ssw0rd", "True", "True", "System.Security.SecureString"]


def test_convertto_securestring_needs_force_in_51(session: Session) -> None:
    result = run(session, "ConvertTo-SecureString 'x' -AsPlainText")
    assert "The system cannot protect plain text input." in result.stderr
    assert "ImportSecureString,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand" in result.stderr


def test_gc_and_other_statics(session: Session) -> None:
    script = r"""
[GC]::Collect()
[GC]::WaitForPendingFinalizers()
[System.GC]::GetTotalMemory($true) -gt 0
[Math]::Round(2.567, 2)
[IO.Path]::GetFileNameWithoutExtension('C:\x\job.ps1')
[Environment]::MachineName -eq $env:COMPUTERNAME
[datetime]::ParseExact('2026-02-20', 'yyyy-MM-dd', $null).Day
([Guid]'5c7c4ba0-7d33-4c7e-9d8b-3a3d8d7b8a10').Guid
([Version]'10.0.20348').Build
[Environment]::OSVersion.Version.Major
"$([Environment]::OSVersion)"
[Environment]::OSVersion.Version -ge [version]'10.0.17763'
"""
    assert lines(run(session, script)) == ["True", "2.57", "job", "True", "20",
                                           "5c7c4ba0-7d33-4c7e-9d8b-3a3d8d7b8a10", "20348", "10",
                                           "Microsoft Windows NT 10.0.20348.0", "True"]


# --- locations ------------------------------------------------------------------------------------


def test_push_and_pop_location(session: Session) -> None:
    script = r"""
$null = New-Item -ItemType Directory C:\Windows, C:\Users
Set-Location C:\
Push-Location C:\Windows
(Get-Location).Path
Push-Location C:\Users -StackName other
Pop-Location
(Get-Location).Path
Pop-Location -StackName other
(Get-Location).Path
Pop-Location
Pop-Location -StackName nothing
"""
    result = run(session, script)
    assert result.stdout.splitlines() == ["C:\\Windows", "C:\\", "C:\\Windows"]
    assert "Cannot find location stack 'nothing'." in result.stderr


def test_push_location_to_a_missing_folder(session: Session) -> None:
    result = run(session, "Set-Location C:\\; Push-Location C:\\Nope; (Get-Location).Path")
    assert "Cannot find path 'C:\\Nope' because it does not exist." in result.stderr
    assert result.stdout.splitlines() == ["C:\\"]


# --- transcripts ----------------------------------------------------------------------------------


def test_transcript_copies_host_output_to_the_file(session: Session) -> None:
    script = r"""
Start-Transcript -Path C:\logs\run.log
Write-Host 'step 1'
'an object'
Write-Warning 'careful'
Stop-Transcript
'not logged'
Get-Content C:\logs\run.log
"""
    out = lines(run(session, script))
    assert out[:5] == ["Transcript started, output file is C:\\logs\\run.log", "step 1", "an object",
                       "WARNING: careful", "Transcript stopped, output file is C:\\logs\\run.log"]
    log = out[6:]
    assert log[:3] == ["**********************", "Windows PowerShell transcript start", "Start time: 20260220080000"]
    assert any(line.startswith("Username: ") and line.endswith("\\Administrator") for line in log)
    body = log[log.index("**********************", 1) + 1:]
    assert body[:4] == ["Transcript started, output file is C:\\logs\\run.log", "step 1", "an object",
                        "WARNING: careful"]
    assert "not logged" not in log
    assert log[-3:] == ["Windows PowerShell transcript end", "End time: 20260220080000", "**********************"]


def test_stop_transcript_without_one(session: Session) -> None:
    result = run(session, "Stop-Transcript")
    assert "An error occurred stopping transcription: The host is not currently transcribing." in result.stderr


# --- Start-Process ----------------------------------------------------------------------------------


CHILD = r"""param([string]$VMName, [switch]$Force)
"child sees $VMName force=$Force"
(Get-VM -Name $VMName).State
if ($Force) { exit 3 }
"""


def test_start_process_powershell_file_runs_the_script_as_a_new_process(session: Session) -> None:
    script = (f"Set-Content C:\\scripts\\child.ps1 @'\n{CHILD}\n'@\n"
              "$global:marker = 'parent'\n"
              "$p = Start-Process powershell.exe -ArgumentList '-NoProfile -File C:\\scripts\\child.ps1 "
              "-VMName SRV-APP01 -Force' -NoNewWindow -Wait -PassThru\n"
              "'exit ' + $p.ExitCode\n"
              "$p = Start-Process -FilePath 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' "
              "-ArgumentList '-File', 'C:\\scripts\\child.ps1', 'SRV-APP01' -Wait -PassThru\n"
              "'hidden exit ' + $p.ExitCode + ' ' + $p.HasExited")
    assert lines(run(session, script)) == ["child sees SRV-APP01 force=True", "Off", "exit 3", "hidden exit 0 True"]


def test_start_process_command_and_encoded_command(session: Session) -> None:
    enc = encode_command("'encoded ' + (1 + 2)")
    script = ("$global:x = 'parent only'\n"
              "Start-Process pwsh -ArgumentList '-NoLogo', '-Command', 'Write-Output child-x=[$global:x]' -NoNewWindow -Wait\n"
              f"Start-Process powershell -ArgumentList '-enc {enc}' -NoNewWindow -Wait\n"
              "Start-Process powershell -ArgumentList '-c Get-VM | Select-Object -ExpandProperty Name' "
              "-RedirectStandardOutput C:\\logs\\out.txt -Wait\n"
              "Get-Content C:\\logs\\out.txt")
    assert lines(run(session, script)) == ["child-x=[]", "encoded 3", "SRV-APP01"]


def test_start_process_bad_command_line_and_missing_file(session: Session) -> None:
    script = ("$p = Start-Process powershell -ArgumentList '-File C:\\scripts\\gone.ps1' -NoNewWindow -PassThru\n"
              "$p.ExitCode\n"
              "$p = Start-Process pwsh -ArgumentList '-ExecutionPolicy Sometimes' -NoNewWindow -PassThru\n"
              "$p.ExitCode")
    result = run(session, script)
    assert result.stdout.splitlines() == ["-196608", "64"]
    assert "The argument 'C:\\scripts\\gone.ps1' is not recognized as the name of a script file." in result.stderr
    assert "Invalid ExecutionPolicy value 'Sometimes'." in result.stderr


def test_start_process_non_interactive_child_cannot_prompt() -> None:
    s = Session.from_world_text(WORLD, f"memory://ps12-admin/{uuid.uuid4().hex}", answers=Answers.from_lines(["x"]))
    try:
        result = s.run("Start-Process powershell -ArgumentList '-NonInteractive -Command Read-Host' -NoNewWindow "
                       "-Wait\nStart-Process powershell -ArgumentList '-Command \"Read-Host a\"' -NoNewWindow -Wait")
    finally:
        s.discard()
    assert "Windows PowerShell is in NonInteractive mode." in result.stderr
    assert result.stdout == "a: x\nx\n"


def test_start_process_ps1_opens_an_editor_and_other_programs_fail(session: Session) -> None:
    script = ("Set-Content C:\\scripts\\s.ps1 \"'ran'\"\n"
              "$p = Start-Process C:\\scripts\\s.ps1 -PassThru\n$p.ProcessName\n"
              "Start-Process cmd.exe -ArgumentList '/c dir'")
    result = run(session, script)
    assert result.stdout.splitlines() == ["notepad"]
    assert "Start-Process 'cmd.exe'" in result.stderr and "not supported by hvemu" in result.stderr


# --- cluster cmdlets --------------------------------------------------------------------------------


def test_cluster_cmdlets_are_missing_without_failover_clusters(session: Session) -> None:
    result = run(session, "Get-ClusterNode\nGet-ClusterGroup -Cluster c1\nImport-Module FailoverClusters")
    for name in ("Get-ClusterNode", "Get-ClusterGroup"):
        assert f"{name} : The term '{name}' is not recognized as the name of a cmdlet" in result.stderr
    assert result.stderr.count("CommandNotFoundException") == 4
    assert ("Import-Module : The specified module 'FailoverClusters' was not loaded because no valid module file was "
            "found in any") in result.stderr


def test_transcript_creates_its_folder_and_no_clobber(session: Session) -> None:
    result = run(session, "Start-Transcript C:\\Logs\\New\\t.log | Out-Null\nStop-Transcript | Out-Null\n"
                          "Test-Path C:\\Logs\\New\\t.log\nStart-Transcript C:\\Logs\\New\\t.log -NoClobber")
    assert result.stdout == "True\n"
    assert "File C:\\Logs\\New\\t.log already exists and NoClobber was specified." in result.stderr
    assert "NoClobber,Microsoft.PowerShell.Commands.StartTranscriptCommand" in result.stderr


def test_transcript_that_cannot_start(session: Session) -> None:
    result = run(session, "Start-Transcript -Path HKLM:\\x.log\nStart-Transcript -Path 'C:\\bad|name.log'\n'after'")
    assert result.stdout == "after\n"
    assert result.stderr.count("Transcription cannot be started due to the error: ") == 2
    assert "The current provider (Microsoft.PowerShell.Core\\Registry) cannot open a file." in \
        result.stderr.replace("\n", "")
    assert "CannotStartTranscription,Microsoft.PowerShell.Commands.StartTranscriptCommand" in result.stderr


def test_pop_location_restores_a_location_that_is_not_a_host_folder(session: Session) -> None:
    # the session starts in C:\Users\Administrator, which the emulated host need not hold
    result = run(session, "Push-Location C:\\ProgramData\nPop-Location\n(Get-Location).Path")
    assert result.stderr == "" and result.stdout == "C:\\Users\\Administrator\n"


def test_transcript_left_open_ends_with_the_process(session: Session) -> None:
    run(session, "Start-Transcript C:\\logs\\open.log | Out-Null\n'inside'")
    log = lines(run(session, "Get-Content C:\\logs\\open.log"))
    assert "inside" in log
    assert log[-3:] == ["Windows PowerShell transcript end", "End time: 20260220080000", "**********************"]


def test_transcript_default_path_in_documents(session: Session) -> None:
    result = run(session, "$m = Start-Transcript\n$m -match 'C:\\\\Users\\\\Administrator\\\\Documents\\\\"
                          "PowerShell_transcript\\.[^.]+\\.[0-9a-f]{8}\\.20260220080000\\.txt$'\nStop-Transcript | Out-Null")
    assert result.stderr == "" and result.stdout == "True\n"
