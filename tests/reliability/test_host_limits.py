"""Limits a host has (issue 14, point 7): Hyper-V's 50 checkpoints per VM, and a checkpoint
with memory whose saved state (.vmrs) is gone fails to apply instead of restoring nothing."""

from __future__ import annotations

import pathlib
import uuid

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk.errors import CheckpointFailedError

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\VHDs\\SRV-APP01.vhdx', size = "1GB" }]
"""


def test_the_51st_checkpoint_fails() -> None:
    client = sdk.load_world(f"memory://limits-{uuid.uuid4().hex}", WORLD)
    vm = client.vm("SRV-APP01")
    for i in range(50):
        vm.create_checkpoint(f"c{i}")
    with pytest.raises(CheckpointFailedError) as failed:
        vm.create_checkpoint("c50")
    assert "cannot create a checkpoint: it already has the maximum of 50 checkpoints" in failed.value.message
    assert len(client.vm("SRV-APP01").checkpoints()) == 50
    # removing one makes room again
    client.vm("SRV-APP01").checkpoint("c0").remove()
    client.vm("SRV-APP01").create_checkpoint("c50")


def test_a_missing_vmrs_fails_the_restore(tmp_path: pathlib.Path) -> None:
    state = tmp_path / "state"
    client = sdk.load_world(str(state), WORLD)
    cp = client.vm("SRV-APP01").create_checkpoint("with memory")
    (vmrs,) = state.glob(f"hosts/*/**/Snapshots/{cp.id.upper()}.vmrs")
    vmrs.unlink()
    before = client.vm("SRV-APP01")
    with pytest.raises(CheckpointFailedError) as failed:
        cp.restore()
    assert "The system cannot find the file specified. (0x80070002)" in failed.value.message
    after = client.vm("SRV-APP01")
    assert (after.state, after.hard_drives[0].path) == (before.state, before.hard_drives[0].path)
