"""Ordinary scripts that used to end in hvemu's internal-error record (issue 14, point 3): each now
does what Windows PowerShell 5.1 does — the work, or the error record .NET and the cmdlet give.

Expected texts: Start-Sleep declares `[int] Seconds` with `ValidateRange(0, int.MaxValue / 1000)`
in 5.1 (StartSleepCommand.cs), so a value beyond Int32 fails conversion with .NET's
OverflowException text and a value beyond 2147483 fails the range; a FileStream opened on a
folder fails with UnauthorizedAccessException, which Export-Csv reports as FileOpenFailure
(PathUtils.ReportFileOpenFailure); Out-File writes UTF-16LE with a BOM and CRLF in 5.1.
"""

from __future__ import annotations

import pathlib

import pytest

from hyperv_emu.cli.main import main

WORLD = "now = 2026-02-20T08:00:00\n"


@pytest.fixture
def world(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "world.toml"
    path.write_text(WORLD, encoding="utf-8")
    return path


def run(world: pathlib.Path, script: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    main(["run", "--world", str(world), "-c", script])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err
    return out, err


def first_line(err: str) -> str:
    """The message of the first error record, unwrapped from the console width."""
    message = err.split("\nAt line:")[0]
    return " ".join(part.strip() for part in message.splitlines())


def test_out_file_writes_utf16_with_a_bom(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(world, '"hi" | Out-File -FilePath C:\\ok.txt; (Get-Item C:\\ok.txt).Length; Get-Content C:\\ok.txt',
                   capsys)
    assert err == ""
    assert out.split() == ["10", "hi"]  # FF FE + "hi\r\n" in UTF-16LE


def test_out_file_with_width(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(world, '1..3 | Out-File C:\\n.txt -Width 40; (Get-Content C:\\n.txt) -join ","', capsys)
    assert (out.strip(), err) == ("1,2,3", "")


@pytest.mark.parametrize("value, shown", [("1e300", "1E+300"), ("([double]::NaN)", "NaN"),
                                          ("([double]::PositiveInfinity)", "Infinity")])
def test_start_sleep_beyond_int32_fails_to_convert(world: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                   value: str, shown: str) -> None:
    _, err = run(world, f"Start-Sleep -Seconds {value}", capsys)
    assert first_line(err) == (f'Start-Sleep : Cannot bind parameter \'Seconds\'. Cannot convert value "{shown}" to type '
                               '"System.Int32". Error: "Value was either too large or too small for an Int32."')
    assert "FullyQualifiedErrorId : CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.StartSleepCommand" in err


def test_start_sleep_beyond_its_range(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(world, "Start-Sleep 3000000", capsys)
    assert first_line(err) == ("Start-Sleep : Cannot validate argument on parameter 'Seconds'. The 3000000 argument is "
                               "greater than the maximum allowed range of 2147483. Supply an argument that is less than "
                               "or equal to 2147483 and then try the command again.")


@pytest.mark.parametrize("path", ['C:\\a`"b', "C:\\CON", "C:\\" + "x" * 300, "C:\\a`nb"])
@pytest.mark.parametrize("command", ['New-Item -Path "{p}" -ItemType File', 'Set-Content -Path "{p}" -Value x',
                                     'Add-Content -Path "{p}" -Value x', '"a" | Export-Csv -Path "{p}"',
                                     '"a" | Out-File -FilePath "{p}"'])
def test_invalid_windows_paths_are_error_records(world: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                 path: str, command: str) -> None:
    out, err = run(world, command.format(p=path) + '; "after"', capsys)
    assert out.strip() == "after"  # a non-terminating error: the script goes on
    assert "CategoryInfo          : InvalidArgument" in err
    assert "ArgumentException" in err


@pytest.mark.parametrize("command, error_id", [('"a" | Export-Csv C:\\dir', "FileOpenFailure"),
                                               ('"a" | Set-Content C:\\dir', "UnauthorizedAccess"),
                                               ('"a" | Out-File C:\\dir', "UnauthorizedAccess")])
def test_writing_onto_a_folder_is_access_denied(world: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                command: str, error_id: str) -> None:
    _, err = run(world, "New-Item C:\\dir -ItemType Directory | Out-Null; " + command, capsys)
    assert first_line(err).endswith(": Access to the path 'C:\\dir' is denied.")
    assert f"FullyQualifiedErrorId : {error_id}," in err
