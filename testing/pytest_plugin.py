"""hyperv-emu's pytest plugin (registered through the `pytest11` entry point as `hyperv`).

Install it with `pip install "hyperv-emu[pytest]"`: the `pytest` extra is the plugin's contract
(pytest>=8, and tomli-w for `--hyperv-update-expected`). hyperv-emu itself does not depend on
pytest; pytest loads the plugin in every environment where both are installed, so this module
imports only pytest and the light `HyperV` class, and the emulator when a test first needs it.
With an older pytest the run stops with a clear usage error (`-p no:hyperv` switches it off).

Fixtures:
- `hyperv`: a `hyperv_emu.testing.HyperV`, a fresh emulated Hyper-V for the test (in memory;
  `@pytest.mark.hyperv_world(..., storage="local")` puts it in the test's tmp_path). Start it
  from a world with `@pytest.mark.hyperv_world("fleet.toml")` (a path relative to the test file,
  or TOML text), `@pytest.mark.parametrize("hyperv", [...], indirect=True)`, or
  `hyperv.load_world(...)`. It offers `client` (the SDK client), `vm(name)`, `run(script, *args)`
  and `run_command(text)` (a typed `RunResult`: `stdout`, `stderr`, `exit_code`, `errors`,
  `output`; `stdin=` gives the answers to the script's prompts, one per line), the virtual clock
  (`now()`, `advance(seconds, minutes=, hours=, days=)`), `url`.
- `hyperv_ps`: `hyperv.run`, to run PowerShell in one call.
- `hyperv_session_worlds` (session): the worlds built once per session. A world asked for with
  `@pytest.mark.hyperv_world(..., scope="session")` (or any `hyperv_world` world when the ini
  option `hyperv_world_scope = session`) is built once, and each test's `hyperv` is a
  copy-on-write clone of it (`sdk.clone_state`; see `session_worlds.py`, docs/pytest-plugin.md).
- `ps`: the old name of `hyperv_ps`, deprecated (a DeprecationWarning); it goes in the next release.

Options:
- `--hyperv-keep-state`: when a test using `hyperv` fails, its state is written out (world.toml
  and a copy of the state, see `keep_state.py`) under `<basetemp>/hyperv-kept/`, or under
  `--hyperv-keep-state-dir DIR`; the failure report gets a "hyperv-emu state" section naming the
  folder, and the summary lists them.
- `--hyperv-update-expected`: scenario folders whose run differs rewrite their expected files
  from the run instead of failing (see `update_expected.py`); the summary lists them.

Scenario folders: list folders in the ini option `hyperv_scenarios` (pytest.ini / pyproject
`[tool.pytest.ini_options]`); every subfolder holding world.toml, script.ps1 and expected.txt
(the format of the acceptance scenarios) becomes a test, with a unified diff when the output
differs. For code that calls `sdk.connect()` itself, use `hyperv_emu.testing.mock_hyperv`.

Under pytest-xdist every worker makes its own `memory://` states (random names), its own tmp
paths and its own session worlds, so `pytest -n 2` needs nothing more.

The plugin sits at the top of the flow: it may import psshim, sdk and emulator; nothing imports it.
"""

from __future__ import annotations

import os
import pathlib
import re
import uuid
import warnings
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from hyperv_emu.testing.hyperv import HyperV

if TYPE_CHECKING:
    from hyperv_emu.psshim.session import RunResult
    from hyperv_emu.testing.session_worlds import SessionWorlds

MIN_PYTEST = 8
SCOPES = ("test", "session")  # of a world (`hyperv_world(scope=)`, ini `hyperv_world_scope`)
KEEP_SECTION = "hyperv-emu state"
KEPT_PROPERTY = "hyperv_kept_state"
UPDATED_PROPERTY = "hyperv_updated_expected"
# a test's emulator state and where --hyperv-keep-state writes it if the test fails
_KEEP_KEY = pytest.StashKey[tuple[str, pathlib.Path]]()


class RunScript(Protocol):
    """The `hyperv_ps` fixture: `hyperv_ps(script, *args, stdin=None)` is `hyperv.run(...)`."""

    def __call__(self, script: str | os.PathLike[str], *args: str, stdin: str | None = None) -> RunResult: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hyperv", "hyperv-emu")
    group.addoption("--hyperv-keep-state", action="store_true", default=False,
                    help="write out the emulator state of a failed test using `hyperv` and say where")
    group.addoption("--hyperv-keep-state-dir", metavar="DIR", default=None,
                    help="where --hyperv-keep-state writes (default: <basetemp>/hyperv-kept); implies it")
    group.addoption("--hyperv-update-expected", action="store_true", default=False,
                    help="rewrite scenario folders' expected files from the run instead of failing")
    parser.addini("hyperv_scenarios", "folders of hyperv-emu scenario folders to collect as tests",
                  type="paths", default=[])
    parser.addini("hyperv_world_scope", "the default scope of `hyperv_world` worlds: 'test' (built for each "
                  "test) or 'session' (built once, each test gets a copy-on-write clone)", default="test")


def pytest_configure(config: pytest.Config) -> None:
    if int(pytest.version_tuple[0]) < MIN_PYTEST:
        raise pytest.UsageError(
            f"hyperv-emu's pytest plugin needs pytest>={MIN_PYTEST}, this is pytest {pytest.__version__}: "
            "pip install 'hyperv-emu[pytest]' (or switch the plugin off with -p no:hyperv)")
    config.addinivalue_line(
        "markers", "hyperv_world(world, storage='memory', scope='test'): start the `hyperv` fixture from a "
        "world file (a path relative to the test file, or TOML text); scope='session' builds it once and "
        "gives each test a copy-on-write clone")
    scope = config.getini("hyperv_world_scope")
    if scope not in SCOPES:
        raise pytest.UsageError(f"hyperv_world_scope = {scope}: use 'test' or 'session'")


def _keep_root(config: pytest.Config, factory: pytest.TempPathFactory) -> pathlib.Path | None:
    folder = config.getoption("hyperv_keep_state_dir")
    if folder:
        return pathlib.Path(folder).resolve()
    if config.getoption("hyperv_keep_state"):
        return factory.getbasetemp() / "hyperv-kept"
    return None


@pytest.fixture(scope="session")
def hyperv_session_worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionWorlds]:
    """The worlds built once for the session (for this xdist worker): `scope='session'`."""
    from hyperv_emu.testing.session_worlds import SessionWorlds

    worlds = SessionWorlds(lambda: tmp_path_factory.mktemp("hyperv-world"))
    try:
        yield worlds
    finally:
        worlds.close()


@pytest.fixture
def hyperv(request: pytest.FixtureRequest, tmp_path: pathlib.Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HyperV]:
    """A fresh emulated Hyper-V for the test (see the module docstring)."""
    marker = request.node.get_closest_marker("hyperv_world")
    storage = marker.kwargs.get("storage", "memory") if marker else "memory"
    if storage not in ("memory", "local"):
        pytest.fail(f"hyperv_world(storage={storage!r}): use 'memory' or 'local'", pytrace=False)
    scope = marker.kwargs.get("scope") if marker and "scope" in marker.kwargs else None
    if scope is not None and scope not in SCOPES:
        pytest.fail(f"hyperv_world(scope={scope!r}): use 'test' or 'session'", pytrace=False)
    scope = scope or request.config.getini("hyperv_world_scope")
    url = str(tmp_path / "hyperv-state") if storage == "local" else f"memory://pytest-hyperv/{uuid.uuid4().hex}"
    path = getattr(request.node, "path", None)
    base = pathlib.Path(str(path)).parent if path is not None else pathlib.Path.cwd()
    world = getattr(request, "param", None) or (marker.args[0] if marker and marker.args else None)
    if world is None:
        hv = HyperV(url, base)
    elif scope == "session":
        worlds: SessionWorlds = request.getfixturevalue("hyperv_session_worlds")
        hv = worlds.hyperv(world, url, base, storage)
    else:
        hv = HyperV(url, base, world)
    keep = _keep_root(request.config, tmp_path_factory)
    if keep is not None:
        request.node.stash[_KEEP_KEY] = (hv.url, keep)
    try:
        yield hv
    finally:
        hv.close()


@pytest.fixture
def hyperv_ps(hyperv: HyperV) -> RunScript:
    """`hyperv.run`: run a .ps1 file or script text on the test's emulated Hyper-V."""
    return hyperv.run


@pytest.fixture
def ps(hyperv: HyperV) -> RunScript:
    """Deprecated: the old name of `hyperv_ps`."""
    warnings.warn("the `ps` fixture of hyperv-emu is deprecated and goes in the next release; "
                  "use `hyperv_ps` (the same function)", DeprecationWarning, stacklevel=2)
    return hyperv.run


# --- reporting: kept states, updated expected files ----------------------------------------------


def _folder_name(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid).strip("_")[:120] or "test"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                            pytest.TestReport]:
    report = yield
    kept = item.stash.get(_KEEP_KEY, None)
    if kept is not None and report.failed and report.when == "call":
        from hyperv_emu.testing.keep_state import keep_state

        url, root = kept
        folder = root / _folder_name(item.nodeid)
        n = 1
        while folder.exists():
            n += 1
            folder = root / f"{_folder_name(item.nodeid)}-{n}"
        try:
            keep_state(url, folder)
        except Exception as exc:  # a report must not crash: say what went wrong instead
            report.sections.append((KEEP_SECTION, f"could not keep the state of {url}: {exc}"))
        else:
            report.sections.append((KEEP_SECTION, f"the state is kept in {folder}\n"
                                    f"  world file: {folder / 'world.toml'}\n"
                                    f"  look at it: hvemu tree <VM> --state {folder / 'state'}"))
            report.user_properties.append((KEPT_PROPERTY, str(folder)))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    # dicts keep the order and drop repeats (a report of the teardown carries the test's properties)
    lines: dict[str, dict[str, None]] = {KEPT_PROPERTY: {}, UPDATED_PROPERTY: {}}
    for outcome in ("failed", "passed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", []):
                if name in lines:
                    lines[name][f"{report.nodeid}: {value}"] = None
    for name, title in ((KEPT_PROPERTY, "hyperv-emu kept states"), (UPDATED_PROPERTY, "hyperv-emu updated expected files")):
        if lines[name]:
            terminalreporter.section(title)
            for line in lines[name]:
                terminalreporter.write_line(line)


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
    url: str | None = None

    def runtest(self) -> None:
        from hyperv_emu.testing.scenarios import run_folder

        folder = self.path.parent
        update = self.config.getoption("hyperv_update_expected")
        # pytest keeps its TempPathFactory on the config (the tmp_path_factory fixture returns it)
        keep = _keep_root(self.config, self.config._tmp_path_factory)  # type: ignore[attr-defined]
        if not update and keep is None:
            problems = run_folder(folder).problems()
            if problems:
                raise ScenarioFailure("\n\n".join(problems))
            return
        from hyperv_emu import sdk

        self.url = f"memory://pytest-hyperv-scenario/{uuid.uuid4().hex}"
        if keep is not None:
            self.stash[_KEEP_KEY] = (self.url, keep)
        result = run_folder(folder, self.url)
        problems = result.problems()
        if update and problems:
            from hyperv_emu.testing.update_expected import update_folder

            written = update_folder(result, sdk.connect(self.url))
            if written:
                self.user_properties.append((UPDATED_PROPERTY, ", ".join(written)))
                problems = run_folder(folder).problems()
                if problems:
                    problems.insert(0, "(some expected files could not be updated)")
        if problems:
            raise ScenarioFailure("\n\n".join(problems))

    def teardown(self) -> None:
        if self.url is not None:
            from hyperv_emu import sdk

            sdk.delete_state(self.url)
            self.url = None

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"scenario {self.path.parent} differs:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[pathlib.Path, int, str]:
        return self.path.parent, 0, f"scenario: {self.name}"
