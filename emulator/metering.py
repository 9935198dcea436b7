"""Resource metering: Enable-/Disable-/Reset-VMResourceMetering and Measure-VM's figures.

A VM's metering window starts when metering is enabled or reset (`metering_since`); Measure-VM
of a VM whose metering is off fails as the module does (MetricsDisabledForVM). What the
emulator can know it reports as Hyper-V documents it (Measure-VM's page):

- TotalDiskAllocation: the capacity of every attached virtual hard disk plus the physical size of
  the VM's checkpoint differencing disks, in MB;
- memory: a VM with static memory reports the memory configured for it (average, minimum and
  maximum alike) while it runs, 0 while it does not (nothing is allocated to it);
- processor (MHz) and network traffic (MB) are 0: no guest code runs in the emulator, and a VM's
  adapters carry no traffic. Enabling metering gives each adapter the four metering ACLs a host
  adds (inbound and outbound, IPv4 and IPv6), each reporting its traffic.

The figures describe the VM now rather than aggregating its history over the window (the
difference is listed in docs/differences.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator import vhdrules
from hyperv_emu.emulator.errors import EmulatorError, MeteringDisabled
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, VirtualMachineRecord, VMStateName

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

MB = 1024 * 1024

# The metering ACLs Enable-VMResourceMetering adds to an adapter (MetricUtilities in the module:
# Inbound and Outbound, each for 0.0.0.0/0 and ::/0, shown as *.* and *:*).
ACL_DIRECTIONS = ("Inbound", "Outbound")
ACL_REMOTE_ADDRESSES = ("*.*", "*:*")


@attrs.frozen(eq=False, repr=False)
class MeteringView(Fieldwise):
    """Measure-VM's figures for one VM (sizes in MB, processor in MHz)."""

    vm_id: str
    vm_name: str
    duration: dt.timedelta
    average_processor_usage: int
    average_memory_usage: int
    maximum_memory_usage: int
    minimum_memory_usage: int
    total_disk_allocation: int
    # (adapter name, direction, remote address, traffic in MB), one per metering ACL
    acl_traffic: tuple[tuple[str, str, str, int], ...]


def enable(vm: VirtualMachineRecord, now: dt.datetime) -> None:
    """Enable-VMResourceMetering: a VM already metered keeps its window."""
    if vm.metering_since is None:
        vm.metering_since = now


def disable(vm: VirtualMachineRecord) -> None:
    vm.metering_since = None


def reset(vm: VirtualMachineRecord, now: dt.datetime) -> None:
    """Reset-VMResourceMetering: the collected data is discarded, a new window starts. A VM whose
    metering is off has nothing to reset (the module's call succeeds)."""
    if vm.metering_since is not None:
        vm.metering_since = now


def measure(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord, now: dt.datetime) -> MeteringView:
    if vm.metering_since is None:
        raise MeteringDisabled(vm.name)
    memory = vm.memory_startup // MB if vm.state in (VMStateName.RUNNING, VMStateName.PAUSED) else 0
    return MeteringView(
        vm_id=vm.id, vm_name=vm.name, duration=max(dt.timedelta(0), now - vm.metering_since),
        average_processor_usage=0, average_memory_usage=memory, maximum_memory_usage=memory,
        minimum_memory_usage=memory, total_disk_allocation=_disk_allocation(tx, host, vm) // MB,
        acl_traffic=tuple((a.name, d, r, 0) for a in vm.network_adapters for d in ACL_DIRECTIONS
                          for r in ACL_REMOTE_ADDRESSES),
    )


def _disk_allocation(tx: "Transaction", host: HostRecord, vm: VirtualMachineRecord) -> int:
    """Bytes: the attached disks' capacity plus the checkpoints' differencing disks on disk."""
    attached = {d.path.casefold() for d in vm.disks}
    total = 0
    for d in vm.disks:
        try:
            total += vhdrules.vhd_facts(tx, host, d.path)[0].size
        except EmulatorError:  # a drive whose disk is missing or unreadable allocates nothing
            continue
    for f in host.disk_files:
        if f.vm_id == vm.id and f.kind == "avhdx" and f.path.casefold() not in attached:
            try:
                total += vhdrules.vhd_facts(tx, host, f.path)[0].file_size
            except EmulatorError:
                continue
    return total
