"""The vhdx package imports its submodules when one of their names is first used: every public
name still resolves to its submodule's object, and creating disks loads no merge, journal or
chain code (a cold `hvemu run` that makes a world's disks does not pay for them)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from hyperv_emu.emulator import vhdx


def test_every_public_name_is_its_submodules_object() -> None:
    for name in vhdx.__all__:
        module = importlib.import_module(f"hyperv_emu.emulator.vhdx.{vhdx._SUBMODULE[name]}")
        assert getattr(vhdx, name) is getattr(module, name)
    assert set(vhdx.__all__) == set(vhdx._SUBMODULE)
    assert set(vhdx.__all__) <= set(dir(vhdx))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        vhdx.nothing  # noqa: B018


def test_creating_disks_loads_no_merge_journal_or_chain_code() -> None:
    code = (
        "import sys\n"
        "from hyperv_emu.emulator.vhdx import SparseMemoryFile, write_dynamic\n"
        "write_dynamic(SparseMemoryFile(), 10**9)\n"
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('hyperv_emu.emulator.vhdx.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own printed list
    assert "create" in loaded
    assert not loaded & {"merge", "mergestep", "journal", "chain", "bulkcopy"}
