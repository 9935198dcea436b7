"""World init and a fleet-wide pipeline at N VMs x 10 checkpoints (1 GB disks), with the growth
exponent over N.

    python bench/world_init.py [--sizes 100,300,1000] [--checkpoints 10] [--skip-folder]

For each N it writes a world (every third checkpoint a standard one, with a memory file) and
runs, each in a fresh process (`python -m hyperv_emu.cli`):

- `init --world F --state DIR` (a folder state): `world_init_folder.N<n>_s`;
- `run --world F -c "(Get-VM).Count"` (a memory state): `world_init_memory.N<n>_s` and the
  process's peak RSS, `world_init_memory.N<n>_peak_mb`;
- `run --state DIR -c "(Get-VM | Get-VMCheckpoint).Count"` on the folder state, start-up
  included: `vm_checkpoint_pipeline.N<n>_s`, next to `run --state DIR -c "1"` on the same state
  (`cli_startup.N<n>_s`, the reference measured in the same run).

Each figure is wall time; the CPU time (user + system) of the same process follows as `_cpu_s`:
on this shared machine the wall time moves with the other jobs' load, the CPU time much less.
The growth exponent of each series is the slope of log(time) over log(N) between the smallest
and the largest N (1.0: linear): `*.growth_exponent`. Targets (issue 13): 1000 x 10 in <= 30 s
on a folder, <= 10 s and <= 500 MB in memory; the pipeline <= 1 s including start-up.
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def world_text(n: int, checkpoints: int) -> str:
    out = ["now = 2026-02-20T08:00:00", 'id_seed = "bench"', ""]
    for i in range(n):
        out.append(f'[[vm]]\nname = "VM{i:04d}"\nstate = "Off"\nmemory = "1GB"\ngeneration = 2\n'
                   f"disks = [{{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\VM{i:04d}.vhdx', size = \"1GB\" }}]")
        for j in range(checkpoints):
            kind = '\nkind = "standard"' if j % 3 == 0 else ""
            out.append(f'[[vm.checkpoint]]\nname = "cp{j}"\ncreated = 2026-02-{1 + j % 28:02d}T08:00:00{kind}')
        out.append("")
    return "\n".join(out)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, stdout) of one `python -m hyperv_emu.cli ...` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "hyperv_emu.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"hvemu {' '.join(args)} failed ({code}):\n{err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.decode()


def exponent(points: list[tuple[int, float]]) -> float:
    (n0, t0), (n1, t1) = points[0], points[-1]
    return math.log(t1 / t0) / math.log(n1 / n0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--skip-folder", action="store_true", help="memory states only")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    timed(["--help"], env)  # warm the bytecode cache
    series: dict[str, list[tuple[int, float]]] = {}
    base = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-world-bench-", dir=os.environ.get("HVEMU_BENCH_TMP")))
    try:
        for n in sizes:
            world = base / f"world{n}.toml"
            world.write_text(world_text(n, args.checkpoints), encoding="utf-8")
            figures: dict[str, tuple[float, float]] = {}
            wall, cpu, peak, out = timed(["run", "--world", str(world), "-c", "(Get-VM).Count"], env)
            assert out.strip() == str(n), out
            figures["world_init_memory"] = (wall, cpu)
            print(f"world_init_memory.N{n}_peak_mb: {peak:.0f}")
            if not args.skip_folder:
                state = base / f"state{n}"
                wall, cpu, _, _ = timed(["init", "--world", str(world), "--state", str(state)], env)
                figures["world_init_folder"] = (wall, cpu)
                wall, cpu, _, _ = timed(["run", "--state", str(state), "-c", "1"], env)
                figures["cli_startup"] = (wall, cpu)
                wall, cpu, _, out = timed(["run", "--state", str(state), "-c",
                                           "(Get-VM | Get-VMCheckpoint).Count"], env)
                assert out.strip() == str(n * args.checkpoints), out
                figures["vm_checkpoint_pipeline"] = (wall, cpu)
                print(f"vm_checkpoint_pipeline.N{n}_over_startup: {wall / figures['cli_startup'][0]:.2f}")
                shutil.rmtree(state, ignore_errors=True)
            for name, (wall, cpu) in figures.items():
                print(f"{name}.N{n}_s: {wall:.2f}")
                print(f"{name}.N{n}_cpu_s: {cpu:.2f}")
                series.setdefault(name, []).append((n, wall))
                series.setdefault(name + "_cpu", []).append((n, cpu))
            sys.stdout.flush()
        if len(sizes) > 1:
            for name, points in series.items():
                print(f"{name}.growth_exponent: {exponent(points):.2f}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
