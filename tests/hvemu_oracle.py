"""The reference model of the reliability suite (tests/reliability/test_kills.py and
test_concurrency.py): what a state must hold after a sequence of committed operations, and the
worker that carries random operations out through the SDK while logging each one.

The model knows, per VM, the guest bytes of its first disk (as 64 KiB pages named by the seed of
their content), the guest bytes each checkpoint froze, and which exports were written. Operations:

- `write`   write_guest_disk: one page of content derived from a seed;
- `create`  checkpoint_vm: a checkpoint freezing the current bytes;
- `apply`   restore_checkpoint: the current bytes become the checkpoint's;
- `remove`  remove_checkpoint: the checkpoint goes (its merge is scheduled; the bytes stay);
- `merge`   sleep on the virtual clock: due merges run (nothing visible changes);
- `export`  export_vm into `D:\\Exports\\<n>`: the VM's configuration, checkpoints and disks.

A worker logs `start <op>` before and `done <op>` after each operation (os.write on an unbuffered
file descriptor, so a SIGKILL loses nothing written): every `done` operation must be in the state,
and the one `start`ed but not `done` is wholly there or wholly absent.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import pathlib
import random
from typing import Any

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

PAGE = 64 * 1024
PAGES = 32  # the first 2 MiB of each VM's first disk are written and checked
AREA = PAGE * PAGES
MAX_CHECKPOINTS = 5
EXPORT_ROOT = "D:\\Exports"

Model = dict[str, Any]  # {"vms": {name: {"disk": {page: seed}, "cps": {name: {page: seed}}}}, "exports": {...}, "n": int}
Op = dict[str, Any]


def world(vms: list[str], *, disk_size: str = "64MB") -> str:
    """A virtual-clock world of Off VMs with Standard checkpoints, merges that finish at once."""
    head = ("now = 2026-02-20T08:00:00\n\n[timing]\ncheckpoint_seconds = 0\nmerge_rate = \"10GB\"\n\n"
            "[[host]]\nname = \"HV-REL\"\ndefault = true\n")
    return head + "".join(
        f"\n[[vm]]\nname = \"{name}\"\nstate = \"Off\"\ncheckpoint_type = \"Standard\"\nmemory = \"512MB\"\n"
        f"disks = [{{ path = 'D:\\VMs\\{name}\\{name}.vhdx', size = \"{disk_size}\" }}]\n" for name in vms)


def new_model(vms: list[str]) -> Model:
    return {"vms": {name: {"disk": {}, "cps": {}} for name in vms}, "exports": {}, "n": 0}


def page_bytes(seed: int) -> bytes:
    block = hashlib.sha256(seed.to_bytes(8, "little")).digest()
    return block * (PAGE // len(block))


def disk_bytes(pages: dict[str, int]) -> bytes:
    out = bytearray(AREA)
    for page, seed in pages.items():
        out[int(page) * PAGE:(int(page) + 1) * PAGE] = page_bytes(seed)
    return bytes(out)


def apply(model: Model, op: Op) -> Model:
    """The model after `op` (a new model; `model` is kept)."""
    out = copy.deepcopy(model)
    out["n"] = max(out["n"], op.get("n", 0))
    kind = op["kind"]
    vm = out["vms"].get(op.get("vm", ""))
    if kind == "write":
        vm["disk"][str(op["page"])] = op["seed"]
    elif kind == "create":
        vm["cps"][op["name"]] = dict(vm["disk"])
    elif kind == "apply":
        vm["disk"] = dict(vm["cps"][op["name"]])
    elif kind == "remove":
        del vm["cps"][op["name"]]
    elif kind == "export":
        out["exports"][op["path"]] = {"vm": op["vm"], "cps": sorted(vm["cps"])}
    return out


SHARED_KINDS = ("create", "remove", "merge")  # what workers do to a VM they share (names are their own)


def choose(model: Model, rng: random.Random, kinds: tuple[str, ...], vms: list[str] | None = None,
           shared: tuple[str, ...] = (), prefix: str = "") -> Op:
    """A random operation that the model allows (a checkpoint that exists, room for one more).
    On a VM in `shared`, only SHARED_KINDS, on checkpoints named with this worker's `prefix`."""
    names = vms or sorted(model["vms"])
    vm = rng.choice(names)
    cps = sorted(model["vms"][vm]["cps"])
    n = model["n"] + 1
    options = [k for k in kinds if not (k in ("apply", "remove") and not cps)
               and not (k == "create" and len(cps) >= MAX_CHECKPOINTS)
               and (vm not in shared or k in SHARED_KINDS)]
    kind = rng.choice(options)
    op: Op = {"kind": kind, "vm": vm, "n": n}
    if kind == "write":
        op.update(page=rng.randrange(PAGES), seed=rng.randrange(1 << 62))
    elif kind == "create":
        op["name"] = f"{prefix}cp{n}"
    elif kind in ("apply", "remove"):
        op["name"] = rng.choice(cps)
    elif kind == "export":
        op["path"] = f"{EXPORT_ROOT}\\{vm}-{n}"
    return op


def execute(client: sdk.HyperVClient, op: Op) -> None:
    kind, vm = op["kind"], op.get("vm", "")
    if kind == "write":
        client.write_guest_disk(vm, 0, op["page"] * PAGE, page_bytes(op["seed"]))
    elif kind == "create":
        client.checkpoint_vm(vm, op["name"])
    elif kind == "apply":
        client.restore_checkpoint_by_name(vm, op["name"])
    elif kind == "remove":
        client.remove_checkpoint(client.find_checkpoint(vm, op["name"]))
    elif kind == "merge":
        client.sleep(600)
    elif kind == "export":
        client.sleep(600)  # Export-VM waits for the VM's merges on a host; here it is refused meanwhile
        client.export_vm(vm, op["path"])
    else:  # pragma: no cover
        raise AssertionError(kind)


# ---------------------------------------------------------------------------------------------
# the worker (a forked child of tests/hvemu_zygote.py, or a subprocess)
# ---------------------------------------------------------------------------------------------


def work(url: str, model: Model, seed: int, count: int, log_fd: int, kinds: tuple[str, ...],
         vms: list[str] | None = None, shared: tuple[str, ...] = (), prefix: str = "") -> None:
    """Carry out `count` random operations on the state at `url`, logging each to `log_fd`."""
    rng = random.Random(seed)
    client = sdk.connect(url)  # one emulator per worker
    for _ in range(count):
        op = choose(model, rng, kinds, vms, tuple(shared), prefix)
        line = json.dumps(op, sort_keys=True)
        os.write(log_fd, f"start {line}\n".encode())
        try:
            execute(client, op)
        except sdk.HyperVError as exc:  # a refusal the model did not foresee: the test fails on it
            os.write(log_fd, f"error {line} {type(exc).__name__}: {exc}\n".encode())
            raise SystemExit(3) from None
        os.write(log_fd, f"done {line}\n".encode())
        model = apply(model, op)


def read_log(path: str) -> tuple[list[Op], Op | None, list[str]]:
    """The operations a worker finished, the one it started last and did not finish, its errors."""
    done: list[Op] = []
    pending: Op | None = None
    errors: list[str] = []
    if not os.path.exists(path):  # killed before it opened its log
        return done, pending, errors
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            if not raw.endswith("\n"):  # a line cut by the kill
                break
            word, _, rest = raw.rstrip("\n").partition(" ")
            if word == "start":
                pending = json.loads(rest)
            elif word == "done":
                op = json.loads(rest)
                assert op == pending, (op, pending)
                done.append(op)
                pending = None
            elif word == "error":
                errors.append(rest)
    return done, pending, errors


# ---------------------------------------------------------------------------------------------
# comparing a state with the model
# ---------------------------------------------------------------------------------------------


def observe(client: sdk.HyperVClient, models: list[Model], skip_exports: frozenset[str] = frozenset()) -> Model:
    """What the state holds, in the models' terms (they give the pages' names back: a page is
    named by the seed whose bytes it holds, absent when it is zeros, -1 when neither). Export
    folders in `skip_exports` (checked before; nothing writes them again) are not read again."""
    model = models[-1]
    seeds = {page_bytes(s): s for m in models for vm in m["vms"].values()
             for pages in [vm["disk"], *vm["cps"].values()] for s in pages.values()}
    vms: dict[str, Any] = {}
    for name in model["vms"]:
        data = client.read_guest_disk(name, 0, 0, AREA)
        disk: dict[str, int] = {}
        for i in range(PAGES):
            chunk = data[i * PAGE:(i + 1) * PAGE]
            if chunk != bytes(PAGE):
                disk[str(i)] = seeds.get(chunk, -1)
        vms[name] = {"disk": disk, "cps": sorted(c.name for c in client.get_checkpoints(name))}
    exports = {}
    try:
        entries = client.list_dir(EXPORT_ROOT)
    except sdk.HyperVError:
        entries = []
    for entry in entries:
        vm = entry.name.rsplit("-", 1)[0]
        if entry.path in skip_exports and entry.path in model["exports"]:
            exports[entry.path] = dict(model["exports"][entry.path])
        else:
            exports[entry.path] = {"vm": vm, "cps": export_checkpoints(client, entry.path, vm)}
    return {"vms": vms, "exports": exports}


def export_checkpoints(client: sdk.HyperVClient, path: str, vm: str) -> list[str] | str:
    """The checkpoints an export folder holds (its configuration's), after checking that every
    disk file the configuration names is there and opens; a text saying what is wrong otherwise."""
    try:
        (config_file,) = client.list_dir(f"{path}\\{vm}\\Virtual Machines")
        record = json.loads(client.read_file(config_file.path))["VM"]
        for disk in [*record["disks"], *(d for cp in record["checkpoints"] for d in cp["disks"])]:
            client.get_vhd(disk["path"])
    except (sdk.HyperVError, ValueError, KeyError) as exc:
        return f"incomplete export: {type(exc).__name__}: {exc}"
    return sorted(cp["name"] for cp in record["checkpoints"])


def expected(model: Model) -> Model:
    """The model in observe()'s terms."""
    return {"vms": {name: {"disk": dict(vm["disk"]), "cps": sorted(vm["cps"])} for name, vm in model["vms"].items()},
            "exports": {path: dict(e) for path, e in model["exports"].items()}}


def state_check(url: str) -> tuple[int, str]:
    """`hvemu state check --state URL`: its exit code and output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["state", "check", "--state", url])
    return code, out.getvalue()


def base_disks(url: str, seen: set[str]) -> list[pathlib.Path]:
    """The state's .vhdx files not checked yet (exports' copies never change once written; the
    VMs' own are checked every time)."""
    out = []
    for path in pathlib.Path(url).rglob("*.vhdx"):
        key = str(path)
        if "Exports" in path.parts and key in seen:
            continue
        seen.add(key)
        out.append(path)
    return out
