"""`CommandInfo.Parameters` (what `(Get-Command X).Parameters` returns) and module-qualified
command names (`Hyper-V\\Get-VM`, `Microsoft.PowerShell.Management\\Get-ChildItem`).

`parameters_table(meta)` is the Dictionary[string, ParameterMetadata] of a command: its own
parameters, then the common parameters it accepts (so `.Parameters.ContainsKey('WhatIf')` tells
whether a command supports ShouldProcess), keyed case-insensitively.
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.psshim.runtime.registry import ALL_SETS, CommandMetadata, ParameterMetadata, with_common_parameters
from hyperv_emu.psshim.runtime.values import Hashtable


class ParameterSetView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.ParameterSetMetadata", "System.Object"]

    def __init__(self, position: int | None, mandatory: bool, pipeline: bool, by_property: bool,
                 remaining: bool) -> None:
        self.values = (position, mandatory, pipeline, by_property, remaining)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        position, mandatory, pipeline, by_property, remaining = self.values
        return [("Position", -2147483648 if position is None else position), ("IsMandatory", mandatory),
                ("ValueFromPipeline", pipeline), ("ValueFromPipelineByPropertyName", by_property),
                ("ValueFromRemainingArguments", remaining), ("HelpMessage", None),
                ("HelpMessageBaseName", None), ("HelpMessageResourceId", None)]


class ParameterMetadataView(PSNative):
    """System.Management.Automation.ParameterMetadata."""

    __ps_type_names__ = ["System.Management.Automation.ParameterMetadata", "System.Object"]

    def __init__(self, p: ParameterMetadata) -> None:
        self.p = p

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        p = self.p
        sets = Hashtable()
        for name, s in p.sets.items():
            sets[name if name != ALL_SETS else "__AllParameterSets"] = ParameterSetView(
                s.position, s.mandatory, s.pipeline, s.pipeline_by_property, s.remaining)
        return [("Name", p.name), ("ParameterType", p.type), ("ParameterSets", sets), ("IsDynamic", False),
                ("Aliases", list(p.aliases)), ("Attributes", []),
                ("SwitchParameter", p.type.full_name == "System.Management.Automation.SwitchParameter")]

    def __ps_string__(self) -> str:
        return self.p.name


def parameters_table(meta: CommandMetadata) -> Hashtable:
    table = Hashtable()
    for p in with_common_parameters(meta):
        table[p.name] = ParameterMetadataView(p)
    return table


def split_qualified(name: str) -> tuple[str | None, str]:
    """`Hyper-V\\Get-VM` -> ("Hyper-V", "Get-VM"); a plain name has no module."""
    module, sep, bare = name.rpartition("\\")
    return (module, bare) if sep and module and "*" not in module else (None, name)
