"""Write-Progress: each call is a ProgressRecord for the host (which may draw it); nothing is
written to the output streams, and $ProgressPreference / -ProgressAction hide it."""

from __future__ import annotations

import datetime as dt

from hyperv_emu.psshim.runtime.host import Host
from hyperv_emu.psshim.runtime.records import ProgressRecord
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock


def run(text: str, edition: str = "5.1") -> tuple[list[ProgressRecord], str, str, list[tuple[str, str]]]:
    records: list[ProgressRecord] = []
    out: list[str] = []
    err: list[str] = []
    streams: list[tuple[str, str]] = []
    host = Host(out.append, err.append, write_stream=lambda kind, text: streams.append((kind, text)),
                progress=records.append)
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8)), files=MemoryFileView({}))
    Runspace(services, RunSettings(edition=edition), host).run_script(text, "C:\\t\\p.ps1")
    return records, "".join(out), "".join(err), streams


def test_each_call_is_a_record_for_the_host() -> None:
    records, out, err, _ = run(
        "Write-Progress -Activity 'Merging' -Status 'SRV-APP01' -PercentComplete 40 -SecondsRemaining 12 "
        "-CurrentOperation 'block 7' -Id 3 -ParentId 1\n"
        "Write-Progress 'Merging' -Id 3 -Completed\n"
        "'done'")
    assert (out, err) == ("done\n", "")
    assert records == [
        ProgressRecord(3, "Merging", "SRV-APP01", current_operation="block 7", parent_activity_id=1,
                       percent_complete=40, seconds_remaining=12),
        ProgressRecord(3, "Merging", "Processing", completed=True),
    ]


def test_positional_activity_status_and_id_and_the_default_status() -> None:
    records = run("Write-Progress Copying 'File 1' 2; Write-Progress Waiting")[0]
    assert records == [ProgressRecord(2, "Copying", "File 1"), ProgressRecord(0, "Waiting", "Processing")]


def test_progress_preference_hides_the_records() -> None:
    assert run("$ProgressPreference = 'SilentlyContinue'; Write-Progress -Activity a")[0] == []
    assert run("$ProgressPreference = 'Ignore'; Write-Progress -Activity a")[0] == []
    assert len(run("$ProgressPreference = 'SilentlyContinue'; Write-Progress -Activity a -ProgressAction Continue",
                   edition="7")[0]) == 1


def test_warning_verbose_and_debug_lines_go_to_the_stream_callback() -> None:
    _, out, _, streams = run("Write-Warning 'w'; Write-Verbose 'v' -Verbose; $DebugPreference = 'Continue'; Write-Debug 'd'; "
                             "Write-Information 'i' -InformationAction Continue; 'o'")
    assert out == "o\n"
    assert streams == [("warning", "WARNING: w\n"), ("verbose", "VERBOSE: v\n"), ("debug", "DEBUG: d\n"),
                       ("information", "i\n")]


def test_without_callbacks_the_lines_go_to_standard_output_and_progress_is_dropped() -> None:
    out: list[str] = []
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8)), files=MemoryFileView({}))
    Runspace(services, RunSettings(), Host(out.append, out.append)).run_script(
        "Write-Progress -Activity a -PercentComplete 5; Write-Warning 'w'", "C:\\t\\p.ps1")
    assert "".join(out) == "WARNING: w\n"
