"""The PowerShell backend over a fake transport: the script each SDK call builds, how it reads the
host's answers (5.1 and 7 shapes), the error table, URLs, and the local subprocess transport
(driven through a stand-in executable, as no PowerShell runs here)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import pathlib
import stat
import sys
from collections.abc import Iterable
from typing import Any

import pytest

from hyperv_emu.sdk import errors
from hyperv_emu.sdk.backends import powershell as psb
from hyperv_emu.sdk.backends.powershell import PowerShellBackend, backend_for_url, map_error, script_for
from hyperv_emu.sdk.backends.ps_json import HostErrorRecord
from hyperv_emu.sdk.backends.transports import (
    LocalPowerShellTransport,
    MAX_ENCODED_COMMAND,
    Transport,
    TransportResult,
    WinRMTransport,
)
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.compat import ImportOptions
from hyperv_emu.sdk.types import StopMode, VMState

COPY_NEW_ID = ImportOptions(copy=True, generate_new_id=True)

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "ps_json"
APP_ID = "1c4f0e52-6f1b-4e7d-9a43-0b8d2f7c9e11"
TEST_ID = "7a2b9c3d-1e4f-4a5b-8c6d-7e8f9a0b1c2d"
CP_ID = "9e0f3c1a-2b4d-4c6e-8f10-a1b2c3d4e5f6"
CP2_ID = "3d5e7f90-1a2b-4c3d-9e4f-5a6b7c8d9e0f"


# --- a fake host ------------------------------------------------------------------------------------


def envelope(items: Iterable[Any] = (), errs: Iterable[dict[str, str]] = (), warnings: Iterable[str] = (),
             version: str = "5.1.20348.2849") -> str:
    return "HVEMU-JSON:" + json.dumps({"format": "hyperv-emu/1", "psVersion": version, "items": list(items),
                                       "errors": list(errs), "warnings": list(warnings)})


def err(fqid: str, category: str, message: str, activity: str = "", target: str = "") -> dict[str, str]:
    return {"FullyQualifiedErrorId": fqid, "Category": category, "Message": message, "Activity": activity,
            "TargetObject": target}


class FakeTransport:
    """Answers each script with the next canned response, and keeps the scripts."""

    def __init__(self, *responses: str | TransportResult) -> None:
        self.responses = list(responses)
        self.scripts: list[str] = []

    def run(self, script: str) -> TransportResult:
        self.scripts.append(script)
        if not self.responses:
            raise AssertionError("unexpected script:\n" + script)
        r = self.responses.pop(0)
        return r if isinstance(r, TransportResult) else TransportResult(r)

    @property
    def last(self) -> str:
        return self.scripts[-1]


def vm_json(name: str = "SRV-APP01", vm_id: str = APP_ID, state: int = 2, **extra: Any) -> dict[str, Any]:
    raw = json.loads((FIXTURES / "get_vm_51.json").read_text(encoding="utf-8"))
    raw.update({"Name": name, "Id": vm_id, "State": state, "CreationTime": "2026-02-20T09:00:00.0000000+01:00"})
    raw.update(extra)
    return raw


def cp_json(name: str = "Before KB5034567", cp_id: str = CP_ID, created: str = "2026-02-20T08:00:00.0000000+01:00",
            **extra: Any) -> dict[str, Any]:
    raw = json.loads((FIXTURES / "get_vmsnapshot_7.json").read_text(encoding="utf-8"))
    raw.update({"Name": name, "Id": cp_id, "CreationTime": created})
    raw.update(extra)
    return raw


def backend(*responses: str | TransportResult, **kw: Any) -> tuple[PowerShellBackend, FakeTransport]:
    t = FakeTransport(*responses)
    return PowerShellBackend(t, **kw), t


def test_fake_transport_is_a_transport() -> None:
    assert isinstance(FakeTransport(), Transport)
    assert isinstance(LocalPowerShellTransport("pwsh"), Transport)


# --- every script is one frame -----------------------------------------------------------------------


def test_frame_and_last_script() -> None:
    b, t = backend(envelope([vm_json()]))
    b.get_vm_by_id(None, APP_ID)
    s = t.last
    assert b.last_script == s == script_for("get_vm_by_id", None, APP_ID)
    assert s.startswith("# hyperv-emu: get_vm_by_id\n$ErrorActionPreference = 'Stop'\n")
    assert f"$hvItems = @(Get-VM -Id '{APP_ID}' | Select-Object -Property $hvVMProps)" in s
    assert "try {" in s and "catch {" in s and "$hvErrors += @($_)" in s
    assert "'HVEMU-JSON:' + (ConvertTo-Json -InputObject $hvOut -Depth 8 -Compress)" in s
    assert "@{Name='CreationTime'; Expression={ if ($null -ne $_.CreationTime) { $_.CreationTime.ToString('o') } }}" in s
    assert "$_.HardDrives | Select-Object -Property $hvDriveProps" in s
    assert b.ps_version == "5.1.20348.2849"


def test_script_for_rejects_unknown_calls() -> None:
    with pytest.raises(ValueError):
        script_for("format_disk", None)
    with pytest.raises(ValueError):
        script_for("_on_host", None)


# --- VMs ------------------------------------------------------------------------------------------------


def test_lookup_vms_reports_missing_plain_names_only() -> None:
    found = [vm_json(), vm_json()]  # the same VM through a pattern and its name: once
    b, t = backend(envelope(found, [err("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM",
                                        "InvalidArgument", 'Hyper-V was unable to find a virtual machine with name '
                                        '"SRV-GONE".', "Get-VM", "SRV-GONE")]))
    lookup = b.lookup_vms(None, ["SRV*", "srv-app01", "SRV-GONE", "NO*"])
    assert [v.name for v in lookup.found] == ["SRV-APP01"]
    assert lookup.missing == ("SRV-GONE",)
    assert ("Get-VM -Name @('SRV*', 'srv-app01', 'SRV-GONE', 'NO*') -ErrorAction SilentlyContinue "
            "-ErrorVariable hvE | Select-Object -Property $hvVMProps)") in t.last
    assert "$hvErrors += @($hvE)" in t.last


def test_lookup_all_and_other_errors_raise() -> None:
    b, t = backend(envelope([vm_json("B", TEST_ID), vm_json("a")]),
                   envelope([], [err("AccessDenied,Microsoft.HyperV.PowerShell.Commands.GetVM", "PermissionDenied",
                                     "You do not have the required permission to complete this task.", "Get-VM")]))
    assert [v.name for v in b.lookup_vms(None, None).found] == ["B", "a"]  # the host's order
    assert "$hvItems = @(Get-VM | Select-Object -Property $hvVMProps)" in t.last
    with pytest.raises(errors.HyperVError, match="required permission") as info:
        b.lookup_vms(None, ["x"])
    assert info.value.error_id == "AccessDenied" and info.value.category == "PermissionDenied"
    assert b.lookup_vms(None, []).found == ()  # nothing asked: no script
    assert len(t.scripts) == 2


def test_computer_names_and_default_computer() -> None:
    b, t = backend(envelope([vm_json()]), envelope(["HV02"]), envelope([vm_json()]), default_computer="HV02")
    b.get_vm_by_id(None, APP_ID)
    assert f"Get-VM -Id '{APP_ID}' -ComputerName 'HV02'" in t.last
    assert b.host_name(None) == "HV02"
    assert "Invoke-Command -ComputerName 'HV02' -ErrorAction Stop -ScriptBlock {" in t.last
    b.get_vm_by_id("HV'03", APP_ID)
    assert "-ComputerName 'HV''03'" in t.last


def test_remote_scalars_with_51_remoting_notes() -> None:
    """Through Invoke-Command, 5.1's ConvertTo-Json writes a string with its remoting notes as an
    object; host_name, now and read_file read the value."""
    notes = {"PSComputerName": "HV02", "RunspaceId": "5d1e3c9a-0000-4000-8000-000000000001",
             "PSShowComputerName": True}
    b, t = backend(envelope([{"value": "HV02", **notes}]),
                   envelope([{"value": "2026-02-20T08:00:00.0000000+01:00", **notes}]),
                   envelope([{"value": base64.b64encode(b"\x00hi").decode(), **notes}]), default_computer="HV02")
    assert b.host_name(None) == "HV02"
    assert b.now(None) == dt.datetime(2026, 2, 20, 8, 0)
    assert b.read_file(None, "D:\\f.bin") == b"\x00hi"


def test_ids_are_checked_before_any_script() -> None:
    b, t = backend()
    with pytest.raises(errors.VMNotFoundError, match='with id "nope"'):
        b.get_vm_by_id(None, "nope")
    with pytest.raises(errors.VMNotFoundError):
        b.start_vm(None, "'; Remove-VM -Name * -Force; '")
    with pytest.raises(errors.CheckpointNotFoundError, match="Unable to find a snapshot"):
        b.get_checkpoint(None, "x")
    with pytest.raises(errors.CheckpointNotFoundError):
        b.get_checkpoints(None, None, parent_of="x")
    assert t.scripts == []


def test_get_vm_by_id_missing() -> None:
    b, _ = backend(envelope([], [err("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVM", "ObjectNotFound",
                                     f'Hyper-V was unable to find a virtual machine with id "{APP_ID}".', "Get-VM")]))
    with pytest.raises(errors.VMNotFoundError) as info:
        b.get_vm_by_id(None, APP_ID)
    assert info.value.message == f'Hyper-V was unable to find a virtual machine with id "{APP_ID}".'
    assert info.value.error_id == "ObjectNotFound"


def test_new_vm_script_and_duplicate_name() -> None:
    b, t = backend(envelope([vm_json("New 'one'")]),
                   envelope([], [err("HvEmu.VMAlreadyExists", "ResourceExists", "A virtual machine with this name "
                                     "already exists.", "Write-Error", "HV01")]))
    vm = b.new_vm(None, "New 'one'", memory_startup=2 * 1024**3, generation=2, path="D:\\VMs",
                  new_vhd_path="D:\\VMs\\n.vhdx", new_vhd_size=40 * 1024**3, vhd_path=None)
    assert vm.name == "New 'one'"
    assert ("$hvVm = New-VM -Name 'New ''one''' -MemoryStartupBytes 2147483648 -Generation 2 -Path 'D:\\VMs' "
            "-NewVHDPath 'D:\\VMs\\n.vhdx' -NewVHDSizeBytes 42949672960\n") in t.last
    assert "Where-Object { $_.Name -eq 'New ''one''' }" in t.last
    with pytest.raises(errors.AlreadyExistsError) as info:
        b.new_vm("HV01", "SRV-APP01", memory_startup=1024**3, generation=1, path=None, new_vhd_path=None,
                 new_vhd_size=0, vhd_path="D:\\a.vhdx")
    assert info.value.message == "A virtual machine named 'SRV-APP01' already exists on 'HV01'."
    assert info.value.error_id == "InvalidParameter" and info.value.target == "SRV-APP01"
    assert "-Generation 1 -VHDPath 'D:\\a.vhdx' -ComputerName 'HV01'" in t.last


def test_new_vm_without_disk_and_numbers_are_code() -> None:
    text = script_for("new_vm", None, "x", memory_startup=512 * 1024**2, generation=1, path=None,
                      new_vhd_path=None, new_vhd_size=0, vhd_path=None)
    assert "New-VM -Name 'x' -MemoryStartupBytes 536870912 -Generation 1 -NoVHD" in text
    with pytest.raises(TypeError):
        script_for("new_vm", None, "x", memory_startup="1GB; Remove-VM *", generation=1, path=None,
                   new_vhd_path=None, new_vhd_size=0, vhd_path=None)
    with pytest.raises(TypeError):
        script_for("new_vm", None, "x", memory_startup=True, generation=1, path=None,
                   new_vhd_path=None, new_vhd_size=0, vhd_path=None)


def test_remove_and_set_vm() -> None:
    b, t = backend(envelope(), envelope([vm_json(Notes="n")], warnings=["w"]))
    b.remove_vm(None, APP_ID)
    assert "Remove-VM -VM $hvVm -Force -Confirm:$false" in t.last
    vm = b.set_vm(None, APP_ID, checkpoint_type="Standard", automatic_checkpoints_enabled=False,
                  snapshot_file_location="E:\\Snaps", memory_startup=1024, processor_count=2, notes="n")
    assert vm.notes == "n"
    assert ("Set-VM -VM $hvVm -CheckpointType 'Standard' -AutomaticCheckpointsEnabled $false "
            "-SnapshotFileLocation 'E:\\Snaps' -MemoryStartupBytes 1024 -ProcessorCount 2 -Notes 'n' "
            "-Confirm:$false -WarningAction SilentlyContinue -WarningVariable hvW") in t.last
    with pytest.raises(errors.InvalidNameError):
        b.set_vm(None, APP_ID, checkpoint_type="Production'; Stop-Computer; '")
    assert len(t.scripts) == 2


def test_state_changes_return_warnings_and_map_invalid_state() -> None:
    already = "The virtual machine is already in the specified state."
    b, t = backend(envelope(warnings=[already]), envelope(), envelope(), envelope(), envelope(), envelope(),
                   envelope([], [err("InvalidState,Microsoft.HyperV.PowerShell.Commands.SuspendVM", "InvalidOperation",
                                     "The operation cannot be performed while the virtual machine is in its current "
                                     "state.", "Suspend-VM", "SRV-APP01")]))
    assert b.start_vm(None, APP_ID) == [already]
    assert "Start-VM -VM $hvVm -Confirm:$false -WarningAction SilentlyContinue -WarningVariable hvW" in t.last
    assert "$hvWarnings += @($hvW)" in t.last
    assert b.stop_vm(None, APP_ID, StopMode.SHUTDOWN, False) == []
    assert "Stop-VM -VM $hvVm -Confirm:$false" in t.last
    b.stop_vm(None, APP_ID, StopMode.TURN_OFF, False)
    assert "Stop-VM -VM $hvVm -TurnOff -Confirm:$false" in t.last
    b.stop_vm(None, APP_ID, StopMode.SAVE, True)
    assert "Stop-VM -VM $hvVm -Save -Force -Confirm:$false" in t.last
    b.resume_vm(None, APP_ID)
    assert "Resume-VM -VM $hvVm" in t.last
    b.suspend_vm(None, APP_ID)
    with pytest.raises(errors.InvalidStateError) as info:
        b.suspend_vm(None, APP_ID)
    assert info.value.error_id == "InvalidState" and info.value.category == "InvalidOperation"
    assert info.value.target == "SRV-APP01"
    assert info.value.message.startswith("The operation cannot be performed")


# --- checkpoints -------------------------------------------------------------------------------------------


def test_checkpoint_vm_script_and_failure() -> None:
    disabled = (FIXTURES / "envelope_checkpoint_disabled_7.txt").read_text(encoding="utf-8")
    b, t = backend(envelope([cp_json("Before $(Stop-Computer)")]), disabled)
    cp = b.checkpoint_vm(None, APP_ID, "Before $(Stop-Computer)")
    assert cp.name == "Before $(Stop-Computer)" and cp.id == CP_ID
    assert ("$hvCp = Checkpoint-VM -VM $hvVm -SnapshotName 'Before $(Stop-Computer)' -Passthru -Confirm:$false "
            "-WarningAction SilentlyContinue -WarningVariable hvW") in t.last
    with pytest.raises(errors.CheckpointFailedError) as info:
        b.checkpoint_vm(None, APP_ID, None)
    assert info.value.message.startswith("Checkpoint operation failed.\nCheckpoints have been disabled.")
    assert info.value.error_id == "OperationFailed"
    assert "-SnapshotName" not in t.last


def test_get_checkpoints_scripts_sorting_and_not_found() -> None:
    later = cp_json("b", CP2_ID, "2026-02-21T08:00:00.0000000+01:00")
    other_vm = cp_json("c", "11111111-2222-4333-8444-555555555555", "2026-02-19T08:00:00.0000000+01:00",
                       VMId=TEST_ID)
    b, t = backend(envelope([later, cp_json()]), envelope([later, other_vm]),
                   envelope([], [err("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot",
                                     "ObjectNotFound", "Unable to find a snapshot matching the given criteria.",
                                     "Get-VMSnapshot")]),
                   envelope([]))
    assert [c.name for c in b.get_checkpoints(None, None)] == ["Before KB5034567", "b"]  # by CreationTime
    assert "$hvVms = @(Get-VM)" in t.last and "Get-VMSnapshot -VM $hvVms -ErrorAction SilentlyContinue" in t.last
    got = b.get_checkpoints(None, [APP_ID, "not-a-guid"], name="b*", snapshot_type="standard")
    assert [c.name for c in got] == ["b"]  # only the VMs asked for
    assert f"foreach ($hvId in @('{APP_ID}'))" in t.last
    assert "Get-VM -Id $hvId -ErrorAction SilentlyContinue" in t.last
    assert "Get-VMSnapshot -VM $hvVms -Name 'b*' -SnapshotType 'Standard' -ErrorAction SilentlyContinue" in t.last
    with pytest.raises(errors.CheckpointNotFoundError) as info:
        b.get_checkpoints(None, [APP_ID], name="nope")
    assert info.value.error_id == "ObjectNotFound"
    assert b.get_checkpoints(None, [APP_ID]) == []  # a bare listing of a VM without checkpoints
    with pytest.raises(errors.CheckpointNotFoundError):
        b.get_checkpoints(None, [APP_ID], snapshot_type="Bogus")
    with pytest.raises(errors.CheckpointNotFoundError):
        b.get_checkpoints(None, [], name="x")
    assert b.get_checkpoints(None, []) == []
    assert len(t.scripts) == 4


def test_parent_and_child_checkpoints() -> None:
    b, t = backend(envelope([cp_json()]), envelope([cp_json("child", CP2_ID)]))
    assert b.get_checkpoints(None, None, parent_of=APP_ID)[0].id == CP_ID
    assert f"$hvOf = Get-VM -Id '{APP_ID}' -ErrorAction SilentlyContinue" in t.last
    assert f"$hvOf = Get-VMSnapshot -Id '{APP_ID}'" in t.last
    assert "Get-VMSnapshot -ParentOf $hvOf -ErrorAction SilentlyContinue" in t.last
    assert [c.name for c in b.get_checkpoints(None, None, child_of=CP_ID, name="x")] == ["child"]
    assert f"$hvOf = Get-VMSnapshot -Id '{CP_ID}'" in t.last
    assert "Get-VMSnapshot -ChildOf $hvOf -Name 'x'" in t.last


def test_child_checkpoints_filtered_empty_raises() -> None:
    b, _ = backend(envelope([]))
    with pytest.raises(errors.CheckpointNotFoundError):
        b.get_checkpoints(None, None, child_of=CP_ID, name="x")


def test_find_checkpoint_one_none_many() -> None:
    b, t = backend(envelope([cp_json()]), envelope([]), envelope([cp_json(), cp_json("Before 2", CP2_ID)]))
    assert b.find_checkpoint(None, APP_ID, "Before*").id == CP_ID
    assert "Get-VMSnapshot -VM $hvVm -Name 'Before*' -ErrorAction SilentlyContinue" in t.last
    with pytest.raises(errors.CheckpointNotFoundError, match="Unable to find a snapshot"):
        b.find_checkpoint(None, APP_ID, "x")
    with pytest.raises(errors.MultipleCheckpointsError) as info:
        b.find_checkpoint(None, APP_ID, "Before*")
    assert info.value.message == "More than one snapshot was found matching the given criteria."
    assert info.value.error_id == "InvalidParameter"


def test_restore_remove_rename_export_import() -> None:
    b, t = backend(envelope(warnings=["w1"]), envelope([cp_json()]), envelope([cp_json("new")]),
                   envelope([cp_json()]), envelope([vm_json()]))
    assert b.restore_checkpoint(None, CP_ID) == ["w1"]
    assert f"$hvCp = Get-VMSnapshot -Id '{CP_ID}'" in t.last
    assert "Restore-VMSnapshot -VMSnapshot $hvCp -Confirm:$false" in t.last
    assert b.remove_checkpoint(None, CP_ID, True).id == CP_ID
    assert "Remove-VMSnapshot -VMSnapshot $hvCp -IncludeAllChildSnapshots -Confirm:$false" in t.last
    assert b.rename_checkpoint(None, CP_ID, "new").name == "new"
    assert "Rename-VMSnapshot -VMSnapshot $hvCp -NewName 'new' -Confirm:$false" in t.last
    assert b.export_checkpoint(None, CP_ID, "E:\\Exports\\") == "E:\\Exports\\SRV-APP01"
    assert "Export-VMSnapshot -VMSnapshot $hvCp -Path 'E:\\Exports\\' -Confirm:$false" in t.last
    assert b.import_vm(None, "E:\\Exports\\SRV-APP01", COPY_NEW_ID).id == APP_ID
    assert "Get-ChildItem -LiteralPath 'E:\\Exports\\SRV-APP01\\Virtual Machines' -Filter '*.vmcx'" in t.last
    assert "$hvVm = Import-VM -Path $hvFound[0] -Copy -GenerateNewId" in t.last
    assert "-Copy" not in script_for("import_vm", None, "E:\\x", ImportOptions())


def test_import_errors_are_export_import_errors() -> None:
    b, _ = backend(
        envelope([], [err("HvEmu.NoExport", "ObjectNotFound", "…", "Write-Error")]),
        envelope([], [err("PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand", "ObjectNotFound",
                          "Cannot find path 'E:\\x\\Virtual Machines' because it does not exist.", "Get-ChildItem")]))
    with pytest.raises(errors.ExportImportError, match=r"Cannot find an exported virtual machine at 'E:\\x'"):
        b.import_vm(None, "E:\\x", ImportOptions())
    with pytest.raises(errors.ExportImportError, match="because it does not exist"):
        b.import_vm(None, "E:\\x", ImportOptions())


# --- disks, events, faults, host, files -------------------------------------------------------------------


def test_get_vhd_and_missing() -> None:
    vhd = json.loads((FIXTURES / "get_vhd_51.json").read_text(encoding="utf-8"))
    b, t = backend(envelope([vhd]), envelope([], [err("ObjectNotFound,Microsoft.Vhd.PowerShell.Commands.GetVHD",
                                                      "ObjectNotFound", "Getting the mounted storage instance for the "
                                                      "path 'D:\\x.vhdx' failed.", "Get-VHD")]))
    assert b.get_vhd(None, "D:\\a.vhdx").vhd_type.name == "Differencing"
    assert "$hvItems = @(Get-VHD -Path 'D:\\a.vhdx' | Select-Object -Property $hvVhdProps)" in t.last
    with pytest.raises(errors.HostPathError, match="mounted storage"):
        b.get_vhd(None, "D:\\x.vhdx")


def test_events_sorted_and_no_events_tolerated() -> None:
    raw = json.loads((FIXTURES / "get_winevent_51.json").read_text(encoding="utf-8"))
    b, t = backend(envelope(raw), envelope([], [err("NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand",
                                                    "ObjectNotFound", "No events were found that match the specified "
                                                    "selection criteria.", "Get-WinEvent")]))
    events = b.events(None)
    assert [e.id for e in events] == [18300, 18016]  # oldest first
    assert ("Get-WinEvent -LogName @('Microsoft-Windows-Hyper-V-VMMS-Admin', 'Microsoft-Windows-Hyper-V-Worker-Admin')"
            " -MaxEvents 500") in t.last
    assert b.events(None) == []


def test_set_faults_is_emulator_only() -> None:
    b, t = backend()
    with pytest.raises(errors.BackendError, match="not available on a real host"):
        b.set_faults(None, APP_ID, guest_vss_failing=True, pass_through_disks=None)
    assert t.scripts == []


def test_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    b, t = backend(envelope(["2026-02-20T09:00:00.1234567+01:00"]))
    assert b.now(None) == dt.datetime(2026, 2, 20, 9, 0, 0, 123456)
    assert "(Get-Date).ToString('o')" in t.last
    slept: list[float] = []
    monkeypatch.setattr(psb.time, "sleep", slept.append)
    b.sleep(None, 2.5)
    b.sleep(None, -1)
    assert slept == [2.5, 0.0] and b.clock_is_virtual() is False and len(t.scripts) == 1


def test_files() -> None:
    listing = json.loads((FIXTURES / "get_childitem_51.json").read_text(encoding="utf-8"))
    b, t = backend(envelope(list(reversed(listing))), envelope([]), envelope([listing[1]]),
                   envelope([base64.b64encode(b"\x00hi\xff").decode()]), envelope(), envelope(), envelope(),
                   envelope([], [err("PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound",
                                     "Cannot find path 'D:\\nope' because it does not exist.", "Get-Item",
                                     "D:\\nope")]),
                   envelope([], [err("HvEmu.IsAFolder", "InvalidArgument", "The path is a folder.", "Write-Error",
                                     "D:\\dir")]))
    assert [f.name for f in b.list_dir(None, "D:\\Hyper-V[1]")] == ["notes.txt", "Snapshots"]
    assert "$hvDir = Get-Item -LiteralPath 'D:\\Hyper-V[1]' -Force" in t.last
    assert "Get-ChildItem -LiteralPath $hvDir.FullName -Force" in t.last
    assert b.file_info(None, "D:\\none") is None
    assert "if (Test-Path -LiteralPath 'D:\\none') {" in t.last
    info = b.file_info(None, "D:\\Hyper-V\\SRV-APP01\\notes.txt")
    assert info is not None and info.length == 42
    assert b.read_file(None, "D:\\f.bin") == b"\x00hi\xff"
    assert "[System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($hvFile.FullName))" in t.last
    b.write_file(None, "D:\\it's.bin", b"\x00\x01")
    assert "[System.IO.File]::WriteAllBytes('D:\\it''s.bin', [System.Convert]::FromBase64String('AAE='))" in t.last
    b.make_dir(None, "D:\\new")
    assert "$null = [System.IO.Directory]::CreateDirectory('D:\\new')" in t.last
    b.delete_file(None, "D:\\old")
    assert "Remove-Item -LiteralPath 'D:\\old' -Recurse -Force -Confirm:$false" in t.last
    with pytest.raises(errors.HostPathError) as info2:
        b.read_file(None, "D:\\nope")
    assert info2.value.message == "Cannot find path 'D:\\nope' because it does not exist."
    assert info2.value.error_id == "PathNotFound" and info2.value.target == "D:\\nope"
    with pytest.raises(errors.HostPathError, match="Cannot find path 'D:\\\\dir'"):
        b.read_file(None, "D:\\dir")


# --- when the script gives no result ----------------------------------------------------------------------


def test_no_result_maps_standard_error() -> None:
    clixml = (FIXTURES / "stderr_51_clixml.txt").read_text(encoding="utf-8")
    b, _ = backend(TransportResult("", clixml, 1), TransportResult("garbage", "", 1),
                   TransportResult("", "Get-VM: The term 'Get-VM' is not recognized as a name of a cmdlet.", 1))
    with pytest.raises(errors.MultipleCheckpointsError) as info:
        b.restore_checkpoint(None, CP_ID)
    assert info.value.error_id == "InvalidParameter"
    with pytest.raises(errors.BackendError, match="no result for get_vm_by_id .exit code 1.: garbage"):
        b.get_vm_by_id(None, APP_ID)
    with pytest.raises(errors.HyperVError, match="is not recognized"):
        b.get_vm_by_id(None, APP_ID)


def test_command_not_found_says_module_missing() -> None:
    b, _ = backend(envelope([], [err("CommandNotFoundException", "ObjectNotFound", "The term 'Get-VM' is not "
                                     "recognized as the name of a cmdlet, function, script file, or operable program.",
                                     "Get-VM")]))
    with pytest.raises(errors.BackendError, match="Hyper-V PowerShell module") as info:
        b.lookup_vms(None, None)
    assert "The term 'Get-VM' is not recognized" in info.value.message


# --- the error table ----------------------------------------------------------------------------------------

TABLE_CASES = [
    ("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM", "ObjectNotFound",
     'Hyper-V was unable to find a virtual machine with name "X".', "Checkpoint-VM", "checkpoint_vm",
     errors.VMNotFoundError),
    ("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM", "InvalidArgument",
     'Hyper-V was unable to find a virtual machine with name "X".', "Get-VM", "lookup_vms", errors.VMNotFoundError),
    ("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.RestoreVMSnapshot", "ObjectNotFound",
     "Unable to find a snapshot matching the given criteria.", "Restore-VMSnapshot", "restore_checkpoint",
     errors.CheckpointNotFoundError),
    ("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot", "ObjectNotFound", "Localised text",
     "Get-VMSnapshot", "get_checkpoint", errors.CheckpointNotFoundError),
    ("ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.StartVM", "ObjectNotFound", "Localised text",
     "Start-VM", "start_vm", errors.VMNotFoundError),
    ("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.RenameVMSnapshot", "InvalidArgument",
     "More than one snapshot was found matching the given criteria.", "Rename-VMSnapshot", "rename_checkpoint",
     errors.MultipleCheckpointsError),
    ("InvalidState,Microsoft.HyperV.PowerShell.Commands.StartVM", "InvalidOperation", "Localised text",
     "Start-VM", "start_vm", errors.InvalidStateError),
    ("HostException", "InvalidOperation", "PowerShell is in NonInteractive mode. Read and Prompt functionality "
     "is not available.", "Stop-VM", "stop_vm", errors.InvalidStateError),
    ("OperationFailed,Microsoft.HyperV.PowerShell.Commands.CheckpointVM", "NotSpecified",
     "Taking a checkpoint of 'X' failed.", "Checkpoint-VM", "checkpoint_vm", errors.CheckpointFailedError),
    ("OperationFailed,Microsoft.HyperV.PowerShell.Commands.CheckpointVM", "NotSpecified",
     "Production checkpoints cannot be created for 'X'.", "Checkpoint-VM", "checkpoint_vm",
     errors.CheckpointFailedError),
    ("ParameterArgumentValidationError,Microsoft.HyperV.PowerShell.Commands.CheckpointVM", "InvalidData",
     "Cannot validate argument on parameter 'SnapshotName'. The argument is null or empty.", "Checkpoint-VM",
     "checkpoint_vm", errors.InvalidNameError),
    ("OperationFailed,Microsoft.HyperV.PowerShell.Commands.ExportVMSnapshot", "NotSpecified", "Export failed.",
     "Export-VMSnapshot", "export_checkpoint", errors.ExportImportError),
    ("PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound",
     "Cannot find path 'D:\\x' because it does not exist.", "Get-Item", "list_dir", errors.HostPathError),
    ("UnauthorizedAccessException", "PermissionDenied", "Access to the path 'C:\\x' is denied.", "", "write_file",
     errors.HyperVError),
    ("", "", "Connecting to remote server HV9 failed: WinRM cannot complete the operation.", "", "lookup_vms",
     errors.HostNotFoundError),
    ("ParseException", "ParserError", "Missing closing '}'.", "", "lookup_vms", errors.BackendError),
]


@pytest.mark.parametrize(("fqid", "category", "message", "activity", "call", "expected"), TABLE_CASES)
def test_error_table(fqid: str, category: str, message: str, activity: str, call: str,
                     expected: type[errors.HyperVError]) -> None:
    exc = map_error(HostErrorRecord(fqid, category, message, activity=activity, target="T"), call)
    assert type(exc) is expected
    assert exc.message == message  # the host's text is kept
    assert exc.error_id == (fqid.split(",")[0] or expected.default_error_id)
    assert exc.category == (category or expected.default_category)
    assert exc.target == "T"


def test_error_table_is_one_table_ending_in_a_catch_all() -> None:
    assert psb.ERROR_TABLE[-1].exception is errors.HyperVError
    assert psb.ERROR_TABLE[-1].matches(HostErrorRecord("", "", ""), "anything")


# --- the client over this backend ---------------------------------------------------------------------------


def test_client_round_trip_with_warnings() -> None:
    warnings: list[str] = []
    b, t = backend(envelope([vm_json(state=3)]), envelope(warnings=["The virtual machine is already in the "
                                                                    "specified state."]),
                   envelope([vm_json(state=3)]), envelope([cp_json()]), envelope(), envelope([cp_json()]))
    hv = HyperVClient(b, on_warning=warnings.append)
    vm = hv.vm("SRV-APP01")
    assert vm.client is hv and vm.state is VMState.Off
    assert hv.stop_vm(vm, turn_off=True).state is VMState.Off
    assert warnings == ["The virtual machine is already in the specified state."]
    cp = vm.checkpoint("Before KB5034567")
    assert cp.client is hv
    assert cp.restore().id == CP_ID
    assert len(t.scripts) == 6


# --- URLs ------------------------------------------------------------------------------------------------


def test_local_urls() -> None:
    for url in ("powershell:", "powershell://localhost", "powershell://.", "POWERSHELL://LOCALHOST"):
        b = backend_for_url(url)
        assert isinstance(b.transport, LocalPowerShellTransport) and b.default_computer is None
    b = backend_for_url("powershell://HV01?exe=pwsh&timeout=30&edition=7")
    assert isinstance(b.transport, LocalPowerShellTransport)
    assert b.transport.executable == "pwsh" and b.transport.timeout == 30.0
    assert b.default_computer == "HV01" and b.edition_hint == "7"
    t51 = backend_for_url("powershell:?edition=5.1").transport
    assert isinstance(t51, LocalPowerShellTransport) and t51.executable == "powershell.exe"
    with pytest.raises(errors.BackendError, match="Unknown option"):
        backend_for_url("powershell://localhost?exe=pwsh&bogus=1")


def test_winrm_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HVEMU_WINRM_PASSWORD", "default-secret")
    monkeypatch.setenv("MY_PW", "named-secret")
    b = backend_for_url("winrm://CORP%5Cadmin@hv01.corp.local:5986?auth=ntlm&cert_validation=0&password_env=MY_PW")
    t = b.transport
    assert isinstance(t, WinRMTransport)
    assert (t.host, t.port, t.username, t.auth, t.ssl, t.cert_validation) == (
        "hv01.corp.local", 5986, "CORP\\admin", "ntlm", True, False)
    assert t._password.get() == "named-secret"
    t2 = backend_for_url("psrp://hv01?ssl=0&auth=kerberos&user=admin@CORP.LOCAL&computer=HV02").transport
    assert isinstance(t2, WinRMTransport)
    assert (t2.port, t2.ssl, t2.username, t2._password.get()) == (5985, False, "admin@CORP.LOCAL", "default-secret")
    assert backend_for_url("psrp://hv01?computer=HV02").default_computer == "HV02"
    t3 = backend_for_url("http://hv01/wsman?auth=basic").transport
    assert isinstance(t3, WinRMTransport) and (t3.ssl, t3.port, t3.path) == (False, 5985, "wsman")
    t4 = backend_for_url("https://admin@hv01:443/custom?cert_validation=/etc/ca.pem&auth=credssp").transport
    assert isinstance(t4, WinRMTransport)
    assert (t4.ssl, t4.port, t4.path, t4.cert_validation, t4.auth) == (True, 443, "custom", "/etc/ca.pem", "credssp")
    with pytest.raises(errors.BackendError, match="authentication"):
        backend_for_url("winrm://hv01?auth=telepathy")
    with pytest.raises(errors.BackendError, match="needs a host"):
        backend_for_url("winrm://")
    with pytest.raises(errors.BackendError, match="MISSING_VAR"):
        backend_for_url("winrm://hv01?password_env=MISSING_VAR")
    with pytest.raises(errors.BackendError, match="Not a PowerShell"):
        backend_for_url("ftp://hv01")


def test_connect_routes_to_this_backend() -> None:
    from hyperv_emu import sdk

    hv = sdk.connect("powershell://localhost?exe=pwsh")
    assert isinstance(hv.backend, PowerShellBackend)
    assert hv.clock_is_virtual is False


# --- the local transport, through a stand-in executable ------------------------------------------------------

FAKE_POWERSHELL = r'''#!{python}
import base64, json, os, sys, time
argv = sys.argv[1:]
script = base64.b64decode(argv[argv.index("-EncodedCommand") + 1]).decode("utf-16-le")
stdin_used = "[Console]::In.ReadToEnd()" in script
if stdin_used:
    script = base64.b64decode(sys.stdin.read()).decode("utf-8")
if "SLEEP" in script:
    time.sleep(30)
if "FAIL" in script:
    sys.stderr.write("Get-VM : boom\n    + CategoryInfo          : InvalidOperation: (:) [Get-VM], Exception\n"
                     "    + FullyQualifiedErrorId : Boom,Microsoft.HyperV.PowerShell.Commands.GetVM\n")
    sys.exit(1)
out = {{"format": "hyperv-emu/1", "psVersion": "7.4.6", "items": [{{"argv": argv[:3], "script": script,
       "stdin": stdin_used}}], "errors": [], "warnings": []}}
sys.stdout.buffer.write(("noise\nHVEMU-JSON:" + json.dumps(out, ensure_ascii=False) + "\n").encode("utf-8"))
'''


@pytest.fixture()
def fake_exe(tmp_path: pathlib.Path) -> str:
    if sys.platform == "win32":
        pytest.skip("the stand-in executable is a POSIX script")
    path = tmp_path / "fake-pwsh"
    path.write_text(FAKE_POWERSHELL.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _run_local(transport: LocalPowerShellTransport, script: str) -> dict[str, Any]:
    from hyperv_emu.sdk.backends import ps_json

    env = ps_json.find_envelope(transport.run(script).stdout)
    assert env is not None
    item = env.items[0]
    assert isinstance(item, dict)
    return item


def test_local_transport_command_line(fake_exe: str) -> None:
    t = LocalPowerShellTransport(fake_exe, timeout=20)
    item = _run_local(t, "Write-Output 'héllo ☃ 𝄞'")
    assert item["argv"] == ["-NoProfile", "-NonInteractive", "-EncodedCommand"]
    assert item["script"] == "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8\nWrite-Output 'héllo ☃ 𝄞'"
    assert item["stdin"] is False


def test_local_transport_long_script_goes_through_stdin(fake_exe: str) -> None:
    t = LocalPowerShellTransport(fake_exe, timeout=20)
    long_script = "# " + "x" * (MAX_ENCODED_COMMAND) + "\n'done'"
    argv, stdin = t.command_line(long_script)
    assert stdin is not None and sum(len(a) for a in argv) < 1000
    item = _run_local(t, long_script)
    assert item["stdin"] is True and item["script"].endswith(long_script)


def test_local_transport_errors(fake_exe: str, tmp_path: pathlib.Path) -> None:
    b = PowerShellBackend(LocalPowerShellTransport(fake_exe, timeout=20))
    b.scripts = _FailingBuilder()
    with pytest.raises(errors.HyperVError, match="boom") as info:
        b.lookup_vms(None, None)
    assert info.value.error_id == "Boom" and info.value.category == "InvalidOperation"
    with pytest.raises(errors.BackendError, match="did not finish within 0.5 seconds"):
        LocalPowerShellTransport(fake_exe, timeout=0.5).run("SLEEP")
    with pytest.raises(errors.BackendError, match="PowerShell was not found"):
        LocalPowerShellTransport(str(tmp_path / "no-such-pwsh")).run("1")


class _FailingBuilder(psb.ScriptBuilder):
    def lookup_vms(self, computer: str | None, names: Any) -> psb.Script:
        return psb.Script("lookup_vms", "FAIL")


# --- credentials -------------------------------------------------------------------------------------------

SECRET = "Pa$$w0rd-'\"`$(x)-7731"


class _FakePool:
    def __init__(self, wsman: Any, configuration_name: str = "") -> None:
        self.wsman = wsman

    def open(self) -> None:
        if self.wsman.kwargs["password"] == SECRET and self.wsman.kwargs.get("fail"):
            raise RuntimeError(f"auth failed for {self.wsman.kwargs['username']}:{SECRET} at server")

    def close(self) -> None:
        pass


class _FakeWSMan:
    fail = False

    def __init__(self, server: str, **kwargs: Any) -> None:
        self.server = server
        self.kwargs = dict(kwargs, fail=_FakeWSMan.fail)


class _Record:
    fq_error = "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVM"
    category = 13
    activity = "Get-VM"

    class exception:  # noqa: N801 - shaped like pypsrp's GenericComplexObject
        adapted_properties = {"Message": 'Hyper-V was unable to find a virtual machine with name "X".'}


class _FakePowerShell:
    scripts: list[str] = []

    def __init__(self, pool: Any) -> None:
        self.streams = type("S", (), {"error": [], "warning": []})()
        self.had_errors = False

    def add_script(self, script: str, use_local_scope: bool | None = None) -> None:
        _FakePowerShell.scripts.append(script)
        self.script = script

    def invoke(self) -> list[Any]:
        if "NO-RESULT" in self.script:
            self.streams.error = [_Record()]
            self.had_errors = True
            return []
        return [envelope([vm_json()])]


@pytest.fixture()
def fake_pypsrp(monkeypatch: pytest.MonkeyPatch) -> type[_FakePowerShell]:
    import types

    wsman = types.ModuleType("pypsrp.wsman")
    wsman.WSMan = _FakeWSMan  # type: ignore[attr-defined]
    powershell = types.ModuleType("pypsrp.powershell")
    powershell.RunspacePool = _FakePool  # type: ignore[attr-defined]
    powershell.PowerShell = _FakePowerShell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pypsrp.wsman", wsman)
    monkeypatch.setitem(sys.modules, "pypsrp.powershell", powershell)
    _FakePowerShell.scripts = []
    _FakeWSMan.fail = False
    return _FakePowerShell


def test_winrm_transport_runs_scripts_and_maps_stream_errors(fake_pypsrp: type[_FakePowerShell]) -> None:
    t = WinRMTransport("hv01", username="admin", password=SECRET, auth="ntlm")
    b = PowerShellBackend(t)
    assert b.get_vm_by_id(None, APP_ID).id == APP_ID
    b.scripts = _NoResultBuilder()
    with pytest.raises(errors.VMNotFoundError) as info:
        b.get_vm_by_id(None, APP_ID)
    assert info.value.error_id == "ObjectNotFound" and info.value.category == "ObjectNotFound"
    b.close()


class _NoResultBuilder(psb.ScriptBuilder):
    def get_vm_by_id(self, computer: str | None, vm_id: str) -> psb.Script:
        return psb.Script("get_vm_by_id", "NO-RESULT")


def test_credentials_never_leak(fake_pypsrp: type[_FakePowerShell], monkeypatch: pytest.MonkeyPatch,
                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    monkeypatch.setenv("HVEMU_WINRM_PASSWORD", SECRET)
    b = backend_for_url("winrm://admin@hv01?auth=ntlm")
    t = b.transport
    assert isinstance(t, WinRMTransport) and t.has_password
    b.lookup_vms(None, ["SRV-APP01"])
    assert SECRET not in repr(b) and SECRET not in repr(t) and SECRET not in str(vars(t))
    assert all(SECRET not in s for s in fake_pypsrp.scripts)
    assert b.last_script is not None and SECRET not in b.last_script
    # a failing connection whose library error quotes the password
    _FakeWSMan.fail = True
    failing = backend_for_url("winrm://admin@hv02?auth=basic")
    with pytest.raises(errors.BackendError) as info:
        failing.lookup_vms(None, None)
    assert SECRET not in str(info.value) and SECRET not in info.value.message and "********" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__  # the library's error is not chained
    assert SECRET not in caplog.text
    # a password in the URL is refused without being repeated
    with pytest.raises(errors.BackendError) as info2:
        backend_for_url(f"winrm://admin:{SECRET}@hv01")
    assert SECRET not in str(info2.value)
