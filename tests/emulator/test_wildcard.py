"""PowerShell wildcard patterns (emulator/wildcard.py, the project's one implementation).

Expected results come from PowerShell's documentation and source, not from our own output:
- about_Wildcards (the examples of its table);
- PowerShell's tests: test/powershell/Language/Operators/ComparisonOperator.Tests.ps1 (backticks),
  test/powershell/engine/WildcardPattern.Tests.ps1, test/xUnit/csharp/test_WildcardPattern.cs
  (Escape/Unescape);
- src/System.Management.Automation/engine/regex.cs (`WildcardPatternParser.Parse`, the bracket
  expression rules, the invalid-pattern exception, `ContainsWildcardCharacters`).
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperv_emu.emulator import wildcard as W
from hyperv_emu.emulator.errors import InvalidWildcardPattern

# (pattern, text, `text -like pattern`)
ABOUT_WILDCARDS = [
    ("a*", "aA", True), ("a*", "ag", True), ("a*", "Apple", True), ("a*", "banana", False),
    ("?n", "an", True), ("?n", "in", True), ("?n", "on", True), ("?n", "ran", False),
    ("[a-l]ook", "book", True), ("[a-l]ook", "cook", True), ("[a-l]ook", "look", True), ("[a-l]ook", "took", False),
    ("[bc]ook", "book", True), ("[bc]ook", "cook", True), ("[bc]ook", "hook", False),
    ("12`*4", "12*4", True), ("12`*4", "1234", False),
]

POWERSHELL_TESTS = [
    # ComparisonOperator.Tests.ps1, "backtick comparison"
    ("abc`def", "abc`def", False), ("abc``def", "abc`def", True), ("abc````def", "abc`def", False),
    ("abc````def", "abc``def", True),
    # WildcardPattern.Tests.ps1
    ("*test*file*.txt", "mytestmyfile123.txt", True), ("file[0-9][a-z].txt", "file5a.txt", True),
    ("file[0-9][a-z].txt", "file55.txt", False), ("TEST", "test", True), ("test*", "testing", True),
    ("", "", True), ("*", "", True), ("*", "anything", True), ("file`[.txt", "file[.txt", True),
    ("file`].txt", "file].txt", True), ("file`?.txt", "file?.txt", True), ("file`?.txt", "file1.txt", False),
]

# The rules of regex.cs (WildcardPatternParser.Parse, AppendBracketExpression).
SOURCE_RULES = [
    # no negation: `^` and `!` inside brackets are members like any other character
    ("[^S]*", "SRV-APP01", True), ("[^S]*", "^x", True), ("[^S]*", "WEB01", False), ("[^S]*", "sql", True),
    ("[!S]*", "!x", True), ("[!S]*", "WEB01", False), ("[!a]", "b", False),
    # a `]` right after `[` is a member; outside brackets a `]` is a literal
    ("[]]", "]", True), ("[]a]", "a", True), ("[]a]", "b", False), ("a]", "a]", True),
    # `-` first or last is literal; an escaped `-` makes no range
    ("[a-]", "-", True), ("[a-]", "b", False), ("[-z]", "-", True), ("[a`-c]", "b", False), ("[a`-c]", "-", True),
    ("[a`-c]", "c", True),
    # a backtick escapes inside brackets too; `[` inside brackets is a member
    ("[`]]", "]", True), ("[[]", "[", True), ("[`*]", "*", True), ("[`*]", "x", False),
    # ranges by code unit, case-insensitive by default (the set matches lower-case forms too)
    ("[A-C]x", "bX", True), ("[a-c]", "B", True), ("[0-9]", "5", True), ("[0-9]", "a", False),
    # a trailing lone backtick is literal; "`" alone is the empty pattern (Win7 compatibility)
    ("a`", "a`", True), ("`", "", True), ("`", "`", False), ("``", "`", True),
    # a backtick before an ordinary character: that character
    ("`a", "a", True), ("`a", "`a", False),
    # `?` is one UTF-16 code unit: a character outside the BMP is two
    ("?", "\U0001F600", False), ("??", "\U0001F600", True), ("???", "\U0001F600", False),
    ("a??", "a\U0001F600", True), ("?", "", False), ("", "", True), ("", "a", False),
    ("\U0001F600*", "\U0001F600 smile", True),
    ("[\U0001F600]", "\U0001F600", False),
    # whole-string matches, `*` may be empty, `?` is exactly one
    ("a*b", "ab", True), ("a*b", "a\nb", True), ("a?b", "ab", False), ("*a", "ba", True), ("*a", "ab", False),
    # several stars: each run between them may sit anywhere after the one before
    ("*a*b*", "aba", True), ("*a*b*", "bba", False), ("*a?*b", "xaxab", True), ("a*[ab]*a", "aa", False),
    ("a*[ab]*a", "aba", True), ("*ab*ab*", "abab", True), ("*ab*ab*", "aba", False),
]


@pytest.mark.parametrize("pattern,text,expected", ABOUT_WILDCARDS + POWERSHELL_TESTS + SOURCE_RULES)
def test_like(pattern: str, text: str, expected: bool) -> None:
    assert W.is_match(pattern, text) is expected


@pytest.mark.parametrize("pattern,text,expected", [
    ("A*", "apple", False), ("a*", "Apple", False), ("[A-C]x", "bx", False), ("[A-C]x", "Bx", True), ("TEST", "TEST", True),
])
def test_clike_is_case_sensitive(pattern: str, text: str, expected: bool) -> None:
    assert W.is_match(pattern, text, case_sensitive=True) is expected


@pytest.mark.parametrize("pattern", ["[a", "a[", "wr[ite", "[]", "[`]", "[z-a]", "x[9-0]y", "[["])
def test_invalid_patterns_raise_the_wildcard_pattern_exception(pattern: str) -> None:
    with pytest.raises(InvalidWildcardPattern) as info:
        W.compile_pattern(pattern)
    assert info.value.message == f"The specified wildcard character pattern is not valid: {pattern}"
    assert (info.value.error_id, info.value.category) == ("RuntimeException", "NotSpecified")


@pytest.mark.parametrize("text,expected", [
    ("abc", False), ("a*", True), ("a?", True), ("a[b", True), ("a]", True), ("a`*", False), ("a`[b`]", False),
    ("``*", True), ("", False), ("a`", False),
])
def test_contains_wildcards(text: str, expected: bool) -> None:
    assert W.contains_wildcards(text) is expected


@pytest.mark.parametrize("text,expected", [
    # test_WildcardPattern.cs (PowerShell 7.5+, which escapes the backtick too)
    ("a", "a"), ("a*", "a`*"), ("*?[]", "`*`?`[`]"), ("`", "``"), ("a`", "a``"), ("abc``def", "abc````def"),
    ("*`?[]", "`*```?`[`]"), ("wildcard*with`backtick", "wildcard`*with``backtick"), ("", ""),
])
def test_escape(text: str, expected: str) -> None:
    assert W.escape(text) == expected
    assert W.is_match(expected, text, case_sensitive=True)


@pytest.mark.parametrize("text,expected", [
    ("a", "a"), ("a`*", "a*"), ("`*`?`[`]", "*?[]"), ("a`b", "a`b"), ("``", "`"), ("a`", "a`"),
])
def test_unescape(text: str, expected: str) -> None:
    assert W.unescape(text) == expected


def test_hostile_patterns_take_linear_time() -> None:
    """A backtracking regex would take ages here; WildcardPattern's matcher is O(pattern * text)."""
    start = time.perf_counter()
    assert not W.is_match("*a*a*a*a*a*b", "a" * 20_000)
    assert W.is_match("*a*a*a*a*a*", "a" * 20_000)
    assert time.perf_counter() - start < 5


# --- against an independent reading: patterns built from tokens, and the same tokens as a regex ---

_ALPHABET = "abAB-^!]*?`["
_token = st.one_of(
    st.sampled_from(_ALPHABET).map(lambda c: (("`" + c) if c in "*?[]`" else c, re.escape(c))),
    st.just(("?", ".")),
    st.just(("*", ".*")),
    st.lists(st.one_of(
        st.sampled_from(_ALPHABET).map(lambda c: (("`" + c) if c in "]`-" else c, re.escape(c))),
        st.tuples(st.sampled_from("aAb"), st.sampled_from("bBz")).filter(lambda r: r[0] <= r[1]).map(
            lambda r: (f"{r[0]}-{r[1]}", f"{r[0]}-{r[1]}")),
    ), min_size=1, max_size=3).map(lambda members: (
        "[" + "".join(m[0] for m in members) + "]", "[" + "".join(m[1] for m in members) + "]")),
)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_token, max_size=6), text=st.text(_ALPHABET + "x", max_size=8), cs=st.booleans())
def test_agrees_with_a_regex_built_from_the_same_tokens(tokens: list[tuple[str, str]], text: str, cs: bool) -> None:
    pattern = "".join(t[0] for t in tokens)
    regex = re.compile("".join(t[1] for t in tokens), re.DOTALL | (0 if cs else re.IGNORECASE))
    assert W.is_match(pattern, text, case_sensitive=cs) is (regex.fullmatch(text) is not None), pattern


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_token, max_size=6), text=st.text(_ALPHABET + "x\U0001F600", max_size=8))
def test_a_matching_text_lies_within_the_length_range(tokens: list[tuple[str, str]], text: str) -> None:
    """length_range lets a caller skip texts without matching them: it never skips a match."""
    pattern = W.compile_pattern("".join(t[0] for t in tokens))
    lo, hi = pattern.length_range()
    if pattern.is_match(text):
        assert lo <= len(text) <= hi


def test_the_length_range_of_plain_names_and_patterns() -> None:
    assert W.compile_pattern("BENCH").length_range() == (3, 5)
    assert W.compile_pattern("`[lab`]").length_range() == (3, 5)
    assert W.compile_pattern("a?[xy]").length_range() == (2, 3)
    assert W.compile_pattern("a*b").length_range()[0] == 1
    assert W.compile_pattern("a*b").length_range()[1] > 10**9
