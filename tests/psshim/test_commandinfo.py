"""Get-Command with module-qualified names, and CommandInfo.Parameters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.session import RunResult, Session

WORLD = """now = 2026-02-20T08:00:00

[[vm]]
name = "SRV-APP01"
state = "Off"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx', size = "60GB" }]
"""


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://ps12-gcm/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(script, path="C:\\scripts\\t.ps1")


def test_module_qualified_names(session: Session) -> None:
    r = run(session, "(Get-Command Hyper-V\\Get-VM).Name\n"
                     "(Get-Command Microsoft.PowerShell.Management\\Get-ChildItem).Source\n"
                     "(Get-Command hyper-v\\get-vmsnap*).Name -join ','\n"
                     "Get-Command Hyper-V\\Get-ChildItem\nGet-Command FailoverClusters\\Get-ClusterNode")
    assert r.stdout.splitlines() == ["Get-VM", "Microsoft.PowerShell.Management",
                                     "Get-VMSnapshot"]
    assert "The term 'Hyper-V\\Get-ChildItem' is not recognized as the name of a cmdlet" in r.stderr
    assert "The term 'FailoverClusters\\Get-ClusterNode' is not recognized" in r.stderr.replace("\n", "")


def test_parameters_of_a_cmdlet(session: Session) -> None:
    r = run(session, "$p = (Get-Command Remove-VMSnapshot).Parameters\n"
                     "$p.ContainsKey('WhatIf'); $p.ContainsKey('whatif'); $p.ContainsKey('Nope')\n"
                     "$p['VMName'].ParameterType.FullName\n$p['VMName'].Name\n"
                     "$p['ErrorAction'].Aliases -join ','\n"
                     "(Get-Command Get-VM).Parameters.ContainsKey('Confirm')\n"
                     "$p['Confirm'].SwitchParameter")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["True", "True", "False", "System.String[]", "VMName", "ea", "False", "True"]


def test_parameters_of_a_function(session: Session) -> None:
    r = run(session, "function Invoke-Job { [CmdletBinding(SupportsShouldProcess)]\n"
                     "  param([Parameter(Mandatory, Position = 0)][string]$Name, [switch]$Force) }\n"
                     "function Plain($a, $b) { }\n"
                     "$p = (Get-Command Invoke-Job).Parameters\n"
                     "($p.Keys | Select-Object -First 2) -join ','\n$p.ContainsKey('WhatIf')\n"
                     "$p['Name'].ParameterSets['__AllParameterSets'].IsMandatory\n"
                     "$p['Name'].ParameterSets['__AllParameterSets'].Position\n"
                     "(Get-Command Plain).Parameters.Keys -join ','")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["Name,Force", "True", "True", "0", "a,b"]



def test_a_registry_copies_every_field_of_a_cmdlet_info_but_its_resolved_metadata() -> None:
    """`CmdletInfo.unresolved` (what a registry keeps of each cmdlet) is `attrs.evolve(info,
    metadata=None)`: a field added to CmdletInfo and forgotten there fails here."""
    from typing import Any, cast

    import attrs

    from hyperv_emu.psshim.runtime.commands import CmdletInfo, CmdletObject

    def declaration(table: Any) -> Any:
        raise AssertionError("not called")

    # every field set to a value other than its default
    info = CmdletInfo("Get-Thing", CmdletObject, "Things", "GetThing", ("gth",), "ByName", True, "High", True,
                      "a synopsis", "notes", declaration)
    info._metadata = cast(Any, "resolved")
    assert [a.name for a in attrs.fields(CmdletInfo) if getattr(info, a.name) == a.default] == []
    copy = info.unresolved()
    assert copy._metadata is None and info._metadata == "resolved"
    assert {a.name: getattr(copy, a.name) for a in attrs.fields(CmdletInfo)} == {
        a.name: getattr(attrs.evolve(info, metadata=None), a.name) for a in attrs.fields(CmdletInfo)}
