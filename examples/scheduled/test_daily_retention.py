"""A month of the nightly checkpoint job, in a second: the job is registered with the Task
Scheduler (Register-ScheduledTask, daily at 02:00), the virtual clock moves one day at a time
for 30 days, and after each night the fleet must hold:

- the job ran that night and exited 0;
- at most 8 checkpoints (today's and the 7 before it);
- the newest checkpoint is that night's "Daily yyyy-MM-dd";
- no orphaned AVHDX: every differencing disk in the VM's folder is on its disk chain.

Run it with `pytest examples/scheduled` (the `hyperv` fixture comes with hyperv-emu's pytest
plugin). A failure names the night that went wrong.
"""

from __future__ import annotations

import pathlib

import pytest

from hyperv_emu.testing.hyperv import HyperV

HERE = pathlib.Path(__file__).resolve().parent
VM = "SRV-APP01"
DISKS = "D:\\Hyper-V\\Virtual Hard Disks"
MAX_CHECKPOINTS = 8


def install_job(hyperv: HyperV, job: pathlib.Path) -> None:
    """Copy the job script to the host and register the task."""
    hyperv.client.make_dir("C:\\Scripts")
    hyperv.client.write_file("C:\\Scripts\\daily-checkpoint-retention.ps1", job.read_bytes())
    result = hyperv.run(HERE / "register-daily-checkpoint.ps1")
    assert result.exit_code == 0 and result.stderr == "", result.stderr


def orphaned_avhdx(hyperv: HyperV) -> list[str]:
    """The .avhdx files of the VM's folder that are on no disk chain."""
    chain: set[str] = set()
    for drive in hyperv.vm(VM).hard_drives:
        path: str | None = drive.path
        while path:
            chain.add(path.casefold())
            path = hyperv.client.get_vhd(path).parent_path
    return [f.path for f in hyperv.client.list_dir(DISKS)
            if f.name.casefold().endswith(".avhdx") and f.path.casefold() not in chain]


def check_nights(hyperv: HyperV, nights: int = 30) -> None:
    """Advance night by night; raise AssertionError naming the first night that went wrong."""
    for night in range(1, nights + 1):
        now = hyperv.advance(days=1)
        date = now.strftime("%Y-%m-%d")
        where = f"night {night} ({date})"
        runs = hyperv.task_runs("\\Hyper-V\\Daily Checkpoint")
        assert len(runs) == night, f"{where}: the task ran {len(runs)} times in {night} nights"
        last = runs[-1]
        assert last.result == 0, f"{where}: the job exited {last.result:#x}: {last.output.strip()}"
        checkpoints = hyperv.client.get_checkpoints(VM)
        names = [c.name for c in sorted(checkpoints, key=lambda c: c.creation_time)]
        assert len(checkpoints) <= MAX_CHECKPOINTS, (
            f"{where}: {len(checkpoints)} checkpoints, more than {MAX_CHECKPOINTS}: {', '.join(names)}")
        assert names and names[-1] == f"Daily {date}", (
            f"{where}: the newest checkpoint is {names[-1] if names else 'none'!r}, not 'Daily {date}'")
        orphans = orphaned_avhdx(hyperv)
        assert not orphans, f"{where}: orphaned AVHDX files: {', '.join(orphans)}"


@pytest.mark.hyperv_world("world.toml")
def test_thirty_nights_of_the_retention_job(hyperv: HyperV) -> None:
    install_job(hyperv, HERE / "daily-checkpoint-retention.ps1")
    check_nights(hyperv, 30)
    assert len(hyperv.client.get_checkpoints(VM)) == MAX_CHECKPOINTS
