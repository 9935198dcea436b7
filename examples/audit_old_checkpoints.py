"""Audit checkpoints older than N days with the SDK.

    python examples/audit_old_checkpoints.py --world examples/worlds/fleet.toml --days 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import uuid

from hyperv_emu import sdk


def old_checkpoints(hv: sdk.HyperVClient, days: int) -> list[tuple[sdk.Checkpoint, int]]:
    now = hv.now()
    threshold = now - dt.timedelta(days=days)
    out = []
    for vm in hv.get_vms():
        for cp in vm.checkpoints():
            if cp.creation_time < threshold:
                out.append((cp, (now - cp.creation_time).days))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=pathlib.Path, required=True)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    hv = sdk.load_world(f"memory://examples/{uuid.uuid4().hex}", args.world.read_text(encoding="utf-8"), str(args.world))
    for cp, age in old_checkpoints(hv, args.days):
        print(f"{cp.vm_name:10} {cp.name:25} {cp.creation_time:%Y-%m-%d %H:%M} {age:4} days")


if __name__ == "__main__":
    main()
