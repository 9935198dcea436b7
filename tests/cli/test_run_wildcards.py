"""Wildcards through `hvemu run`: Get-VM -Name, -like, Where-Object and Format-Table read a pattern
the same way, the way PowerShell's WildcardPattern does (emulator/wildcard.py; the rules and their
sources are in tests/emulator/test_wildcard.py). PowerShell wildcards have no negation: in
`[^S]*` the set holds `^` and `S`, so it selects the names that start with either."""

from __future__ import annotations

import pathlib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
[[vm]]
name = "WEB01"
[[vm]]
name = "sql02"
[[vm]]
name = "^odd"
[[vm]]
name = "!bang"
[[vm]]
name = "[lab]"
"""


@pytest.fixture
def world(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "world.toml"
    path.write_text(WORLD, encoding="utf-8")
    return path


def run(world: pathlib.Path, script: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["run", "--world", str(world), "-c", script])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


@pytest.mark.parametrize("pattern,expected", [
    ("[^S]*", {"SRV-APP01", "sql02", "^odd"}),
    ("[!S]*", {"SRV-APP01", "sql02", "!bang"}),
    ("[w-z]*", {"WEB01"}),
    ("*[0-9]", {"SRV-APP01", "WEB01", "sql02"}),
    ("`[lab`]", {"[lab]"}),
    ("[[]*", {"[lab]"}),
    ("?????", {"WEB01", "sql02", "[lab]", "!bang"}),
])
def test_get_vm_name_and_where_object_like_agree(world: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                 pattern: str, expected: set[str]) -> None:
    literal = pattern.replace("'", "''")
    code, out, err = run(world, f"(Get-VM -Name '{literal}').Name", capsys)
    assert (code, err) == (0, "")
    assert set(out) == expected
    code, out, err = run(world, f"(Get-VM | Where-Object Name -like '{literal}').Name", capsys)
    assert (code, err) == (0, "")
    assert set(out) == expected
    code, out, err = run(world, f"(Get-VM | Where-Object {{ $_.Name -like '{literal}' }}).Name", capsys)
    assert (code, err) == (0, "")
    assert set(out) == expected


def test_an_invalid_pattern_is_a_wildcard_pattern_exception(world: pathlib.Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    script = ("try { 'a' -like '[a' } catch [System.Management.Automation.WildcardPatternException] "
              "{ $_.Exception.Message; $_.FullyQualifiedErrorId; $_.CategoryInfo.Category }")
    code, out, err = run(world, script, capsys)
    assert (code, err) == (0, "")
    assert out == ["The specified wildcard character pattern is not valid: [a", "RuntimeException", "NotSpecified"]
    code, out, err = run(world, "'[z-a]x' -like '[z-a]x'", capsys)
    assert "The specified wildcard character pattern is not valid: [z-a]x" in err
    assert "Traceback" not in err and "internal error" not in err


def test_get_vm_with_an_invalid_pattern_reports_the_error(world: pathlib.Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(world, "Get-VM -Name 'SRV[' -ErrorAction SilentlyContinue; $Error[0].Exception.Message; "
                                "$Error[0].Exception.GetType().FullName", capsys)
    assert out == ["The specified wildcard character pattern is not valid: SRV[",
                   "System.Management.Automation.WildcardPatternException"]
    code, out, err = run(world, "Get-VM -Name 'SRV['", capsys)
    assert err.startswith("Get-VM : The specified wildcard character pattern is not valid: SRV[\n")
    assert "[Get-VM], WildcardPatternException" in err and "Traceback" not in err


def test_format_table_property_wildcards_have_no_negation(world: pathlib.Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # `[!N]*` is the set {!, N} then anything: of Name, Size and State only Name matches
    script = "[pscustomobject]@{ Name = 'n1'; Size = 5; State = 'Off' } | Format-Table -Property '[!N]*' | Out-String"
    code, out, err = run(world, script, capsys)
    assert (code, err) == (0, "")
    header = [line for line in out if line.strip()][0]
    assert header.split() == ["Name"]


def test_the_sdk_exports_the_one_implementation() -> None:
    assert sdk.wildcard_match("[^S]*", "SRV-APP01") and not sdk.wildcard_match("[^S]*", "WEB01")
    assert sdk.wildcard("A*", case_sensitive=True).is_match("Apple")
    assert not sdk.wildcard("a*", case_sensitive=True).is_match("Apple")
    assert sdk.contains_wildcards("a]") and not sdk.contains_wildcards("a`*")
    assert sdk.unescape_wildcards(sdk.escape_wildcards("a*[b]`c")) == "a*[b]`c"
    with pytest.raises(sdk.InvalidPatternError) as info:
        sdk.wildcard("[a")
    assert info.value.message == "The specified wildcard character pattern is not valid: [a"
