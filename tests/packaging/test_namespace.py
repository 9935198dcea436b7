"""The namespace proof: the wheel holds one top-level package, `hyperv_emu`, so it installs beside
a project that has its own `sdk`, `emulator` and `psshim` packages without clashing.

The wheel is built from this repository, installed (with the `pytest` extra, dependencies from
the package index) into a fresh virtual environment without system site packages, and a small
user project is tested there with that environment's pytest: its own packages import as its own,
and the `hyperv` fixture arrives through the plugin's entry point. Slow (a build and an install,
under a minute); skipped only when the package index cannot be reached.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUR_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_", "HVEMU_")

USER_PACKAGE = '''"""The user's own `{name}` package, which hyperv-emu must not shadow."""
OWNER = "user project"
'''

USER_TESTS = '''
import pathlib

import emulator
import psshim
import sdk

import hyperv_emu

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def test_the_projects_own_packages():
    for module in (sdk, emulator, psshim):
        assert module.OWNER == "user project"
        assert pathlib.Path(module.__file__).resolve().parent.parent == PROJECT
    assert "site-packages" in hyperv_emu.__file__


def test_the_hyperv_fixture(hyperv, hyperv_ps):
    hyperv.load_world("""now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
""")
    result = hyperv_ps("Checkpoint-VM -Name SRV-APP01 -SnapshotName Before; (Get-VMSnapshot -VMName SRV-APP01).Name")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Before\\n", "")
    assert [c.name for c in hyperv.vm("SRV-APP01").checkpoints()] == ["Before"]
'''

SHORT_PATH = '''
import hyperv_emu as hv

client = hv.load_world("memory://short", "now = 2026-02-20T08:00:00\\n[[vm]]\\nname = 'A'\\n")
assert isinstance(hv.connect("memory://short"), hv.HyperVClient)
vm = client.vm("A")
assert isinstance(vm, hv.VM)
assert vm.checkpoint_type is hv.CheckpointType.Production   # Hyper-V's default for a new VM
cp = vm.create_checkpoint("one")
assert isinstance(cp, hv.Checkpoint) and [c.name for c in vm.checkpoints()] == ["one"]
for error in (hv.VMNotFoundError, hv.CheckpointNotFoundError, hv.InvalidStateError, hv.WorldFileError):
    assert issubclass(error, hv.HyperVError)
try:
    client.vm("missing")
except hv.VMNotFoundError as exc:
    print("not found:", exc.message)
import sdk
assert sdk.OWNER == "user project"
from hyperv_emu.testing import HyperV, RunResult, mock_hyperv
print("short path ok")
'''


def _env(venv: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_ENV)}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _run(args: list[str], cwd: pathlib.Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)], out,
                _env(pathlib.Path(sys.prefix)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [built] = out.glob("hyperv_emu-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: pathlib.Path) -> pathlib.Path:
    where = tmp_path_factory.mktemp("venv") / "env"
    env = _env(pathlib.Path(sys.prefix))
    proc = _run([sys.executable, "-m", "venv", str(where)], where.parent, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    python = str(where / "bin" / "python")
    probe = _run([python, "-m", "pip", "download", "--no-deps", "-d", str(where.parent / "probe"), "attrs"],
                 where.parent, env, timeout=300)
    if probe.returncode != 0:
        pytest.skip(f"the package index cannot be reached to install the dependencies: {probe.stderr.strip()[-300:]}")
    proc = _run([python, "-m", "pip", "install", f"{wheel}[pytest]"], where.parent, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return where


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("userproject")
    for name in ("sdk", "emulator", "psshim"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text(USER_PACKAGE.format(name=name), encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_user.py").write_text(USER_TESTS, encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8")
    return root


def test_the_wheel_holds_only_hyperv_emu(wheel: pathlib.Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        tops = {name.split("/", 1)[0] for name in names}
        dist_info = next(t for t in tops if t.endswith(".dist-info"))
        metadata = zf.read(f"{dist_info}/METADATA").decode()
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
    assert tops == {"hyperv_emu", dist_info}
    for package in ("sdk", "emulator", "psshim", "cli", "testing", "ui"):
        assert f"hyperv_emu/{package}/__init__.py" in names
    assert "hyperv_emu/psshim/grammar.lark" in names and "hyperv_emu/py.typed" in names
    # `hvemu ui`'s templates and static files
    for data in ("templates/index.html", "static/ui.css", "static/ui.js"):
        assert f"hyperv_emu/ui/{data}" in names
    # the plugin's contract: the `pytest` extra, and the pytest11 entry point
    assert 'Requires-Dist: pytest>=8; extra == "pytest"' in metadata
    assert "[pytest11]\nhyperv = hyperv_emu.testing.pytest_plugin" in entry_points
    assert not any(line.startswith("Requires-Dist: pytest") and "extra" not in line for line in metadata.splitlines())


def test_a_project_with_its_own_sdk_emulator_psshim_runs_its_pytest(venv: pathlib.Path, project: pathlib.Path) -> None:
    proc = _run([str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-v"], project, _env(venv))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_the_projects_own_packages PASSED" in proc.stdout
    assert "test_the_hyperv_fixture PASSED" in proc.stdout
    assert "2 passed" in proc.stdout
    assert "hyperv-emu-0.2.0" in proc.stdout or "hyperv-emu" in proc.stdout  # the plugin line


def test_the_short_path_and_the_command_in_the_venv(venv: pathlib.Path, project: pathlib.Path) -> None:
    env = _env(venv)
    proc = _run([str(venv / "bin" / "python"), "-c", SHORT_PATH], project, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ['not found: Hyper-V was unable to find a virtual machine with name "missing".',
                                        "short path ok"]
    (project / "empty.toml").write_text("now = 2026-02-20T08:00:00\n", encoding="utf-8")
    proc = _run([str(venv / "bin" / "hvemu"), "run", "--world", "empty.toml", "-c", "Get-VM; 'done'"], project, env)
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "done", "")
