"""psshim.launch: a powershell.exe / pwsh command line run as a new process (what Start-Process,
and later the server's drop-ins and scheduled tasks, use)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.commandline import encode_command
from hyperv_emu.psshim.host_services import SdkFileView, SdkServices
from hyperv_emu.psshim.launch import launch
from hyperv_emu.psshim.runtime.runner import RunSettings
from hyperv_emu.sdk import delete_state, load_world

JOB = "param([string]$VMName, [switch]$Force)\n\"job $VMName force=$Force at $((Get-Location).Path)\"\nexit 5\n"


@pytest.fixture
def services() -> Iterator[SdkServices]:
    url = f"memory://ps12-launch/{uuid.uuid4().hex}"
    client = load_world(url, "now = 2026-02-20T08:00:00\n", "<world>")
    s = SdkServices(client, {"COMPUTERNAME": "HV-HOST01", "USERNAME": "Administrator"})
    s.files = SdkFileView(client)
    s.files.make_dir("C:\\Scripts")
    s.files.write_text("C:\\Scripts\\job.ps1", JOB)
    yield s
    delete_state(url)


def go(services: SdkServices, args: list[str], edition: str = "5.1", **kw: object) -> tuple[int, str, str]:
    out: list[str] = []
    err: list[str] = []
    code = launch(args, services=services, settings=RunSettings(edition=edition), workdir="C:\\Scripts",
                  write_out=out.append, write_err=err.append, **kw)  # type: ignore[arg-type]
    return code, "".join(out), "".join(err)


def test_file_with_arguments_relative_to_the_working_folder(services: SdkServices) -> None:
    assert go(services, ["-NoProfile", "-File", "job.ps1", "-VMName", "SRV-APP01", "-Force"]) == \
        (5, "job SRV-APP01 force=True at C:\\Scripts\n", "")


def test_command_and_encoded_command(services: SdkServices) -> None:
    assert go(services, ["-c", "'a' + 1; exit 2"]) == (2, "a1\n", "")
    assert go(services, ["-NoLogo", "-EncodedCommand", encode_command("1 + 1")], "7") == (0, "2\n", "")


def test_commands_from_standard_input(services: SdkServices) -> None:
    assert go(services, ["-Command", "-"], stdin_text="'from stdin'\n") == (0, "from stdin\n", "")


def test_bad_command_lines(services: SdkServices) -> None:
    code, out, err = go(services, ["-File", "missing.ps1"])
    assert (code, out) == (-196608, "")
    assert err.startswith("The argument 'missing.ps1' is not recognized as the name of a script file.")
    code, _, err = go(services, ["-Command", "-"])
    assert code == -196608 and "standard input has not been redirected" in err
    assert go(services, ["-ep", "nope"], "7")[0] == 64


def test_prompts_read_stdin_unless_non_interactive(services: SdkServices) -> None:
    assert go(services, ["-Command", "Read-Host 'Name'"], stdin_text="Ann\n") == (0, "Name: Ann\nAnn\n", "")
    code, out, err = go(services, ["-NonInteractive", "-Command", "Read-Host 'Name'"], stdin_text="Ann\n")
    assert "NonInteractive mode" in err and out == ""
    code, out, err = go(services, ["-Command", "Read-Host 'Name'"])
    assert "NonInteractive mode" in err
