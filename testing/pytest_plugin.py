"""hyperv-emu's pytest plugin (registered through the `pytest11` entry point as `hyperv`).

Fixtures:
- `hyperv`: a fresh emulated Hyper-V for the test (in memory; `@pytest.mark.hyperv_world(...,
  storage="local")` puts it in the test's tmp_path). Start it from a world file with
  `@pytest.mark.hyperv_world("fleet.toml")` (a path relative to the test file, or TOML text), or
  `hyperv.load_world(...)` inside the test. It offers `hyperv.client` (the SDK client),
  `hyperv.run(script, *args, stdin=None)` / `hyperv.run_command(text, stdin=None)` (a
  `RunResult`: `stdout`, `stderr`, `exit_code`, `errors` (ErrorRecords), `output` (objects);
  `stdin`: the answers to the script's prompts, one per line, as `hvemu run` reads them from
  standard input; without it prompts fail as under -NonInteractive), and the virtual clock:
  `hyperv.now()`, `hyperv.advance(seconds)`.
- `ps`: shorthand for `hyperv.run`.

Scenario folders: list folders in the ini option `hyperv_scenarios` (pytest.ini / pyproject
`[tool.pytest.ini_options]`); every subfolder holding world.toml, script.ps1 and expected.txt
(the format of the acceptance scenarios) becomes a test, with a unified diff when the output
differs. For code that calls `sdk.connect()` itself, use `hyperv_emu.testing.mock.mock_hyperv()`.

The plugin sits at the top of the flow: it may import psshim, sdk and emulator; nothing imports it.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

EMPTY_WORLD = "now = 2026-01-01T08:00:00\n"


class HyperV:
    """A fresh emulated Hyper-V for one test."""

    def __init__(self, url: str, base_dir: pathlib.Path) -> None:
        self.url = url
        self.base_dir = base_dir
        self._session: Any = None
        self.load_world(EMPTY_WORLD)

    def load_world(self, world: str | pathlib.Path) -> "HyperV":
        """Replace the state with a world: a path (relative to the test file) or TOML text."""
        from hyperv_emu.psshim.session import Session

        if isinstance(world, pathlib.Path) or (isinstance(world, str) and world.endswith(".toml") and "\n" not in world):
            path = pathlib.Path(world)
            if not path.is_absolute():
                path = self.base_dir / path
            self._session = Session.from_world(path, self.url, force=True)
        else:
            self._session = Session.from_world_text(str(world), self.url, force=True)
        return self

    @property
    def client(self) -> Any:
        return self._session.client

    def vm(self, name: str) -> Any:
        return self.client.vm(name)

    def _answers(self, stdin: str | None) -> Any:
        from hyperv_emu.psshim.runtime.prompts import Answers

        return Answers.non_interactive() if stdin is None else Answers.from_text(stdin)

    def run(self, script: str | pathlib.Path, *args: str, stdin: str | None = None) -> Any:
        """Run a .ps1 file (a path, relative to the test file) or script text; `stdin` holds
        the answers to its prompts."""
        self._session.answers = self._answers(stdin)
        if isinstance(script, pathlib.Path) or (str(script).endswith(".ps1") and "\n" not in str(script)):
            path = pathlib.Path(script)
            if not path.is_absolute():
                path = self.base_dir / path
            return self._session.run_file(path, *args)
        return self._session.run(str(script), *args)

    def run_command(self, text: str, stdin: str | None = None) -> Any:
        self._session.answers = self._answers(stdin)
        return self._session.run_command(text)

    def now(self) -> dt.datetime:
        return self.client.now()  # type: ignore[no-any-return]

    def advance(self, seconds: float) -> dt.datetime:
        """Move the virtual clock (background merges due by then finish)."""
        self.client.sleep(seconds)
        return self.now()

    def close(self) -> None:
        from hyperv_emu import sdk

        if self.url.startswith("memory://"):
            sdk.delete_state(self.url)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("hyperv_scenarios", "folders of hyperv-emu scenario folders to collect as tests",
                  type="paths", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hyperv_world(world, storage='memory'): start the `hyperv` fixture from a world file "
        "(a path relative to the test file, or TOML text)")


@pytest.fixture
def hyperv(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[HyperV]:
    marker = request.node.get_closest_marker("hyperv_world")
    storage = marker.kwargs.get("storage", "memory") if marker else "memory"
    url = str(tmp_path / "hyperv-state") if storage == "local" else f"memory://pytest-hyperv/{uuid.uuid4().hex}"
    base = pathlib.Path(str(request.node.path)).parent if hasattr(request.node, "path") else pathlib.Path.cwd()
    hv = HyperV(url, base)
    world = getattr(request, "param", None) or (marker.args[0] if marker and marker.args else None)
    if world is not None:
        hv.load_world(world)
    try:
        yield hv
    finally:
        hv.close()


@pytest.fixture
def ps(hyperv: HyperV) -> Any:
    return hyperv.run


# --- scenario folders ---------------------------------------------------------------------------


def _is_scenario(folder: pathlib.Path) -> bool:
    return all((folder / name).is_file() for name in ("world.toml", "script.ps1", "expected.txt"))


def pytest_collect_file(file_path: pathlib.Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name != "world.toml" or not _is_scenario(file_path.parent):
        return None
    roots = [pathlib.Path(p).resolve() for p in parent.config.getini("hyperv_scenarios")]
    here = file_path.resolve()
    if not any(root == here.parent or root in here.parents for root in roots):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield ScenarioItem.from_parent(self, name=self.path.parent.name)


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from hyperv_emu.testing.scenarios import run_folder

        result = run_folder(self.path.parent)
        problems = result.problems()
        if problems:
            raise ScenarioFailure("\n\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"scenario {self.path.parent} differs:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[pathlib.Path, int, str]:
        return self.path.parent, 0, f"scenario: {self.name}"
