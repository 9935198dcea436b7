"""The VHD cmdlets through psshim: what a script sees (output, error records, -Passthru).

Expected behaviour from the cmdlets' pages (winserver2022-ps/Hyper-V): New-VHD writes the new
disk's object (dynamic when no type is given); Test-VHD writes a Boolean (an unusable chain also
writes the error that says why); Merge-VHD, Resize-VHD and Optimize-VHD write the disk only with
-Passthru; Get-VHD's VirtualHardDisk has the alias property Number (hyperv-object-model.md §4).
"""

from __future__ import annotations

from hvemu_testlib import base_world, memory_url, vm_table

from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.session import Session


def run(script: str) -> tuple[list[str], list[ErrorRecord]]:
    world = base_world(extra=vm_table("SRV-APP01", state="Running"))
    session = Session.from_world_text(world, memory_url(), edition="5.1")
    out: list[str] = []
    rs = session.runspace(out.append, lambda _text: None)
    rs.run_script(script, "C:\\scripts\\t.ps1")
    return "".join(out).splitlines(), list(reversed(rs.errors))


def test_new_vhd_writes_a_dynamic_vhdx_by_default() -> None:
    out, errors = run("$v = New-VHD -Path D:\\t\\a.vhdx -SizeBytes 10GB\n"
                      "$v.VhdType; $v.VhdFormat; $v.Size; $v.BlockSize; $null -eq $v.Number\n"
                      "$v.GetType().FullName")
    assert errors == []
    assert out == ["Dynamic", "VHDX", "10737418240", "33554432", "True",
                   "Microsoft.Vhd.PowerShell.VirtualHardDisk"]


def test_test_vhd_writes_false_and_the_reason() -> None:
    out, errors = run("New-VHD -Path D:\\t\\b.vhdx -SizeBytes 1GB | Out-Null\n"
                      "New-VHD -Path D:\\t\\c.avhdx -ParentPath D:\\t\\b.vhdx -Differencing | Out-Null\n"
                      "Test-VHD -Path D:\\t\\c.avhdx\n"
                      "Remove-Item D:\\t\\b.vhdx\n"
                      "Test-VHD -Path D:\\t\\c.avhdx")
    assert out == ["True", "False"]
    assert len(errors) == 1 and "cannot locate the parent virtual hard disk" in errors[0].message


def test_merge_resize_optimize_write_only_with_passthru() -> None:
    out, errors = run("New-VHD -Path D:\\t\\b.vhdx -SizeBytes 1GB | Out-Null\n"
                      "New-VHD -Path D:\\t\\c.avhdx -ParentPath D:\\t\\b.vhdx -Differencing | Out-Null\n"
                      "Merge-VHD -Path D:\\t\\c.avhdx -DestinationPath D:\\t\\b.vhdx\n"
                      "Test-Path D:\\t\\c.avhdx\n"
                      "Resize-VHD -Path D:\\t\\b.vhdx -SizeBytes 2GB\n"
                      "(Resize-VHD -Path D:\\t\\b.vhdx -SizeBytes 3GB -Passthru).Size\n"
                      "(Optimize-VHD -Path D:\\t\\b.vhdx -Passthru).VhdType")
    assert errors == []
    assert out == ["False", "3221225472", "Dynamic"]


def test_a_running_vms_disk_cannot_be_optimized() -> None:
    out, errors = run("$p = (Get-VMHardDiskDrive -VMName SRV-APP01).Path\n"
                      "(Get-VHD -Path $p).Attached\n"
                      "Optimize-VHD -Path $p")
    assert out == ["True"]
    assert len(errors) == 1 and "being used by another process" in errors[0].message


def test_an_unemulated_parameter_is_named() -> None:
    _out, errors = run("New-VHD -Path D:\\t\\d.vhdx -SizeBytes 1GB | Out-Null\n"
                       "Test-VHD -Path D:\\t\\d.vhdx -SupportPersistentReservations")
    assert len(errors) == 1 and "SupportPersistentReservations" in errors[0].message
