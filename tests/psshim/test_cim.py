"""The WMI face: Get-CimInstance / Get-WmiObject / Invoke-CimMethod over the emulated
root\\virtualization\\v2 and root\\cimv2 classes. Expected values come from Microsoft's class pages
(Msvm_ComputerSystem EnabledState 2 Enabled / 3 Disabled, VirtualSystemType strings of
Msvm_VirtualSystemSettingData, CreateSnapshot returning 4096 with a Msvm_ConcreteJob whose JobState
7 is Completed) and WMI's own error texts."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.cim import wql
from hyperv_emu.psshim.session import Session

NS = "-Namespace root\\virtualization\\v2"
WORLD = T.base_world(extra=T.vm_table("A", state="Running") + T.vm_table("B", state="Off", extra=(
    '\n[[vm.checkpoint]]\nname = "Before KB"\ncreated = 2026-02-15T09:30:00\n'
    '\n[[vm.checkpoint]]\nname = "After KB"\ncreated = 2026-02-16T09:30:00\n')))


@pytest.fixture
def session(memory_url):
    return Session.from_world_text(WORLD, memory_url, environment={})


def ok(session: Session, text: str) -> list:
    r = session.run_command(text)
    assert r.stderr == "" and r.exit_code == 0, r.stderr
    return list(r.output)


def err(session: Session, text: str) -> str:
    r = session.run_command(text)
    assert r.stderr, r.stdout
    return r.stderr


# --- instances ---------------------------------------------------------------------------------------


def test_computer_system_has_the_host_and_each_vm_with_enabled_state(session):
    out = ok(session, f"Get-CimInstance {NS} -ClassName Msvm_ComputerSystem | "
                      "ForEach-Object { '{0}|{1}|{2}' -f $_.Caption, $_.ElementName, $_.EnabledState }")
    assert out == ["Hosting Computer System|HV-HOST01|2", "Virtual Machine|A|2", "Virtual Machine|B|3"]
    ids = ok(session, "(Get-VM A).Id.ToString().ToUpper(); "
                      f"(Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Filter \"ElementName='A'\").Name")
    assert ids[0] == ids[1]


def test_type_names_of_cim_and_wmi_objects(session):
    cim = ok(session, f"(Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Filter \"ElementName='A'\")"
                      ".PSObject.TypeNames[0]")
    assert cim == ["Microsoft.Management.Infrastructure.CimInstance#root/virtualization/v2/Msvm_ComputerSystem"]
    wmi = ok(session, f"$o = Get-WmiObject {NS} -Class Msvm_ComputerSystem -Filter \"ElementName='A'\"; "
                      "$o.PSObject.TypeNames[0]; $o.__CLASS; $o.__NAMESPACE; $o.__PATH -like '\\\\HV-HOST01\\root\\"
                      "virtualization\\v2:Msvm_ComputerSystem.CreationClassName=\"Msvm_ComputerSystem\",Name=*'")
    assert wmi == ["System.Management.ManagementObject#root\\virtualization\\v2\\Msvm_ComputerSystem",
                   "Msvm_ComputerSystem", "root\\virtualization\\v2", True]


def test_snapshot_settings_carry_type_parent_name_and_creation_time(session):
    out = ok(session, f"Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
                      "-Filter \"VirtualSystemType = 'Microsoft:Hyper-V:Snapshot:Realized'\" | "
                      "Sort-Object CreationTime | ForEach-Object { $_.ElementName; $_.CreationTime.Day; "
                      "[string]::IsNullOrEmpty($_.Parent) }")
    assert out == ["Before KB", 15, True, "After KB", 16, False]
    parent = ok(session, f"$s = Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
                         "-Filter \"ElementName='After KB'\"; "
                         f"$p = Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
                         "-Filter \"ElementName='Before KB'\"; $s.Parent.EndsWith('\"' + $p.InstanceID + '\"')")
    assert parent == [True]
    realized = ok(session, f"(Get-WmiObject {NS} Msvm_VirtualSystemSettingData -Filter "
                           "\"VirtualSystemType='Microsoft:Hyper-V:System:Realized'\").ElementName")
    assert realized == ["A", "B"]


def test_wql_query_like_and_or_and_selected_properties(session):
    out = ok(session, f"(Get-WmiObject {NS} -Query \"SELECT ElementName FROM Msvm_VirtualSystemSettingData "
                      "WHERE ElementName LIKE '%KB' AND NOT ElementName = 'After KB'\").ElementName")
    assert out == ["Before KB"]
    out = ok(session, f"(Get-CimInstance {NS} -Query \"select * from msvm_computersystem where "
                      "EnabledState = 3 or ElementName like '_'\").ElementName")
    assert out == ["A", "B"]
    out = ok(session, f"(Get-WmiObject {NS} -Query \"SELECT ElementName FROM Msvm_ComputerSystem "
                      "WHERE ElementName = 'b'\") | ForEach-Object { $_.ElementName; $null -eq $_.Caption }")
    assert out == ["B", True]


def test_win32_classes_describe_the_host(session):
    out = ok(session, "(Get-WmiObject Win32_ComputerSystem).Name; (Get-CimInstance Win32_OperatingSystem).CSName")
    assert out == ["HV-HOST01", "HV-HOST01"]


# --- errors ------------------------------------------------------------------------------------------


def test_unknown_class_is_the_real_invalid_class_error(session):
    cim = err(session, f"Get-CimInstance {NS} -ClassName NoSuchClass")
    assert "Get-CimInstance : Invalid class" in cim
    assert "HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand" in cim
    assert "MetadataError: (root\\virtualization\\v2:NoSuchClass:String)" in cim
    wmi = err(session, f"Get-WmiObject {NS} -Class NoSuchClass")
    assert 'Get-WmiObject : Invalid class "NoSuchClass"' in wmi
    assert "GetWMIManagementException,Microsoft.PowerShell.Commands.GetWmiObjectCommand" in wmi
    # non-terminating, as on Windows
    assert ok(session, f"Get-WmiObject {NS} -Class NoSuchClass -ErrorAction SilentlyContinue; 'next'") == ["next"]


def test_invalid_queries_and_filters(session):
    assert 'Invalid query "select * frm x"' in err(session, f"Get-WmiObject {NS} -Query 'select * frm x'")
    bad_filter = err(session, f"Get-WmiObject {NS} -Class Msvm_ComputerSystem -Filter 'ElementName=='")
    assert 'Invalid query "select * from Msvm_ComputerSystem where ElementName=="' in bad_filter
    assert "HRESULT 0x80041017" in err(session, f"Get-CimInstance {NS} -ClassName Msvm_ComputerSystem "
                                                "-Filter \"NoSuchProperty='x'\"")


def test_not_emulated_namespace_and_class_say_so(session):
    assert "NotSupportedByHvemu" in err(session, "Get-CimInstance -Namespace root\\StandardCimv2 -ClassName MSFT_NetAdapter")
    assert "NotSupportedByHvemu" in err(session, f"Get-CimInstance {NS} -ClassName Msvm_VirtualSystemManagementService")


# --- methods -----------------------------------------------------------------------------------------


def test_wmi_create_snapshot_returns_job_started_and_a_completed_job(session):
    out = ok(session, f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; "
                      f"$vm = Get-WmiObject {NS} Msvm_ComputerSystem -Filter \"ElementName='B'\"; "
                      "$r = $svc.CreateSnapshot($vm, $null, 2); $r.ReturnValue; "
                      "$r.Job -like '*Msvm_ConcreteJob.InstanceID=*'; $r.ResultingSnapshot -like "
                      "'*Msvm_VirtualSystemSettingData.InstanceID=\"Microsoft:*'; (Get-VMSnapshot -VMName B).Count")
    assert out == [4096, True, True, 3]


def test_cim_methods_apply_destroy_and_destroy_tree(session):
    base = (f"$svc = Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSnapshotService; "
            f"function Snap($n) {{ Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
            "-Filter \"ElementName='$n'\" }; ")
    applied = ok(session, base + "$r = Invoke-CimMethod -InputObject $svc -MethodName ApplySnapshot "
                                 "-Arguments @{ Snapshot = (Snap 'Before KB') }; $r.ReturnValue; $r.Job.JobState; "
                                 "(Get-VM B).ParentSnapshotName")
    assert applied == [4096, 7, "Before KB"]
    one = ok(session, base + "$r = Invoke-CimMethod -InputObject $svc -MethodName DestroySnapshot "
                             "-Arguments @{ AffectedSnapshot = (Snap 'After KB') }; $r.ReturnValue; $r.Job.JobState; "
                             "(Get-VMSnapshot -VMName B).Name")
    assert one == [4096, 7, "Before KB"]
    ok(session, "Checkpoint-VM -Name B -SnapshotName child")
    tree = ok(session, base + "$r = $svc | Invoke-CimMethod -MethodName DestroySnapshotTree "
                              "-Arguments @{ SnapshotSettingData = (Snap 'Before KB') }; $r.ReturnValue; "
                              "@(Get-VMSnapshot -VMName B).Count")
    assert tree == [4096, 0]


def test_method_that_fails_in_the_emulator_ends_its_job_in_exception(session):
    ok(session, "Set-VM -Name B -CheckpointType Disabled")
    out = ok(session, f"$svc = Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSnapshotService; "
                      f"$vm = Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Filter \"ElementName='B'\"; "
                      "$r = Invoke-CimMethod -InputObject $svc -MethodName CreateSnapshot "
                      "-Arguments @{ AffectedSystem = $vm; SnapshotType = [uint16]2 }; "
                      "$r.ReturnValue; $r.Job.JobState; $r.Job.ErrorCode; [bool]$r.Job.ErrorDescription")
    assert out == [4096, 10, 32768, True]


def test_reference_to_nothing_is_invalid_parameter(session):
    out = ok(session, f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; "
                      "$svc.CreateSnapshot($null, $null, 2).ReturnValue")
    assert out == [4]


# --- WQL ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "select", "select * from", "select * from x where", "select * from x where a =",
                                  "select * from x where (a = 1", "delete from x"])
def test_wql_rejects(text):
    with pytest.raises(wql.WqlError):
        wql.parse(text)


@pytest.mark.parametrize(("cond", "props", "expected"), [
    ("ElementName = 'srv'", {"ElementName": "SRV"}, True),
    ("ElementName <> 'srv'", {"ElementName": "SRV"}, False),
    ("EnabledState >= 3", {"EnabledState": 2}, False),
    ("ElementName LIKE 'S[A-R]V%'", {"ElementName": "srv-app01"}, True),
    ("ElementName LIKE 'S[^R]V%'", {"ElementName": "srv-app01"}, False),
    ("Parent IS NULL", {"Parent": None}, True),
    ("Parent IS NOT NULL", {"Parent": None}, False),
    ("IsSaved = TRUE", {"IsSaved": True}, True),
])
def test_wql_conditions(cond, props, expected):
    assert wql.matches(wql.parse_filter("X", cond).where, props) is expected


# --- [wmi], Get(), jobs, RequestStateChange -----------------------------------------------------------


def test_the_usual_wmi_job_loop_works(session):
    out = ok(session, f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; "
                      f"$vm = Get-WmiObject {NS} Msvm_ComputerSystem -Filter \"ElementName='A'\"; "
                      "$r = $svc.CreateSnapshot($vm, '', 2); "
                      "if ($r.ReturnValue -eq 4096) { $job = [wmi]$r.Job; "
                      "while ($job.JobState -eq 4) { Start-Sleep 1; $job.Get() }; $job.JobState; $job.__CLASS }; "
                      "$job -is [wmi]; "
                      f"@(Get-CimInstance {NS} -ClassName Msvm_ConcreteJob).Count")
    assert out == [7, "Msvm_ConcreteJob", True, 1]


def test_wmi_path_and_get_read_the_instance_as_it_is_now(session):
    out = ok(session, f"$vm = Get-WmiObject {NS} Msvm_ComputerSystem -Filter \"ElementName='A'\"; "
                      "Stop-VM -Name A -TurnOff; $vm.EnabledState; ([wmi]$vm.__PATH).EnabledState; "
                      "$vm.Get(); $vm.EnabledState")
    assert out == [2, 3, 3]
    assert "NotSupportedByHvemu" in err(session, "[wmi]'\\\\HV-HOST01\\root\\virtualization\\v2:Msvm_ComputerSystem.Name=\"x\"'")


def test_request_state_change_drives_the_vm(session):
    base = f"$vm = Get-WmiObject {NS} Msvm_ComputerSystem -Filter \"ElementName='B'\"; "
    out = ok(session, base + "$vm.RequestStateChange(2).ReturnValue; (Get-VM B).State.ToString(); "
                             "$vm.RequestStateChange(9) | Out-Null; (Get-VM B).State.ToString(); "
                             "$vm.RequestStateChange(2) | Out-Null; $vm.RequestStateChange(3) | Out-Null; "
                             "(Get-VM B).State.ToString()")
    assert out == [4096, "Running", "Paused", "Off"]
    failed = ok(session, base + "$r = $vm.RequestStateChange(9); ([wmi]$r.Job).JobState")
    assert failed == [10]  # pausing a VM that is off: the emulator's invalid-state rule


def test_invoke_wmi_method_by_object_and_by_path(session):
    out = ok(session, f"$vm = Get-WmiObject {NS} Msvm_ComputerSystem -Filter \"ElementName='B'\"; "
                      f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; "
                      "(Invoke-WmiMethod -InputObject $svc -Name CreateSnapshot -ArgumentList $vm, '', 2).ReturnValue; "
                      "(Get-VMSnapshot -VMName B).Count; "
                      "(Invoke-WmiMethod -Path $vm.__PATH -Name RequestStateChange -ArgumentList 2).ReturnValue; "
                      "(Get-VM B).State.ToString()")
    assert out == [4096, 3, 4096, "Running"]


def test_unknown_computer_fails_as_winrm_and_dcom_do(session):
    cim = err(session, f"Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -ComputerName nohost")
    assert "WinRM cannot process the request." in cim and "HRESULT 0x80338126" in cim
    wmi = err(session, f"Get-WmiObject {NS} -Class Msvm_ComputerSystem -ComputerName nohost")
    assert "The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)" in wmi
    assert "GetWMICOMException,Microsoft.PowerShell.Commands.GetWmiObjectCommand" in wmi


def test_host_classes_display_their_default_property_sets(session):
    cim = session.run_command("Get-CimInstance Win32_OperatingSystem").stdout.splitlines()
    header = next(line for line in cim if line.strip())
    assert header.split() == ["SystemDirectory", "Organization", "BuildNumber", "RegisteredUser", "SerialNumber",
                              "Version"]
    wmi = [line.split(":")[0].strip() for line in session.run_command("Get-WmiObject Win32_ComputerSystem")
           .stdout.splitlines() if line.strip()]
    assert wmi == ["Domain", "Manufacturer", "Model", "Name", "PrimaryOwnerName", "TotalPhysicalMemory"]


def test_references_given_as_paths(session):
    """WMI passes references as object paths; a checkpoint's InstanceID holds a colon."""
    out = ok(session, f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; "
                      f"$cp = Get-WmiObject {NS} Msvm_VirtualSystemSettingData -Filter \"ElementName='After KB'\"; "
                      "$r = $svc.DestroySnapshot([string]$cp.__PATH); $r.ReturnValue; (Get-VMSnapshot -VMName B).Name; "
                      "$svc.DestroySnapshot('\\\\HV-HOST01\\root\\virtualization\\v2:Msvm_VirtualSystemSettingData."
                      "InstanceID=\"Microsoft:00000000-0000-0000-0000-000000000000\"').ReturnValue; "
                      "$svc.ApplySnapshot('Win32_ComputerSystem.Name=\"HV-HOST01\"').ReturnValue")
    assert out == [4096, "Before KB", 4, 4]


def test_wmi_dates_are_dmtf_strings_and_cim_dates_are_datetimes(session):
    out = ok(session, f"$w = Get-WmiObject {NS} Msvm_VirtualSystemSettingData -Filter \"ElementName='Before KB'\"; "
                      "$w.CreationTime; $w.ConvertToDateTime($w.CreationTime).Day; "
                      f"(Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
                      "-Filter \"ElementName='Before KB'\").CreationTime.GetType().FullName")
    assert out == ["20260215093000.000000+000", 15, "System.DateTime"]


def test_selected_properties_wmi_keeps_only_them_cim_nulls_the_rest(session):
    out = ok(session, f"$w = Get-WmiObject {NS} -Query \"SELECT ElementName FROM Msvm_ComputerSystem WHERE "
                      "ElementName='A'\"; $w.__PROPERTY_COUNT; $null -eq $w.__PATH; "
                      f"$k = Get-WmiObject {NS} Msvm_ComputerSystem -Property Name, CreationClassName "
                      "-Filter \"ElementName='A'\"; $null -ne $k.__PATH; "
                      f"$c = Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Property ElementName "
                      "-Filter \"ElementName='A'\"; $c.ElementName; $null -eq $c.EnabledState; "
                      "$c.PSObject.Properties.Name -contains 'EnabledState'")
    assert out == [1, True, True, "A", True, True]


def test_enabled_state_of_saved_and_paused_vms(session):
    out = ok(session, "Stop-VM -Name A -Save; Start-VM -Name B; Suspend-VM -Name B; "
                      f"Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Filter \"Caption='Virtual Machine'\" | "
                      "ForEach-Object { $_.EnabledState }")
    assert out == [6, 9]  # 6 Enabled but Offline (saved), 9 Quiesce (paused)


def test_too_many_method_arguments_is_the_overload_error(session):
    text = err(session, f"$svc = Get-WmiObject {NS} Msvm_VirtualSystemSnapshotService; $svc.ApplySnapshot(1, 2)")
    assert 'Cannot find an overload for "ApplySnapshot" and the argument count: "2".' in text


def test_hyperv_class_in_the_default_namespace_is_invalid(session):
    """A script that forgets -Namespace asks root\\cimv2, which has no Msvm_ classes."""
    assert "Get-CimInstance : Invalid class" in err(session, "Get-CimInstance -ClassName Msvm_ComputerSystem")
    assert 'Invalid class "Msvm_ComputerSystem"' in err(session, "Get-WmiObject Msvm_ComputerSystem")
    assert "NotSupportedByHvemu" in err(session, "Get-WmiObject Win32_Service")


def test_get_cim_instance_input_object_reads_it_again(session):
    out = ok(session, f"$c = Get-CimInstance {NS} -ClassName Msvm_ComputerSystem -Filter \"ElementName='A'\"; "
                      "Stop-VM -Name A -TurnOff; $c.EnabledState; ($c | Get-CimInstance).EnabledState")
    assert out == [2, 3]
    gone = err(session, f"$c = Get-CimInstance {NS} -ClassName Msvm_VirtualSystemSettingData "
                        "-Filter \"ElementName='After KB'\"; Remove-VMSnapshot -VMName B -Name 'After KB'; "
                        "Get-CimInstance -InputObject $c")
    assert "Get-CimInstance : Not found" in gone and "HRESULT 0x80041002" in gone
