"""Pending merges that chain into one another (a merge into a file that is itself still to be
merged into its parent), then the logical file they all lead to is dropped (a restore leaves it
without a dependant, or the last checkpoint that pinned it is removed).

The file goes with every file still to be merged into it, however indirectly; no merge may be
left behind whose target is gone (a later merge would open a parent that no longer exists), and
what the guest reads stays what it wrote. Found by the state machine
(tests/emulator/test_state_machine.py, seed 74557710527094153100745593639462398023).
"""

from __future__ import annotations

import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.emulator.engine import Emulator

MiB = 1 << 20
WORLD = T.base_world(checkpoint_seconds=1, merge_rate="1MB",
                     extra=T.vm_table("A", state="Running", checkpoint_type="Standard", memory="32MB"))
SPAN = 16 * MiB  # what the test reads back: every write lands in it


@pytest.fixture
def client():
    url = T.memory_url()
    yield sdk.load_world(url, WORLD)
    T.drop_memory_root(url)


class Guest:
    """The VM's first disk as the guest wrote it (the first SPAN bytes), beside the emulator."""

    def __init__(self, client: sdk.HyperVClient) -> None:
        self.client = client
        self.data = bytearray(SPAN)
        self.n = 0

    def write(self) -> bytes:
        self.n += 1
        chunk = bytes([self.n]) * (MiB + 512)
        offset = self.n * MiB - 512  # overlaps the previous write and crosses 2 MiB blocks
        self.client.write_guest_disk("A", 0, offset, chunk)
        self.data[offset:offset + len(chunk)] = chunk
        return bytes(self.data)

    def check(self) -> None:
        assert self.client.read_guest_disk("A", 0, 0, SPAN) == bytes(self.data)


def pending_merges(client: sdk.HyperVClient) -> list[tuple[str, str]]:
    host = Emulator(client.backend.url).read_state().hosts[0]  # type: ignore[attr-defined]
    return [(m.child, m.into) for m in host.merges]


def files_are_sound(client: sdk.HyperVClient) -> None:
    """Every file the emulator records is on disk and nothing else is; every parent exists; every
    pending merge's files exist."""
    host = Emulator(client.backend.url).read_state().hosts[0]  # type: ignore[attr-defined]
    on_disk = {f.name.casefold() for f in client.list_dir(T.DISK_DIR)}
    records = {f.path.casefold(): f for f in host.disk_files}
    assert on_disk == {p.rpartition("\\")[2] for p in records}
    for f in host.disk_files:
        assert f.parent is None or f.parent.casefold() in records, f"{f.path}: parent {f.parent} is gone"
    for m in host.merges:
        assert m.child.casefold() in records and m.into.casefold() in records, f"merge {m.child} -> {m.into}"


def chained_merges(client: sdk.HyperVClient, guest: Guest) -> tuple[sdk.Checkpoint, bytes]:
    """base -> snap -> c3 -> c4 -> c5 -> Now, then c3's subtree and snap removed: three merges
    into the file snap owned, and one of that file into the file base owned, all pending."""
    saved = guest.write()
    base = client.checkpoint_vm("A", "base")
    guest.write()
    snap = client.checkpoint_vm("A", "snap")
    guest.write()
    c3 = client.checkpoint_vm("A", "c3")
    for name in ("c4", "c5"):
        guest.write()
        client.checkpoint_vm("A", name)
    guest.write()
    client.remove_checkpoint(c3, include_children=True)
    client.remove_checkpoint(snap)
    merges = pending_merges(client)
    assert len(merges) == 4 and merges[-1][0] == merges[0][1]  # the last one merges the first's target
    assert client.vm("A").status == "Merging disks"
    guest.check()
    files_are_sound(client)
    return base, saved


def test_a_restore_drops_every_pending_merge_into_the_dropped_chain(client: sdk.HyperVClient) -> None:
    guest = Guest(client)
    base, saved = chained_merges(client, guest)
    client.restore_checkpoint(base)  # Now's logical file (all four merges lead into it) goes
    assert pending_merges(client) == []
    assert client.vm("A").status == "Operating normally"
    files_are_sound(client)
    guest.data[:] = saved
    guest.check()
    client.checkpoint_vm("A", "after")
    guest.write()
    client.sleep(3600)
    files_are_sound(client)
    guest.check()
    assert [c.name for c in client.get_checkpoints("A")] == ["base", "after"]


def test_removing_the_last_pin_drops_every_pending_merge_into_the_file(client: sdk.HyperVClient) -> None:
    guest = Guest(client)
    base, saved = chained_merges(client, guest)
    q = client.checkpoint_vm("A", "q")  # pins Now's file, which the four merges lead into
    client.restore_checkpoint(base)
    assert len(pending_merges(client)) == 4
    guest.data[:] = saved
    guest.write()
    client.remove_checkpoint(q)  # nothing needs that file any more
    assert pending_merges(client) == []
    files_are_sound(client)
    client.sleep(3600)
    assert client.vm("A").status == "Operating normally"
    files_are_sound(client)
    guest.check()
    client.remove_checkpoint(base)
    client.sleep(3600)
    files_are_sound(client)
    guest.check()
    assert [d.path for d in client.vm("A").hard_drives] == [f"{T.DISK_DIR}\\A.vhdx"]
