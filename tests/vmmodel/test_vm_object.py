"""Get-VM's VirtualMachine object as Format-List * and ConvertTo-Json show it.

Expected names, order and values come from ../shared/docs/hyperv-object-model.md §1 (the
module's reflection order, a fresh Generation 2 VM on Windows Server 2022), written before
running the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable

Run = Callable[[str], tuple[str, str]]

# hyperv-object-model.md §1, rows 1-71 (the adapted properties), in order
REAL_ORDER = """ConfigurationLocation SmartPagingFileInUse SmartPagingFilePath SnapshotFileLocation
AutomaticStartAction AutomaticStartDelay AutomaticStopAction AutomaticCriticalErrorAction
AutomaticCriticalErrorActionTimeout AutomaticCheckpointsEnabled CPUUsage MemoryAssigned MemoryDemand
MemoryStatus NumaAligned NumaNodesCount NumaSocketCount Heartbeat IntegrationServicesState
IntegrationServicesVersion Uptime OperationalStatus PrimaryOperationalStatus SecondaryOperationalStatus
StatusDescriptions PrimaryStatusDescription SecondaryStatusDescription Status ReplicationHealth
ReplicationMode ReplicationState ResourceMeteringEnabled CheckpointType EnhancedSessionTransportType
Groups Version VirtualMachineType VirtualMachineSubType Notes State ComPort1 ComPort2 DVDDrives
FibreChannelHostBusAdapters FloppyDrive HardDrives RemoteFxAdapter VMIntegrationService
DynamicMemoryEnabled MemoryMaximum MemoryMinimum MemoryStartup ProcessorCount BatteryPassthroughEnabled
Generation IsClustered ParentSnapshotId ParentSnapshotName Path SizeOfSystemFiles
GuestControlledCacheTypes LowMemoryMappedIoSpace HighMemoryMappedIoSpace LockOnDisconnect CreationTime Id
Name NetworkAdapters CimSession ComputerName IsDeleted""".split()
ALIASES = ["ParentCheckpointId", "ParentCheckpointName", "VMName", "VMId", "CheckpointFileLocation"]


def _fl(out: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in out.splitlines():
        if " : " in line and not line.startswith(" "):
            name, _, value = line.partition(" : ")
            props[name.strip()] = value.strip()
        elif line.rstrip().endswith(" :") and not line.startswith(" "):
            props[line.rstrip()[:-2].strip()] = ""
    return props


def test_format_list_star_has_every_property_in_the_real_order(run: Run) -> None:
    out, err = run("Get-VM SRV-APP01 | Format-List *")
    assert err == ""
    names = list(_fl(out))
    assert [n for n in names if n not in ALIASES] == REAL_ORDER
    assert sorted(n for n in names if n in ALIASES) == sorted(ALIASES)


def test_a_fresh_vm_has_a_real_hosts_values(run: Run) -> None:
    props = _fl(run("Get-VM SRV-APP01 | Format-List *")[0])
    expected = {
        "AutomaticStartAction": "StartIfRunning", "AutomaticStartDelay": "0", "AutomaticStopAction": "Save",
        "AutomaticCriticalErrorAction": "Pause", "AutomaticCriticalErrorActionTimeout": "30",
        "SmartPagingFileInUse": "False", "MemoryAssigned": "0", "MemoryDemand": "0", "Heartbeat": "",
        "IntegrationServicesVersion": "0.0", "PrimaryOperationalStatus": "Ok",
        "PrimaryStatusDescription": "Operating normally", "ReplicationState": "Disabled",
        "ReplicationMode": "None", "ReplicationHealth": "NotApplicable", "CheckpointType": "Production",
        "VirtualMachineType": "RealizedVirtualMachine", "VirtualMachineSubType": "Generation2",
        "Version": "10.0", "State": "Off", "DynamicMemoryEnabled": "False", "MemoryMaximum": "1099511627776",
        "MemoryMinimum": "536870912", "MemoryStartup": "1073741824", "ProcessorCount": "1",
        "IsClustered": "False", "LockOnDisconnect": "Off", "CimSession": "CimSession: .", "IsDeleted": "False",
        "EnhancedSessionTransportType": "VMBus", "Groups": "{}", "DVDDrives": "{}",
    }
    assert {k: props[k] for k in expected} == expected
    assert props["SmartPagingFilePath"] == props["ConfigurationLocation"] == props["SnapshotFileLocation"]
    assert props["CheckpointFileLocation"] == props["SnapshotFileLocation"]
    # [AUTOLAB]: ComPort1's ToString
    assert props["ComPort1"].startswith("VMComPort (Name = 'COM 1', VMName = 'SRV-APP01') [Id = 'Microsoft:7CCA7664")


def test_convert_to_json_writes_enums_as_numbers(run: Run) -> None:
    out, err = run("Get-VM SRV-APP01 | Select-Object AutomaticStartAction, AutomaticStopAction, "
                   "AutomaticCriticalErrorAction, LockOnDisconnect, ReplicationMode, VirtualMachineSubType, State, "
                   "Heartbeat | ConvertTo-Json")
    assert err == ""
    assert json.loads(out) == {"AutomaticStartAction": 3, "AutomaticStopAction": 3, "AutomaticCriticalErrorAction": 1,
                               "LockOnDisconnect": 1, "ReplicationMode": 0, "VirtualMachineSubType": 2, "State": 3,
                               "Heartbeat": None}


def test_enums_are_type_literals_and_casts(run: Run) -> None:
    out, err = run("[int][Microsoft.HyperV.PowerShell.StartAction]::Start; "
                   "[int][Microsoft.HyperV.PowerShell.StopAction]'ShutDown'; "
                   "[int][Microsoft.HyperV.PowerShell.CriticalErrorAction]::None; "
                   "[int][Microsoft.HyperV.PowerShell.OnOffState]::Off; "
                   "(Get-VM SRV-APP01).AutomaticStopAction -eq [Microsoft.HyperV.PowerShell.StopAction]::Save; "
                   "(Get-VM SRV-APP01).AutomaticStartAction.GetType().FullName")
    assert err == ""
    assert out.split() == ["4", "4", "0", "1", "True", "Microsoft.HyperV.PowerShell.StartAction"]


def test_world_file_settings_and_a_running_vm(run: Run) -> None:
    out, err = run("Get-VM SRV-WEB01 | Format-List AutomaticStartAction, AutomaticStopAction, "
                   "AutomaticCriticalErrorAction, DynamicMemoryEnabled, MemoryMinimum, MemoryMaximum, "
                   "ProcessorCount, Notes, Heartbeat, IntegrationServicesState")
    assert err == ""
    assert _fl(out) == {
        "AutomaticStartAction": "Start", "AutomaticStopAction": "ShutDown", "AutomaticCriticalErrorAction": "None",
        "DynamicMemoryEnabled": "True", "MemoryMinimum": "1073741824", "MemoryMaximum": "4294967296",
        "ProcessorCount": "2", "Notes": "web tier", "Heartbeat": "OkApplicationsUnknown",
        "IntegrationServicesState": "Up to date",
    }


# hyperv-object-model.md §2 (VMSnapshot), rows 1-38, in order
SNAPSHOT_ORDER = """SnapshotType IsAutomaticCheckpoint VMId VMName State ComPort1 ComPort2 DVDDrives
FibreChannelHostBusAdapters FloppyDrive HardDrives RemoteFxAdapter VMIntegrationService DynamicMemoryEnabled
MemoryMaximum MemoryMinimum MemoryStartup ProcessorCount BatteryPassthroughEnabled Generation IsClustered Notes
ParentSnapshotId ParentSnapshotName Path SizeOfSystemFiles Version GuestControlledCacheTypes
LowMemoryMappedIoSpace HighMemoryMappedIoSpace LockOnDisconnect CreationTime Id Name NetworkAdapters CimSession
ComputerName IsDeleted""".split()


def test_vmsnapshot_format_list_star(run: Run) -> None:
    out, err = run("Set-VMProcessor SRV-APP01 -Count 2; Checkpoint-VM SRV-APP01 -SnapshotName one; "
                   "Set-VMProcessor SRV-APP01 -Count 4; Get-VMSnapshot SRV-APP01 | Format-List *")
    assert err == ""
    props = _fl(out)
    assert [n for n in props if n not in ("ParentCheckpointId", "ParentCheckpointName", "CheckpointType")] \
        == SNAPSHOT_ORDER
    # the checkpoint keeps the configuration it captured; a first checkpoint has no parent
    assert (props["ProcessorCount"], props["State"], props["SnapshotType"], props["ParentSnapshotName"]) == (
        "2", "Off", "Standard", "")


def test_integration_services_table(run: Run) -> None:
    out, err = run("Get-VMIntegrationService SRV-WEB01 | Format-Table -AutoSize")
    assert err == ""
    lines = [line.rstrip() for line in out.strip().splitlines()]
    assert lines[0].split() == ["VMName", "Name", "Enabled", "PrimaryStatusDescription", "SecondaryStatusDescription"]
    rows = [line.split(None, 1)[1].rsplit(None, 2) for line in lines[2:]]
    assert rows == [["Guest Service Interface", "False", "Disabled"], ["Heartbeat", "True", "OK"],
                    ["Key-Value Pair Exchange", "True", "OK"], ["Shutdown", "True", "OK"],
                    ["Time Synchronization", "True", "OK"], ["VSS", "True", "OK"]]


def test_vm_to_string(run: Run) -> None:
    # [AUTOLAB] <ToString>VirtualMachine (Name = 'Win10Ent') [Id = '7cca7664-...']</ToString>
    out, err = run('"$(Get-VM SRV-APP01)"')
    assert (out.strip(), err) == ("VirtualMachine (Name = 'SRV-APP01') [Id = '7cca7664-91d0-40a9-9769-7809f256f603']", "")


def test_convert_to_json_writes_the_aliases_last(run: Run) -> None:
    # [LIBHVEE] (Get-VM | ConvertTo-Json): the .NET properties, then ParentCheckpointId,
    # ParentCheckpointName, VMName, VMId, CheckpointFileLocation
    out, err = run("Get-VM SRV-APP01 | ConvertTo-Json -Depth 1")
    assert err == ""
    assert list(json.loads(out)) == REAL_ORDER + ALIASES
