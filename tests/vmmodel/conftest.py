"""Fixtures for the VM object model tests: run a script on a world and get its output."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from hyperv_emu.cli.main import main

WORLD = """now = 2026-02-20T08:00:00
[[host]]
name = "HV-HOST01"
default = true

[[vm]]
name = "SRV-APP01"
id = "7cca7664-91d0-40a9-9769-7809f256f603"
state = "Off"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]

[[vm]]
name = "SRV-WEB01"
state = "Running"
memory = "2GB"
memory_minimum = "1GB"
memory_maximum = "4GB"
dynamic_memory = true
processor_count = 2
automatic_start_action = "Start"
automatic_stop_action = "ShutDown"
automatic_critical_error_action = "None"
notes = "web tier"
"""


@pytest.fixture
def run(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Callable[[str], tuple[str, str]]:
    """run(script) -> (stdout, stderr), on one state made from WORLD (kept between calls)."""
    monkeypatch.delenv("HVEMU_STATE", raising=False)
    monkeypatch.chdir(tmp_path)
    world = tmp_path / "world.toml"
    world.write_text(WORLD, encoding="utf-8")
    state = str(tmp_path / "state")
    assert main(["init", "--world", str(world), "--state", state]) == 0
    capsys.readouterr()

    def go(script: str) -> tuple[str, str]:
        main(["run", "--state", state, "-c", script])
        out, err = capsys.readouterr()
        return out, err

    return go
