"""A VM's integration services (Get-/Enable-/Disable-VMIntegrationService) and what they drive.

A Generation 2 VM on Windows Server 2022 has six, in this order, all enabled but Guest Service
Interface (hyperv-object-model.md §1 #48, §6; the names are the module's, e.g. "VSS" is what
Hyper-V Manager calls "Backup (volume checkpoint)"). A VM stores only the ones changed from the
default (`VirtualMachineRecord.integration_services`).

What they drive here:
- VSS: a production checkpoint of a running VM uses the guest's VSS only when the service is
  enabled (and the guest's VSS works: the `guest_vss_failing` fault); otherwise Production falls
  back to a standard checkpoint and ProductionOnly fails (emulator.checkpoints).
- Heartbeat: the VM's Heartbeat property (Disabled when the service is off).
"""

from __future__ import annotations

from hyperv_emu.emulator.errors import InvalidArgument
from hyperv_emu.emulator.model import VirtualMachineRecord, VMStateName

# name -> (enabled by default, the component's class GUID in its Id `Microsoft:<VMId>\<guid>`)
SERVICES: dict[str, tuple[bool, str]] = {
    "Guest Service Interface": (False, "6C09BB55-D683-4DA0-8931-C9BF705F6480"),
    "Heartbeat": (True, "84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47"),
    "Key-Value Pair Exchange": (True, "2A34B1C2-FD73-4043-8A5B-DD2159BC743F"),
    "Shutdown": (True, "9F8233AC-BE49-4C79-8EE3-E7E1985B2077"),
    "Time Synchronization": (True, "2497F4DE-E9FA-4204-80E4-4B75C46419C0"),
    "VSS": (True, "5CED1297-4598-4915-A5FC-AD21BB4D02A4"),
}


def canonical(name: str) -> str | None:
    """The service's name as the module spells it (names are case-insensitive), or None."""
    folded = name.casefold()
    return next((n for n in SERVICES if n.casefold() == folded), None)


def enabled(vm: VirtualMachineRecord, name: str) -> bool:
    return vm.integration_services.get(name, SERVICES[name][0])


def set_enabled(vm: VirtualMachineRecord, name: str, value: bool) -> None:
    service = canonical(name)
    if service is None:
        # the module's ErrorMessages.VMIntegrationService_IntegrationComponentNotFound
        raise InvalidArgument("No integration component with the given name could be found.", target=name)
    if value == SERVICES[service][0]:
        vm.integration_services.pop(service, None)
    else:
        vm.integration_services[service] = value


def guest_vss_usable(vm: VirtualMachineRecord) -> bool:
    """A production checkpoint can use the guest's VSS: running, VSS service on, guest VSS works."""
    return vm.state is VMStateName.RUNNING and enabled(vm, "VSS") and not vm.guest_vss_failing


def heartbeat(vm: VirtualMachineRecord) -> str | None:
    """The VM's Heartbeat (VMHeartbeatStatus name): null when Off or Saved (hyperv-object-model.md
    [DECOMP]), Disabled when the service is off, Paused when paused, else the guest answers with
    OkApplicationsUnknown (a guest without application health reporting; inferred)."""
    if vm.state in (VMStateName.OFF, VMStateName.SAVED):
        return None
    if not enabled(vm, "Heartbeat"):
        return "Disabled"
    if vm.state is VMStateName.PAUSED:
        return "Paused"
    return "OkApplicationsUnknown"
