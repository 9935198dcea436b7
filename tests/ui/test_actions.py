"""The page's actions (POST forms), each checked on the page and in the state through the SDK."""

from __future__ import annotations

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk import VMState

from .conftest import Page, text_of


def _names(page: Page, vm: str) -> list[str]:
    return [c.name for c in page.hv.get_checkpoints(page.vm(vm))]


def test_checkpoint_uses_hyper_vs_default_name(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    html = page.post("checkpoint", vm=vm.id)
    # Hyper-V's default name: `<VM> - (<short date> - <long time>)` in the host culture (en-US)
    expected = "SRV-WEB01 - (2/20/2026 - 8:00:00 AM)"
    assert _names(page, "SRV-WEB01")[-1] == expected
    assert f"Checkpoint &#39;{expected}&#39; created." in html or f"Checkpoint '{expected}' created." in html
    assert text_of(html, "cp-detail-name") == [expected]
    assert page.vm("SRV-WEB01").parent_snapshot_name == expected


def test_a_production_checkpoint_shows_hyper_v_managers_window(page: Page) -> None:
    vm = page.vm("SRV-APP01")
    html = page.post("checkpoint", vm=vm.id)
    assert "Production Checkpoint Created" in html and ">OK<" in html
    assert len(_names(page, "SRV-APP01")) == 1
    assert page.hv.get_checkpoints(vm)[0].state is VMState.Off  # no memory: a production checkpoint


def test_a_production_checkpoint_that_falls_back_says_so(memory_url: str) -> None:
    from hyperv_emu.ui.security import Guard

    from .conftest import world_text

    text = world_text(**{'checkpoint_type = "Production"\nmemory = "4GB"':
                         'checkpoint_type = "Production"\nguest_vss = "failing"\nmemory = "4GB"'})
    hv = sdk.load_world(memory_url, text)
    page = Page(hv, Guard())
    vm = page.vm("SRV-APP01")
    html = page.post("checkpoint", vm=vm.id)
    # a standard checkpoint, with memory, instead (Microsoft's user guide: "if the production
    # checkpoint fails a standard checkpoint is being created"); the host logged why
    assert [c.state for c in hv.get_checkpoints(vm)] == [VMState.Saved]
    event = [e for e in hv.events() if e.vm_id == vm.id][-1]
    assert "Standard Checkpoint Created" in html
    assert text_of(html, "message-text") == [event.message]
    assert "Production Checkpoint Created" not in html


def test_apply_with_create_checkpoint_and_apply(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "Base install")
    before = _names(page, "SRV-WEB01")
    html = page.post("apply", vm=cp.vm_id, cp=cp.id, choice="create")
    after = _names(page, "SRV-WEB01")
    assert after[:3] == before and len(after) == 4  # one new checkpoint of the state before
    new = page.hv.get_checkpoints(page.vm("SRV-WEB01"))[-1]
    assert new.parent_snapshot_name == "IIS + TLS 1.3"
    assert page.vm("SRV-WEB01").parent_snapshot_id == cp.id
    assert "applied" in html and text_of(html, "cp-detail-name") == ["Base install"]


def test_apply_alone_creates_nothing(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    page.post("apply", vm=cp.vm_id, cp=cp.id, choice="apply")
    assert len(_names(page, "SRV-WEB01")) == 3
    vm = page.vm("SRV-WEB01")
    assert vm.parent_snapshot_id == cp.id and vm.state is VMState.Running  # a standard checkpoint's memory


def test_rename(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.post("rename", vm=cp.vm_id, cp=cp.id, new_name="Before TLS")
    assert page.hv.get_checkpoint(cp.id).name == "Before TLS"
    assert "Before TLS" in text_of(html, "cp-name")


@pytest.mark.parametrize("new_name", ["x" * 101, ""])
def test_rename_refused_shows_the_cmdlets_message(page: Page, new_name: str) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    with pytest.raises(sdk.HyperVError) as refused:  # what Rename-VMSnapshot says
        page.hv.rename_checkpoint(cp, new_name)
    html = page.post("rename", vm=cp.vm_id, cp=cp.id, new_name=new_name)
    assert page.hv.get_checkpoint(cp.id).name == "IIS configured"
    assert 'role="alertdialog"' in html
    assert text_of(html, "message-heading") == ["An error occurred while attempting to rename the checkpoint."]
    assert text_of(html, "message-text") == [refused.value.message]


def test_a_100_character_name_is_accepted(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    page.post("rename", vm=cp.vm_id, cp=cp.id, new_name="y" * 100)
    assert page.hv.get_checkpoint(cp.id).name == "y" * 100


def test_delete_merges_and_the_status_shows_the_merge_until_the_clock_moves(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.post("delete", vm=cp.vm_id, cp=cp.id)
    assert _names(page, "SRV-WEB01") == ["Base install", "IIS + TLS 1.3"]
    vm = page.vm("SRV-WEB01")
    assert vm.status == "Merging disks"
    assert "Merging disks (0%)" in text_of(html, "status")
    assert 'data-merging="true"' in html
    html = page.post("clock", vm=vm.id, seconds="60")  # 60MB at 1MB a second: done after a minute
    assert page.vm("SRV-WEB01").status == "Operating normally"
    assert "Merging" not in " ".join(text_of(html, "status"))


def test_the_merge_percentage_follows_the_clock(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    page.post("delete", vm=cp.vm_id, cp=cp.id)
    page.hv.sleep(30)  # half of the 60 s merge
    rows = {v["name"]: v for v in page.http.get("/api/vms").json()["vms"]}
    assert rows["SRV-WEB01"]["status"] == "Merging disks (50%)" and rows["SRV-WEB01"]["merging"] is True


def test_delete_subtree(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    page.post("delete-subtree", vm=cp.vm_id, cp=cp.id)
    assert _names(page, "SRV-WEB01") == ["Base install"]


def test_export_writes_the_checkpoint_under_the_chosen_folder(page: Page) -> None:
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.post("export", vm=cp.vm_id, cp=cp.id, path="D:\\Exports")
    names = [f.name for f in page.hv.list_dir("D:\\Exports")]
    assert names == ["SRV-WEB01"]
    assert "exported to" in html


@pytest.mark.parametrize("action, start, end", [
    ("turn-off", VMState.Running, VMState.Off),
    ("save", VMState.Running, VMState.Saved),
    ("pause", VMState.Running, VMState.Paused),
])
def test_vm_actions(page: Page, action: str, start: VMState, end: VMState) -> None:
    vm = page.vm("SRV-APP01")
    assert vm.state is start
    page.post(action, vm=vm.id)
    assert page.vm("SRV-APP01").state is end


def test_start_and_resume(page: Page) -> None:
    off = page.vm("R&D 'lab'")
    page.post("start", vm=off.id)
    assert page.vm("R&D 'lab'").state is VMState.Running
    page.hv.suspend_vm(off)
    page.post("resume", vm=off.id)
    assert page.vm("R&D 'lab'").state is VMState.Running


def test_an_action_the_vm_refuses_shows_the_cmdlets_message(page: Page) -> None:
    off = page.vm("R&D 'lab'")
    with pytest.raises(sdk.HyperVError) as refused:  # what Suspend-VM says of an Off VM
        page.hv.suspend_vm(off)
    html = page.post("pause", vm=off.id)
    assert text_of(html, "message-text") == [refused.value.message]
    assert page.vm("R&D 'lab'").state is VMState.Off


def test_the_actions_pane_offers_what_the_vms_state_allows(page: Page) -> None:
    running = page.get(vm=page.vm("SRV-APP01").id)
    off = page.get(vm=page.vm("R&D 'lab'").id)
    actions = lambda html: sorted(set(__import__("re").findall(r'data-action="([a-z-]+)"', html)))  # noqa: E731
    assert actions(running) == ["checkpoint", "pause", "save", "shut-down", "turn-off"]
    assert actions(off) == ["checkpoint", "revert", "start"]  # it hangs from its checkpoint


def test_revert_applies_the_checkpoint_the_vm_hangs_from(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    html = page.get(vm=vm.id)
    link = __import__("re").search(r'href="([^"]+)" data-action="revert"', html)
    assert link is not None
    dialog = page.http.get(link.group(1).replace("&amp;", "&")).text
    assert "Revert Virtual Machine" in dialog and text_of(dialog, "subject") == ["IIS + TLS 1.3"]
    page.post("apply", vm=vm.id, cp=vm.parent_snapshot_id or "", choice="apply")
    assert page.vm("SRV-WEB01").parent_snapshot_name == "IIS + TLS 1.3" and len(_names(page, "SRV-WEB01")) == 3
