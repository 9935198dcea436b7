"""The layers of hyperv-emu and the direction of their imports (docs/architecture.md):

    applications (cli, testing, and later server, ui)  ->  psshim  ->  sdk  ->  emulator

- the emulator imports none of the others;
- the SDK never imports psshim or an application, and reaches the emulator only through its
  emulated backend and its world helpers (`sdk/__init__.py`);
- psshim reaches the emulator only through the SDK and never imports an application;
- nothing below the applications imports them;
- every import of our code goes through `hyperv_emu.` (no top-level `sdk`, `emulator`, `psshim`);
- no module imports, directly or through others, itself (no cycles).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

import import_graph

ROOT = import_graph.ROOT
APPLICATIONS = ("cli", "testing", "server", "ui")
FILES = import_graph.module_files()


def _ours(name: str) -> str | None:
    """The package (emulator, sdk, ...) an imported name belongs to, or None."""
    parts = name.split(".")
    if parts[0] == "hyperv_emu" and len(parts) > 1:
        return parts[1]
    return None


def _imports_of(package: str) -> list[tuple[str, str, int]]:
    out = []
    for module, path in FILES.items():
        if module.split(".")[1] == package:
            out += [(module, name, line) for name, line in import_graph.imported_names(module, path)]
    return out


def _packages_imported(package: str) -> set[tuple[str, str]]:
    return {(module, pkg) for module, name, _ in _imports_of(package) if (pkg := _ours(name)) and pkg != package}


def test_the_emulator_imports_nothing_of_ours() -> None:
    assert not _packages_imported("emulator")


def test_the_sdk_imports_only_the_emulator_and_only_through_its_adapter() -> None:
    # the adapter: emulated.py and its conversions of the VM parts (emulated_parts.py) and of the
    # Task Scheduler (emulated_tasks.py) and of the devices (emulated_devices.py)
    allowed = {"hyperv_emu.sdk.backends.emulated", "hyperv_emu.sdk.backends.emulated_parts",
               "hyperv_emu.sdk.backends.emulated_devices",
               "hyperv_emu.sdk.backends.emulated_tasks", "hyperv_emu.sdk"}
    for module, pkg in _packages_imported("sdk"):
        assert pkg == "emulator", (module, pkg)
        assert module in allowed, module


def test_psshim_imports_only_the_sdk() -> None:
    for module, pkg in _packages_imported("psshim"):
        assert pkg == "sdk", (module, pkg)


def test_nothing_below_the_applications_imports_them() -> None:
    for package in ("emulator", "sdk", "psshim"):
        for module, pkg in _packages_imported(package):
            assert pkg not in APPLICATIONS, (module, pkg)


def _python_files() -> list[pathlib.Path]:
    folders = [*import_graph.PACKAGES, "tests", "bench", "scripts", "examples"]
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_our_code_is_imported_by_its_real_name(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in ("sdk", "emulator", "psshim", "cli", "testing"), (
                f"{path}:{node.lineno} imports {name}: use hyperv_emu.{name}")


def test_no_import_cycles() -> None:
    assert import_graph.cycles(import_graph.graph()) == []
