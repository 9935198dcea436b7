"""Parse PowerShell source into psshim.ast nodes: `parse(text, path) -> ScriptBlockAst`.

The LALR(1) tables come from psshim/grammar.lark (built by lark, stored in
psshim/parse_tables.py, loaded once per process).  A small driver feeds them tokens from the
mode-aware tokenizer (psshim/lexer.py): before each token it applies default reductions, then
asks the tokenizer for a token in the mode of the current state, so that the tokenizer can
tell command arguments from expressions the way PowerShell's parser tells its tokenizer.
Reductions call psshim/transformer.py, so no parse tree is built.

Parse errors are reported as PowerShell reports them (ParserStrings.resx ids and texts, the
same positions): the state in which a token cannot be shifted is matched against the rule that
was being parsed (`missing '}'`, `missing expression after '+'`, ...).  Like PowerShell, the
parser recovers where scripts commonly need it — an unexpected token after a complete statement
starts a new statement, a stray comma in a command is skipped, missing closers at the end of the
file are each reported — and `ParseError.errors` lists every error found, in order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.lexer import MODE_ARGUMENT, Lexer, SourceMap, Tok, UnsupportedSyntax
from hyperv_emu.psshim.parse_messages import message
from hyperv_emu.psshim.transformer import AstBuilder

__all__ = ["ParseError", "parse"]

_MAX_ERRORS = 50
# The LALR stack grows by a few states per nesting level; past this, parsing stops with an error
# (each token's lookahead copies the stack, so a deeper one costs time and memory quadratically;
# PowerShell's own recursive parser runs out of stack long before).
MAX_PARSER_DEPTH = 5000
# Tokens that end a pipeline without an error of their own (PipelineRule).
_PIPELINE_END = frozenset({"NEWLINE", "SEMI", "RPAREN", "RBRACE", "$END"})
_CLOSERS = ("RBRACE", "RPAREN", "RBRACKET")
_BRACE_OPENERS = frozenset({"LBRACE", "ARG_LBRACE"})
_HASH_OPENERS = frozenset({"AT_BRACE", "ARG_AT_BRACE"})


class ParseError(Exception):
    """The script does not parse.  `errors` holds every error found, in PowerShell's order."""

    def __init__(self, errors: tuple[ast.ParseErrorItem, ...], source: str, path: str | None) -> None:
        self.errors = errors
        self.source = source
        self.path = path
        first = errors[0]
        where = f"{path or '<script>'}:{first.extent.start_line}:{first.extent.start_column}"
        super().__init__(f"{where}: {first.message} ({first.error_id})")


def parse(text: str, path: str | None = None) -> ast.ScriptBlockAst:
    """Parse a whole script.  Raises ParseError if PowerShell would report any parse error."""
    text = text.removeprefix("\ufeff")
    session = _Session(text)
    script = session.parse_script()
    if session.errors:
        raise ParseError(_unique(session.errors), text, path)
    assert script is not None
    return script


def _unique(errors: list[ast.ParseErrorItem]) -> tuple[ast.ParseErrorItem, ...]:
    """Drop repeated errors (same id and extent), as PowerShell's SaveError does."""
    seen: set[tuple[str, int, int]] = set()
    result = []
    for error in errors:
        key = (error.error_id, error.extent.start_offset, error.extent.end_offset)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return tuple(result)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


class _States(dict[int, dict[str, int]]):
    """The action rows of the states by state number, each decoded from parse_tables' compact
    form (symbol numbers and actions, alternating) the first time the parser enters that state:
    a script visits a small part of the ~400 states, and decoding them all cost more than parsing
    it. (A dict: a decoded row is found at dict speed; `__missing__` decodes the others.)"""

    def __init__(self, symbols: list[str], rows: list[list[int]]) -> None:
        from hyperv_emu.psshim.parse_build import decode_row

        super().__init__()
        self._symbols = symbols
        self._rows = rows
        self._decode = decode_row

    @property
    def count(self) -> int:
        return len(self._rows)

    def __missing__(self, state: int) -> dict[str, int]:
        row = self[state] = self._decode(self._symbols, self._rows[state])
        return row


class _Tables:
    """The LALR tables of parse_tables.py, in the shapes the driver uses."""

    def __init__(self, data: dict[str, Any]) -> None:
        rules = data["rules"]
        self.origins: list[str] = [r[0] for r in rules]
        self.sizes: list[int] = [r[1] for r in rules]
        self.names: list[str] = [r[2] for r in rules]
        self.expansions: list[list[str]] = [r[3] for r in rules]
        # Unnamed single-symbol rules pass their value through: no callback to call.
        self.passthrough: list[bool] = [r[1] == 1 and r[2] == "" for r in rules]
        self.states = _States(data["symbols"], data["states"])
        self.kernels: list[list[list[int]]] = data["kernels"]
        self.modes: list[int] = data["modes"]
        self.defaults: list[int] = data["defaults"]
        self.start_states: dict[str, int] = data["start_states"]
        self.end_states: dict[str, int] = data["end_states"]


@functools.lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Load the tables once; rebuild them with lark if grammar.lark changed since generation."""
    from hyperv_emu.psshim import parse_build, parse_tables

    text = parse_build.grammar_text()
    if parse_build.grammar_digest(text) == parse_tables.GRAMMAR_SHA256:
        return _Tables(parse_tables.TABLES)
    return _Tables(parse_build.encode_tables(parse_build.build_tables(text)))


# --------------------------------------------------------------------------------------------
# One parse
# --------------------------------------------------------------------------------------------


class _Abort(Exception):
    """The parser cannot continue; the errors so far are the result."""


class _Session:
    """The state of one `parse` call: source, error list, `#Requires` lines, AST builder."""

    def __init__(self, text: str) -> None:
        self.tables = _tables()
        self.map = SourceMap(text)
        self.errors: list[ast.ParseErrorItem] = []
        self.requires: list[str] = []
        self.builder = AstBuilder(self.map, self.errors, self.parse_nested)
        self.callbacks = self.builder.callbacks(self.tables.names)

    def parse_script(self) -> ast.ScriptBlockAst | None:
        run = _Run(self, "start", 0, len(self.map.text), self.requires)
        try:
            result = run.run()
        except _Abort:
            return None
        script: ast.ScriptBlockAst = result
        extent = self.map.extent(0, len(self.map.text))
        return ast.ScriptBlockAst(
            param_block=script.param_block,
            begin_block=script.begin_block,
            process_block=script.process_block,
            end_block=script.end_block,
            requires=tuple(self.requires),
            extent=extent,
        )

    def parse_nested(self, start: int, end: int) -> list[ast.StatementAst]:
        """The statements of a `$( )` inside an expandable string or bareword."""
        try:
            statements: list[ast.StatementAst] = _Run(self, "nested", start, end, None).run()
        except _Abort:
            return []
        return statements


class _Run:
    """The LALR driver over `text[start:end]` from the start symbol `start_symbol`."""

    def __init__(self, session: _Session, start_symbol: str, start: int, end: int, requires: list[str] | None) -> None:
        self.session = session
        self.tables = session.tables
        self.callbacks: list[Callable[[list[Any]], Any]] = session.callbacks
        self.stack: list[int] = [self.tables.start_states[start_symbol]]
        self.values: list[Any] = []
        self.end_state = self.tables.end_states[start_symbol]
        self.lexer = Lexer(session.map, start, end, session.errors, requires)
        self.last: Tok | None = None  # the last token shifted, newlines aside
        self.recovered_at = -1

    # ------------------------------------------------------------------ what the lexer may ask

    def can(self, terminal: str) -> bool:
        return terminal in self.tables.states[self.stack[-1]]

    def can_exact(self, terminal: str) -> bool:
        return self._simulate(terminal) is not None

    def _simulate(self, terminal: str) -> list[int] | None:
        """The state stack after the reductions `terminal` triggers, if it is then shifted
        (or accepted); None if it is a syntax error here."""
        tables = self.tables
        states = tables.states
        action = states[self.stack[-1]].get(terminal)
        if action is None:
            return None
        if action >= 0:
            return self.stack
        stack = list(self.stack)
        while True:
            rule = -action - 1
            size = tables.sizes[rule]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][tables.origins[rule]])
            if terminal == "$END" and stack[-1] == self.end_state:
                return stack
            action = states[stack[-1]].get(terminal)
            if action is None:
                return None
            if action >= 0:
                return stack

    # ------------------------------------------------------------------ driving

    def run(self) -> Any:
        tables = self.tables
        while True:
            self._default_reductions()
            try:
                token = self.lexer.next_token(tables.modes[self.stack[-1]], self)
            except UnsupportedSyntax as unsupported:
                self._error(unsupported.start, unsupported.end, "PsshimUnsupportedSyntax", unsupported.what)
                raise _Abort() from None
            if len(self.stack) > MAX_PARSER_DEPTH:
                self._error(token.start, token.end, "PsshimNestingTooDeep", str(MAX_PARSER_DEPTH))
                raise _Abort()
            if self._feed(token):
                if token.type == "$END":
                    return self.values[-1]
                continue
            self._recover(token)

    def _default_reductions(self) -> None:
        defaults = self.tables.defaults
        rule = defaults[self.stack[-1]]
        while rule >= 0:
            self._reduce(rule)
            rule = defaults[self.stack[-1]]

    def _reduce(self, rule: int) -> None:
        tables = self.tables
        stack = self.stack
        if tables.passthrough[rule]:
            stack[-1] = tables.states[stack[-2]][tables.origins[rule]]
            return
        size = tables.sizes[rule]
        if size:
            children = self.values[-size:]
            del self.values[-size:]
            del self.stack[-size:]
        else:
            children = []
        value = self.callbacks[rule](children)
        self.stack.append(tables.states[self.stack[-1]][tables.origins[rule]])
        self.values.append(value)

    def _feed(self, token: Tok) -> bool:
        """Shift `token` (after its reductions); False, with nothing changed, on a syntax error."""
        if not self.can_exact(token.type):
            return False
        states = self.tables.states
        while True:
            action = states[self.stack[-1]][token.type]
            if action >= 0:
                self.stack.append(action)
                self.values.append(token)
                if token.type != "NEWLINE":
                    self.last = token
                return True
            self._reduce(-action - 1)
            if token.type == "$END" and self.stack[-1] == self.end_state:
                return True

    # ------------------------------------------------------------------ errors

    def _error(self, start: int, end: int, error_id: str, *args: str) -> None:
        self.session.errors.append(
            ast.ParseErrorItem(self.session.map.extent(start, end), error_id, message(error_id, *args))
        )

    def _after_last(self) -> tuple[int, int]:
        end = self.last.end if self.last is not None else self.lexer.pos
        return end, end

    def _recover(self, token: Tok) -> None:
        """Report the error at `token` and resume where PowerShell's parser would, or abort."""
        if len(self.session.errors) >= _MAX_ERRORS:
            raise _Abort()
        kind = self._diagnose(token)
        if token.type == "$END":
            closer = _CLOSER_FOR.get(kind)
            if closer is not None and self.can_exact(closer):
                # Pretend the closer was there, so that enclosing blocks report theirs too.
                self._feed(Tok(closer, closer, token.start, token.start))
                self.lexer.pos = token.start
                return
            raise _Abort()
        if kind in ("MissingArgument", "AmpersandNotAllowed"):
            return  # the token is dropped; the command goes on (CommandRule)
        if kind == "InvalidEndOfLine" and self.can_exact("PIPE"):
            # 5.1 parses `&&`/`||` like a pipe after reporting it (PipelineRule).
            self._feed(Tok("PIPE", "|", token.start, token.start))
            return
        if kind == "UnexpectedToken" and token.start != self.recovered_at:
            if token.type in _CLOSERS and self.can_exact("$END"):
                self.recovered_at = token.start
                return  # a stray closer at script level is skipped (CompleteScriptBlockBody)
            if self.can_exact("NEWLINE"):
                # The statement ends here; the token starts the next one.
                self._feed(Tok("NEWLINE", None, token.start, token.start))
                self._default_reductions()
                if self.can("CMD_NAME"):
                    self.recovered_at = token.start
                    self.lexer.reset(token.start)
                    return
        raise _Abort()

    def _diagnose(self, token: Tok) -> str:
        """Report PowerShell's error for `token` not fitting here; returns the error id."""
        if token.type in ("ANDAND", "OROR"):
            self._error(token.start, token.end, "InvalidEndOfLine", self._text(token))
            return "InvalidEndOfLine"
        mode = self.tables.modes[self.stack[-1]]
        if mode == MODE_ARGUMENT and token.type == "COMMA":
            self._error(token.start, token.end, "MissingArgument")
            return "MissingArgument"
        if mode == MODE_ARGUMENT and token.type == "AMP":
            self._error(token.start, token.end, "AmpersandNotAllowed")
            return "AmpersandNotAllowed"
        found = self._diagnose_rule(token)
        if found is not None:
            return found
        if token.type == "PIPE" and self.can("CMD_NAME"):
            # A pipeline that starts with `|` (PipelineRule: the first element is empty).
            self._error(token.start, token.end, "EmptyPipeElement")
            return "EmptyPipeElement"
        if token.type not in _PIPELINE_END and token.type != "PIPE" and self.can_exact("PIPE"):
            return self._unexpected(token)
        for closer in _CLOSERS:
            stack = self._simulate(closer)
            if stack is not None:
                found = self._diagnose_closer(token, closer, stack)
                if found is not None:
                    return found
        return self._unexpected(token)

    def _unexpected(self, token: Tok) -> str:
        if token.type == "$END":
            start, end = self._span(token)
            self._error(start, end, "UnexpectedToken", "")
            return "UnexpectedToken"
        rescanned = self.lexer.command_mode_token(token.start)
        self._error(rescanned.start, rescanned.end, "UnexpectedToken", self._text(rescanned))
        return "UnexpectedToken"

    @staticmethod
    def _span(token: Tok) -> tuple[int, int]:
        """The extent PowerShell gives a token: its end-of-input token sits one past the end."""
        if token.type == "$END":
            return token.start + 1, token.start + 1
        return token.start, token.end

    def _text(self, token: Tok) -> str:
        return self.session.map.text[token.start : token.end]

    def _value(self, stack: list[int], dot: int, position: int) -> Any:
        """The value of the symbol at `position` of a kernel item with `dot` on top of `stack`."""
        return self.values[len(stack) - 1 - dot + position]

    def _diagnose_rule(self, token: Tok) -> str | None:
        """Errors named after the rule being parsed and the symbol before the dot."""
        tables = self.tables
        for rule, dot in tables.kernels[self.stack[-1]]:
            expansion = tables.expansions[rule]
            name = tables.names[rule] or tables.origins[rule]
            origin = tables.origins[rule]
            before = expansion[dot - 1]
            previous = self.values[len(self.values) - 1]
            found = self._rule_error(token, name, origin, before, expansion, dot, previous)
            if found is not None:
                return found
        return None

    def _rule_error(
        self, token: Tok, name: str, origin: str, before: str, expansion: list[str], dot: int, previous: Any
    ) -> str | None:
        after_start, after_end = self._after_last()

        def keyword() -> str:
            return self._text(self._item_keyword(self.stack, dot, expansion))

        def report(error_id: str, *args: str, at: tuple[int, int] | None = None) -> str:
            start, end = at if at is not None else (after_start, after_end)
            self._error(start, end, error_id, *args)
            return error_id

        # (Only with the operator just before the dot: `$a..` or `-`, not after a left operand.)
        if name == "binary" and isinstance(previous, Tok):
            return report("ExpectedValueExpression", self._text(previous))
        if name == "unary" and isinstance(previous, Tok):
            return report("MissingExpressionAfterOperator", self._text(previous))
        if name == "unary_comma":
            return report("MissingExpressionAfterOperator", ",")
        if name == "assignment" and before in ("EQUALS", "ASSIGN_OP"):
            return report("ExpectedValueExpression", self._text(previous))
        if before == "COMMA" and origin in ("array_items", "invoke_arg_list", "params", "attr_arg_list"):
            return report("MissingExpressionAfterToken", ",")
        if before == "COMMA" and origin == "arg_array":
            return report("MissingExpression", ",")
        if before == "COMMA" and origin == "catch_types":
            return report("MissingTypeLiteralToken")
        if name == "hash_entry":
            if before == "EQUALS":
                return report("MissingStatementInHashLiteral")
            return report("MissingEqualsInHashLiteral")
        if origin == "pipe_chain" and before == "PIPE":
            return report("EmptyPipeElement")
        if name == "paren" and before in ("LPAREN", "ARG_LPAREN"):
            return report("ExpectedExpression")
        if name == "invoke" and before == "invoke_args":
            return report("MissingEndParenthesisInMethodCall")
        if name == "invoke" and before == "INVOKE_LPAREN":
            return report("MissingEndParenthesisInMethodCall")
        if name == "index" and before == "LBRACKET_IDX":
            return report("MissingArrayIndexExpression")
        if name in ("member", "invoke") and before in ("DOT", "COLONCOLON"):
            return report("MissingPropertyName")
        if name == "command" and before in ("AMP", "DOT_SOURCE"):
            return report("MissingExpression", self._text(previous), at=(previous.start, previous.end))
        if name == "cmd_parameter":
            return report("ParameterRequiresArgument", self._text(previous))
        if name == "redirection":
            return report("MissingFileSpecification")
        if name in ("if_first", "if_more"):
            if before in ("KW_IF", "KW_ELSEIF"):
                return report("MissingOpenParenthesisInIfStatement", keyword())
            if before == "LPAREN":
                return report("IfStatementMissingCondition", keyword())
            if before == "rparen":
                return report("MissingStatementBlock", keyword(), at=(previous.start, previous.end))
        if name == "if_else" and before == "KW_ELSE":
            return report("MissingStatementBlockAfterElse")
        if name == "foreach_stmt":
            if before == "KW_FOREACH":
                return report("MissingOpenParenthesisAfterKeyword", "foreach")
            return report(_FOREACH_ERRORS.get(before, "MissingEndParenthesisAfterForeach"))
        if name == "for_stmt":
            if before == "KW_FOR":
                return report("MissingOpenParenthesisAfterKeyword", "for")
            if before == "RPAREN":
                return report("MissingLoopStatement", "for")
        if name == "while_stmt" or (name in ("do_while", "do_until") and dot > 2):
            if before in ("KW_WHILE", "KW_UNTIL"):
                return report("MissingOpenParenthesisAfterKeyword", keyword())
            if before == "LPAREN":
                return report("MissingExpressionAfterKeyword", keyword())
            if before == "rparen":
                return report("MissingLoopStatement", keyword())
            if before == "pipeline":
                return report("MissingEndParenthesisAfterStatement", keyword())
        if name in ("do_while", "do_until"):
            if before == "KW_DO":
                return report("MissingLoopStatement", "do")
            if before == "block":
                return report("MissingWhileOrUntilInDoWhile")
        if name == "switch_stmt":
            if before in ("KW_SWITCH", "switch_flags"):
                return report("PipelineValueRequired")
            if before == "pipeline":
                return report("MissingEndParenthesisInSwitchStatement")
            if before == "rparen":
                return report("MissingCurlyBraceInSwitchStatement")
        if name == "switch_clause":
            return report("MissingSwitchStatementClause")
        if name == "try_stmt":
            if before == "KW_TRY":
                return report("MissingTryStatementBlock")
            if before == "block":
                return report("MissingCatchOrFinally")
        if name == "catch_clause":
            return report("MissingCatchHandlerBlock")
        if name == "finally_clause":
            return report("MissingFinallyStatementBlock")
        if name == "function_def":
            if before == "function_kw":
                return report("MissingNameAfterKeyword", self._text(previous))
            if before in ("FUNC_NAME", "RPAREN"):
                return report("MissingFunctionBody")
            if before == "param_list":
                return report("MissingEndParenthesisInFunctionParameterList")
        if name == "param_block" and before == "param_list":
            return report("MissingEndParenthesisInFunctionParameterList")
        if name == "named_block":
            return report("MissingNamedStatementBlock", self._text(previous))
        if name == "attribute":
            if before == "attr_args":
                return report("MissingEndParenthesisInExpression")
            if before == "RPAREN" and previous.start < previous.end:
                # (not after a `)` this parser supplied: PowerShell reports only the `)`)
                return report("EndSquareBracketExpectedAtEndOfAttribute")
        if name == "parameter" and before == "EQUALS":
            return report("MissingExpressionAfterToken", "=")
        return None

    def _diagnose_closer(self, token: Tok, closer: str, stack: list[int]) -> str | None:
        """`token` ends a construct whose closer (`closer`) is missing."""
        tables = self.tables
        after_start, after_end = self._after_last()
        wanted = closer
        items = tables.kernels[stack[-1]]
        if any(tables.origins[rule] == "rparen" for rule, _ in items):
            # After the newline of `rparen: NEWLINE . RPAREN`: the construct is one level down.
            stack = stack[:-1]
            items = tables.kernels[stack[-1]]
            wanted = "rparen"
        accepted = {wanted, "rparen"} if wanted == "RPAREN" else {wanted}
        for rule, dot in items:
            expansion = tables.expansions[rule]
            if dot >= len(expansion) or expansion[dot] not in accepted:
                continue
            name = tables.names[rule] or tables.origins[rule]
            opener_position = max(i for i in range(dot) if expansion[i].isupper())
            opener: Tok = self._value(stack, dot, opener_position)
            if closer == "RBRACE":
                if opener.type in _HASH_OPENERS:
                    self._error(opener.end, opener.end, "MissingEndCurlyBrace")
                else:
                    self._error(opener.start, opener.end, "MissingEndCurlyBrace")
                return "MissingEndCurlyBrace"
            if closer == "RBRACKET":
                if name == "attribute":
                    rparen: Tok = self._value(stack, dot, dot - 1)
                    if rparen.start == rparen.end:
                        return "Silent"  # PowerShell reports the missing `)` only
                    self._error(rparen.end, rparen.end, "EndSquareBracketExpectedAtEndOfAttribute")
                    return "EndSquareBracketExpectedAtEndOfAttribute"
                self._error(after_start, after_end, "MissingEndSquareBracket")
                return "MissingEndSquareBracket"
            if name == "paren":
                self._error(after_start, after_end, "MissingEndParenthesisInExpression")
                return "MissingEndParenthesisInExpression"
            if name in ("subexpression", "array_expression"):
                self._error(*self._span(token), "MissingEndParenthesisInSubexpression")
                return "MissingEndParenthesisInSubexpression"
            if name == "invoke":
                self._error(after_start, after_end, "MissingEndParenthesisInMethodCall")
                return "MissingEndParenthesisInMethodCall"
            if name in ("if_first", "if_more"):
                keyword = self._text(self._item_keyword(stack, dot, expansion))
                self._error(*self._span(token), "MissingEndParenthesisAfterStatement", keyword)
                return "MissingEndParenthesisAfterStatement"
            if name in ("while_stmt", "do_while", "do_until"):
                keyword = self._text(self._item_keyword(stack, dot, expansion))
                self._error(after_start, after_end, "MissingEndParenthesisAfterStatement", keyword)
                return "MissingEndParenthesisAfterStatement"
            if name == "foreach_stmt":
                self._error(after_start, after_end, "MissingEndParenthesisAfterForeach")
                return "MissingEndParenthesisAfterForeach"
            if name == "for_stmt":
                self._error(after_start, after_end, "MissingEndParenthesisAfterStatement", "for")
                return "MissingEndParenthesisAfterStatement"
            if name == "switch_stmt":
                self._error(after_start, after_end, "MissingEndParenthesisInSwitchStatement")
                return "MissingEndParenthesisInSwitchStatement"
            if name in ("function_def", "param_block"):
                self._error(after_start, after_end, "MissingEndParenthesisInFunctionParameterList")
                return "MissingEndParenthesisInFunctionParameterList"
            if name == "attribute":
                self._error(after_start, after_end, "MissingEndParenthesisInExpression")
                return "MissingEndParenthesisInExpression"
        return None

    def _item_keyword(self, stack: list[int], dot: int, expansion: list[str]) -> Tok:
        """The (last) keyword token of a kernel item: if/elseif/while/until."""
        for position in range(dot - 1, -1, -1):
            if expansion[position].startswith("KW_"):
                value: Tok = self._value(stack, dot, position)
                return value
        raise AssertionError("no keyword in the item")


_FOREACH_ERRORS = {
    "LPAREN": "MissingVariableNameAfterForeach",
    "VARIABLE": "MissingInInForeach",
    "KW_IN": "MissingForeachExpression",
    "rparen": "MissingForeachStatement",
}


# The closer a missing-closer error stands for (fed at the end of the file to keep going).
_CLOSER_FOR = {
    "MissingEndCurlyBrace": "RBRACE",
    "MissingEndParenthesisInExpression": "RPAREN",
    "MissingEndParenthesisInSubexpression": "RPAREN",
    "MissingEndParenthesisInMethodCall": "RPAREN",
    "MissingEndSquareBracket": "RBRACKET",
}
