"""Resource metering through the SDK, on every backend (conftest.py).

From Measure-VM's and Enable-VMResourceMetering's pages and the decompiled module (MeasureVM.cs,
MetricUtilities.cs, CmdletErrorMessages): Measure-VM of a VM whose metering is off fails with
MetricsDisabledForVM (ObjectNotFound); enabling gives each network adapter four metering ACLs
(inbound and outbound, IPv4 and IPv6); a VM with static memory reports its configured memory;
TotalDiskAllocation is the attached disks' capacity (plus the checkpoints' disks) in MB;
Reset-VMResourceMetering starts a new window; Disable-VMResourceMetering stops metering.
"""

from __future__ import annotations

import datetime as dt

import pytest

import hvemu_testlib as T
from hyperv_emu.sdk.errors import MeteringDisabledError
from hyperv_emu.sdk.metering import VMMeteringReport, VMNetworkAdapterAclDirection

DISABLED = ("Resource metering is not enabled for this virtual machine. Use the Enable-VMResourceMetering cmdlet "
            "to enable data collection for this virtual machine.")


def test_metering_is_off_until_enabled(client, fleet):
    vm = fleet.vm("m0", disk=False)
    assert vm.resource_metering_enabled is False
    with pytest.raises(MeteringDisabledError) as caught:
        client.measure_vm(vm)
    assert caught.value.message == DISABLED
    assert (caught.value.error_id, caught.value.category) == ("ObjectNotFound", "ObjectNotFound")


def test_a_running_vm_with_static_memory_reports_its_memory_and_disk(client, fleet, emulated):
    vm = fleet.vm("m1", state="Running", memory=2 * T.GB)
    assert client.set_resource_metering(vm, True).resource_metering_enabled is True
    report = client.measure_vm(vm)
    assert isinstance(report, VMMeteringReport)
    assert (report.vm_name, report.vm_id) == (vm.name, vm.id)
    assert (report.average_memory_usage, report.minimum_memory_usage, report.maximum_memory_usage) == (2048,) * 3
    assert report.average_processor_usage == 0
    assert report.total_disk_allocation == 20 * 1024  # the 20 GB disk's capacity, in MB
    assert [d.virtual_hard_disk.path for d in report.hard_disk_metrics] == [d.path for d in vm.hard_drives]
    acls = [(r.direction, r.remote_address, r.total_traffic) for r in report.network_metered_traffic_report]
    inbound, outbound = VMNetworkAdapterAclDirection.Inbound, VMNetworkAdapterAclDirection.Outbound
    assert sorted(acls) == sorted([(inbound, "*.*", 0), (inbound, "*:*", 0), (outbound, "*.*", 0),
                                   (outbound, "*:*", 0)])
    assert report.traffic(inbound) == report.traffic(outbound) == 0


def test_an_off_vm_uses_no_memory(client, fleet):
    vm = fleet.vm("m2", disk=False)
    client.set_resource_metering(vm, True)
    report = client.measure_vm(vm)
    assert (report.average_memory_usage, report.maximum_memory_usage, report.total_disk_allocation) == (0, 0, 0)


def test_the_window_grows_with_the_clock_and_reset_starts_a_new_one(client, fleet, emulated):
    vm = fleet.vm("m3", disk=False)
    client.set_resource_metering(vm, True)
    client.sleep(90)
    first = client.measure_vm(vm).metering_duration
    if client.clock_is_virtual:
        assert first == dt.timedelta(seconds=90)
    client.set_resource_metering(vm, True)  # enabling again keeps the window
    assert client.measure_vm(vm).metering_duration == first
    client.reset_resource_metering(vm)
    if client.clock_is_virtual:
        assert client.measure_vm(vm).metering_duration == dt.timedelta(0)


def test_disable_stops_metering(client, fleet):
    vm = fleet.vm("m4", disk=False)
    client.set_resource_metering(vm, True)
    assert client.set_resource_metering(vm, False).resource_metering_enabled is False
    with pytest.raises(MeteringDisabledError):
        client.measure_vm(vm)
