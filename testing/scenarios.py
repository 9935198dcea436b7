"""Scenario folders: run one, and compare what it printed and left with what it expects.

A scenario folder (the format of ../shared/docs/scenarios.md) holds `world.toml`, `script.ps1`,
`expected.txt`, and optionally `expected-stderr.txt` or `expected-stderr-contains.txt`,
`expected-after.toml` and `stdin.txt` (the answers to the script's prompts, one line each: Read-Host,
-Confirm, Get-Credential, Out-GridView -PassThru; without it every prompt fails as under
-NonInteractive). `run_folder(folder)` runs it as `hvemu run --world world.toml --state S
script.ps1 < stdin.txt` does and returns a `ScenarioResult` whose `problems()` lists every difference, each
with a readable diff. Used by the acceptance tests and by the pytest plugin's scenario collection.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import pathlib
import re
import tomllib
import uuid
from typing import Any

import attrs

from hyperv_emu import sdk
from hyperv_emu.psshim.session import RunResult, Session
from hyperv_emu.sdk.fieldwise import Fieldwise


def normalise(text: str) -> list[str]:
    """Each line's trailing spaces removed, leading and trailing blank lines dropped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def script_placeholder(stderr: str, script: pathlib.Path) -> str:
    """`stderr` with the script's absolute path written `{script}`, also where 5.1's error view
    wrapped the path over two lines (a long path at the 119-column edge)."""
    path = str(script.resolve())
    pattern = r"(?:\r?\n)?".join(re.escape(c) for c in path)
    return re.sub(pattern, "{script}", stderr)


def _diff(expected: list[str], actual: list[str], what: str) -> str:
    body = "\n".join(difflib.unified_diff(expected, actual, f"expected {what}", f"actual {what}", lineterm=""))
    return body or f"{what} differs"


@attrs.frozen(eq=False, repr=False)
class ScenarioResult(Fieldwise):
    folder: pathlib.Path
    run: RunResult
    stdout_problem: str | None
    stderr_problem: str | None
    after_problems: tuple[str, ...]

    def problems(self) -> list[str]:
        out = [p for p in (self.stdout_problem, self.stderr_problem) if p]
        return out + list(self.after_problems)


def check_stdout(folder: pathlib.Path, stdout: str) -> str | None:
    expected = normalise((folder / "expected.txt").read_text(encoding="utf-8-sig"))
    actual = normalise(stdout)
    return None if expected == actual else _diff(expected, actual, "standard output")


def check_stderr(folder: pathlib.Path, stderr: str) -> str | None:
    full = folder / "expected-stderr.txt"
    contains = folder / "expected-stderr-contains.txt"
    actual = normalise(stderr)
    if full.exists():
        expected = normalise(full.read_text(encoding="utf-8-sig"))
        return None if expected == actual else _diff(expected, actual, "standard error")
    if contains.exists():
        at = 0
        for wanted in normalise(contains.read_text(encoding="utf-8-sig")):
            if not wanted:
                continue
            while at < len(actual) and wanted not in actual[at]:
                at += 1
            if at == len(actual):
                return f"standard error lacks the line {wanted!r} (in order); it was:\n" + "\n".join(actual)
            at += 1
        return None
    return None if not actual else "standard error should be empty; it was:\n" + "\n".join(actual)


def check_after(client: sdk.HyperVClient, after: dict[str, Any]) -> list[str]:
    """Every fact of an expected-after.toml that does not hold."""
    problems: list[str] = []

    def expect(what: str, actual: object, expected: object) -> None:
        if actual != expected:
            problems.append(f"{what}: expected {expected!r}, got {actual!r}")

    if "now" in after:
        expect("the clock", client.now(), after["now"])
    for v in after.get("vm", []):
        try:
            vm = client.vm(v["name"])
        except sdk.HyperVError as exc:
            problems.append(f"VM {v['name']}: {exc.message}")
            continue
        where = f"VM {v['name']}"
        if "state" in v:
            expect(f"{where} state", vm.state.name, v["state"])
        if "status" in v:
            expect(f"{where} status", vm.status, v["status"])
        if "checkpoint_type" in v:
            expect(f"{where} checkpoint_type", vm.checkpoint_type.name, v["checkpoint_type"])
        if "parent_checkpoint" in v:
            expect(f"{where} parent_checkpoint", vm.parent_snapshot_name or "", v["parent_checkpoint"])
        if "disks" in v:
            expect(f"{where} disks", [d.path for d in vm.hard_drives], v["disks"])
        if "checkpoints" in v:
            got = vm.checkpoints()
            expect(f"{where} checkpoints (name, parent)",
                   [(c.name, c.parent_snapshot_name or "") for c in got],
                   [(e["name"], e["parent"]) for e in v["checkpoints"]])
            for c, e in zip(got, v["checkpoints"]):
                if "created" in e:
                    expect(f"{where} checkpoint {e['name']!r} created", c.creation_time, _naive(e["created"]))
                if "state" in e:
                    expect(f"{where} checkpoint {e['name']!r} state", c.state.name, e["state"])
    for f in after.get("file", []):
        info = client.file_info(f["path"])
        if "exists" in f:
            expect(f"file {f['path']} exists", info is not None, f["exists"])
        if "length" in f:
            expect(f"file {f['path']} length", info.length if info else None, f["length"])
    return problems


def _naive(value: Any) -> Any:
    return value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value


def scenario_answers(folder: pathlib.Path) -> Any:
    """The answers of a scenario's `stdin.txt`, or none (a non-interactive run)."""
    from hyperv_emu.psshim.runtime.prompts import Answers

    stdin = folder / "stdin.txt"
    if not stdin.exists():
        return Answers.non_interactive()
    return Answers.from_text(stdin.read_text(encoding="utf-8-sig"))


def run_folder(folder: str | os.PathLike[str], state: str | None = None) -> ScenarioResult:
    """Run a scenario folder on a fresh state (in memory unless `state` is given)."""
    folder = pathlib.Path(folder)
    url = state or f"memory://hvemu-scenario/{uuid.uuid4().hex}"
    session = Session.from_world(folder / "world.toml", url, answers=scenario_answers(folder))
    try:
        script = folder / "script.ps1"
        result = session.run_file(script)
        stderr = script_placeholder(result.stderr, script)
        after_problems: list[str] = []
        after = folder / "expected-after.toml"
        if after.exists():
            after_problems = check_after(session.client, tomllib.loads(after.read_text(encoding="utf-8-sig")))
        return ScenarioResult(folder, result, check_stdout(folder, result.stdout), check_stderr(folder, stderr),
                              tuple(after_problems))
    finally:
        if state is None:
            session.discard()
