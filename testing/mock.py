"""`mock_hyperv()`: a fresh emulated Hyper-V for code that calls `sdk.connect()` itself.

    from hyperv_emu.testing.mock import mock_hyperv

    @mock_hyperv(world="tests/fleet.toml")
    def test_nightly_job():
        nightly_job()                    # calls sdk.connect() with no URL
        hv = sdk.connect()
        assert len(hv.vm("SRV-APP01").checkpoints()) == 1

    with mock_hyperv(world_text=WORLD) as hv:
        ...

Like moto's `mock_aws`, it works as a decorator or a context manager. Inside it, `sdk.connect()`
without a URL (and `$HVEMU_STATE`) reach a new in-memory emulator state, created from the world
given (or an empty host); on exit the state is deleted and the environment restored.
"""

from __future__ import annotations

import functools
import os
import pathlib
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from hyperv_emu.sdk.client import HyperVClient

F = TypeVar("F", bound=Callable[..., Any])

EMPTY_WORLD = "now = 2026-01-01T08:00:00\n"


class mock_hyperv:  # noqa: N801 - named like moto's mock_aws, used as a decorator
    def __init__(
        self,
        world: str | os.PathLike[str] | None = None,
        *,
        world_text: str | None = None,
        url: str | None = None,
    ) -> None:
        if world is not None and world_text is not None:
            raise ValueError("give either world (a path) or world_text, not both")
        self.world_path = pathlib.Path(world) if world is not None else None
        self.world_text = world_text
        self.url = url
        self._saved: list[tuple[str | None, str]] = []
        self.client: HyperVClient | None = None

    def __enter__(self) -> HyperVClient:
        from hyperv_emu.sdk import connect, load_world, read_world_file

        url = self.url or f"memory://hvemu-mock/{uuid.uuid4().hex}"
        if self.world_path is not None:
            text, source = read_world_file(self.world_path), str(self.world_path)
        else:
            text, source = (self.world_text or EMPTY_WORLD), "<mock_hyperv>"
        load_world(url, text, source, force=True)
        self._saved.append((os.environ.get("HVEMU_STATE"), url))
        os.environ["HVEMU_STATE"] = url
        self.client = connect(url)
        return self.client

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        previous, url = self._saved.pop()
        if previous is None:
            os.environ.pop("HVEMU_STATE", None)
        else:
            os.environ["HVEMU_STATE"] = previous
        if url.startswith("memory://"):
            from hyperv_emu.emulator.storage import open_store

            open_store(url).remove_all()
        self.client = None

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mock_hyperv(self.world_path, world_text=self.world_text, url=self.url):
                return fn(*args, **kwargs)

        return cast(F, wrapper)
