"""One emulated Hyper-V host: the operations of the Hyper-V module, with Hyper-V's rules.

Each public method is one transaction on the state (see engine.py). Methods take and return
plain values and the frozen views of views.py; warnings that a cmdlet would write are returned
as lists of strings (`Outcome.warnings`), errors are raised as `emulator.errors` exceptions.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable

import attrs

from hyperv_emu.emulator import checkpoints, disks, guest, integration, lifecycle, openfiles, vmsettings, winpath
from hyperv_emu.emulator.configfiles import vm_config_path, write_vm_config
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.errors import (
    CheckpointNotFound,
    EmulatorError,
    InvalidVMState,
    MoreThanOneCheckpoint,
    PathError,
    VMAlreadyExists,
    VMCreateFailed,
    VMNameInvalid,
    VMNotFound,
    checkpoint_name_empty,
)
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.names import check_vm_name
from hyperv_emu.emulator.model import (
    CheckpointRecord,
    CheckpointTypeName,
    FileOp,
    HardDrive,
    HostRecord,
    PlannedImportRecord,
    Settings,
    VirtualMachineRecord,
    VMStateName,
)
from hyperv_emu.emulator.host_devices import DeviceOps
from hyperv_emu.emulator import bootorder, devices, drives, exportvm, importvm, metering, movestorage, network, systemfiles, taskclock, vhdrules
from hyperv_emu.emulator import switches as vswitch
from hyperv_emu.emulator.metering import MeteringView
from hyperv_emu.emulator.statetrack import find
from hyperv_emu.emulator.transaction import Transaction, host_rel
from hyperv_emu.emulator.vdisk import HostDisks
from hyperv_emu.emulator.vhdfiles import NewVhdSpec, VhdFacts
from hyperv_emu.emulator.views import (
    CheckpointView,
    CompatibilityView,
    DriveView,
    EventView,
    HostView,
    host_view,
    VhdView,
    VMView,
    checkpoint_view,
    checkpoint_views,
    vm_view,
)
from hyperv_emu.emulator.wildcard import compile_pattern, contains_wildcards, is_match


@attrs.frozen(eq=False, repr=False)
class Outcome(Fieldwise):
    """What a state-changing operation reports besides its result: the warnings a cmdlet writes."""

    warnings: tuple[str, ...] = ()


@attrs.frozen(eq=False, repr=False)
class FileInfo(Fieldwise):
    """A file or folder of the host's Windows file system, as Get-ChildItem sees it."""

    path: str
    name: str
    is_dir: bool
    length: int
    last_write_time: dt.datetime
    version: systemfiles.VersionResource | None = None  # a Windows binary's version resource


@attrs.frozen(eq=False, repr=False)
class VMLookup(Fieldwise):
    found: tuple[VMView, ...]
    missing: tuple[str, ...]


class Host(DeviceOps):
    """A host of an Emulator, by computer name (None: the default host)."""

    def __init__(self, emulator: Emulator, name: str | None = None) -> None:
        self.emulator = emulator
        self.requested_name = name

    # --- helpers -----------------------------------------------------------------------------

    def _tx(self, read_only: bool = False) -> "_HostTx":
        """The operation's transaction; `read_only` for one that changes nothing and reads no
        disk file (see `Emulator.transaction`)."""
        return _HostTx(self.emulator, self.requested_name, read_only)

    def _device_vm(self, host: HostRecord, vm_id: str) -> VirtualMachineRecord:
        return _vm_or_planned(host, vm_id)

    @property
    def name(self) -> str:
        with self._tx(read_only=True) as (tx, host):
            return host.name

    # --- VMs ---------------------------------------------------------------------------------

    def lookup_vms(self, names: Iterable[str] | None = None) -> VMLookup:
        """Get-VM's Name set: no names gives every VM sorted by name; plain names that match
        nothing are reported in `missing` (unmatched patterns are silent). Found VMs come in the
        host's enumeration order (the world's [[vm]] order), each once."""
        with self._tx(read_only=True) as (tx, host):
            now = tx.now()
            if names is None:
                vms = sorted(host.vms, key=lambda v: v.name.casefold())
                return VMLookup(tuple(vm_view(host, v, now, tx.state.settings) for v in vms), ())
            names = list(names)
            if any(n == "" for n in names):  # Get-VM's [ValidateNotNullOrEmpty()] on -Name
                check_vm_name("")
            missing = []
            chosen: set[int] = set()  # by identity (a record's == compares every field)
            for name in names:
                # the pattern read once, and the names of other lengths skipped without a call:
                # a name looked up among a fleet's VMs costs little per VM
                hits: list[VirtualMachineRecord] = []
                if host.vms:
                    pattern = compile_pattern(name)
                    lo, hi = pattern.length_range()
                    hits = [v for v in host.vms if lo <= len(v.name) <= hi and pattern.is_match(v.name)]
                if not hits and not contains_wildcards(name):
                    missing.append(name)
                chosen.update(id(h) for h in hits)
            ordered = hits if len(names) == 1 else [v for v in host.vms if id(v) in chosen]
            return VMLookup(tuple(vm_view(host, v, now, tx.state.settings) for v in ordered), tuple(missing))

    def get_vm_by_id(self, vm_id: str) -> VMView:
        with self._tx(read_only=True) as (tx, host):
            return vm_view(host, _vm_by_id(host, vm_id), tx.now(), tx.state.settings)

    def new_vm(
        self,
        name: str,
        *,
        memory_startup: int = 1024**3,
        generation: int = 2,
        path: str | None = None,
        new_vhd_path: str | None = None,
        new_vhd_size: int = 0,
        vhd_path: str | None = None,
        checkpoint_type: str = "Production",
        boot_device: str | None = None,
    ) -> VMView:
        check_vm_name(name)
        with self._tx() as (tx, host):
            if any(v.name.casefold() == name.casefold() for v in host.vms):
                raise VMAlreadyExists(f"A virtual machine named '{name}' already exists on '{host.name}'.", target=name)
            root = str(winpath.parse(path)) if path else host.default_vm_path
            vm = VirtualMachineRecord(
                id=tx.new_id(), name=name, memory_startup=memory_startup, generation=generation,
                path=root, snapshot_file_location=root, creation_time=tx.now(),
                checkpoint_type=CheckpointTypeName(checkpoint_type),
            )
            # a small or large VM's memory limits include its startup memory
            vm.memory_minimum = min(vm.memory_minimum, memory_startup)
            vm.memory_maximum = max(vm.memory_maximum, memory_startup)
            host.vms.append(vm)
            for i, (disk_path, size) in enumerate(
                [(new_vhd_path, new_vhd_size)] if new_vhd_path else ([(vhd_path, 0)] if vhd_path else [])
            ):
                assert disk_path is not None
                p = str(winpath.parse(disk_path))
                if disk_path == new_vhd_path and (disks.find_file(host, p) is not None
                                                  or tx.store.exists(host_rel(host.name, p))):
                    raise VMCreateFailed(
                        f"Failed to create a new virtual machine. The system failed to create '{p}': "
                        f"The file exists. (0x80070050).", target=p)
                openfiles.ensure_not_held(host, p)
                actual = disks.add_base_disk(tx, host, vm, p, size)
                vm.disks.append(HardDrive(path=p, base_path=p, size=actual,
                                          controller_type="SCSI" if generation == 2 else "IDE",
                                          controller_location=i))
            if boot_device is not None:
                devices.apply_boot_device(tx, host, vm, boot_device)
            write_vm_config(tx, host, vm)
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def remove_vm(self, vm_id: str) -> None:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            if vm.state in (VMStateName.RUNNING, VMStateName.PAUSED):
                raise InvalidVMState(vm.name)
            disks.quiesce(tx, host, vm)
            guest.drop_memory(tx, host, vm)
            for cp in vm.checkpoints:
                checkpoints.delete_config_files(tx, host, vm, cp)
            tx.queue(FileOp(kind="delete", host=host.name, path=vm_config_path(vm)))
            host.merges = [m for m in host.merges if m.vm_id != vm.id]
            for f in host.disk_files:
                if f.vm_id == vm.id:
                    f.vm_id = None  # the disk files stay on the host, as Remove-VM leaves them
            host.vms.remove(vm)
            tx.changed = True

    def set_vm(
        self,
        vm_id: str,
        *,
        checkpoint_type: str | None = None,
        automatic_checkpoints: bool | None = None,
        snapshot_file_location: str | None = None,
        memory_startup: int | None = None,
        processor_count: int | None = None,
        notes: str | None = None,
        new_name: str | None = None,
    ) -> VMView:
        with self._tx() as (tx, host):
            vm = _vm_or_planned(host, vm_id)
            if checkpoint_type is not None:
                vm.checkpoint_type = CheckpointTypeName(checkpoint_type)
            if automatic_checkpoints is not None:
                vm.automatic_checkpoints = automatic_checkpoints
            if snapshot_file_location is not None:
                if vm.checkpoints:
                    raise InvalidVMState(vm.name)
                vm.snapshot_file_location = str(winpath.parse(snapshot_file_location))
            if memory_startup is not None or processor_count is not None:
                if vm.state is not VMStateName.OFF:
                    raise InvalidVMState(vm.name)
                vm.memory_startup = memory_startup or vm.memory_startup
                vm.processor_count = processor_count or vm.processor_count
            if notes is not None:
                vm.notes = notes
            if new_name is not None:
                check_vm_name(new_name)
                vm.name = new_name
            write_vm_config(tx, host, vm)
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def set_faults(self, vm_id: str, *, guest_vss_failing: bool | None = None, pass_through_disks: int | None = None) -> VMView:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            if guest_vss_failing is not None:
                vm.guest_vss_failing = guest_vss_failing
            if pass_through_disks is not None:
                vm.pass_through_disks = max(0, pass_through_disks)
            tx.changed = True
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def start_vm(self, vm_id: str) -> Outcome:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            return Outcome(tuple(lifecycle.start(tx, host, vm)))

    def stop_vm(self, vm_id: str, *, mode: str = "shutdown", force: bool = False) -> Outcome:
        """mode: "shutdown" (the guest shuts down), "turnoff", or "save"."""
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            return Outcome(tuple(lifecycle.stop(tx, host, vm, mode, force)))

    def suspend_vm(self, vm_id: str) -> Outcome:
        with self._tx() as (tx, host):
            return Outcome(tuple(lifecycle.suspend(tx, host, _vm_by_id(host, vm_id))))

    def resume_vm(self, vm_id: str) -> Outcome:
        with self._tx() as (tx, host):
            return Outcome(tuple(lifecycle.resume(tx, host, _vm_by_id(host, vm_id))))

    # --- checkpoints -------------------------------------------------------------------------

    def create_checkpoint(self, vm_id: str, name: str | None = None) -> CheckpointView:
        """Checkpoint-VM: create under the default name, then rename when a name is given
        (a rename that Hyper-V refuses leaves the checkpoint under its default name). One
        transaction: the checkpoint is stored named, or under its default name with the error."""
        if name is not None:
            checkpoints.check_name_given(name)
        refused: EmulatorError | None = None
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            cp = checkpoints.create(tx, host, vm, automatic=False)
            if name is not None:
                try:
                    checkpoints.rename(tx, host, vm, cp, name)
                except EmulatorError as exc:
                    refused = exc
            view = checkpoint_view(host, vm, cp)
        if refused is not None:
            raise refused
        return view

    def get_checkpoint(self, checkpoint_id: str) -> CheckpointView:
        with self._tx(read_only=True) as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            return checkpoint_view(host, vm, cp)

    def get_checkpoints(
        self,
        vm_ids: Iterable[str] | None = None,
        *,
        name: str | None = None,
        parent_of: str | None = None,
        child_of: str | None = None,
        snapshot_type: str | None = None,
    ) -> list[CheckpointView]:
        """Get-VMSnapshot: the checkpoints of the given VMs (all VMs when None), sorted by
        CreationTime, filtered by a name pattern, by being the parent of a VM or checkpoint
        (`parent_of` = an id), or a child of a checkpoint. Raises CheckpointNotFound when a
        filter matches nothing (a bare listing of a VM without checkpoints is silent)."""
        with self._tx(read_only=True) as (tx, host):
            if vm_ids is None:
                vms = list(host.vms)
            else:  # each VM once, in the host's order (found by id: a pipeline asks VM by VM)
                ids = set(vm_ids)
                found = [find(host.vms, i.casefold(), _vm_key) for i in ids] if len(ids) < 8 else None
                if found is not None and all(v is not None and v.id in ids for v in found):
                    chosen = {id(v) for v in found}
                    vms = [v for v in found if v is not None] if len(found) == 1 else \
                        [v for v in host.vms if id(v) in chosen]
                else:
                    vms = [v for v in host.vms if v.id in ids]
            pairs = [(vm, cp) for vm in vms for cp in vm.checkpoints]
            filtered = name is not None or parent_of is not None or child_of is not None or snapshot_type is not None
            if snapshot_type is not None and snapshot_type.casefold() != "standard":
                pairs = []
            if name == "":  # Get-VMSnapshot's [ValidateNotNullOrEmpty()] on -Name
                raise checkpoint_name_empty("Name")
            if name is not None:
                pairs = [(vm, cp) for vm, cp in pairs if is_match(name, cp.name)]
            if parent_of is not None:
                target = _parent_id_of(host, parent_of)
                pairs = [(vm, cp) for vm, cp in pairs if cp.id == target]
            if child_of is not None:
                pairs = [(vm, cp) for vm, cp in pairs if cp.parent_id == child_of]
            if filtered and not pairs:
                raise CheckpointNotFound()
            pairs.sort(key=lambda p: p[1].creation_time)
            return checkpoint_views(host, pairs)

    def find_one_checkpoint(self, vm_id: str, name: str) -> CheckpointView:
        """Exactly one checkpoint of the VM whose name matches the pattern (Restore/Rename)."""
        with self._tx(read_only=True) as (tx, host):
            vm = _vm_by_id(host, vm_id)
            if name == "":  # -Name is [ValidateNotNullOrEmpty()] on Restore/Rename/Remove-VMSnapshot
                raise checkpoint_name_empty("Name")
            hits = [cp for cp in vm.checkpoints if is_match(name, cp.name)]
            if not hits:
                raise CheckpointNotFound()
            if len(hits) > 1:
                raise MoreThanOneCheckpoint()
            return checkpoint_view(host, vm, hits[0])

    def restore_checkpoint(self, checkpoint_id: str) -> Outcome:
        with self._tx() as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            return Outcome(tuple(checkpoints.restore(tx, host, vm, cp)))

    def remove_checkpoint(self, checkpoint_id: str, *, include_children: bool = False) -> CheckpointView:
        with self._tx() as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            view = checkpoint_view(host, vm, cp)
            checkpoints.remove(tx, host, vm, cp, include_children)
            return view

    def rename_checkpoint(self, checkpoint_id: str, new_name: str) -> CheckpointView:
        with self._tx() as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            checkpoints.rename(tx, host, vm, cp, new_name)
            return checkpoint_view(host, vm, cp)

    def export_checkpoint(self, checkpoint_id: str, path: str) -> str:
        """Export-VMSnapshot: `<path>\\<VMName>\\` with the checkpoint's configuration and disks
        flattened to its state. Returns the export folder."""
        with self._tx() as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            return checkpoints.export(tx, host, vm, cp, path)

    def export_vm(self, vm_id: str, path: str) -> str:
        """Export-VM: `<path>\\<VMName>\\` with the VM, its checkpoints and every disk file of
        its chains (emulator.exportvm). Returns the export folder."""
        with self._tx() as (tx, host):
            return exportvm.export_vm(tx, host, _vm_by_id(host, vm_id), path)

    def move_vm_storage(self, vm_id: str, destination: str) -> VMView:
        """Move-VMStorage -DestinationStoragePath (emulator.movestorage)."""
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            disks.quiesce(tx, host, vm)
            movestorage.move(tx, host, vm, destination)
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def import_vm(self, path: str, options: importvm.ImportOptions) -> VMView:
        """Import-VM -Path: plan and realize at once (emulator.importvm); an incompatible
        configuration leaves nothing behind."""
        with self._tx() as (tx, host):
            vm = importvm.realize(tx, host, importvm.plan(tx, host, path, options))
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def compare_import(self, path: str, options: importvm.ImportOptions) -> CompatibilityView:
        """Compare-VM -Path (Register/Copy): a planned VM and what stands in its way."""
        with self._tx() as (tx, host):
            return _compatibility(host, importvm.plan(tx, host, path, options), tx.now(), tx.state.settings)

    def recompare(self, vm_id: str) -> CompatibilityView:
        """Compare-VM -CompatibilityReport: the planned VM validated again."""
        with self._tx() as (tx, host):
            return _compatibility(host, importvm.planned_by_id(host, vm_id), tx.now(), tx.state.settings)

    def import_planned(self, vm_id: str) -> VMView:
        """Import-VM -CompatibilityReport: the planned VM becomes a VM of the host."""
        with self._tx() as (tx, host):
            vm = importvm.realize(tx, host, importvm.planned_by_id(host, vm_id))
            return vm_view(host, vm, tx.now(), tx.state.settings)

    # --- drives, disks, files, events, clock --------------------------------------------------

    def get_vhd(self, path: str) -> VhdView:
        """Get-VHD: what the file's VHDX headers say (emulator.vhdrules). A corrupt file raises
        DiskError naming the file and the structure at fault."""
        with self._tx() as (tx, host):
            return _vhd_view(host, *vhdrules.vhd_facts(tx, host, path))

    # --- VHD files (emulator.vhdrules) ----------------------------------------------------------

    def new_vhd(self, path: str, spec: NewVhdSpec) -> VhdView:
        with self._tx() as (tx, host):
            created = vhdrules.new_vhd(tx, host, path, spec)
        return self.get_vhd(created)

    def test_vhd(self, path: str) -> str | None:
        """Test-VHD: None when the disk's chain is usable, else the reason it is not."""
        with self._tx() as (tx, host):
            return vhdrules.test_vhd(tx, host, path)

    def merge_vhd(self, path: str, destination: str | None = None) -> VhdView:
        with self._tx() as (tx, host):
            target = vhdrules.merge_vhd(tx, host, path, destination)
        return self.get_vhd(target)

    def resize_vhd(self, path: str, size: int | None) -> VhdView:
        """size None: -ToMinimumSize."""
        with self._tx() as (tx, host):
            target = vhdrules.resize_vhd(tx, host, path, size)
        return self.get_vhd(target)

    def optimize_vhd(self, path: str) -> VhdView:
        with self._tx() as (tx, host):
            target = vhdrules.optimize_vhd(tx, host, path)
        return self.get_vhd(target)

    # --- drives and controllers (emulator.drives) ------------------------------------------------

    def add_hard_drive(self, vm_id: str, path: str, *, controller_type: str | None = None,
                       controller_number: int | None = None, controller_location: int | None = None) -> DriveView:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            drive = drives.add(tx, host, vm, path, controller_type, controller_number, controller_location)
            bootorder.device_added(vm, bootorder.drive_key(drive.controller_type, drive.controller_number,
                                                           drive.controller_location))
            write_vm_config(tx, host, vm)
            return _drive_view(host, vm, drive)

    def remove_hard_drive(self, vm_id: str, controller_type: str, controller_number: int,
                          controller_location: int) -> DriveView:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            drive = drives.remove(tx, host, vm, controller_type, controller_number, controller_location)
            bootorder.device_removed(vm, bootorder.drive_key(controller_type, controller_number, controller_location))
            write_vm_config(tx, host, vm)
            return _drive_view(host, vm, drive)

    def set_hard_drive(self, vm_id: str, controller_type: str, controller_number: int, controller_location: int,
                       *, path: str | None = None, to_controller_type: str | None = None,
                       to_controller_number: int | None = None, to_controller_location: int | None = None) -> DriveView:
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            drive = drives.change(tx, host, vm, controller_type, controller_number, controller_location, path=path,
                                  to_type=to_controller_type, to_number=to_controller_number,
                                  to_location=to_controller_location)
            bootorder.device_moved(vm, bootorder.drive_key(controller_type, controller_number, controller_location),
                                   bootorder.drive_key(drive.controller_type, drive.controller_number,
                                                       drive.controller_location))
            write_vm_config(tx, host, vm)
            return _drive_view(host, vm, drive)

    # --- network (emulator.network) ---------------------------------------------------------------

    def network_adapters(self, vm_id: str) -> list[network.AdapterView]:
        with self._tx(read_only=True) as (tx, host):
            return network.adapters(host, _vm_or_planned(host, vm_id), tx.state.settings)

    def connect_adapter(self, vm_id: str, adapter: str, switch: str | None) -> list[network.AdapterView]:
        """Connect-VMNetworkAdapter -SwitchName / Disconnect-VMNetworkAdapter (switch None), of a VM
        or a planned VM; the VM's adapters after the change."""
        with self._tx() as (tx, host):
            vm = _vm_or_planned(host, vm_id)
            network.connect(host, vm, adapter, switch)
            tx.changed = True
            return network.adapters(host, vm, tx.state.settings)

    def configure_adapter(self, vm_id: str, adapter: str,
                          changes: network.AdapterChanges) -> list[network.AdapterView]:
        """Set-VMNetworkAdapter / Set-VMNetworkAdapterVlan on one adapter of a VM or a planned VM;
        the VM's adapters after the change."""
        with self._tx() as (tx, host):
            vm = _vm_or_planned(host, vm_id)
            network.configure(vm, adapter, changes)
            tx.changed = True
            return network.adapters(host, vm, tx.state.settings)

    def add_adapter(self, vm_id: str, new: network.NewAdapter) -> network.AdapterView:
        """Add-VMNetworkAdapter to a VM or a planned VM; the new adapter."""
        with self._tx() as (tx, host):
            vm = _vm_or_planned(host, vm_id)
            network.add(tx, host, vm, new)
            tx.changed = True
            return network.adapters(host, vm, tx.state.settings)[-1]

    def remove_adapter(self, vm_id: str, adapter: str) -> None:
        """Remove-VMNetworkAdapter of the first adapter of that name of a VM or a planned VM."""
        with self._tx() as (tx, host):
            network.remove(tx.state.settings, _vm_or_planned(host, vm_id), adapter)
            tx.changed = True

    def switches(self) -> list[vswitch.SwitchView]:
        with self._tx(read_only=True) as (tx, host):
            return vswitch.views(host)

    def host_adapters(self) -> list[vswitch.HostAdapterView]:
        """Get-NetAdapter: the host's physical adapters and its virtual ones on shared switches."""
        with self._tx(read_only=True) as (tx, host):
            return vswitch.host_adapters(host, tx.state.settings.id_seed)

    def management_adapters(self) -> list[network.AdapterView]:
        """Get-VMNetworkAdapter -ManagementOS."""
        with self._tx(read_only=True) as (tx, host):
            return network.management_adapters(host, tx.state.settings)

    def new_switch(self, changes: vswitch.SwitchChanges) -> vswitch.SwitchView:
        with self._tx() as (tx, host):
            record = vswitch.new(tx, host, changes)
            tx.changed = True
            return vswitch.view(host, record)

    def set_switch(self, switch_id: str, changes: vswitch.SwitchChanges) -> vswitch.SwitchView:
        """Set-VMSwitch / Rename-VMSwitch; the switch after."""
        with self._tx() as (tx, host):
            record = vswitch.by_id(host, switch_id)
            vswitch.change(host, record, changes)
            tx.changed = True
            return vswitch.view(host, record)

    def remove_switch(self, switch_id: str) -> None:
        with self._tx() as (tx, host):
            vswitch.remove(host, vswitch.by_id(host, switch_id))
            tx.changed = True

    # --- guest data ------------------------------------------------------------------------------

    def write_guest_disk(self, vm_id: str, disk: int, offset: int, data: bytes) -> None:
        """Bytes into the VM's disk `disk` (0 = its first hard drive) at `offset`, through its
        chain: the VM's current file takes them, its parents are never written."""
        with self._tx() as (tx, host):
            guest.write_disk(tx, host, _vm_by_id(host, vm_id), disk, offset, bytes(data))

    def read_guest_disk(self, vm_id: str, disk: int, offset: int, length: int) -> bytes:
        with self._tx() as (tx, host):
            return guest.read_disk(tx, host, _vm_by_id(host, vm_id), disk, offset, length)

    def write_guest_memory(self, vm_id: str, offset: int, data: bytes) -> None:
        """Bytes into the memory of a running (or paused) VM."""
        with self._tx() as (tx, host):
            guest.write_memory(tx, host, _vm_by_id(host, vm_id), offset, bytes(data))

    def read_guest_memory(self, vm_id: str, offset: int, length: int) -> bytes:
        with self._tx() as (tx, host):
            return guest.read_memory(tx, host, _vm_by_id(host, vm_id), offset, length)

    def events(self) -> list[EventView]:
        with self._tx(read_only=True) as (tx, host):
            return [EventView(e.time, e.level, e.event_id, e.message, e.vm_name, e.vm_id) for e in host.events]

    def now(self) -> dt.datetime:
        with self._tx(read_only=True) as (tx, host):
            return tx.now()

    def merge_progress(self, vm_id: str) -> int | None:
        """How far the VM's disk merges are (0-99), None when none runs (hvemu ui's Status)."""
        with self._tx() as (tx, host):
            return disks.merge_percent(host, _vm_by_id(host, vm_id).id, tx.now())

    def advance(self, seconds: float, runner: "taskclock.ActionRunner | None" = None) -> dt.datetime:
        """Move the virtual clock (Start-Sleep): merges, timeline events and scheduled tasks due
        on the way happen at their instants, in order (emulator.taskclock; `runner` runs the
        tasks' programs)."""
        return taskclock.advance(self.emulator, seconds, runner)

    def list_dir(self, path: str) -> list[FileInfo]:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            rel = host_rel(host.name, str(wp))
            stored = tx.store.exists(rel) and tx.store.is_dir(rel)
            if not stored and not systemfiles.is_folder(str(wp)):
                raise PathError(f"Cannot find path '{wp}' because it does not exist.", target=str(wp))
            out = []
            for e in tx.store.listdir(rel) if stored else []:
                child = wp.joinpath(e.name)
                out.append(FileInfo(str(child), e.name, e.is_dir, e.size, host.file_times.get(child.key(), tx.now()),
                                    systemfiles.version(str(child))))
            names = {f.name.casefold() for f in out}
            for name, is_dir, length in systemfiles.children(str(wp)):
                if name.casefold() not in names:
                    child = wp.joinpath(name)
                    out.append(FileInfo(str(child), name, is_dir, length, systemfiles.LAST_WRITE,
                                        systemfiles.version(str(child))))
            out.sort(key=lambda f: f.name.casefold())
            return out

    def file_info(self, path: str) -> FileInfo | None:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            rel = host_rel(host.name, str(wp))
            if not tx.store.exists(rel):
                system = systemfiles.file(str(wp))
                if system is not None:
                    return FileInfo(str(wp), wp.name, False, system.length, systemfiles.LAST_WRITE,
                                    systemfiles.version(str(wp)))
                if systemfiles.is_folder(str(wp)):
                    return FileInfo(str(wp), wp.name, True, 0, systemfiles.LAST_WRITE)
                return None
            is_dir = tx.store.is_dir(rel)
            return FileInfo(str(wp), wp.name, is_dir, 0 if is_dir else tx.store.size(rel),
                            host.file_times.get(wp.key(), tx.now()), None if is_dir else systemfiles.version(str(wp)))

    def read_file(self, path: str) -> bytes:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            rel = host_rel(host.name, str(wp))
            if systemfiles.is_system_path(str(wp)) and not tx.store.exists(rel):
                return systemfiles.content(str(wp))
            if not tx.store.exists(rel) or tx.store.is_dir(rel):
                raise PathError(f"Cannot find path '{wp}' because it does not exist.", target=str(wp))
            return tx.store.read_bytes(rel)

    def write_file(self, path: str, data: bytes) -> None:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            systemfiles.ensure_writable(str(wp))
            openfiles.ensure_not_held(host, str(wp))
            tx.queue(FileOp(kind="write_bytes", host=host.name, path=str(wp), payload=base64.b64encode(data).decode("ascii")))
            host.file_times[wp.key()] = tx.now()

    def make_dir(self, path: str) -> None:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            tx.queue(FileOp(kind="mkdir", host=host.name, path=str(wp)))

    def delete_file(self, path: str) -> None:
        with self._tx() as (tx, host):
            wp = winpath.parse(path)
            systemfiles.ensure_writable(str(wp))
            openfiles.ensure_not_held(host, str(wp))
            record = disks.find_file(host, str(wp))
            if record is not None:
                # a disk a VM (or one of its checkpoints) still uses, or the parent of another disk,
                # stays; a detached disk (Remove-VMHardDiskDrive, New-VHD) is an ordinary file
                if record.vm_id is not None or any(
                        f.parent is not None and disks.file_key(f.parent) == disks.file_key(record.path)
                        for f in host.disk_files):
                    raise PathError(f"The file '{wp}' is in use by a virtual machine.", target=str(wp))
                disks.delete_file(tx, host, record.path)
                return
            tx.queue(FileOp(kind="delete", host=host.name, path=str(wp)))
            host.file_times.pop(wp.key(), None)

    def storage_path(self, path: str) -> str:
        """The real file behind a Windows path of this host (`hvemu path`)."""
        with self._tx() as (tx, host):
            return tx.store.display_path(host_rel(host.name, str(winpath.parse(path))))

    # --- VM settings and actions (emulator.vmsettings, emulator.integration) -----------------------

    def configure_vm(self, vm_id: str, changes: vmsettings.VMChanges) -> VMView:
        """Set-VM / Set-VMMemory / Set-VMProcessor / Rename-VM: all changes or none."""
        if changes.new_name is not None:
            check_vm_name(changes.new_name)
        with self._tx() as (tx, host):
            vm = _vm_or_planned(host, vm_id)
            if changes.new_name is not None and any(
                    v is not vm and v.name.casefold() == changes.new_name.casefold() for v in host.vms):
                raise VMAlreadyExists(f"A virtual machine named '{changes.new_name}' already exists on "
                                      f"'{host.name}'.", target=changes.new_name)
            vmsettings.apply(tx, host, vm, changes)
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def restart_vm(self, vm_id: str) -> Outcome:
        with self._tx() as (tx, host):
            return Outcome(tuple(vmsettings.restart(tx, host, _vm_by_id(host, vm_id))))

    def remove_saved_state(self, vm_id: str) -> None:
        with self._tx() as (tx, host):
            vmsettings.remove_saved_state(tx, host, _vm_by_id(host, vm_id))

    def remove_checkpoint_saved_state(self, checkpoint_id: str) -> None:
        with self._tx() as (tx, host):
            vm, cp = _checkpoint_by_id(host, checkpoint_id)
            vmsettings.remove_checkpoint_saved_state(tx, host, vm, cp)

    def set_integration_service(self, vm_id: str, name: str, enabled: bool) -> VMView:
        """Enable-/Disable-VMIntegrationService (any state; a running guest notices at once)."""
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            integration.set_enabled(vm, name, enabled)
            write_vm_config(tx, host, vm)
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def set_resource_metering(self, vm_id: str, action: str) -> VMView:
        """Enable-/Disable-/Reset-VMResourceMetering: `action` is "enable", "disable" or "reset"."""
        with self._tx() as (tx, host):
            vm = _vm_by_id(host, vm_id)
            if action == "enable":
                metering.enable(vm, tx.now())
            elif action == "disable":
                metering.disable(vm)
            else:
                metering.reset(vm, tx.now())
            tx.changed = True
            return vm_view(host, vm, tx.now(), tx.state.settings)

    def measure_vm(self, vm_id: str) -> MeteringView:
        """Measure-VM (emulator.metering)."""
        with self._tx() as (tx, host):
            return metering.measure(tx, host, _vm_by_id(host, vm_id), tx.now())

    def wait_satisfied(self, vm_id: str, condition: str, since: dt.datetime | None) -> bool:
        """Whether what Wait-VM -For waits for holds now (the caller polls, moving the clock)."""
        with self._tx() as (tx, host):
            return vmsettings.wait_satisfied(_vm_by_id(host, vm_id), condition, since)

    def host_info(self) -> HostView:
        with self._tx() as (tx, host):
            return host_view(host)

    def set_host_paths(self, *, virtual_hard_disk_path: str | None = None,
                       virtual_machine_path: str | None = None) -> HostView:
        """Set-VMHost: the default folders of New-VM and New-VHD."""
        with self._tx() as (tx, host):
            if virtual_hard_disk_path is not None:
                host.default_vhd_path = str(winpath.parse(virtual_hard_disk_path))
            if virtual_machine_path is not None:
                host.default_vm_path = str(winpath.parse(virtual_machine_path))
            tx.changed = True
            return host_view(host)


def _drive_view(host: HostRecord, vm: VirtualMachineRecord, d: HardDrive) -> DriveView:
    return DriveView(vm_name=vm.name, vm_id=vm.id, path=d.path, controller_type=d.controller_type,
                     controller_number=d.controller_number, controller_location=d.controller_location,
                     computer_name=winpath.netbios_name(host.name))


def _vhd_view(host: HostRecord, f: VhdFacts, attached: bool) -> VhdView:
    return VhdView(
        path=f.path, parent_path=f.parent_path, vhd_type=f.vhd_type, size=f.size, file_size=f.file_size,
        computer_name=winpath.netbios_name(host.name), attached=attached, block_size=f.block_size,
        logical_sector_size=f.logical_sector_size, physical_sector_size=f.physical_sector_size,
        disk_id=f.disk_identifier, minimum_size=f.minimum_size,
    )


class _HostTx:
    """`with _HostTx(emulator, name) as (tx, host)`: a transaction and the host record."""

    def __init__(self, emulator: Emulator, name: str | None, read_only: bool = False) -> None:
        self._cm = emulator.transaction(read_only=read_only)
        self._name = name

    def __enter__(self) -> tuple[Transaction, HostRecord]:
        tx = self._cm.__enter__()
        try:
            return tx, tx.host(self._name)
        except BaseException as exc:
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
            raise

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)  # type: ignore[arg-type]


def _name_matches(pattern: str, name: str) -> bool:
    """A -Name entry, read as PowerShell's cmdlets read one (Get-Process, Get-Service:
    `WildcardPattern.Get(name, IgnoreCase).IsMatch`): a name without wildcard characters is
    compared without case, and its backtick escapes count (`` `[lab`] `` is the name `[lab]`), so
    `Get-VM -Name P` selects what `Where-Object Name -like P` does."""
    return is_match(pattern, name)


def _vm_key(vm: VirtualMachineRecord) -> str:
    return vm.id.casefold()


def _vm_by_id(host: HostRecord, vm_id: str) -> VirtualMachineRecord:
    vm: VirtualMachineRecord | None = find(host.vms, str(vm_id).casefold(), _vm_key)
    if vm is None:
        raise VMNotFound(str(vm_id), by_id=True)
    return vm


def _checkpoint_by_id(host: HostRecord, checkpoint_id: str) -> tuple[VirtualMachineRecord, CheckpointRecord]:
    for vm in host.vms:
        for cp in vm.checkpoints:
            if cp.id.casefold() == str(checkpoint_id).casefold():
                return vm, cp
    raise CheckpointNotFound()


def _parent_id_of(host: HostRecord, obj_id: str) -> str | None:
    for vm in host.vms:
        if vm.id.casefold() == obj_id.casefold():
            return vm.parent_checkpoint_id
        for cp in vm.checkpoints:
            if cp.id.casefold() == obj_id.casefold():
                return cp.parent_id
    raise CheckpointNotFound()



def _compatibility(host: HostRecord, record: PlannedImportRecord, now: dt.datetime,
                   settings: Settings) -> CompatibilityView:
    vhd_destination, vhd_source = record.vhd_destination, record.vhd_source
    standard = str(winpath.parse(record.snapshot_source).parent.joinpath("Virtual Hard Disks"))
    if not record.copy and record.vm.disks and all(
            winpath.parse(d.path).parent.key() == winpath.parse(standard).key() for d in record.vm.disks):
        vhd_destination = standard  # a register import of a standard export folder
    if record.copy and not vhd_source:
        vhd_source = standard
    return CompatibilityView(
        vm=vm_view(host, record.vm, now, settings), destination=winpath.netbios_name(host.name), path=record.config_path,
        snapshot_path=record.snapshot_source, vhd_destination_path=vhd_destination or None,
        vhd_source_path=vhd_source or None,
        incompatibilities=tuple((i.message_id, i.message, i.adapter) for i in importvm.incompatibilities(host, record)))


def _vm_or_planned(host: HostRecord, vm_id: str) -> VirtualMachineRecord:
    """A VM, or a planned VM (a compatibility report's VM, which scripts may configure before
    Import-VM brings it in)."""
    try:
        return _vm_by_id(host, vm_id)
    except VMNotFound:
        return importvm.planned_by_id(host, vm_id).vm
