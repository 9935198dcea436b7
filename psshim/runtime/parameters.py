"""What the binder knows of a command's parameters: the validation attributes (`ValidateSet`,
`ValidateRange`, ...), a parameter's membership of a set (`InSet`), `ParameterMetadata` and
`CommandMetadata` (for cmdlets and script functions alike), and the common parameters.

The lowest of the command modules: the binder, scopes and frames use it, `commands` builds a
cmdlet's metadata from it, and `registry` re-exports it for cmdlet declarations.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.values import Hashtable
from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise

ALL_SETS = "__AllParameterSets"


# ------------------------------------------------------------------------------------------
# validation attributes
# ------------------------------------------------------------------------------------------


class ValidationFailure(Exception):
    """Raised by a validator; the binder turns it into ParameterArgumentValidationError."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Validator:
    name = "Validate"

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        return f"[{self.name}()]"


class ValidateNotNull(Validator):
    name = "ValidateNotNull"

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        if value is None:
            raise ValidationFailure(
                "The argument is null. Provide a valid value for the argument, and then try running the command again.")
        if isinstance(value, list) and any(v is None for v in value):
            raise ValidationFailure(
                "The argument has a null value, or an element of the argument collection contains a null value. "
                "Provide a collection that does not contain any null values, and then try the command again.")


class ValidateNotNullOrEmpty(Validator):
    name = "ValidateNotNullOrEmpty"

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        if value is None or (isinstance(value, str) and value == ""):
            raise ValidationFailure(
                "The argument is null or empty. Provide an argument that is not null or empty, and then try the "
                "command again.")
        if isinstance(value, (list, Hashtable)):
            items = list(value) if isinstance(value, list) else list(value.values())
            for v in items:
                if isinstance(v, str) and v == "":
                    raise ValidationFailure(
                        "The argument is null or empty. Provide an argument that is not null or empty, and then try "
                        "the command again.")
            if not items or any(v is None for v in items):
                raise ValidationFailure(
                    "The argument is null, empty, or an element of the argument collection contains a null value. "
                    "Supply a collection that does not contain any null values and then try the command again.")


class ValidateSet(Validator):
    name = "ValidateSet"

    def __init__(self, *values: str, ignore_case: bool = True) -> None:
        self.values = tuple(str(v) for v in values)
        self.ignore_case = ignore_case

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        from hyperv_emu.psshim.runtime.conversions import to_string

        items = value if isinstance(value, list) else [value]
        for item in items:
            text = to_string(item)
            ok = any((text.lower() == v.lower()) if self.ignore_case else text == v for v in self.values)
            if not ok:
                raise ValidationFailure(
                    f'The argument "{text}" does not belong to the set "{",".join(self.values)}" specified by the '
                    f"ValidateSet attribute. Supply an argument that is in the set and then try the command again.")

    def describe(self) -> str:
        return "[ValidateSet(" + ", ".join(repr(v) for v in self.values) + ")]"


class ValidateRange(Validator):
    name = "ValidateRange"

    def __init__(self, minimum: Any, maximum: Any) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        from hyperv_emu.psshim.runtime.conversions import to_string
        from hyperv_emu.psshim.runtime.operators import compare

        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None:
                raise ValidationFailure(
                    "The argument is null. Provide a valid value for the argument, and then try running the command "
                    "again.")
            if compare(item, self.minimum) < 0:
                raise ValidationFailure(
                    f"The {to_string(item)} argument is less than the minimum allowed range of "
                    f"{to_string(self.minimum)}. Supply an argument that is greater than or equal to "
                    f"{to_string(self.minimum)} and then try the command again.")
            if compare(item, self.maximum) > 0:
                raise ValidationFailure(
                    f"The {to_string(item)} argument is greater than the maximum allowed range of "
                    f"{to_string(self.maximum)}. Supply an argument that is less than or equal to "
                    f"{to_string(self.maximum)} and then try the command again.")

    def describe(self) -> str:
        return f"[ValidateRange({self.minimum}, {self.maximum})]"


class ValidateLength(Validator):
    name = "ValidateLength"

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        from hyperv_emu.psshim.runtime.conversions import to_string

        items = value if isinstance(value, list) else [value]
        for item in items:
            text = to_string(item)
            if len(text) < self.minimum:
                raise ValidationFailure(
                    f"The character length ({len(text)}) of the argument is too short. Specify an argument with a "
                    f'length that is greater than or equal to "{self.minimum}", and then try the command again.')
            if len(text) > self.maximum:
                raise ValidationFailure(
                    f"The character length of the {len(text)} argument is too long. Shorten the character length of "
                    f'the argument so it is fewer than or equal to "{self.maximum}" characters, and then try the '
                    f"command again.")


class ValidatePattern(Validator):
    name = "ValidatePattern"

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        from hyperv_emu.psshim.runtime.conversions import to_string
        from hyperv_emu.psshim.runtime.dotnet_regex import compile_regex

        items = value if isinstance(value, list) else [value]
        for item in items:
            text = to_string(item)
            if compile_regex(self.pattern, True).search(text) is None:
                raise ValidationFailure(
                    f'The argument "{text}" does not match the "{self.pattern}" pattern. Supply an argument that '
                    f'matches "{self.pattern}" and try the command again.')


class ValidateCount(Validator):
    name = "ValidateCount"

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        n = len(value) if isinstance(value, list) else (0 if value is None else 1)
        if not self.minimum <= n <= self.maximum:
            if self.minimum == self.maximum:
                raise ValidationFailure(
                    f"The parameter requires exactly {self.minimum} value(s) - {n} value(s) were provided.")
            raise ValidationFailure(
                f"The parameter requires at least {self.minimum} value(s) and no more than {self.maximum} value(s) - "
                f"{n} value(s) were provided.")


class ValidateScript(Validator):
    name = "ValidateScript"

    def __init__(self, script: Any) -> None:
        self.script = script

    def validate(self, value: Any, invoke: Callable[[Any, Any], Any] | None = None) -> None:
        from hyperv_emu.psshim.runtime.conversions import to_bool, to_string

        if invoke is None:
            return
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not to_bool(invoke(self.script, item)):
                raise ValidationFailure(
                    f'The "{to_string(self.script)}" validation script for the argument with value '
                    f'"{to_string(item)}" did not return a result of True. Determine why the validation script '
                    f"failed, and then try the command again.")


# ------------------------------------------------------------------------------------------
# parameter metadata
# ------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class InSet(Fieldwise):
    """A parameter's membership of one parameter set (one `[Parameter(...)]` attribute)."""

    name: str = ALL_SETS
    position: int | None = None
    mandatory: bool = False
    pipeline: bool = False  # ValueFromPipeline
    pipeline_by_property: bool = False  # ValueFromPipelineByPropertyName
    remaining: bool = False  # ValueFromRemainingArguments


@attrs.define(eq=False, repr=False)
class ParameterMetadata(MutableFieldwise):
    name: str
    type: T.PSType
    aliases: tuple[str, ...] = ()
    sets: dict[str, InSet] = attrs.field(factory=dict)
    validators: tuple[Validator, ...] = ()
    is_common: bool = False
    default: Any = None
    default_ast: Any = None  # script functions: the default value expression
    allow_null: bool = False
    allow_empty_string: bool = False
    allow_empty_collection: bool = False
    help: str = ""
    dont_show: bool = False

    @property
    def is_switch(self) -> bool:
        return self.type.kind == "switch"

    def in_set(self, set_name: str) -> InSet | None:
        spec = self.sets.get(set_name)
        if spec is not None:
            return spec
        return self.sets.get(ALL_SETS)

    def all_sets(self) -> bool:
        return ALL_SETS in self.sets

    def takes_pipeline(self) -> bool:
        return any(s.pipeline or s.pipeline_by_property for s in self.sets.values())

    def names(self) -> tuple[str, ...]:
        return (self.name,) + self.aliases


@attrs.define(eq=False, repr=False)
class CommandMetadata(MutableFieldwise):
    """What the binder needs to know about a command (cmdlet or script function)."""

    name: str
    parameters: list[ParameterMetadata]
    default_set: str | None = None
    supports_should_process: bool = False
    confirm_impact: str = "Medium"
    is_advanced: bool = True  # cmdlets and [CmdletBinding()] functions
    is_cmdlet: bool = True
    class_name: str = ""  # suffix of FullyQualifiedErrorIds
    positional_binding: bool = True

    def set_names(self) -> list[str]:
        names: list[str] = []
        for p in self.parameters:
            for s in p.sets:
                if s != ALL_SETS and s not in names:
                    names.append(s)
        if self.default_set and self.default_set not in names:
            names.insert(0, self.default_set)
        return names or [ALL_SETS]

    def find(self, name: str) -> ParameterMetadata | None:
        key = name.casefold()
        for p in self.parameters:
            if p.name.casefold() == key:
                return p
        return None


def _common_parameters(should_process: bool) -> list[ParameterMetadata]:
    from hyperv_emu.psshim.runtime import options

    def p(name: str, type_: T.PSType, *aliases: str) -> ParameterMetadata:
        return ParameterMetadata(name, type_, aliases, {ALL_SETS: InSet()}, is_common=True)

    out = [
        p("Verbose", T.SWITCH, "vb"),
        p("Debug", T.SWITCH, "db"),
        p("ErrorAction", T.ACTION_PREFERENCE, "ea"),
        p("WarningAction", T.ACTION_PREFERENCE, "wa"),
        p("InformationAction", T.ACTION_PREFERENCE, "infa"),
        p("ErrorVariable", T.STRING, "ev"),
        p("WarningVariable", T.STRING, "wv"),
        p("InformationVariable", T.STRING, "iv"),
        p("OutVariable", T.STRING, "ov"),
        p("OutBuffer", T.INT32, "ob"),
        p("PipelineVariable", T.STRING, "pv"),
    ]
    if options.is_core():
        out.append(p("ProgressAction", T.ACTION_PREFERENCE, "proga"))
    if should_process:
        out.append(p("WhatIf", T.SWITCH, "wi"))
        out.append(p("Confirm", T.SWITCH, "cf"))
    return out


def common_parameter_names() -> list[str]:
    """`[System.Management.Automation.PSCmdlet]::CommonParameters`, in the edition's order."""
    return [p.name for p in _common_parameters(False)]


def optional_common_parameter_names() -> list[str]:
    """`[System.Management.Automation.PSCmdlet]::OptionalCommonParameters`: the risk-mitigation
    parameters (and, in Windows PowerShell, -UseTransaction)."""
    from hyperv_emu.psshim.runtime import options

    names = [p.name for p in _common_parameters(True)[len(_common_parameters(False)):]]
    return names if options.is_core() else [*names, "UseTransaction"]


def with_common_parameters(meta: CommandMetadata) -> list[ParameterMetadata]:
    """The command's parameters followed by the common parameters it accepts."""
    if not meta.is_advanced:
        return list(meta.parameters)
    own = {p.name.casefold() for p in meta.parameters}
    return list(meta.parameters) + [c for c in _common_parameters(meta.supports_should_process)
                                    if c.name.casefold() not in own]
