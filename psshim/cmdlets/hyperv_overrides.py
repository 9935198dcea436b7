"""Corrections to the generated Hyper-V metadata (hyperv_metadata.json), each with its source.

The data already takes the module's own metadata (the reflection stub, see
scripts/gen_hyperv_metadata.py) over the pages; what is left here is behaviour that neither
shows. Sources: [B] the real cmdlet's behaviour as hyperv-reference.md describes it.

A `ParamOverride` replaces a parameter's sets (when `sets` is given) or aliases, and adds
validators; a `CmdletOverride` replaces the cmdlet's ConfirmImpact.
"""

from __future__ import annotations

import attrs

from hyperv_emu.psshim.runtime.registry import InSet, Validator
from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class ParamOverride(Fieldwise):
    sets: tuple[InSet, ...] | None = None
    aliases: tuple[str, ...] | None = None
    validators: tuple[Validator, ...] = ()
    source: str = ""


@attrs.frozen(eq=False, repr=False)
class CmdletOverride(Fieldwise):
    parameters: dict[str, ParamOverride] = attrs.field(factory=dict)
    confirm_impact: str | None = None
    source: str = ""


OVERRIDES: dict[str, CmdletOverride] = {
    # The module declares ConfirmImpact Medium, but Remove-VM asks "Are you sure you want to
    # remove virtual machine ...?" (ShouldContinue) unless -Force; psshim models that prompt as
    # ConfirmImpact High, so it is asked in a default session and -Confirm:$false / -Force skip it.
    "Remove-VM": CmdletOverride(confirm_impact="High",
                                source="[B] Remove-VM prompts unless -Force (ShouldContinue in the module)"),
}
