"""Cold `hvemu run` of the longest scenario (12) vs the import floor, in the same run.

    python bench/cold_run.py [--repeat 7]

Prints `name: value` lines: the median wall time of a fresh `python -m psshim.cli run --world
world.toml script.ps1` process, the median of `python -c "import lark, attrs, cattrs, fsspec"`,
of `python -c pass`, and the ratio run/floor (target <= 1.5). Bytecode caching is left on (as a
user's installation has it; this machine's environment may set PYTHONDONTWRITEBYTECODE, which
the benchmark removes for its subprocesses) and each command runs once to warm it first.
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
    for base in (ROOT.parent / "shared" / "scenarios", pathlib.Path("/work/shared/scenarios")):
        hits = sorted(base.glob("12-*"))
        if hits:
            return hits[0]
    raise SystemExit("scenario 12 not found (../shared/scenarios)")


def timed(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folder = scenario_dir()
    run = timed([sys.executable, "-m", "psshim.cli", "run", "--world", str(folder / "world.toml"),
                 str(folder / "script.ps1")], env, args.repeat)
    floor = timed([sys.executable, "-c", "import lark, attrs, cattrs, fsspec"], env, args.repeat)
    bare = timed([sys.executable, "-c", "pass"], env, args.repeat)
    print(f"cold_run_scenario12_s: {run:.3f}")
    print(f"import_floor_s: {floor:.3f}")
    print(f"python_pass_s: {bare:.3f}")
    print(f"cold_run_over_floor: {run / floor:.2f}")


if __name__ == "__main__":
    main()
