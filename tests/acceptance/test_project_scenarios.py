"""The project's own scenario folders (tests/project_scenarios/; tests/scenarios/ holds the copies of
the user's acceptance scenarios, which tests/acceptance/test_scenarios.py runs), run two ways: with
hyperv_emu.testing.scenarios.run_folder (the pytest plugin's runner), and as

    hvemu run --world world.toml --state S script.ps1 < stdin.txt

A folder may hold `stdin.txt`: the answers to the script's prompts, one line each (Read-Host,
-Confirm, Get-Credential, Out-GridView -PassThru); without it, prompts fail as under
powershell.exe -NonInteractive.
"""

from __future__ import annotations

import io
import os
import pathlib
import tomllib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.testing import scenarios

FOLDER = pathlib.Path(__file__).resolve().parents[1] / "project_scenarios"

# Scenarios that wait for a fix elsewhere (strict: they fail the suite once they pass).
PENDING: dict[str, str] = {}


def project_scenarios() -> list[pathlib.Path]:
    return sorted(p for p in FOLDER.iterdir() if (p / "world.toml").is_file())


def _pending(folder: pathlib.Path) -> None:
    if folder.name in PENDING:
        pytest.xfail(PENDING[folder.name])


@pytest.mark.parametrize("folder", project_scenarios(), ids=lambda p: p.name)
def test_run_folder(folder: pathlib.Path) -> None:
    result = scenarios.run_folder(folder)
    if folder.name in PENDING and result.problems():
        _pending(folder)
    assert not result.problems(), "\n\n".join(result.problems())
    assert folder.name not in PENDING, "passes now: remove it from PENDING"


@pytest.mark.parametrize("folder", project_scenarios(), ids=lambda p: p.name)
def test_hvemu_run_with_standard_input(folder: pathlib.Path, tmp_path: pathlib.Path,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = folder / "stdin.txt"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin.read_text(encoding="utf-8") if stdin.exists() else ""))
    monkeypatch.chdir(tmp_path)
    state = str(tmp_path / "state")
    script = folder / "script.ps1"
    code = main(["run", "--world", str(folder / "world.toml"), "--state", state, str(script)])
    out, err = capsys.readouterr()
    err = err.replace(os.path.abspath(script), "{script}")
    problems = [p for p in (scenarios.check_stdout(folder, out), scenarios.check_stderr(folder, err)) if p]
    after = folder / "expected-after.toml"
    if after.exists():
        problems += scenarios.check_after(sdk.connect(state), tomllib.loads(after.read_text(encoding="utf-8")))
    if problems:
        _pending(folder)
    assert not problems, "\n\n".join(problems)
    assert code == 0
    assert folder.name not in PENDING, "passes now: remove it from PENDING"


def test_without_stdin_txt_prompts_fail_as_non_interactive(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "no-answers"
    source = FOLDER / "30-retention-confirm"
    folder.mkdir()
    for name in ("world.toml", "script.ps1", "expected.txt"):
        (folder / name).write_bytes((source / name).read_bytes())
    result = scenarios.run_folder(folder)
    assert "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available." \
        in result.run.stderr
    assert result.stderr_problem is not None


@pytest.mark.parametrize("switch", ["--non-interactive", "-NonInteractive"])
def test_non_interactive_switch_fails_every_prompt(switch: str, tmp_path: pathlib.Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FOLDER / "30-retention-confirm"
    monkeypatch.setattr("sys.stdin", io.StringIO((folder / "stdin.txt").read_text(encoding="utf-8")))
    monkeypatch.chdir(tmp_path)
    code = main(["run", switch, "--world", str(folder / "world.toml"), str(folder / "script.ps1")])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Operator initials" not in out and "Confirm" not in out
    assert err.count("NonInteractive mode. Read and Prompt functionality is not available.") == 4
    assert "Read-Host : Windows PowerShell is in NonInteractive mode." in err


def test_script_from_standard_input_leaves_no_answers(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FOLDER / "30-retention-confirm"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"$x = Read-Host 'Name'\n'after'\n")))
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--world", str(folder / "world.toml"), "-"])
    out, err = capsys.readouterr()
    assert code == 0 and out == "after\n"
    assert "Read-Host : Windows PowerShell is in NonInteractive mode." in err
