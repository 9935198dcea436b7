"""`emulator.filecopy`: a folder state's files copied by reflink, in the kernel, or by hand,
holes kept, links kept as links, each copy independent of its source."""

from __future__ import annotations

import errno
import os
import pathlib

import pytest

from hyperv_emu.emulator import filecopy

MIB = 1 << 20


def _sparse_file(path: pathlib.Path) -> bytes:
    """A 64 MiB file with data at 0, at 10 MiB and at its very end; the rest is holes."""
    with open(path, "wb") as f:
        f.truncate(64 * MIB)
        for offset, data in ((0, b"head" * 1000), (10 * MIB, os.urandom(3 * MIB)), (64 * MIB - 5, b"tail!")):
            f.seek(offset)
            f.write(data)
    return path.read_bytes()


def _allocated(path: pathlib.Path) -> int:
    return os.stat(path).st_blocks * 512


def _no_reflink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecopy, "_reflink", lambda src, dst: False)


def test_a_copy_has_the_bytes_and_keeps_the_holes(tmp_path: pathlib.Path) -> None:
    want = _sparse_file(tmp_path / "a.vhdx")
    how = filecopy.copy_file(str(tmp_path / "a.vhdx"), str(tmp_path / "b.vhdx"))
    assert how in ("reflink", "copy_file_range", "copy")
    assert (tmp_path / "b.vhdx").read_bytes() == want
    assert _allocated(tmp_path / "b.vhdx") < 16 * MIB  # not 64 MiB of zeros written out
    with open(tmp_path / "b.vhdx", "r+b") as f:  # the copy is its own file
        f.write(b"CHANGED")
    assert (tmp_path / "a.vhdx").read_bytes() == want


def test_without_copy_file_range_the_extents_are_copied_by_hand(tmp_path: pathlib.Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _no_reflink(monkeypatch)

    def refuse(*args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    want = _sparse_file(tmp_path / "a.vhdx")
    assert filecopy.copy_file(str(tmp_path / "a.vhdx"), str(tmp_path / "b.vhdx")) == "copy"
    assert (tmp_path / "b.vhdx").read_bytes() == want
    assert _allocated(tmp_path / "b.vhdx") < 16 * MIB


def test_other_errors_are_not_taken_for_a_missing_feature(tmp_path: pathlib.Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _no_reflink(monkeypatch)

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "copy_file_range", full)
    _sparse_file(tmp_path / "a.vhdx")
    with pytest.raises(OSError) as info:
        filecopy.copy_file(str(tmp_path / "a.vhdx"), str(tmp_path / "b.vhdx"))
    assert info.value.errno == errno.ENOSPC


def test_an_existing_target_is_not_overwritten(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a").write_bytes(b"new")
    (tmp_path / "b").write_bytes(b"old")
    with pytest.raises(FileExistsError):
        filecopy.copy_file(str(tmp_path / "a"), str(tmp_path / "b"))
    assert (tmp_path / "b").read_bytes() == b"old"


def test_a_tree_is_copied_with_its_links_and_without_the_skipped_names(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "src"
    (src / "hosts" / "H" / "D" / "VMs").mkdir(parents=True)
    (src / "hosts" / "H" / "D" / "VMs" / "a.vmcx").write_bytes(b"config")
    (src / "hosts" / "H" / "D" / "empty").mkdir()
    (src / "hvemu.lock").write_bytes(b"")
    os.symlink("VMs/a.vmcx", src / "hosts" / "H" / "D" / "link")
    how = filecopy.copy_tree(str(src), str(tmp_path / "dst"), frozenset({"hvemu.lock"}))
    assert how["link"] == 1 and sum(how.values()) == 2
    dst = tmp_path / "dst"
    assert (dst / "hosts" / "H" / "D" / "VMs" / "a.vmcx").read_bytes() == b"config"
    assert (dst / "hosts" / "H" / "D" / "empty").is_dir()
    assert os.readlink(dst / "hosts" / "H" / "D" / "link") == "VMs/a.vmcx"
    assert not (dst / "hvemu.lock").exists()
