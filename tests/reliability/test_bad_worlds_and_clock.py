"""World files and clock moves beyond physical sense are errors naming what is wrong (issue 14,
points 2, 3 and 7, part): never an internal error, never a state that cannot be used."""

from __future__ import annotations

import math
import pathlib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

BASE = "now = 2026-01-01T08:00:00\n"


def run_world(tmp_path: pathlib.Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "world.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["run", "--world", str(path), "-c", '"ok"'])
    out, err = capsys.readouterr()
    assert "internal error" not in err
    return code, err.replace(str(path), "WORLD")


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "1e9"])
def test_checkpoint_seconds_must_be_physical(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                             value: str) -> None:
    code, err = run_world(tmp_path, BASE + f"[timing]\ncheckpoint_seconds = {value}\n", capsys)
    assert (code, err.strip()) == (1, "hvemu: error: WORLD:3: [timing] key 'checkpoint_seconds': must be a number "
                                      "of seconds from 0 to 86400 (one day)")


def test_a_world_nested_5000_deep(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_world(tmp_path, BASE + "x = " + "[" * 5000 + "]" * 5000 + "\n", capsys)
    # tomllib recurses per level: under Python's default recursion limit the parse itself fails;
    # where a test runner raised the limit it parses, and the unknown key is refused
    assert code == 1
    assert (err.strip() == "hvemu: error: WORLD: arrays or tables nested too deep to be a world file"
            or err.startswith("hvemu: error: WORLD:2: top level key 'x': unknown key (allowed: ")), err


def test_a_5000_digit_integer(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_world(tmp_path, BASE + "id_seed = " + "9" * 5000 + "\n", capsys)
    assert code == 1
    assert err.startswith("hvemu: error: WORLD: a number too long to be a world's value")


@pytest.mark.parametrize("seconds", ["nan", "inf", "1e300"])
def test_the_clock_cannot_move_by_nonsense(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                           seconds: str) -> None:
    state = str(tmp_path / "state")
    sdk.load_world(state, BASE)
    if seconds == "1e300":  # a number, past the clock's end
        assert main(["clock", "--advance", seconds, "--state", state]) == 1
        _, err = capsys.readouterr()
        assert err.startswith(f"hvemu: error: Cannot move the clock on by {float(seconds)!r} seconds: the clock "
                              "stops at 9999-12-31T23:59:59.999999")
    else:  # no duration at all: a usage error (argparse's exit status 2)
        assert main(["clock", "--advance", seconds, "--state", state]) == 2
        _, err = capsys.readouterr()
        assert f"error: argument --advance: '{seconds}' is not a duration" in err
    # the state is intact and the clock still moves
    assert main(["clock", "--advance", "60", "--state", state]) == 0
    out, _ = capsys.readouterr()
    assert out.strip() == "2026-01-01T08:01:00"


def test_the_sdk_raises_a_typed_error(tmp_path: pathlib.Path) -> None:
    client = sdk.load_world(str(tmp_path / "s"), BASE)
    with pytest.raises(sdk.errors.InvalidArgumentError):
        client.sleep(math.nan)
    assert client.now().isoformat() == "2026-01-01T08:00:00"
