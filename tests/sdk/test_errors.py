"""Every error path of hyperv-reference.md §6 through the SDK: exception type, exact message,
error id and category (and target where the cmdlet sets one), on every backend."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import (
    CheckpointFailedError,
    CheckpointNotFoundError,
    InvalidNameError,
    InvalidStateError,
    MultipleCheckpointsError,
    StateError,
    VMNotFoundError,
)

MISSING = "NoSuchVM"
NOT_FOUND_VM = f'Hyper-V was unable to find a virtual machine with name "{MISSING}".'
NOT_FOUND_CP = "Unable to find a snapshot matching the given criteria."
MORE_THAN_ONE = "More than one snapshot was found matching the given criteria."
BAD_STATE = "The operation cannot be performed while the virtual machine is in its current state."


def check(exc_info, cls, message, error_id, category, target=None):
    e = exc_info.value
    assert type(e) is cls
    assert e.message == message == str(e)
    assert (e.error_id, e.category) == (error_id, category)
    if target is not None:
        assert e.target == target


# --- a plain VM name that matches nothing (every cmdlet except Get-VM) ---------------------------

BY_NAME_CALLS = {
    "Checkpoint-VM": lambda c: c.checkpoint_vm(MISSING, "x"),
    "Start-VM": lambda c: c.start_vm(MISSING),
    "Stop-VM": lambda c: c.stop_vm(MISSING),
    "Stop-VM -TurnOff": lambda c: c.stop_vm(MISSING, turn_off=True),
    "Stop-VM -Save": lambda c: c.stop_vm(MISSING, save=True),
    "Suspend-VM": lambda c: c.suspend_vm(MISSING),
    "Resume-VM": lambda c: c.resume_vm(MISSING),
    "Set-VM": lambda c: c.set_vm(MISSING, notes="x"),
    "Remove-VM": lambda c: c.remove_vm(MISSING),
    "Get-VMSnapshot -VMName": lambda c: c.get_checkpoints(MISSING),
    "Remove-VMSnapshot -VMName": lambda c: c.remove_checkpoints(MISSING),
    "Restore-VMSnapshot -VMName": lambda c: c.restore_checkpoint_by_name(MISSING, "x"),
    "Rename-VMSnapshot -VMName": lambda c: c.rename_checkpoint_by_name(MISSING, "x", "y"),
    "vm()": lambda c: c.vm(MISSING),
}


@pytest.mark.parametrize("call", list(BY_NAME_CALLS), ids=list(BY_NAME_CALLS))
def test_plain_vm_name_not_found(client, fleet, call):
    fleet.vm("present", disk=False)
    with pytest.raises(VMNotFoundError) as ei:
        BY_NAME_CALLS[call](client)
    check(ei, VMNotFoundError, NOT_FOUND_VM, "ObjectNotFound", "ObjectNotFound", MISSING)


def test_set_faults_on_a_missing_vm(client, emulated):
    with pytest.raises(VMNotFoundError) as ei:
        client.set_faults(MISSING, guest_vss_failing=True)
    check(ei, VMNotFoundError, NOT_FOUND_VM, "ObjectNotFound", "ObjectNotFound", MISSING)


def test_get_vm_name_not_found(client):
    with pytest.raises(VMNotFoundError) as ei:
        client.get_vms(MISSING)
    check(ei, VMNotFoundError, NOT_FOUND_VM, "InvalidParameter", "InvalidArgument", MISSING)


def test_get_vm_id_not_found(client):
    vm_id = "6b8e3c1a-0000-4000-8000-000000000000"
    with pytest.raises(VMNotFoundError) as ei:
        client.get_vm_by_id(vm_id)
    check(ei, VMNotFoundError, f'Hyper-V was unable to find a virtual machine with id "{vm_id}".',
          "ObjectNotFound", "ObjectNotFound")


# --- no checkpoint matches ----------------------------------------------------------------------


@pytest.fixture
def tree(client, fleet):
    """VM 'err' with checkpoints dup, dup, solo (a chain); VM 'bare' without checkpoints."""
    vm = fleet.vm("err")
    fleet.vm("bare", disk=False)
    cps = [client.checkpoint_vm(vm, n) for n in ("dup", "dup", "solo")]
    return vm, cps


NO_MATCH_CALLS = {
    "Get-VMSnapshot -Name": lambda c, vm, cps: c.get_checkpoints(vm, name="zz*"),
    "Get-VMSnapshot -Name (all VMs)": lambda c, vm, cps: c.get_checkpoints(None, name="zz"),
    "Get-VMSnapshot -SnapshotType": lambda c, vm, cps: c.get_checkpoints(vm, snapshot_type="Replica"),
    "Get-VMSnapshot -Id": lambda c, vm, cps: c.get_checkpoint("11111111-2222-4333-8444-555555555555"),
    "Get-VMSnapshot -ParentOf root": lambda c, vm, cps: c.get_parent_checkpoint(cps[0]),
    "Get-VMSnapshot -ParentOf -Name": lambda c, vm, cps: c.get_parent_checkpoint(vm, name="dup"),
    "Get-VMSnapshot -ChildOf leaf": lambda c, vm, cps: c.get_child_checkpoints(cps[2]),
    "Get-VMSnapshot -ChildOf -Name": lambda c, vm, cps: c.get_child_checkpoints(cps[0], name="solo"),
    "Restore-VMSnapshot -Name": lambda c, vm, cps: c.restore_checkpoint_by_name(vm, "none"),
    "Rename-VMSnapshot -Name": lambda c, vm, cps: c.rename_checkpoint_by_name(vm, "none", "x"),
    "find_checkpoint": lambda c, vm, cps: c.find_checkpoint(vm, "none"),
    "value .checkpoint()": lambda c, vm, cps: vm.checkpoint("none"),
}


@pytest.mark.parametrize("call", list(NO_MATCH_CALLS), ids=list(NO_MATCH_CALLS))
def test_no_checkpoint_matches(client, tree, call):
    vm, cps = tree
    with pytest.raises(CheckpointNotFoundError) as ei:
        NO_MATCH_CALLS[call](client, vm, cps)
    check(ei, CheckpointNotFoundError, NOT_FOUND_CP, "ObjectNotFound", "ObjectNotFound")


def test_bare_listing_of_a_vm_without_checkpoints_is_silent(client, tree):
    assert client.get_checkpoints(client.vm(tree[0].name.replace("err", "bare"))) == []


def test_remove_matching_nothing_is_silent(client, tree):
    vm, _ = tree
    assert client.remove_checkpoints(vm, name="zz*") == []


STALE_CALLS = {
    "Restore-VMSnapshot": lambda c, cp: c.restore_checkpoint(cp),
    "Remove-VMSnapshot": lambda c, cp: c.remove_checkpoint(cp),
    "Rename-VMSnapshot": lambda c, cp: c.rename_checkpoint(cp, "x"),
    "Export-VMSnapshot": lambda c, cp: c.export_checkpoint(cp, "E:\\Exports"),
    "refresh": lambda c, cp: cp.refresh(),
}


@pytest.mark.parametrize("call", list(STALE_CALLS), ids=list(STALE_CALLS))
def test_a_removed_checkpoint_is_not_found(client, tree, call, is_emulated):
    if call == "Export-VMSnapshot" and not is_emulated:
        pytest.skip("needs an export folder on the host")
    vm, cps = tree
    client.remove_checkpoint(cps[2])
    with pytest.raises(CheckpointNotFoundError) as ei:
        STALE_CALLS[call](client, cps[2])
    check(ei, CheckpointNotFoundError, NOT_FOUND_CP, "ObjectNotFound", "ObjectNotFound")


@pytest.mark.parametrize("call", ["restore", "rename", "value"])
def test_more_than_one_match(client, tree, call):
    vm, _ = tree
    with pytest.raises(MultipleCheckpointsError) as ei:
        if call == "restore":
            client.restore_checkpoint_by_name(vm, "DUP")
        elif call == "rename":
            client.rename_checkpoint_by_name(vm, "d*", "x")
        else:
            vm.checkpoint("*")
    check(ei, MultipleCheckpointsError, MORE_THAN_ONE, "InvalidParameter", "InvalidArgument")


# --- state, jobs, names ---------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "call"), [
    ("Off", "save"), ("Off", "suspend"), ("Off", "resume"), ("Saved", "suspend"), ("Saved", "resume"),
    ("Paused", "shutdown"), ("Saved", "shutdown"),
])
def test_bad_state_transition(client, fleet, state, call):
    vm = fleet.vm("st", state=state, disk=False)
    fn = {"save": lambda: client.stop_vm(vm, save=True), "suspend": lambda: client.suspend_vm(vm),
          "resume": lambda: client.resume_vm(vm), "shutdown": lambda: client.stop_vm(vm)}[call]
    with pytest.raises(InvalidStateError) as ei:
        fn()
    check(ei, InvalidStateError, BAD_STATE, "InvalidState", "InvalidOperation")


def test_checkpoints_disabled_job_error(make_client, emulated):
    world = T.base_world(extra=T.vm_table("SRV-APP02", state="Running", checkpoint_type="Disabled",
                                          extra='id = "4f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162"\n'))
    client = make_client(world)
    with pytest.raises(CheckpointFailedError) as ei:
        client.checkpoint_vm("SRV-APP02", "x")
    check(ei, CheckpointFailedError,
          "Checkpoint operation failed.\n"
          "Checkpoints have been disabled.\n"
          "Checkpoint operation for 'SRV-APP02' failed. (Virtual machine ID 4F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162)\n"
          "Checkpoints have been disabled for 'SRV-APP02'. (Virtual machine ID 4F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162).",
          "OperationFailed", "InvalidOperation", "SRV-APP02")


def test_production_only_job_error(make_client, emulated):
    world = T.base_world(extra=T.vm_table("SRV-SQL02", state="Running", checkpoint_type="ProductionOnly",
                                          guest_vss="failing", extra='id = "0f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162"\n'))
    client = make_client(world)
    with pytest.raises(CheckpointFailedError) as ei:
        client.checkpoint_vm("SRV-SQL02", "x")
    check(ei, CheckpointFailedError,
          "Checkpoint operation failed.\n"
          "Production checkpoints cannot be created for 'SRV-SQL02'. (Virtual machine ID 0F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162)",
          "OperationFailed", "InvalidOperation", "SRV-SQL02")


def test_pass_through_job_error(make_client, emulated):
    world = T.base_world(extra=T.vm_table("SRV-SQL01", state="Running", checkpoint_type="Production",
                                          extra='id = "1f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162"\npass_through_disks = 1\n'))
    client = make_client(world)
    gid = "1F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162"
    with pytest.raises(CheckpointFailedError) as ei:
        client.checkpoint_vm("SRV-SQL01", "x")
    check(ei, CheckpointFailedError,
          "Checkpoint operation failed.\n"
          f"Checkpoint operation for 'SRV-SQL01' failed. (Virtual machine ID {gid})\n"
          f"'SRV-SQL01' cannot create a checkpoint because a pass-through disk is attached. (Virtual machine ID {gid})",
          "OperationFailed", "InvalidOperation", "SRV-SQL01")


def test_empty_checkpoint_name_is_a_parameter_validation_error(client, fleet):
    vm = fleet.vm("nm", disk=False)
    with pytest.raises(InvalidNameError) as ei:
        client.checkpoint_vm(vm, "")
    check(ei, InvalidNameError,
          "Cannot validate argument on parameter 'SnapshotName'. The argument is null or empty. "
          "Provide an argument that is not null or empty, and then try the command again.",
          "ParameterArgumentValidationError", "InvalidData")


def test_empty_new_names_are_parameter_validation_errors(client, fleet):
    vm = fleet.vm("nm", disk=False)
    cp = client.checkpoint_vm(vm, "c")
    with pytest.raises(InvalidNameError) as ei:
        client.rename_checkpoint(cp, "")
    check(ei, InvalidNameError,
          "Cannot validate argument on parameter 'NewName'. The argument is null or empty. "
          "Provide an argument that is not null or empty, and then try the command again.",
          "ParameterArgumentValidationError", "InvalidData")
    with pytest.raises(InvalidNameError) as ei:
        client.new_vm("")
    check(ei, InvalidNameError,
          "Cannot validate argument on parameter 'Name'. The argument is null or empty. "
          "Provide an argument that is not null or empty, and then try the command again.",
          "ParameterArgumentValidationError", "InvalidData")


def test_too_long_checkpoint_name(client, fleet, emulated):
    vm = fleet.vm("nm", disk=False)
    name = "n" * 101
    with pytest.raises(InvalidNameError) as ei:
        client.checkpoint_vm(vm, name)
    e = ei.value
    assert (e.error_id, e.category, e.target) == ("InvalidParameter", "InvalidArgument", name)
    assert e.message == (
        "Failed to modify the checkpoint settings.\n"
        f"The name of a checkpoint of '{vm.name}' cannot be longer than 100 characters; "
        f"'{'n' * 20}...' has 101. (Virtual machine ID {vm.id.upper()})")


def test_save_with_turn_off(client, fleet):
    vm = fleet.vm("nm", state="Running", disk=False)
    with pytest.raises(InvalidNameError) as ei:
        client.stop_vm(vm, save=True, turn_off=True)
    check(ei, InvalidNameError, "The Save and TurnOff parameters are mutually exclusive.",
          "InvalidParameter", "InvalidArgument")


def test_unknown_host(client, emulated):
    with pytest.raises(sdk.HyperVError) as ei:
        client.host("ghost").vm("x")
    e = ei.value
    assert type(e).__name__ == "HostNotFoundError"
    assert (e.error_id, e.category, e.target) == ("ObjectNotFound", "ObjectNotFound", "ghost")
    assert e.message.startswith('Hyper-V was unable to find the computer "ghost".')


# --- the state location ---------------------------------------------------------------------------


def test_connect_to_no_state(tmp_path):
    client = sdk.connect(str(tmp_path / "nothing"))
    with pytest.raises(StateError) as ei:
        client.get_vms()
    assert ei.value.message.startswith(f"No hvemu state at '{tmp_path / 'nothing'}'.")
    assert (ei.value.error_id, ei.value.category) == ("StateError", "ResourceUnavailable")


def test_load_world_over_an_existing_state(memory_url):
    sdk.load_world(memory_url, T.base_world())
    with pytest.raises(StateError) as ei:
        sdk.load_world(memory_url, T.base_world())
    assert "already exists" in ei.value.message
    sdk.load_world(memory_url, T.base_world(extra=T.vm_table("X")), force=True)
    assert sdk.connect(memory_url).vm("X").name == "X"


def test_unsupported_protocol():
    with pytest.raises(StateError) as ei:
        sdk.connect("ftp://127.0.0.1:9/state")
    assert "protocol" in ei.value.message


def test_real_host_backend_missing_is_a_backend_error():
    import importlib.util

    if importlib.util.find_spec("hyperv_emu.sdk.backends.powershell") is None:
        with pytest.raises(sdk.BackendError):
            sdk.connect("powershell://localhost")
    else:
        pytest.skip("the PowerShell backend is installed")
