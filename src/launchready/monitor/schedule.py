"""When each check runs: every ``interval``, each at its own offset within it.

Checks are spread evenly over the interval (check i of n starts at i/n of it), so a
monitor of 5,000 checks sends a steady trickle, not 5,000 requests on the minute (the
thundering herd a shared timer makes). Each check keeps its own clock: a slow probe delays
only itself, a probe that overruns its slot skips the slots it missed rather than
bunching up, and every run reports its drift (actual start minus planned start) so the
dashboard and the benchmark can show the schedule is kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Check = TypeVar("Check")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Run(Generic[Check, Result]):
    check: Check
    result: Result
    planned: float
    """Monotonic time the run was due."""
    drift_s: float
    """How late it started."""


def offsets(count: int, interval: float) -> list[float]:
    """Evenly spread start offsets within one interval."""
    return [interval * index / count for index in range(count)]


async def run_schedule(
    checks: Sequence[Check],
    interval: float,
    probe: Callable[[Check], Awaitable[Result]],
    report: Callable[[Run[Check, Result]], Awaitable[None]],
    stop: asyncio.Event,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Probe every check every ``interval`` seconds until ``stop`` is set."""
    start = clock()
    tasks = [
        asyncio.create_task(_one(check, start + offset, interval, probe, report, stop, clock))
        for check, offset in zip(checks, offsets(len(checks), interval), strict=True)
    ]
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _one(
    check: Check,
    due: float,
    interval: float,
    probe: Callable[[Check], Awaitable[Result]],
    report: Callable[[Run[Check, Result]], Awaitable[None]],
    stop: asyncio.Event,
    clock: Callable[[], float],
) -> None:
    while not stop.is_set():
        wait = due - clock()
        if wait > 0:
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
                return
            except TimeoutError:
                pass
        started = clock()
        result = await probe(check)
        await report(Run(check, result, due, max(0.0, started - due)))
        due += interval
        now = clock()
        if due < now:  # the probe overran: skip the missed slots, keep the offset
            due += interval * ((now - due) // interval + 1)
