"""Compare-VM of an exported configuration and Import-VM of its report, on every backend.

Expected behaviour (Compare-VM's and Import-VM's pages; VMCompatibilityReport.cs, ImportVM.cs in
the decompiled module): Compare-VM -Path gives a VMCompatibilityReport (OperationType
ImportVirtualMachine, Path the .vmcx, SnapshotPath the export's Snapshots folder) whose VM is a
planned VM, not listed by Get-VM until Import-VM -CompatibilityReport brings it in; a Register
import keeps the export's folders (VhdDestinationPath its `Virtual Hard Disks` when every disk is
there); a Copy import copies the disks to -VhdDestinationPath and puts the VM in
-VirtualMachinePath; scripts may configure the planned VM before importing it.
"""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.sdk.compat import ImportOptions, OperationType
from hyperv_emu.sdk.errors import ExportImportError


def _exported(client, fleet, short: str) -> tuple[str, str, str]:
    vm = fleet.vm(short, state="Off")
    client.checkpoint_vm(vm, "A")
    folder = client.export_vm(vm, "E:\\Export")
    client.remove_vm(vm)
    return vm.id, vm.name, folder


def test_register_report_then_import(client, fleet, emulated):
    vm_id, name, folder = _exported(client, fleet, "cr")
    report = client.compare_vm_import(f"{folder}\\Virtual Machines\\{vm_id.upper()}.vmcx")
    assert report.operation_type is OperationType.ImportVirtualMachine
    assert (report.vm.id, report.vm.name) == (vm_id, name)
    assert report.path == f"{folder}\\Virtual Machines\\{vm_id.upper()}.vmcx"
    assert report.snapshot_path == f"{folder}\\Snapshots"
    assert report.vhd_destination_path == f"{folder}\\Virtual Hard Disks"
    assert report.incompatibilities == ()
    assert name not in [v.name for v in client.get_vms()]  # a planned VM is not listed
    vm = client.import_report(report)
    assert (vm.id, vm.path) == (vm_id, folder)
    assert [cp.name for cp in client.get_checkpoints(vm)] == ["A"]
    assert vm.hard_drives[0].path.startswith(folder + "\\Virtual Hard Disks\\")


PER_CALL = ("The PowerShell backend runs each call as a script of its own: the planned VM of one Compare-VM does not "
            "outlive it (import_report plans the import again, ps_importscript)")


def test_copy_with_new_id_and_paths(client, fleet, emulated, backend):
    vm_id, name, folder = _exported(client, fleet, "cc")
    options = ImportOptions(copy=True, generate_new_id=True, virtual_machine_path="F:\\Clones\\c1",
                            vhd_destination_path="F:\\Clones\\c1\\Disks")
    report = client.compare_vm_import(folder, options)
    assert report.vm.id != vm_id and report.vm.path == "F:\\Clones\\c1"
    assert all(d.path.startswith("F:\\Clones\\c1\\Disks\\") for d in report.vm.hard_drives)
    vm = client.import_report(report)
    if backend != "powershell":  # PER_CALL: a new id again
        assert vm.id == report.vm.id
    for d in vm.hard_drives:
        assert client.file_info(d.path) is not None
    assert client.test_vhd(vm.hard_drives[0].path).ok
    # the export is untouched: a second copy works
    again = client.import_vm(folder, generate_new_id=True, vhd_destination_path="F:\\Clones\\c2")
    assert again.id not in (vm_id, vm.id)


def test_the_planned_vm_can_be_configured_before_import(client, fleet, emulated, backend):
    if backend == "powershell":
        pytest.skip(PER_CALL)
    vm_id, _name, folder = _exported(client, fleet, "cm")
    report = client.compare_vm_import(folder)
    client.set_vm(report.vm, memory_startup=4 * T.GB)
    assert client.compare_report(report).vm.memory_startup == 4 * T.GB
    again = client.compare_vm_import(folder)  # planned again from the export: the earlier plan is replaced
    assert again.vm.id == vm_id and again.vm.memory_startup != 4 * T.GB
    client.set_vm(again.vm, memory_startup=4 * T.GB)
    vm = client.import_report(again)
    assert vm.memory_startup == 4 * T.GB


def test_compare_of_a_registered_id_fails(client, fleet, emulated):
    vm = fleet.vm("cd", state="Off")
    folder = client.export_vm(vm, "E:\\Export")
    with pytest.raises(ExportImportError):
        client.compare_vm_import(folder)


def test_importing_twice_fails(client, fleet, emulated):
    vm_id, _name, folder = _exported(client, fleet, "ct")
    report = client.compare_vm_import(folder)
    client.import_report(report)
    with pytest.raises(Exception):
        client.import_report(report)
