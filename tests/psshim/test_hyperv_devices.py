"""The DVD drive, boot order, BIOS, TPM and controller cmdlets as scripts call them.

The flows are those of Packer's hyperv builder (an ISO mounted with Add-VMDvdDrive -Passthru and
ejected with `Set-VMDvdDrive -Path $null`, the DVD made the first boot device with
`Set-VMFirmware -FirstBootDevice`, a drive found through `(Get-VMScsiController).Drives`,
`Set-VMBios -StartupOrder` on generation 1, `Set-VMKeyProtector -NewLocalKeyProtector` before
`Enable-VMTPM`), terraform-provider-hyperv (BootOrder read back) and lab scripts; the expected
texts are the module's (the reference pages) or, where marked in the code, inferred.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.session import RunResult, Session

WORLD = """now = 2026-02-20T08:00:00

[[vm]]
name = "PKR-BUILD"
state = "Off"
disks = [{ path = 'D:\\\\Hyper-V\\\\PKR-BUILD\\\\PKR-BUILD.vhdx', size = "40GB" }]

[[vm]]
name = "LEGACY01"
generation = 1
state = "Off"
"""

ISO = "New-Item -ItemType Directory D:\\ISO -Force | Out-Null\nSet-Content D:\\ISO\\server.iso 'CD001'\n"


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text(WORLD, f"memory://hvdevices/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(script, path="C:\\scripts\\t.ps1")


def test_packer_mounts_boots_from_and_ejects_an_iso(session: Session) -> None:
    r = run(session, ISO + """
$dvd = Hyper-V\\Add-VMDvdDrive -VMName PKR-BUILD -Path D:\\ISO\\server.iso -Passthru
"$($dvd.ControllerNumber),$($dvd.ControllerLocation)"
(Get-VMFirmware PKR-BUILD).BootOrder | ForEach-Object { "$($_.BootType) $($_.Device.Name)" }
$d = Hyper-V\\Get-VMDvdDrive -VMName PKR-BUILD -ControllerNumber 0 -ControllerLocation 1
Hyper-V\\Set-VMFirmware -VMName PKR-BUILD -FirstBootDevice $d
(Get-VMFirmware PKR-BUILD).BootOrder[0].Device.Path
Hyper-V\\Set-VMDvdDrive -VMName PKR-BUILD -ControllerNumber 0 -ControllerLocation 1 -Path $null
(Get-VMDvdDrive PKR-BUILD).DvdMediaType
""")
    assert r.stderr == ""
    assert r.stdout.splitlines() == [
        "0,1",
        "Drive Hard Drive on SCSI controller number 0 at location 0",
        "Network Network Adapter",
        "Drive DVD Drive on SCSI controller number 0 at location 1",
        "D:\\ISO\\server.iso",
        "None",
    ]


def test_dvd_table_and_firmware_boot_order_display(session: Session) -> None:
    r = run(session, ISO + "Add-VMDvdDrive PKR-BUILD -Path D:\\ISO\\server.iso\nGet-VMDvdDrive PKR-BUILD\n"
                           "Get-VMFirmware PKR-BUILD | Format-List BootOrder")
    assert r.stderr == ""
    lines = [line.rstrip() for line in r.stdout.splitlines() if line.strip()]
    assert lines[0].split() == ["VMName", "ControllerType", "ControllerNumber", "ControllerLocation",
                                "DvdMediaType", "Path"]
    assert lines[2].split() == ["PKR-BUILD", "SCSI", "0", "1", "ISO", "D:\\ISO\\server.iso"]
    assert lines[3] == "BootOrder : {Drive, Network, Drive}"


def test_boot_order_from_scsi_controller_drives(session: Session) -> None:
    # Packer's SetBootOrder: drives picked from (Get-VMScsiController).Drives by location
    r = run(session, """
$c = Get-VMScsiController -ControllerNumber 0 PKR-BUILD
$disk = $c.Drives | Where-Object { $_.ControllerLocation -eq 0 } | Select-Object -First 1
Set-VMFirmware PKR-BUILD -BootOrder $disk
@((Get-VMFirmware PKR-BUILD).BootOrder).Count
(Get-VMFirmware PKR-BUILD).BootOrder[0].Device.ControllerLocation
""")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["1", "0"]


def test_iso_must_exist_and_dvd_changes_need_the_vm_off(session: Session) -> None:
    r = run(session, ISO + """
Add-VMDvdDrive PKR-BUILD -Path D:\\ISO\\missing.iso
Start-VM PKR-BUILD
Add-VMDvdDrive PKR-BUILD -Path D:\\ISO\\server.iso
@(Get-VMDvdDrive PKR-BUILD).Count
""")
    assert ("Add-VMDvdDrive : Failed to add device 'Virtual CD/DVD Disk'. The system cannot find the file specified: "
            in r.stderr)
    assert "The operation cannot be performed while the virtual machine is in its current state." in r.stderr
    assert r.stdout.splitlines() == ["0"]


def test_generation_1_bios_startup_order(session: Session) -> None:
    # Packer's SetFirstBootDeviceGen1: the class moved to the front of Get-VMBios's order
    r = run(session, """
(Get-VMBios LEGACY01).StartupOrder -join ','
$order = Get-VMBios -VMName LEGACY01 | Select-Object -ExpandProperty StartupOrder | Where-Object { $_ -ne 'IDE' }
Set-VMBios -VMName LEGACY01 -StartupOrder (@('IDE') + $order)
(Get-VMBios LEGACY01).StartupOrder -join ','
Get-VMDvdDrive LEGACY01 | ForEach-Object { "$($_.ControllerType) $($_.ControllerNumber) $($_.ControllerLocation)" }
@(Get-VMIdeController LEGACY01).Count
Get-VMFirmware LEGACY01
Set-VMBios PKR-BUILD -EnableNumLock
""")
    assert r.stdout.splitlines() == ["CD,IDE,LegacyNetworkAdapter,Floppy", "IDE,CD,LegacyNetworkAdapter,Floppy",
                                     "IDE 1 0", "2"]
    assert "Get-VMFirmware :" in r.stderr
    assert ("Set-VMBios : Generation 2 virtual machines do not support the VMBios cmdlets. Use Get-VMFirmware and "
            "Set-VMFirmware instead.") in r.stderr.replace("\n", "")


def test_tpm_needs_a_key_protector(session: Session) -> None:
    r = run(session, """
try { Enable-VMTPM -VMName PKR-BUILD -ErrorAction Stop } catch { 'refused' }
Set-VMKeyProtector -VMName PKR-BUILD -NewLocalKeyProtector
Enable-VMTPM -VMName PKR-BUILD
(Get-VMSecurity -VMName PKR-BUILD).TpmEnabled
(Get-VMKeyProtector -VMName PKR-BUILD).Length -gt 4
Disable-VMTPM PKR-BUILD
(Get-VMSecurity PKR-BUILD).TpmEnabled
""")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["refused", "True", "True", "False"]


def test_nested_virtualization_and_scsi_controllers(session: Session) -> None:
    r = run(session, """
Set-VMProcessor -VMName PKR-BUILD -ExposeVirtualizationExtensions $true
(Get-VMProcessor PKR-BUILD).ExposeVirtualizationExtensions
Add-VMScsiController PKR-BUILD
(Get-VMScsiController PKR-BUILD).ControllerNumber -join ','
Remove-VMScsiController -VMName PKR-BUILD -ControllerNumber 1
@(Get-VMScsiController PKR-BUILD).Count
Start-VM PKR-BUILD
Set-VMProcessor PKR-BUILD -ExposeVirtualizationExtensions $false
(Get-VMProcessor PKR-BUILD).ExposeVirtualizationExtensions
""")
    assert r.stdout.splitlines() == ["True", "0,1", "1", "True"]
    assert "The operation cannot be performed while the virtual machine is in its current state." in r.stderr


def test_restoring_a_checkpoint_restores_dvd_media_and_boot_order(session: Session) -> None:
    r = run(session, ISO + """
$d = Add-VMDvdDrive PKR-BUILD -Path D:\\ISO\\server.iso -Passthru
Set-VMFirmware PKR-BUILD -FirstBootDevice $d
Checkpoint-VM PKR-BUILD -SnapshotName installed
Set-VMDvdDrive -VMName PKR-BUILD -ControllerNumber 0 -ControllerLocation 1 -Path $null
Set-VMFirmware PKR-BUILD -FirstBootDevice (Get-VMHardDiskDrive PKR-BUILD)
Restore-VMSnapshot -VMName PKR-BUILD -Name installed -Confirm:$false
(Get-VMDvdDrive PKR-BUILD).Path
(Get-VMFirmware PKR-BUILD).BootOrder[0].Device.Name
""")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["D:\\ISO\\server.iso", "DVD Drive on SCSI controller number 0 at location 1"]


def test_whatif_changes_nothing(session: Session) -> None:
    r = run(session, ISO + "Add-VMDvdDrive PKR-BUILD -Path D:\\ISO\\server.iso -WhatIf\n@(Get-VMDvdDrive PKR-BUILD).Count")
    assert r.stdout.splitlines() == ['What if: Add-VMDvdDrive will add a DVD drive to virtual machine "PKR-BUILD".', "0"]


def test_packer_generation_1_floppy_and_security(session: Session) -> None:
    # Packer's MountFloppyDrive / UnmountFloppyDrive; Set-VMSecurity as build scripts call it
    r = run(session, """
New-Item -ItemType Directory D:\\Floppy -Force | Out-Null
Set-Content D:\\Floppy\\answers.vfd 'x'
Hyper-V\\Set-VMFloppyDiskDrive -VMName LEGACY01 -Path D:\\Floppy\\answers.vfd
(Get-VMFloppyDiskDrive LEGACY01).Path
Hyper-V\\Set-VMFloppyDiskDrive -VMName LEGACY01 -Path $null
$null -eq (Get-VMFloppyDiskDrive LEGACY01).Path
@(Get-VMFloppyDiskDrive PKR-BUILD).Count
Get-VM PKR-BUILD | Set-VMSecurity -VirtualizationBasedSecurityOptOut $false -EncryptStateAndVmMigrationTraffic $true
(Get-VMSecurity PKR-BUILD).EncryptStateAndVmMigrationTraffic
""")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["D:\\Floppy\\answers.vfd", "True", "0", "True"]


def test_video_table_and_set(session: Session) -> None:
    r = run(session, "Set-VMVideo -VMName PKR-BUILD -ResolutionType Single -HorizontalResolution 1280 "
                     "-VerticalResolution 800\nGet-VMVideo PKR-BUILD")
    assert r.stderr == ""
    lines = [line.split() for line in r.stdout.splitlines() if line.strip()]
    assert lines[0] == ["VMName", "ResolutionType", "HorizontalResolution", "VerticalResolution"]
    assert lines[2] == ["PKR-BUILD", "Single", "1280", "800"]


def test_a_vms_dvd_drives_are_drive_objects(session: Session) -> None:
    # lab scripts eject media through the VM object: (Get-VM x).DVDDrives | Set-VMDvdDrive -Path $null
    r = run(session, ISO + """
Set-VMDvdDrive -VMName LEGACY01 -ControllerNumber 1 -ControllerLocation 0 -Path D:\\ISO\\server.iso
(Get-VM LEGACY01).DVDDrives.Path
(Get-VM LEGACY01).DVDDrives | Set-VMDvdDrive -Path $null
(Get-VM LEGACY01).DVDDrives[0].DvdMediaType
Get-VM LEGACY01 | Format-List DVDDrives
""")
    assert r.stderr == ""
    lines = [line.rstrip() for line in r.stdout.splitlines() if line.strip()]
    assert lines == ["D:\\ISO\\server.iso", "None", "DVDDrives : {DVD Drive on IDE controller number 1 at location 0}"]
