"""Session worlds: a world built once per test session, and a cheap copy of it for each test.

`@pytest.mark.hyperv_world("cluster.toml", scope="session")` (or the ini option
`hyperv_world_scope = session`) asks for it. The first test that names a world builds it into
a template state; every test, the first included, then gets `sdk.clone_state(template, its
own url)`: the database copied with SQLite's backup API, and the disk files shared
copy-on-write (memory states: 4 KiB pages; folder states: reflinks where the file system has
them, else a copy of their data). A test may change anything; its changes never reach the
template nor another test.

The templates live as long as the session (the `hyperv_session_worlds` fixture, session-scoped):
memory ones in the process, so each pytest-xdist worker builds its own; folder ones under the
session's base temporary folder. A world is known by its text or by its file's resolved path
and modification time, and by the storage kind.
"""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Callable

import attrs

from hyperv_emu.testing.hyperv import HyperV, as_file

STORAGES = ("memory", "local")


@attrs.frozen
class WorldKey:
    """What makes two requests the same world: the file (path, mtime) or the text, and where."""

    source: str  # the file's resolved path, or the world's text
    is_file: bool
    stamp: int  # the file's modification time (ns)
    storage: str


class SessionWorlds:
    """The templates of one test session (or xdist worker). `folder()` gives the folder in which
    a folder template is built (the plugin passes the session's temporary folders)."""

    def __init__(self, folder: Callable[[], pathlib.Path]) -> None:
        self._folder = folder
        self._templates: dict[WorldKey, str] = {}
        self.builds = 0  # how many templates were built (one per world and storage kind)

    def __len__(self) -> int:
        return len(self._templates)

    def _key(self, world: str | os.PathLike[str], base_dir: pathlib.Path, storage: str) -> WorldKey:
        if as_file(world, ".toml"):
            path = pathlib.Path(world)
            path = (path if path.is_absolute() else base_dir / path).resolve()
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                stamp = -1  # building it says what is wrong (sdk.WorldFileError)
            return WorldKey(str(path), True, stamp, storage)
        return WorldKey(str(world), False, 0, storage)

    def template(self, world: str | os.PathLike[str], base_dir: pathlib.Path, storage: str = "memory") -> str:
        """The url of the template state of `world` (built now if this session has none yet)."""
        if storage not in STORAGES:
            raise ValueError(f"storage must be one of {STORAGES}, not {storage!r}")
        key = self._key(world, base_dir, storage)
        url = self._templates.get(key)
        if url is None:
            from hyperv_emu import sdk

            url = (str(self._folder() / "state") if storage == "local"
                   else f"memory://pytest-hyperv-world/{uuid.uuid4().hex}")
            try:
                if key.is_file:
                    sdk.load_world_file(url, key.source, force=True)
                else:
                    sdk.load_world(url, key.source, force=True)
            except BaseException:
                sdk.delete_state(url)
                raise
            self._templates[key] = url
            self.builds += 1
        return url

    def hyperv(self, world: str | os.PathLike[str], url: str, base_dir: pathlib.Path,
               storage: str = "memory") -> HyperV:
        """A `HyperV` on a new state at `url` (an empty place), a copy of `world`'s template."""
        from hyperv_emu import sdk

        sdk.clone_state(self.template(world, base_dir, storage), url)
        return HyperV.attach(url, base_dir)

    def close(self) -> None:
        """Delete the templates (the session is over)."""
        from hyperv_emu import sdk

        for url in self._templates.values():
            sdk.delete_state(url)
        self._templates.clear()
