"""New-/Set-/Rename-/Remove-VMSwitch and Add-/Remove-/Rename-VMNetworkAdapter on every
emulated backend (the PowerShell backend runs them as the cmdlets through psshim).

Expected behaviour (Hyper-V on Windows Server 2022; the cmdlet pages, and the module's texts as
scripts' logs show them):
- New-VMSwitch -SwitchType Internal/Private; -NetAdapterName makes an External switch on that
  physical adapter (AllowManagementOS true by default, NetAdapterInterfaceDescription the
  adapter's description); a second External switch on the same adapter fails with ObjectInUse
  ("... is already bound to the Microsoft Virtual Switch protocol."). Names need not be unique.
- Rename-VMSwitch: the adapters connected to it show the new name. Remove-VMSwitch fails while a
  running VM uses it; the adapters of a VM that is off become not connected.
- Add-VMNetworkAdapter: "Network Adapter" by default, a fresh dynamic MAC address (00-15-5D),
  connected to -SwitchName; legacy adapters only on generation 1 VMs, and only while off.
  Remove-VMNetworkAdapter leaves the other adapters' addresses as they were.
- A checkpoint captures the adapters; applying it brings them back.
- A running guest reports the addresses of its connected adapters (IPAddresses).
"""

from __future__ import annotations

import pytest

from hyperv_emu.sdk.errors import HyperVError, InvalidStateError
from hyperv_emu.sdk.types import VMSwitchType
from hyperv_emu.sdk.vmparts import OnOffState


@pytest.fixture
def lab(client, emulated):
    return client.new_switch("Lab", switch_type=VMSwitchType.Internal)


def test_internal_private_and_external_switches(client, emulated):
    internal = client.new_switch("Int", switch_type=VMSwitchType.Internal)
    private = client.new_switch("Priv", switch_type=VMSwitchType.Private, notes="isolated")
    external = client.new_switch("Ext", net_adapter_name="Ethernet")
    assert (internal.switch_type, internal.allow_management_os, internal.net_adapter_interface_description) == (
        VMSwitchType.Internal, True, None)
    assert (private.switch_type, private.allow_management_os, private.notes) == (VMSwitchType.Private, False, "isolated")
    assert external.switch_type is VMSwitchType.External
    assert external.net_adapter_interface_description == "Intel(R) Ethernet Server Adapter I350-T2"
    assert [s.name for s in client.get_switches()] == ["Int", "Priv", "Ext"]


def test_an_adapter_takes_one_external_switch(client, emulated):
    client.new_switch("Ext", net_adapter_name="Ethernet", allow_management_os=False)
    with pytest.raises(HyperVError, match="already bound to the Microsoft Virtual Switch protocol") as err:
        client.new_switch("Ext2", net_adapter_description="Intel(R) Ethernet Server Adapter I350-T2")
    assert (err.value.error_id, err.value.category) == ("ObjectInUse", "ResourceBusy")
    second = client.new_switch("Ext2", net_adapter_name="ethernet 2")
    assert second.net_adapter_interface_description == "Intel(R) Ethernet Server Adapter I350-T2 #2"
    with pytest.raises(HyperVError, match="No MSFT_NetAdapter objects found with property 'Name' equal to 'Wi-Fi'"):
        client.new_switch("Ext3", net_adapter_name="Wi-Fi")


def test_switch_names_need_not_be_unique(client, lab):
    again = client.new_switch("Lab", switch_type=VMSwitchType.Private)
    assert [s.name for s in client.get_switches()] == ["Lab", "Lab"]
    assert again.id != lab.id


def test_rename_and_set_switch(client, fleet, lab):
    vm = fleet.vm("renamed", disk=False)
    [nic] = client.get_network_adapters(vm)
    client.connect_network_adapter(nic, "Lab")
    renamed = client.rename_switch(lab, "Lab2")
    assert (renamed.name, renamed.id) == ("Lab2", lab.id)
    assert client.get_network_adapters(vm)[0].switch_name == "Lab2"
    private = client.set_switch(renamed, switch_type=VMSwitchType.Private, notes="now private")
    assert (private.switch_type, private.notes, private.allow_management_os) == (VMSwitchType.Private, "now private",
                                                                                 False)
    external = client.set_switch(private, net_adapter_name="Ethernet")
    assert external.switch_type is VMSwitchType.External


def test_remove_switch_in_use(client, fleet, lab):
    vm = fleet.vm("user", disk=False)
    client.connect_network_adapter(client.get_network_adapters(vm)[0], "Lab")
    vm = client.start_vm(vm)
    with pytest.raises(HyperVError, match="cannot be deleted because it is being used by running virtual machines"):
        client.remove_switch(lab)
    client.stop_vm(vm, turn_off=True)
    client.remove_switch(lab)
    assert client.get_switches() == []
    [nic] = client.get_network_adapters(vm)
    assert (nic.switch_name, nic.connected) == (None, False)


def test_add_adapters(client, fleet, lab):
    vm = fleet.vm("added", disk=False)
    first = client.get_network_adapters(vm)[0]
    added = client.add_network_adapter(vm, switch_name="lab")
    assert (added.name, added.switch_name, added.switch_id, added.dynamic_mac_address_enabled) == (
        "Network Adapter", "Lab", lab.id, True)
    assert added.mac_address.startswith("00155D") and added.mac_address != first.mac_address
    static = client.add_network_adapter(vm, name="Fixed", static_mac_address="00-15-5D-01-02-03")
    assert (static.mac_address, static.dynamic_mac_address_enabled, static.switch_name) == ("00155D010203", False, None)
    assert [a.name for a in client.get_network_adapters(vm)] == ["Network Adapter", "Network Adapter", "Fixed"]
    with pytest.raises(HyperVError, match='unable to find a virtual switch with name "Nope"'):
        client.add_network_adapter(vm, switch_name="Nope")


def test_legacy_adapters_are_generation_1_and_off(client, fleet):
    gen2 = fleet.vm("gen2", disk=False)
    with pytest.raises(HyperVError, match="Legacy network adapters are not supported by generation 2"):
        client.add_network_adapter(gen2, is_legacy=True)
    gen1 = client.new_vm(fleet.name("gen1"), generation=1)
    fleet.made.append(gen1.id)
    legacy = client.add_network_adapter(gen1, is_legacy=True)
    assert (legacy.name, legacy.is_legacy) == ("Legacy Network Adapter", True)
    gen1 = client.start_vm(gen1)
    with pytest.raises(InvalidStateError):
        client.add_network_adapter(gen1)
    with pytest.raises(InvalidStateError):
        client.remove_network_adapter(legacy)
    running2 = client.start_vm(gen2)
    hot = client.add_network_adapter(running2, name="Hot")  # a generation 2 VM takes one while running
    client.remove_network_adapter(hot)
    assert [a.name for a in client.get_network_adapters(running2)] == ["Network Adapter"]


def test_remove_and_rename_keep_addresses(client, fleet):
    vm = fleet.vm("kept", disk=False)
    client.add_network_adapter(vm, name="Second")
    first, second = client.get_network_adapters(vm)
    client.remove_network_adapter(first)
    [left] = client.get_network_adapters(vm)
    assert (left.name, left.mac_address) == ("Second", second.mac_address)
    renamed = client.rename_network_adapter(left, "Backend")
    assert (renamed.name, renamed.mac_address) == ("Backend", second.mac_address)


def test_applying_a_checkpoint_restores_the_adapters(client, fleet, lab):
    vm = fleet.vm("cp", disk=False)
    [nic] = client.get_network_adapters(vm)
    client.connect_network_adapter(nic, "Lab")
    client.set_network_adapter_vlan(nic, 12)
    client.add_network_adapter(vm, name="Extra")
    before = [(a.name, a.switch_name, a.mac_address, a.vlan_setting.access_vlan_id) for a in client.get_network_adapters(vm)]
    cp = client.checkpoint_vm(vm, "net")
    for a in client.get_network_adapters(vm):
        client.remove_network_adapter(a)
    client.add_network_adapter(vm, name="Later")
    client.restore_checkpoint(cp)
    after = [(a.name, a.switch_name, a.mac_address, a.vlan_setting.access_vlan_id) for a in client.get_network_adapters(vm)]
    assert after == before
    client.remove_switch(lab)  # a checkpoint of a switch that is gone brings the adapter back not connected
    client.restore_checkpoint(cp)
    assert [(a.name, a.switch_name) for a in client.get_network_adapters(vm)] == [("Network Adapter", None),
                                                                                ("Extra", None)]


def test_a_running_guest_reports_addresses_of_connected_adapters(client, fleet, lab):
    vm = fleet.vm("ips", disk=False)
    client.add_network_adapter(vm, name="Loose")
    client.connect_network_adapter(client.get_network_adapters(vm)[0], "Lab")
    assert all(a.ip_addresses == () for a in client.get_network_adapters(vm))
    vm = client.start_vm(vm)
    connected, loose = client.get_network_adapters(vm)
    ipv4, ipv6 = connected.ip_addresses
    assert ipv4.startswith("192.168.") and ipv6.startswith("fe80::")
    assert loose.ip_addresses == ()
    assert client.get_network_adapters(vm)[0].ip_addresses == (ipv4, ipv6)  # the same on every read


def test_the_host_shares_internal_and_external_switches(client, emulated):
    physical = client.get_net_adapters()
    assert [(a.name, a.virtual, a.status) for a in physical] == [("Ethernet", False, "Up"), ("Ethernet 2", False, "Up")]
    client.new_switch("Priv", switch_type=VMSwitchType.Private)
    client.new_switch("Int", switch_type=VMSwitchType.Internal)
    client.new_switch("Ext", net_adapter_name="Ethernet 2")
    client.new_switch("Quiet", net_adapter_name="Ethernet", allow_management_os=False)
    host = client.get_net_adapters()
    assert [(a.name, a.interface_description) for a in host[2:]] == [
        ("vEthernet (Int)", "Hyper-V Virtual Ethernet Adapter"), ("vEthernet (Ext)", "Hyper-V Virtual Ethernet Adapter #2")]
    assert host[3].mac_address == physical[1].mac_address  # the host's identity moves onto the External switch
    mgmt = client.get_management_os_adapters()
    assert [(a.name, a.switch_name, a.is_management_os, a.vm_name) for a in mgmt] == [
        ("Int", "Int", True, ""), ("Ext", "Ext", True, "")]
    assert mgmt[1].mac_address == host[3].mac_address.replace("-", "")


def test_a_vm_value_carries_its_adapters(client, fleet, lab):
    vm = fleet.vm("carried", disk=False)
    client.connect_network_adapter(client.get_network_adapters(vm)[0], "Lab")
    client.add_network_adapter(vm, name="Second")
    vm = vm.refresh()
    assert [(a.name, a.switch_name, a.vm_name) for a in vm.network_adapters] == [
        ("Network Adapter", "Lab", vm.name), ("Second", None, vm.name)]
    assert [a.mac_address for a in vm.network_adapters] == [a.mac_address for a in client.get_network_adapters(vm)]


def test_world_adapters_with_static_addresses_and_legacy(make_client, emulated):
    from hyperv_emu import sdk
    import hvemu_testlib as T

    world = T.base_world() + '''
[[switch]]
name = "Ext"
type = "External"
net_adapter = "Ethernet 2"

[[vm]]
name = "OLD"
generation = 1
network_adapters = [{ name = "Boot", switch = "Ext", legacy = true, static_mac = "00155d0a0001" }]
'''
    client = make_client(world)
    [nic] = client.get_network_adapters("OLD")
    assert (nic.name, nic.is_legacy, nic.mac_address, nic.dynamic_mac_address_enabled) == (
        "Boot", True, "00155D0A0001", False)
    assert client.get_switches()[0].net_adapter_interface_description.endswith("#2")
    url = T.memory_url()
    sdk.load_world(url, world)
    again = sdk.load_world(T.memory_url(), sdk.export_world(url))
    assert [(n.name, n.is_legacy, n.mac_address) for n in again.get_network_adapters("OLD")] == [
        ("Boot", True, "00155D0A0001")]
    bad = world.replace("generation = 1\n", "")
    with pytest.raises(sdk.WorldFileError, match="legacy = true needs generation = 1"):
        sdk.load_world(T.memory_url(), bad)


def test_an_imported_copy_gets_addresses_of_its_own(client, fleet, lab):
    vm = fleet.vm("golden", disk=False)
    client.add_network_adapter(vm, name="Second", switch_name="Lab")
    client.add_network_adapter(vm, name="Fixed", static_mac_address="00155D0000EE")
    original = [(a.name, a.mac_address) for a in client.get_network_adapters(vm)]
    back = client.import_vm(client.export_vm(vm, "E:\\Export"), generate_new_id=True)
    copied = [(a.name, a.mac_address, a.switch_name) for a in client.get_network_adapters(back)]
    assert [n for n, _m, _s in copied] == ["Network Adapter", "Second", "Fixed"]
    assert [s for _n, _m, s in copied] == [None, "Lab", None]
    assert copied[2][1] == "00155D0000EE"  # a static address is the configuration's
    assert copied[0][1] != original[0][1] and copied[1][1] != original[1][1]


def test_on_off_settings_are_kept_and_captured(client, fleet):
    vm = fleet.vm("guarded", disk=False)
    [nic] = client.get_network_adapters(vm)
    assert (nic.dhcp_guard, nic.router_guard, nic.device_naming) == (OnOffState.Off,) * 3
    nic = client.set_network_adapter(nic, dhcp_guard=True, router_guard=True, device_naming=True)
    assert (nic.dhcp_guard, nic.router_guard, nic.device_naming, nic.allow_teaming) == (
        OnOffState.On, OnOffState.On, OnOffState.On, OnOffState.Off)
    cp = client.checkpoint_vm(vm, "guarded")
    client.set_network_adapter(nic, router_guard=False)
    assert client.get_network_adapters(vm)[0].router_guard is OnOffState.Off
    client.restore_checkpoint(cp)
    assert client.get_network_adapters(vm)[0].router_guard is OnOffState.On
