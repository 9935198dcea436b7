"""The files a host holds open, as a real Hyper-V host's processes do.

A VM that is Running, Paused or Saved has its worker process holding its configuration
(`<id>.vmcx`), every disk file of its current chains (the newest .avhdx down to the base .vhdx)
and its runtime state (`<id>.vmrs`); an Off VM holds nothing. A merge in progress holds the file
it folds and the file it folds into until it ends. Writing, replacing or deleting a held file
fails on a host with .NET's IOException text (`The process cannot access the file '…' because it
is being used by another process.`); `ensure_not_held` raises the emulator's `FileInUse` with
it, for every entry point (cmdlets, SDK, CLI) since they all reach the emulator's operations.
"""

from __future__ import annotations

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.configfiles import vm_config_path
from hyperv_emu.emulator.errors import FileInUse
from hyperv_emu.emulator.model import HostRecord, VirtualMachineRecord, VMStateName


def _key(path: str) -> str:
    return winpath.parse(path).key()


def runtime_state_path(vm: VirtualMachineRecord) -> str:
    """`<VM path>\\Virtual Machines\\<VM ID>.vmrs` (the VM's memory while it runs or is saved)."""
    return str(winpath.parse(vm.path).joinpath("Virtual Machines", f"{vm.id.upper()}.vmrs"))


def chain_of(host: HostRecord, path: str) -> list[str]:
    """The disk files a drive reads through, newest first: `path`, its parent, ... its base."""
    parents = {_key(f.path): f.parent for f in host.disk_files}
    out: list[str] = []
    seen: set[str] = set()
    current: str | None = path
    while current is not None and _key(current) not in seen:
        seen.add(_key(current))
        out.append(current)
        current = parents.get(_key(current))
    return out


def held_files(host: HostRecord) -> dict[str, str]:
    """Key of each held file -> who holds it (`virtual machine 'X'`, `a merge of 'X'`)."""
    held: dict[str, str] = {}
    for vm in host.vms:
        if vm.state is VMStateName.OFF:
            continue
        who = f"virtual machine '{vm.name}'"
        held[_key(vm_config_path(vm))] = who
        held[_key(runtime_state_path(vm))] = who
        for drive in vm.disks:
            for path in chain_of(host, drive.path):
                held[_key(path)] = who
    names = {vm.id: vm.name for vm in host.vms}
    for merge in host.merges:
        who = f"a merge of '{names.get(merge.vm_id, merge.vm_id)}'"
        held.setdefault(_key(merge.child), who)
        held.setdefault(_key(merge.into), who)
    return held


def holder_of(host: HostRecord, path: str) -> str | None:
    return held_files(host).get(_key(path))


def ensure_not_held(host: HostRecord, path: str) -> None:
    """Raise FileInUse if a VM or a merge holds `path` open."""
    if holder_of(host, path) is not None:
        raise FileInUse(in_use_message(path), target=str(winpath.parse(path)))


def in_use_message(path: str) -> str:
    return f"The process cannot access the file '{winpath.parse(path)}' because it is being used by another process."
