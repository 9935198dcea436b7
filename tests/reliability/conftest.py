"""The reliability suite's counts (issue 14, point 5): each test records what it tried with
`record_property("reliability.<count>", n)`; at the end of the run the sums are printed (with
pytest-xdist too: the properties travel with the reports) and, when $HVEMU_RELIABILITY_COUNTS
names a file, written there as Markdown (`scripts/reliability_counts.py` runs the suite that way
and writes tests/reliability/COUNTS.md).
"""

from __future__ import annotations

import os
import pathlib
from collections import Counter

import pytest

PREFIX = "reliability."

# how each count reads in the summary, in this order
LABELS = {
    "kills": "SIGKILLs survived",
    "kills_inside_an_operation": "  of which inside an operation",
    **{f"kills_during_{k}": f"    during {k}" for k in ("startup", "write", "create", "apply", "remove", "merge", "export")},
    "operations_before_kills": "operations finished by killed workers",
    "concurrent_operations": "operations under concurrency",
    "concurrent_processes": "concurrent worker processes",
    "hostile_inputs": "hostile names tried",
    "corrupt_files": "corrupt-file cases tried",
    "corrupt_file_commands": "commands run on corrupt files",
    "fuzz_calls": "fuzzed cmdlet calls",
    "data_lost": "effects lost under concurrency (pages, checkpoints, exports)",
}


def counts_of(reports: list[pytest.TestReport]) -> Counter[str]:
    out: Counter[str] = Counter()
    for report in reports:
        if report.when != "call":
            continue
        for name, value in report.user_properties:
            if name.startswith(PREFIX) and isinstance(value, int):
                out[name[len(PREFIX):]] += value
    return out


def render(counts: Counter[str], passed: int, failed: int) -> list[str]:
    lines = [f"reliability suite: {passed} tests passed, {failed} failed"]
    for key, label in LABELS.items():
        if key in counts:
            lines.append(f"  {label}: {counts[key]}")
    for key in sorted(set(counts) - set(LABELS)):
        lines.append(f"  {key}: {counts[key]}")
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stats = terminalreporter.stats
    passed = [r for r in stats.get("passed", []) if isinstance(r, pytest.TestReport) and "reliability" in r.nodeid]
    failed = [r for r in stats.get("failed", []) if isinstance(r, pytest.TestReport) and "reliability" in r.nodeid]
    counts = counts_of(passed + failed)
    if not counts:
        return
    lines = render(counts, len(passed), len(failed))
    terminalreporter.write_sep("-", "reliability counts")
    for line in lines:
        terminalreporter.write_line(line)
    target = os.environ.get("HVEMU_RELIABILITY_COUNTS")
    if target:
        failures = [f"  failed: {r.nodeid}" for r in failed]
        text = "\n".join(["# Reliability suite counts", "", "```", *lines, *failures, "```", ""])
        pathlib.Path(target).write_text(text, encoding="utf-8")
