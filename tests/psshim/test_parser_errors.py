"""psshim.parser: parse errors in PowerShell's shape (ParserStrings ids and English texts,
1-based positions, end column exclusive, zero-width extents for "after X" positions).

Expected positions follow Parser.cs/tokenizer.cs: `After(token)` is the zero-width extent at the
token's end; an error at the end-of-input token sits one past the last character (5.1 prints
`char:<length + 2>` for it on a one-line script).
"""

from __future__ import annotations

import pytest

from hyperv_emu.psshim.parser import ParseError, parse

# (source, error id, start line, start column, end line, end column, message or None)
FIRST_ERRORS = [
    ('Write-Host "abc', "TerminatorExpectedAtEndOfString", 1, 12, 1, 16, "The string is missing the terminator: \"."),
    ("Write-Host 'abc", "TerminatorExpectedAtEndOfString", 1, 12, 1, 16, "The string is missing the terminator: '."),
    ('$s = @"\nabc', "TerminatorExpectedAtEndOfString", 1, 6, 2, 4, 'The string is missing the terminator: "@.'),
    ("$s = @'\nabc\n '@", "WhitespaceBeforeHereStringFooter", 3, 2, 3, 4, "White space is not allowed before the string terminator."),
    ("$s = @' x\n'@", "UnexpectedCharactersAfterHereStringHeader", 1, 9, 1, 10, None),
    ('"$vm: x"', "InvalidVariableReferenceWithDrive", 1, 2, 1, 6, "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name."),
    ("$x = ${abc", "IncompleteDollarVariableReference", 1, 7, 1, 11, "${variable} reference starting is missing the closing '}'."),
    ("<# never closed", "MissingTerminatorMultiLineComment", 1, 1, 1, 16, "The terminator '#>' is missing from the multiline comment."),
    ("if ($x) {\n  foo\n", "MissingEndCurlyBrace", 1, 9, 1, 10, "Missing closing '}' in statement block or type definition."),
    ("foreach ($x in $y) {\n    if ($x) {\n        foo\n}", "MissingEndCurlyBrace", 1, 20, 1, 21, None),
    ("$h = @{ a = 1", "MissingEndCurlyBrace", 1, 8, 1, 8, None),
    ("Get-VM | % { $_", "MissingEndCurlyBrace", 1, 12, 1, 13, None),
    ("$x = 1 +", "ExpectedValueExpression", 1, 9, 1, 9, "You must provide a value expression following the '+' operator."),
    ("$x = 1 -eq", "ExpectedValueExpression", 1, 11, 1, 11, "You must provide a value expression following the '-eq' operator."),
    ("$x =", "ExpectedValueExpression", 1, 5, 1, 5, "You must provide a value expression following the '=' operator."),
    ("-not", "MissingExpressionAfterOperator", 1, 5, 1, 5, "Missing expression after unary operator '-not'."),
    ("$y = -", "MissingExpressionAfterOperator", 1, 7, 1, 7, "Missing expression after unary operator '-'."),
    ("$a = 1,", "MissingExpressionAfterToken", 1, 8, 1, 8, "Missing expression after ','."),
    ("Write-Output a,", "MissingExpression", 1, 16, 1, 16, "Missing expression after ',' in pipeline element."),
    ("$x = (1 + 2", "MissingEndParenthesisInExpression", 1, 12, 1, 12, "Missing closing ')' in expression."),
    ("(1\n+ 2)", "MissingEndParenthesisInExpression", 1, 3, 1, 3, None),
    ("$x = ()", "ExpectedExpression", 1, 7, 1, 7, "An expression was expected after '('."),
    ("$a = @(1, 2", "MissingEndParenthesisInSubexpression", 1, 13, 1, 13, "Missing closing ')' in subexpression."),
    ("$x.Foo(1, 2", "MissingEndParenthesisInMethodCall", 1, 12, 1, 12, "Missing ')' in method call."),
    ("$x.Foo(1 2)", "MissingEndParenthesisInMethodCall", 1, 9, 1, 9, None),
    # A left operand then a stray word (found by the fuzz test: once an internal error).
    ("[math]::Round($u--sed / $t, 2)", "MissingEndParenthesisInMethodCall", 1, 19, 1, 19, None),
    ("$a[1", "MissingEndSquareBracket", 1, 5, 1, 5, "Missing ']' after array index expression."),
    ("$a[]", "MissingArrayIndexExpression", 1, 4, 1, 4, "Array index expression is missing or not valid."),
    ("$x.", "MissingPropertyName", 1, 4, 1, 4, "Missing property name after reference operator."),
    ("Get-VM |", "EmptyPipeElement", 1, 9, 1, 9, "An empty pipe element is not allowed."),
    ("Get-VM | | Get-X", "EmptyPipeElement", 1, 9, 1, 9, None),
    ("Get-X\n| Get-Y", "EmptyPipeElement", 2, 1, 2, 2, None),
    ("Get-X -Name:", "ParameterRequiresArgument", 1, 13, 1, 13, "Parameter -Name: requires an argument."),
    ("Get-X -Name:\n  value", "ParameterRequiresArgument", 1, 13, 1, 13, None),
    ("Get-X a &", "AmpersandNotAllowed", 1, 9, 1, 10, None),
    ("Get-X && Get-Y", "InvalidEndOfLine", 1, 7, 1, 9, "The token '&&' is not a valid statement separator in this version."),
    ("Get-X || Get-Y", "InvalidEndOfLine", 1, 7, 1, 9, "The token '||' is not a valid statement separator in this version."),
    ("Get-X ,a", "MissingArgument", 1, 7, 1, 8, "Missing argument in parameter list."),
    ("&", "MissingExpression", 1, 1, 1, 2, "Missing expression after '&' in pipeline element."),
    ("Get-X >", "MissingFileSpecification", 1, 8, 1, 8, "Missing file specification after redirection operator."),
    ("Get-X < in.txt", "RedirectionNotSupported", 1, 7, 1, 8, "The '<' operator is reserved for future use."),
    ("if ($x -eq 5 {", "UnexpectedToken", 1, 14, 1, 15, "Unexpected token '{' in expression or statement."),
    ("if ($x\n{ 1 }", "MissingEndParenthesisAfterStatement", 2, 1, 2, 2, "Missing closing ')' after expression in 'if' statement."),
    ("if ($x", "MissingEndParenthesisAfterStatement", 1, 8, 1, 8, None),
    ("if", "MissingOpenParenthesisInIfStatement", 1, 3, 1, 3, "Missing '(' after 'if' in if statement."),
    ("if ()", "IfStatementMissingCondition", 1, 5, 1, 5, "Missing condition in if statement after 'if ('."),
    ("if ($x)", "MissingStatementBlock", 1, 7, 1, 8, "Missing statement block after if ( condition )."),
    ("if ($x) {} elseif ($y)", "MissingStatementBlock", 1, 22, 1, 23, "Missing statement block after elseif ( condition )."),
    ("if ($x) {} else", "MissingStatementBlockAfterElse", 1, 16, 1, 16, "Missing statement block after 'else' keyword."),
    ("foreach", "MissingOpenParenthesisAfterKeyword", 1, 8, 1, 8, "Missing opening '(' after keyword 'foreach'."),
    ("foreach (", "MissingVariableNameAfterForeach", 1, 10, 1, 10, None),
    ("foreach ($x $y)", "MissingInInForeach", 1, 12, 1, 12, None),
    ("foreach ($x in)", "MissingForeachExpression", 1, 15, 1, 15, None),
    ("foreach ($a in $b", "MissingEndParenthesisAfterForeach", 1, 18, 1, 18, None),
    ("foreach ($a in $b)", "MissingForeachStatement", 1, 19, 1, 19, None),
    ("while ($x)", "MissingLoopStatement", 1, 11, 1, 11, "Missing statement body in while loop."),
    ("for", "MissingOpenParenthesisAfterKeyword", 1, 4, 1, 4, "Missing opening '(' after keyword 'for'."),
    ("for (;;)", "MissingLoopStatement", 1, 9, 1, 9, "Missing statement body in for loop."),
    ("for ($i = 0; $i", "MissingEndParenthesisAfterStatement", 1, 16, 1, 16, "Missing closing ')' after expression in 'for' statement."),
    ("for ($a; $b; $c; $d) {}", "MissingEndParenthesisAfterStatement", 1, 16, 1, 16, None),
    ("while ($x", "MissingEndParenthesisAfterStatement", 1, 10, 1, 10, "Missing closing ')' after expression in 'while' statement."),
    ("while", "MissingOpenParenthesisAfterKeyword", 1, 6, 1, 6, None),
    ("do { }", "MissingWhileOrUntilInDoWhile", 1, 7, 1, 7, "Missing while or until keyword in do loop."),
    ("do", "MissingLoopStatement", 1, 3, 1, 3, "Missing statement body in do loop."),
    ("try { }", "MissingCatchOrFinally", 1, 8, 1, 8, "The Try statement is missing its Catch or Finally block."),
    ("try", "MissingTryStatementBlock", 1, 4, 1, 4, "The Try statement is missing its statement block."),
    ("try { } catch", "MissingCatchHandlerBlock", 1, 14, 1, 14, "The Catch block is missing its statement block."),
    ("try { } finally", "MissingFinallyStatementBlock", 1, 16, 1, 16, "The Finally block is missing its statement block."),
    ("function", "MissingNameAfterKeyword", 1, 9, 1, 9, "Missing name after function keyword."),
    ("function foo", "MissingFunctionBody", 1, 13, 1, 13, "Missing function body in function declaration."),
    ("function f($a", "MissingEndParenthesisInFunctionParameterList", 1, 14, 1, 14, "Missing ')' in function parameter list."),
    ("switch ($x)", "MissingCurlyBraceInSwitchStatement", 1, 12, 1, 12, "Missing '{' in switch statement."),
    ("switch", "PipelineValueRequired", 1, 7, 1, 7, None),
    ("switch ($x", "MissingEndParenthesisInSwitchStatement", 1, 11, 1, 11, None),
    ("switch ($x) { 'a' }", "MissingSwitchStatementClause", 1, 18, 1, 18, "Missing statement block in switch statement clause."),
    ("@{ a }", "MissingEqualsInHashLiteral", 1, 5, 1, 5, "Missing '=' operator after key in hash literal."),
    ("@{ a = }", "MissingStatementInHashLiteral", 1, 7, 1, 7, "Missing statement after '=' in hash literal."),
    ("$x = \"a\" \"b\"", "UnexpectedToken", 1, 10, 1, 13, "Unexpected token '\"b\"' in expression or statement."),
    ("$x = 5 foo-bar", "UnexpectedToken", 1, 8, 1, 15, "Unexpected token 'foo-bar' in expression or statement."),
    ("$x $y", "UnexpectedToken", 1, 4, 1, 6, None),
    ("$x -foo", "UnexpectedToken", 1, 4, 1, 8, "Unexpected token '-foo' in expression or statement."),
    ("Get-VM )", "UnexpectedToken", 1, 8, 1, 9, "Unexpected token ')' in expression or statement."),
    ("}", "UnexpectedToken", 1, 1, 1, 2, "Unexpected token '}' in expression or statement."),
    ("1 + foo", "ExpectedValueExpression", 1, 4, 1, 4, None),
    ("$a = [", "MissingTypename", 1, 7, 1, 7, "Missing type name after '['."),
    ("from x", "ReservedKeywordNotAllowed", 1, 1, 1, 5, "The 'from' keyword is not supported in this version of the language."),
    ("param(", "MissingEndParenthesisInFunctionParameterList", 1, 7, 1, 7, None),
    ("[Parameter(Mandatory", "MissingEndParenthesisInExpression", 1, 21, 1, 21, None),
    ("$x = @y", "SplattingNotPermitted", 1, 6, 1, 8, None),
]


def first_error(source: str) -> tuple[str, int, int, int, int, str]:
    with pytest.raises(ParseError) as caught:
        parse(source)
    error = caught.value.errors[0]
    extent = error.extent
    return error.error_id, extent.start_line, extent.start_column, extent.end_line, extent.end_column, error.message


@pytest.mark.parametrize(("source", "error_id", "line", "column", "end_line", "end_column", "text"), FIRST_ERRORS)
def test_first_error(source: str, error_id: str, line: int, column: int, end_line: int, end_column: int, text: str | None) -> None:
    found = first_error(source)
    assert found[:5] == (error_id, line, column, end_line, end_column)
    if text is not None:
        assert found[5] == text


def errors(source: str) -> list[tuple[str, int, int]]:
    with pytest.raises(ParseError) as caught:
        parse(source)
    return [(e.error_id, e.extent.start_line, e.extent.start_column) for e in caught.value.errors]


def test_unexpected_token_starts_a_new_statement() -> None:
    # Scenario 13's shape: the token is re-read as a command whose leading comma is an error.
    assert errors('$x = "a"b,"c"') == [("UnexpectedToken", 1, 9), ("MissingArgument", 1, 10)]
    assert errors("$x = 1 2 3 +") == [
        ("UnexpectedToken", 1, 8),
        ("UnexpectedToken", 1, 10),
        ("ExpectedValueExpression", 1, 13),
    ]


def test_each_unclosed_block_is_reported_innermost_first() -> None:
    assert errors("foreach ($x in $y) {\n  if ($x) {\n    @{ a = 1") == [
        ("MissingEndCurlyBrace", 3, 7),
        ("MissingEndCurlyBrace", 2, 11),
        ("MissingEndCurlyBrace", 1, 20),
    ]


def test_string_errors_come_first_and_once() -> None:
    assert errors('"$(Get-Date"') == [("IncompleteDollarSubexpressionReference", 1, 2), ("TerminatorExpectedAtEndOfString", 1, 1)]


def test_error_after_a_stray_closer_keeps_parsing() -> None:
    assert errors("Get-X )\n$y = 1 +") == [("UnexpectedToken", 1, 7), ("ExpectedValueExpression", 2, 9)]


def test_ampersand_and_double_ampersand_are_reported_and_skipped() -> None:
    assert errors("Get-X a & b\n$y = 1 +") == [("AmpersandNotAllowed", 1, 9), ("ExpectedValueExpression", 2, 9)]
    assert errors("Get-X && Get-Y )") == [("InvalidEndOfLine", 1, 7), ("UnexpectedToken", 1, 16)]


def test_repeated_errors_are_reported_once() -> None:
    # The string is scanned after `1`, then again as the start of the next statement.
    assert errors('$x = 1 "$y: z"') == [("InvalidVariableReferenceWithDrive", 1, 9), ("UnexpectedToken", 1, 8)]
    assert errors("Get-X ) )") == [("UnexpectedToken", 1, 7), ("UnexpectedToken", 1, 9)]


def test_parse_error_carries_source_and_path() -> None:
    with pytest.raises(ParseError) as caught:
        parse("\ufeff$x = ", path="C:\\s.ps1")
    assert caught.value.source == "$x = "
    assert caught.value.path == "C:\\s.ps1"
    assert str(caught.value).startswith("C:\\s.ps1:1:5: You must provide a value expression")


def test_many_errors_are_capped() -> None:
    with pytest.raises(ParseError) as caught:
        parse("\n".join("$x = 1 2" for _ in range(200)))
    assert 1 < len(caught.value.errors) <= 60
