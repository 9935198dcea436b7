"""The parser test corpus: the scenario scripts, the PowerShell of the seed documents, and the
snippets in parser_corpus/snippets/ (one script per file).

Loaded by path from the parser tests (`load()` in each test module), so that it does not depend
on how pytest imports test packages.
"""

from __future__ import annotations

import pathlib
import re
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
TESTS = HERE.parents[1]
# The repository's copies of ../shared/scenarios and ../shared/seeds.
SCENARIOS = TESTS / "scenarios"
SEEDS = TESTS / "seeds"

# Seed 004's first block and scenario 13: typographic quotes with U+2033, which PowerShell
# does not read as a quote; they must fail with these two errors (line, column, id).
SMART_QUOTES_ERRORS = ((7, 19, "UnexpectedToken"), (7, 34, "MissingArgument"))

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```powershell[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.MULTILINE | re.DOTALL)
# Unfenced seeds: lines that are PowerShell (a comment, a variable, a Verb-Noun command).
_CODE_LINE = re.compile(r"^(#\s|\$\w|[A-Z][a-z]+-[A-Z][A-Za-z]+(\s|$))")
# A command quoted inline in prose: "... use: Checkpoint-VM -Name """.
_INLINE = re.compile(r":\s+([A-Z][a-z]+-[A-Z][A-Za-z]+\b.*)$")


def read(path: pathlib.Path) -> str:
    """Script text as PowerShell reads a UTF-8 file (BOM dropped)."""
    return path.read_text(encoding="utf-8-sig")


def scenario_scripts() -> list[tuple[str, str]]:
    return [(p.parent.name, read(p)) for p in sorted(SCENARIOS.glob("*/script.ps1"))]


def seed_blocks() -> list[tuple[str, str]]:
    """Every PowerShell block of the seed documents: fenced ```powershell blocks, runs of code
    lines in unfenced documents, and commands quoted inline in prose."""
    blocks: list[tuple[str, str]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        stem = path.name.split("_")[0]
        fenced = list(_FENCE.finditer(text))
        for number, match in enumerate(fenced):
            blocks.append((f"seed{stem}-fence{number}", textwrap.dedent(match.group("body"))))
        if fenced:
            continue
        run: list[str] = []
        lines = text.splitlines() + [""]
        for line in lines:
            if _CODE_LINE.match(line):
                run.append(line)
                continue
            if run:
                blocks.append((f"seed{stem}-lines{len(blocks)}", "\n".join(run) + "\n"))
                run = []
            inline = _INLINE.search(line)
            if inline:
                blocks.append((f"seed{stem}-inline{len(blocks)}", inline.group(1) + "\n"))
    return blocks


def snippets() -> list[tuple[str, str]]:
    return [(p.stem, read(p)) for p in sorted((HERE / "snippets").glob("*.ps1"))]


def fails_like_scenario_13(text: str) -> bool:
    """The text has seed 004's `$VMs = “SSTest1″,...` line (U+2033 closing quotes)."""
    return "\u2033" in text
