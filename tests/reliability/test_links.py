"""Confinement follows links (issue 14, point 5): symbolic links planted in a state folder (file
and folder, absolute and relative) never let a script or the SDK read, write or delete outside
the state root; writes and deletes through them are the host's access-denied error."""

from __future__ import annotations

import hashlib
import os
import pathlib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.sdk.errors import AccessDeniedError, HyperVError


def snapshot(folder: pathlib.Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def planted(tmp_path: pathlib.Path) -> tuple[str, pathlib.Path]:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    (outside / "dir" / "inner.txt").write_text("inner", encoding="utf-8")
    state = tmp_path / "state"
    client = sdk.load_world(str(state), "now = 2026-02-20T08:00:00\n")
    client.write_file("D:\\seed.txt", b"seed")
    (drive,) = state.glob("hosts/*/D")
    os.symlink(outside, drive / "abs-dir")
    os.symlink(os.path.relpath(outside / "dir", drive), drive / "rel-dir")
    os.symlink(outside / "keep.txt", drive / "abs-file.txt")
    os.symlink(os.path.relpath(outside / "keep.txt", drive), drive / "rel-file.txt")
    return str(state), outside


WRITES = ["Set-Content '{p}' x", "Add-Content '{p}' x", "'x' | Out-File '{p}'", "Remove-Item '{p}'",
          "New-Item '{p}' -ItemType File -Force", "Remove-Item '{p}' -Recurse -Force", "'a' | Export-Csv '{p}'"]
TARGETS = ["D:\\abs-dir\\keep.txt", "D:\\abs-dir\\new.txt", "D:\\rel-dir\\inner.txt", "D:\\abs-file.txt",
           "D:\\rel-file.txt", "D:\\abs-dir", "D:\\rel-dir\\sub\\new.txt"]


def test_no_script_changes_anything_outside(planted: tuple[str, pathlib.Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    state, outside = planted
    before = snapshot(outside)
    script = "; ".join(w.format(p=t) for w in WRITES for t in TARGETS) + "; 'end'"
    assert main(["run", "--state", state, "-c", script]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("end")
    assert "internal error" not in err
    assert "Access to the path 'D:\\abs-file.txt' is denied." in " ".join(err.split())
    assert snapshot(outside) == before
    # the state's own files are untouched and usable
    assert sdk.connect(state).read_file("D:\\seed.txt") == b"seed"


def test_reads_through_links_see_nothing_outside(planted: tuple[str, pathlib.Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    state, _ = planted
    main(["run", "--state", state, "-c", "Get-Content D:\\abs-file.txt; Get-Content D:\\rel-dir\\inner.txt; "
                                         "(Get-ChildItem D:\\abs-dir).Name"])
    out, err = capsys.readouterr()
    assert "keep" not in out and "inner" not in out
    assert "internal error" not in err


@pytest.mark.parametrize("path", TARGETS)
def test_the_sdk_refuses_writes_through_links(planted: tuple[str, pathlib.Path], path: str) -> None:
    state, outside = planted
    before = snapshot(outside)
    client = sdk.connect(state)
    with pytest.raises(HyperVError):
        client.write_file(path, b"x")
    with pytest.raises(HyperVError):
        client.delete_file(path)
    assert snapshot(outside) == before


def test_access_denied_is_typed(planted: tuple[str, pathlib.Path]) -> None:
    state, _ = planted
    with pytest.raises(AccessDeniedError, match=r"Access to the path 'D:\\abs-file.txt' is denied."):
        sdk.connect(state).write_file("D:\\abs-file.txt", b"x")
