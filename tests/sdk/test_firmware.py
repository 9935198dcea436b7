"""Get-/Set-VMFirmware (secure boot) through the SDK, on every backend.

Expected behaviour (the cmdlet pages): a generation 2 VM made by New-VM boots with secure boot On
and the MicrosoftWindows template; Set-VMFirmware changes them while the VM is Off; a generation
1 VM has a BIOS, so the firmware cmdlets refuse it.
"""

from __future__ import annotations

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk.vmparts import OnOffState


def test_secure_boot_defaults_and_changes(client, fleet):
    vm = fleet.vm("fw", disk=False)
    f = client.get_firmware(vm)
    assert (f.secure_boot, f.secure_boot_template) == (OnOffState.On, "MicrosoftWindows")
    f = client.set_firmware(vm, secure_boot=False, secure_boot_template="MicrosoftUEFICertificateAuthority")
    assert (f.secure_boot, f.secure_boot_template) == (OnOffState.Off, "MicrosoftUEFICertificateAuthority")
    assert client.get_firmware(vm).secure_boot == OnOffState.Off
    with pytest.raises(sdk.HyperVError):
        client.set_firmware(vm, secure_boot_template="NoSuchTemplate")


def test_secure_boot_only_while_off(client, fleet):
    vm = fleet.vm("fwrun", disk=False)
    client.start_vm(vm)
    with pytest.raises(sdk.InvalidStateError):
        client.set_firmware(vm, secure_boot=False)
