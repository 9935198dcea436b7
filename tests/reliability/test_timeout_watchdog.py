"""`hvemu run --timeout N` always stops the run (issue 14, points 3 and 6).

The interpreter's own check runs between steps; a single step that blocks or runs long (a
Read-Host on an input that never ends, a huge sort, a catastrophic regex) is stopped by the
watchdog (cli/watchdog.py) shortly after N seconds, with the time budget's error record and exit
code 1. Each case runs `hvemu run` in a subprocess and must end well within 10 s.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest

import hvemu_testlib

BUDGET_ERROR = "it exceeded hvemu's time budget (timeout_seconds)"


def hvemu_run(tmp_path: pathlib.Path, script: str, timeout: float) -> tuple[int, str, str, float]:
    world = tmp_path / "world.toml"
    world.write_text(hvemu_testlib.base_world(), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(hvemu_testlib.REPO_ROOT / "src"), env.get("PYTHONPATH", "")])
    started = time.monotonic()
    # standard input is a pipe nobody writes to or closes: a prompt waits on it for ever
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "hyperv_emu.cli", "run", "--world", str(world),
                             "--timeout", str(timeout), "-c", script],
                            stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tmp_path)
    os.close(read_end)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - the run did not stop: fail, but clean up
            proc.kill()
            proc.communicate()
        os.close(write_end)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - started


@pytest.mark.parametrize("script", [
    '"before"; $name = Read-Host "Name"; "got $name"',  # blocks in one read
    '"before"; $x = 1..2000000 | Sort-Object -Descending; "sorted"',  # one long pipeline
    # the interpreter's own check; each pass builds an array, so the time budget (not the 5M-step
    # one, which the compiled interpreter now reaches within 2 s of an empty loop) stops it
    '"before"; while ($true) { $null = 1..300 }',
])
def test_timeout_stops_the_run(tmp_path: pathlib.Path, script: str) -> None:
    code, out, err, took = hvemu_run(tmp_path, script, 2)
    assert took < 10, f"the run took {took:.1f} s"
    assert out.split()[:1] == ["before"] and "got" not in out and "sorted" not in out
    assert code == 1
    assert BUDGET_ERROR in " ".join(err.split()), err
    assert "HvemuTimeBudgetExceeded" in err and "internal error" not in err and "Traceback" not in err


def test_finally_blocks_run_when_the_watchdog_stops_a_step(tmp_path: pathlib.Path) -> None:
    code, out, err, took = hvemu_run(tmp_path, 'try { Read-Host "x" } finally { "cleaned up" }; "after"', 1)
    assert took < 10
    assert out.split() == ["x:", "cleaned", "up"]  # the prompt, then the finally block; not "after"
    assert code == 1 and BUDGET_ERROR in " ".join(err.split())


def test_a_run_within_its_budget_is_not_interrupted(tmp_path: pathlib.Path) -> None:
    code, out, err, took = hvemu_run(tmp_path, '1..3 | ForEach-Object { $_ * 2 }', 5)
    assert (code, out.split(), err) == (0, ["2", "4", "6"], "")


@pytest.mark.parametrize("line", ["Wait-VM vm1", "Wait-VM vm1 -Timeout 2147483647 -Delay 65535",
                                  "try { Wait-VM vm1 -For Reboot } catch { 'caught' }"])
def test_a_session_budget_bounds_wait_vm_on_the_real_clock(line: str) -> None:
    """Without the CLI's watchdog (a psshim Session, as the pytest plugin and the server run
    scripts), Wait-VM on the real clock waits no longer than hvemu's time budget, and the run
    ends with the budget's error (which no catch block sees)."""
    from hyperv_emu.psshim.session import Session

    world = 'clock = "real"\n' + hvemu_testlib.vm_table("vm1")  # Off: no heartbeat, no reboot, ever
    session = Session.from_world_text(world, hvemu_testlib.memory_url(), timeout=1)
    try:
        started = time.monotonic()
        result = session.run_command(line + "; 'after'")
        took = time.monotonic() - started
    finally:
        session.discard()
    assert took < 8, f"the wait took {took:.1f} s"
    assert result.stdout.split() == []
    assert [e.fully_qualified_error_id for e in result.errors] == ["HvemuTimeBudgetExceeded"]
