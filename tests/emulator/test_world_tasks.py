"""A world file's [[task]] and [[event]] (the timeline): a fortnight stated in a few lines."""

from __future__ import annotations

import datetime as dt

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.psshim.session import Session
from hyperv_emu.sdk.errors import WorldFileError

WORLD = T.base_world("2026-02-20T08:00:00") + T.vm_table("SRV-APP01", state="Running", checkpoint_type="Production") + '''
[[task]]
name = "Daily Checkpoint"
path = '\\Hyper-V\\'
schedule = "daily"
at = "02:00"
script = """param($VMName)
Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format yyyy-MM-dd)"
"""
arguments = "-VMName SRV-APP01"

[[event]]
at = 2026-02-25T03:00:00
vm = "SRV-APP01"
action = "restart"

[[event]]
at = 2026-02-28T12:00:00
vm = "SRV-APP01"
action = "vss_failing"
'''


@pytest.fixture
def session(memory_url):
    return Session.from_world_text(WORLD, memory_url, environment={})


def test_a_fortnight_with_a_timeline(session):
    client = session.client
    task = client.tasks.task("\\Hyper-V\\Daily Checkpoint")
    assert task.actions[0].execute == "powershell.exe"
    assert task.actions[0].arguments == (
        "-NoProfile -ExecutionPolicy Bypass -File \"C:\\Scripts\\Daily Checkpoint.ps1\" -VMName SRV-APP01")
    client.sleep(5 * 86400)  # to 2026-02-25 08:00: the restart at 03:00 happened
    assert client.vm("SRV-APP01").uptime == dt.timedelta(hours=5)
    client.sleep(9 * 86400)
    runs = client.tasks.runs("\\Hyper-V\\Daily Checkpoint")
    assert len(runs) == 14 and all(r.result == 0 for r in runs)
    # production checkpoints until VSS fails at noon on the 28th; then each night's falls back
    # to a standard one, which the Hyper-V log records
    fell_back = [e.time_created.isoformat() for e in client.events() if e.id == 18016]
    assert fell_back == [f"2026-03-0{d}T02:00:00" for d in range(1, 7)]


def test_a_merge_slowed_on_the_timeline(memory_url):
    text = T.base_world("2026-02-20T08:00:00", merge_rate="4MB") + T.vm_table("SRV-APP01", state="Running") + (
        '\n[[event]]\nat = 2026-02-20T09:00:00\naction = "merge_rate"\nvalue = "1MB"\n')
    client = sdk.load_world(memory_url, text)

    def merge_seconds() -> float:
        cp = client.checkpoint_vm("SRV-APP01", "x")
        client.remove_checkpoint(cp)  # a 4 MB avhdx to merge
        start = client.now()
        while client.get_vhd(client.vm("SRV-APP01").hard_drives[0].path).parent_path:
            client.sleep(1)
        return (client.now() - start).total_seconds()

    assert merge_seconds() == 1  # 4 MB at 4 MB/s
    client.sleep(3600)
    assert merge_seconds() == 4  # from 09:00 merges copy 1 MB a second


@pytest.mark.parametrize("extra, message", [
    ('[[task]]\nname = "x"\nschedule = "hourly"\naction = "cmd.exe"\n', "'hourly' is not one of once, daily"),
    ('[[task]]\nname = "x"\n', "needs either script"),
    ('[[task]]\nname = "x"\naction = "cmd.exe"\nrepeat_every = "soon"\n', "is not a duration"),
    ('[[event]]\nat = 2026-02-21T00:00:00\nvm = "nope"\naction = "restart"\n', "no VM named 'nope'"),
    ('[[event]]\nat = 2026-02-21T00:00:00\nvm = "SRV-APP01"\naction = "explode"\n', "'explode' is not one of"),
    ('[[event]]\nat = 2026-02-21T00:00:00\naction = "merge_rate"\n', "needs a value"),
])
def test_bad_tasks_and_events_name_the_table(memory_url, extra, message):
    text = T.base_world() + T.vm_table("SRV-APP01") + "\n" + extra
    with pytest.raises(WorldFileError, match=message):
        sdk.load_world(memory_url, text)


def test_export_writes_the_tasks_and_the_events_to_come(session, memory_url):
    client = session.client
    client.sleep(6 * 86400)  # the restart of the 25th has happened, the VSS failure is still to come
    text = sdk.export_world(memory_url)
    assert "[[task]]" in text and "vss_failing" in text and "restart" not in text
    again = sdk.load_world(T.memory_url(), text)
    [task] = again.tasks.get()
    assert (task.uri, task.triggers, task.actions) == ("\\Hyper-V\\Daily Checkpoint",
                                                       client.tasks.get()[0].triggers, client.tasks.get()[0].actions)
    assert again.tasks.info("\\Hyper-V\\Daily Checkpoint").next_run_time == dt.datetime(2026, 2, 27, 2)
