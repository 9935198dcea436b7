"""Assignment statements compiled to Python closures (see `compiler_statements.py`): `$x = ...`
and the compound `$x += ...` forms, as `Interpreter.assign` and the former `_s_assign` ran them:
the right side's value (a single expression's own, AutomationNull as $null), then the operator
on the current value for a compound form (its error located at the statement), the store, and
`$?`. A compound assignment to a plain variable of the current scope reads and writes it in one
dictionary access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.compiler import Compiler
from hyperv_emu.psshim.runtime.compiler_statements import Statement, single_expression, statement_value, void_raw
from hyperv_emu.psshim.runtime.compiler_variables import assigner, plain_local_name
from hyperv_emu.psshim.runtime.errors import PSError
from hyperv_emu.psshim.runtime.fastops import binary_op
from hyperv_emu.psshim.runtime.status import sets_success

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.frames import Frame

AutomationNull = C.AutomationNull


def _assignment(compiler: Compiler, stmt: A.AssignmentStatementAst) -> Statement:
    interp = compiler.interp
    succeeds = sets_success(stmt)
    right = statement_value(compiler, stmt.right, compiler.void_value if stmt.op == "=" else None)
    store = assigner(compiler.interp, stmt.left)
    single = single_expression(stmt.right)
    if stmt.op == "=":
        if single is not None:
            # `$x = <expression>`: the expression's value, AutomationNull as $null (the value
            # of a single-expression statement, as statement_value gives it), inline
            value_expr = compiler.expr(single)

            def assign_expr(frame: "Frame") -> None:
                before = interp.failures
                v = value_expr(frame)
                store(frame, None if isinstance(v, AutomationNull) else v)
                interp.status = interp.failures == before or succeeds

            return Statement(void_raw(assign_expr), assign_expr)

        def void(frame: "Frame") -> None:
            before = interp.failures
            store(frame, right(frame))
            interp.status = interp.failures == before or succeeds

        return Statement(void_raw(void), void)
    current = compiler.expr(stmt.left)
    op = binary_op(stmt.op[:-1].lower())
    right_expr = compiler.expr(single) if single is not None else None
    local = plain_local_name(stmt.left)
    if local is not None and right_expr is not None:
        rexpr = right_expr

        def update_local(frame: "Frame") -> None:
            # `$x op= <expression>`: when $x is a plain variable of the current scope, the
            # lookup ($x's value) and the store (the same variable) are one dict access
            before = interp.failures
            value = rexpr(frame)
            if isinstance(value, AutomationNull):
                value = None
            var = frame.scope.variables.get(local)
            if var is None or var.type_constraint is not None or var.constant or var.readonly:
                old = current(frame)
                if isinstance(old, AutomationNull):
                    old = None
                try:
                    value = op(old, value, frame)
                except PSError as exc:
                    interp.locate(exc, stmt, frame)
                    raise
                store(frame, value)
            else:
                old = var.value
                if isinstance(old, AutomationNull):
                    old = None
                try:
                    var.value = op(old, value, frame)
                except PSError as exc:
                    interp.locate(exc, stmt, frame)
                    raise
            interp.status = interp.failures == before or succeeds

        return Statement(void_raw(update_local), update_local)

    def update(frame: "Frame") -> None:
        before = interp.failures
        if right_expr is not None:
            value = right_expr(frame)
            if isinstance(value, AutomationNull):
                value = None
        else:
            value = right(frame)
        old = current(frame)
        if isinstance(old, AutomationNull):
            old = None
        try:
            value = op(old, value, frame)
        except PSError as exc:
            interp.locate(exc, stmt, frame)
            raise
        store(frame, value)
        interp.status = interp.failures == before or succeeds

    return Statement(void_raw(update), update)


BUILDERS: dict[type, Callable[[Any, Any], Statement]] = {
    A.AssignmentStatementAst: _assignment,
}
