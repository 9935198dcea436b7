"""The pytest plugin's session worlds: a test's copy-on-write clone of a session world vs a world
init of the same world (what a test with `hyperv_world(...)` paid before), at N VMs x 10
checkpoints (`bench/world_init.py`'s world: 1 GB disks, every third checkpoint a standard one
with a memory file).

    python bench/fixture_clone.py [--sizes 100,300] [--rounds 3] [--storage memory,local]

For each N and storage kind, in one process, rounds alternating (init, clone, init, clone...):

- `init`: the `hyperv` fixture of a test-scoped world: `HyperV(url, base, world)`, then
  `client.get_vms()`, then `close()` (which deletes a memory state; a folder state is left to
  pytest's tmp_path clean-up, as the plugin does: removed here outside the measure);
- `clone`: the fixture of a session world once its template exists:
  `SessionWorlds.hyperv(world, url, base)` (`sdk.clone_state` + `HyperV.attach`), then the same
  `client.get_vms()` (a clone loads the state from its database on first use), then `close()`;
- `clone_state`: `sdk.clone_state` alone.

Figures: medians of the rounds, CPU time of the process (`time.process_time`; this machine's
wall time moves with the other jobs) and wall time: `<storage>.N<n>.init_s`, `.clone_s`,
`.clone_state_s` (+ `_wall_s`), and `.ratio` = init / clone (CPU) and `.wall_ratio`. Target:
a per-test clone of a memory world at least 10x cheaper than a world init at N=300 (a folder
clone makes every file again, reflinked or copied: it is bounded by the file system).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from world_init import world_text  # noqa: E402

from hyperv_emu import sdk  # noqa: E402
from hyperv_emu.testing.hyperv import HyperV  # noqa: E402
from hyperv_emu.testing.session_worlds import SessionWorlds  # noqa: E402


def measure(step: Callable[[], None]) -> tuple[float, float]:
    """(CPU s, wall s) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,300")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--storage", default="memory,local")
    args = parser.parse_args()
    if os.environ.get("HVEMU_VERIFY_TRACKING", "") not in ("", "0"):
        raise SystemExit("unset HVEMU_VERIFY_TRACKING: it serialises the whole state at every commit")
    base = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-fixture-bench-", dir=os.environ.get("HVEMU_BENCH_TMP")))
    folders = iter(range(1_000_000))
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            world = base / f"world{n}.toml"
            world.write_text(world_text(n, args.checkpoints), encoding="utf-8")
            for storage in args.storage.split(","):
                worlds = SessionWorlds(lambda: pathlib.Path(tempfile.mkdtemp(dir=base)))

                def place() -> str:
                    if storage == "local":
                        return str(base / f"state{next(folders)}")
                    return f"memory://bench/{uuid.uuid4().hex}"

                def use(hv: HyperV) -> None:
                    assert len(hv.client.get_vms()) == n
                    hv.close()  # deletes a memory state; a folder state is left to pytest's tmp_path
                    if storage == "local":
                        leftovers.append(hv.url)

                def init() -> None:
                    use(HyperV(place(), base, world))

                def clone() -> None:
                    use(worlds.hyperv(world, place(), base, storage))

                def clone_only() -> None:
                    url = place()
                    sdk.clone_state(worlds.template(world, base, storage), url)
                    if storage == "local":
                        leftovers.append(url)
                    else:
                        sdk.delete_state(url)

                def timed(step: Callable[[], None]) -> tuple[float, float]:
                    figure = measure(step)
                    for url in leftovers:  # outside the measure, as pytest removes old tmp_paths
                        shutil.rmtree(url)
                    leftovers.clear()
                    return figure

                leftovers: list[str] = []
                build = measure(lambda: worlds.template(world, base, storage))
                figures: dict[str, list[tuple[float, float]]] = {"init": [], "clone": [], "clone_state": []}
                for _ in range(args.rounds):
                    figures["init"].append(timed(init))
                    figures["clone"].append(timed(clone))
                    figures["clone_state"].append(timed(clone_only))
                worlds.close()
                name = f"{storage}.N{n}"
                print(f"{name}.template_build_s: {build[0]:.3f}")
                med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
                       for k, v in figures.items()}
                for key, (cpu, wall) in med.items():
                    print(f"{name}.{key}_s: {cpu:.3f}")
                    print(f"{name}.{key}_wall_s: {wall:.3f}")
                print(f"{name}.ratio: {med['init'][0] / med['clone'][0]:.1f}")
                print(f"{name}.wall_ratio: {med['init'][1] / med['clone'][1]:.1f}")
                sys.stdout.flush()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
