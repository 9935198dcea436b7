"""A generation 2 VM's UEFI firmware settings, as Get-VMFirmware shows them and Set-VMFirmware
changes them (secure boot and its template).

- New-VM gives a generation 2 VM secure boot On with the "MicrosoftWindows" template; a
  generation 1 VM has a BIOS, not a UEFI firmware, so the firmware cmdlets refuse it.
- The templates are those of a Windows Server 2022 host: MicrosoftWindows,
  MicrosoftUEFICertificateAuthority (Linux guests) and OpenSourceShieldedVM, each with its fixed
  GUID (SecureBootTemplateId).
- Secure boot settings change only while the VM is Off (Hyper-V Manager greys them out
  otherwise).
- The boot order (-BootOrder, -FirstBootDevice) is `emulator.bootorder`'s.

Texts of refusals the reference does not give follow Hyper-V's wording [U].
"""

from __future__ import annotations

import attrs

from hyperv_emu.emulator import bootorder, winpath
from hyperv_emu.emulator.errors import InvalidArgument, InvalidVMState
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, VirtualMachineRecord, VMStateName

TEMPLATES = {
    "MicrosoftWindows": "1734c6e8-3154-4dda-ba5f-a874cc483422",
    "MicrosoftUEFICertificateAuthority": "272e7447-90a4-4563-a4b9-8e4ab00526ce",
    "OpenSourceShieldedVM": "4292ae2b-ee2c-42b5-a969-dd8713acbf2b",
}
DEFAULT_TEMPLATE = "MicrosoftWindows"


@attrs.frozen(eq=False, repr=False)
class FirmwareView(Fieldwise):
    vm_name: str
    vm_id: str
    computer_name: str
    secure_boot: bool
    secure_boot_template: str
    secure_boot_template_id: str
    boot_order: tuple[bootorder.BootEntryView, ...] = ()


def _require_uefi(vm: VirtualMachineRecord) -> None:
    if vm.generation < 2:
        raise InvalidArgument(f"The virtual machine '{vm.name}' is a generation 1 virtual machine: it has no UEFI "
                              f"firmware (the firmware cmdlets need a generation 2 virtual machine).", target=vm.name)


def view(host: HostRecord, vm: VirtualMachineRecord) -> FirmwareView:
    _require_uefi(vm)
    template = vm.secure_boot_template or DEFAULT_TEMPLATE
    return FirmwareView(vm.name, vm.id, winpath.netbios_name(host.name), vm.secure_boot, template,
                        TEMPLATES.get(template, ""), tuple(bootorder.entries(vm)))


def configure(vm: VirtualMachineRecord, secure_boot: bool | None, template: str | None,
              first: bootorder.DeviceRef | None = None, order: list[bootorder.DeviceRef] | None = None) -> None:
    """Set-VMFirmware -EnableSecureBoot / -SecureBootTemplate / -FirstBootDevice / -BootOrder: all
    changes or none (the boot order is checked first and set last)."""
    _require_uefi(vm)
    name = None
    if template is not None:
        name = next((t for t in TEMPLATES if t.casefold() == template.casefold()), None)
        if name is None:
            raise InvalidArgument(f"'{template}' is not a secure boot template of this host ({', '.join(TEMPLATES)}).",
                                  target=template)
    if (secure_boot is not None or name is not None) and vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)
    if order is not None:
        bootorder.set_order(vm, order)
    if first is not None:
        bootorder.set_first(vm, first)
    if secure_boot is not None:
        vm.secure_boot = secure_boot
    if name is not None:
        vm.secure_boot_template = name
