"""Cold `hvemu run` of the longest scenario (12) vs the import floor, in the same run.

    python bench/cold_run.py [--repeat 11]

Prints `name: value` lines: the median wall time of a fresh `python -m hyperv_emu.cli run --world
world.toml script.ps1` process, the median of `python -c "import lark, attrs, cattrs, fsspec"`,
of `python -c pass`, and the ratio run/floor (target <= 1.5). Bytecode caching is left on (as a
user's installation has it; this machine's environment may set PYTHONDONTWRITEBYTECODE, which
the benchmark removes for its subprocesses). Each command runs once to warm the caches, then the
three take turns for `--repeat` rounds, so a shared machine's changing load weighs on all alike.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def scenario_dir() -> pathlib.Path:
    for base in (ROOT / "tests" / "scenarios", ROOT.parent / "shared" / "scenarios"):
        hits = sorted(base.glob("12-*"))
        if hits:
            return hits[0]
    raise SystemExit("scenario 12 not found (tests/scenarios)")


def timed(commands: dict[str, list[str]], env: dict[str, str], repeat: int) -> dict[str, float]:
    """The median wall time of each command. The commands take turns, round after round, so a
    shared machine's changing load weighs on all of them alike."""
    for cmd in commands.values():  # warm the bytecode cache and the file cache
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folder = scenario_dir()
    medians = timed({
        "run": [sys.executable, "-m", "hyperv_emu.cli", "run", "--world", str(folder / "world.toml"),
                str(folder / "script.ps1")],
        "floor": [sys.executable, "-c", "import lark, attrs, cattrs, fsspec"],
        "bare": [sys.executable, "-c", "pass"],
    }, env, args.repeat)
    run, floor, bare = medians["run"], medians["floor"], medians["bare"]
    print(f"cold_run_scenario12_s: {run:.3f}")
    print(f"import_floor_s: {floor:.3f}")
    print(f"python_pass_s: {bare:.3f}")
    print(f"cold_run_over_floor: {run / floor:.2f}")


if __name__ == "__main__":
    main()
