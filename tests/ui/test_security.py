"""The page's protections: POST only, the CSRF token, the Origin check, loopback Host headers,
HTTP Basic with --password-env, escaped names; and `hvemu ui`'s refusals of unsafe options."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.ui.app import UIState, build_app
from hyperv_emu.ui.security import Guard, host_allowed, is_loopback

from .conftest import BASE, Page


def _state_of(page: Page) -> str:
    return sdk.export_world(page.hv.backend.url)


def test_no_action_on_a_get(page: Page) -> None:
    before = _state_of(page)
    vm = page.vm("SRV-APP01")
    r = page.http.get(f"/action/turn-off?vm={vm.id}&csrf={page.guard.csrf_token}")
    assert r.status_code == 405
    assert _state_of(page) == before


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_an_action_without_the_pages_token_is_refused(page: Page, token: str | None) -> None:
    before = _state_of(page)
    form = {"vm": page.vm("SRV-APP01").id}
    if token is not None:
        form["csrf"] = token
    r = page.http.post("/action/turn-off", data=form)
    assert r.status_code == 403 and "security token" in r.text
    assert _state_of(page) == before


def test_an_action_from_another_site_is_refused(page: Page) -> None:
    before = _state_of(page)
    r = page.http.post("/action/turn-off", data={"vm": page.vm("SRV-APP01").id, "csrf": page.guard.csrf_token},
                       headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert _state_of(page) == before
    ok = page.http.post("/action/turn-off", data={"vm": page.vm("SRV-APP01").id, "csrf": page.guard.csrf_token},
                        headers={"Origin": BASE})
    assert ok.status_code == 303


def test_the_token_is_in_every_form_of_the_page(page: Page) -> None:
    html = page.get(vm=page.vm("SRV-WEB01").id, dialog="apply", cp=page.cp("SRV-WEB01", "Base install").id)
    forms = html.count("<form")
    assert forms >= 5 and html.count(f'name="csrf" value="{page.guard.csrf_token}"') == forms


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1:8765", True), ("localhost:8765", True), ("[::1]:8765", True), ("localhost", True),
    ("evil.example:8765", False), ("127.0.0.1.evil.example", False), ("", False),
])
def test_loopback_host_headers(page: Page, host: str, allowed: bool) -> None:
    assert host_allowed(host) is allowed
    r = page.http.get("/", headers={"Host": host})
    assert (r.status_code == 200) is allowed
    if not allowed:
        assert r.status_code == 400


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                               ("0.0.0.0", False), ("192.168.1.20", False), ("example.org", False)])
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_http_basic_when_a_password_is_set(memory_url: str) -> None:
    from .conftest import world_text

    hv = sdk.load_world(memory_url, world_text())
    guard = Guard(user="admin", password="S3cret!", loopback_only=False)
    http = TestClient(build_app(UIState([hv], guard)), base_url="http://192.0.2.10:8765")
    r = http.get("/")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic ")
    assert http.get("/", headers={"Authorization": _basic("admin", "wrong")}).status_code == 401
    assert http.get("/", headers={"Authorization": _basic("other", "S3cret!")}).status_code == 401
    assert http.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert http.get("/", headers={"Authorization": _basic("admin", "S3cret!")}).status_code == 200
    assert http.get("/api/vms").status_code == 401
    assert http.get("/static/ui.css").status_code == 401


def test_hostile_names_are_escaped(page: Page) -> None:
    vm = page.vm("R&D 'lab'")
    cp = page.hv.get_checkpoints(vm)[0]
    html = page.get(vm=vm.id, cp=cp.id, dialog="delete")
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;cp&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "R&amp;D &#39;lab&#39;" in html
    # and a name given by the page's own rename form
    page.post("rename", vm=vm.id, cp=cp.id, new_name='"><img src=x onerror=alert(1)>')
    html = page.get(vm=vm.id, cp=cp.id, dialog="rename")
    assert "<img src=x" not in html and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("action, form, status", [
    ("no-such-action", {}, 400),
    ("clock", {"seconds": "7"}, 400),
    ("apply", {"choice": "sideways"}, 400),
    ("rename", {}, 400),
])
def test_malformed_forms_are_400(page: Page, action: str, form: dict[str, str], status: int) -> None:
    cp = page.cp("SRV-WEB01", "Base install")
    data = {"csrf": page.guard.csrf_token, "vm": cp.vm_id, "cp": cp.id, **form}
    r = page.http.post(f"/action/{action}", data=data)
    assert r.status_code == status and "Traceback" not in r.text


def test_an_unknown_vm_or_checkpoint_is_the_cmdlets_error(page: Page) -> None:
    html = page.post("checkpoint", vm="00000000-0000-0000-0000-000000000000")
    assert 'role="alertdialog"' in html
    r = page.http.get("/?vm=nonsense&cp=nonsense&host=99&dialog=bogus")
    assert r.status_code == 200


def _hvemu(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "ui", *args], capture_output=True, text=True,
                          env=T.subprocess_env(**env), timeout=120)


@pytest.mark.parametrize("args, env, message", [
    (["--host", "0.0.0.0"], {}, "--host 0.0.0.0 serves the page to other computers: give --password-env VAR"),
    (["--user", "admin"], {}, "--user needs --password-env VAR"),
    (["--password-env", "HVEMU_UI_TEST_UNSET"], {}, "the environment variable 'HVEMU_UI_TEST_UNSET' is not set"),
])
def test_the_command_refuses_unsafe_options(args: list[str], env: dict[str, str], message: str,
                                            tmp_path: object) -> None:
    world = str(T.TESTS / "ui" / "world.toml")
    done = _hvemu("--world", world, *args, **env)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_every_answer_forbids_framing_and_foreign_scripts(page: Page) -> None:
    for path in ("/", "/api/vms", "/static/ui.js"):
        headers = page.http.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    r = page.http.post("/action/start", data={"csrf": page.guard.csrf_token, "vm": page.vm("R&D 'lab'").id})
    assert r.status_code == 303 and r.headers["x-frame-options"] == "DENY"


def test_the_command_serves_http_basic_with_password_env(tmp_path: object) -> None:
    import re
    import urllib.error
    import urllib.request

    world = str(T.TESTS / "ui" / "world.toml")
    proc = subprocess.Popen([sys.executable, "-m", "hyperv_emu.cli", "ui", "--world", world, "--port", "0",
                             "--password-env", "HVEMU_UI_TEST_PW", "--user", "ops"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=T.subprocess_env(HVEMU_UI_TEST_PW="S3cret!"))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "HTTP Basic" in line, line
        url = re.search(r"http://\S+/", line)
        assert url is not None
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url.group(0), timeout=30)
        assert refused.value.code == 401
        request = urllib.request.Request(url.group(0), headers={"Authorization": _basic("ops", "S3cret!")})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200 and "SRV-WEB01" in answer.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
