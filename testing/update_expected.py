"""`--hyperv-update-expected`: rewrite a scenario folder's expected files from a run, as
snapshot-testing plugins (syrupy's `--snapshot-update`) do.

- `expected.txt` gets the run's standard output;
- `expected-stderr.txt` gets its standard error (the script's path written `{script}`), when the
  file exists or when the run wrote errors and no expected-stderr file exists;
- `expected-after.toml` (when present) keeps its facts (the same keys, the same VMs and files)
  with the values the run left. A fact that cannot be written (a listed VM that no longer exists)
  and `expected-stderr-contains.txt` (hand-written lines) are left alone, so they still fail.

Comments in a rewritten expected-after.toml are not kept (it is written by tomli-w).
"""

from __future__ import annotations

import pathlib
import tomllib
from typing import Any

from hyperv_emu import sdk
from hyperv_emu.testing.scenarios import ScenarioResult, normalise, script_placeholder

STDOUT = "expected.txt"
STDERR = "expected-stderr.txt"
STDERR_CONTAINS = "expected-stderr-contains.txt"
AFTER = "expected-after.toml"


def _vm_facts(client: sdk.HyperVClient, wanted: dict[str, Any]) -> dict[str, Any]:
    try:
        vm = client.vm(wanted["name"])
    except sdk.HyperVError:
        return wanted  # a missing VM cannot be written as facts: left as it was (and still fails)
    got: dict[str, Any] = {}
    for key, value in wanted.items():
        if key == "state":
            got[key] = vm.state.name
        elif key == "status":
            got[key] = vm.status
        elif key == "checkpoint_type":
            got[key] = vm.checkpoint_type.name
        elif key == "parent_checkpoint":
            got[key] = vm.parent_snapshot_name or ""
        elif key == "disks":
            got[key] = [d.path for d in vm.hard_drives]
        elif key == "checkpoints":
            extra = {k for e in value for k in e} & {"created", "state"}
            rows = []
            for c in vm.checkpoints():
                row: dict[str, Any] = {"name": c.name, "parent": c.parent_snapshot_name or ""}
                if "created" in extra:
                    row["created"] = c.creation_time
                if "state" in extra:
                    row["state"] = c.state.name
                rows.append(row)
            got[key] = rows
        else:
            got[key] = value
    return got


def _file_facts(client: sdk.HyperVClient, wanted: dict[str, Any]) -> dict[str, Any]:
    info = client.file_info(wanted["path"])
    got: dict[str, Any] = {}
    for key, value in wanted.items():
        if key == "exists":
            got[key] = info is not None
        elif key == "length":
            if info is not None:
                got[key] = info.length
        else:
            got[key] = value
    return got


def observe_after(client: sdk.HyperVClient, expected: dict[str, Any]) -> dict[str, Any]:
    """The facts an expected-after.toml states, with the values they have now."""
    out: dict[str, Any] = {}
    for key, value in expected.items():
        if key == "now":
            out[key] = client.now()
        elif key == "vm":
            out[key] = [_vm_facts(client, v) for v in value]
        elif key == "file":
            out[key] = [_file_facts(client, f) for f in value]
        else:
            out[key] = value
    return out


def _write_lines(path: pathlib.Path, text: str) -> None:
    path.write_text("\n".join(normalise(text)) + "\n", encoding="utf-8")


def update_folder(result: ScenarioResult, client: sdk.HyperVClient) -> list[str]:
    """Rewrite the expected files of `result.folder` that differ from the run; the names of the
    files rewritten."""
    folder = result.folder
    written: list[str] = []
    if result.stdout_problem:
        _write_lines(folder / STDOUT, result.run.stdout)
        written.append(STDOUT)
    if result.stderr_problem and not (folder / STDERR_CONTAINS).exists():
        stderr = script_placeholder(result.run.stderr, folder / "script.ps1")
        _write_lines(folder / STDERR, stderr)
        written.append(STDERR)
    after = folder / AFTER
    if result.after_problems and after.exists():
        try:
            import tomli_w
        except ImportError as exc:
            raise RuntimeError("--hyperv-update-expected needs tomli-w to write expected-after.toml: "
                               "pip install 'hyperv-emu[pytest]'") from exc
        expected = tomllib.loads(after.read_text(encoding="utf-8-sig"))
        after.write_text(tomli_w.dumps(observe_after(client, expected)), encoding="utf-8")
        written.append(AFTER)
    return written
