"""`HyperVClient.merge_progress(vm)`: how far a VM's background merges are (hvemu ui's Status
column), on every backend of the behaviour suite: a percentage on the emulator, None where the
backend cannot tell (the PowerShell backend: Get-VM reports Status without a percentage)."""

from __future__ import annotations

import hvemu_testlib as T

# Two checkpoints of 1 GiB and 2 GiB merging at 100 MiB/s, one after the other: 10.24 s + 20.48 s.
WORLD = T.base_world("2026-02-20T12:00:00", merge_rate="100MB", extra=T.vm_table("M", state="Running") + """
[[vm.checkpoint]]
name = "first"
created = 2026-02-15T09:30:00
written = "1GB"

[[vm.checkpoint]]
name = "second"
created = 2026-02-20T08:00:00
written = "2GB"
""")


def test_merge_progress_follows_the_virtual_clock(make_client, emulated):
    client = make_client(WORLD)
    assert client.merge_progress("M") is None  # no merge
    client.remove_checkpoints("M")
    assert client.vm("M").status == "Merging disks"
    if not hasattr(client.backend, "merge_progress"):
        assert client.merge_progress("M") is None  # the backend cannot tell
        return
    assert client.merge_progress("M") == 0
    client.sleep(5)  # both merges to go: 5 of 30.72 s
    assert client.merge_progress("M") == 16
    client.sleep(11)  # the first is done; the second runs from 10.24 s to 30.72 s
    assert client.merge_progress("M") == 28
    client.sleep(14)
    assert client.merge_progress("M") == 96
    client.sleep(1)
    assert client.vm("M").status == "Operating normally"
    assert client.merge_progress("M") is None
