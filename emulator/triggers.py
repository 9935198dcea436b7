"""When a scheduled task's triggers fire: the first instant after a given one, computed from the
trigger's definition (never by stepping through the days).

A trigger has *base occurrences*: Once at its start; Daily at start + k x DaysInterval days;
Weekly on its days of the week, at the start's time of day, in the weeks 0, W, 2W, ... counted
from the week (Sunday to Saturday) that holds the start, never before the start. Each base
occurrence is moved later by its random delay (RandomDelay: a number of whole seconds in
[0, RandomDelay], drawn from the world's seed and the occurrence, so a run is reproducible), and
with a RepetitionInterval it repeats every interval while less than RepetitionDuration has
passed since the (delayed) occurrence (no duration: indefinitely). Nothing fires after the
EndBoundary. AtStartup and AtLogOn triggers never fire on the clock (the emulated host neither
boots nor has users logging on) and have no next run time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterator

from hyperv_emu.emulator.taskmodel import DAYS, TaskTriggerRecord

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
_MAX_BASES = 100_000  # a guard: no trigger needs to look at more occurrences to find the next one

# the random delay of one base occurrence, in seconds
DelayOf = Callable[[dt.datetime], float]


def no_delay(_: dt.datetime) -> float:
    return 0.0


def seeded_delay(seed: str, key: str, limit: float) -> DelayOf:
    """Whole seconds in [0, limit], a function of the world's seed, the task and trigger (`key`)
    and the occurrence: the same world always gives the same delays."""

    def delay(base: dt.datetime) -> float:
        if limit <= 0:
            return 0.0
        digest = hashlib.sha256(f"{seed}|{key}|{base.isoformat()}".encode()).digest()
        return float(int.from_bytes(digest[:8], "big") % (int(limit) + 1))

    return delay


def fires(trigger: TaskTriggerRecord) -> bool:
    """Whether the trigger ever fires on the clock."""
    return trigger.enabled and trigger.start is not None and trigger.kind in ("Once", "Daily", "Weekly")


def _period(trigger: TaskTriggerRecord) -> dt.timedelta | None:
    if trigger.kind == "Daily":
        return DAY * max(1, trigger.days_interval)
    if trigger.kind == "Weekly":
        return WEEK * max(1, trigger.weeks_interval)
    return None


def _weekdays(trigger: TaskTriggerRecord) -> list[int]:
    """Days of the week as 0 = Sunday ... 6 = Saturday (default: the start's day)."""
    assert trigger.start is not None
    names = {d.casefold(): i for i, d in enumerate(DAYS)}
    days = sorted({names[d.casefold()] for d in trigger.days_of_week if d.casefold() in names})
    return days or [(trigger.start.weekday() + 1) % 7]


def bases_from(trigger: TaskTriggerRecord, t0: dt.datetime) -> Iterator[dt.datetime]:
    """The base occurrences at or after `t0`, in order."""
    start = trigger.start
    assert start is not None
    if trigger.kind == "Once":
        if start >= t0:
            yield start
        return
    if trigger.kind == "Daily":
        period = _period(trigger)
        assert period is not None
        k = max(0, math.ceil((t0 - start) / period))
        while True:
            yield start + k * period
            k += 1
    if trigger.kind == "Weekly":
        interval = max(1, trigger.weeks_interval)
        days = _weekdays(trigger)
        week0 = start - dt.timedelta(days=(start.weekday() + 1) % 7)  # the Sunday of the start's week
        w = max(0, (t0 - week0) // WEEK - 1)
        w -= w % interval
        while True:
            for d in days:
                base = week0 + w * WEEK + d * DAY
                if base >= start and base >= t0:
                    yield base
            w += interval


def next_fire(trigger: TaskTriggerRecord, after: dt.datetime, delay_of: DelayOf = no_delay) -> dt.datetime | None:
    """The first instant strictly after `after` at which `trigger` fires (None: never)."""
    if not fires(trigger):
        return None
    assert trigger.start is not None
    interval = trigger.repetition_interval if trigger.repetition_interval and trigger.repetition_interval > 0 else None
    span: float | None = 0.0  # seconds an occurrence repeats for (None: indefinitely)
    if interval is not None:
        span = trigger.repetition_duration if trigger.repetition_duration and trigger.repetition_duration > 0 else None
    # the earliest base occurrence whose (delayed, repeated) instants can still come after `after`
    if span is None:
        period = _period(trigger)
        t0 = trigger.start if period is None else after - period - dt.timedelta(seconds=trigger.random_delay)
    else:
        t0 = after - dt.timedelta(seconds=span + max(0.0, trigger.random_delay))
    best: dt.datetime | None = None
    for count, base in enumerate(bases_from(trigger, t0)):
        if (best is not None and base > best) or count > _MAX_BASES:
            break
        if trigger.end is not None and base > trigger.end:
            break
        first = base + dt.timedelta(seconds=delay_of(base))
        candidate: dt.datetime | None = None
        if first > after:
            candidate = first
        elif interval is not None:
            j = math.floor((after - first).total_seconds() / interval) + 1
            if span is None or j * interval < span:
                candidate = first + dt.timedelta(seconds=j * interval)
        if candidate is not None and (trigger.end is None or candidate <= trigger.end):
            if best is None or candidate < best:
                best = candidate
    return best


def next_run(triggers: list[TaskTriggerRecord], after: dt.datetime,
             delay_for: Callable[[int, TaskTriggerRecord], DelayOf]) -> dt.datetime | None:
    """The first instant after `after` at which any of the triggers fires."""
    times = [t for i, trig in enumerate(triggers) if (t := next_fire(trig, after, delay_for(i, trig))) is not None]
    return min(times) if times else None
