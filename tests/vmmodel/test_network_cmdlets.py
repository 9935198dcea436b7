"""The switch and network adapter cmdlets through psshim: what a script sees.

Expected (Windows Server 2022's Hyper-V and NetAdapter modules): Get-VMSwitch's table is Name,
SwitchType, NetAdapterInterfaceDescription; Get-VMNetworkAdapter's is Name, IsManagementOs, VMName,
SwitchName, MacAddress, Status, IPAddresses; Get-NetAdapter's is Name, InterfaceDescription,
ifIndex, Status, MacAddress, LinkSpeed. Errors are the module's (ids and categories as 5.1 prints
them); Remove-VMSwitch asks again unless -Force.
"""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[[str], tuple[str, str]]


def _rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if line.strip() and not line.startswith("-")]


def test_new_vmswitch_writes_the_switch_table(run: Run) -> None:
    out, err = run("New-VMSwitch -Name LabNet -SwitchType Internal")
    assert err == ""
    assert _rows(out) == [["Name", "SwitchType", "NetAdapterInterfaceDescription"], ["LabNet", "Internal"]]


def test_external_switch_on_the_first_physical_adapter_that_is_up(run: Run) -> None:
    out, err = run("$nic = Get-NetAdapter -Physical | Where-Object Status -eq 'Up' | Sort-Object Name | "
                   "Select-Object -First 1; "
                   "New-VMSwitch -Name Uplink -NetAdapterName $nic.Name -AllowManagementOS $true -Notes 'Parent OS' "
                   "| Out-Null; "
                   "$s = Get-VMSwitch -SwitchType External | Where-Object NetAdapterInterfaceDescription -eq "
                   "$nic.InterfaceDescription; '{0}|{1}|{2}' -f $s.Name, $s.AllowManagementOS, $s.Notes; "
                   "(Get-NetAdapter -Name 'vEthernet (Uplink)').MacAddress -eq $nic.MacAddress")
    assert err == ""
    assert out.split() == ["Uplink|True|Parent", "OS", "True"]


def test_get_netadapter_table_and_missing_name(run: Run) -> None:
    out, err = run("Get-NetAdapter | Format-Table -AutoSize | Out-String -Width 200")
    rows = _rows(out)
    assert rows[0] == ["Name", "InterfaceDescription", "ifIndex", "Status", "MacAddress", "LinkSpeed"]
    assert rows[1][:2] == ["Ethernet", "Intel(R)"] and rows[1][-5:-3] == ["10", "Up"]
    assert rows[1][-3].startswith("A0-36-9F-") and rows[1][-2:] == ["1", "Gbps"]
    assert rows[2][:2] == ["Ethernet", "2"] and rows[2][-5:-3] == ["11", "Up"]
    _out, err = run("Get-NetAdapter -Name 'Wi-Fi'")
    assert "No MSFT_NetAdapter objects found with property 'Name' equal to 'Wi-Fi'." in err
    assert "CmdletizationQuery_NotFound_Name,Get-NetAdapter" in err


def test_second_external_switch_on_one_adapter_is_refused(run: Run) -> None:
    _out, err = run("New-VMSwitch Ext1 -NetAdapterName Ethernet | Out-Null; New-VMSwitch Ext2 -NetAdapterName Ethernet")
    text = " ".join(err.split())
    assert "is already bound to the Microsoft Virtual Switch protocol." in text
    assert "ResourceBusy: (:) [New-VMSwitch], VirtualizationException" in text
    assert "ObjectInUse,Microsoft.HyperV.PowerShell.Commands.NewVMSwitch" in text


def test_adapter_table_and_new_vm_switchname(run: Run) -> None:
    out, err = run("New-VMSwitch Lab -SwitchType Private | Out-Null; "
                   "New-VM -Name NIC01 -SwitchName Lab -NoVHD | Out-Null; "
                   "Get-VMNetworkAdapter -VMName NIC01 | Format-Table -AutoSize | Out-String -Width 200")
    assert err == ""
    rows = _rows(out)
    assert rows[0] == ["Name", "IsManagementOs", "VMName", "SwitchName", "MacAddress", "Status", "IPAddresses"]
    assert rows[1][:5] == ["Network", "Adapter", "False", "NIC01", "Lab"]
    assert rows[1][5].startswith("00155D") and rows[1][6:] == ["{}", "{}"]
    _out, err = run("New-VM -Name NIC02 -SwitchName Nowhere -NoVHD")
    assert 'Hyper-V was unable to find a virtual switch with name "Nowhere".' in err
    out, _err = run("@(Get-VM -Name NIC02 -ErrorAction SilentlyContinue).Count")
    assert out.strip() == "0"


def test_add_remove_rename_adapters(run: Run) -> None:
    out, err = run("New-VMSwitch Lab -SwitchType Internal | Out-Null; "
                   "Add-VMNetworkAdapter -VMName SRV-APP01 -SwitchName Lab -Name Backend -StaticMacAddress 00155D0000AA; "
                   "Rename-VMNetworkAdapter -VMName SRV-APP01 -Name Backend -NewName Storage -Passthru | "
                   "ForEach-Object { '{0} {1} {2}' -f $_.Name, $_.MacAddress, $_.DynamicMacAddressEnabled }; "
                   "Get-VMNetworkAdapter -VMName SRV-APP01 -Name 'Network Adapter' | Remove-VMNetworkAdapter; "
                   "(Get-VMNetworkAdapter -VMName SRV-APP01).Name")
    assert err == ""
    assert out.splitlines() == ["Storage 00155D0000AA False", "Storage"]


def test_legacy_adapter_on_generation_2_is_refused(run: Run) -> None:
    _out, err = run("Add-VMNetworkAdapter -VMName SRV-APP01 -IsLegacy $true")
    assert "Legacy network adapters are not supported by generation 2 virtual machines." in err
    assert "Traceback" not in err


def test_remove_vmswitch_asks_unless_force(run: Run) -> None:
    out, err = run("New-VMSwitch Lab -SwitchType Internal | Out-Null; Remove-VMSwitch Lab; @(Get-VMSwitch).Count")
    assert "NonInteractive mode" in err and out.splitlines()[-1].endswith(": 1")  # not removed
    assert 'Are you sure you want to remove the virtual switch "Lab"?' in out
    out, err = run("Remove-VMSwitch Lab -WhatIf; Get-VMSwitch | Remove-VMSwitch -Force; @(Get-VMSwitch).Count")
    assert out.splitlines() == ['What if: Remove-VMSwitch will remove virtual switch "Lab".', "0"]
    assert err == ""
    _out, err = run("Remove-VMSwitch Lab -Force")
    assert 'Hyper-V was unable to find a virtual switch with name "Lab".' in err
    assert "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.RemoveVMSwitch" in err


def test_switch_in_use_by_a_running_vm(run: Run) -> None:
    _out, err = run("New-VMSwitch Lab -SwitchType Internal | Out-Null; "
                    "Get-VMNetworkAdapter -VMName SRV-WEB01 | Connect-VMNetworkAdapter -VMSwitch (Get-VMSwitch Lab); "
                    "Remove-VMSwitch Lab -Force")
    assert "The virtual switch 'Lab' cannot be deleted because it is being used by running virtual machines" in \
        " ".join(err.split())
    out, err = run("Rename-VMSwitch Lab -NewName Lab2; (Get-VMNetworkAdapter -VMName SRV-WEB01).SwitchName; "
                   "@((Get-VMNetworkAdapter -VMName SRV-WEB01).IPAddresses).Count; "
                   "(Get-VMNetworkAdapter -ManagementOS -SwitchName Lab2).IsManagementOs")
    assert err == ""
    assert out.split() == ["Lab2", "2", "True"]


def test_new_vmswitch_bandwidth_mode_and_default_features(run: Run) -> None:
    out, err = run("(New-VMSwitch A -SwitchType Internal -MinimumBandwidthMode Absolute -EnableIov $false)"
                   ".BandwidthReservationMode; (New-VMSwitch B -SwitchType Private).BandwidthReservationMode")
    assert (out.split(), err) == (["Absolute", "Weight"], "")
    _out, err = run("New-VMSwitch C -NetAdapterName Ethernet -EnableEmbeddedTeaming $true")
    assert "New-VMSwitch -EnableEmbeddedTeaming $true is not supported by hvemu." in err
    out, _err = run("@(Get-VMSwitch C -ErrorAction SilentlyContinue).Count")
    assert out.strip() == "0"
