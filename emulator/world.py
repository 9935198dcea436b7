"""World files (TOML): load a fleet into a fresh state, and export a state back as a world.

The format is documented in docs/world-files.md (and ../shared/docs/scenarios.md). Unknown keys
and bad values are errors that name the key and its line. Keys this project added beyond the
shared format, all optional and backwards compatible:

- top level `id_seed = "..."`: new GUIDs (VMs, checkpoints, avhdx names) are derived from this
  seed and a counter, so runs are reproducible;
- `[[vm]]` `version`, `processor_count`, `notes`, `memory_minimum`, `memory_maximum`,
  `dynamic_memory`, `automatic_start_action`, `automatic_stop_action`,
  `automatic_critical_error_action`;
- `[[vm.checkpoint]]` `id` (pin the checkpoint's GUID) and `automatic` (an automatic checkpoint);
  `parent = ""` makes a root, so that a root need not be listed first; where several checkpoints
  share the parent's name, `parent` may give the parent's `id` instead (export does so).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import socket
import time
import tomllib
from typing import Any, Callable, cast

import attrs
import tomli_w

from hyperv_emu.emulator import culture, disks, winpath
from hyperv_emu.emulator.configfiles import checkpoint_config_path, write_checkpoint_config, write_vm_config
from hyperv_emu.emulator.errors import EmulatorError, WorldError
from hyperv_emu.emulator.names import check_vm_name
from hyperv_emu.emulator.fieldwise import MutableFieldwise
from hyperv_emu.emulator.model import (
    MAX_DISK_SIZE,
    MAX_MEMORY,
    MAX_PROCESSORS,
    MIN_DISK_SIZE,
    MIN_MEMORY,
    CheckpointRecord,
    CheckpointTypeName,
    Clock,
    ClockMode,
    EmulatorState,
    FileOp,
    HardDrive,
    HostRecord,
    NetworkAdapterRecord,
    Settings,
    SwitchRecord,
    Timing,
    VirtualMachineRecord,
    VMStateName,
)
from hyperv_emu.emulator import world_tasks
from hyperv_emu.emulator.storage import FileStore
from hyperv_emu.emulator.transaction import Transaction, host_rel

TOP_KEYS = {"now", "culture", "edition", "width", "timezone", "clock", "timing", "env", "host", "vm", "id_seed",
            "switch", "task", "event"}
SWITCH_KEYS = {"name", "type", "host", "id", "net_adapter", "notes"}
_STATIC_MAC = re.compile(r"[0-9A-Fa-f]{12}")
ADAPTER_KEYS = {"name", "switch", "static_mac", "legacy"}
TIMING_KEYS = {"checkpoint_seconds", "merge_rate"}
MAX_CHECKPOINT_SECONDS = 86400  # a checkpoint that takes longer than a day is no host's
HOST_KEYS = {"name", "default", "virtual_machine_path", "virtual_hard_disk_path", "logical_processor_count",
             "memory_capacity"}
VM_KEYS = {
    "name", "id", "host", "state", "checkpoint_type", "automatic_checkpoints", "memory", "generation",
    "path", "guest_vss", "disks", "pass_through_disks", "checkpoint", "version", "processor_count", "notes",
    "parent_checkpoint", "guest_reachable", "network_adapters", "memory_minimum", "memory_maximum",
    "dynamic_memory", "automatic_start_action", "automatic_stop_action", "automatic_critical_error_action",
}
DISK_KEYS = {"path", "size"}
CHECKPOINT_KEYS = {"name", "created", "kind", "state", "parent", "current", "written", "last_write", "avhdx_guids", "id", "automatic"}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|pb)?\s*$", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MULT = {None: 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}


def parse_size(value: object) -> int:
    """`"4GB"` -> 4294967296 (PowerShell's 1024-based multipliers), or a plain integer."""
    if isinstance(value, bool):
        raise ValueError("a size, not a boolean")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            unit = m.group(2).lower() if m.group(2) else None
            return int(float(m.group(1)) * _MULT[unit])
    raise ValueError(f"{value!r} is not a size such as \"60GB\", \"512MB\" or 1048576")


def format_size(n: int) -> str:
    for unit in ("PB", "TB", "GB", "MB", "KB"):
        mult = _MULT[unit.lower()]
        if n >= mult and n % mult == 0:
            return f"{n // mult}{unit}"
    return str(n)


class _Lines:
    """Line numbers of keys, by table path: () for the top level, ("vm", 1) for the second
    [[vm]], ("vm", 1, "checkpoint", 0), ("timing",), ("env",), ("host", 0)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[tuple[Any, ...], str], int] = {}
        self.tables: dict[tuple[Any, ...], int] = {}
        counts: dict[str, int] = {}
        current: tuple[Any, ...] = ()
        vm_index = -1
        cp_index = -1
        for no, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            header = re.match(r"^\[\[?\s*([A-Za-z0-9_.\- \"]+?)\s*\]\]?", line)
            if header:
                name = header.group(1).replace(" ", "")
                if line.startswith("[["):
                    if name == "vm":
                        vm_index += 1
                        cp_index = -1
                        current = ("vm", vm_index)
                    elif name == "vm.checkpoint":
                        cp_index += 1
                        current = ("vm", vm_index, "checkpoint", cp_index)
                    else:
                        counts[name] = counts.get(name, -1) + 1
                        current = (name, counts[name])
                else:
                    current = (name,)
                self.tables.setdefault(current, no)
                continue
            key = re.match(r"^([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=", line)
            if key:
                self.lines.setdefault((current, key.group(1).strip("\"'")), no)

    def of(self, table: tuple[Any, ...], key: str | None = None) -> int | None:
        if key is not None and (table, key) in self.lines:
            return self.lines[(table, key)]
        return self.tables.get(table)


@attrs.define(eq=False, repr=False)
class _Ctx(MutableFieldwise):
    """The file being read, and what its fleet uses so far (names, ids and disk files by host),
    so that each new VM, disk and checkpoint is checked in a set, not against the whole fleet."""

    source: str
    lines: _Lines
    vm_names: set[tuple[str, str]] = attrs.field(factory=set)  # (host, name casefolded)
    vm_ids: set[str] = attrs.field(factory=set)
    disk_keys: set[tuple[str, str]] = attrs.field(factory=set)  # (host, disks.file_key)
    checkpoint_ids: set[tuple[str, str]] = attrs.field(factory=set)  # (host, id)

    def error(self, table: tuple[Any, ...], key: str | None, message: str) -> WorldError:
        line = self.lines.of(table, key)
        where = f"{self.source}:{line}" if line else self.source
        what = _table_label(table) + (f" key '{key}'" if key else "")
        return WorldError(f"{where}: {what}: {message}")


def _table_label(table: tuple[Any, ...]) -> str:
    if not table:
        return "top level"
    if table[0] == "vm" and len(table) == 2:
        return f"[[vm]] #{table[1] + 1}"
    if table[0] == "vm":
        return f"[[vm]] #{table[1] + 1} [[vm.checkpoint]] #{table[3] + 1}"
    if len(table) == 2:
        return f"[[{table[0]}]] #{table[1] + 1}"
    return f"[{table[0]}]"


def _check_keys(ctx: _Ctx, table: tuple[Any, ...], doc: dict[str, Any], allowed: set[str]) -> None:
    for key in doc:
        if key not in allowed:
            raise ctx.error(table, key, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _get(ctx: _Ctx, table: tuple[Any, ...], doc: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    if key not in doc:
        return default
    value = doc[key]
    if isinstance(value, bool) and kind is not bool and (not isinstance(kind, tuple) or bool not in kind):
        raise ctx.error(table, key, f"expected {_kind_name(kind)}, got a boolean")
    if not isinstance(value, kind):
        raise ctx.error(table, key, f"expected {_kind_name(kind)}, got {value!r}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "an array",
             dict: "a table", dt.datetime: "a date-time (2026-02-20T08:00:00)"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _enum(ctx: _Ctx, table: tuple[Any, ...], key: str, value: str, allowed: list[str]) -> str:
    for a in allowed:
        if a.casefold() == value.casefold():
            return a
    raise ctx.error(table, key, f"{value!r} is not one of {', '.join(allowed)}")


def _size(ctx: _Ctx, table: tuple[Any, ...], key: str, value: object) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise ctx.error(table, key, str(exc)) from None




def _bounded(ctx: _Ctx, table: tuple[Any, ...], key: str, value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise ctx.error(table, key, f"must be between {what}, not {value}")
    return value


def _path(ctx: _Ctx, table: tuple[Any, ...], key: str, value: str) -> str:
    try:
        return str(winpath.parse(value))
    except EmulatorError as exc:
        raise ctx.error(table, key, exc.message) from None


def default_host_name() -> str:
    name = socket.gethostname().split(".")[0]
    return name if winpath.is_valid(f"C:\\{name}") and re.match(r"^[A-Za-z0-9-]{1,63}$", name) else "HV-HOST01"


def load_text(text: str, source: str = "<world>") -> tuple[EmulatorState, list[FileOp]]:
    """Parse a world file; returns the state and the file operations that create its files."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorldError(f"{source}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise WorldError(f"{source}: arrays or tables nested too deep to be a world file") from None
    except ValueError as exc:  # an integer beyond Python's digit limit (sys.get_int_max_str_digits)
        raise WorldError(f"{source}: a number too long to be a world's value ({exc.args[0].split(':')[0]})") from None
    ctx = _Ctx(source, _Lines(text))
    return _build(ctx, doc)


def _build(ctx: _Ctx, doc: dict[str, Any]) -> tuple[EmulatorState, list[FileOp]]:
    top: tuple[Any, ...] = ()
    _check_keys(ctx, top, doc, TOP_KEYS)
    now = _get(ctx, top, doc, "now", dt.datetime)
    if now is not None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    clock_mode = _get(ctx, top, doc, "clock", str)
    if clock_mode is not None:
        clock_mode = _enum(ctx, top, "clock", clock_mode, ["virtual", "real"])
    else:
        clock_mode = "virtual" if now is not None else "real"
    if now is None:
        now = dt.datetime.now().replace(microsecond=0)
    settings = Settings(
        culture=_get(ctx, top, doc, "culture", str, "en-US"),
        edition=_enum(ctx, top, "edition", _get(ctx, top, doc, "edition", (str, int, float), "5.1").__str__(), ["5.1", "7"]),
        width=_get(ctx, top, doc, "width", int, 120),
        timezone=_get(ctx, top, doc, "timezone", str, "UTC"),
    )
    if settings.culture not in culture.known_cultures():
        raise ctx.error(top, "culture", f"{settings.culture!r} is not a supported culture ({', '.join(culture.known_cultures())})")
    if not 20 <= settings.width <= 10000:
        raise ctx.error(top, "width", "the console width must be between 20 and 10000")
    seed = _get(ctx, top, doc, "id_seed", str)
    if seed is not None:
        settings.deterministic_ids = True
        settings.id_seed = seed
    timing_doc = _get(ctx, top, doc, "timing", dict, {})
    _check_keys(ctx, ("timing",), timing_doc, TIMING_KEYS)
    secs = _get(ctx, ("timing",), timing_doc, "checkpoint_seconds", (int, float), 0)
    if not math.isfinite(secs) or not 0 <= secs <= MAX_CHECKPOINT_SECONDS:
        raise ctx.error(("timing",), "checkpoint_seconds",
                        f"must be a number of seconds from 0 to {MAX_CHECKPOINT_SECONDS} (one day)")
    rate = _size(ctx, ("timing",), "merge_rate", timing_doc.get("merge_rate", "100MB"))
    if rate <= 0:
        raise ctx.error(("timing",), "merge_rate", "must be positive")
    env_doc = _get(ctx, top, doc, "env", dict, {})
    env = {}
    for k, v in env_doc.items():
        if not isinstance(v, str):
            raise ctx.error(("env",), k, f"expected a string, got {v!r}")
        env[k] = v
    state = EmulatorState(
        clock=Clock(mode=ClockMode(clock_mode), now=now, wall_anchor=time.time()),
        timing=Timing(checkpoint_seconds=float(secs), merge_rate=rate),
        settings=settings,
        env=env,
    )
    tx = Transaction(state, cast(FileStore, _NullStore()))
    hosts_doc = _get(ctx, top, doc, "host", list, [])
    for i, h in enumerate(hosts_doc):
        table = ("host", i)
        if not isinstance(h, dict):
            raise ctx.error(table, None, "expected a table")
        _check_keys(ctx, table, h, HOST_KEYS)
        name = _get(ctx, table, h, "name", str)
        if name is None:
            raise ctx.error(table, None, "a [[host]] needs a name")
        try:
            winpath.check_host_name(name)
        except EmulatorError as exc:
            raise ctx.error(table, "name", exc.message) from None
        if any(x.name.casefold() == name.casefold() for x in state.hosts):
            raise ctx.error(table, "name", f"host {name!r} is listed twice")
        state.hosts.append(HostRecord(name=name, default=bool(_get(ctx, table, h, "default", bool, False))))
        _load_host_settings(ctx, table, h, state.hosts[-1])
    if not state.hosts:
        state.hosts.append(HostRecord(name=default_host_name(), default=True))
    if not any(h.default for h in state.hosts):
        state.hosts[0].default = True
    if sum(h.default for h in state.hosts) > 1:
        raise ctx.error(("host", 0), "default", "only one host can be the default")
    default = next(h for h in state.hosts if h.default)
    state.env.setdefault("COMPUTERNAME", winpath.netbios_name(default.name))
    for i, s in enumerate(_get(ctx, top, doc, "switch", list, [])):
        _load_switch(ctx, tx, ("switch", i), s)
    for i, v in enumerate(_get(ctx, top, doc, "vm", list, [])):
        _load_vm(ctx, tx, state, ("vm", i), v)
    world_tasks.load(ctx, tx, state, _get(ctx, top, doc, "task", list, []), _get(ctx, top, doc, "event", list, []),
                     _get, _size)
    return state, tx.ops


def _load_switch(ctx: _Ctx, tx: Transaction, table: tuple[Any, ...], s: Any) -> None:
    """A [[switch]]: a virtual switch of a host (Get-VMSwitch)."""
    if not isinstance(s, dict):
        raise ctx.error(table, None, "expected a table")
    _check_keys(ctx, table, s, SWITCH_KEYS)
    name = _get(ctx, table, s, "name", str)
    if not name:
        raise ctx.error(table, "name", "a [[switch]] needs a non-empty name")
    host_name = _get(ctx, table, s, "host", str)
    try:
        host = tx.host(host_name)
    except EmulatorError:
        raise ctx.error(table, "host", f"no [[host]] named {host_name!r}") from None
    if any(x.name.casefold() == name.casefold() for x in host.switches):
        raise ctx.error(table, "name", f"a switch named {name!r} is already listed on host {host.name!r}")
    switch_id = _get(ctx, table, s, "id", str)
    if switch_id is not None and not _GUID.match(switch_id):
        raise ctx.error(table, "id", f"{switch_id!r} is not a GUID")
    kind = _enum(ctx, table, "type", _get(ctx, table, s, "type", str, "Internal"), ["Private", "Internal", "External"])
    adapter = _get(ctx, table, s, "net_adapter", str)
    bound = {x.net_adapter for x in host.switches}
    if adapter is not None:
        if kind != "External":
            raise ctx.error(table, "net_adapter", "only an External switch is bound to a physical adapter")
        if adapter not in host.physical_adapters:
            raise ctx.error(table, "net_adapter", f"host {host.name!r} has no physical adapter {adapter!r} "
                                                  f"(it has {', '.join(host.physical_adapters)})")
        if adapter in bound:
            raise ctx.error(table, "net_adapter", f"the physical adapter {adapter!r} is bound to another switch")
    elif kind == "External":  # the first adapter no other switch holds
        adapter = next((a for a in host.physical_adapters if a not in bound), None)
    host.switches.append(SwitchRecord(name=name, id=(switch_id or tx.new_id()).lower(), switch_type=kind,
                                      net_adapter=adapter, notes=_get(ctx, table, s, "notes", str, "")))


def _load_adapters(ctx: _Ctx, host: HostRecord, table: tuple[Any, ...], v: dict[str, Any]) -> list[NetworkAdapterRecord]:
    """`network_adapters`: absent gives the one adapter New-VM makes; `[]` none."""
    if "network_adapters" not in v:
        return [NetworkAdapterRecord()]
    out = []
    for i, a in enumerate(_get(ctx, table, v, "network_adapters", list, [])):
        if not isinstance(a, dict):
            raise ctx.error(table, "network_adapters", f"entry {i + 1} must be a table {{ name = ..., switch = ... }}")
        for k in a:
            if k not in ADAPTER_KEYS:
                raise ctx.error(table, "network_adapters",
                                f"entry {i + 1}: unknown key '{k}' (allowed: name, switch, static_mac, legacy)")
        name = a.get("name", "Network Adapter")
        switch = a.get("switch")
        if not isinstance(name, str) or not name or (switch is not None and not isinstance(switch, str)):
            raise ctx.error(table, "network_adapters", f"entry {i + 1}: name and switch must be strings")
        known = next((sw.name for sw in host.switches if switch is not None and sw.name.casefold() == switch.casefold()), None)
        if switch is not None and known is None:
            raise ctx.error(table, "network_adapters", f"entry {i + 1}: no [[switch]] named {switch!r} on host {host.name!r}")
        mac, legacy = a.get("static_mac"), a.get("legacy", False)
        if mac is not None and not (isinstance(mac, str) and _STATIC_MAC.fullmatch(mac) and int(mac[1], 16) % 2 == 0):
            raise ctx.error(table, "network_adapters", f"entry {i + 1}: static_mac must be 12 hexadecimal digits "
                                                       f"of a unicast address, e.g. '00155D0A0001'")
        if not isinstance(legacy, bool) or (legacy and v.get("generation", 2) != 1):
            raise ctx.error(table, "network_adapters", f"entry {i + 1}: legacy = true needs generation = 1")
        out.append(NetworkAdapterRecord(name=name, switch=known, static_mac=mac.upper() if mac else None,
                                        is_legacy=legacy))
    return out


class _NullStore:
    """Stands in for storage while a world is built: nothing exists yet."""

    def size(self, rel: str) -> int:
        raise FileNotFoundError(rel)

    def exists(self, rel: str) -> bool:
        return False

    def is_dir(self, rel: str) -> bool:
        return False


def _load_host_settings(ctx: _Ctx, table: tuple[Any, ...], h: Any, host: HostRecord) -> None:
    """Get-/Set-VMHost's settings and the host's hardware (a fresh host's when absent)."""
    if "virtual_machine_path" in h:
        host.default_vm_path = _path(ctx, table, "virtual_machine_path", _get(ctx, table, h, "virtual_machine_path", str))
    if "virtual_hard_disk_path" in h:
        host.default_vhd_path = _path(ctx, table, "virtual_hard_disk_path",
                                      _get(ctx, table, h, "virtual_hard_disk_path", str))
    cpus = _get(ctx, table, h, "logical_processor_count", int, host.logical_processor_count)
    if cpus < 1:
        raise ctx.error(table, "logical_processor_count", "must be at least 1")
    host.logical_processor_count = cpus
    host.memory_capacity = _size(ctx, table, "memory_capacity", h.get("memory_capacity", host.memory_capacity))


def _export_host_settings(host: HostRecord) -> dict[str, Any]:
    fresh = HostRecord(name="")
    out: dict[str, Any] = {}
    for key, attr in (("virtual_machine_path", "default_vm_path"), ("virtual_hard_disk_path", "default_vhd_path"),
                      ("logical_processor_count", "logical_processor_count")):
        if getattr(host, attr) != getattr(fresh, attr):
            out[key] = getattr(host, attr)
    if host.memory_capacity != fresh.memory_capacity:
        out["memory_capacity"] = format_size(host.memory_capacity)
    return out


def _load_vm_settings(ctx: _Ctx, table: tuple[Any, ...], v: Any, vm: VirtualMachineRecord) -> None:
    """The VM's memory and automatic-action settings (a fresh VM's values when absent)."""
    vm.memory_minimum = _size(ctx, table, "memory_minimum",
                              v.get("memory_minimum", min(vm.memory_minimum, vm.memory_startup)))
    vm.memory_maximum = _size(ctx, table, "memory_maximum",
                              v.get("memory_maximum", max(vm.memory_maximum, vm.memory_startup)))
    vm.dynamic_memory = _get(ctx, table, v, "dynamic_memory", bool, False)
    if not vm.memory_minimum <= vm.memory_startup <= vm.memory_maximum:
        raise ctx.error(table, "memory", "memory_minimum <= memory <= memory_maximum must hold")
    for key, allowed in (("automatic_start_action", ["Nothing", "StartIfRunning", "Start"]),
                         ("automatic_stop_action", ["TurnOff", "Save", "ShutDown"]),
                         ("automatic_critical_error_action", ["None", "Pause"])):
        if key in v:
            setattr(vm, key, _enum(ctx, table, key, _get(ctx, table, v, key, str), allowed))


def _export_vm_settings(vm: VirtualMachineRecord, table: dict[str, Any]) -> None:
    fresh = VirtualMachineRecord(id="", name="")
    for key in ("memory_minimum", "memory_maximum"):
        if getattr(vm, key) != getattr(fresh, key):
            table[key] = format_size(getattr(vm, key))
    for key in ("dynamic_memory", "automatic_start_action", "automatic_stop_action", "automatic_critical_error_action"):
        if getattr(vm, key) != getattr(fresh, key):
            table[key] = getattr(vm, key)


def _load_vm(ctx: _Ctx, tx: Transaction, state: EmulatorState, table: tuple[Any, ...], v: Any) -> None:
    if not isinstance(v, dict):
        raise ctx.error(table, None, "expected a table")
    _check_keys(ctx, table, v, VM_KEYS)
    name = _get(ctx, table, v, "name", str)
    if not name:
        raise ctx.error(table, "name", "a [[vm]] needs a non-empty name")
    try:
        check_vm_name(name)
    except EmulatorError as exc:
        raise ctx.error(table, "name", exc.message) from None
    host_name = _get(ctx, table, v, "host", str)
    try:
        host = tx.host(host_name)
    except EmulatorError:
        raise ctx.error(table, "host", f"no [[host]] named {host_name!r}") from None
    if (host.name, name.casefold()) in ctx.vm_names:
        raise ctx.error(table, "name", f"a VM named {name!r} is already listed on host {host.name!r}")
    vm_id = _get(ctx, table, v, "id", str)
    if vm_id is not None and not _GUID.match(vm_id):
        raise ctx.error(table, "id", f"{vm_id!r} is not a GUID")
    vm_state = _enum(ctx, table, "state", _get(ctx, table, v, "state", str, "Off"), ["Off", "Running", "Saved", "Paused"])
    cp_type = _enum(ctx, table, "checkpoint_type", _get(ctx, table, v, "checkpoint_type", str, "Production"),
                    ["Disabled", "Production", "ProductionOnly", "Standard"])
    vss = _enum(ctx, table, "guest_vss", _get(ctx, table, v, "guest_vss", str, "ok"), ["ok", "failing"])
    generation = _get(ctx, table, v, "generation", int, 2)
    if generation not in (1, 2):
        raise ctx.error(table, "generation", "must be 1 or 2")
    pt = _get(ctx, table, v, "pass_through_disks", int, 0)
    if pt < 0:
        raise ctx.error(table, "pass_through_disks", "cannot be negative")
    path = _path(ctx, table, "path", _get(ctx, table, v, "path", str)) if "path" in v else host.default_vm_path
    vm = VirtualMachineRecord(
        id=(vm_id or tx.new_id()).lower(),
        name=name,
        state=VMStateName(vm_state),
        checkpoint_type=CheckpointTypeName(cp_type),
        automatic_checkpoints=_get(ctx, table, v, "automatic_checkpoints", bool, False),
        memory_startup=_bounded(ctx, table, "memory", _size(ctx, table, "memory", v.get("memory", "1GB")),
                                MIN_MEMORY, MAX_MEMORY[2], "32MB and 12TB"),
        generation=generation,
        version=str(_get(ctx, table, v, "version", (str, float, int), "10.0")),
        path=path,
        snapshot_file_location=path,
        guest_vss_failing=vss == "failing",
        pass_through_disks=pt,
        guest_reachable=_get(ctx, table, v, "guest_reachable", bool, False),
        processor_count=_bounded(ctx, table, "processor_count", _get(ctx, table, v, "processor_count", int, 1),
                                 1, MAX_PROCESSORS, f"1 and {MAX_PROCESSORS}"),
        notes=_get(ctx, table, v, "notes", str, ""),
        creation_time=tx.now(),
        started_at=tx.now() if vm_state in ("Running", "Paused") else None,
    )
    _load_vm_settings(ctx, table, v, vm)
    if vm.id in ctx.vm_ids:
        raise ctx.error(table, "id", f"the id {vm.id} is used by another VM")
    vm.network_adapters = _load_adapters(ctx, host, table, v)
    host.vms.append(vm)
    ctx.vm_names.add((host.name, name.casefold()))
    ctx.vm_ids.add(vm.id)
    for i, d in enumerate(_get(ctx, table, v, "disks", list, [])):
        if not isinstance(d, dict):
            raise ctx.error(table, "disks", f"entry {i + 1} must be a table {{ path = ..., size = ... }}")
        for k in d:
            if k not in DISK_KEYS:
                raise ctx.error(table, "disks", f"entry {i + 1}: unknown key '{k}' (allowed: path, size)")
        if "path" not in d:
            raise ctx.error(table, "disks", f"entry {i + 1} needs a path")
        if not isinstance(d["path"], str):
            raise ctx.error(table, "disks", f"entry {i + 1}: path must be a string")
        p = _path(ctx, table, "disks", d["path"])
        if not p.casefold().endswith(".vhdx"):
            raise ctx.error(table, "disks", f"entry {i + 1}: {p!r} is not a .vhdx file")
        if (host.name, disks.file_key(p)) in ctx.disk_keys:
            raise ctx.error(table, "disks", f"entry {i + 1}: {p!r} is already used")
        size = _size(ctx, table, "disks", d.get("size", "127GB"))
        if not MIN_DISK_SIZE <= size <= MAX_DISK_SIZE or size % 512:
            raise ctx.error(table, "disks", f"entry {i + 1}: size must be a multiple of 512 bytes from 3MB to 64TB, "
                                            f"not {size} bytes")
        try:
            size = disks.add_base_disk(tx, host, vm, p, size, known_new=True)
        except EmulatorError as exc:
            raise ctx.error(table, "disks", f"entry {i + 1}: {exc.message}") from None
        ctx.disk_keys.add((host.name, disks.file_key(p)))
        vm.disks.append(HardDrive(path=p, base_path=p, size=size, controller_type="SCSI" if generation == 2 else "IDE",
                                  controller_location=i))
    _load_checkpoints(ctx, tx, host, vm, table, _get(ctx, table, v, "checkpoint", list, []),
                      _get(ctx, table, v, "parent_checkpoint", str))
    write_vm_config(tx, host, vm)


@attrs.define(eq=False, repr=False)
class _CpSpec(MutableFieldwise):
    index: int
    record: CheckpointRecord
    parent_name: str | None
    current: bool
    written: int
    last_write: dt.datetime | None
    guids: list[str]


def _load_checkpoints(ctx: _Ctx, tx: Transaction, host: HostRecord, vm: VirtualMachineRecord, vm_table: tuple[Any, ...],
                      items: list[Any], hangs_from: str | None = None) -> None:
    """`hangs_from` is the VM's `parent_checkpoint` key: a checkpoint's name (the same as its
    `current = true`), or "" for a VM whose state hangs from no checkpoint although it has some
    (its root was removed while the VM hung from it)."""
    specs: list[_CpSpec] = []
    seen_guids: set[str] = set()
    for i, c in enumerate(items):
        table = vm_table + ("checkpoint", i)
        if not isinstance(c, dict):
            raise ctx.error(table, None, "expected a table")
        _check_keys(ctx, table, c, CHECKPOINT_KEYS)
        name = _get(ctx, table, c, "name", str)
        if name is None or name == "":
            raise ctx.error(table, "name", "a checkpoint needs a non-empty name")
        if len(name) > 100:
            raise ctx.error(table, "name", "a checkpoint name is at most 100 characters")
        created = _get(ctx, table, c, "created", dt.datetime)
        if created is None:
            raise ctx.error(table, "created", "a checkpoint needs its creation time (created = 2026-02-15T09:30:00)")
        kind = _enum(ctx, table, "kind", _get(ctx, table, c, "kind", str, "production"), ["production", "standard"])
        default_state = "Saved" if kind == "standard" else "Off"
        cp_state = _enum(ctx, table, "state", _get(ctx, table, c, "state", str, default_state), ["Saved", "Off"])
        guids = _get(ctx, table, c, "avhdx_guids", list, [])
        for g in guids:
            if not isinstance(g, str) or not _GUID.match(g):
                raise ctx.error(table, "avhdx_guids", f"{g!r} is not a GUID")
        if len(guids) > len(vm.disks):
            raise ctx.error(table, "avhdx_guids", f"{len(guids)} GUIDs for {len(vm.disks)} disks")
        for g in guids:
            if g.upper() in seen_guids:
                raise ctx.error(table, "avhdx_guids", f"{g} names another .avhdx of this VM already")
            seen_guids.add(g.upper())
        cp_id = _get(ctx, table, c, "id", str)
        if cp_id is not None and not _GUID.match(cp_id):
            raise ctx.error(table, "id", f"{cp_id!r} is not a GUID")
        last_write = _get(ctx, table, c, "last_write", dt.datetime)
        record = CheckpointRecord(
            id=(cp_id or tx.new_id()).lower(), vm_id=vm.id, name=name, parent_id=None,
            creation_time=created.replace(tzinfo=None), has_memory=cp_state == "Saved",
            is_automatic=_get(ctx, table, c, "automatic", bool, False), memory_startup=vm.memory_startup,
        )
        written = _size(ctx, table, "written", c.get("written", 0))
        if vm.disks and written > max(d.size for d in vm.disks):
            raise ctx.error(table, "written", f"{written} bytes written is more than the VM's disks hold")
        specs.append(_CpSpec(i, record, _get(ctx, table, c, "parent", str), _get(ctx, table, c, "current", bool, False),
                             written,
                             last_write.replace(tzinfo=None) if last_write else None, [g.upper() for g in guids]))
    if not specs:
        return
    by_id: dict[str, _CpSpec] = {}
    for s in specs:
        if s.record.id in by_id or (host.name, s.record.id) in ctx.checkpoint_ids:
            raise ctx.error(vm_table + ("checkpoint", s.index), "id", f"the id {s.record.id} is used twice")
        by_id[s.record.id] = s
    ctx.checkpoint_ids.update((host.name, s.record.id) for s in specs)
    for s in specs:
        table = vm_table + ("checkpoint", s.index)
        if s.parent_name == "":
            continue  # `parent = ""`: a root (as expected-after.toml writes it), listed anywhere
        if s.parent_name is not None:
            # by name; when several checkpoints share it, `parent` may give the parent's id instead
            named = [p for p in specs if p.record.name == s.parent_name]
            parent = named[0] if len(named) == 1 else by_id.get(s.parent_name.lower()) or (named[0] if named else None)
            if parent is None:
                raise ctx.error(table, "parent", f"no checkpoint named {s.parent_name!r} on this VM")
            if parent is s:
                raise ctx.error(table, "parent", "a checkpoint cannot be its own parent")
            s.record.parent_id = parent.record.id
        elif s.index > 0:
            s.record.parent_id = specs[s.index - 1].record.id
    # no cycles: every chain of parents must reach a root
    ids = {s.record.id: s for s in specs}
    for s in specs:
        seen, cur = set(), s
        while cur.record.parent_id is not None:
            if cur.record.id in seen:
                raise ctx.error(vm_table + ("checkpoint", s.index), "parent", "the parents form a cycle")
            seen.add(cur.record.id)
            cur = ids[cur.record.parent_id]
    currents = [s for s in specs if s.current]
    if len(currents) > 1:
        raise ctx.error(vm_table + ("checkpoint", currents[1].index), "current", "only one checkpoint can be current")
    current: _CpSpec | None = currents[0] if currents else specs[-1]
    if hangs_from is not None:
        named = [s for s in specs if s.record.name == hangs_from]
        if hangs_from != "" and not named:
            raise ctx.error(vm_table, "parent_checkpoint", f"no checkpoint named {hangs_from!r} on this VM")
        if currents and (hangs_from == "" or currents[0] not in named):
            raise ctx.error(vm_table, "parent_checkpoint", "disagrees with the checkpoint marked current = true")
        current = named[0] if named else None
    on_branch = set()
    cur_id: str | None = current.record.id if current is not None else None
    while cur_id is not None:
        on_branch.add(cur_id)
        cur_id = ids[cur_id].record.parent_id
    children: dict[str, list[_CpSpec]] = {s.record.id: [] for s in specs}
    for s in specs:
        if s.record.parent_id is not None:
            children[s.record.parent_id].append(s)
    # Build files top-down: parents before children.
    order: list[_CpSpec] = []
    frontier = [s for s in specs if s.record.parent_id is None]
    while frontier:
        order.extend(frontier)
        frontier = [k for s in frontier for k in children[s.record.id]]
    snapshot: dict[str, list[str]] = {}
    base = [d.path for d in vm.disks]
    for s in order:
        cp = s.record
        snap = base if cp.parent_id is None else snapshot[cp.id]
        cp.disks = [HardDrive(p, d.base_path, d.size, d.controller_type, d.controller_number, d.controller_location)
                    for p, d in zip(snap, vm.disks)]
        # The files this checkpoint owns: one per child branch, plus the VM's if it hangs here.
        branches: list[tuple[str, _CpSpec | None]] = [("child", k) for k in children[cp.id]]
        if s is current:
            branches.append(("vm", None))
        named_branch: _CpSpec | None | str = None
        if cp.id in on_branch:
            nxt = [k for k in children[cp.id] if k.record.id in on_branch]
            named_branch = nxt[0] if nxt else "vm"
        elif children[cp.id]:
            named_branch = children[cp.id][0]
        for kind, child in branches:
            is_named = (kind == "vm" and named_branch == "vm") or (child is not None and child is named_branch)
            files = []
            for i, d in enumerate(vm.disks):
                guid = s.guids[i] if is_named and i < len(s.guids) else None
                files.append(disks.add_differencing(
                    tx, host, vm, snap[i], d.base_path, cp.id, guid=guid, parent_size=d.size,
                    length=s.written if is_named else 0,
                    mtime=(s.last_write or cp.creation_time) if is_named else cp.creation_time,
                ))
                host.file_times[winpath.parse(files[-1]).key()] = (s.last_write or cp.creation_time) if is_named else cp.creation_time
            if child is not None:
                snapshot[child.record.id] = files
            else:
                for d, f in zip(vm.disks, files):
                    d.path = f
        vm.checkpoints.append(cp)
    if current is None:
        # The VM's own files grow from the original disks, owned by no checkpoint.
        for d in vm.disks:
            d.path = disks.add_differencing(tx, host, vm, d.path, d.base_path, None, mtime=tx.now(),
                                            parent_size=d.size)
    vm.checkpoints.sort(key=lambda c: next(s.index for s in specs if s.record is c))
    vm.parent_checkpoint_id = current.record.id if current is not None else None
    for cp in vm.checkpoints:
        write_checkpoint_config(tx, host, vm, cp)
        host.file_times[winpath.parse(checkpoint_config_path(vm, cp)).key()] = cp.creation_time
        if cp.has_memory:
            path = checkpoint_config_path(vm, cp, "vmrs")
            tx.queue(FileOp(kind="sparse_file", host=host.name, path=path, size=vm.memory_startup))
            host.file_times[winpath.parse(path).key()] = cp.creation_time


# --- export -------------------------------------------------------------------------------------


def _toml_dt(d: dt.datetime) -> dt.datetime:
    return d.replace(tzinfo=None)


def _seconds(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def export_world(state: EmulatorState, store: FileStore | None = None) -> str:
    """The current state as a world file. Merges still running are finished in the export (a
    world describes files at rest); their effect is what the world shows.

    The document is built as data and written by tomli-w (every string escaped by the library,
    so any name loads back as itself); a VM's disks are an inline array of inline tables when
    they fit on a line, else `[[vm.disks]]` tables, its checkpoints `[[vm.checkpoint]]` tables."""
    doc: dict[str, Any] = {
        "now": _toml_dt(state.clock.now),
        "culture": state.settings.culture,
        "edition": state.settings.edition,
        "width": state.settings.width,
        "timezone": state.settings.timezone,
        "clock": state.clock.mode.value,
    }
    if state.settings.deterministic_ids:
        doc["id_seed"] = state.settings.id_seed
    doc["timing"] = {"checkpoint_seconds": _seconds(state.timing.checkpoint_seconds),
                     "merge_rate": format_size(state.timing.merge_rate)}
    if state.env:
        doc["env"] = dict(state.env)
    doc["host"] = [{"name": h.name, "default": h.default, **_export_host_settings(h)} for h in state.hosts]
    switches = [{"name": s.name, "type": s.switch_type, "host": h.name, "id": s.id,
                 **({"net_adapter": s.net_adapter} if s.net_adapter else {}), **({"notes": s.notes} if s.notes else {})}
                for h in state.hosts for s in h.switches]
    if switches:
        doc["switch"] = switches
    vms: list[dict[str, Any]] = []
    for h in state.hosts:
        for vm in h.vms:
            table: dict[str, Any] = {
                "name": vm.name, "id": vm.id, "host": h.name, "state": vm.state.value,
                "checkpoint_type": vm.checkpoint_type.value, "automatic_checkpoints": vm.automatic_checkpoints,
                "memory": format_size(vm.memory_startup), "generation": vm.generation, "version": vm.version,
                "path": vm.path, "guest_vss": "failing" if vm.guest_vss_failing else "ok",
            }
            if vm.pass_through_disks:
                table["pass_through_disks"] = vm.pass_through_disks
            if vm.guest_reachable:
                table["guest_reachable"] = True
            if vm.processor_count != 1:
                table["processor_count"] = vm.processor_count
            if vm.notes:
                table["notes"] = vm.notes
            _export_vm_settings(vm, table)
            table["disks"] = [{"path": d.base_path, "size": format_size(d.size)} for d in vm.disks]
            if [(a.name, a.switch, a.static_mac, a.is_legacy) for a in vm.network_adapters] != [
                    ("Network Adapter", None, None, False)]:
                table["network_adapters"] = [{"name": a.name, **({"switch": a.switch} if a.switch else {}),
                                              **({"static_mac": a.static_mac} if a.static_mac else {}),
                                              **({"legacy": True} if a.is_legacy else {})}
                                             for a in vm.network_adapters]
            if vm.checkpoints and vm.parent_checkpoint_id is None:
                table["parent_checkpoint"] = ""
            checkpoints = [_checkpoint_table(h, vm, cp, store, host_rel)
                           for cp in sorted(vm.checkpoints, key=lambda c: c.creation_time)]
            if checkpoints:
                table["checkpoint"] = checkpoints
            vms.append(table)
    if vms:
        doc["vm"] = vms
    tasks, events = world_tasks.export(state)
    if tasks:
        doc["task"] = [{k: _toml_dt(v) if isinstance(v, dt.datetime) else v for k, v in t.items()} for t in tasks]
    if events:
        doc["event"] = [{k: _toml_dt(v) if isinstance(v, dt.datetime) else v for k, v in e.items()} for e in events]
    return "# Exported by `hvemu world export`.\n" + tomli_w.dumps(doc)


def _checkpoint_table(h: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord, store: FileStore | None,
                      host_rel: Callable[[str, str], str]) -> dict[str, Any]:
    table: dict[str, Any] = {"name": cp.name, "id": cp.id, "created": _toml_dt(cp.creation_time),
                             "kind": "standard" if cp.has_memory else "production"}
    parent = next((p for p in vm.checkpoints if p.id == cp.parent_id), None)
    if parent is not None:
        shared = sum(p.name == parent.name for p in vm.checkpoints) > 1
        table["parent"] = parent.id if shared else parent.name
    if cp.is_automatic:
        table["automatic"] = True
    if cp.id == vm.parent_checkpoint_id:
        table["current"] = True
    owned = _named_files(h, vm, cp)
    if owned:
        table["avhdx_guids"] = [f.rsplit("_", 1)[-1].split(".")[0] for f in owned]
        if store is not None:
            try:
                length = store.size(host_rel(h.name, owned[0]))
            except OSError:
                length = 0
            if length > disks.EMPTY_AVHDX:
                table["written"] = format_size(length)
        mtime = h.file_times.get(winpath.parse(owned[0]).key())
        if mtime is not None and mtime != cp.creation_time:
            table["last_write"] = _toml_dt(mtime)
    return table


def _named_files(host: HostRecord, vm: VirtualMachineRecord, cp: CheckpointRecord) -> list[str]:
    """The files of `cp` that a world's avhdx_guids name (see scenarios.md): on the current
    branch the one leading to the VM's state, elsewhere the one its first child grew from."""
    owned = [f for f in host.disk_files if f.owner == cp.id and f.vm_id == vm.id]
    if not owned:
        return []
    kids = sorted((c for c in vm.checkpoints if c.parent_id == cp.id), key=lambda c: c.creation_time)
    current_files = {disks.file_key(d.path) for d in vm.disks}
    branch = set()
    cur = vm.parent_checkpoint_id
    while cur is not None:
        branch.add(cur)
        cur = next((c.parent_id for c in vm.checkpoints if c.id == cur), None)
    if cp.id == vm.parent_checkpoint_id:
        picked = [f.path for f in owned if disks.file_key(f.path) in current_files]
    else:
        target = next((k for k in kids if k.id in branch), kids[0] if kids else None)
        picked = [d.path for d in target.disks] if target else []
    return picked if len(picked) == len(vm.disks) else []
