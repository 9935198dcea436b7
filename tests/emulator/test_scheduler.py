"""The Task Scheduler in the emulator: trigger arithmetic (Once, Daily -DaysInterval, Weekly
-DaysOfWeek -WeeksInterval, repetition, RandomDelay, EndBoundary), and the clock running tasks at
their instants, in order, interleaved with merges, with MultipleInstances and the history.

Expected instants are worked out from Task Scheduler's documented trigger semantics
(MSFT_TaskDailyTrigger, MSFT_TaskWeeklyTrigger, RepetitionPattern), not from our output."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.emulator import scheduler, taskclock, triggers
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.taskhost import TaskHost
from hyperv_emu.emulator.taskmodel import (
    RESULT_HAS_NOT_RUN,
    RESULT_TERMINATED,
    TaskActionRecord,
    TaskSettingsRecord,
    TaskTriggerRecord,
)

D = dt.datetime


def trig(kind: str, start: D, **kw: object) -> TaskTriggerRecord:
    return TaskTriggerRecord(kind=kind, start=start, **kw)  # type: ignore[arg-type]


# --- trigger arithmetic ---------------------------------------------------------------------------


def test_once_fires_once_strictly_after():
    t = trig("Once", D(2026, 2, 20, 9))
    assert triggers.next_fire(t, D(2026, 2, 20, 8)) == D(2026, 2, 20, 9)
    assert triggers.next_fire(t, D(2026, 2, 20, 9)) is None


def test_daily_with_interval_counts_from_the_start():
    t = trig("Daily", D(2026, 2, 20, 2), days_interval=3)
    assert triggers.next_fire(t, D(2026, 2, 20, 8)) == D(2026, 2, 23, 2)
    assert triggers.next_fire(t, D(2026, 2, 23, 2)) == D(2026, 2, 26, 2)
    # a start in the past: the next occurrence of the series, not the start
    assert triggers.next_fire(t, D(2026, 3, 1, 3)) == D(2026, 3, 4, 2)  # Feb 2026 has 28 days


def test_weekly_days_and_weeks_interval():
    # 2026-02-20 is a Friday; weeks counted from that week's Sunday (Feb 15)
    t = trig("Weekly", D(2026, 2, 20, 3), days_of_week=["Monday", "Friday"], weeks_interval=2)
    after = D(2026, 2, 20, 0)
    got = []
    for _ in range(5):
        nxt = triggers.next_fire(t, after)
        assert nxt is not None
        got.append(nxt)
        after = nxt
    # Friday of week 0 (the Monday of week 0 is before the start), then weeks 2 and 4
    assert got == [D(2026, 2, 20, 3), D(2026, 3, 2, 3), D(2026, 3, 6, 3), D(2026, 3, 16, 3), D(2026, 3, 20, 3)]


def test_repetition_within_duration():
    t = trig("Daily", D(2026, 2, 20, 2), repetition_interval=3600, repetition_duration=3 * 3600)
    after, got = D(2026, 2, 20, 0), []
    for _ in range(4):
        after = triggers.next_fire(t, after)  # type: ignore[assignment]
        got.append(after)
    assert got == [D(2026, 2, 20, 2), D(2026, 2, 20, 3), D(2026, 2, 20, 4), D(2026, 2, 21, 2)]


def test_once_repeating_indefinitely():
    t = trig("Once", D(2026, 2, 20, 9), repetition_interval=15 * 60)
    assert triggers.next_fire(t, D(2026, 3, 1, 10, 7)) == D(2026, 3, 1, 10, 15)


def test_end_boundary_and_at_startup():
    t = trig("Daily", D(2026, 2, 20, 2), end=D(2026, 2, 21, 12))
    assert triggers.next_fire(t, D(2026, 2, 20, 3)) == D(2026, 2, 21, 2)
    assert triggers.next_fire(t, D(2026, 2, 21, 3)) is None
    assert triggers.next_fire(TaskTriggerRecord(kind="AtStartup"), D(2026, 1, 1)) is None


def test_random_delay_is_bounded_and_reproducible():
    t = trig("Daily", D(2026, 2, 20, 2), random_delay=1800)
    delay = triggers.seeded_delay("seed", "task", 1800)
    times = []
    after = D(2026, 2, 19)
    for _ in range(20):
        after = triggers.next_fire(t, after, delay)  # type: ignore[assignment]
        times.append(after)
    for day, when in enumerate(times):
        base = D(2026, 2, 20, 2) + dt.timedelta(days=day)
        assert base <= when <= base + dt.timedelta(seconds=1800)
    assert len({w.time() for w in times}) > 1  # the delays differ
    again = triggers.next_fire(t, D(2026, 2, 19), triggers.seeded_delay("seed", "task", 1800))
    assert again == times[0]


@settings(max_examples=T.examples(100), deadline=None)
@given(days=st.integers(1, 9), hour=st.integers(0, 23), offset_minutes=st.integers(0, 60 * 24 * 400))
def test_daily_matches_stepping_day_by_day(days: int, hour: int, offset_minutes: int):
    start = D(2026, 1, 1, hour)
    t = trig("Daily", start, days_interval=days)
    after = start + dt.timedelta(minutes=offset_minutes)
    expected = start
    while expected <= after:
        expected += dt.timedelta(days=days)
    assert triggers.next_fire(t, after) == expected


@settings(max_examples=T.examples(100), deadline=None)
@given(mask=st.integers(1, 127), weeks=st.integers(1, 4), offset_hours=st.integers(0, 24 * 120))
def test_weekly_matches_stepping_day_by_day(mask: int, weeks: int, offset_hours: int):
    days = [d for i, d in enumerate(("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"))
            if mask >> i & 1]
    start = D(2026, 2, 18, 6)  # a Wednesday; its week starts on Sunday 2026-02-15
    t = trig("Weekly", start, days_of_week=days, weeks_interval=weeks)
    after = start + dt.timedelta(hours=offset_hours)
    day = D(2026, 2, 15, 6)
    while True:
        week = (day - D(2026, 2, 15, 6)).days // 7
        name = day.strftime("%A")
        if day >= start and day > after and week % weeks == 0 and name in days:
            break
        day += dt.timedelta(days=1)
    assert triggers.next_fire(t, after) == day


# --- the clock runs tasks -------------------------------------------------------------------------


@pytest.fixture
def world():
    url = T.memory_url()
    text = T.base_world("2026-02-20T08:00:00", merge_rate="1MB") + T.vm_table("SRV-APP01", state="Running")
    client = sdk.load_world(url, text)
    yield url, client
    T.drop_memory_root(url)


class Recorder:
    """A runner that records when each action ran and can move the clock itself."""

    def __init__(self, emulator: Emulator, sleep: float = 0, exit_code: int = 0) -> None:
        self.emulator = emulator
        self.calls: list[tuple[str, D, str]] = []
        self.sleep = sleep
        self.exit_code = exit_code

    def __call__(self, request: taskclock.ActionRequest) -> taskclock.ActionOutcome:
        with self.emulator.transaction() as tx:
            now = tx.now()
        self.calls.append((request.task, now, request.arguments))
        if self.sleep:
            taskclock.advance(self.emulator, self.sleep, self)
        return taskclock.ActionOutcome(self.exit_code, f"ran at {now.isoformat()}\n")


def register(emu: Emulator, name: str, *triggers_: TaskTriggerRecord, args: str = "",
             settings_: TaskSettingsRecord | None = None) -> None:
    TaskHost(emu).register(None, name, scheduler.Definition(
        actions=[TaskActionRecord("powershell.exe", args)], triggers=list(triggers_), settings=settings_))


def test_daily_task_runs_each_day_at_its_instant(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "Daily Checkpoint", trig("Daily", D(2026, 2, 20, 2)))
    rec = Recorder(emu)
    assert TaskHost(emu).find("Daily Checkpoint").record.last_result == RESULT_HAS_NOT_RUN
    now = taskclock.advance(emu, 14 * 86400, rec)
    assert now == D(2026, 3, 6, 8)
    assert [c[1] for c in rec.calls] == [D(2026, 2, 21, 2) + dt.timedelta(days=i) for i in range(14)]
    view = TaskHost(emu).find("daily checkpoint")
    assert view.record.last_run == D(2026, 3, 6, 2)
    assert view.record.last_result == 0
    assert view.next_run == D(2026, 3, 7, 2)
    assert view.state == "Ready"
    assert len(view.record.history) == 14 and view.record.history[0].output == "ran at 2026-02-21T02:00:00\n"


def test_same_instant_runs_in_registration_order(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "b", trig("Once", D(2026, 2, 20, 9)))
    register(emu, "a", trig("Once", D(2026, 2, 20, 9)))
    register(emu, "c", trig("Once", D(2026, 2, 20, 8, 30)))
    rec = Recorder(emu)
    taskclock.advance(emu, 3600 * 2, rec)
    assert [c[0] for c in rec.calls] == ["\\c", "\\b", "\\a"]


def test_task_runs_after_the_merges_due_by_its_instant(world):
    url, client = world
    emu = Emulator(url)
    cp = client.checkpoint_vm("SRV-APP01", "one")
    client.remove_checkpoint(cp)  # schedules a merge of the 4 MB avhdx at 1 MB/s: ends 08:00:04
    seen: list[int] = []

    def runner(request: taskclock.ActionRequest) -> taskclock.ActionOutcome:
        with emu.transaction() as tx:
            seen.append(len(tx.state.hosts[0].merges))
        return taskclock.ActionOutcome(0)

    register(emu, "at4", trig("Once", D(2026, 2, 20, 8, 0, 4)))
    register(emu, "at3", trig("Once", D(2026, 2, 20, 8, 0, 3)))
    taskclock.advance(emu, 60, runner)
    assert seen == [1, 0]  # at 08:00:03 the merge still runs; at 08:00:04 it has finished


def test_ignore_new_skips_triggers_inside_a_long_run(world):
    url, _ = world
    emu = Emulator(url)
    TaskHost(emu).set_log_enabled(True)
    register(emu, "slow", trig("Once", D(2026, 2, 20, 9), repetition_interval=600))
    rec = Recorder(emu, sleep=25 * 60)  # each run lasts 25 minutes
    taskclock.advance(emu, 7140, rec)  # to 09:59
    # 09:00 runs to 09:25 (09:10 and 09:20 ignored), 09:30 runs to 09:55 (09:40, 09:50 ignored)
    assert [c[1] for c in rec.calls] == [D(2026, 2, 20, 9), D(2026, 2, 20, 9, 30)]
    ids = [e.event_id for e in TaskHost(emu).events()]
    assert ids.count(322) == 4 and ids.count(100) == 2 and ids.count(102) == 2


def test_queue_runs_the_missed_trigger_after(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "q", trig("Once", D(2026, 2, 20, 9), repetition_interval=600, repetition_duration=1800),
             settings_=TaskSettingsRecord(multiple_instances="Queue"))
    rec = Recorder(emu, sleep=15 * 60)
    taskclock.advance(emu, 7200, rec)
    # 09:00-09:15 (09:10 queued), the queued run 09:15-09:30; 09:20 fell inside it: queued again
    assert [c[1] for c in rec.calls] == [D(2026, 2, 20, 9), D(2026, 2, 20, 9, 15), D(2026, 2, 20, 9, 30)]


def test_time_limit_and_failures_go_to_history(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "t", trig("Once", D(2026, 2, 20, 9)),
             settings_=TaskSettingsRecord(execution_time_limit=600))
    taskclock.advance(emu, 3600 * 2, Recorder(emu, sleep=900))
    assert TaskHost(emu).find("t").record.last_result == RESULT_TERMINATED
    register(emu, "f", trig("Once", D(2026, 2, 20, 11)))
    taskclock.advance(emu, 3600, Recorder(emu, exit_code=3))
    assert TaskHost(emu).find("f").record.last_result == 3


def test_disabled_tasks_do_not_run_nor_catch_up(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "d", trig("Daily", D(2026, 2, 20, 2)))
    TaskHost(emu).set_enabled("d", None, False)
    assert TaskHost(emu).find("d").next_run is None
    rec = Recorder(emu)
    taskclock.advance(emu, 3 * 86400, rec)
    assert rec.calls == []
    view = TaskHost(emu).set_enabled("d", None, True)
    assert view.next_run == D(2026, 2, 24, 2)


def test_log_is_disabled_by_default(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "x", trig("Once", D(2026, 2, 20, 9)))
    taskclock.advance(emu, 7200, Recorder(emu))
    assert TaskHost(emu).events() == []


def test_names_and_errors(world):
    url, _ = world
    host = TaskHost(Emulator(url))
    d = scheduler.Definition(actions=[TaskActionRecord("cmd.exe")])
    host.register("Backup", "Nightly", d)
    assert host.find("nightly", "\\backup\\").record.path == "\\Backup\\"
    with pytest.raises(scheduler.TaskExists):
        host.register("\\Backup\\", "NIGHTLY", d)
    host.register("\\Backup\\", "NIGHTLY", d, force=True)
    with pytest.raises(scheduler.TaskNotFound):
        host.find("Nightly")  # in \, not \Backup\
    with pytest.raises(scheduler.TaskDefinitionError):
        host.register(None, "a:b", d)
    assert [v.record.name for v in host.get(["N*"], None)] == ["NIGHTLY"]


def test_no_runner_records_a_failure(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "x", trig("Once", D(2026, 2, 20, 9)))
    taskclock.advance(emu, 7200, None)
    rec = TaskHost(emu).find("x").record
    assert rec.last_result == 0x80070002 and "No action runner" in rec.history[0].output


def test_real_clock_counts_missed_runs_and_starts_when_available():
    url = T.memory_url()
    sdk.load_world(url, 'clock = "real"\n' + T.base_world("2026-02-20T08:00:00").split("\n", 1)[1])
    try:
        emu = Emulator(url)
        with emu.transaction() as tx:
            start = tx.now().replace(microsecond=0) + dt.timedelta(seconds=30)
        for name, available in (("late", True), ("skip", False)):
            register(emu, name, trig("Once", start, repetition_interval=600),
                     settings_=TaskSettingsRecord(start_when_available=available))
        with emu.transaction() as tx:  # the scheduler was away for an hour
            tx.state.clock.wall_anchor -= 3600
            tx.changed = True
        rec = Recorder(emu)
        taskclock.advance(emu, 0, rec)
        # six instants (start + 0..50 min) are more than a minute old: missed
        assert TaskHost(emu).find("late").record.missed_runs == 6
        assert TaskHost(emu).find("skip").record.missed_runs == 6
        # "late" runs once now for them; "skip" does not
        assert [c[0] for c in rec.calls] == ["\\late"]
        assert TaskHost(emu).find("late").record.history[0].scheduled == start + dt.timedelta(minutes=50)
    finally:
        T.drop_memory_root(url)


def test_parallel_runs_nest_up_to_a_bound(world):
    url, _ = world
    emu = Emulator(url)
    register(emu, "p", trig("Once", D(2026, 2, 20, 9), repetition_interval=600),
             settings_=TaskSettingsRecord(multiple_instances="Parallel"))
    rec = Recorder(emu, sleep=25 * 60)
    taskclock.advance(emu, 3600 + 60, rec)  # to 09:01
    # 09:00 runs; inside its 25 minutes 09:10 starts (nested), inside that 09:20, ... each run
    # outlasting the interval: at most scheduler.MAX_PARALLEL run at once, later triggers ignored
    starts = [c[1] for c in rec.calls]
    assert starts[:3] == [D(2026, 2, 20, 9), D(2026, 2, 20, 9, 10), D(2026, 2, 20, 9, 20)]
    assert len(starts) == scheduler.MAX_PARALLEL
    assert TaskHost(emu).find("p").record.running == []


def test_random_delay_comes_from_the_worlds_seed():
    def first_run(seed: str) -> D:
        url = T.memory_url()
        sdk.load_world(url, f'id_seed = "{seed}"\n' + T.base_world("2026-02-20T08:00:00"))
        try:
            emu = Emulator(url)
            register(emu, "r", trig("Daily", D(2026, 2, 20, 2), random_delay=3600))
            return TaskHost(emu).find("r").next_run  # type: ignore[return-value]
        finally:
            T.drop_memory_root(url)

    a, b = first_run("one"), first_run("one")
    assert a == b and D(2026, 2, 21, 2) <= a <= D(2026, 2, 21, 3)
    assert len({first_run(s) for s in ("one", "two", "three", "four")}) > 1
