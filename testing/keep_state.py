"""Keep an emulator state for a look after the test: `--hyperv-keep-state`.

`keep_state(url, folder)` writes `folder/world.toml` (the world as it is now, `hvemu world
export`) and `folder/state/` (a copy of the whole state, host files and disks included, so that
`hvemu tree --state folder/state` or `hvemu run --state folder/state` go on from there), made by
`sdk.clone_state`: disk files are copied sparsely (pages of zeros are left as holes).
"""

from __future__ import annotations

import pathlib

from hyperv_emu import sdk

STATE_DIR = "state"
WORLD_FILE = "world.toml"


def copy_state(url: str, target: pathlib.Path) -> pathlib.Path:
    """Copy the state at `url` into the folder `target` (created; it must not hold a state):
    `sdk.clone_state`, the database through SQLite's backup API, disk files sparse."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    sdk.clone_state(url, str(target))
    return target


def keep_state(url: str, folder: pathlib.Path) -> pathlib.Path:
    """Write the state at `url` out to `folder` (world.toml and state/); returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WORLD_FILE).write_text(sdk.export_world(url), encoding="utf-8")
    copy_state(url, folder / STATE_DIR)
    return folder
