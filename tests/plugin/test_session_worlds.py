"""Session worlds (`hyperv_world(..., scope="session")`, ini `hyperv_world_scope`): built once per
session (per xdist worker), each test a copy-on-write clone that changes nothing for the next."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

ARGS = ("-p", "no:cacheprovider", "-p", "no:benchmark")

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
[[vm.checkpoint]]
name = "Before"
created = 2026-02-10T08:00:00
[[vm]]
name = "SRV-DB01"
state = "Off"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-DB01.vhdx', size = "10GB" }]
"""

# The inner tests' check that a test starts from the world as the world file describes it, disk
# files byte for byte as the first test of the same template found them (a world built again has
# new disk ids, hence other bytes).
PRISTINE = '''
import datetime as dt
import pytest

DISKS = {}

def pristine(hyperv, template="first"):
    client = hyperv.client
    assert [v.name for v in client.get_vms()] == ["SRV-APP01", "SRV-DB01"]
    assert [c.name for c in hyperv.vm("SRV-APP01").checkpoints()] == ["Before"]
    assert hyperv.vm("SRV-APP01").status == "Operating normally"
    assert hyperv.now() == dt.datetime(2026, 2, 20, 8, 0)
    assert client.read_guest_disk("SRV-APP01", 0, 0, 32) == bytes(32)
    assert client.file_info("D:\\\\VHDs\\\\note.txt") is None
    files = {d.path: client.read_file(d.path)[: 1 << 20]
             for vm in client.get_vms() for d in client.get_hard_drives(vm)}
    if template is not None:  # a clone of the same template: the same bytes
        assert files == DISKS.setdefault(template, files)
'''


@pytest.mark.parametrize("storage", ["memory", "local"])
def test_each_test_gets_the_pristine_world_whatever_the_others_did(pytester: pytest.Pytester, storage: str) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_it=PRISTINE + f'''
pytestmark = pytest.mark.hyperv_world("fleet.toml", storage="{storage}", scope="session")

def test_1_changes_vms_checkpoints_and_disks(hyperv, hyperv_session_worlds):
    pristine(hyperv)
    result = hyperv.run("Remove-VMSnapshot -VMName SRV-APP01 -Name Before; Remove-VM -Name SRV-DB01 -Force; "
                        "Checkpoint-VM -Name SRV-APP01 -SnapshotName Mine; Rename-VM SRV-APP01 -NewName APP")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    hyperv.client.write_guest_disk("APP", 0, 0, b"test 1 was here")
    hyperv.client.write_file("D:\\\\VHDs\\\\note.txt", b"hello")
    assert hyperv.vm("APP").status == "Merging disks"   # a merge left in flight

def test_2_sees_the_pristine_world_and_finishes_a_merge(hyperv):
    pristine(hyperv)
    hyperv.vm("SRV-APP01").checkpoint("Before").remove()
    hyperv.client.write_guest_disk("SRV-APP01", 0, 0, b"test 2 was here")
    hyperv.advance(hours=1)                              # the merge writes into the parent disk
    assert hyperv.vm("SRV-APP01").status == "Operating normally"
    assert hyperv.client.read_guest_disk("SRV-APP01", 0, 0, 15) == b"test 2 was here"
    assert hyperv.vm("SRV-APP01").checkpoints() == []

def test_3_sees_the_pristine_world_again(hyperv, hyperv_session_worlds, tmp_path):
    pristine(hyperv)
    assert hyperv_session_worlds.builds == 1 and len(hyperv_session_worlds) == 1
    if "{storage}" == "local":
        assert hyperv.url.startswith(str(tmp_path))
    else:
        assert hyperv.url.startswith("memory://")

@pytest.mark.hyperv_world("fleet.toml", storage="{storage}", scope="test")
def test_4_a_test_scoped_world_is_built_for_the_test(hyperv, hyperv_session_worlds):
    pristine(hyperv, None)
    assert hyperv_session_worlds.builds == 1
''')
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=4)


def test_the_ini_option_makes_session_the_default_scope(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makeini("[pytest]\nhyperv_world_scope = session\n")
    pytester.makepyfile(test_it=PRISTINE + '''
WORLD_TEXT = open("fleet.toml").read()

@pytest.mark.parametrize(("hyperv", "template"), [("fleet.toml", "file"), ("fleet.toml", "file"),
                                                  (WORLD_TEXT, "text")], indirect=["hyperv"])
def test_indirect(hyperv, template, hyperv_session_worlds):
    pristine(hyperv, template)
    hyperv.client.remove_vm("SRV-DB01")
    assert hyperv_session_worlds.builds <= 2   # the file, and the same world given as text

@pytest.mark.hyperv_world("fleet.toml")
def test_marker(hyperv, hyperv_session_worlds):
    pristine(hyperv, "file")
    assert hyperv_session_worlds.builds == 2

def test_no_world_is_an_empty_host(hyperv):
    assert hyperv.client.get_vms() == []
''')
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=5)


def test_under_xdist_each_worker_builds_its_own_session_world(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_it=PRISTINE + f'''
import os

@pytest.mark.parametrize("n", range(8))
@pytest.mark.hyperv_world("fleet.toml", scope="session")
def test_world(hyperv, hyperv_session_worlds, worker_id, n):
    assert worker_id.startswith("gw")
    pristine(hyperv)
    hyperv.client.remove_vm("SRV-DB01")
    hyperv.client.write_guest_disk("SRV-APP01", 0, 0, b"worker")
    assert hyperv_session_worlds.builds == 1
    with open({str(pytester.path / "ran")!r} + "-" + worker_id, "a") as f:
        f.write(f"{{os.getpid()}}\\n")
''')
    result = pytester.runpytest_subprocess("-n", "2", *ARGS)
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*2 workers*"])
    ran = sorted(pytester.path.glob("ran-gw*"))
    pids = [set(p.read_text().split()) for p in ran]
    assert len(ran) == 2 and all(len(p) == 1 for p in pids) and pids[0] != pids[1]


def test_bad_scopes_and_worlds_fail_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it='''
import pytest

@pytest.mark.hyperv_world("now = 2026-01-01T00:00:00\\n", scope="module")
def test_scope(hyperv):
    pass

@pytest.mark.hyperv_world("missing.toml", scope="session")
def test_missing(hyperv):
    pass
''')
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*hyperv_world(scope='module'): use 'test' or 'session'*",
                                 "*The world file '*missing.toml' does not exist.*"])
    pytester.makeini("[pytest]\nhyperv_world_scope = module\n")
    bad = pytester.runpytest(*ARGS)
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*hyperv_world_scope = module: use 'test' or 'session'*"])
