"""The PowerShell syntax tree: frozen attrs nodes, built by the parser, read by the interpreter.

Names follow System.Management.Automation.Language (PipelineAst, CommandAst, ...) so that the
PowerShell source and the language specification can be read side by side with this module.
Nothing here evaluates anything. Every node carries an `Extent` (where it came from), which
error records use for their `At <file>:<line> char:<col>` line and the `~~~~` underline.

Conventions
- Operator spellings are normalised to lower case ASCII: `-eq`, `-ieq`, `-ceq`, `-and`, `-f`,
  `+`, `..`; look-alike dashes (U+2013/2014/2015) are already `-`.
- Case-sensitivity variants stay distinct (`-ceq` vs `-eq`/`-ieq`); `-ieq` is kept as typed and the
  interpreter treats it as `-eq`.
- Strings carry their decoded value (quotes removed, `''` and backtick escapes applied).
"""

from __future__ import annotations

from decimal import Decimal
from collections.abc import Iterator
from typing import Any, Union

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class Extent(Fieldwise):
    """A span of the script text. Lines and columns are 1-based; offsets are 0-based."""

    start_offset: int
    end_offset: int
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str = ""  # the source text of the span


NO_EXTENT = Extent(0, 0, 1, 1, 1, 1, "")


@attrs.frozen(eq=False, repr=False)
class Ast(Fieldwise):
    extent: Extent = attrs.field(kw_only=True, default=NO_EXTENT, eq=False)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class ConstantExpressionAst(Ast):
    """A number literal (`42`, `0x1F`, `1.5`, `10MB` -> 10485760, `7d` -> Decimal, `5l`)."""

    value: Union[int, float, Decimal]
    is_long: bool = False  # `l` suffix or too big for Int32


@attrs.frozen(eq=False, repr=False)
class StringConstantAst(Ast):
    """A string with nothing to expand.

    kind: "bare" (a command-mode bareword such as `Production` or `D:\\VMs\\*.avhdx`),
    "single" ('...'), "double" ("..." without variables), "here_single", "here_double".
    A bareword that looks like a number in command mode is still a ConstantExpressionAst; the
    binder keeps the source text (`extent.text`) for [string] parameters.
    """

    value: str
    kind: str = "single"


@attrs.frozen(eq=False, repr=False)
class ExpandableStringAst(Ast):
    """A "double-quoted" string (or a bareword in command mode) with `$var` / `$(...)` parts.

    parts: literal text pieces (str) and expressions (VariableExpressionAst, SubExpressionAst,
    or MemberExpressionAst never: `"$x.Name"` is `$x` followed by the text `.Name`).
    """

    parts: tuple[Union[str, "ExpressionAst"], ...]
    kind: str = "double"


@attrs.frozen(eq=False, repr=False)
class VariableExpressionAst(Ast):
    """`$name`, `${any name}`, `$env:PATH` (drive "env"), `$script:x` (scope "script"), `@name`.

    name is without `$`/`@` and without the scope/drive prefix; scope is the lower-cased prefix
    or None. splatted is True for `@name`.
    """

    name: str
    scope: str | None = None
    splatted: bool = False


@attrs.frozen(eq=False, repr=False)
class TypeExpressionAst(Ast):
    """`[math]`, `[datetime]` used as a value (static member access target)."""

    type_name: str


@attrs.frozen(eq=False, repr=False)
class ConvertExpressionAst(Ast):
    """`[int]$x`, `[string[]]$a`, `[pscustomobject]@{...}`, `[ordered]@{...}`."""

    type_name: str
    child: "ExpressionAst"


@attrs.frozen(eq=False, repr=False)
class MemberExpressionAst(Ast):
    """`$x.Name`, `$x.$prop`, `[math]::PI` (static=True)."""

    target: "ExpressionAst"
    member: "ExpressionAst"  # usually StringConstantAst(kind="bare")
    static: bool = False


@attrs.frozen(eq=False, repr=False)
class InvokeMemberExpressionAst(Ast):
    """`$d.AddDays(-7)`, `[math]::Round($x, 2)`, `$s.ToUpper()`."""

    target: "ExpressionAst"
    member: "ExpressionAst"
    arguments: tuple["ExpressionAst", ...] = ()
    static: bool = False


@attrs.frozen(eq=False, repr=False)
class IndexExpressionAst(Ast):
    """`$a[0]`, `$h['key']`, `$a[1,2]`, `$a[-1]`."""

    target: "ExpressionAst"
    index: "ExpressionAst"


@attrs.frozen(eq=False, repr=False)
class UnaryExpressionAst(Ast):
    """op: `-` `+` `!` `-not` `-bnot` `,` (unary comma) `-split` `-join` `++` `--` (prefix)
    `post++` `post--` (postfix)."""

    op: str
    child: "ExpressionAst"


@attrs.frozen(eq=False, repr=False)
class BinaryExpressionAst(Ast):
    """op: arithmetic `+ - * / %`, comparison `-eq -ne -gt -ge -lt -le -like -notlike -match
    -notmatch -contains -notcontains -in -notin -replace -split -join -is -isnot -as` (with
    `i`/`c` variants), logical `-and -or -xor`, bitwise `-band -bor -bxor -shl -shr`, `-f`,
    range `..`."""

    op: str
    left: "ExpressionAst"
    right: "ExpressionAst"


@attrs.frozen(eq=False, repr=False)
class ArrayLiteralAst(Ast):
    """`1, 2, 3` (the comma operator)."""

    elements: tuple["ExpressionAst", ...]


@attrs.frozen(eq=False, repr=False)
class ArrayExpressionAst(Ast):
    """`@( ... )`: always an array."""

    statements: "StatementBlockAst"


@attrs.frozen(eq=False, repr=False)
class SubExpressionAst(Ast):
    """`$( ... )`."""

    statements: "StatementBlockAst"


@attrs.frozen(eq=False, repr=False)
class ParenExpressionAst(Ast):
    """`( pipeline )`."""

    pipeline: "StatementAst"


@attrs.frozen(eq=False, repr=False)
class HashtableAst(Ast):
    """`@{ key = value; ... }`. Values are statements (`@{t = Get-Date}` runs a command)."""

    pairs: tuple[tuple["ExpressionAst", "StatementAst"], ...]


@attrs.frozen(eq=False, repr=False)
class ScriptBlockExpressionAst(Ast):
    """`{ ... }` used as a value or argument."""

    script_block: "ScriptBlockAst"


ExpressionAst = Union[
    ConstantExpressionAst,
    StringConstantAst,
    ExpandableStringAst,
    VariableExpressionAst,
    TypeExpressionAst,
    ConvertExpressionAst,
    MemberExpressionAst,
    InvokeMemberExpressionAst,
    IndexExpressionAst,
    UnaryExpressionAst,
    BinaryExpressionAst,
    ArrayLiteralAst,
    ArrayExpressionAst,
    SubExpressionAst,
    ParenExpressionAst,
    HashtableAst,
    ScriptBlockExpressionAst,
]


# ---------------------------------------------------------------------------------------------
# Commands and pipelines
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class CommandParameterAst(Ast):
    """`-Name`, `-Confirm:$false` (argument set, colon=True), `–Name` (en dash, name "Name").

    name is without the dash. text is the token as typed (for error messages).
    """

    name: str
    argument: "ExpressionAst | None" = None
    colon: bool = False
    text: str = ""


@attrs.frozen(eq=False, repr=False)
class RedirectionAst(Ast):
    """`> file`, `>> file`, `2> file`, `2>&1`, `*> $null`. stream: "1" "2" "3" ... "*";
    to_stream set for merging redirections (`2>&1`), else target and append."""

    stream: str
    target: "ExpressionAst | None" = None
    append: bool = False
    to_stream: str | None = None


CommandElementAst = Union[CommandParameterAst, ExpressionAst]


@attrs.frozen(eq=False, repr=False)
class CommandAst(Ast):
    """A command invocation. elements[0] is the command name: a StringConstantAst(kind="bare")
    for `Get-VM`, or any expression after `&` / `.` (`& $sb`, `& 'C:\\x.ps1'`).

    invocation_operator: None, "&" or "." (dot-source).
    """

    elements: tuple[CommandElementAst, ...]
    invocation_operator: str | None = None
    redirections: tuple[RedirectionAst, ...] = ()


@attrs.frozen(eq=False, repr=False)
class CommandExpressionAst(Ast):
    """An expression used as a pipeline element (`$x | ...`, `1..5`)."""

    expression: ExpressionAst
    redirections: tuple[RedirectionAst, ...] = ()


CommandBaseAst = Union[CommandAst, CommandExpressionAst]


@attrs.frozen(eq=False, repr=False)
class PipelineAst(Ast):
    elements: tuple[CommandBaseAst, ...]


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class StatementBlockAst(Ast):
    statements: tuple["StatementAst", ...]


@attrs.frozen(eq=False, repr=False)
class AssignmentStatementAst(Ast):
    """`$x = ...`, `$a, $b = 1, 2`, `$h.k += 1`, `[int]$n = '5'`. op: `=` `+=` `-=` `*=` `/=`
    `%=`. right is a statement (a pipeline, or another assignment for `$a = $b = 1`)."""

    left: ExpressionAst
    op: str
    right: "StatementAst"


@attrs.frozen(eq=False, repr=False)
class IfStatementAst(Ast):
    clauses: tuple[tuple["PipelineAst", StatementBlockAst], ...]
    else_body: StatementBlockAst | None = None


@attrs.frozen(eq=False, repr=False)
class ForEachStatementAst(Ast):
    variable: VariableExpressionAst
    iterable: "StatementAst"
    body: StatementBlockAst
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class ForStatementAst(Ast):
    initializer: "StatementAst | None"
    condition: "StatementAst | None"
    iterator: "StatementAst | None"
    body: StatementBlockAst
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class WhileStatementAst(Ast):
    condition: "StatementAst"
    body: StatementBlockAst
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class DoWhileStatementAst(Ast):
    """`do { } while (cond)` (until=False) or `do { } until (cond)` (until=True)."""

    body: StatementBlockAst
    condition: "StatementAst"
    until: bool = False
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class SwitchClauseAst(Ast):
    """pattern: an expression (string/number/variable) or a ScriptBlockExpressionAst."""

    pattern: ExpressionAst
    body: StatementBlockAst


@attrs.frozen(eq=False, repr=False)
class SwitchStatementAst(Ast):
    """flags: lower-case option names (`wildcard`, `regex`, `exact`, `casesensitive`, `file`)."""

    condition: "StatementAst"
    clauses: tuple[SwitchClauseAst, ...]
    default: StatementBlockAst | None = None
    flags: tuple[str, ...] = ()
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class CatchClauseAst(Ast):
    """type_names: `catch [System.Management.Automation.RuntimeException] { }`; () = catch all."""

    type_names: tuple[str, ...]
    body: StatementBlockAst


@attrs.frozen(eq=False, repr=False)
class TryStatementAst(Ast):
    body: StatementBlockAst
    catches: tuple[CatchClauseAst, ...] = ()
    finally_body: StatementBlockAst | None = None


@attrs.frozen(eq=False, repr=False)
class ThrowStatementAst(Ast):
    pipeline: "StatementAst | None" = None


@attrs.frozen(eq=False, repr=False)
class ReturnStatementAst(Ast):
    pipeline: "StatementAst | None" = None


@attrs.frozen(eq=False, repr=False)
class ExitStatementAst(Ast):
    pipeline: "StatementAst | None" = None


@attrs.frozen(eq=False, repr=False)
class BreakStatementAst(Ast):
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class ContinueStatementAst(Ast):
    label: str | None = None


@attrs.frozen(eq=False, repr=False)
class AttributeAst(Ast):
    """`[Parameter(Mandatory, Position=0)]`, `[CmdletBinding()]`, `[Alias('VM')]`,
    `[ValidateSet('A','B')]`, `[ValidateNotNullOrEmpty()]`.

    named_arguments: (name, value or None for a bare `Mandatory`).
    """

    type_name: str
    positional_arguments: tuple[ExpressionAst, ...] = ()
    named_arguments: tuple[tuple[str, ExpressionAst | None], ...] = ()


@attrs.frozen(eq=False, repr=False)
class TypeConstraintAst(Ast):
    """`[string[]]` in a parameter declaration."""

    type_name: str


@attrs.frozen(eq=False, repr=False)
class ParameterAst(Ast):
    name: str  # without `$`
    attributes: tuple[AttributeAst | TypeConstraintAst, ...] = ()
    default: ExpressionAst | None = None


@attrs.frozen(eq=False, repr=False)
class ParamBlockAst(Ast):
    attributes: tuple[AttributeAst, ...]  # e.g. [CmdletBinding()] before param(
    parameters: tuple[ParameterAst, ...]


@attrs.frozen(eq=False, repr=False)
class NamedBlockAst(Ast):
    """A begin/process/end block; `unnamed` is True for a script block without named blocks
    (its statements form the end block)."""

    statements: tuple["StatementAst", ...]
    unnamed: bool = False


@attrs.frozen(eq=False, repr=False)
class ScriptBlockAst(Ast):
    """A whole script, a function body or a `{ }` literal."""

    param_block: ParamBlockAst | None = None
    begin_block: NamedBlockAst | None = None
    process_block: NamedBlockAst | None = None
    end_block: NamedBlockAst | None = None
    # `#Requires -Modules X` lines seen in the script (raw text after `#Requires`)
    requires: tuple[str, ...] = ()


@attrs.frozen(eq=False, repr=False)
class FunctionDefinitionAst(Ast):
    """`function Name { ... }`, `function Name($a, $b) { ... }`, `filter Name { ... }`.

    parameters holds the `($a, $b)` form; a param() block inside the body stays in body.
    """

    name: str
    body: ScriptBlockAst
    parameters: tuple[ParameterAst, ...] = ()
    is_filter: bool = False


StatementAst = Union[
    PipelineAst,
    AssignmentStatementAst,
    IfStatementAst,
    ForEachStatementAst,
    ForStatementAst,
    WhileStatementAst,
    DoWhileStatementAst,
    SwitchStatementAst,
    TryStatementAst,
    ThrowStatementAst,
    ReturnStatementAst,
    ExitStatementAst,
    BreakStatementAst,
    ContinueStatementAst,
    FunctionDefinitionAst,
    StatementBlockAst,
]


def walk(node: Ast) -> Iterator[Ast]:
    """`node` and every node under it (in nested script blocks too), depth first."""
    pending: list[Any] = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, Ast):
            yield item
            pending.extend(reversed([getattr(item, a.name) for a in attrs.fields(type(item))]))
        elif isinstance(item, (tuple, list)):
            pending.extend(reversed(item))


# ---------------------------------------------------------------------------------------------
# Parse errors
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class ParseErrorItem(Fieldwise):
    """One parse error as PowerShell reports it.

    error_id: PowerShell's id (`UnexpectedToken`, `MissingArgument`, `TerminatorExpectedAtEndOfString`,
    `MissingEndCurlyBrace`, ...); message: its exact English text; extent: the span the `~` line
    underlines (zero-width spans are underlined with one `~`).
    """

    extent: Extent
    error_id: str
    message: str
