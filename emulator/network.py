"""A VM's network adapters and the host's virtual switches, as Get-VMNetworkAdapter and
Get-VMSwitch show them.

- A VM has the adapters its record lists: New-VM gives one, "Network Adapter", not connected
  (SwitchName null); a world may list others, connected to the host's [[switch]]es, or none.
- A host has the switches its world declares (none by default).
- An adapter's MAC address is dynamic: Hyper-V takes it from the host's pool, whose prefix is
  Microsoft's 00-15-5D. The emulator derives the rest from the world's id seed, the VM's id and
  the adapter's position, so a world gives the same addresses on every run.
"""

from __future__ import annotations

import hashlib

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import InvalidArgument, SwitchNotFound
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, Settings, VirtualMachineRecord, VMStateName

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


@attrs.frozen(eq=False, repr=False)
class SwitchView(Fieldwise):
    name: str
    id: str
    switch_type: str
    computer_name: str


def mac_address(settings: Settings, vm: VirtualMachineRecord, index: int) -> str:
    digest = hashlib.sha256(f"{settings.id_seed}:{vm.id.casefold()}:{index}".encode()).hexdigest()
    return MAC_PREFIX + digest[:6].upper()


def adapters(host: HostRecord, vm: VirtualMachineRecord, settings: Settings) -> list[AdapterView]:
    ids = {s.name.casefold(): s.id for s in host.switches}
    running = vm.state in (VMStateName.RUNNING, VMStateName.PAUSED)
    return [AdapterView(name=a.name, vm_name=vm.name, vm_id=vm.id, switch_name=a.switch,
                        switch_id=ids.get(a.switch.casefold()) if a.switch else None,
                        mac_address=mac_address(settings, vm, i), status="Ok" if running else "",
                        computer_name=winpath.netbios_name(host.name))
            for i, a in enumerate(vm.network_adapters)]


def connect(host: HostRecord, vm: VirtualMachineRecord, adapter: str, switch: str | None) -> None:
    """Connect an adapter to a switch of the host (Connect-VMNetworkAdapter), or disconnect it
    (None, Disconnect-VMNetworkAdapter)."""
    record = next((a for a in vm.network_adapters if a.name.casefold() == adapter.casefold()), None)
    if record is None:
        raise InvalidArgument(f"The network adapter '{adapter}' was not found on virtual machine '{vm.name}'.",
                              target=adapter)
    if switch is not None:
        found = next((s for s in host.switches if s.name.casefold() == switch.casefold()), None)
        if found is None:
            raise SwitchNotFound(switch)
        switch = found.name
    record.switch = switch


def switches(host: HostRecord) -> list[SwitchView]:
    return [SwitchView(s.name, s.id, s.switch_type, winpath.netbios_name(host.name)) for s in host.switches]
