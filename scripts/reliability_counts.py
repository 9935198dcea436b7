"""Run the reliability suite (tests/reliability) and write its counts to tests/reliability/COUNTS.md.

    python scripts/reliability_counts.py            # CI's profile (CI=true: 5x, derandomized)
    python scripts/reliability_counts.py --quick    # the default profile
    python scripts/reliability_counts.py --long     # --slow, and the cmdlet fuzzer at 30 random examples per cmdlet

The counts (kills survived, operations under concurrency, hostile names and corrupt files tried,
fuzzed calls, effects lost) are the ones tests/reliability/conftest.py prints at the end of any
pytest run of the suite; this script only runs it with $HVEMU_RELIABILITY_COUNTS set and adds
the command and the machine to the file. Exit code: pytest's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import platform
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET = ROOT / "tests" / "reliability" / "COUNTS.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    profile = parser.add_mutually_exclusive_group()
    profile.add_argument("--quick", action="store_true", help="the default Hypothesis profile")
    profile.add_argument("--long", action="store_true", help="--slow and a random cmdlet fuzz of 30 calls per cmdlet")
    parser.add_argument("--output", type=pathlib.Path, default=TARGET)
    args = parser.parse_args()
    env = dict(os.environ)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "auto", "tests/reliability"]
    label = "CI's profile (CI=true)"
    if args.quick:
        env.pop("CI", None)
        label = "the default profile"
    elif args.long:
        env.pop("CI", None)
        command.append("--slow")
        env.update(HVEMU_FUZZ_EXAMPLES="30", HVEMU_FUZZ_RANDOM="1")
        label = "the long profile (--slow, HVEMU_FUZZ_EXAMPLES=30 HVEMU_FUZZ_RANDOM=1)"
    else:
        env["CI"] = "true"
    counts = args.output.with_suffix(".tmp")
    env["HVEMU_RELIABILITY_COUNTS"] = str(counts)
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    took = time.monotonic() - started
    body = counts.read_text(encoding="utf-8") if counts.exists() else "# Reliability suite counts\n\n(no counts)\n"
    counts.unlink(missing_ok=True)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    footer = (f"\nRun with {label}: `{' '.join(['python', *command[1:]])}` on {when}, "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {took:.0f} s wall; pytest exit {code}.\n"
              "Written by `python scripts/reliability_counts.py`.\n")
    args.output.write_text(body + footer, encoding="utf-8")
    print(f"wrote {args.output}")
    return code


if __name__ == "__main__":
    sys.exit(main())
