"""A hypothesis state machine: the SDK over the emulator (memory://) and a small, obviously
correct reference model of the checkpoint trees and VM states, driven side by side.

Rules: create (every checkpoint type, VSS failing or not, a pass-through disk, default, duplicate,
empty and too-long names), restore, remove, remove a subtree, remove all, rename, start, stop
(shutdown, forced, turn off), save, suspend, resume, set the type, toggle automatic checkpoints,
toggle the faults, sleep (merges finish). After every step the emulator must agree with the model
(names, parents, creation times, states, the current pointer, warnings, errors) and its disks must
be sound: the tree is acyclic with existing parents, every checkpoint's and VM's disk files exist,
and once a VM's merges have settled no orphan avhdx is left and the file count is exactly the
chains' (hyperv-reference §1.3, §4; scenarios.md "Differencing disks", "Background merges").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.emulator.engine import Emulator

ALREADY = "The virtual machine is already in the specified state."
VMS = ["A", "A", "B"]  # A, which starts with a chain, is drawn more often
TYPES = ["Disabled", "Production", "ProductionOnly", "Standard"]
NAMES = st.sampled_from(["snap", "dup", "DUP", "x y", "n" * 100, None, None, "", "z" * 101, "é\u202e"])
START = dt.datetime(2026, 2, 20, 8, 0, 0)


WORLD = T.base_world("2026-02-20T08:00:00", checkpoint_seconds=1, merge_rate="100MB", extra=(
    T.vm_table("A", state="Running", checkpoint_type="Standard") + """
[[vm.checkpoint]]
name = "base"
created = 2026-02-19T08:00:00
kind = "standard"
written = "512MB"

[[vm.checkpoint]]
name = "snap"
created = 2026-02-19T09:00:00
kind = "standard"
written = "1GB"
""" + T.vm_table("B", state="Off", checkpoint_type="Production")))


def default_name(vm: str, when: dt.datetime, automatic: bool = False) -> str:
    h = when.hour % 12 or 12
    tt = "AM" if when.hour < 12 else "PM"
    stamp = f"{when.month}/{when.day}/{when.year} - {h}:{when.minute:02d}:{when.second:02d} {tt}"
    return ("Automatic Checkpoint - " if automatic else "") + f"{vm} - ({stamp})"


@dataclass
class RefCheckpoint:
    id: str
    name: str
    parent: str | None
    memory: bool
    created: dt.datetime
    automatic: bool = False


@dataclass
class RefVM:
    name: str
    state: str = "Off"
    ctype: str = "Standard"
    vss_failing: bool = False
    pass_through: int = 0
    auto: bool = False
    current: str | None = None
    cps: dict[str, RefCheckpoint] = field(default_factory=dict)

    def remove(self, cp_id: str, subtree: bool) -> None:
        cp = self.cps[cp_id]
        doomed = {cp_id}
        if subtree:
            grew = True
            while grew:
                kids = {c.id for c in self.cps.values() if c.parent in doomed} - doomed
                doomed |= kids
                grew = bool(kids)
        for c in self.cps.values():
            if c.id not in doomed and c.parent in doomed:
                c.parent = cp.parent
        if self.current in doomed:
            self.current = cp.parent
        for d in doomed:
            del self.cps[d]


class CheckpointMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.url = T.memory_url()
        self.warned: list[str] = []
        self.c = sdk.load_world(self.url, WORLD).with_warnings(self.warned.append)
        self.now = START
        self.events = 0
        # the world's starting point, as the model sees it
        self.vms = {"A": RefVM("A", state="Running"), "B": RefVM("B", ctype="Production")}
        a = self.vms["A"]
        for cp in self.c.get_checkpoints("A"):
            a.cps[cp.id] = RefCheckpoint(cp.id, cp.name, cp.parent_snapshot_id, True, cp.creation_time)
        a.current = cp.id

    def teardown(self) -> None:
        T.drop_memory_root(self.url)

    # --- helpers -------------------------------------------------------------------------------

    def pick(self, vm: RefVM, i: int) -> RefCheckpoint | None:
        if not vm.cps:
            return None
        ordered = sorted(vm.cps.values(), key=lambda c: c.created)
        return ordered[i % len(ordered)]

    def cp_value(self, vm: RefVM, cp: RefCheckpoint) -> sdk.Checkpoint:
        return self.c.get_checkpoint(cp.id)

    def memory_for(self, vm: RefVM) -> bool | str:
        """What a checkpoint of the VM holds now: True/False, or "fail" (and the fallback flag)."""
        if vm.ctype == "Disabled" or vm.pass_through:
            return "fail"
        if vm.ctype == "Standard":
            return vm.state in ("Running", "Paused", "Saved")
        if vm.state == "Off":
            return False
        if vm.state == "Running" and not vm.vss_failing:
            return False
        return "fail" if vm.ctype == "ProductionOnly" else "fallback"

    def take(self, vm: RefVM, cp_id: str, name: str, memory: bool, automatic: bool = False) -> None:
        vm.cps[cp_id] = RefCheckpoint(cp_id, name, vm.current, memory, self.now, automatic)
        vm.current = cp_id
        self.now += dt.timedelta(seconds=1)

    def expect_warnings(self, expected: list[str]) -> None:
        assert self.warned == expected
        self.warned.clear()

    # --- checkpoints ------------------------------------------------------------------------------

    @rule(vm=st.sampled_from(VMS), name=NAMES)
    def create(self, vm: str, name: str | None) -> None:
        ref = self.vms[vm]
        if name == "":
            with pytest.raises(sdk.InvalidNameError):
                self.c.checkpoint_vm(vm, name)
            return
        outcome = self.memory_for(ref)
        if outcome == "fail":
            with pytest.raises(sdk.CheckpointFailedError):
                self.c.checkpoint_vm(vm, name)
            return
        default = default_name(vm, self.now)
        if name is not None and len(name) > 100:
            with pytest.raises(sdk.InvalidNameError):
                self.c.checkpoint_vm(vm, name)
            got = self.c.get_parent_checkpoint(self.c.vm(vm))
        else:
            got = self.c.checkpoint_vm(vm, name)
        assert got.name == (name if name is not None and len(name) <= 100 else default)
        assert got.creation_time == self.now
        self.take(ref, got.id, got.name, outcome in (True, "fallback"))
        if outcome == "fallback":
            self.events += 1
            assert len(self.c.events()) == self.events

    @rule(vm=st.sampled_from(VMS), i=st.integers(0, 50))
    def restore(self, vm: str, i: int) -> None:
        ref = self.vms[vm]
        cp = self.pick(ref, i)
        if cp is None:
            return
        self.c.restore_checkpoint(self.cp_value(ref, cp))
        was_running = ref.state == "Running"
        ref.state = ("Running" if was_running else "Saved") if cp.memory else "Off"
        ref.current = cp.id
        self.expect_warnings([])

    @rule(vm=st.sampled_from(VMS), i=st.integers(0, 50), subtree=st.booleans())
    def remove(self, vm: str, i: int, subtree: bool) -> None:
        ref = self.vms[vm]
        cp = self.pick(ref, i)
        if cp is None:
            return
        removed = self.c.remove_checkpoint(self.cp_value(ref, cp), include_children=subtree)
        assert removed.id == cp.id
        ref.remove(cp.id, subtree)

    @rule(vm=st.sampled_from(VMS), pattern=st.sampled_from([None, "dup", "snap*", "nothing*"]))
    def remove_by_name(self, vm: str, pattern: str | None) -> None:
        ref = self.vms[vm]
        from hyperv_emu.emulator.wildcard import is_match

        targets = [c.id for c in sorted(ref.cps.values(), key=lambda c: c.created)
                   if pattern is None or is_match(pattern, c.name)]
        removed = self.c.remove_checkpoints(vm, name=pattern)
        assert [c.id for c in removed] == targets
        for t in targets:
            ref.remove(t, False)

    @rule(vm=st.sampled_from(VMS), i=st.integers(0, 50), name=NAMES)
    def rename(self, vm: str, i: int, name: str | None) -> None:
        ref = self.vms[vm]
        cp = self.pick(ref, i)
        if cp is None or name is None:
            return
        if name == "" or len(name) > 100:
            with pytest.raises(sdk.InvalidNameError):
                self.c.rename_checkpoint(self.cp_value(ref, cp), name)
            return
        assert self.c.rename_checkpoint(self.cp_value(ref, cp), name).name == name
        cp.name = name

    # --- VM lifecycle -----------------------------------------------------------------------------

    @rule(vm=st.sampled_from(VMS))
    def start(self, vm: str) -> None:
        ref = self.vms[vm]
        self.c.start_vm(vm)
        if ref.state == "Running":
            return self.expect_warnings([ALREADY])
        expected = []
        if ref.state == "Paused":
            expected.append(f'The virtual machine "{vm}" was paused. Use the Resume-VM cmdlet to return a '
                            "paused virtual machine to a running state.")
        if ref.state == "Off" and ref.auto and ref.current is None:
            outcome = self.memory_for(ref)
            if outcome != "fail":
                auto = self.c.get_parent_checkpoint(self.c.vm(vm))
                assert auto.is_automatic_checkpoint and auto.name == default_name(vm, self.now, automatic=True)
                self.take(ref, auto.id, auto.name, bool(outcome), automatic=True)
        ref.state = "Running"
        self.expect_warnings(expected)

    def _drop_automatic(self, ref: RefVM) -> None:
        if ref.current is not None and ref.cps[ref.current].automatic:
            ref.remove(ref.current, False)

    @rule(vm=st.sampled_from(VMS), mode=st.sampled_from(["shutdown", "force", "turnoff"]))
    def stop(self, vm: str, mode: str) -> None:
        ref = self.vms[vm]
        call = lambda: self.c.stop_vm(vm, turn_off=mode == "turnoff", force=mode == "force")  # noqa: E731
        if ref.state == "Off":
            call()
            return self.expect_warnings([ALREADY])
        if mode == "shutdown" and ref.state != "Running":
            with pytest.raises(sdk.InvalidStateError):
                call()
            return
        call()
        ref.state = "Off"
        self._drop_automatic(ref)
        self.expect_warnings([])

    @rule(vm=st.sampled_from(VMS))
    def save(self, vm: str) -> None:
        ref = self.vms[vm]
        if ref.state == "Off":
            with pytest.raises(sdk.InvalidStateError):
                self.c.stop_vm(vm, save=True)
            return
        self.c.stop_vm(vm, save=True)
        self.expect_warnings([ALREADY] if ref.state == "Saved" else [])
        ref.state = "Saved"

    @rule(vm=st.sampled_from(VMS))
    def suspend(self, vm: str) -> None:
        ref = self.vms[vm]
        if ref.state in ("Off", "Saved"):
            with pytest.raises(sdk.InvalidStateError):
                self.c.suspend_vm(vm)
            return
        self.c.suspend_vm(vm)
        self.expect_warnings([ALREADY] if ref.state == "Paused" else [])
        ref.state = "Paused"

    @rule(vm=st.sampled_from(VMS))
    def resume(self, vm: str) -> None:
        ref = self.vms[vm]
        if ref.state in ("Off", "Saved"):
            with pytest.raises(sdk.InvalidStateError):
                self.c.resume_vm(vm)
            return
        self.c.resume_vm(vm)
        self.expect_warnings([ALREADY] if ref.state == "Running" else [])
        ref.state = "Running"

    # --- settings, faults, time ------------------------------------------------------------------

    @rule(vm=st.sampled_from(VMS), ctype=st.sampled_from(TYPES))
    def set_type(self, vm: str, ctype: str) -> None:
        assert self.c.set_vm(vm, checkpoint_type=ctype).checkpoint_type.name == ctype
        self.vms[vm].ctype = ctype

    @rule(vm=st.sampled_from(VMS))
    def toggle_automatic(self, vm: str) -> None:
        ref = self.vms[vm]
        ref.auto = not ref.auto
        assert self.c.set_vm(vm, automatic_checkpoints_enabled=ref.auto).automatic_checkpoints_enabled is ref.auto

    @rule(vm=st.sampled_from(VMS))
    def toggle_vss(self, vm: str) -> None:
        ref = self.vms[vm]
        ref.vss_failing = not ref.vss_failing
        self.c.set_faults(vm, guest_vss_failing=ref.vss_failing)

    @rule(vm=st.sampled_from(VMS), on=st.booleans())
    def pass_through(self, vm: str, on: bool) -> None:
        self.vms[vm].pass_through = int(on)
        self.c.set_faults(vm, pass_through_disks=int(on))

    @rule(seconds=st.sampled_from([0.01, 1, 5, 60, 3600]))
    def sleep(self, seconds: float) -> None:
        self.c.sleep(seconds)
        self.now += dt.timedelta(seconds=seconds)

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert self.c.now() == self.now
        vms = {v.name: v for v in self.c.get_vms()}
        listed = self.c.get_checkpoints()
        assert [c.creation_time for c in listed] == sorted(c.creation_time for c in listed)
        for name, ref in self.vms.items():
            vm = vms[name]
            assert vm.state.name == ref.state
            assert vm.checkpoint_type.name == ref.ctype
            assert vm.parent_snapshot_id == ref.current
            mine = [c for c in listed if c.vm_id == vm.id]
            expected = sorted(ref.cps.values(), key=lambda c: c.created)
            assert [(c.id, c.name, c.parent_snapshot_id, c.creation_time, c.state.name, c.is_automatic_checkpoint)
                    for c in mine] == [(c.id, c.name, c.parent, c.created, "Saved" if c.memory else "Off", c.automatic)
                                       for c in expected]
            # the tree: parents exist, no cycle
            ids = {c.id for c in mine}
            parent = {c.id: c.parent_snapshot_id for c in mine}
            for c in mine:
                seen, cur = set(), c.id
                while cur is not None:
                    assert cur in ids and cur not in seen
                    seen.add(cur)
                    cur = parent[cur]
        self.disks_are_sound(vms, listed)

    def disks_are_sound(self, vms: dict[str, sdk.VM], listed: list[sdk.Checkpoint]) -> None:
        host = Emulator(self.url).read_state().hosts[0]
        on_disk = {f.name.casefold(): f for f in self.c.list_dir(T.DISK_DIR)}
        records = {f.path.rpartition("\\")[2].casefold(): f for f in host.disk_files}
        assert set(on_disk) == set(records)  # the file count is the emulator's own
        for name, vm in vms.items():
            pinned = [d.path for d in vm.hard_drives] + [d.path for c in listed if c.vm_id == vm.id for d in c.hard_drives]
            chain: set[str] = set()
            for p in pinned:
                key = p.rpartition("\\")[2].casefold()
                assert key in on_disk, f"{p} is used but missing"
                while key is not None and key not in chain:
                    chain.add(key)
                    parent = records[key].parent
                    key = parent.rpartition("\\")[2].casefold() if parent else None
            mine = {k for k in on_disk if k.startswith(name.casefold() + "_") or k == name.casefold() + ".vhdx"}
            if vm.status == "Operating normally":
                assert mine == chain, f"{name}: orphans {mine - chain}"
            else:
                assert chain <= mine
            if not any(c.vm_id == vm.id for c in listed) and vm.status == "Operating normally":
                assert [d.path for d in vm.hard_drives] == [f"{T.DISK_DIR}\\{name}.vhdx"]


CheckpointMachine.TestCase.settings = settings(max_examples=T.examples(100), stateful_step_count=20, deadline=None)
TestCheckpointMachine = CheckpointMachine.TestCase
