"""The powershell.exe command line (psshim.commandline, as the server uses it) and the `hvemu-powershell` drop-in
spawned from PATH through `hvemu install-shim`."""

from __future__ import annotations

import base64
import os
import pathlib
import subprocess
import sys

import pytest

from hyperv_emu.psshim.commandline import CommandLineError, parse_command_line
from tests.server.conftest import WORLD, env


def test_the_server_parses_with_the_projects_one_parser() -> None:
    """The drop-in and the winrs shell use psshim.commandline (tested in tests/psshim/
    test_commandline.py); the cases the server relies on."""
    script = "Get-VM | Select -Expand Name"
    enc = base64.b64encode(script.encode("utf-16-le")).decode()
    args = parse_command_line(["-NoP", "-NonI", "-ExecutionPolicy", "Bypass", "-enc", enc])
    assert (args.command, args.encoded, args.no_profile, args.non_interactive, args.execution_policy) == (
        script, True, True, True, "Bypass")
    args = parse_command_line(["-NoLogo", "-File", "x.ps1", "-Vm", "A", "-Command", "z"])
    assert args.file == "x.ps1" and args.argv() == ["-Vm", "A", "-Command", "z"] and args.command is None
    assert parse_command_line(["-Command", "-"]).commands_from_stdin
    with pytest.raises(CommandLineError, match="Base64"):
        parse_command_line(["-EncodedCommand", "***"])


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("shim")
    state = str(root / "state")
    e = env()
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", state],
                   check=True, env=e, capture_output=True)
    bin_dir = root / "bin"
    r = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "install-shim", str(bin_dir)], env=e,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    e["PATH"] = str(bin_dir) + os.pathsep + e["PATH"]
    e["HVEMU_STATE"] = state
    return root, e


def test_a_tool_spawns_powershell_file_from_path(shim: tuple[pathlib.Path, dict[str, str]]) -> None:
    root, e = shim
    script = root / "snap.ps1"
    script.write_text("param([string]$Vm)\nCheckpoint-VM -Name $Vm -SnapshotName from-shim\n"
                      "(Get-VMSnapshot -VMName $Vm).Name\nexit 5\n", encoding="utf-8")
    r = subprocess.run(["sh", "-c", f"powershell -NoProfile -File '{script}' -Vm SRV-APP02"], env=e,
                       capture_output=True, text=True)
    assert r.returncode == 5, r.stderr
    assert "from-shim" in r.stdout.splitlines()
    from hyperv_emu import sdk

    hv = sdk.connect(e["HVEMU_STATE"])
    assert "from-shim" in [c.name for c in hv.get_checkpoints([hv.vm("SRV-APP02")])]


def test_exit_codes_are_powershell_exe_s(shim: tuple[pathlib.Path, dict[str, str]]) -> None:
    _, e = shim
    run = lambda *argv: subprocess.run(argv, env=e, capture_output=True, text=True)  # noqa: E731
    ok = run("pwsh", "-Command", "Get-VM SRV-WEB01 | Select -Expand Name")
    assert (ok.returncode, ok.stdout) == (0, "SRV-WEB01\n")
    failed = run("powershell.exe", "-Command", "Get-VM -Name NoSuchVM")
    assert failed.returncode == 1
    assert failed.stderr.startswith('Get-VM : Hyper-V was unable to find a virtual machine with name "NoSuchVM".')
    stdin = subprocess.run(["powershell", "-Command", "-"], input="'from stdin'\n", env=e, capture_output=True,
                           text=True)
    assert stdin.stdout == "from stdin\n"
    encoded = base64.b64encode("Get-VM -Name NoSuchVM".encode("utf-16-le")).decode()
    xml = run("powershell", "-NoProfile", "-EncodedCommand", encoded)  # standard error redirected: CLIXML
    assert xml.returncode == 1
    assert xml.stderr.startswith('#< CLIXML\n<Objs Version="1.1.0.1" '
                                 'xmlns="http://schemas.microsoft.com/powershell/2004/04">'
                                 '<S S="Error">Get-VM : Hyper-V was unable to find a virtual machine with name '
                                 '"NoSuchVM"._x000D__x000A_</S>')
    # 5.1 ends an error record with a line holding one space
    assert xml.stderr.endswith('<S S="Error"> _x000D__x000A_</S></Objs>')
    missing = run("powershell", "-File", "nope.ps1")
    assert missing.returncode == 64
    assert "The argument 'nope.ps1' to the -File parameter does not exist." in missing.stderr


def test_install_shim_keeps_the_state_it_was_given(tmp_path: pathlib.Path) -> None:
    """`install-shim --state S` makes S the launchers' state unless HVEMU_STATE names another;
    S with a space and a quote is the folder itself, not a quoted word (a shell quirk once put
    the quotes into the value); a state that cannot be opened is one line on stderr, exit 1."""
    state = tmp_path / "my state's folder"
    e = env()
    e.pop("HVEMU_STATE", None)
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", str(state)],
                   check=True, env=e, capture_output=True)
    bin_dir = tmp_path / "bin"
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "install-shim", "--state", str(state), str(bin_dir)],
                   check=True, env=e, capture_output=True)
    r = subprocess.run([str(bin_dir / "pwsh"), "-Command", "(Get-VM).Count -gt 0"], env=e,
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout.strip()) == (0, "True"), r.stderr
    e["HVEMU_STATE"] = str(tmp_path / "elsewhere")
    r = subprocess.run([str(bin_dir / "pwsh"), "-Command", "Get-VM"], env=e, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr == (f"hvemu-powershell: No hvemu state at '{tmp_path / 'elsewhere'}'. Create one with "
                        f"`hvemu init --world FILE --state {tmp_path / 'elsewhere'}`.\n")
