"""psshim's interpreter against the same work written in Python, timed in the same run.

    python bench/interp_speed.py [--rounds 3] [--scale 1.0] [--only NAME]

Each case is a PowerShell script run through a `Session` (an in-memory world, warm: the
session's first run pays the imports, so every case runs once before the timed rounds) and the
equivalent Python code; they take turns for `--rounds` rounds and the best time of each is
kept (the Python code runs several times in a row per round, as many as make its time about the
PowerShell run's: both sides then meet the same load of a shared machine). Prints `name: value` lines: `<case>.ps_s`, `<case>.py_s` and `<case>.ratio` (PowerShell
time / Python time). The Python code is a function (its variables are fast locals), the
strictest comparison. Targets (issue 13, part 4):

- `foreach_sum`: `foreach ($i in 1..1000000) { $s += $i }` vs a Python `for` loop in a
  function: `foreach_sum.ratio` <= 20. Also printed: the same loop as module-level code run with
  `exec` (`foreach_sum.ratio_vs_module_code`), whose variables, like a script's, are looked up by
  name when the code runs;
- `where_measure`: `1..200000 | Where-Object { $_ % 3 -eq 0 } | Measure-Object` vs a pipeline
  of Python generators (a filter generator calling a predicate function, then a counter):
  `where_measure.ratio` <= 100; also printed against one generator expression with the test
  inline (`where_measure.ratio_vs_genexpr`).

The other cases (for/while loops, ForEach-Object, Sort-Object, string building, hashtables,
function calls) have no target; they show that the speed is not the two loops' alone.
The PowerShell time includes the run's own set-up (a new runspace), a few milliseconds.
`--scale` multiplies every size (0.1 for a quick look).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from typing import Any, Callable

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _where(items: Any, pred: Callable[[int], bool]) -> Any:
    for x in items:
        if pred(x):
            yield x


def _count(items: Any) -> int:
    n = 0
    for _ in items:
        n += 1
    return n


def py_foreach_sum(n: int) -> int:
    s = 0
    for i in range(1, n + 1):
        s += i
    return s


def py_where_measure(n: int) -> int:
    return _count(_where(range(1, n + 1), lambda x: x % 3 == 0))


def py_genexpr_count(n: int) -> int:
    return sum(1 for x in range(1, n + 1) if x % 3 == 0)


_MODULE_LOOP = compile("s = 0\nfor i in range(1, n + 1):\n    s += i\n", "<module loop>", "exec")


def py_module_foreach_sum(n: int) -> int:
    names: dict[str, Any] = {"n": n}
    exec(_MODULE_LOOP, names)  # noqa: S102 - our own constant code: a module's top-level loop
    return int(names["s"])


# the other Python forms a case is also compared with: (suffix, function)
ALSO: dict[str, tuple[str, Callable[[int], Any]]] = {
    "foreach_sum": ("module_code", py_module_foreach_sum),
    "where_measure": ("genexpr", py_genexpr_count),
}


def py_for_loop(n: int) -> int:
    s = 0
    i = 0
    while i < n:
        s = s + i * 2
        i += 1
    return s


def py_while_loop(n: int) -> int:
    i = 0
    while i < n:
        i += 1
    return i


def py_foreach_object(n: int) -> int:
    return sum(x * 2 for x in range(1, n + 1))


def py_sort_object(n: int) -> list[int]:
    return sorted(((i * 7919) % n for i in range(n)), reverse=True)


def py_string_build(n: int) -> int:
    parts = []
    for i in range(n):
        parts.append(f"item{i};")
    return len("".join(parts))


def py_hashtable(n: int) -> int:
    h: dict[str, int] = {}
    for i in range(n):
        h["k" + str(i % 100)] = i
    total = 0
    for i in range(n):
        total += h["k" + str(i % 100)]
    return total


def py_function_calls(n: int) -> int:
    def add(a: int, b: int) -> int:
        return a + b

    s = 0
    for i in range(n):
        s = add(s, i)
    return s


# name: (PowerShell script with {n}, Python function, size, expected output's first line)
CASES: dict[str, tuple[str, Callable[[int], Any], int]] = {
    "foreach_sum": ("$s = 0; foreach ($i in 1..{n}) {{ $s += $i }}; $s", py_foreach_sum, 1_000_000),
    "where_measure": ("(1..{n} | Where-Object {{ $_ % 3 -eq 0 }} | Measure-Object).Count", py_where_measure, 200_000),
    "for_loop": ("$s = 0; for ($i = 0; $i -lt {n}; $i++) {{ $s = $s + $i * 2 }}; $s", py_for_loop, 200_000),
    "while_loop": ("$i = 0; while ($i -lt {n}) {{ $i++ }}; $i", py_while_loop, 200_000),
    "foreach_object": ("(1..{n} | ForEach-Object {{ $_ * 2 }} | Measure-Object -Sum).Sum", py_foreach_object,
                       100_000),
    "sort_object": ("$a = foreach ($i in 0..({n} - 1)) {{ ($i * 7919) % {n} }}; ($a | Sort-Object -Descending)[0]",
                    py_sort_object, 50_000),
    "string_build": ("$sb = New-Object System.Text.StringBuilder; foreach ($i in 0..({n} - 1)) "
                     "{{ [void]$sb.Append(\"item$i;\") }}; $sb.ToString().Length", py_string_build, 50_000),
    "hashtable": ("$h = @{{}}; for ($i = 0; $i -lt {n}; $i++) {{ $h[\"k$($i % 100)\"] = $i }}; $t = 0; "
                  "for ($i = 0; $i -lt {n}; $i++) {{ $t += $h[\"k$($i % 100)\"] }}; $t", py_hashtable, 50_000),
    "function_calls": ("function Add($a, $b) {{ $a + $b }}; $s = 0; for ($i = 0; $i -lt {n}; $i++) "
                       "{{ $s = Add $s $i }}; $s", py_function_calls, 20_000),
}


def _per_call(fn: Callable[[int], Any], n: int, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn(n)
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    import hvemu_testlib as T
    from hyperv_emu import sdk
    from hyperv_emu.psshim.session import Session

    url = T.memory_url()
    session = Session.from_world_text(T.base_world(), url, environment={})
    try:
        names = args.only or list(CASES)
        for name in names:
            template, py, size = CASES[name]
            n = max(1, int(size * args.scale))
            script = template.format(n=n)
            expected = str(py(n))
            if name == "sort_object":
                expected = str(py(n)[0])
            start = time.perf_counter()
            first = session.run(script)  # warm: imports, parser tables
            ps_first = time.perf_counter() - start
            got = first.stdout.strip()
            if first.stderr or got != expected:
                raise SystemExit(f"{name}: PowerShell printed {got!r} (stderr {first.stderr!r}), Python {expected!r}")
            also = ALSO.get(name)
            # the Python side runs `repeat` times in a row per round, so that both sides take
            # about the same wall time and meet the same load of this shared machine
            start = time.perf_counter()
            py(n)
            repeat = max(1, min(200, round(ps_first / max(time.perf_counter() - start, 1e-6))))
            ps_times: list[float] = []
            py_times: list[float] = []
            also_times: list[float] = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                session.run(script)
                ps_times.append(time.perf_counter() - start)
                py_times.append(_per_call(py, n, repeat))
                if also is not None:
                    also_times.append(_per_call(also[1], n, repeat))
            ps_s, py_s = min(ps_times), min(py_times)
            print(f"{name}.n: {n}")
            print(f"{name}.ps_s: {ps_s:.3f}")
            print(f"{name}.py_s: {py_s:.4f}")
            print(f"{name}.ratio: {ps_s / py_s:.1f}", flush=True)
            if also is not None:
                print(f"{name}.ratio_vs_{also[0]}: {ps_s / min(also_times):.1f}", flush=True)
    finally:
        sdk.delete_state(url)


if __name__ == "__main__":
    main()
