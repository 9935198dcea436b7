"""Resource limits end with PowerShell's own errors, in bounded time and memory (issue 14, point 6):
a value that would outgrow the run's memory budget throws OutOfMemoryException before it is built
(`RunSettings.memory_limit`, default 256 MiB), and nesting beyond the parser's depth is a parse
error, not minutes of parsing."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import time

import pytest

from hyperv_emu.cli.main import main
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock

OOM = "Exception of type 'System.OutOfMemoryException' was thrown."


def run(script: str, memory_limit: int = options.DEFAULT_MEMORY_LIMIT) -> tuple[str, str]:
    import datetime as dt

    host = CapturingHost()
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 1, 1)), files=MemoryFileView({}))
    Runspace(services, RunSettings(memory_limit=memory_limit), host).run_script(script, "C:\\t\\x.ps1")
    return host.stdout, host.stderr


@pytest.mark.parametrize("script", ['"ab" * [int]::MaxValue', "@(1, 2) * 500000000",
                                    '$s = "x"; while ($true) { $s = $s + $s }', "$x = 1..40000000",
                                    '$a = @(0) * 1000000; while ($true) { $a += $a }'])
def test_values_beyond_the_budget_throw_out_of_memory(script: str) -> None:
    started = time.monotonic()
    out, err = run(script)
    assert time.monotonic() - started < 10
    assert err.startswith(OOM)
    assert "CategoryInfo          : OperationStopped: (:) [], OutOfMemoryException" in err
    assert "FullyQualifiedErrorId : System.OutOfMemoryException" in err


def test_out_of_memory_can_be_caught_and_ends_the_script_otherwise() -> None:
    out, err = run('try { "ab" * [int]::MaxValue } catch { $_.Exception.GetType().FullName }; "after"\n'
                   '"x" * 300000000\n"not reached"')
    assert out.split() == ["System.OutOfMemoryException", "after"]
    assert err.startswith(OOM)


def test_the_budget_is_a_setting() -> None:
    assert run('("x" * 5000).Length', memory_limit=10_000) == ("5000\n", "")
    out, err = run('("x" * 20000).Length', memory_limit=10_000)
    assert (out, err.startswith(OOM)) == ("", True)


def test_values_under_the_budget_are_untouched() -> None:
    out, err = run('(1..1000000).Count; ("ab" * 1000000).Length; (@(1, 2) * 1000000).Count; $s = "a"; '
                   '1..20 | % { $s = $s + $s }; $s.Length')
    assert (out.split(), err) == (["1000000", "2000000", "2000000", "1048576"], "")


@pytest.mark.parametrize("opener, closer, error_id", [("(", ")", "PsshimNestingTooDeep"),
                                                      ("{", "}", "PsshimNestingTooDeep"),
                                                      ("@(", ")", "PsshimNestingTooDeep"),
                                                      ("[", "]", "MissingTypename")])
def test_nesting_beyond_the_parser_limit_is_a_parse_error(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                          opener: str, closer: str, error_id: str) -> None:
    world = tmp_path / "world.toml"
    world.write_text("now = 2026-01-01T08:00:00\n", encoding="utf-8")
    script = tmp_path / "deep.ps1"
    script.write_text(opener * 100_000 + "1" + closer * 100_000, encoding="utf-8")
    started = time.monotonic()
    assert main(["run", "--world", str(world), str(script)]) == 1
    assert time.monotonic() - started < 10
    _, err = capsys.readouterr()
    assert f"FullyQualifiedErrorId : {error_id}" in err


def test_a_deep_script_stays_under_a_gigabyte(tmp_path: pathlib.Path) -> None:
    world = tmp_path / "world.toml"
    world.write_text("now = 2026-01-01T08:00:00\n", encoding="utf-8")
    script = tmp_path / "deep.ps1"
    script.write_text("{" * 100_000 + "}" * 100_000, encoding="utf-8")
    # VmHWM is this process image's peak (ru_maxrss would carry the forking pytest's over exec)
    probe = ("import sys\nfrom hyperv_emu.cli.main import main\ncode = main(sys.argv[1:])\n"
             "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n")
    done = subprocess.run([sys.executable, "-c", probe, "run", "--world", str(world), str(script)],
                          capture_output=True, text=True, timeout=60)
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib < 1024 * 1024, peak_kib
    assert "PsshimNestingTooDeep" in done.stderr
