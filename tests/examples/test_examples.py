"""The examples run as documented: each .ps1 through `hvemu run`, each SDK .py through its
functions, against examples/worlds/fleet.toml."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import uuid
from types import ModuleType

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
FLEET = EXAMPLES / "worlds" / "fleet.toml"


def run(capsys: pytest.CaptureFixture[str], script: str, *args: str, state: str | None = None) -> tuple[int, str, str]:
    argv = ["run", "--world", str(FLEET)] + (["--state", state] if state else []) + [str(EXAMPLES / script), *args]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fleet() -> sdk.HyperVClient:
    return sdk.load_world(f"memory://examples-test/{uuid.uuid4().hex}", FLEET.read_text(encoding="utf-8"), str(FLEET))


def test_pre_patch_ps1_rolls_back_the_failed_vm(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    state = str(tmp_path / "state")
    code, out, err = run(capsys, "pre-patch-checkpoint.ps1", "-FailOn", "SRV-APP02", state=state)
    assert (code, err) == (0, "")
    assert "WARNING: SRV-APP02 failed to patch: restoring 'Pre-patch CHG0042117 2026-02-20'" in out
    assert "SRV-APP02 Running Operating normally Pre-patch CHG0042117 2026-02-20" in out
    hv = sdk.connect(state)
    assert [c.name for c in hv.vm("SRV-WEB01").checkpoints()] == ["Test config IIS", "Pre-patch CHG0042117 2026-02-20"]


def test_pre_patch_py_matches_the_ps1() -> None:
    module = load("pre_patch_checkpoint")
    vms = module.pre_patch(fleet(), ["SRV-APP01", "SRV-APP02", "SRV-WEB01"], "CHG0042117", {"SRV-APP02"})
    assert [(v.name, v.state.name, v.parent_snapshot_name) for v in vms] == [
        ("SRV-APP01", "Running", "Pre-patch CHG0042117 2026-02-20"),
        ("SRV-APP02", "Running", "Pre-patch CHG0042117 2026-02-20"),
        ("SRV-WEB01", "Running", "Pre-patch CHG0042117 2026-02-20"),
    ]


def test_daily_retention_ps1(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    state = str(tmp_path / "state")
    code, out, err = run(capsys, "daily-checkpoint-retention.ps1", "-VMName", "SRV-APP01", state=state)
    assert (code, err) == (0, "")
    assert "Removing Daily 2026-02-12 (8 days old)" in out
    names = [c.name for c in sdk.connect(state).vm("SRV-APP01").checkpoints()]
    assert names == ["Daily 2026-02-19", "Daily 2026-02-20"]


def test_daily_retention_ps1_needs_its_mandatory_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "daily-checkpoint-retention.ps1")
    assert code == 1 and "VMName" in err


def test_daily_retention_py() -> None:
    module = load("daily_checkpoint_retention")
    hv = fleet()
    assert module.rotate(hv, "SRV-APP01", 7) == ["Daily 2026-02-12", "Daily 2026-02-13"]
    assert [c.name for c in hv.vm("SRV-APP01").checkpoints()] == ["Daily 2026-02-19", "Daily 2026-02-20"]


def test_group_checkpoint_ps1(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    state = str(tmp_path / "state")
    code, out, err = run(capsys, "group-checkpoint.ps1", state=state)
    assert (code, err) == (0, "")
    hv = sdk.connect(state)
    for name in ("SRV-WEB01", "SRV-APP01", "SRV-APP02"):
        vm = hv.vm(name)
        assert vm.state.name == "Running"
        assert vm.parent_snapshot_name == "Group 2026-02-20 02:00"
        assert vm.checkpoint("Group*").state.name == "Saved"  # taken while the VM was saved


def test_group_checkpoint_py() -> None:
    module = load("group_checkpoint")
    hv = fleet()
    cps = module.group_checkpoint(hv, ["SRV-WEB01", "SRV-APP01"], "Group")
    assert [(c.vm_name, c.state.name) for c in cps] == [("SRV-WEB01", "Saved"), ("SRV-APP01", "Saved")]
    assert [hv.vm(n).state.name for n in ("SRV-WEB01", "SRV-APP01")] == ["Running", "Running"]


def test_audit_ps1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit-old-checkpoints.ps1")
    assert (code, err) == (0, "")
    lines = [line.rstrip() for line in out.strip().splitlines()]
    assert lines[0].split() == ["VMName", "Name", "CreationTime", "Age", "(days)"]
    assert any(line.startswith("SRV-APP01") and line.endswith(" 8") for line in lines)
    assert any(line.startswith("SRV-WEB01") and line.endswith(" 22") for line in lines)


def test_audit_py() -> None:
    module = load("audit_old_checkpoints")
    rows = [(cp.vm_name, cp.name, age) for cp, age in module.old_checkpoints(fleet(), 7)]
    assert rows == [("SRV-APP01", "Daily 2026-02-12", 8), ("SRV-WEB01", "Test config IIS", 22)]
