"""Set-VMNetworkAdapter (MAC address, spoofing), Set-VMNetworkAdapterVlan and the virtual
switches' default settings through the SDK, on every backend.

Expected behaviour (the cmdlet pages): a static MAC address replaces the dynamic one
(DynamicMacAddressEnabled False) and may change only while the VM is off; MacAddressSpoofing is
an OnOffState (Off by default); an adapter is untagged until put in access mode on a VLAN
(VMNetworkAdapterVlanMode Untagged=0, Access=1), VLAN identifiers run from 1 to 4094.
"""

from __future__ import annotations

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk.vmparts import OnOffState, VMNetworkAdapterVlanMode, VMSwitchBandwidthMode
import hvemu_testlib as T


def test_static_then_dynamic_mac_address(client, fleet):
    vm = fleet.vm("mac", disk=False)
    [nic] = client.get_network_adapters(vm)
    after = client.set_network_adapter(nic, static_mac_address="00-15-5D-01-02-03")
    assert (after.mac_address, after.dynamic_mac_address_enabled) == ("00155D010203", False)
    back = client.set_network_adapter(after, dynamic_mac_address=True)
    assert (back.mac_address, back.dynamic_mac_address_enabled) == (nic.mac_address, True)


def test_static_mac_address_needs_the_vm_off(client, fleet):
    vm = fleet.vm("macrun", disk=False)
    client.start_vm(vm)
    [nic] = client.get_network_adapters(vm)
    with pytest.raises(sdk.InvalidStateError):
        client.set_network_adapter(nic, static_mac_address="00155D010203")
    with pytest.raises(sdk.HyperVError):
        client.set_network_adapter(nic, static_mac_address="01155D010203")  # multicast


def test_spoofing_and_vlan_apply_while_running(client, fleet):
    vm = fleet.vm("vlan", disk=False)
    client.start_vm(vm)
    [nic] = client.get_network_adapters(vm)
    assert nic.mac_address_spoofing == OnOffState.Off
    assert nic.vlan_setting.operation_mode == VMNetworkAdapterVlanMode.Untagged
    nic = client.set_network_adapter(nic, mac_address_spoofing=True)
    assert nic.mac_address_spoofing == OnOffState.On
    nic = client.set_network_adapter_vlan(nic, 4094)
    assert (nic.vlan_setting.operation_mode, nic.vlan_setting.access_vlan_id) == (VMNetworkAdapterVlanMode.Access, 4094)
    with pytest.raises(sdk.HyperVError):
        client.set_network_adapter_vlan(nic, 4095)
    nic = client.set_network_adapter_vlan(nic, None)
    assert (nic.vlan_setting.operation_mode, nic.vlan_setting.access_vlan_id) == (VMNetworkAdapterVlanMode.Untagged, 0)


SWITCH_WORLD = 'id_seed = "sw"\n' + T.base_world() + '''
[[switch]]
name = "LAN"
type = "External"

[[switch]]
name = "Lab"
type = "Private"

[[switch]]
name = "Host only"
type = "Internal"
'''


def test_switch_defaults(make_client, emulated):
    # New-VMSwitch's defaults (its reference page): the management OS shares an External switch
    # (-AllowManagementOS defaults to true) and an Internal one (the host's own adapter), never a
    # Private one; no SR-IOV, embedded teaming or PacketDirect; -MinimumBandwidthMode Default
    # becomes Weight on a switch that is not IOV-enabled.
    switches = {s.name: s for s in make_client(SWITCH_WORLD).get_switches()}
    assert {n: s.allow_management_os for n, s in switches.items()} == {"LAN": True, "Lab": False, "Host only": True}
    for s in switches.values():
        assert (s.iov_enabled, s.embedded_teaming_enabled, s.packet_direct_enabled) == (False, False, False)
        assert s.bandwidth_reservation_mode == VMSwitchBandwidthMode.Weight
        assert str(s.bandwidth_reservation_mode) == "Weight"
