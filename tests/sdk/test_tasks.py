"""The SDK's Task Scheduler (`client.tasks`) over the emulated backend: registering, reading,
changing, running on demand and by the clock, with and without an action runner; and a backend
without a Task Scheduler saying so."""

from __future__ import annotations

import datetime as dt

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk.backends.read_only import read_only
from hyperv_emu.sdk.errors import (
    AlreadyExistsError,
    BackendError,
    HostNotFoundError,
    PermissionDeniedError,
    TaskDefinitionError,
    TaskNotFoundError,
)
from hyperv_emu.sdk.tasks import (
    HAS_NOT_RUN,
    ActionOutcome,
    ActionRequest,
    TaskAction,
    TaskDefinition,
    TaskSettings,
    TaskTrigger,
)


@pytest.fixture
def client(memory_url):
    return sdk.load_world(memory_url, T.base_world("2026-02-20T08:00:00") + T.vm_table("SRV-APP01", state="Running"))


DEFINITION = TaskDefinition(actions=(TaskAction("powershell.exe", "-File C:\\Scripts\\x.ps1"),),
                            triggers=(TaskTrigger.daily(dt.datetime(2026, 2, 20, 2)),))


def test_register_read_update_unregister(client):
    task = client.tasks.register("Nightly", DEFINITION, path="Backup")
    assert (task.path, task.name, task.state, task.uri) == ("\\Backup\\", "Nightly", "Ready", "\\Backup\\Nightly")
    assert task.settings == TaskSettings() and task.triggers == DEFINITION.triggers
    info = client.tasks.info("\\Backup\\Nightly")
    assert info.last_run_time is None and info.last_task_result == HAS_NOT_RUN
    assert info.next_run_time == dt.datetime(2026, 2, 21, 2)
    with pytest.raises(AlreadyExistsError):
        client.tasks.register("Nightly", DEFINITION, path="\\Backup\\")
    changed = client.tasks.update("\\Backup\\Nightly", TaskDefinition(settings=TaskSettings(multiple_instances="Queue")))
    assert changed.settings.multiple_instances == "Queue" and changed.actions == DEFINITION.actions
    assert client.tasks.disable("\\Backup\\Nightly").state == "Disabled"
    assert client.tasks.info("\\Backup\\Nightly").next_run_time is None
    client.tasks.unregister("\\Backup\\Nightly")
    with pytest.raises(TaskNotFoundError):
        client.tasks.task("\\Backup\\Nightly")
    with pytest.raises(TaskDefinitionError):
        client.tasks.register("bad|name", DEFINITION)
    with pytest.raises(TaskDefinitionError):
        client.tasks.register("x", TaskDefinition(actions=()))


def test_runs_go_through_the_attached_runner(client):
    seen: list[tuple[ActionRequest, dt.datetime]] = []

    def runner(request: ActionRequest) -> ActionOutcome:
        seen.append((request, client.now()))
        return ActionOutcome(0, "fine\n")

    client.tasks.set_action_runner(runner)
    client.tasks.register("Nightly", DEFINITION)
    client.sleep(2 * 86400)
    assert [(r.execute, r.arguments, r.task, when) for r, when in seen] == [
        ("powershell.exe", "-File C:\\Scripts\\x.ps1", "\\Nightly", dt.datetime(2026, 2, 21 + i, 2)) for i in range(2)]
    client.tasks.start("Nightly")
    runs = client.tasks.runs("Nightly")
    assert [(r.reason, r.result, r.output) for r in runs] == [("time", 0, "fine\n")] * 2 + [("demand", 0, "fine\n")]
    assert runs[-1].scheduled is None and runs[-1].started == dt.datetime(2026, 2, 22, 8)


def test_another_host_and_read_only(client):
    with pytest.raises(HostNotFoundError):
        client.host("nope").tasks.get()
    client.tasks.register("Nightly", DEFINITION)
    ro = sdk.HyperVClient(read_only(client.backend))
    assert [t.name for t in ro.tasks.get()] == ["Nightly"] and ro.tasks.info("Nightly").number_of_missed_runs == 0
    for change in (lambda: ro.tasks.register("x", DEFINITION), lambda: ro.tasks.disable("Nightly"),
                   lambda: ro.tasks.start("Nightly"), lambda: ro.tasks.unregister("Nightly")):
        with pytest.raises(PermissionDeniedError):
            change()


def test_a_backend_without_a_task_scheduler_says_so(client):
    class NoScheduler:
        pass

    with pytest.raises(BackendError, match="Task Scheduler is not available through the NoScheduler"):
        sdk.HyperVClient(NoScheduler()).tasks  # type: ignore[arg-type]
