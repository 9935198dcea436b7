"""Fuzzing psshim.parser with hypothesis: random token sequences and mutated scenario scripts
give a ScriptBlockAst or a ParseError — never another exception, never a hang."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.psshim import ast
from hyperv_emu.psshim.parser import ParseError, parse

from parser_corpus_loader import corpus


TOKENS = [
    # keywords and command names
    "if", "elseif", "else", "foreach", "in", "for", "while", "do", "until", "switch", "default",
    "try", "catch", "finally", "function", "filter", "param", "begin", "process", "end",
    "return", "throw", "exit", "break", "continue", "trap", "class", "from",
    "Get-VM", "Select-Object", "%", "?", "Write-Host", ".\\x.ps1", "7z.exe",
    # values
    "$x", "$_", "${a b}", "$env:PATH", "$x:", "@splat", "42", "-7", "10MB", "0x1F", "1.5e3", "5l",
    "'s'", "'it''s'", '"d"', '"$x.y"', '"$(1+2)"', '"a`tb"', "\u201cq\u201d", "\u2018q\u2019",
    "\u2033", "@'\nhere\n'@", '@"\nhere $x\n"@', "[int]", "[string[]]", "[CmdletBinding()]",
    "[Parameter(Mandatory)]", "[math]::Round", "bare", "a$b", "pre$(x)",
    # operators and punctuation
    "-eq", "-and", "-not", "-f", "-split", "+", "-", "*", "/", "%", "..", ",", "=", "+=", "++", "--",
    "!", ".", "::", "|", "||", "&", "&&", ";", "(", ")", "{", "}", "[", "]", "@(", "@{", "$(",
    "-Name", "-Name:", "\u2013Name", "--", "--%", ">", "2>&1", "<",
    # trivia
    "\n", "\r\n", " ", "\t", "`\n", "`", "# comment\n", "<# c #>", "<#", "#requires -Version 5\n",
]


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging) if parsing takes too long (SIGALRM; POSIX only)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError("the parser did not finish")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(text: str) -> None:
    with time_limit(10):
        try:
            result = parse(text)
        except ParseError as error:
            assert error.errors
            for item in error.errors:
                assert item.error_id and item.message
                assert 1 <= item.extent.start_line <= item.extent.end_line
                assert 0 <= item.extent.start_offset <= item.extent.end_offset <= len(error.source) + 1
            return
    assert isinstance(result, ast.ScriptBlockAst)


FUZZ = settings(
    max_examples=T.examples(150),
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(["", " ", " ", "\n"])), max_size=40))
def test_random_token_sequences(pieces: list[tuple[str, str]]) -> None:
    check("".join(token + space for token, space in pieces))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("$@(){}[]'\"`#<>|&;,.=-+*/%!:?\n \t\u2013\u201c\u201d\u2018\u2019ab1")), max_size=60))
def test_random_characters(text: str) -> None:
    check(text)


SCRIPTS = [text for _, text in corpus.scenario_scripts()]
SCRIPTS += [text for _, text in corpus.snippets()]


@st.composite
def mutated_scripts(draw: st.DrawFn) -> str:
    text: str = draw(st.sampled_from(SCRIPTS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        operation = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        if operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "insert":
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[start:]
        elif operation == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[end:]
    return text


@FUZZ
@given(mutated_scripts())
def test_mutated_scripts(text: str) -> None:
    check(text)


def test_deep_nesting_is_a_result_not_a_crash() -> None:
    check("(" * 200 + "1" + ")" * 200)
    check("@{a=" * 100 + "1" + "}" * 100)
    check("{" * 300)
