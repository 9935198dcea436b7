"""What the page shows, read from the SDK: the virtual machines list, the checkpoint tree, the
selected checkpoint's details and the VM's disk chains (with their mermaid text).

Everything here goes through `HyperVClient`, so a real host (the PowerShell backend) shows the
same page as the emulator. Values are plain attrs records for the templates (which escape them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from hyperv_emu.sdk import VM, Checkpoint, HyperVClient, HyperVError, VMOperationalStatus, VMState
from hyperv_emu.ui import texts


@attrs.frozen
class VMRow:
    """One line of the virtual machines list (Hyper-V Manager's columns)."""

    host: str
    id: str
    name: str
    state: str
    cpu_usage: str
    assigned_memory: str
    uptime: str
    status: str
    merging: bool
    running: bool


@attrs.frozen
class TreeItem:
    """A checkpoint of the tree (or, `is_now`, the VM's current state) with its children."""

    id: str
    name: str
    level: int
    is_now: bool = False
    with_memory: bool = False
    children: tuple["TreeItem", ...] = ()


@attrs.frozen
class FileLine:
    """A file of a checkpoint or of a disk chain: its host path and size (None: not found)."""

    path: str
    size: int | None

    @property
    def shown_size(self) -> str:
        return "not found" if self.size is None else human_size(self.size)


@attrs.frozen
class Details:
    """The selected checkpoint's details pane."""

    id: str
    name: str
    kind: str
    creation_time: str
    parent: str
    disks: tuple[FileLine, ...]
    saved_state: FileLine | None


@attrs.frozen
class DiskChain:
    """One virtual hard disk of the VM: its files from the base VHDX to the file in use."""

    controller: str
    files: tuple[FileLine, ...]


# --- formatting ----------------------------------------------------------------------------------


def human_size(size: int) -> str:
    """Bytes as Explorer shows them (1024-based, one decimal): `1.5 GB`, `300 MB`, `0 B`."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" or value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def memory_mb(size: int) -> str:
    """Assigned Memory as Hyper-V Manager shows it: `4096 MB`, or empty when none is assigned."""
    return f"{size // (1024 * 1024)} MB" if size else ""


def uptime_text(uptime: dt.timedelta) -> str:
    """`hh:mm:ss`, with `d.` before it past a day (TimeSpan's format); empty for zero."""
    seconds = int(uptime.total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{clock}" if days else clock


def culture_of(hv: HyperVClient) -> tuple[str, str]:
    """The host's culture and PowerShell edition (en-US, 5.1 when the backend does not say)."""
    settings = hv.settings()
    return str(settings.get("culture") or "en-US"), str(settings.get("edition") or "5.1")


def format_time(value: dt.datetime, culture: str, edition: str) -> str:
    """A date in the host culture's general pattern (en-US `2/20/2026 8:00:00 AM`), as the
    cmdlets print it; ISO 8601 for a culture psshim has no data for."""
    from hyperv_emu.psshim.format.culture import get_culture
    from hyperv_emu.psshim.format.dotnet_format import format_datetime

    try:
        return format_datetime(value, "G", get_culture(culture, edition))
    except KeyError:
        return value.isoformat(sep=" ")


# --- the virtual machines list -------------------------------------------------------------------


def merge_percent(hv: HyperVClient, vm: VM) -> int | None:
    """How far the VM's disk merges are (0-99), when the backend can tell."""
    return hv.merge_progress(vm)


def vm_rows(hv: HyperVClient) -> tuple[str, list[tuple[VM, VMRow]]]:
    """The host's name and its VMs (Get-VM's order) with their rows."""
    host = hv.host_name
    return host, [(vm, vm_row(hv, vm, host)) for vm in hv.get_vms()]


def vm_row(hv: HyperVClient, vm: VM, host: str) -> VMRow:
    merging = VMOperationalStatus.MergingDisks in vm.operational_status
    status = vm.status
    if merging:
        percent = merge_percent(hv, vm)
        if percent is not None:
            status = texts.MERGING_WITH_PERCENT.format(status=vm.status, percent=percent)
    return VMRow(
        host=host, id=vm.id, name=vm.name, state=str(vm.state), cpu_usage=f"{vm.cpu_usage} %",
        assigned_memory=memory_mb(vm.memory_assigned), uptime=uptime_text(vm.uptime), status=status,
        merging=merging, running=vm.state in (VMState.Running, VMState.Paused),
    )


# --- the checkpoint tree -------------------------------------------------------------------------


def checkpoint_tree(vm: VM, checkpoints: Sequence[Checkpoint]) -> tuple[TreeItem, ...]:
    """The roots of the VM's checkpoint tree, children in creation order, with "Now" as the last
    child of the checkpoint the VM's state hangs from (a root when it hangs from none)."""
    known = {c.id for c in checkpoints}
    kids: dict[str | None, list[Checkpoint | None]] = {}
    for cp in checkpoints:
        parent = cp.parent_snapshot_id if cp.parent_snapshot_id in known else None
        kids.setdefault(parent, []).append(cp)
    kids.setdefault(vm.parent_snapshot_id if vm.parent_snapshot_id in known else None, []).append(None)

    def build(parent: str | None, level: int) -> tuple[TreeItem, ...]:
        out = []
        for child in kids.get(parent, []):
            if child is None:
                out.append(TreeItem(id=f"now-{vm.id}", name=texts.NOW, level=level, is_now=True))
            else:
                out.append(TreeItem(id=child.id, name=child.name, level=level,
                                    with_memory=child.state is VMState.Saved, children=build(child.id, level + 1)))
        return tuple(out)

    return build(None, 1)


# --- the details pane and the disk chains --------------------------------------------------------


def _file_line(hv: HyperVClient, path: str) -> FileLine:
    try:
        info = hv.file_info(path)
    except HyperVError:
        info = None
    return FileLine(path, info.length if info is not None and not info.is_dir else None)


def saved_state_path(vm: VM, cp: Checkpoint) -> str:
    """Where Hyper-V keeps a checkpoint's memory: `<SnapshotFileLocation>\\Snapshots\\<ID>.vmrs`."""
    return vm.snapshot_file_location.rstrip("\\") + f"\\Snapshots\\{cp.id.upper()}.vmrs"


def checkpoint_kind(cp: Checkpoint) -> str:
    """What the checkpoint holds: memory (a standard checkpoint of a running VM) or disks only
    (a production checkpoint, or one of a VM that was off)."""
    if cp.state is VMState.Saved:
        return "Standard (with saved memory state)"
    return "Production or taken while off (no saved memory state)"


def details(hv: HyperVClient, vm: VM, cp: Checkpoint, culture: str, edition: str) -> Details:
    disks = tuple(_file_line(hv, d.path) for d in cp.hard_drives)
    saved = _file_line(hv, saved_state_path(vm, cp)) if cp.state is VMState.Saved else None
    return Details(
        id=cp.id, name=cp.name, kind=checkpoint_kind(cp),
        creation_time=format_time(cp.creation_time, culture, edition),
        parent=cp.parent_snapshot_name or "(none: a root checkpoint)", disks=disks, saved_state=saved,
    )


def disk_chains(hv: HyperVClient, vm: VM) -> tuple[DiskChain, ...]:
    """For each of the VM's hard drives, its files from the base disk to the one in use."""
    chains = []
    for drive in vm.hard_drives:
        files: list[FileLine] = []
        path: str | None = drive.path
        seen: set[str] = set()
        while path and path.casefold() not in seen:
            seen.add(path.casefold())
            try:
                vhd = hv.get_vhd(path)
            except HyperVError:
                files.append(FileLine(path, None))
                break
            files.append(FileLine(path, vhd.file_size))
            path = vhd.parent_path
        place = f"{drive.controller_type} {drive.controller_number}:{drive.controller_location}"
        chains.append(DiskChain(place, tuple(reversed(files))))
    return tuple(chains)


def file_name(path: str) -> str:
    return path.replace("/", "\\").rsplit("\\", 1)[-1]


def _mermaid_label(text: str) -> str:
    for raw, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;")):
        text = text.replace(raw, code)
    return text


def chains_mermaid(chains: Sequence[DiskChain]) -> str:
    """The disk chains as a mermaid flowchart: each disk points to the differencing disk made
    over it (base VHDX --> AVHDX --> ... --> the file the VM writes)."""
    lines = ["flowchart LR"]
    for c, chain in enumerate(chains):
        for i, f in enumerate(chain.files):
            lines.append(f'    D{c}_{i}["{_mermaid_label(file_name(f.path))}<br/>{f.shown_size}"]')
        for i in range(1, len(chain.files)):
            lines.append(f"    D{c}_{i - 1} --> D{c}_{i}")
    return "\n".join(lines)
