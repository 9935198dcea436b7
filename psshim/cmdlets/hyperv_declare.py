"""The Hyper-V module's cmdlet declarations, read from the generated metadata.

Every cmdlet of the Hyper-V module is declared by `hyperv_metadata.json` (written by
`scripts/gen_hyperv_metadata.py` from the winserver2022-ps cmdlet reference pages and the
module's own metadata as a reflection stub recorded it; both source commits are at its top),
corrected by `hyperv_overrides.OVERRIDES` where neither shows the real behaviour.

- `hyperv_cmdlet(name)` decorates an emulated cmdlet's class: the class keeps its handler (the
  `process` method) and reads its bound values through `Bound` attributes; its parameters come
  from the data. A parameter the data declares but the handler has no `Bound` for binds as in
  real PowerShell, and then fails with the `NotSupportedByHvemu` error naming it.
- `register_all(registry)` registers the rest of the module: each cmdlet binds exactly as the
  real one does and then fails with the `NotSupportedByHvemu` error naming it.

- `resolve_enum` makes the module's enums type literals (`[Microsoft.HyperV.PowerShell.StartAction]`)
  with the module's values; the SDK's own enums (VMState, CheckpointType, ...) take precedence.

Nothing is read at start-up but `hyperv_index` (names, synopses, ConfirmImpact, aliases); the
JSON is read when a Hyper-V cmdlet's parameters or one of its enums are first needed, and one
cmdlet's declaration is built at a time.
"""

from __future__ import annotations

import enum
import functools
import pathlib
from collections.abc import Callable, Iterable
from typing import Any

from hyperv_emu.psshim.cmdlets import hyperv_index
from hyperv_emu.psshim.cmdlets.hyperv_overrides import OVERRIDES, ParamOverride
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.registry import (
    Cmdlet,
    CmdletInfo,
    CommandMetadata,
    InSet,
    ParameterMetadata,
    Registry,
    ValidateCount,
    ValidateLength,
    ValidateNotNull,
    ValidateNotNullOrEmpty,
    ValidatePattern,
    ValidateRange,
    ValidateSet,
    Validator,
)

MODULE = "Hyper-V"
DATA_FILE = pathlib.Path(__file__).with_name("hyperv_metadata.json")
HYPERV_NS = "Microsoft.HyperV.PowerShell.Commands."
VHD_NS = "Microsoft.Vhd.PowerShell.Commands."
# cmdlets implemented by Microsoft.Vhd.PowerShell.Commands (the module's VHD half)
_VHD_NOUNS = ("VHD", "VHDSet", "VHDSnapshot", "VFD")


@functools.cache
def _data_text() -> str:
    return DATA_FILE.read_text(encoding="utf-8")


def _section(head: str, end: str) -> Any:
    """One top-level entry of the data file, parsed alone: the generator writes each cmdlet from
    a line `  "<name>":{...` to a line `  ]}` and the enums on one line, so a run parses only the
    cmdlets it binds (the whole file takes ~20 ms to parse, one cmdlet ~0.1 ms)."""
    import json  # not loaded at start-up otherwise

    text = _data_text()
    at = text.find(head)
    if at < 0:
        raise KeyError(head.strip())
    stop = text.index(end, at + len(head)) + len(end)
    return json.loads(text[at + len(head):stop].strip().rstrip(","))


@functools.cache
def cmdlet_data(cmdlet: str) -> dict[str, Any]:
    """The data of one cmdlet (read once per process; never modified)."""
    data: dict[str, Any] = _section(f'\n  "{cmdlet}":', "\n  ]}")
    return data


@functools.cache
def enum_data() -> dict[str, dict[str, int]]:
    """The module's enums: {full name: {member: value}}."""
    data: dict[str, dict[str, int]] = _section('\n "enums":', "\n")
    return data


def class_name(cmdlet: str) -> str:
    """The .NET class that implements a Hyper-V cmdlet (the suffix of its FullyQualifiedErrorIds)."""
    verb, _, noun = cmdlet.partition("-")
    ns = VHD_NS if noun in _VHD_NOUNS else HYPERV_NS
    return ns + verb + noun


def _enum_type(full_name: str, members: dict[str, int]) -> T.PSType:
    """An enum of the module that the SDK does not define, with its members' values."""
    short = full_name.rsplit(".", 1)[-1].rsplit("+", 1)[-1]
    cls: type[enum.Enum] = enum.IntEnum(short, list(members.items()))  # type: ignore[misc]
    setattr(cls, "__ps_type_name__", full_name)
    return T.PSType("enum", full_name, py_class=cls)


_NAMESPACES = ("microsoft.hyperv.powershell.", "microsoft.vhd.powershell.", "microsoft.virtualization.client.management.")


def resolve_enum(name: str) -> T.PSType | None:
    """A TypeTable resolver: the module's enums by full name (`[Microsoft.HyperV.PowerShell.StartAction]`),
    with the values of the module's metadata; the data is read only for such a name."""
    if not name.casefold().startswith(_NAMESPACES):
        return None
    enums = enum_data()
    key = name.strip().casefold()
    for full, members in enums.items():
        if full.casefold() == key:
            return _enum_type(full, members)
    return None


def _param_type(entry: dict[str, Any], table: T.TypeTable | None) -> T.PSType:
    full: str = entry["type"]
    is_array = full.endswith("[]")
    element = full[:-2] if is_array else full
    t = T.find_type(element, table) or resolve_enum(element) or T.resolve_type(element, table)
    if not (t.kind == "enum" and t.py_class is not None) and entry.get("enum"):
        # an enum the module's metadata does not have: the pages give the names only, so the
        # values are in page order (no source for the numbers)
        t = _enum_type(element, {name: i for i, name in enumerate(entry["enum"])})
    return T.array_of(t) if is_array else t


_VALIDATORS: dict[str, Callable[..., Validator]] = {
    "ValidateNotNull": ValidateNotNull, "ValidateNotNullOrEmpty": ValidateNotNullOrEmpty,
    "ValidateRange": ValidateRange, "ValidateSet": ValidateSet, "ValidateLength": ValidateLength,
    "ValidatePattern": ValidatePattern, "ValidateCount": ValidateCount,
}
_ALLOW = ("AllowNull", "AllowEmptyString", "AllowEmptyCollection")


def _parameter(entry: dict[str, Any], table: T.TypeTable | None, fix: ParamOverride | None) -> ParameterMetadata:
    sets = {name: InSet(name, spec[0], spec[1], spec[2], spec[3]) for name, spec in entry["sets"].items()}
    validators: list[Validator] = []
    allow: set[str] = set()
    for name, *args in entry.get("validators", ()):
        if name in _ALLOW:
            allow.add(name)
        elif name in _VALIDATORS:
            validators.append(_VALIDATORS[name](*args))
    aliases = tuple(entry.get("aliases", ()))
    if fix is not None:
        if fix.sets is not None:
            sets = {s.name: s for s in fix.sets}
        if fix.aliases is not None:
            aliases = fix.aliases
        validators = [*validators, *fix.validators]
    return ParameterMetadata(name=entry["name"], type=_param_type(entry, table), aliases=aliases, sets=sets,
                             validators=tuple(validators), allow_null="AllowNull" in allow,
                             allow_empty_string="AllowEmptyString" in allow,
                             allow_empty_collection="AllowEmptyCollection" in allow)


def build_metadata(cmdlet: str, table: T.TypeTable | None = None) -> CommandMetadata:
    """The declaration of one Hyper-V cmdlet: the data, with its overrides applied."""
    page = cmdlet_data(cmdlet)
    fixes = OVERRIDES.get(cmdlet)
    params = []
    for entry in page["parameters"]:
        fix = fixes.parameters.get(entry["name"]) if fixes else None
        params.append(_parameter(entry, table, fix))
    return CommandMetadata(
        name=cmdlet,
        parameters=params,
        default_set=page["default_set"],
        supports_should_process=bool(page["supports_should_process"]),
        confirm_impact=_confirm_impact(cmdlet),
        is_advanced=True,
        is_cmdlet=True,
        class_name=class_name(cmdlet),
    )


def _declaration(cmdlet: str) -> Callable[[T.TypeTable | None], CommandMetadata]:
    return lambda table: build_metadata(cmdlet, table)


def _confirm_impact(cmdlet: str) -> str:
    fixes = OVERRIDES.get(cmdlet)
    if fixes and fixes.confirm_impact:
        return fixes.confirm_impact
    return hyperv_index.CONFIRM_IMPACT.get(cmdlet, "Medium")


def _info(cmdlet: str, cls: type[Cmdlet]) -> CmdletInfo:
    return CmdletInfo(
        name=cmdlet,
        cls=cls,
        module=MODULE,
        class_name=class_name(cmdlet),
        aliases=tuple(a for a, target in hyperv_index.ALIASES.items() if target == cmdlet),
        confirm_impact=_confirm_impact(cmdlet),
        polls=True,
        synopsis=hyperv_index.CMDLETS[cmdlet],
        declaration=_declaration(cmdlet),
    )


# ------------------------------------------------------------------------------------------
# emulated cmdlets
# ------------------------------------------------------------------------------------------


class Bound:
    """A bound parameter's value as an attribute of an emulated Hyper-V cmdlet (`self.Name`);
    declaring it says that the handler honours the parameter."""

    def __init__(self, default: Any = None) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, attr: str) -> None:
        self.name = attr

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        bound: dict[str, Any] = instance.ctx.bound
        return bound.get(self.name, self.default)


def honoured(cls: type) -> frozenset[str]:
    """The parameters a handler class reads (its `Bound` attributes), case-folded."""
    return frozenset(attr.name.casefold() for klass in cls.__mro__ for attr in vars(klass).values()
                     if isinstance(attr, Bound))


def hyperv_cmdlet(cmdlet: str) -> Callable[[type[Cmdlet]], type[Cmdlet]]:
    """Declare an emulated Hyper-V cmdlet: its parameters come from the data."""
    if cmdlet not in hyperv_index.CMDLETS:
        raise KeyError(f"{cmdlet} is not a cmdlet of the Hyper-V module")

    def deco(cls: type[Cmdlet]) -> type[Cmdlet]:
        cls.__cmdlet_info__ = _info(cmdlet, cls)
        return cls

    return deco


def check_honoured(cmd: Cmdlet) -> None:
    """Fail with NotSupportedByHvemu when a parameter the handler does not read is bound."""
    own = honoured(type(cmd))
    for param in cmd.ctx.bound:
        key = param.casefold()
        if key not in own and key not in _COMMON:
            raise not_supported(f"{cmd.ctx.info.name} -{param}")


_COMMON = frozenset(n.casefold() for n in (
    "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
    "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "ProgressAction", "WhatIf", "Confirm"))


# ------------------------------------------------------------------------------------------
# the rest of the module
# ------------------------------------------------------------------------------------------


class NotEmulated(Cmdlet):
    """A Hyper-V cmdlet whose behaviour hvemu does not emulate: it binds, then fails. It fails in
    its first ProcessRecord, after the first input object is bound (so a pipeline binding error
    is PowerShell's), or at EndProcessing when no input came."""

    def process_record(self) -> Iterable[Any] | None:
        raise not_supported(self.ctx.info.name)

    def end_processing(self) -> Iterable[Any] | None:
        raise not_supported(self.ctx.info.name)


def register_all(registry: Registry) -> None:
    """Register every Hyper-V cmdlet not registered yet (as not emulated) and the module's aliases."""
    for cmdlet in hyperv_index.CMDLETS:
        if registry.find(cmdlet) is None:
            registry.register_info(_info(cmdlet, NotEmulated))
    for alias, target in hyperv_index.ALIASES.items():
        registry.add_alias(alias, target)
    if resolve_enum not in registry.types.resolvers:
        registry.types.resolvers.append(resolve_enum)


def declared_sets(meta: CommandMetadata) -> dict[str, dict[str, tuple[int | None, bool, bool, bool]]]:
    """{parameter: {set: (position, mandatory, by value, by property name)}} of a declaration
    (the shape of the data's `sets`), for comparisons."""
    out: dict[str, dict[str, tuple[int | None, bool, bool, bool]]] = {}
    for p in meta.parameters:
        if p.is_common:
            continue
        out[p.name] = {name: (s.position, s.mandatory, s.pipeline, s.pipeline_by_property)
                       for name, s in p.sets.items()}
    return out


__all__ = ["Bound", "NotEmulated", "build_metadata", "check_honoured", "hyperv_cmdlet", "cmdlet_data",
           "register_all"]
