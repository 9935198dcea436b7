"""The PowerShell backend's scripts for Compare-VM of an exported configuration, Import-VM of its
report, and Connect-/Disconnect-VMNetworkAdapter (one function per `Backend` call, in the shape
of `ps_script.ScriptBuilder`'s).

Each call is a script of its own, so a compatibility report (and the planned VM behind it) does
not outlive the call that made it: `recompare` and `import_report` plan the import again from the
report's path and options, and changes made to the first planned VM are not carried over.
"""

from __future__ import annotations

from hyperv_emu.sdk.backends.ps_script import (
    ADAPTER_PROPS,
    Script,
    _cn,
    _get_vm,
    find_export,
    frame,
    import_args,
    ps_quote,
)
from hyperv_emu.sdk.compat import ImportOptions
from hyperv_emu.sdk.vmparts import AdapterSettings

_REPORT_PROPS = (
    "@(@{Name='VM'; Expression={ $_.VM | Select-Object -Property $hvVMProps }}, "
    "@{Name='OperationType'; Expression={ [int]$_.OperationType }}, 'Destination', 'Path', 'SnapshotPath', "
    "'VhdDestinationPath', 'VhdSourcePath', "
    "@{Name='Incompatibilities'; Expression={ @($_.Incompatibilities | Select-Object -Property 'Message', 'MessageId', "
    "@{Name='Source'; Expression={ if ($null -ne $_.Source -and $null -ne $_.Source.PSObject.Properties['SwitchName']) "
    f"{{ $_.Source | Select-Object -Property {ADAPTER_PROPS} }} }}}}) }}}})"
)


def _compare(computer: str | None, path: str, options: ImportOptions) -> list[str]:
    return [*find_export(computer, path), f"$hvReport = Compare-VM -Path $hvFound[0]{import_args(options)}{_cn(computer)}"]


def compare_import(computer: str | None, path: str, options: ImportOptions) -> Script:
    body = _compare(computer, path, options)
    body.append(f"$hvItems = @($hvReport | Select-Object -Property {_REPORT_PROPS})")
    return frame("compare_import", body, props=("vm",))


def import_report(computer: str | None, path: str, options: ImportOptions) -> Script:
    body = _compare(computer, path, options)
    body += ["$hvVm = Import-VM -CompatibilityReport $hvReport",
             "$hvItems = @($hvVm | Select-Object -Property $hvVMProps)"]
    return frame("import_report", body, props=("vm",))


def connect_network_adapter(computer: str | None, vm_id: str, adapter: str, switch: str | None) -> Script:
    action = (f"Connect-VMNetworkAdapter -SwitchName {ps_quote(switch)}" if switch is not None
              else "Disconnect-VMNetworkAdapter")
    body = [_get_vm(computer, vm_id),
            f"Get-VMNetworkAdapter -VM $hvVm -Name {ps_quote(adapter)} | {action} -Confirm:$false",
            f"$hvItems = @(Get-VMNetworkAdapter -VM $hvVm | Select-Object -Property {ADAPTER_PROPS})"]
    return frame("connect_network_adapter", body)


def configure_network_adapter(computer: str | None, vm_id: str, adapter: str, changes: AdapterSettings) -> Script:
    """Set-VMNetworkAdapter (MAC address, spoofing) and/or Set-VMNetworkAdapterVlan on one adapter."""
    body = [_get_vm(computer, vm_id),
            f"$hvAdapter = Get-VMNetworkAdapter -VM $hvVm -Name {ps_quote(adapter)}"]
    args = ""
    if changes.static_mac is not None:
        args += f" -StaticMacAddress {ps_quote(changes.static_mac)}"
    elif changes.dynamic_mac:
        args += " -DynamicMacAddress"
    if changes.mac_spoofing is not None:
        args += f" -MacAddressSpoofing {'On' if changes.mac_spoofing else 'Off'}"
    for name, on in changes.features:
        if name.isalnum():
            args += f" -{name} {'On' if on else 'Off'}"
    if args:
        body.append(f"$hvAdapter | Set-VMNetworkAdapter{args}")
    if changes.vlan_mode == "Access":
        body.append(f"$hvAdapter | Set-VMNetworkAdapterVlan -Access -VlanId {int(changes.vlan_id or 0)}")
    elif changes.vlan_mode == "Untagged":
        body.append("$hvAdapter | Set-VMNetworkAdapterVlan -Untagged")
    if changes.new_name is not None:
        body.append(f"$hvAdapter | Rename-VMNetworkAdapter -NewName {ps_quote(changes.new_name)}")
    body.append(f"$hvItems = @(Get-VMNetworkAdapter -VM $hvVm | Select-Object -Property {ADAPTER_PROPS})")
    return frame("configure_network_adapter", body)
