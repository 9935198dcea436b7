"""Keep an emulator state for a look after the test: `--hyperv-keep-state`.

`keep_state(url, folder)` writes `folder/world.toml` (the world as it is now, `hvemu world
export`) and `folder/state/` (a copy of the whole state, host files and disks included, so that
`hvemu tree --state folder/state` or `hvemu run --state folder/state` go on from there). Disk
files are copied sparsely: pages of zeros are left as holes.
"""

from __future__ import annotations

import pathlib

from hyperv_emu import sdk
from hyperv_emu.emulator.storage import LOCK_FILE, PAGE, FileStore, open_store
from hyperv_emu.emulator.vhdx.raf import is_zero

STATE_DIR = "state"
WORLD_FILE = "world.toml"


def _files(store: FileStore, rel: str = "") -> list[str]:
    out: list[str] = []
    for entry in store.listdir(rel):
        child = f"{rel}/{entry.name}" if rel else entry.name
        if entry.is_dir:
            out += _files(store, child)
        elif child != LOCK_FILE:
            out.append(child)
    return out


def copy_state(url: str, target: pathlib.Path) -> pathlib.Path:
    """Copy the state at `url` into the folder `target` (created; it must not hold a state)."""
    source = open_store(url)
    target.mkdir(parents=True, exist_ok=True)
    dest = open_store(str(target))
    if not dest.is_empty():
        raise FileExistsError(f"{target} is not empty")
    with source.lock():
        for rel in _files(source):
            length = source.size(rel)
            dest.create_sparse(rel, length)
            src = source.open_random(rel, writable=False)
            out = dest.open_random(rel)
            try:
                for offset in range(0, length, PAGE):
                    data = src.read_at(offset, min(PAGE, length - offset))
                    if not is_zero(data):
                        out.write_at(offset, data)
                out.flush()
            finally:
                out.close()
                src.close()
    return target


def keep_state(url: str, folder: pathlib.Path) -> pathlib.Path:
    """Write the state at `url` out to `folder` (world.toml and state/); returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WORLD_FILE).write_text(sdk.export_world(url), encoding="utf-8")
    copy_state(url, folder / STATE_DIR)
    return folder
