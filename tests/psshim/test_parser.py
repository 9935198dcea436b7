"""psshim.parser: snippet -> AST, one group of tests per grammar area.

Nodes compare without their extents (attrs `eq=False` on Ast.extent), so expected trees are
written with the node classes directly; extents are checked where they matter.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.parser import ParseError, parse

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def S(value: str, kind: str = "bare") -> ast.StringConstantAst:
    return ast.StringConstantAst(value, kind)


def C(value: int | float | Decimal, is_long: bool = False) -> ast.ConstantExpressionAst:
    return ast.ConstantExpressionAst(value, is_long)


def V(name: str, scope: str | None = None, splatted: bool = False) -> ast.VariableExpressionAst:
    return ast.VariableExpressionAst(name, scope, splatted)


def P(name: str, argument: ast.ExpressionAst | None = None, colon: bool = False, text: str | None = None) -> ast.CommandParameterAst:
    return ast.CommandParameterAst(name, argument, colon, text if text is not None else "-" + name + (":" if colon else ""))


def B(op: str, left: ast.ExpressionAst, right: ast.ExpressionAst) -> ast.BinaryExpressionAst:
    return ast.BinaryExpressionAst(op, left, right)


def U(op: str, child: ast.ExpressionAst) -> ast.UnaryExpressionAst:
    return ast.UnaryExpressionAst(op, child)


def A(*elements: ast.ExpressionAst) -> ast.ArrayLiteralAst:
    return ast.ArrayLiteralAst(tuple(elements))


def CMD(*elements: ast.CommandElementAst, op: str | None = None) -> ast.CommandAst:
    return ast.CommandAst(tuple(elements), op)


def PIPE(*elements: ast.CommandBaseAst) -> ast.PipelineAst:
    return ast.PipelineAst(tuple(elements))


def CE(expression: ast.ExpressionAst) -> ast.CommandExpressionAst:
    return ast.CommandExpressionAst(expression)


def EXPR_STMT(expression: ast.ExpressionAst) -> ast.PipelineAst:
    return PIPE(CE(expression))


def statements(source: str) -> tuple[ast.StatementAst, ...]:
    script = parse(source)
    assert script.end_block is not None
    return script.end_block.statements


def statement(source: str) -> ast.StatementAst:
    found = statements(source)
    assert len(found) == 1, found
    return found[0]


def pipeline(source: str) -> ast.PipelineAst:
    found = statement(source)
    assert isinstance(found, ast.PipelineAst), found
    return found


def command(source: str) -> ast.CommandAst:
    found = pipeline(source).elements
    assert len(found) == 1 and isinstance(found[0], ast.CommandAst), found
    return found[0]


def expression(source: str) -> ast.ExpressionAst:
    found = pipeline(source).elements
    assert len(found) == 1 and isinstance(found[0], ast.CommandExpressionAst), found
    return found[0].expression


def arguments(source: str) -> tuple[ast.CommandElementAst, ...]:
    return command(source).elements[1:]


# ---------------------------------------------------------------------------------------------
# commands, parameters, arguments
# ---------------------------------------------------------------------------------------------


def test_command_with_named_and_positional_arguments() -> None:
    assert command('Set-VM -Name "SRV-APP01" -CheckpointType Production') == CMD(
        S("Set-VM"), P("Name"), S("SRV-APP01", "double"), P("CheckpointType"), S("Production")
    )
    assert command("Get-VM TestVM") == CMD(S("Get-VM"), S("TestVM"))


def test_colon_parameters_bind_their_value() -> None:
    assert arguments("Restore-VMCheckpoint -Confirm:$false") == (P("Confirm", V("false"), colon=True),)
    assert arguments("Get-Thing -Days:-7") == (P("Days", S("-7"), colon=True),)
    assert arguments("Get-Thing -Name: x") == (P("Name", S("x"), colon=True),)
    assert arguments("Get-Thing -List:a,b") == (P("List", A(S("a"), S("b")), colon=True),)


def test_switch_parameter_then_value_is_two_elements() -> None:
    assert arguments("Get-Thing -Force $false") == (P("Force"), V("false"))


def test_bareword_lists_are_one_array_argument() -> None:
    assert arguments("Select-Object Name, CheckpointType") == (A(S("Name"), S("CheckpointType")),)
    assert arguments("Select VMName,State,ComputerName") == (A(S("VMName"), S("State"), S("ComputerName")),)
    assert arguments('Write-Output "a","b" c') == (A(S("a", "double"), S("b", "double")), S("c"))


def test_array_argument_may_continue_on_the_next_line() -> None:
    assert arguments("Select-Object a,\n    b") == (A(S("a"), S("b")),)


def test_barewords_are_strings_even_when_they_look_like_operators() -> None:
    assert arguments(r"Write-Output 2+2 D:\VMs\*.avhdx a=b .. 7z.exe") == (
        S("2+2"),
        S(r"D:\VMs\*.avhdx"),
        S("a=b"),
        S(".."),
        S("7z.exe"),
    )


def test_numbers_in_command_mode_end_at_a_separator() -> None:
    args = arguments("Write-Output 10MB 007 1.5 .5 0x10 1..5 10mb.txt")
    assert args == (C(10485760), C(7), C(1.5), C(0.5), C(16), S("1..5"), S("10mb.txt"))
    assert [a.extent.text for a in args] == ["10MB", "007", "1.5", ".5", "0x10", "1..5", "10mb.txt"]


def test_signed_numbers_in_command_mode_are_barewords() -> None:
    # tokenizer.cs scans `-7`/`+7` as generic tokens outside expressions; a typed parameter
    # converts the string, Write-Output prints it as typed.
    assert arguments("Write-Output -7 +5 -007") == (S("-7"), S("+5"), S("-007"))


def test_expandable_barewords() -> None:
    assert arguments("Write-Output a$x") == (ast.ExpandableStringAst(("a", V("x")), "bare"),)
    (sub,) = arguments("Write-Output pre$(1+1)")
    assert isinstance(sub, ast.ExpandableStringAst) and sub.kind == "bare"
    assert sub.parts[0] == "pre"
    assert sub.parts[1] == ast.SubExpressionAst(ast.StatementBlockAst((EXPR_STMT(B("+", C(1), C(1))),)))
    assert arguments("Write-Output $x-old") == (ast.ExpandableStringAst((V("x"), "-old"), "bare"),)


def test_member_access_ends_an_argument() -> None:
    member = ast.MemberExpressionAst(V("a"), S("Length"))
    assert arguments("Write-Output $a.Length-more") == (member, P("more"))
    assert arguments("Write-Output $a.Length -more") == (member, P("more"))
    # A space before the dot makes it a separate argument.
    assert arguments("Write-Output $a .Length") == (V("a"), S(".Length"))


def test_quoted_argument_followed_by_bareword_is_two_arguments() -> None:
    assert arguments('Write-Output "a"b') == (S("a", "double"), S("b"))
    assert arguments('Write-Output a"b c"d') == (S("ab cd"),)


def test_parenthesized_and_subexpression_arguments() -> None:
    (paren,) = arguments("Write-Output (2+2)")
    assert paren == ast.ParenExpressionAst(EXPR_STMT(B("+", C(2), C(2))))
    (invoke,) = arguments("Write-Output (Get-Date).AddDays(-7)")
    assert isinstance(invoke, ast.InvokeMemberExpressionAst)
    assert invoke.member == S("AddDays") and invoke.arguments == (C(-7),)
    assert arguments("Write-Output $(1)a") == (
        ast.SubExpressionAst(ast.StatementBlockAst((EXPR_STMT(C(1)),))),
        S("a"),
    )


def test_splatting_and_script_block_arguments() -> None:
    args = arguments("Get-VM @params { $_ }")
    assert args[0] == V("params", splatted=True)
    assert isinstance(args[1], ast.ScriptBlockExpressionAst)


def test_invocation_operators() -> None:
    assert command("& $sb arg") == CMD(V("sb"), S("arg"), op="&")
    assert command("& 'C:\\x.ps1'") == CMD(S("C:\\x.ps1", "single"), op="&")
    assert command(". .\\lib.ps1") == CMD(S(".\\lib.ps1"), op=".")
    assert command(".\\script.ps1 -x") == CMD(S(".\\script.ps1"), P("x"))


def test_double_dash_ends_parameters() -> None:
    assert command("cmd -- -x") == CMD(S("cmd"), P("-", text="--"), S("-x"))


def test_verbatim_argument() -> None:
    found = pipeline("icacls.exe --% /grant Users:(F) x | y").elements
    assert found[0] == CMD(S("icacls.exe"), S("--%"), S("/grant Users:(F) x "))
    assert found[1] == CMD(S("y"))


def test_redirections() -> None:
    found = command("Get-ChildItem C:\\ 2>&1 > $null")
    assert found.elements == (S("Get-ChildItem"), S("C:\\"))
    assert found.redirections == (
        ast.RedirectionAst("2", to_stream="1"),
        ast.RedirectionAst("1", V("null"), False),
    )
    assert command("Get-X >> log.txt").redirections == (ast.RedirectionAst("1", S("log.txt"), True),)
    element = pipeline("$x > out.txt").elements[0]
    assert isinstance(element, ast.CommandExpressionAst)
    assert element.redirections == (ast.RedirectionAst("1", S("out.txt")),)


def test_aliases_and_symbol_command_names() -> None:
    found = pipeline("Get-VM | % { $_ } | ? Name -like 'S*' | foreach Name")
    names = [e.elements[0] for e in found.elements if isinstance(e, ast.CommandAst)]
    assert names == [S("Get-VM"), S("%"), S("?"), S("foreach")]


def test_keywords_are_command_names_after_a_pipe_or_in_arguments() -> None:
    found = pipeline("Get-X | foreach { $_ }")
    assert found.elements[1].elements[0] == S("foreach")  # type: ignore[union-attr]
    assert arguments("Write-Output if else function") == (S("if"), S("else"), S("function"))


# ---------------------------------------------------------------------------------------------
# pipelines
# ---------------------------------------------------------------------------------------------


def test_pipeline_with_continuation_after_pipe() -> None:
    found = pipeline("Get-VMCheckpoint -VMName x |\n    Select-Object Name |\n    Format-Table -AutoSize")
    assert [e.elements[0] for e in found.elements] == [S("Get-VMCheckpoint"), S("Select-Object"), S("Format-Table")]  # type: ignore[union-attr]


def test_expression_first_in_pipeline() -> None:
    assert pipeline("$x | Out-Null") == PIPE(CE(V("x")), CMD(S("Out-Null")))
    assert pipeline("1..5 | % { $_ }").elements[0] == CE(B("..", C(1), C(5)))


def test_expression_after_a_pipe_is_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse("Get-X | $y")
    assert [e.error_id for e in caught.value.errors] == ["ExpressionsMustBeFirstInPipeline"]


def test_newline_before_a_pipe_ends_the_statement() -> None:
    with pytest.raises(ParseError) as caught:
        parse("Get-X\n| Get-Y")
    assert caught.value.errors[0].error_id == "EmptyPipeElement"


# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------


def test_assignments() -> None:
    assert statement("$x = 5") == ast.AssignmentStatementAst(V("x"), "=", EXPR_STMT(C(5)))
    assert statement("$a, $b = 1, 2") == ast.AssignmentStatementAst(A(V("a"), V("b")), "=", EXPR_STMT(A(C(1), C(2))))
    found = statement("$h.k += 1")
    assert isinstance(found, ast.AssignmentStatementAst) and found.op == "+="
    assert found.left == ast.MemberExpressionAst(V("h"), S("k"))
    found = statement("[int]$n = '5'")
    assert isinstance(found, ast.AssignmentStatementAst)
    assert found.left == ast.ConvertExpressionAst("int", V("n"))
    chained = statement("$a = $b = 1")
    assert chained == ast.AssignmentStatementAst(V("a"), "=", ast.AssignmentStatementAst(V("b"), "=", EXPR_STMT(C(1))))
    for op in ("-=", "*=", "/=", "%="):
        assert statement(f"$x {op} 2") == ast.AssignmentStatementAst(V("x"), op, EXPR_STMT(C(2)))


def test_assignment_value_is_a_statement() -> None:
    found = statement("$t = Get-Date")
    assert found == ast.AssignmentStatementAst(V("t"), "=", PIPE(CMD(S("Get-Date"))))
    found = statement("$r = if ($x) { 1 } else { 2 }")
    assert isinstance(found, ast.AssignmentStatementAst) and isinstance(found.right, ast.IfStatementAst)
    found = statement("$x =\n  5")
    assert found == ast.AssignmentStatementAst(V("x"), "=", EXPR_STMT(C(5)))


def test_if_elseif_else_with_newlines_before_the_keywords() -> None:
    found = statement("if ($a) { 1 }\nelseif ($b) { 2 }\n\nelse\n{ 3 }")
    assert isinstance(found, ast.IfStatementAst)
    assert [c[0] for c in found.clauses] == [EXPR_STMT(V("a")), EXPR_STMT(V("b"))]
    assert found.else_body == ast.StatementBlockAst((EXPR_STMT(C(3)),))


def test_if_condition_is_a_pipeline() -> None:
    found = statement("if (Test-Path $p) { 'yes' }")
    assert isinstance(found, ast.IfStatementAst)
    assert found.clauses[0][0] == PIPE(CMD(S("Test-Path"), V("p")))


def test_statement_after_a_closing_brace_needs_no_separator() -> None:
    found = statements("if ($x) { 1 } Get-Date")
    assert len(found) == 2 and found[1] == PIPE(CMD(S("Get-Date")))


def test_foreach_for_while_do() -> None:
    found = statement("foreach ($vm in $vms) { $vm }")
    assert found == ast.ForEachStatementAst(V("vm"), EXPR_STMT(V("vms")), ast.StatementBlockAst((EXPR_STMT(V("vm")),)))
    found = statement("for ($i = 0; $i -lt 3; $i++) { }")
    assert isinstance(found, ast.ForStatementAst)
    assert found.initializer == ast.AssignmentStatementAst(V("i"), "=", EXPR_STMT(C(0)))
    assert found.condition == EXPR_STMT(B("-lt", V("i"), C(3)))
    assert found.iterator == EXPR_STMT(U("post++", V("i")))
    found = statement("for (;;) { break }")
    assert isinstance(found, ast.ForStatementAst) and found.initializer is None and found.condition is None
    # Newlines end the parts too; a `;` after a newline leaves the part empty (ForStatementRule).
    found = statement("for ($i = 0\n  $i -lt 3\n  $i++) { }")
    assert isinstance(found, ast.ForStatementAst)
    assert found.condition == EXPR_STMT(B("-lt", V("i"), C(3))) and found.iterator == EXPR_STMT(U("post++", V("i")))
    found = statement("for ($i = 0\n; $j) { }")
    assert isinstance(found, ast.ForStatementAst) and found.condition is None and found.iterator == EXPR_STMT(V("j"))
    found = statement("for ($i = 0) { }")
    assert isinstance(found, ast.ForStatementAst) and found.condition is None and found.iterator is None
    found = statement("while ($true) { continue }")
    assert found == ast.WhileStatementAst(EXPR_STMT(V("true")), ast.StatementBlockAst((ast.ContinueStatementAst(),)))
    found = statement("do { $i-- } until ($i -le 0)")
    assert isinstance(found, ast.DoWhileStatementAst) and found.until
    found = statement("do { $i-- }\nwhile ($i -gt 0)")
    assert isinstance(found, ast.DoWhileStatementAst) and not found.until


def test_labels_and_flow_control() -> None:
    found = statement(":outer foreach ($a in $b) { break outer }")
    assert isinstance(found, ast.ForEachStatementAst) and found.label == "outer"
    assert found.body.statements == (ast.BreakStatementAst("outer"),)
    found = statement(":loop\nwhile ($true) { continue loop }")
    assert isinstance(found, ast.WhileStatementAst) and found.label == "loop"
    assert statements("return; return 5; throw; throw 'x'; exit; exit 1") == (
        ast.ReturnStatementAst(),
        ast.ReturnStatementAst(EXPR_STMT(C(5))),
        ast.ThrowStatementAst(),
        ast.ThrowStatementAst(EXPR_STMT(S("x", "single"))),
        ast.ExitStatementAst(),
        ast.ExitStatementAst(EXPR_STMT(C(1))),
    )


def test_switch_with_options_and_clause_kinds() -> None:
    source = """switch -Wildcard -casesensitive ($x) {
    'a*' { 'starts with a'; break }
    {$_ -gt 5} { 'big' }
    42 { 'answer' }
    Running { 'word' }
    default { 'other' }
}"""
    found = statement(source)
    assert isinstance(found, ast.SwitchStatementAst)
    assert found.flags == ("wildcard", "casesensitive")
    assert found.condition == EXPR_STMT(V("x"))
    patterns = [c.pattern for c in found.clauses]
    assert patterns[0] == S("a*", "single")
    assert isinstance(patterns[1], ast.ScriptBlockExpressionAst)
    assert patterns[2:] == [C(42), S("Running")]
    assert found.default == ast.StatementBlockAst((EXPR_STMT(S("other", "single")),))


def test_switch_flag_prefixes_and_regex_exact() -> None:
    found = statement("switch -regex -exact ($x) { 'a' { 1 } }")
    assert isinstance(found, ast.SwitchStatementAst) and found.flags == ("exact",)
    found = statement("switch -r ($x) { 'a' { 1 } }")
    assert isinstance(found, ast.SwitchStatementAst) and found.flags == ("regex",)


def test_try_catch_finally() -> None:
    found = statement("try { x }\ncatch [System.Management.Automation.RuntimeException], [Exception] { y }\ncatch { z }\nfinally { w }")
    assert isinstance(found, ast.TryStatementAst)
    assert [c.type_names for c in found.catches] == [("System.Management.Automation.RuntimeException", "Exception"), ()]
    assert found.finally_body == ast.StatementBlockAst((PIPE(CMD(S("w"))),))
    found = statement("try { x } finally { y }")
    assert isinstance(found, ast.TryStatementAst) and found.catches == ()


def test_statement_separators() -> None:
    assert len(statements("a; b\nc\r\nd\re")) == 5
    assert len(statements(";;\n\n a ;; b ;")) == 2
    assert statements("") == ()
    assert statements("  \n# only a comment\n") == ()


# ---------------------------------------------------------------------------------------------
# functions, param() and script blocks
# ---------------------------------------------------------------------------------------------


def test_function_with_param_block_and_attributes() -> None:
    source = """function Get-Old {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position=0, ValueFromPipeline)]
        [Alias('VM')]
        [ValidateSet('A','B')]
        [string[]]$Name,
        [switch]$Force,
        [int]$Days = 7
    )
    $Name
}"""
    found = statement(source)
    assert isinstance(found, ast.FunctionDefinitionAst) and found.name == "Get-Old"
    block = found.body.param_block
    assert block is not None
    assert block.attributes == (ast.AttributeAst("CmdletBinding"),)
    name, force, days = block.parameters
    assert name == ast.ParameterAst(
        "Name",
        (
            ast.AttributeAst("Parameter", (), (("Mandatory", None), ("Position", C(0)), ("ValueFromPipeline", None))),
            ast.AttributeAst("Alias", (S("VM", "single"),)),
            ast.AttributeAst("ValidateSet", (S("A", "single"), S("B", "single"))),
            ast.TypeConstraintAst("string[]"),
        ),
    )
    assert force == ast.ParameterAst("Force", (ast.TypeConstraintAst("switch"),))
    assert days == ast.ParameterAst("Days", (ast.TypeConstraintAst("int"),), C(7))
    assert found.body.end_block is not None
    assert found.body.end_block.statements == (EXPR_STMT(V("Name")),)


def test_function_parameters_in_parentheses_and_filters() -> None:
    found = statement("function Add($a, $b = 2) { return $a + $b }")
    assert isinstance(found, ast.FunctionDefinitionAst)
    assert found.parameters == (ast.ParameterAst("a"), ast.ParameterAst("b", (), C(2)))
    found = statement("filter Double { $_ * 2 }")
    assert isinstance(found, ast.FunctionDefinitionAst) and found.is_filter
    found = statement("function\nGet-X\n{\n}")
    assert isinstance(found, ast.FunctionDefinitionAst) and found.name == "Get-X"


def test_begin_process_end_blocks() -> None:
    found = statement("function f { begin { 1 }\n process { $_ }\n end { 3 } }")
    assert isinstance(found, ast.FunctionDefinitionAst)
    body = found.body
    assert body.begin_block == ast.NamedBlockAst((EXPR_STMT(C(1)),))
    assert body.process_block == ast.NamedBlockAst((EXPR_STMT(V("_")),))
    assert body.end_block == ast.NamedBlockAst((EXPR_STMT(C(3)),))


def test_script_level_param_block_and_requires() -> None:
    script = parse("#Requires -Modules Hyper-V\n[CmdletBinding()]\nparam([string]$Name)\nGet-VM $Name\n")
    assert script.requires == ("-Modules Hyper-V",)
    assert script.param_block is not None and script.param_block.parameters == (
        ast.ParameterAst("Name", (ast.TypeConstraintAst("string"),)),
    )
    assert script.end_block == ast.NamedBlockAst((PIPE(CMD(S("Get-VM"), V("Name"))),), unnamed=True)


def test_param_is_a_command_name_after_the_first_statement() -> None:
    assert statements("Get-X\nparam") == (PIPE(CMD(S("Get-X"))), PIPE(CMD(S("param"))))
    assert statements("param x") == (PIPE(CMD(S("param"), S("x"))),)
    assert parse("\nparam\n(\n$a\n)").param_block == ast.ParamBlockAst((), (ast.ParameterAst("a"),))


def test_script_block_expression() -> None:
    found = expression("{ param($x) $x * 2 }")
    assert isinstance(found, ast.ScriptBlockExpressionAst)
    assert found.script_block.param_block == ast.ParamBlockAst((), (ast.ParameterAst("x"),))
    assert found.extent.text == "{ param($x) $x * 2 }"
    assert found.script_block.extent.text == "{ param($x) $x * 2 }"


# ---------------------------------------------------------------------------------------------
# expressions
# ---------------------------------------------------------------------------------------------


def test_precedence_ladder() -> None:
    # -and/-or < -band < comparison < + - < * / % < -f < .. < , < unary < postfix
    assert expression("1 + 2 * 3") == B("+", C(1), B("*", C(2), C(3)))
    assert expression("1 -eq 2 -and 3") == B("-and", B("-eq", C(1), C(2)), C(3))
    assert expression("1 -band 2 -eq 2") == B("-band", C(1), B("-eq", C(2), C(2)))
    assert expression("$a -or $b -and $c") == B("-and", B("-or", V("a"), V("b")), V("c"))
    assert expression("'{0}' -f 1 + 2") == B("+", B("-f", S("{0}", "single"), C(1)), C(2))
    assert expression("1..3 * 2") == B("*", B("..", C(1), C(3)), C(2))
    assert expression("1,2 + 3") == B("+", A(C(1), C(2)), C(3))
    assert expression("-not $a -eq $b") == B("-eq", U("-not", V("a")), V("b"))
    assert expression("- $x..5") == B("..", U("-", V("x")), C(5))
    assert expression("1 - 2 - 3") == B("-", B("-", C(1), C(2)), C(3))


def test_format_operator_takes_the_array() -> None:
    assert expression('"{0} {1}" -f $a, $b') == B("-f", S("{0} {1}", "double"), A(V("a"), V("b")))


def test_comparison_operator_spellings() -> None:
    for op in ("-eq", "-ieq", "-ceq", "-like", "-notmatch", "-contains", "-in", "-notin", "-replace", "-split", "-join", "-is", "-isnot", "-as", "-shl"):
        assert expression(f"$a {op} $b") == B(op, V("a"), V("b"))
    assert expression("$a -EQ $b") == B("-eq", V("a"), V("b"))
    assert expression("$a \u2013gt $b") == B("-gt", V("a"), V("b"))


def test_unary_operators() -> None:
    assert expression("-not $x") == U("-not", V("x"))
    assert expression("!$x") == U("!", V("x"))
    assert expression("-bnot 5") == U("-bnot", C(5))
    assert expression("-split 'a b'") == U("-split", S("a b", "single"))
    assert expression("-join $a") == U("-join", V("a"))
    assert expression("++$i") == U("++", V("i"))
    assert expression("--$i") == U("--", V("i"))
    assert expression("$i++") == U("post++", V("i"))
    assert expression("- $x") == U("-", V("x"))
    assert expression(",$x") == U(",", V("x"))
    assert expression("-5") == C(-5)
    assert expression("+5") == C(5)
    assert expression("1 -5") == B("-", C(1), C(5))


def test_numbers_and_multipliers() -> None:
    assert expression("10MB") == C(10 * 1024**2)
    assert expression("1gb") == C(1024**3)
    assert expression("2Tb") == C(2 * 1024**4, True)
    assert expression("1PB") == C(1024**5, True)
    assert expression("1.5kb") == C(1536.0)
    assert expression("0x1F") == C(31)
    assert expression("0xFFFFFFFF") == C(-1)
    assert expression("5l") == C(5, True)
    assert expression("7d") == C(Decimal(7))
    assert isinstance(expression("7d"), ast.ConstantExpressionAst)
    assert expression("1e3") == C(1000.0)
    assert expression(".5") == C(0.5)
    assert expression("2147483648") == C(2147483648, True)
    assert expression("99999999999999999999") == C(Decimal(99999999999999999999))
    number = expression("1.0")
    assert isinstance(number, ast.ConstantExpressionAst) and isinstance(number.value, float)


def test_casts_and_type_literals() -> None:
    assert expression("[int]2.5") == ast.ConvertExpressionAst("int", C(2.5))
    assert expression("[string[]]$a") == ast.ConvertExpressionAst("string[]", V("a"))
    assert expression("[pscustomobject]@{ A = 1 }") == ast.ConvertExpressionAst(
        "pscustomobject", ast.HashtableAst(((S("A"), EXPR_STMT(C(1))),))
    )
    assert expression("[ordered]@{}") == ast.ConvertExpressionAst("ordered", ast.HashtableAst(()))
    assert expression("[int] -1") == ast.ConvertExpressionAst("int", C(-1))
    assert expression("$x -is [int]") == B("-is", V("x"), ast.TypeExpressionAst("int"))
    assert expression("[int][string]5") == ast.ConvertExpressionAst("int", ast.ConvertExpressionAst("string", C(5)))
    assert expression("[System.Collections.Generic.List[string]]$x") == ast.ConvertExpressionAst(
        "System.Collections.Generic.List[string]", V("x")
    )
    assert expression("[int], 1") == A(ast.TypeExpressionAst("int"), C(1))


def test_static_members_and_method_calls() -> None:
    assert expression("[math]::Round($x, 2)") == ast.InvokeMemberExpressionAst(
        ast.TypeExpressionAst("math"), S("Round"), (V("x"), C(2)), static=True
    )
    assert expression("[datetime]::Now") == ast.MemberExpressionAst(ast.TypeExpressionAst("datetime"), S("Now"), static=True)
    assert expression("$d.AddDays(-7)") == ast.InvokeMemberExpressionAst(V("d"), S("AddDays"), (C(-7),))
    assert expression("$s.ToUpper()") == ast.InvokeMemberExpressionAst(V("s"), S("ToUpper"))
    assert expression("$s.Substring(\n  1,\n  2)") == ast.InvokeMemberExpressionAst(V("s"), S("Substring"), (C(1), C(2)))


def test_member_property_versus_invocation() -> None:
    assert expression("$x.Name") == ast.MemberExpressionAst(V("x"), S("Name"))
    assert expression("$x.$prop") == ast.MemberExpressionAst(V("x"), V("prop"))
    assert expression("$x.'Age (days)'") == ast.MemberExpressionAst(V("x"), S("Age (days)", "single"))
    assert expression("(Get-VM).Name") == ast.MemberExpressionAst(ast.ParenExpressionAst(PIPE(CMD(S("Get-VM")))), S("Name"))
    with pytest.raises(ParseError):
        parse("$d.AddDays (1)")  # a space before `(`: property, then an unexpected token


def test_index_and_range() -> None:
    assert expression("$a[0]") == ast.IndexExpressionAst(V("a"), C(0))
    assert expression("$a[-1]") == ast.IndexExpressionAst(V("a"), C(-1))
    assert expression("$a[1,2]") == ast.IndexExpressionAst(V("a"), A(C(1), C(2)))
    assert expression("$h['key'].Count") == ast.MemberExpressionAst(
        ast.IndexExpressionAst(V("h"), S("key", "single")), S("Count")
    )
    assert expression("5..1") == B("..", C(5), C(1))


def test_arrays_and_subexpressions() -> None:
    assert expression("@(1, 2)") == ast.ArrayExpressionAst(ast.StatementBlockAst((EXPR_STMT(A(C(1), C(2))),)))
    assert expression("@()") == ast.ArrayExpressionAst(ast.StatementBlockAst(()))
    found = expression('@(\n  "a",\n  "b"\n)')
    assert found == ast.ArrayExpressionAst(ast.StatementBlockAst((EXPR_STMT(A(S("a", "double"), S("b", "double"))),)))
    assert expression("$(Get-X; 2)") == ast.SubExpressionAst(
        ast.StatementBlockAst((PIPE(CMD(S("Get-X"))), EXPR_STMT(C(2))))
    )


def test_hashtables() -> None:
    found = expression("@{ Name = 'x'; 'Age (days)' = 5; 3 = Get-Date; (1 + 1) = 'two'; if = 1 }")
    assert isinstance(found, ast.HashtableAst)
    assert [k for k, _ in found.pairs] == [
        S("Name"),
        S("Age (days)", "single"),
        C(3),
        ast.ParenExpressionAst(EXPR_STMT(B("+", C(1), C(1)))),
        S("if"),
    ]
    assert found.pairs[2][1] == PIPE(CMD(S("Get-Date")))
    multiline = expression("@{\n    N = 1\n\n    E = { $_ }\n}")
    assert isinstance(multiline, ast.HashtableAst) and [k for k, _ in multiline.pairs] == [S("N"), S("E")]
    assert expression("@{}") == ast.HashtableAst(())


def test_calculated_property_hashtable_in_arguments() -> None:
    (array,) = arguments("Select-Object VMName, @{N='Age (days)';E={((Get-Date) - $_.CreationTime).Days}}")
    assert isinstance(array, ast.ArrayLiteralAst) and isinstance(array.elements[1], ast.HashtableAst)


# ---------------------------------------------------------------------------------------------
# strings
# ---------------------------------------------------------------------------------------------


def test_string_kinds_and_escapes() -> None:
    assert expression("'it''s'") == S("it's", "single")
    assert expression('"say ""hi"""') == S('say "hi"', "double")
    assert expression('"a`tb`n`$x`0"') == S("a\tb\n$x\0", "double")
    assert expression('"$"') == S("$", "double")
    assert expression('""') == S("", "double")


def test_expandable_strings() -> None:
    found = expression("\"Pre-patch $(Get-Date -Format 'yyyy-MM-dd')\"")
    assert isinstance(found, ast.ExpandableStringAst) and found.kind == "double"
    assert found.parts[0] == "Pre-patch "
    assert found.parts[1] == ast.SubExpressionAst(
        ast.StatementBlockAst((PIPE(CMD(S("Get-Date"), P("Format"), S("yyyy-MM-dd", "single"))),))
    )
    assert expression('"$vm.Name"') == ast.ExpandableStringAst((V("vm"), ".Name"))
    assert expression('"${any name}!"') == ast.ExpandableStringAst((V("any name"), "!"))
    assert expression('"$env:X"') == ast.ExpandableStringAst((V("X", "env"),))
    assert expression('"$x[0]"') == ast.ExpandableStringAst((V("x"), "[0]"))
    assert expression('"a $($x.y) b"') == ast.ExpandableStringAst(
        ("a ", ast.SubExpressionAst(ast.StatementBlockAst((EXPR_STMT(ast.MemberExpressionAst(V("x"), S("y"))),))), " b")
    )


def test_variable_part_extents_in_strings() -> None:
    found = expression('"a $name b"')
    assert isinstance(found, ast.ExpandableStringAst)
    variable = found.parts[1]
    assert isinstance(variable, ast.VariableExpressionAst)
    assert (variable.extent.start_column, variable.extent.end_column, variable.extent.text) == (4, 9, "$name")


def test_here_strings() -> None:
    found = expression('@"\nHello $name\n  "quoted" `$x\n"@')
    assert found == ast.ExpandableStringAst(("Hello ", V("name"), '\n  "quoted" $x'), "here_double")
    assert expression("@'\nverbatim $x\n'@") == S("verbatim $x", "here_single")
    assert expression("@'\n'@") == S("", "here_single")
    assert expression("@'\r\na\r\nb\r\n'@") == S("a\r\nb", "here_single")
    assert expression("@'   \nx\n'@") == S("x", "here_single")


def test_smart_quotes_and_dashes() -> None:
    found = command("Remove-VMSnapshot \u2013VMName vHost17 \u2014Name \u201cvHost17 \u2013 (x)\u201d")
    assert found.elements[1] == P("VMName", text="\u2013VMName")
    assert found.elements[3] == P("Name", text="\u2014Name")
    assert found.elements[4] == S("vHost17 \u2013 (x)", "double")
    assert expression("\u2018it\u2019\u2019s\u2019") == S("it\u2019s", "single")
    assert expression("\u201ea\u201d") == S("a", "double")
    assert expression("$a \u2015eq 1") == B("-eq", V("a"), C(1))


# ---------------------------------------------------------------------------------------------
# variables
# ---------------------------------------------------------------------------------------------


def test_variable_forms() -> None:
    assert expression("$script:count") == V("count", "script")
    assert expression("$ENV:Path") == V("Path", "env")
    assert expression("${my var}") == V("my var")
    assert expression("$_") == V("_")
    assert expression("$?") == V("?")
    assert expression("$$") == V("$")


# ---------------------------------------------------------------------------------------------
# comments, continuation, whitespace
# ---------------------------------------------------------------------------------------------


def test_comments() -> None:
    assert statements("Get-X # trailing comment\n<# block\ncomment #> Get-Y") == (
        PIPE(CMD(S("Get-X"))),
        PIPE(CMD(S("Get-Y"))),
    )
    assert arguments("Write-Output a#b") == (S("a#b"),)
    assert arguments("Write-Output a #b") == (S("a"),)


def test_backtick_continuation() -> None:
    assert command("Get-VM `\n    -Name SRV `\r\n    -Force") == CMD(S("Get-VM"), P("Name"), S("SRV"), P("Force"))
    # A space after the backtick escapes the space: the command ends at the newline.
    assert len(statements("Get-VM ` \n-Name")) == 2


def test_continuation_after_operators_comma_and_equals() -> None:
    assert expression("1 +\n 2") == B("+", C(1), C(2))
    assert expression("1,\n2") == A(C(1), C(2))
    assert expression("$x.\n  Name") == ast.MemberExpressionAst(V("x"), S("Name"))
    assert len(statements("$x = 1\n+ 2")) == 2


def test_leading_bom_is_ignored() -> None:
    script = parse("\ufeffGet-VM")
    assert script.end_block is not None and script.end_block.statements == (PIPE(CMD(S("Get-VM"))),)
    assert script.end_block.statements[0].extent.start_column == 1


# ---------------------------------------------------------------------------------------------
# extents
# ---------------------------------------------------------------------------------------------


def test_extents_are_one_based_with_exclusive_end() -> None:
    script = parse("Get-VM -Name x\n  $y = 5")
    assert script.end_block is not None
    first, second = script.end_block.statements
    assert (first.extent.start_line, first.extent.start_column, first.extent.end_line, first.extent.end_column) == (1, 1, 1, 15)
    assert (second.extent.start_line, second.extent.start_column, second.extent.end_column) == (2, 3, 9)
    assert second.extent.text == "$y = 5"
    assert (second.extent.start_offset, second.extent.end_offset) == (17, 23)
    assert script.extent.text == "Get-VM -Name x\n  $y = 5"


def test_command_and_parameter_extents() -> None:
    found = command("Restore-VMCheckpoint -VMCheckpoint $cp -Confirm:$false")
    assert found.extent.text == "Restore-VMCheckpoint -VMCheckpoint $cp -Confirm:$false"
    parameter = found.elements[3]
    assert isinstance(parameter, ast.CommandParameterAst)
    assert parameter.extent.text == "-Confirm:$false" and parameter.text == "-Confirm:"


def test_multiline_extent() -> None:
    found = statement("foreach ($x in $y) {\n    $x\n}")
    assert (found.extent.start_line, found.extent.end_line, found.extent.end_column) == (1, 3, 2)


# ---------------------------------------------------------------------------------------------
# semantic errors reported while parsing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "error_id"),
    [
        ("1 = 2", "InvalidLeftHandSide"),
        ("@{a = 1; A = 2}", "DuplicateKeyInHashLiteral"),
        ("function f($a, $a) {}", "DuplicateFormalParameter"),
        ("function f($a) { param($b) }", "OnlyOneParameterListAllowed"),
        ("switch ($x) { default {1} default {2} }", "MultipleSwitchDefaultClauses"),
        ("switch -foo ($x) { 1 {1} }", "InvalidSwitchFlag"),
        ("$x = @y", "SplattingNotPermitted"),
        ("function f { begin {} begin {} }", "DuplicateScriptCommandClause"),
    ],
)
def test_semantic_errors(source: str, error_id: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(source)
    assert caught.value.errors[0].error_id == error_id


@pytest.mark.parametrize("keyword", ["class", "enum", "trap", "data", "using", "workflow", "configuration", "dynamicparam"])
def test_unsupported_statements_are_clear_errors(keyword: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(f"{keyword} X {{ }}")
    (error,) = caught.value.errors
    assert error.error_id == "PsshimUnsupportedSyntax"
    assert keyword in error.message
