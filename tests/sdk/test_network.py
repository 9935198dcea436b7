"""Get-VMNetworkAdapter and Get-VMSwitch on every backend, and the world keys behind them.

Expected behaviour: New-VM gives a VM one synthetic adapter named "Network Adapter", not
connected to a switch (SwitchName null) unless -SwitchName is given; its MAC address is dynamic,
from the host's pool whose prefix is Microsoft's OUI 00-15-5D; a host has no virtual switch
until one is created (Get-VMSwitch writes nothing); VMSwitchType is Private=0, Internal=1,
External=2.
"""

from __future__ import annotations

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk.types import VMSwitchType
import hvemu_testlib as T

WORLD = 'id_seed = "net"\n' + T.base_world() + '''
[[switch]]
name = "LAN"
type = "External"

[[switch]]
name = "Lab"
type = "Private"

[[vm]]
name = "NET1"
network_adapters = [{ name = "Network Adapter", switch = "LAN" }, { name = "Backup", switch = "Lab" }]

[[vm]]
name = "NONE"
network_adapters = []
'''


def test_a_new_vm_has_one_adapter_not_connected(client, fleet):
    vm = fleet.vm("nic", disk=False)
    [nic] = client.get_network_adapters(vm)
    assert (nic.name, nic.vm_name, nic.is_legacy, nic.dynamic_mac_address_enabled) == ("Network Adapter", vm.name, False, True)
    assert nic.switch_name is None
    assert len(nic.mac_address) == 12 and int(nic.mac_address, 16) >= 0


def test_a_fresh_host_has_no_switch(client, emulated):
    assert client.get_switches() == []


def test_world_switches_and_adapters(make_client, emulated):
    client = make_client(WORLD)
    assert [(s.name, s.switch_type) for s in client.get_switches()] == [("LAN", VMSwitchType.External),
                                                                      ("Lab", VMSwitchType.Private)]
    nics = client.get_network_adapters("NET1")
    assert [(n.name, n.switch_name) for n in nics] == [("Network Adapter", "LAN"), ("Backup", "Lab")]
    lan = client.get_switches()[0]
    assert nics[0].switch_id == lan.id
    assert all(n.mac_address.startswith("00155D") for n in nics)
    assert nics[0].mac_address != nics[1].mac_address
    assert client.get_network_adapters("NONE") == []


def test_mac_addresses_repeat_with_the_world(make_client, emulated):
    first = [n.mac_address for n in make_client(WORLD).get_network_adapters("NET1")]
    second = [n.mac_address for n in make_client(WORLD).get_network_adapters("NET1")]
    assert first == second


def test_an_unknown_switch_is_a_world_error():
    bad = T.base_world() + '[[vm]]\nname = "X"\nnetwork_adapters = [{ switch = "Nope" }]\n'
    with pytest.raises(sdk.WorldFileError, match="no \\[\\[switch\\]\\] named 'Nope'"):
        sdk.load_world(T.memory_url(), bad)


def test_switches_and_adapters_survive_a_world_export():
    url = T.memory_url()
    sdk.load_world(url, WORLD)
    text = sdk.export_world(url)
    again = sdk.load_world(T.memory_url(), text)
    assert [s.name for s in again.get_switches()] == ["LAN", "Lab"]
    assert [(n.name, n.switch_name) for n in again.get_network_adapters("NET1")] == [("Network Adapter", "LAN"),
                                                                                   ("Backup", "Lab")]
    assert again.get_network_adapters("NONE") == []
