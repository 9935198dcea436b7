"""The PowerShell backend's parser: every SDK type from Windows PowerShell 5.1 and PowerShell 7
JSON shapes (hand-written samples in fixtures/ps_json), the result envelope, and error records
from standard error."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pytest

from hyperv_emu.sdk.backends import ps_json
from hyperv_emu.sdk.errors import BackendError
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    CheckpointType,
    ControllerType,
    FileInfo,
    HostEvent,
    SnapshotType,
    VM,
    VMOperationalStatus,
    VMState,
    VhdFormat,
    VhdType,
)

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "ps_json"
APP_ID = "1c4f0e52-6f1b-4e7d-9a43-0b8d2f7c9e11"
CP_ID = "9e0f3c1a-2b4d-4c6e-8f10-a1b2c3d4e5f6"


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- VMs -----------------------------------------------------------------------------------------


def test_vm_from_51_single_object() -> None:
    [vm] = ps_json.values_from_json_text(VM, text("get_vm_51.json"))
    assert vm.name == "SRV-APP01" and vm.id == APP_ID
    assert vm.state is VMState.Running and vm.checkpoint_type is CheckpointType.Production
    assert vm.operational_status == (VMOperationalStatus.Ok,)
    assert vm.parent_snapshot_id == CP_ID and vm.parent_snapshot_name == "Before KB5034567"
    assert vm.uptime == dt.timedelta(seconds=187, microseconds=56000)
    assert vm.creation_time == dt.datetime(2026, 2, 20, 8, 0)  # \/Date(ms)\/ is UTC
    assert vm.memory_startup == 4 * 1024**3 and vm.cpu_usage == 3 and vm.processor_count == 4
    assert vm.notes == "App server 'blue' <prod>"  # 5.1's \u0027 \u003c escapes
    [drive] = vm.hard_drives  # one drive: an object, not an array
    assert drive.controller_type is ControllerType.SCSI and drive.vm_id == APP_ID
    assert drive.vm_snapshot_id is None and drive.vm_snapshot_name is None  # empty GUID / string on a VM
    assert drive.disk_number is None
    assert vm.client is None


def test_vms_from_7_array() -> None:
    app, test = ps_json.values_from_json_text(VM, text("get_vm_7.json"))
    assert app.status == "Merging disks"
    assert app.operational_status == (VMOperationalStatus.Ok, VMOperationalStatus.MergingDisks)
    assert app.creation_time == dt.datetime(2026, 2, 20, 9, 0)  # host-local wall time, offset dropped
    assert app.uptime == dt.timedelta(seconds=187, microseconds=56000)
    assert test.state is VMState.Off and test.checkpoint_type is CheckpointType.Standard
    assert test.automatic_checkpoints_enabled is True
    assert test.parent_snapshot_id is None and test.parent_snapshot_name is None
    assert test.uptime == dt.timedelta(0)  # "00:00:00"
    assert test.creation_time == dt.datetime(2025, 11, 3, 14, 12, 9, 123456)  # 7 fraction digits
    assert [d.controller_type for d in test.hard_drives] == [ControllerType.IDE, ControllerType.SCSI]
    assert test.hard_drives[1].disk_number == 3


def test_51_and_7_give_the_same_vm_but_for_the_dates() -> None:
    [v51] = ps_json.values_from_json_text(VM, text("get_vm_51.json"))
    v7 = ps_json.values_from_json_text(VM, text("get_vm_7.json"))[0]
    same = ("name", "id", "state", "checkpoint_type", "parent_snapshot_id", "memory_startup", "uptime",
            "hard_drives", "notes", "version", "generation")
    assert all(getattr(v51, f) == getattr(v7, f) for f in same)


# --- checkpoints ---------------------------------------------------------------------------------


def test_checkpoints_from_51() -> None:
    first, second = ps_json.values_from_json_text(Checkpoint, text("get_vmsnapshot_51.json"))
    assert first.id == CP_ID and first.vm_id == APP_ID  # VMId as {"value": …, "Guid": …}
    assert first.snapshot_type is SnapshotType.Standard and first.state is VMState.Saved
    assert first.creation_time == dt.datetime(2026, 2, 20, 7, 0)
    assert first.parent_snapshot_id is None and first.is_automatic_checkpoint is False
    assert first.hard_drives[0].vm_snapshot_id == CP_ID
    assert first.hard_drives[0].vm_snapshot_name == "Before KB5034567"
    assert second.state is VMState.Off
    assert second.creation_time == dt.datetime(2026, 2, 20, 9, 30)  # \/Date(ms+0100)\/ as local time
    assert second.is_automatic_checkpoint is False  # null on hosts without automatic checkpoints
    assert second.hard_drives == () and second.notes == ""


def test_checkpoint_from_7_single_object() -> None:
    [cp] = ps_json.values_from_json_text(Checkpoint, text("get_vmsnapshot_7.json"))
    assert cp.id == CP_ID  # upper-case GUID normalised
    assert cp.creation_time == dt.datetime(2026, 2, 20, 7, 0)  # Z
    assert cp.state is VMState.Saved and len(cp.hard_drives) == 1


# --- disks, events, files -----------------------------------------------------------------------


def test_vhd_both_editions() -> None:
    [diff] = ps_json.values_from_json_text(VHD, text("get_vhd_51.json"))
    assert diff.vhd_type is VhdType.Differencing and diff.vhd_format is VhdFormat.VHDX
    assert diff.parent_path and diff.parent_path.endswith("SRV-APP01.vhdx") and diff.attached is True
    assert diff.block_size == 2 * 1024**2
    [base] = ps_json.values_from_json_text(VHD, text("get_vhd_7.json"))
    assert base.vhd_type is VhdType.Dynamic and base.parent_path is None and base.attached is False


def test_events_both_editions() -> None:
    events = [ps_json.event_from_json(e) for e in json.loads(text("get_winevent_51.json"))]
    assert [e.level for e in events] == ["Warning", "Information"]
    assert events[0].vm_name == "SRV-APP01" and events[0].vm_id == APP_ID and events[0].id == 18016
    assert events[1].vm_name == "" and events[1].vm_id == ""
    assert isinstance(events[0], HostEvent)
    [err] = [ps_json.event_from_json(e) for e in ps_json.as_list(json.loads(text("get_winevent_7.json")))]
    assert err.level == "Error" and err.vm_name == "SRV-APP01"
    assert err.time_created == dt.datetime(2026, 2, 20, 9, 30, 10)


def test_files_both_editions() -> None:
    folder, note = ps_json.values_from_json_text(FileInfo, text("get_childitem_51.json"))
    assert folder.is_dir and folder.length == 0 and folder.name == "Snapshots"
    assert not note.is_dir and note.length == 42
    assert note.last_write_time == dt.datetime(2026, 2, 20, 8, 30)  # Get-Date's ETS wrapper
    [f7] = ps_json.values_from_json_text(FileInfo, text("get_childitem_7.json"))
    assert f7.last_write_time == dt.datetime(2026, 2, 20, 9, 30)


# --- lenient shapes -------------------------------------------------------------------------------


def test_enum_names_and_numbers() -> None:
    assert ps_json.parse_enum(VMState, "running") is VMState.Running
    assert ps_json.parse_enum(VMState, 2) is VMState.Running
    assert ps_json.parse_enum(VMState, "2") is VMState.Running
    assert ps_json.parse_enum(VMState, 99999) is VMState.Other  # an unknown state
    assert ps_json.parse_enum(VMOperationalStatus, 23769) is VMOperationalStatus.ApplyingSnapshot  # module typo
    assert ps_json.parse_enum(CheckpointType, 42) is None


def test_unknown_operational_status_is_dropped_and_bad_enum_raises() -> None:
    raw = json.loads(text("get_vm_51.json"))
    raw["OperationalStatus"] = [2, 40000]
    assert ps_json.vm_from_json(raw).operational_status == (VMOperationalStatus.Ok,)
    raw["CheckpointType"] = 42
    with pytest.raises(BackendError, match="CheckpointType"):
        ps_json.vm_from_json(raw)


def test_missing_properties_default() -> None:
    vm = ps_json.vm_from_json({"Name": "x", "Id": APP_ID, "State": 3, "CheckpointType": 3})
    assert vm.notes == "" and vm.hard_drives == () and vm.memory_startup == 0
    assert vm.creation_time == dt.datetime.min and vm.uptime == dt.timedelta(0)


def test_case_insensitive_property_names() -> None:
    vm = ps_json.vm_from_json({"name": "x", "ID": APP_ID.upper(), "state": "Running", "checkpointtype": "Standard"})
    assert vm.name == "x" and vm.id == APP_ID and vm.state is VMState.Running


def test_dates() -> None:
    assert ps_json.parse_date("/Date(0)/") == dt.datetime(1970, 1, 1)
    assert ps_json.parse_date("\\/Date(0)\\/") == dt.datetime(1970, 1, 1)  # escape left in
    assert ps_json.parse_date("/Date(0-0500)/") == dt.datetime(1969, 12, 31, 19, 0)
    assert ps_json.parse_date("2026-02-20T08:00:00.1234567-08:00") == dt.datetime(2026, 2, 20, 8, 0, 0, 123456)
    assert ps_json.parse_date({"value": "2026-02-20T08:00:00", "DisplayHint": 2}) == dt.datetime(2026, 2, 20, 8)
    with pytest.raises(BackendError):
        ps_json.parse_date("yesterday")


def test_timespans() -> None:
    assert ps_json.parse_timespan("1.02:03:04.5") == dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    assert ps_json.parse_timespan({"Ticks": 10_000_000}) == dt.timedelta(seconds=1)
    assert ps_json.parse_timespan(None) == dt.timedelta(0)


def test_as_list() -> None:
    assert ps_json.as_list(None) == []
    assert ps_json.as_list({"a": 1}) == [{"a": 1}]
    assert ps_json.as_list([1]) == [1]
    assert ps_json.as_list({"value": [1, 2], "Count": 2}) == [1, 2]


def test_not_json_raises_backend_error() -> None:
    with pytest.raises(BackendError):
        ps_json.values_from_json_text(VM, "Get-VM : oops")
    with pytest.raises(BackendError):
        ps_json.vm_from_json(["not", "an", "object"])


# --- the envelope ---------------------------------------------------------------------------------


def test_envelope_from_51_with_a_stray_line() -> None:
    env = ps_json.find_envelope(text("envelope_lookup_51.txt"))
    assert env is not None and env.ps_version.startswith("5.1")
    [vm] = [ps_json.vm_from_json(i) for i in env.items]
    assert vm.notes == "It's the <app> server" and vm.creation_time == dt.datetime(2026, 2, 20, 9, 0)
    [err] = env.errors
    assert err.error_id == "InvalidParameter" and err.category == "InvalidArgument"
    assert err.activity == "Get-VM" and err.target == "SRV-GONE"
    assert err.message == 'Hyper-V was unable to find a virtual machine with name "SRV-GONE".'


@pytest.mark.parametrize("name", ["\x85", "a\u2028b", "\u2029", "x\x85\u2028\u2029y"])
def test_envelope_with_line_separators_inside_a_name(name: str) -> None:
    # ConvertTo-Json escapes only the characters below U+0020 (and quotes, backslashes): these
    # Unicode line separators arrive raw, inside the one result line.
    item = {"Name": name, "VMName": "SRV-APP01"}
    line = "HVEMU-JSON:" + json.dumps({"format": "hyperv-emu/1", "psVersion": "5.1", "items": [item]}, ensure_ascii=False)
    env = ps_json.find_envelope("stray output\r\n" + line + "\r\n")
    assert env is not None and env.items[0]["Name"] == name


def test_envelope_with_51_value_count_arrays() -> None:
    env = ps_json.find_envelope(text("envelope_items_as_value_count_51.txt"))
    assert env is not None and len(env.items) == 1 and env.errors == () and env.warnings == ()
    assert ps_json.checkpoint_from_json(env.items[0]).name == "Before KB5034567"


def test_envelope_errors_and_warnings_from_7() -> None:
    env = ps_json.find_envelope(text("envelope_checkpoint_disabled_7.txt"))
    assert env is not None and env.items == ()
    assert env.errors[0].message.startswith("Checkpoint operation failed.\nCheckpoints have been disabled.")
    warn = ps_json.find_envelope(text("envelope_start_warning_7.txt"))
    assert warn is not None and warn.warnings == ("The virtual machine is already in the specified state.",)


def test_no_envelope_and_foreign_json() -> None:
    assert ps_json.find_envelope("hello\nworld") is None
    with pytest.raises(BackendError):
        ps_json.find_envelope('HVEMU-JSON:{"format": "something-else"}')
    with pytest.raises(BackendError):
        ps_json.find_envelope("HVEMU-JSON:{not json")


# --- standard error ---------------------------------------------------------------------------------


def test_stderr_51_normal_view() -> None:
    [rec] = ps_json.errors_from_stderr(text("stderr_51_normalview.txt"))
    assert rec.fully_qualified_error_id == "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot"
    assert rec.error_id == "ObjectNotFound" and rec.category == "ObjectNotFound"
    assert rec.activity == "Get-VMSnapshot"
    assert rec.message == "Unable to find a snapshot matching the given criteria."


def test_stderr_51_clixml() -> None:
    decoded = ps_json.decode_clixml(text("stderr_51_clixml.txt"))
    assert "Preparing modules" not in decoded and "-Name 'Before*'" in decoded
    [rec] = ps_json.errors_from_stderr(text("stderr_51_clixml.txt"))
    assert rec.error_id == "InvalidParameter" and rec.category == "InvalidArgument"
    assert rec.activity == "Restore-VMSnapshot"
    assert rec.message == "More than one snapshot was found matching the given criteria."


def test_stderr_7_concise_and_script_forms() -> None:
    [rec] = ps_json.errors_from_stderr(text("stderr_7_concise.txt"))
    assert rec.activity == "Stop-VM" and rec.error_id == ""
    assert rec.message == "The operation cannot be performed while the virtual machine is in its current state."
    [rec] = ps_json.errors_from_stderr(text("stderr_7_script.txt"))
    assert rec.activity == "Get-VM"
    assert rec.message == 'Hyper-V was unable to find a virtual machine with name "SRV-GONE".'


def test_stderr_ansi_and_plain_text() -> None:
    [rec] = ps_json.errors_from_stderr("\x1b[31;1mGet-VM: \x1b[31;1mAccess is denied.\x1b[0m\n")
    assert rec.activity == "Get-VM" and rec.message == "Access is denied."
    [rec] = ps_json.errors_from_stderr("something went wrong")
    assert rec.message == "something went wrong"
    assert ps_json.errors_from_stderr("  \n") == []
