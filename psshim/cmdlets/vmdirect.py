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

-Credential is accepted and not checked (a real host asks for one when it is missing).
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM, VMState

ARGUMENT_EXCEPTION = "System.ArgumentException"


@attrs.frozen(eq=False, repr=False)
class GuestTarget:
    """A VM whose guest answered: its name and id."""

    name: str
    id: str


def resolve_targets(ctx: Any, by_id: bool) -> Iterator[GuestTarget]:
    """The VMs of -VMName (or -VMId) whose guests answer; an error record for each other one."""
    client = ctx.hyperv
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
            ctx.write_error(ctx.error_record(
                f"The input {which} {text} does not resolve to a single virtual machine.",
                f"Invalid{which}NotSingle", "InvalidArgument", exception_type=ARGUMENT_EXCEPTION))
            continue
        if vm.state is not VMState.Running:
            ctx.write_error(ctx.error_record(f"The virtual machine {vm.name} is not in running state.",
                                             "InvalidVMState", "InvalidArgument", exception_type=ARGUMENT_EXCEPTION))
            continue
        if not client.guest_reachable(vm):
            ctx.write_error(connect_failed(ctx, vm.name))
            continue
        yield GuestTarget(vm.name, vm.id)


def connect_failed(ctx: Any, vm_name: str) -> ErrorRecord:
    """The open error of a session whose guest does not answer."""
    record: ErrorRecord = ctx.error_record(
        "A failure occurred while attempting to connect to the target virtual machine.", "VMSessionConnectFailed",
        "OpenError", target_object=vm_name,
        exception_type="System.Management.Automation.PSInvalidOperationException")
    return attrs.evolve(record, fully_qualified_error_id="VMSessionConnectFailed,PSSessionStateBroken",
                        category_info=attrs.evolve(record.category_info, activity=""))


def guest_services(ctx: Any, target: GuestTarget) -> Any:
    """The services of a fresh session in an empty guest: own files, the host's clock, no Hyper-V."""
    from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices

    env = {"COMPUTERNAME": target.name.split(".")[0][:15].upper(), "USERNAME": "Administrator",
           "TEMP": "C:\\Users\\Administrator\\AppData\\Local\\Temp"}
    return SimpleServices(clock=ctx.services.clock, environment=env, files=MemoryFileView(), hyperv=None)


def guest_registry() -> Any:
    """The commands of a guest session: every module but the host's Hyper-V ones."""
    from hyperv_emu.psshim.cmdlets import guest_registry as make

    return make()
