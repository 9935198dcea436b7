""".NET regular expressions on Python's `re`, and PowerShell wildcards.

`translate(pattern)` rewrites the common .NET-only syntax: named groups `(?<n>...)`/`(?'n'...)`,
`\\k<n>` back-references, `\\z` and `\\Z`, `\\p{L}`-style classes for the usual categories.
`expand_replacement(template, match)` applies a .NET replacement string (`$1`, `${name}`, `$&`,
`$$`, `` $` ``, `$'`, `$_`). `PSRegex`/`PSMatch` are what `[regex]` and `[regex]::Match` give.

Matching runs on the `regex` module (PyPI `regex`, re-compatible in its default VERSION0 mode)
because it takes a time limit: .NET's default is no limit (PowerShell's `-match` has none), but a
catastrophic pattern must not hang hvemu, so every match is cut off after REGEX_TIME_LIMIT seconds
with a RegexMatchTimeoutException error record naming hvemu's limit (see `TimedRegex`).

`wildcard_match` is `-like` through the SDK's WildcardPattern (`sdk.wildcard`, the project's one
implementation of PowerShell wildcards), with its errors as PowerShell error records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hyperv_emu.psshim.runtime.errors import (
    ARGUMENT_EXCEPTION,
    PARENT_CONTAINS_ERROR_RECORD,
    WILDCARD_PATTERN_EXCEPTION,
    PSError,
    make_record,
    runtime_error,
    short_type_name,
)
from hyperv_emu.psshim.runtime.values import Hashtable
from hyperv_emu.sdk import InvalidPatternError, contains_wildcards
from hyperv_emu.sdk import wildcard as sdk_wildcard

if TYPE_CHECKING:
    from hyperv_emu.sdk import WildcardPattern

_UNICODE_CLASSES = {
    "L": r"^\W\d_", "Lu": r"A-Z\u00C0-\u00DE", "Ll": r"a-z\u00DF-\u00FF", "N": r"\d", "Nd": r"\d",
    "P": r"!-/:-@\[-`{-~", "Zs": r" \u00A0", "S": r"$+<=>^`|~",
}


def translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    n = len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "k" and i + 2 < n and pattern[i + 2] in "<'":
                close = ">" if pattern[i + 2] == "<" else "'"
                j = pattern.find(close, i + 3)
                if j > 0:
                    name = pattern[i + 3:j]
                    out.append(f"\\{name}" if name.isdigit() else f"(?P={name})")
                    i = j + 1
                    continue
            if nxt == "z":
                out.append(r"\Z")
                i += 2
                continue
            if nxt == "Z":
                out.append(r"(?=\n?\Z)")
                i += 2
                continue
            if nxt in "pP" and i + 2 < n and pattern[i + 2] == "{":
                j = pattern.find("}", i + 3)
                if j > 0:
                    cat = pattern[i + 3:j]
                    body = _UNICODE_CLASSES.get(cat, r"\w")
                    negate = nxt == "P"
                    if body.startswith("^"):
                        body = body[1:]
                        negate = not negate
                    if in_class:
                        out.append(body)
                    else:
                        out.append(f"[{'^' if negate else ''}{body}]")
                    i = j + 1
                    continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
            j = pattern.find(">", i + 3)
            if j > 0:
                out.append(f"(?P<{pattern[i + 3:j]}>")
                i = j + 1
                continue
        if c == "(" and pattern.startswith("(?'", i):
            j = pattern.find("'", i + 3)
            if j > 0:
                out.append(f"(?P<{pattern[i + 3:j]}>")
                i = j + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


REGEX_TIME_LIMIT = 2.0
"""Seconds one match (a search, a replace, a split, one step of Matches) may run: hvemu's own limit."""

REGEX_TIMEOUT_EXCEPTION = "System.Text.RegularExpressions.RegexMatchTimeoutException"

Match = Any
"""A `regex` match object (the module has no type information; its API is `re.Match`'s)."""


class TimedRegex:
    """A compiled pattern whose every match stops after REGEX_TIME_LIMIT seconds.

    Past the limit the match raises a PowerShell error record: .NET's RegexMatchTimeoutException
    (the exception a Regex built with a match timeout throws), its message naming hvemu's limit."""

    def __init__(self, source: str, compiled: Any) -> None:
        self.source = source
        self._compiled = compiled

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._compiled.groupindex)

    def search(self, text: str) -> Match | None:
        try:
            return self._compiled.search(text, timeout=REGEX_TIME_LIMIT)
        except TimeoutError:
            raise regex_timeout_error(self.source, text) from None

    def finditer(self, text: str) -> Iterator[Match]:
        try:
            yield from self._compiled.finditer(text, timeout=REGEX_TIME_LIMIT)
        except TimeoutError:
            raise regex_timeout_error(self.source, text) from None

    def sub(self, replacement: Callable[[Match], str], text: str) -> str:
        try:
            return str(self._compiled.sub(replacement, text, timeout=REGEX_TIME_LIMIT))
        except TimeoutError:
            raise regex_timeout_error(self.source, text) from None

    def split(self, text: str, maxsplit: int = 0) -> list[str | None]:
        try:
            return list(self._compiled.split(text, maxsplit=maxsplit, timeout=REGEX_TIME_LIMIT))
        except TimeoutError:
            raise regex_timeout_error(self.source, text) from None


@lru_cache(maxsize=512)
def compile_regex(pattern: str, ignore_case: bool = True, multiline: bool = False) -> TimedRegex:
    import regex  # 11 ms to import: only a script that uses a regular expression pays it

    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    if multiline:
        flags |= regex.MULTILINE
    try:
        return TimedRegex(pattern, regex.compile(translate(pattern), flags))
    except (regex.error, OverflowError, RecursionError) as exc:
        raise regex_error(pattern, str(exc)) from None


def regex_timeout_error(pattern: str, text: str) -> PSError:
    """What a match past hvemu's limit gives: RegexMatchTimeoutException's record (id and
    category as PowerShell reports an exception thrown during an operator)."""
    return runtime_error(
        f"The regular expression '{pattern}' exceeded hvemu's regex time limit of {REGEX_TIME_LIMIT:g} seconds "
        f"while matching an input string of {len(text)} characters (the RegEx engine timed out; "
        "PowerShell's -match has no limit, hvemu stops catastrophic backtracking).",
        "RegexMatchTimeoutException",
        "OperationTimeout",
        exception_type=REGEX_TIMEOUT_EXCEPTION,
        target_object=pattern,
        target_name=pattern,
        target_type="String",
    )


def regex_error(pattern: str, detail: str) -> PSError:
    return runtime_error(
        f'The regular expression pattern {pattern} is not valid.',
        "InvalidRegularExpression",
        "InvalidOperation",
        exception_type=ARGUMENT_EXCEPTION,
        target_object=pattern,
        target_name=pattern,
        target_type="String",
    )


def expand_replacement(template: str, m: Match) -> str:
    out: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "&":
            out.append(m.group(0))
            i += 2
        elif nxt == "`":
            out.append(m.string[: m.start()])
            i += 2
        elif nxt == "'":
            out.append(m.string[m.end():])
            i += 2
        elif nxt == "_":
            out.append(m.string)
            i += 2
        elif nxt == "+":
            last = m.lastindex
            out.append((m.group(last) or "") if last else "")
            i += 2
        elif nxt == "{":
            j = template.find("}", i + 2)
            name = template[i + 2:j] if j > 0 else ""
            try:
                out.append(m.group(int(name) if name.isdigit() else name) or "")
                i = j + 1
            except IndexError:
                out.append(template[i:j + 1] if j > 0 else "$")
                i = j + 1 if j > 0 else i + 1
        elif nxt.isdigit():
            j = i + 1
            while j < n and template[j].isdigit():
                j += 1
            # .NET takes the longest group number that exists
            digits = template[i + 1:j]
            while digits:
                num = int(digits)
                if num <= (m.re.groups or 0):
                    out.append(m.group(num) or "")
                    i = i + 1 + len(digits)
                    break
                digits = digits[:-1]
            else:
                out.append("$")
                i += 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


def matches_table(m: Match) -> Hashtable:
    """`$Matches` after a successful -match: numbered groups (ints) and named groups."""
    h = Hashtable()
    names = {v: k for k, v in m.re.groupindex.items()}
    for idx in range(m.re.groups, -1, -1):
        g = m.group(idx)
        if g is None:
            continue
        key: Any = names.get(idx, idx)
        h[key] = g
    # PowerShell lists the groups from the highest number down to 0
    return h


class PSRegex:
    """A System.Text.RegularExpressions.Regex (`[regex]'pattern'`)."""

    __ps_type_names__ = ["System.Text.RegularExpressions.Regex", "System.Object"]

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        # [regex] objects are case-sensitive unless IgnoreCase is given
        self.ignore_case = ignore_case
        self.compiled = compile_regex(pattern, ignore_case)

    def __ps_string__(self) -> str:
        return self.pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PSRegex) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)


class PSGroup:
    __ps_type_names__ = ["System.Text.RegularExpressions.Group", "System.Object"]

    def __init__(self, m: Match | None, idx: int | str, name: str) -> None:
        self.name = name
        if m is not None and m.group(idx) is not None:
            self.success = True
            self.value: str = str(m.group(idx))
            self.index: int = int(m.start(idx))
        else:
            self.success = False
            self.value = ""
            self.index = 0

    def __ps_string__(self) -> str:
        return self.value

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Groups", None), ("Success", self.success), ("Name", self.name),
                ("Captures", None), ("Index", self.index), ("Length", len(self.value)), ("Value", self.value)]


class PSMatch(PSGroup):
    __ps_type_names__ = ["System.Text.RegularExpressions.Match", "System.Object"]

    def __init__(self, m: Match | None) -> None:
        super().__init__(m, 0, "0")
        self.match = m
        groups: list[PSGroup] = []
        if m is not None:
            names = {v: k for k, v in m.re.groupindex.items()}
            for idx in range(0, m.re.groups + 1):
                groups.append(PSGroup(m, idx, names.get(idx, str(idx))))
        self.groups = groups

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Groups", self.groups), ("Success", self.success), ("Name", self.name),
                ("Captures", [self] if self.success else []), ("Index", self.index),
                ("Length", len(self.value)), ("Value", self.value)]


# ------------------------------------------------------------------------------------------
# wildcards
# ------------------------------------------------------------------------------------------


def wildcard_match(text: str, pattern: str, case_sensitive: bool = False) -> bool:
    """`text -like pattern`: PowerShell's WildcardPattern, whose one implementation the SDK
    exports (`sdk.wildcard`); an invalid pattern is the WildcardPatternException PowerShell throws."""
    try:
        return _wildcard(pattern, case_sensitive).is_match(text)
    except InvalidPatternError as exc:
        raise wildcard_error(exc) from None


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, case_sensitive: bool) -> WildcardPattern:
    return sdk_wildcard(pattern, case_sensitive=case_sensitive)


def wildcard_error(exc: InvalidPatternError) -> PSError:
    """WildcardPatternException is a RuntimeException whose ErrorRecord is PowerShell's default
    one: id RuntimeException, NotSpecified, reason ParentContainsErrorRecordException (regex.cs)."""
    return PSError(make_record(exc.message, exc.error_id, exc.category, exception_type=WILDCARD_PATTERN_EXCEPTION,
                               reason=short_type_name(PARENT_CONTAINS_ERROR_RECORD)))


def has_wildcards(text: str) -> bool:
    """WildcardPattern.ContainsWildcardCharacters: an unescaped `*`, `?`, `[` or `]`."""
    return contains_wildcards(text)
