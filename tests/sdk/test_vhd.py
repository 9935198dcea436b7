"""New-VHD, Get-VHD, Test-VHD, Merge-VHD, Resize-VHD, Optimize-VHD on every backend.

Expected values come from the cmdlets' reference pages (winserver2022-ps/Hyper-V) and the
documented VHDX defaults (hyperv-object-model.md §4: a new dynamic VHDX is a 4 MiB file with
32 MiB blocks, 512/4096-byte sectors, no MinimumSize, Alignment 1, FragmentationPercentage 0,
not attached, DiskNumber null; vhdx-format.md: differencing disks use 2 MiB blocks; a fixed
VHDX holds every block, so its file is at least its virtual size).
"""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk.errors import DiskError, FileInUseError, HostPathError
from hyperv_emu.sdk.types import VhdFormat, VhdType


@pytest.fixture
def guest_data(backend) -> None:
    """Guest disk data is reached through the emulated backend only (not through a script)."""
    if backend not in ("memory", "local"):
        pytest.skip("guest disk data is the emulated backend's")


def _dir(fleet, name: str) -> str:
    return f"{fleet.disk_root}\\{fleet.name('vhd')}\\{name}"


class TestNewVhd:
    def test_dynamic_is_the_default(self, client, fleet):
        vhd = client.new_vhd(_dir(fleet, "dyn.vhdx"), 10 * T.GB)
        assert (vhd.vhd_format, vhd.vhd_type) == (VhdFormat.VHDX, VhdType.Dynamic)
        assert (vhd.size, vhd.file_size, vhd.block_size) == (10 * T.GB, 4 * T.MB, 32 * T.MB)
        assert (vhd.logical_sector_size, vhd.physical_sector_size) == (512, 4096)
        assert vhd.parent_path is None and vhd.minimum_size is None and vhd.disk_number is None
        assert (vhd.alignment, vhd.fragmentation_percentage, vhd.attached, vhd.is_pmem_compatible) == (1, 0, False, False)
        assert len(vhd.disk_identifier) == 36 and vhd.path == _dir(fleet, "dyn.vhdx")
        again = client.get_vhd(vhd.path)
        assert (again.vhd_type, again.size, again.disk_identifier) == (VhdType.Dynamic, 10 * T.GB, vhd.disk_identifier)

    def test_fixed_holds_every_block(self, client, fleet):
        vhd = client.new_vhd(_dir(fleet, "fixed.vhdx"), 64 * T.MB, fixed=True)
        assert vhd.vhd_type is VhdType.Fixed and vhd.size == 64 * T.MB
        assert vhd.block_size == 0 and vhd.file_size >= 64 * T.MB

    def test_sizes_asked_for(self, client, fleet):
        vhd = client.new_vhd(_dir(fleet, "big.vhdx"), T.GB, block_size=128 * T.MB, logical_sector_size=4096)
        assert (vhd.block_size, vhd.logical_sector_size) == (128 * T.MB, 4096)

    def test_differencing_takes_the_parents_size(self, client, fleet):
        base = client.new_vhd(_dir(fleet, "base.vhdx"), 3 * T.GB)
        diff = client.new_vhd(_dir(fleet, "diff.vhdx"), parent_path=base.path)
        assert diff.vhd_type is VhdType.Differencing and diff.parent_path == base.path
        assert diff.size == 3 * T.GB and diff.block_size == 2 * T.MB

    def test_an_existing_file_is_refused(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "twice.vhdx"), T.GB).path
        with pytest.raises(DiskError, match="The file exists"):
            client.new_vhd(path, T.GB)

    def test_a_missing_parent_is_refused(self, client, fleet):
        with pytest.raises(HostPathError):
            client.new_vhd(_dir(fleet, "orphan.vhdx"), parent_path=_dir(fleet, "nothing.vhdx"))

    def test_a_size_that_is_not_whole_sectors_is_refused(self, client, fleet):
        with pytest.raises(DiskError, match="size of the virtual hard disk is not valid"):
            client.new_vhd(_dir(fleet, "odd.vhdx"), T.GB + 1)


class TestTestVhd:
    def test_a_whole_chain_is_usable(self, client, fleet):
        base = client.new_vhd(_dir(fleet, "b.vhdx"), T.GB)
        diff = client.new_vhd(_dir(fleet, "d.avhdx"), parent_path=base.path)
        assert client.test_vhd(diff.path).ok is True

    def test_a_missing_parent_breaks_the_chain(self, client, fleet, emulated):
        base = client.new_vhd(_dir(fleet, "b.vhdx"), T.GB)
        diff = client.new_vhd(_dir(fleet, "d.avhdx"), parent_path=base.path)
        client.delete_file(base.path)
        result = client.test_vhd(diff.path)
        assert result.ok is False and "cannot locate the parent virtual hard disk" in result.problem

    def test_a_missing_file_is_an_error(self, client, fleet):
        with pytest.raises(HostPathError):
            client.test_vhd(_dir(fleet, "none.vhdx"))


class TestMergeVhd:
    def test_an_orphaned_chain_folds_into_its_base(self, client, fleet, guest_data):
        vm = fleet.vm("orphan", state="Off")
        base = vm.hard_drives[0].path
        client.checkpoint_vm(vm, "one")
        client.write_guest_disk(vm, 0, 4096, b"after the checkpoint")
        top = client.vm(vm.name).hard_drives[0].path
        client.remove_vm(vm)  # the files stay: an orphaned chain
        merged = client.merge_vhd(top)
        assert merged.path == base and merged.vhd_type is VhdType.Dynamic
        assert client.file_info(top) is None
        again = client.new_vm(fleet.name("again"), vhd_path=base)
        assert client.read_guest_disk(again, 0, 4096, 20) == b"after the checkpoint"

    def test_down_to_a_named_ancestor(self, client, fleet):
        base = client.new_vhd(_dir(fleet, "m0.vhdx"), T.GB)
        one = client.new_vhd(_dir(fleet, "m1.avhdx"), parent_path=base.path)
        two = client.new_vhd(_dir(fleet, "m2.avhdx"), parent_path=one.path)
        assert client.merge_vhd(two.path, base.path).path == base.path
        assert client.get_vhd(base.path).vhd_type is VhdType.Dynamic

    def test_a_disk_in_use_is_refused(self, client, fleet):
        vm = fleet.vm("busy", state="Running")
        client.checkpoint_vm(vm, "one")
        top = client.vm(vm.name).hard_drives[0].path
        with pytest.raises(FileInUseError):
            client.merge_vhd(top)

    def test_the_destination_must_be_an_ancestor(self, client, fleet):
        base = client.new_vhd(_dir(fleet, "x0.vhdx"), T.GB)
        other = client.new_vhd(_dir(fleet, "y0.vhdx"), T.GB)
        diff = client.new_vhd(_dir(fleet, "x1.avhdx"), parent_path=base.path)
        with pytest.raises(DiskError):
            client.merge_vhd(diff.path, other.path)

    def test_a_base_disk_cannot_be_merged(self, client, fleet):
        base = client.new_vhd(_dir(fleet, "solo.vhdx"), T.GB)
        with pytest.raises(DiskError):
            client.merge_vhd(base.path)


class TestResizeVhd:
    def test_expand_and_shrink_a_disk_without_partitions(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "r.vhdx"), 10 * T.GB).path
        assert client.resize_vhd(path, 20 * T.GB).size == 20 * T.GB  # the page's example 2
        assert client.resize_vhd(path, 5 * T.GB).size == 5 * T.GB
        assert client.get_vhd(path).vhd_type is VhdType.Dynamic

    def test_expand_a_fixed_disk(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "rf.vhdx"), 32 * T.MB, fixed=True).path
        vhd = client.resize_vhd(path, 64 * T.MB)
        assert vhd.vhd_type is VhdType.Fixed and vhd.size == 64 * T.MB and vhd.file_size >= 64 * T.MB

    def test_a_disk_with_checkpoints_is_refused(self, client, fleet):
        vm = fleet.vm("cps", state="Off")
        base = vm.hard_drives[0].path
        client.checkpoint_vm(vm, "one")
        with pytest.raises(DiskError):
            client.resize_vhd(base, 200 * T.GB)
        with pytest.raises(DiskError):
            client.resize_vhd(client.vm(vm.name).hard_drives[0].path, 200 * T.GB)

    def test_online_resize_on_scsi(self, client, fleet):
        vm = fleet.vm("online", state="Running")  # generation 2: its disk is on SCSI
        path = vm.hard_drives[0].path
        assert client.resize_vhd(path, 200 * T.GB).size == 200 * T.GB

    def test_an_invalid_size_is_refused(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "ri.vhdx"), T.GB).path
        with pytest.raises(DiskError):
            client.resize_vhd(path, T.GB + 3)

    def test_to_minimum_size_follows_the_partitions(self, client, fleet, guest_data):
        vm = fleet.vm("mbr", state="Off")
        mbr = bytearray(512)
        # one partition from sector 2048, 1 GiB long; the signature makes it an MBR
        mbr[446 + 8:446 + 12] = (2048).to_bytes(4, "little")
        mbr[446 + 12:446 + 16] = (T.GB // 512).to_bytes(4, "little")
        mbr[446 + 4] = 0x07
        mbr[510:512] = b"\x55\xaa"
        client.write_guest_disk(vm, 0, 0, bytes(mbr))
        path = vm.hard_drives[0].path
        assert client.get_vhd(path).minimum_size == T.GB + T.MB
        with pytest.raises(DiskError, match="minimum size"):
            client.resize_vhd(path, T.GB)
        assert client.resize_vhd(path, None).size == T.GB + T.MB
        assert client.read_guest_disk(vm, 0, 510, 2) == b"\x55\xaa"


class TestOptimizeVhd:
    def test_a_dynamic_disk_succeeds(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "o.vhdx"), T.GB).path
        assert client.optimize_vhd(path).path == path

    def test_a_fixed_disk_is_refused(self, client, fleet):
        path = client.new_vhd(_dir(fleet, "of.vhdx"), 32 * T.MB, fixed=True).path
        with pytest.raises(DiskError):
            client.optimize_vhd(path)

    def test_an_attached_disk_is_refused(self, client, fleet):
        vm = fleet.vm("att", state="Running")
        path = vm.hard_drives[0].path
        assert client.get_vhd(path).attached is True
        with pytest.raises(FileInUseError):
            client.optimize_vhd(path)
