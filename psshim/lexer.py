"""The mode-aware PowerShell tokenizer that feeds the LALR tables of psshim/grammar.lark.

PowerShell's own parser switches its tokenizer between command and expression mode as it goes
(tokenizer.cs, Parser.cs).  Here the LALR parser cannot call the tokenizer with a mode, so the
tokenizer asks the parser instead: every parse state has a *mode*, computed from the terminals
it accepts when the tables are built (psshim/parse_build.py), and `Lexer.next_token` scans the
next token by the rules of that mode:

- MODE_STATEMENT: a statement or pipeline element starts.  Keywords are recognised (when the
  state accepts them); `$x`, numbers, strings, `(`, `@(`, `[type]`, unary operators start an
  expression; anything else is a command name, scanned as a generic token.
- MODE_ARGUMENT: command arguments.  Barewords are generic tokens (which absorb quotes and
  `$var`/`$(...)` parts), `-Name`/`-Name:` are parameters, a token that ends at a separator and
  looks like an unsigned number is a number (`10MB`, `007`); `-7` stays the bareword "-7".
- MODE_MEMBER: a simple name (member name, hashtable key, attribute argument name, label).
- MODE_FUNCNAME: the name after `function`.
- MODE_OPERAND: an expression operand: `-5` is a number, `-not` an operator, `[int]` a type.
- MODE_AFTER: after an operand: binary operators, member access (only adjacent), closers,
  separators and the keywords that continue a statement (`else`, `catch`, `in`, `while`, ...).

Where several terminals fit one character (`(` is LPAREN, ARG_LPAREN or INVOKE_LPAREN; `{` is
LBRACE or INVOKE_LBRACE), the tokenizer takes the one the parser accepts.  Newlines are emitted only where the parser
accepts a statement terminator; elsewhere (after `|`, `,`, an operator, `=`, inside `(...)`,
before `{`, before `else`/`catch`/`finally`) they are skipped, as PowerShell's SkipNewlines does.

Character classes, number syntax, escapes and error texts follow tokenizer.cs and CharTraits.cs
of Windows PowerShell 5.1 (number suffixes `l` and `d`, multipliers kb..pb, backtick escapes
0 a b f n r t v).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal, InvalidOperation
from typing import Protocol, Union

from hyperv_emu.psshim.ast import Extent, ParseErrorItem
from hyperv_emu.psshim.parse_messages import message

# Lexer modes (see the module docstring); psshim/parse_build.py assigns one to every state.
MODE_STATEMENT = 0
MODE_ARGUMENT = 1
MODE_MEMBER = 2
MODE_FUNCNAME = 3
MODE_OPERAND = 4
MODE_AFTER = 5

# --------------------------------------------------------------------------------------------
# Character classes (CharTraits.cs)
# --------------------------------------------------------------------------------------------

_WHITESPACE = frozenset(
    " \t\v\f\xa0\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_NEWLINE_CHARS = frozenset("\r\n")
# Characters that end a generic token, a number or a variable in command mode.
_FORCE_START = frozenset("\0\t\n\v\f\r &(),;{|}") | _WHITESPACE
# ... and, in expression mode, the characters that end a number.
_FORCE_START_AFTER_NUMBER = _FORCE_START | frozenset("!#%*+-./<=>]")
DASHES = frozenset("-\u2013\u2014\u2015")
SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")
DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e')
_QUOTES = SINGLE_QUOTES | DOUBLE_QUOTES
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_IDENT_START = _ASCII_LETTERS | {"_"}
_IDENT_FOLLOW = _IDENT_START | _DIGITS
_VAR_FIRST = _IDENT_FOLLOW | frozenset("?:^$")
_TYPE_NAME_CHARS = _IDENT_FOLLOW | frozenset(".`+#\\")
_MULTIPLIERS = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_BACKTICK_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DECIMAL_MAX = 79228162514264337593543950335


def _is_ident_start(c: str) -> bool:
    return c in _IDENT_START or (c > "\x7f" and c.isalpha())


def _is_ident_follow(c: str) -> bool:
    return c in _IDENT_FOLLOW or (c > "\x7f" and c.isalnum())


def _is_var_char(c: str) -> bool:
    return c in _IDENT_FOLLOW or c == "?" or (c > "\x7f" and c.isalnum())


def _is_var_start(c: str) -> bool:
    return c in _VAR_FIRST or (c > "\x7f" and c.isalnum())


def _backtick(c: str) -> str:
    return _BACKTICK_ESCAPES.get(c, c)


# --------------------------------------------------------------------------------------------
# Keywords and operators (tokenizer.cs tables)
# --------------------------------------------------------------------------------------------

KEYWORDS = {
    "if": "KW_IF",
    "elseif": "KW_ELSEIF",
    "else": "KW_ELSE",
    "switch": "KW_SWITCH",
    "foreach": "KW_FOREACH",
    "in": "KW_IN",
    "for": "KW_FOR",
    "while": "KW_WHILE",
    "do": "KW_DO",
    "until": "KW_UNTIL",
    "try": "KW_TRY",
    "catch": "KW_CATCH",
    "finally": "KW_FINALLY",
    "return": "KW_RETURN",
    "throw": "KW_THROW",
    "exit": "KW_EXIT",
    "break": "KW_BREAK",
    "continue": "KW_CONTINUE",
    "function": "KW_FUNCTION",
    "filter": "KW_FILTER",
    "param": "KW_PARAM",
    "begin": "KW_BEGIN",
    "process": "KW_PROCESS",
    "end": "KW_END",
}
# Statement keywords PowerShell parses that psshim does not implement.
UNSUPPORTED_KEYWORDS = frozenset(
    {
        "trap",
        "data",
        "class",
        "enum",
        "using",
        "workflow",
        "configuration",
        "parallel",
        "sequence",
        "dynamicparam",
    }
)
# StatementRule reports these as ReservedKeywordNotAllowed.
RESERVED_KEYWORDS = frozenset({"from", "define", "var"})
# A newline before one of these continues the statement (if/try), when the parser accepts it.
_CONTINUATION_KEYWORDS = {"else": "KW_ELSE", "elseif": "KW_ELSEIF", "catch": "KW_CATCH", "finally": "KW_FINALLY"}

_UNARY_OPERATORS = frozenset({"not", "bnot", "split", "isplit", "csplit", "join"})
_COMPARISON = (
    "eq ieq ceq ne ine cne ge ige cge gt igt cgt lt ilt clt le ile cle like ilike clike notlike "
    "inotlike cnotlike match imatch cmatch notmatch inotmatch cnotmatch replace ireplace creplace "
    "contains icontains ccontains notcontains inotcontains cnotcontains in iin cin notin inotin "
    "cnotin split isplit csplit isnot is as join shl shr"
)
BINARY_OPERATORS: dict[str, str] = {name: "OP_COMPARE" for name in _COMPARISON.split()}
BINARY_OPERATORS.update(
    {"and": "OP_LOGICAL", "or": "OP_LOGICAL", "xor": "OP_LOGICAL", "band": "OP_BITWISE", "bor": "OP_BITWISE"}
)
BINARY_OPERATORS.update({"bxor": "OP_BITWISE", "f": "OP_FORMAT"})

# --------------------------------------------------------------------------------------------
# Tokens and their values
# --------------------------------------------------------------------------------------------


class VariableValue:
    """`$name`, `$scope:name`, `${any name}`: name without prefix, lower-cased scope or None."""

    __slots__ = ("name", "scope")

    def __init__(self, name: str, scope: str | None) -> None:
        self.name = name
        self.scope = scope


class VariablePart:
    """A `$var` inside an expandable string or bareword, with its offsets in the source."""

    __slots__ = ("end", "name", "scope", "start")

    def __init__(self, name: str, scope: str | None, start: int, end: int) -> None:
        self.name = name
        self.scope = scope
        self.start = start
        self.end = end


class SubExpressionPart:
    """A `$( ... )` inside an expandable string: offsets of `$(` and of the closing `)` + 1."""

    __slots__ = ("closed", "end", "start")

    def __init__(self, start: int, end: int, closed: bool) -> None:
        self.start = start
        self.end = end
        self.closed = closed


StringPart = Union[str, VariablePart, SubExpressionPart]


class StringValue:
    """A string or bareword: kind ("bare", "single", "double", "here_single", "here_double"),
    parts (literal text and expansions; only text for verbatim strings)."""

    __slots__ = ("kind", "parts")

    def __init__(self, kind: str, parts: tuple[StringPart, ...]) -> None:
        self.kind = kind
        self.parts = parts

    @property
    def expandable(self) -> bool:
        return any(not isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        """The literal text (for a string without expansions, its value)."""
        return "".join(p for p in self.parts if isinstance(p, str))


class NumberValue:
    __slots__ = ("is_long", "value")

    def __init__(self, value: int | float | Decimal, is_long: bool) -> None:
        self.value = value
        self.is_long = is_long


class RedirectValue:
    """`>`/`>>`/`2>` (stream, append) or `2>&1` (stream, to_stream)."""

    __slots__ = ("append", "stream", "to_stream")

    def __init__(self, stream: str, append: bool, to_stream: str | None) -> None:
        self.stream = stream
        self.append = append
        self.to_stream = to_stream


TokenValue = Union[str, VariableValue, StringValue, NumberValue, RedirectValue, None]


class Tok:
    """One token: terminal name of psshim/grammar.lark, value, source offsets [start, end)."""

    __slots__ = ("end", "start", "type", "value")

    def __init__(self, type_: str, value: TokenValue, start: int, end: int) -> None:
        self.type = type_
        self.value = value
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.start}:{self.end})"


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceMap:
    """Offsets to PowerShell positions: 1-based lines and columns, `\\r\\n`, `\\n`, `\\r`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def extent(self, start: int, end: int) -> Extent:
        starts = self.line_starts
        line = bisect_right(starts, start)
        end_line = line if end <= start else bisect_right(starts, end)
        return Extent(
            start_offset=start,
            end_offset=end,
            start_line=line,
            start_column=start - starts[line - 1] + 1,
            end_line=end_line,
            end_column=end - starts[end_line - 1] + 1,
            text=self.text[start:end],
        )


class ParserView(Protocol):
    """What the tokenizer may ask the parser about its current state."""

    def can(self, terminal: str) -> bool:
        """The current state has an action for `terminal` (LALR lookaheads: may over-approve)."""

    def can_exact(self, terminal: str) -> bool:
        """`terminal` would be shifted after the reductions it triggers."""


class UnsupportedSyntax(Exception):
    """Raised for constructs psshim does not implement (the parser turns it into an error)."""

    def __init__(self, start: int, end: int, what: str) -> None:
        super().__init__(what)
        self.start = start
        self.end = end
        self.what = what


_OPENERS = frozenset(
    {"", "LBRACE", "ARG_LBRACE", "DOLLAR_PAREN", "AT_PAREN", "ARG_DOLLAR_PAREN", "ARG_AT_PAREN", "NEWLINE", "SEMI"}
)


class Lexer:
    """Scans `text[start:end]` one token at a time, in the mode the parser's state asks for."""

    def __init__(
        self,
        source: SourceMap,
        start: int,
        end: int,
        errors: list[ParseErrorItem],
        requires: list[str] | None = None,
    ) -> None:
        self.map = source
        self.src = source.text
        self.pos = start
        self.end = end
        self.errors = errors
        self.requires = requires
        self.prev_end = -1
        self.prev_type = ""
        self._verbatim_next = False

    # ---------------------------------------------------------------------------- helpers

    def _ch(self, i: int) -> str:
        return self.src[i] if i < self.end else ""

    def error(self, start: int, end: int, error_id: str, *args: str) -> None:
        self.errors.append(ParseErrorItem(self.map.extent(start, end), error_id, message(error_id, *args)))

    def _tok(self, type_: str, value: TokenValue, start: int, end: int) -> Tok:
        self.pos = end
        self.prev_end = end
        self.prev_type = type_
        return Tok(type_, value, start, end)

    def reset(self, pos: int) -> None:
        """Re-scan from `pos` as if no token preceded it (error recovery)."""
        self.pos = pos
        self.prev_end = -1
        self.prev_type = ""
        self._verbatim_next = False

    # ---------------------------------------------------------------------------- trivia

    def _skip_trivia(self, pos: int, lookahead: bool = False) -> int:
        """Skip whitespace, comments and line continuations (not newlines).  `#Requires` lines
        and an unterminated `<#` are recorded unless this is only a `lookahead`."""
        src = self.src
        end = self.end
        while pos < end:
            c = src[pos]
            if c in _WHITESPACE:
                pos += 1
            elif c == "#":
                start = pos
                while pos < end and src[pos] not in _NEWLINE_CHARS:
                    pos += 1
                if self.requires is not None and not lookahead and src[start + 1 : start + 9].lower() == "requires":
                    self.requires.append(src[start + 9 : pos].strip())
            elif c == "<" and pos + 1 < end and src[pos + 1] == "#":
                close = src.find("#>", pos + 2, end)
                if close < 0:
                    if not lookahead:
                        self.error(pos, end, "MissingTerminatorMultiLineComment")
                    pos = end
                else:
                    pos = close + 2
            elif c == "`" and pos + 1 < end and (src[pos + 1] in _NEWLINE_CHARS or src[pos + 1] in _WHITESPACE):
                if src[pos + 1] == "\r" and pos + 2 < end and src[pos + 2] == "\n":
                    pos += 3
                else:
                    pos += 2
            else:
                break
        return pos

    def _skip_newlines_and_trivia(self, pos: int, lookahead: bool = False) -> int:
        while True:
            pos = self._skip_trivia(pos, lookahead)
            if pos < self.end and self.src[pos] in _NEWLINE_CHARS:
                pos += 1
                continue
            return pos

    # ---------------------------------------------------------------------------- entry

    def next_token(self, mode: int, view: ParserView) -> Tok:
        """The next token, scanned by the rules of `mode`; `$END` at the end of the text."""
        if self._verbatim_next:
            self._verbatim_next = False
            return self._scan_verbatim()
        while True:
            pos = self._skip_trivia(self.pos)
            self.pos = pos
            if pos >= self.end:
                return Tok("$END", None, self.end, self.end)
            c = self.src[pos]
            if c in _NEWLINE_CHARS:
                newline = self._newline(pos, view)
                if newline is not None:
                    return newline
                continue
            if c == ";" and not view.can_exact("SEMI") and self.prev_type in _OPENERS:
                self.pos = pos + 1  # leading separators of a statement list
                continue
            break
        adjacent = pos == self.prev_end
        if adjacent and mode in (MODE_AFTER, MODE_ARGUMENT):
            postfix = self._postfix(pos, mode, view)
            if postfix is not None:
                return postfix
        elif adjacent and self.prev_type == "TYPE" and c == "." and _is_ident_start(self._ch(pos + 1)) and view.can("DOT"):
            # `[int].Name`: after a type literal the parser also takes a cast's operand, but a
            # `.` directly after `]` is member access on the type, as `::` is.
            return self._tok("DOT", ".", pos, pos + 1)
        if mode == MODE_ARGUMENT:
            return self._argument(pos, view)
        if mode == MODE_STATEMENT:
            return self._statement(pos, view)
        if mode == MODE_MEMBER:
            if _is_ident_start(c):
                end = pos + 1
                while end < self.end and _is_ident_follow(self.src[end]):
                    end += 1
                return self._tok("IDENT", self.src[pos:end], pos, end)
            return self._expression(pos, view, operand=True)
        if mode == MODE_FUNCNAME:
            if c in "({}|;&@$" or c in _QUOTES:
                return self._expression(pos, view, operand=True)
            value, end = self._scan_generic(pos)
            return self._tok("FUNC_NAME", value.text, pos, end)
        return self._expression(pos, view, operand=mode == MODE_OPERAND)

    def _newline(self, pos: int, view: ParserView) -> Tok | None:
        src = self.src
        width = 2 if src[pos] == "\r" and pos + 1 < self.end and src[pos + 1] == "\n" else 1
        after = self._skip_newlines_and_trivia(pos)
        self.pos = after
        if not view.can_exact("NEWLINE") and self.prev_type != "PARAM_COLON":
            # (`-Name:` then a newline is "Parameter -Name: requires an argument", CommandRule)
            return None
        word_end = after
        while word_end < self.end and _is_ident_follow(src[word_end]):
            word_end += 1
        keyword = _CONTINUATION_KEYWORDS.get(src[after:word_end].lower())
        if keyword is not None and (word_end >= self.end or src[word_end] in _FORCE_START) and view.can_exact(keyword):
            return None
        self.prev_end = pos + width
        self.prev_type = "NEWLINE"
        return Tok("NEWLINE", None, pos, pos + width)

    def _postfix(self, pos: int, mode: int, view: ParserView) -> Tok | None:
        """Member access, index and method call: only directly after the operand."""
        c = self.src[pos]
        nxt = self._ch(pos + 1)
        if c == "." and nxt != "." and view.can("DOT"):
            if mode == MODE_ARGUMENT and (nxt == "" or nxt in _WHITESPACE or nxt in _NEWLINE_CHARS):
                return None
            return self._tok("DOT", ".", pos, pos + 1)
        if c == ":" and nxt == ":" and view.can("COLONCOLON"):
            after = self._ch(pos + 2)
            if mode == MODE_ARGUMENT and (after == "" or after in _WHITESPACE or after in _NEWLINE_CHARS):
                return None
            return self._tok("COLONCOLON", "::", pos, pos + 2)
        if c == "[" and view.can("LBRACKET_IDX"):
            return self._tok("LBRACKET_IDX", "[", pos, pos + 1)
        if c == "(" and view.can("INVOKE_LPAREN"):
            return self._tok("INVOKE_LPAREN", "(", pos, pos + 1)
        if c == "{" and view.can("INVOKE_LBRACE"):
            # `.Where{ ... }`: a script block directly after a member name is its argument.
            return self._tok("INVOKE_LBRACE", "{", pos, pos + 1)
        return None

    # ---------------------------------------------------------------------------- statement start

    def _statement(self, pos: int, view: ParserView) -> Tok:
        src = self.src
        c = src[pos]
        nxt = self._ch(pos + 1)
        if _is_ident_start(c):
            end = pos + 1
            while end < self.end and _is_ident_follow(src[end]):
                end += 1
            if self._ch(end) in _FORCE_START or end >= self.end:
                word = src[pos:end].lower()
                keyword = KEYWORDS.get(word)
                if keyword == "KW_PARAM" and self._ch(self._skip_newlines_and_trivia(end, lookahead=True)) != "(":
                    keyword = None  # ParamBlockRule: `param` without `(` is a command name
                if keyword is not None and view.can_exact(keyword):
                    return self._tok(keyword, word, pos, end)
                if word in UNSUPPORTED_KEYWORDS and keyword is None:
                    raise UnsupportedSyntax(pos, end, f"the '{word}' statement")
                if word in RESERVED_KEYWORDS:
                    self.error(pos, end, "ReservedKeywordNotAllowed", word)
            return self._command_name(pos)
        if c == "&":
            if nxt == "&":
                return self._tok("ANDAND", "&&", pos, pos + 2)
            return self._tok("AMP", "&", pos, pos + 1)
        if c == ".":
            if nxt in _DIGITS:
                return self._number_or_command_name(pos)
            if nxt == "" or nxt in _FORCE_START or nxt == "$" or nxt in _QUOTES:
                return self._tok("DOT_SOURCE", ".", pos, pos + 1)
            return self._command_name(pos)
        if c == ":" and _is_ident_start(nxt) and view.can("LABEL"):
            end = pos + 2
            while end < self.end and _is_ident_follow(src[end]):
                end += 1
            if self._ch(end) == "" or self._ch(end) in _FORCE_START:
                return self._tok("LABEL", src[pos + 1 : end], pos, end)
        if c in _DIGITS:
            return self._number_or_command_name(pos)
        if c in DASHES:
            if nxt in _DIGITS or (nxt == "." and self._ch(pos + 2) in _DIGITS):
                return self._number_or_command_name(pos)
            if _is_ident_start(nxt) or nxt == "?":
                word_end = pos + 1
                while word_end < self.end and src[word_end] in _ASCII_LETTERS:
                    word_end += 1
                word = src[pos + 1 : word_end].lower()
                if word in _UNARY_OPERATORS:
                    return self._expression(pos, view, operand=True)
                # A binary operator cannot start an expression, so PowerShell's CommandRule takes
                # `-and` here as a command name (Parser.PipelineRule; VagrantVM.psm1 has one
                # after a try/catch)
                return self._command_name(pos)
            return self._expression(pos, view, operand=True)
        if c == "!" and _is_ident_start(nxt):
            return self._command_name(pos)
        if c in "$@({[+,!" or c in _QUOTES or c in ";|)}]=\r\n":
            return self._expression(pos, view, operand=True)
        if c in "><":
            return self._redirection_or_generic(pos, "GENERIC")
        return self._command_name(pos)

    def _command_name(self, pos: int) -> Tok:
        value, end = self._scan_generic(pos)
        # A command name without an invocation operator is not expandable (GetCommandArgument).
        return self._tok("CMD_NAME", self.src[pos:end] if value.expandable else value.text, pos, end)

    def _number_or_command_name(self, pos: int) -> Tok:
        number, end = self._scan_number(pos, expression=True)
        if number is not None:
            return self._tok("NUMBER", number, pos, end)
        return self._command_name(pos)

    # ---------------------------------------------------------------------------- command arguments

    def _argument(self, pos: int, view: ParserView) -> Tok:
        src = self.src
        c = src[pos]
        nxt = self._ch(pos + 1)
        if c == ",":
            return self._tok("COMMA", ",", pos, pos + 1)
        if c == "|":
            if nxt == "|":
                return self._tok("OROR", "||", pos, pos + 2)
            return self._tok("PIPE", "|", pos, pos + 1)
        if c == ";":
            return self._tok("SEMI", ";", pos, pos + 1)
        if c == "&":
            if nxt == "&":
                return self._tok("ANDAND", "&&", pos, pos + 2)
            return self._tok("AMP", "&", pos, pos + 1)
        if c == ")":
            return self._tok("RPAREN", ")", pos, pos + 1)
        if c == "}":
            return self._tok("RBRACE", "}", pos, pos + 1)
        if c == "(":
            return self._tok(self._pick(view, "ARG_LPAREN", "LPAREN"), "(", pos, pos + 1)
        if c == "{":
            return self._tok(self._pick(view, "ARG_LBRACE", "LBRACE"), "{", pos, pos + 1)
        if c == "]" and view.can("RBRACKET"):
            return self._tok("RBRACKET", "]", pos, pos + 1)
        if c == "$":
            if nxt == "(":
                return self._tok(self._pick(view, "ARG_DOLLAR_PAREN", "DOLLAR_PAREN"), "$(", pos, pos + 2)
            variable = self._scan_variable(pos, command_mode=True)
            if variable is not None:
                var_value, end = variable
                return self._tok("ARG_VARIABLE", var_value, pos, end)
            return self._bareword(pos)
        if c == "@":
            return self._at(pos, argument=True)
        if c in SINGLE_QUOTES:
            string, end = self._scan_single_quoted(pos)
            return self._tok("ARG_STRING", string, pos, end)
        if c in DOUBLE_QUOTES:
            string, end = self._scan_double_quoted(pos)
            return self._tok("ARG_STRING", string, pos, end)
        if c in "123456" and nxt == ">":
            return self._redirection_or_generic(pos, "BAREWORD")
        if c in ">*<":
            return self._redirection_or_generic(pos, "BAREWORD")
        if c in DASHES:
            if nxt in DASHES:
                after = self._ch(pos + 2)
                if after == "" or after in _FORCE_START:
                    return self._tok("DASHDASH", "--", pos, pos + 2)
                return self._bareword(pos)
            if _is_ident_start(nxt) or nxt == "?":
                return self._parameter(pos)
        if c in _DIGITS or c == ".":
            # Signed numbers are barewords in command mode: `-7` is the string "-7", which a
            # typed parameter converts (tokenizer.cs: AllowSignedNumbers is for expressions).
            number, end = self._scan_number(pos, expression=False)
            if number is not None:
                return self._tok("ARG_NUMBER", number, pos, end)
        return self._bareword(pos)

    def _bareword(self, pos: int) -> Tok:
        value, end = self._scan_generic(pos)
        if not value.expandable and value.text == "--%":
            self._verbatim_next = True
        return self._tok("BAREWORD", value, pos, end)

    def _scan_verbatim(self) -> Tok:
        """The rest of the line after `--%`, raw (GetVerbatimCommandArgument)."""
        src = self.src
        pos = self.pos
        while pos < self.end and src[pos] in _WHITESPACE:
            pos += 1
        start = pos
        in_quotes = False
        while pos < self.end:
            c = src[pos]
            if c in _NEWLINE_CHARS:
                break
            if c in DOUBLE_QUOTES:
                in_quotes = not in_quotes
            elif not in_quotes and (c == "|" or (c == "&" and self._ch(pos + 1) == "&")):
                break
            pos += 1
        return self._tok("VERBATIM", StringValue("bare", (src[start:pos],)), start, pos)

    def _parameter(self, pos: int) -> Tok:
        """`-Name` or `-Name:` in command mode (ScanParameter)."""
        src = self.src
        end = pos + 1
        while end < self.end:
            c = src[end]
            if c in _WHITESPACE or c in "{}();,|&.[\r\n":
                break
            if c == ":":
                return self._tok("PARAM_COLON", src[pos + 1 : end], pos, end + 1)
            if c in _QUOTES:
                return self._bareword(pos)
            end += 1
        return self._tok("PARAM", src[pos + 1 : end], pos, end)

    def _redirection_or_generic(self, pos: int, fallback: str) -> Tok:
        src = self.src
        c = src[pos]
        stream = "1"
        start = pos
        if c in "123456*":
            stream = c
            pos += 1
            if self._ch(pos) != ">":
                return self._bareword(start) if fallback == "BAREWORD" else self._generic(start)
        elif c == "<":
            self.error(pos, pos + 1, "RedirectionNotSupported", "<")
            return self._tok("REDIRECT", RedirectValue("0", False, None), pos, pos + 1)
        pos += 1  # the '>'
        if self._ch(pos) == ">":
            return self._tok("REDIRECT", RedirectValue(stream, True, None), start, pos + 1)
        if self._ch(pos) == "&" and self._ch(pos + 1) in ("1", "2"):
            return self._tok("MERGE_REDIRECT", RedirectValue(stream, False, src[pos + 1]), start, pos + 2)
        return self._tok("REDIRECT", RedirectValue(stream, False, None), start, pos)

    def _pick(self, view: ParserView, first: str, second: str) -> str:
        if view.can(first) or not view.can(second):
            return first
        return second

    def _at(self, pos: int, argument: bool) -> Tok:
        nxt = self._ch(pos + 1)
        prefix = "ARG_" if argument else ""
        if nxt == "(":
            return self._tok(prefix + "AT_PAREN", "@(", pos, pos + 2)
        if nxt == "{":
            return self._tok(prefix + "AT_BRACE", "@{", pos, pos + 2)
        if nxt in SINGLE_QUOTES or nxt in DOUBLE_QUOTES:
            string, end = self._scan_here_string(pos)
            return self._tok(prefix + "STRING", string, pos, end)
        if nxt != "" and _is_var_start(nxt):
            variable = self._scan_variable(pos, command_mode=argument)
            if variable is not None:
                var_value, end = variable
                return self._tok(prefix + "SPLAT", var_value, pos, end)
            return self._bareword(pos)
        self.error(pos, pos + 1, "UnrecognizedToken")
        if argument:
            return self._tok("BAREWORD", StringValue("bare", ("@",)), pos, pos + 1)
        return self._tok("GENERIC", "@", pos, pos + 1)

    # ---------------------------------------------------------------------------- expressions

    def _expression(self, pos: int, view: ParserView, operand: bool) -> Tok:
        """Expression mode: an operand (`operand`) or what follows one."""
        src = self.src
        c = src[pos]
        nxt = self._ch(pos + 1)
        if c == "$":
            if nxt == "(":
                return self._tok("DOLLAR_PAREN", "$(", pos, pos + 2)
            variable = self._scan_variable(pos, command_mode=False)
            if variable is not None:
                var_value, end = variable
                return self._tok("VARIABLE", var_value, pos, end)
            return self._generic(pos)
        if c == "@":
            return self._at(pos, argument=False)
        if c in SINGLE_QUOTES:
            string, end = self._scan_single_quoted(pos)
            return self._tok("STRING", string, pos, end)
        if c in DOUBLE_QUOTES:
            string, end = self._scan_double_quoted(pos)
            return self._tok("STRING", string, pos, end)
        if c in _DIGITS or (c == "." and nxt in _DIGITS):
            number, end = self._scan_number(pos, expression=True)
            if number is not None:
                return self._tok("NUMBER", number, pos, end)
            return self._generic(pos)
        if c in DASHES:
            return self._dash(pos, view, operand)
        if c == "+":
            if nxt == "+":
                return self._tok("PLUSPLUS", "++", pos, pos + 2)
            if nxt == "=":
                return self._tok("ASSIGN_OP", "+=", pos, pos + 2)
            if operand and (nxt in _DIGITS or (nxt == "." and self._ch(pos + 2) in _DIGITS)):
                number, end = self._scan_number(pos, expression=True)
                if number is not None:
                    return self._tok("NUMBER", number, pos, end)
            return self._tok("PLUS", "+", pos, pos + 1)
        if c in "*/%":
            if nxt == "=":
                return self._tok("ASSIGN_OP", c + "=", pos, pos + 2)
            if c == "*" and nxt == ">":
                return self._redirection_or_generic(pos, "GENERIC")
            return self._tok("OP_MUL", c, pos, pos + 1)
        if c == ".":
            if nxt == ".":
                return self._tok("DOTDOT", "..", pos, pos + 2)
            return self._generic(pos)
        if c == "[":
            return self._type_literal(pos)
        if c == "(":
            return self._tok("LPAREN", "(", pos, pos + 1)
        if c == ")":
            return self._tok("RPAREN", ")", pos, pos + 1)
        if c == "{":
            return self._tok(self._pick(view, "LBRACE", "ARG_LBRACE"), "{", pos, pos + 1)
        if c == "}":
            return self._tok("RBRACE", "}", pos, pos + 1)
        if c == "]":
            return self._tok("RBRACKET", "]", pos, pos + 1)
        if c == ",":
            return self._tok("COMMA", ",", pos, pos + 1)
        if c == ";":
            return self._tok("SEMI", ";", pos, pos + 1)
        if c == "|":
            if nxt == "|":
                return self._tok("OROR", "||", pos, pos + 2)
            return self._tok("PIPE", "|", pos, pos + 1)
        if c == "&":
            if nxt == "&":
                return self._tok("ANDAND", "&&", pos, pos + 2)
            return self._tok("AMP", "&", pos, pos + 1)
        if c == "=":
            return self._tok("EQUALS", "=", pos, pos + 1)
        if c == "!":
            if _is_ident_start(nxt):
                return self._generic(pos)
            return self._tok("UNARY_OP", "!", pos, pos + 1)
        if c == ">":
            return self._redirection_or_generic(pos, "GENERIC")
        if c == ":" and nxt == ":":
            return self._tok("COLONCOLON", "::", pos, pos + 2)
        if _is_ident_start(c):
            end = pos + 1
            while end < self.end and _is_ident_follow(src[end]):
                end += 1
            word = src[pos:end].lower()
            keyword = KEYWORDS.get(word)
            if keyword is not None and (end >= self.end or src[end] in _FORCE_START) and view.can_exact(keyword):
                return self._tok(keyword, word, pos, end)
        return self._generic(pos)

    def _dash(self, pos: int, view: ParserView, operand: bool) -> Tok:
        src = self.src
        nxt = self._ch(pos + 1)
        if nxt in DASHES:
            return self._tok("MINUSMINUS", "--", pos, pos + 2)
        if nxt == "=":
            return self._tok("ASSIGN_OP", "-=", pos, pos + 2)
        if operand and (nxt in _DIGITS or (nxt == "." and self._ch(pos + 2) in _DIGITS)):
            number, end = self._scan_number(pos, expression=True)
            if number is not None:
                return self._tok("NUMBER", number, pos, end)
        if _is_ident_start(nxt) or nxt == "?":
            end = pos + 1
            while end < self.end and src[end] in _ASCII_LETTERS:
                end += 1
            word = src[pos + 1 : end].lower()
            if operand and word in _UNARY_OPERATORS:
                return self._tok("UNARY_OP", "-" + word, pos, end)
            kind = BINARY_OPERATORS.get(word)
            if kind is not None:
                return self._tok(kind, "-" + word, pos, end)
            if word in _UNARY_OPERATORS:
                return self._tok("UNARY_OP", "-" + word, pos, end)
            # A parameter inside an expression: PowerShell reports the whole `-word` token.
            return self._generic(pos)
        return self._tok("MINUS", "-", pos, pos + 1)

    def _generic(self, pos: int) -> Tok:
        """A token no expression rule accepts, scanned as PowerShell's command-mode rescan would
        (its text is what `Unexpected token '...'` shows)."""
        _, end = self._scan_generic(pos)
        return self._tok("GENERIC", self.src[pos:end], pos, max(end, pos + 1))

    def command_mode_token(self, pos: int) -> Tok:
        """The token at `pos` as command mode scans it, for UnexpectedToken messages."""
        saved = (self.pos, self.prev_end, self.prev_type, self._verbatim_next, len(self.errors))
        try:
            c = self.src[pos] if pos < self.end else ""
            if c == "" or c in "(){};,|&" or c in "\r\n":
                width = 2 if self.src[pos : pos + 2] in ("&&", "||") else 1
                return Tok("GENERIC", self.src[pos : pos + width], pos, min(pos + width, self.end))
            if c in _QUOTES or (c == "@" and self._ch(pos + 1) in _QUOTES):
                if c in SINGLE_QUOTES:
                    value, end = self._scan_single_quoted(pos)
                elif c in DOUBLE_QUOTES:
                    value, end = self._scan_double_quoted(pos)
                else:
                    value, end = self._scan_here_string(pos)
                return Tok("GENERIC", self.src[pos:end], pos, end)
            if c == "$" and self._ch(pos + 1) == "(":
                return Tok("GENERIC", "$(", pos, pos + 2)
            if c == "@" and self._ch(pos + 1) in "({":
                return Tok("GENERIC", self.src[pos : pos + 2], pos, pos + 2)
            if c in DASHES and (_is_ident_start(self._ch(pos + 1)) or self._ch(pos + 1) == "?"):
                tok = self._parameter(pos)
                return Tok("GENERIC", self.src[tok.start : tok.end], tok.start, tok.end)
            if c == "$":
                variable = self._scan_variable(pos, command_mode=True)
                if variable is not None:
                    return Tok("GENERIC", self.src[pos : variable[1]], pos, variable[1])
            _, end = self._scan_generic(pos)
            end = max(end, pos + 1)
            return Tok("GENERIC", self.src[pos:end], pos, end)
        finally:
            self.pos, self.prev_end, self.prev_type, self._verbatim_next = saved[:4]
            del self.errors[saved[4] :]

    # ---------------------------------------------------------------------------- type literals

    def _type_literal(self, pos: int) -> Tok:
        """`[name]` (TYPE) or `[name(` (ATTR_OPEN) at `[`."""
        src = self.src
        inner = pos + 1
        while inner < self.end and src[inner] in _WHITESPACE:
            inner += 1
        scanned = self._scan_type_name(inner)
        if scanned is None:
            self.error(pos + 1, pos + 1, "MissingTypename")
            return self._tok("GENERIC", "[", pos, pos + 1)
        name, end = scanned
        after = end
        while after < self.end and src[after] in _WHITESPACE:
            after += 1
        c = self._ch(after)
        if c == "]":
            return self._tok("TYPE", name, pos, after + 1)
        if c == "(":
            return self._tok("ATTR_OPEN", name, pos, after + 1)
        self.error(after - 1 if after > pos else after, after - 1 if after > pos else after,
                   "EndSquareBracketExpectedAtEndOfAttribute")
        return self._tok("TYPE", name, pos, end)

    def _scan_type_name(self, pos: int) -> tuple[str, int] | None:
        """A type name with optional array `[]`/`[,]` or generic `[T1,T2]` suffixes."""
        src = self.src
        if pos >= self.end or not _is_ident_start(src[pos]):
            return None
        end = pos + 1
        while end < self.end and (src[end] in _TYPE_NAME_CHARS or (src[end] > "\x7f" and src[end].isalnum())):
            end += 1
        name = src[pos:end]
        while self._ch(end) == "[":
            inner = end + 1
            if self._ch(inner) in ("]", ","):
                close = inner
                while self._ch(close) == ",":
                    close += 1
                if self._ch(close) != "]":
                    return name, end
                name += src[end : close + 1]
                end = close + 1
                continue
            arguments = []
            cursor = inner
            while True:
                while self._ch(cursor) in _WHITESPACE and cursor < self.end:
                    cursor += 1
                bracketed = self._ch(cursor) == "["
                argument = self._scan_type_name(cursor + 1 if bracketed else cursor)
                if argument is None:
                    return name, end
                arg_name, cursor = argument
                if bracketed:
                    if self._ch(cursor) != "]":
                        return name, end
                    cursor += 1
                arguments.append(arg_name)
                while self._ch(cursor) in _WHITESPACE and cursor < self.end:
                    cursor += 1
                if self._ch(cursor) == ",":
                    cursor += 1
                    continue
                break
            if self._ch(cursor) != "]":
                return name, end
            name += "[" + ",".join(arguments) + "]"
            end = cursor + 1
        return name, end

    # ---------------------------------------------------------------------------- generic tokens

    def _scan_generic(self, pos: int) -> tuple[StringValue, int]:
        """ScanGenericToken: up to a character that forces a new token; backtick escapes,
        quoted pieces and `$` expansions are part of the token."""
        src = self.src
        end = self.end
        parts: list[StringPart] = []
        text: list[str] = []
        first = True
        while pos < end:
            c = src[pos]
            if c in _FORCE_START and not first:
                break
            first = False
            if c == "`":
                if pos + 1 < end:
                    text.append(_backtick(src[pos + 1]))
                    pos += 2
                else:
                    text.append(c)
                    pos += 1
            elif c in SINGLE_QUOTES:
                pos = self._single_quoted_body(pos, text)
            elif c in DOUBLE_QUOTES:
                pos = self._double_quoted_body(pos, text, parts, here=False)
            elif c == "$":
                expansion = self._dollar_expansion(pos, here=False)
                if expansion is None:
                    text.append("$")
                    pos += 1
                else:
                    part, pos = expansion
                    _flush(text, parts)
                    parts.append(part)
            else:
                text.append(c)
                pos += 1
        _flush(text, parts)
        return StringValue("bare", tuple(parts)), pos

    # ---------------------------------------------------------------------------- strings

    def _single_quoted_body(self, pos: int, text: list[str]) -> int:
        """ScanStringLiteral from the opening quote at `pos`; returns the position after it."""
        src = self.src
        start = pos
        pos += 1
        while pos < self.end:
            c = src[pos]
            if c in SINGLE_QUOTES:
                if pos + 1 < self.end and src[pos + 1] in SINGLE_QUOTES:
                    text.append(src[pos + 1])
                    pos += 2
                    continue
                return pos + 1
            text.append(c)
            pos += 1
        self.error(start, self.end, "TerminatorExpectedAtEndOfString", "'")
        return self.end

    def _scan_single_quoted(self, pos: int) -> tuple[StringValue, int]:
        text: list[str] = []
        end = self._single_quoted_body(pos, text)
        return StringValue("single", ("".join(text),)), end

    def _double_quoted_body(self, pos: int, text: list[str], parts: list[StringPart], here: bool) -> int:
        """ScanStringExpandable from the opening quote at `pos`."""
        src = self.src
        start = pos
        pos += 1
        while pos < self.end:
            c = src[pos]
            if c in DOUBLE_QUOTES:
                if pos + 1 < self.end and src[pos + 1] in DOUBLE_QUOTES:
                    text.append(src[pos + 1])
                    pos += 2
                    continue
                return pos + 1
            if c == "$":
                expansion = self._dollar_expansion(pos, here)
                if expansion is not None:
                    part, pos = expansion
                    _flush(text, parts)
                    parts.append(part)
                    continue
            elif c == "`" and pos + 1 < self.end:
                text.append(_backtick(src[pos + 1]))
                pos += 2
                continue
            text.append(c)
            pos += 1
        self.error(start, self.end, "TerminatorExpectedAtEndOfString", '"')
        return self.end

    def _scan_double_quoted(self, pos: int) -> tuple[StringValue, int]:
        text: list[str] = []
        parts: list[StringPart] = []
        end = self._double_quoted_body(pos, text, parts, here=False)
        _flush(text, parts)
        return StringValue("double", tuple(parts) or ("",)), end

    def _scan_here_string(self, pos: int) -> tuple[StringValue, int]:
        """`@'...'@` / `@"..."@`: the header ends its line, the footer starts a line."""
        src = self.src
        quote = src[pos + 1]
        double = quote in DOUBLE_QUOTES
        quotes = DOUBLE_QUOTES if double else SINGLE_QUOTES
        kind = "here_double" if double else "here_single"
        footer_name = '"@' if double else "'@"
        cursor = pos + 2
        while cursor < self.end and src[cursor] in _WHITESPACE:
            cursor += 1
        if cursor >= self.end:
            self.error(pos, self.end, "TerminatorExpectedAtEndOfString", footer_name)
            return StringValue(kind, ("",)), self.end
        if src[cursor] not in _NEWLINE_CHARS:
            self.error(cursor, cursor + 1, "UnexpectedCharactersAfterHereStringHeader")
            while cursor < self.end and src[cursor] not in _NEWLINE_CHARS:
                if src[cursor] in quotes and self._ch(cursor + 1) == "@":
                    return StringValue(kind, ("",)), cursor + 2
                cursor += 1
            return StringValue(kind, ("",)), cursor
        cursor += 2 if src[cursor] == "\r" and self._ch(cursor + 1) == "\n" else 1
        text: list[str] = []
        parts: list[StringPart] = []
        false_footer = -1
        at_line_start = True
        while cursor < self.end:
            c = src[cursor]
            if at_line_start:
                at_line_start = False
                if c in quotes and self._ch(cursor + 1) == "@":
                    if text and text[-1] == "\n":
                        text.pop()
                        if text and text[-1] == "\r":
                            text.pop()
                    elif text and text[-1] == "\r":
                        text.pop()
                    _flush(text, parts)
                    return StringValue(kind, tuple(parts) or ("",)), cursor + 2
                probe = cursor
                while probe < self.end and src[probe] in _WHITESPACE:
                    probe += 1
                if probe > cursor and false_footer < 0 and self._ch(probe) in quotes and self._ch(probe + 1) == "@":
                    false_footer = probe
            if c in _NEWLINE_CHARS:
                text.append(c)
                if c == "\r" and self._ch(cursor + 1) == "\n":
                    text.append("\n")
                    cursor += 1
                cursor += 1
                at_line_start = True
                continue
            if double and c == "$":
                expansion = self._dollar_expansion(cursor, here=True)
                if expansion is not None:
                    part, cursor = expansion
                    _flush(text, parts)
                    parts.append(part)
                    continue
            elif double and c == "`" and cursor + 1 < self.end:
                text.append(_backtick(src[cursor + 1]))
                cursor += 2
                continue
            text.append(c)
            cursor += 1
        if false_footer >= 0:
            self.error(false_footer, self.end, "WhitespaceBeforeHereStringFooter")
        else:
            self.error(pos, self.end, "TerminatorExpectedAtEndOfString", footer_name)
        _flush(text, parts)
        return StringValue(kind, tuple(parts) or ("",)), self.end

    def _dollar_expansion(self, pos: int, here: bool) -> tuple[StringPart, int] | None:
        """`$(...)` or `$var` inside a string or bareword (ScanDollarInStringExpandable)."""
        nxt = self._ch(pos + 1)
        if nxt == "(":
            return self._scan_subexpression(pos, here)
        if nxt != "" and (_is_var_start(nxt) or nxt == "{"):
            variable = self._scan_variable(pos, command_mode=False, in_string=True)
            if variable is None:
                return None
            value, end = variable
            return VariablePart(value.name, value.scope, pos, end), end
        return None

    def _scan_subexpression(self, pos: int, here: bool) -> tuple[StringPart, int]:
        """`$(` ... `)` by counting parentheses (ScanSubExpression); quotes are not tracked."""
        src = self.src
        depth = 1
        cursor = pos + 2
        while cursor < self.end:
            c = src[cursor]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return SubExpressionPart(pos, cursor + 1, closed=True), cursor + 1
            elif (c == "`" or c in DOUBLE_QUOTES) and not here and self._ch(cursor + 1) in DOUBLE_QUOTES:
                cursor += 1
            cursor += 1
        self.error(pos, self.end, "IncompleteDollarSubexpressionReference")
        return SubExpressionPart(pos, self.end, closed=False), self.end

    # ---------------------------------------------------------------------------- variables

    def _scan_variable(
        self, pos: int, command_mode: bool, in_string: bool = False
    ) -> tuple[VariableValue, int] | None:
        """ScanVariable at `$`/`@` (pos).  None when `$` does not start a variable, or when, in
        command mode, the variable runs into other characters (`$x-old` is a bareword)."""
        src = self.src
        cursor = pos + 1
        c = self._ch(cursor)
        if c == "{":
            return self._scan_braced_variable(pos, command_mode, in_string)
        if c == "" or not _is_var_start(c):
            return None
        if c in "$?^":
            cursor += 1
            name = c
        else:
            while cursor < self.end:
                c = src[cursor]
                if _is_var_char(c):
                    cursor += 1
                elif c == ":":
                    if self._ch(cursor + 1) == ":":
                        break
                    cursor += 1
                else:
                    break
            name = src[pos + 1 : cursor]
        stop = self._ch(cursor)
        if command_mode and stop != "" and stop not in _FORCE_START and stop not in ".[=":
            return None
        value = _variable_path(name)
        if value.name == "":
            if value.scope is not None:
                self.error(pos, cursor, "InvalidVariableReferenceWithDrive")
            else:
                self.error(pos, cursor, "InvalidVariableReference")
        return value, cursor

    def _scan_braced_variable(
        self, pos: int, command_mode: bool, in_string: bool
    ) -> tuple[VariableValue, int] | None:
        src = self.src
        cursor = pos + 2
        name: list[str] = []
        closed = False
        while cursor < self.end:
            c = src[cursor]
            if c == "}":
                closed = True
                cursor += 1
                break
            if c == "`" and cursor + 1 < self.end:
                name.append(_backtick(src[cursor + 1]))
                cursor += 2
                continue
            if c in DOUBLE_QUOTES and in_string and self._ch(cursor + 1) in DOUBLE_QUOTES:
                name.append(src[cursor + 1])
                cursor += 2
                continue
            if c == "{":
                self.error(cursor, cursor + 1, "OpenBraceNeedsToBeBackTickedInVariableName")
            name.append(c)
            cursor += 1
        if not closed:
            self.error(pos + 1, cursor, "IncompleteDollarVariableReference")
        text = "".join(name)
        if text == "" and closed:
            self.error(cursor - 1, cursor, "EmptyVariableReference")
        stop = self._ch(cursor)
        if command_mode and stop != "" and stop not in _FORCE_START and stop not in ".[":
            return None
        return _variable_path(text), cursor

    # ---------------------------------------------------------------------------- numbers

    def _scan_number(self, pos: int, expression: bool) -> tuple[NumberValue | None, int]:
        """ScanNumberHelper + TryGetNumberValue (Windows PowerShell 5.1 rules).  Returns
        (None, pos) when the characters are not a number (`7z.exe`, `1x`)."""
        src = self.src
        cursor = pos
        negative = False
        if src[cursor] in DASHES or src[cursor] == "+":
            negative = src[cursor] in DASHES
            cursor += 1
        digits_start = cursor
        hexadecimal = False
        real = False
        if self._ch(cursor) == "0" and self._ch(cursor + 1) in ("x", "X"):
            hexadecimal = True
            cursor += 2
            digits_start = cursor
            while cursor < self.end and src[cursor] in _HEX_DIGITS:
                cursor += 1
            if cursor == digits_start:
                return None, pos
        else:
            while cursor < self.end and src[cursor] in _DIGITS:
                cursor += 1
            if self._ch(cursor) == "." and self._ch(cursor + 1) != ".":
                real = True
                cursor += 1
                while cursor < self.end and src[cursor] in _DIGITS:
                    cursor += 1
            if cursor == digits_start or (real and cursor == digits_start + 1 and src[digits_start] == "."):
                return None, pos
            if self._ch(cursor) in ("e", "E"):
                real = True
                cursor += 1
                if self._ch(cursor) == "+" or self._ch(cursor) in DASHES:
                    cursor += 1
                exponent_start = cursor
                while cursor < self.end and src[cursor] in _DIGITS:
                    cursor += 1
                if cursor == exponent_start:
                    return None, pos
        number_text = src[digits_start:cursor]
        suffix = ""
        c = self._ch(cursor)
        if c in ("l", "L", "d", "D") and not hexadecimal:
            suffix = c.lower()
            cursor += 1
        elif c in ("l", "L") and hexadecimal:
            suffix = "l"
            cursor += 1
        multiplier = 1
        c = self._ch(cursor)
        if c.lower() in _MULTIPLIERS and c != "":
            if self._ch(cursor + 1) not in ("b", "B"):
                return None, pos
            multiplier = _MULTIPLIERS[c.lower()]
            cursor += 2
        stop = self._ch(cursor)
        if stop != "" and stop not in _FORCE_START and (not expression or stop not in _FORCE_START_AFTER_NUMBER):
            return None, pos
        value = _number_value(number_text, hexadecimal, real, suffix, multiplier, negative)
        if value is None:
            if not expression:
                return None, pos
            self.error(cursor, cursor + 1, "BadNumericConstant", src[pos:cursor])
            return NumberValue(0, False), cursor
        return value, cursor


def _flush(text: list[str], parts: list[StringPart]) -> None:
    if text:
        joined = "".join(text)
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1] + joined
        else:
            parts.append(joined)
        text.clear()


def _variable_path(name: str) -> VariableValue:
    """`scope:name` → (name, lower-cased scope); `name` → (name, None)."""
    colon = name.find(":")
    if colon < 0:
        return VariableValue(name, None)
    return VariableValue(name[colon + 1 :], name[:colon].lower())


def _number_value(
    text: str, hexadecimal: bool, real: bool, suffix: str, multiplier: int, negative: bool
) -> NumberValue | None:
    sign = -1 if negative else 1
    if hexadecimal:
        raw = int(text, 16)
        if suffix == "l" or raw > 0xFFFFFFFF:
            if raw > 0xFFFFFFFFFFFFFFFF:
                return None
            value = raw - 2**64 if raw > INT64_MAX else raw
            return _fit_long(sign * value * multiplier)
        value = raw - 2**32 if raw > INT32_MAX else raw
        return _fit_default(sign * value * multiplier)
    if real:
        if suffix == "d":
            try:
                return NumberValue(Decimal(text) * multiplier * sign, False)
            except InvalidOperation:
                return None
        number = float(text) * multiplier * sign
        if suffix == "l":
            return _fit_long(int(number))
        return NumberValue(number, False)
    integer = int(text) * multiplier * sign
    if suffix == "d":
        return NumberValue(Decimal(integer), False) if abs(integer) <= DECIMAL_MAX else None
    if suffix == "l":
        return _fit_long(integer)
    return _fit_default(integer)


def _fit_long(value: int) -> NumberValue | None:
    if INT64_MIN <= value <= INT64_MAX:
        return NumberValue(value, True)
    return None


def _fit_default(value: int) -> NumberValue:
    """int32, then int64, then decimal, then double (TryGetNumberValue without a suffix)."""
    if INT32_MIN <= value <= INT32_MAX:
        return NumberValue(value, False)
    if INT64_MIN <= value <= INT64_MAX:
        return NumberValue(value, True)
    if abs(value) <= DECIMAL_MAX:
        return NumberValue(Decimal(value), False)
    return NumberValue(float(value), False)
