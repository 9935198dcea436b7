"""Compare-VM and Import-VM through psshim, as Compare-VM's page (Example 2) walks through them:
an import whose network adapter names a switch the host lacks fails with the module's
ImportVM_FailedValidate text; Compare-VM's report lists the incompatibility (33012, `Could not
find Ethernet switch 'Production'.`, its Source the adapter); disconnecting the adapter and
comparing again clears it, and Import-VM -CompatibilityReport brings the VM in."""

from __future__ import annotations

import uuid

from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.psshim.session import Session

WORLD = """now = 2026-03-02T10:00:00
[[switch]]
name = "Production"
type = "External"

[[vm]]
name = "VM1"
id = "53eae599-4d3b-4923-b173-6aea29cb7f42"
disks = [{ path = 'D:\\\\vm1\\\\VM1.vhdx', size = "20GB" }]
network_adapters = [{ name = "Network Adapter", switch = "Production" }]
"""
CONFIG = "D:\\Exports\\VM1\\Virtual Machines\\53EAE599-4D3B-4923-B173-6AEA29CB7F42.vmcx"
FAILED = ("Unable to import virtual machine due to configuration errors.  Please use Compare-VM to repair the "
          "virtual machine.")


def _without_the_switch() -> Session:
    """A host that has VM1's export but not the switch its adapter names (as another host would)."""
    url = f"memory://hvemu-compare/{uuid.uuid4().hex}"
    session = Session.from_world_text(WORLD, url)
    result = session.run("Export-VM VM1 -Path D:\\Exports; Remove-VM VM1 -Force")
    assert result.stderr == ""
    with Emulator(url).transaction() as tx:
        tx.host(None).switches.clear()
        tx.changed = True
    return session


def test_the_documented_repair_walkthrough() -> None:
    session = _without_the_switch()
    try:
        first = session.run(f"Import-VM -Path '{CONFIG}'")
        assert FAILED in first.stderr.replace("\n", "")
        assert "OperationFailed,Microsoft.HyperV.PowerShell.Commands.ImportVM" in first.stderr
        out = session.run(
            f"$report = Compare-VM -Path '{CONFIG}'; "
            "$report.Incompatibilities | ForEach-Object { \"$($_.MessageId) $($_.Message) [$($_.Source.Name)]\" }; "
            "\"$($report.OperationType) $($report.SnapshotPath)\"; (Get-VM).Count; "
            "$report.Incompatibilities[0].Source | Disconnect-VMNetworkAdapter; "
            "$again = Compare-VM -CompatibilityReport $report; $again.Incompatibilities.Count; "
            "$vm = Import-VM -CompatibilityReport $again; \"$($vm.Name) $($vm.State)\"; "
            "(Get-VMNetworkAdapter -VMName VM1).SwitchName -eq $null")
        assert out.stderr == ""
        assert out.stdout.splitlines() == [
            "33012 Could not find Ethernet switch 'Production'. [Network Adapter]",
            "ImportVirtualMachine D:\\Exports\\VM1\\Snapshots",
            "0",
            "0",
            "VM1 Off",
            "True",
        ]
    finally:
        session.discard()


def test_report_with_incompatibilities_cannot_be_imported() -> None:
    session = _without_the_switch()
    try:
        out = session.run(f"$r = Compare-VM -Path '{CONFIG}'; Import-VM -CompatibilityReport $r; (Get-VM).Count")
        assert FAILED in out.stderr.replace("\n", "")
        assert out.stdout.strip() == "0"
    finally:
        session.discard()


def test_whatif_and_unsupported_sets() -> None:
    session = Session.from_world_text(WORLD, f"memory://hvemu-compare/{uuid.uuid4().hex}")
    try:
        out = session.run(f"Compare-VM -Path '{CONFIG}' -WhatIf")
        assert out.stdout.strip() == ("What if: Compare-VM will test the compatibility of the virtual machine with "
                                      "the target host system.")
        out = session.run("Compare-VM -Name VM1 -DestinationHost HV02")
        assert "is not supported by hvemu" in out.stderr
    finally:
        session.discard()
