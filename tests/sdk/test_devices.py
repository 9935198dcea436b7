"""DVD drives with media, the boot order, the BIOS, the virtual TPM and SCSI controllers, on every
backend.

Expected behaviour (the cmdlet pages, and what Packer's hyperv builder and terraform-provider-hyperv
rely on): Add-VMDvdDrive puts a drive on IDE (generation 1) or SCSI (generation 2) in the first free
slot, with an existing .iso as its media (DvdMediaType ISO) or none; Set-VMDvdDrive -Path $null
ejects it; DVD drives are added and removed only while the VM is Off, but media can change while it
runs. A generation 2 VM's boot order lists its drives and network adapters, a device added later at
the end; -FirstBootDevice moves one first, -BootOrder sets the whole order. A generation 1 VM boots
by BIOS device class (CD, IDE, LegacyNetworkAdapter, Floppy) and refuses the firmware cmdlets, as a
generation 2 VM refuses the BIOS ones. Enable-VMTPM needs a key protector first.
"""

from __future__ import annotations

import pytest

from hyperv_emu.sdk.devices import BootDevice, VMBootSourceType
from hyperv_emu.sdk.errors import HyperVError, InvalidStateError
from hyperv_emu.sdk.types import ControllerType, DvdDrive, HardDrive, NetworkAdapter
from hyperv_emu.sdk.vmparts import VMSettings


def _iso(client, fleet, name: str = "install") -> str:
    folder = f"{fleet.disk_root}\\{fleet.name('iso')}"
    client.make_dir(folder)
    path = f"{folder}\\{name}.iso"
    client.write_file(path, b"CD001" + bytes(2043))
    return path


def _gen1(client, fleet, short: str):
    return client.new_vm(fleet.name(short), generation=1)


class TestDvdDrives:
    def test_generation_2_dvd_goes_to_the_next_scsi_slot_with_its_iso(self, client, fleet):
        vm = fleet.vm("dvd2")
        iso = _iso(client, fleet)
        dvd = client.add_dvd_drive(vm, iso)
        assert (dvd.controller_type, dvd.controller_number, dvd.controller_location) == (ControllerType.SCSI, 0, 1)
        assert (dvd.path, dvd.dvd_media_type) == (iso, "ISO")
        [listed] = client.get_dvd_drives(vm)
        assert (listed.path, listed.name) == (iso, "DVD Drive on SCSI controller number 0 at location 1")

    def test_eject_and_insert(self, client, fleet):
        vm = fleet.vm("dvdej", disk=False)
        iso = _iso(client, fleet)
        dvd = client.add_dvd_drive(vm, iso)
        ejected = client.set_dvd_drive(dvd, eject=True)
        assert (ejected.path, ejected.dvd_media_type) == (None, "None")
        client.start_vm(vm)  # media changes while the VM runs
        assert client.set_dvd_drive(ejected, path=iso).path == iso

    def test_generation_1_dvd_uses_a_free_ide_slot(self, client, fleet):
        vm = _gen1(client, fleet, "dvd1")
        dvd = client.add_dvd_drive(vm)
        assert (dvd.controller_type, dvd.controller_number, dvd.controller_location) == (ControllerType.IDE, 0, 0)
        assert len(client.get_dvd_drives(vm)) == 2

    def test_the_iso_must_exist(self, client, fleet):
        vm = fleet.vm("dvdmiss", disk=False)
        with pytest.raises(HyperVError, match="cannot find the file"):
            client.add_dvd_drive(vm, f"{fleet.disk_root}\\nowhere\\missing.iso")
        assert client.get_dvd_drives(vm) == []

    def test_add_and_remove_only_while_off(self, client, fleet):
        vm = fleet.vm("dvdrun", disk=False)
        dvd = client.add_dvd_drive(vm)
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.add_dvd_drive(vm)
        with pytest.raises(InvalidStateError):
            client.remove_dvd_drive(dvd)
        client.stop_vm(vm, force=True)
        client.remove_dvd_drive(dvd)
        assert client.get_dvd_drives(vm) == []

    def test_a_controller_lists_its_hard_and_dvd_drives(self, client, fleet, backend):
        if backend == "powershell":
            pytest.skip("the PowerShell backend does not carry a controller's Drives")
        vm = fleet.vm("ctl")
        client.add_dvd_drive(vm)
        [scsi] = client.get_scsi_controllers(vm)
        assert [type(d) for d in scsi.drives] == [HardDrive, DvdDrive]
        assert [d.controller_location for d in scsi.drives] == [0, 1]


class TestBootOrder:
    def test_a_dvd_added_after_new_vm_boots_last_until_moved_first(self, client, fleet, backend):
        if backend == "powershell":
            pytest.skip("the PowerShell backend does not carry the BootOrder entries")
        vm = fleet.vm("boot")
        dvd = client.add_dvd_drive(vm, _iso(client, fleet))
        order = client.get_firmware(vm).boot_order
        assert [e.boot_type for e in order] == [VMBootSourceType.Drive, VMBootSourceType.Network,
                                                VMBootSourceType.Drive]
        assert isinstance(order[0].device, HardDrive) and isinstance(order[2].device, DvdDrive)
        after = client.set_firmware(vm, first_boot_device=dvd).boot_order
        assert isinstance(after[0].device, DvdDrive) and isinstance(after[1].device, HardDrive)
        assert isinstance(after[2].device, NetworkAdapter)

    def test_boot_order_is_exactly_the_devices_given(self, client, fleet, backend):
        if backend == "powershell":
            pytest.skip("the PowerShell backend does not carry the BootOrder entries")
        vm = fleet.vm("bootset")
        [disk] = client.get_vm_by_id(vm.id).hard_drives
        [adapter] = client.get_network_adapters(vm)
        order = client.set_firmware(vm, boot_order=[adapter, disk]).boot_order
        assert [e.boot_type for e in order] == [VMBootSourceType.Network, VMBootSourceType.Drive]
        order = client.set_firmware(vm, boot_order=[disk]).boot_order
        assert [e.boot_type for e in order] == [VMBootSourceType.Drive]

    def test_a_device_of_another_vm_is_refused_and_nothing_changes(self, client, fleet):
        vm, other = fleet.vm("bootown"), fleet.vm("bootother")
        dvd = client.add_dvd_drive(other)
        with pytest.raises(HyperVError):
            client.set_firmware(vm, first_boot_device=dvd, secure_boot=False)
        assert int(client.get_firmware(vm).secure_boot) == 0  # still On

    def test_boot_order_changes_only_while_off(self, client, fleet):
        vm = fleet.vm("bootrun")
        [disk] = client.get_vm_by_id(vm.id).hard_drives
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.set_firmware(vm, first_boot_device=disk)


class TestNewVMBootDevice:
    """New-VM -BootDevice (its reference page): on generation 2, CD adds a DVD drive and CD, VHD or
    NetworkAdapter goes first; Floppy, IDE and LegacyNetworkAdapter are refused, and nothing is
    made. On generation 1, VHD means IDE and NetworkAdapter means LegacyNetworkAdapter, first in
    the BIOS startup order, the latter with a legacy adapter."""

    def test_generation_2_cd_adds_a_dvd_drive_that_boots_first(self, client, fleet, backend):
        vm = client.new_vm(fleet.name("bdcd"), boot_device="CD")
        [dvd] = client.get_dvd_drives(vm)
        assert dvd.controller_type == ControllerType.SCSI and dvd.path is None
        if backend != "powershell":  # (that backend does not carry the BootOrder entries)
            order = client.get_firmware(vm).boot_order
            assert isinstance(order[0].device, DvdDrive)
            assert [e.boot_type for e in order] == [VMBootSourceType.Drive, VMBootSourceType.Network]

    def test_generation_2_network_adapter_boots_first(self, client, fleet, backend):
        if backend == "powershell":
            pytest.skip("the PowerShell backend does not carry the BootOrder entries")
        vm = client.new_vm(fleet.name("bdnet"), boot_device="NetworkAdapter",
                           new_vhd_path=f"{fleet.disk_root}\\{fleet.name('bdnet')}.vhdx", new_vhd_size=1 << 30)
        order = client.get_firmware(vm).boot_order
        assert [e.boot_type for e in order] == [VMBootSourceType.Network, VMBootSourceType.Drive]

    def test_generation_2_refuses_the_bios_devices_and_makes_nothing(self, client, fleet):
        name = fleet.name("bdbad")
        for device in ("Floppy", "IDE", "LegacyNetworkAdapter"):
            with pytest.raises(HyperVError):
                client.new_vm(name, boot_device=device)
        assert not [v for v in client.get_vms() if v.name == name]

    def test_generation_1_network_adapter_is_a_legacy_one_first_in_the_bios(self, client, fleet):
        vm = client.new_vm(fleet.name("bd1net"), generation=1, boot_device="NetworkAdapter")
        assert client.get_bios(vm).startup_order == (BootDevice.LegacyNetworkAdapter, BootDevice.CD,
                                                     BootDevice.IDE, BootDevice.Floppy)
        assert [a.is_legacy for a in client.get_network_adapters(vm)] == [True]
        vhd = client.new_vm(fleet.name("bd1vhd"), generation=1, boot_device="VHD")
        assert client.get_bios(vhd).startup_order[0] == BootDevice.IDE


class TestBios:
    def test_generation_1_startup_order(self, client, fleet):
        vm = _gen1(client, fleet, "bios")
        bios = client.get_bios(vm)
        assert bios.startup_order == (BootDevice.CD, BootDevice.IDE, BootDevice.LegacyNetworkAdapter,
                                      BootDevice.Floppy)
        assert bios.num_lock_enabled is False
        bios = client.set_bios(vm, startup_order=["IDE", "CD", "LegacyNetworkAdapter", "Floppy"], num_lock=True)
        assert bios.startup_order[:2] == (BootDevice.IDE, BootDevice.CD) and bios.num_lock_enabled is True

    def test_startup_order_must_name_each_class_once(self, client, fleet):
        vm = _gen1(client, fleet, "biosbad")
        with pytest.raises(HyperVError):
            client.set_bios(vm, startup_order=["IDE", "CD"])
        assert client.get_bios(vm).startup_order[0] == BootDevice.CD

    def test_each_generation_refuses_the_other_firmware(self, client, fleet):
        g1, g2 = _gen1(client, fleet, "fw1"), fleet.vm("fw2", disk=False)
        with pytest.raises(HyperVError, match="Generation 2 virtual machines do not support the VMBios cmdlets"):
            client.get_bios(g2)
        with pytest.raises(HyperVError):
            client.get_firmware(g1)


class TestTpm:
    def test_enable_needs_a_key_protector_first(self, client, fleet):
        vm = fleet.vm("tpm", disk=False)
        assert client.get_security(vm).tpm_enabled is False
        with pytest.raises(HyperVError, match="key protector"):
            client.enable_tpm(vm)
        client.set_key_protector(vm)
        assert len(client.get_key_protector(vm)) > 0
        assert client.enable_tpm(vm).tpm_enabled is True
        assert client.get_security(vm).tpm_enabled is True
        assert client.disable_tpm(vm).tpm_enabled is False

    def test_only_while_off_and_only_generation_2(self, client, fleet):
        vm = fleet.vm("tpmrun", disk=False)
        client.set_key_protector(vm, b"\x01\x02\x03")
        assert client.get_key_protector(vm) == b"\x01\x02\x03"
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.enable_tpm(vm)
        with pytest.raises(HyperVError):
            client.set_key_protector(_gen1(client, fleet, "tpm1"))


class TestSecurityAndDiskette:
    def test_set_security_while_off(self, client, fleet):
        vm = fleet.vm("sec", disk=False)
        after = client.set_security(vm, virtualization_based_security_opt_out=True)
        assert after.virtualization_based_security_opt_out is True
        assert client.get_security(vm).encrypt_state_and_vm_migration_traffic is False
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.set_security(vm, encrypt_state_and_vm_migration_traffic=True)

    def test_generation_1_diskette(self, client, fleet):
        vm = _gen1(client, fleet, "vfd")
        folder = f"{fleet.disk_root}\\{fleet.name('vfd')}"
        client.make_dir(folder)
        client.write_file(f"{folder}\\answers.vfd", bytes(1474560))
        assert client.get_floppy_drive(vm).path is None
        assert client.set_floppy_drive(vm, f"{folder}\\answers.vfd").path == f"{folder}\\answers.vfd"
        assert client.set_floppy_drive(vm, None).path is None
        with pytest.raises(HyperVError, match="cannot find the file"):
            client.set_floppy_drive(vm, f"{folder}\\missing.vfd")
        g2 = fleet.vm("vfd2", disk=False)
        assert client.get_floppy_drive(g2) is None
        with pytest.raises(HyperVError):
            client.set_floppy_drive(g2, None)


class TestVideo:
    def test_defaults_and_a_single_resolution_while_off(self, client, fleet):
        vm = fleet.vm("video", disk=False)
        v = client.get_video(vm)
        assert (v.resolution_type.name, v.horizontal_resolution, v.vertical_resolution) == ("Maximum", 1024, 768)
        v = client.set_video(vm, resolution_type="Single", horizontal_resolution=1280, vertical_resolution=800)
        assert (v.resolution_type.name, v.horizontal_resolution, v.vertical_resolution) == ("Single", 1280, 800)
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.set_video(vm, resolution_type="Maximum")
        assert client.get_video(vm).resolution_type.name == "Single"


class TestScsiControllersAndProcessor:
    def test_add_and_remove_scsi_controllers(self, client, fleet):
        vm = fleet.vm("scsi", disk=False)
        added = client.add_scsi_controller(vm)
        assert added.controller_number == 1
        assert [c.controller_number for c in client.get_scsi_controllers(vm)] == [0, 1]
        client.remove_scsi_controller(added)
        assert [c.controller_number for c in client.get_scsi_controllers(vm)] == [0]

    def test_at_most_four_and_not_while_drives_are_attached(self, client, fleet):
        vm = fleet.vm("scsimax")
        for _ in range(3):
            client.add_scsi_controller(vm)
        with pytest.raises(HyperVError):
            client.add_scsi_controller(vm)
        first = client.get_scsi_controllers(vm)[0]
        with pytest.raises(HyperVError):
            client.remove_scsi_controller(first)  # the VM's disk is on it

    def test_expose_virtualization_extensions_only_while_off(self, client, fleet):
        vm = fleet.vm("nested", disk=False)
        client.configure_vm(vm, VMSettings(expose_virtualization_extensions=True))
        assert client.get_vm_processor(vm).expose_virtualization_extensions is True
        client.start_vm(vm)
        with pytest.raises(InvalidStateError):
            client.configure_vm(vm, VMSettings(expose_virtualization_extensions=False))
