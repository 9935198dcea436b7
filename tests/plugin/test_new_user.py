"""The README's five-minute path, done exactly as a new user would: the three files the README
shows, in a clean folder, and `python -m pytest` there (the plugin found through its entry
point). The files are read from the README itself, so the README cannot drift from what works."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_files() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Test your own script in five minutes", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"`([\w.]+)`:\n\n```\w+\n(.*?)```", section, re.S)
    files = {name: body for name, body in blocks}
    # the world file is introduced as "in `fleet.toml`:"
    assert set(files) == {"fleet.toml", "nightly.ps1", "test_nightly.py"}, files.keys()
    return files


def test_the_readme_path_from_a_clean_folder(tmp_path: pathlib.Path) -> None:
    for name, body in readme_files().items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HVEMU_"))}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_nightly.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
