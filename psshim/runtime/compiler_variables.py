"""Variables in compiled code (`compiler.py`, `compiler_statements.py`, `compiler_loops.py`):
`variable_setter` and `assigner` do what `Interpreter.set_variable` and `Interpreter.assign` do,
answering the common case (a plain variable of the current scope) themselves;
`plain_local_name` says when a variable is that case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.frames import Frame

Store = Callable[["Frame", Any], None]
AutomationNull = C.AutomationNull
_SPECIAL = ("null", "true", "false", "?")


def plain_local_name(target: A.ExpressionAst) -> str | None:
    """The dictionary key of a variable that `variable_setter` and the variable lookup both
    find first in the current scope (`$x`, `$local:x`), or None (another scope, a special
    variable, not a variable)."""
    if not isinstance(target, A.VariableExpressionAst) or target.scope not in (None, "local"):
        return None
    n = target.name.casefold()
    if n == "psitem":
        n = "_"
    if n in _SPECIAL or n == "lastexitcode":
        return None
    return n


def variable_setter(interp: Any, name: str, scope: str | None, *, no_output: bool) -> Store:
    """`Interpreter.set_variable(frame, name, scope, value, no_output=...)`, answering the
    common case itself: a variable of the current scope that is neither constant, read-only nor
    typed gets the value."""
    n = name.casefold()
    if n == "psitem":
        n = "_"
    if scope not in (None, "local", "private", "variable") or n in _SPECIAL:
        def general(frame: "Frame", value: Any) -> None:
            interp.set_variable(frame, name, scope, value, no_output=no_output)

        return general

    def store(frame: "Frame", value: Any) -> None:
        if not no_output and isinstance(value, AutomationNull):
            value = None
        existing = frame.scope.variables.get(n)
        if existing is not None and existing.type_constraint is None and not existing.constant \
                and not existing.readonly:
            existing.value = value
            return
        interp.set_variable(frame, name, scope, value, no_output=no_output)

    return store


def assigner(interp: Any, target: A.ExpressionAst) -> Store:
    """`Interpreter.assign(target, value, frame)`."""
    if isinstance(target, A.VariableExpressionAst):
        return variable_setter(interp, target.name, target.scope, no_output=True)

    def general(frame: "Frame", value: Any) -> None:
        interp.assign(target, value, frame)

    return general
