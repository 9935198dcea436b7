"""PowerShell Direct: `Invoke-Command -VMName/-VMId`, `New-PSSession -VMName/-VMId` and
`Enter-PSSession -VMName/-VMId` reach a VM's guest through the host, as PowerShell's remoting
cmdlets do (PSRemotingCmdlet.cs / newrunspacecommand.cs / PushRunspaceCommand.cs in
PowerShell/PowerShell, texts from RemotingErrorIdStrings.resx):

- a name that resolves to no single VM: `The input VMName X does not resolve to a single virtual
  machine.` (InvalidVMNameNotSingle, InvalidArgument), an id: `The input VMId X does not resolve
  to a single virtual machine.` (InvalidVMIdNotSingle); non-terminating, the other VMs go on;
- a VM that is not Running: `The virtual machine X is not in running state.` (InvalidVMState,
  InvalidArgument);
- a running VM whose guest services do not answer (the default: the emulator has no guest OS):
  the Hyper-V socket connection fails, `A failure occurred while attempting to connect to the
  target virtual machine.` (VMSessionConnectFailed, a PSInvalidOperationException in
  OutOfProcTransportManager.cs, reported as the session's open error);
- a VM the world declares `guest_reachable = true`: the block runs in a fresh session of an
  empty emulated guest: its own empty file system, `$env:COMPUTERNAME` the VM's name, the host's
  clock, and no Hyper-V module (`Get-VM` is not recognized there).

New-PSSession -VMName/-VMId opens a session (a `PSSession`, ComputerType VirtualMachine, named
`Session<Id>` in 5.1 and `Runspace<Id>` in 7) whose guest runspace keeps its state between
`Invoke-Command -Session` calls; Get-PSSession lists the open ones, Remove-PSSession closes them.
Enter-PSSession -VMName/-VMId fails as New-PSSession does; an interactive session into a
reachable guest is not emulated. -Credential is accepted and not checked (a real host asks for
one when it is missing). -ComputerName sessions are not emulated.
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, ValidateNotNullOrEmpty, cmdlet
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM, VMState

ARGUMENT_EXCEPTION = "System.ArgumentException"


@attrs.frozen(eq=False, repr=False)
class GuestTarget:
    """A VM whose guest answered: its name and id."""

    name: str
    id: str


def resolve_targets(ctx: Any, by_id: bool, suffix: str = "PSSessionStateBroken",
                    interactive: bool = False) -> Iterator[GuestTarget]:
    """The VMs of -VMName (or -VMId) whose guests answer; an error record for each other one
    (`interactive`: Enter-PSSession's texts for a VM that is not found)."""
    client = ctx.hyperv
    if client is None:
        raise not_supported("PowerShell Direct from inside an emulated guest")
    raw = C.as_list(ctx.bound.get("VMId" if by_id else "VMName"))
    for item in raw:
        text = C.to_string(item)
        vm: VM | None = None
        try:
            if by_id:
                vm = client.get_vm_by_id(text.lower())
            else:
                found = client.lookup_vms([text]).found
                vm = found[0] if len(found) == 1 else None
        except HyperVError:
            vm = None
        if vm is None:
            which = "VMId" if by_id else "VMName"
            if interactive:  # PushRunspaceCommand.cs: InvalidVMId / InvalidVMNameNoVM
                message, error_id = (("The input VMId parameter does not resolve to a single virtual machine.",
                                      "InvalidVMId") if by_id else
                                     ("The input VMName parameter does not resolve to any virtual machine.",
                                      "InvalidVMNameNoVM"))
            else:
                message = f"The input {which} {text} does not resolve to a single virtual machine."
                error_id = f"Invalid{which}NotSingle"
            ctx.write_error(ctx.error_record(message, error_id, "InvalidArgument",
                                             exception_type=ARGUMENT_EXCEPTION))
            continue
        if vm.state is not VMState.Running:
            ctx.write_error(ctx.error_record(f"The virtual machine {vm.name} is not in running state.",
                                             "InvalidVMState", "InvalidArgument", exception_type=ARGUMENT_EXCEPTION))
            continue
        if not client.guest_reachable(vm):
            ctx.write_error(connect_failed(ctx, vm.name, suffix))
            continue
        yield GuestTarget(vm.name, vm.id)


def connect_failed(ctx: Any, vm_name: str, suffix: str) -> ErrorRecord:
    """The open error of a session whose guest does not answer (`suffix`: PSSessionStateBroken
    for Invoke-Command, PSSessionOpenFailed for New-PSSession)."""
    record: ErrorRecord = ctx.error_record(
        "A failure occurred while attempting to connect to the target virtual machine.", "VMSessionConnectFailed",
        "OpenError", target_object=vm_name,
        exception_type="System.Management.Automation.PSInvalidOperationException")
    return attrs.evolve(record, fully_qualified_error_id=f"VMSessionConnectFailed,{suffix}",
                        category_info=attrs.evolve(record.category_info, activity=""))


def guest_services(ctx: Any, target: GuestTarget) -> Any:
    """The services of a fresh session in the guest: the guest's files (kept per VM for the run,
    so what one session writes the next one reads), the host's clock, no Hyper-V."""
    from hyperv_emu.psshim.guest_files import GuestFileView
    from hyperv_emu.psshim.runtime.services import SimpleServices

    interp = ctx.interp
    disks: dict[str, GuestFileView] | None = getattr(interp, "guest_files", None)
    if disks is None:
        disks = {}
        interp.guest_files = disks
    clock = ctx.services.clock
    files = disks.setdefault(target.id, GuestFileView(clock.now))
    temp = "C:\\Users\\Administrator\\AppData\\Local\\Temp"
    env = {"COMPUTERNAME": target.name.split(".")[0][:15].upper(), "USERNAME": "Administrator",
           "USERPROFILE": "C:\\Users\\Administrator", "TEMP": temp, "TMP": temp, "SystemRoot": "C:\\Windows",
           "windir": "C:\\Windows", "SystemDrive": "C:"}
    return SimpleServices(clock=clock, environment=env, files=files, hyperv=None)


def guest_registry() -> Any:
    """The commands of a guest session: every module but the host's Hyper-V ones."""
    from hyperv_emu.psshim.cmdlets import guest_registry as make

    return make()


# --- sessions ----------------------------------------------------------------------------------------

CORE = "Microsoft.PowerShell.Core"
NS = "Microsoft.PowerShell.Commands."


class VMSession(PSNative):
    """A PSSession to a VM's guest: its runspace lives as long as the session."""

    __ps_type_names__ = ["System.Management.Automation.Runspaces.PSSession", "System.Object"]

    def __init__(self, session_id: int, name: str, target: GuestTarget, runspace: Any, instance_id: Any,
                 configuration: str) -> None:
        self.id = session_id
        self.name = name
        self.vm_name = target.name
        self.vm_id = target.id
        self.runspace = runspace
        self.instance_id = instance_id
        self.configuration = configuration
        self.state = "Opened"

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        import uuid

        return [("Id", self.id), ("Name", self.name), ("Transport", "VMBus"), ("ComputerName", self.vm_name),
                ("ComputerType", "VirtualMachine"), ("State", self.state),
                ("ConfigurationName", self.configuration),
                ("Availability", "Available" if self.state == "Opened" else "None"),
                ("ContainerId", ""), ("VMName", self.vm_name), ("VMId", uuid.UUID(self.vm_id)),
                ("InstanceId", self.instance_id)]

    def __ps_string__(self) -> str:
        return f"[PSSession]{self.name}"


class SessionTable:
    """The PSSessions of one run (Get-PSSession), numbered from 1."""

    def __init__(self) -> None:
        self.sessions: list[VMSession] = []
        self.next_id = 1


def session_table(ctx: Any) -> SessionTable:
    interp = ctx.interp
    table = getattr(interp, "pssessions", None)
    if table is None:
        table = SessionTable()
        interp.pssessions = table
    return table


@cmdlet("New-PSSession", aliases=("nsn",), module=CORE, class_name=NS + "NewPSSessionCommand",
        default_set="ComputerName")
class NewPSSession(Cmdlet):
    """Opens a session to a VM's guest (PowerShell Direct)."""

    ComputerName = Param("string[]", InSet("ComputerName", position=0, pipeline=True), aliases=("Cn",))
    VMId = Param("guid[]", InSet("VMId", position=0, mandatory=True, pipeline_by_property=True),
                 aliases=("VMGuid",), validate=(ValidateNotNullOrEmpty(),))
    VMName = Param("string[]", InSet("VMName", mandatory=True, pipeline_by_property=True),
                   validate=(ValidateNotNullOrEmpty(),))
    Credential = Param("object", InSet("ComputerName"), InSet("VMId", pipeline_by_property=True),
                       InSet("VMName", pipeline_by_property=True))
    Name = Param("string[]")
    ConfigurationName = Param("string", InSet("ComputerName"), InSet("VMId"), InSet("VMName"))
    ThrottleLimit = Param("int")

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.cmdlets.remote_runspace import new_runspace

        if self.ctx.parameter_set not in ("VMName", "VMId"):
            raise not_supported("New-PSSession -ComputerName")
        table = session_table(self.ctx)
        names = [C.to_string(n) for n in C.as_list(self.Name)] if self.is_bound("Name") else []
        configuration = C.to_string(self.ConfigurationName) if self.is_bound("ConfigurationName") \
            else "Microsoft.PowerShell"
        for i, target in enumerate(resolve_targets(self.ctx, self.ctx.parameter_set == "VMId",
                                                   "PSSessionOpenFailed")):
            session_id = table.next_id
            table.next_id += 1
            prefix = "Runspace" if options.is_core() else "Session"
            name = names[i] if i < len(names) else f"{prefix}{session_id}"
            runspace = new_runspace(self.ctx, guest_services(self.ctx, target), guest_registry())
            session = VMSession(session_id, name, target, runspace, self.ctx.interp.new_guid(), configuration)
            table.sessions.append(session)
            yield session


@cmdlet("Get-PSSession", aliases=("gsn",), module=CORE, class_name=NS + "GetPSSessionCommand", default_set="Name")
class GetPSSession(Cmdlet):
    """The open sessions of this run (by -Name, -Id or -VMName)."""

    Name = Param("string[]", InSet("Name", position=0, pipeline_by_property=True))
    Id = Param("int[]", InSet("Id", position=0, mandatory=True))
    VMName = Param("string[]", InSet("VMName", mandatory=True, pipeline_by_property=True))

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match

        for session in session_table(self.ctx).sessions:
            if self.is_bound("Id") and session.id not in [int(i) for i in C.as_list(self.Id)]:
                continue
            if self.is_bound("Name") and not any(wildcard_match(session.name, C.to_string(p))
                                                 for p in C.as_list(self.Name)):
                continue
            if self.is_bound("VMName") and not any(wildcard_match(session.vm_name, C.to_string(p))
                                                   for p in C.as_list(self.VMName)):
                continue
            yield session


@cmdlet("Remove-PSSession", aliases=("rsn",), module=CORE, class_name=NS + "RemovePSSessionCommand",
        default_set="Id", supports_should_process=True)
class RemovePSSession(Cmdlet):
    """Closes sessions (-Session objects, or by -Id / -Name) and forgets them."""

    Id = Param("int[]", InSet("Id", position=0, mandatory=True, pipeline_by_property=True))
    Session = Param("object[]", InSet("Session", position=0, mandatory=True, pipeline=True))
    Name = Param("string[]", InSet("Name", mandatory=True, pipeline_by_property=True))

    def process_record(self) -> None:
        table = session_table(self.ctx)
        if self.is_bound("Session"):
            chosen = [s for s in C.as_list(self.Session) if isinstance(s, VMSession)]
        elif self.is_bound("Id"):
            ids = [int(i) for i in C.as_list(self.Id)]
            chosen = [s for s in table.sessions if s.id in ids]
        else:
            names = [C.to_string(n).casefold() for n in C.as_list(self.Name)]
            chosen = [s for s in table.sessions if s.name.casefold() in names]
        for session in chosen:
            if not self.ctx.should_process(session.name, "Remove-PSSession"):
                continue
            session.state = "Closed"
            if session in table.sessions:
                table.sessions.remove(session)


@cmdlet("Enter-PSSession", aliases=("etsn",), module=CORE, class_name=NS + "EnterPSSessionCommand",
        default_set="ComputerName")
class EnterPSSession(Cmdlet):
    """An interactive session: to a VM it fails as New-PSSession does; entering is not emulated."""

    ComputerName = Param("string", InSet("ComputerName", position=0, mandatory=True, pipeline=True),
                         aliases=("Cn",))
    VMId = Param("guid", InSet("VMId", position=0, mandatory=True, pipeline=True, pipeline_by_property=True),
                 aliases=("VMGuid",))
    VMName = Param("string", InSet("VMName", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    Session = Param("object", InSet("Session", position=0, mandatory=True, pipeline_by_property=True))
    Credential = Param("object", InSet("ComputerName"), InSet("VMId", pipeline_by_property=True),
                       InSet("VMName", pipeline_by_property=True))
    ConfigurationName = Param("string", InSet("ComputerName"), InSet("VMId"), InSet("VMName"))

    def process_record(self) -> None:
        if self.ctx.parameter_set not in ("VMName", "VMId"):
            raise not_supported("Enter-PSSession (interactive sessions)")
        for _ in resolve_targets(self.ctx, self.ctx.parameter_set == "VMId", "PSSessionOpenFailed", interactive=True):
            raise not_supported("Enter-PSSession (interactive sessions)")
