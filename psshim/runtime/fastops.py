"""Binary operators specialised once per operator, for the compiled interpreter (`compiler.py`).

`binary_op(op)` returns a function `(left, right, frame) -> value` equal to
`operators.binary(op, left, right, frame.env)` for every pair of values. It answers the common
cases itself — both operands exactly `int` (an Int32, or an Int64 when out of Int32's range),
exactly `float` (Double) or exactly `str` (String) — and hands everything else (Int64 markers,
bool, enums, Char, Decimal, null, collections, other operators) to `operators.binary`
unchanged. The fast cases follow the general code's rules:

- `+ - *` on two Int32 values: the exact result when it fits Int32, else a Double (PowerShell
  widens an Int32 overflow to Double); any Int64 operand: `operators.numeric_op`'s rules;
- `%` on Int32 values: the sign of the dividend (.NET's remainder); `/` and a zero divisor
  always take the general path (integral results, DivideByZeroException);
- Double with Double or Int32: IEEE arithmetic, as `operators._float_op` (no zero divisor here);
- `-eq`/`-ne` on numbers: numeric equality; on two strings: ordinal, case-insensitive unless
  `-ceq`/`-cne` (as `operators._str_eq`);
- `-lt -le -gt -ge` on numbers: the three-way comparison of `operators._cmp` (so NaN compares
  equal to everything, as there); on two strings: `operators.compare_strings`.
"""

from __future__ import annotations

from typing import Any, Callable

from hyperv_emu.psshim.runtime import operators as O

BinaryFn = Callable[[Any, Any, Any], Any]

_MIN32 = -(2**31)
_MAX32 = 2**31 - 1


def _general(op: str) -> BinaryFn:
    binary = O.binary

    def run(left: Any, right: Any, frame: Any) -> Any:
        return binary(op, left, right, frame.env)

    return run


def _arith(op: str) -> BinaryFn:
    binary = O.binary
    numeric_op = O.numeric_op

    def plus(left: Any, right: Any, frame: Any) -> Any:
        tl = type(left)
        tr = type(right)
        if tl is int and tr is int:
            if _MIN32 <= left <= _MAX32 and _MIN32 <= right <= _MAX32:
                v = left + right
                return v if _MIN32 <= v <= _MAX32 else float(v)
            return numeric_op("+", left, right)
        if (tl is float and (tr is float or tr is int)) or (tl is int and tr is float):
            return float(left) + float(right)
        return binary("+", left, right, frame.env)

    def minus(left: Any, right: Any, frame: Any) -> Any:
        tl = type(left)
        tr = type(right)
        if tl is int and tr is int:
            if _MIN32 <= left <= _MAX32 and _MIN32 <= right <= _MAX32:
                v = left - right
                return v if _MIN32 <= v <= _MAX32 else float(v)
            return numeric_op("-", left, right)
        if (tl is float and (tr is float or tr is int)) or (tl is int and tr is float):
            return float(left) - float(right)
        return binary("-", left, right, frame.env)

    def times(left: Any, right: Any, frame: Any) -> Any:
        tl = type(left)
        tr = type(right)
        if tl is int and tr is int:
            if _MIN32 <= left <= _MAX32 and _MIN32 <= right <= _MAX32:
                v = left * right
                return v if _MIN32 <= v <= _MAX32 else float(v)
            return numeric_op("*", left, right)
        if (tl is float and (tr is float or tr is int)) or (tl is int and tr is float):
            return float(left) * float(right)
        return binary("*", left, right, frame.env)

    return {"+": plus, "-": minus, "*": times}[op]


def _modulo() -> BinaryFn:
    binary = O.binary

    def run(left: Any, right: Any, frame: Any) -> Any:
        if type(left) is int and type(right) is int and right != 0 \
                and _MIN32 <= left <= _MAX32 and _MIN32 <= right <= _MAX32:
            r = abs(left) % abs(right)
            return -r if left < 0 else r
        return binary("%", left, right, frame.env)

    return run


def _equality(op: str, negate: bool, case_sensitive: bool) -> BinaryFn:
    binary = O.binary

    def run(left: Any, right: Any, frame: Any) -> Any:
        tl = type(left)
        tr = type(right)
        if (tl is int or tl is float) and (tr is int or tr is float):
            return (left != right) if negate else (left == right)
        if tl is str and tr is str:
            same = (left == right) if case_sensitive else (left.lower() == right.lower())
            return not same if negate else same
        return binary(op, left, right, frame.env)

    return run


def _ordering(op: str, base: str, case_sensitive: bool) -> BinaryFn:
    binary = O.binary
    compare_strings = O.compare_strings
    test: Callable[[int], bool] = {
        "-gt": lambda c: c > 0, "-ge": lambda c: c >= 0, "-lt": lambda c: c < 0, "-le": lambda c: c <= 0,
    }[base]

    def run(left: Any, right: Any, frame: Any) -> Any:
        tl = type(left)
        tr = type(right)
        if (tl is int or tl is float) and (tr is int or tr is float):
            return test(-1 if left < right else (1 if left > right else 0))
        if tl is str and tr is str:
            return test(compare_strings(left, right, not case_sensitive))
        return binary(op, left, right, frame.env)

    return run


def binary_op(op: str) -> BinaryFn:
    """The function computing `left <op> right` (op as the AST spells it, lower case)."""
    base, case_sensitive = O.split_op(op)
    if base in ("+", "-", "*"):
        return _arith(base) if op == base else _general(op)
    if base == "%" and op == "%":
        return _modulo()
    if base in ("-eq", "-ne"):
        return _equality(op, base == "-ne", case_sensitive)
    if base in ("-gt", "-ge", "-lt", "-le"):
        return _ordering(op, base, case_sensitive)
    return _general(op)
