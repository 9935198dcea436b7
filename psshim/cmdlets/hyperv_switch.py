"""The Hyper-V module's virtual switch cmdlets: New-VMSwitch (-SwitchType Private/Internal, or
External on -NetAdapterName / -NetAdapterInterfaceDescription with -AllowManagementOS), Set-VMSwitch
(-SwitchType, -NetAdapterName/-NetAdapterInterfaceDescription, -AllowManagementOS, -Notes),
Rename-VMSwitch and Remove-VMSwitch (-Force; without it the module asks again). Get-VMSwitch is in
`hyperv_network`.

Thin adapters over `sdk.HyperVClient` (`new_switch`, `set_switch`, `rename_switch`,
`remove_switch`); the rules are the emulator's (`emulator/switches.py`). The -WhatIf texts follow
the module's pattern for its other cmdlets (inferred). -MinimumBandwidthMode is kept (Default is
Weight); -EnableIov/-EnablePacketDirect/-EnableEmbeddedTeaming take only $false. Not emulated:
SR-IOV, Packet Direct, embedded teaming, the bandwidth settings of Set-VMSwitch, extensions,
resource pools.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match
from hyperv_emu.sdk import contains_wildcards
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VMSwitch as SwitchValue
from hyperv_emu.sdk.types import VMSwitchType


def switch_not_found(name: str) -> HyperVError:
    return HyperVError(f'Hyper-V was unable to find a virtual switch with name "{name}".',
                       error_id="InvalidParameter", category="InvalidArgument", target=name)


def _switch_type(value: Any) -> VMSwitchType | None:
    return None if value is None else VMSwitchType(int(value))


class _SwitchTargets(HyperVCmdlet):
    """The switches a -Name list (wildcards allowed; a plain name that matches none is an error)
    or -VMSwitch objects select."""

    Name = Bound()
    VMSwitch = Bound()
    ComputerName = Bound()
    Passthru = Bound()

    def switches(self) -> list[tuple[HyperVClient, SwitchValue]]:
        if self.is_bound("VMSwitch"):
            return [(self.client(), s) for s in self._bound_list("VMSwitch") if isinstance(s, SwitchValue)]
        names = [str(n) for n in self._bound_list("Name")]
        out: list[tuple[HyperVClient, SwitchValue]] = []
        for client in self.clients():
            try:
                found = client.get_switches()
            except HyperVError as exc:
                self.report(exc)
                continue
            for name in names:
                hits = [s for s in found if wildcard_match(s.name, name)]
                if not hits and not contains_wildcards(name):
                    self.report(switch_not_found(name), name)
                out.extend((client, s) for s in hits if all(s is not o for _c, o in out))
        return out


@hyperv_cmdlet("New-VMSwitch")
class NewVMSwitch(HyperVCmdlet):
    Name = Bound()
    SwitchType = Bound()
    NetAdapterName = Bound()
    NetAdapterInterfaceDescription = Bound()
    AllowManagementOS = Bound()
    Notes = Bound()
    ComputerName = Bound()
    MinimumBandwidthMode = Bound()
    EnableIov = Bound()
    EnablePacketDirect = Bound()
    EnableEmbeddedTeaming = Bound()

    def process(self) -> Iterator[Any]:
        name = str(self.Name)
        for feature in ("EnableIov", "EnablePacketDirect", "EnableEmbeddedTeaming"):
            if self.ctx.bound.get(feature):  # $false is the default, and honoured
                from hyperv_emu.psshim.runtime.errors import not_supported

                raise not_supported(f"New-VMSwitch -{feature} $true")
        mode = self.ctx.bound.get("MinimumBandwidthMode")
        adapters = [str(a) for a in self._bound_list("NetAdapterName")]
        described = [str(a) for a in self._bound_list("NetAdapterInterfaceDescription")]
        if len(adapters) > 1 or len(described) > 1:
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("New-VMSwitch with more than one network adapter (a switch embedded team)")
        allow = bool(self.AllowManagementOS) if self.is_bound("AllowManagementOS") else None
        for client in self.clients():
            if not self.ctx.should_process(name, text=f'New-VMSwitch will create a new virtual switch "{name}".'):
                continue
            try:
                yield client.new_switch(name, switch_type=_switch_type(self.SwitchType),
                                        net_adapter_name=adapters[0] if adapters else None,
                                        net_adapter_description=described[0] if described else None,
                                        allow_management_os=allow,
                                        notes=str(self.Notes) if self.is_bound("Notes") else None,
                                        minimum_bandwidth_mode=mode.name if mode is not None else None)
            except HyperVError as exc:
                self.report(exc, name)


@hyperv_cmdlet("Set-VMSwitch")
class SetVMSwitch(_SwitchTargets):
    SwitchType = Bound()
    NetAdapterName = Bound()
    NetAdapterInterfaceDescription = Bound()
    AllowManagementOS = Bound()
    Notes = Bound()

    def process(self) -> Iterator[Any]:
        allow = bool(self.AllowManagementOS) if self.is_bound("AllowManagementOS") else None

        def change(client: HyperVClient, s: SwitchValue) -> SwitchValue:
            return client.set_switch(
                s, switch_type=_switch_type(self.SwitchType),
                net_adapter_name=str(self.NetAdapterName) if self.is_bound("NetAdapterName") else None,
                net_adapter_description=(str(self.NetAdapterInterfaceDescription)
                                         if self.is_bound("NetAdapterInterfaceDescription") else None),
                allow_management_os=allow, notes=str(self.Notes) if self.is_bound("Notes") else None)

        yield from self.each(self.switches(), lambda s: f'Set-VMSwitch will configure virtual switch "{s.name}".',
                             change)


@hyperv_cmdlet("Rename-VMSwitch")
class RenameVMSwitch(_SwitchTargets):
    NewName = Bound()

    def process(self) -> Iterator[Any]:
        new_name = str(self.NewName)
        yield from self.each(self.switches(),
                             lambda s: f'Rename-VMSwitch will rename virtual switch "{s.name}" to "{new_name}".',
                             lambda client, s: client.rename_switch(s, new_name))


@hyperv_cmdlet("Remove-VMSwitch")
class RemoveVMSwitch(_SwitchTargets):
    Force = Bound()

    def process(self) -> Iterator[Any]:
        yield from ()  # writes nothing
        for client, s in self.switches():
            if not self.ctx.should_process(s.name, text=f'Remove-VMSwitch will remove virtual switch "{s.name}".'):
                continue
            # the module asks again unless -Force (its docs: "without asking for user confirmation")
            if not self.Force and not self.ctx.should_continue(
                    f'Are you sure you want to remove the virtual switch "{s.name}"?', "Confirm"):
                continue
            try:
                client.remove_switch(s)
            except HyperVError as exc:
                self.report(exc, s)
