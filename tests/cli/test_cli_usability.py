"""`hvemu` as people expect a command line to behave: --version, "did you mean", shell completion,
colour on a terminal only, one message for a missing world file, `guest write` streamed."""

from __future__ import annotations

import io
import pathlib
from collections.abc import Callable

import pytest

from hyperv_emu import __version__, sdk
from hyperv_emu.cli import colour, completion, guest
from hyperv_emu.cli.main import build_parser, main
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import WorldFileError

from .worlds import WORLD_07, WORLD_10

pytest_plugins = ["pytester"]

ESC = "\x1b["


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _no_colour_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("_ARGCOMPLETE", raising=False)


# --- --version, did you mean --------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert __version__ == "0.2.0"
    assert run(capsys, "--version") == (0, "hvemu 0.2.0\n", "")


def test_a_mistyped_command_is_a_usage_error_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "chekpoint", "list")
    assert (code, out) == (2, "")
    assert err.startswith("usage: hvemu")
    assert "hvemu: error: argument COMMAND: invalid choice: 'chekpoint', maybe you meant 'checkpoint'? (choose from" in err
    code, _, err = run(capsys, "checkpoint", "lst")
    assert code == 2 and "invalid choice: 'lst', maybe you meant 'list'?" in err


def test_a_command_nothing_like_ours_gets_no_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "zzzzqqq")
    assert code == 2 and "invalid choice: 'zzzzqqq' (choose from" in err and "maybe" not in err


def test_a_mistyped_option_is_a_usage_error_with_a_suggestion(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "checkpoint", "create", "SRV-APP01", "--pasthru", "--state", state07)
    assert (code, out) == (2, "")
    assert "hvemu checkpoint create: error: unrecognized arguments: --pasthru (did you mean '--passthru'?)" in err
    code, _, err = run(capsys, "vm", "list", "--nmae=SRV", "--state", state07)
    assert code == 2 and "unrecognized arguments: --nmae=SRV (did you mean '--name'?)" in err


# --- completion -----------------------------------------------------------------------------------


class _Done(Exception):
    pass


def _complete(monkeypatch: pytest.MonkeyPatch, line: str) -> list[str]:
    """What argcomplete answers for the command line `line` (the cursor at its end), driven
    in-process with the variables the shell's hook sets."""
    monkeypatch.setenv("_ARGCOMPLETE", "1")
    monkeypatch.setenv("_ARGCOMPLETE_IFS", "\n")
    monkeypatch.setenv("COMP_LINE", line)
    monkeypatch.setenv("COMP_POINT", str(len(line)))
    out = io.StringIO()
    # argcomplete's debug channel is file descriptor 9, which may be one of pytest's own
    # (its docs suggest overriding this under pytest)
    import argcomplete.finders

    monkeypatch.setattr(argcomplete.finders.CompletionFinder, "_init_debug_stream", lambda self: None)

    def stop(code: int = 0) -> None:
        raise _Done(code)

    with pytest.raises(_Done):
        completion.complete(build_parser(), exit_method=stop, output_stream=out)
    return [word.strip() for word in out.getvalue().split("\n") if word.strip()]


def test_completing_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _complete(monkeypatch, "hvemu che") == ["checkpoint"]
    assert _complete(monkeypatch, "hvemu checkpoint re") == ["restore", "remove", "rename"]
    assert "--include-all-child-snapshots" in _complete(monkeypatch, "hvemu checkpoint remove SRV --incl")


def test_completing_vm_names_from_the_state(monkeypatch: pytest.MonkeyPatch, make_state: Callable[..., str]) -> None:
    state = make_state(WORLD_10)
    assert _complete(monkeypatch, f"hvemu checkpoint list --state {state} SRV-W") == ["SRV-WEB01"]
    assert _complete(monkeypatch, f"hvemu tree --state {state} SRV-") == ["SRV-APP01", "SRV-SQL01", "SRV-WEB01"]
    # no state there: no names, and no error either
    assert _complete(monkeypatch, f"hvemu tree --state {state}-missing S") == []


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete "), ("zsh", "compdef"), ("fish", "complete ")])
def test_completion_scripts(shell: str, marker: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "completion", shell)
    assert (code, err) == (0, "")
    assert marker in out and "hvemu" in out
    assert run(capsys, "completion", "csh")[0] == 2


def test_the_console_script_is_marked_for_argcomplete() -> None:
    from hyperv_emu.cli import main as main_module

    assert "PYTHON_ARGCOMPLETE_OK" in pathlib.Path(main_module.__file__).read_text(encoding="utf-8")[:1024]


# --- colour ---------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    assert colour.wanted(_Terminal(), {})
    assert not colour.wanted(io.StringIO(), {})
    assert not colour.wanted(_Terminal(), {"NO_COLOR": "1"})
    assert not colour.wanted(_Terminal(), {"TERM": "dumb"})
    assert colour.wanted(io.StringIO(), {"FORCE_COLOR": "1"})
    assert not colour.wanted(io.StringIO(), {"FORCE_COLOR": "0"})
    assert not colour.wanted(_Terminal(), {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert colour.wanted(_Terminal(), {"NO_COLOR": ""})  # set but empty: no-color.org says ignore it


def test_paint_colours_each_line_and_keeps_line_ends() -> None:
    assert colour.paint("a\r\nb\n\nc", "\x1b[91;40m") == "\x1b[91;40ma\x1b[0m\r\n\x1b[91;40mb\x1b[0m\n\n\x1b[91;40mc\x1b[0m"


def test_run_colours_error_records_red_on_black_and_warnings_yellow(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_07, encoding="utf-8")
    script = "Write-Warning 'careful'; Get-VM NOPE; 'done'"
    plain = run(capsys, "run", "--world", str(world), "-c", script)
    assert ESC not in plain[1] + plain[2]
    assert plain[1] == "WARNING: careful\ndone\n"
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, err = run(capsys, "run", "--world", str(world), "-c", script)
    assert code == plain[0]
    assert out == "\x1b[93;40mWARNING: careful\x1b[0m\ndone\n"
    lines = err.splitlines()
    assert lines and all(line.startswith("\x1b[91;40m") and line.endswith("\x1b[0m") for line in lines)
    assert err.replace("\x1b[91;40m", "").replace("\x1b[0m", "") == plain[2]
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(capsys, "run", "--world", str(world), "-c", script) == plain


def test_cli_errors_warnings_and_the_tree_in_colour(state10: str, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    plain_tree = run(capsys, "tree", "SRV-WEB01", "--state", state10)[1]
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, _, err = run(capsys, "vm", "start", "NOPE", "--state", state10)
    assert code == 1
    assert err == '\x1b[91;40mhvemu: error: Hyper-V was unable to find a virtual machine with name "NOPE".\x1b[0m\n'
    code, _, err = run(capsys, "tre", "SRV-WEB01")
    assert code == 2 and err.splitlines()[-1].startswith("\x1b[91;40mhvemu: error: argument COMMAND: invalid choice: 'tre'")
    tree = run(capsys, "tree", "SRV-WEB01", "--state", state10)[1]
    assert "\x1b[92mNow\x1b[0m" in tree
    assert "\x1b[90m└── \x1b[0m" in tree or "\x1b[90m    └── \x1b[0m" in tree
    assert tree.replace("\x1b[90m", "").replace("\x1b[92m", "").replace("\x1b[0m", "") == plain_tree


# --- one message for a missing world file ----------------------------------------------------------


def test_every_entry_point_words_a_missing_world_file_the_same(tmp_path: pathlib.Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from hyperv_emu.psshim.session import Session
    from hyperv_emu.testing import mock_hyperv

    message = "The world file 'missing.toml' does not exist."
    assert run(capsys, "init", "--world", "missing.toml") == (1, "", f"hvemu: error: {message}\n")
    assert run(capsys, "run", "--world", "missing.toml", "-c", "1") == (1, "", f"hvemu: error: {message}\n")
    assert run(capsys, "run", "--world", "missing.toml", "--state", str(tmp_path / "s"), "-c", "1")[2] == \
        f"hvemu: error: {message}\n"
    for attempt in (lambda: sdk.load_world_file("memory://missing-world", "missing.toml"),
                    lambda: sdk.read_world_file("missing.toml"),
                    lambda: Session.from_world("missing.toml", "memory://missing-world"),
                    lambda: mock_hyperv(world="missing.toml").__enter__()):
        with pytest.raises(WorldFileError) as caught:
            attempt()
        assert caught.value.message == message
        assert caught.value.category == "ObjectNotFound"


def test_the_plugin_marker_words_a_missing_world_file_the_same(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it='''
import pytest

@pytest.mark.hyperv_world("missing.toml")
def test_it(hyperv):
    pass
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert f"WorldFileError: The world file '{pytester.path / 'missing.toml'}' does not exist." in result.stdout.str()


# --- guest write streams its input ------------------------------------------------------------------

GUEST_WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV"
state = "Running"
memory = "32MB"
disks = [{ path = 'D:\\\\VMs\\\\SRV.vhdx', size = "8MB" }]
"""


@pytest.fixture
def guest_state(tmp_path: pathlib.Path) -> str:
    url = str(tmp_path / "guest-state")
    sdk.load_world(url, GUEST_WORLD)
    return url


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Chunks of 64 KiB, and a record of (offset, length) of every write the SDK gets."""
    monkeypatch.setattr(guest, "CHUNK_SIZE", 64 * 1024)
    calls: list[tuple[int, int]] = []
    disk_write = HyperVClient.write_guest_disk
    memory_write = HyperVClient.set_guest_memory

    def spy_disk(self: HyperVClient, vm: object, disk: int, offset: int, data: bytes) -> None:
        calls.append((offset, len(data)))
        disk_write(self, vm, disk, offset, data)  # type: ignore[arg-type]

    def spy_memory(self: HyperVClient, vm: object, offset: int, data: bytes) -> None:
        calls.append((offset, len(data)))
        memory_write(self, vm, offset, data)  # type: ignore[arg-type]

    monkeypatch.setattr(HyperVClient, "write_guest_disk", spy_disk)
    monkeypatch.setattr(HyperVClient, "set_guest_memory", spy_memory)
    return calls


def test_guest_write_streams_a_file_larger_than_a_chunk(guest_state: str, tmp_path: pathlib.Path,
                                                        small_chunks: list[tuple[int, int]],
                                                        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    state = guest_state
    data = bytes(range(256)) * (1024 + 3)  # 257.5 KiB: four whole chunks and a part
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert main(["guest", "write", "SRV", "--offset", "1MB", "--file", str(source), "--state", state]) == 0
    base = 1 << 20
    chunk = 64 * 1024
    # the last chunk first (the range is checked before anything is written), then in order
    assert small_chunks == [(base + 4 * chunk, len(data) - 4 * chunk)] + [(base + i * chunk, chunk) for i in range(4)]
    capsysbinary.readouterr()
    assert main(["guest", "read", "SRV", "--offset", "1MB", "--length", str(len(data)), "--state", state]) == 0
    assert capsysbinary.readouterr().out == data


def test_guest_write_past_the_end_writes_nothing(guest_state: str, tmp_path: pathlib.Path,
                                                 small_chunks: list[tuple[int, int]],
                                                 capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    state = guest_state
    source = tmp_path / "big.bin"
    source.write_bytes(b"\xff" * (200 * 1024))
    assert main(["guest", "write", "SRV", "--offset", str(8 * 1024 * 1024 - 100 * 1024), "--file", str(source),
                 "--state", state]) == 1
    assert "outside the virtual disk" in capsysbinary.readouterr().err.decode()
    assert len(small_chunks) == 1  # the last chunk failed: no other was written
    assert main(["guest", "read", "SRV", "--offset", str(8 * 1024 * 1024 - 100 * 1024), "--length", "100KB",
                 "--state", state]) == 0
    assert capsysbinary.readouterr().out == bytes(100 * 1024)


def test_guest_memory_write_from_standard_input_in_chunks(guest_state: str,
                                                          small_chunks: list[tuple[int, int]],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    state = guest_state
    data = b"memory!" * 30000  # 205 KiB
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["guest", "memory", "write", "SRV", "--offset", "4096", "--file", "-", "--state", state]) == 0
    assert [offset for offset, _ in small_chunks] == [4096 + i * 64 * 1024 for i in range(4)]
    capsysbinary.readouterr()
    assert main(["guest", "memory", "read", "SRV", "--offset", "4096", "--length", str(len(data)), "--state", state]) == 0
    assert capsysbinary.readouterr().out == data


def test_read_chunks_of_an_empty_file_is_one_empty_chunk(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with guest.read_chunks(str(empty), "The data file") as (size, chunks):
        assert size == 0 and list(chunks) == [(0, b"")]
