"""The interpreter: statements, flow control, pipelines (streaming order), functions and scopes,
errors and their records, exit codes, budgets, scripts and modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock

SCRIPT = "C:\\scripts\\test.ps1"


def session(edition: str = "5.1", files: dict[str, str] | None = None, **settings: Any
            ) -> tuple[Runspace, CapturingHost]:
    host = CapturingHost()
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8, 0, 0)),
                              files=MemoryFileView(files or {}))
    return Runspace(services, RunSettings(edition=edition, **settings), host), host


def run(text: str, edition: str = "5.1", files: dict[str, str] | None = None, **settings: Any
        ) -> tuple[int, str, str, Runspace]:
    rs, host = session(edition, files, **settings)
    code = rs.run_script(text, SCRIPT)
    return code, host.stdout, host.stderr, rs


def out_lines(text: str, **kw: Any) -> list[str]:
    code, out, err, _ = run(text, **kw)
    assert err == "", err
    return [line.rstrip() for line in out.splitlines() if line.strip()]


# --- pipelines ---------------------------------------------------------------------------------


def test_pipelines_stream_one_object_at_a_time() -> None:
    assert out_lines('1..2 | % {Write-Host "a$_"; $_} | % {Write-Host "b$_"}') == ["a1", "b1", "a2", "b2"]


def test_begin_blocks_run_first_in_order() -> None:
    text = ("function A { begin { Write-Host 'beginA' } process { $_ } }\n"
            "function B { begin { Write-Host 'beginB' } process { Write-Host \"B$_\" } }\n"
            "1,2 | A | B")
    assert out_lines(text) == ["beginA", "beginB", "B1", "B2"]


def test_select_first_stops_upstream() -> None:
    assert out_lines("1..100 | % { Write-Host \"gen $_\"; $_ } | Select-Object -First 2 | % { Write-Host \"got $_\" }") \
        == ["gen 1", "got 1", "gen 2", "got 2"]


def test_write_host_goes_before_buffered_table() -> None:
    lines = out_lines("[pscustomobject]@{Name='SRV-APP01'} | Select-Object Name; Write-Host done")
    assert lines[0] == "done"
    assert lines[1:] == ["Name", "----", "SRV-APP01"]


# --- statements ----------------------------------------------------------------------------------


def test_if_elseif_else_and_conditions_are_pipelines() -> None:
    assert out_lines("$x = 5; if ($x -lt 3) {'small'} elseif ($x -lt 10) {'medium'} else {'big'}") == ["medium"]
    assert out_lines("if (Get-Command Get-Date) { 'found' }") == ["found"]
    assert out_lines("if (@()) { 'yes' } else { 'no' }; if (@(0)) { 'yes' } else { 'no' }") == ["no", "no"]


def test_foreach_over_null_runs_zero_times_but_the_pipeline_runs_once() -> None:
    assert out_lines("foreach ($x in $null) { 'loop' }; $null | % { 'pipe' }") == ["pipe"]


def test_loops_and_labels() -> None:
    assert out_lines("for ($i = 0; $i -lt 3; $i++) { $i }") == ["0", "1", "2"]
    assert out_lines("$i = 0; while ($i -lt 3) { $i++; if ($i -eq 2) { continue }; $i }") == ["1", "3"]
    assert out_lines("$i = 0; do { $i++ } until ($i -ge 3); $i") == ["3"]
    assert out_lines(":outer foreach ($a in 1..3) { foreach ($b in 1..3) { if ($b -eq 2) { continue outer }; "
                     "\"$a$b\" } }") == ["11", "21", "31"]
    assert out_lines(":outer foreach ($a in 1..3) { foreach ($b in 1..3) { if ($b -eq 2) { break outer }; "
                     "\"$a$b\" } }") == ["11"]


def test_switch() -> None:
    assert out_lines("switch (1,2,3) { 1 {'one'} {$_ -gt 1} {\"big $_\"} default {'def'} }") == \
        ["one", "big 2", "big 3"]
    assert out_lines("switch ('abc') { 'ABC' {'ci'} }") == ["ci"]
    assert out_lines("switch -CaseSensitive ('abc') { 'ABC' {'ci'} default {'cs'} }") == ["cs"]
    assert out_lines("switch -Wildcard ('SRV-APP01') { 'SRV*' {'srv'; break} '*01' {'01'} }") == ["srv"]
    assert out_lines("switch -Regex ('v1.2') { '^v(\\d+)' { \"major $($Matches[1])\" } }") == ["major 1"]
    assert out_lines("switch (1,2,3) { 2 { continue } default { $_ } }") == ["1", "3"]


def test_break_in_foreach_object_leaves_the_enclosing_loop_and_return_continues() -> None:
    assert out_lines("foreach ($i in 1..2) { 1..5 | % { if ($_ -eq 3) { break }; \"$i-$_\" } }; 'after'") == \
        ["1-1", "1-2", "after"]
    assert out_lines("1..4 | % { if ($_ % 2) { return }; $_ }") == ["2", "4"]


# --- functions and scopes ---------------------------------------------------------------------


def test_functions_output_everything_they_do_not_capture() -> None:
    text = ("function f { 'one'; $null = 'dropped'; [void]'dropped'; 'two' | Out-Null; return 'three'; 'never' }\n"
            "$r = f; $r.Count; $r[1]")
    assert out_lines(text) == ["2", "three"]


def test_one_value_comes_back_as_a_scalar() -> None:
    assert out_lines("function f { 5 }; (f).GetType().Name; function g { 1; 2 }; (g).GetType().Name") == \
        ["Int32", "Object[]"]


def test_dynamic_scoping_and_scope_modifiers() -> None:
    text = ("$x = 'script'\n"
            "function inner { \"inner sees $x\" }\n"
            "function outer { $x = 'outer'; inner; $script:y = 'set'; $global:g = 'glob' }\n"
            "outer; $x; $y; $g")
    assert out_lines(text) == ["inner sees outer", "script", "set", "glob"]


def test_script_blocks_are_values() -> None:
    text = ("$sb = { param($n) \"sb $n\" }\n"
            "& $sb 1; $sb.Invoke(2); . $sb 3\n"
            "$x = 1; & { $x = 2 }; $x; . { $x = 3 }; $x")
    assert out_lines(text) == ["sb 1", "sb 2", "sb 3", "1", "3"]


def test_advanced_function_with_pipeline_input_and_begin_process_end() -> None:
    text = ("function Get-Double {\n"
            "  [CmdletBinding()]\n"
            "  param([Parameter(Mandatory, ValueFromPipeline)][int]$Number)\n"
            "  begin { $total = 0 }\n"
            "  process { $total += $Number; $Number * 2 }\n"
            "  end { \"total $total\" }\n"
            "}\n"
            "1, 2, 3 | Get-Double")
    assert out_lines(text) == ["2", "4", "6", "total 6"]


def test_a_record_that_binds_to_no_parameter_of_a_function_is_a_non_terminating_error() -> None:
    """PowerShell's ParameterBinderController: input that converts to no pipeline parameter is
    InputObjectNotBound for that record (the process block skips it, the others still run);
    with -ErrorAction Stop it terminates."""
    text = ("function Show { param([Parameter(ValueFromPipeline)][int]$N) process { \"got $N\" } }\n"
            "1, 'x', 3 | Show\n"
            "$Error[0].FullyQualifiedErrorId\n"
            "try { 'y' | Show -ErrorAction Stop } catch { 'caught ' + $_.CategoryInfo.Category }")
    code, out, err, _ = run(text)
    assert code == 0
    assert [line for line in out.splitlines() if line] == ["got 1", "got 3", "InputObjectNotBound,Show",
                                                          "caught InvalidArgument"]
    assert err.startswith("Show : The input object cannot be bound to any parameters for the command either "
                          "because the command does not take \npipeline input")
    assert "(x:String) [Show], ParameterBindingException" in err and err.count("InputObjectNotBound") == 1


def test_filters_and_input() -> None:
    assert out_lines("filter dbl { $_ * 2 }; 1..3 | dbl") == ["2", "4", "6"]
    assert out_lines("function all { \"n=$($input.Count)\" }; 1..3 | all") == ["n=3"]


def test_simple_functions_collect_unknown_arguments_in_args() -> None:
    assert out_lines("function f { $args.Count; $args[1] }; f a -b c") == ["3", "-b"]


def test_cmdletbinding_common_parameters() -> None:
    text = ("function f { [CmdletBinding()] param() Write-Verbose 'v'; Write-Warning 'w'; 'out' }\n"
            "f; f -Verbose; f -WarningAction SilentlyContinue")
    assert out_lines(text) == ["WARNING: w", "out", "VERBOSE: v", "WARNING: w", "out", "out"]


def test_psboundparameters_and_splatting_them() -> None:
    text = ("function inner { param($A, [switch]$B) \"A=$A B=$B\" }\n"
            "function outer { param($A, [switch]$B) $PSBoundParameters.Count; inner @PSBoundParameters }\n"
            "outer -A 1 -B")
    assert out_lines(text) == ["2", "A=1 B=True"]


# --- errors ------------------------------------------------------------------------------------


def test_throw_record_and_exit_code() -> None:
    code, out, err, rs = run("'before'\nthrow 'boom'\n'after'")
    assert code == 1 and out.strip() == "before"
    rec = rs.errors[0]
    assert rec.message == "boom" and rec.fully_qualified_error_id == "boom"
    ci = rec.category_info
    assert (ci.category, ci.target_name, ci.target_type, ci.activity, ci.reason) == \
        ("OperationStopped", "boom", "String", "", "RuntimeException")
    assert rec.prefix == ""
    assert rec.invocation is not None and rec.invocation.position is not None
    assert rec.invocation.position.extent.text == "throw 'boom'"
    assert err.startswith("boom\nAt C:\\scripts\\test.ps1:2 char:1\n")


def test_statement_terminating_errors_end_only_their_statement() -> None:
    code, out, err, rs = run("Get-Nope\n'after'\nGet-Date -Nope\n'end'")
    assert code == 0
    assert out.split() == ["after", "end"]
    assert "The term 'Get-Nope' is not recognized as the name of a cmdlet" in err
    first = rs.errors[1]
    assert first.fully_qualified_error_id == "CommandNotFoundException"
    assert (first.category_info.category, first.category_info.target_name, first.category_info.reason) == \
        ("ObjectNotFound", "Get-Nope", "CommandNotFoundException")
    assert first.invocation is not None and first.invocation.position is not None
    assert first.invocation.position.extent.text == "Get-Nope"


def test_pwsh7_command_not_found_text() -> None:
    code, out, err, rs = run("Get-Nope", edition="7")
    assert rs.errors[0].message == ("The term 'Get-Nope' is not recognized as a name of a cmdlet, function, script "
                                    "file, or executable program.\nCheck the spelling of the name, or if a path was "
                                    "included, verify that the path is correct and try again.")


def test_try_catch_finally_and_typed_catch() -> None:
    text = ("try { 1/0 } catch [System.DivideByZeroException] { 'dz' } finally { 'fin' }\n"
            "try { Get-Date -Nope } catch [System.Management.Automation.ParameterBindingException] { 'pbe' }\n"
            "try { throw 'x' } catch [System.IO.IOException] { 'io' } catch { \"any $_\" }\n"
            "try { try { throw 'inner' } catch { throw } } catch { \"rethrown $($_.Exception.Message)\" }\n"
            "function f { Get-Nope; 'not reached' }\n"
            "try { f } catch { 'caught in caller' }")
    assert out_lines(text) == ["dz", "fin", "pbe", "any x", "rethrown inner", "caught in caller"]


def test_catch_sees_the_error_record() -> None:
    text = ("try { Get-Date -Year 'x' } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category; "
            "$_.Exception.GetType().Name; \"$_\" -like 'Cannot bind parameter*' }")
    assert out_lines(text) == ["CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.GetDateCommand",
                               "InvalidArgument", "ParameterBindingException", "True"]


def test_error_action_and_preference() -> None:
    text = ("Write-Error 'silent' -ErrorAction SilentlyContinue; \"status $?\"; $Error.Count\n"
            "Write-Error 'ignored' -ErrorAction Ignore; $Error.Count\n"
            "try { Write-Error 'stop' -ErrorAction Stop; 'no' } catch { \"caught $_\" }\n"
            "Write-Error 'to var' -ErrorAction SilentlyContinue -ErrorVariable ev; $ev.Count")
    code, out, err, rs = run(text)
    assert err == ""
    assert out.split("\n")[:5] == ["status False", "1", "1", "caught stop", "1"]


def test_error_action_preference_stop_makes_errors_terminating() -> None:
    code, out, err, _ = run("$ErrorActionPreference = 'Stop'\nWrite-Error 'x'\n'not reached'")
    assert code == 1 and "not reached" not in out


def test_silently_continue_preference_silences_throw() -> None:
    code, out, err, rs = run("$ErrorActionPreference = 'SilentlyContinue'; throw 'x'; 'after'")
    assert (code, out.strip(), err) == (0, "after", "")
    assert rs.errors[0].message == "x"


def test_write_error_records() -> None:
    code, out, err, rs = run("function f { Write-Error 'in fn' }\nf\nWrite-Error 'top'")
    fn_rec, top_rec = rs.errors[1], rs.errors[0]
    assert fn_rec.prefix == "f" and fn_rec.fully_qualified_error_id == "Microsoft.PowerShell.Commands." \
                                                                      "WriteErrorException,f"
    assert fn_rec.invocation is not None and fn_rec.invocation.position is not None
    assert fn_rec.invocation.position.extent.text == "f"
    assert top_rec.prefix == SCRIPT and top_rec.fully_qualified_error_id.endswith(",test.ps1")
    assert top_rec.category_info.reason == "WriteErrorException"


def test_redirection_of_errors_and_warnings() -> None:
    text = ("Get-Nope 2>$null; \"after $?\"\n"
            "& { Write-Error 'e1'; 'out' } 2>&1 | % { \"item $_\" }\n"
            "& { Write-Warning 'w' } 3>$null\n"
            "& { 'x' } > $null; 'end'")
    code, out, err, rs = run(text)
    assert err == ""
    assert out.split("\n")[:4] == ["after False", "item e1", "item out", "end"]


def test_internal_errors_never_show_a_python_traceback() -> None:
    code, out, err, _ = run("[System.IO.File]::WriteAllText('C:\\x', 'y'); 'after'")
    assert "Traceback" not in err and "is not supported by hvemu" in err
    assert out.strip() == "after"


def test_not_supported_feature_has_its_own_id() -> None:
    code, out, err, rs = run("New-Object -ComObject Shell.Application")
    assert rs.errors[0].fully_qualified_error_id.startswith("NotSupportedByHvemu")
    assert rs.errors[0].message.endswith("is not supported by hvemu.")


def test_parse_errors_mean_nothing_runs() -> None:
    code, out, err, rs = run("'first'\n$x = (1 +\n")
    assert code == 1 and out == ""
    assert rs.errors[0].is_parse_error


# --- exit, budget, polling ---------------------------------------------------------------------


def test_exit_codes() -> None:
    assert run("'x'; exit 3; 'y'")[0] == 3
    assert run("'x'")[0] == 0
    assert run("Write-Error 'non-terminating'")[0] == 0
    assert run("throw 'terminating'")[0] == 1


def test_step_budget() -> None:
    code, out, err, rs = run("while ($true) { $i++ }", max_steps=5000)
    assert code == 1 and rs.errors[0].fully_qualified_error_id == "HvemuStepBudgetExceeded"


def test_a_loop_polling_a_virtual_clock_that_never_moves_is_stopped() -> None:
    code, out, err, rs = run("$end = (Get-Date).AddMinutes(1)\nwhile ((Get-Date) -lt $end) { }\n'never'",
                             poll_limit=200)
    assert code == 1 and "never advances the virtual clock" in rs.errors[0].message
    assert rs.errors[0].fully_qualified_error_id == "HvemuVirtualClockNotAdvancing"


def test_a_loop_that_sleeps_moves_the_virtual_clock() -> None:
    text = ("$start = Get-Date; $end = $start.AddMinutes(1)\n"
            "while ((Get-Date) -lt $end) { Start-Sleep -Seconds 5 }\n"
            "((Get-Date) - $start).TotalSeconds")
    assert out_lines(text) == ["60"]


# --- scripts, modules, #Requires --------------------------------------------------------------

FILES = {
    "C:\\scripts\\lib.ps1": "function Get-Lib { 'lib ' + $args[0] }\n$libVar = 'from lib'\n",
    "C:\\scripts\\child.ps1": "param($n)\n\"child $n in $PSScriptRoot\"\nexit 7\n",
    "C:\\Program Files\\WindowsPowerShell\\Modules\\MyMod\\MyMod.psm1":
        "$script:count = 0\nfunction Get-Count { $script:count++; $script:count }\nfunction Hidden { 'h' }\n"
        "Export-ModuleMember -Function Get-Count\n",
    "C:\\Program Files\\WindowsPowerShell\\Modules\\Other\\1.0\\Other.psd1": "@{ RootModule = 'Other.psm1' }",
    "C:\\Program Files\\WindowsPowerShell\\Modules\\Other\\1.0\\Other.psm1": "function Get-Other { 'other' }",
}


def test_dot_sourcing_and_calling_scripts() -> None:
    text = ('. "$PSScriptRoot\\lib.ps1"\nGet-Lib x\n$libVar\n& "$PSScriptRoot\\child.ps1" 5\n'
            '"exit was $LASTEXITCODE"\n& .\\child.ps1 6')
    rs, host = session(files=FILES, location="C:\\scripts")
    code = rs.run_script(text, "C:\\scripts\\main.ps1")
    assert host.stderr == ""
    assert host.stdout.splitlines() == ["lib x", "from lib", "child 5 in C:\\scripts", "exit was 7",
                                        "child 6 in C:\\scripts"]
    assert code == 0


def test_modules_through_psmodulepath_and_requires() -> None:
    text = "#Requires -Modules MyMod\nGet-Count; Get-Count\nImport-Module Other\nGet-Other\nHidden"
    code, out, err, rs = run(text, files=FILES)
    assert out.splitlines() == ["1", "2", "other"]
    assert "The term 'Hidden' is not recognized" in err


def test_requires_a_missing_module_stops_the_script() -> None:
    code, out, err, rs = run("#Requires -Modules NoSuchModule\n'x'", files=FILES)
    assert code == 1 and out == ""
    assert rs.errors[0].message == ("The script 'test.ps1' cannot be run because the following modules that are "
                                    "specified by the \"#requires\" statements of the script are missing: "
                                    "NoSuchModule.")


def test_import_module_error() -> None:
    code, out, err, rs = run("Import-Module Missing")
    rec = rs.errors[0]
    assert rec.message == ("The specified module 'Missing' was not loaded because no valid module file was found "
                           "in any module directory.")
    assert rec.fully_qualified_error_id == "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand"


def test_script_parameters_from_arguments() -> None:
    rs, host = session()
    code = rs.run_script("param([string]$Name = 'default', [int]$Count = 1)\n\"$Name x$Count\"", SCRIPT,
                         ["SRV-APP01", "-Count", "3"])
    assert host.stdout.strip() == "SRV-APP01 x3" and code == 0


def test_session_state_persists_across_commands() -> None:
    rs, host = session()
    rs.run_command("$x = 41; function f { $x + 1 }")
    assert rs.invoke("f") == [42]


def test_automatic_variables() -> None:
    lines = out_lines("$PSVersionTable.PSEdition; $PSScriptRoot; $PSCommandPath; $true; $Host.Name")
    assert lines == ["Desktop", "C:\\scripts", SCRIPT, "True", "ConsoleHost"]
    assert out_lines("$PSVersionTable.PSEdition; $IsWindows", edition="7") == ["Core", "True"]


def test_environment_variables() -> None:
    assert out_lines("$env:COMPUTERNAME; $env:computername; $env:NEW = 'v'; $env:new; "
                     "[Environment]::GetEnvironmentVariable('NEW')") == ["HV-HOST01", "HV-HOST01", "v", "v"]


@pytest.mark.parametrize("edition", ["5.1", "7"])
def test_whatif_and_confirm(edition: str) -> None:
    text = ("function Remove-Thing { [CmdletBinding(SupportsShouldProcess, ConfirmImpact='High')] param($Name)\n"
            "  if ($PSCmdlet.ShouldProcess($Name)) { \"removed $Name\" } }\n"
            "Remove-Thing a -WhatIf\nRemove-Thing b -Confirm:$false\nRemove-Thing c\n'end'")
    code, out, err, rs = run(text, edition=edition)
    assert out.splitlines() == ['What if: Performing the operation "Remove-Thing" on target "a".', "removed b", "end"]
    prefix = "PowerShell" if edition == "7" else "Windows PowerShell"
    assert rs.errors[0].message == f"{prefix} is in NonInteractive mode. Read and Prompt functionality is not " \
                                   f"available."


def test_stream_variables_of_advanced_functions_collect_nested_writes() -> None:
    text = ("function f { [CmdletBinding()] param() Write-Warning 'w1'; Write-Error 'e1' }\n"
            "f -WarningVariable wv -WarningAction SilentlyContinue -ErrorVariable ev -ErrorAction SilentlyContinue\n"
            "$wv.Count; $wv[0].Message; $ev.Count; \"$($ev[0])\"")
    assert out_lines(text) == ["1", "w1", "1", "e1"]


def test_output_variable() -> None:
    assert out_lines("Get-Date -OutVariable d | Out-Null; $d.Count; $d[0].Year") == ["1", "2026"]


def test_unemulated_dotnet_types_are_not_supported_not_missing() -> None:
    code, out, err, rs = run("[System.Diagnostics.Stopwatch]::StartNew(); [NoSuchType]::X")
    assert rs.errors[1].fully_qualified_error_id == "NotSupportedByHvemu"
    assert rs.errors[0].message == "Unable to find type [NoSuchType]."


def test_my_invocation() -> None:
    assert out_lines("$MyInvocation.MyCommand.Name; $MyInvocation.MyCommand.Path\n"
                     "function f { $MyInvocation.MyCommand.Name; \"$($MyInvocation.MyCommand)\" }; f") == \
        ["test.ps1", SCRIPT, "f", "f"]


def test_module_qualified_names_and_the_get_prefix() -> None:
    assert out_lines("Microsoft.PowerShell.Utility\\Write-Output 'q'; (Date).Year") == ["q", "2026"]


def test_time_budget_cuts_a_real_sleep_short() -> None:
    import time

    from hyperv_emu.psshim.runtime.services import RealClock

    host = CapturingHost()
    rs = Runspace(SimpleServices(clock=RealClock()), RunSettings(timeout_seconds=0.3), host)
    started = time.monotonic()
    code = rs.run_script("'a'; Start-Sleep 30; 'b'", SCRIPT)
    assert code == 1 and time.monotonic() - started < 5
    assert host.stdout == "a\n" and rs.errors[0].fully_qualified_error_id == "HvemuTimeBudgetExceeded"
