"""Build the LALR(1) tables of psshim/parse_tables.py from psshim/grammar.lark.

lark analyses the grammar (LALR(1), shift/reduce conflicts resolved as shifts); this module
numbers the states deterministically, records for every state its kernel items (used to word
parse errors) and the lexer mode (which terminals the lexer may produce there), checks the
conventions of the grammar file, and writes everything as one JSON document into
psshim/parse_tables.py, so that importing the parser never runs lark's analysis.

    python -m psshim.parse_build           # rewrite psshim/parse_tables.py
    python -m psshim.parse_build --check   # exit status 1 if parse_tables.py is stale

Only this module imports lark; psshim.parser falls back to it (slowly) when the tables are
stale, which happens only while the grammar is being edited.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
GRAMMAR_PATH = HERE / "grammar.lark"
TABLES_PATH = HERE / "parse_tables.py"

from hyperv_emu.psshim.lexer import (
    MODE_AFTER,
    MODE_ARGUMENT,
    MODE_FUNCNAME,
    MODE_MEMBER,
    MODE_OPERAND,
    MODE_STATEMENT,
)

# The shift/reduce conflicts the grammar is meant to have, all resolved as shifts:
# after a type literal `[int]`, a following `-`/`+`/`++`/`--` starts a cast operand
# (`[int] -1` is a cast, as in UnaryExpressionRule), not a binary operator on a type.
EXPECTED_CONFLICTS = frozenset(
    {
        ("MINUS", "postfix"),
        ("PLUS", "postfix"),
        ("PLUSPLUS", "postfix"),
        ("MINUSMINUS", "postfix"),
    }
)

_OPERAND_STARTS = ("VARIABLE", "NUMBER", "STRING", "TYPE", "LPAREN")
_OPERATORS = ("OP_LOGICAL", "OP_BITWISE", "OP_COMPARE", "OP_MUL", "OP_FORMAT", "DOTDOT")


def grammar_text() -> str:
    return GRAMMAR_PATH.read_text(encoding="utf-8")


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_mode(accepted: set[str]) -> int:
    """The lexer mode of a state, from the terminals it accepts (exclusive by construction)."""
    if "CMD_NAME" in accepted:
        return MODE_STATEMENT
    if "BAREWORD" in accepted or "PARAM" in accepted:
        return MODE_ARGUMENT
    if "FUNC_NAME" in accepted:
        return MODE_FUNCNAME
    if "IDENT" in accepted:
        return MODE_MEMBER
    if any(t in accepted for t in _OPERAND_STARTS):
        return MODE_OPERAND
    return MODE_AFTER


def _check_mode(state: int, accepted: set[str]) -> list[str]:
    """Combinations that would make the lexer's choice ambiguous."""
    problems = []
    if "CMD_NAME" in accepted and accepted & {"BAREWORD", "PARAM", "IDENT", "ARG_VARIABLE"}:
        problems.append(f"state {state}: command start and command arguments")
    if "BAREWORD" in accepted and accepted & ({"IDENT", "VARIABLE"} | set(_OPERATORS)):
        problems.append(f"state {state}: command arguments and expression tokens")
    if "IDENT" in accepted and accepted & set(_OPERATORS):
        problems.append(f"state {state}: simple name and operators")
    return problems


def build_tables(text: str) -> dict[str, Any]:
    """Run lark's LALR analysis on the grammar text and return the JSON-able tables."""
    import logging

    from lark import Lark, logger
    from lark.lexer import Lexer

    class _NoLexer(Lexer):
        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover
            raise NotImplementedError("psshim drives the tables itself")

    conflicts: set[tuple[str, str]] = set()
    pending: list[str] = []

    class _ConflictLog(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith("Shift/Reduce conflict for terminal"):
                pending.append(message.split("terminal ")[1].split(":")[0].strip())
            elif message.startswith(" * ") and pending:
                rule = message[3:].strip().lstrip("<").split(" : ")[0].strip()
                conflicts.add((pending.pop(), rule))

    old_handlers, old_level = logger.handlers[:], logger.level
    logger.handlers[:] = [_ConflictLog()]
    logger.setLevel(logging.DEBUG)
    try:
        lark = Lark(text, parser="lalr", lexer=_NoLexer, start=["start", "nested"], debug=True)
    finally:
        logger.handlers[:] = old_handlers
        logger.setLevel(old_level)
    unexpected = conflicts - EXPECTED_CONFLICTS
    if unexpected:
        raise ValueError(f"unexpected shift/reduce conflicts: {sorted(unexpected)}")

    rules = list(lark.rules)
    rule_index = {rule: i for i, rule in enumerate(rules)}
    rule_rows = []
    for rule in rules:
        alias = rule.alias
        size = len(rule.expansion)
        if alias is None and size != 1:
            raise ValueError(f"rule needs a name (-> name): {rule}")
        rule_rows.append([rule.origin.name, size, alias or "", [s.name for s in rule.expansion]])

    table = lark.parser.parser._parse_table
    numbering: dict[Any, int] = {}
    order: list[Any] = []
    for start in ("start", "nested"):
        first = table.start_states[start]
        if first not in numbering:
            numbering[first] = len(order)
            order.append(first)
    index = 0
    while index < len(order):
        closure = order[index]
        index += 1
        for symbol in sorted(table.states[closure]):
            action, arg = table.states[closure][symbol]
            if action.name == "Shift" and arg not in numbering:
                numbering[arg] = len(order)
                order.append(arg)

    states = []
    kernels = []
    modes = []
    defaults = []
    problems: list[str] = []
    for number, closure in enumerate(order):
        row: dict[str, int] = {}
        for symbol in sorted(table.states[closure]):
            action, arg = table.states[closure][symbol]
            row[symbol] = numbering[arg] if action.name == "Shift" else -(rule_index[arg] + 1)
        states.append(row)
        kernel = sorted(
            [rule_index[item.rule], item.index]
            for item in closure
            if item.index > 0 and item.rule in rule_index
        )
        kernels.append(kernel)
        accepted = {symbol for symbol in row if symbol.isupper() or symbol == "$END"}
        # A state whose only action is one reduction reduces before the next token is read
        # (a default reduction): its lookaheads are LALR unions of unrelated contexts, so the
        # lexer mode is taken from the state the reduction leads to.
        actions = {row[symbol] for symbol in accepted}
        default = -actions.pop() - 1 if len(actions) == 1 and min(row[s] for s in accepted) < 0 else -1
        defaults.append(default)
        if default < 0:
            problems.extend(_check_mode(number, accepted))
        modes.append(state_mode(accepted))
    if problems:
        raise ValueError("lexer mode conflicts:\n" + "\n".join(problems))

    return {
        "rules": rule_rows,
        "states": states,
        "kernels": kernels,
        "modes": modes,
        "defaults": defaults,
        "start_states": {start: numbering[table.start_states[start]] for start in ("start", "nested")},
        "end_states": {start: numbering[table.end_states[start]] for start in ("start", "nested")},
        "conflicts": sorted([list(c) for c in conflicts]),
    }


def encode_tables(tables: dict[str, Any]) -> dict[str, Any]:
    """The stored form: state rows as flat [symbol number, action, ...] lists (smaller, and
    faster to load than rows keyed by symbol name)."""
    symbols = sorted({symbol for row in tables["states"] for symbol in row})
    number = {symbol: i for i, symbol in enumerate(symbols)}
    states = [[x for symbol, action in row.items() for x in (number[symbol], action)] for row in tables["states"]]
    return dict(tables, symbols=symbols, states=states)


def decode_row(symbols: list[str], row: list[int]) -> dict[str, int]:
    """One stored state row back to its actions by symbol name (the parser decodes each row the
    first time it enters that state)."""
    return {symbols[row[i]]: row[i + 1] for i in range(0, len(row), 2)}


def decode_tables(data: dict[str, Any]) -> dict[str, Any]:
    """The inverse of `encode_tables`."""
    symbols: list[str] = data["symbols"]
    return dict(data, states=[decode_row(symbols, row) for row in data["states"]])


def render_module(text: str, tables: dict[str, Any]) -> str:
    # A Python literal (keys sorted): the tables then load with the module's bytecode, which is
    # several times faster than parsing the same data as JSON text.
    # (Through JSON first: plain lists, dicts and strs — lark's Tokens are str subclasses — with
    # sorted keys.)
    payload = repr(json.loads(json.dumps(encode_tables(tables), sort_keys=True)))
    return (
        '"""LALR(1) tables for psshim/grammar.lark. Generated by `python -m psshim.parse_build`;\n'
        'do not edit. psshim.parser checks GRAMMAR_SHA256 against the grammar file."""\n\n'
        "from typing import Any\n\n"
        f'GRAMMAR_SHA256 = "{grammar_digest(text)}"\n\n'
        f"TABLES: dict[str, Any] = {payload}\n"
    )


def main(argv: list[str]) -> int:
    text = grammar_text()
    module = render_module(text, build_tables(text))
    if "--check" in argv:
        current = TABLES_PATH.read_text(encoding="utf-8") if TABLES_PATH.exists() else ""
        if current != module:
            print("psshim/parse_tables.py is stale: run python -m psshim.parse_build")
            return 1
        return 0
    TABLES_PATH.write_text(module, encoding="utf-8")
    print(f"wrote {TABLES_PATH} ({len(module)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
