"""World init does per-file work in O(1): folders are listed a bounded number of times however
many files a world has, files are synced together (one file-system sync), and a memory state's
folder queries never scan the whole store (emulator/storebatch.py). Counted, not timed."""

from __future__ import annotations

import os
import pathlib
from typing import Any

import pytest

import hvemu_testlib as T
from hyperv_emu.emulator import init_from_world, storebatch


def world(n: int) -> str:
    text = T.base_world()
    for i in range(n):
        cps = "".join(f'\n[[vm.checkpoint]]\nname = "cp{j}"\ncreated = 2026-02-{1 + j:02d}T08:00:00\n'
                      f'kind = "{"standard" if j % 2 else "production"}"\n' for j in range(3))
        text += T.vm_table(f"VM{i:03d}", extra=cps)
    return text


def _folder_costs(tmp_path: pathlib.Path, n: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"listdir": 0, "fsync": 0, "syncfs": 0}
    real_listdir, real_fsync = os.listdir, os.fsync

    root = str(tmp_path / f"state{n}")

    def listdir(path: Any = ".") -> list[str]:
        if str(path).startswith(root):  # (not the imports' own look-ups)
            counts["listdir"] += 1
        return real_listdir(path)

    def fsync(fd: int) -> None:
        counts["fsync"] += 1
        real_fsync(fd)

    def syncfs(path: str) -> bool:
        counts["syncfs"] += 1
        return True

    with monkeypatch.context() as m:
        m.setattr(os, "listdir", listdir)
        m.setattr(os, "fsync", fsync)
        m.setattr(storebatch, "sync_file_system", syncfs)
        init_from_world(root, world(n))
    return counts


def test_a_folder_world_lists_each_folder_once_and_syncs_once(tmp_path: pathlib.Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    small = _folder_costs(tmp_path, 4, monkeypatch)
    large = _folder_costs(tmp_path, 16, monkeypatch)
    # 16 VMs make 4x the files (disks, configuration and memory files) of 4, in the same folders
    assert large["listdir"] == small["listdir"]
    assert large["syncfs"] == small["syncfs"] == 1
    assert large["fsync"] == small["fsync"] <= 4  # the state's own saves
    files = [p for p in (tmp_path / "state16").rglob("*") if p.is_file()]
    assert len(files) > 16 * 8


def test_a_memory_world_never_scans_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.implementations.memory as memory

    def counting(name: str) -> Any:
        original = getattr(memory.MemoryFileSystem, name)

        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            scans[name] = scans.get(name, 0) + 1
            return original(self, *args, **kwargs)

        return spy

    results = []
    for n in (4, 16):
        scans: dict[str, int] = {}
        with monkeypatch.context() as m:
            for name in ("ls", "info", "exists", "isdir", "isfile", "makedirs"):
                m.setattr(memory.MemoryFileSystem, name, counting(name))
            url = T.memory_url()
            init_from_world(url, world(n))
        T.drop_memory_root(url)
        results.append(scans)
    assert results[0] == results[1]  # a few look-ups of the state's own file, whatever the size
    assert sum(results[1].values()) <= 10
