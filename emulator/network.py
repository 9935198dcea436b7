"""A VM's network adapters and the host's virtual switches, as Get-VMNetworkAdapter and
Get-VMSwitch show them.

- A VM has the adapters its record lists: New-VM gives one, "Network Adapter", not connected
  (SwitchName null); a world may list others, connected to the host's [[switch]]es, or none.
- A host has the switches its world declares (none by default).
- Set-VMNetworkAdapter -StaticMacAddress / -DynamicMacAddress changes the address only while the
  VM is Off (Hyper-V Manager greys the setting out otherwise); -MacAddressSpoofing and
  Set-VMNetworkAdapterVlan (-Access -VlanId, -Untagged) apply in any state.
- An adapter's MAC address is dynamic: Hyper-V takes it from the host's pool, whose prefix is
  Microsoft's 00-15-5D. The emulator derives the rest from the world's id seed, the VM's id and
  the adapter's position, so a world gives the same addresses on every run.
"""

from __future__ import annotations

import hashlib

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import InvalidArgument, InvalidVMState, SwitchNotFound
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, NetworkAdapterRecord, Settings, VirtualMachineRecord, VMStateName

MAC_PREFIX = "00155D"


@attrs.frozen(eq=False, repr=False)
class AdapterView(Fieldwise):
    name: str
    vm_name: str
    vm_id: str
    switch_name: str | None
    switch_id: str | None
    mac_address: str
    status: str  # "Ok" while the VM runs, "" otherwise
    computer_name: str
    dynamic_mac_address_enabled: bool = True
    mac_address_spoofing: bool = False
    access_vlan: int | None = None  # None: untagged


@attrs.frozen(eq=False, repr=False)
class AdapterChanges(Fieldwise):
    """One Set-VMNetworkAdapter / Set-VMNetworkAdapterVlan call; None leaves a setting alone."""

    static_mac: str | None = None
    dynamic_mac: bool = False
    mac_spoofing: bool | None = None
    vlan_mode: str | None = None  # "Access" (with vlan_id) or "Untagged"
    vlan_id: int | None = None


@attrs.frozen(eq=False, repr=False)
class SwitchView(Fieldwise):
    name: str
    id: str
    switch_type: str
    computer_name: str
    allow_management_os: bool = False  # the host shares an Internal or External switch (a Private one it cannot)


def mac_address(settings: Settings, vm: VirtualMachineRecord, index: int) -> str:
    digest = hashlib.sha256(f"{settings.id_seed}:{vm.id.casefold()}:{index}".encode()).hexdigest()
    return MAC_PREFIX + digest[:6].upper()


def adapters(host: HostRecord, vm: VirtualMachineRecord, settings: Settings) -> list[AdapterView]:
    ids = {s.name.casefold(): s.id for s in host.switches}
    running = vm.state in (VMStateName.RUNNING, VMStateName.PAUSED)
    return [AdapterView(name=a.name, vm_name=vm.name, vm_id=vm.id, switch_name=a.switch,
                        switch_id=ids.get(a.switch.casefold()) if a.switch else None,
                        mac_address=a.static_mac or mac_address(settings, vm, i), status="Ok" if running else "",
                        computer_name=winpath.netbios_name(host.name),
                        dynamic_mac_address_enabled=a.static_mac is None, mac_address_spoofing=a.mac_spoofing,
                        access_vlan=a.access_vlan)
            for i, a in enumerate(vm.network_adapters)]


def _adapter(vm: VirtualMachineRecord, adapter: str) -> NetworkAdapterRecord:
    record = next((a for a in vm.network_adapters if a.name.casefold() == adapter.casefold()), None)
    if record is None:
        raise InvalidArgument(f"The network adapter '{adapter}' was not found on virtual machine '{vm.name}'.",
                              target=adapter)
    return record


def _static_mac(value: str) -> str:
    """12 hexadecimal digits (separators '-' and ':' allowed), upper case, not a multicast address."""
    digits = value.replace("-", "").replace(":", "").upper()
    if len(digits) != 12 or any(c not in "0123456789ABCDEF" for c in digits) or int(digits[1], 16) & 1:
        raise InvalidArgument(f"'{value}' is not a valid static MAC address: twelve hexadecimal digits of a "
                              f"unicast address are expected.", target=value)
    return digits


def configure(vm: VirtualMachineRecord, adapter: str, c: AdapterChanges) -> None:
    """Set-VMNetworkAdapter (-StaticMacAddress, -DynamicMacAddress, -MacAddressSpoofing) and
    Set-VMNetworkAdapterVlan (-Access -VlanId, -Untagged): all changes or none."""
    record = _adapter(vm, adapter)
    static = _static_mac(c.static_mac) if c.static_mac is not None else None
    if (static is not None or c.dynamic_mac) and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)
    if c.vlan_mode == "Access" and (c.vlan_id is None or not 1 <= c.vlan_id <= 4094):
        raise InvalidArgument(f"The VLAN identifier {c.vlan_id} is out of range: it must be between 1 and 4094.",
                              target=str(c.vlan_id))
    if c.vlan_mode not in (None, "Access", "Untagged"):
        raise InvalidArgument(f"The VLAN mode '{c.vlan_mode}' is not emulated.", target=c.vlan_mode)
    if static is not None:
        record.static_mac = static
    elif c.dynamic_mac:
        record.static_mac = None
    if c.mac_spoofing is not None:
        record.mac_spoofing = c.mac_spoofing
    if c.vlan_mode is not None:
        record.access_vlan = c.vlan_id if c.vlan_mode == "Access" else None


def connect(host: HostRecord, vm: VirtualMachineRecord, adapter: str, switch: str | None) -> None:
    """Connect an adapter to a switch of the host (Connect-VMNetworkAdapter), or disconnect it
    (None, Disconnect-VMNetworkAdapter)."""
    record = _adapter(vm, adapter)
    if switch is not None:
        found = next((s for s in host.switches if s.name.casefold() == switch.casefold()), None)
        if found is None:
            raise SwitchNotFound(switch)
        switch = found.name
    record.switch = switch


def switches(host: HostRecord) -> list[SwitchView]:
    return [SwitchView(s.name, s.id, s.switch_type, winpath.netbios_name(host.name),
                       allow_management_os=s.switch_type != "Private") for s in host.switches]
