"""A VM's network adapters and the host's virtual switches, as Get-VMNetworkAdapter and
Get-VMSwitch show them.

- A VM has the adapters its record lists: New-VM gives one, "Network Adapter", not connected
  (SwitchName null); a world may list others, connected to the host's [[switch]]es, or none.
- A host has the switches its world declares (none by default) and New-VMSwitch makes
  (emulator.switches).
- Add-VMNetworkAdapter adds a synthetic adapter ("Network Adapter"), hot-added to a running
  generation 2 VM, or a legacy one (-IsLegacy, "Legacy Network Adapter": a generation 1 VM that is
  off); Remove-VMNetworkAdapter removes one (a generation 1 VM's only while it is off); names need
  not be unique. Rename-VMNetworkAdapter renames one in any state.
- A checkpoint captures the adapters (name, switch, addresses, VLAN); applying it brings them back.
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

from hyperv_emu.emulator import integration, switches, winpath
from hyperv_emu.emulator.errors import InvalidArgument, InvalidVMState, SwitchNotFound
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, NetworkAdapterRecord, Settings, VirtualMachineRecord, VMStateName
from hyperv_emu.emulator.transaction import Transaction

MAC_PREFIX = "00155D"
MAX_SYNTHETIC = 64  # a Server 2016+ VM's network adapters, and legacy ones (generation 1)
MAX_LEGACY = 4
# Set-VMNetworkAdapter's On/Off settings kept as they are set (nothing depends on them)
FEATURES = ("DhcpGuard", "RouterGuard", "IeeePriorityTag", "AllowTeaming", "DeviceNaming")


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
    is_legacy: bool = False
    ip_addresses: tuple[str, ...] = ()
    is_management_os: bool = False
    features: tuple[str, ...] = ()  # the FEATURES that are On


@attrs.frozen(eq=False, repr=False)
class AdapterChanges(Fieldwise):
    """One Set-VMNetworkAdapter / Set-VMNetworkAdapterVlan / Rename-VMNetworkAdapter call; None
    leaves a setting alone."""

    static_mac: str | None = None
    dynamic_mac: bool = False
    mac_spoofing: bool | None = None
    vlan_mode: str | None = None  # "Access" (with vlan_id) or "Untagged"
    vlan_id: int | None = None
    new_name: str | None = None
    features: tuple[tuple[str, bool], ...] = ()  # (one of FEATURES, On)


@attrs.frozen(eq=False, repr=False)
class NewAdapter(Fieldwise):
    """One Add-VMNetworkAdapter call."""

    name: str | None = None  # None: "Network Adapter" ("Legacy Network Adapter" with is_legacy)
    switch: str | None = None
    static_mac: str | None = None
    is_legacy: bool = False


def mac_address(settings: Settings, vm: VirtualMachineRecord, index: int | str) -> str:
    """A dynamic address from the host's pool: index, the adapter's position (the adapters a
    world or New-VM gave), or a fresh id (an adapter added later)."""
    digest = hashlib.sha256(f"{settings.id_seed}:{vm.id.casefold()}:{index}".encode()).hexdigest()
    return MAC_PREFIX + digest[:6].upper()


def _current_mac(settings: Settings, vm: VirtualMachineRecord, index: int, a: NetworkAdapterRecord) -> str:
    return a.static_mac or a.dynamic_mac or mac_address(settings, vm, index)


def ip_addresses(switch: str, mac: str) -> tuple[str, ...]:
    """The addresses a guest reports for a connected adapter: an IPv4 address in a /24 of its
    switch and an IPv6 link-local one, both derived from the switch's name and the adapter's
    MAC address (the emulator has no DHCP; a world gives the same addresses on every run)."""
    net = hashlib.sha256(switch.casefold().encode()).digest()
    nic = hashlib.sha256(mac.encode()).digest()
    link = ":".join(f"{nic[i]:x}{nic[i + 1]:02x}" for i in range(1, 9, 2))
    return (f"192.168.{net[0] % 200 + 20}.{nic[0] % 200 + 20}", f"fe80::{link}")


def adapters(host: HostRecord, vm: VirtualMachineRecord, settings: Settings) -> list[AdapterView]:
    """The VM's adapters; a running guest whose Key-Value Pair Exchange service answers reports
    the addresses of the connected ones (IPAddresses, as Wait-VM -For IPAddress waits for)."""
    if not vm.network_adapters:
        return []
    ids = {s.name.casefold(): s.id for s in host.switches} if host.switches else {}
    running = vm.state in (VMStateName.RUNNING, VMStateName.PAUSED)
    reports = running and any(a.switch for a in vm.network_adapters) and (
        integration.heartbeat(vm) == "OkApplicationsUnknown" and integration.enabled(vm, "Key-Value Pair Exchange"))
    computer = winpath.netbios_name(host.name)
    out: list[AdapterView] = []
    for i, a in enumerate(vm.network_adapters):
        mac = _current_mac(settings, vm, i, a)
        out.append(AdapterView(
            name=a.name, vm_name=vm.name, vm_id=vm.id, switch_name=a.switch,
            switch_id=ids.get(a.switch.casefold()) if a.switch else None, mac_address=mac,
            status="Ok" if running else "", computer_name=computer,
            dynamic_mac_address_enabled=a.static_mac is None, mac_address_spoofing=a.mac_spoofing,
            access_vlan=a.access_vlan, is_legacy=a.is_legacy, features=tuple(a.features),
            ip_addresses=ip_addresses(a.switch, mac) if reports and a.switch else ()))
    return out


def management_adapters(host: HostRecord, settings: Settings) -> list[AdapterView]:
    """Get-VMNetworkAdapter -ManagementOS: the host's adapter on each switch it shares, named
    after the switch (emulator.switches.host_adapters)."""
    ids = {s.name: s.id for s in host.switches}
    return [AdapterView(name=h.switch_name, vm_name="", vm_id="", switch_name=h.switch_name,
                        switch_id=ids.get(h.switch_name), mac_address=h.mac_address.replace("-", ""), status="Ok",
                        computer_name=winpath.netbios_name(host.name), is_management_os=True)
            for h in switches.host_adapters(host, settings.id_seed) if h.virtual]


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
    """Set-VMNetworkAdapter (-StaticMacAddress, -DynamicMacAddress, -MacAddressSpoofing),
    Set-VMNetworkAdapterVlan (-Access -VlanId, -Untagged) and Rename-VMNetworkAdapter: all
    changes or none."""
    record = _adapter(vm, adapter)
    if c.new_name is not None and not c.new_name.strip():
        raise InvalidArgument("The network adapter name cannot be empty.", target=c.new_name)
    static = _static_mac(c.static_mac) if c.static_mac is not None else None
    if (static is not None or c.dynamic_mac) and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)
    if c.vlan_mode == "Access" and (c.vlan_id is None or not 1 <= c.vlan_id <= 4094):
        raise InvalidArgument(f"The VLAN identifier {c.vlan_id} is out of range: it must be between 1 and 4094.",
                              target=str(c.vlan_id))
    if c.vlan_mode not in (None, "Access", "Untagged"):
        raise InvalidArgument(f"The VLAN mode '{c.vlan_mode}' is not emulated.", target=c.vlan_mode)
    unknown = [name for name, _on in c.features if name not in FEATURES]
    if unknown:
        raise InvalidArgument(f"'{unknown[0]}' is not a network adapter setting of the emulator.", target=unknown[0])
    if static is not None:
        record.static_mac = static
    elif c.dynamic_mac:
        record.static_mac = None
    if c.mac_spoofing is not None:
        record.mac_spoofing = c.mac_spoofing
    if c.vlan_mode is not None:
        record.access_vlan = c.vlan_id if c.vlan_mode == "Access" else None
    if c.new_name is not None:
        record.name = c.new_name
    if c.features:
        on = set(record.features)
        for name, value in c.features:
            (on.add if value else on.discard)(name)
        record.features = [f for f in FEATURES if f in on]


def _switch_name(host: HostRecord, switch: str) -> str:
    found = next((s for s in host.switches if s.name.casefold() == switch.casefold()), None)
    if found is None:
        raise SwitchNotFound(switch)
    return found.name


def add(tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, new: NewAdapter) -> NetworkAdapterRecord:
    """Add-VMNetworkAdapter: a synthetic adapter (hot-added to a running generation 2 VM) or a
    legacy one (a generation 1 VM, while it is off); its dynamic address is a fresh one."""
    if new.is_legacy and vm.generation != 1:
        raise InvalidArgument("Legacy network adapters are not supported by generation 2 virtual machines.",
                              target=vm.name)
    if vm.state is not VMStateName.OFF and (new.is_legacy or vm.generation == 1):
        raise InvalidVMState(vm.name)
    count = sum(1 for a in vm.network_adapters if a.is_legacy == new.is_legacy)
    if count >= (MAX_LEGACY if new.is_legacy else MAX_SYNTHETIC):
        kind = "legacy network adapters" if new.is_legacy else "network adapters"
        raise InvalidArgument(f"The virtual machine '{vm.name}' already has the most {kind} it can have "
                              f"({count}).", target=vm.name)
    name = new.name if new.name is not None else ("Legacy Network Adapter" if new.is_legacy else "Network Adapter")
    if not name.strip():
        raise InvalidArgument("The network adapter name cannot be empty.", target=name)
    record = NetworkAdapterRecord(
        name=name, switch=_switch_name(host, new.switch) if new.switch is not None else None,
        static_mac=_static_mac(new.static_mac) if new.static_mac is not None else None, is_legacy=new.is_legacy,
        dynamic_mac=mac_address(tx.state.settings, vm, tx.new_id()))
    vm.network_adapters.append(record)
    return record


def remove(settings: Settings, vm: VirtualMachineRecord, name: str) -> None:
    """Remove-VMNetworkAdapter of one adapter (the first of that name): hot-removed from a running
    generation 2 VM (a synthetic one); the others keep their addresses."""
    adapter = _adapter(vm, name)
    if vm.state is not VMStateName.OFF and (adapter.is_legacy or vm.generation == 1):
        raise InvalidVMState(vm.name)
    for i, a in enumerate(vm.network_adapters):
        if a.dynamic_mac is None:
            a.dynamic_mac = mac_address(settings, vm, i)
    vm.network_adapters.remove(adapter)


def captured(settings: Settings, vm: VirtualMachineRecord) -> list[NetworkAdapterRecord]:
    """Copies of the VM's adapters for a checkpoint, each with the address it has now."""
    return [NetworkAdapterRecord(name=a.name, switch=a.switch, static_mac=a.static_mac, mac_spoofing=a.mac_spoofing,
                                 access_vlan=a.access_vlan, is_legacy=a.is_legacy,
                                 dynamic_mac=a.dynamic_mac or mac_address(settings, vm, i), features=list(a.features))
            for i, a in enumerate(vm.network_adapters)]


def restored(host: HostRecord, adapters: list[NetworkAdapterRecord]) -> list[NetworkAdapterRecord]:
    """A checkpoint's adapters as the VM gets them back: one of a switch that is gone is not connected."""
    names = {s.name.casefold() for s in host.switches}
    return [NetworkAdapterRecord(name=a.name, switch=a.switch if a.switch and a.switch.casefold() in names else None,
                                 static_mac=a.static_mac, mac_spoofing=a.mac_spoofing, access_vlan=a.access_vlan,
                                 is_legacy=a.is_legacy, dynamic_mac=a.dynamic_mac, features=list(a.features))
            for a in adapters]


def connect(host: HostRecord, vm: VirtualMachineRecord, adapter: str, switch: str | None) -> None:
    """Connect an adapter to a switch of the host (Connect-VMNetworkAdapter), or disconnect it
    (None, Disconnect-VMNetworkAdapter)."""
    record = _adapter(vm, adapter)
    record.switch = _switch_name(host, switch) if switch is not None else None
