"""The interpreter's statements compiled to Python closures (the expressions: `compiler.py`;
assignments: `compiler_assignments.py`; loops: `compiler_loops.py`; the interpreter registers
each module's BUILDERS on its `Compiler`).

A statement compiles, once, to
- `raw(frame) -> iterator`: what `Interpreter._exec_raw` runs (no step, no error handling);
- `void(frame)`, for a statement that can write no output (an assignment, `$i++`, `break`, an
  `if` or a loop whose bodies write nothing): the same work as a plain call, without a
  generator per statement and per loop pass;
- `value(frame)`: what `Interpreter.statement_value` returns.

A block (`compile_block`) runs its statements as `Interpreter.exec_statement` does: one step of
the budget each, then the statement; an error is handed to `Interpreter.statement_failed`
(reported, or raised on to a `try` / as `$ErrorActionPreference` says). Loops take one step per
pass and honour labelled `break`/`continue` and the virtual-clock loop watch as the handlers in
`interpreter.py` do; statement kinds not compiled here run their handler.

A single-expression pipeline statement (`$x`, `$i++`, `$o.Method()`) is run here as
`pipeline.run_pipeline` runs it (`expression_output`); any other pipeline goes to the
interpreter's `run_pipeline`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.compiler import Compiler
from hyperv_emu.psshim.runtime.errors import BreakSignal, ContinueSignal, PSError
from hyperv_emu.psshim.runtime.status import sets_success

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.frames import Frame

Raw = Callable[["Frame"], Iterator[Any]]
Void = Callable[["Frame"], None]
Value = Callable[["Frame"], Any]
AutomationNull = C.AutomationNull


class Block:
    """A compiled block: `gen(frame)` streams its output; `void(frame)` (None when a statement
    can write output) runs it; `collect(frame, out)` appends its output to `out` (a script block
    run to completion: Where-Object's filter, a calculated property)."""

    __slots__ = ("gen", "void", "collect", "single")

    def __init__(self, gen: Raw, void: Void | None, collect: Callable[["Frame", list[Any]], None],
                 single: tuple[A.StatementAst, Void] | None = None) -> None:
        self.gen = gen
        self.void = void
        self.collect = collect
        # a block of one statement that writes nothing: (the statement, its void), for a loop
        # to run it without the block's call
        self.single = single


class Statement:
    """A compiled statement (see the module docstring); `output` is set for a single-expression
    pipeline: (the expression, whether `$?` is True after it whatever happened)."""

    __slots__ = ("raw", "void", "values", "output")

    def __init__(self, raw: Raw, void: Void | None, output: tuple[Value, bool] | None = None) -> None:
        self.raw = raw
        self.void = void
        self.values: dict[int, tuple[Any, Value]] = {}  # by the `empty` value
        self.output = output


def _label_match(signal_label: str | None, loop_label: str | None) -> bool:
    if signal_label is None:
        return True
    return loop_label is not None and signal_label.casefold() == loop_label.casefold()


def void_raw(void: Void) -> Raw:
    def raw(frame: "Frame") -> Iterator[Any]:
        void(frame)
        return iter(())

    return raw


# -- statements -----------------------------------------------------------------------------------


def compile_statement(compiler: Compiler, stmt: A.StatementAst) -> Statement:
    hit: Statement | None = compiler.cached(stmt)
    if hit is not None:
        return hit
    builder = compiler.statement_builders.get(type(stmt))
    compiled = builder(compiler, stmt) if builder is not None else _handler(compiler, stmt)
    return compiler.keep(stmt, compiled)  # type: ignore[no-any-return]


def _handler(compiler: Compiler, stmt: A.StatementAst) -> Statement:
    interp = compiler.interp
    handler = interp.statement_handler(stmt)

    def raw(frame: "Frame") -> Iterator[Any]:
        return handler(interp, stmt, frame)  # type: ignore[no-any-return]

    return Statement(raw, None)


def statement_value(compiler: Compiler, stmt: A.StatementAst, empty: Any) -> Value:
    """`Interpreter.statement_value(stmt, frame, empty)` (empty: None or AutomationNull)."""
    compiled = compile_statement(compiler, stmt)
    hit = compiled.values.get(id(empty))
    if hit is not None and hit[0] is empty:
        return hit[1]
    fn = _value(compiler, stmt, compiled, empty)
    compiled.values[id(empty)] = (empty, fn)
    return fn


def single_expression(stmt: A.StatementAst) -> A.ExpressionAst | None:
    """The expression of a pipeline statement that is one expression without redirections."""
    if isinstance(stmt, A.PipelineAst) and len(stmt.elements) == 1:
        el = stmt.elements[0]
        if isinstance(el, A.CommandExpressionAst) and not el.redirections:
            return el.expression
    return None


def truth_source(compiler: Compiler, stmt: A.StatementAst) -> Value:
    """What a condition (`if`, the loops) converts to bool: its statement's value, or, for a
    single expression, the expression's own value (AutomationNull and $null are both False)."""
    single = single_expression(stmt)
    if single is not None:
        return compiler.expr(single)
    return statement_value(compiler, stmt, None)


def _value(compiler: Compiler, stmt: A.StatementAst, compiled: Statement, empty: Any) -> Value:
    single_ast = single_expression(stmt)
    if single_ast is not None:
        expr = compiler.expr(single_ast)

        def single(frame: "Frame") -> Any:
            v = expr(frame)
            return None if isinstance(v, AutomationNull) else v

        return single
    if isinstance(stmt, A.AssignmentStatementAst):
        run = compiled.void
        assert run is not None  # an assignment always compiles to a void statement
        if isinstance(stmt.left, A.ArrayLiteralAst):
            def assigned_none(frame: "Frame") -> Any:
                run(frame)
                return None

            return assigned_none
        left = compiler.expr(stmt.left)

        def assigned(frame: "Frame") -> Any:
            run(frame)
            return left(frame)

        return assigned
    raw = compiled.raw
    collect = C.collect

    def collected(frame: "Frame") -> Any:
        out = list(raw(frame))
        return collect(out) if out else empty

    return collected


def _pipeline(compiler: Compiler, stmt: A.PipelineAst) -> Statement:
    interp = compiler.interp
    succeeds = sets_success(stmt)
    elements = stmt.elements
    if len(elements) == 1 and isinstance(elements[0], A.CommandExpressionAst) and not elements[0].redirections:
        expr_ast = elements[0].expression
        if isinstance(expr_ast, A.UnaryExpressionAst) and expr_ast.op.lower() in ("++", "--", "post++", "post--"):
            step = compiler.expr(expr_ast)

            def void(frame: "Frame") -> None:
                before = interp.failures
                step(frame)
                interp.status = interp.failures == before or succeeds

            return Statement(void_raw(void), void)
        enumerate_value = C.enumerate_value
        value_of: Value
        if isinstance(expr_ast, A.InvokeMemberExpressionAst):
            node = expr_ast

            def invoked(frame: "Frame") -> Any:
                try:
                    return interp.invoke_member(node, frame)
                except PSError as exc:
                    interp.locate(exc, node, frame)
                    raise

            value_of = invoked
        else:
            value_of = compiler.expr(expr_ast)

        def single(frame: "Frame") -> Iterator[Any]:
            before = interp.failures
            yield from enumerate_value(value_of(frame))
            interp.status = interp.failures == before or succeeds

        return Statement(single, None, (value_of, succeeds))

    def raw(frame: "Frame") -> Iterator[Any]:
        before = interp.failures
        yield from interp.run_pipeline(interp, stmt, frame)
        interp.status = interp.failures == before or succeeds

    return Statement(raw, None)


def _if(compiler: Compiler, stmt: A.IfStatementAst) -> Statement:
    clauses = [(truth_source(compiler, cond), compile_block(compiler, body.statements))
               for cond, body in stmt.clauses]
    otherwise = compile_block(compiler, stmt.else_body.statements) if stmt.else_body is not None else None
    to_bool = C.to_bool

    def raw(frame: "Frame") -> Iterator[Any]:
        for cond, body in clauses:
            if to_bool(cond(frame)):
                yield from body.gen(frame)
                return
        if otherwise is not None:
            yield from otherwise.gen(frame)

    blocks = [b for _, b in clauses] + ([otherwise] if otherwise is not None else [])
    if any(b.void is None for b in blocks):
        return Statement(raw, None)
    voids: list[tuple[Value, Void]] = [(cond, body.void) for cond, body in clauses]  # type: ignore[misc]
    else_void = otherwise.void if otherwise is not None else None

    def void(frame: "Frame") -> None:
        for cond, body in voids:
            if to_bool(cond(frame)):
                body(frame)
                return
        if else_void is not None:
            else_void(frame)

    return Statement(void_raw(void), void)


def _break(compiler: Compiler, stmt: A.BreakStatementAst) -> Statement:
    label = stmt.label

    def void(frame: "Frame") -> None:
        raise BreakSignal(label)

    return Statement(void_raw(void), void)


def _continue(compiler: Compiler, stmt: A.ContinueStatementAst) -> Statement:
    label = stmt.label

    def void(frame: "Frame") -> None:
        raise ContinueSignal(label)

    return Statement(void_raw(void), void)


def _statement_block(compiler: Compiler, stmt: A.StatementBlockAst) -> Statement:
    block = compile_block(compiler, stmt.statements)
    return Statement(block.gen, block.void)


# -- blocks ---------------------------------------------------------------------------------------


def compile_block(compiler: Compiler, statements: tuple[A.StatementAst, ...]) -> Block:
    hit: Block | None = compiler.cached(statements)
    if hit is not None:
        return hit
    return compiler.keep(statements, _block(compiler, statements))  # type: ignore[no-any-return]


def _block(compiler: Compiler, statements: tuple[A.StatementAst, ...] | list[A.StatementAst]) -> Block:
    interp = compiler.interp
    failed = interp.statement_failed
    enumerate_value = C.enumerate_value
    items = [(stmt, compiled.void, compiled.raw, compiled.output)
             for stmt in statements for compiled in (compile_statement(compiler, stmt),)]

    def gen(frame: "Frame") -> Iterator[Any]:
        for stmt, void, raw, _ in items:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            try:
                if void is not None:
                    void(frame)
                else:
                    yield from raw(frame)
            except Exception as exc:  # noqa: BLE001 - as Interpreter.exec_statement
                failed(exc, stmt, frame)

    def collect(frame: "Frame", out: list[Any]) -> None:
        for stmt, void, raw, output in items:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            try:
                if void is not None:
                    void(frame)
                elif output is not None:
                    before = interp.failures
                    out.extend(enumerate_value(output[0](frame)))
                    interp.status = interp.failures == before or output[1]
                else:
                    out.extend(raw(frame))
            except Exception as exc:  # noqa: BLE001 - as Interpreter.exec_statement
                failed(exc, stmt, frame)

    if any(void is None for _, void, _, _ in items):
        return Block(gen, None, collect)
    voids: list[tuple[A.StatementAst, Void]] = [(stmt, void) for stmt, void, _, _ in items]  # type: ignore[misc]

    def run_void(frame: "Frame") -> None:
        for stmt, void in voids:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            try:
                void(frame)
            except Exception as exc:  # noqa: BLE001 - as Interpreter.exec_statement
                failed(exc, stmt, frame)

    return Block(gen, run_void, collect, voids[0] if len(voids) == 1 else None)


def block_of(compiler: Compiler, statements: tuple[A.StatementAst, ...] | list[A.StatementAst]) -> Block:
    """The compiled block of a statement tuple of the AST (cached), or of a list built by the
    caller (compiled each time: the list is not the AST's)."""
    if isinstance(statements, tuple):
        return compile_block(compiler, statements)
    return _block(compiler, statements)


BUILDERS: dict[type, Callable[[Any, Any], Statement]] = {
    A.PipelineAst: _pipeline,
    A.IfStatementAst: _if,
    A.BreakStatementAst: _break,
    A.ContinueStatementAst: _continue,
    A.StatementBlockAst: _statement_block,
}
