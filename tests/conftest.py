"""Shared test setup: the helpers module (tests/hvemu_testlib.py) is importable from every test
folder, and `memory_url` gives each test its own in-process emulator root, removed afterwards."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hvemu_testlib  # noqa: E402


@pytest.fixture
def memory_url():
    url = hvemu_testlib.memory_url()
    yield url
    hvemu_testlib.drop_memory_root(url)
