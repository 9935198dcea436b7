"""Declared cmdlets as the runtime sees them: the `Param` descriptor, `CmdletInfo` (a cmdlet's name,
module, class and metadata) and the `Registry` that finds commands by name.

`registry` (the declaration API: the `Cmdlet` base class and the `@cmdlet` decorator) builds on
this module; the interpreter and the pipeline use `Registry` and `CmdletInfo` from here, below
`CommandContext`, which a `Cmdlet` holds.
"""

from __future__ import annotations

import enum
import threading
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

    def unresolved(self) -> CmdletInfo:
        """A copy without the metadata resolved so far: `attrs.evolve(self, metadata=None)`,
        without evolve's look-ups of each field (a registry makes hundreds at start-up)."""
        return CmdletInfo(self.name, self.cls, self.module, self.class_name, self.aliases, self.default_set,
                          self.supports_should_process, self.confirm_impact, self.polls, self.synopsis,
                          self.notes, self.declaration)

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
    """The cmdlets and command aliases of one runtime.

    A module of cmdlets may be registered lazily (`defer`): its cmdlet names, aliases and the
    type names its set-up registers are known at once from an index, and the module is imported
    and registered when one of them is first looked up, or when the commands are enumerated
    (`all`, `cmdlets`, `modules`)."""

    def __init__(self) -> None:
        self._cmdlets: dict[str, CmdletInfo] = {}
        self.aliases: dict[str, str] = {}
        self._modules: dict[str, list[CmdletInfo]] = {}
        self.types = T.TypeTable()
        self.types.on_miss = self._load_type
        # maps a Python exception escaping a cmdlet, and the cmdlet's CommandContext, to an
        # ErrorRecord (set by the Hyper-V layer)
        self.exception_mapper: Callable[[BaseException, Any], Any] | None = None
        # called with each Runspace's AdapterRegistry (e.g. to register the SDK's adapters)
        self.adapter_setup: list[Callable[[Any], None]] = []
        # deferred sources (in the order they were deferred) and what each one provides
        self._loaders: dict[str, Callable[[Registry], None]] = {}
        self._pending_cmdlets: dict[str, str] = {}
        self._pending_modules: dict[str, list[str]] = {}
        self._pending_types: dict[str, str] = {}
        self._lock = threading.RLock()

    @property
    def cmdlets(self) -> dict[str, CmdletInfo]:
        """Every cmdlet by case-folded name (deferred modules are loaded first)."""
        self.load_all()
        return self._cmdlets

    @property
    def modules(self) -> dict[str, list[CmdletInfo]]:
        """The cmdlets of each PowerShell module, by case-folded module name (deferred modules
        are loaded first)."""
        self.load_all()
        return self._modules

    def register(self, cls: type[CmdletObject]) -> CmdletInfo:
        return self.register_info(cls.__cmdlet_info__)

    def register_info(self, info: CmdletInfo) -> CmdletInfo:
        """Register a cmdlet by its info (several cmdlets may share one class, each with its
        own `declaration`)."""
        # a fresh info per registry so metadata (types) is resolved against this registry
        own = info.unresolved()
        self._cmdlets[info.name.casefold()] = own
        for alias in info.aliases:
            self.aliases[alias.casefold()] = info.name
        self._modules.setdefault(info.module.casefold(), []).append(own)
        return own

    def register_module(self, module: Any) -> list[CmdletInfo]:
        out = []
        for obj in vars(module).values():
            if isinstance(obj, type) and isinstance(vars(obj).get("__cmdlet_info__"), CmdletInfo):
                out.append(self.register(obj))
        return out

    def defer(self, source: str, load: Callable[[Registry], None], *, cmdlets: Sequence[tuple[str, str]],
              aliases: Sequence[tuple[str, str]] = (), types: Sequence[str] = ()) -> None:
        """Register `source` lazily: `load(registry)` registers it when first needed. `cmdlets`
        are its (cmdlet name, PowerShell module name) pairs, `aliases` the (alias, target)
        pairs it adds (set at once), `types` the type names its set-up registers."""
        self._loaders[source] = load
        for name, module in cmdlets:
            self._pending_cmdlets[name.casefold()] = source
            self._pending_modules.setdefault(module.casefold(), []).append(source)
        for alias, target in aliases:
            self.aliases[alias.casefold()] = target
        for name in types:
            self._pending_types[name.casefold()] = source

    def _load(self, source: str) -> None:
        # one registry may serve runspaces of several threads (`hvemu serve`): a thread that
        # finds the source being loaded by another waits for it to be registered
        with self._lock:
            load = self._loaders.pop(source, None)
            if load is not None:
                load(self)

    def load_all(self) -> None:
        """Load every deferred source (a command listing sees them all)."""
        while self._loaders:
            self._load(next(iter(self._loaders)))

    def _load_type(self, name: str) -> bool:
        """A type name the table does not have: load the deferred source that registers it."""
        source = self._pending_types.get(name.casefold())
        if source is None or source not in self._loaders:
            return False
        self._load(source)
        return True

    def add_alias(self, alias: str, target: str) -> None:
        self.aliases[alias.casefold()] = target

    def register_type(self, full_name: str, cls: type) -> None:
        """Make `[full_name]` and parameter types resolve to an SDK class or enum."""
        self.types.register_class(full_name, cls)

    def register_enum(self, cls: type[enum.Enum]) -> None:
        self.types.register_enum(cls)

    def find(self, name: str) -> CmdletInfo | None:
        key = name.casefold()
        info = self._cmdlets.get(key)
        if info is None and key in self._pending_cmdlets:
            self._load(self._pending_cmdlets[key])
            info = self._cmdlets.get(key)
        return info

    def has_module(self, name: str) -> bool:
        """Whether a PowerShell module of this name has cmdlets here (without loading them)."""
        key = name.casefold()
        return key in self._modules or any(s in self._loaders for s in self._pending_modules.get(key, ()))

    def resolve_alias(self, name: str) -> str | None:
        return self.aliases.get(name.casefold())

    def module_names(self) -> list[str]:
        return [infos[0].module for infos in self.modules.values() if infos]

    def all(self) -> list[CmdletInfo]:
        return sorted(self.cmdlets.values(), key=lambda i: i.name.casefold())
