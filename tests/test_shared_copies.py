"""The repository keeps its own copies of the acceptance scenarios and the seed documents
(tests/scenarios, tests/seeds), so that the suite runs in a fresh clone. Where the maintained
originals are beside the clone (../shared/scenarios, ../shared/seeds), every difference between
them and the copies fails here, naming the files; a clone without ../shared skips only this."""

from __future__ import annotations

import filecmp
import pathlib

import pytest

import hvemu_testlib as T

PAIRS = [("scenarios", T.SCENARIOS), ("seeds", T.SEEDS)]


def files_under(root: pathlib.Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def differences(original: pathlib.Path, copy: pathlib.Path) -> list[str]:
    """Every file that is only in one of the two folders or whose bytes differ (relative names)."""
    theirs, ours = files_under(original), files_under(copy)
    problems = [f"only in {original}: {name}" for name in sorted(theirs - ours)]
    problems += [f"only in {copy}: {name}" for name in sorted(ours - theirs)]
    problems += [f"differs: {name}" for name in sorted(theirs & ours)
                 if not filecmp.cmp(original / name, copy / name, shallow=False)]
    return problems


def test_differences_name_each_file(tmp_path: pathlib.Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a / "s1", b / "s1"):
        folder.mkdir(parents=True)
    (a / "s1" / "same.txt").write_bytes(b"x\n")
    (b / "s1" / "same.txt").write_bytes(b"x\n")
    (a / "s1" / "script.ps1").write_bytes(b"Get-VM\n")
    (b / "s1" / "script.ps1").write_bytes(b"Get-VM \n")
    (a / "s1" / "gone.toml").write_bytes(b"")
    (b / "extra.txt").write_bytes(b"")
    assert differences(a, b) == [f"only in {a}: s1/gone.toml", f"only in {b}: extra.txt", "differs: s1/script.ps1"]


def test_the_copies_are_complete() -> None:
    assert len(T.scenario_dirs()) == 26
    assert (T.SCENARIOS / "README.md").is_file()
    assert len(list(T.SEEDS.glob("*.txt"))) == 5


@pytest.mark.parametrize(("name", "copy"), PAIRS, ids=[name for name, _ in PAIRS])
def test_the_copy_equals_shared(name: str, copy: pathlib.Path) -> None:
    original = T.shared_dir() / name
    if not original.is_dir():
        pytest.skip(f"{original} is not beside this clone")
    problems = differences(original, copy)
    assert not problems, f"tests/{name} differs from {original} (copy the originals again):\n" + "\n".join(problems)
