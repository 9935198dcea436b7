"""Differential test against tree-sitter-powershell (powershell-subset.md §7).

Corpus: every scenario script, every PowerShell block of the seeds, the snippets of
parser_corpus/snippets/ and the one-liners below, compared statement by statement (each
top-level statement's text is parsed on its own by both parsers).  Where tree-sitter reports no
error, psshim must parse the text too, and both must see the same command names in the same
order and the same number of pipelines.

tree-sitter is not a validity oracle; its known gaps (§7) are handled so:
- bareword comma lists (`Select-Object Name, Status`) are an error for tree-sitter: before
  comparing, bare words inside command-argument arrays are quoted (`'Name', 'Status'`);
- uppercase number multipliers (`1GB`) are command names for tree-sitter: they are lower-cased;
- the one-line forms `function F { param(...) "x" }` and `switch ($x) { 1 {...} }` are errors
  for tree-sitter: such statements are skipped, as is anything tree-sitter rejects;
- a range whose left operand is a number literal (`1..5`) is a command name for tree-sitter:
  such statements are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from hyperv_emu.psshim import ast
from hyperv_emu.psshim.parser import parse

from parser_corpus_loader import corpus

tree_sitter = pytest.importorskip("tree_sitter")
tree_sitter_powershell = pytest.importorskip("tree_sitter_powershell")


ONE_LINERS = [
    "Get-VM | Where-Object { $_.State -eq 'Running' } | Stop-VM -Force",
    "$vm = Get-VM -Name 'SRV-APP01'",
    "$x = $a -and ($b -or -not $c)",
    "$list = Get-VM | ForEach-Object { $_.Name }",
    "if ($x) { Get-A } else { Get-B }",
    "foreach ($i in $items) { Write-Host $i.Name }",
    "while ($n -lt 3) { $n++ }",
    "$h = @{ Name = 'x'; Size = 10 }",
    "$s = \"Value: $($h.Name) and $env:COMPUTERNAME\"",
    "Write-Host ('{0:N2}' -f $total)",
    "[math]::Round(($used / $size) * 100, 1)",
    "$items | Sort-Object -Property Name -Descending | Select-Object -First 3",
    "Get-ChildItem -Path $path -Filter '*.avhdx' -Recurse",
    "try { Get-Item $p -ErrorAction Stop } catch { Write-Warning $_.Exception.Message }",
    "$d = (Get-Date).AddDays(-7).ToString('yyyy-MM-dd')",
    "Get-VMSnapshot -VMName $vm.Name | Remove-VMSnapshot -Confirm:$false",
    "& $script -Name 'x'",
    "$obj = [pscustomobject]@{ Name = 'a'; Value = 1 }",
    "$arr = @(1, 2, 3)",
    "$total += $item.Size",
]

_UPPER_MULTIPLIER = re.compile(r"^[0-9.]+(KB|MB|GB|TB|PB|Kb|Mb|Gb|Tb|Pb|kB|mB|gB|tB|pB)$")


def _walk(node: Any) -> Iterator[ast.Ast]:
    if isinstance(node, ast.Ast):
        yield node
        for field in attrs.fields(type(node)):
            if field.name != "extent":
                yield from _walk(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _walk(item)


def _psshim_shape(text: str) -> tuple[list[str], int]:
    nodes = list(_walk(parse(text)))
    commands = sorted(
        (n for n in nodes if isinstance(n, ast.CommandAst) and n.invocation_operator is None),
        key=lambda n: n.extent.start_offset,
    )
    names = [c.elements[0].extent.text for c in commands]
    return names, sum(1 for n in nodes if isinstance(n, ast.PipelineAst))


_LANGUAGE = tree_sitter.Language(tree_sitter_powershell.language())
_PARSER = tree_sitter.Parser(_LANGUAGE)
_NAMES = tree_sitter.Query(_LANGUAGE, "(command command_name: (command_name) @name)")


def _tree_sitter_shape(text: str) -> tuple[list[str], int] | None:
    """Command names and pipeline count as tree-sitter sees them; None if it reports an error."""
    tree = _PARSER.parse(text.encode("utf-8"))
    if tree.root_node.has_error:
        return None
    captures = tree_sitter.QueryCursor(_NAMES).captures(tree.root_node).get("name", [])
    names = [n.text.decode("utf-8") for n in sorted(captures, key=lambda n: n.start_byte)]
    pipelines = 0
    pending = [tree.root_node]
    while pending:
        node = pending.pop()
        pipelines += node.type == "pipeline_chain"
        pending.extend(node.children)
    return names, pipelines


def _normalise(text: str) -> str | None:
    """Rewrite tree-sitter's known gaps (module docstring); None to skip the statement."""
    edits: list[tuple[int, int, str]] = []
    for node in _walk(parse(text)):
        if isinstance(node, ast.BinaryExpressionAst) and node.op == ".." and isinstance(node.left, ast.ConstantExpressionAst):
            return None
        if isinstance(node, ast.CommandAst):
            arrays = [e for e in node.elements if isinstance(e, ast.ArrayLiteralAst)]
            arrays += [e.argument for e in node.elements if isinstance(e, ast.CommandParameterAst) and isinstance(e.argument, ast.ArrayLiteralAst)]
            for array in arrays:
                for element in array.elements:
                    if isinstance(element, ast.StringConstantAst) and element.kind == "bare":
                        quoted = "'" + element.value.replace("'", "''") + "'"
                        edits.append((element.extent.start_offset, element.extent.end_offset, quoted))
        if isinstance(node, ast.ConstantExpressionAst) and _UPPER_MULTIPLIER.match(node.extent.text):
            edits.append((node.extent.start_offset, node.extent.end_offset, node.extent.text.lower()))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _statements() -> list[tuple[str, str]]:
    sources = corpus.snippets() + [(f"one-liner-{i}", s) for i, s in enumerate(ONE_LINERS)]
    sources = corpus.scenario_scripts() + corpus.seed_blocks() + sources
    found = []
    for name, text in sources:
        if corpus.fails_like_scenario_13(text):
            continue
        script = parse(text)
        assert script.end_block is not None
        for number, statement in enumerate(script.end_block.statements):
            found.append((f"{name}#{number}", statement.extent.text))
    return found


STATEMENTS = _statements()


def test_the_comparison_covers_the_corpus() -> None:
    compared = 0
    for _, text in STATEMENTS:
        normalised = _normalise(text)
        if normalised is not None and _tree_sitter_shape(normalised) is not None:
            compared += 1
    assert compared >= 120
    assert compared >= 0.8 * len(STATEMENTS)


@pytest.mark.parametrize(("name", "text"), STATEMENTS, ids=[name for name, _ in STATEMENTS])
def test_same_commands_and_pipelines_as_tree_sitter(name: str, text: str) -> None:
    normalised = _normalise(text)
    if normalised is None:
        pytest.skip("range with a literal start: a command name for tree-sitter")
    expected = _tree_sitter_shape(normalised)
    if expected is None:
        pytest.skip("tree-sitter reports an error here")
    assert _psshim_shape(normalised) == expected
