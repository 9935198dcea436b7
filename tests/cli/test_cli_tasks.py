"""`hvemu clock --advance 14d` runs the scheduled tasks due on the way; `hvemu tasks list` and
`hvemu tasks history` show them and their runs."""

from __future__ import annotations

import pathlib

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.sdk.tasks import TaskAction, TaskDefinition, TaskTrigger

import datetime as dt


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def state(tmp_path: pathlib.Path) -> str:
    folder = str(tmp_path / "state")
    client = sdk.load_world(folder, T.base_world("2026-02-20T08:00:00") + T.vm_table("SRV-APP01", state="Running"))
    client.make_dir("C:\\Scripts")
    client.write_file("C:\\Scripts\\job.ps1", b'Checkpoint-VM -Name SRV-APP01; "ok"')
    client.tasks.register("Nightly", TaskDefinition(
        actions=(TaskAction("powershell.exe", "-File C:\\Scripts\\job.ps1"),),
        triggers=(TaskTrigger.daily(dt.datetime(2026, 2, 20, 2)),)), path="\\Backup\\")
    return folder


def test_clock_advance_runs_tasks_and_takes_units(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "clock", "--advance", "2d", "--state", state) == (0, "2026-02-22T08:00:00\n", "")
    assert len(sdk.connect(state).get_checkpoints("SRV-APP01")) == 2
    assert run(capsys, "clock", "--advance", "90m", "--state", state)[1] == "2026-02-22T09:30:00\n"
    code, _, err = run(capsys, "clock", "--advance", "2 weeks", "--state", state)
    assert code == 2 and "'2 weeks' is not a duration" in err


def test_tasks_list_and_history(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tasks", "list", "--state", state)
    assert code == 0 and out.splitlines()[2].split() == [
        "\\Backup\\Nightly", "Ready", "N/A", "has", "not", "run", "2/21/2026", "2:00:00", "AM"]
    run(capsys, "clock", "--advance", "1d", "--state", state)
    code, out, _ = run(capsys, "tasks", "history", "\\Backup\\Nightly", "--state", state, "--output")
    assert out == "2/21/2026 2:00:00 AM  time  result 0\n    ok\n"
    code, out, err = run(capsys, "tasks", "history", "Nightly", "--state", state)
    assert code == 1 and "no scheduled task 'Nightly'" in err


def test_run_due_is_the_scheduler_of_a_real_clock_state(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                        state: str) -> None:
    assert run(capsys, "tasks", "run-due", "--state", state)[0] == 1  # a virtual clock
    folder = str(tmp_path / "real")
    client = sdk.load_world(folder, 'clock = "real"\n[[host]]\nname = "HV-HOST01"\n' + T.vm_table("SRV-APP01"))
    client.make_dir("C:\\Scripts")
    client.write_file("C:\\Scripts\\job.ps1", b'"ran"')
    soon = client.now() + dt.timedelta(seconds=1)
    client.tasks.register("Soon", TaskDefinition(actions=(TaskAction("powershell.exe", "-File C:\\Scripts\\job.ps1"),),
                                                 triggers=(TaskTrigger.once(soon),)))
    import time

    time.sleep(1.5)
    code, out, err = run(capsys, "tasks", "run-due", "--state", folder)
    assert (code, err) == (0, "") and out.endswith("  \\Soon  result 0\n")
    assert sdk.connect(folder).tasks.runs("Soon")[0].output == "ran\n"
