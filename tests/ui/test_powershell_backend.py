"""The page over the SDK's PowerShell backend (the one a real host uses: `hvemu ui --url
powershell://...`), here with `hvemu install-shim`'s `pwsh`, which runs each script on an
emulator state: the same page, built from the cmdlets' output instead of the emulator's views."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.ui.security import Guard

from .conftest import WORLD, Page, text_of


@pytest.fixture
def shim(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> str:
    state = tmp_path / "state"
    sdk.load_world(str(state), WORLD.read_text(encoding="utf-8"))
    done = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "install-shim", str(tmp_path / "bin"),
                           "--state", str(state)], capture_output=True, text=True, env=T.subprocess_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("HVEMU_STATE", str(state))  # the launcher's default (see the report on its quoting)
    monkeypatch.setenv("PYTHONPATH", T.subprocess_env()["PYTHONPATH"])
    return str(tmp_path / "bin" / "pwsh")


def test_the_page_through_the_powershell_backend(shim: str) -> None:
    hv = sdk.connect(f"powershell://localhost?exe={shim}")
    page = Page(hv, Guard())
    vm = hv.vm("SRV-WEB01")
    html = page.get(vm=vm.id)
    assert [n for n in text_of(html, "cp-name")] == ["Base install", "IIS configured", "IIS + TLS 1.3"]
    assert text_of(html, "now-label") == ["Now"]
    assert text_of(html, "created") == ["2/15/2026 2:00:00 PM"]  # no culture from the backend: en-US
    assert "Advance the virtual clock" not in html  # the backend's clock is the host's own
    rows = re.findall(r'<td class="status"[^>]*>([^<]*)</td>', html)
    assert rows == ["Operating normally"] * 3
