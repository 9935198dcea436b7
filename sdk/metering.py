"""Measure-VM's report: `VMMeteringReport` (Microsoft.HyperV.PowerShell.VMMeteringReportForVirtualMachine)
with its network ACL reports and per-disk metrics, in the module's property names and order
(ComputerName, VMId, VMName, MeteringDuration, then the figures, as a 2012 host's Format-List showed
them, with the later module's CimSession first and its disk figures before the two arrays)."""

from __future__ import annotations

import datetime as dt

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise
from hyperv_emu.sdk.types import HardDrive, NetworkAdapter
from hyperv_emu.sdk.vmparts import CIM_SESSION, _PSEnum, ps


class VMNetworkAdapterAclDirection(_PSEnum):
    __ps_type_name__ = "Microsoft.HyperV.PowerShell.VMNetworkAdapterAclDirection"
    Inbound = 1
    Outbound = 2
    Both = 3


@attrs.frozen(eq=False, repr=False, kw_only=True)
class PortAclMeteringReport(Fieldwise):
    """Microsoft.HyperV.PowerShell.VMNetworkAdapterPortAclMeteringReport: the traffic (MB) one
    metering ACL of an adapter counted."""

    network_adapter: NetworkAdapter | None = None
    local_address: str = ""
    remote_address: str
    direction: VMNetworkAdapterAclDirection
    total_traffic: int = 0


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VHDMetrics(Fieldwise):
    """Microsoft.HyperV.PowerShell.VHDMetrics: one attached disk's storage figures."""

    virtual_hard_disk: HardDrive
    average_normalized_iops: int | None = attrs.field(default=0, metadata=ps("AverageNormalizedIOPS"))
    average_latency: int | None = 0
    data_read: int | None = 0
    data_written: int | None = 0
    normalized_io_count: int | None = attrs.field(default=0, metadata=ps("NormalizedIOCount"))


@attrs.frozen(eq=False, repr=False, kw_only=True)
class VMMeteringReport(Fieldwise):
    """Measure-VM's object. Processor usage in MHz, memory and disk in MB, over MeteringDuration.
    The module adds the alias properties AvgCPU, AvgRAM, MinRAM, MaxRAM and TotalDisk."""

    cim_session: str = CIM_SESSION
    computer_name: str = ""
    vm_id: str = attrs.field(metadata=ps("VMId"))
    vm_name: str = attrs.field(metadata=ps("VMName"))
    metering_duration: dt.timedelta | None = None
    average_processor_usage: int | None = None
    average_memory_usage: int | None = None
    maximum_memory_usage: int | None = None
    minimum_memory_usage: int | None = None
    total_disk_allocation: int | None = None
    aggregated_average_normalized_iops: int | None = attrs.field(default=0,
                                                                  metadata=ps("AggregatedAverageNormalizedIOPS"))
    aggregated_average_latency: int | None = 0
    aggregated_disk_data_read: int | None = 0
    aggregated_disk_data_written: int | None = 0
    aggregated_normalized_io_count: int | None = attrs.field(default=0, metadata=ps("AggregatedNormalizedIOCount"))
    network_metered_traffic_report: tuple[PortAclMeteringReport, ...] = ()
    hard_disk_metrics: tuple[VHDMetrics, ...] = ()

    def traffic(self, direction: VMNetworkAdapterAclDirection) -> int:
        """NetworkInbound(M) / NetworkOutbound(M): the ACL reports' traffic in one direction."""
        return sum(r.total_traffic for r in self.network_metered_traffic_report if r.direction is direction)
