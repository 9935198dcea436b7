"""Shared test setup: the helpers module (tests/hvemu_testlib.py) is importable from every test
folder, `memory_url` gives each test its own in-process emulator root, removed afterwards, and
the Hypothesis profiles (tests/README.md):

- `default`: every test runs, with the example counts the tests name (`hvemu_testlib.examples`);
- `slow` (`--slow`): five times as many examples, before a release or after a change to what the
  random tests cover;
- `ci` (automatically when the environment variable CI is set, as Hypothesis itself does): the
  slow profile's counts, derandomized (the same examples every run: CI fails for a change, not
  for a lucky draw) and without an example database.

Hypothesis' own `--hypothesis-profile NAME` still wins over both (its plugin applies it after this).
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Every commit of the state also serialises it whole and compares it with the database
# (emulator.statedb): a change the row tracking missed fails the test that made it. Subprocesses
# the tests start inherit it.
os.environ.setdefault("HVEMU_VERIFY_TRACKING", "1")

import hvemu_testlib  # noqa: E402

# deadline=None: the suite runs on loaded machines and under pytest-xdist, where one example's
# wall time says nothing; a hang is caught by the tests' own time limits.
settings.register_profile("default", max_examples=hvemu_testlib.BASE_EXAMPLES, deadline=None, print_blob=True)
settings.register_profile("slow", max_examples=5 * hvemu_testlib.BASE_EXAMPLES, deadline=None, print_blob=True)
settings.register_profile("ci", settings.get_profile("slow"), derandomize=True, database=None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="hyperv-emu: the slow Hypothesis profile (5x the examples; $CI gives the same, derandomized)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--slow"):
        settings.load_profile("slow")
    else:
        settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_report_header(config: pytest.Config) -> str:
    return f"hyperv-emu tests: {hvemu_testlib.examples(1)}x the default examples (tests/README.md)"


@pytest.fixture
def memory_url():
    url = hvemu_testlib.memory_url()
    yield url
    hvemu_testlib.drop_memory_root(url)
