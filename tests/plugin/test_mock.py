"""`mock_hyperv` on functions and, as moto's `mock_aws`, on test classes: every test of a
decorated class runs (the decorator used to replace the class by a function named like it, which
pytest does not collect, so the class's tests silently disappeared), each with its own state."""

from __future__ import annotations

import os

import pytest

from hyperv_emu import sdk
from hyperv_emu.testing import mock_hyperv

pytest_plugins = ["pytester"]

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Off"
"""

HEADER = f'''
import os
import unittest
import pytest
from hyperv_emu import sdk
from hyperv_emu.testing import mock_hyperv

WORLD = {WORLD!r}

def names():
    return [vm.name for vm in sdk.connect().get_vms()]
'''


def test_a_function_and_a_context_manager_restore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HVEMU_STATE", "/somewhere/else")

    @mock_hyperv(world_text=WORLD)
    def job() -> str:
        return sdk.connect().vm("SRV-APP01").state.name

    assert job() == "Off"
    assert job.__name__ == "job"
    with mock_hyperv() as client:
        assert client.get_vms() == []
        url = os.environ["HVEMU_STATE"]
        assert url.startswith("memory://")
    assert os.environ["HVEMU_STATE"] == "/somewhere/else"
    assert not sdk.state_exists(url)


def test_a_plain_class_runs_every_test_each_on_a_fresh_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@mock_hyperv(world_text=WORLD)
class TestFleet:
    def test_create(self):
        sdk.connect().vm("SRV-APP01").create_checkpoint("one")
        assert [c.name for c in sdk.connect().vm("SRV-APP01").checkpoints()] == ["one"]

    def test_fresh(self):
        assert sdk.connect().vm("SRV-APP01").checkpoints() == []

    def test_with_a_fixture(self, tmp_path):
        assert names() == ["SRV-APP01"] and tmp_path.exists()

    def helper(self):
        return "not a test, not wrapped"

    class TestNested:
        def test_inner(self):
            assert names() == ["SRV-APP01"]

def test_outside_the_class():
    assert "HVEMU_STATE" not in os.environ
''')
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*TestFleet::test_create PASSED*", "*TestFleet::TestNested::test_inner PASSED*"])


def test_a_unittest_case_shares_the_state_between_setup_test_and_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
SEEN = []

@mock_hyperv(world_text=WORLD)
class FleetCase(unittest.TestCase):
    def setUp(self):
        self.url = os.environ["HVEMU_STATE"]
        sdk.connect().vm("SRV-APP01").create_checkpoint("from setUp")

    def tearDown(self):
        SEEN.append((self.url, os.environ["HVEMU_STATE"], len(sdk.connect().vm("SRV-APP01").checkpoints())))

    def test_one(self):
        self.assertEqual(os.environ["HVEMU_STATE"], self.url)
        sdk.connect().vm("SRV-APP01").create_checkpoint("from the test")

    def test_two(self):
        self.assertEqual([c.name for c in sdk.connect().vm("SRV-APP01").checkpoints()], ["from setUp"])

@mock_hyperv()
class NoSetUp(unittest.TestCase):
    def test_empty_host(self):
        self.assertEqual(names(), [])

def test_after_the_cases():
    assert "HVEMU_STATE" not in os.environ
    assert sorted(n for _, _, n in SEEN) == [1, 2]
    assert all(a == b for a, b, _ in SEEN)
    assert SEEN[0][0] != SEEN[1][0]
    assert not any(sdk.state_exists(url) for url, _, _ in SEEN)
''')
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_setup_method_and_teardown_method_are_inside_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@mock_hyperv(world_text=WORLD)
class TestWithSetup:
    def setup_method(self, method):
        self.url = os.environ["HVEMU_STATE"]
        sdk.connect().vm("SRV-APP01").create_checkpoint("set up")

    def teardown_method(self, method):
        assert os.environ["HVEMU_STATE"] == self.url

    def test_sees_the_setup(self):
        assert [c.name for c in sdk.connect().vm("SRV-APP01").checkpoints()] == ["set up"]

    def test_again(self):
        assert len(sdk.connect().vm("SRV-APP01").checkpoints()) == 1

@mock_hyperv()
class TestSetupFails:
    def setup_method(self, method):
        raise RuntimeError("setup broke")

    def test_never_runs(self):
        pass

def test_nothing_leaked():
    assert "HVEMU_STATE" not in os.environ
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*RuntimeError: setup broke*"])
