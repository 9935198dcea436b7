"""Cmdlet declarations: the `Cmdlet` base class and the `@cmdlet` decorator, and (re-exported
from `parameters` and `commands`) everything a cmdlet module declares with: `Param`, `InSet`,
the validation attributes, and the `Registry` that finds commands by name.

A cmdlet is declared ONCE, as a class:

    from hyperv_emu.psshim.runtime.registry import Cmdlet, Param, InSet, cmdlet, ValidateNotNullOrEmpty

    @cmdlet("Checkpoint-VM", module="Hyper-V",
            class_name="Microsoft.HyperV.PowerShell.Commands.CheckpointVM",
            default_set="Name", supports_should_process=True, confirm_impact="Medium")
    class CheckpointVM(Cmdlet):
        Name = Param("string[]", InSet("Name", position=0, mandatory=True, pipeline=True),
                     aliases=("VMName",), validate=(ValidateNotNullOrEmpty(),))
        VM = Param(VirtualMachine, InSet("VMObject", position=0, mandatory=True, pipeline=True),
                   array=True)
        SnapshotName = Param("string", position=1, aliases=("CheckpointName",),
                             validate=(ValidateNotNullOrEmpty(),))
        Passthru = Param("switch")

        def process_record(self) -> Iterable[object] | None:
            for name in self.Name or ():
                if self.ctx.should_process(name, text=f'Checkpoint-VM will create ...'):
                    yield self.ctx.services.hyperv.checkpoint(...)

- `Param(type, *sets, position=, mandatory=, pipeline=, pipeline_by_property=, aliases=,
  validate=, remaining=, default=)`: `type` is a PowerShell type name (`"string[]"`,
  `"switch"`, `"int"`, `"scriptblock"`, `"object"`), a PSType, or a Python class (an SDK class
  or enum; `array=True` makes it `T[]`). Without `InSet`s the parameter belongs to every set,
  with the position/mandatory/pipeline keywords; with `InSet`s each set has its own.
- Inside the cmdlet, `self.Name` is the bound value (or the `default`), `self.ctx` the
  `CommandContext` (output, errors, ShouldProcess, services). `begin_processing`,
  `process_record` and `end_processing` may return None, an iterable, or be generators that
  `yield` output objects (streamed to the next command as they come).
- Common parameters (-Verbose, -ErrorAction, -WhatIf when `supports_should_process`, ...) are
  added automatically and handled by the runtime.
- A module registers its cmdlets with `Registry.register_module(module)` (every decorated class
  in it) or `Registry.register(cls)`; see psshim/runtime/__init__.py.

Layers: `parameters` (validation attributes, parameter and command metadata) is below
`commands` (`Param`, `CmdletInfo`, `Registry`), which is below `context` (`CommandContext`);
this module, whose `Cmdlet` holds a `CommandContext`, is above all three.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Iterable, Sequence

from hyperv_emu.psshim.runtime.commands import CmdletInfo, Param, Registry
from hyperv_emu.psshim.runtime.context import CommandContext
from hyperv_emu.psshim.runtime.parameters import (
    ALL_SETS,
    CommandMetadata,
    InSet,
    ParameterMetadata,
    ValidateCount,
    ValidateLength,
    ValidateNotNull,
    ValidateNotNullOrEmpty,
    ValidatePattern,
    ValidateRange,
    ValidateScript,
    ValidateSet,
    ValidationFailure,
    Validator,
    with_common_parameters,
)

# A cmdlet module imports everything it declares with from here.
__all__ = [
    "ALL_SETS", "Cmdlet", "CmdletInfo", "CommandMetadata", "InSet", "Param", "ParameterMetadata", "Registry",
    "ValidateCount", "ValidateLength", "ValidateNotNull", "ValidateNotNullOrEmpty", "ValidatePattern",
    "ValidateRange", "ValidateScript", "ValidateSet", "ValidationFailure", "Validator", "cmdlet",
    "with_common_parameters",
]


class Cmdlet:
    """Base class of every cmdlet. Subclasses declare `Param`s and override the three phases."""

    __cmdlet_info__: ClassVar["CmdletInfo"]
    ctx: "CommandContext"

    def begin_processing(self) -> Iterable[Any] | None:
        return None

    def process_record(self) -> Iterable[Any] | None:
        return None

    def end_processing(self) -> Iterable[Any] | None:
        return None

    def is_bound(self, name: str) -> bool:
        return name in self.ctx.bound


def cmdlet(
    name: str,
    *,
    aliases: Sequence[str] = (),
    module: str = "Microsoft.PowerShell.Utility",
    class_name: str | None = None,
    default_set: str | None = None,
    supports_should_process: bool = False,
    confirm_impact: str = "Medium",
    polls: bool = False,
    synopsis: str = "",
    notes: str = "",
) -> Callable[[type[Cmdlet]], type[Cmdlet]]:
    """Declare a cmdlet class (see the module docstring).

    class_name: the .NET class whose name ends FullyQualifiedErrorIds
    (`ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM`); defaults to
    `Microsoft.PowerShell.Commands.<Verb><Noun>Command`.
    polls: the cmdlet observes state that only moves with time (Get-Date, Hyper-V getters);
    used to detect loops that poll a virtual clock that never moves.
    """

    def deco(cls: type[Cmdlet]) -> type[Cmdlet]:
        verb, _, noun = name.partition("-")
        info = CmdletInfo(
            name=name,
            cls=cls,
            module=module,
            class_name=class_name or f"Microsoft.PowerShell.Commands.{verb}{noun.replace('-', '')}Command",
            aliases=tuple(aliases),
            default_set=default_set,
            supports_should_process=supports_should_process,
            confirm_impact=confirm_impact,
            polls=polls,
            synopsis=synopsis or (cls.__doc__ or "").strip().split("\n")[0],
            notes=notes,
        )
        cls.__cmdlet_info__ = info
        return cls

    return deco
