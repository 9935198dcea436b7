"""Cmdlet declarations and the registry that finds commands by name.

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
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Sequence

import attrs

from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.values import Hashtable
from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.context import CommandContext

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


def with_common_parameters(meta: CommandMetadata) -> list[ParameterMetadata]:
    """The command's parameters followed by the common parameters it accepts."""
    if not meta.is_advanced:
        return list(meta.parameters)
    own = {p.name.casefold() for p in meta.parameters}
    return list(meta.parameters) + [c for c in _common_parameters(meta.supports_should_process)
                                    if c.name.casefold() not in own]


# ------------------------------------------------------------------------------------------
# the Param descriptor and the Cmdlet base class
# ------------------------------------------------------------------------------------------


_UNSET: Any = object()


class Param:
    """A cmdlet parameter declared as a class attribute (see the module docstring)."""

    def __init__(
        self,
        type: Any = "object",
        *sets: InSet,
        position: int | None = None,
        mandatory: bool = False,
        pipeline: bool = False,
        pipeline_by_property: bool = False,
        remaining: bool = False,
        aliases: Sequence[str] = (),
        validate: Sequence[Validator] = (),
        default: Any = None,
        array: bool = False,
        name: str | None = None,
        allow_null: bool = False,
        allow_empty_string: bool = False,
        allow_empty_collection: bool = False,
        help: str = "",
    ) -> None:
        self.type_spec = type
        self.array = array
        if sets:
            self.sets = {s.name: s for s in sets}
        else:
            self.sets = {ALL_SETS: InSet(ALL_SETS, position, mandatory, pipeline, pipeline_by_property, remaining)}
        self.aliases = tuple(aliases)
        self.validators = tuple(validate)
        self.default = default
        self.name = name or ""
        self.allow_null = allow_null
        self.allow_empty_string = allow_empty_string
        self.allow_empty_collection = allow_empty_collection
        self.help = help

    def __set_name__(self, owner: type, attr: str) -> None:
        if not self.name:
            self.name = attr

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        bound: dict[str, Any] = instance.ctx.bound
        if self.name in bound:
            return bound[self.name]
        if self.type_spec == "switch":
            return False if self.default is None else self.default
        return self.default

    def metadata(self, table: T.TypeTable | None = None) -> ParameterMetadata:
        t = T.coerce_spec(self.type_spec, table)
        if self.array and t.kind != "array":
            t = T.array_of(t)
        return ParameterMetadata(
            name=self.name,
            type=t,
            aliases=self.aliases,
            sets=dict(self.sets),
            validators=self.validators,
            default=self.default,
            allow_null=self.allow_null,
            allow_empty_string=self.allow_empty_string,
            allow_empty_collection=self.allow_empty_collection,
            help=self.help,
        )


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


@attrs.define(eq=False, repr=False)
class CmdletInfo(MutableFieldwise):
    name: str
    cls: type[Cmdlet]
    module: str
    class_name: str
    aliases: tuple[str, ...] = ()
    default_set: str | None = None
    supports_should_process: bool = False
    confirm_impact: str = "Medium"
    polls: bool = False
    synopsis: str = ""
    notes: str = ""
    # builds the declaration when it is not the class's Params (e.g. from generated data); called
    # once, when the metadata is first needed
    declaration: Callable[[T.TypeTable | None], CommandMetadata] | None = None
    _metadata: CommandMetadata | None = None

    @property
    def verb(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def noun(self) -> str:
        return self.name.split("-", 1)[1] if "-" in self.name else ""

    def metadata(self, table: T.TypeTable | None = None) -> CommandMetadata:
        if self._metadata is None and self.declaration is not None:
            self._metadata = self.declaration(table)
        if self._metadata is None:
            declared: dict[str, Param] = {}
            for klass in reversed(self.cls.__mro__):
                for attr in vars(klass).values():
                    if isinstance(attr, Param):
                        # a subclass's declaration replaces its base's (keeping the base's order)
                        declared[attr.name.casefold()] = attr
            params = [p.metadata(table) for p in declared.values()]
            self._metadata = CommandMetadata(
                name=self.name,
                parameters=params,
                default_set=self.default_set,
                supports_should_process=self.supports_should_process,
                confirm_impact=self.confirm_impact,
                is_advanced=True,
                is_cmdlet=True,
                class_name=self.class_name,
            )
        return self._metadata


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


class Registry:
    """The cmdlets and command aliases of one runtime."""

    def __init__(self) -> None:
        self.cmdlets: dict[str, CmdletInfo] = {}
        self.aliases: dict[str, str] = {}
        self.modules: dict[str, list[CmdletInfo]] = {}
        self.types = T.TypeTable()
        # maps a Python exception escaping a cmdlet to an ErrorRecord (set by the Hyper-V layer)
        self.exception_mapper: Callable[[BaseException, "CommandContext"], Any] | None = None
        # called with each Runspace's AdapterRegistry (e.g. to register the SDK's adapters)
        self.adapter_setup: list[Callable[[Any], None]] = []

    def register(self, cls: type[Cmdlet]) -> CmdletInfo:
        return self.register_info(cls.__cmdlet_info__)

    def register_info(self, info: CmdletInfo) -> CmdletInfo:
        """Register a cmdlet by its info (several cmdlets may share one class, each with its
        own `declaration`)."""
        # a fresh info per registry so metadata (types) is resolved against this registry
        own = attrs.evolve(info, metadata=None)
        self.cmdlets[info.name.casefold()] = own
        for alias in info.aliases:
            self.aliases[alias.casefold()] = info.name
        self.modules.setdefault(info.module.casefold(), []).append(own)
        return own

    def register_module(self, module: Any) -> list[CmdletInfo]:
        out = []
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Cmdlet) and "__cmdlet_info__" in vars(obj):
                out.append(self.register(obj))
        return out

    def add_alias(self, alias: str, target: str) -> None:
        self.aliases[alias.casefold()] = target

    def register_type(self, full_name: str, cls: type) -> None:
        """Make `[full_name]` and parameter types resolve to an SDK class or enum."""
        self.types.register_class(full_name, cls)

    def register_enum(self, cls: type[enum.Enum]) -> None:
        self.types.register_enum(cls)

    def find(self, name: str) -> CmdletInfo | None:
        return self.cmdlets.get(name.casefold())

    def resolve_alias(self, name: str) -> str | None:
        return self.aliases.get(name.casefold())

    def module_names(self) -> list[str]:
        return [infos[0].module for infos in self.modules.values() if infos]

    def all(self) -> list[CmdletInfo]:
        return sorted(self.cmdlets.values(), key=lambda i: i.name.casefold())
