"""Enable-/Disable-/Reset-VMResourceMetering and Measure-VM through psshim.

Expected texts: Measure-VM's default table (its header as Microsoft's resource-metering blog post
prints it: VMName, AvgCPU(MHz), AvgRAM(M), MaxRAM(M), MinRAM(M), TotalDisk(M), NetworkInbound(M),
NetworkOutbound(M), values left-aligned), the alias properties AvgCPU/AvgRAM/MinRAM/MaxRAM/TotalDisk
listed first by Format-List (same post), the module's MetricsDisabledForVM text and its
ObjectNotFound error (MeasureVM.cs, ExceptionHelper.CreateObjectNotFoundException).
"""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[[str], tuple[str, str]]
DISABLED = ("Measure-VM : Resource metering is not enabled for this virtual machine. Use the "
            "Enable-VMResourceMetering cmdlet to")


def test_measure_vm_needs_metering_enabled(run: Run) -> None:
    out, err = run("Measure-VM SRV-APP01; 'after'")
    assert out.strip() == "after"
    assert DISABLED in err
    assert "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.MeasureVM" in err


def test_enable_then_measure_prints_the_modules_table(run: Run) -> None:
    out, err = run("Get-VM | Enable-VMResourceMetering; Get-VM | Measure-VM")
    assert err == ""
    lines = [line.rstrip() for line in out.strip().splitlines()]
    assert lines == [
        "VMName    AvgCPU(MHz) AvgRAM(M) MaxRAM(M) MinRAM(M) TotalDisk(M) NetworkInbound(M) NetworkOutbound(M)",
        "------    ----------- --------- --------- --------- ------------ ----------------- ------------------",
        "SRV-APP01 0           0         0         0         10240        0                 0",
        "SRV-WEB01 0           2048      2048      2048      0            0                 0",
    ]


def test_report_properties_aliases_and_acls(run: Run) -> None:
    out, err = run("Enable-VMResourceMetering -VMName SRV-WEB01; $r = Measure-VM -VM (Get-VM SRV-WEB01); "
                   "$r.GetType().FullName; ($r.PSObject.Properties.Name | Select-Object -First 8) -join ','; "
                   "$r.MaxRAM; @($r.NetworkMeteredTrafficReport).Count; "
                   "($r.NetworkMeteredTrafficReport | ForEach-Object { \"$($_.Direction) $($_.RemoteAddress)\" }) -join ';'; "
                   "(Get-VM SRV-WEB01).ResourceMeteringEnabled")
    assert err == ""
    assert out.split("\n")[:6] == [
        "Microsoft.HyperV.PowerShell.VMMeteringReportForVirtualMachine",
        "AvgCPU,AvgRAM,MinRAM,MaxRAM,TotalDisk,CimSession,ComputerName,VMId",
        "2048",
        "4",
        "Inbound *.*;Inbound *:*;Outbound *.*;Outbound *:*",
        "True",
    ]


def test_reset_and_disable(run: Run) -> None:
    out, err = run("Enable-VMResourceMetering -VMName SRV-WEB01; Start-Sleep 120; "
                   "(Measure-VM SRV-WEB01).MeteringDuration.TotalSeconds; Reset-VMResourceMetering -VMName SRV-WEB01; "
                   "(Measure-VM SRV-WEB01).MeteringDuration.TotalSeconds; Disable-VMResourceMetering -VMName SRV-WEB01; "
                   "(Get-VM SRV-WEB01).ResourceMeteringEnabled; Measure-VM SRV-WEB01 -ErrorAction SilentlyContinue; "
                   "$Error.Count")
    assert err == ""
    assert out.split() == ["120", "0", "False", "1"]


def test_resource_pool_set_is_not_emulated(run: Run) -> None:
    _out, err = run("Enable-VMResourceMetering -ResourcePoolName Pool1")
    assert "Enable-VMResourceMetering -ResourcePoolName is not supported by hvemu." in err


def test_unknown_vm(run: Run) -> None:
    _out, err = run("Measure-VM NOPE")
    assert 'Hyper-V was unable to find a virtual machine with name "NOPE".' in err
