"""Running mangled scripts: PowerShell errors only, never a Python traceback, never a hang.

Hypothesis mutates the acceptance scenarios' scripts (deleting, duplicating and swapping lines
and tokens, splicing in fragments of other scripts) and builds random token sequences; each is
run through `hvemu run`'s session on the scenario's world, with a step budget and a time limit.
Whatever happens, standard error may hold PowerShell error records but no Python traceback, the
exit code is one powershell.exe -File could give, and the run ends.
"""

from __future__ import annotations

import pathlib
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.psshim.session import Session, read_script

SCENARIOS = T.scenario_dirs()
SCRIPTS = [read_script(d / "script.ps1") for d in SCENARIOS]
TOKENS = ["Get-VM", "Checkpoint-VM", "Remove-VMCheckpoint", "Restore-VMCheckpoint", "Get-VMCheckpoint", "Start-VM",
          "Stop-VM", "-Name", "-VMName", "-SnapshotName", "-Confirm:$false", "|", "{", "}", "(", ")", "$_", "$x", "=",
          "foreach", "if", "while", "Start-Sleep", "-Seconds", "5", "'SRV-APP01'", '"x $(1+1)"', "@(", "@{", ";",
          "\n", ",", "..", "-eq", "-like", "'*'", "Select-Object", "Name", "Where-Object", "%", "?", "try", "catch",
          "throw", "break", "return", "exit", "[int]", "::", ".", "`", "#", "<#", "#>", "@'", "'@", "$null"]


def run(world: pathlib.Path, text: str, timeout: float = 10.0) -> None:
    session = Session.from_world(world, f"memory://fuzz/{uuid.uuid4().hex}", timeout=timeout)
    try:
        result = session.run(text, path="/fuzz/script.ps1")
    finally:
        session.discard()
    assert "Traceback (most recent call last)" not in result.stderr, result.stderr
    assert "Traceback (most recent call last)" not in result.stdout
    assert isinstance(result.exit_code, int)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[pathlib.Path, str]:
    index = draw(st.integers(0, len(SCENARIOS) - 1))
    lines = SCRIPTS[index].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "dup", "swap", "splice", "cut", "token"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "drop":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "splice":
            other = draw(st.sampled_from(SCRIPTS)).splitlines() or [""]
            lines.insert(i, draw(st.sampled_from(other)))
        elif kind == "cut":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k]
        else:
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + " " + draw(st.sampled_from(TOKENS)) + " " + line[k:]
    return SCENARIOS[index] / "world.toml", "\n".join(lines)


@settings(max_examples=T.examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_scenario_scripts(case: tuple[pathlib.Path, str]) -> None:
    world, text = case
    run(world, text)


@settings(max_examples=T.examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=25))
def test_random_token_sequences(tokens: list[str]) -> None:
    run(SCENARIOS[10] / "world.toml", " ".join(tokens))


@pytest.mark.parametrize("text", [
    "while ($true) { }",
    "while ((Get-VM -Name SRV-APP01).Status -eq 'Operating normally') { }",
    "for (;;) { $i++ }",
    "function f { f }; f",
])
def test_endless_scripts_end(text: str) -> None:
    run(SCENARIOS[10] / "world.toml", text, timeout=2.0)  # a shorter budget: these all run into it
