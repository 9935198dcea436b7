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

On a class, as moto does, it decorates every method whose name starts with `test` (each test
gets its own fresh state) and the classes nested in it. A test's setup and teardown share its
state: in a `unittest.TestCase` the mock starts before `setUp` and stops after `tearDown` (and
the cleanups); in a pytest-style class with `setup_method`, it starts before `setup_method` and
stops after `teardown_method`. (Before, the decorator wrapped the class itself in a function named
like the class, which pytest does not collect: every test of the class silently disappeared.)
"""

from __future__ import annotations

import functools
import inspect
import os
import pathlib
import unittest
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from hyperv_emu.sdk.client import HyperVClient

F = TypeVar("F", bound=Callable[..., Any])
TEST_PREFIX = "test"

EMPTY_WORLD = "now = 2026-01-01T08:00:00\n"


def _call_optional(function: Any, instance: object, method: object) -> None:
    """Call a setup_method/teardown_method as pytest does: with the test method if it takes it."""
    if getattr(getattr(function, "__code__", None), "co_argcount", 2) > 1:
        function(instance, method)
    else:
        function(instance)


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

    def _fresh(self) -> mock_hyperv:
        return mock_hyperv(self.world_path, world_text=self.world_text, url=self.url)

    def __call__(self, target: F) -> F:
        """Decorate a test function, or every test of a class (see the module docstring)."""
        if inspect.isclass(target):
            return cast(F, self._decorate_class(target))
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await target(*args, **kwargs)

            return cast(F, async_wrapper)

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return target(*args, **kwargs)

        return cast(F, wrapper)

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            self._around_unittest(cls)
        elif callable(getattr(cls, "setup_method", None)):
            self._around_setup_method(cls)
        else:
            for name, value in list(vars(cls).items()):
                if name.startswith(TEST_PREFIX) and inspect.isfunction(value):
                    setattr(cls, name, self(value))
        for name, value in list(vars(cls).items()):
            if inspect.isclass(value) and not name.startswith("_"):
                self._decorate_class(value)
        return cls

    def _around_unittest(self, cls: type[unittest.TestCase]) -> None:
        """setUp enters a fresh mock, and a cleanup (run after tearDown) leaves it."""
        set_up = cls.setUp

        @functools.wraps(set_up)
        def setUp(test: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
            mock = self._fresh()
            mock.__enter__()
            test.addCleanup(mock.__exit__, None, None, None)
            set_up(test)

        cls.setUp = setUp  # type: ignore[method-assign,assignment]

    def _around_setup_method(self, cls: type) -> None:
        """setup_method enters a fresh mock, teardown_method leaves it (pytest calls both on
        the test's instance; a setup_method that fails leaves it at once)."""
        setup_method = cls.setup_method  # type: ignore[attr-defined]
        teardown_method = getattr(cls, "teardown_method", None)
        attribute = f"_mock_hyperv_{id(self)}"

        @functools.wraps(setup_method)
        def setup(instance: Any, method: Any = None) -> None:
            mock = self._fresh()
            mock.__enter__()
            try:
                _call_optional(setup_method, instance, method)
            except BaseException:
                mock.__exit__(None, None, None)
                raise
            setattr(instance, attribute, mock)

        def teardown(instance: Any, method: Any = None) -> None:
            try:
                if teardown_method is not None:
                    _call_optional(teardown_method, instance, method)
            finally:
                mock = instance.__dict__.pop(attribute, None)
                if mock is not None:
                    mock.__exit__(None, None, None)

        if teardown_method is not None:
            teardown = functools.wraps(teardown_method)(teardown)
        cls.setup_method = setup  # type: ignore[attr-defined]
        cls.teardown_method = teardown  # type: ignore[attr-defined]
