"""PowerShell wildcard patterns, as `System.Management.Automation.WildcardPattern` reads them.

The one implementation of wildcards in hyperv-emu: the emulator's name filters (`Get-VM -Name`,
`Get-VMSnapshot -Name`), psshim's `-like`/`-notlike`, `switch -Wildcard`, the `-Property` and
`-Name` wildcards of its cmdlets, and Format-Table's `-Property` all go through it, so that two
places cannot disagree about what a pattern matches.

Why it lives here: the emulator is the lowest layer and must work alone, so the one module sits
in it and imports nothing but the emulator's errors and its `Fieldwise` base; the SDK re-exports it (`sdk/__init__.py`, the
one SDK module besides the emulated backend that may reach the emulator) as part of its public
API, and psshim takes it from the SDK (docs/architecture.md, "Shared helpers").

Why it is hand-written: no maintained Python library reads PowerShell's syntax. `fnmatch` and
`wcmatch` follow POSIX/bash (`[!a]` and `[^a]` negate, `\\` escapes); PowerShell has no negation
and escapes with a backtick. The rules, from the PowerShell source
(src/System.Management.Automation/engine/regex.cs, `WildcardPatternParser.Parse` and
`WildcardPatternMatcher`) and about_Wildcards:

- `*` matches any run of characters (none too), `?` exactly one character;
- `[...]` matches one character from a set of literal characters and `a-c` ranges (ordinal,
  by UTF-16 code unit); inside it `^`, `!`, `[` are literal (there is no negation); a `]` right
  after the opening `[` is a member, not the end; `-` first or last is literal;
- a backtick makes the next character literal, inside brackets too; a trailing lone backtick is
  a literal backtick, except that the pattern "`" alone is the empty pattern (Windows 7 compat);
- an unclosed `[` or a reversed range (`[z-a]`) is an invalid pattern: `WildcardPatternException`
  "The specified wildcard character pattern is not valid: <pattern>" (here `InvalidWildcardPattern`);
- matching is on UTF-16 code units (a character outside the BMP is two, so it takes `??`), and
  case-insensitive by default: each code unit is lower-cased on its own (TextInfo.ToLower), and
  a bracket set also matches the lower-case forms of its members (Regex IgnoreCase);
- `ContainsWildcardCharacters` counts an unescaped `*`, `?`, `[` or `]`.

The matcher places the runs between stars leftmost-first (`str.find` for runs of literals),
O(len(pattern) * len(text)) at worst, so hostile names cannot make it blow up as a backtracking
regex (`*a*a*a*b` against 10,000 `a`) would.
"""

from __future__ import annotations

import functools
import sys
from typing import Final

import attrs

from hyperv_emu.emulator.errors import InvalidWildcardPattern
from hyperv_emu.emulator.fieldwise import Fieldwise

ESCAPE: Final = "`"
_SPECIAL: Final = "*?[]`"  # what Escape() escapes
_WILDCARD_CHARS: Final = "*?[]"  # what ContainsWildcardCharacters() looks for


@attrs.frozen(eq=False, repr=False)
class _Star(Fieldwise):
    """`*`: any run of code units."""


@attrs.frozen(eq=False, repr=False)
class _Any(Fieldwise):
    """`?`: one code unit."""


_STAR: Final = _Star()
_ANY: Final = _Any()


@attrs.frozen(eq=False, repr=False)
class _Set(Fieldwise):
    """A bracket expression: literal members and inclusive (low, high) ranges of code units."""

    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    ignore_case: bool

    def __contains__(self, ch: str) -> bool:
        if self._holds(ch):
            return True
        if self.ignore_case:
            # Regex IgnoreCase: the set holds the lower-case forms of its members too; `ch` is
            # already lower-case, so look for a member whose lower case it is.
            upper = ch.upper()
            return len(upper) == 1 and upper != ch and self._holds(upper)
        return False

    def _holds(self, ch: str) -> bool:
        return ch in self.chars or any(lo <= ch <= hi for lo, hi in self.ranges)


_Element = _Star | _Any | str | _Set  # a literal is one code unit (lower-cased unless case-sensitive)
_Segment = str | tuple[_Element, ...]  # a run between stars: its literals as a str when it has only those


@attrs.frozen(eq=False, repr=False)
class WildcardPattern(Fieldwise):
    """A compiled pattern (`compile_pattern()` builds and caches one): the runs of single-character
    elements between its stars. One run means no star."""

    pattern: str
    case_sensitive: bool
    segments: tuple[_Segment, ...]

    def length_range(self) -> tuple[int, int]:
        """The lengths (in Python characters) a matching text can have, least and most: a
        caller going through many texts skips the others without a call per text. A pattern
        without a star matches texts of exactly len(run) UTF-16 units: len(run) / 2 (all
        outside the BMP) to len(run) characters."""
        units = sum(len(seg) for seg in self.segments)
        return (units + 1) // 2, units if len(self.segments) == 1 else sys.maxsize

    def is_match(self, text: str) -> bool:
        """Whether the whole of `text` matches (WildcardPattern.IsMatch). The first run sits at
        the start, the last at the end, and each run between takes its leftmost place after the
        one before (if any placement works, that one does): O(pattern * text) at worst."""
        segments = self.segments
        first = segments[0]
        if len(segments) == 1 and not len(text) <= len(first) <= 2 * len(text):
            return False  # a text is len(text) to twice that UTF-16 units long (a name lookup
            # among a fleet's VMs skips most of them here)
        units = _normalise(_code_units(text), not self.case_sensitive)
        if len(segments) == 1:
            return len(units) == len(first) and _at(first, units, 0)
        last = segments[-1]
        end = len(units) - len(last)
        if end < len(first) or not _at(first, units, 0) or not _at(last, units, end):
            return False
        pos = len(first)
        for seg in segments[1:-1]:
            pos = _find(seg, units, pos, end)
            if pos < 0:
                return False
            pos += len(seg)
        return True


def _at(seg: _Segment, units: str, i: int) -> bool:
    """Whether the run matches the code units from `i` (which has room for it)."""
    if isinstance(seg, str):
        return units.startswith(seg, i)
    return all(_one(el, units[i + k]) for k, el in enumerate(seg))


def _find(seg: _Segment, units: str, start: int, end: int) -> int:
    """The leftmost place at or after `start` where the run matches and ends by `end`, or -1."""
    if isinstance(seg, str):
        return units.find(seg, start, end)
    for i in range(start, end - len(seg) + 1):
        if _at(seg, units, i):
            return i
    return -1


def _one(el: _Element, unit: str) -> bool:
    """Whether a single-character element matches one code unit."""
    if isinstance(el, str):
        return el == unit
    if isinstance(el, _Set):
        return unit in el
    return isinstance(el, _Any)


def _segments(elements: list[_Element]) -> tuple[_Segment, ...]:
    runs: list[list[_Element]] = [[]]
    for el in elements:
        if isinstance(el, _Star):
            runs.append([])
        else:
            runs[-1].append(el)
    return tuple("".join(r) if all(isinstance(e, str) for e in r) else tuple(r)  # type: ignore[arg-type]
                 for r in runs)


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str, case_sensitive: bool = False) -> WildcardPattern:
    """Parse `pattern`; raises InvalidWildcardPattern for an unclosed `[` or a reversed range."""
    ignore_case = not case_sensitive
    units = _code_units(pattern)
    elements: list[_Element] = []
    escaped = False
    in_set = False
    set_just_opened = False
    members: list[tuple[str, bool]] = []  # (code unit, is an unescaped '-')
    for ch in units:
        if in_set:
            if ch == "]" and not set_just_opened and not escaped:
                in_set = False
                elements.append(_bracket(members, pattern, ignore_case))
                members = []
            elif ch != ESCAPE or escaped:
                members.append((ch, ch == "-" and not escaped))
            set_just_opened = False
        elif ch == "*" and not escaped:
            if not elements or not isinstance(elements[-1], _Star):
                elements.append(_STAR)
        elif ch == "?" and not escaped:
            elements.append(_ANY)
        elif ch == "[" and not escaped:
            in_set = True
            set_just_opened = True
        elif ch != ESCAPE or escaped:
            elements.append(_lower(ch) if ignore_case else ch)
        escaped = ch == ESCAPE and not escaped
    if in_set:
        raise InvalidWildcardPattern(pattern)
    if escaped and pattern != ESCAPE:
        elements.append(ESCAPE)
    return WildcardPattern(pattern, case_sensitive, _segments(elements))


def _bracket(members: list[tuple[str, bool]], pattern: str, ignore_case: bool) -> _Set:
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    i = 0
    while i < len(members):
        if i + 2 < len(members) and members[i + 1][1]:
            low, high = members[i][0], members[i + 2][0]
            if low > high:
                raise InvalidWildcardPattern(pattern)
            ranges.append((low, high))
            i += 3
        else:
            chars.add(members[i][0])
            i += 1
    return _Set(frozenset(chars), tuple(ranges), ignore_case)


def is_match(pattern: str, text: str, case_sensitive: bool = False) -> bool:
    """`text -like pattern` (`-clike` with case_sensitive)."""
    return compile_pattern(pattern, case_sensitive).is_match(text)


def contains_wildcards(text: str) -> bool:
    """WildcardPattern.ContainsWildcardCharacters: an unescaped `*`, `?`, `[` or `]`."""
    i = 0
    while i < len(text):
        if text[i] in _WILDCARD_CHARS:
            return True
        if text[i] == ESCAPE:
            i += 1
        i += 1
    return False


def escape(text: str) -> str:
    """WildcardPattern.Escape: a backtick before each of `*`, `?`, `[`, `]` and backtick."""
    return "".join(ESCAPE + ch if ch in _SPECIAL else ch for ch in text)


def unescape(text: str) -> str:
    """WildcardPattern.Unescape: drop the backtick before a wildcard character (`*?[]`) and
    halve a doubled backtick; any other backtick stays, a trailing one too."""
    out: list[str] = []
    escaped = False
    for ch in text:
        if ch == ESCAPE:
            if escaped:
                out.append(ch)
            escaped = not escaped
            continue
        if escaped and ch not in _WILDCARD_CHARS:
            out.append(ESCAPE)
        out.append(ch)
        escaped = False
    if escaped:
        out.append(ESCAPE)
    return "".join(out)


def _code_units(text: str) -> str:
    """`text` as UTF-16 code units, one Python character each (a character outside the BMP
    becomes its surrogate pair), as .NET strings hold it."""
    if text.isascii() or max(text, default="\0") < "\U00010000":
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i:i + 2], "little")) for i in range(0, len(data), 2))


def _normalise(units: str, ignore_case: bool) -> str:
    if not ignore_case:
        return units
    if units.isascii():
        return units.lower()
    return "".join(_lower(ch) for ch in units)


@functools.lru_cache(maxsize=4096)
def _lower(ch: str) -> str:
    """TextInfo.ToLower of one code unit: the simple lower-case mapping, or the unit itself
    where Python's mapping is not one character (U+0130 lowers to two)."""
    low = ch.lower()
    return low if len(low) == 1 else ch
