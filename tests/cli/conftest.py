"""Fixtures for the `hvemu` tests: world files (scenarios 07 and 10) and states made from them."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from hyperv_emu.cli.main import main

from .worlds import WORLD_07, WORLD_10


@pytest.fixture(autouse=True)
def _no_ambient_state(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    """No test reads the developer's $HVEMU_STATE or ./.hvemu/state by accident."""
    monkeypatch.delenv("HVEMU_STATE", raising=False)
    monkeypatch.delenv("HVEMU_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def make_state(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., str]:
    """make_state(world_text, name="state") -> the path of a new state made by `hvemu init`."""
    counter = [0]

    def make(world: str, name: str | None = None) -> str:
        counter[0] += 1
        world_file = tmp_path / f"world{counter[0]}.toml"
        world_file.write_text(world, encoding="utf-8")
        state = str(tmp_path / (name or f"state{counter[0]}"))
        assert main(["init", "--world", str(world_file), "--state", state]) == 0
        capsys.readouterr()
        return state

    return make


@pytest.fixture
def state07(make_state: Callable[..., str]) -> str:
    return make_state(WORLD_07)


@pytest.fixture
def state10(make_state: Callable[..., str]) -> str:
    return make_state(WORLD_10)
