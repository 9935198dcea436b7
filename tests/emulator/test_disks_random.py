"""A hypothesis state machine: random guest writes at random chain depths, checkpoints taken,
restored and removed (merges settling through `client.sleep`), all through the SDK on a local
state, beside an in-memory oracle of each disk of the VM and of every checkpoint.

After every step the emulator reads back what the oracle says around the last write and in a
window that moves from step to step. At the end of each run the VM's chains are read by the
independent readers with merges still pending, then every merge settles and every chain, the
VM's and each checkpoint's, must read back byte-equal through pyvhdi (LibvhdiView workaround,
tests/vhdx/readers.py) and dissect.hypervisor, every base disk must pass `qemu-img check` and
`qemu-img compare`, the emulator must read whole disks as the oracle, and no orphan file or
merge journal may be left. Disks are small (64 MiB, and 24 MiB + 1536 bytes for a partial last
block); at most four checkpoints are alive at once.
"""

from __future__ import annotations

import pathlib
import random
import shutil
import tempfile

import hvemu_disk_checks as D
import hvemu_testlib as T
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hyperv_emu import sdk

MiB = D.MiB
MAX_CHECKPOINTS = 4  # alive at once (each adds two chains for the readers to check)
SIZES = (64 * MiB, 24 * MiB + 1536)
WORLD = f"""now = 2026-02-20T08:00:00
id_seed = "disks-random"
[timing]
merge_rate = "8MB"
[[vm]]
name = "A"
state = "Running"
checkpoint_type = "Standard"
memory = "32MB"
disks = [{{ path = 'D:\\VMs\\A.vhdx', size = "{SIZES[0]}" }}, {{ path = 'D:\\VMs\\A-1.vhdx', size = "{SIZES[1]}" }}]
"""

pytestmark = pytest.mark.skipif(D.QEMU_IMG is None, reason="qemu-img not installed (Debian qemu-utils)")


def _scratch() -> pathlib.Path:
    shm = pathlib.Path("/dev/shm")
    return pathlib.Path(tempfile.mkdtemp(prefix="hvemu-disks-", dir=shm if shm.is_dir() else None))


class DiskMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = _scratch()
        try:
            self.client = sdk.load_world(str(self.folder / "state"), WORLD)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.vm = [D.Disk(s) for s in SIZES]
        self.cps: dict[str, list[D.Disk]] = {}
        self.windows: list[tuple[int, int]] = []
        self.steps = 0

    # --- rules ------------------------------------------------------------------------------------

    @rule(disk=st.integers(0, 1), where=st.floats(0, 1), length=st.integers(1, 3 * MiB),
          kind=st.sampled_from(["random", "random", "zeros", "whole block", "sector"]), seed=st.integers(0, 2**32))
    def write(self, disk: int, where: float, length: int, kind: str, seed: int) -> None:
        size = SIZES[disk]
        rng = random.Random(seed)
        offset = int(where * (size - 1))
        if kind == "whole block":
            offset, length = offset // (2 * MiB) * (2 * MiB), 2 * MiB
        elif kind == "sector":
            offset, length = offset // 512 * 512, 512
        length = min(length, size - offset)
        data = D.random_bytes(rng, length, zero=kind == "zeros")
        self.client.write_guest_disk("A", disk, offset, data)
        self.vm[disk].write(offset, data)
        self.windows = [(disk, offset), (disk, offset + length)]

    @precondition(lambda self: len(self.cps) < MAX_CHECKPOINTS)
    @rule()
    def checkpoint(self) -> None:
        cp = self.client.checkpoint_vm("A")
        self.cps[cp.id] = [d.copy() for d in self.vm]

    @precondition(lambda self: self.cps)
    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        cp_id = data.draw(st.sampled_from(list(self.cps)))  # creation order: the same on every replay
        self.client.restore_checkpoint(self.client.get_checkpoint(cp_id))
        self.vm = [d.copy() for d in self.cps[cp_id]]

    @precondition(lambda self: self.cps)
    @rule(data=st.data(), subtree=st.booleans())
    def remove(self, data: st.DataObject, subtree: bool) -> None:
        cp_id = data.draw(st.sampled_from(list(self.cps)))
        gone = {cp_id}
        if subtree:
            frontier = {cp_id}
            all_cps = self.client.get_checkpoints("A")
            while frontier:
                frontier = {c.id for c in all_cps if c.parent_snapshot_id in frontier}
                gone |= frontier
        self.client.remove_checkpoint(self.client.get_checkpoint(cp_id), include_children=subtree)
        for g in gone:
            del self.cps[g]

    @rule(seconds=st.sampled_from([0.1, 0.5, 2, 30]))
    def sleep(self, seconds: float) -> None:
        self.client.sleep(seconds)

    # --- checks -----------------------------------------------------------------------------------

    @invariant()
    def the_vm_reads_its_oracle_where_it_changed(self) -> None:
        """Around the last write, and one window that moves from step to step (the whole disks
        are compared at the end of the run)."""
        self.steps += 1
        for disk, offset in self.windows + [(self.steps % 2, self.steps * 7 * MiB)]:
            size = SIZES[disk]
            start = min(max(0, offset - MiB // 2), size - MiB)
            assert self.client.read_guest_disk("A", disk, start, MiB) == self.vm[disk].read(start, MiB), (disk, start)
        self.windows = []

    def the_vm_reads_its_oracle(self) -> None:
        for i, disk in enumerate(self.vm):
            assert self.client.read_guest_disk("A", i, 0, disk.size) == disk.read(), f"disk {i}"

    def _independent_readers(self, *, vm_only: bool = False) -> None:
        client = self.client
        tops = [(d.path, self.vm[i].read()) for i, d in enumerate(client.vm("A").hard_drives)]
        for cp in [] if vm_only else client.get_checkpoints("A"):
            tops += [(d.path, self.cps[cp.id][i].read()) for i, d in enumerate(cp.hard_drives)]
        content = {path.casefold(): data for path, data in tops}
        bases: dict[str, str] = {}
        for top, data in tops:
            D.check_chain(client, top, data)
            base = D.chain_paths(client, top)[-1]
            bases[base.casefold()] = base
        for key, base in bases.items():
            # a base some drive uses holds that drive's bytes; another one is compared between
            # two independent readers (qemu-img and pyvhdi)
            D.check_base(client, base, content.get(key), self.folder)

    def teardown(self) -> None:
        try:
            self._independent_readers(vm_only=True)  # merges still pending: files as they are
            self.client.sleep(10**6)
            vm = self.client.vm("A")
            assert vm.status == "Operating normally"
            self.the_vm_reads_its_oracle()
            self._independent_readers()
            chain_files = {p.casefold() for d in vm.hard_drives for p in D.chain_paths(self.client, d.path)}
            for cp in self.client.get_checkpoints("A"):
                chain_files |= {p.casefold() for d in cp.hard_drives for p in D.chain_paths(self.client, d.path)}
            on_disk = {f"D:\\VMs\\{p.name}".casefold() for p in D.disk_files(self.folder / "state")}
            assert on_disk == chain_files, "an orphan or a missing disk file"
            assert not list((self.folder / "state").rglob("*.journal"))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


TestDiskMachine = DiskMachine.TestCase
TestDiskMachine.settings = settings(max_examples=T.examples(3), stateful_step_count=16, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
