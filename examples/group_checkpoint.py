"""A group checkpoint of a multi-tier application with the SDK: save all, checkpoint all, start all.

    python examples/group_checkpoint.py --world examples/worlds/fleet.toml SRV-WEB01 SRV-APP01 SRV-APP02
"""

from __future__ import annotations

import argparse
import pathlib
import uuid

from hyperv_emu import sdk


def group_checkpoint(hv: sdk.HyperVClient, vm_names: list[str], name: str) -> list[sdk.Checkpoint]:
    vms = [hv.vm(n) for n in vm_names]
    for vm in vms:
        vm.save()
    checkpoints = [vm.create_checkpoint(name) for vm in vms]
    for vm in vms:
        vm.start()
    return checkpoints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=pathlib.Path, required=True)
    parser.add_argument("vms", nargs="+")
    args = parser.parse_args()
    hv = sdk.load_world(f"memory://examples/{uuid.uuid4().hex}", args.world.read_text(encoding="utf-8"), str(args.world))
    for cp in group_checkpoint(hv, args.vms, f"Group {hv.now():%Y-%m-%d %H:%M}"):
        print(f"{cp.vm_name:10} {cp.name:25} {cp.state.name}")


if __name__ == "__main__":
    main()
