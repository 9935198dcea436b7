"""What one operation costs in a big fleet (issue 13): the state database (emulator.statedb).

    python bench/scale.py [--vms 1000] [--checkpoints 10] [--rounds 15]

Builds two local states under $HVEMU_BENCH_TMP (default /tmp): N = 10 and N = --vms VMs, each
with --checkpoints checkpoints. One VM ("BENCH") is made through the SDK, with real disk files;
the others are copies of its records written as rows in one transaction (their disk files do
not exist: no measured operation touches them). Then, rounds interleaved:

- `create.small_ms`, `create.big_ms`: one SDK `checkpoint_vm` on BENCH (a named create: four
  transactions, two commits of journaled file operations) in each state; medians;
- `create.ratio` = big / small (target <= 1.2);
- `replace_ms`: one fsync'd atomic replace of a 4 KiB file (write, fsync, rename), the floor of a
  durable update; `create.vs_replace` = big / replace (target <= 4);
- `pipeline_s`: a fresh `hvemu run -c "Get-VM | Get-VMCheckpoint | Measure-Object"` on the big
  state, start-up included (target <= 1 s); `pipeline_small_s` the same on the small state.

Prints `name: value` lines; removes its folder afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from hyperv_emu import sdk
from hyperv_emu.emulator import persist
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.model import EmulatorState, VirtualMachineRecord
from hyperv_emu.emulator.storage import open_store

WORLD = """now = 2026-02-20T08:00:00
[[host]]
name = "HV-BENCH"
default = true
[[vm]]
name = "BENCH"
checkpoint_type = "Standard"
memory = "1GB"
disks = [{ path = 'D:\\\\VMs\\\\BENCH.vhdx', size = "1GB" }]
"""


def build(url: str, vms: int, checkpoints: int) -> None:
    client = sdk.load_world(url, WORLD)
    for i in range(checkpoints):
        client.checkpoint_vm("BENCH", f"cp{i}")
    conv = persist.make_converter()
    emu = Emulator(url)
    with emu.transaction() as tx:
        host = tx.state.hosts[0]
        bench = host.vms[0]
        template: dict[str, Any] = conv.unstructure(bench)
        files = [conv.unstructure(f) for f in host.disk_files if f.vm_id == bench.id]
        text, files_text = json.dumps(template), json.dumps(files)
        for n in range(1, vms):
            tag = f"{n:05d}"
            new_id = bench.id[:-5] + tag

            def moved(s: str, tag: str = tag, new_id: str = new_id) -> str:
                return (s.replace(bench.id, new_id).replace("BENCH", f"VM{tag}")
                        .replace(bench.id.upper(), new_id.upper()))

            record = json.loads(moved(text))
            for cp in record["checkpoints"]:
                cp["id"] = cp["id"][:-5] + tag
                if cp["parent_id"]:
                    cp["parent_id"] = cp["parent_id"][:-5] + tag
            if record["parent_checkpoint_id"]:
                record["parent_checkpoint_id"] = record["parent_checkpoint_id"][:-5] + tag
            host.vms.append(conv.structure(record, VirtualMachineRecord))
            for f in json.loads(moved(files_text)):
                if f["owner"]:
                    f["owner"] = f["owner"][:-5] + tag
                host.disk_files.append(conv.structure(f, type(host.disk_files[0])))
        tx.changed = True


def replace_once(folder: str) -> float:
    store = open_store(folder)
    data = os.urandom(4096)
    start = time.perf_counter()
    store.write_atomic("replace-me.bin", data)
    return time.perf_counter() - start


def create_once(client: sdk.HyperVClient, name: str) -> float:
    start = time.perf_counter()
    client.checkpoint_vm("BENCH", name)
    return time.perf_counter() - start


def pipeline(url: str) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "hyperv_emu.cli", "run", "--state", url, "-c",
           "Get-VM | Get-VMCheckpoint | Measure-Object | ForEach-Object Count"]
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    return elapsed if out.strip() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hvemu-scale-", dir=os.environ.get("HVEMU_BENCH_TMP", "/tmp"))
    try:
        small, big = os.path.join(folder, "small"), os.path.join(folder, "big")
        start = time.perf_counter()
        build(small, 10, args.checkpoints)
        build(big, args.vms, args.checkpoints)
        print(f"build_s: {time.perf_counter() - start:.1f}")
        state: EmulatorState = Emulator(big).load()
        print(f"big.vms: {len(state.hosts[0].vms)}")
        print(f"big.checkpoints: {sum(len(v.checkpoints) for v in state.hosts[0].vms)}")
        print(f"big.db_mb: {os.path.getsize(os.path.join(big, 'hvemu-state.db')) / 1e6:.1f}")
        a, b = sdk.connect(small), sdk.connect(big)
        a.get_vms(), b.get_vms()  # loaded once, as a long-lived process has it
        smalls, bigs, replaces = [], [], []
        for i in range(args.rounds):
            smalls.append(create_once(a, f"r{i}"))
            bigs.append(create_once(b, f"r{i}"))
            replaces.append(replace_once(folder))
        s, g, r = statistics.median(smalls), statistics.median(bigs), statistics.median(replaces)
        print(f"create.small_ms: {s * 1e3:.2f}")
        print(f"create.big_ms: {g * 1e3:.2f}")
        print(f"create.ratio: {g / s:.2f}")
        print(f"replace_ms: {r * 1e3:.2f}")
        print(f"create.vs_replace: {g / r:.2f}")
        pipeline(small)  # bytecode cache warm
        runs_small = [pipeline(small) for _ in range(3)]
        runs_big = [pipeline(big) for _ in range(3)]
        print(f"pipeline_small_s: {statistics.median(runs_small):.2f}")
        print(f"pipeline_s: {statistics.median(runs_big):.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
