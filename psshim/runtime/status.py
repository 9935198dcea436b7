"""When a statement sets `$?` to True regardless of the commands inside it.

PowerShell's compiler (Compiler.ShouldSetExecutionStatusToSuccess) adds `$? = $true` after a
statement that is a pure expression: `(Get-Item nope).Count`, `"text"`, `$x = 5`. A pipeline of
commands, and an expression that only wraps one (`(Get-Item nope)`, `$(Get-Item nope)`,
`@(Get-Item nope)`), leave `$?` as the commands set it. `powershell -Command` (`hvemu run -c`)
ends with 1 when `$?` is False after the last statement.
"""

from __future__ import annotations

from hyperv_emu.psshim import ast as A


def sets_success(stmt: A.StatementAst) -> bool:
    """True when `$?` is True after `stmt` whatever its commands did."""
    if isinstance(stmt, A.AssignmentStatementAst):
        right: A.StatementAst = stmt.right
        while isinstance(right, A.AssignmentStatementAst):
            right = right.right
        return isinstance(right, A.PipelineAst) and _pipeline(right)
    if isinstance(stmt, A.PipelineAst):
        return _pipeline(stmt)
    return False


def _pipeline(pipeline: A.PipelineAst) -> bool:
    if len(pipeline.elements) != 1 or not isinstance(pipeline.elements[0], A.CommandExpressionAst):
        return False
    return _expression(pipeline.elements[0].expression)


def _expression(expr: A.ExpressionAst) -> bool:
    if isinstance(expr, A.ParenExpressionAst):
        return sets_success(expr.pipeline)
    if isinstance(expr, A.SubExpressionAst):
        return not expr.statements.statements
    if isinstance(expr, A.ArrayExpressionAst):
        statements = expr.statements.statements
        if not statements:
            return True
        return len(statements) == 1 and sets_success(statements[0])
    return True
