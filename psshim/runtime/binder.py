"""Parameter binding for cmdlets and script functions (powershell-subset.md §3).

1. named arguments: exact name or alias, then a unique prefix (common parameters included);
   switches take no value unless written `-Switch:$value`; a valued parameter followed by
   another `-Param` or by nothing is `MissingArgument`;
2. positional arguments fill the remaining positional parameters of the candidate parameter
   sets in position order, preferring a parameter whose type matches without conversion and
   the default set; leftovers go to a ValueFromRemainingArguments parameter, to `$args` for a
   simple function, or fail with `PositionalParameterNotFound`;
3. each pipeline object binds ByValue (exact type), ByPropertyName (exact), then the same two
   with conversion, to parameters not bound on the command line (`InputObjectNotBound`
   otherwise); a script block given to a pipeline parameter of another type is delay-bound;
4. the parameter set is resolved, mandatory parameters are checked (the host is
   non-interactive, so a missing one is an error), validation attributes run as each
   parameter is bound.

Every error carries PowerShell's exact text and id; the caller's `ErrorFactory` turns them
into records (it knows the command's real name, its FullyQualifiedErrorId suffix and the
script position).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any, Callable, Protocol

import attrs

from hyperv_emu.psshim.ast import NO_EXTENT, Extent
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.errors import (
    PARAMETER_BINDING_EXCEPTION,
    PARAMETER_BINDING_TRANSFORMATION_EXCEPTION,
    PARAMETER_BINDING_VALIDATION_EXCEPTION,
    PSError,
)
from hyperv_emu.psshim.runtime.parameters import (
    ALL_SETS,
    CommandMetadata,
    ParameterMetadata,
    ValidationFailure,
    with_common_parameters,
)
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Hashtable, PSObject, type_names
from hyperv_emu.sdk.fieldwise import MutableFieldwise

# .NET value types a cmdlet parameter may have: $null bound to one is converted by the setter
_VALUE_KINDS = frozenset({"int", "double", "decimal", "datetime", "timespan"})


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


@attrs.define(eq=False, repr=False)
class Arg(MutableFieldwise):
    """One command argument after evaluation.

    name: the parameter name as typed, without the dash (None for a positional argument).
    value: the evaluated value (NO_VALUE for `-Switch` without `:value`).
    extent: what an error about this argument underlines (the `-Name` token, or the argument).
    value_extent: the argument's own extent (validation errors underline it).
    source_text: the literal text of a number argument, kept for [string] parameters.
    """

    name: str | None = None
    value: Any = NO_VALUE
    extent: Extent = NO_EXTENT
    value_extent: Extent | None = None
    source_text: str | None = None
    token_text: str = ""
    colon: bool = False
    splatted: bool = False


class ErrorFactory(Protocol):
    def __call__(self, message: str, error_id: str, category: str, exception_type: str,
                 extent: Extent, *, target: Any = None) -> PSError: ...


@attrs.define(eq=False, repr=False)
class BindState(MutableFieldwise):
    sets: set[str]
    bound: dict[str, Any] = attrs.field(factory=dict)
    common: dict[str, Any] = attrs.field(factory=dict)
    delay: dict[str, tuple[Any, Arg]] = attrs.field(factory=dict)
    extra_args: list[Any] = attrs.field(factory=list)  # $args of a simple function
    bound_order: list[str] = attrs.field(factory=list)
    chosen_set: str | None = None
    pipeline_bound: list[str] = attrs.field(factory=list)


class PipelineBinding:
    """What one pipeline record bound: parameter values and the parameter set (one per record:
    a plain class, cheaper to build than an attrs one)."""

    __slots__ = ("values", "set_name")

    def __init__(self, values: dict[str, Any], set_name: str | None) -> None:
        self.values = values
        self.set_name = set_name

    def __repr__(self) -> str:
        return f"PipelineBinding(values={self.values!r}, set_name={self.set_name!r})"


class InputNotBound(Exception):
    """A pipeline object that binds to no parameter (a non-terminating error)."""

    def __init__(self, error: PSError) -> None:
        super().__init__(error.record.message)
        self.error = error


def _is_scriptblock(v: Any) -> bool:
    return hasattr(v, "__ps_scriptblock__")


class Binder:
    def __init__(
        self,
        meta: CommandMetadata,
        errors: ErrorFactory,
        *,
        adapters: AdapterRegistry | None = None,
        command_extent: Extent = NO_EXTENT,
        invoke_script: Callable[[Any, Any], Any] | None = None,
        lookup_property: Callable[[Any, str], tuple[bool, Any]] | None = None,
        prompt_missing: Callable[[list[ParameterMetadata]], dict[str, Any] | None] | None = None,
    ) -> None:
        self.meta = meta
        # asks the host for missing mandatory parameters (None: the host cannot prompt)
        self.prompt_missing = prompt_missing
        self.params = with_common_parameters(meta)
        self.errors = errors
        self.adapters = adapters
        self.command_extent = command_extent
        self.invoke_script = invoke_script
        self.lookup_property = lookup_property
        self.is_script = not meta.is_cmdlet
        self._order: dict[int, int] = {}
        self._unknown: list[tuple[int, Any]] = []
        self._pipeline_plan: _PipelinePlan | None = None

    # -- errors ----------------------------------------------------------------------------

    def _err(self, message: str, error_id: str, category: str = "InvalidArgument",
             exc: str = PARAMETER_BINDING_EXCEPTION, extent: Extent | None = None, target: Any = None) -> PSError:
        return self.errors(message, error_id, category, exc, extent or self.command_extent, target=target)

    # -- parameter lookup ------------------------------------------------------------------

    def lookup(self, typed: str, extent: Extent) -> ParameterMetadata | None:
        """Resolve `-typed`; None means unknown (allowed only for simple functions)."""
        key = typed.casefold()
        for p in self.params:
            if any(n.casefold() == key for n in p.names()):
                return p
        matches = [p for p in self.params if any(n.casefold().startswith(key) for n in p.names())]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = "".join(f" -{p.name}" for p in matches)
            raise self._err(
                f"Parameter cannot be processed because the parameter name '{typed}' is ambiguous. "
                f"Possible matches include:{listed}.",
                "AmbiguousParameter", extent=extent)
        if not self.meta.is_advanced:
            return None
        raise self._err(f"A parameter cannot be found that matches parameter name '{typed}'.",
                        "NamedParameterNotFound", extent=extent)

    # -- command line ----------------------------------------------------------------------

    def bind_arguments(self, args: list[Arg], expects_input: bool) -> BindState:
        state = BindState(sets=set(self.meta.set_names()))
        named: list[tuple[ParameterMetadata, Arg]] = []
        positional: list[Arg] = []
        self._order = {id(a): n for n, a in enumerate(args)}
        self._unknown = []
        i = 0
        while i < len(args):
            a = args[i]
            if a.name is None:
                positional.append(a)
                i += 1
                continue
            p = self.lookup(a.name, a.extent)
            if p is None:
                # simple function: the unknown parameter goes to $args as text, in argument order
                self._unknown.append((i, a.token_text or f"-{a.name}"))
                if a.value is not NO_VALUE:
                    self._unknown.append((i, a.value))
                i += 1
                continue
            if a.value is NO_VALUE and not p.is_switch:
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is None or nxt.name is not None:
                    raise self._err(
                        f"Missing an argument for parameter '{p.name}'. Specify a parameter of type "
                        f"'{self._type_text(p.type)}' and try again.",
                        "MissingArgument", extent=a.extent)
                a = attrs.evolve(a, value=nxt.value, value_extent=nxt.value_extent or nxt.extent,
                                 source_text=nxt.source_text)
                i += 2
            else:
                i += 1
            named.append((p, a))

        for p, a in named:
            if p.name in state.bound or p.name in state.common or p.name in state.delay:
                raise self._err(
                    f"Cannot bind parameter because parameter '{p.name}' is specified more than once. To provide "
                    f"multiple values to parameters that can accept multiple values, use the array syntax. For "
                    f'example, "-parameter value1,value2,value3".',
                    "ParameterAlreadyBound", extent=a.extent)
            value = True if a.value is NO_VALUE else a.value
            self._bind(state, p, value, a)
            self._narrow(state, p, a.extent)

        self._bind_positional(state, positional)
        if self._unknown:
            state.extra_args[:0] = [v for _, v in self._unknown]
        if not expects_input:
            if state.delay:
                name = next(iter(state.delay))
                raise self._err(
                    f"Cannot evaluate parameter '{name}' because its argument is specified as a script block and "
                    f"there is no input. A script block cannot be evaluated without input.",
                    "ScriptBlockArgumentNoInput", "MetadataError", extent=state.delay[name][1].extent)
            self.finish(state, pipeline=False)
        return state

    def _type_text(self, t: T.PSType) -> str:
        return t.full_name

    def _narrow(self, state: BindState, p: ParameterMetadata, extent: Extent) -> None:
        if p.all_sets() or p.is_common:
            return
        new = state.sets & set(p.sets)
        if not new:
            raise self._ambiguous_set(extent)
        state.sets = new

    def _ambiguous_set(self, extent: Extent | None = None) -> PSError:
        if options.is_core():
            msg = (f"Parameter set cannot be resolved using the specified named parameters. One or more parameters "
                   f"issued cannot be used together or an insufficient number of parameters were provided.")
        else:
            msg = "Parameter set cannot be resolved using the specified named parameters."
        return self._err(msg, "AmbiguousParameterSet", extent=extent or self.command_extent)

    def _position_in(self, p: ParameterMetadata, sets: set[str]) -> int | None:
        best: int | None = None
        for name, spec in p.sets.items():
            if spec.position is None:
                continue
            if name == ALL_SETS or name in sets:
                if best is None or spec.position < best:
                    best = spec.position
        return best

    def _bind_positional(self, state: BindState, positional: list[Arg]) -> None:
        idx = 0
        used_positions: set[int] = set()
        while idx < len(positional):
            cands: list[tuple[int, ParameterMetadata]] = []
            for p in self.params:
                if p.is_common or p.is_switch or p.name in state.bound or p.name in state.delay:
                    continue
                pos = self._position_in(p, state.sets)
                if pos is None or pos in used_positions:
                    continue
                cands.append((pos, p))
            if not cands:
                break
            minpos = min(c[0] for c in cands)
            group = [p for pos, p in cands if pos == minpos]
            arg = positional[idx]
            chosen = self._pick(group, arg.value, state)
            if chosen is not None and self._takes_remaining(chosen, state.sets) and idx + 1 < len(positional):
                # ValueFromRemainingArguments with a position: it takes every argument left
                rest = positional[idx:]
                self._bind(state, chosen, [a.value for a in rest], arg)
                self._narrow(state, chosen, arg.extent)
                return
            if chosen is None:
                preferred = self._prefer_default(group)[0]
                self._bind(state, preferred, arg.value, arg)  # raises the conversion error
                chosen = preferred
            else:
                self._bind(state, chosen, arg.value, arg)
            used_positions.add(minpos)
            if not chosen.all_sets():
                narrowed = {s for s in state.sets if (spec := chosen.sets.get(s)) is not None
                            and spec.position == minpos}
                if narrowed:
                    state.sets = narrowed
            idx += 1
        leftovers = positional[idx:]
        if not leftovers:
            return
        remaining = [p for p in self.params if not p.is_common and p.name not in state.bound
                     and any(spec.remaining and (s == ALL_SETS or s in state.sets) for s, spec in p.sets.items())]
        if remaining:
            p = self._prefer_default(remaining)[0]
            values = [a.value for a in leftovers]
            self._bind(state, p, values if len(values) > 1 or p.type.kind == "array" else values[0], leftovers[0])
            self._narrow(state, p, leftovers[0].extent)
            return
        if not self.meta.is_advanced:
            merged = self._unknown + [(self._order.get(id(a), 0), a.value) for a in leftovers]
            merged.sort(key=lambda pair: pair[0])
            state.extra_args[:] = [v for _, v in merged]
            self._unknown = []
            return
        a = leftovers[0]
        shown = C.to_string(a.value) if not isinstance(a.value, list) else "System.Object[]"
        if a.source_text is not None and not isinstance(a.value, list):
            shown = a.source_text
        raise self._err(f"A positional parameter cannot be found that accepts argument '{shown}'.",
                        "PositionalParameterNotFound", extent=a.extent)

    @staticmethod
    def _takes_remaining(p: ParameterMetadata, sets: set[str]) -> bool:
        return any(spec.remaining and (s == ALL_SETS or s in sets) for s, spec in p.sets.items())

    def _prefer_default(self, group: list[ParameterMetadata]) -> list[ParameterMetadata]:
        d = self.meta.default_set
        if not d:
            return list(group)
        return sorted(group, key=lambda p: 0 if (d in p.sets or p.all_sets()) else 1)

    def _pick(self, group: list[ParameterMetadata], value: Any, state: BindState) -> ParameterMetadata | None:
        ordered = self._prefer_default(group)
        for p in ordered:
            if self._exact(p.type, value):
                return p
        for p in ordered:
            try:
                self._convert(p, value, None)
                return p
            except PSError:
                continue
        return None

    def _exact(self, t: T.PSType, value: Any) -> bool:
        k = t.kind
        if k in ("object", "psobject"):
            return True
        if value is None:
            return False
        if k == "array":
            elem = t.element or T.OBJECT
            if isinstance(value, list):
                return all(self._exact(elem, v) for v in value)
            return self._exact(elem, value)
        if k == "string":
            return isinstance(value, str)
        if k == "scriptblock":
            return _is_scriptblock(value)
        if k == "switch":
            return isinstance(value, bool)
        return T.is_instance(value, t, self.adapters)

    # -- one parameter ----------------------------------------------------------------------

    def _bind(self, state: BindState, p: ParameterMetadata, value: Any, a: Arg) -> None:
        if p.is_common:
            state.common[p.name] = self._convert(p, value, a)
            state.bound_order.append(p.name)
            return
        if (_is_scriptblock(value) and p.takes_pipeline()
                and p.type.kind not in ("scriptblock", "object", "psobject")
                and not (p.type.kind == "array" and p.type.element is not None
                         and p.type.element.kind in ("scriptblock", "object"))):
            state.delay[p.name] = (value, a)
            state.bound_order.append(p.name)
            return
        converted = self._convert(p, value, a)
        self._validate(p, converted, a, state)
        if converted is None and not self.is_script and p.type.kind in _VALUE_KINDS:
            converted = self._null_to_value_type(p, a)
        state.bound[p.name] = converted
        state.bound_order.append(p.name)

    def _null_to_value_type(self, p: ParameterMetadata, a: Arg | None) -> Any:
        """A cmdlet's value-type property set to $null (after validation, as the reflection
        binder's setter does): numbers become 0, a DateTime or TimeSpan cannot hold null."""
        if p.type.kind in ("datetime", "timespan"):
            extent = (a.value_extent or a.extent) if a is not None else self.command_extent
            raise self._err(f"Cannot bind parameter '{p.name}' to the target. Exception setting \"{p.name}\": "
                            f"\"Cannot convert null to type \"{p.type.full_name}\".\"", "ParameterBindingFailed",
                            "WriteError", extent=extent)
        return C.convert_to(None, p.type, self.adapters)

    def _convert(self, p: ParameterMetadata, value: Any, a: Arg | None) -> Any:
        t = p.type
        k = t.kind
        extent = (a.value_extent or a.extent) if a is not None else self.command_extent
        if isinstance(value, C.AutomationNull):
            value = None
        if k in ("switch", "bool"):
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, enum.Enum):
                return value != 0
            if value is None and k == "switch":
                return False
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], (bool, int)):
                return bool(value[0])
            shown = type_names(value, self.adapters)[0] if value is not None else "null"
            raise self._err(
                f"Cannot process argument transformation on parameter '{p.name}'. Cannot convert value "
                f'"{shown}" to type "{t.full_name}". Boolean parameters accept only Boolean values and numbers, '
                f"such as $True, $False, 1 or 0.",
                "ParameterArgumentTransformationError", "InvalidData", PARAMETER_BINDING_TRANSFORMATION_EXCEPTION,
                extent)
        if value is None:
            if self.is_script and k in ("string", "int", "double", "decimal", "char", "switch", "bool"):
                return C.convert_to(None, t, self.adapters)
            return None
        if k == "string":
            if a is not None and a.source_text is not None and isinstance(value, (int, float, Decimal)):
                return a.source_text
            if isinstance(value, list) and len(value) != 1:
                raise self._conversion_error(
                    p, f"Cannot convert '{type_names(value)[0]}' to the type '{t.full_name}' required by parameter "
                       f"'{p.name}'. Specified method is not supported.", extent, exact_message=True)
            if isinstance(value, list):
                value = value[0]
            return C.to_string(value, " ", self.adapters)
        if k == "array" and t.element is not None and t.element.kind == "string" and a is not None \
                and a.source_text is not None and isinstance(value, (int, float, Decimal)):
            return [a.source_text]
        try:
            return C.convert_to(value, t, self.adapters)
        except PSError as exc:
            raise self._conversion_error(p, exc.record.message, extent) from None

    def _conversion_error(self, p: ParameterMetadata, inner: str, extent: Extent,
                          exact_message: bool = False) -> PSError:
        if exact_message and not self.is_script:
            return self._err(inner, "CannotConvertArgument", extent=extent)
        if self.is_script:
            return self._err(f"Cannot process argument transformation on parameter '{p.name}'. {inner}",
                             "ParameterArgumentTransformationError", "InvalidData",
                             PARAMETER_BINDING_TRANSFORMATION_EXCEPTION, extent)
        return self._err(f"Cannot bind parameter '{p.name}'. {inner}", "CannotConvertArgumentNoMessage",
                         extent=extent)

    def _validate(self, p: ParameterMetadata, value: Any, a: Arg | None, state: BindState) -> None:
        self._validate_in(p, value, a, state.sets)

    def _validate_in(self, p: ParameterMetadata, value: Any, a: Arg | None,
                     sets: set[str] | frozenset[str]) -> None:
        extent = (a.value_extent or a.extent) if a is not None else self.command_extent
        for v in p.validators:
            try:
                v.validate(value, self.invoke_script)
            except ValidationFailure as f:
                raise self._err(f"Cannot validate argument on parameter '{p.name}'. {f.message}",
                                "ParameterArgumentValidationError", "InvalidData",
                                PARAMETER_BINDING_VALIDATION_EXCEPTION, extent) from None
        if not self._mandatory_in(p, sets):
            return
        if value is None and not p.allow_null:
            raise self._err(f"Cannot bind argument to parameter '{p.name}' because it is null.",
                            "ParameterArgumentValidationErrorNullNotAllowed", "InvalidData",
                            PARAMETER_BINDING_VALIDATION_EXCEPTION, extent)
        if isinstance(value, str) and value == "" and not p.allow_empty_string and p.type.kind == "string":
            raise self._err(f"Cannot bind argument to parameter '{p.name}' because it is an empty string.",
                            "ParameterArgumentValidationErrorEmptyStringNotAllowed", "InvalidData",
                            PARAMETER_BINDING_VALIDATION_EXCEPTION, extent)
        if isinstance(value, list) and not value and not p.allow_empty_collection:
            raise self._err(f"Cannot bind argument to parameter '{p.name}' because it is an empty array.",
                            "ParameterArgumentValidationErrorEmptyArrayNotAllowed", "InvalidData",
                            PARAMETER_BINDING_VALIDATION_EXCEPTION, extent)
        if isinstance(value, list) and p.type.kind == "array" and p.type.element is not None \
                and p.type.element.kind == "string" and not p.allow_empty_string:
            for item in value:
                if item == "" or item is None:
                    raise self._err(
                        f"Cannot bind argument to parameter '{p.name}' because it is an empty string."
                        if item == "" else f"Cannot bind argument to parameter '{p.name}' because it is null.",
                        "ParameterArgumentValidationErrorEmptyStringNotAllowed" if item == ""
                        else "ParameterArgumentValidationErrorNullNotAllowed",
                        "InvalidData", PARAMETER_BINDING_VALIDATION_EXCEPTION, extent)

    def _mandatory_in(self, p: ParameterMetadata, sets: set[str] | frozenset[str]) -> bool:
        for name, spec in p.sets.items():
            if spec.mandatory and (name == ALL_SETS or name in sets):
                return True
        return False

    # -- set resolution and mandatory parameters ---------------------------------------------

    def _mandatory_missing(self, set_name: str, state: BindState, extra: dict[str, Any] | None = None,
                           skip_pipeline: bool = False) -> list[str]:
        missing: list[str] = []
        for p in self.params:
            if p.is_common:
                continue
            spec = p.sets.get(set_name) or p.sets.get(ALL_SETS)
            if spec is None or not spec.mandatory:
                continue
            if p.name in state.bound or p.name in state.delay or (extra and p.name in extra):
                continue
            if skip_pipeline and (spec.pipeline or spec.pipeline_by_property):
                continue
            missing.append(p.name)
        return missing

    def choose_set(self, state: BindState, extra: dict[str, Any] | None = None) -> str:
        cands = [s for s in self.meta.set_names() if s in state.sets]
        if not cands:
            return ALL_SETS
        if len(cands) == 1:
            return cands[0]
        default = self.meta.default_set
        satisfied = [s for s in cands if not self._mandatory_missing(s, state, extra)]
        if default in cands and (default in satisfied or not satisfied):
            return default
        if len(satisfied) == 1:
            return satisfied[0]
        if default in cands:
            return default
        if satisfied:
            # several complete sets and no default among them
            raise self._ambiguous_set()
        raise self._ambiguous_set()

    def finish(self, state: BindState, pipeline: bool, extra: dict[str, Any] | None = None) -> str:
        set_name = self.choose_set(state, extra)
        missing = self._mandatory_missing(set_name, state, extra)
        if missing and not pipeline and self.prompt_missing is not None:
            params = [p for p in self.params if p.name in missing]
            answers = self.prompt_missing(params)
            if answers is not None:
                for p in params:
                    self._bind(state, p, answers[p.name], Arg(name=None, value=answers[p.name],
                                                              extent=self.command_extent))
                missing = self._mandatory_missing(set_name, state, extra)
        if missing:
            raise self._err(
                "Cannot process command because of one or more missing mandatory parameters:"
                + "".join(f" {m}" for m in missing) + ".",
                "MissingMandatoryParameter")
        state.chosen_set = set_name
        return set_name

    # -- pipeline ---------------------------------------------------------------------------

    def _property(self, obj: Any, p: ParameterMetadata) -> tuple[bool, Any]:
        if self.lookup_property is None:
            return False, None
        for n in p.names():
            found, v = self.lookup_property(obj, n)
            if found:
                return True, v
        return False, None

    def _plan(self, state: BindState) -> "_PipelinePlan":
        """The binding plan of this stage for `state` (what the command line bound): built on
        the first record, reused for every later one while the command line's binding stays."""
        plan = self._pipeline_plan
        if plan is None or not plan.serves(state):
            order = self._prefer_default([p for p in self.params if not p.is_common
                                          and p.name not in state.bound and p.name not in state.delay])
            plan = self._pipeline_plan = _PipelinePlan(state, order, {p.name: p for p in self.params})
        return plan

    def bind_pipeline(self, state: BindState, obj: Any) -> PipelineBinding:
        plan = self._pipeline_plan
        if plan is None or not (plan.state is state and plan.sets == state.sets
                                and plan.bound_keys == state.bound.keys() and plan.delay_keys == state.delay.keys()):
            plan = self._plan(state)
        simple = plan.simple
        if simple is not None and plan.simple_set is not None:
            # the stage binds every record to the same parameter, as it is (see _PipelinePlan)
            if plan.simple_validates:
                self._validate_in(simple, obj, None, plan.simple_sets)
            return PipelineBinding({simple.name: obj}, plan.simple_set)
        sets: set[str] | frozenset[str] = plan.sets
        values: dict[str, Any] = {}
        by_value, by_property = plan.by_value, plan.by_property

        def spec_in(flags: tuple[bool, frozenset[str]]) -> bool:
            return flags[0] or not flags[1].isdisjoint(sets)

        def narrow(p: ParameterMetadata, flags: tuple[bool, frozenset[str]]) -> None:
            nonlocal sets
            if ALL_SETS in p.sets:
                return
            new = sets & flags[1]
            if new:
                sets = new

        value_bound = False
        for p, flags in by_value:
            if spec_in(flags) and self._exact(p.type, obj):
                values[p.name] = self._convert(p, obj, None) if p.type.kind == "array" else obj
                narrow(p, flags)
                value_bound = True
                break
        for p, flags in by_property:
            if p.name in values or not spec_in(flags):
                continue
            found, v = self._property(obj, p)
            if found and self._exact(p.type, v):
                values[p.name] = self._convert(p, v, None) if p.type.kind == "array" else v
                narrow(p, flags)
        if not value_bound:
            for p, flags in by_value:
                if p.name in values or not spec_in(flags):
                    continue
                if obj is None and p.type.kind not in ("object", "psobject"):
                    continue
                try:
                    values[p.name] = self._convert(p, obj, None)
                except PSError:
                    continue
                narrow(p, flags)
                value_bound = True
                break
        for p, flags in by_property:
            if p.name in values or not spec_in(flags):
                continue
            found, v = self._property(obj, p)
            if not found:
                continue
            try:
                values[p.name] = self._convert(p, v, None)
            except PSError:
                continue
            narrow(p, flags)

        if not values and not state.delay:
            target_type = type_names(obj, self.adapters)[0].rsplit(".", 1)[-1] if obj is not None else ""
            raise InputNotBound(self._err(
                "The input object cannot be bound to any parameters for the command either because the command does "
                "not take pipeline input or the input and its properties do not match any of the parameters that "
                "take pipeline input.",
                "InputObjectNotBound", target=obj))
        # validate what the object bound
        for name, v in values.items():
            self._validate_in(plan.params[name], v, None, sets)
        # delay-bound script blocks run with $_ = the object
        for name, (sb, a) in state.delay.items():
            p = plan.params[name]
            if self.invoke_script is None:
                continue
            result = self.invoke_script(sb, obj)
            converted = self._convert(p, result, a)
            self._validate_in(p, converted, a, sets)
            values[name] = converted
        # the set a record's binding resolves to depends only on the sets left and the names
        # bound (the command line's binding is the plan's): resolved once per combination
        key = (frozenset(sets), frozenset(values))
        set_name = plan.resolved.get(key)
        if set_name is None:
            narrowed = BindState(sets=set(sets), bound=dict(state.bound), delay={})
            set_name = plan.resolved[key] = self.finish(narrowed, pipeline=True, extra=values)
        if simple is not None:
            plan.simple_set = set_name
        return PipelineBinding(values, set_name)


class _PipelinePlan:
    """What binding a pipeline record needs of a stage, computed once per stage: the parameters
    that can still take input (in preference order) and, for each, whether it takes input by
    value / by property name in all sets or in which sets (a parameter that takes neither is
    left out of that list: it could never bind a record that way).

    When the first parameter that takes input by value is an [object]/[psobject] one and
    nothing takes input by property name or is delay-bound (Where-Object, ForEach-Object,
    Measure-Object, Sort-Object, ...), every record binds to it unchanged, whatever its type:
    `simple` is that parameter, `simple_sets` the sets left, and `simple_set` the set the
    binding resolved to for the first record (the same for every record)."""

    __slots__ = ("state", "sets", "bound_keys", "delay_keys", "by_value", "by_property", "params", "resolved",
                 "simple", "simple_sets", "simple_set", "simple_validates")

    def __init__(self, state: BindState, order: list[ParameterMetadata],
                 params: dict[str, ParameterMetadata]) -> None:
        self.state = state
        self.sets = frozenset(state.sets)
        self.bound_keys = frozenset(state.bound)
        self.delay_keys = frozenset(state.delay)
        self.params = params
        self.by_value = [(p, flags) for p in order if (flags := self._flags(p, "pipeline"))[1]]
        self.by_property = [(p, flags) for p in order if (flags := self._flags(p, "pipeline_by_property"))[1]]
        self.resolved: dict[tuple[frozenset[str], frozenset[str]], str] = {}
        self.simple: ParameterMetadata | None = None
        self.simple_sets: frozenset[str] = self.sets
        self.simple_set: str | None = None
        if self.by_value and not self.by_property and not self.delay_keys:
            first, (in_all, names) = self.by_value[0]
            if (in_all or not names.isdisjoint(self.sets)) and first.type.kind in ("object", "psobject"):
                self.simple = first
                if ALL_SETS not in first.sets:
                    self.simple_sets = (self.sets & names) or self.sets
        # whether Binder._validate_in has anything to check for the simple parameter
        self.simple_validates = self.simple is not None and (bool(self.simple.validators) or any(
            spec.mandatory and (name == ALL_SETS or name in self.simple_sets)
            for name, spec in self.simple.sets.items()))

    @staticmethod
    def _flags(p: ParameterMetadata, attr: str) -> tuple[bool, frozenset[str]]:
        names = frozenset(s for s, spec in p.sets.items() if getattr(spec, attr))
        return ALL_SETS in names, names

    def serves(self, state: BindState) -> bool:
        return (state is self.state and self.sets == state.sets and self.bound_keys == state.bound.keys()
                and self.delay_keys == state.delay.keys())


def splat_hashtable(value: Hashtable, extent: Extent) -> list[Arg]:
    """`@h`: each key becomes a named argument (`$true` for switches)."""
    out = []
    for k, v in value.items():
        name = C.to_string(k)
        out.append(Arg(name=name, value=v, extent=extent, value_extent=extent, token_text=f"-{name}",
                       colon=True, splatted=True))
    return out


def splat_list(value: Any, extent: Extent) -> list[Arg]:
    return [Arg(name=None, value=v, extent=extent, value_extent=extent, splatted=True) for v in C.as_list(value)]


def is_pscustom(obj: Any) -> bool:
    return isinstance(obj, PSObject)
