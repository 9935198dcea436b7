"""Pre-patch checkpoints with the SDK: checkpoint each VM, "patch", roll back the failures.

    python examples/pre_patch_checkpoint.py --world examples/worlds/fleet.toml --fail-on SRV-APP02
"""

from __future__ import annotations

import argparse
import pathlib
import uuid

from hyperv_emu import sdk


def pre_patch(hv: sdk.HyperVClient, vm_names: list[str], ticket: str, fail_on: set[str]) -> list[sdk.VM]:
    name = f"Pre-patch {ticket} {hv.now():%Y-%m-%d}"
    checkpoints = {vm: hv.vm(vm).create_checkpoint(name) for vm in vm_names}
    for vm, cp in checkpoints.items():
        if vm in fail_on:
            print(f"{vm} failed to patch: restoring '{cp.name}'")
            cp.restore()                    # a VM that was running is started again...
            hv.vm(vm).start()               # ...unless the checkpoint held no memory (production)
        else:
            print(f"{vm} patched; keeping its checkpoint until validation")
    return [hv.vm(vm) for vm in vm_names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=pathlib.Path, required=True)
    parser.add_argument("--fail-on", action="append", default=[])
    args = parser.parse_args()
    hv = sdk.load_world(f"memory://examples/{uuid.uuid4().hex}", args.world.read_text(encoding="utf-8"), str(args.world))
    for vm in pre_patch(hv, ["SRV-APP01", "SRV-APP02", "SRV-WEB01"], "CHG0042117", set(args.fail_on)):
        print(f"{vm.name:10} {vm.state.name:8} {vm.status:20} {vm.parent_snapshot_name}")


if __name__ == "__main__":
    main()
