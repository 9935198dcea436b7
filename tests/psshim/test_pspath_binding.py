"""Items piped from Get-ChildItem bind their PSPath (`Microsoft.PowerShell.Core\\FileSystem::C:\\...`)
by property name to -LiteralPath/-Path of the next cmdlet, and a provider-qualified path names the
plain path (issue 14, point 4)."""

from __future__ import annotations

import pathlib

import pytest

from hyperv_emu.cli.main import main

SETUP = ("New-Item C:\\tmp -ItemType Directory | Out-Null; Set-Content C:\\tmp\\a.txt one; "
         "Set-Content C:\\tmp\\b.txt two; ")


@pytest.fixture
def world(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "world.toml"
    path.write_text("now = 2026-02-20T08:00:00\n", encoding="utf-8")
    return path


def run(world: pathlib.Path, script: str, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    main(["run", "--world", str(world), "-c", SETUP + script])
    out, err = capsys.readouterr()
    return out.split(), err


def test_get_childitem_piped_to_get_content(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(world, "Get-ChildItem C:\\tmp | Get-Content", capsys) == (["one", "two"], "")


def test_get_childitem_piped_to_remove_item(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(world, "Get-ChildItem C:\\tmp | Remove-Item; @(Get-ChildItem C:\\tmp).Count", capsys) == (["0"], "")


def test_the_pspath_itself(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(world, "(Get-Item C:\\tmp\\a.txt).PSPath; Test-Path 'FileSystem::C:\\tmp\\b.txt'", capsys)
    assert (out, err) == (["Microsoft.PowerShell.Core\\FileSystem::C:\\tmp\\a.txt", "True"], "")


def test_a_missing_provider_path_names_the_plain_path(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(world, "Get-Content 'Microsoft.PowerShell.Core\\FileSystem::C:\\tmp\\nope.txt'", capsys)
    assert err.startswith("Get-Content : Cannot find path 'C:\\tmp\\nope.txt' because it does not exist.")
