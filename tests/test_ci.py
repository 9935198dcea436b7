"""`.ci/run` runs the README's test command, word for word, in a clone with nothing beside it."""

from __future__ import annotations

import hvemu_testlib as T


def readme_test_command() -> str:
    text = (T.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("run the whole test suite", 1)[1]
    return next(line.strip() for line in section.splitlines() if line.startswith("    "))


def test_ci_runs_the_readme_command_in_a_lone_clone() -> None:
    command = readme_test_command()
    assert command.startswith("pip install -e '.[test]' && python -m pytest")
    lines = [line.strip() for line in (T.REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert lines[-1] == command
    assert "clone" in " ".join(lines) and "test ! -e ../shared" in lines
