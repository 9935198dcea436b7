"""Prompts read the host's answers: Read-Host, -Confirm (ShouldProcess), ShouldContinue,
Get-Credential, Out-GridView -PassThru; with no answers the host is non-interactive.
Prompt texts: ConsoleHostUserInterfacePromptForChoice.cs and CommandBaseStrings.resx."""

from __future__ import annotations

import datetime as dt

from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.prompts import Answers
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock

CHOICES = '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): '
NONINTERACTIVE = "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."

REMOVER = """
function Remove-Old {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact='High')]
    param([string[]]$Name)
    foreach ($n in $Name) {
        if ($PSCmdlet.ShouldProcess($n, 'Remove checkpoint')) { "removed $n" } else { "kept $n" }
    }
}
"""


def run(script: str, answers: list[str] | None, edition: str = "5.1",
        files: dict[str, str] | None = None) -> tuple[str, str, CapturingHost]:
    host = CapturingHost(answers=None if answers is None else Answers.from_lines(answers))
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8)), files=MemoryFileView(files or {}))
    Runspace(services, RunSettings(edition=edition), host).run_script(script, "C:\\t\\p.ps1")
    return host.stdout, host.stderr, host


def confirm_block(target: str, answer: str) -> str:
    return ("\nConfirm\nAre you sure you want to perform this action?\n"
            f'Performing the operation "Remove checkpoint" on target "{target}".\n' + CHOICES + answer + "\n")


def test_read_host_echoes_the_answer_after_the_prompt() -> None:
    out, err, _ = run("$n = Read-Host -Prompt 'VM name'\n\"got [$n]\"\n$m = Read-Host\n\"then [$m]\"", ["SRV-APP01", ""])
    assert err == ""
    assert out == "VM name: SRV-APP01\ngot [SRV-APP01]\n\nthen []\n"


def test_read_host_without_answers_fails_as_non_interactive() -> None:
    for answers in (None, []):
        out, err, _ = run("$n = Read-Host 'Name'; 'after'", answers)
        assert NONINTERACTIVE in err
        assert "Read-Host : " in err and "ReadHostCommand" in err
        assert out.endswith("after\n")


def test_pwsh_message_names_powershell() -> None:
    _, err, _ = run("Read-Host 'x'", None, edition="7")
    assert "PowerShell is in NonInteractive mode." in err and "Windows PowerShell" not in err


def test_confirm_yes_no_help_and_yes_to_all() -> None:
    out, err, _ = run(REMOVER + "Remove-Old -Name a, b, c, d", ["y", "?", "n", "A"])
    assert err == ""
    help_lines = ("Y - Continue with only the next step of the operation.\n"
                  "A - Continue with all the steps of the operation.\n"
                  "N - Skip this operation and proceed with the next operation.\n"
                  "L - Skip this operation and all subsequent operations.\n"
                  'S - Pause the current pipeline and return to the command prompt. Type "exit" to resume the '
                  "pipeline.\n")
    assert out == (confirm_block("a", "y") + "removed a\n"
                   + confirm_block("b", "?") + help_lines + CHOICES + "n\n" + "kept b\n"
                   + confirm_block("c", "A") + "removed c\nremoved d\n")


def test_no_to_all_and_default_answer() -> None:
    out, _, _ = run(REMOVER + "Remove-Old -Name a, b, c\nRemove-Old -Name d", ["", "L", "no"])
    assert out.count("Confirm\n") == 3
    assert "removed a\n" in out and "kept b\nkept c\n" in out and "kept d\n" in out


def test_unrecognised_answer_asks_again_and_full_label_works() -> None:
    out, _, _ = run(REMOVER + "Remove-Old -Name a", ["maybe", "Yes to All"])
    assert out.count(CHOICES) == 2 and out.endswith("removed a\n")


def test_confirm_switch_on_a_cmdlet_and_confirm_false() -> None:
    import pathlib
    import uuid

    from hyperv_emu.psshim.session import Session

    world = pathlib.Path("/work/shared/scenarios/01-checkpoint-type-config/world.toml")
    world_text = world.read_text(encoding="utf-8-sig") if world.exists() else "[host]\nname = 'HV-HOST01'\n"
    session = Session.from_world_text(world_text, f"memory://ps12/{uuid.uuid4().hex}",
                                      answers=Answers.from_lines(["n", "y"]))
    try:
        script = ("New-Item -ItemType Directory C:\\logs | Out-Null\nSet-Content C:\\logs\\x.txt 'v'\nRemove-Item C:\\logs\\x.txt -Confirm\nTest-Path C:\\logs\\x.txt\n"
                  "Remove-Item C:\\logs\\x.txt -Confirm\nTest-Path C:\\logs\\x.txt")
        result = session.run(script, path="C:\\t\\p.ps1")
    finally:
        session.discard()
    assert result.stderr == ""
    assert result.stdout.count('Performing the operation "Remove File" on target "C:\\logs\\x.txt".') == 2
    assert result.stdout.endswith("): n\nTrue\n" + "\nConfirm\nAre you sure you want to perform this action?\n"
                                  'Performing the operation "Remove File" on target "C:\\logs\\x.txt".\n'
                                  + CHOICES + "y\nFalse\n")
    out, _, _ = run(REMOVER + "Remove-Old -Name a -Confirm:$false", [])
    assert out == "removed a\n"


def test_answers_run_out() -> None:
    out, err, _ = run(REMOVER + "Remove-Old -Name a, b", ["y"])
    assert "removed a" in out and NONINTERACTIVE in err


def test_should_continue_offers_yes_no_suspend() -> None:
    script = """function F { [CmdletBinding()] param()
        if ($PSCmdlet.ShouldContinue('Delete every checkpoint?', 'Cleanup')) { 'go' } else { 'stop' } }
    F; F"""
    out, err, _ = run(script, ["y", "n"])
    assert err == ""
    prompt = "\nCleanup\nDelete every checkpoint?\n[Y] Yes  [N] No  [S] Suspend  [?] Help (default is \"Y\"): "
    assert out == prompt + "y\ngo\n" + prompt + "n\nstop\n"


def test_get_credential_reads_user_and_password() -> None:
    script = ("$c = Get-Credential\n$c.UserName\n$c.GetNetworkCredential().Password\n"
              "$d = Get-Credential -UserName 'CONTOSO\\svc' -Message 'Backup account'\n$d.GetNetworkCredential().Domain")
    # 5.1: the Windows credential dialog (nothing on the console)
    out, err, _ = run(script, ["Administrator", "Secr3t", "pw2"])
    assert err == ""
    assert out == "Administrator\nSecr3t\nCONTOSO\n"
    # pwsh 7: the console prompt
    out, err, _ = run(script, ["Administrator", "Secr3t", "pw2"], edition="7")
    assert err == ""
    assert out == ("\nPowerShell credential request\nEnter your credentials.\nUser: Administrator\n"
                   "Password for user Administrator: \nAdministrator\nSecr3t\n"
                   "\nPowerShell credential request\nBackup account\nPassword for user CONTOSO\\svc: \n"
                   "CONTOSO\n")


def test_get_credential_non_interactive() -> None:
    _, err, _ = run("Get-Credential", None)
    assert NONINTERACTIVE in err and "GetCredentialCommand" in err


def test_out_gridview_passthru_selects_rows_by_index() -> None:
    script = "$s = 'a','b','c','d' | Out-GridView -PassThru -Title 'Pick'\n$s -join ','\n" \
             "'x','y' | Out-GridView -OutputMode Single | % { \"one $_\" }\n'p','q' | Out-GridView\n'done'"
    out, err, _ = run(script, ["4, 2", "2,1"])
    assert err == ""
    assert out == "b,d\none y\ndone\n"  # Single: the first index given


def test_out_gridview_cancel_and_bad_index() -> None:
    out, err, _ = run("$s = 1,2 | Out-GridView -PassThru; \"[$s]\"", [""])
    assert out == "[]\n" and err == ""
    _, err, _ = run("1,2 | Out-GridView -PassThru", ["7"])
    assert "'7' is not the index of a row (1 to 2)." in err


def test_read_host_as_secure_string_does_not_echo() -> None:
    out, err, _ = run("$s = Read-Host 'Password' -AsSecureString\n$s.GetType().FullName\n"
                      "[pscredential]::new('u', $s).GetNetworkCredential().Password", ["hunter2"])
    assert err == ""
    assert out == "Password: \nSystem.Security.SecureString\nhunter2\n"


HOST_UI = """
$choices = [System.Management.Automation.Host.ChoiceDescription[]]('&Yes', '&No')
$r = $Host.UI.PromptForChoice('Cleanup', 'Remove old checkpoints?', $choices, 1)
"answer $r"
$keep = New-Object System.Management.Automation.Host.ChoiceDescription '&Keep', 'Keep everything'
$delete = [System.Management.Automation.Host.ChoiceDescription]::new('&Delete', 'Delete them')
"answer $($Host.UI.PromptForChoice($null, 'What now?', @($keep, $delete), 0))"
"line [$($Host.UI.ReadLine())]"
$Host.UI.WriteLine('direct')
$Host.UI.WriteWarningLine('careful')
$Host.UI.RawUI.WindowTitle = 'Nightly'
$Host.UI.RawUI.WindowTitle
"""


def test_host_ui_prompt_for_choice_and_read_line() -> None:
    out, err, _ = run(HOST_UI, ["", "?", "d", "hello"])
    assert err == ""
    assert out == ("\nCleanup\nRemove old checkpoints?\n[Y] Yes  [N] No  [?] Help (default is \"N\"): \nanswer 1\n"
                   "What now?\n[K] Keep  [D] Delete  [?] Help (default is \"K\"): ?\nK - Keep everything\n"
                   "D - Delete them\n[K] Keep  [D] Delete  [?] Help (default is \"K\"): d\nanswer 1\n"
                   "hello\nline [hello]\ndirect\nWARNING: careful\nNightly\n")


def test_host_ui_non_interactive() -> None:
    _, err, _ = run("$Host.UI.PromptForChoice('c', 'm', [System.Management.Automation.Host.ChoiceDescription[]]"
                    "('&Yes'), 0)", None)
    assert ('Exception calling "PromptForChoice" with "4" argument(s): "Windows PowerShell is in NonInteractive '
            'mode. Read and Prompt functionality is not available."') in err.replace("\n", " ").replace("  ", " ")
    _, err, _ = run("$Host.UI.PromptForChoice('c', 'm', @(), 0)", ["y"])
    assert '"choices" should have at least one element.' in err


MANDATORY = """function Remove-Old {
  param([Parameter(Mandatory)][string]$VMName, [Parameter(Mandatory)][string[]]$Names, [int]$Days = 7)
  "vm=$VMName names=$($Names -join '+') days=$Days" }
Remove-Old
Remove-Old -VMName x
"""


def test_missing_mandatory_parameters_are_asked_for() -> None:
    out, err, _ = run(MANDATORY, ["SRV-APP01", "a", "b", "", "c", ""])
    assert err == ""
    caption = "\ncmdlet Remove-Old at command pipeline position 1\nSupply values for the following parameters:\n"
    assert out == (caption + "VMName: SRV-APP01\nNames[0]: a\nNames[1]: b\nNames[2]: \n"
                   "vm=SRV-APP01 names=a+b days=7\n"
                   + caption + "Names[0]: c\nNames[1]: \nvm=x names=c days=7\n")


def test_missing_mandatory_parameters_without_answers_are_an_error() -> None:
    out, err, _ = run(MANDATORY, None)
    assert out == ""
    assert err.count("Cannot process command because of one or more missing mandatory parameters: VMName Names.") == 1
    assert "Cannot process command because of one or more missing mandatory parameters: Names." in err
    # answers that run out: the same error
    _, err, _ = run(MANDATORY, ["SRV-APP01"])
    assert "missing mandatory parameters: VMName Names." in err


def test_a_mandatory_script_parameter_is_asked_for_in_the_scripts_name() -> None:
    host = CapturingHost(answers=Answers.from_lines(["SRV-APP01"]))
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8)), files=MemoryFileView({}))
    Runspace(services, RunSettings(), host).run_script(
        "param([Parameter(Mandatory)][string]$VMName)\n\"job for $VMName\"", "C:\\s\\nightly.ps1")
    assert host.stderr == ""
    assert host.stdout == ("\ncmdlet nightly.ps1 at command pipeline position 1\n"
                           "Supply values for the following parameters:\nVMName: SRV-APP01\njob for SRV-APP01\n")
