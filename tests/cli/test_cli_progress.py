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


def test_write_progress_prints_nothing_when_redirected(world: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--world", world, "-c", SCRIPT]) == 0
    assert capsys.readouterr() == ("done\n", "")


def test_progress_preference_silently_continue_hides_the_bar(world: str, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["run", "--world", world, "-c", "$ProgressPreference = 'SilentlyContinue'; " + SCRIPT]) == 0
    assert terminal.getvalue() == ""


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
