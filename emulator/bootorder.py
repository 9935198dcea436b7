r"""The boot order: a generation 2 VM's UEFI boot entries (Get-/Set-VMFirmware -BootOrder,
-FirstBootDevice) and a generation 1 VM's BIOS startup order (Get-/Set-VMBios -StartupOrder).

The rules (Set-VMFirmware / Set-VMBios reference pages, and what scripts such as Packer's
hyperv builder rely on):

- A generation 2 VM boots from its devices in the order of its boot entries: one entry per hard
  drive and DVD drive ("Drive") and per network adapter ("Network"). A device gets its entry
  when it is added, at the end of the order (so a DVD drive added after New-VM boots last,
  which is why scripts set -FirstBootDevice); removing a device removes its entry.
- -FirstBootDevice moves one device's entry first; -BootOrder gives the whole order: the
  devices listed, in that order, and no entry for a device left out. Every device must be the
  VM's own.
- A generation 1 VM's BIOS boots by device class: CD, IDE, LegacyNetworkAdapter, Floppy (New-VM's
  order); -StartupOrder must name each class once.
- Only while the VM is Off (Hyper-V Manager greys the settings out otherwise).
- Generation 1 VMs have no firmware (the VMFirmware cmdlets refuse them) and generation 2 VMs no
  BIOS (the VMBios cmdlets refuse them).

A boot entry is kept as the key of its device (`drive:SCSI:0:1`, `net:<adapter name>`); the VM
keeps no order until one of its devices is added or the order is set (`VirtualMachineRecord.boot_order`
None): then it is its hard drives, DVD drives and network adapters, in that order.
Entry descriptions ("EFI SCSI Device", "EFI Network") and firmware paths are inferred [U].
"""

from __future__ import annotations

import attrs

from hyperv_emu.emulator import drives, winpath
from hyperv_emu.emulator.errors import EmulatorError, InvalidArgument, InvalidVMState
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, VirtualMachineRecord, VMStateName

BIOS_DEVICES = ("CD", "IDE", "LegacyNetworkAdapter", "Floppy")
_SCSI_VENDOR = "9B17E5A2-0891-42DD-B653-80B5C22809BA"  # the VMBus SCSI controller's device class
_NET_VENDOR = "9B17E5A2-0891-42DD-B653-80B5C22809BA"


def drive_key(ctype: str, number: int, location: int) -> str:
    return f"drive:{ctype}:{number}:{location}"


def net_key(adapter: str) -> str:
    return f"net:{adapter}"


@attrs.frozen(eq=False, repr=False)
class BootEntryView(Fieldwise):
    """One boot entry (Microsoft.HyperV.PowerShell.VMBootSource) and the device it boots."""

    boot_type: str  # "Drive" | "Network"
    description: str
    firmware_path: str
    device: str  # "HardDiskDrive" | "DvdDrive" | "NetworkAdapter"
    controller_type: str = ""
    controller_number: int = 0
    controller_location: int = 0
    adapter_name: str = ""


@attrs.frozen(eq=False, repr=False)
class BiosView(Fieldwise):
    """Get-VMBios of a generation 1 VM."""

    vm_name: str
    vm_id: str
    computer_name: str
    num_lock_enabled: bool
    startup_order: tuple[str, ...]


@attrs.frozen(eq=False, repr=False)
class DeviceRef(Fieldwise):
    """A device named by Set-VMFirmware -BootOrder / -FirstBootDevice (a drive's slot or an adapter's name)."""

    kind: str  # "Drive" | "Network"
    controller_type: str = ""
    controller_number: int = 0
    controller_location: int = 0
    adapter_name: str = ""

    def key(self) -> str:
        if self.kind == "Network":
            return net_key(self.adapter_name)
        return drive_key(self.controller_type, self.controller_number, self.controller_location)


def _natural(vm: VirtualMachineRecord) -> list[str]:
    keys = [drive_key(d.controller_type, d.controller_number, d.controller_location) for d in vm.disks]
    keys += [drive_key(*s) for s in drives.dvd_slots(vm)]
    keys += [net_key(a.name) for a in vm.network_adapters]
    return list(dict.fromkeys(keys))


def order(vm: VirtualMachineRecord) -> list[str]:
    """The VM's boot entries, first to last (device keys)."""
    natural = _natural(vm)
    if vm.boot_order is None:
        return natural
    present = set(natural)
    kept = [k for k in vm.boot_order if k in present]
    hidden = set(vm.boot_hidden)
    return kept + [k for k in natural if k not in kept and k not in hidden]


def device_added(vm: VirtualMachineRecord, key: str) -> None:
    """A device about to get `key` gets an entry at the end of the order (generation 2)."""
    if vm.generation < 2:
        return
    current = [k for k in order(vm) if k != key]
    vm.boot_order = current + [key]
    if key in vm.boot_hidden:
        vm.boot_hidden.remove(key)


def device_removed(vm: VirtualMachineRecord, key: str) -> None:
    if vm.boot_order is not None and key in vm.boot_order:
        vm.boot_order.remove(key)
    if key in vm.boot_hidden:
        vm.boot_hidden.remove(key)


def device_moved(vm: VirtualMachineRecord, old: str, new: str) -> None:
    if vm.boot_order is not None and old in vm.boot_order:
        vm.boot_order[vm.boot_order.index(old)] = new
    if old in vm.boot_hidden:
        vm.boot_hidden[vm.boot_hidden.index(old)] = new


def _entry(vm: VirtualMachineRecord, key: str) -> BootEntryView:
    kind, _, rest = key.partition(":")
    if kind == "net":
        index = next((i for i, a in enumerate(vm.network_adapters) if a.name == rest), 0)
        return BootEntryView("Network", "EFI Network", f"\\AcpiEx(VMBus,0,0)\\VenHw({_NET_VENDOR},{vm.id.upper()})"
                             f"\\MAC(000000000000)\\Network({index})", "NetworkAdapter", adapter_name=rest)
    ctype, number, location = rest.split(":")
    n, loc = int(number), int(location)
    is_dvd = (ctype, n, loc) in drives.dvd_slots(vm)
    return BootEntryView("Drive", "EFI SCSI Device", f"\\AcpiEx(VMBus,0,0)\\VenHw({_SCSI_VENDOR},{vm.id.upper()})"
                         f"\\Scsi({n},{loc})", "DvdDrive" if is_dvd else "HardDiskDrive", ctype, n, loc)


def entries(vm: VirtualMachineRecord) -> list[BootEntryView]:
    return [_entry(vm, k) for k in order(vm)]


def _require_off(vm: VirtualMachineRecord) -> None:
    if vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)


def _resolve(vm: VirtualMachineRecord, ref: DeviceRef) -> str:
    key = ref.key()
    if key not in _natural(vm):
        what = (f"network adapter '{ref.adapter_name}'" if ref.kind == "Network" else
                f"drive on {ref.controller_type} controller number {ref.controller_number} at location "
                f"{ref.controller_location}")
        err = InvalidArgument(f"The boot device ({what}) is not a device of the virtual machine '{vm.name}'.",
                              target=vm.name)
        err.error_id = "InvalidParameter"
        raise err
    return key


def set_first(vm: VirtualMachineRecord, ref: DeviceRef) -> None:
    """Set-VMFirmware -FirstBootDevice."""
    key = _resolve(vm, ref)
    _require_off(vm)
    vm.boot_order = [key] + [k for k in order(vm) if k != key]
    if key in vm.boot_hidden:
        vm.boot_hidden.remove(key)


def set_order(vm: VirtualMachineRecord, refs: list[DeviceRef]) -> None:
    """Set-VMFirmware -BootOrder: exactly these entries."""
    keys = [_resolve(vm, r) for r in refs]
    if len(set(keys)) != len(keys):
        raise InvalidArgument(f"The boot order of '{vm.name}' names a device more than once.", target=vm.name)
    _require_off(vm)
    vm.boot_order = keys
    vm.boot_hidden = [k for k in _natural(vm) if k not in keys]


# --- generation 1: the BIOS -----------------------------------------------------------------------

def _not_bios(vm: VirtualMachineRecord) -> EmulatorError:
    err = InvalidArgument(f"Generation 2 virtual machines do not support the VMBios cmdlets. Use Get-VMFirmware and "
                          f"Set-VMFirmware instead.", target=vm.name)
    err.error_id = "InvalidParameter"
    return err


def startup_order(vm: VirtualMachineRecord) -> tuple[str, ...]:
    return tuple(vm.bios_startup_order) if vm.bios_startup_order is not None else BIOS_DEVICES


def bios(host: HostRecord, vm: VirtualMachineRecord) -> BiosView:
    if vm.generation != 1:
        raise _not_bios(vm)
    return BiosView(vm.name, vm.id, winpath.netbios_name(host.name), vm.bios_num_lock, startup_order(vm))


def configure_bios(vm: VirtualMachineRecord, order_given: list[str] | None, num_lock: bool | None) -> None:
    """Set-VMBios -StartupOrder / -EnableNumLock / -DisableNumLock: all or nothing."""
    if vm.generation != 1:
        raise _not_bios(vm)
    names: list[str] | None = None
    if order_given is not None:
        names = []
        for given in order_given:
            name = next((d for d in BIOS_DEVICES if d.casefold() == given.casefold()), None)
            if name is None:
                raise InvalidArgument(f"'{given}' is not a BIOS boot device ({', '.join(BIOS_DEVICES)}).", target=given)
            names.append(name)
        if sorted(names) != sorted(BIOS_DEVICES):
            raise InvalidArgument(f"The startup order of '{vm.name}' must name each of {', '.join(BIOS_DEVICES)} "
                                  f"exactly once.", target=vm.name)
    if names is not None or num_lock is not None:
        _require_off(vm)
    if names is not None:
        vm.bios_startup_order = names
    if num_lock is not None:
        vm.bios_num_lock = num_lock
