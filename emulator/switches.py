"""The host's virtual switches: New-VMSwitch, Set-VMSwitch, Rename-VMSwitch, Remove-VMSwitch.

- A switch is Private (VMs only), Internal (VMs and the host) or External (bound to one of the
  host's physical adapters, `HostRecord.physical_adapters`). New-VMSwitch -NetAdapterName makes
  an External switch; -AllowManagementOS (default true) shares it with the host. A physical
  adapter takes one External switch: a second fails as Hyper-V's does ("already bound to the
  Microsoft Virtual Switch protocol", ObjectInUse / ResourceBusy).
- Names need not be unique: Hyper-V creates a second switch of the same name (scripts check with
  Get-VMSwitch first). A VM's adapter names its switch; a rename or removal changes the adapters
  only when no other switch keeps the old name.
- Remove-VMSwitch fails while a running (or paused, or saved) VM's adapter is connected
  ("cannot be deleted because it is being used by running virtual machines"); the adapters of VMs
  that are off become not connected. A checkpoint keeps the name it captured; applying it leaves
  an adapter of a removed switch not connected (emulator.checkpoints).
- The host shares an Internal or External switch (AllowManagementOS) through a virtual adapter of
  its own, "vEthernet (<switch>)": Get-NetAdapter lists it after the physical adapters, and
  Get-VMNetworkAdapter -ManagementOS lists it by the switch's name.
- Set-VMSwitch -SwitchType turns an Internal switch Private or back (not External: that takes
  -NetAdapterName, which makes any switch External on that adapter).
"""

from __future__ import annotations

import hashlib

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import EmulatorError, InvalidArgument
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, NetworkAdapterRecord, SwitchRecord, VMStateName
from hyperv_emu.emulator.transaction import Transaction

SWITCH_TYPES = ("Private", "Internal", "External")


class SwitchInUse(EmulatorError):
    """Remove-VMSwitch of a switch a running VM uses (the module's text, as a DSC run logged it)."""

    error_id = "ObjectInUse"
    category = "ResourceBusy"

    def __init__(self, name: str) -> None:
        super().__init__(f"Failed while removing virtual Ethernet switch.\nThe virtual switch '{name}' cannot be "
                         f"deleted because it is being used by running virtual machines or assigned to child pools.",
                         target=name)


class AdapterAlreadyBound(EmulatorError):
    """New-/Set-VMSwitch -NetAdapterName of a physical adapter another External switch holds."""

    error_id = "ObjectInUse"
    category = "ResourceBusy"

    def __init__(self, description: str) -> None:
        super().__init__(f"Failed while adding virtual Ethernet switch connections.\nExternal Ethernet adapter "
                         f"'{description}' is already bound to the Microsoft Virtual Switch protocol.",
                         target=description)


class PhysicalAdapterNotFound(EmulatorError):
    """-NetAdapterName / -NetAdapterInterfaceDescription that names none of the host's adapters
    (the NetAdapter module's CIM query error, which New-VMSwitch passes on)."""

    error_id = "ObjectNotFound"
    category = "ObjectNotFound"

    def __init__(self, prop: str, value: str) -> None:
        super().__init__(f"No MSFT_NetAdapter objects found with property '{prop}' equal to '{value}'.  Verify the "
                         f"value of the property and retry.", target=value)


@attrs.frozen(eq=False, repr=False)
class SwitchView(Fieldwise):
    name: str
    id: str
    switch_type: str
    computer_name: str
    allow_management_os: bool = False  # the host shares an Internal or External switch (a Private one it cannot)
    notes: str = ""
    net_adapter_interface_description: str = ""  # an External switch's adapter
    bandwidth_reservation_mode: str = "Weight"


@attrs.frozen(eq=False, repr=False)
class SwitchChanges(Fieldwise):
    """One New-/Set-/Rename-VMSwitch call; None leaves a setting alone (New-VMSwitch: its default)."""

    name: str | None = None
    switch_type: str | None = None
    net_adapter: str | None = None  # a physical adapter's name
    net_adapter_description: str | None = None  # ... or its InterfaceDescription
    allow_management_os: bool | None = None
    notes: str | None = None
    bandwidth_mode: str | None = None  # New-VMSwitch -MinimumBandwidthMode: Default | Weight | Absolute | None


BANDWIDTH_MODES = ("Default", "Weight", "Absolute", "None")


def view(host: HostRecord, s: SwitchRecord) -> SwitchView:
    described = host.physical_adapters.get(s.net_adapter, "") if s.net_adapter else ""
    return SwitchView(s.name, s.id, s.switch_type, winpath.netbios_name(host.name),
                      allow_management_os=s.switch_type != "Private" and s.allow_management_os, notes=s.notes,
                      net_adapter_interface_description=described, bandwidth_reservation_mode=s.bandwidth_mode)


def views(host: HostRecord) -> list[SwitchView]:
    return [view(host, s) for s in host.switches]


@attrs.frozen(eq=False, repr=False)
class HostAdapterView(Fieldwise):
    """One of the host's network adapters as Get-NetAdapter shows it: a physical one, or the
    virtual one ("vEthernet (<switch>)") the host has on a switch it shares."""

    name: str
    interface_description: str
    if_index: int
    mac_address: str  # "A0-36-9F-12-34-56"
    speed: int  # bits per second
    virtual: bool
    switch_name: str = ""  # a virtual adapter's switch


def _host_mac(prefix: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest().upper()
    text = prefix + digest[:6]
    return "-".join(text[i:i + 2] for i in range(0, 12, 2))


def host_adapters(host: HostRecord, seed: str) -> list[HostAdapterView]:
    """The host's adapters: its physical ones (an Intel OUI, 1 Gbps), then one virtual adapter
    per Internal or External switch it shares ("Hyper-V Virtual Ethernet Adapter", numbered from
    #2 as Windows numbers a second instance of a device; an External switch's takes its physical
    adapter's address, as Hyper-V moves the host's identity onto it)."""
    physical = [HostAdapterView(name, description, 10 + i, _host_mac("A0369F", f"{seed}:{name.casefold()}"),
                                10**9, False)
                for i, (name, description) in enumerate(host.physical_adapters.items())]
    macs = {a.name: a.mac_address for a in physical}
    out = list(physical)
    for i, s in enumerate(x for x in host.switches if x.switch_type != "Private" and x.allow_management_os):
        mac = macs.get(s.net_adapter or "") or _host_mac("00155D", f"{seed}:{s.id}")
        out.append(HostAdapterView(f"vEthernet ({s.name})", "Hyper-V Virtual Ethernet Adapter" + (f" #{i + 1}" if i else ""),
                                   30 + i, mac, 10 * 10**9, True, switch_name=s.name))
    return out


def by_id(host: HostRecord, switch_id: str) -> SwitchRecord:
    key = switch_id.strip("{}").casefold()
    found = next((s for s in host.switches if s.id.casefold() == key), None)
    if found is None:
        raise InvalidArgument(f'Hyper-V was unable to find a virtual switch with id "{switch_id}".', target=switch_id)
    return found


def _physical(host: HostRecord, c: SwitchChanges) -> str | None:
    """The physical adapter's name that -NetAdapterName or -NetAdapterInterfaceDescription names."""
    if c.net_adapter is not None:
        name = next((n for n in host.physical_adapters if n.casefold() == c.net_adapter.casefold()), None)
        if name is None:
            raise PhysicalAdapterNotFound("Name", c.net_adapter)
        return name
    if c.net_adapter_description is not None:
        wanted = c.net_adapter_description.casefold()
        name = next((n for n, d in host.physical_adapters.items() if d.casefold() == wanted), None)
        if name is None:
            raise PhysicalAdapterNotFound("InterfaceDescription", c.net_adapter_description)
        return name
    return None


def _bind(host: HostRecord, switch: SwitchRecord | None, adapter: str) -> None:
    holder = next((s for s in host.switches if s.net_adapter == adapter and s is not switch), None)
    if holder is not None:
        raise AdapterAlreadyBound(host.physical_adapters[adapter])


def _check_name(name: str) -> str:
    if not name.strip():
        raise InvalidArgument("The virtual switch name cannot be empty.", target=name)
    return name


def _check_type(switch_type: str) -> str:
    found = next((t for t in SWITCH_TYPES if t.casefold() == switch_type.casefold()), None)
    if found is None:
        raise InvalidArgument(f"'{switch_type}' is not a virtual switch type: Private, Internal or External.",
                              target=switch_type)
    return found


def new(tx: Transaction, host: HostRecord, c: SwitchChanges) -> SwitchRecord:
    name = _check_name(c.name or "")
    adapter = _physical(host, c)
    if adapter is not None:
        _bind(host, None, adapter)
        switch_type = "External"
    else:
        switch_type = _check_type(c.switch_type or "")
        if switch_type == "External":
            raise InvalidArgument("An External virtual switch needs a physical network adapter (-NetAdapterName or "
                                  "-NetAdapterInterfaceDescription).", target=name)
    mode = next((m for m in BANDWIDTH_MODES if m.casefold() == (c.bandwidth_mode or "Default").casefold()), None)
    if mode is None:
        raise InvalidArgument(f"'{c.bandwidth_mode}' is not a minimum bandwidth mode: "
                              f"{', '.join(BANDWIDTH_MODES)}.", target=c.bandwidth_mode or "")
    record = SwitchRecord(name=name, id=tx.new_id().lower(), switch_type=switch_type, notes=c.notes or "",
                          bandwidth_mode="Weight" if mode == "Default" else mode,
                          net_adapter=adapter,
                          allow_management_os=True if c.allow_management_os is None else c.allow_management_os)
    host.switches.append(record)
    return record


def _adapters_of(host: HostRecord) -> list[tuple[VMStateName, NetworkAdapterRecord]]:
    """Every adapter of the host's VMs and planned VMs, with its VM's state (checkpoints keep theirs)."""
    out = [(vm.state, a) for vm in host.vms for a in vm.network_adapters]
    out.extend((p.vm.state, a) for p in host.planned for a in p.vm.network_adapters)
    return out


def _name_kept(host: HostRecord, switch: SwitchRecord) -> bool:
    """Another switch has the same name, so the adapters naming it stay as they are."""
    return any(s is not switch and s.name.casefold() == switch.name.casefold() for s in host.switches)


def change(host: HostRecord, switch: SwitchRecord, c: SwitchChanges) -> None:
    """Set-VMSwitch / Rename-VMSwitch: all changes or none."""
    new_name = _check_name(c.name) if c.name is not None else None
    adapter = _physical(host, c)
    if adapter is not None:
        _bind(host, switch, adapter)
    switch_type = _check_type(c.switch_type) if c.switch_type is not None else None
    if switch_type == "External" and adapter is None and switch.net_adapter is None:
        raise InvalidArgument("An External virtual switch needs a physical network adapter (-NetAdapterName or "
                              "-NetAdapterInterfaceDescription).", target=switch.name)
    if new_name is not None and new_name != switch.name:
        if not _name_kept(host, switch):
            for _state, a in _adapters_of(host):
                if a.switch is not None and a.switch.casefold() == switch.name.casefold():
                    a.switch = new_name
        switch.name = new_name
    if adapter is not None:
        switch.net_adapter, switch.switch_type = adapter, "External"
    elif switch_type is not None and switch_type != switch.switch_type:
        switch.switch_type = switch_type
        if switch_type != "External":
            switch.net_adapter = None
    if c.allow_management_os is not None:
        switch.allow_management_os = c.allow_management_os
    if c.notes is not None:
        switch.notes = c.notes


def remove(host: HostRecord, switch: SwitchRecord) -> None:
    connected = [] if _name_kept(host, switch) else [
        (state, a) for state, a in _adapters_of(host)
        if a.switch is not None and a.switch.casefold() == switch.name.casefold()]
    if any(state is not VMStateName.OFF for state, _a in connected):
        raise SwitchInUse(switch.name)
    for _state, a in connected:
        a.switch = None
    host.switches.remove(switch)
