"""`hvemu` as a real process: `python -m hyperv_emu.cli.main` (what the console script runs), exit
codes, one-line errors, no traceback, UTF-8 output."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import hvemu_testlib as T

from .worlds import WORLD_07



def hvemu(*argv: str, cwd: pathlib.Path, env: dict[str, str] | None = None,
          stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in T.subprocess_env().items() if k not in ("HVEMU_STATE", "HVEMU_DEBUG")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "hyperv_emu.cli", *argv], cwd=cwd, env=environ, capture_output=True,
                          text=True, encoding="utf-8", input=stdin, timeout=60)


def test_init_tree_and_errors_in_a_real_process(tmp_path: pathlib.Path) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_07, encoding="utf-8")
    state = str(tmp_path / "s")

    done = hvemu("init", "--world", str(world), "--state", state, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")

    again = hvemu("init", "--world", str(world), "--state", state, cwd=tmp_path)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.count("\n") == 1 and again.stderr.startswith("hvemu: error: A state already exists")

    tree = hvemu("tree", "SRV-APP01", cwd=tmp_path, env={"HVEMU_STATE": state})
    assert tree.returncode == 0
    assert tree.stdout.splitlines()[-1] == "            └── Now"

    missing = hvemu("checkpoint", "restore", "SRV-APP01", "--name", "gone", "--state", state, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == "hvemu: error: Unable to find a snapshot matching the given criteria.\n"


def test_usage_errors_exit_2_and_a_missing_state_exits_1(tmp_path: pathlib.Path) -> None:
    usage = hvemu("vm", "list", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2 and "usage: hvemu vm list" in usage.stderr

    nothing = hvemu("vm", "list", cwd=tmp_path)  # ./.hvemu/state does not exist
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("hvemu: error: No hvemu state at ")
    assert "Traceback" not in nothing.stderr


def test_an_error_of_a_handler_module_is_a_one_line_error(tmp_path: pathlib.Path) -> None:
    # cli_run raises hyperv_emu.cli.main's CLIError; run as `python -m hyperv_emu.cli.main`, the module is also
    # __main__, and its handler must still catch that class (exit 1, not an internal error 70).
    done = hvemu("run", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "hvemu: error: give a script to run (a .ps1 file, or - for standard input), or -c COMMAND.\n"


def test_box_drawing_survives_a_non_utf8_console(tmp_path: pathlib.Path) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_07, encoding="utf-8")
    state = str(tmp_path / "s")
    assert hvemu("init", "--world", str(world), "--state", state, cwd=tmp_path).returncode == 0
    ascii_console = hvemu("tree", "SRV-APP01", "--state", state, cwd=tmp_path,
                          env={"PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"})
    assert ascii_console.returncode == 0, ascii_console.stderr
    assert ascii_console.stdout.splitlines()[1] == "??? Avant installation IIS"


def test_init_reads_the_world_from_standard_input(tmp_path: pathlib.Path) -> None:
    done = hvemu("init", "--world", "-", "--state", str(tmp_path / "s"), cwd=tmp_path, stdin=WORLD_07)
    assert done.returncode == 0 and "from <stdin>" in done.stdout
    bad = hvemu("init", "--world", "-", "--state", str(tmp_path / "t"), cwd=tmp_path, stdin="bogus = 1\n")
    assert bad.returncode == 1
    assert bad.stderr.startswith("hvemu: error: <stdin>:1") and "bogus" in bad.stderr
