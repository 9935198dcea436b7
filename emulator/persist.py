"""The state document: a strict cattrs converter, the schema version, load and dump.

Unknown keys are errors (`forbid_extra_keys`), so a state written by a newer release, or edited
by hand, is refused with a message that names the file rather than silently reset.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import types
import typing
from typing import Any

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from hyperv_emu.emulator.errors import StateError
from hyperv_emu.emulator.model import MAX_DISK_SIZE, MAX_MEMORY, SCHEMA_VERSION, EmulatorState


def make_converter(*, detailed: bool = True) -> cattrs.Converter:
    """Strict: unknown keys, and values of the wrong JSON type (`"120"` for a number, `"false"`
    for a boolean, `{}` for a list), are errors; cattrs would otherwise coerce them silently.
    `detailed=False`: the same checks, faster, with less precise errors (cattrs'
    `detailed_validation`): for data that is nearly always sound, read again on an error."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.datetime, lambda v, _: _parse_datetime(v))
    conv.register_structure_hook(str, _exact(str, "a string"))
    conv.register_structure_hook(bool, _exact(bool, "true or false"))
    conv.register_structure_hook(int, _exact(int, "an integer"))
    conv.register_structure_hook(float, _exact(float, "a number"))
    conv.register_structure_hook_factory(lambda t: _origin(t) is list, lambda t: _list_hook(conv, t))
    conv.register_structure_hook_factory(lambda t: _origin(t) is dict, lambda t: _dict_hook(conv, t))
    conv.register_structure_hook_factory(_is_optional, lambda t: _optional_hook(conv, t))
    return conv


def _is_optional(t: Any) -> bool:
    args = typing.get_args(t)
    return _origin(t) in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args


def _optional_hook(conv: cattrs.Converter, t: Any) -> Any:
    """`X | None`: None, or what X's hook makes of the value (cattrs' own hook looks X's hook up
    on every value: a tenth of a load's structuring)."""
    (inner,) = [a for a in typing.get_args(t) if a is not type(None)]
    hook: Any = None  # found on first use (as the list hook's)

    def structure(value: Any, _: Any) -> Any:
        nonlocal hook
        if value is None:
            return None
        if hook is None:
            hook = conv.get_structure_hook(inner)
        return hook(value, inner)

    return structure


def _origin(t: Any) -> Any:
    return typing.get_origin(t)


def _exact(kind: type, what: str) -> Any:
    """A structure hook that takes a JSON value of exactly `kind` (a number for float); the
    subclasses it also serves (str-based enums) are built from the value as usual."""
    accepted: tuple[type, ...] = (int, float) if kind is float else (kind,)

    def structure(value: Any, target: Any) -> Any:
        if value.__class__ is target:  # the common case, at once
            return value
        if isinstance(value, bool) is not (kind is bool) or not isinstance(value, accepted):
            raise TypeError(f"expected {what}, got {value!r}")
        return target(value)

    return structure


def _list_hook(conv: cattrs.Converter, t: Any) -> Any:
    (item,) = typing.get_args(t)
    hook: Any = None  # the item's, found on first use (not for each item; not before: a class
    # whose lists are empty has its hook generated only when one holds something)

    def structure(value: Any, _: Any) -> list[Any]:
        nonlocal hook
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {value!r}")
        if not value:
            return []
        if hook is None:
            hook = conv.get_structure_hook(item)
        return [hook(v, item) for v in value]

    return structure


def _dict_hook(conv: cattrs.Converter, t: Any) -> Any:
    key, item = typing.get_args(t)

    def structure(value: Any, _: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {value!r}")
        return {conv.structure(k, key): conv.structure(v, item) for k, v in value.items()}

    return structure


def _parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date-time string, got {value!r}")
    return dt.datetime.fromisoformat(value)


_CONVERTER = make_converter()


def dumps(state: EmulatorState) -> bytes:
    """Compact JSON (json's C encoder; an indented dump costs five times as much on every
    transaction). `hvemu world export` is the readable view of a state."""
    doc = _CONVERTER.unstructure(state)
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes, where: str) -> EmulatorState:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"The state file '{where}' is corrupt: {exc}.") from exc
    if not isinstance(doc, dict) or "schema_version" not in doc:
        raise StateError(f"The state file '{where}' is not an hvemu state (no schema_version).")
    version = doc["schema_version"]
    if not isinstance(version, int):
        raise StateError(f"The state file '{where}' has an invalid schema_version {version!r}.")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"The state file '{where}' has schema version {version}, newer than this release "
            f"understands ({SCHEMA_VERSION}); upgrade hyperv-emu to open it."
        )
    doc = _migrate(doc, version, where)
    try:
        state = _CONVERTER.structure(doc, EmulatorState)
    except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
        detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
        raise StateError(f"The state file '{where}' is corrupt: {detail}.") from exc
    problem = state_problem(state)
    if problem is not None:
        raise StateError(f"The state file '{where}' is corrupt: {problem}.")
    return state




def state_problem(state: EmulatorState) -> str | None:
    """What a well-typed state may still hold that no host would: duplicate ids, checkpoint or
    disk parents that are missing or form a cycle, sizes out of range, timings that never end."""
    timing = state.timing
    if not math.isfinite(timing.checkpoint_seconds) or timing.checkpoint_seconds < 0:
        return f"timing.checkpoint_seconds is {timing.checkpoint_seconds}"
    if timing.merge_rate <= 0:
        return f"timing.merge_rate is {timing.merge_rate} (merges would never end)"
    vm_ids: set[str] = set()
    for host in state.hosts:
        files = {f.path.casefold(): f for f in host.disk_files}
        if len(files) != len(host.disk_files):
            return f"host '{host.name}' records a disk file twice"
        sound: set[str] = set()  # files whose chain was walked to its end (each walked once)
        for f in host.disk_files:
            if not 0 < f.size <= MAX_DISK_SIZE:
                return f"the disk file '{f.path}' has the size {f.size}"
            seen, here = set(), f
            while here.parent is not None:
                key = here.path.casefold()
                if key in sound:
                    break
                if key in seen:
                    return f"the disk file '{f.path}' is its own ancestor"
                seen.add(key)
                parent = files.get(here.parent.casefold())
                if parent is None:
                    break  # a parent outside the records (an imported disk): checked on open
                here = parent
            sound |= seen
        cp_ids: set[str] = set()
        for vm in host.vms:
            if vm.id.casefold() in vm_ids:
                return f"the VM id '{vm.id}' appears twice"
            vm_ids.add(vm.id.casefold())
            if not 0 < vm.memory_startup <= MAX_MEMORY[2]:
                return f"the VM '{vm.name}' has {vm.memory_startup} bytes of memory"
            parents = {c.id: c.parent_id for c in vm.checkpoints}
            rooted: set[str] = set()  # checkpoints whose chain was walked to the root
            for c in vm.checkpoints:
                if c.id.casefold() in cp_ids:
                    return f"the checkpoint id '{c.id}' appears twice"
                cp_ids.add(c.id.casefold())
                if c.parent_id is not None and c.parent_id not in parents:
                    return f"the checkpoint '{c.name}' of '{vm.name}' has the missing parent '{c.parent_id}'"
                seen_ids, at = {c.id}, c.parent_id
                while at is not None and at not in rooted:
                    if at in seen_ids:
                        return f"the checkpoints of '{vm.name}' form a cycle through '{c.name}'"
                    seen_ids.add(at)
                    at = parents.get(at)
                rooted |= seen_ids
            if vm.parent_checkpoint_id is not None and vm.parent_checkpoint_id not in parents:
                return f"the VM '{vm.name}' hangs from the missing checkpoint '{vm.parent_checkpoint_id}'"
    return None


def _migrate(doc: dict[str, Any], version: int, where: str) -> dict[str, Any]:
    """Bring an older document up to SCHEMA_VERSION (version 1 is the first; nothing to do)."""
    if version < 1:
        raise StateError(f"The state file '{where}' has schema version {version}, too old to open.")
    return doc
