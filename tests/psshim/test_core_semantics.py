"""Core semantics of issue 12, point 2, each on its own: AutomationNull from a pipeline that wrote
nothing, $PSBoundParameters at script scope, ScriptBlock.ToString(), writes into a missing folder
(as .NET fails them), and a dot-sourced script's automatic variables.

Expected values are Windows PowerShell 5.1's documented behaviour:
- about_Automatic_Variables / AutomationNull: `@($x).Count` is 0 when `$x` was assigned from a
  command that wrote nothing, 1 when `$x = $null`; piping it runs no iteration.
- Set-Content/Add-Content into a folder that does not exist write the FileSystem provider's
  non-terminating `GetContentWriterDirectoryNotFoundError` (ObjectNotFound) with .NET's
  "Could not find a part of the path '…'."; Out-File stops with the terminating
  `FileOpenFailure` (OpenError) before reading its input.
"""

from __future__ import annotations

import pathlib

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.session import RunResult, Session


@pytest.fixture
def session(memory_url: str) -> Session:
    return Session.from_world_text(T.base_world(extra=T.vm_table("SRV-APP01")), memory_url, environment={})


def out(result: RunResult) -> list[str]:
    assert result.stderr == "", result.stderr
    return result.stdout.splitlines()


# --- AutomationNull -----------------------------------------------------------------------------


def test_a_variable_assigned_from_an_empty_pipeline_holds_automation_null(session: Session) -> None:
    result = session.run("$x = Get-VM | ? {$false}\n@($x).Count\n$null -eq $x\n($x | ForEach-Object { 'iter' }).Count\n"
                         "foreach ($i in $x) { 'loop' }\n\"[$x]\"\n")
    assert out(result) == ["0", "True", "0", "[]"]


def test_null_is_not_automation_null(session: Session) -> None:
    result = session.run("$x = $null\n@($x).Count\n($x | ForEach-Object { 'iter' }).Count\n")
    assert out(result) == ["1", "1"]


def test_statements_that_write_nothing_assign_automation_null(session: Session) -> None:
    result = session.run("$a = if ($false) { 1 }\n@($a).Count\n$b = foreach ($i in @()) { $i }\n@($b).Count\n"
                         "$c = Get-VM -Name 'none*'\n@($c).Count\n")
    assert out(result) == ["0", "0", "0"]


def test_a_typed_variable_converts_automation_null_as_null(session: Session) -> None:
    result = session.run("[string]$s = Get-VM | ? {$false}\n\"[$s]\"\n$s.GetType().Name\n[int]$n = Get-VM | ? {$false}\n$n\n")
    assert out(result) == ["[]", "String", "0"]


def test_automation_null_is_null_for_members_and_methods(session: Session) -> None:
    result = session.run("$x = Get-VM | ? {$false}\n$x.Count\ntry { $x.GetType() } catch { $_.FullyQualifiedErrorId }\n"
                         "try { $x[0] } catch { $_.FullyQualifiedErrorId }\n[string]::IsNullOrEmpty($x)\n"
                         "$n = Get-VM | ? {$false}; $n++; $n\n$s = Get-VM | ? {$false}; $s += 'a'; $s\n")
    assert out(result) == ["0", "InvokeMethodOnNull", "NullArray", "True", "1", "a"]


# --- $PSBoundParameters at script scope -------------------------------------------------------------


def test_psboundparameters_of_the_script(session: Session) -> None:
    text = ("param([Parameter(Mandatory=$true)][string]$VmId, [string]$SnapName, [switch]$Force, [int]$Count = 3)\n"
            "$PSBoundParameters.Count\n($PSBoundParameters.Keys | Sort-Object) -join ','\n"
            "$PSBoundParameters['VmId']\n$PSBoundParameters.ContainsKey('Count')\n"
            "[bool]$PSBoundParameters['Force']\n$MyInvocation.BoundParameters['SnapName']\n"
            "function Inner { param($A) $PSBoundParameters.Count }\nInner -A 1\n$PSBoundParameters.Count\n")
    result = session.run(text, "-VmId", "abc", "-SnapName", "s1", "-Force", path="C:\\scripts\\job.ps1")
    assert out(result) == ["3", "Force,SnapName,VmId", "abc", "False", "True", "s1", "1", "3"]


def test_psboundparameters_of_a_script_without_arguments_is_empty(session: Session) -> None:
    result = session.run("param($A)\n$PSBoundParameters.Count\n$null -eq $PSBoundParameters\n",
                         path="C:\\scripts\\job.ps1")
    assert out(result) == ["0", "False"]


# --- ScriptBlock.ToString() -----------------------------------------------------------------------


def test_scriptblock_to_string_is_its_text(session: Session) -> None:
    text = ("$sb = { Get-VM | Where-Object Name -eq 'x' }\n\"<$($sb.ToString())>\"\n\"<$sb>\"\n"
            "$sb2 = [scriptblock]::Create('Get-VM | Select-Object Name')\n$sb2.ToString()\n"
            "function f { param($q) \"body $q\" }\n\"<$(${function:f}.ToString())>\"\n"
            "\"<$((Get-Command f).ScriptBlock.ToString())>\"\n")
    assert out(session.run(text)) == ["< Get-VM | Where-Object Name -eq 'x' >", "< Get-VM | Where-Object Name -eq 'x' >",
                                      "Get-VM | Select-Object Name", "< param($q) \"body $q\" >",
                                      "< param($q) \"body $q\" >"]


def test_multi_line_scriptblock_to_string_keeps_line_breaks(session: Session) -> None:
    result = session.run("$sb = {\n  'a'\n  'b'\n}\n$sb.ToString().Split(\"`n\").Count\n$sb.ToString().Trim()\n")
    assert out(result) == ["4", "'a'", "  'b'"]


# --- writes into a missing folder ------------------------------------------------------------------


@pytest.mark.parametrize("cmdlet", ["Set-Content", "Add-Content"])
def test_content_into_a_missing_folder_fails_as_dotnet(session: Session, cmdlet: str) -> None:
    result = session.run(f"{cmdlet} -Path C:\\NoSuchFolder\\x.txt -Value 'v'\n'next'\nTest-Path C:\\NoSuchFolder\n")
    assert result.stdout.splitlines() == ["next", "False"]  # non-terminating
    (error,) = result.errors
    assert error.message == "Could not find a part of the path 'C:\\NoSuchFolder\\x.txt'."
    assert error.fully_qualified_error_id == (
        f"GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.{cmdlet.replace('-', '')}Command")
    assert error.category_info.category == "ObjectNotFound"
    assert "DirectoryNotFoundException" in result.stderr


def test_out_file_into_a_missing_folder_stops_before_its_input(session: Session) -> None:
    result = session.run("'x' | Out-File C:\\NoSuchFolder\\x.txt\n'next'\n"
                         "try { 'y' | Out-File C:\\NoSuchFolder\\y.txt; 'not reached' } "
                         "catch { $_.Exception.GetType().FullName }\n")
    assert result.stdout.splitlines() == ["next", "System.IO.DirectoryNotFoundException"]
    first = result.errors[-1]
    assert first.message == "Could not find a part of the path 'C:\\NoSuchFolder\\x.txt'."
    assert first.fully_qualified_error_id == "FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand"
    assert first.category_info.category == "OpenError"


def test_writes_into_an_existing_folder_still_work(session: Session) -> None:
    result = session.run("New-Item -ItemType Directory C:\\Logs | Out-Null\n'a' | Out-File C:\\Logs\\o.txt\n"
                         "Set-Content C:\\Logs\\s.txt 'b'\nAdd-Content C:\\Logs\\s.txt 'c'\nSet-Content C:\\root.txt 'r'\n"
                         "@(Get-Content C:\\Logs\\o.txt) + @(Get-Content C:\\Logs\\s.txt) + @(Get-Content C:\\root.txt)\n")
    assert out(result) == ["a", "b", "c", "r"]


def test_new_item_file_needs_its_folder_unless_forced(session: Session) -> None:
    result = session.run("New-Item -ItemType File C:\\Missing\\a.txt\n"
                         "(New-Item -ItemType File C:\\Forced\\b.txt -Force).FullName\n")
    assert result.stdout.splitlines() == ["C:\\Forced\\b.txt"]
    (error,) = result.errors
    assert (error.fully_qualified_error_id, error.message) == (
        "NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand",
        "Could not find a part of the path 'C:\\Missing\\a.txt'.")


# --- a dot-sourced script's automatic variables -----------------------------------------------------


def test_dot_sourcing_restores_the_callers_automatic_variables(session: Session, tmp_path: pathlib.Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lib.ps1").write_text("param($P)\n$LibSaw = \"$PSScriptRoot|$($MyInvocation.MyCommand.Name)|$P\"\n",
                                              encoding="utf-8")
    main = tmp_path / "main.ps1"
    main.write_text("param($Q)\n. $PSScriptRoot\\sub\\lib.ps1 -P 1\n$LibSaw\n$PSScriptRoot\n"
                    "$MyInvocation.MyCommand.Name\n$PSBoundParameters['Q']\n", encoding="utf-8")
    assert out(session.run_file(main, "-Q", "q")) == [f"{tmp_path / 'sub'}|lib.ps1|1", str(tmp_path), "main.ps1", "q"]


def test_a_statement_starting_with_an_operator_word_is_a_command(session: Session) -> None:
    # PowerShell's parser takes `-and` at the start of a statement as a command name; this
    # parses, and the `return` in the try ends the block before it runs
    text = "$r = 1, 2 | Where-Object {\n  try { return $_ -eq 2 } catch { return $false } -and\n  $_ -gt 0 }\n$r\n"
    assert out(session.run(text)) == ["2"]
    result = session.run("-and\n")
    assert result.errors[0].fully_qualified_error_id == "CommandNotFoundException"


def test_a_called_script_that_exits_non_zero_is_a_failed_command(session: Session, tmp_path: pathlib.Path) -> None:
    # about_Automatic_Variables ($?) and about_PowerShell_exe (-Command: 1 when $? is False)
    (tmp_path / "fail.ps1").write_text("exit 3\n", encoding="utf-8")
    (tmp_path / "ok.ps1").write_text("exit 0\n", encoding="utf-8")
    result = session.run_command(f"& '{tmp_path / 'fail.ps1'}'; \"$? $LASTEXITCODE\"; & '{tmp_path / 'ok.ps1'}'; $?")
    assert (out(result), result.exit_code) == (["False 3", "True"], 0)
    assert session.run_command(f"& '{tmp_path / 'fail.ps1'}'").exit_code == 1


@pytest.mark.parametrize(("command", "code"), [
    ("Get-VM nope -ErrorAction SilentlyContinue", 1),          # a command that failed
    ("(Get-VM nope -ErrorAction SilentlyContinue).Count", 0),  # a pure expression sets $? to True
    ("$x = Get-VM nope -ErrorAction SilentlyContinue", 1),     # an assignment from a command keeps its $?
    ("$x = 5", 0),
    ("(Get-VM nope -ErrorAction SilentlyContinue)", 1),        # parentheses around a command keep its $?
    ("Get-VM nope -ErrorAction SilentlyContinue; 'next'", 0),  # only the last statement counts
])
def test_the_exit_code_of_a_command_line_follows_dollar_question(session: Session, command: str, code: int) -> None:
    # about_PowerShell_exe (-Command) and PowerShell's Compiler.ShouldSetExecutionStatusToSuccess
    assert session.run_command(command).exit_code == code


def test_redirection_into_a_missing_folder_fails_as_out_file(session: Session) -> None:
    # `>` runs Out-File: its terminating FileOpenFailure ends the statement, the script goes on
    result = session.run("'x' > C:\\NoSuchFolder\\r.txt\n'next'\n")
    assert result.stdout == "next\n"
    (error,) = result.errors
    assert (error.message, error.fully_qualified_error_id, error.category_info.category) == (
        "Could not find a part of the path 'C:\\NoSuchFolder\\r.txt'.",
        "FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand", "OpenError")
    assert result.stderr.startswith("out-file : Could not find a part of the path")


def test_export_csv_into_a_missing_folder_fails_as_out_file_does(session: Session) -> None:
    # Export-Csv opens its file with PathUtils.MasterStreamOpen, as Out-File does
    result = session.run("Get-VM | Export-Csv C:\\NoSuchFolder\\vms.csv\n'next'\n")
    assert result.stdout == "next\n"
    (error,) = result.errors
    assert (error.fully_qualified_error_id, error.category_info.category, error.exception_type) == (
        "FileOpenFailure,Microsoft.PowerShell.Commands.ExportCsvCommand", "OpenError",
        "System.IO.DirectoryNotFoundException")
