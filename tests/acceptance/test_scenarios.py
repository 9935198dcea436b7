"""The acceptance scenarios of ../shared/scenarios, run exactly as scenarios.md says:

    hvemu run --world world.toml --state S script.ps1

Standard output must equal expected.txt after trimming each line's trailing spaces and dropping
leading and trailing blank lines; standard error must equal expected-stderr.txt (the script's
absolute path replaced by `{script}`), or contain the lines of expected-stderr-contains.txt in
order, or be empty; the world after the run must satisfy expected-after.toml.

KNOWN_DIFFERENCES lists any scenario whose expected file was shown, from a primary source, to
differ from real PowerShell (with the evidence); none is listed today.
"""

from __future__ import annotations

import os
import pathlib
import tomllib

import pytest

import hvemu_testlib as T
import sdk
from psshim.cli import main

KNOWN_DIFFERENCES: dict[str, str] = {}


def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_scenario(folder: pathlib.Path, state: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    # A short relative path keeps the `At <path>:<line> char:<col>` line within 119 columns, as
    # scenarios.md asks; the script is copied beside the state under a short name.
    script = folder / "script.ps1"
    code = main(["run", "--world", str(folder / "world.toml"), "--state", state, str(script)])
    out, err = capsys.readouterr()
    return code, out, err.replace(str(script.resolve()), "{script}")


def check_after(client: sdk.HyperVClient, after: dict) -> None:
    if "now" in after:
        assert client.now() == after["now"], "the clock after the run"
    for v in after.get("vm", []):
        vm = client.vm(v["name"])
        where = f"VM {v['name']}"
        if "state" in v:
            assert vm.state.name == v["state"], where
        if "status" in v:
            assert vm.status == v["status"], where
        if "checkpoint_type" in v:
            assert vm.checkpoint_type.name == v["checkpoint_type"], where
        if "parent_checkpoint" in v:
            assert (vm.parent_snapshot_name or "") == v["parent_checkpoint"], where
        if "disks" in v:
            assert [d.path for d in vm.hard_drives] == v["disks"], where
        if "checkpoints" in v:
            got = T.checkpoint_facts(client, vm)
            assert [(g["name"], g["parent"]) for g in got] == [(e["name"], e["parent"]) for e in v["checkpoints"]], where
            for g, e in zip(got, v["checkpoints"]):
                for key in ("created", "state"):
                    if key in e:
                        assert g[key] == e[key], (where, e["name"], key)
    for f in after.get("file", []):
        info = client.file_info(f["path"])
        if "exists" in f:
            assert (info is not None) == f["exists"], f["path"]
        if "length" in f:
            assert info is not None and info.length == f["length"], f["path"]


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_scenario(folder: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                  monkeypatch: pytest.MonkeyPatch) -> None:
    if folder.name in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[folder.name])
    monkeypatch.chdir(tmp_path)
    state = str(tmp_path / "state")
    code, out, err = run_scenario(folder, state, capsys)

    assert normalise(out) == normalise((folder / "expected.txt").read_text(encoding="utf-8-sig")), "standard output"
    full = folder / "expected-stderr.txt"
    contains = folder / "expected-stderr-contains.txt"
    if full.exists():
        assert normalise(err) == normalise(full.read_text(encoding="utf-8-sig")), "standard error"
    elif contains.exists():
        lines = normalise(err)
        at = 0
        for wanted in normalise(contains.read_text(encoding="utf-8-sig")):
            if not wanted:
                continue
            while at < len(lines) and wanted not in lines[at]:
                at += 1
            assert at < len(lines), f"standard error lacks {wanted!r} (in order):\n{err}"
            at += 1
    else:
        assert err == "", "standard error should be empty"

    assert code == (1 if folder.name.startswith("13-") else 0), "exit code"
    after = folder / "expected-after.toml"
    if after.exists():
        check_after(sdk.connect(state), tomllib.loads(after.read_text(encoding="utf-8")))


def test_every_scenario_is_present() -> None:
    names = [p.name for p in T.scenario_dirs()]
    assert len(names) >= 26, names
    assert os.path.isdir(T.SCENARIOS)
