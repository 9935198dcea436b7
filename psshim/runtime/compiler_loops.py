"""Loops compiled to Python closures (see `compiler_statements.py`): `foreach`, `for`, `while`,
`do { } while / until`.

Each pass takes one step of the budget (`Interpreter.tick`, as the handlers do), a `break` or
`continue` meant for the loop (no label, or the loop's label, case-insensitive) ends the loop or
the pass and any other goes on up; `while`, `do` and `for (;;)` keep the interpreter's loop watch
(a loop polling a virtual clock that never moves is stopped). A loop whose body writes nothing
compiles to a plain function, its passes to plain calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.compiler import Compiler
from hyperv_emu.psshim.runtime.compiler_variables import plain_local_name, variable_setter
from hyperv_emu.psshim.runtime.compiler_statements import (
    Block,
    Statement,
    compile_block,
    statement_value,
    truth_source,
)
from hyperv_emu.psshim.runtime.errors import BreakSignal, ContinueSignal

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.frames import Frame

AutomationNull = C.AutomationNull
Value = Callable[["Frame"], Any]
Void = Callable[["Frame"], None]


def _matches(signal_label: str | None, loop_label: str | None) -> bool:
    if signal_label is None:
        return True
    return loop_label is not None and signal_label.casefold() == loop_label.casefold()


def _statement(gen: Callable[["Frame"], Iterator[Any]], void: Void | None) -> Statement:
    if void is None:
        return Statement(gen, None)
    run = void

    def raw(frame: "Frame") -> Iterator[Any]:
        run(frame)
        return iter(())

    return Statement(raw, void)


def _foreach(compiler: Compiler, stmt: A.ForEachStatementAst) -> Statement:
    interp = compiler.interp
    items_of = statement_value(compiler, stmt.iterable, None)
    items_list = interp.foreach_items
    var = stmt.variable
    store = variable_setter(compiler.interp, var.name, var.scope, no_output=False)
    body = compile_block(compiler, stmt.body.statements)
    label = stmt.label
    body_gen = body.gen

    def gen(frame: "Frame") -> Iterator[Any]:
        for item in items_list(items_of(frame)):
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            store(frame, item)
            try:
                yield from body_gen(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise

    body_void = body.void
    if body_void is None:
        return _statement(gen, None)
    if body.single is not None:
        return _statement(gen, _foreach_one(compiler, stmt, items_of, store, body.single))

    def void(frame: "Frame") -> None:
        for item in items_list(items_of(frame)):
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            store(frame, item)
            try:
                body_void(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise

    return _statement(gen, void)


def _foreach_one(compiler: Compiler, stmt: A.ForEachStatementAst, items_of: Value,
                 store: Callable[["Frame", Any], None], single: tuple[A.StatementAst, Void]) -> Void:
    """A `foreach` whose body is one statement that writes nothing (`foreach ($i in $a) { $s +=
    $i }`): the body's statement runs in the loop (its step, its errors handled as the block
    would), and the loop variable, when it is a plain variable of the scope, is set in place."""
    interp = compiler.interp
    items_list = interp.foreach_items
    failed = interp.statement_failed
    label = stmt.label
    inner, inner_void = single
    key = plain_local_name(stmt.variable)

    def void(frame: "Frame") -> None:
        variables = frame.scope.variables
        for item in items_list(items_of(frame)):
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            v = variables.get(key) if key is not None else None
            if v is not None and v.type_constraint is None and not v.constant and not v.readonly:
                v.value = None if isinstance(item, AutomationNull) else item
            else:
                store(frame, item)
            try:
                interp.steps += 1
                if interp.steps >= interp.check_at:
                    interp.check_budget(inner)
                try:
                    inner_void(frame)
                except Exception as exc:  # noqa: BLE001 - as Interpreter.exec_statement
                    failed(exc, inner, frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise

    return void


def _single(compiler: Compiler, stmt: A.StatementAst | None) -> Block | None:
    """A loop's initializer or iterator: run as a statement of its own (one step, its errors
    reported like a statement's), as `Interpreter.exec_statement` runs it."""
    if stmt is None:
        return None
    return compile_block(compiler, (stmt,))


def _for(compiler: Compiler, stmt: A.ForStatementAst) -> Statement:
    interp = compiler.interp
    to_bool = C.to_bool
    init = _single(compiler, stmt.initializer)
    step = _single(compiler, stmt.iterator)
    cond = truth_source(compiler, stmt.condition) if stmt.condition is not None else None
    body = compile_block(compiler, stmt.body.statements)
    label = stmt.label
    body_gen = body.gen

    def gen(frame: "Frame") -> Iterator[Any]:
        if init is not None:
            yield from init.gen(frame)
        # a counted loop ends by itself; only `for (;;)` is watched for polling a frozen clock
        watch = interp.loop_watch(stmt, frame) if cond is None else None
        while True:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            if cond is not None:
                ok = cond(frame)
                if ok is False or (ok is not True and not to_bool(ok)):
                    break
            try:
                yield from body_gen(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise
            if step is not None:
                yield from step.gen(frame)
            if watch is not None:
                watch.step()

    body_void = body.void
    if body_void is None or (init is not None and init.void is None) or (step is not None and step.void is None):
        return _statement(gen, None)
    init_void = init.void if init is not None else None
    step_void = step.void if step is not None else None

    def void(frame: "Frame") -> None:
        if init_void is not None:
            init_void(frame)
        watch = interp.loop_watch(stmt, frame) if cond is None else None
        while True:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            if cond is not None:
                ok = cond(frame)
                if ok is False or (ok is not True and not to_bool(ok)):
                    break
            try:
                body_void(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise
            if step_void is not None:
                step_void(frame)
            if watch is not None:
                watch.step()

    return _statement(gen, void)


def _while(compiler: Compiler, stmt: A.WhileStatementAst) -> Statement:
    interp = compiler.interp
    to_bool = C.to_bool
    cond = truth_source(compiler, stmt.condition)
    body = compile_block(compiler, stmt.body.statements)
    label = stmt.label
    body_gen = body.gen

    def gen(frame: "Frame") -> Iterator[Any]:
        watch = interp.loop_watch(stmt, frame)
        while True:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            ok = cond(frame)
            if ok is False or (ok is not True and not to_bool(ok)):
                break
            try:
                yield from body_gen(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise
            watch.step()

    body_void = body.void
    if body_void is None:
        return _statement(gen, None)

    def void(frame: "Frame") -> None:
        watch = interp.loop_watch(stmt, frame)
        while True:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            ok = cond(frame)
            if ok is False or (ok is not True and not to_bool(ok)):
                break
            try:
                body_void(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise
            watch.step()

    return _statement(gen, void)


def _do(compiler: Compiler, stmt: A.DoWhileStatementAst) -> Statement:
    interp = compiler.interp
    to_bool = C.to_bool
    cond = truth_source(compiler, stmt.condition)
    body = compile_block(compiler, stmt.body.statements)
    label = stmt.label
    until = stmt.until
    body_gen = body.gen

    def gen(frame: "Frame") -> Iterator[Any]:
        watch = interp.loop_watch(stmt, frame)
        while True:
            interp.steps += 1
            if interp.steps >= interp.check_at:
                interp.check_budget(stmt)
            try:
                yield from body_gen(frame)
            except BreakSignal as b:
                if _matches(b.label, label):
                    break
                raise
            except ContinueSignal as c:
                if not _matches(c.label, label):
                    raise
            if to_bool(cond(frame)) == until:
                break
            watch.step()

    return _statement(gen, None)


BUILDERS: dict[type, Callable[[Any, Any], Statement]] = {
    A.ForEachStatementAst: _foreach,
    A.ForStatementAst: _for,
    A.WhileStatementAst: _while,
    A.DoWhileStatementAst: _do,
}
