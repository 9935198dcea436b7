"""Progress bars: a script's Write-Progress and `hvemu guest write` on a terminal, nothing when
standard error is redirected."""

from __future__ import annotations

import io
import pathlib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli import guest, progress
from hyperv_emu.cli.main import main
from hyperv_emu.psshim.runtime.records import ProgressRecord

from .worlds import WORLD_07


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SCRIPT = ("1..3 | ForEach-Object { Write-Progress -Activity 'Copying disks' -Status \"Disk $_ of 3\" "
          "-PercentComplete ($_ * 30) -CurrentOperation \"disk$_.vhdx\" }; "
          "Write-Progress -Activity 'Copying disks' -Completed; 'done'")


@pytest.fixture
def world(tmp_path: pathlib.Path) -> str:
    path = tmp_path / "w.toml"
    path.write_text(WORLD_07, encoding="utf-8")
    return str(path)


def test_write_progress_draws_a_bar_on_a_terminal(world: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TERM", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["run", "--world", world, "-c", SCRIPT]) == 0
    assert capsys.readouterr().out == "done\n"
    drawn = terminal.getvalue()
    assert "Copying disks: Disk 2 of 3  60%|" in drawn
    assert "| disk3.vhdx" in drawn
    assert " 90%|" in drawn
    assert "Creating disk files" in drawn  # the world's files were made first


def test_write_progress_prints_nothing_when_redirected(world: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", world, "-c", SCRIPT]) == 0
    assert capsys.readouterr() == ("done\n", "")


def test_progress_preference_silently_continue_hides_the_bar(world: str, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["run", "--world", world, "-c", "$ProgressPreference = 'SilentlyContinue'; " + SCRIPT]) == 0
    assert "Copying disks" not in terminal.getvalue()


def test_record_format() -> None:
    record = ProgressRecord(1, "Merging", "SRV-APP01", current_operation="chunk {7}", percent_complete=40,
                            seconds_remaining=12)
    assert progress.record_format(record) == "Merging: SRV-APP01 {percentage:3.0f}%|{bar}| chunk {{7}}, 12 seconds remaining"
    assert progress.record_format(ProgressRecord(1, "Waiting", "Processing")) == "Waiting: Processing"


def test_completed_removes_an_activity_and_its_children() -> None:
    view = progress.ProgressView(Terminal())
    view(ProgressRecord(1, "Parent", "p", percent_complete=10))
    view(ProgressRecord(2, "Child", "c", parent_activity_id=1, percent_complete=50))
    assert set(view.bars) == {1, 2} and view.bars[2].n == 50
    view(ProgressRecord(1, "Parent", "p", completed=True))
    assert view.bars == {}


def test_guest_write_shows_a_bar_on_a_terminal_only(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setattr(guest, "CHUNK_SIZE", 64 * 1024)
    state = str(tmp_path / "s")
    sdk.load_world(state, WORLD_07)
    data = tmp_path / "d.bin"
    data.write_bytes(b"x" * (300 * 1024))
    assert main(["guest", "write", "SRV-APP01", "--file", str(data), "--state", state]) == 0
    assert capsys.readouterr() == ("", "")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["guest", "write", "SRV-APP01", "--file", str(data), "--state", state]) == 0
    assert "Writing SRV-APP01 disk 0" in terminal.getvalue() and "300k" in terminal.getvalue().lower()


def test_no_bar_on_a_dumb_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert not progress.enabled(Terminal())
    monkeypatch.delenv("TERM")
    assert progress.enabled(Terminal()) and not progress.enabled(io.StringIO())


MERGE_WORLD = """now = 2026-02-20T02:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
disks = [{ path = 'D:\\\\VMs\\\\SRV-APP01.vhdx', size = "1GB" }]
[[vm.checkpoint]]
name = "Daily"
created = 2026-02-10T02:00:00
written = "8MB"
"""


def test_init_and_clock_advance_over_a_merge_show_bars_on_a_terminal_only(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TERM", raising=False)
    world = tmp_path / "w.toml"
    world.write_text(MERGE_WORLD, encoding="utf-8")
    state = str(tmp_path / "s")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["init", "--world", str(world), "--state", state]) == 0
    assert "Creating disk files" in terminal.getvalue() and "SRV-APP01.vhdx" in terminal.getvalue()
    assert main(["checkpoint", "remove", "SRV-APP01", "--state", state]) == 0
    terminal.seek(0)
    terminal.truncate()
    assert main(["clock", "--advance", "3600", "--state", state]) == 0
    drawn = terminal.getvalue()
    assert "Merging disks" in drawn and "1/1" in drawn and ".avhdx" in drawn
    assert capsys.readouterr().out.endswith("2026-02-20T03:00:00\n")
    # redirected: the same commands print only their text
    monkeypatch.undo()
    state2 = str(tmp_path / "s2")
    assert main(["init", "--world", str(world), "--state", state2]) == 0
    assert main(["checkpoint", "remove", "SRV-APP01", "--state", state2]) == 0
    assert main(["clock", "--advance", "3600", "--state", state2]) == 0
    assert capsys.readouterr().err == ""


def test_the_sdk_reports_file_operations(tmp_path: pathlib.Path) -> None:
    told: list[tuple[str, int, int]] = []
    hv = sdk.load_world(str(tmp_path / "s"), MERGE_WORLD, progress=lambda *a: told.append(a))
    assert told[0][1:] == (0, len(told) - 1) and told[-1] == ("", len(told) - 1, len(told) - 1)
    assert any(d.endswith("SRV-APP01.vhdx") for d, _, _ in told)
    hv.vm("SRV-APP01").remove_checkpoints()
    told.clear()
    merging = sdk.connect(str(tmp_path / "s"), progress=lambda *a: told.append(a))
    merging.sleep(3600)
    assert told[0][0].startswith("merge D:\\VMs\\SRV-APP01_") and told[-1][1:] == (1, 1)


def test_script_text_and_bars_do_not_share_a_line(world: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TERM", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["run", "--world", world, "-c",
                 "Write-Progress -Activity A -Status S -PercentComplete 50; 'text'; 'more'"]) == 0
    lines = terminal.getvalue().replace("\r", "\n").splitlines()
    assert "text" in lines and "more" in lines
