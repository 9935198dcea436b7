"""WQL, the query language of WMI: the subset scripts use against the emulated classes.

    SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'SRV-APP01' AND EnabledState <> 3
    SELECT ElementName, CreationTime FROM Msvm_VirtualSystemSettingData WHERE ElementName LIKE 'Before%'

`parse(text)` returns a `Query` (the class, the selected properties or None for `*`, and the
WHERE condition); `parse_filter(class_name, text)` reads a `-Filter` (the WHERE part alone).
Both raise `WqlError` for text WMI would refuse (WBEM_E_INVALID_QUERY). The grammar is a lark
grammar (lark is already psshim's parser library), built on first use (a run that sends no
query does not import lark). Comparisons follow WMI: strings compare
without regard to case, `LIKE` has `%` (any run), `_` (one character), `[a-c]` and `[^a]`
(SQL's LIKE, not PowerShell's wildcards, so it is read here and nowhere else), `IS [NOT] NULL`,
`NOT`, `AND`, `OR` and parentheses; a property the class lacks makes the query invalid.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from functools import lru_cache
from typing import Any, Callable, Collection, Mapping

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise

_GRAMMAR = r"""
start: "SELECT"i selection "FROM"i NAME ("WHERE"i cond)?
filter: cond
selection: STAR | NAME ("," NAME)*
?cond: disj
?disj: conj
     | disj "OR"i conj -> or_
?conj: neg
     | conj "AND"i neg -> and_
?neg: "NOT"i neg -> not_
    | atom
?atom: "(" cond ")"
     | NAME OP value              -> compare
     | NAME "LIKE"i value         -> like
     | NAME "IS"i "NULL"i         -> is_null
     | NAME "IS"i "NOT"i "NULL"i  -> is_not_null
value: STRING -> string
     | NUMBER -> number
     | "TRUE"i -> true
     | "FALSE"i -> false
     | "NULL"i -> null
STAR: "*"
OP: "<>" | "!=" | "<=" | ">=" | "=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/i
STRING: /'[^']*'/ | /"(\\.|[^"\\])*"/
NUMBER: /[+-]?[0-9]+(\.[0-9]+)?/
%ignore /[ \t\r\n]+/
"""


class WqlError(Exception):
    """Text WMI refuses as a query (WBEM_E_INVALID_QUERY)."""


@lru_cache(maxsize=None)
def _parser(start: str) -> Any:
    import lark

    return lark.Lark(_GRAMMAR, start=start, parser="lalr", maybe_placeholders=False)


# --- the condition tree ---------------------------------------------------------------------

@attrs.frozen(eq=False, repr=False)
class Compare(Fieldwise):
    prop: str
    op: str  # = <> < > <= >= like isnull notnull
    value: Any = None


@attrs.frozen(eq=False, repr=False)
class BoolOp(Fieldwise):
    op: str  # and or not
    parts: tuple[Any, ...]


Condition = Compare | BoolOp | None


@attrs.frozen(eq=False, repr=False)
class Query(Fieldwise):
    class_name: str
    properties: tuple[str, ...] | None  # None: SELECT *
    where: Condition = None

    def names(self) -> set[str]:
        """Every property the query names (selection and condition), case-folded."""
        out = {p.casefold() for p in self.properties or ()}
        out |= _names(self.where)
        return out


def _names(cond: Condition) -> set[str]:
    if cond is None:
        return set()
    if isinstance(cond, Compare):
        return {cond.prop.casefold()}
    out: set[str] = set()
    for part in cond.parts:
        out |= _names(part)
    return out


class _Build:
    """The callbacks that turn lark's tree into the condition tree (see `_transform`)."""

    def string(self, items: list[Any]) -> str:
        text = str(items[0])[1:-1]
        if str(items[0]).startswith('"'):
            text = re.sub(r"\\(.)", r"\1", text)
        return text

    def number(self, items: list[Any]) -> int | float:
        text = str(items[0])
        return float(text) if "." in text else int(text)

    def true(self, items: list[Any]) -> bool:
        return True

    def false(self, items: list[Any]) -> bool:
        return False

    def null(self, items: list[Any]) -> None:
        return None

    def compare(self, items: list[Any]) -> Compare:
        op = str(items[1])
        return Compare(str(items[0]), "<>" if op == "!=" else op, items[2])

    def like(self, items: list[Any]) -> Compare:
        return Compare(str(items[0]), "like", items[1])

    def is_null(self, items: list[Any]) -> Compare:
        return Compare(str(items[0]), "isnull")

    def is_not_null(self, items: list[Any]) -> Compare:
        return Compare(str(items[0]), "notnull")

    def and_(self, items: list[Any]) -> BoolOp:
        return BoolOp("and", tuple(items))

    def or_(self, items: list[Any]) -> BoolOp:
        return BoolOp("or", tuple(items))

    def not_(self, items: list[Any]) -> BoolOp:
        return BoolOp("not", tuple(items))

    def selection(self, items: list[Any]) -> tuple[str, ...] | None:
        if len(items) == 1 and str(items[0]) == "*":
            return None
        return tuple(str(i) for i in items)

    def start(self, items: list[Any]) -> Query:
        return Query(str(items[1]), items[0], items[2] if len(items) > 2 else None)

    def filter(self, items: list[Any]) -> Condition:
        cond: Condition = items[0]
        return cond


@lru_cache(maxsize=None)
def _transformer() -> Any:
    import lark

    return type("_WqlTransformer", (_Build, lark.Transformer), {})()


def _transform(start: str, text: str) -> Any:
    import lark

    try:
        return _transformer().transform(_parser(start).parse(text))
    except lark.exceptions.LarkError as exc:
        raise WqlError(text) from exc


def parse(text: str) -> Query:
    """A whole `SELECT ... FROM Class [WHERE ...]` query."""
    query: Query = _transform("start", text)
    return query


def parse_filter(class_name: str, text: str) -> Query:
    """`-Filter "ElementName='x'"`: the WHERE part of `SELECT * FROM class_name`."""
    cond: Condition = _transform("filter", text)
    return Query(class_name, None, cond)


# --- evaluation -----------------------------------------------------------------------------

def check(query: Query, known: Collection[str]) -> None:
    """A query naming a property the class does not have is invalid."""
    folded = {k.casefold() for k in known}
    if any(n not in folded for n in query.names()):
        raise WqlError(query.class_name)


def matches(cond: Condition, props: Mapping[str, Any]) -> bool:
    """Whether an instance's properties (keys in any case) satisfy the condition."""
    if cond is None:
        return True
    if isinstance(cond, BoolOp):
        if cond.op == "and":
            return all(matches(p, props) for p in cond.parts)
        if cond.op == "or":
            return any(matches(p, props) for p in cond.parts)
        return not matches(cond.parts[0], props)
    value = _lookup(props, cond.prop)
    if cond.op == "isnull":
        return value is None
    if cond.op == "notnull":
        return value is not None
    if value is None or cond.value is None:
        return False
    if cond.op == "like":
        return _like(str(cond.value)).fullmatch(_text(value)) is not None
    return _COMPARE[cond.op](_order(value, cond.value))


def _lookup(props: Mapping[str, Any], name: str) -> Any:
    folded = name.casefold()
    for k, v in props.items():
        if k.casefold() == folded:
            return v
    return None


_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
    ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0,
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return dmtf_datetime(value)
    return str(value)


def _order(value: Any, literal: Any) -> int:
    """-1/0/1 comparing a property with a literal, WMI's way: numbers as numbers, booleans as
    booleans, everything else as text without regard to case."""
    if isinstance(value, bool) or isinstance(literal, bool):
        a = value if isinstance(value, bool) else _text(value).casefold() in ("true", "1")
        b = literal if isinstance(literal, bool) else _text(literal).casefold() in ("true", "1")
        return int(a) - int(b)
    if isinstance(value, (int, float)) and not isinstance(value, enum.Enum):
        try:
            num = float(literal)
        except (TypeError, ValueError):
            raise WqlError(str(literal)) from None
        return (value > num) - (value < num)
    if isinstance(value, enum.Enum) and isinstance(literal, (int, float)):
        number = float(value.value)
        return (number > literal) - (number < literal)
    x, y = _text(value).casefold(), _text(literal).casefold()
    return (x > y) - (x < y)


@lru_cache(maxsize=256)
def _like(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise WqlError(pattern)
            body = pattern[i + 1:end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + re.sub(r"([\\\]\[^])", r"\\\1", body) + "]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def dmtf_datetime(value: dt.datetime) -> str:
    """A date-time as WMI writes it: `yyyymmddHHMMSS.ffffff+UUU` (minutes from UTC)."""
    offset = value.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return value.strftime("%Y%m%d%H%M%S.%f") + f"{sign}{abs(minutes):03d}"
