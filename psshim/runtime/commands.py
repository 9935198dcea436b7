"""Declared cmdlets as the runtime sees them: the `Param` descriptor, `CmdletInfo` (a cmdlet's name,
module, class and metadata) and the `Registry` that finds commands by name.

`registry` (the declaration API: the `Cmdlet` base class and the `@cmdlet` decorator) builds on
this module; the interpreter and the pipeline use `Registry` and `CmdletInfo` from here, below
`CommandContext`, which a `Cmdlet` holds.
"""

from __future__ import annotations

import enum
from typing import Any, Callable, ClassVar, Protocol, Sequence

import attrs

from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.parameters import ALL_SETS, CommandMetadata, InSet, ParameterMetadata, Validator
from hyperv_emu.sdk.fieldwise import MutableFieldwise


# ------------------------------------------------------------------------------------------
# the Param descriptor
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


class CmdletObject(Protocol):
    """An instance of a declared cmdlet class as the registry sees it: a `registry.Cmdlet`
    subclass, on which the `@cmdlet` decorator set `__cmdlet_info__`. (This module is below
    `CommandContext`, which a `Cmdlet` holds, so it does not name that class.)"""

    __cmdlet_info__: ClassVar[CmdletInfo]


@attrs.define(eq=False, repr=False)
class CmdletInfo(MutableFieldwise):
    name: str
    cls: type[CmdletObject]
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


class Registry:
    """The cmdlets and command aliases of one runtime."""

    def __init__(self) -> None:
        self.cmdlets: dict[str, CmdletInfo] = {}
        self.aliases: dict[str, str] = {}
        self.modules: dict[str, list[CmdletInfo]] = {}
        self.types = T.TypeTable()
        # maps a Python exception escaping a cmdlet, and the cmdlet's CommandContext, to an
        # ErrorRecord (set by the Hyper-V layer)
        self.exception_mapper: Callable[[BaseException, Any], Any] | None = None
        # called with each Runspace's AdapterRegistry (e.g. to register the SDK's adapters)
        self.adapter_setup: list[Callable[[Any], None]] = []

    def register(self, cls: type[CmdletObject]) -> CmdletInfo:
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
            if isinstance(obj, type) and isinstance(vars(obj).get("__cmdlet_info__"), CmdletInfo):
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
