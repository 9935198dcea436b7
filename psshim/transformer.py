"""Reductions of psshim/grammar.lark into the frozen nodes of psshim/ast.py.

`AstBuilder` has one method per rule name (`-> name` in the grammar).  The LALR driver of
psshim/parser.py calls it with the rule's children: tokens (`psshim.lexer.Tok`), nodes built by
earlier reductions, and plain lists for the list rules.  Every node gets its extent here, from
the offsets of its first and last child.  Semantic errors PowerShell reports while parsing
(an expression after `|`, a bad assignment target, duplicate keys, ...) are appended to the
shared error list; they do not stop the parse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Union, cast

import attrs

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.lexer import (
    NumberValue,
    RedirectValue,
    SourceMap,
    StringValue,
    SubExpressionPart,
    Tok,
    VariablePart,
    VariableValue,
)
from hyperv_emu.psshim.parse_messages import message

Children = list[Any]
# Parses `text[start:end]` as a statement list (a `$( )` inside a string).
NestedParser = Callable[[int, int], list[ast.StatementAst]]
Spanned = Union[Tok, ast.Ast, list[Any], tuple[Any, ...], None]

_SWITCH_FLAGS = ("regex", "wildcard", "exact", "casesensitive", "parallel", "file")


def _start(item: Spanned) -> int:
    """The start offset of a token, node or list (its first element that has one), or -1."""
    if isinstance(item, Tok):
        return item.start
    if isinstance(item, (list, tuple)):
        for element in item:
            offset = _start(element)
            if offset >= 0:
                return offset
        return -1
    if item is None:
        return -1
    return item.extent.start_offset


def _end(item: Spanned) -> int:
    """The end offset of a token, node or list (its last element that has one), or -1."""
    if isinstance(item, Tok):
        return item.end
    if isinstance(item, (list, tuple)):
        for element in reversed(item):
            offset = _end(element)
            if offset >= 0:
                return offset
        return -1
    if item is None:
        return -1
    return item.extent.end_offset


class AstBuilder:
    """The reduction callbacks for one parse (it holds the source and the error list)."""

    def __init__(self, source: SourceMap, errors: list[ast.ParseErrorItem], nested: NestedParser) -> None:
        self.map = source
        self.errors = errors
        self.nested = nested

    # ------------------------------------------------------------------------------ helpers

    def extent(self, first: Spanned, last: Spanned) -> ast.Extent:
        start = _start(first)
        if start < 0:
            return ast.NO_EXTENT
        return self.map.extent(start, max(_end(last), start))

    def _error(self, start: int, end: int, error_id: str, *args: str) -> None:
        self.errors.append(ast.ParseErrorItem(self.map.extent(start, end), error_id, message(error_id, *args)))

    def callbacks(self, names: Sequence[str]) -> list[Callable[[Children], Any]]:
        """The callback of every grammar rule, by rule name ("" passes the single child)."""
        return [getattr(self, name) if name else _pass for name in names]

    # ------------------------------------------------------------------------------ lists

    def list_empty(self, c: Children) -> list[Any]:
        return []

    def list_first(self, c: Children) -> list[Any]:
        return [c[0]]

    def list_first_pair(self, c: Children) -> list[Any]:
        return [c[0], c[2]]

    def list_more(self, c: Children) -> list[Any]:
        items: list[Any] = c[0]
        items.append(c[1])
        return items

    def list_more_sep(self, c: Children) -> list[Any]:
        items: list[Any] = c[0]
        items.append(c[2])
        return items

    def keep_first(self, c: Children) -> Any:
        return c[0]

    def second(self, c: Children) -> Any:
        return c[1]

    def nothing(self, c: Children) -> None:
        return None

    # ------------------------------------------------------------------------------ script blocks

    def _named(self, statements: list[ast.StatementAst], unnamed: bool) -> ast.NamedBlockAst:
        return ast.NamedBlockAst(tuple(statements), unnamed=unnamed, extent=self.extent(statements, statements))

    def sb_stmts(self, c: Children) -> ast.ScriptBlockAst:
        statements: list[ast.StatementAst] = c[0]
        return ast.ScriptBlockAst(end_block=self._named(statements, True), extent=self.extent(statements, statements))

    def sb_param_stmts(self, c: Children) -> ast.ScriptBlockAst:
        param_block: ast.ParamBlockAst = c[0]
        statements: list[ast.StatementAst] = c[1]
        return ast.ScriptBlockAst(
            param_block=param_block,
            end_block=self._named(statements, True),
            extent=self.extent(param_block, statements or param_block),
        )

    def _named_blocks(self, param_block: ast.ParamBlockAst | None, blocks: list[tuple[str, ast.NamedBlockAst]]) -> ast.ScriptBlockAst:
        found: dict[str, ast.NamedBlockAst] = {}
        for kind, block in blocks:
            if kind in found:
                # PowerShell keeps the first block and reports the second.
                extent = block.extent
                self._error(extent.start_offset, extent.end_offset, "DuplicateScriptCommandClause", kind)
                continue
            found[kind] = block
        first: Spanned = param_block if param_block is not None else [b for _, b in blocks]
        return ast.ScriptBlockAst(
            param_block=param_block,
            begin_block=found.get("begin"),
            process_block=found.get("process"),
            end_block=found.get("end"),
            extent=self.extent(first, [b for _, b in blocks]),
        )

    def sb_named(self, c: Children) -> ast.ScriptBlockAst:
        return self._named_blocks(None, c[0])

    def sb_param_named(self, c: Children) -> ast.ScriptBlockAst:
        return self._named_blocks(c[0], c[1])

    def named_block(self, c: Children) -> tuple[str, ast.NamedBlockAst]:
        keyword: Tok = c[0]
        block: ast.StatementBlockAst = c[1]
        named = ast.NamedBlockAst(block.statements, unnamed=False, extent=self.extent(keyword, block))
        return cast(str, keyword.value), named

    def block(self, c: Children) -> ast.StatementBlockAst:
        return ast.StatementBlockAst(tuple(c[1]), extent=self.extent(c[0], c[2]))

    # ------------------------------------------------------------------------------ param()

    def param_block(self, c: Children) -> ast.ParamBlockAst:
        attributes: list[ast.AttributeAst] = c[0] if len(c) == 5 else []
        keyword: Tok = c[-4]
        parameters: list[ast.ParameterAst] = c[-2]
        self._check_parameters(parameters)
        return ast.ParamBlockAst(tuple(attributes), tuple(parameters), extent=self.extent(keyword, c[-1]))

    def _check_parameters(self, parameters: list[ast.ParameterAst]) -> None:
        seen: set[str] = set()
        for parameter in parameters:
            key = parameter.name.lower()
            if key in seen:
                extent = parameter.extent
                self._error(extent.start_offset, extent.end_offset, "DuplicateFormalParameter", parameter.name)
            seen.add(key)

    def parameter(self, c: Children) -> ast.ParameterAst:
        attributes: list[ast.AttributeAst | ast.TypeConstraintAst] = [] if isinstance(c[0], Tok) else c[0]
        variable: Tok = c[0] if isinstance(c[0], Tok) else c[1]
        default: ast.ExpressionAst | None = c[-1] if len(c) >= 3 else None
        name = cast(VariableValue, variable.value).name
        return ast.ParameterAst(
            name, tuple(attributes), default, extent=self.extent(attributes or variable, default or variable)
        )

    def type_constraint(self, c: Children) -> ast.TypeConstraintAst:
        token: Tok = c[0]
        return ast.TypeConstraintAst(cast(str, token.value), extent=self.extent(token, token))

    def attribute(self, c: Children) -> ast.AttributeAst:
        opener: Tok = c[0]
        positional: list[ast.ExpressionAst] = []
        named: list[tuple[str, ast.ExpressionAst | None]] = []
        for kind, name, value in c[1]:
            if kind == "named":
                named.append((name, value))
            else:
                positional.append(value)
        return ast.AttributeAst(
            cast(str, opener.value), tuple(positional), tuple(named), extent=self.extent(opener, c[3])
        )

    def attr_named(self, c: Children) -> tuple[str, str, ast.ExpressionAst | None]:
        return ("named", cast(str, c[0].value), c[2] if len(c) == 3 else None)

    def attr_positional(self, c: Children) -> tuple[str, str, ast.ExpressionAst]:
        return ("positional", "", c[0])

    # ------------------------------------------------------------------------------ statements

    def labeled(self, c: Children) -> ast.StatementAst:
        label: Tok = c[0]
        statement: ast.StatementAst = c[1]
        labeled: ast.StatementAst = attrs.evolve(cast(Any, statement), label=label.value, extent=self.extent(label, statement))
        return labeled

    def flow_return(self, c: Children) -> ast.ReturnStatementAst:
        return ast.ReturnStatementAst(c[1] if len(c) == 2 else None, extent=self.extent(c[0], c[-1]))

    def flow_throw(self, c: Children) -> ast.ThrowStatementAst:
        return ast.ThrowStatementAst(c[1] if len(c) == 2 else None, extent=self.extent(c[0], c[-1]))

    def flow_exit(self, c: Children) -> ast.ExitStatementAst:
        return ast.ExitStatementAst(c[1] if len(c) == 2 else None, extent=self.extent(c[0], c[-1]))

    def flow_break(self, c: Children) -> ast.BreakStatementAst:
        label = cast(str, c[1].value) if len(c) == 2 else None
        return ast.BreakStatementAst(label, extent=self.extent(c[0], c[-1]))

    def flow_continue(self, c: Children) -> ast.ContinueStatementAst:
        label = cast(str, c[1].value) if len(c) == 2 else None
        return ast.ContinueStatementAst(label, extent=self.extent(c[0], c[-1]))

    def if_first(self, c: Children) -> tuple[Tok, list[tuple[ast.PipelineAst, ast.StatementBlockAst]]]:
        return c[0], [(c[2], c[4])]

    def if_more(self, c: Children) -> tuple[Tok, list[tuple[ast.PipelineAst, ast.StatementBlockAst]]]:
        keyword, clauses = c[0]
        clauses.append((c[3], c[5]))
        return keyword, clauses

    def if_stmt(self, c: Children) -> ast.IfStatementAst:
        keyword, clauses = c[0]
        return ast.IfStatementAst(tuple(clauses), None, extent=self.extent(keyword, clauses[-1][1]))

    def if_else(self, c: Children) -> ast.IfStatementAst:
        keyword, clauses = c[0]
        else_body: ast.StatementBlockAst = c[2]
        return ast.IfStatementAst(tuple(clauses), else_body, extent=self.extent(keyword, else_body))

    def foreach_stmt(self, c: Children) -> ast.ForEachStatementAst:
        variable: Tok = c[2]
        value = cast(VariableValue, variable.value)
        target = ast.VariableExpressionAst(value.name, value.scope, extent=self.extent(variable, variable))
        return ast.ForEachStatementAst(target, c[4], c[6], extent=self.extent(c[0], c[6]))

    def for_stmt(self, c: Children) -> ast.ForStatementAst:
        parts: list[ast.StatementAst | None] = [None, None, None]
        part = 0
        filled = False
        last_end = c[1].end
        for item in c[2]:
            if isinstance(item, Tok):
                # `;` always ends the current part; a newline ends it only once it has a pipeline.
                if item.type == "SEMI" or filled:
                    part += 1
                    filled = False
                if part > 2:
                    break
                last_end = item.end if item.type == "SEMI" else last_end
                continue
            if filled:
                part += 1
            if part > 2:
                break
            parts[part] = item
            filled = True
            last_end = _end(item)
        if part > 2:
            # ForStatementRule stops after the iterator and wants `)` there.
            self._error(last_end, last_end, "MissingEndParenthesisAfterStatement", "for")
        return ast.ForStatementAst(parts[0], parts[1], parts[2], c[4], extent=self.extent(c[0], c[4]))

    def while_stmt(self, c: Children) -> ast.WhileStatementAst:
        return ast.WhileStatementAst(c[2], c[4], extent=self.extent(c[0], c[4]))

    def do_while(self, c: Children) -> ast.DoWhileStatementAst:
        return ast.DoWhileStatementAst(c[1], c[4], until=False, extent=self.extent(c[0], c[5]))

    def do_until(self, c: Children) -> ast.DoWhileStatementAst:
        return ast.DoWhileStatementAst(c[1], c[4], until=True, extent=self.extent(c[0], c[5]))

    def switch_clause(self, c: Children) -> ast.SwitchClauseAst:
        return ast.SwitchClauseAst(c[0], c[1], extent=self.extent(c[0], c[1]))

    def switch_stmt(self, c: Children) -> ast.SwitchStatementAst:
        keyword: Tok = c[0]
        flags: list[str] = []
        for token in c[1]:
            name = cast(str, token.value).lower()
            flag = next((f for f in _SWITCH_FLAGS if f.startswith(name)), None) if name else None
            if flag is None:
                self._error(token.start, token.end, "InvalidSwitchFlag", cast(str, token.value))
                continue
            if flag in ("file", "parallel"):
                self._error(token.start, token.end, "PsshimUnsupportedSyntax", f"switch -{flag}")
                continue
            if flag == "regex" and "wildcard" in flags:
                flags.remove("wildcard")
            if flag == "wildcard" and "regex" in flags:
                flags.remove("regex")
            if flag == "exact":
                flags = [f for f in flags if f not in ("regex", "wildcard")]
            if flag not in flags:
                flags.append(flag)
        clauses: list[ast.SwitchClauseAst] = []
        default: ast.StatementBlockAst | None = None
        for clause in c[6]:
            if clause is None:
                continue
            pattern = clause.pattern
            if isinstance(pattern, ast.StringConstantAst) and pattern.kind == "bare" and pattern.value.lower() == "default":
                if default is not None:
                    self._error(
                        pattern.extent.start_offset, pattern.extent.end_offset, "MultipleSwitchDefaultClauses"
                    )
                default = clause.body
            else:
                clauses.append(clause)
        if not clauses and default is None:
            brace: Tok = c[5]
            self._error(brace.end, brace.end, "MissingSwitchConditionExpression")
        return ast.SwitchStatementAst(
            c[3], tuple(clauses), default, tuple(flags), extent=self.extent(keyword, c[7])
        )

    def catch_clause(self, c: Children) -> ast.CatchClauseAst:
        types: list[Tok] = c[1] if len(c) == 3 else []
        names = tuple(cast(str, t.value) for t in types)
        return ast.CatchClauseAst(names, c[-1], extent=self.extent(c[0], c[-1]))

    def finally_clause(self, c: Children) -> tuple[str, ast.StatementBlockAst]:
        return ("finally", c[1])

    def try_stmt(self, c: Children) -> ast.TryStatementAst:
        catches: list[ast.CatchClauseAst] = c[2] if isinstance(c[2], list) else []
        final: ast.StatementBlockAst | None = c[-1][1] if isinstance(c[-1], tuple) else None
        last: Spanned = final if final is not None else catches
        return ast.TryStatementAst(c[1], tuple(catches), final, extent=self.extent(c[0], last))

    def function_def(self, c: Children) -> ast.FunctionDefinitionAst:
        keyword: Tok = c[0]
        name: Tok = c[1]
        parameters: list[ast.ParameterAst] = c[3] if len(c) == 8 else []
        body: ast.ScriptBlockAst = attrs.evolve(c[-2], extent=self.extent(c[-3], c[-1]))
        self._check_parameters(parameters)
        if parameters and body.param_block is not None:
            block = body.param_block.extent
            self._error(block.start_offset, block.end_offset, "OnlyOneParameterListAllowed")
        return ast.FunctionDefinitionAst(
            cast(str, name.value),
            body,
            tuple(parameters),
            is_filter=keyword.value == "filter",
            extent=self.extent(keyword, c[-1]),
        )

    # ------------------------------------------------------------------------------ pipelines

    def assignment(self, c: Children) -> ast.AssignmentStatementAst:
        left: ast.ExpressionAst = c[0]
        operator: Tok = c[1]
        if not _assignable(left):
            self._error(left.extent.start_offset, left.extent.end_offset, "InvalidLeftHandSide")
        return ast.AssignmentStatementAst(left, cast(str, operator.value), c[2], extent=self.extent(left, c[2]))

    def pipeline(self, c: Children) -> ast.PipelineAst:
        elements: list[ast.CommandBaseAst] = c[0]
        for element in elements[1:]:
            if isinstance(element, ast.CommandExpressionAst):
                extent = element.expression.extent
                self._error(extent.start_offset, extent.end_offset, "ExpressionsMustBeFirstInPipeline")
        return ast.PipelineAst(tuple(elements), extent=self.extent(elements, elements))

    def command_expression(self, c: Children) -> ast.CommandExpressionAst:
        redirections: list[ast.RedirectionAst] = c[1] if len(c) == 2 else []
        return ast.CommandExpressionAst(c[0], tuple(redirections), extent=self.extent(c[0], c[-1]))

    def command(self, c: Children) -> ast.CommandAst:
        first: Tok = c[0]
        operator: str | None = None
        if first.type == "CMD_NAME":
            name: ast.CommandElementAst = ast.StringConstantAst(
                cast(str, first.value), "bare", extent=self.extent(first, first)
            )
        else:
            operator = cast(str, first.value) if first.type == "AMP" else "."
            name = c[1]
        elements: list[ast.CommandElementAst] = [name]
        redirections: list[ast.RedirectionAst] = []
        saw_dashdash = False
        for element in c[-1]:
            if isinstance(element, ast.RedirectionAst):
                redirections.append(element)
            elif isinstance(element, ast.CommandParameterAst) and saw_dashdash:
                # After `--`, parameters are arguments (CommandRule).
                text = element.extent.text
                elements.append(ast.StringConstantAst(text, "bare", extent=element.extent))
            else:
                if isinstance(element, ast.CommandParameterAst) and element.text == "--":
                    saw_dashdash = True
                elements.append(element)
        return ast.CommandAst(
            tuple(elements), operator, tuple(redirections), extent=self.extent(first, [name, c[-1]])
        )

    def cmd_parameter(self, c: Children) -> ast.CommandParameterAst:
        token: Tok = c[0]
        name = cast(str, token.value)
        text = self.map.text[token.start : token.end]
        if len(c) == 2:
            return ast.CommandParameterAst(name, c[1], colon=True, text=text, extent=self.extent(token, c[1]))
        return ast.CommandParameterAst(name, None, colon=token.type == "PARAM_COLON", text=text, extent=self.extent(token, token))

    def cmd_dashdash(self, c: Children) -> ast.CommandParameterAst:
        token: Tok = c[0]
        return ast.CommandParameterAst("-", None, text="--", extent=self.extent(token, token))

    def redirection(self, c: Children) -> ast.RedirectionAst:
        token: Tok = c[0]
        value = cast(RedirectValue, token.value)
        if len(c) == 2:
            return ast.RedirectionAst(value.stream, c[1], value.append, extent=self.extent(token, c[1]))
        return ast.RedirectionAst(value.stream, to_stream=value.to_stream, extent=self.extent(token, token))

    # ------------------------------------------------------------------------------ expressions

    def binary(self, c: Children) -> ast.BinaryExpressionAst:
        operator: Tok = c[1]
        return ast.BinaryExpressionAst(cast(str, operator.value), c[0], c[2], extent=self.extent(c[0], c[2]))

    def array_literal(self, c: Children) -> ast.ArrayLiteralAst:
        items: list[ast.ExpressionAst] = c[0]
        return ast.ArrayLiteralAst(tuple(items), extent=self.extent(items, items))

    def unary_comma(self, c: Children) -> ast.UnaryExpressionAst:
        return ast.UnaryExpressionAst(",", c[1], extent=self.extent(c[0], c[1]))

    def unary(self, c: Children) -> ast.UnaryExpressionAst:
        operator: Tok = c[0]
        return ast.UnaryExpressionAst(cast(str, operator.value), c[1], extent=self.extent(operator, c[1]))

    def postfix_unary(self, c: Children) -> ast.UnaryExpressionAst:
        operator: Tok = c[1]
        return ast.UnaryExpressionAst("post" + cast(str, operator.value), c[0], extent=self.extent(c[0], operator))

    def cast(self, c: Children) -> ast.ConvertExpressionAst:
        token: Tok = c[0]
        return ast.ConvertExpressionAst(cast(str, token.value), c[1], extent=self.extent(token, c[1]))

    def type_expression(self, c: Children) -> ast.TypeExpressionAst:
        token: Tok = c[0]
        return ast.TypeExpressionAst(cast(str, token.value), extent=self.extent(token, token))

    def member(self, c: Children) -> ast.MemberExpressionAst:
        operator: Tok = c[1]
        return ast.MemberExpressionAst(c[0], c[2], static=operator.value == "::", extent=self.extent(c[0], c[2]))

    def invoke(self, c: Children) -> ast.InvokeMemberExpressionAst:
        operator: Tok = c[1]
        arguments: list[ast.ExpressionAst] = c[4]
        return ast.InvokeMemberExpressionAst(
            c[0], c[2], tuple(arguments), static=operator.value == "::", extent=self.extent(c[0], c[5])
        )

    def invoke_block(self, c: Children) -> ast.InvokeMemberExpressionAst:
        """`$x.Where{ ... }`: a method call whose one argument is the script block written
        directly after the name, without parentheses (Parser.cs, MemberAccessRule)."""
        block = self.script_block_expression(c[3:6])
        return ast.InvokeMemberExpressionAst(c[0], c[2], (block,), static=False, extent=self.extent(c[0], c[5]))

    def index(self, c: Children) -> ast.IndexExpressionAst:
        return ast.IndexExpressionAst(c[0], c[2], extent=self.extent(c[0], c[3]))

    def member_name(self, c: Children) -> ast.StringConstantAst:
        token: Tok = c[0]
        return ast.StringConstantAst(cast(str, token.value), "bare", extent=self.extent(token, token))

    def variable(self, c: Children) -> ast.VariableExpressionAst:
        token: Tok = c[0]
        value = cast(VariableValue, token.value)
        splatted = token.type.endswith("SPLAT")
        if token.type == "SPLAT":
            self._error(token.start, token.end, "SplattingNotPermitted", value.name)
        return ast.VariableExpressionAst(value.name, value.scope, splatted, extent=self.extent(token, token))

    def number(self, c: Children) -> ast.ConstantExpressionAst:
        token: Tok = c[0]
        value = cast(NumberValue, token.value)
        return ast.ConstantExpressionAst(value.value, value.is_long, extent=self.extent(token, token))

    def string(self, c: Children) -> ast.ExpressionAst:
        """A quoted string, a here-string or a command-mode bareword."""
        token: Tok = c[0]
        return self._string(cast(StringValue, token.value), token)

    def _string(self, value: StringValue, token: Tok) -> ast.ExpressionAst:
        extent = self.extent(token, token)
        if not value.expandable:
            return ast.StringConstantAst(value.text, value.kind, extent=extent)
        parts: list[Union[str, ast.ExpressionAst]] = []
        for part in value.parts:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, VariablePart):
                parts.append(
                    ast.VariableExpressionAst(part.name, part.scope, extent=self.map.extent(part.start, part.end))
                )
            else:
                parts.append(self._subexpression_part(part))
        return ast.ExpandableStringAst(tuple(parts), value.kind, extent=extent)

    def _subexpression_part(self, part: SubExpressionPart) -> ast.SubExpressionAst:
        inner_end = part.end - 1 if part.closed else part.end
        # An unclosed `$(` has already been reported by the tokenizer.
        statements = self.nested(part.start + 2, inner_end) if part.closed else []
        inner = self.map.extent(part.start + 2, inner_end)
        block = ast.StatementBlockAst(tuple(statements), extent=self.extent(statements, statements) if statements else inner)
        return ast.SubExpressionAst(block, extent=self.map.extent(part.start, part.end))

    def paren(self, c: Children) -> ast.ParenExpressionAst:
        return ast.ParenExpressionAst(c[1], extent=self.extent(c[0], c[2]))

    def subexpression(self, c: Children) -> ast.SubExpressionAst:
        statements: list[ast.StatementAst] = c[1]
        block = ast.StatementBlockAst(tuple(statements), extent=self.extent(statements, statements))
        return ast.SubExpressionAst(block, extent=self.extent(c[0], c[2]))

    def array_expression(self, c: Children) -> ast.ArrayExpressionAst:
        statements: list[ast.StatementAst] = c[1]
        block = ast.StatementBlockAst(tuple(statements), extent=self.extent(statements, statements))
        return ast.ArrayExpressionAst(block, extent=self.extent(c[0], c[2]))

    def hashtable(self, c: Children) -> ast.HashtableAst:
        pairs: list[tuple[ast.ExpressionAst, ast.StatementAst]] = c[1]
        seen: set[str] = set()
        for key, _ in pairs:
            if isinstance(key, ast.StringConstantAst):
                folded = key.value.lower()
                if folded in seen:
                    extent = key.extent
                    self._error(extent.start_offset, extent.end_offset, "DuplicateKeyInHashLiteral", key.value)
                seen.add(folded)
        return ast.HashtableAst(tuple(pairs), extent=self.extent(c[0], c[2]))

    def hash_entry(self, c: Children) -> tuple[ast.ExpressionAst, ast.StatementAst]:
        return (c[0], c[2])

    def script_block_expression(self, c: Children) -> ast.ScriptBlockExpressionAst:
        extent = self.extent(c[0], c[2])
        block: ast.ScriptBlockAst = attrs.evolve(c[1], extent=extent)
        return ast.ScriptBlockExpressionAst(block, extent=extent)


def _pass(c: Children) -> Any:
    return c[0]


def _assignable(expression: ast.ExpressionAst) -> bool:
    """What PowerShell accepts left of `=` (variables, members, indexes, casts, arrays)."""
    if isinstance(expression, (ast.VariableExpressionAst, ast.MemberExpressionAst, ast.IndexExpressionAst)):
        return not (isinstance(expression, ast.VariableExpressionAst) and expression.splatted)
    if isinstance(expression, ast.ConvertExpressionAst):
        return _assignable(expression.child)
    if isinstance(expression, ast.ArrayLiteralAst):
        return all(_assignable(e) for e in expression.elements)
    if isinstance(expression, ast.ParenExpressionAst):
        pipeline = expression.pipeline
        if isinstance(pipeline, ast.PipelineAst) and len(pipeline.elements) == 1:
            element = pipeline.elements[0]
            return isinstance(element, ast.CommandExpressionAst) and _assignable(element.expression)
    return False
