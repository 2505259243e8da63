"""The schedule keeps its promises on a real event loop: every check runs every interval,
spread over it, a slow probe delays only itself, and stopping ends everything at once."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from itertools import pairwise

from launchready.monitor.schedule import Run, offsets, run_schedule

INTERVAL = 0.2


def test_offsets_spread_the_checks_evenly() -> None:
    assert offsets(4, 60.0) == [0.0, 15.0, 30.0, 45.0]
    assert offsets(1, 60.0) == [0.0]


async def schedule(
    checks: list[str], runs_each: int, slow: dict[str, float] | None = None
) -> list[Run[str, str]]:
    """Run until every check ran ``runs_each`` times; the runs in report order."""
    stop = asyncio.Event()
    seen: list[Run[str, str]] = []
    counts: dict[str, int] = defaultdict(int)

    async def probe(check: str) -> str:
        await asyncio.sleep((slow or {}).get(check, 0.0))  # the probe's own latency
        return f"{check} ok"

    async def report(run: Run[str, str]) -> None:
        seen.append(run)
        counts[run.check] += 1
        if all(counts[c] >= runs_each for c in checks):
            stop.set()

    await asyncio.wait_for(run_schedule(checks, INTERVAL, probe, report, stop), timeout=10)
    return seen


async def test_every_check_runs_every_interval_at_its_own_offset() -> None:
    runs = await schedule(["a", "b", "c", "d"], runs_each=4)
    by_check: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        by_check[run.check].append(run.planned)
    first = min(p for plans in by_check.values() for p in plans)
    for index, check in enumerate("abcd"):
        planned = by_check[check][:4]
        assert [round(p - first, 3) for p in planned] == [
            round(index * INTERVAL / 4 + k * INTERVAL, 3) for k in range(4)
        ]
    drifts = sorted(run.drift_s for run in runs)
    assert drifts[int(len(drifts) * 0.99) - 1] < 0.1


async def test_a_slow_probe_delays_only_itself_and_skips_its_missed_slots() -> None:
    runs = await schedule(["slow", "fast"], runs_each=3, slow={"slow": INTERVAL * 1.5})
    slow = [r.planned for r in runs if r.check == "slow"]
    fast = [r for r in runs if r.check == "fast"]
    assert all(b - a >= 2 * INTERVAL - 1e-6 for a, b in pairwise(slow))
    assert max(r.drift_s for r in fast) < 0.1


async def test_stopping_ends_a_long_wait_at_once() -> None:
    stop = asyncio.Event()

    async def probe(check: str) -> str:
        return check

    async def report(run: Run[str, str]) -> None:
        stop.set()

    await asyncio.wait_for(run_schedule(["a", "b"], 3600.0, probe, report, stop), timeout=5)
