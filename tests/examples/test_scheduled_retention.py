"""examples/scheduled in CI: the nightly checkpoint job, registered with Register-ScheduledTask,
holds for 30 simulated nights; the deliberately broken variants fail with a message naming the
night that went wrong (the example's own checks, run on them)."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from types import ModuleType

import pytest

from hyperv_emu.testing.hyperv import HyperV

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scheduled"


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scheduled_retention_example", EXAMPLE / "test_daily_retention.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fleet():
    hv = HyperV.memory(EXAMPLE / "world.toml", base_dir=EXAMPLE)
    yield hv
    hv.close()


def test_the_job_holds_for_thirty_nights(fleet: HyperV) -> None:
    ex = example()
    ex.install_job(fleet, EXAMPLE / "daily-checkpoint-retention.ps1")
    ex.check_nights(fleet, 30)
    cps = sorted(fleet.client.get_checkpoints("SRV-APP01"), key=lambda c: c.creation_time)
    # the last night is 2026-03-31: its checkpoint and the 7 before it
    assert [c.name for c in cps] == [f"Daily 2026-03-{d}" for d in range(24, 32)]
    info = fleet.task_info("\\Hyper-V\\Daily Checkpoint")
    assert info.last_task_result == 0 and info.next_run_time is not None
    assert info.next_run_time.isoformat() == "2026-04-01T02:00:00"


def test_keeping_one_too_many_fails_on_the_ninth_night(fleet: HyperV) -> None:
    ex = example()
    ex.install_job(fleet, EXAMPLE / "broken" / "keeps-one-too-many.ps1")
    with pytest.raises(AssertionError, match=r"^night 9 \(2026-03-10\): 9 checkpoints, more than 8"):
        ex.check_nights(fleet, 30)


def test_deleting_the_newest_fails_on_the_ninth_night(fleet: HyperV) -> None:
    ex = example()
    ex.install_job(fleet, EXAMPLE / "broken" / "deletes-the-newest.ps1")
    with pytest.raises(AssertionError, match=r"^night 9 \(2026-03-10\): the newest checkpoint is 'Daily 2026-03-09'"):
        ex.check_nights(fleet, 30)
