"""psshim.parser speed: a 5,000-line script vs tree-sitter-powershell, and the cold cost.

    python bench/parse_speed.py [--rounds 5] [--lines 5000]

The script is the scenario scripts (all but 13, which does not parse) concatenated and repeated
to about `--lines` lines.  Prints `name: value` lines:

- parse_speed.tree_sitter_ms / parse_speed.psshim_ms: best of `--rounds`, same process, rounds
  interleaved (the machine may be busy); parse_speed.ratio = psshim / tree-sitter (target <= 30);
- parse_speed.psshim_lines_per_s;
- parse_cold.import_ms / parse_cold.first_parse_ms: in a fresh Python process (bytecode cache
  on, warmed once), the time to import psshim.parser and to parse scenario 12 the first time
  (table loading included); medians of `--rounds` processes.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hyperv_emu.psshim.parser import parse


def scenarios() -> pathlib.Path:
    for base in (ROOT.parent / "shared" / "scenarios", pathlib.Path("/work/shared/scenarios")):
        if base.is_dir():
            return base
    raise SystemExit("../shared/scenarios not found")


def big_script(lines: int) -> str:
    texts = [
        p.read_text(encoding="utf-8-sig")
        for p in sorted(scenarios().glob("*/script.ps1"))
        if not p.parent.name.startswith("13-")
    ]
    blob = "\n".join(texts)
    copies = lines // (blob.count("\n") + 1) + 1
    return "\n".join([blob] * copies)


def best_of(function: object, rounds: int) -> float:
    assert callable(function)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


COLD = """
import json, sys, time
start = time.perf_counter()
import hyperv_emu.psshim.parser
imported = time.perf_counter()
hyperv_emu.psshim.parser.parse(open(sys.argv[1], encoding="utf-8-sig").read())
parsed = time.perf_counter()
print(json.dumps({"import": imported - start, "parse": parsed - imported}))
"""


def cold(rounds: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = str(next(scenarios().glob("12-*/script.ps1")))
    command = [sys.executable, "-c", COLD, script]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    imports, parses = [], []
    for _ in range(rounds):
        result = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        data = json.loads(result.stdout)
        imports.append(data["import"])
        parses.append(data["parse"])
    return statistics.median(imports), statistics.median(parses)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument("--lines", type=int, default=5000)
    args = options.parse_args()

    text = big_script(args.lines)
    encoded = text.encode("utf-8")
    import tree_sitter
    import tree_sitter_powershell

    ts_parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    parse(text)  # load the tables
    ts_times, ps_times = [], []
    for _ in range(args.rounds):
        ts_times.append(best_of(lambda: ts_parser.parse(encoded), 1))
        ps_times.append(best_of(lambda: parse(text), 1))
    ts_best, ps_best = min(ts_times), min(ps_times)
    lines = text.count("\n") + 1
    print(f"parse_speed.script_lines: {lines}")
    print(f"parse_speed.tree_sitter_ms: {ts_best * 1000:.1f}")
    print(f"parse_speed.psshim_ms: {ps_best * 1000:.1f}")
    print(f"parse_speed.ratio: {ps_best / ts_best:.2f}")
    print(f"parse_speed.psshim_lines_per_s: {lines / ps_best:.0f}")
    imported, first = cold(args.rounds)
    print(f"parse_cold.import_ms: {imported * 1000:.1f}")
    print(f"parse_cold.first_parse_ms: {first * 1000:.1f}")


if __name__ == "__main__":
    main()
