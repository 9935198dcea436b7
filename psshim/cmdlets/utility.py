"""Utility cmdlets: Where-Object, ForEach-Object, Select-Object, Sort-Object, Group-Object,
Measure-Object, and the output cmdlets (Format-Table/-List, Out-String, Out-Host/Out-Default,
ConvertTo/From-Json, ConvertTo/From-Csv, Export/Import-Csv) over psshim.format.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from typing import Any, Callable, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import members as M
from hyperv_emu.psshim.runtime import operators as O
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.errors import PSError, not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, ValidateRange, cmdlet
from hyperv_emu.psshim.runtime.scopes import ScriptBlock
from hyperv_emu.psshim.runtime.values import ArrayList, Hashtable, PSObject, type_names

UTILITY = "Microsoft.PowerShell.Utility"
CORE = "Microsoft.PowerShell.Core"
NS = "Microsoft.PowerShell.Commands."


def _is_sb(v: Any) -> bool:
    return isinstance(v, ScriptBlock)


# ------------------------------------------------------------------------------------------
# Where-Object
# ------------------------------------------------------------------------------------------

# (switch name, set name, operator)
_WHERE_OPS: list[tuple[str, str, str]] = [
    ("EQ", "EqualSet", "-eq"), ("CEQ", "CaseSensitiveEqualSet", "-ceq"),
    ("NE", "NotEqualSet", "-ne"), ("CNE", "CaseSensitiveNotEqualSet", "-cne"),
    ("GT", "GreaterThanSet", "-gt"), ("CGT", "CaseSensitiveGreaterThanSet", "-cgt"),
    ("LT", "LessThanSet", "-lt"), ("CLT", "CaseSensitiveLessThanSet", "-clt"),
    ("GE", "GreaterOrEqualSet", "-ge"), ("CGE", "CaseSensitiveGreaterOrEqualSet", "-cge"),
    ("LE", "LessOrEqualSet", "-le"), ("CLE", "CaseSensitiveLessOrEqualSet", "-cle"),
    ("Like", "LikeSet", "-like"), ("CLike", "CaseSensitiveLikeSet", "-clike"),
    ("NotLike", "NotLikeSet", "-notlike"), ("CNotLike", "CaseSensitiveNotLikeSet", "-cnotlike"),
    ("Match", "MatchSet", "-match"), ("CMatch", "CaseSensitiveMatchSet", "-cmatch"),
    ("NotMatch", "NotMatchSet", "-notmatch"), ("CNotMatch", "CaseSensitiveNotMatchSet", "-cnotmatch"),
    ("Contains", "ContainsSet", "-contains"), ("CContains", "CaseSensitiveContainsSet", "-ccontains"),
    ("NotContains", "NotContainsSet", "-notcontains"),
    ("CNotContains", "CaseSensitiveNotContainsSet", "-cnotcontains"),
    ("In", "InSet", "-in"), ("CIn", "CaseSensitiveInSet", "-cin"),
    ("NotIn", "NotInSet", "-notin"), ("CNotIn", "CaseSensitiveNotInSet", "-cnotin"),
    ("Is", "IsSet", "-is"), ("IsNot", "IsNotSet", "-isnot"),
]
_OP_SETS = [s for _, s, _ in _WHERE_OPS]


def _where_class() -> type[Cmdlet]:
    attrs_: dict[str, Any] = {
        "__doc__": "Filters objects by a script block or by a property comparison.",
        "InputObject": Param("psobject", pipeline=True),
        "FilterScript": Param("scriptblock", InSet("ScriptBlockSet", position=0, mandatory=True)),
        "Property": Param("string", *[InSet(s, position=0, mandatory=True) for s in _OP_SETS]),
        "Value": Param("object", *[InSet(s, position=1) for s in _OP_SETS]),
    }
    aliases = {"EQ": ("IEQ",), "Like": ("ILike",), "Match": ("IMatch",), "NE": ("INE",), "GT": ("IGT",),
               "LT": ("ILT",), "GE": ("IGE",), "LE": ("ILE",), "NotLike": ("INotLike",),
               "NotMatch": ("INotMatch",), "Contains": ("IContains",), "NotContains": ("INotContains",),
               "In": ("IIn",), "NotIn": ("INotIn",)}
    for switch, set_name, _ in _WHERE_OPS:
        attrs_[switch] = Param("switch", InSet(set_name, mandatory=switch != "EQ"),
                               aliases=aliases.get(switch, ()) if options.is_core() else ())
    return type("WhereObject", (_WhereBase,), attrs_)


class _WhereBase(Cmdlet):
    def process_record(self) -> Iterator[Any]:
        if not self.ctx.has_input:
            return
        obj = self.ctx.input_object
        if self.ctx.parameter_set == "ScriptBlockSet":
            result = self.ctx.invoke(self.ctx.bound["FilterScript"], dollar_under=obj)
            if C.to_bool(C.collect(result)):
                yield obj
            return
        prop = str(self.ctx.bound.get("Property"))
        found, value = M.try_get_member(obj, prop, self.ctx.frame.env) if obj is not None else (False, None)
        if not found:
            value = None
        op = next((o for sw, s, o in _WHERE_OPS if s == self.ctx.parameter_set), "-eq")
        if "Value" not in self.ctx.bound and op == "-eq":
            if C.to_bool(value):
                yield obj
            return
        right = self.ctx.bound.get("Value")
        if op in ("-is", "-isnot") and isinstance(right, str):
            right = self.ctx.interp.resolve_type(right, lenient=True)
        if op in ("-contains", "-ccontains", "-notcontains", "-cnotcontains", "-in", "-cin", "-notin", "-cnotin"):
            result2 = O.binary(op, value, right, self.ctx.frame.env)
        elif isinstance(value, list):
            result2 = bool(O.binary(op, value, right, self.ctx.frame.env))
        else:
            result2 = O.binary(op, value, right, self.ctx.frame.env)
        if C.to_bool(result2):
            yield obj


WhereObject = cmdlet("Where-Object", aliases=("where", "?"), module=CORE, class_name=NS + "WhereObjectCommand",
                     default_set="EqualSet")(_where_class())


# ------------------------------------------------------------------------------------------
# ForEach-Object
# ------------------------------------------------------------------------------------------


@cmdlet("ForEach-Object", aliases=("foreach", "%"), module=CORE, class_name=NS + "ForEachObjectCommand",
        default_set="ScriptBlockSet")
class ForEachObject(Cmdlet):
    """Runs script blocks for each input object, or gets a property / calls a method."""

    InputObject = Param("psobject", pipeline=True)
    Begin = Param("scriptblock", InSet("ScriptBlockSet"))
    Process = Param("scriptblock[]", InSet("ScriptBlockSet", position=0, mandatory=True))
    End = Param("scriptblock", InSet("ScriptBlockSet"))
    RemainingScripts = Param("scriptblock[]", InSet("ScriptBlockSet", remaining=True))
    MemberName = Param("string", InSet("PropertyAndMethodSet", position=0, mandatory=True))
    ArgumentList = Param("object[]", InSet("PropertyAndMethodSet", remaining=True), aliases=("Args",))

    def begin_processing(self) -> Iterator[Any]:
        self.begin_sb: Any = None
        self.end_sb: Any = None
        self.process_sbs: list[Any] = []
        if self.ctx.parameter_set != "ScriptBlockSet":
            return
        scripts = list(self.ctx.bound.get("Process") or []) + list(self.ctx.bound.get("RemainingScripts") or [])
        self.begin_sb = self.ctx.bound.get("Begin")
        self.end_sb = self.ctx.bound.get("End")
        if "Begin" not in self.ctx.bound and len(scripts) > 1:
            self.begin_sb = scripts.pop(0)
        if "End" not in self.ctx.bound and len(scripts) > 1:
            self.end_sb = scripts.pop()
        self.process_sbs = scripts
        if self.begin_sb is not None:
            yield from self.ctx.invoke_stream(self.begin_sb)

    def process_record(self) -> Iterator[Any]:
        obj = self.ctx.input_object if self.ctx.has_input else None
        if self.ctx.parameter_set == "ScriptBlockSet":
            for sb in self.process_sbs:
                if sb is None:
                    continue
                yield from self.ctx.invoke_stream(sb, dollar_under=obj)
            return
        if not self.ctx.has_input:
            return
        name = str(self.ctx.bound["MemberName"])
        args = list(self.ctx.bound.get("ArgumentList") or [])
        env = self.ctx.frame.env
        if not args:
            found, value = M.try_get_member(obj, name, env)
            if found:
                if isinstance(value, list):
                    yield from value
                elif value is not None or isinstance(obj, PSObject):
                    yield value
                return
        try:
            result = M.invoke_method(obj, name, args, env)
        except PSError as exc:
            if exc.record.fully_qualified_error_id == "MethodNotFound":
                self.ctx.write_error(self.ctx.error_record(
                    f'The input name "{name}" cannot be resolved to a method.', "MethodNotFound",
                    "InvalidArgument", target_object=obj, exception_type="System.Management.Automation."
                                                                          "PSArgumentException"))
                return
            raise
        if not isinstance(result, C.AutomationNull):
            yield from C.enumerate_value(result) if isinstance(result, list) else (result,)

    def end_processing(self) -> Iterator[Any]:
        if self.end_sb is not None:
            yield from self.ctx.invoke_stream(self.end_sb)


# ------------------------------------------------------------------------------------------
# property specs (Select-Object, Sort-Object, Group-Object, Format-*)
# ------------------------------------------------------------------------------------------


def _key_match(key: str, *names: str) -> bool:
    k = key.casefold()
    return any(n.casefold().startswith(k) for n in names) and len(k) > 0


class PropSpec:
    """A -Property entry: a name (maybe a wildcard) or a calculated property."""

    def __init__(self, name: str | None, expr: Any, extra: dict[str, Any] | None = None) -> None:
        self.name = name
        self.expr = expr  # str (property name) or ScriptBlock
        self.extra = extra or {}

    @property
    def is_wildcard(self) -> bool:
        return isinstance(self.expr, str) and has_wildcards(self.expr) and self.name is None


def parse_property_specs(ctx: Any, raw: Any, allowed: tuple[str, ...], cmd: str) -> list[PropSpec]:
    specs: list[PropSpec] = []
    for item in C.as_list(raw):
        if isinstance(item, Hashtable):
            name: str | None = None
            expr: Any = None
            extra: dict[str, Any] = {}
            for k, v in item.items():
                key = C.to_string(k)
                if _key_match(key, "Name") and "name" in allowed or _key_match(key, "Label") and "label" in allowed:
                    name = C.to_string(v)
                elif _key_match(key, "Expression"):
                    expr = v if _is_sb(v) else C.to_string(v)
                else:
                    matched = next((a for a in allowed if a not in ("name", "label", "expression")
                                    and _key_match(key, a)), None)
                    if matched is None:
                        ctx.throw_terminating(f'The "{key}" key is not valid.', "DictionaryKeyIllegal",
                                              "InvalidArgument", exception_type="System.NotSupportedException")
                    else:
                        extra[matched] = v
            if expr is None and "expression" in allowed and cmd != "Sort-Object":
                ctx.throw_terminating('The "Expression" key is missing.', "DictionaryKeyMissing",
                                      "InvalidArgument", exception_type="System.NotSupportedException")
            if name is None and expr is not None:
                name = expr.text if _is_sb(expr) else str(expr)
            specs.append(PropSpec(name, expr, extra))
        elif _is_sb(item):
            specs.append(PropSpec(item.text, item))
        else:
            specs.append(PropSpec(None, C.to_string(item)))
    return specs


def evaluate_spec(ctx: Any, spec: PropSpec, obj: Any) -> tuple[bool, Any]:
    if _is_sb(spec.expr):
        try:
            return True, C.collect(ctx.invoke(spec.expr, dollar_under=obj))
        except PSError:
            return True, None
    if spec.expr is None:
        return True, obj
    return M.try_get_member(obj, str(spec.expr), ctx.frame.env) if obj is not None else (False, None)


def _props(ctx: Any, obj: Any) -> list[tuple[str, Any]]:
    return M.properties_of(obj, ctx.adapters)


# ------------------------------------------------------------------------------------------
# Select-Object
# ------------------------------------------------------------------------------------------


@cmdlet("Select-Object", aliases=("select",), module=UTILITY, class_name=NS + "SelectObjectCommand",
        default_set="DefaultParameter")
class SelectObject(Cmdlet):
    """Selects properties (names, wildcards, calculated), or the first/last/unique objects."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object[]", InSet("DefaultParameter", position=0), InSet("SkipLastParameter", position=0))
    ExcludeProperty = Param("string[]", InSet("DefaultParameter"), InSet("SkipLastParameter"))
    ExpandProperty = Param("string", InSet("DefaultParameter"), InSet("SkipLastParameter"))
    Unique = Param("switch")
    Last = Param("int", InSet("DefaultParameter"), validate=(ValidateRange(0, 2**31 - 1),))
    First = Param("int", InSet("DefaultParameter"), validate=(ValidateRange(0, 2**31 - 1),))
    Skip = Param("int", InSet("DefaultParameter"), validate=(ValidateRange(0, 2**31 - 1),))
    SkipLast = Param("int", InSet("SkipLastParameter"), validate=(ValidateRange(0, 2**31 - 1),))
    Wait = Param("switch", InSet("DefaultParameter"), InSet("IndexParameter"))
    Index = Param("int[]", InSet("IndexParameter"))

    def begin_processing(self) -> None:
        b = self.ctx.bound
        self.specs = parse_property_specs(self.ctx, b["Property"], ("name", "label", "expression"),
                                          "Select-Object") if "Property" in b else []
        self.count = 0
        self.emitted = 0
        self.buffer: list[Any] = []
        self.seen: list[Any] = []
        self.buffering = any(k in b for k in ("Last", "SkipLast", "Unique", "Index"))

    def _transform(self, obj: Any) -> list[Any]:
        ctx = self.ctx
        b = ctx.bound
        expand = b.get("ExpandProperty")
        if not self.specs and expand is None:
            return [obj]
        selected: PSObject | None = None
        if self.specs:
            selected = PSObject()
            base = type_names(obj, ctx.adapters)[0] if obj is not None else "System.Object"
            if isinstance(obj, PSObject) and obj.type_names and obj.type_names[0].startswith("Selected."):
                base = obj.type_names[0][len("Selected."):]
            selected.type_names = ["Selected." + base, "System.Management.Automation.PSCustomObject",
                                   "System.Object"]
            excluded = [str(x) for x in (b.get("ExcludeProperty") or [])]
            for spec in self.specs:
                if spec.is_wildcard or (spec.name is None and isinstance(spec.expr, str) and spec.expr == "*"):
                    for name, value in _props(ctx, obj):
                        if wildcard_match(name, str(spec.expr)) and not any(wildcard_match(name, e) for e in excluded):
                            if not selected.has(name):
                                selected.properties[name] = value
                    continue
                found, value = evaluate_spec(ctx, spec, obj)
                name = spec.name if spec.name is not None else str(spec.expr)
                if spec.name is None and found:
                    # the property's own spelling
                    for pn, _ in _props(ctx, obj) if not isinstance(obj, (str, int, float)) else []:
                        if pn.casefold() == name.casefold():
                            name = pn
                            break
                if any(wildcard_match(name, e) for e in excluded):
                    continue
                if selected.has(name):
                    ctx.write_error(ctx.error_record(
                        f'The property cannot be processed because the property "{name}" already exists.',
                        "AlreadyExistingUserSpecifiedPropertyNoExpand", "InvalidOperation", target_object=obj,
                        exception_type="System.Management.Automation.PSArgumentException"))
                    continue
                selected.properties[name] = value if found else None
        if expand is None:
            return [selected]
        found, value = M.try_get_member(obj, str(expand), ctx.frame.env) if obj is not None else (False, None)
        if not found:
            shown = C.to_string(obj)
            ctx.write_error(ctx.error_record(
                f'Property "{expand}" cannot be found.', "ExpandPropertyNotFound", "InvalidArgument",
                target_object=obj, target_name=shown, target_type=ctx.interp.short_type_name(obj) if obj is not None
                else "", exception_type="System.Management.Automation.PSArgumentException"))
            return []
        items = list(value) if isinstance(value, list) else ([] if value is None else [value])
        if selected is not None:
            out = []
            for item in items:
                if isinstance(item, PSObject):
                    for k, v in selected.properties.items():
                        if not item.has(k):
                            item.properties[k] = v
                out.append(item)
            return out
        return items

    def _unique_ok(self, obj: Any) -> bool:
        key = self._unique_key(obj)
        if key in self.seen:
            return False
        self.seen.append(key)
        return True

    def _unique_key(self, obj: Any) -> Any:
        if isinstance(obj, PSObject):
            return tuple((k, C.to_string(v)) for k, v in obj.properties.items())
        return ("scalar", C.to_string(obj), type_names(obj)[0] if obj is not None else "")

    def process_record(self) -> Iterator[Any]:
        if not self.ctx.has_input:
            return
        b = self.ctx.bound
        obj = self.ctx.input_object
        self.count += 1
        skip = b.get("Skip") or 0
        if not self.buffering:
            if self.count <= skip:
                return
            first = b.get("First")
            if first is not None and self.emitted >= first:
                self.ctx.stop_upstream()
                return
            for out in self._transform(obj):
                yield out
            self.emitted += 1
            if first is not None and self.emitted >= first:
                self.ctx.stop_upstream()
            return
        self.buffer.append(obj)

    def end_processing(self) -> Iterator[Any]:
        if not self.buffering:
            return
        b = self.ctx.bound
        items = self.buffer
        if "Index" in b:
            idx = [int(i) for i in b["Index"] or []]
            items = [items[i] for i in sorted(set(idx)) if -len(items) <= i < len(items)]
        skip = b.get("Skip") or 0
        items = items[skip:]
        if "SkipLast" in b:
            n = b["SkipLast"] or 0
            items = items[: len(items) - n] if n else items
        out_items: list[Any] = []
        for obj in items:
            out_items.extend(self._transform(obj))
        if b.get("Unique"):
            out_items = [o for o in out_items if self._unique_ok(o)]
        first = b.get("First")
        last = b.get("Last")
        if first is not None and last is not None:
            head = out_items[:first]
            tail = out_items[-last:] if last else []
            out_items = head + [o for o in tail if o not in head] if len(out_items) > first else head
        elif first is not None:
            out_items = out_items[:first]
        elif last is not None:
            out_items = out_items[-last:] if last else []
        yield from out_items


# ------------------------------------------------------------------------------------------
# Sort-Object
# ------------------------------------------------------------------------------------------


def sort_compare(a: Any, b: Any, case_sensitive: bool = False) -> int:
    """PowerShell's ObjectCommandComparer: $null first, same-kind values compared by value
    (numbers numerically, dates chronologically), strings culture-aware, mixed kinds as strings."""
    if a is None or isinstance(a, C.AutomationNull):
        return 0 if b is None else -1
    if b is None or isinstance(b, C.AutomationNull):
        return 1
    numeric = (int, float, Decimal)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        return O._num_cmp(a if not hasattr(a, "value") else a, b)  # enums are ints too
    if isinstance(a, str) and isinstance(b, str):
        return O.compare_strings(a, b, not case_sensitive)
    if type(a) is type(b) or (isinstance(a, type(b)) or isinstance(b, type(a))):
        try:
            return O.compare(a, b, not case_sensitive)
        except PSError:
            pass
    return O.compare_strings(C.to_string(a), C.to_string(b), not case_sensitive)


@cmdlet("Sort-Object", aliases=("sort",), module=UTILITY, class_name=NS + "SortObjectCommand",
        default_set="Default")
class SortObject(Cmdlet):
    """Sorts objects by property values (stable; -Descending, -Unique, hashtable keys)."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object[]", position=0)
    Descending = Param("switch")
    Unique = Param("switch")
    CaseSensitive = Param("switch")
    Culture = Param("string")
    Stable = Param("switch")
    Top = Param("int", InSet("Top", mandatory=True))
    Bottom = Param("int", InSet("Bottom", mandatory=True))

    def begin_processing(self) -> None:
        self.items: list[Any] = []
        raw = self.ctx.bound.get("Property")
        self.specs = parse_property_specs(self.ctx, raw, ("expression", "ascending", "descending"), "Sort-Object") \
            if raw is not None else []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)

    def _keys(self, obj: Any) -> list[Any]:
        if not self.specs:
            return [C.to_string(obj) if isinstance(obj, PSObject) else obj]
        keys: list[Any] = []
        for spec in self.specs:
            if spec.is_wildcard:
                keys.append(None)
                continue
            found, value = evaluate_spec(self.ctx, spec, obj)
            keys.append(value if found else None)
        return keys

    def end_processing(self) -> Iterator[Any]:
        desc_all = bool(self.Descending)
        cs = bool(self.CaseSensitive)
        directions: list[bool] = []
        for spec in self.specs or [PropSpec(None, None)]:
            d = desc_all
            if "descending" in spec.extra:
                d = C.to_bool(spec.extra["descending"])
            elif "ascending" in spec.extra:
                d = not C.to_bool(spec.extra["ascending"])
            directions.append(d)
        keyed = [(self._keys(o), o) for o in self.items]

        def cmp(x: tuple[list[Any], Any], y: tuple[list[Any], Any]) -> int:
            for i, (ka, kb) in enumerate(zip(x[0], y[0])):
                c = sort_compare(ka, kb, cs)
                if c:
                    return -c if directions[min(i, len(directions) - 1)] else c
            return 0

        keyed.sort(key=functools.cmp_to_key(cmp))
        result = keyed
        if self.Unique:
            uniq: list[tuple[list[Any], Any]] = []
            for entry in keyed:
                if uniq and all(sort_compare(a, b, cs) == 0 for a, b in zip(uniq[-1][0], entry[0])):
                    continue
                uniq.append(entry)
            result = uniq
        objs = [o for _, o in result]
        if self.is_bound("Top"):
            objs = objs[: self.Top]
        elif self.is_bound("Bottom"):
            objs = objs[-self.Bottom:] if self.Bottom else []
        yield from objs


# ------------------------------------------------------------------------------------------
# Group-Object
# ------------------------------------------------------------------------------------------


def group_info(name: str, values: list[Any], group: list[Any], no_element: bool) -> PSObject:
    if no_element:
        return PSObject({"Values": values, "Count": len(group), "Name": name},
                        ["Microsoft.PowerShell.Commands.GroupInfoNoElement",
                         "Microsoft.PowerShell.Commands.GroupInfo", "System.Object"])
    return PSObject({"Values": values, "Count": len(group), "Group": group, "Name": name},
                    ["Microsoft.PowerShell.Commands.GroupInfo", "System.Object"])


@cmdlet("Group-Object", aliases=("group",), module=UTILITY, class_name=NS + "GroupObjectCommand")
class GroupObject(Cmdlet):
    """Groups objects by property values (GroupInfo: Count, Name, Group, Values)."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object[]", position=0)
    NoElement = Param("switch")
    AsHashTable = Param("switch", aliases=("AHT",))
    AsString = Param("switch")
    CaseSensitive = Param("switch")
    Culture = Param("string")

    def begin_processing(self) -> None:
        self.items: list[Any] = []
        raw = self.ctx.bound.get("Property")
        self.specs = parse_property_specs(self.ctx, raw, ("expression",), "Group-Object") if raw is not None else []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)

    def end_processing(self) -> Iterator[Any]:
        cs = bool(self.CaseSensitive)
        groups: list[tuple[list[Any], list[Any]]] = []
        for obj in self.items:
            keys: list[Any]
            if self.specs:
                keys = []
                for spec in self.specs:
                    found, value = evaluate_spec(self.ctx, spec, obj)
                    keys.append(value if found else None)
            else:
                keys = [obj]
            for gkeys, members in groups:
                if len(gkeys) == len(keys) and all(
                        _group_equal(a, b, cs) for a, b in zip(gkeys, keys)):
                    members.append(obj)
                    break
            else:
                groups.append((keys, [obj]))
        if options.is_core():
            def group_cmp(x: tuple[list[Any], list[Any]], y: tuple[list[Any], list[Any]]) -> int:
                for a, b in zip(x[0], y[0]):
                    c = sort_compare(a, b, cs)
                    if c:
                        return c
                return 0

            try:
                groups.sort(key=functools.cmp_to_key(group_cmp))
            except PSError:
                pass
        if self.AsHashTable:
            table = Hashtable()
            for keys, members in groups:
                key: Any = keys[0] if len(keys) == 1 and not self.AsString else ", ".join(
                    C.to_string(k) for k in keys)
                if isinstance(key, str) or self.AsString:
                    key = C.to_string(key)
                table[key] = members
            yield table
            return
        for keys, members in groups:
            name = ", ".join(C.to_string(k) for k in keys)
            yield group_info(name, keys, members, bool(self.NoElement))


def _group_equal(a: Any, b: Any, cs: bool) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        x, y = C.to_string(a), C.to_string(b)
        return x == y if cs else x.lower() == y.lower()
    try:
        return O.equals(a, b, not cs)
    except PSError:
        return False


# ------------------------------------------------------------------------------------------
# Measure-Object
# ------------------------------------------------------------------------------------------


@cmdlet("Measure-Object", aliases=("measure",), module=UTILITY, class_name=NS + "MeasureObjectCommand",
        default_set="GenericMeasure")
class MeasureObject(Cmdlet):
    """Counts objects and sums/averages/min/max a property."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object[]", position=0)
    Sum = Param("switch", InSet("GenericMeasure"))
    Average = Param("switch", InSet("GenericMeasure"))
    Maximum = Param("switch", InSet("GenericMeasure"))
    Minimum = Param("switch", InSet("GenericMeasure"))
    StandardDeviation = Param("switch", InSet("GenericMeasure"))
    AllStats = Param("switch", InSet("GenericMeasure"))
    Line = Param("switch", InSet("TextMeasure"))
    Word = Param("switch", InSet("TextMeasure"))
    Character = Param("switch", InSet("TextMeasure"))
    IgnoreWhiteSpace = Param("switch", InSet("TextMeasure"))

    def begin_processing(self) -> None:
        if self.ctx.parameter_set == "TextMeasure":
            raise not_supported("Measure-Object -Line/-Word/-Character")
        self.items: list[Any] = []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)

    def end_processing(self) -> Iterator[Any]:
        props: list[str | None] = [C.to_string(p) for p in C.as_list(self.ctx.bound.get("Property"))] or [None]
        all_stats = bool(self.AllStats)
        for prop in props:
            values: list[Any] = []
            for obj in self.items:
                if prop is None:
                    if obj is not None:
                        values.append(obj)
                    continue
                found, v = M.try_get_member(obj, prop, self.ctx.frame.env) if obj is not None else (False, None)
                if found:
                    values.append(v)
            if prop is not None and not values and self.items:
                self.ctx.write_error(self.ctx.error_record(
                    f'The property "{prop}" cannot be found in the input for any objects.',
                    "GenericMeasurePropertyNotFound", "InvalidArgument", target_object=prop,
                    exception_type="System.Management.Automation.PSArgumentException"))
                continue
            yield self._measure(prop, values, all_stats)

    def _number(self, v: Any) -> float:
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return float(v)
        try:
            return C.to_double(v)
        except PSError:
            self.ctx.throw_terminating(f'Input object "{C.to_string(v)}" is not numeric.', "NonNumericInputObject",
                                       "InvalidType", target_object=v,
                                       exception_type="System.Management.Automation.PSInvalidOperationException")

    def _measure(self, prop: str | None, values: list[Any], all_stats: bool) -> PSObject:
        core = options.is_core()
        want_sum = bool(self.Sum) or all_stats
        want_avg = bool(self.Average) or all_stats
        want_max = bool(self.Maximum) or all_stats
        want_min = bool(self.Minimum) or all_stats
        want_sd = bool(self.StandardDeviation) or all_stats
        nums = [self._number(v) for v in values] if (want_sum or want_avg or want_sd or
                                                       ((want_max or want_min) and not core)) else []
        count = len(values)
        total = sum(nums) if nums else 0.0
        result: dict[str, Any] = {"Count": count, "Average": None, "Sum": None, "Maximum": None, "Minimum": None}
        if core:
            result["StandardDeviation"] = None
        result["Property"] = prop
        if want_avg:
            result["Average"] = total / count if count else None
        if want_sum:
            result["Sum"] = total
        if want_max or want_min:
            if core:
                cmp = functools.cmp_to_key(lambda a, b: sort_compare(a, b))
                nonnull = [v for v in values if v is not None]
                if nonnull:
                    if want_max:
                        result["Maximum"] = _as_double_if_number(max(nonnull, key=cmp))
                    if want_min:
                        result["Minimum"] = _as_double_if_number(min(nonnull, key=cmp))
            elif nums:
                if want_max:
                    result["Maximum"] = max(nums)
                if want_min:
                    result["Minimum"] = min(nums)
        if want_sd and core and count > 1:
            mean = total / count
            result["StandardDeviation"] = math.sqrt(sum((x - mean) ** 2 for x in nums) / (count - 1))
        return PSObject(result, ["Microsoft.PowerShell.Commands.GenericMeasureInfo",
                                 "Microsoft.PowerShell.Commands.MeasureInfo", "System.Object"])


def _as_double_if_number(v: Any) -> Any:
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return float(v)
    return v


# ------------------------------------------------------------------------------------------
# output cmdlets (psshim.format)
# ------------------------------------------------------------------------------------------


def format_settings(ctx: Any) -> Any:
    from hyperv_emu.psshim.runtime.runner import format_settings_of

    return format_settings_of(ctx.interp.settings)


def _format_properties(ctx: Any, raw: Any) -> list[Any] | None:
    if raw is None:
        return None
    from hyperv_emu.psshim.format.out_default import PropertySpec as FSpec

    out: list[Any] = []
    for spec in parse_property_specs(ctx, raw, ("name", "label", "expression", "formatstring", "width",
                                                 "alignment"), "Format-Table"):
        if spec.name is None and isinstance(spec.expr, str) and not spec.extra:
            out.append(spec.expr)
            continue
        expr: Any = spec.expr
        if _is_sb(expr):
            sb = expr

            def run(obj: object, sb: Any = sb) -> object:
                try:
                    return C.collect(ctx.invoke(sb, dollar_under=obj))
                except PSError:
                    return None

            expr = run
        label = spec.name if spec.name is not None and not (_is_sb(spec.expr) and spec.name == spec.expr.text
                                                               and "label" not in spec.extra) else None
        if _is_sb(spec.expr) and label is None:
            label = spec.expr.text
        width = spec.extra.get("width")
        align = spec.extra.get("alignment")
        out.append(FSpec(expression=expr if expr is not None else "", label=label,
                         format_string=C.to_string(spec.extra["formatstring"]) if "formatstring" in spec.extra else None,
                         width=int(width) if width is not None else 0,
                         alignment=C.to_string(align) if align is not None else None))
    return out


class _FormatCmdlet(Cmdlet):
    """What Format-Table and Format-List share: they collect their input, then write format
    records for Out-Default/Out-String at the end."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object[]", position=0)
    GroupBy = Param("object")
    View = Param("string")
    ShowError = Param("switch")
    DisplayError = Param("switch")
    Force = Param("switch")
    Expand = Param("string")

    def begin_processing(self) -> None:
        if self.is_bound("GroupBy"):
            raise not_supported(f"{self.__cmdlet_info__.name} -GroupBy")
        self.items: list[Any] = []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)


@cmdlet("Format-Table", aliases=("ft",), module=UTILITY, class_name=NS + "FormatTableCommand")
class FormatTable(_FormatCmdlet):
    """Formats objects as a table (format records for Out-Default/Out-String)."""

    AutoSize = Param("switch")
    HideTableHeaders = Param("switch")
    Wrap = Param("switch")
    RepeatHeader = Param("switch")

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.out_default import format_table

        yield format_table(self.items, format_settings(self.ctx), self.ctx.adapters,
                           properties=_format_properties(self.ctx, self.ctx.bound.get("Property")),
                           autosize=bool(self.AutoSize), hide_headers=bool(self.HideTableHeaders),
                           wrap=bool(self.Wrap), view=self.View, force=bool(self.Force))


@cmdlet("Format-List", aliases=("fl",), module=UTILITY, class_name=NS + "FormatListCommand")
class FormatList(_FormatCmdlet):
    """Formats objects as a list of properties."""

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.out_default import format_list

        yield format_list(self.items, format_settings(self.ctx), self.ctx.adapters,
                          properties=_format_properties(self.ctx, self.ctx.bound.get("Property")),
                          view=self.View, force=bool(self.Force))


@cmdlet("Format-Wide", aliases=("fw",), module=UTILITY, class_name=NS + "FormatWideCommand")
class FormatWide(Cmdlet):
    """Not emulated."""

    InputObject = Param("psobject", pipeline=True)
    Property = Param("object", position=0)
    Column = Param("int")
    AutoSize = Param("switch")

    def begin_processing(self) -> None:
        raise not_supported("Format-Wide")


@cmdlet("Out-String", module=UTILITY, class_name=NS + "OutStringCommand")
class OutString(Cmdlet):
    """What Out-Default would print, as a string (or lines with -Stream)."""

    InputObject = Param("psobject", pipeline=True)
    Width = Param("int")
    Stream = Param("switch")
    NoNewline = Param("switch")

    def begin_processing(self) -> None:
        self.items: list[Any] = []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.out_default import out_string

        width = self.Width if self.is_bound("Width") else None
        result = out_string(self.items, format_settings(self.ctx), width, adapters=self.ctx.adapters,
                            stream=bool(self.Stream))
        if isinstance(result, list):
            yield from result
        else:
            yield result.replace("\n", "") if self.NoNewline else result


@cmdlet("Out-Host", aliases=("oh",), module=CORE, class_name=NS + "OutHostCommand")
class OutHost(Cmdlet):
    """Formats objects and writes them to the host now."""

    InputObject = Param("psobject", pipeline=True)
    Paging = Param("switch")

    def begin_processing(self) -> None:
        self.items: list[Any] = []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)

    def end_processing(self) -> None:
        from hyperv_emu.psshim.format.out_default import render_lines

        for line in render_lines(self.items, format_settings(self.ctx), self.ctx.adapters):
            self.ctx.interp.host.write_out(line + "\n")


@cmdlet("Out-Default", module=CORE, class_name=NS + "OutDefaultCommand")
class OutDefault(OutHost):
    """Formats objects and writes them to the host now."""

    Transcript = Param("switch")


@cmdlet("ConvertTo-Json", module=UTILITY, class_name=NS + "ConvertToJsonCommand")
class ConvertToJson(Cmdlet):
    """JSON text of the input (depth 2 by default)."""

    InputObject = Param("object", position=0, mandatory=True, pipeline=True, allow_null=True)
    Depth = Param("int", default=2, validate=(ValidateRange(0, 100),))
    Compress = Param("switch")
    EnumsAsStrings = Param("switch")
    AsArray = Param("switch")
    EscapeHandling = Param("string")

    def begin_processing(self) -> None:
        self.items: list[Any] = []

    def process_record(self) -> None:
        self.items.append(self.ctx.bound.get("InputObject"))

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.json import convert_to_json_ex

        if not self.items:
            return
        value: Any = self.items[0] if len(self.items) == 1 and not self.AsArray else list(self.items)
        if len(self.items) == 1 and self.AsArray and not isinstance(value, list):
            value = [value]
        out = convert_to_json_ex(value, depth=int(self.Depth), compress=bool(self.Compress),
                                 enums_as_strings=bool(self.EnumsAsStrings),
                                 edition="7" if options.is_core() else "5.1", adapters=self.ctx.adapters,
                                 utc_offset=getattr(self.ctx.interp.settings, "utc_offset", None))
        if out.truncated and options.is_core():
            self.ctx.write_warning(
                f"Resulting JSON is truncated as serialization has exceeded the set depth of {int(self.Depth)}.")
        yield out.text


@cmdlet("ConvertFrom-Json", module=UTILITY, class_name=NS + "ConvertFromJsonCommand")
class ConvertFromJson(Cmdlet):
    """PSCustomObjects from JSON text."""

    InputObject = Param("string", position=0, mandatory=True, pipeline=True, allow_empty_string=True)
    AsHashtable = Param("switch")
    Depth = Param("int")
    NoEnumerate = Param("switch")

    def begin_processing(self) -> None:
        self.parts: list[str] = []

    def process_record(self) -> None:
        self.parts.append(str(self.ctx.bound.get("InputObject") or ""))

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.json import JsonError, convert_from_json, convert_from_json_hashtable

        text = "\n".join(self.parts)
        core = options.is_core()
        try:
            if self.AsHashtable:
                value = convert_from_json_hashtable(text, edition="7" if core else "5.1")
            else:
                value = convert_from_json(text, edition="7" if core else "5.1",
                                          utc_offset=getattr(self.ctx.interp.settings, "utc_offset", None))
        except JsonError as exc:
            self.ctx.throw_terminating(str(exc), "System.ArgumentException", "NotSpecified",
                                       exception_type="System.ArgumentException")
        if core and isinstance(value, list) and not self.NoEnumerate:
            yield from value
        else:
            yield value


@cmdlet("ConvertTo-Csv", module=UTILITY, class_name=NS + "ConvertToCsvCommand")
class ConvertToCsv(Cmdlet):
    """CSV lines of the input objects."""

    InputObject = Param("psobject", position=0, mandatory=True, pipeline=True)
    Delimiter = Param("char", position=1)
    NoTypeInformation = Param("switch", aliases=("NTI",))
    IncludeTypeInformation = Param("switch", aliases=("ITI",))
    UseCulture = Param("switch")

    def begin_processing(self) -> None:
        self.items: list[Any] = []

    def process_record(self) -> None:
        self.items.append(self.ctx.bound.get("InputObject"))

    def lines(self) -> list[str]:
        from hyperv_emu.psshim.format.csv import convert_to_csv
        from hyperv_emu.psshim.runtime.textformat import culture_object

        return convert_to_csv(self.items, no_type_information=bool(self.NoTypeInformation),
                              include_type_information=bool(self.IncludeTypeInformation),
                              delimiter=str(self.Delimiter or ","), culture=culture_object(self.ctx.culture),
                              edition="7" if options.is_core() else "5.1", adapters=self.ctx.adapters)

    def end_processing(self) -> Iterator[Any]:
        yield from self.lines()


@cmdlet("Export-Csv", aliases=("epcsv",), module=UTILITY, class_name=NS + "ExportCsvCommand",
        supports_should_process=True)
class ExportCsv(ConvertToCsv):
    """Writes CSV lines to a file of the emulated host."""

    Path = Param("string", position=0)
    LiteralPath = Param("string", aliases=("PSPath", "LP"))
    InputObject = Param("psobject", mandatory=True, pipeline=True)
    Delimiter = Param("char", position=1)
    Append = Param("switch")
    Force = Param("switch")
    NoClobber = Param("switch")
    Encoding = Param("string")

    def end_processing(self) -> Iterator[Any]:
        path = self.Path or self.LiteralPath
        if not path:
            self.ctx.throw_terminating("Cannot perform operation because the path resolved to more than one file. "
                                       "This command cannot operate on multiple files.", "ReadWriteMultipleFilesNotSupported",
                                       "InvalidArgument")
        full = self.ctx.resolve_path(str(path))
        if not self.ctx.should_process(full):
            return iter(())
        lines = self.lines()
        files = self.ctx.services.files
        writer = getattr(files, "write_text", None)
        if writer is None:
            raise not_supported("Writing files on this host")
        if files.is_dir(full):  # FileStream on a folder: .NET's UnauthorizedAccessException
            self.ctx.throw_terminating(f"Access to the path '{full}' is denied.", "FileOpenFailure",
                                       "OpenError", target_object=full,
                                       exception_type="System.UnauthorizedAccessException")
        if self.Append and files.exists(full):
            lines = [ln for ln in lines if not ln.startswith("#TYPE")][1:]
        from hyperv_emu.psshim.runtime.fileerrors import FileViewError

        try:
            writer(full, "".join(line + "\r\n" for line in lines), bool(self.Append))
        except FileViewError as exc:  # PathUtils.MasterStreamOpen's terminating FileOpenFailure
            self.ctx.throw_terminating(exc.message, "FileOpenFailure", "OpenError", exception_type=exc.exception_type)
        return iter(())


@cmdlet("ConvertFrom-Csv", module=UTILITY, class_name=NS + "ConvertFromCsvCommand")
class ConvertFromCsv(Cmdlet):
    """PSCustomObjects (string values) from CSV lines."""

    InputObject = Param("psobject[]", position=0, mandatory=True, pipeline=True)
    Delimiter = Param("char", position=1)
    Header = Param("string[]")
    UseCulture = Param("switch")

    def begin_processing(self) -> None:
        self.lines: list[str] = []

    def process_record(self) -> None:
        for v in C.as_list(self.ctx.bound.get("InputObject")):
            self.lines.append(C.to_string(v))

    def end_processing(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.csv import CsvError, convert_from_csv

        try:
            yield from convert_from_csv(self.lines, delimiter=str(self.Delimiter or ","),
                                        header=[str(h) for h in self.Header] if self.Header else None)
        except CsvError as exc:
            self.ctx.throw_terminating(str(exc), "CsvError", "InvalidData")


@cmdlet("Import-Csv", aliases=("ipcsv",), module=UTILITY, class_name=NS + "ImportCsvCommand")
class ImportCsv(Cmdlet):
    """PSCustomObjects (string values) from a CSV file of the emulated host."""

    Path = Param("string[]", position=0, pipeline=True)
    LiteralPath = Param("string[]", aliases=("PSPath", "LP"))
    Delimiter = Param("char", position=1)
    Header = Param("string[]")
    Encoding = Param("string")
    UseCulture = Param("switch")

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.format.csv import CsvError, convert_from_csv

        for p in (self.Path or self.LiteralPath or []):
            full = self.ctx.resolve_path(str(p))
            files = self.ctx.services.files
            if files is None or not files.exists(full):
                self.ctx.write_error(self.ctx.error_record(
                    f"Could not find file '{full}'.", "FileOpenFailure", "OpenError", target_object=full,
                    exception_type="System.IO.FileNotFoundException"))
                continue
            from hyperv_emu.psshim.runtime.fileerrors import FileViewError

            # PathUtils.OpenStreamReader: a FileStream on a folder is .NET's UnauthorizedAccessException,
            # reported (as any open failure) with the terminating FileOpenFailure
            try:
                if files.is_dir(full):
                    self.ctx.throw_terminating(f"Access to the path '{full}' is denied.", "FileOpenFailure",
                                               "OpenError", target_object=full,
                                               exception_type="System.UnauthorizedAccessException")
                text = files.read_text(full)
            except FileViewError as exc:
                self.ctx.throw_terminating(exc.message, "FileOpenFailure", "OpenError", target_object=full,
                                           exception_type=exc.exception_type)
            try:
                yield from convert_from_csv(text, delimiter=str(self.Delimiter or ","),
                                            header=[str(h) for h in self.Header] if self.Header else None)
            except CsvError as exc:
                self.ctx.throw_terminating(str(exc), "CsvError", "InvalidData")


@cmdlet("Tee-Object", aliases=("tee",), module=UTILITY, class_name=NS + "TeeObjectCommand", default_set="File")
class TeeObject(Cmdlet):
    """Passes objects on and saves them in a variable (-Variable)."""

    InputObject = Param("psobject", pipeline=True)
    Variable = Param("string", InSet("Variable", mandatory=True))
    FilePath = Param("string", InSet("File", position=0, mandatory=True))
    Append = Param("switch", InSet("File"))

    def begin_processing(self) -> None:
        if self.ctx.parameter_set == "File":
            raise not_supported("Tee-Object -FilePath")
        self.items: ArrayList = ArrayList()

    def process_record(self) -> Iterator[Any]:
        if self.ctx.has_input:
            self.items.append(self.ctx.input_object)
            yield self.ctx.input_object

    def end_processing(self) -> None:
        self.ctx.set_variable(str(self.Variable), C.collect(list(self.items)))


@cmdlet("Select-String", aliases=("sls",), module=UTILITY, class_name=NS + "SelectStringCommand")
class SelectString(Cmdlet):
    """Matches input strings against a regex (no files): emits the matching strings' MatchInfo."""

    InputObject = Param("psobject", pipeline=True)
    Pattern = Param("string[]", position=0, mandatory=True)
    Path = Param("string[]", position=1)
    SimpleMatch = Param("switch")
    CaseSensitive = Param("switch")
    NotMatch = Param("switch")
    Quiet = Param("switch")

    def begin_processing(self) -> None:
        if self.is_bound("Path"):
            raise not_supported("Select-String -Path")
        self.line = 0
        self.any = False

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.runtime.dotnet_regex import compile_regex

        if not self.ctx.has_input:
            return
        self.line += 1
        text = C.to_string(self.ctx.input_object)
        hit = False
        for pat in self.Pattern or []:
            if self.SimpleMatch:
                hit = (pat in text) if self.CaseSensitive else (pat.lower() in text.lower())
            else:
                hit = compile_regex(str(pat), not self.CaseSensitive).search(text) is not None
            if hit:
                break
        if self.NotMatch:
            hit = not hit
        if not hit:
            return
        self.any = True
        if self.Quiet:
            return
        info = PSObject({"IgnoreCase": not self.CaseSensitive, "LineNumber": self.line, "Line": text,
                         "Filename": "InputStream", "Path": "InputStream", "Pattern": str((self.Pattern or [""])[0])},
                        ["Microsoft.PowerShell.Commands.MatchInfo", "System.Object"])
        yield info

    def end_processing(self) -> Iterator[Any]:
        if self.Quiet:
            yield self.any

