"""The README's set-up part, read from the README itself: exactly two set-up commands, the first
runs (its `hvemu run` part, in-process), and the namespace example imports what it names."""

from __future__ import annotations

import pathlib
import re
import shlex

import pytest

from hyperv_emu.cli.main import main

ROOT = pathlib.Path(__file__).resolve().parents[2]


def setup_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Set up"):text.index("\n## ", text.index("## Set up") + 1)]


def commands() -> list[str]:
    return [line.strip() for line in setup_section().splitlines() if line.startswith("    pip install")]


def test_exactly_two_set_up_commands() -> None:
    install_and_run, install_and_test = commands()
    assert install_and_run.startswith("pip install . && hvemu run ")
    assert install_and_test == "pip install -e '.[test]' && python -m pytest -n auto"


def test_the_example_command_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("HVEMU_STATE", raising=False)
    argv = shlex.split(commands()[0].split("&&", 1)[1])
    assert argv[0] == "hvemu"
    code = main(argv[1:])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    assert code == 0, err
    assert out


def test_the_namespace_example() -> None:
    block = re.search(r"```python\n(.*?)```", setup_section(), re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(block.group(1), namespace)  # noqa: S102 - the README's own three import lines
    hv = namespace["hv"]
    assert callable(getattr(hv, "connect")) and callable(getattr(hv, "load_world")) and getattr(hv, "VM")
    assert callable(namespace["mock_hyperv"])
