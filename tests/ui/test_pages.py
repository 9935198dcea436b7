"""What the page shows (GET only): the virtual machines list, the checkpoint tree with "Now", the
details in the host culture, the disk chain and its mermaid text, the dialogs, the JSON poll."""

from __future__ import annotations

import re

import pytest

from hyperv_emu import sdk
from hyperv_emu.ui.app import parent_folder
from hyperv_emu.ui.pages import human_size, uptime_text
from hyperv_emu.ui.security import Guard

from .conftest import Page, text_of, world_text


def test_the_virtual_machines_list_has_hyper_v_managers_columns(page: Page) -> None:
    html = page.get()
    assert re.findall(r'<th scope="col">([^<]+)</th>', html)[:6] == [
        "Name", "State", "CPU Usage", "Assigned Memory", "Uptime", "Status"]
    rows = dict(zip(text_of(html, "state"), text_of(html, "status")))
    assert set(rows) == {"Off", "Running"}
    web = re.search(r'<tr data-vm="[^"]+"[^>]*>\s*<th scope="row"><a[^>]*>SRV-WEB01</a></th>(.*?)</tr>', html, re.S)
    assert web is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", web.group(1), re.S)]
    # Running, 2 GB assigned (Hyper-V Manager shows MB), Status as Get-VM's
    assert cells[0] == "Running" and cells[2] == "2048 MB" and cells[4] == "Operating normally"


def test_the_tree_nests_checkpoints_and_puts_now_under_the_current_one(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    html = page.get(vm=vm.id)
    levels = re.findall(r'class="tree-row[^"]*" style="--level: (\d)"[^>]*>.*?<span class="(?:cp-name|now-label)"[^>]*>([^<]+)<',
                        html, re.S)
    assert [(int(level), name) for level, name in levels] == [
        (1, "Base install"), (2, "IIS configured"), (3, "IIS + TLS 1.3"), (4, "Now")]
    # the current checkpoint is selected by default, with memory (standard of a running VM)
    assert text_of(html, "cp-detail-name") == ["IIS + TLS 1.3"]
    assert "Standard checkpoint with saved memory" in html


def test_now_moves_under_the_applied_checkpoint(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    page.hv.restore_checkpoint(page.cp("SRV-WEB01", "Base install"))
    html = page.get(vm=vm.id)
    levels = re.findall(r'style="--level: (\d)"[^>]*>.*?<span class="(?:cp-name|now-label)"[^>]*>([^<]+)<', html, re.S)
    assert [(int(level), name) for level, name in levels] == [
        (1, "Base install"), (2, "IIS configured"), (3, "IIS + TLS 1.3"), (2, "Now")]


def test_a_vm_without_checkpoints_shows_only_now(page: Page) -> None:
    html = page.get(vm=page.vm("SRV-APP01").id)
    assert text_of(html, "now-label") == ["Now"]
    assert "cp-name" not in html
    assert "Select a checkpoint to see its details." in html


def test_details_show_the_creation_time_in_the_host_culture_and_the_files(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.get(vm=vm.id, cp=cp.id)
    assert text_of(html, "created") == ["2/12/2026 10:30:00 AM"]  # en-US general date/time ("G")
    files = re.findall(r"<td><code>([^<]+)</code></td><td>([^<]+)</td>", html)
    avhdx = [(p, s) for p, s in files if p.endswith(".avhdx")]
    assert [p for p, _ in avhdx] == [d.path for d in cp.hard_drives]
    assert avhdx[0][1] == human_size(page.hv.get_vhd(cp.hard_drives[0].path).file_size)
    vmrs = [(p, s) for p, s in files if p.endswith(".vmrs")]
    assert vmrs and vmrs[0][0].endswith(f"\\Snapshots\\{cp.id.upper()}.vmrs")
    assert vmrs[0][1] != "not found"  # the file is on the host


def test_a_french_host_shows_french_dates(memory_url: str) -> None:
    hv = sdk.load_world(memory_url, world_text(**{'culture = "en-US"': 'culture = "fr-FR"'}))
    page = Page(hv, Guard())
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.get(vm=page.vm("SRV-WEB01").id, cp=cp.id)
    assert text_of(html, "created") == ["12/02/2026 10:30:00"]


def test_the_disk_chain_runs_from_the_base_disk_to_the_file_in_use(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    html = page.get(vm=vm.id)
    chain = re.findall(r'<li><code>([^<]+)</code> <span class="size">', html)
    assert chain[0].endswith("SRV-WEB01.vhdx") and chain[-1] == vm.hard_drives[0].path
    assert len(chain) == 4  # base + three checkpoints' differencing disks + the VM's own
    for child, parent in zip(chain[1:], chain):
        assert page.hv.get_vhd(child).parent_path == parent
    mermaid = re.search(r'<pre id="mermaid-text">(.*?)</pre>', html, re.S)
    assert mermaid is not None
    text = mermaid.group(1)
    assert text.startswith("flowchart LR") and text.count("--&gt;") == 3
    assert "Copy as mermaid" in html


@pytest.mark.parametrize("dialog, words", [
    ("apply", ["Apply Checkpoint", "Create Checkpoint and Apply", ">Apply<", ">Cancel<"]),
    ("revert", ["Revert Virtual Machine", "Create Checkpoint and Apply", ">Apply<", ">Cancel<"]),
    ("delete", ["Delete Selected Checkpoint", ">Delete<", ">Cancel<"]),
    ("delete-subtree", ["Delete Checkpoint Subtree", "all of its subsequent checkpoints", ">Delete<"]),
    ("rename", ['maxlength="100"', "less than 100 characters and cannot be empty"]),
    ("export", ["Export Virtual Machine", "Location:", ">Export<"]),
    ("turn-off", ["Turn Off Machine", "Do you want to turn off the virtual machine?", ">Turn Off<", ">Cancel<"]),
    ("shut-down", ["Shut Down Machine", ">Shut Down<", ">Cancel<"]),
])
def test_a_dialog_opens_on_get_and_changes_nothing(page: Page, dialog: str, words: list[str]) -> None:
    before = sdk.export_world(page.hv.backend.url)
    vm = page.vm("SRV-WEB01")
    html = page.get(vm=vm.id, cp=page.cp("SRV-WEB01", "IIS configured").id, dialog=dialog)
    for word in words:
        assert word in html
    assert html.count('role="dialog"') == (0 if dialog == "rename" else 1)
    assert sdk.export_world(page.hv.backend.url) == before


def test_the_export_picker_lists_the_hosts_folders(page: Page) -> None:
    vm = page.vm("SRV-WEB01")
    cp = page.cp("SRV-WEB01", "IIS configured")
    html = page.get(vm=vm.id, cp=cp.id, dialog="export", path="D:\\Hyper-V")
    listed = re.findall(r'<li><a href="[^"]*">([^<]+)</a></li>', html)
    expected = sorted(f.name for f in page.hv.list_dir("D:\\Hyper-V") if f.is_dir)
    assert expected and listed == expected
    assert 'aria-label="Up to D:\\"' in html


def test_the_poll_gives_every_vms_status(page: Page) -> None:
    r = page.http.get("/api/vms")
    assert r.status_code == 200
    data = r.json()
    assert {v["name"]: v["status"] for v in data["vms"]} == {
        "R&D 'lab'": "Operating normally", "SRV-APP01": "Operating normally", "SRV-WEB01": "Operating normally"}
    assert data["merging"] is False


def test_virtual_clock_controls_are_shown_on_a_virtual_clock(page: Page) -> None:
    html = page.get()
    for label in ("1 minute", "1 hour", "1 day"):
        assert f'aria-label="Advance the virtual clock by {label}"' in html
    assert "2/20/2026 8:00:00 AM" in html


@pytest.mark.parametrize("seconds, text", [(0, ""), (59, "00:00:59"), (3723, "01:02:03"), (90061, "1.01:01:01")])
def test_uptime_is_a_timespan(seconds: int, text: str) -> None:
    import datetime as dt

    assert uptime_text(dt.timedelta(seconds=seconds)) == text


@pytest.mark.parametrize("path, parent", [("D:\\Hyper-V\\Exports", "D:\\Hyper-V"), ("D:\\Hyper-V", "D:\\"),
                                          ("D:\\", None), ("D:\\a\\", "D:\\")])
def test_parent_folder(path: str, parent: str | None) -> None:
    assert parent_folder(path) == parent


@pytest.mark.parametrize("size, text", [(0, "0 B"), (1023, "1023 B"), (4 * 1024**2, "4 MB"),
                                        (int(1.5 * 1024**3), "1.5 GB")])
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_several_hosts_each_with_their_vms(memory_url: str) -> None:
    text = world_text() + '\n[[host]]\nname = "HV-HOST02"\n\n[[vm]]\nname = "SRV-DB01"\nhost = "HV-HOST02"\nstate = "Off"\n'
    hv = sdk.load_world(memory_url, text)
    page = Page(hv, Guard())
    page.state.hosts = [hv, hv.host("HV-HOST02")]
    html = page.get()
    titles = re.findall(r"<h2 id=\"vms-title-\d\">Virtual Machines — ([^<]+)</h2>", html)
    assert titles == ["HV-HOST01", "HV-HOST02"]
    second = page.get(host="1")
    assert "Checkpoints — SRV-DB01" in second
    db = hv.host("HV-HOST02").vm("SRV-DB01")
    page.post("checkpoint", host="1", vm=db.id)
    assert [c.vm_name for c in hv.host("HV-HOST02").get_checkpoints()] == ["SRV-DB01"]
    assert [v["host"] for v in page.http.get("/api/vms").json()["vms"]].count("HV-HOST02") == 1


def test_a_host_that_cannot_be_read_is_a_message_not_a_traceback(page: Page) -> None:
    sdk.delete_state(page.hv.backend.url)  # the state disappears under the running page
    r = page.http.get("/")
    assert r.status_code == 503
    assert "The host cannot be read now." in r.text and "Traceback" not in r.text
    assert re.search(r'class="message-text">[^<]*state', r.text)
    poll = page.http.get("/api/vms")
    assert poll.status_code == 503 and "state" in poll.json()["error"]


def test_a_state_without_vms(memory_url: str) -> None:
    hv = sdk.load_world(memory_url, 'now = 2026-02-20T08:00:00\n[[host]]\nname = "HV-HOST01"\ndefault = true\n')
    html = Page(hv, Guard()).get(dialog="turn-off")
    assert "No virtual machines were found on this server." in html and 'role="dialog"' not in html
