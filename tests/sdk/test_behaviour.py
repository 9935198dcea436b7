"""The SDK's behaviour, written once against the client and run on every backend (conftest.py).

Each test states one rule of hyperv-reference.md (§1.3 state machine, §4 checkpoint semantics,
§6 errors) through the SDK. Tests that rely on the emulator's own features (world files, the
virtual clock, faults, the host's files) take the `emulated` fixture and are skipped on a real
host.
"""

from __future__ import annotations

import datetime as dt

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import (
    CheckpointFailedError,
    CheckpointNotFoundError,
    CheckpointType,
    InvalidNameError,
    InvalidStateError,
    MultipleCheckpointsError,
    SnapshotType,
    VMNotFoundError,
    VMOperationalStatus,
    VMState,
)

ALREADY = "The virtual machine is already in the specified state."
BAD_STATE = "The operation cannot be performed while the virtual machine is in its current state."
NOT_FOUND_CP = "Unable to find a snapshot matching the given criteria."
MORE_THAN_ONE = "More than one snapshot was found matching the given criteria."
EMPTY_NAME = (
    "Cannot validate argument on parameter 'SnapshotName'. The argument is null or empty. "
    "Provide an argument that is not null or empty, and then try the command again."
)


def paused_warning(name: str) -> str:
    return (f'The virtual machine "{name}" was paused. Use the Resume-VM cmdlet to return a paused '
            "virtual machine to a running state.")


def names(values) -> list[str]:
    return [v.name for v in values]


# =============================================================================================
# Get-VM
# =============================================================================================


class TestGetVM:
    def test_no_name_gives_every_vm_sorted_by_name_case_insensitively(self, client, fleet):
        for n in ["beta", "Alpha", "gamma", "ALPHA2"]:
            fleet.vm(n, disk=False)
        mine = [v.name for v in client.get_vms() if v.name.startswith(fleet.prefix)]
        assert mine == [fleet.name(n) for n in ["Alpha", "ALPHA2", "beta", "gamma"]]

    def test_by_name_is_case_insensitive(self, client, fleet):
        fleet.vm("Alpha", disk=False)
        assert names(client.get_vms(fleet.name("ALPHA").lower())) == [fleet.name("Alpha")]
        assert client.vm(fleet.name("aLpHa")).name == fleet.name("Alpha")

    def test_pattern_matches_in_host_order(self, client, fleet):
        for n in ["b1", "a1", "b2"]:
            fleet.vm(n, disk=False)
        assert names(client.get_vms(fleet.name("B*"))) == [fleet.name("b1"), fleet.name("b2")]
        assert names(client.get_vms(fleet.name("?1"))) == [fleet.name("b1"), fleet.name("a1")]
        assert names(client.get_vms(fleet.name("[ab]2"))) == [fleet.name("b2")]

    def test_named_vms_come_in_host_order_not_typed_order_and_once(self, client, fleet):
        for n in ["b1", "a1", "c1"]:
            fleet.vm(n, disk=False)
        got = client.get_vms([fleet.name("c1"), fleet.name("b1"), fleet.name("b*")])
        assert names(got) == [fleet.name("b1"), fleet.name("c1")]

    def test_unmatched_pattern_is_silent(self, client, fleet):
        fleet.vm("a1", disk=False)
        assert client.get_vms(fleet.name("zz*")) == []

    def test_missing_plain_name_is_an_error_naming_it(self, client, fleet):
        fleet.vm("a1", disk=False)
        with pytest.raises(VMNotFoundError) as ei:
            client.get_vms([fleet.name("a1"), "NoSuchVM"])
        e = ei.value
        assert e.message == 'Hyper-V was unable to find a virtual machine with name "NoSuchVM".'
        assert (e.error_id, e.category, e.target) == ("InvalidParameter", "InvalidArgument", "NoSuchVM")

    def test_lookup_reports_missing_plain_names_and_keeps_the_others(self, client, fleet):
        fleet.vm("a1", disk=False)
        found = client.lookup_vms(["NoSuchVM", fleet.name("a1"), "nothing*"])
        assert names(found.found) == [fleet.name("a1")]
        assert found.missing == ("NoSuchVM",)

    def test_vm_by_name_missing_is_object_not_found(self, client):
        with pytest.raises(VMNotFoundError) as ei:
            client.vm("NoSuchVM")
        assert ei.value.message == 'Hyper-V was unable to find a virtual machine with name "NoSuchVM".'
        assert (ei.value.error_id, ei.value.category) == ("ObjectNotFound", "ObjectNotFound")

    def test_vm_by_id(self, client, fleet):
        vm = fleet.vm("a1", disk=False)
        assert client.get_vm_by_id(vm.id).name == vm.name
        assert client.get_vm_by_id(vm.id.upper()).id == vm.id
        missing = "00000000-0000-0000-0000-000000000001"
        with pytest.raises(VMNotFoundError) as ei:
            client.get_vm_by_id(missing)
        assert ei.value.message == f'Hyper-V was unable to find a virtual machine with id "{missing}".'


# =============================================================================================
# New-VM / Remove-VM / Set-VM
# =============================================================================================


class TestNewRemoveSetVM:
    def test_new_vm_defaults(self, client, fleet, is_emulated):
        vm = client.new_vm(fleet.name("fresh"), memory_startup=2 * T.GB,
                           new_vhd_path=f"{fleet.disk_root}\\fresh\\fresh.vhdx", new_vhd_size=20 * T.GB)
        fleet.made.append(vm.id)
        assert vm.state is VMState.Off
        assert vm.status == "Operating normally"
        assert vm.operational_status == (VMOperationalStatus.Ok,)
        assert vm.checkpoint_type is CheckpointType.Production
        assert vm.parent_snapshot_id is None and vm.parent_snapshot_name is None
        assert vm.memory_startup == 2 * T.GB and vm.memory_assigned == 0
        assert vm.uptime == dt.timedelta(0) and vm.cpu_usage == 0
        assert vm.id == vm.id.lower() and len(vm.id) == 36
        assert [d.path for d in vm.hard_drives] == [f"{fleet.disk_root}\\fresh\\fresh.vhdx"]
        assert all(d.vm_snapshot_id is None for d in vm.hard_drives)
        if is_emulated:
            assert vm.computer_name == T.HOST.upper()
            assert vm.creation_time == T.dt_(T.NOW)
            info = client.file_info(f"{fleet.disk_root}\\fresh\\fresh.vhdx")
            assert info is not None and info.length == T.EMPTY_AVHDX
            assert client.file_info(f"{vm.path}\\Virtual Machines\\{vm.id.upper()}.vmcx") is not None

    def test_new_vm_with_a_taken_name_is_refused(self, client, fleet, emulated):
        fleet.vm("dup", disk=False)
        with pytest.raises(sdk.AlreadyExistsError):
            client.new_vm("DUP")

    def test_remove_vm(self, client, fleet, emulated):
        vm = fleet.vm("gone", checkpoint_type="Standard")
        disk = vm.hard_drives[0].path
        client.checkpoint_vm(vm, "cp")
        client.remove_vm(vm)
        assert client.get_vms("gone*") == []
        with pytest.raises(VMNotFoundError):
            client.get_vm_by_id(vm.id)
        assert client.file_info(disk) is not None  # Remove-VM leaves the disks

    @pytest.mark.parametrize("state", ["Running", "Paused"])
    def test_remove_vm_while_running_is_refused(self, client, fleet, emulated, state):
        vm = fleet.vm("busy", state=state, disk=False)
        with pytest.raises(InvalidStateError) as ei:
            client.remove_vm(vm)
        assert ei.value.message == BAD_STATE
        assert client.vm(vm.name).state.name == state

    @pytest.mark.parametrize("ct", list(CheckpointType))
    def test_set_checkpoint_type(self, client, fleet, ct):
        vm = fleet.vm("st", disk=False)
        assert client.set_vm(vm, checkpoint_type=ct).checkpoint_type is ct
        assert client.set_vm(vm, checkpoint_type=ct.name).checkpoint_type is ct
        assert client.vm(vm.name).checkpoint_type is ct

    def test_set_unknown_checkpoint_type_is_refused(self, client, fleet):
        vm = fleet.vm("st", disk=False)
        with pytest.raises(InvalidNameError):
            client.set_vm(vm, checkpoint_type="Sometimes")
        assert client.vm(vm.name).checkpoint_type is CheckpointType.Standard

    def test_set_other_settings(self, client, fleet):
        vm = fleet.vm("st", disk=False)
        vm = client.set_vm(vm, automatic_checkpoints_enabled=True, notes="hello", memory_startup=3 * T.GB,
                           processor_count=4)
        assert vm.automatic_checkpoints_enabled is True
        assert (vm.notes, vm.memory_startup, vm.processor_count) == ("hello", 3 * T.GB, 4)
        assert vm.set(automatic_checkpoints_enabled=False).automatic_checkpoints_enabled is False

    def test_memory_cannot_change_while_running(self, client, fleet, emulated):
        vm = fleet.vm("st", state="Running", disk=False)
        with pytest.raises(InvalidStateError):
            client.set_vm(vm, memory_startup=8 * T.GB)

    def test_snapshot_file_location_only_without_checkpoints(self, client, fleet, emulated):
        vm = fleet.vm("st")
        vm = client.set_vm(vm, snapshot_file_location="E:\\Snaps")
        assert vm.snapshot_file_location == "E:\\Snaps"
        cp = client.checkpoint_vm(vm, "one")
        assert client.file_info(f"E:\\Snaps\\Snapshots\\{cp.id.upper()}.vmcx") is not None
        with pytest.raises(InvalidStateError):
            client.set_vm(vm, snapshot_file_location="F:\\Other")


# =============================================================================================
# The VM state machine (hyperv-reference §1.3)
# =============================================================================================

# (action, from state) -> target state, or "already" (warning, no change), or "error".
TRANSITIONS = [
    ("start", "Off", "Running"),
    ("start", "Saved", "Running"),
    ("start", "Paused", "Running"),  # with the "was paused" warning
    ("start", "Running", "already"),
    ("turn_off", "Running", "Off"),
    ("turn_off", "Paused", "Off"),
    ("turn_off", "Saved", "Off"),
    ("turn_off", "Off", "already"),
    ("shutdown", "Running", "Off"),
    ("shutdown", "Off", "already"),
    ("shutdown", "Paused", "error"),  # the guest cannot shut down; the cmdlet would ask to turn off
    ("shutdown", "Saved", "error"),
    ("force_shutdown", "Paused", "Off"),
    ("force_shutdown", "Saved", "Off"),
    ("save", "Running", "Saved"),
    ("save", "Paused", "Saved"),
    ("save", "Saved", "already"),
    ("save", "Off", "error"),
    ("suspend", "Running", "Paused"),
    ("suspend", "Paused", "already"),
    ("suspend", "Off", "error"),
    ("suspend", "Saved", "error"),
    ("resume", "Paused", "Running"),
    ("resume", "Running", "already"),
    ("resume", "Off", "error"),
    ("resume", "Saved", "error"),
]


def _act(client: sdk.HyperVClient, vm: sdk.VM, action: str) -> sdk.VM:
    if action == "start":
        return client.start_vm(vm)
    if action == "turn_off":
        return client.stop_vm(vm, turn_off=True)
    if action == "shutdown":
        return client.stop_vm(vm)
    if action == "force_shutdown":
        return client.stop_vm(vm, force=True)
    if action == "save":
        return client.stop_vm(vm, save=True)
    if action == "suspend":
        return client.suspend_vm(vm)
    if action == "resume":
        return client.resume_vm(vm)
    raise AssertionError(action)


class TestStateMachine:
    @pytest.mark.parametrize(("action", "start", "outcome"), TRANSITIONS,
                             ids=[f"{a}-from-{s}" for a, s, _ in TRANSITIONS])
    def test_transition(self, client, fleet, warned, action, start, outcome):
        vm = fleet.vm("sm", state=start, disk=False)
        warned.clear()
        if outcome == "error":
            with pytest.raises(InvalidStateError) as ei:
                _act(client, vm, action)
            e = ei.value
            assert (e.message, e.error_id, e.category) == (BAD_STATE, "InvalidState", "InvalidOperation")
            assert client.vm(vm.name).state.name == start
            assert warned == []
            return
        after = _act(client, vm, action)
        if outcome == "already":
            assert warned == [ALREADY]
            assert after.state.name == start
        else:
            expected_warnings = [paused_warning(vm.name)] if (action, start) == ("start", "Paused") else []
            assert warned == expected_warnings
            assert after.state.name == outcome
        assert client.vm(vm.name).state == after.state

    def test_save_and_turn_off_are_exclusive(self, client, fleet):
        vm = fleet.vm("sm", state="Running", disk=False)
        with pytest.raises(InvalidNameError) as ei:
            client.stop_vm(vm, save=True, turn_off=True)
        assert ei.value.message == "The Save and TurnOff parameters are mutually exclusive."
        assert (ei.value.error_id, ei.value.category) == ("InvalidParameter", "InvalidArgument")
        assert client.vm(vm.name).state is VMState.Running

    def test_runtime_properties_follow_the_state(self, client, fleet, emulated):
        vm = fleet.vm("sm", disk=False, memory=2 * T.GB)
        assert (vm.memory_assigned, vm.cpu_usage, vm.uptime) == (0, 0, dt.timedelta(0))
        vm = client.start_vm(vm)
        assert vm.memory_assigned == 2 * T.GB
        client.sleep(90)
        assert client.vm(vm.name).uptime == dt.timedelta(seconds=90)
        vm = client.suspend_vm(vm)
        client.sleep(10)
        vm = client.resume_vm(vm)
        assert vm.uptime == dt.timedelta(seconds=100)  # a pause does not restart the uptime
        vm = client.stop_vm(vm, save=True)
        assert (vm.memory_assigned, vm.uptime) == (0, dt.timedelta(0))

    def test_value_methods(self, client, fleet, warned):
        vm = fleet.vm("sm", disk=False)
        vm = vm.start()
        assert vm.state is VMState.Running
        assert vm.suspend().state is VMState.Paused
        assert vm.resume().state is VMState.Running
        assert vm.save().state is VMState.Saved
        assert vm.turn_off().state is VMState.Off
        assert vm.start().stop().state is VMState.Off
        assert vm.refresh().state is VMState.Off
        assert warned == []

    def test_warnings_default_to_python_warnings(self, client, fleet):
        vm = fleet.vm("sm", disk=False)
        quiet = sdk.HyperVClient(client.backend, client.computer_name)
        with pytest.warns(sdk.HyperVWarning, match="already in the specified state"):
            quiet.stop_vm(quiet.vm(vm.name), turn_off=True)


# =============================================================================================
# Checkpoint-VM
# =============================================================================================


class TestCreateCheckpoint:
    def test_tree_and_current_pointer(self, client, fleet):
        vm = fleet.vm("cp", state="Running")
        a = client.checkpoint_vm(vm, "A")
        assert a.parent_snapshot_id is None and a.parent_snapshot_name is None
        assert client.vm(vm.name).parent_snapshot_id == a.id
        b = client.checkpoint_vm(vm, "B")
        assert (b.parent_snapshot_id, b.parent_snapshot_name) == (a.id, "A")
        vm = client.vm(vm.name)
        assert (vm.parent_snapshot_id, vm.parent_snapshot_name) == (b.id, "B")
        assert (a.vm_name, a.vm_id) == (vm.name, vm.id)
        assert a.snapshot_type is SnapshotType.Standard and not a.is_automatic_checkpoint

    def test_disks_move_to_a_new_avhdx(self, client, fleet, emulated):
        vm = fleet.vm("cp", state="Running")
        base = vm.hard_drives[0].path
        cp = client.checkpoint_vm(vm, "A")
        now = client.vm(vm.name).hard_drives[0].path
        folder, _, file = now.rpartition("\\")
        assert folder == base.rpartition("\\")[0]
        stem, _, guid = file.removesuffix(".avhdx").rpartition("_")
        assert stem == vm.name and guid == guid.upper() and len(guid) == 36 and file.endswith(".avhdx")
        assert [d.path for d in cp.hard_drives] == [base]
        assert [(d.vm_snapshot_id, d.vm_snapshot_name) for d in cp.hard_drives] == [(cp.id, "A")]
        vhd = client.get_vhd(now)
        assert vhd.parent_path == base and vhd.vhd_type.name == "Differencing"
        assert client.file_info(now).length == T.EMPTY_AVHDX
        # later checkpoints name their files after the original disk, not nested names
        client.checkpoint_vm(vm, "B")
        newer = client.vm(vm.name).hard_drives[0].path
        assert newer.rpartition("\\")[2].startswith(f"{vm.name}_") and newer.count("_") == 1

    def test_config_and_saved_state_files(self, client, fleet, emulated):
        vm = fleet.vm("cp", state="Running", checkpoint_type="Standard")
        saved = client.checkpoint_vm(vm, "mem")
        client.set_vm(vm, checkpoint_type="Production")
        prod = client.checkpoint_vm(vm, "nomem")
        snaps = f"{vm.snapshot_file_location}\\Snapshots"
        assert client.file_info(f"{snaps}\\{saved.id.upper()}.vmcx") is not None
        assert client.file_info(f"{snaps}\\{saved.id.upper()}.vmrs").length == vm.memory_startup
        assert client.file_info(f"{snaps}\\{prod.id.upper()}.vmcx") is not None
        assert client.file_info(f"{snaps}\\{prod.id.upper()}.vmrs") is None

    def test_duplicate_names_are_allowed(self, client, fleet):
        vm = fleet.vm("cp")
        a = client.checkpoint_vm(vm, "same")
        b = client.checkpoint_vm(vm, "same")
        assert a.id != b.id
        assert names(client.get_checkpoints(vm)) == ["same", "same"]

    @pytest.mark.parametrize("bad", ["", None])
    def test_empty_name_is_refused_and_nothing_is_created(self, client, fleet, bad):
        vm = fleet.vm("cp")
        if bad is None:
            pytest.skip("None means 'no name' in the SDK (the default name)")
        before = client.now()
        with pytest.raises(InvalidNameError) as ei:
            client.checkpoint_vm(vm, bad)
        assert ei.value.message == EMPTY_NAME
        assert client.get_checkpoints(vm) == []
        assert client.now() == before

    def test_name_of_100_characters_is_fine(self, client, fleet):
        vm = fleet.vm("cp")
        assert client.checkpoint_vm(vm, "x" * 100).name == "x" * 100

    def test_name_over_100_characters_leaves_the_default_name(self, client, fleet, emulated):
        vm = fleet.vm("cp", state="Running")
        long = "Avant mise a jour KB5034567 - correctif cumulatif de fevrier 2026 pour Windows Server 2022 (ticket CHG0042117)"
        assert len(long) > 100
        with pytest.raises(InvalidNameError) as ei:
            client.checkpoint_vm(vm, long)
        assert (ei.value.error_id, ei.value.category) == ("InvalidParameter", "InvalidArgument")
        cps = client.get_checkpoints(vm)
        assert names(cps) == [f"{vm.name} - (2/20/2026 - 8:00:00 AM)"]
        assert client.vm(vm.name).parent_snapshot_name == cps[0].name

    @pytest.mark.parametrize(("now", "stamp"), [
        ("2026-02-20T08:00:00", "2/20/2026 - 8:00:00 AM"),
        ("2026-11-05T15:04:05", "11/5/2026 - 3:04:05 PM"),
        ("2026-01-01T00:05:09", "1/1/2026 - 12:05:09 AM"),
        ("2026-12-31T12:00:00", "12/31/2026 - 12:00:00 PM"),
    ])
    def test_default_name_en_us(self, make_client, emulated, now, stamp):
        client = make_client(T.base_world(now, extra=T.vm_table("SRV-APP01")))
        assert client.checkpoint_vm("SRV-APP01").name == f"SRV-APP01 - ({stamp})"

    @pytest.mark.parametrize(("culture", "stamp"), [
        ("fr-FR", "20/02/2026 - 15:04:05"),
        ("de-DE", "20.02.2026 - 15:04:05"),
        ("sv-SE", "2026-02-20 - 15:04:05"),
        ("en-GB", "20/02/2026 - 15:04:05"),
        ("en-US", "2/20/2026 - 3:04:05 PM"),
    ])
    def test_default_name_in_other_cultures(self, make_client, emulated, culture, stamp):
        client = make_client(T.base_world("2026-02-20T15:04:05", culture=culture, extra=T.vm_table("VM")))
        assert client.checkpoint_vm("VM").name == f"VM - ({stamp})"

    def test_checkpoint_seconds_on_the_virtual_clock(self, make_client, emulated):
        client = make_client(T.base_world(checkpoint_seconds=5, extra=T.vm_table("A") + T.vm_table("B")))
        a1 = client.checkpoint_vm("A", "one")
        b1 = client.checkpoint_vm("B")
        a2 = client.checkpoint_vm("A", "two")
        assert [c.creation_time for c in (a1, b1, a2)] == [
            T.dt_("2026-02-20T08:00:00"), T.dt_("2026-02-20T08:00:05"), T.dt_("2026-02-20T08:00:10")]
        assert b1.name == "B - (2/20/2026 - 8:00:05 AM)"
        assert client.now() == T.dt_("2026-02-20T08:00:15")

    # --- checkpoint types (§4.1) ---------------------------------------------------------------

    @pytest.mark.parametrize(("ct", "state", "cp_state"), [
        ("Standard", "Running", "Saved"),
        ("Standard", "Paused", "Saved"),
        ("Standard", "Saved", "Saved"),
        ("Standard", "Off", "Off"),
        ("Production", "Running", "Off"),
        ("Production", "Off", "Off"),
        ("ProductionOnly", "Running", "Off"),
        ("ProductionOnly", "Off", "Off"),
    ])
    def test_type_decides_whether_memory_is_kept(self, client, fleet, ct, state, cp_state):
        vm = fleet.vm("ty", state=state, checkpoint_type=ct)
        cp = client.checkpoint_vm(vm, "x")
        assert cp.state.name == cp_state
        assert cp.snapshot_type is SnapshotType.Standard  # production included
        assert client.vm(vm.name).state.name == state  # the VM keeps its state

    def test_disabled_fails_and_takes_no_time(self, client, fleet, emulated):
        vm = fleet.vm("ty", state="Running", checkpoint_type="Disabled")
        before = client.now()
        with pytest.raises(CheckpointFailedError) as ei:
            client.checkpoint_vm(vm, "x")
        gid = vm.id.upper()
        assert ei.value.message == (
            "Checkpoint operation failed.\nCheckpoints have been disabled.\n"
            f"Checkpoint operation for '{vm.name}' failed. (Virtual machine ID {gid})\n"
            f"Checkpoints have been disabled for '{vm.name}'. (Virtual machine ID {gid})."
        )
        assert (ei.value.error_id, ei.value.category) == ("OperationFailed", "InvalidOperation")
        assert client.get_checkpoints(vm) == [] and client.now() == before

    def test_production_falls_back_to_standard_when_guest_vss_fails(self, client, fleet, emulated):
        vm = fleet.vm("ty", state="Running", checkpoint_type="Production")
        client.set_faults(vm, guest_vss_failing=True)
        cp = client.checkpoint_vm(vm, "x")
        assert cp.state is VMState.Saved
        events = client.events()
        assert len(events) == 1
        ev = events[0]
        assert (ev.level, ev.vm_name, ev.vm_id) == ("Warning", vm.name, vm.id)
        assert "standard checkpoint" in ev.message and vm.id.upper() in ev.message
        assert ev.time_created == cp.creation_time
        # the fault is switched off at run time: production again, no new event
        client.set_faults(vm, guest_vss_failing=False)
        assert client.checkpoint_vm(vm, "y").state is VMState.Off
        assert len(client.events()) == 1

    def test_production_only_fails_when_guest_vss_fails(self, client, fleet, emulated):
        vm = fleet.vm("ty", state="Running", checkpoint_type="ProductionOnly")
        client.set_faults(vm, guest_vss_failing=True)
        before = client.now()
        with pytest.raises(CheckpointFailedError) as ei:
            client.checkpoint_vm(vm, "x")
        assert ei.value.message == (
            "Checkpoint operation failed.\n"
            f"Production checkpoints cannot be created for '{vm.name}'. (Virtual machine ID {vm.id.upper()})"
        )
        assert client.get_checkpoints(vm) == [] and client.events() == [] and client.now() == before
        client.set_faults(vm, guest_vss_failing=False)
        assert client.checkpoint_vm(vm, "x").state is VMState.Off

    def test_pass_through_disk_fails(self, client, fleet, emulated):
        vm = fleet.vm("pt", state="Running", checkpoint_type="Production")
        client.set_faults(vm, pass_through_disks=1)
        with pytest.raises(CheckpointFailedError) as ei:
            client.checkpoint_vm(vm, "x")
        assert ei.value.message.startswith("Checkpoint operation failed.\n")
        assert "pass-through" in ei.value.message and vm.id.upper() in ei.value.message
        vm = client.vm(vm.name)
        assert vm.state is VMState.Running and client.get_checkpoints(vm) == []
        client.set_faults(vm, pass_through_disks=0)
        assert client.checkpoint_vm(vm, "x").name == "x"

    def test_value_style_create(self, client, fleet):
        vm = fleet.vm("vs")
        cp = vm.create_checkpoint("one")
        assert cp.name == "one" and vm.checkpoints() == [cp]


# =============================================================================================
# Get-VMSnapshot
# =============================================================================================


@pytest.fixture
def three_vms(make_client, emulated):
    """A at 08:00:00, B at 08:00:01, A at 08:00:02 (checkpoint_seconds = 1)."""
    client = make_client(T.base_world(checkpoint_seconds=1, extra="".join(T.vm_table(n) for n in ("A", "B", "C"))))
    client.checkpoint_vm("A", "Pre-patch A")
    client.checkpoint_vm("B", "pre-patch B")
    client.checkpoint_vm("A", "Post-patch A")
    return client


class TestGetCheckpoints:
    def test_sorted_by_creation_time_across_vms(self, three_vms):
        got = three_vms.get_checkpoints()
        assert [(c.vm_name, c.name) for c in got] == [("A", "Pre-patch A"), ("B", "pre-patch B"), ("A", "Post-patch A")]
        assert names(three_vms.get_checkpoints(["B", "A"])) == ["Pre-patch A", "pre-patch B", "Post-patch A"]

    def test_vm_without_checkpoints_is_silent(self, three_vms):
        assert three_vms.get_checkpoints("C") == []

    @pytest.mark.parametrize(("pattern", "expected"), [
        ("PRE-PATCH*", ["Pre-patch A", "pre-patch B"]),
        ("*patch a", ["Pre-patch A", "Post-patch A"]),
        ("?re-patch ?", ["Pre-patch A", "pre-patch B"]),
        ("[pq]ost*", ["Post-patch A"]),
        ("post-patch a", ["Post-patch A"]),
    ])
    def test_name_is_a_case_insensitive_wildcard(self, three_vms, pattern, expected):
        assert names(three_vms.get_checkpoints(None, name=pattern)) == expected

    def test_name_matching_nothing_is_an_error(self, three_vms):
        with pytest.raises(CheckpointNotFoundError) as ei:
            three_vms.get_checkpoints("A", name="nothing*")
        assert (ei.value.message, ei.value.error_id, ei.value.category) == (NOT_FOUND_CP, "ObjectNotFound", "ObjectNotFound")

    def test_snapshot_type(self, three_vms):
        assert len(three_vms.get_checkpoints("A", snapshot_type="Standard")) == 2
        with pytest.raises(CheckpointNotFoundError):
            three_vms.get_checkpoints("A", snapshot_type="Recovery")

    def test_by_id(self, three_vms):
        cp = three_vms.get_checkpoints("B")[0]
        assert three_vms.get_checkpoint(cp.id) == cp
        assert three_vms.get_checkpoint(cp.id.upper()).id == cp.id
        with pytest.raises(CheckpointNotFoundError) as ei:
            three_vms.get_checkpoint("00000000-0000-0000-0000-000000000002")
        assert ei.value.message == NOT_FOUND_CP

    def test_parent_of_and_child_of(self, client, fleet):
        vm = fleet.vm("tree")
        a = client.checkpoint_vm(vm, "a")
        b = client.checkpoint_vm(vm, "b")
        c = client.checkpoint_vm(vm, "c")
        client.restore_checkpoint(a)
        d = client.checkpoint_vm(vm, "d")
        assert client.get_parent_checkpoint(client.vm(vm.name)).id == d.id
        assert client.get_parent_checkpoint(c).id == b.id
        assert client.get_parent_checkpoint(d, name="A").id == a.id
        with pytest.raises(CheckpointNotFoundError):
            client.get_parent_checkpoint(d, name="zz")
        with pytest.raises(CheckpointNotFoundError):
            client.get_parent_checkpoint(a)  # a root has no parent
        assert {x.id for x in client.get_child_checkpoints(a)} == {b.id, d.id}  # immediate only
        assert names(client.get_child_checkpoints(a, name="D")) == ["d"]
        with pytest.raises(CheckpointNotFoundError):
            client.get_child_checkpoints(c)  # Get-VMSnapshot -ChildOf on a leaf: no match
        assert c.children() == []  # the value API says "no children" plainly
        assert {x.name for x in a.refresh().children()} == {"b", "d"}
        assert c.parent().id == b.id and a.parent() is None

    def test_listed_out_of_creation_order_still_sorted(self, make_client, emulated):
        world = T.base_world(extra=T.vm_table("V") + """
[[vm.checkpoint]]
name = "late"
created = 2026-02-10T00:00:00
parent = "early"

[[vm.checkpoint]]
name = "early"
created = 2026-02-01T00:00:00
parent = ""
current = true
""")
        client = make_client(world)
        got = client.get_checkpoints("V")
        assert names(got) == ["early", "late"]
        assert got[1].parent_snapshot_name == "early"
        assert client.vm("V").parent_snapshot_name == "early"


# =============================================================================================
# Restore-VMSnapshot (§4.3)
# =============================================================================================

# (VM before, checkpoint holds memory) -> VM after: one test per row of the table.
RESTORE_TABLE = [
    ("Running", True, "Running"),
    ("Running", False, "Off"),
    ("Paused", True, "Saved"),
    ("Paused", False, "Off"),
    ("Off", True, "Saved"),
    ("Off", False, "Off"),
    ("Saved", True, "Saved"),
    ("Saved", False, "Off"),
]


class TestRestore:
    @pytest.mark.parametrize(("before", "memory", "after"), RESTORE_TABLE,
                             ids=[f"{b}-{'Saved' if m else 'Off'}cp" for b, m, _ in RESTORE_TABLE])
    def test_transition_table(self, client, fleet, warned, before, memory, after):
        vm = fleet.vm("rs", state="Running", checkpoint_type="Standard" if memory else "Production")
        cp = client.checkpoint_vm(vm, "target")
        assert cp.state is (VMState.Saved if memory else VMState.Off)
        client.checkpoint_vm(vm, "later")
        vm = client.stop_vm(vm, turn_off=True)
        vm = fleet.to_state(vm, before)
        warned.clear()
        restored = client.restore_checkpoint(cp)
        assert warned == []
        assert restored.id == cp.id
        vm = client.vm(vm.name)
        assert vm.state.name == after
        assert (vm.parent_snapshot_id, vm.parent_snapshot_name) == (cp.id, "target")
        assert names(client.get_checkpoints(vm)) == ["target", "later"]  # children stay

    def test_restore_starts_a_vm_that_was_running(self, client, fleet, emulated):
        vm = fleet.vm("rs", state="Running", checkpoint_type="Standard")
        cp = client.checkpoint_vm(vm, "t")
        client.sleep(60)
        client.restore_checkpoint(cp)
        vm = client.vm(vm.name)
        assert vm.state is VMState.Running and vm.memory_assigned == vm.memory_startup
        assert vm.uptime == dt.timedelta(0)  # started again

    def test_restore_gives_a_fresh_avhdx_and_drops_the_old_one(self, client, fleet, emulated):
        vm = fleet.vm("rs", state="Running")
        cp = client.checkpoint_vm(vm, "t")
        old_now = client.vm(vm.name).hard_drives[0].path
        client.restore_checkpoint(cp)
        new_now = client.vm(vm.name).hard_drives[0].path
        assert new_now != old_now
        assert client.file_info(old_now) is None
        assert client.get_vhd(new_now).parent_path == cp.hard_drives[0].path
        assert client.file_info(new_now).length == T.EMPTY_AVHDX

    def test_memory_and_config_revert(self, client, fleet, emulated):
        vm = fleet.vm("rs", memory=2 * T.GB)
        cp = client.checkpoint_vm(vm, "t")
        client.set_vm(vm, memory_startup=6 * T.GB)
        client.restore_checkpoint(cp)
        assert client.vm(vm.name).memory_startup == 2 * T.GB

    def test_next_checkpoint_starts_a_sibling_branch(self, client, fleet):
        vm = fleet.vm("rs")
        a = client.checkpoint_vm(vm, "a")
        client.checkpoint_vm(vm, "b")
        client.restore_checkpoint(a)
        c = client.checkpoint_vm(vm, "c")
        assert c.parent_snapshot_id == a.id
        assert sorted(x.name for x in client.get_child_checkpoints(a)) == ["b", "c"]

    def test_by_name_needs_exactly_one_match(self, client, fleet):
        vm = fleet.vm("rs")
        client.checkpoint_vm(vm, "dup")
        client.checkpoint_vm(vm, "dup")
        only = client.checkpoint_vm(vm, "only")
        with pytest.raises(CheckpointNotFoundError) as ei:
            client.restore_checkpoint_by_name(vm, "none")
        assert ei.value.message == NOT_FOUND_CP
        with pytest.raises(MultipleCheckpointsError) as ei2:
            client.restore_checkpoint_by_name(vm, "DUP")
        e = ei2.value
        assert (e.message, e.error_id, e.category) == (MORE_THAN_ONE, "InvalidParameter", "InvalidArgument")
        with pytest.raises(MultipleCheckpointsError):
            client.restore_checkpoint_by_name(vm, "*")
        assert client.restore_checkpoint_by_name(vm, "ON*").id == only.id

    def test_value_style_restore(self, client, fleet):
        vm = fleet.vm("rs")
        client.checkpoint_vm(vm, "x")
        client.checkpoint_vm(vm, "y")
        vm.checkpoint("x").restore()
        assert vm.refresh().parent_snapshot_name == "x"


# =============================================================================================
# Remove-VMSnapshot / Rename-VMSnapshot / Export
# =============================================================================================


class TestRemoveRename:
    def _chain(self, client, fleet, n=3, state="Running"):
        vm = fleet.vm("rm", state=state)
        return vm, [client.checkpoint_vm(vm, f"c{i}") for i in range(n)]

    def test_remove_middle_reparents_children(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        removed = client.remove_checkpoint(c1)
        assert removed.id == c1.id and removed.name == "c1"
        cps = client.get_checkpoints(vm)
        assert [(c.name, c.parent_snapshot_name) for c in cps] == [("c0", None), ("c2", "c0")]
        assert client.vm(vm.name).parent_snapshot_name == "c2"

    def test_remove_current_moves_the_vm_pointer_up(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        client.remove_checkpoint(c2)
        assert client.vm(vm.name).parent_snapshot_id == c1.id
        client.remove_checkpoint(c0)
        assert client.get_checkpoint(c1.id).parent_snapshot_id is None
        client.remove_checkpoint(c1)
        assert client.vm(vm.name).parent_snapshot_id is None

    def test_remove_subtree(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        client.restore_checkpoint(c0)
        side = client.checkpoint_vm(vm, "side")
        client.remove_checkpoint(c1, include_children=True)
        assert names(client.get_checkpoints(vm)) == ["c0", "side"]
        assert client.vm(vm.name).parent_snapshot_id == side.id
        client.remove_checkpoint(c0, include_children=True)
        assert client.get_checkpoints(vm) == []
        assert client.vm(vm.name).parent_snapshot_id is None

    def test_remove_subtree_holding_the_vm_moves_it_to_the_subtree_parent(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        client.remove_checkpoint(c1, include_children=True)
        assert client.vm(vm.name).parent_snapshot_id == c0.id

    def test_remove_all_without_a_name(self, client, fleet):
        vm, cps = self._chain(client, fleet, 4)
        removed = client.remove_checkpoints(vm)
        assert sorted(names(removed)) == ["c0", "c1", "c2", "c3"]
        assert client.get_checkpoints(vm) == []
        assert client.vm(vm.name).parent_snapshot_id is None
        assert client.remove_checkpoints(vm) == []

    def test_remove_all_with_children_in_a_tree(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        client.restore_checkpoint(c1)
        client.checkpoint_vm(vm, "side")
        removed = vm.remove_checkpoints(include_children=True)
        assert names(removed) == ["c0"]  # the rest went with it
        assert client.get_checkpoints(vm) == []

    def test_remove_by_pattern(self, client, fleet):
        vm = fleet.vm("rm")
        for n in ["Baseline", "Experiment A", "experiment B", "Final"]:
            client.checkpoint_vm(vm, n)
        removed = client.remove_checkpoints(vm, name="Experiment*")
        assert names(removed) == ["Experiment A", "experiment B"]
        assert [(c.name, c.parent_snapshot_name) for c in client.get_checkpoints(vm)] == [
            ("Baseline", None), ("Final", "Baseline")]

    def test_remove_pattern_matching_nothing_is_not_an_error(self, client, fleet):
        vm, _ = self._chain(client, fleet, 2)
        assert client.remove_checkpoints(vm, name="vHost17 \u2013 nothing") == []
        assert len(client.get_checkpoints(vm)) == 2

    def test_remove_duplicates_all_match(self, client, fleet):
        vm = fleet.vm("rm")
        for n in ["dup", "keep", "dup"]:
            client.checkpoint_vm(vm, n)
        assert len(client.remove_checkpoints(vm, name="dup")) == 2
        assert names(client.get_checkpoints(vm)) == ["keep"]

    def test_value_style_remove(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        c1.remove()
        vm.checkpoint("c2").remove()
        assert names(vm.checkpoints()) == ["c0"]

    def test_rename(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        renamed = client.rename_checkpoint(c1, "middle")
        assert (renamed.id, renamed.name) == (c1.id, "middle")
        assert client.get_checkpoint(c2.id).parent_snapshot_name == "middle"
        assert c0.rename("root").name == "root"
        assert client.rename_checkpoint_by_name(vm, "C2", "last").name == "last"
        assert client.vm(vm.name).parent_snapshot_name == "last"

    def test_rename_refusals(self, client, fleet):
        vm, (c0, c1, c2) = self._chain(client, fleet)
        with pytest.raises(InvalidNameError):
            client.rename_checkpoint(c0, "")
        with pytest.raises(InvalidNameError):
            client.rename_checkpoint(c0, "y" * 101)
        assert client.get_checkpoint(c0.id).name == "c0"
        with pytest.raises(CheckpointNotFoundError):
            client.rename_checkpoint_by_name(vm, "nope", "x")
        with pytest.raises(MultipleCheckpointsError):
            client.rename_checkpoint_by_name(vm, "c*", "x")
        assert names(client.get_checkpoints(vm)) == ["c0", "c1", "c2"]

    def test_export_then_import_gives_the_checkpoint_state(self, client, fleet, emulated):
        vm = fleet.vm("ex", state="Running", checkpoint_type="Standard", memory=2 * T.GB)
        cp = client.checkpoint_vm(vm, "golden")
        client.set_vm(client.stop_vm(vm, turn_off=True), memory_startup=8 * T.GB)
        folder = client.export_checkpoint(cp, "E:\\Exports")
        assert folder == f"E:\\Exports\\{vm.name}"
        files = sorted(f.path for f in T.iter_files(client, folder))
        assert f"{folder}\\Virtual Machines\\{vm.id.upper()}.vmcx" in files
        assert f"{folder}\\Virtual Hard Disks\\{vm.name}.vhdx" in files
        client.remove_vm(vm)
        imported = client.import_vm(folder)
        assert (imported.name, imported.id) == (vm.name, vm.id)
        assert imported.memory_startup == 2 * T.GB
        assert imported.state is VMState.Saved  # the checkpoint held memory
        assert imported.parent_snapshot_id is None and client.get_checkpoints(imported) == []
        assert [d.path for d in imported.hard_drives] == [f"{folder}\\Virtual Hard Disks\\{vm.name}.vhdx"]
        assert imported.client is client

    def test_export_of_a_production_checkpoint_imports_off(self, client, fleet, emulated):
        vm = fleet.vm("ex", state="Running", checkpoint_type="Production")
        cp = client.checkpoint_vm(vm, "p")
        folder = cp.export("E:\\Exports")
        copy = client.import_vm(folder, generate_new_id=True)
        assert copy.id != vm.id and copy.state is VMState.Off


# =============================================================================================
# Automatic checkpoints (§4.6)
# =============================================================================================


class TestAutomaticCheckpoints:
    def test_start_takes_one_and_shutdown_removes_it(self, client, fleet, emulated):
        vm = fleet.vm("auto", checkpoint_type="Production")
        client.set_vm(vm, automatic_checkpoints_enabled=True)
        vm = client.start_vm(vm)
        cps = client.get_checkpoints(vm)
        assert len(cps) == 1
        cp = cps[0]
        assert cp.is_automatic_checkpoint and cp.name == f"Automatic Checkpoint - {vm.name} - (2/20/2026 - 8:00:00 AM)"
        assert cp.state is VMState.Off and vm.parent_snapshot_id == cp.id
        client.stop_vm(vm)
        assert client.get_checkpoints(vm) == []

    def test_turn_off_removes_it_but_save_keeps_it(self, client, fleet, emulated):
        vm = fleet.vm("auto")
        client.set_vm(vm, automatic_checkpoints_enabled=True)
        client.start_vm(vm)
        client.stop_vm(vm, save=True)
        assert len(client.get_checkpoints(vm)) == 1
        client.stop_vm(vm, turn_off=True)
        assert client.get_checkpoints(vm) == []

    def test_not_taken_when_the_vm_has_a_checkpoint_or_was_not_off(self, client, fleet, emulated):
        vm = fleet.vm("auto")
        client.set_vm(vm, automatic_checkpoints_enabled=True)
        client.checkpoint_vm(vm, "manual")
        client.start_vm(vm)
        assert names(client.get_checkpoints(vm)) == ["manual"]
        client.stop_vm(vm)
        assert names(client.get_checkpoints(vm)) == ["manual"]  # not automatic: stays
        client.remove_checkpoints(vm)
        client.start_vm(vm)  # from Off without checkpoints: one automatic checkpoint
        client.stop_vm(vm, save=True)
        client.start_vm(vm)  # from Saved: no second one
        cps = client.get_checkpoints(vm)
        assert len(cps) == 1 and cps[0].is_automatic_checkpoint

    def test_a_failure_is_ignored(self, client, fleet, emulated):
        vm = fleet.vm("auto", checkpoint_type="Disabled")
        client.set_vm(vm, automatic_checkpoints_enabled=True)
        assert client.start_vm(vm).state is VMState.Running
        assert client.get_checkpoints(vm) == []

    def test_off_by_default(self, client, fleet, emulated):
        vm = fleet.vm("auto")
        assert vm.automatic_checkpoints_enabled is False
        client.start_vm(vm)
        assert client.get_checkpoints(vm) == []


# =============================================================================================
# Merges on the virtual clock (§4.4, scenarios.md "Background merges")
# =============================================================================================

MERGE_WORLD = T.base_world("2026-02-20T12:00:00", merge_rate="100MB", extra=T.vm_table("M", state="Running") + """
[[vm.checkpoint]]
name = "first"
created = 2026-02-15T09:30:00
written = "1GB"
avhdx_guids = ["7A2B3C4D-5E6F-4890-AB12-CD34EF56A178"]

[[vm.checkpoint]]
name = "second"
created = 2026-02-20T08:00:00
written = "2GB"
avhdx_guids = ["1F0E9D8C-7B6A-4543-9210-FEDCBA987654"]
""")
BASE = f"{T.DISK_DIR}\\M.vhdx"
FIRST = f"{T.DISK_DIR}\\M_7A2B3C4D-5E6F-4890-AB12-CD34EF56A178.avhdx"
SECOND = f"{T.DISK_DIR}\\M_1F0E9D8C-7B6A-4543-9210-FEDCBA987654.avhdx"


def disk_files(client) -> dict[str, int]:
    return {f.name: f.length for f in client.list_dir(T.DISK_DIR)}


class TestMerges:
    def test_world_layout(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        assert disk_files(client) == {"M.vhdx": T.EMPTY_AVHDX, FIRST.rpartition("\\")[2]: T.GB,
                                      SECOND.rpartition("\\")[2]: 2 * T.GB}
        assert [d.path for d in client.vm("M").hard_drives] == [SECOND]
        assert client.get_vhd(SECOND).parent_path == FIRST
        assert client.get_vhd(FIRST).parent_path == BASE

    def test_remove_all_merges_in_the_background(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        client.remove_checkpoints("M")
        vm = client.vm("M")
        assert client.get_checkpoints(vm) == []
        assert vm.status == "Merging disks"
        assert vm.operational_status == (VMOperationalStatus.Ok, VMOperationalStatus.MergingDisks)
        assert vm.state is VMState.Running  # merges run live
        # 1 GiB then 2 GiB at 100 MiB/s, one after the other: 10.24 s + 20.48 s
        client.sleep(30)
        assert client.vm("M").status == "Merging disks"
        client.sleep(1)
        vm = client.vm("M")
        assert vm.status == "Operating normally" and vm.operational_status == (VMOperationalStatus.Ok,)
        assert client.now() == T.dt_("2026-02-20T12:00:31")
        assert [d.path for d in vm.hard_drives] == [BASE]
        assert disk_files(client) == {"M.vhdx": T.EMPTY_AVHDX}
        assert client.file_info(FIRST) is None and client.file_info(SECOND) is None

    def test_polling_loop_like_scenario_09(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        for cp in client.get_checkpoints("M"):
            client.remove_checkpoint(cp)
        while client.vm("M").status == "Merging disks":
            client.sleep(5)
        assert client.now() == T.dt_("2026-02-20T12:00:35")

    def test_files_stay_until_the_merge_ends(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        client.remove_checkpoint(client.vm("M").checkpoint("second"))
        assert client.vm("M").status == "Merging disks"
        assert client.file_info(SECOND) is not None  # still merging
        client.sleep(21)
        assert client.file_info(SECOND) is None
        assert [d.path for d in client.vm("M").hard_drives] == [FIRST]
        assert client.get_checkpoint(client.vm("M").parent_snapshot_id).name == "first"

    def test_a_leaf_checkpoints_file_goes_at_once(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        vm = client.vm("M")
        first = vm.checkpoint("first")
        first.restore()  # the VM now hangs from "first"; "second" is a leaf it does not use
        assert client.vm("M").state is VMState.Off  # production checkpoint
        assert client.file_info(SECOND) is None  # the old "Now" disk went with the restore
        client.remove_checkpoint(vm.checkpoint("second"))
        assert client.vm("M").status == "Operating normally"  # no merge
        assert client.file_info(FIRST) is None  # what only "second" captured is deleted at once
        assert set(disk_files(client)) == {"M.vhdx", client.vm("M").hard_drives[0].path.rpartition("\\")[2]}

    def test_two_dependants_wait(self, make_client, emulated):
        world = T.base_world("2026-02-20T12:00:00", extra=T.vm_table("W", state="Running") + """
[[vm.checkpoint]]
name = "root"
created = 2026-02-01T00:00:00

[[vm.checkpoint]]
name = "left"
created = 2026-02-02T00:00:00
parent = "root"

[[vm.checkpoint]]
name = "right"
created = 2026-02-03T00:00:00
parent = "root"
current = true
""")
        client = make_client(world)
        before = disk_files(client)
        assert len(before) == 4  # base, root's two branch files, right's file for the VM
        client.remove_checkpoint(client.vm("W").checkpoint("root"))
        vm = client.vm("W")
        assert vm.status == "Operating normally"  # two dependants: no merge
        assert disk_files(client) == before
        assert [(c.name, c.parent_snapshot_name) for c in client.get_checkpoints(vm)] == [("left", None), ("right", None)]
        client.remove_checkpoint(vm.checkpoint("left"))
        assert len(disk_files(client)) == 3  # left's branch file deleted at once
        assert client.vm("W").status == "Merging disks"  # one dependant left: it merges
        client.sleep(1)
        assert len(disk_files(client)) == 2
        client.remove_checkpoint(vm.checkpoint("right"))
        client.sleep(1)
        assert disk_files(client) == {"W.vhdx": T.EMPTY_AVHDX}
        assert [d.path for d in client.vm("W").hard_drives] == [f"{T.DISK_DIR}\\W.vhdx"]

    def test_merges_keep_a_running_vm_running_and_new_checkpoints_work(self, make_client, emulated):
        client = make_client(MERGE_WORLD)
        client.remove_checkpoints("M")
        cp = client.checkpoint_vm("M", "during merge")
        assert client.vm("M").parent_snapshot_id == cp.id
        client.sleep(60)
        vm = client.vm("M")
        assert vm.status == "Operating normally" and vm.state is VMState.Running
        assert [d.path for d in cp.refresh().hard_drives] == [BASE]
        assert client.get_vhd(vm.hard_drives[0].path).parent_path == BASE
        assert set(disk_files(client)) == {"M.vhdx", vm.hard_drives[0].path.rpartition("\\")[2]}


# =============================================================================================
# Values and their client
# =============================================================================================


class TestValues:
    def test_values_keep_their_client(self, client, fleet):
        vm = fleet.vm("v")
        other = client.with_warnings(lambda m: None)
        assert client.vm(vm.name).client is client
        assert other.vm(vm.name).client is other
        cp = other.checkpoint_vm(vm, "x")
        assert cp.client is other
        assert cp.vm().client is other
        assert cp.refresh().client is other
        assert cp.restore().client is other
        assert all(c.client is other for c in other.get_checkpoints(vm))
        assert other.get_vms(vm.name)[0].client is other
        assert other.lookup_vms(vm.name).found[0].client is other

    def test_values_compare_by_content_not_client(self, client, fleet):
        vm = fleet.vm("v")
        other = client.with_warnings(lambda m: None)
        assert client.vm(vm.name) == other.vm(vm.name)

    def test_host_selects_a_host_and_binds_values_to_it(self, client, fleet, emulated):
        vm = fleet.vm("v")
        named = client.host(T.HOST)
        assert named.host_name == T.HOST
        got = named.vm(vm.name)
        assert got.client is named and got.computer_name == T.HOST.upper()
        assert client.host("localhost").vm(vm.name).id == vm.id
        with pytest.raises(sdk.errors.HostNotFoundError) as ei:
            client.host("nowhere").get_vms()
        assert ei.value.error_id == "ObjectNotFound"
        assert ei.value.message.startswith('Hyper-V was unable to find the computer "nowhere".')

    def test_unbound_value_says_so(self, client, fleet):
        vm = fleet.vm("v")
        import attrs

        loose = attrs.evolve(vm, client=None)
        with pytest.raises(RuntimeError, match="not bound"):
            loose.refresh()
