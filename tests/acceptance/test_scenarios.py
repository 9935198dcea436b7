"""The acceptance scenarios of tests/scenarios (the repository's copy of ../shared/scenarios), run exactly as scenarios.md says:

    hvemu run --world world.toml --state S script.ps1

Standard output must equal expected.txt after trimming each line's trailing spaces and dropping
leading and trailing blank lines; standard error must equal expected-stderr.txt (the script's
absolute path replaced by `{script}`), or contain the lines of expected-stderr-contains.txt in
order, or be empty; the world after the run must satisfy expected-after.toml. The comparisons
are hyperv_emu.testing.scenarios' (the same the pytest plugin uses for users' scenario folders).

KNOWN_DIFFERENCES lists any scenario whose expected file was shown, from a primary source, to
differ from real PowerShell (with the evidence); none is listed today.
"""

from __future__ import annotations

import io
import os
import pathlib
import shutil
import tempfile
import tomllib

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.testing import scenarios
from hyperv_emu.cli.main import main

KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_scenario(folder: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                  monkeypatch: pytest.MonkeyPatch) -> None:
    if folder.name in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[folder.name])
    monkeypatch.chdir(tmp_path)
    # a folder's stdin.txt answers its prompts, as `hvemu run ... < stdin.txt` would
    stdin = folder / "stdin.txt"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin.read_text(encoding="utf-8") if stdin.exists() else ""))
    state = str(tmp_path / "state")
    # scenarios.md: run from a folder whose path is short enough that the `At <path>:<line>
    # char:<col>` line of an error stays within 119 columns; the script is copied to one.
    short = pathlib.Path(tempfile.mkdtemp(prefix="hv"))
    try:
        script = short / "script.ps1"
        shutil.copyfile(folder / "script.ps1", script)
        code = main(["run", "--world", str(folder / "world.toml"), "--state", state, str(script)])
    finally:
        shutil.rmtree(short, ignore_errors=True)
    out, err = capsys.readouterr()
    err = err.replace(os.path.abspath(script), "{script}")

    problems = [p for p in (scenarios.check_stdout(folder, out), scenarios.check_stderr(folder, err)) if p]
    after = folder / "expected-after.toml"
    if after.exists():
        problems += scenarios.check_after(sdk.connect(state), tomllib.loads(after.read_text(encoding="utf-8")))
    assert not problems, "\n\n".join(problems)
    assert code == (1 if folder.name.startswith("13-") else 0), "exit code"


def test_every_scenario_is_present() -> None:
    assert len(T.scenario_dirs()) >= 26


def test_run_folder_reports_a_readable_diff(tmp_path: pathlib.Path) -> None:
    source = T.scenario_dirs()[0]
    folder = tmp_path / "changed"
    folder.mkdir()
    for f in source.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "expected.txt").write_text("Name      CheckpointType\n----      --------------\nSRV-APP01 Standard\n")
    result = scenarios.run_folder(folder)
    [problem] = result.problems()
    assert "-SRV-APP01 Standard" in problem and "+SRV-APP01     Production" in problem
