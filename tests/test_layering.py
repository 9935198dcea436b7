"""Imports go one way: psshim -> sdk -> emulator. The emulator imports neither sdk nor psshim;
the SDK imports the emulator only in its emulated backend and its world helpers; nothing imports
the CLI."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def _modules(package: str) -> list[pathlib.Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_emulator_imports_neither_sdk_nor_psshim() -> None:
    for path in _modules("emulator"):
        assert not _imports(path) & {"sdk", "psshim"}, path


def test_sdk_never_imports_psshim() -> None:
    for path in _modules("sdk"):
        assert "psshim" not in _imports(path), path


def test_sdk_reaches_the_emulator_only_through_its_adapter() -> None:
    allowed = {ROOT / "sdk" / "backends" / "emulated.py", ROOT / "sdk" / "__init__.py", ROOT / "sdk" / "testing.py"}
    for path in _modules("sdk"):
        if path not in allowed:
            assert "emulator" not in _imports(path), path


def test_psshim_reaches_the_emulator_only_through_the_sdk() -> None:
    for path in _modules("psshim"):
        if path.name in ("cli.py", "pytest_plugin.py") or path.name.startswith("cli_"):
            continue  # the top of the flow may import every package
        assert "emulator" not in _imports(path), path


def test_nothing_imports_the_cli() -> None:
    for package in ("emulator", "sdk", "psshim"):
        for path in _modules(package):
            if path.name in ("cli.py", "pytest_plugin.py") or path.name.startswith("cli_"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith(("psshim.cli", "psshim.pytest_plugin")), path
