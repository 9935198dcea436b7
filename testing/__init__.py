"""Testing with hyperv-emu: the pytest plugin's `HyperV` fixture class, `mock_hyperv` for code
that calls `connect()` itself, and the scenario-folder runner.

    from hyperv_emu.testing import HyperV, RunResult, mock_hyperv

- `HyperV`: the `hyperv` fixture's class (usable without pytest: `HyperV.memory(world)`);
- `RunResult`: what `HyperV.run` / `run_command` return (psshim's typed, frozen result);
- `mock_hyperv`: a decorator / context manager for code that calls `sdk.connect()` itself.

An application over psshim, the SDK and the emulator: nothing below imports it. The names are
imported on first use, so the pytest plugin (loaded by every pytest run in an environment that
has hyperv-emu) costs almost nothing in a project that does not use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hyperv_emu.psshim.session import RunResult
    from hyperv_emu.testing.hyperv import HyperV
    from hyperv_emu.testing.mock import mock_hyperv

_WHERE = {
    "HyperV": "hyperv_emu.testing.hyperv",
    "RunResult": "hyperv_emu.psshim.session",
    "mock_hyperv": "hyperv_emu.testing.mock",
}

__all__ = ["HyperV", "RunResult", "mock_hyperv"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hyperv_emu.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
