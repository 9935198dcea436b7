"""Gaps found by running real third-party Hyper-V scripts (Vagrant's Hyper-V provider, Packer's
hyperv plugin, terraform-provider-hyperv's templates) on hyperv-emu.

Each test states the documented PowerShell / Windows behaviour the script relies on; the scripts
themselves are not part of the project.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.session import RunResult, Session

WORLD = """now = 2026-02-20T08:00:00

[[vm]]
name = "SRV-APP01"
state = "Off"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx', size = "60GB" }]
"""


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://realscripts/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(script, path="C:\\scripts\\t.ps1")


# --- Get-Variable -Include / -Exclude ----------------------------------------------------------
# VariableCommandBase: a name without wildcards that -Exclude matches (or -Include does not) is
# filtered out before any lookup, so it is no "Cannot find a variable" error. Vagrant's scripts
# walk $MyInvocation.BoundParameters with `(Get-Variable -Exclude "ErrorAction" $key).Value` while
# -ErrorAction Stop is bound (no variable of that name exists).


def test_get_variable_excluded_literal_name_is_no_error(session: Session) -> None:
    r = run(session, "$ErrorActionPreference = 'Stop'\n"
                     "$v = (Get-Variable -Exclude 'ErrorAction' 'ErrorAction').Value\n"
                     "$null -eq $v\n"
                     "@(Get-Variable -Name NoSuchVar -Include 'Other*').Count")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["True", "0"]


def test_get_variable_include_exclude_filter_wildcard_matches(session: Session) -> None:
    r = run(session, "$alpha1 = 1; $alpha2 = 2; $alphabet = 3\n"
                     "(Get-Variable -Name alpha* -Exclude *bet | ForEach-Object Name) -join ','\n"
                     "(Get-Variable -Name alpha* -Include *2 | ForEach-Object Name) -join ','\n"
                     "(Get-Variable -Name alpha1 -Exclude alpha1) -eq $null")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["alpha1,alpha2", "alpha2", "True"]


def test_get_variable_missing_literal_name_still_errors(session: Session) -> None:
    r = run(session, "Get-Variable -Name NoSuchVar -Exclude Other")
    assert "Cannot find a variable with the name 'NoSuchVar'." in r.stderr


# --- Get-Command -ParameterName -----------------------------------------------------------------
# "Gets commands in the session that have the specified parameters. Enter parameter names or
# parameter aliases. Wildcard characters are supported." A named command that lacks the parameter
# is not found (CommandNotFoundException), which scripts silence with -ErrorAction SilentlyContinue
# to probe for a feature.


def test_get_command_parameter_name_filters(session: Session) -> None:
    r = run(session, "(Get-Command Checkpoint-VM -ParameterName SnapshotName).Name\n"
                     "(Get-Command Get-VM -ParameterName VMName).Name\n"  # -VMName is an alias of -Name
                     "(Get-Command Remove-VMSnapshot -ParameterName Include*).Name\n"
                     "@(Get-Command Get-VM -ParameterName NoSuchParameter -ErrorAction SilentlyContinue).Count\n"
                     "@(Get-Command -Module Hyper-V -ParameterName SnapshotName).Name -contains 'Checkpoint-VM'\n"
                     "(Get-Command Get-VM -ParameterName ErrorAction).Name")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["Checkpoint-VM", "Get-VM", "Remove-VMSnapshot", "0", "True", "Get-VM"]


def test_get_command_parameter_name_not_found_error(session: Session) -> None:
    r = run(session, "Get-Command Get-VM -ParameterName NoSuchParameter")
    assert "The term 'Get-VM' is not recognized as the name of a cmdlet" in r.stderr


# --- deleting a detached disk -------------------------------------------------------------------
# Vagrant's remove_disk_drive.ps1 detaches a drive (Remove-VMHardDiskDrive) and deletes its file
# (Remove-Item): once no VM uses the .vhdx it is an ordinary file of the host and can be deleted,
# then created again.


def test_detached_disk_file_can_be_deleted(session: Session) -> None:
    disk = "D:\\Hyper-V\\Virtual Hard Disks\\extra.vhdx"
    r = run(session, f"$null = New-VHD -Path '{disk}' -SizeBytes 1GB -Dynamic\n"
                     f"Add-VMHardDiskDrive -VMName SRV-APP01 -Path '{disk}'\n"
                     "$d = Get-VMHardDiskDrive -VMName SRV-APP01 | Where-Object Path -like '*extra.vhdx'\n"
                     "Remove-VMHardDiskDrive -VMName SRV-APP01 -ControllerType $d.ControllerType "
                     "-ControllerNumber $d.ControllerNumber -ControllerLocation $d.ControllerLocation\n"
                     f"Remove-Item -Path '{disk}'\n"
                     f"Test-Path '{disk}'\n"
                     f"(New-VHD -Path '{disk}' -SizeBytes 2GB -Dynamic).Size")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["False", str(2 * 1024 ** 3)]


def test_attached_disk_file_is_not_deleted(session: Session) -> None:
    disk = "D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx"
    r = run(session, f"Remove-Item -Path '{disk}'\nTest-Path '{disk}'")
    assert "is in use by a virtual machine" in r.stderr
    assert r.stdout.splitlines() == ["True"]


# --- Set-VMNetworkAdapter / Set-VMNetworkAdapterVlan --------------------------------------------
# Vagrant (set_network_mac.ps1, set_network_vlan.ps1) and Packer (SetVmNetworkAdapterMacAddress,
# SetVirtualMachineMacSpoofing, SetVirtualMachineVlanId) set a static MAC address, MAC address
# spoofing and an access VLAN. Per the cmdlet pages: -StaticMacAddress assigns a specific MAC
# address (DynamicMacAddressEnabled becomes False), -DynamicMacAddress goes back to a dynamic one,
# -MacAddressSpoofing takes an OnOffState; Set-VMNetworkAdapterVlan -Access -VlanId puts the
# adapter in access mode (OperationMode Access, AccessVlanId), -Untagged clears it.
# Get-VMNetworkAdapterVlan returns VMNetworkAdapterVlanSetting objects.


def test_static_mac_address_and_back(session: Session) -> None:
    r = run(session, "$vm = Get-VM SRV-APP01\n"
                     "$before = (Get-VMNetworkAdapter -VM $vm).MacAddress\n"
                     "Set-VMNetworkAdapter $vm -StaticMacAddress '00155D0A0B0C'\n"
                     "$a = Get-VMNetworkAdapter -VMName SRV-APP01\n"
                     "$a.MacAddress; $a.DynamicMacAddressEnabled\n"
                     "Set-VMNetworkAdapter SRV-APP01 -DynamicMacAddress\n"
                     "$a = Get-VMNetworkAdapter -VMName SRV-APP01\n"
                     "$a.DynamicMacAddressEnabled; $a.MacAddress -eq $before")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["00155D0A0B0C", "False", "True", "True"]


def test_mac_address_spoofing_is_an_on_off_state(session: Session) -> None:
    r = run(session, "(Get-VMNetworkAdapter -VMName SRV-APP01).MacAddressSpoofing\n"
                     "Set-VMNetworkAdapter -VMName SRV-APP01 -MacAddressSpoofing On\n"
                     "$s = (Get-VMNetworkAdapter -VMName SRV-APP01).MacAddressSpoofing\n"
                     "$s; $s.GetType().FullName")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["Off", "On", "Microsoft.HyperV.PowerShell.OnOffState"]


def test_static_mac_address_only_while_off(session: Session) -> None:
    r = run(session, "Start-VM SRV-APP01\n"
                     "Set-VMNetworkAdapter -VMName SRV-APP01 -StaticMacAddress '00155D0A0B0C'\n"
                     "(Get-VMNetworkAdapter -VMName SRV-APP01).DynamicMacAddressEnabled")
    assert "The operation cannot be performed while the virtual machine is in its current state." in r.stderr
    assert r.stdout.splitlines() == ["True"]


def test_access_vlan_and_untagged(session: Session) -> None:
    r = run(session, "Get-VM SRV-APP01 | Set-VMNetworkAdapterVlan -Access -VlanId 12\n"
                     "$v = Get-VMNetworkAdapterVlan -VMName SRV-APP01\n"
                     "$v.OperationMode; $v.AccessVlanId; $v.GetType().FullName\n"
                     "(Get-VMNetworkAdapter -VMName SRV-APP01).VlanSetting.AccessVlanId\n"
                     "Set-VMNetworkAdapterVlan -VMName SRV-APP01 -Untagged\n"
                     "(Get-VMNetworkAdapterVlan -VMName SRV-APP01).OperationMode")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["Access", "12", "Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting",
                                     "12", "Untagged"]


def test_unemulated_adapter_setting_says_so(session: Session) -> None:
    r = run(session, "Set-VMNetworkAdapter -VMName SRV-APP01 -VmqWeight 0")
    assert "Set-VMNetworkAdapter -VmqWeight is not supported by hvemu." in r.stderr


# --- the Hyper-V binaries and FileInfo.VersionInfo -----------------------------------------------
# Vagrant's get_vm_status.ps1 reads the Hyper-V version from vmms.exe's version resource
# (FileInfo.VersionInfo, a FileVersionInfo) and compares it as a [version]; on Windows Server 2022
# it is 10.0.20348.x. A file without a version resource has a VersionInfo whose strings are null.


def test_vmms_version_info(session: Session) -> None:
    r = run(session, "$path = if ([environment]::Is64BitProcess) { \"$($env:SystemRoot)\\System32\\vmms.exe\" }\n"
                     "$v = [version](Get-Item $path).VersionInfo.ProductVersion\n"
                     "$v -ge [version]'10.0'; $v.Build\n"
                     "(Get-Item $path).VersionInfo.GetType().FullName\n"
                     "Test-Path C:\\Windows\\System32\\vmwp.exe\n"
                     "Set-Content -Path C:\\data.txt -Value x\n"
                     "$null -eq (Get-Item C:\\data.txt).VersionInfo.ProductVersion")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["True", "20348", "System.Diagnostics.FileVersionInfo", "True", "True"]


def test_system_binary_is_read_only(session: Session) -> None:
    r = run(session, "Remove-Item C:\\Windows\\System32\\vmms.exe\nTest-Path C:\\Windows\\System32\\vmms.exe")
    assert "Access to the path 'C:\\Windows\\System32\\vmms.exe' is denied." in r.stderr
    assert r.stdout.splitlines() == ["True"]


# --- Optimize-VHD -Mode ---------------------------------------------------------------------------
# Packer's compaction step runs `Optimize-VHD -Path $disk -Mode Full` on exported, unattached
# disks: it writes nothing (no -Passthru), and VhdCompactMode names outside the enum fail to bind.


def test_optimize_vhd_full_mode(session: Session) -> None:
    disk = "D:\\Hyper-V\\Virtual Hard Disks\\spare.vhdx"
    r = run(session, f"$null = New-VHD -Path '{disk}' -SizeBytes 1GB -Dynamic\n"
                     f"Optimize-VHD -Path '{disk}' -Mode Full\n"
                     f"(Optimize-VHD -Path '{disk}' -Mode Quick -Passthru).VhdType\n"
                     f"Optimize-VHD -Path '{disk}' -Mode Thorough")
    assert r.stdout.splitlines() == ["Dynamic"]
    assert "Cannot convert value \"Thorough\" to type" in r.stderr
    assert "FullyQualifiedErrorId : CannotConvertArgumentNoMessage" in r.stderr


# --- a function named like a module-qualified command ---------------------------------------------
# Packer's TypeScanCodes script defines `function Hyper-V\Get-VMConsole` and calls it by that name:
# CommandSearcher looks the whole name up as a function before reading `Hyper-V\` as a module.


def test_function_with_a_backslash_in_its_name(session: Session) -> None:
    r = run(session, "function Hyper-V\\Get-VMConsole { param([string]$VMName) \"console of $VMName\" }\n"
                     "Hyper-V\\Get-VMConsole -VMName SRV-APP01\n"
                     "(Hyper-V\\Get-VM SRV-APP01).Name")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["console of SRV-APP01", "SRV-APP01"]


# --- Get-/Set-VMFirmware ----------------------------------------------------------------------------
# Vagrant's import (New-VagrantVM) copies secure boot with
# `Set-VMFirmware -VM $VM -EnableSecureBoot (Get-VMFirmware -VM $VM).SecureBoot`, Packer sets
# -EnableSecureBoot/-SecureBootTemplate, terraform-provider-hyperv reads VMFirmware. The reference
# pages: a generation 2 VM's VMFirmware has SecureBoot (OnOffState, On for New-VM) and
# SecureBootTemplate (MicrosoftWindows by default; MicrosoftUEFICertificateAuthority for Linux).


def test_firmware_secure_boot(session: Session) -> None:
    r = run(session, "$f = Get-VMFirmware -VMName SRV-APP01\n"
                     "$f.SecureBoot; $f.SecureBootTemplate; $f.GetType().FullName\n"
                     "Set-VMFirmware -VMName SRV-APP01 -EnableSecureBoot (Get-VMFirmware -VMName SRV-APP01).SecureBoot\n"
                     "Set-VMFirmware -VM (Get-VM SRV-APP01) -SecureBootTemplate MicrosoftUEFICertificateAuthority\n"
                     "$f = Set-VMFirmware SRV-APP01 -EnableSecureBoot Off -Passthru\n"
                     "$f.SecureBoot; (Get-VMFirmware SRV-APP01).SecureBootTemplate")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["On", "MicrosoftWindows", "Microsoft.HyperV.PowerShell.VMFirmware",
                                     "Off", "MicrosoftUEFICertificateAuthority"]


def test_firmware_changes_only_while_off(session: Session) -> None:
    r = run(session, "Start-VM SRV-APP01\nSet-VMFirmware SRV-APP01 -EnableSecureBoot Off\n"
                     "(Get-VMFirmware SRV-APP01).SecureBoot")
    assert "The operation cannot be performed while the virtual machine is in its current state." in r.stderr
    assert r.stdout.splitlines() == ["On"]


def test_keys_contains_uses_the_tables_comparer(session: Session) -> None:
    # Hashtable.KeyCollection.Contains (and a command's Parameters.Keys) ignores case, as the
    # dictionary's comparer does; Vagrant probes Set-VMFirmware's parameters this way
    r = run(session, "$h = @{ Alpha = 1 }\n$h.Keys.Contains('ALPHA'); $h.Keys.Contains('beta')\n"
                     "(Get-Command Hyper-V\\Set-VMFirmware).Parameters.Keys.Contains('secureboottemplate')")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["True", "False", "True"]


# --- ids are Guids ------------------------------------------------------------------------------------
# VirtualMachine.Id / VMId and VMSnapshot.Id are System.Guid: Vagrant's import returns
# `$VM.Id.Guid`; a Guid compares equal to its text and serialises to JSON as a string.


def test_vm_ids_are_guids(session: Session) -> None:
    r = run(session, "$vm = Get-VM SRV-APP01\n$vm.Id.GetType().FullName; $vm.VMId.GetType().FullName\n"
                     "$vm.Id.Guid -eq \"$($vm.Id)\"\n"
                     "(Get-VM | Where-Object Id -eq \"$($vm.Id)\").Name\n"
                     "(Checkpoint-VM SRV-APP01 -SnapshotName a -Passthru).Id.GetType().Name\n"
                     "($vm | Select-Object Id | ConvertTo-Json -Compress) -eq ('{\"Id\":\"' + $vm.Id.Guid + '\"}')")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["System.Guid", "System.Guid", "True", "SRV-APP01", "Guid", "True"]


# --- a compatibility report's planned VM -----------------------------------------------------------
# Vagrant configures the planned VM of `Compare-VM -Copy -GenerateNewId` (Get-VMMemory, Set-VM,
# Set-VMFirmware) before Import-VM -CompatibilityReport brings it in.


def test_planned_vm_memory_and_firmware(session: Session) -> None:
    r = run(session, "Export-VM -Name SRV-APP01 -Path D:\\Export\n"
                     "$cfg = Get-ChildItem 'D:\\Export\\SRV-APP01\\Virtual Machines' | Select-Object -First 1\n"
                     "$report = Compare-VM -Copy -GenerateNewId -Path $cfg.FullName -VirtualMachinePath D:\\New "
                     "-VhdDestinationPath D:\\New\\Disks\n"
                     "$vm = $report.VM\n"
                     "(Get-VMMemory -VM $vm).Startup -eq (Get-VM SRV-APP01).MemoryStartup\n"
                     "Set-VMFirmware -VM $vm -EnableSecureBoot (Get-VMFirmware -VM $vm).SecureBoot\n"
                     "(Import-VM -CompatibilityReport $report).Id -ne (Get-VM SRV-APP01).Id")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["True", "True"]


# --- Set-VMHardDiskDrive without the slot -----------------------------------------------------
# The cmdlet's reference page, example 1: `Set-VMHardDiskDrive -VMName TestVM -Path .\Test.vhd`
# "configures the hard drive of virtual machine TestVM to use Test.vhd as its media": the
# controller type, number and location are optional in the VMName set, and a part left out
# matches every drive.


def test_set_vm_hard_disk_drive_without_the_slot(session: Session) -> None:
    r = run(session, "New-VHD -Path 'D:\\Hyper-V\\Other.vhdx' -SizeBytes 1GB | Out-Null\n"
                     "Set-VMHardDiskDrive -VMName SRV-APP01 -Path 'D:\\Hyper-V\\Other.vhdx'\n"
                     "(Get-VMHardDiskDrive -VMName SRV-APP01).Path\n"
                     "Set-VMHardDiskDrive -VMName SRV-APP01 -ControllerType IDE -Path 'D:\\Hyper-V\\Other.vhdx'")
    assert r.stdout.splitlines() == ["D:\\Hyper-V\\Other.vhdx"]
    assert "Hyper-V was unable to find a hard disk drive of virtual machine 'SRV-APP01'." in r.stderr
    assert "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.SetVMHardDiskDrive" in r.stderr
    assert "internal error" not in r.stderr
