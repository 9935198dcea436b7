"""A fleet's year under the Task Scheduler: `--vms` VMs, each with a nightly checkpoint task and
a 7-day retention (the guide's job, as a world [[task]] per VM), the virtual clock moved one day
at a time for `--days` days.

Prints `name: value` lines:
- scheduler.wall_s: the whole simulated period (task runs through psshim included);
- scheduler.per_run_ms: per task run;
- scheduler.reference_wall_s: the same checkpoints taken and removed through the SDK directly
  (no scheduler, no PowerShell), measured in the same run on a fresh state;
- scheduler.ratio: wall_s / reference_wall_s (the cost of running the job as scheduled scripts);
- scheduler.peak_rss_mb and scheduler.rss_mb.<month>: memory over the period (flat is the target:
  the history and the log are capped, retention keeps the checkpoints bounded).

    python bench/scheduler.py [--vms 50] [--days 365]

The target of issue 16 (365 days of 50 VMs under a minute) waits for the SQLite state store: with
the JSON state every transaction reads and writes the whole document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
import uuid

JOB = """param($VMName)
Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format yyyy-MM-dd)"
$threshold = (Get-Date).AddDays(-7)
Get-VMCheckpoint -VMName $VMName | Where-Object { $_.CreationTime -lt $threshold } | Remove-VMCheckpoint
"""


def world(vms: int, with_tasks: bool) -> str:
    text = ('now = 2026-01-01T08:00:00\nid_seed = "bench"\n[timing]\ncheckpoint_seconds = 0\nmerge_rate = "1GB"\n'
            '[[host]]\nname = "HV-HOST01"\ndefault = true\n')
    for i in range(vms):
        text += (f'[[vm]]\nname = "VM{i:03d}"\nstate = "Running"\ncheckpoint_type = "Standard"\n'
                 f"disks = [{{ path = 'D:\\VMs\\VM{i:03d}.vhdx', size = \"40GB\" }}]\n")
    if with_tasks:
        text += "[[task]]\nname = \"Nightly\"\nschedule = \"daily\"\nat = \"02:00\"\nscript_path = 'C:\\Scripts\\job.ps1'\n"
        text += 'script = """' + JOB + '"""\narguments = "-VMName VM000"\n'
        for i in range(1, vms):
            text += (f'[[task]]\nname = "Nightly VM{i:03d}"\nschedule = "daily"\nat = "02:00"\n'
                     f"action = 'powershell.exe -NoProfile -File C:\\Scripts\\job.ps1 -VMName VM{i:03d}'\n")
    return text


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1024**2


def scheduled(vms: int, days: int) -> tuple[float, int, dict[str, float]]:
    from hyperv_emu.psshim.session import Session

    session = Session.from_world_text(world(vms, True), f"memory://bench-sched/{uuid.uuid4().hex}", environment={})
    client = session.client
    months: dict[str, float] = {}
    start = time.perf_counter()
    for _ in range(days):
        now = client.now() + dt.timedelta(days=1)
        client.sleep(86400)
        months[now.strftime("%Y-%m")] = rss_mb()
    wall = time.perf_counter() - start
    runs = sum(len(client.tasks.runs(t.name, t.path)) for t in client.tasks.get())
    failed = [t.uri for t in client.tasks.get() if client.tasks.info(t.name, t.path).last_task_result != 0]
    if failed:
        raise SystemExit(f"tasks failed: {failed}")
    session.discard()
    return wall, runs, months


def reference(vms: int, days: int) -> float:
    from hyperv_emu import sdk

    client = sdk.load_world(f"memory://bench-ref/{uuid.uuid4().hex}", world(vms, False))
    start = time.perf_counter()
    for _ in range(days):
        client.sleep(18 * 3600)
        for i in range(vms):
            name = f"VM{i:03d}"
            client.checkpoint_vm(name, f"Daily {client.now():%Y-%m-%d}")
            threshold = client.now() - dt.timedelta(days=7)
            for cp in client.get_checkpoints(name):
                if cp.creation_time < threshold:
                    client.remove_checkpoint(cp)
        client.sleep(6 * 3600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vms", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    wall, runs, months = scheduled(args.vms, args.days)
    ref = reference(args.vms, args.days)
    print(f"scheduler.vms: {args.vms}")
    print(f"scheduler.days: {args.days}")
    print(f"scheduler.runs: {runs}")
    print(f"scheduler.wall_s: {wall:.2f}")
    print(f"scheduler.per_run_ms: {1000 * wall / max(1, runs):.1f}")
    print(f"scheduler.reference_wall_s: {ref:.2f}")
    print(f"scheduler.ratio: {wall / ref:.2f}")
    print(f"scheduler.peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
    for month, mb in months.items():
        print(f"scheduler.rss_mb.{month}: {mb:.1f}")


if __name__ == "__main__":
    main()
