"""The Hyper-V module's network cmdlets: Get-VMNetworkAdapter (-IsLegacy, -ManagementOS, -All), Get-VMSwitch,
Add-VMNetworkAdapter (-SwitchName, -Name, -StaticMacAddress, -IsLegacy), Remove-VMNetworkAdapter,
Rename-VMNetworkAdapter, Connect-VMNetworkAdapter -SwitchName / -VMSwitch,
Disconnect-VMNetworkAdapter, Set-VMNetworkAdapter
(-StaticMacAddress, -DynamicMacAddress, -MacAddressSpoofing, -DhcpGuard, -RouterGuard,
-IeeePriorityTag, -AllowTeaming, -DeviceNaming), Set-VMNetworkAdapterVlan (-Access
-VlanId, -Untagged) and Get-VMNetworkAdapterVlan.

Thin adapters over `sdk.HyperVClient` (`get_network_adapters`, `get_switches`,
`connect_network_adapter`, `set_network_adapter`, `set_network_adapter_vlan`,
`add_network_adapter`, `remove_network_adapter`, `rename_network_adapter`). The -WhatIf texts
of Connect/Disconnect are the module's (CmdletResources); those of the two Set cmdlets follow their
pattern (inferred). Not emulated: the other Set-VMNetworkAdapter settings (DHCP/router guard,
bandwidth, ...), trunk and private VLAN modes,
-UseAutomaticConnection of Connect-VMNetworkAdapter,
the host's own adapters (-ManagementOS) but in Get-VMNetworkAdapter, a checkpoint's adapters (-VMSnapshot), resource
pools, -DeviceNaming.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv_drives import _VMDevices
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match
from hyperv_emu.sdk import contains_wildcards
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError, InvalidArgumentError
from hyperv_emu.sdk.types import NetworkAdapter, VMSwitch
from hyperv_emu.sdk.vmparts import OnOffState


def _matches(patterns: list[Any], value: str | None) -> bool:
    return not patterns or any(wildcard_match(value or "", str(p)) for p in patterns)


@hyperv_cmdlet("Get-VMNetworkAdapter")
class GetVMNetworkAdapter(_VMDevices):
    Name = Bound()
    SwitchName = Bound()
    IsLegacy = Bound()
    ManagementOS = Bound()
    All = Bound()

    def process(self) -> Iterator[Any]:
        names = self._bound_list("Name")
        switches = self._bound_list("SwitchName")
        legacy = bool(self.IsLegacy) if self.is_bound("IsLegacy") else None
        if self.ManagementOS or self.All:
            for client in self.clients():
                try:
                    found = client.get_management_os_adapters()
                    if self.All:  # every VM's adapters, then the host's
                        found = [a for vm in client.lookup_vms(None).found
                                 for a in client.get_network_adapters(vm)] + found
                except HyperVError as exc:
                    self.report(exc)
                    continue
                yield from (a for a in found
                            if _matches(names, a.name) and (not switches or _matches(switches, a.switch_name)))
            return
        for client, vm in self.vms():
            try:
                found = client.get_network_adapters(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            for a in found:
                if (_matches(names, a.name) and (not switches or _matches(switches, a.switch_name))
                        and legacy in (None, a.is_legacy)):
                    yield a


@hyperv_cmdlet("Add-VMNetworkAdapter")
class AddVMNetworkAdapter(_VMDevices):
    Name = Bound()
    SwitchName = Bound()
    IsLegacy = Bound()
    StaticMacAddress = Bound()
    DynamicMacAddress = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        name = str(self.Name) if self.is_bound("Name") else None
        switch = str(self.SwitchName) if self.is_bound("SwitchName") else None
        static = str(self.StaticMacAddress) if self.is_bound("StaticMacAddress") else None
        legacy = bool(self.IsLegacy)
        yield from self.each(self.vms(),
                             lambda vm: f'Add-VMNetworkAdapter will add a network adapter to virtual machine "{vm.name}".',
                             lambda client, vm: client.add_network_adapter(vm, name=name, switch_name=switch,
                                                                           static_mac_address=static,
                                                                           is_legacy=legacy))


@hyperv_cmdlet("Get-VMSwitch")
class GetVMSwitch(_VMDevices):
    Name = Bound()
    Id = Bound()
    SwitchType = Bound()

    def process(self) -> Iterator[Any]:
        names = self._bound_list("Name")
        ids = {str(i).casefold().strip("{}") for i in self._bound_list("Id")}
        types = {int(t) for t in self._bound_list("SwitchType")}
        for client in self.clients():
            try:
                found = client.get_switches()
            except HyperVError as exc:
                self.report(exc)
                continue
            for s in found:
                if not _matches(names, s.name) or (ids and s.id.casefold() not in ids):
                    continue
                if types and int(s.switch_type) not in types:
                    continue
                yield s
            for name in names:
                if not contains_wildcards(str(name)) and not any(_matches([name], s.name) for s in found):
                    self.report(HyperVError(f'Hyper-V was unable to find a virtual switch with name "{name}".',
                                            error_id="InvalidParameter", category="InvalidArgument",
                                            target=str(name)), name)


class _AdapterTargets(_VMDevices):
    """The adapters a Connect-/Disconnect-VMNetworkAdapter call names: -VMNetworkAdapter objects
    (a compatibility report's planned VM's too), or -VMName with -Name patterns (all without)."""

    Name = Bound()
    VMNetworkAdapter = Bound()
    Passthru = Bound()

    def adapters(self) -> Iterator[tuple[HyperVClient, NetworkAdapter]]:
        if self.is_bound("VMNetworkAdapter"):
            for a in self._bound_list("VMNetworkAdapter"):
                if isinstance(a, NetworkAdapter):
                    yield self.client(), a
            return
        names = self._bound_list("Name")
        for client, vm in self.vms():
            try:
                found = client.get_network_adapters(vm)
            except HyperVError as exc:
                self.report(exc, vm.name)
                continue
            yield from ((client, a) for a in found if _matches(names, a.name))


@hyperv_cmdlet("Remove-VMNetworkAdapter")
class RemoveVMNetworkAdapter(_AdapterTargets):
    """-VMName/-VM with -Name (all of the VM's adapters without it), or -VMNetworkAdapter objects."""

    def process(self) -> Iterator[Any]:
        def remove(client: HyperVClient, a: NetworkAdapter) -> NetworkAdapter:
            client.remove_network_adapter(a)
            return a

        yield from self.each(self.adapters(),
                             lambda a: f'Remove-VMNetworkAdapter will remove network adapter "{a.name}" from virtual '
                                       f'machine "{a.vm_name}".', remove)


@hyperv_cmdlet("Rename-VMNetworkAdapter")
class RenameVMNetworkAdapter(_AdapterTargets):
    NewName = Bound()

    def process(self) -> Iterator[Any]:
        new_name = str(self.NewName)
        yield from self.each(self.adapters(),
                             lambda a: f'Rename-VMNetworkAdapter will rename network adapter "{a.name}" to '
                                       f'"{new_name}".',
                             lambda client, a: client.rename_network_adapter(a, new_name))


@hyperv_cmdlet("Connect-VMNetworkAdapter")
class ConnectVMNetworkAdapter(_AdapterTargets):
    SwitchName = Bound()
    VMSwitch = Bound()

    def process(self) -> Iterator[Any]:
        given = self.ctx.bound.get("VMSwitch")
        switch = given.name if isinstance(given, VMSwitch) else str(self.SwitchName)
        yield from self.each(self.adapters(),
                             lambda a: f'Connect-VMNetworkAdapter will connect network adapter "{a.name}" to switch '
                                       f'"{switch}".',
                             lambda client, a: client.connect_network_adapter(a, switch))


@hyperv_cmdlet("Disconnect-VMNetworkAdapter")
class DisconnectVMNetworkAdapter(_AdapterTargets):
    def process(self) -> Iterator[Any]:
        yield from self.each(self.adapters(),
                             lambda a: f'Disconnect-VMNetworkAdapter will disconnect network adapter "{a.name}".',
                             lambda client, a: client.connect_network_adapter(a, None))


@hyperv_cmdlet("Set-VMNetworkAdapter")
class SetVMNetworkAdapter(_AdapterTargets):
    StaticMacAddress = Bound()
    DynamicMacAddress = Bound()
    MacAddressSpoofing = Bound()
    DhcpGuard = Bound()
    RouterGuard = Bound()
    IeeePriorityTag = Bound()
    AllowTeaming = Bound()
    DeviceNaming = Bound()

    def _on(self, name: str) -> bool | None:
        return int(self.ctx.bound[name]) == int(OnOffState.On) if self.is_bound(name) else None

    def process(self) -> Iterator[Any]:
        static = str(self.StaticMacAddress) if self.is_bound("StaticMacAddress") else None
        dynamic = bool(self.ctx.bound.get("DynamicMacAddress"))
        yield from self.each(self.adapters(),
                             lambda a: f'Set-VMNetworkAdapter will configure network adapter "{a.name}".',
                             lambda client, a: client.set_network_adapter(
                                 a, static_mac_address=static, dynamic_mac_address=dynamic,
                                 mac_address_spoofing=self._on("MacAddressSpoofing"), dhcp_guard=self._on("DhcpGuard"),
                                 router_guard=self._on("RouterGuard"), ieee_priority_tag=self._on("IeeePriorityTag"),
                                 allow_teaming=self._on("AllowTeaming"), device_naming=self._on("DeviceNaming")))


class _VlanTargets(_AdapterTargets):
    """The adapters of the VLAN cmdlets: -VMNetworkAdapterName names them (not -Name)."""

    VMNetworkAdapterName = Bound()

    def _bound_list(self, name: str) -> list[Any]:
        return super()._bound_list("VMNetworkAdapterName" if name == "Name" else name)


@hyperv_cmdlet("Set-VMNetworkAdapterVlan")
class SetVMNetworkAdapterVlan(_VlanTargets):
    Access = Bound()
    Untagged = Bound()
    VlanId = Bound()

    def process(self) -> Iterator[Any]:
        access = bool(self.ctx.bound.get("Access"))
        untagged = bool(self.ctx.bound.get("Untagged"))
        if access == untagged:
            self.report(InvalidArgumentError("Specify exactly one VLAN mode: -Access (with -VlanId) or -Untagged.",
                                             error_id="InvalidParameter", category="InvalidArgument"))
            return
        if access and not self.is_bound("VlanId"):
            self.report(InvalidArgumentError("The access mode needs a VLAN identifier (-VlanId).",
                                             error_id="InvalidParameter", category="InvalidArgument"))
            return
        vlan = int(self.VlanId) if access else None
        yield from self.each(self.adapters(),
                             lambda a: f'Set-VMNetworkAdapterVlan will configure the VLAN setting of network adapter '
                                       f'"{a.name}".',
                             lambda client, a: client.set_network_adapter_vlan(a, vlan).vlan_setting)


@hyperv_cmdlet("Get-VMNetworkAdapterVlan")
class GetVMNetworkAdapterVlan(_VlanTargets):
    def process(self) -> Iterator[Any]:
        for _client, adapter in self.adapters():
            yield adapter.vlan_setting
