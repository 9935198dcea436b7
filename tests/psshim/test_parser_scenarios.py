"""Every scenario script and every PowerShell block of the seed documents parses, except the
smart-quote line of seed 004 (scenario 13), which fails exactly as expected-stderr.txt shows."""

from __future__ import annotations

import pytest

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.parser import ParseError, parse

from parser_corpus_loader import corpus

SCENARIOS = corpus.scenario_scripts()
SEEDS = corpus.seed_blocks()


def test_the_corpus_is_complete() -> None:
    assert len(SCENARIOS) == 26
    assert sum(1 for name, _ in SEEDS if name.startswith("seed000-fence")) == 11
    assert any("\u2033" in text for _, text in SEEDS)  # seed 004 as printed
    assert sum(1 for name, _ in SEEDS if name.startswith("seed002-inline")) == 2


@pytest.mark.parametrize(("name", "text"), [s for s in SCENARIOS if not s[0].startswith("13-")], ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_scenario_script_parses(name: str, text: str) -> None:
    script = parse(text)
    assert script.end_block is not None and script.end_block.statements


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=[name for name, _ in SEEDS])
def test_seed_block_parses(name: str, text: str) -> None:
    if corpus.fails_like_scenario_13(text):
        with pytest.raises(ParseError) as caught:
            parse(text)
        line = next(n for n, s in enumerate(text.splitlines(), 1) if "\u2033" in s)
        found = [(e.extent.start_line, e.extent.start_column, e.error_id) for e in caught.value.errors]
        assert found == [(line, 19, "UnexpectedToken"), (line, 34, "MissingArgument")]
    else:
        parse(text)


def _expected_stderr_errors() -> list[tuple[int, int, str, str]]:
    """(line, column, underline, message) of each error block in scenario 13's stderr file."""
    path = next(corpus.SCENARIOS.glob("13-*/expected-stderr.txt"))
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.startswith("At {script}:"):
            position = line.split(":", 1)[1]
            number, column = position.split(" char:")
            underline = lines[index + 2][2:]
            found.append((int(number), int(column), underline.strip(), lines[index + 3]))
    return found


def test_scenario_13_fails_with_exactly_the_two_errors_of_expected_stderr() -> None:
    ((_, text),) = [s for s in SCENARIOS if s[0].startswith("13-")]
    with pytest.raises(ParseError) as caught:
        parse(text, path="script.ps1")
    errors = caught.value.errors
    expected = _expected_stderr_errors()
    assert [(e.extent.start_line, e.extent.start_column, "~" * len(e.extent.text), e.message) for e in errors] == expected
    assert [e.error_id for e in errors] == ["UnexpectedToken", "MissingArgument"]
    stderr = next(corpus.SCENARIOS.glob("13-*/expected-stderr.txt")).read_text(encoding="utf-8")
    assert f"FullyQualifiedErrorId : {errors[0].error_id}" in stderr
    first = errors[0].extent
    assert (first.start_offset, first.end_offset) == (text.index("V-2012R2-Test1\u2033"), text.index("V-2012R2-Test1\u2033") + 15)


def test_scenario_scripts_keep_their_commands() -> None:
    """A spot check of what the scenarios rely on."""
    script = parse(dict(SCENARIOS)["03-create-named-checkpoints"])
    assert script.end_block is not None
    loop = script.end_block.statements[2]
    assert isinstance(loop, ast.ForEachStatementAst)
    pipeline = loop.body.statements[0]
    assert isinstance(pipeline, ast.PipelineAst)
    command = pipeline.elements[0]
    assert isinstance(command, ast.CommandAst)
    name = command.elements[4]
    assert isinstance(name, ast.ExpandableStringAst) and name.parts[0] == "Pre-patch "
    script = parse(dict(SCENARIOS)["14-vhost17-blog-dashes"])
    assert script.end_block is not None
    remove = script.end_block.statements[1]
    assert isinstance(remove, ast.PipelineAst) and isinstance(remove.elements[0], ast.CommandAst)
    assert [getattr(e, "name", None) for e in remove.elements[0].elements] == [None, "VMName", None, "Name", None]
    assert remove.elements[0].elements[4] == ast.StringConstantAst("vHost17 \u2013 (9/21/2014 \u2013 7:37:31 PM)", "double")
