"""`hvemu run` and `hvemu shell`: state selection, script arguments, exit codes, standard input."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
"""


@pytest.fixture
def world(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "world.toml"
    path.write_text(WORLD, encoding="utf-8")
    return path


def test_script_parameters_and_exit_code(tmp_path: pathlib.Path, world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "job.ps1"
    script.write_text('param([string]$VmId, [string]$SnapName, [int]$Code = 0)\n'
                      'Checkpoint-VM -Name $VmId -SnapshotName $SnapName\n'
                      '"made $SnapName on $VmId"\nexit $Code\n', encoding="utf-8")
    code = main(["run", "--world", str(world), str(script), "-VmId", "SRV-APP01", "-SnapName", "x y", "-Code", "3"])
    out, err = capsys.readouterr()
    assert (code, out.strip(), err) == (3, "made x y on SRV-APP01", "")


def test_state_lives_on_between_runs(tmp_path: pathlib.Path, world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = str(tmp_path / "state")
    assert main(["run", "--world", str(world), "--state", state, "-c", "Checkpoint-VM SRV-APP01 one"]) == 0
    assert main(["run", "--state", state, "-c", "Start-Sleep 60; (Get-VMSnapshot SRV-APP01).Name"]) == 0
    out, _ = capsys.readouterr()
    assert out.strip() == "one"
    assert sdk.connect(state).now().isoformat() == "2026-02-20T08:01:00"
    # --world on a state that exists is refused, nothing overwritten
    assert main(["run", "--world", str(world), "--state", state, "-c", "Get-VM"]) == 1
    _, err = capsys.readouterr()
    assert "already holds a state" in err
    assert [c.name for c in sdk.connect(state).vm("SRV-APP01").checkpoints()] == ["one"]


def test_world_alone_uses_a_throwaway_state(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", str(world), "-c", "Checkpoint-VM SRV-APP01 a"]) == 0
    assert main(["run", "--world", str(world), "-c", "@(Get-VMSnapshot SRV-APP01).Count"]) == 0
    out, _ = capsys.readouterr()
    assert out.strip() == "0"


def test_terminating_error_exits_1(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", str(world), "-c", "throw 'boom'; 'never'"]) == 1
    out, err = capsys.readouterr()
    assert "never" not in out and "boom" in err


def test_non_terminating_error_exits_0(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", str(world), "-c", "Get-VM -Name NOPE; 'after'"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "after"
    assert 'Hyper-V was unable to find a virtual machine with name "NOPE".' in err


def test_missing_script_is_one_error_line(world: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", str(world), "/nonexistent/x.ps1"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("hvemu: error: cannot read the script") and err.count("\n") == 1


def test_script_on_standard_input_and_shell(world: pathlib.Path, tmp_path: pathlib.Path) -> None:
    run = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "run", "--world", str(world), "-"],
                         input="(Get-VM).Name\nexit 4\n", capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.strip()) == (4, "SRV-APP01")
    shell = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "shell", "--world", str(world)],
                           input="$x = 2\nif ($x -eq 2) {\n'two'\n}\nGet-VM | Select-Object -ExpandProperty Name\n",
                           capture_output=True, text=True, timeout=120, env={"HOME": str(tmp_path), "PATH": ""})
    assert shell.returncode == 0, shell.stderr
    assert "two" in shell.stdout and "SRV-APP01" in shell.stdout
