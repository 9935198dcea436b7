"""The interpreter's expressions compiled to Python closures, once per AST node.

`Compiler.expr(node)` returns a function `frame -> value` that computes what
`Interpreter._e_*` computes for the node, built the first time the node is evaluated and kept
(keyed by the node's identity; the node is kept alive with it). A compiled node calls its
children's closures directly: evaluating an expression no longer looks up a handler per node,
and the decisions that depend only on the syntax (operator, variable name and scope, constant
values, member names) are taken once. Node types without a closure of their own here run their
`Interpreter` handler (which evaluates the children through `Interpreter.eval`, so they are
compiled too). The statements are compiled by `compiler_statements.py` on the same cache.

Errors are located as `Interpreter.eval` does it: a PSError leaving a node's closure gets that
node's position unless an inner node already gave it one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import members as M
from hyperv_emu.psshim.runtime import operators as O
from hyperv_emu.psshim.runtime.compiler_variables import assigner, plain_local_name
from hyperv_emu.psshim.runtime.errors import PSError, not_supported
from hyperv_emu.psshim.runtime.fastops import binary_op
from hyperv_emu.psshim.runtime.values import Int64

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.frames import Frame
    from hyperv_emu.psshim.runtime.scopes import Scope

Expr = Callable[["Frame"], Any]
AutomationNull = C.AutomationNull
_MAX_CACHED = 200_000  # nodes; past this the cache starts again (a long-lived runspace)
_MIN32 = -(2**31)
_MAX32 = 2**31 - 1


def _locator(node: A.Ast) -> Callable[[PSError, "Frame"], None]:
    extent = node.extent

    def locate(exc: PSError, frame: "Frame") -> None:
        if not exc.located:
            exc.locate(extent, frame.source.path, frame.source.text)

    return locate


def _literal(node: A.ConstantExpressionAst | A.StringConstantAst) -> Any:
    """The value of a number or string literal (`5l` and big numbers: Int64)."""
    if isinstance(node, A.StringConstantAst):
        return node.value
    v = node.value
    return Int64(v) if node.is_long and isinstance(v, int) and -(2**31) <= v < 2**31 else v


class Compiler:
    """The closures of one interpreter's nodes (they call back into that interpreter)."""

    def __init__(self, interp: Any, expressions: dict[type, Callable[..., Any]]) -> None:
        self.interp = interp
        self.handlers = expressions
        # statement kind -> builder (compiler_statements.BUILDERS, compiler_loops.BUILDERS)
        self.statement_builders: dict[type, Callable[[Any, Any], Any]] = {}
        self.void_value: Any = AutomationNull()  # the interpreter's AutomationNull ("no output")
        self.cache: dict[int, tuple[Any, Any]] = {}
        self._builders: dict[type, Callable[[Any], Expr]] = {
            A.ConstantExpressionAst: self._constant,
            A.StringConstantAst: self._string,
            A.VariableExpressionAst: self._variable,
            A.BinaryExpressionAst: self._binary,
            A.UnaryExpressionAst: self._unary,
            A.ParenExpressionAst: self._paren,
            A.MemberExpressionAst: self._member,
            A.IndexExpressionAst: self._index,
            A.ArrayLiteralAst: self._array_literal,
            A.ExpandableStringAst: self._expandable,
        }

    # -- the cache ------------------------------------------------------------------------------

    def cached(self, key: Any) -> Any:
        hit = self.cache.get(id(key))
        if hit is not None and hit[0] is key:
            return hit[1]
        return None

    def keep(self, key: Any, value: Any) -> Any:
        if len(self.cache) >= _MAX_CACHED:
            self.cache.clear()
        self.cache[id(key)] = (key, value)
        return value

    def expr(self, node: A.ExpressionAst) -> Expr:
        hit = self.cache.get(id(node))
        if hit is not None and hit[0] is node:
            fn: Expr = hit[1]
            return fn
        builder = self._builders.get(type(node))
        fn = builder(node) if builder is not None else self._handler(node)
        return self.keep(node, fn)  # type: ignore[no-any-return]

    # -- generic --------------------------------------------------------------------------------

    def _handler(self, node: A.ExpressionAst) -> Expr:
        handler = self.handlers.get(type(node))
        if handler is None:
            what = type(node).__name__

            def unsupported(frame: "Frame") -> Any:
                raise not_supported(f"The expression {what}")

            return unsupported
        interp = self.interp
        locate = _locator(node)

        def run(frame: "Frame") -> Any:
            try:
                return handler(interp, node, frame)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    # -- leaves ---------------------------------------------------------------------------------

    def _constant(self, node: A.ConstantExpressionAst) -> Expr:
        value = _literal(node)
        return lambda frame: value

    def _string(self, node: A.StringConstantAst) -> Expr:
        value = _literal(node)
        return lambda frame: value

    def _variable(self, node: A.VariableExpressionAst) -> Expr:
        name = node.name
        scope = node.scope
        if scope is None:
            low = name.casefold()
            if low in ("true", "false", "null"):
                constant = {"true": True, "false": False, "null": None}[low]
                return lambda frame: constant
            if low == "psitem":
                low = "_"
            if low not in ("?", "lastexitcode"):
                def lookup(frame: "Frame") -> Any:
                    s: Scope | None = frame.scope
                    while s is not None:
                        v = s.variables.get(low)
                        if v is not None:
                            return v.value
                        s = s.parent
                    return None

                return lookup
        interp = self.interp
        locate = _locator(node)

        def run(frame: "Frame") -> Any:
            try:
                return interp.get_variable(frame, name, scope)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    # -- operators ------------------------------------------------------------------------------

    def _binary(self, node: A.BinaryExpressionAst) -> Expr:
        op = node.op.lower()
        left = self.expr(node.left)
        right = self.expr(node.right)
        locate = _locator(node)
        to_bool = C.to_bool
        if op in ("-and", "-or"):
            is_and = op == "-and"

            def logical(frame: "Frame") -> Any:
                try:
                    if is_and:
                        return to_bool(left(frame)) and to_bool(right(frame))
                    return to_bool(left(frame)) or to_bool(right(frame))
                except PSError as exc:
                    locate(exc, frame)
                    raise

            return logical
        if op in ("-is", "-isnot", "-as") and isinstance(node.right, A.StringConstantAst):
            return self._handler(node)
        fn = binary_op(op)
        if isinstance(node.right, (A.ConstantExpressionAst, A.StringConstantAst)):
            constant = _literal(node.right)

            def with_constant(frame: "Frame") -> Any:
                try:
                    a = left(frame)
                    if isinstance(a, AutomationNull):
                        a = None
                    return fn(a, constant, frame)
                except PSError as exc:
                    locate(exc, frame)
                    raise

            return with_constant

        def run(frame: "Frame") -> Any:
            try:
                a = left(frame)
                b = right(frame)
                if isinstance(a, AutomationNull):
                    a = None
                if isinstance(b, AutomationNull):
                    b = None
                return fn(a, b, frame)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    def _unary(self, node: A.UnaryExpressionAst) -> Expr:
        op = node.op.lower()
        child = self.expr(node.child)
        locate = _locator(node)
        if op in ("++", "--", "post++", "post--"):
            return self._incdec(node, op, child, locate)
        to_bool = C.to_bool
        unary = O.unary

        def run(frame: "Frame") -> Any:
            try:
                value = child(frame)
                if isinstance(value, AutomationNull):
                    value = None
                if op == "-not" or op == "!":
                    return not to_bool(value)
                return unary(op, value, frame.env)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    def _incdec(self, node: A.UnaryExpressionAst, op: str, child: Expr,
                locate: Callable[[PSError, "Frame"], None]) -> Expr:
        store = assigner(self.interp, node.child)
        step = 1 if "++" in op else -1
        post = op.startswith("post")
        sign = "+" if step == 1 else "-"
        key = plain_local_name(node.child)

        def run(frame: "Frame") -> Any:
            if key is not None:
                # `$i++` on a plain Int32 variable of the current scope: in place
                var = frame.scope.variables.get(key)
                if var is not None and var.type_constraint is None and not var.constant and not var.readonly:
                    current = var.value
                    if type(current) is int and _MIN32 <= current <= _MAX32 and _MIN32 <= current + step <= _MAX32:
                        var.value = current + step
                        return current if post else current + step
            try:
                old = child(frame)
                if isinstance(old, AutomationNull):
                    old = None
                if type(old) is int and _MIN32 < old + step <= _MAX32 and _MIN32 <= old <= _MAX32:
                    new: Any = old + step
                else:
                    new = O.numeric_op(sign, C.to_number(old) if old is not None else 0, 1)
                store(frame, new)
                return old if post else new
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    # -- compound -------------------------------------------------------------------------------

    def _paren(self, node: A.ParenExpressionAst) -> Expr:
        inner = node.pipeline
        if isinstance(inner, A.PipelineAst) and len(inner.elements) == 1:
            el = inner.elements[0]
            if isinstance(el, A.CommandExpressionAst) and not el.redirections:
                child = self.expr(el.expression)
                locate = _locator(node)

                def run(frame: "Frame") -> Any:
                    try:
                        return child(frame)
                    except PSError as exc:
                        locate(exc, frame)
                        raise

                return run
        return self._handler(node)

    def _member(self, node: A.MemberExpressionAst) -> Expr:
        if node.static or not isinstance(node.member, A.StringConstantAst):
            return self._handler(node)
        target = self.expr(node.target)
        name = node.member.value
        locate = _locator(node)
        get_member = M.get_member

        def run(frame: "Frame") -> Any:
            try:
                return get_member(target(frame), name, frame.env)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    def _index(self, node: A.IndexExpressionAst) -> Expr:
        target = self.expr(node.target)
        index = self.expr(node.index)
        locate = _locator(node)
        get_index = M.get_index

        def run(frame: "Frame") -> Any:
            try:
                t = target(frame)
                if isinstance(t, AutomationNull):
                    t = None
                return get_index(t, index(frame), frame.env)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    def _array_literal(self, node: A.ArrayLiteralAst) -> Expr:
        elements = [self.expr(e) for e in node.elements]
        locate = _locator(node)

        def run(frame: "Frame") -> Any:
            try:
                out = []
                for e in elements:
                    v = e(frame)
                    out.append(None if isinstance(v, AutomationNull) else v)
                return out
            except PSError as exc:
                locate(exc, frame)
                raise

        return run

    def _expandable(self, node: A.ExpandableStringAst) -> Expr:
        parts: list[str | Expr] = [p if isinstance(p, str) else self.expr(p) for p in node.parts]
        interp = self.interp
        to_string = C.to_string
        locate = _locator(node)

        def run(frame: "Frame") -> Any:
            try:
                out: list[str] = []
                env = frame.env
                for part in parts:
                    if isinstance(part, str):
                        out.append(part)
                    else:
                        out.append(to_string(part(frame), env.ofs, interp.adapters))
                return "".join(out)
            except PSError as exc:
                locate(exc, frame)
                raise

        return run
