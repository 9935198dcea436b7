"""The Hyper-V module's cmdlets, as thin adapters over `sdk.HyperVClient`.

Each cmdlet binds its parameters (declared by the generated Hyper-V metadata, see
`hyperv_declare`: every parameter of the real cmdlet, with its sets, positions, aliases, pipeline
binding and validation), makes SDK calls, and writes the results. A handler reads the parameters
it honours through `Bound` attributes; any other parameter, once bound, fails with the
"not supported by hvemu" error naming it. The rest of the module's cmdlets are registered by
`setup` and bind, then fail the same way. No
Hyper-V rule lives here: the emulator (or a real host behind the SDK) decides what happens; SDK
exceptions become the Hyper-V module's error records in `hyperv_support.error_record`.

Not emulated (each fails with a clear "not supported by hvemu" error when used): -CimSession,
-Credential, the ClusterObject set of Get-VM, and every
parameter a handler has no `Bound` for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from hyperv_emu.psshim.cmdlets.fleet_listing import CheckpointListings
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, check_honoured, hyperv_cmdlet, register_all
from hyperv_emu.psshim.cmdlets.hyperv_support import error_record
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, Registry
from hyperv_emu.psshim.cmdlets.hyperv_setvm import MIX_MATCHING, needs_dynamic_memory, set_vm_settings
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import CheckpointNotFoundError, HyperVError, InvalidArgumentError
from hyperv_emu.sdk.types import VHD, Checkpoint, CheckpointType, ControllerType
from hyperv_emu.sdk.types import VM as VMValue
from hyperv_emu.sdk.vmparts import VMSettings

T = TypeVar("T")
R = TypeVar("R")



def setup(registry: Registry) -> None:
    """Register the rest of the Hyper-V module (bound, not emulated) and its aliases."""
    register_all(registry)


class HyperVCmdlet(Cmdlet):
    """Shared plumbing: the SDK client per -ComputerName, errors, warnings, -AsJob/-Passthru."""

    def begin_processing(self) -> Iterable[Any] | None:
        check_honoured(self)
        return None

    def client(self, computer: str | None = None) -> HyperVClient:
        base: HyperVClient = self.ctx.hyperv
        c = base.host(computer) if computer is not None else base
        return c.with_warnings(self.ctx.write_warning)

    def clients(self) -> list[HyperVClient]:
        names = self._bound_list("ComputerName")
        if self.is_bound("CimSession") or self.is_bound("Credential"):
            raise not_supported("-CimSession and -Credential")
        return [self.client(n) for n in names] if names else [self.client()]

    def _bound_list(self, name: str) -> list[Any]:
        value = self.ctx.bound.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def report(self, exc: HyperVError, target: Any = None) -> None:
        self.ctx.write_error(error_record(exc, self.__cmdlet_info__.name, None, target))

    def vms_by_name(self, client: HyperVClient, names: Sequence[str]) -> list[VMValue]:
        """The VMs a -Name/-VMName list selects (host order); a plain name that matches
        nothing gets its own non-terminating error."""
        try:
            found = client.lookup_vms(list(names))
        except HyperVError as exc:
            self.report(exc)
            return []
        for name in found.missing:
            self.report(_vm_not_found(name), name)
        return list(found.found)

    def target_vms(self) -> list[tuple[HyperVClient, VMValue]]:
        """The VMs of the Name or VMObject set (`-Name`/`-VMName` or `-VM`)."""
        out: list[tuple[HyperVClient, VMValue]] = []
        if self.is_bound("VM"):
            for vm in self._bound_list("VM"):
                if isinstance(vm, VMValue):
                    out.append((self.client(None if vm.client is None else vm.client.computer_name), vm))
            return out
        names = [str(n) for n in self._bound_list("Name") or self._bound_list("VMName")]
        for client in self.clients():
            out.extend((client, vm) for vm in self.vms_by_name(client, names))
        return out

    def each(self, targets: Iterable[tuple[HyperVClient, T]], text: Callable[[T], str],
             act: Callable[[HyperVClient, T], R], *, confirm: bool = True) -> Iterator[R]:
        """The shape of every Hyper-V action: ShouldProcess, one SDK call, its error reported
        as non-terminating, the result written only with -Passthru."""
        for client, item in targets:
            if confirm and not self.ctx.should_process(getattr(item, "name", item), text=text(item)):
                continue
            try:
                result = act(client, item)
            except HyperVError as exc:
                self.report(exc, item)
                continue
            if self.passthru():
                yield result

    def passthru(self) -> bool:
        return bool(self.ctx.bound.get("Passthru") or self.ctx.bound.get("PassThru"))

    def process(self) -> Iterator[Any]:
        """The cmdlet's work for one pipeline record (subclasses)."""
        return iter(())

    def process_record(self) -> Iterator[Any]:
        """-AsJob runs the work as a job (psshim runs it at once and keeps its results for
        Receive-Job), writing the job object instead of the results."""
        if not self.ctx.bound.get("AsJob"):
            yield from self.process()
            return
        if self.passthru():
            self.ctx.throw_terminating("The Asjob and Passthru switches cannot be set at the same time.",
                                       "InvalidParameter", "InvalidArgument")
        from hyperv_emu.psshim.cmdlets.jobs import run_as_job

        yield run_as_job(self.ctx, None, self.__cmdlet_info__.name, lambda: list(self.process()))


def _vm_not_found(name: str) -> HyperVError:
    from hyperv_emu.sdk.errors import VMNotFoundError

    return VMNotFoundError(f'Hyper-V was unable to find a virtual machine with name "{name}".', target=name)


class _ByNameOrVM(HyperVCmdlet):
    """The Name and VMObject parameter sets most VM cmdlets share (-ComputerName, -CimSession
    and -Credential exist only in the by-name set)."""

    Name = Bound()
    VM = Bound()
    ComputerName = Bound()
    Passthru = Bound()


# ---------------------------------------------------------------------------------------------
# Get-VM, New-VM, Remove-VM, Set-VM
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Get-VM")
class GetVM(HyperVCmdlet):
    Name = Bound()
    Id = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        for client in self.clients():
            if self.is_bound("Id"):
                try:
                    yield client.get_vm_by_id(str(self.ctx.bound["Id"]))
                except HyperVError as exc:
                    self.report(exc)
                continue
            names = self._bound_list("Name")
            if not names:
                try:
                    yield from client.lookup_vms(None).found
                except HyperVError as exc:  # e.g. an unknown -ComputerName
                    self.report(exc)
                continue
            try:
                found = client.lookup_vms([str(n) for n in names])
            except HyperVError as exc:
                self.report(exc)
                continue
            yield from found.found
            for name in found.missing:
                missing = _vm_not_found(name)
                missing.error_id, missing.category = "InvalidParameter", "InvalidArgument"
                self.report(missing, name)


@hyperv_cmdlet("New-VM")
class NewVM(HyperVCmdlet):
    Name = Bound()
    MemoryStartupBytes = Bound()
    Generation = Bound(2)
    Path = Bound()
    NewVHDPath = Bound()
    NewVHDSizeBytes = Bound()
    VHDPath = Bound()
    SwitchName = Bound()
    BootDevice = Bound()
    ComputerName = Bound()
    NoVHD = Bound()

    def process(self) -> Iterator[Any]:
        boot = None
        if self.is_bound("BootDevice"):
            boot = str(getattr(self.BootDevice, "name", None) or self.BootDevice)
        name = self.Name or "New Virtual Machine"
        switch = str(self.SwitchName) if self.is_bound("SwitchName") else None
        for client in self.clients():
            if not self.ctx.should_process(name, text=f'New-VM will create a new virtual machine "{name}".'):
                continue
            try:
                if switch is not None and not any(s.name.casefold() == switch.casefold()
                                                  for s in client.get_switches()):
                    raise HyperVError(f'Hyper-V was unable to find a virtual switch with name "{switch}".',
                                      error_id="InvalidParameter", category="InvalidArgument", target=switch)
                vm = client.new_vm(
                    name, memory_startup=int(self.MemoryStartupBytes or 1024**3), generation=int(self.Generation),
                    path=self.Path, new_vhd_path=self.NewVHDPath, new_vhd_size=int(self.NewVHDSizeBytes or 0),
                    vhd_path=self.VHDPath, boot_device=boot,
                )
                if switch is not None:  # -SwitchName connects the VM's one adapter
                    for adapter in client.get_network_adapters(vm):
                        client.connect_network_adapter(adapter, switch)
                yield vm
            except HyperVError as exc:
                self.report(exc, name)


@hyperv_cmdlet("Remove-VM")
class RemoveVM(_ByNameOrVM):
    Force = Bound()

    def process(self) -> Iterator[Any]:
        def remove(client: HyperVClient, vm: VMValue) -> VMValue:
            client.remove_vm(vm)
            return vm

        yield from self.each(self.target_vms(), lambda vm: f'Remove-VM will remove virtual machine "{vm.name}".',
                             remove, confirm=not self.Force)


@hyperv_cmdlet("Set-VM")
class SetVM(_ByNameOrVM):
    CheckpointType = Bound()
    AutomaticCheckpointsEnabled = Bound()
    SnapshotFileLocation = Bound()
    MemoryStartupBytes = Bound()
    ProcessorCount = Bound()
    Notes = Bound()

    def process(self) -> Iterator[Any]:
        settings: dict[str, Any] = {}
        if self.is_bound("CheckpointType"):
            settings["checkpoint_type"] = CheckpointType(int(self.CheckpointType))
        if self.is_bound("AutomaticCheckpointsEnabled"):
            settings["automatic_checkpoints_enabled"] = bool(self.AutomaticCheckpointsEnabled)
        if self.is_bound("SnapshotFileLocation"):
            settings["snapshot_file_location"] = str(self.SnapshotFileLocation)
        if self.is_bound("MemoryStartupBytes"):
            settings["memory_startup"] = int(self.MemoryStartupBytes)
        if self.is_bound("ProcessorCount"):
            settings["processor_count"] = int(self.ProcessorCount)
        if self.is_bound("Notes"):
            settings["notes"] = str(self.Notes)
        more = self.more_settings()
        if not more.is_empty():
            plain: dict[str, Any] = {k: (v.name if isinstance(v, CheckpointType) else v) for k, v in settings.items()}
            full = attrs.evolve(more, **plain)

            both = self.is_bound("DynamicMemory") and self.is_bound("StaticMemory")

            def configure(client: HyperVClient, vm: VMValue) -> VMValue:
                if both:  # the module's check, per VM (SetVM.cs)
                    raise InvalidArgumentError(MIX_MATCHING, error_id="InvalidParameter", target=vm.name)
                needs_dynamic_memory(MIX_MATCHING, vm, full.dynamic_memory_enabled, full)
                return client.configure_vm(vm, full)

            yield from self.each(self.target_vms(), lambda vm: f'Set-VM will configure the virtual machine "{vm.name}".',
                                 configure)
            return
        yield from self.each(self.target_vms(), lambda vm: f'Set-VM will configure the virtual machine "{vm.name}".',
                             lambda client, vm: client.set_vm(vm, **settings))

    # the parameters beyond the checkpoint ones (hyperv_vm.set_vm_settings reads them)
    AutomaticStartAction = Bound()
    AutomaticStartDelay = Bound()
    AutomaticStopAction = Bound()
    AutomaticCriticalErrorAction = Bound()
    AutomaticCriticalErrorActionTimeout = Bound()
    SmartPagingFilePath = Bound()
    MemoryMinimumBytes = Bound()
    MemoryMaximumBytes = Bound()
    DynamicMemory = Bound()
    StaticMemory = Bound()
    NewVMName = Bound()

    def more_settings(self) -> VMSettings:
        return set_vm_settings(self)


# ---------------------------------------------------------------------------------------------
# Start-VM, Stop-VM, Suspend-VM, Resume-VM
# ---------------------------------------------------------------------------------------------


class _StateCmdlet(_ByNameOrVM):
    AsJob = Bound()

    def act(self, client: HyperVClient, vm: VMValue) -> VMValue:
        raise NotImplementedError

    def prompt(self, vm: VMValue) -> str:
        raise NotImplementedError

    def process(self) -> Iterator[Any]:
        yield from self.each(self.target_vms(), self.prompt, self.act)


@hyperv_cmdlet("Start-VM")
class StartVM(_StateCmdlet):
    def prompt(self, vm: VMValue) -> str:
        return f'Start-VM will start the virtual machine "{vm.name}".'

    def act(self, client: HyperVClient, vm: VMValue) -> VMValue:
        return client.start_vm(vm)


@hyperv_cmdlet("Stop-VM")
class StopVM(_StateCmdlet):
    Save = Bound()
    TurnOff = Bound()
    Force = Bound()

    def prompt(self, vm: VMValue) -> str:
        if self.Save:
            return f'Stop-VM will save virtual machine "{vm.name}".'
        if self.TurnOff:
            return f'Stop-VM will turn off virtual machine "{vm.name}".'
        return f'Stop-VM will shut down the virtual machine "{vm.name}".'

    def process(self) -> Iterator[Any]:
        if self.Save and self.TurnOff:
            self.ctx.throw_terminating("The Save and TurnOff parameters are mutually exclusive.",
                                       "InvalidParameter", "InvalidArgument")
        yield from super().process()

    def act(self, client: HyperVClient, vm: VMValue) -> VMValue:
        return client.stop_vm(vm, save=bool(self.Save), turn_off=bool(self.TurnOff), force=bool(self.Force))


@hyperv_cmdlet("Suspend-VM")
class SuspendVM(_StateCmdlet):
    def prompt(self, vm: VMValue) -> str:
        return f'Suspend-VM will suspend the virtual machine "{vm.name}".'

    def act(self, client: HyperVClient, vm: VMValue) -> VMValue:
        return client.suspend_vm(vm)


@hyperv_cmdlet("Resume-VM")
class ResumeVM(_StateCmdlet):
    def prompt(self, vm: VMValue) -> str:
        return f'Resume-VM will resume the virtual machine "{vm.name}".'

    def act(self, client: HyperVClient, vm: VMValue) -> VMValue:
        return client.resume_vm(vm)


# ---------------------------------------------------------------------------------------------
# Checkpoint-VM and the *-VMSnapshot cmdlets
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Checkpoint-VM")
class CheckpointVM(_ByNameOrVM):
    SnapshotName = Bound()
    AsJob = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self.target_vms(),
                             lambda vm: f'Checkpoint-VM will create a snapshot for virtual machine "{vm.name}".',
                             lambda client, vm: client.checkpoint_vm(vm, self.SnapshotName))


class _SnapshotCmdlet(HyperVCmdlet):
    def snapshots_of(self, client: HyperVClient, vms: Sequence[VMValue], name: str | None,
                     quiet_when_none: bool) -> list[Checkpoint]:
        if not vms:
            return []
        try:
            return client.get_checkpoints(list(vms), name=name)
        except CheckpointNotFoundError as exc:
            if not quiet_when_none:
                self.report(exc)
            return []
        except HyperVError as exc:
            self.report(exc)
            return []

    def name_patterns(self) -> list[str | None]:
        names = self._bound_list("Name")
        return [str(n) for n in names] if names else [None]


@hyperv_cmdlet("Get-VMSnapshot")
class GetVMSnapshot(_SnapshotCmdlet):
    VMName = Bound()
    VM = Bound()
    Id = Bound()
    ParentOf = Bound()
    ChildOf = Bound()
    Name = Bound()
    SnapshotType = Bound()
    ComputerName = Bound()
    listings: CheckpointListings | None = None  # this stage's (psshim/cmdlets/fleet_listing.py)

    def process(self) -> Iterator[Any]:
        name = str(self.Name) if self.is_bound("Name") else None
        stype = str(self.SnapshotType) if self.is_bound("SnapshotType") else None
        if self.is_bound("Id"):
            for client in self.clients():
                try:
                    yield client.get_checkpoint(str(self.ctx.bound["Id"]))
                except HyperVError as exc:
                    self.report(exc)
            return
        if self.is_bound("ParentOf") or self.is_bound("ChildOf"):
            of = self.ctx.bound.get("ParentOf") or self.ctx.bound.get("ChildOf")
            client = self.client(getattr(getattr(of, "client", None), "computer_name", None))
            try:
                if self.is_bound("ParentOf"):
                    if not isinstance(of, (VMValue, Checkpoint)):
                        self.ctx.throw_terminating("The -ParentOf argument must be a virtual machine or a checkpoint.",
                                                   "InvalidParameter", "InvalidArgument")
                    yield client.get_parent_checkpoint(of, name=name)
                else:
                    assert isinstance(of, Checkpoint)
                    kids = client.get_child_checkpoints(of, name=name)
                    if not kids:
                        raise CheckpointNotFoundError("Unable to find a snapshot matching the given criteria.")
                    yield from kids
            except HyperVError as exc:
                self.report(exc)
            return
        filtered = name is not None or stype is not None
        for client, vm_list in self._groups():
            if stype is not None:
                try:
                    yield from client.get_checkpoints(vm_list, name=name, snapshot_type=stype)
                except HyperVError as exc:
                    self.report(exc)
                continue
            if not filtered and self.ctx.has_input and self.is_bound("VM"):
                if self.listings is None:
                    self.listings = CheckpointListings()
                listed = self.listings.checkpoints_of(client, vm_list)
                if listed is not None:
                    yield from listed
                    continue
            yield from self.snapshots_of(client, vm_list, name, quiet_when_none=not filtered)

    def _groups(self) -> list[tuple[HyperVClient, list[VMValue]]]:
        if self.is_bound("VM"):
            groups: dict[str | None, list[VMValue]] = {}
            for vm in self._bound_list("VM"):
                if isinstance(vm, VMValue):
                    groups.setdefault(None if vm.client is None else vm.client.computer_name, []).append(vm)
            return [(self.client(k), v) for k, v in groups.items()]
        names = [str(n) for n in self._bound_list("VMName")]
        return [(c, self.vms_by_name(c, names)) for c in self.clients()]


@hyperv_cmdlet("Restore-VMSnapshot")
class RestoreVMSnapshot(_SnapshotCmdlet):
    Name = Bound()
    VMName = Bound()
    VMSnapshot = Bound()
    VM = Bound()
    ComputerName = Bound()
    AsJob = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        yield from self.each(self._targets(), lambda cp: f'Restore-VMSnapshot will restore snapshot "{cp.name}".',
                             lambda client, cp: client.restore_checkpoint(cp))

    def _targets(self) -> list[tuple[HyperVClient, Checkpoint]]:
        if self.is_bound("VMSnapshot"):
            cp = self.VMSnapshot
            return [(self.client(None if cp.client is None else cp.client.computer_name), cp)]
        if self.is_bound("VM"):
            vm = self.VM
            pairs = [(self.client(None if vm.client is None else vm.client.computer_name), vm)]
        else:
            pairs = [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, [str(self.VMName)])]
        out = []
        for client, vm in pairs:
            try:
                out.append((client, client.find_checkpoint(vm, str(self.Name))))
            except HyperVError as exc:
                self.report(exc)
        return out


@hyperv_cmdlet("Remove-VMSnapshot")
class RemoveVMSnapshot(_SnapshotCmdlet):
    VMName = Bound()
    Name = Bound()
    VM = Bound()
    VMSnapshot = Bound()
    ComputerName = Bound()
    IncludeAllChildSnapshots = Bound()
    AsJob = Bound()
    Passthru = Bound()

    def _text(self, cp: Checkpoint) -> str:
        if self.IncludeAllChildSnapshots:
            return f'Remove-VMSnapshot will remove snapshot "{cp.name}" and all of its child snapshots.'
        return f'Remove-VMSnapshot will remove snapshot "{cp.name}".'

    def process(self) -> Iterator[Any]:
        include = bool(self.IncludeAllChildSnapshots)
        if self.is_bound("VMSnapshot"):
            for cp in self._bound_list("VMSnapshot"):
                yield from self._remove_one(self.client(None if cp.client is None else cp.client.computer_name), cp,
                                            include)
            return
        if self.is_bound("VM"):
            pairs = [(self.client(None if vm.client is None else vm.client.computer_name), vm)
                     for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
        else:
            names = [str(n) for n in self._bound_list("VMName")]
            pairs = [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, names)]
        for client, vm in pairs:
            gone: set[str] = set()
            for pattern in self.name_patterns():
                for cp in self.snapshots_of(client, [vm], pattern, quiet_when_none=True):
                    if cp.id in gone:
                        continue
                    if include:
                        gone |= {c.id for c in _subtree(client, cp)}
                    gone.add(cp.id)
                    yield from self._remove_one(client, cp, include)

    def _remove_one(self, client: HyperVClient, cp: Checkpoint, include: bool) -> Iterator[Any]:
        yield from self.each([(client, cp)], self._text,
                             lambda c, item: c.remove_checkpoint(item, include_children=include))


def _subtree(client: HyperVClient, cp: Checkpoint) -> list[Checkpoint]:
    try:
        pool = client.get_checkpoints([cp.vm_id])
    except HyperVError:
        return []
    out: list[Checkpoint] = []
    frontier = {cp.id}
    while frontier:
        kids = [c for c in pool if c.parent_snapshot_id in frontier]
        out.extend(kids)
        frontier = {c.id for c in kids}
    return out


@hyperv_cmdlet("Rename-VMSnapshot")
class RenameVMSnapshot(_SnapshotCmdlet):
    Name = Bound()
    VMName = Bound()
    VMSnapshot = Bound()
    VM = Bound()
    NewName = Bound()
    ComputerName = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        if self.is_bound("VMSnapshot"):
            cp = self.VMSnapshot
            targets = [(self.client(None if cp.client is None else cp.client.computer_name), cp)]
        else:
            if self.is_bound("VM"):
                vm = self.VM
                pairs = [(self.client(None if vm.client is None else vm.client.computer_name), vm)]
            else:
                pairs = [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, [str(self.VMName)])]
            targets = []
            for client, vm in pairs:
                try:
                    targets.append((client, client.find_checkpoint(vm, str(self.Name))))
                except HyperVError as exc:
                    self.report(exc)
        new = str(self.NewName)
        yield from self.each(targets, lambda cp: f'Rename-VMSnapshot will rename snapshot "{cp.name}" to "{new}".',
                             lambda client, cp: client.rename_checkpoint(cp, new))


@hyperv_cmdlet("Export-VMSnapshot")
class ExportVMSnapshot(_SnapshotCmdlet):
    Name = Bound()
    VMName = Bound()
    VM = Bound()
    VMSnapshot = Bound()
    Path = Bound()
    ComputerName = Bound()
    AsJob = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        targets: list[tuple[HyperVClient, Checkpoint]] = []
        if self.is_bound("VMSnapshot"):
            targets = [(self.client(None if c.client is None else c.client.computer_name), c)
                       for c in self._bound_list("VMSnapshot")]
        else:
            if self.is_bound("VM"):
                pairs = [(self.client(None if vm.client is None else vm.client.computer_name), vm)
                         for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
            else:
                names = [str(n) for n in self._bound_list("VMName")]
                pairs = [(c, vm) for c in self.clients() for vm in self.vms_by_name(c, names)]
            for client, vm in pairs:
                for pattern in self.name_patterns():
                    targets.extend((client, cp) for cp in self.snapshots_of(client, [vm], pattern, quiet_when_none=False))
        def export(client: HyperVClient, cp: Checkpoint) -> Checkpoint:
            client.export_checkpoint(cp, str(self.Path))
            return cp

        yield from self.each(targets,
                             lambda cp: f'Export-VMSnapshot will export the snapshot "{cp.name}" to the given location.',
                             export)


@hyperv_cmdlet("Export-VM")
class ExportVM(_ByNameOrVM):
    Path = Bound()
    AsJob = Bound()

    def process(self) -> Iterator[Any]:
        path = self.ctx.resolve_path(str(self.Path))

        def export(client: HyperVClient, vm: VMValue) -> VMValue:
            client.export_vm(vm, path)
            return vm

        yield from self.each(self.target_vms(),
                             lambda vm: f'Export-VM will export the virtual machine "{vm.name}" to the given location.',
                             export)


@hyperv_cmdlet("Move-VMStorage")
class MoveVMStorage(_ByNameOrVM):
    DestinationStoragePath = Bound()
    AsJob = Bound()

    def process(self) -> Iterator[Any]:
        dest = self.ctx.resolve_path(str(self.DestinationStoragePath))
        yield from self.each(self.target_vms(),
                             lambda vm: f'Move-VMStorage will move the storage of virtual machine "{vm.name}".',
                             lambda client, vm: client.move_vm_storage(vm, dest))


# ---------------------------------------------------------------------------------------------
# Get-VMHardDiskDrive, Get-VHD
# ---------------------------------------------------------------------------------------------


@hyperv_cmdlet("Get-VMHardDiskDrive")
class GetVMHardDiskDrive(HyperVCmdlet):
    VMName = Bound()
    VM = Bound()
    VMSnapshot = Bound()
    ComputerName = Bound()
    ControllerType = Bound()
    ControllerNumber = Bound()
    ControllerLocation = Bound()

    def process(self) -> Iterator[Any]:
        owners: list[Any]
        if self.is_bound("VMSnapshot"):
            owners = [self.VMSnapshot]
        elif self.is_bound("VM"):
            owners = [vm for vm in self._bound_list("VM") if isinstance(vm, VMValue)]
        else:
            names = [str(n) for n in self._bound_list("VMName")]
            owners = [vm for c in self.clients() for vm in self.vms_by_name(c, names)]
        for owner in owners:
            for drive in owner.hard_drives:
                if self.is_bound("ControllerType") and int(drive.controller_type) != int(self.ControllerType):
                    continue
                if self.is_bound("ControllerNumber") and drive.controller_number != int(self.ControllerNumber):
                    continue
                if self.is_bound("ControllerLocation") and drive.controller_location != int(self.ControllerLocation):
                    continue
                yield drive


@hyperv_cmdlet("Get-VHD")
class GetVHD(HyperVCmdlet):
    Path = Bound()
    VMId = Bound()
    ComputerName = Bound()

    def process(self) -> Iterator[Any]:
        for client in self.clients():
            paths: Iterable[str]
            if self.is_bound("VMId"):
                paths = []
                for vm_id in self._bound_list("VMId"):
                    try:
                        paths = [*paths, *(d.path for d in client.get_vm_by_id(str(vm_id)).hard_drives)]
                    except HyperVError as exc:
                        self.report(exc, vm_id)
            else:
                paths = [self.ctx.resolve_path(str(p)) for p in self._bound_list("Path")]
            for path in paths:
                try:
                    vhd: VHD = client.get_vhd(path)
                except HyperVError as exc:
                    self.report(exc, path)
                    continue
                yield vhd
