"""Regular expressions end in bounded time (issue 14, points 3 and 6).

PowerShell's `-match` runs .NET's Regex with no match timeout, so a catastrophic pattern hangs
powershell.exe; hvemu gives every match a time limit of its own (dotnet_regex.REGEX_TIME_LIMIT)
and reports a match past it as a PowerShell error record: .NET's RegexMatchTimeoutException
(the exception a Regex with a match timeout throws), its message naming hvemu's limit. Like any
exception an operator throws, it ends the statement, not the script.
"""

from __future__ import annotations

import time

import pytest

import hvemu_testlib
from hyperv_emu.psshim.runtime.dotnet_regex import REGEX_TIME_LIMIT
from hyperv_emu.psshim.session import RunResult, Session

CATASTROPHIC = "'^(a|a)*$'"  # exponential backtracking on 'aaa…a!' in a backtracking engine
SUBJECT = "('a' * 30 + '!')"


def run(line: str) -> tuple[RunResult, float]:
    url = hvemu_testlib.memory_url()
    session = Session.from_world_text(hvemu_testlib.base_world(), url)
    started = time.monotonic()
    try:
        return session.run_command(line), time.monotonic() - started
    finally:
        session.discard()


def test_the_issue_pattern_ends_quickly_with_the_right_answer() -> None:
    result, took = run("('a' * 30 + '!') -match '(a+)+$'; ('a' * 30) -match '(a+)+$'")
    assert result.stdout.split() == ["False", "True"] and not result.errors
    assert took < 10


@pytest.mark.parametrize("expression", [
    f"{SUBJECT} -match {CATASTROPHIC}",
    f"{SUBJECT} -notmatch {CATASTROPHIC}",
    f"{SUBJECT} -replace {CATASTROPHIC}, 'x'",
    f"{SUBJECT} -split {CATASTROPHIC}",
    f"switch -regex ({SUBJECT}) {{ {CATASTROPHIC} {{ 'hit' }} }}",
    f"{SUBJECT}, 'b' -match {CATASTROPHIC}",
])
def test_a_catastrophic_match_stops_at_hvemus_limit(expression: str) -> None:
    result, took = run(f"{expression}; 'after'")
    assert took < 10
    assert result.stdout.split()[-1:] == ["after"]  # the statement ended, the script went on
    assert len(result.errors) == 1, result.stderr
    record = result.errors[0]
    assert record.message.startswith(f"The regular expression '^(a|a)*$' exceeded hvemu's regex time limit of "
                                     f"{REGEX_TIME_LIMIT:g} seconds")
    assert "RegexMatchTimeoutException" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("expression, method, nargs", [
    (f"[regex]::Matches({SUBJECT}, {CATASTROPHIC}).Count", "Matches", 2),
    (f"[regex]::Replace({SUBJECT}, {CATASTROPHIC}, 'x')", "Replace", 3),
    (f"([regex]{CATASTROPHIC}).IsMatch({SUBJECT})", "IsMatch", 1),
    (f"([regex]{CATASTROPHIC}).Split({SUBJECT})", "Split", 1),
])
def test_a_regex_method_past_the_limit_is_a_method_invocation_error(expression: str, method: str,
                                                                    nargs: int) -> None:
    """An exception a .NET method throws reaches the script as MethodInvocationException
    (`Exception calling "M" with "n" argument(s): "…"`), its inner exception the timeout."""
    result, took = run(f"{expression}; 'after'")
    assert took < 10
    assert result.stdout.split()[-1:] == ["after"]
    message = result.errors[0].message
    assert message.startswith(f'Exception calling "{method}" with "{nargs}" argument(s): "The regular expression '
                              "'^(a|a)*$' exceeded hvemu's regex time limit")
    assert "RegexMatchTimeoutException" in result.stderr


def test_select_string_with_a_catastrophic_pattern() -> None:
    result, took = run(f"{SUBJECT} | Select-String -Pattern {CATASTROPHIC}; 'after'")
    assert took < 10
    assert "exceeded hvemu's regex time limit" in result.stderr
    assert "internal error" not in result.stderr


def test_ordinary_patterns_are_unchanged() -> None:
    result, _ = run("if ('VM-01 web' -match '(\\d+)\\s+(?<n>\\w+)') { $Matches.n; $Matches[1] }; "
                    "'a1b22c' -replace '\\d+', '<$0>'; ('a,b;;c' -split '[,;]').Count; "
                    "[regex]::Matches('x1y2', '\\p{L}').Count; 'ABC' -cmatch 'abc'")
    assert result.stdout.split() == ["web", "01", "a<1>b<22>c", "4", "2", "False"], result.stderr
