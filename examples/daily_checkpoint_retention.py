"""A daily checkpoint with N-day retention, with the SDK (seed 001's scheduled job).

    python examples/daily_checkpoint_retention.py --world examples/worlds/fleet.toml SRV-APP01
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import uuid

from hyperv_emu import sdk


def rotate(hv: sdk.HyperVClient, vm_name: str, retention_days: int = 7) -> list[str]:
    """Take today's checkpoint, remove those older than the retention; return removed names."""
    vm = hv.vm(vm_name)
    vm.create_checkpoint(f"Daily {hv.now():%Y-%m-%d}")
    threshold = hv.now() - dt.timedelta(days=retention_days)
    removed = []
    for cp in vm.checkpoints():
        if cp.creation_time < threshold:
            cp.remove()
            removed.append(cp.name)
    return removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=pathlib.Path, required=True)
    parser.add_argument("vm")
    parser.add_argument("--retention-days", type=int, default=7)
    args = parser.parse_args()
    hv = sdk.load_world(f"memory://examples/{uuid.uuid4().hex}", args.world.read_text(encoding="utf-8"), str(args.world))
    for name in rotate(hv, args.vm, args.retention_days):
        print(f"removed {name}")
    for cp in hv.vm(args.vm).checkpoints():
        print(f"{cp.name:20} {cp.creation_time:%Y-%m-%d %H:%M} {cp.parent_snapshot_name or ''}")


if __name__ == "__main__":
    main()
