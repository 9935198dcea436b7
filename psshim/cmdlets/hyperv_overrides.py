"""Corrections to the Hyper-V cmdlet reference pages, applied over hyperv_metadata.json.

The pages are generated from the module's help and are wrong at times (two parameters at one
position in a set, a ValidateNotNullOrEmpty they never show, ConfirmImpact they never give). The
issue's order of authority: real behaviour, then the module's decompiled logic, then the pages.
Each correction names its source:

- [M] hyperv-reference.md §1.2/§1.1, read in a decompiled copy of the module (its "Sources");
- [P] psshim's hand declaration that the data replaced, kept because scenarios exercise it and
  the pages show no validation attributes at all (platyPS does not render ValidateNotNull*).

A `ParamOverride` replaces the parameter's sets (when `sets` is given) or aliases, and adds
validators; a `CmdletOverride` gives ConfirmImpact (the pages never show it; Medium otherwise).
"""

from __future__ import annotations

import attrs

from hyperv_emu.psshim.runtime.registry import InSet, ValidateNotNull, ValidateNotNullOrEmpty, Validator


@attrs.frozen
class ParamOverride:
    sets: tuple[InSet, ...] | None = None
    aliases: tuple[str, ...] | None = None
    validators: tuple[Validator, ...] = ()
    source: str = ""


@attrs.frozen
class CmdletOverride:
    parameters: dict[str, ParamOverride] = attrs.field(factory=dict)
    confirm_impact: str | None = None
    source: str = ""


_NOT_EMPTY = (ValidateNotNullOrEmpty(),)
_NOT_NULL = (ValidateNotNull(),)
_P = "[P] psshim's hand declaration (ValidateNotNullOrEmpty)"


def _vm_by_name(confirm_impact: str | None = None) -> CmdletOverride:
    """The VM cmdlets of the Name/VMObject shape: -Name is ValidateNotNullOrEmpty [P]."""
    return CmdletOverride({"Name": ParamOverride(validators=_NOT_EMPTY, source=_P)}, confirm_impact,
                          "[M] §1.2: Remove-VM ConfirmImpact High" if confirm_impact else "")


OVERRIDES: dict[str, CmdletOverride] = {
    "Checkpoint-VM": CmdletOverride({
        "Name": ParamOverride(validators=_NOT_EMPTY, source=_P),
        "SnapshotName": ParamOverride(validators=_NOT_EMPTY, source="[M] §1.2: -SnapshotName ValidateNotNullOrEmpty"),
    }),
    "Remove-VM": _vm_by_name("High"),
    "Set-VM": _vm_by_name(),
    "Start-VM": _vm_by_name(),
    "Stop-VM": _vm_by_name(),
    "Suspend-VM": _vm_by_name(),
    "Resume-VM": _vm_by_name(),
    "New-VM": CmdletOverride({"Name": ParamOverride(validators=_NOT_EMPTY, source=_P)}),
    "Import-VM": CmdletOverride({"Path": ParamOverride(validators=_NOT_EMPTY, source=_P)}),
    "Get-VMSnapshot": CmdletOverride({"VMName": ParamOverride(validators=_NOT_EMPTY, source=_P)}),
    "Get-VMHardDiskDrive": CmdletOverride({"VMName": ParamOverride(validators=_NOT_EMPTY, source=_P)}),
    "Restore-VMSnapshot": CmdletOverride({
        # the page puts -Name at position 0 in the VM set, beside -VM (two parameters at one position)
        "Name": ParamOverride(sets=(InSet("SnapshotName", position=0, mandatory=True), InSet("VM", mandatory=True)),
                              validators=_NOT_EMPTY, source="[M] §1.2: in the VM set -Name is named only"),
        "VMName": ParamOverride(validators=_NOT_EMPTY, source=_P),
        "VMSnapshot": ParamOverride(validators=_NOT_NULL, source=_P),
    }, confirm_impact="High", source="[M] §1.2: ConfirmImpact High"),
    "Rename-VMSnapshot": CmdletOverride({
        "Name": ParamOverride(sets=(InSet("SnapshotName", position=0, mandatory=True), InSet("VM", mandatory=True)),
                              validators=_NOT_EMPTY, source="[M] §1.2: in the VM set -Name is named only"),
        "VMName": ParamOverride(validators=_NOT_EMPTY, source=_P),
        "VMSnapshot": ParamOverride(validators=_NOT_NULL, source=_P),
        "NewName": ParamOverride(validators=_NOT_EMPTY, source=_P),
    }),
    "Remove-VMSnapshot": CmdletOverride({
        "VMName": ParamOverride(validators=_NOT_EMPTY, source=_P),
        "Name": ParamOverride(sets=(InSet("SnapshotName", position=1, pipeline=True), InSet("VMObject", position=1)),
                              source="[M] §1.2: -Name takes pipeline input in the SnapshotName set only"),
        "VMSnapshot": ParamOverride(validators=_NOT_NULL, source=_P),
    }),
    "Export-VMSnapshot": CmdletOverride({
        # the page puts -Name at position 0 and mandatory in the VMObject set, beside -VM
        "Name": ParamOverride(sets=(InSet("SnapshotName", position=0, mandatory=True, pipeline=True),
                                    InSet("VMObject")),
                              source="[M] §1.2: in the VMObject set -Name is named and optional"),
        "VMSnapshot": ParamOverride(validators=_NOT_NULL, source=_P),
    }),
}
