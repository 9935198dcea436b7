"""`hvemu guest`: a VM's disk bytes through its chain and its memory, from the command line."""

from __future__ import annotations

import argparse
import pathlib

import pytest

from hyperv_emu.cli.main import byte_count, main

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV"
state = "Running"
checkpoint_type = "Standard"
memory = "64MB"
disks = [{ path = 'D:\\VMs\\SRV.vhdx', size = "128MB" }, { path = 'D:\\VMs\\SRV-data.vhdx', size = "64MB" }]
"""


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


def one_error(err: str, contains: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hvemu: error: ") and contains in lines[0], err


@pytest.fixture
def state(tmp_path: pathlib.Path) -> str:
    from hyperv_emu import sdk

    url = str(tmp_path / "state")
    sdk.load_world(url, WORLD)
    return url


def test_write_then_read_through_the_chain(state: str, tmp_path: pathlib.Path,
                                          capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    data = tmp_path / "d.bin"
    data.write_bytes(b"boot sector" * 100)
    assert run(capsysbinary, "guest", "write", "SRV", "--offset", "1MB", "--file", str(data), "--state", state)[:2] == (0, b"")
    assert run(capsysbinary, "checkpoint", "create", "SRV", "--name", "one", "--state", state)[0] == 0
    patch = tmp_path / "p.bin"
    patch.write_bytes(b"PATCH")
    assert run(capsysbinary, "guest", "write", "SRV", "--disk", "0", "--offset", "0x100000", "--file", str(patch),
               "--state", state)[0] == 0
    code, out, err = run(capsysbinary, "guest", "read", "SRV", "--offset", str(1 << 20), "--length", "16", "--state", state)
    assert (code, err) == (0, "")
    assert out == b"PATCHsectorboot "
    out_file = tmp_path / "out.bin"
    assert run(capsysbinary, "guest", "read", "SRV", "--disk", "1", "--length", "4KB", "-o", str(out_file),
               "--state", state)[:2] == (0, b"")
    assert out_file.read_bytes() == bytes(4096)


def test_memory_follows_a_standard_checkpoint(state: str, tmp_path: pathlib.Path,
                                              capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    mem = tmp_path / "m.bin"
    mem.write_bytes(b"before")
    assert run(capsysbinary, "guest", "memory", "write", "SRV", "--offset", "4096", "--file", str(mem), "--state", state)[0] == 0
    assert run(capsysbinary, "checkpoint", "create", "SRV", "--name", "cp", "--state", state)[0] == 0
    mem.write_bytes(b"after!")
    assert run(capsysbinary, "guest", "memory", "write", "SRV", "--offset", "4096", "--file", str(mem), "--state", state)[0] == 0
    assert run(capsysbinary, "guest", "memory", "read", "SRV", "--offset", "4096", "--length", "6", "--state", state)[1] == b"after!"
    assert run(capsysbinary, "checkpoint", "restore", "SRV", "--name", "cp", "--state", state)[0] == 0
    assert run(capsysbinary, "guest", "memory", "read", "SRV", "--offset", "4096", "--length", "6", "--state", state)[1] == b"before"


@pytest.mark.parametrize(("argv", "message"), [
    (["guest", "read", "SRV", "--disk", "2", "--length", "1"], "has no hard drive 2 (it has drives 0 to 1)"),
    (["guest", "read", "SRV", "--offset", "128MB", "--length", "1"], "outside the virtual disk"),
    (["guest", "read", "NOPE", "--length", "1"], 'unable to find a virtual machine with name "NOPE"'),
    (["guest", "write", "SRV", "--file", "missing.bin"], "'missing.bin' does not exist"),
    (["guest", "memory", "read", "SRV", "--offset", "64MB", "--length", "1"], "outside the memory"),
])
def test_errors_are_one_line(state: str, capsysbinary: pytest.CaptureFixture[bytes], argv: list[str], message: str) -> None:
    code, out, err = run(capsysbinary, *argv, "--state", state)
    assert (code, out) == (1, b"")
    one_error(err, message)


def test_memory_of_a_vm_that_is_off_is_an_error(state: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert run(capsysbinary, "vm", "turn-off", "SRV", "--state", state)[0] == 0
    code, _out, err = run(capsysbinary, "guest", "memory", "read", "SRV", "--length", "1", "--state", state)
    assert code == 1
    one_error(err, "current state")


def test_usage_errors_exit_2(state: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _out, err = run(capsysbinary, "guest", "read", "SRV", "--length", "1.5", "--state", state)
    assert code == 2 and "not a byte count" in err
    code, _out, err = run(capsysbinary, "guest", "read", "SRV", "--state", state)
    assert code == 2 and "--length" in err


@pytest.mark.parametrize(("text", "value"), [("4096", 4096), ("0x1000", 4096), ("2MB", 2 << 20), ("1.5KB", 1536),
                                             ("1_000", 1000), ("3gb", 3 << 30)])
def test_byte_counts(text: str, value: int) -> None:
    assert byte_count(text) == value


@pytest.mark.parametrize("text", ["", "-1", "1.3", "MB", "0x", "twelve"])
def test_bad_byte_counts(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        byte_count(text)
