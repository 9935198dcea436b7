"""The PowerShell backend's scripts for Add-/Remove-VMNetworkAdapter, New-/Set-/Rename-/
Remove-VMSwitch, the host's adapters (Get-VMNetworkAdapter -ManagementOS, Get-NetAdapter) (one function per `Backend` call, in the shape of `ps_script.ScriptBuilder`'s).

A switch is found by its id (`Get-VMSwitch -Id`); an adapter by its VM's id and its name (the
first of that name, as the emulator does).
"""

from __future__ import annotations

from hyperv_emu.sdk.backends.ps_script import (
    ADAPTER_PROPS,
    SWITCH_PROPS,
    Script,
    _cn,
    _get_vm,
    _select_list,
    frame,
    ps_bool,
    ps_quote,
)
from hyperv_emu.sdk.vmparts import NetAdapter, NewAdapterSpec, SwitchSettings


_NET_ADAPTER_PROPS = _select_list(NetAdapter)


def management_os_adapters(computer: str | None) -> Script:
    return frame("management_os_adapters", [f"$hvItems = @(Get-VMNetworkAdapter -ManagementOS{_cn(computer)} | "
                                            f"Select-Object -Property {ADAPTER_PROPS})"])


def net_adapters(computer: str | None) -> Script:
    body = [f"$hvItems = @(Get-NetAdapter{_cn(computer).replace('-ComputerName', '-CimSession')} | "
            f"Select-Object -Property {_NET_ADAPTER_PROPS})"]
    return frame("net_adapters", body)


def add_network_adapter(computer: str | None, vm_id: str, spec: NewAdapterSpec) -> Script:
    args = ""
    if spec.name is not None:
        args += f" -Name {ps_quote(spec.name)}"
    if spec.switch_name is not None:
        args += f" -SwitchName {ps_quote(spec.switch_name)}"
    if spec.static_mac is not None:
        args += f" -StaticMacAddress {ps_quote(spec.static_mac)}"
    if spec.is_legacy:
        args += " -IsLegacy $true"
    body = [_get_vm(computer, vm_id),
            f"$hvItems = @(Add-VMNetworkAdapter -VM $hvVm{args} -Passthru | Select-Object -Property {ADAPTER_PROPS})"]
    return frame("add_network_adapter", body)


def remove_network_adapter(computer: str | None, vm_id: str, adapter: str) -> Script:
    body = [_get_vm(computer, vm_id),
            f"Get-VMNetworkAdapter -VM $hvVm -Name {ps_quote(adapter)} | Select-Object -First 1 | "
            "Remove-VMNetworkAdapter -Confirm:$false",
            "$hvItems = @()"]
    return frame("remove_network_adapter", body)


def _switch_args(s: SwitchSettings, *, creating: bool) -> str:
    args = ""
    if s.net_adapter_name is not None:
        args += f" -NetAdapterName {ps_quote(s.net_adapter_name)}"
    elif s.net_adapter_description is not None:
        args += f" -NetAdapterInterfaceDescription {ps_quote(s.net_adapter_description)}"
    elif s.switch_type is not None:
        args += f" -SwitchType {s.switch_type}"
    if s.allow_management_os is not None:
        args += f" -AllowManagementOS {ps_bool(s.allow_management_os)}"
    if s.notes is not None:
        args += f" -Notes {ps_quote(s.notes)}"
    if creating and s.minimum_bandwidth_mode is not None:
        args += f" -MinimumBandwidthMode {s.minimum_bandwidth_mode}"
    if creating and s.name is not None:
        args = f" -Name {ps_quote(s.name)}" + args
    return args


def new_switch(computer: str | None, settings: SwitchSettings) -> Script:
    body = [f"$hvItems = @(New-VMSwitch{_switch_args(settings, creating=True)}{_cn(computer)} | "
            f"Select-Object -Property {SWITCH_PROPS})"]
    return frame("new_switch", body)


def set_switch(computer: str | None, switch_id: str, settings: SwitchSettings) -> Script:
    body = [f"$hvSwitch = Get-VMSwitch -Id {ps_quote(switch_id)}{_cn(computer)}"]
    args = _switch_args(settings, creating=False)
    if args:
        body.append(f"$hvSwitch | Set-VMSwitch{args}")
    if settings.name is not None:
        body.append(f"$hvSwitch | Rename-VMSwitch -NewName {ps_quote(settings.name)}")
    body.append(f"$hvItems = @(Get-VMSwitch -Id {ps_quote(switch_id)}{_cn(computer)} | "
                f"Select-Object -Property {SWITCH_PROPS})")
    return frame("set_switch", body)


def remove_switch(computer: str | None, switch_id: str) -> Script:
    body = [f"Get-VMSwitch -Id {ps_quote(switch_id)}{_cn(computer)} | Remove-VMSwitch -Force -Confirm:$false",
            "$hvItems = @()"]
    return frame("remove_switch", body)
