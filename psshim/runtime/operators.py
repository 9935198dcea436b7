"""PowerShell operators on Python values.

`binary(op, left, right, env)` evaluates every non-short-circuit binary operator of the AST
(`+ - * / %`, comparisons with their `i`/`c` variants, `-like -match -replace -split -join
-contains -in -is -as -f ..`, bitwise). `unary(op, value, env)` the prefix ones. Comparison
follows PowerShell: the LEFT operand's type drives the conversion of the right one,
case-insensitive unless `-c...`, and a collection on the left filters.

`OpEnv` is what the operators need from the interpreter: the adapters, `$OFS`, a place to put
`$Matches`, the `-f` formatter (culture-sensitive, owned by psshim.format) and the type table.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import uuid
from decimal import Decimal
from typing import Any, Callable, Protocol

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import dotnet_datetime as dtf
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.dotnet_regex import (
    PSRegex,
    compile_regex,
    expand_replacement,
    matches_table,
    wildcard_match,
)
from hyperv_emu.psshim.runtime.errors import (
    INVALID_OPERATION_EXCEPTION,
    PSError,
    invalid_cast,
    runtime_error,
)
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Char, Hashtable, Int64, PSObject, Version, type_names


class OpEnv(Protocol):
    adapters: AdapterRegistry
    types: T.TypeTable

    @property
    def ofs(self) -> str: ...

    def set_matches(self, table: Hashtable) -> None: ...

    def format(self, fmt: str, args: list[Any]) -> str: ...


class SimpleOpEnv:
    """An OpEnv for tests and for code outside the interpreter."""

    def __init__(self, adapters: AdapterRegistry | None = None,
                 formatter: Callable[[str, list[Any]], str] | None = None) -> None:
        self.adapters = adapters or AdapterRegistry()
        self.types = T.TypeTable()
        self.matches: Hashtable | None = None
        self._formatter = formatter

    @property
    def ofs(self) -> str:
        return " "

    def set_matches(self, table: Hashtable) -> None:
        self.matches = table

    def format(self, fmt: str, args: list[Any]) -> str:
        if self._formatter is not None:
            return self._formatter(fmt, args)
        from hyperv_emu.psshim.runtime.textformat import composite_format

        return composite_format(fmt, args)


# ------------------------------------------------------------------------------------------
# the memory budget (options.memory_limit): checked before a value that grows is built
# ------------------------------------------------------------------------------------------

_REFERENCE_BYTES = 8  # one list slot
_NEW_INT_BYTES = 36  # a list slot and a fresh int object (a range's items)


def _string_bytes(length: int, sample: str) -> int:
    return length if sample.isascii() else 4 * length


def ensure_fits(estimated_bytes: int) -> None:
    """Throw .NET's OutOfMemoryException, as PowerShell reports it, before building a value
    larger than the run's memory budget. It ends the script (a loop that doubles a string would
    otherwise report it at every pass): hvemu's budget, like its time budget, stops the run."""
    if estimated_bytes > options.memory_limit():
        raise runtime_error("Exception of type 'System.OutOfMemoryException' was thrown.",
                            "System.OutOfMemoryException", "OperationStopped",
                            exception_type="System.OutOfMemoryException", script_terminating=True)


# ------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------

Number = int | float | Decimal


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, (bool, enum.Enum))


def _is_long(v: Any) -> bool:
    return isinstance(v, Int64) or (isinstance(v, int) and not -(2**31) <= v < 2**31)


def _int_result(value: int, long_mode: bool) -> Number:
    if long_mode:
        if -(2**63) <= value < 2**63:
            return Int64(value) if -(2**31) <= value < 2**31 else value
        return float(value)
    if -(2**31) <= value < 2**31:
        return value
    return float(value)


def divide_by_zero() -> PSError:
    return runtime_error("Attempted to divide by zero.", "RuntimeException", "NotSpecified",
                         inner_type="System.DivideByZeroException")


def numeric_op(op: str, a: Number, b: Number) -> Number:
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if isinstance(a, float) or isinstance(b, float):
            # decimal with double: .NET converts to double
            fa, fb = float(a), float(b)
            return _float_op(op, fa, fb)
        da, db = Decimal(a), Decimal(b)
        if op == "+":
            return da + db
        if op == "-":
            return da - db
        if op == "*":
            return da * db
        if op == "/":
            if db == 0:
                raise divide_by_zero()
            return da / db
        if op == "%":
            if db == 0:
                raise divide_by_zero()
            return da % db
    if isinstance(a, float) or isinstance(b, float):
        return _float_op(op, float(a), float(b))
    ia, ib = int(a), int(b)
    long_mode = _is_long(a) or _is_long(b)
    if op == "+":
        return _int_result(ia + ib, long_mode)
    if op == "-":
        return _int_result(ia - ib, long_mode)
    if op == "*":
        return _int_result(ia * ib, long_mode)
    if op == "/":
        if ib == 0:
            raise divide_by_zero()
        if ia % ib == 0:
            return _int_result(ia // ib, long_mode)
        return ia / ib
    if op == "%":
        if ib == 0:
            raise divide_by_zero()
        r = abs(ia) % abs(ib)
        return _int_result(-r if ia < 0 else r, long_mode)
    raise ValueError(op)


def _float_op(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * (math.copysign(1, b))
        return a / b
    if op == "%":
        if b == 0:
            return math.nan
        return math.fmod(a, b)
    raise ValueError(op)


def _no_operator(name: str, left: Any, adapters: AdapterRegistry | None) -> PSError:
    tn = type_names(left, adapters)[0]
    return runtime_error(
        f"Method invocation failed because [{tn}] does not contain a method named '{name}'.",
        "MethodNotFound",
        "InvalidOperation",
    )


def add(left: Any, right: Any, env: OpEnv) -> Any:
    if left is None:
        if isinstance(right, list):
            return list(right)
        return right
    if isinstance(left, list):
        ensure_fits((len(left) + (len(right) if isinstance(right, list) else 1)) * _REFERENCE_BYTES)
        return list(left) + (list(right) if isinstance(right, list) else [right])
    if isinstance(left, Hashtable):
        if not isinstance(right, Hashtable):
            raise runtime_error("A hash table can only be added to another hash table.",
                                "AddHashTableToNonHashTable", "InvalidOperation")
        merged = Hashtable(left.items(), ordered=left.ordered)
        for k, v in right.items():
            if k in merged:
                raise runtime_error(
                    f"Item has already been added. Key in dictionary: '{C.to_string(k)}'  "
                    f"Key being added: '{C.to_string(k)}'",
                    "System.ArgumentException",
                    "NotSpecified",
                    exception_type="System.ArgumentException",
                )
            merged[k] = v
        return merged
    if isinstance(left, str) and not isinstance(left, Char):
        text = C.to_string(right, env.ofs, env.adapters)
        ensure_fits(_string_bytes(len(left), left) + _string_bytes(len(text), text))
        return left + text
    if isinstance(left, dt.datetime):
        if isinstance(right, dt.timedelta):
            return left + right
        if _is_number(right):
            return left + dt.timedelta(microseconds=int(right) / 10)
        raise _no_operator("op_Addition", left, env.adapters)
    if isinstance(left, dt.timedelta):
        if isinstance(right, dt.timedelta):
            return left + right
        if isinstance(right, dt.datetime):
            raise _no_operator("op_Addition", left, env.adapters)
        return left + C.to_timespan(right)
    if isinstance(left, (int, float, Decimal, bool, enum.Enum)) or isinstance(left, Char):
        a = C.to_number(left)
        b = _operand_number(right, left, env)
        return numeric_op("+", a, b)
    raise _no_operator("op_Addition", left, env.adapters)


def _operand_number(right: Any, left: Any, env: OpEnv) -> Number:
    if isinstance(right, (list, Hashtable, PSObject)) or isinstance(right, (dt.datetime, dt.timedelta)):
        if isinstance(right, list) and len(right) == 1:
            return _operand_number(right[0], left, env)
        if True:
            tn = "System.Int32" if isinstance(left, int) and not isinstance(left, bool) else type_names(left)[0]
            raise runtime_error(
                f'Cannot convert the "{C.to_string(right, env.ofs, env.adapters)}" value of type '
                f'"{type_names(right, env.adapters)[0]}" to type "{tn}".',
                "ConvertToFinalInvalidCastException",
                "InvalidArgument",
                exception_type="System.Management.Automation.PSInvalidCastException",
            )
    target = type_names(left)[0] if _is_number(left) else "System.Int32"
    return C.to_number(right, target)


def subtract(left: Any, right: Any, env: OpEnv) -> Any:
    if isinstance(left, dt.datetime):
        if isinstance(right, dt.datetime):
            return left - right
        if isinstance(right, dt.timedelta):
            return left - right
        if isinstance(right, str):
            return left - C.to_datetime(right)
        raise _no_operator("op_Subtraction", left, env.adapters)
    if isinstance(left, dt.timedelta):
        if isinstance(right, dt.timedelta):
            return left - right
        return left - C.to_timespan(right)
    if isinstance(left, (list, Hashtable)) or (left is not None and not _numeric_like(left)):
        raise _no_operator("op_Subtraction", left, env.adapters)
    a = C.to_number(left) if left is not None else 0
    return numeric_op("-", a, _operand_number(right, left if left is not None else 0, env))


def _numeric_like(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal, bool, str, enum.Enum))


def multiply(left: Any, right: Any, env: OpEnv) -> Any:
    if isinstance(left, str) and not isinstance(left, Char):
        n = max(C.to_integer(right, T.INT32), 0)
        ensure_fits(_string_bytes(len(left) * n, left))
        return left * n
    if isinstance(left, list):
        n = max(C.to_integer(right, T.INT32), 0)
        ensure_fits(len(left) * n * _REFERENCE_BYTES)
        return list(left) * n
    if left is None:
        return None
    if not _numeric_like(left):
        raise _no_operator("op_Multiply", left, env.adapters)
    return numeric_op("*", C.to_number(left), _operand_number(right, left, env))


def divide(left: Any, right: Any, env: OpEnv, op: str = "/") -> Any:
    if left is None:
        left = 0
    if isinstance(left, dt.timedelta) and op == "/" and _is_number(right):
        return left / float(right)
    if not _numeric_like(left):
        raise _no_operator("op_Division" if op == "/" else "op_Modulus", left, env.adapters)
    return numeric_op(op, C.to_number(left), _operand_number(right, left, env))


# ------------------------------------------------------------------------------------------
# comparison
# ------------------------------------------------------------------------------------------


def _str_eq(a: str, b: str, ci: bool) -> bool:
    return a.lower() == b.lower() if ci else a == b


def culture_key(s: str) -> tuple[str, str]:
    """A sort key approximating culture-aware, case-insensitive string comparison."""
    low = s.lower()
    return (low.replace("-", "").replace("'", ""), low)


def compare_strings(a: str, b: str, ci: bool = True) -> int:
    ka, kb = culture_key(a), culture_key(b)
    if ka != kb:
        return -1 if ka < kb else 1
    if ci or a == b:
        return 0
    # case-sensitive culture order: lower case first
    for x, y in zip(a, b):
        if x != y:
            if x.lower() == y.lower():
                return -1 if x.islower() else 1
            return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def equals(left: Any, right: Any, ci: bool = True, adapters: AdapterRegistry | None = None) -> bool:
    """`left -eq right` for a scalar left operand."""
    if isinstance(left, C.AutomationNull):
        left = None
    if isinstance(right, C.AutomationNull):
        right = None
    if left is None:
        return right is None
    if right is None:
        return False
    if isinstance(left, Char):
        if isinstance(right, str) and len(right) == 1:
            return _str_eq(left, right, ci)
        if _is_number(right):
            return bool(ord(left) == right)
        return False
    if isinstance(left, str):
        if isinstance(right, list):
            return _str_eq(left, C.to_string(right, " ", adapters), ci)
        return _str_eq(left, C.to_string(right, " ", adapters), ci)
    if isinstance(left, bool):
        return left == C.to_bool(right)
    if isinstance(left, enum.Enum):
        if isinstance(right, enum.Enum):
            return left is right or (type(left) is type(right) and left.value == right.value) or \
                (left.name is not None and right.name is not None and left.name.lower() == right.name.lower()
                 and type(left) is not type(right))
        if isinstance(right, str):
            try:
                conv = C.to_enum(right, type(left), type_names(left)[0])
            except PSError:
                return False
            return conv == left
        if _is_number(right):
            return bool(left.value == right)
        return False
    if _is_number(left):
        if isinstance(right, bool):
            return bool(left == int(right))
        if _is_number(right):
            return _num_eq(left, right)
        if isinstance(right, enum.Enum):
            return bool(left == right.value)
        if isinstance(right, str):
            n = C.parse_number(right) if right.strip() != "" else 0
            if n is None:
                return False
            return _num_eq(left, n)
        if isinstance(right, Char):
            return bool(left == ord(right))
        if isinstance(right, list) and len(right) == 1:
            return equals(left, right[0], ci, adapters)
        return False
    if isinstance(left, dt.datetime):
        if isinstance(right, dt.datetime):
            return left == right
        if isinstance(right, str):
            parsed = dtf.parse_datetime(right)
            return parsed == left
        return False
    if isinstance(left, dt.timedelta):
        if isinstance(right, dt.timedelta):
            return left == right
        if isinstance(right, str):
            return dtf.parse_timespan(right) == left
        return False
    if isinstance(left, uuid.UUID):
        if isinstance(right, uuid.UUID):
            return left == right
        if isinstance(right, str):
            try:
                return uuid.UUID(right.strip("{} ")) == left
            except ValueError:
                return False
        return False
    if isinstance(left, Version):
        if isinstance(right, Version):
            return left == right
        if isinstance(right, str):
            try:
                return C.to_version(right) == left
            except PSError:
                return False
        return False
    if isinstance(left, T.PSType):
        if isinstance(right, T.PSType):
            return left == right
        if isinstance(right, str):
            found = T.find_type(right)
            return found is not None and found == left
        return False
    if isinstance(left, (list, Hashtable, PSObject)):
        return left is right
    try:
        return bool(left is right or left == right)
    except Exception:  # noqa: BLE001 - arbitrary __eq__
        return False


def _num_eq(a: Number, b: Number) -> bool:
    if isinstance(a, Decimal) and isinstance(b, float):
        return float(a) == b
    if isinstance(b, Decimal) and isinstance(a, float):
        return a == float(b)
    return bool(a == b)


def _comparison_failure(left: Any, right: Any, inner: str, adapters: AdapterRegistry | None) -> PSError:
    return runtime_error(
        f'Could not compare "{C.to_string(left, " ", adapters)}" to "{C.to_string(right, " ", adapters)}". '
        f'Error: "{inner}"',
        "ComparisonFailure",
        "InvalidOperation",
        exception_type="System.Management.Automation.ExtendedTypeSystemException",
    )


def compare(left: Any, right: Any, ci: bool = True, adapters: AdapterRegistry | None = None) -> int:
    """Three-way comparison for -lt/-gt/-le/-ge and sorting; the left operand drives it."""
    if isinstance(left, C.AutomationNull):
        left = None
    if isinstance(right, C.AutomationNull):
        right = None
    if left is None:
        return 0 if right is None else -1
    if right is None:
        return 1
    try:
        if isinstance(left, str):
            return compare_strings(left, C.to_string(right, " ", adapters), ci)
        if isinstance(left, bool):
            return _cmp(int(left), int(C.to_bool(right)))
        if isinstance(left, enum.Enum):
            rv = right
            if isinstance(right, str):
                rv = C.to_enum(right, type(left), type_names(left)[0])
            rnum = rv.value if isinstance(rv, enum.Enum) else C.to_number(rv)
            return _cmp(left.value, rnum)
        if _is_number(left):
            if isinstance(right, enum.Enum):
                return _cmp(left, right.value)
            target = type_names(left)[0]
            if isinstance(right, str) and right.strip() != "":
                n = C.parse_number(right)
                if n is None:
                    raise invalid_cast(right, target, "Input string was not in a correct format.")
                return _num_cmp(left, n)
            if isinstance(right, (dt.datetime, dt.timedelta, Hashtable, PSObject)):
                raise _not_comparable(left, right, adapters)
            return _num_cmp(left, C.to_number(right, target))
        if isinstance(left, dt.datetime):
            return _cmp(left, C.to_datetime(right))
        if isinstance(left, dt.timedelta):
            return _cmp(left, C.to_timespan(right))
        if isinstance(left, Version):
            return _cmp(left, C.to_version(right))
        if isinstance(left, uuid.UUID):
            return _cmp(str(left), str(C.to_guid(right)))
    except PSError as exc:
        raise _comparison_failure(left, right, exc.record.message, adapters) from None
    if type(left) is type(right):
        try:
            return _cmp(left, right)
        except TypeError:
            pass
    raise _not_comparable(left, right, adapters)


def _not_comparable(left: Any, right: Any, adapters: AdapterRegistry | None) -> PSError:
    return runtime_error(
        f'Cannot compare "{C.to_string(left, " ", adapters)}" because it is not IComparable.',
        "NotIcomparable",
        "InvalidOperation",
        exception_type="System.Management.Automation.ExtendedTypeSystemException",
    )


def _cmp(a: Any, b: Any) -> int:
    return -1 if a < b else (1 if a > b else 0)


def _num_cmp(a: Number, b: Number) -> int:
    if isinstance(a, Decimal) and isinstance(b, float):
        return _cmp(float(a), b)
    if isinstance(b, Decimal) and isinstance(a, float):
        return _cmp(a, float(b))
    return _cmp(a, b)


# ------------------------------------------------------------------------------------------
# the dispatcher
# ------------------------------------------------------------------------------------------

_COMPARISONS = {"-eq", "-ne", "-gt", "-ge", "-lt", "-le", "-like", "-notlike", "-match", "-notmatch"}


def split_op(op: str) -> tuple[str, bool]:
    """`-ceq` -> ("-eq", case_sensitive=True); `-ieq` -> ("-eq", False)."""
    o = op.lower()
    if len(o) > 2 and o.startswith("-c") and "-" + o[2:] in _ALL_VARIANT_BASES:
        return "-" + o[2:], True
    if len(o) > 2 and o.startswith("-i") and "-" + o[2:] in _ALL_VARIANT_BASES:
        return "-" + o[2:], False
    return o, False


_ALL_VARIANT_BASES = _COMPARISONS | {"-contains", "-notcontains", "-in", "-notin", "-replace", "-split"}


def _scalar_compare(op: str, left: Any, right: Any, cs: bool, env: OpEnv, set_matches: bool) -> bool:
    ci = not cs
    if op == "-eq":
        return equals(left, right, ci, env.adapters)
    if op == "-ne":
        return not equals(left, right, ci, env.adapters)
    if op in ("-gt", "-ge", "-lt", "-le"):
        c = compare(left, right, ci, env.adapters)
        return {"-gt": c > 0, "-ge": c >= 0, "-lt": c < 0, "-le": c <= 0}[op]
    if op in ("-like", "-notlike"):
        text = C.to_string(left, env.ofs, env.adapters)
        pat = C.to_string(right, env.ofs, env.adapters)
        r = wildcard_match(text, pat, cs)
        return r if op == "-like" else not r
    if op in ("-match", "-notmatch"):
        text = C.to_string(left, env.ofs, env.adapters)
        rx = _regex_of(right, cs, env)
        m = rx.search(text)
        if m is not None and set_matches:
            env.set_matches(matches_table(m))
        return (m is not None) if op == "-match" else (m is None)
    raise ValueError(op)


def _regex_of(right: Any, cs: bool, env: OpEnv) -> Any:
    if isinstance(right, PSRegex):
        return right.compiled
    return compile_regex(C.to_string(right, env.ofs, env.adapters), not cs)


def binary(op: str, left: Any, right: Any, env: OpEnv) -> Any:
    base, cs = split_op(op)
    if base in _COMPARISONS:
        if isinstance(left, list):
            return [e for e in left if _scalar_compare(base, e, right, cs, env, False)]
        return _scalar_compare(base, left, right, cs, env, True)
    if base == "+":
        return add(left, right, env)
    if base == "-":
        return subtract(left, right, env)
    if base == "*":
        return multiply(left, right, env)
    if base in ("/", "%"):
        return divide(left, right, env, base)
    if base in ("-contains", "-notcontains"):
        items = left if isinstance(left, list) else [left]
        found = any(equals(e, right, not cs, env.adapters) for e in items)
        return found if base == "-contains" else not found
    if base in ("-in", "-notin"):
        items = right if isinstance(right, list) else [right]
        found = any(equals(e, left, not cs, env.adapters) for e in items)
        return found if base == "-in" else not found
    if base == "-replace":
        return replace(left, right, cs, env)
    if base == "-split":
        return split(left, right, cs, env)
    if base == "-join":
        items = left if isinstance(left, list) else ([] if left is None else [left])
        sep = C.to_string(right, env.ofs, env.adapters)
        return sep.join(C.to_string(x, env.ofs, env.adapters) for x in items)
    if base in ("-is", "-isnot"):
        t = _type_operand(right, env)
        r = T.is_instance(left, t, env.adapters)
        return r if base == "-is" else not r
    if base == "-as":
        t = _type_operand(right, env)
        try:
            return C.convert_to(left, t, env.adapters)
        except PSError:
            return None
    if base == "-f":
        args = list(right) if isinstance(right, list) else [right]
        return env.format(C.to_string(left, env.ofs, env.adapters), args)
    if base == "..":
        return range_op(left, right)
    if base in ("-band", "-bor", "-bxor", "-shl", "-shr"):
        return bitwise(base, left, right)
    if base == "-and":
        return C.to_bool(left) and C.to_bool(right)
    if base == "-or":
        return C.to_bool(left) or C.to_bool(right)
    if base == "-xor":
        return C.to_bool(left) != C.to_bool(right)
    raise runtime_error(f"The operator '{op}' is not supported.", "OperatorNotSupported", "InvalidOperation",
                        exception_type=INVALID_OPERATION_EXCEPTION)


def _type_operand(right: Any, env: OpEnv) -> T.PSType:
    if isinstance(right, T.PSType):
        return right
    return T.resolve_type(C.to_string(right), env.types)


def replace(left: Any, right: Any, cs: bool, env: OpEnv) -> Any:
    if isinstance(right, list):
        pat = right[0] if right else ""
        rep = right[1] if len(right) > 1 else ""
        if len(right) > 2:
            raise runtime_error(
                "The -replace operator allows only two elements to follow it, not " + str(len(right)) + ".",
                "BadReplaceArgument", "InvalidOperation")
    else:
        pat, rep = right, ""
    rx = _regex_of(pat, cs, env)
    rep_text = C.to_string(rep, env.ofs, env.adapters)

    def one(v: Any) -> str:
        text = C.to_string(v, env.ofs, env.adapters)
        hook = getattr(rep, "invoke_with_match", None)
        if callable(hook):
            return str(rx.sub(lambda m: str(hook(m)), text))
        return str(rx.sub(lambda m: expand_replacement(rep_text, m), text))

    if isinstance(left, list):
        return [one(x) for x in left]
    return one(left)


def split(left: Any, right: Any, cs: bool, env: OpEnv) -> list[Any]:
    if isinstance(right, list):
        pat = right[0] if right else " "
        max_count = C.to_integer(right[1], T.INT32) if len(right) > 1 else 0
    else:
        pat, max_count = right, 0
    rx = _regex_of(pat, cs, env)
    items = left if isinstance(left, list) else [left]
    out: list[Any] = []
    for item in items:
        text = C.to_string(item, env.ofs, env.adapters)
        if max_count > 0:
            parts = _split_keep_groups(rx, text, max_count - 1)
        else:
            parts = _split_keep_groups(rx, text, 0)
        out.extend(parts)
    return out


def _split_keep_groups(rx: Any, text: str, maxsplit: int) -> list[str]:
    # .NET Regex.Split includes captured groups, as Python's re.split does
    return [p for p in rx.split(text, maxsplit=maxsplit) if p is not None]


def unary_split(value: Any, env: OpEnv) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for item in items:
        out.extend(C.to_string(item, env.ofs, env.adapters).split())
    return out


def unary_join(value: Any, env: OpEnv) -> str:
    items = value if isinstance(value, list) else [value]
    return "".join(C.to_string(x, env.ofs, env.adapters) for x in items)


def range_op(left: Any, right: Any) -> list[Any]:
    if isinstance(left, str) and isinstance(right, str) and len(left) == 1 and len(right) == 1 \
            and not (left.isdigit() and right.isdigit()):

        if options.is_core():
            a, b = ord(left), ord(right)
            step = 1 if b >= a else -1
            return [Char(chr(c)) for c in range(a, b + step, step)]
    a = C.to_integer(left, T.INT32)
    b = C.to_integer(right, T.INT32)
    if abs(b - a) > 50_000_000:
        raise runtime_error("The range is too big.", "RangeTooBig", "InvalidOperation")
    ensure_fits((abs(b - a) + 1) * _NEW_INT_BYTES)
    step = 1 if b >= a else -1
    return list(range(a, b + step, step))


def bitwise(op: str, left: Any, right: Any) -> Any:
    def as_int(v: Any) -> int:
        if isinstance(v, enum.Enum):
            return int(v.value)
        return C.to_integer(v, T.INT64)

    a, b = as_int(left), as_int(right)
    if op == "-band":
        r = a & b
    elif op == "-bor":
        r = a | b
    elif op == "-bxor":
        r = a ^ b
    elif op == "-shl":
        r = (a << (b & 63)) & 0xFFFFFFFFFFFFFFFF
        if r >= 2**63:
            r -= 2**64
    else:
        r = a >> (b & 63)
    if isinstance(left, enum.Enum) and isinstance(left, enum.Flag) and op in ("-band", "-bor", "-bxor"):
        try:
            return type(left)(r)
        except ValueError:
            return r
    return C.narrow_int(r)


def unary(op: str, value: Any, env: OpEnv) -> Any:
    o = op.lower()
    if o in ("!", "-not"):
        return not C.to_bool(value)
    if o == "-":
        if isinstance(value, dt.timedelta):
            return -value
        n = C.to_number(value)
        if isinstance(n, int) and not isinstance(n, bool):
            return _int_result(-int(n), _is_long(n))
        return -n
    if o == "+":
        if isinstance(value, (dt.timedelta,)):
            return value
        return C.to_number(value)
    if o == "-bnot":
        n = C.to_integer(value, T.INT64) if not isinstance(value, enum.Enum) else int(value.value)
        return C.narrow_int(~n)
    if o == ",":
        return [value]
    if o == "-split":
        return unary_split(value, env)
    if o == "-join":
        return unary_join(value, env)
    raise runtime_error(f"The operator '{op}' is not supported.", "OperatorNotSupported", "InvalidOperation")
