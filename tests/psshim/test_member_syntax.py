"""Member-access forms that real scripts use (found by parsing AutomatedLab's and Lability's
scripts): member access on a type literal, a member named by a value (`.$(...)`, `.0`), and a
method called with a script block written directly after its name (`.Where{ }`).

PowerShell's language specification (7.9.8 member access) lets the member name be any
expression; a name that is not a constant string is bound dynamically, by the value itself,
so `$Matches.0` finds the Int32 key 0. `.Where{}`/`.ForEach{}` are the about_Arrays forms of
`.Where({})`/`.ForEach({})`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim import parser
from hyperv_emu.psshim.session import RunResult, Session

WORLD = """now = 2026-02-20T08:00:00

[[vm]]
name = "SRV-APP01"
state = "Running"

[[vm]]
name = "SRV-APP02"
state = "Off"
"""


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://members/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    r = session.run(script, path="C:\\scripts\\t.ps1")
    assert r.stderr == ""
    return r


def test_member_of_a_type_literal(session: Session) -> None:
    r = run(session, "[int].Name\n[string].FullName\n'x' + [int].Name\n[string][int]'5'")
    assert r.stdout.splitlines() == ["Int32", "System.String", "xInt32", "5"]


def test_member_named_by_a_subexpression(session: Session) -> None:
    r = run(session, "$d = @{ Lab = @{ Environment = 'Test' } }\n$n = @{ Module = 'Lab' }\n"
                     "$d.$($n.Module).Environment\n'abc'.$('Len' + 'gth')")
    assert r.stdout.splitlines() == ["Test", "3"]


def test_numeric_member_finds_an_int_key(session: Session) -> None:
    r = run(session, "if ('ab12' -match '(\\d)(\\d)') { $Matches.0; $Matches.1 }\n"
                     "$h = @{ 1 = 'one' }\n$h.1\n$k = 1\n$h.$k")
    assert r.stdout.splitlines() == ["12", "1", "one", "one"]


def test_where_and_foreach_with_a_script_block_after_the_name(session: Session) -> None:
    r = run(session, "(Get-VM).Where{ $_.State -eq 'Running' }.Name\n"
                     "@(1, 2, 3).Where{ $_ -gt 1 }[0]\n"
                     "(1..3).ForEach{ $_ * 2 } -join ','")
    assert r.stdout.splitlines() == ["SRV-APP01", "2", "2,4,6"]


def test_a_script_block_after_a_space_is_no_argument() -> None:
    """Only a `{` directly after the name is the method's argument, as `(` must be."""
    with pytest.raises(parser.ParseError) as info:
        parser.parse("$a.Where {$_}")
    assert "UnexpectedToken" in str(info.value)


def test_cmdlet_common_parameter_lists_filter_bound_parameters(session: Session) -> None:
    """Cmdlet.CommonParameters / OptionalCommonParameters (System.Management.Automation): the
    idiom that keeps a function's own parameters out of $PSBoundParameters."""
    r = run(session, "[System.Management.Automation.PSCmdlet]::CommonParameters -join ','\n"
                     "[System.Management.Automation.Cmdlet]::OptionalCommonParameters -join ','\n"
                     "function f { [CmdletBinding(SupportsShouldProcess)] param($Name, $Size)\n"
                     "  $common = [System.Management.Automation.PSCmdlet]::CommonParameters +"
                     " [System.Management.Automation.PSCmdlet]::OptionalCommonParameters\n"
                     "  @($PSBoundParameters.Keys | Where-Object { $_ -notin $common }) -join ',' }\n"
                     "f -Name a -Size 1 -Verbose -WhatIf -ErrorAction Stop")
    assert r.stdout.splitlines() == [
        "Verbose,Debug,ErrorAction,WarningAction,InformationAction,ErrorVariable,WarningVariable,"
        "InformationVariable,OutVariable,OutBuffer,PipelineVariable",
        "WhatIf,Confirm,UseTransaction",
        "Name,Size",
    ]
