"""TAB completion at the `hvemu shell` prompt: cmdlets, parameters and VM names."""

from __future__ import annotations

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.shell_complete import ShellCompleter, for_runspace
from hyperv_emu.psshim.session import Session

from .worlds import WORLD_10


@pytest.fixture(scope="module")
def completer() -> ShellCompleter:
    client = sdk.load_world("memory://shell-complete-test", WORLD_10)
    return for_runspace(Session(client).runspace(lambda text: None, lambda text: None))


@pytest.mark.parametrize(("line", "expected"), [
    ("Get-VMSn", ["Get-VMSnapshot"]),
    ("get-vmsnaps", ["Get-VMSnapshot"]),                      # case ignored
    ("Get-VM | Stop-VMRe", ["Stop-VMReplication"]),           # after a pipe
    ("$x = 1; Restore-VMSn", ["Restore-VMSnapshot"]),        # after a semicolon
    ("Get-VMSnapshot -VMN", ["-VMName"]),
    ("Checkpoint-VM -SnapshotN", ["-SnapshotName"]),
    ("Get-VM -ErrorA", ["-ErrorAction"]),                     # common parameters too
    ("Get-VM -Name SRV-", ["SRV-APP01", "SRV-SQL01", "SRV-WEB01"]),
    ("Get-VMSnapshot -VMName srv-w", ["SRV-WEB01"]),
    ("Start-VM -VMName 'SRV-A", ["SRV-APP01"]),
    ("Get-VMSnapshot -Name ", []),                            # a checkpoint name, not a VM
    ("Get-VM -Name SRV-APP01 ", []),
    ("Write-Host 'a | Get-VMSn", []),                         # inside a string: not a command
    ("Not-ACmdlet -Fo", []),
])
def test_candidates(completer: ShellCompleter, line: str, expected: list[str]) -> None:
    assert completer.candidates(line) == expected


def test_an_alias_and_its_parameters(completer: ShellCompleter) -> None:
    assert "gci" in completer.candidates("gc")
    assert "-Recurse" in completer.candidates("gci -Rec")


def test_vm_names_with_spaces_are_quoted() -> None:
    names = ShellCompleter(lambda: ["Get-VM"], lambda command: ["Name"], lambda: ["Web Front", "Web02"],
                           lambda command: ["Name"])
    assert names.candidates("Get-VM -Name W") == ["'Web Front'", "Web02"]


def test_names_are_read_at_tab_time() -> None:
    vms = ["A1"]
    names = ShellCompleter(lambda: [], lambda command: [], lambda: vms, lambda command: ["VMName"])
    assert names.candidates("Get-VMSnapshot -VMName A") == ["A1"]
    vms.append("A2")
    assert names.candidates("Get-VMSnapshot -VMName A") == ["A1", "A2"]


def test_functions_defined_at_the_prompt() -> None:
    client = sdk.load_world("memory://shell-complete-functions", WORLD_10)
    rs = Session(client).runspace(lambda text: None, lambda text: None)
    completer = for_runspace(rs)
    assert completer.candidates("Invoke-Nightl") == []
    rs.run_command("function Invoke-NightlyCheckpoint { 'x' }")
    assert completer.candidates("Invoke-Nightl") == ["Invoke-NightlyCheckpoint"]
