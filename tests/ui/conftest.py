"""The page's tests: an in-process application over an in-memory state (Starlette's TestClient),
and, for the browser tests, a real `hvemu ui` process over a state on disk."""

from __future__ import annotations

import html
import pathlib
import re
from collections.abc import Iterator

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

from starlette.testclient import TestClient  # noqa: E402

from hyperv_emu import sdk  # noqa: E402
from hyperv_emu.ui.app import UIState, build_app  # noqa: E402
from hyperv_emu.ui.security import Guard  # noqa: E402

WORLD = pathlib.Path(__file__).with_name("world.toml")
BASE = "http://127.0.0.1:8765"


def world_text(**replace: str) -> str:
    text = WORLD.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


class Page:
    """A TestClient on one UI application and the SDK client of its state."""

    def __init__(self, hv: sdk.HyperVClient, guard: Guard) -> None:
        self.hv = hv
        self.guard = guard
        self.state = UIState([hv], guard)
        self.http = TestClient(build_app(self.state), base_url=BASE, follow_redirects=False)

    def get(self, **params: str) -> str:
        r = self.http.get("/", params=params)
        assert r.status_code == 200, r.text
        return r.text

    def post(self, action: str, **form: str) -> str:
        """POST an action with the page's token; follow the 303 to the page and return it."""
        form.setdefault("csrf", self.guard.csrf_token)
        r = self.http.post(f"/action/{action}", data=form)
        assert r.status_code == 303, (r.status_code, r.text)
        page = self.http.get(r.headers["location"])
        assert page.status_code == 200
        return page.text

    def vm(self, name: str) -> sdk.VM:
        return self.hv.vm(name)

    def cp(self, vm: str, name: str) -> sdk.Checkpoint:
        return self.hv.find_checkpoint(vm, sdk.escape_wildcards(name))


def text_of(page: str, css_class: str) -> list[str]:
    """The texts of the elements whose class attribute starts with `css_class` (tags removed,
    entities decoded)."""
    found = re.findall(rf'class="{re.escape(css_class)}[^"]*"[^>]*>(.*?)</', page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found]


@pytest.fixture
def page(memory_url: str) -> Iterator[Page]:
    hv = sdk.load_world(memory_url, world_text())
    yield Page(hv, Guard())
