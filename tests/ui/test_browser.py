"""The page in a real browser: headless Chromium (the system's package, `apt-get install
chromium`; .ci/run installs it) driven by Playwright's Python API, against a real `hvemu ui`
process over a state on disk, which the tests read back through the SDK.

Every walkthrough of the guides (create, apply with "Create Checkpoint and Apply", rename, delete
a subtree, export, a merge's Status until "Operating normally") is checked on the page and in the
state. Screenshots of the main views go to `test-artifacts/ui/` at the repository's root
(ignored by git). Skipped, with the reason, only where Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no Chromium on this machine (apt-get install chromium; .ci/run installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python API is not installed "
                               "(pip install -e '.[test]')")

WORLD = T.TESTS / "ui" / "world.toml"
# $HVEMU_TEST_ARTIFACTS lets CI keep them elsewhere (the clone .ci/run tests in is removed).
ARTIFACTS = pathlib.Path(os.environ.get("HVEMU_TEST_ARTIFACTS") or T.REPO_ROOT / "test-artifacts") / "ui"


class Server:
    """`hvemu ui --world tests/ui/world.toml --state DIR --port 0` in a process of its own."""

    def __init__(self, state: pathlib.Path) -> None:
        self.state = str(state)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hyperv_emu.cli", "ui", "--world", str(WORLD), "--state", self.state,
             "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=T.subprocess_env())
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match is None:
            self.proc.kill()
            raise AssertionError(f"hvemu ui did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}")
        self.url = match.group(1)

    @property
    def hv(self) -> sdk.HyperVClient:
        return sdk.connect(self.state)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path: pathlib.Path) -> Iterator[Server]:
    s = Server(tmp_path / "state")
    yield s
    s.stop()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.goto(server.url)
    yield pg
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_vm(page: Any, name: str) -> None:
    page.locator(".vm-table").get_by_role("link", name=name, exact=True).click()
    sync_api.expect(page.locator("#checkpoints-title")).to_contain_text(name)


def select_checkpoint(page: Any, name: str) -> None:
    page.locator("a.tree-row", has_text=name).first.click()
    sync_api.expect(page.locator(".cp-detail-name")).to_have_text(name)


def names(server: Server, vm: str) -> list[str]:
    hv = server.hv
    return [c.name for c in hv.get_checkpoints(hv.vm(vm))]


def tree_names(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".tree .cp-name, .tree .now-label").all_inner_texts()]


def test_the_main_view(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    assert tree_names(page) == ["Base install", "IIS configured", "IIS + TLS 1.3", "Now"]
    # "Now" is drawn one level under the current checkpoint
    levels = page.locator(".tree .tree-row").evaluate_all("rows => rows.map(r => r.style.getPropertyValue('--level'))")
    assert [int(x) for x in levels] == [1, 2, 3, 4]
    sync_api.expect(page.locator(".created")).to_have_text("2/15/2026 2:00:00 PM")
    shot(page, "main")


def test_create_a_checkpoint(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    page.get_by_role("button", name="Checkpoint", exact=True).click()
    expected = "SRV-WEB01 - (2/20/2026 - 8:00:00 AM)"
    sync_api.expect(page.locator(".cp-detail-name")).to_have_text(expected)
    assert tree_names(page)[-2:] == [expected, "Now"]
    assert names(server, "SRV-WEB01")[-1] == expected


def test_apply_with_create_checkpoint_and_apply(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "Base install")
    page.get_by_role("link", name="Apply...").click()
    dialog = page.get_by_role("dialog")
    sync_api.expect(dialog).to_contain_text("Apply Checkpoint")
    for button in ("Create Checkpoint and Apply", "Apply"):
        sync_api.expect(dialog.get_by_role("button", name=button, exact=True)).to_be_visible()
    sync_api.expect(dialog.get_by_role("link", name="Cancel")).to_be_visible()
    shot(page, "apply-dialog")
    dialog.get_by_role("button", name="Create Checkpoint and Apply").click()
    sync_api.expect(page.locator(".notice")).to_contain_text("applied")
    hv = server.hv
    vm = hv.vm("SRV-WEB01")
    assert vm.parent_snapshot_name == "Base install"
    assert len(names(server, "SRV-WEB01")) == 4
    # "Now" now hangs from Base install: right after its subtree, one level under it
    items = tree_names(page)
    assert items[-1] == "Now" or items.index("Now") > 0
    now_level = page.locator(".tree .now-row").evaluate("r => r.style.getPropertyValue('--level')")
    assert int(now_level) == 2


def test_cancel_changes_nothing(page: Any, server: Server) -> None:
    before = sdk.export_world(server.state)
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "Base install")
    page.get_by_role("link", name="Delete Checkpoint Subtree...").click()
    page.get_by_role("dialog").get_by_role("link", name="Cancel").click()
    sync_api.expect(page.get_by_role("dialog")).to_have_count(0)
    assert sdk.export_world(server.state) == before


def test_rename_inline(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "IIS configured")
    page.get_by_role("link", name="Rename...").click()
    box = page.get_by_role("textbox", name="New name for the checkpoint")
    sync_api.expect(box).to_be_focused()
    assert box.get_attribute("maxlength") == "100"
    box.fill("Before TLS 1.3")
    box.press("Enter")
    sync_api.expect(page.locator(".cp-detail-name")).to_have_text("Before TLS 1.3")
    assert names(server, "SRV-WEB01") == ["Base install", "Before TLS 1.3", "IIS + TLS 1.3"]


def test_delete_checkpoint_subtree(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "IIS configured")
    page.get_by_role("link", name="Delete Checkpoint Subtree...").click()
    dialog = page.get_by_role("dialog")
    sync_api.expect(dialog).to_contain_text(
        "Are you sure you want to delete the selected checkpoint and all of its subsequent checkpoints?")
    shot(page, "delete-subtree-dialog")
    dialog.get_by_role("button", name="Delete").click()
    sync_api.expect(page.locator(".notice")).to_contain_text("deleted")
    assert names(server, "SRV-WEB01") == ["Base install"]
    assert tree_names(page) == ["Base install", "Now"]


def test_export_with_the_folder_picker(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "Base install")
    page.get_by_role("link", name="Export...").click()
    picker = page.get_by_role("navigation", name="Folders of the host")
    sync_api.expect(page.locator(".browse-path")).to_have_text(server.hv.get_vm_host().virtual_machine_path)
    picker.get_by_role("link", name="Drive D:\\").click()
    sync_api.expect(page.locator(".browse-path")).to_have_text("D:\\")
    page.get_by_role("navigation", name="Folders of the host").get_by_role("link", name="Hyper-V", exact=True).click()
    sync_api.expect(page.locator(".browse-path")).to_have_text("D:\\Hyper-V")
    shot(page, "export-dialog")
    location = page.get_by_role("textbox", name="Location:")
    sync_api.expect(location).to_have_value("D:\\Hyper-V")
    location.fill("D:\\Hyper-V\\Exports")
    page.get_by_role("dialog").get_by_role("button", name="Export").click()
    sync_api.expect(page.locator(".notice")).to_contain_text("exported to")
    assert [f.name for f in server.hv.list_dir("D:\\Hyper-V\\Exports")] == ["SRV-WEB01"]


def test_a_merge_status_until_operating_normally(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "IIS configured")
    page.get_by_role("link", name="Delete Checkpoint...", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    status = page.locator('tr:has(a:text-is("SRV-WEB01")) .status')
    sync_api.expect(status).to_have_text("Merging disks (0%)")
    assert server.hv.vm("SRV-WEB01").status == "Merging disks"
    shot(page, "merging")
    # 60MB at 1MB per virtual second: half-way after 30 s (the page polls while a merge runs)
    server.hv.sleep(30)
    sync_api.expect(status).to_have_text("Merging disks (50%)")
    page.get_by_role("button", name="Advance the virtual clock by 1 minute").click()
    sync_api.expect(status).to_have_text("Operating normally")
    assert server.hv.vm("SRV-WEB01").status == "Operating normally"


def test_vm_actions_and_an_error_as_hyper_v_manager_shows_it(page: Any, server: Server) -> None:
    open_vm(page, "SRV-APP01")
    page.get_by_role("button", name="Pause", exact=True).click()
    sync_api.expect(page.locator('tr:has(a:text-is("SRV-APP01")) .state')).to_have_text("Paused")
    page.get_by_role("button", name="Resume", exact=True).click()
    sync_api.expect(page.locator('tr:has(a:text-is("SRV-APP01")) .state')).to_have_text("Running")
    page.get_by_role("link", name="Turn Off...", exact=True).click()
    sync_api.expect(page.get_by_role("dialog")).to_contain_text("Do you want to turn off the virtual machine?")
    page.get_by_role("dialog").get_by_role("button", name="Turn Off", exact=True).click()
    sync_api.expect(page.locator('tr:has(a:text-is("SRV-APP01")) .state')).to_have_text("Off")
    assert str(server.hv.vm("SRV-APP01").state) == "Off"
    # a name over 100 characters: Rename-VMSnapshot's refusal, in an alert
    page.get_by_role("button", name="Checkpoint", exact=True).click()
    page.get_by_role("link", name="OK").click()
    page.get_by_role("link", name="Rename...").click()
    box = page.get_by_role("textbox", name="New name for the checkpoint")
    box.evaluate("b => b.removeAttribute('maxlength')")  # the server applies the rule, not only the form
    box.fill("z" * 101)
    box.press("Enter")
    alert = page.get_by_role("alertdialog")
    sync_api.expect(alert).to_contain_text("An error occurred while attempting to rename the checkpoint.")
    cp = server.hv.get_checkpoints(server.hv.vm("SRV-APP01"))[0]
    with pytest.raises(sdk.HyperVError) as refused:
        server.hv.rename_checkpoint(cp, "z" * 101)
    sync_api.expect(alert.locator(".message-text")).to_have_text(refused.value.message)
    shot(page, "error")


def test_copy_as_mermaid(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    page.get_by_role("button", name="Copy as mermaid").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#mermaid-text").text_content()
    assert copied.startswith("flowchart LR") and copied.count("-->") == 3


def test_hostile_names_stay_text(page: Any, server: Server) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_vm(page, "R&D 'lab'")
    name = "<script>alert('cp')</script> & <b>bold</b>"
    assert tree_names(page) == [name, "Now"]
    assert page.locator(".tree b").count() == 0 and dialogs == []


def test_every_control_has_a_name_and_the_keyboard_reaches_the_tree(page: Any, server: Server) -> None:
    open_vm(page, "SRV-WEB01")
    select_checkpoint(page, "IIS configured")
    page.get_by_role("link", name="Apply...").click()
    snapshot = page.locator("body").aria_snapshot()
    unnamed = [line for line in snapshot.splitlines()
               if re.match(r'\s*- (button|link|textbox|checkbox|combobox|img)\s*(\[.*\])?:?$', line)]
    assert unnamed == [], unnamed
    # the dialog is all there is while it is open: the page behind it is inert
    assert 'button "Create Checkpoint and Apply"' in page.get_by_role("dialog").aria_snapshot()
    assert page.locator("main").get_attribute("inert") is not None
    sync_api.expect(page.get_by_role("button", name="Create Checkpoint and Apply")).to_be_focused()
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('.dialog')")
    page.keyboard.press("Escape")  # closes the dialog, as Cancel
    sync_api.expect(page.get_by_role("dialog")).to_have_count(0)
    snapshot = page.locator("body").aria_snapshot()
    unnamed = [line for line in snapshot.splitlines()
               if re.match(r'\s*- (button|link|textbox|checkbox|combobox|img)\s*(\[.*\])?:?$', line)]
    assert unnamed == [], unnamed
    assert '- navigation "Checkpoint tree of SRV-WEB01"' in snapshot
    assert 'img "Standard checkpoint with saved memory"' in snapshot
    # keyboard: the first Tab reaches the skip link, which leads to the tree; arrows move in it
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the checkpoints"
    first = page.locator("a.tree-row").first
    first.focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.cp") == page.locator("a.tree-row").nth(1).get_attribute("data-cp")
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.textContent").strip() == "IIS + TLS 1.3"
    page.keyboard.press("Enter")
    sync_api.expect(page.locator(".cp-detail-name")).to_have_text("IIS + TLS 1.3")
