"""Copy-Item, Move-Item, Rename-Item over the emulated host's files (FileSystem provider rules
and texts: FileSystemProviderStrings.resx), and Get-/Remove-ItemProperty on files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.session import RunResult, Session

WORLD = "now = 2026-02-20T08:00:00\n"
SETUP = """
New-Item -ItemType Directory C:\\Data\\In, C:\\Data\\Out | Out-Null
Set-Content C:\\Data\\In\\a.txt 'alpha'
Set-Content C:\\Data\\In\\b.log 'beta'
New-Item -ItemType Directory C:\\Data\\In\\Sub | Out-Null
Set-Content C:\\Data\\In\\Sub\\c.txt 'gamma'
"""


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://ps12-items/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(SETUP + script, path="C:\\scripts\\t.ps1")


def test_copy_file_into_a_folder_and_to_a_new_name(session: Session) -> None:
    r = run(session, "Copy-Item C:\\Data\\In\\a.txt C:\\Data\\Out\n"
                     "Copy-Item C:\\Data\\In\\a.txt C:\\Data\\Out\\a2.txt -PassThru | % FullName\n"
                     "Copy-Item C:\\Data\\In\\b.log C:\\Data\\Out\\a2.txt\n"
                     "Get-ChildItem C:\\Data\\Out | % Name\nGet-Content C:\\Data\\Out\\a2.txt\n"
                     "Test-Path C:\\Data\\In\\a.txt")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["C:\\Data\\Out\\a2.txt", "a.txt", "a2.txt", "beta", "True"]


def test_copy_folder_needs_recurse_for_its_content(session: Session) -> None:
    r = run(session, "Copy-Item C:\\Data\\In C:\\Data\\Deep -Recurse\nCopy-Item C:\\Data\\In C:\\Data\\Flat\n"
                     "Get-ChildItem C:\\Data\\Deep -Recurse | % Name\n(Get-ChildItem C:\\Data\\Flat | Measure-Object).Count")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["a.txt", "b.log", "Sub", "c.txt", "0"]


def test_copy_wildcards_and_whatif(session: Session) -> None:
    r = run(session, "Copy-Item C:\\Data\\In\\*.txt C:\\Data\\Out -WhatIf\n(Get-ChildItem C:\\Data\\Out).Count")
    assert r.stdout.splitlines() == [
        'What if: Performing the operation "Copy File" on target "Item: C:\\Data\\In\\a.txt Destination: '
        'C:\\Data\\Out\\a.txt".', "0"]


def test_copy_missing_source_and_onto_itself(session: Session) -> None:
    r = run(session, "Copy-Item C:\\Data\\In\\zz.txt C:\\Data\\Out\nCopy-Item C:\\Data\\In\\a.txt C:\\Data\\In")
    assert "Cannot find path 'C:\\Data\\In\\zz.txt' because it does not exist." in r.stderr
    assert "Cannot overwrite the item C:\\Data\\In\\a.txt with itself." in r.stderr


def test_move_item(session: Session) -> None:
    r = run(session, "Move-Item C:\\Data\\In\\b.log C:\\Data\\Out\n"
                     "Copy-Item C:\\Data\\In\\a.txt C:\\Data\\Out\n"
                     "Move-Item C:\\Data\\Out\\b.log C:\\Data\\Out\\a.txt\n"
                     "Move-Item C:\\Data\\Out\\b.log C:\\Data\\Out\\a.txt -Force\n"
                     "Move-Item C:\\Data\\In\\Sub C:\\Data\\Moved\n"
                     "Get-ChildItem C:\\Data -Recurse | % FullName\nGet-Content C:\\Data\\Out\\a.txt")
    assert r.stderr.count("Cannot create a file when that file already exists.") == 1
    assert "MoveFileInfoItemIOError,Microsoft.PowerShell.Commands.MoveItemCommand" in r.stderr
    assert "Moving or renaming a folder" in r.stderr and "not supported by hvemu" in r.stderr
    assert r.stdout.splitlines() == ["C:\\Data\\In", "C:\\Data\\In\\a.txt", "C:\\Data\\In\\Sub",
                                     "C:\\Data\\In\\Sub\\c.txt", "C:\\Data\\Out", "C:\\Data\\Out\\a.txt", "beta"]


def test_rename_item(session: Session) -> None:
    r = run(session, "Rename-Item C:\\Data\\In\\a.txt final.txt -PassThru | % FullName\n"
                     "Rename-Item -Path C:\\Data\\In\\Sub -NewName Renamed\n"
                     "Rename-Item C:\\Data\\In\\nope.txt x.txt\n"
                     "Rename-Item C:\\Data\\In\\b.log C:\\Other\\x.log\n"
                     "Rename-Item C:\\Data\\In\\b.log final.txt\n"
                     "Rename-Item C:\\Data\\In\\b.log b2.log -WhatIf\n"
                     "Get-ChildItem C:\\Data\\In | % Name")
    lines = r.stdout.splitlines()
    assert lines[0] == "C:\\Data\\In\\final.txt"
    assert lines[1] == ('What if: Performing the operation "Rename File" on target "Item: C:\\Data\\In\\b.log '
                        'Destination: C:\\Data\\In\\b2.log".')
    assert lines[2:] == ["b.log", "final.txt", "Sub"]
    assert "Moving or renaming a folder" in r.stderr
    assert "Cannot rename because item at 'C:\\Data\\In\\nope.txt' does not exist." in r.stderr
    assert "Cannot rename the specified target, because it represents a path or device name." in r.stderr
    assert "RenameItemIOError,Microsoft.PowerShell.Commands.RenameItemCommand" in r.stderr


def test_item_properties_of_files(session: Session) -> None:
    r = run(session, "(Get-ItemProperty C:\\Data\\In\\a.txt).Length\n"
                     "(Get-ItemProperty C:\\Data\\In\\a.txt -Name Name).Name\n"
                     "Get-ItemPropertyValue C:\\Data\\In\\a.txt -Name Extension\n"
                     "Remove-ItemProperty C:\\Data\\In\\a.txt -Name Length")
    assert r.stdout.splitlines() == ["7", "a.txt", ".txt"]
    assert "Provider operation stopped because the provider does not support this operation." in r.stderr
