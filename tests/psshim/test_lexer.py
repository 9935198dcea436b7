"""psshim.lexer: character classes, numbers, strings, variables and scanning modes.

Most tokenizer behaviour is visible through the parser (test_parser.py); these tests drive the
tokenizer directly with a parser view that accepts everything.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.lexer import (
    MODE_AFTER,
    MODE_ARGUMENT,
    MODE_OPERAND,
    MODE_STATEMENT,
    Lexer,
    NumberValue,
    SourceMap,
    StringValue,
    Tok,
    VariablePart,
    VariableValue,
)
from hyperv_emu.psshim.parser import ParseError, parse


class AcceptAll:
    def can(self, terminal: str) -> bool:
        return True

    def can_exact(self, terminal: str) -> bool:
        return True


def tokens(text: str, mode: int) -> list[Tok]:
    errors: list[ast.ParseErrorItem] = []
    lexer = Lexer(SourceMap(text), 0, len(text), errors)
    found = []
    while True:
        token = lexer.next_token(mode, AcceptAll())
        if token.type == "$END":
            return found
        found.append(token)


def types(text: str, mode: int) -> list[str]:
    return [t.type for t in tokens(text, mode)]


# ---------------------------------------------------------------------------------------------
# positions
# ---------------------------------------------------------------------------------------------


def test_source_map_lines_and_columns() -> None:
    source = SourceMap("ab\r\ncd\ref\ngh")
    assert source.line_starts == [0, 4, 7, 10]
    extent = source.extent(4, 9)
    assert (extent.start_line, extent.start_column, extent.end_line, extent.end_column) == (2, 1, 3, 3)
    assert extent.text == "cd\ref"
    empty = source.extent(12, 12)
    assert (empty.start_line, empty.start_column, empty.end_column) == (4, 3, 3)


# ---------------------------------------------------------------------------------------------
# command mode
# ---------------------------------------------------------------------------------------------


def test_parameters_and_arguments() -> None:
    found = tokens("-Name:value -Force \u2013Dash -Days:-7 --", MODE_ARGUMENT)
    assert [(t.type, t.value if isinstance(t.value, str) else None) for t in found] == [
        ("PARAM_COLON", "Name"),
        ("BAREWORD", None),
        ("PARAM", "Force"),
        ("PARAM", "Dash"),
        ("PARAM_COLON", "Days"),
        ("BAREWORD", None),
        ("DASHDASH", "--"),
    ]


def test_redirection_tokens() -> None:
    assert types("2>&1 > out >> log *> all 2>err", MODE_ARGUMENT) == [
        "MERGE_REDIRECT",
        "REDIRECT",
        "BAREWORD",
        "REDIRECT",
        "BAREWORD",
        "REDIRECT",
        "BAREWORD",
        "REDIRECT",
        "BAREWORD",
    ]


def test_generic_tokens_absorb_quotes_and_escapes() -> None:
    (token,) = tokens("a`tb'c d'\"e $x\"", MODE_ARGUMENT)
    assert isinstance(token.value, StringValue)
    parts = token.value.parts
    assert parts[0] == "a\tbc de "
    assert isinstance(parts[1], VariablePart) and parts[1].name == "x"


def test_verbatim_argument_runs_to_the_end_of_the_line() -> None:
    found = tokens('--% /a "b | c" | d\nnext', MODE_ARGUMENT)
    assert [t.type for t in found[:3]] == ["BAREWORD", "VERBATIM", "PIPE"]
    assert isinstance(found[1].value, StringValue) and found[1].value.text == '/a "b | c" '


def test_statement_mode_keywords_and_command_names() -> None:
    assert types("if foreach-object function param (", MODE_STATEMENT) == [
        "KW_IF",
        "CMD_NAME",
        "KW_FUNCTION",
        "KW_PARAM",
        "LPAREN",
    ]
    assert types("param x", MODE_STATEMENT) == ["CMD_NAME", "CMD_NAME"]
    assert types("7z.exe .\\x.ps1 % ?", MODE_STATEMENT) == ["CMD_NAME", "CMD_NAME", "CMD_NAME", "CMD_NAME"]


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------


def number(text: str, mode: int = MODE_OPERAND) -> NumberValue:
    (token,) = tokens(text, mode)
    assert isinstance(token.value, NumberValue), token
    return token.value


@pytest.mark.parametrize(
    ("text", "value", "is_long"),
    [
        ("42", 42, False),
        ("2147483647", 2147483647, False),
        ("2147483648", 2147483648, True),
        ("0x7FFFFFFF", 2147483647, False),
        ("0x80000000", -2147483648, False),
        ("0xFFFFFFFFFFFFFFFF", -1, True),
        ("0x10l", 16, True),
        ("10kb", 10240, False),
        ("10KB", 10240, False),
        ("3Mb", 3 * 1024**2, False),
        ("2gB", 2 * 1024**3, True),
        ("4tb", 4 * 1024**4, True),
        ("1pb", 1024**5, True),
        ("5L", 5, True),
        ("1.5", 1.5, False),
        ("1.", 1.0, False),
        ("1e3", 1000.0, False),
        ("1E-2", 0.01, False),
        (".25", 0.25, False),
        ("-3", -3, False),
        ("\u20133", -3, False),
        ("+3", 3, False),
        ("1.5kb", 1536.0, False),
        ("9223372036854775808", Decimal(9223372036854775808), False),
    ],
)
def test_number_values(text: str, value: int | float | Decimal, is_long: bool) -> None:
    found = number(text)
    assert found.value == value and type(found.value) is type(value)
    assert found.is_long == is_long


def test_decimal_suffix() -> None:
    found = number("1.10d")
    assert found.value == Decimal("1.10") and isinstance(found.value, Decimal)


def test_numbers_must_end_at_a_separator() -> None:
    # Expression mode also ends numbers at operator characters; command mode does not.
    assert types("1+2", MODE_AFTER) == ["NUMBER", "PLUS", "NUMBER"]
    assert types("1+2", MODE_ARGUMENT) == ["BAREWORD"]
    assert types("7z", MODE_ARGUMENT) == ["BAREWORD"]
    assert types("10mx", MODE_ARGUMENT) == ["BAREWORD"]


def test_bad_numeric_constant() -> None:
    with pytest.raises(ParseError) as caught:
        parse("$x = 0x1FFFFFFFFFFFFFFFF")
    assert caught.value.errors[0].error_id == "BadNumericConstant"
    assert caught.value.errors[0].message == "The numeric constant 0x1FFFFFFFFFFFFFFFF is not valid."


# ---------------------------------------------------------------------------------------------
# strings and variables
# ---------------------------------------------------------------------------------------------


def string(text: str) -> StringValue:
    (token,) = tokens(text, MODE_OPERAND)
    assert isinstance(token.value, StringValue), token
    return token.value


def test_quote_characters() -> None:
    assert string("\u2018a\u2019").text == "a"
    assert string("\u201ab\u201b").text == "b"
    assert string("\u201cc\u201d").text == "c"
    assert string("\u201ed\u201c").text == "d"
    # U+2033 (double prime) is not a quote.
    assert string("\u201cx\u2033y\u201d").text == "x\u2033y"


def test_doubled_quotes_and_backticks() -> None:
    assert string("'a''b'").text == "a'b"
    assert string("'a\u2019\u2019b'").text == "a\u2019b"
    assert string('"a""b`"c"').text == 'a"b"c'
    assert string('"`0`a`b`f`n`r`t`v`q``"').text == "\0\a\b\f\n\r\t\vq`"
    assert string('"`e"').text == "e"  # Windows PowerShell 5.1 has no `e escape


def test_expansions_in_strings() -> None:
    parts = string('"$a$b ${c d} $e:f $(1) $ $5"').parts
    kinds = [p if isinstance(p, str) else type(p).__name__ for p in parts]
    assert kinds == ["VariablePart", "VariablePart", " ", "VariablePart", " ", "VariablePart", " ", "SubExpressionPart", " $ ", "VariablePart"]
    variables = [(p.name, p.scope) for p in parts if isinstance(p, VariablePart)]
    assert variables == [("a", None), ("b", None), ("c d", None), ("f", "e"), ("5", None)]


def test_here_string_bodies() -> None:
    assert string("@'\nline1\nline2\n'@").text == "line1\nline2"
    assert string('@"\n  "@ is not the end\n"@').text == '  "@ is not the end'
    assert string("@\u201c\n$x\n\u201d@").parts[0].name == "x"  # type: ignore[union-attr]


def test_variables_in_expression_mode() -> None:
    (token,) = tokens("$global:x", MODE_OPERAND)
    assert isinstance(token.value, VariableValue) and (token.value.name, token.value.scope) == ("x", "global")
    assert types("$x-1", MODE_OPERAND)[0] == "VARIABLE"
    assert types("$x-1", MODE_ARGUMENT) == ["BAREWORD"]


def test_requires_lines_are_collected() -> None:
    errors: list[ast.ParseErrorItem] = []
    requires: list[str] = []
    text = "#Requires -Version 5.1\n#requires -Modules Hyper-V\n# requires nothing\n"
    lexer = Lexer(SourceMap(text), 0, len(text), errors, requires)
    while lexer.next_token(MODE_STATEMENT, AcceptAll()).type != "$END":
        pass
    assert requires == ["-Version 5.1", "-Modules Hyper-V"]


def test_comments_only_at_token_start() -> None:
    assert types("a#b #c\n", MODE_ARGUMENT) == ["BAREWORD", "NEWLINE"]
    assert types("<# x #>a", MODE_ARGUMENT) == ["BAREWORD"]
