"""The running monitor: schedule, probe, decide, store, send, serve.

Each check is probed on its own slot of the interval (:mod:`.schedule`); a probe's verdict
goes through the store in one transaction (:meth:`.store.Store.record`), and a separate
sender drains the store's outbox to the Apprise channels with retries, so a slow or broken
channel never delays a probe, and a restart resends exactly what was not delivered.
It watches what :mod:`.plan` finds in the manifest: every route, every HTTPS host's
certificate, the canonical host's DNS, the chatbot, the heartbeats and the followed
access logs (:mod:`.logwatch`); with several
regions sharing the store, each region also watches that the others still report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.manifest import Manifest
from launchready.manifest.models import Monitor
from launchready.monitor.decide import Notice, Outcome, Policy
from launchready.monitor.listener import Access, listener_app
from launchready.monitor.message import Message, build
from launchready.monitor.metrics import Stats
from launchready.monitor.plan import (
    SPIKE_CHECK,
    MonitorCheck,
    heartbeat_verdict,
    plan,
    probe,
)
from launchready.monitor.schedule import Run, run_schedule
from launchready.monitor.send import deliver
from launchready.monitor.store import Observation, Store
from launchready.smoke.steps import StepResult

if TYPE_CHECKING:
    from launchready.monitor.logwatch import LogWatch

log = logging.getLogger("launchready.monitor")

SEND_EVERY_S = 1.0
"""How often the sender looks at the outbox."""
COMPACT_EVERY_S = 3600.0
SILENT_AFTER = 3
"""Intervals without a report after which a region is silent."""


@dataclass(frozen=True)
class MonitorOptions:
    store_url: str
    region: str = "default"
    interval: float | None = None
    """Seconds between two probes of a check; None: ``monitor.interval`` (60 s)."""
    listen: tuple[str, int] | None = None
    """Where to serve the dashboard, the status page, ``/metrics``, ``/healthz`` and the
    heartbeat pings; None: nowhere."""


def policy(manifest: Manifest, interval: float) -> Policy:
    section = manifest.monitor or Monitor()
    remind = section.remind_every
    return Policy(
        alert_after=section.alert_after,
        recover_after=section.recover_after,
        remind_every=timedelta(seconds=remind) if remind else None,
        quorum=section.quorum,
        active_window=timedelta(seconds=SILENT_AFTER * interval),
    )


async def run_monitor(
    ctx: CheckContext,
    options: MonitorOptions,
    stop: asyncio.Event,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    stats: Stats | None = None,
) -> None:
    """Watch every check of ``ctx.manifest`` until ``stop`` is set."""
    manifest = ctx.manifest
    section = manifest.monitor or Monitor()
    watching_since = now()
    unguarded = [b.name for b in section.heartbeats if not b.token]
    if unguarded:
        raise InputError(
            f"monitor.heartbeats {', '.join(unguarded)}: set a token (e.g. "
            "token: ${ORDER_SYNC_PING_TOKEN}) so only your job can ping"
        )
    access = Access.from_manifest(section.dashboard)
    if options.listen is not None:
        access.require_for(options.listen[0])

    store = await asyncio.to_thread(Store, options.store_url)
    interval = options.interval or section.interval
    rules = policy(manifest, interval)
    counted = stats or Stats()
    site = manifest.site.domain

    checks = plan(manifest)
    watch = _log_watch(manifest, store, options.region) if _follows_logs(checks) else None

    async def check_once(check: MonitorCheck) -> StepResult:
        if check.kind == "logs" and watch is not None:
            await asyncio.to_thread(watch.poll, now())
            return watch.spike(now()) if check.name == SPIKE_CHECK else watch.slow(now())
        if check.kind == "heartbeat":
            last = await asyncio.to_thread(store.last_ping, check.target.rsplit("/", 1)[-1])
            return heartbeat_verdict(check, last, watching_since, now())
        return await probe(ctx, check)

    async def report(run: Run[MonitorCheck, StepResult]) -> None:
        counted.ran(run.drift_s)
        step = run.result
        conditions = step.failed or step.conditions
        if step.error:
            conditions = (*conditions, step.error)
        check = run.check
        days_left = step.evidence.get("days_left")
        seen = Observation(
            check.name,
            check.kind,
            check.target,
            options.region,
            Outcome(step.ok, now(), tuple(conditions)),
            step.elapsed_ms,
            float(days_left) if isinstance(days_left, int | float) else None,
        )
        await asyncio.to_thread(store.record, seen, rules, _builder(check, site))

    runner: web.AppRunner | None = None
    if options.listen is not None:
        app = listener_app(store, manifest, access, counted, options.region, now)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, *options.listen).start()
    helpers = [
        asyncio.create_task(_send_loop(store, list(section.notify), options.region, stop, now)),
        asyncio.create_task(_compact_loop(store, stop, now)),
        asyncio.create_task(_regions_loop(store, options.region, site, interval, rules, stop, now)),
    ]
    try:
        await run_schedule(checks, interval, check_once, report, stop)
    finally:
        for helper in helpers:
            await helper
        if watch is not None:
            watch.close()
        if runner is not None:
            await runner.cleanup()
        await asyncio.to_thread(store.close)


def _follows_logs(checks: list[MonitorCheck]) -> bool:
    return any(check.kind == "logs" for check in checks)


def _log_watch(manifest: Manifest, store: Store, region: str) -> LogWatch:
    """Imported here: polars is only loaded by a monitor that follows logs."""
    from launchready.monitor.logwatch import LogWatch

    assert manifest.logs is not None
    return LogWatch(manifest.logs.access, manifest.base_dir, manifest.routes, store, region)


def _builder(check: MonitorCheck, site: str) -> Callable[[Notice], Message]:
    def message(notice: Notice) -> Message:
        return build(notice, check.name, check.target, site)

    return message


async def _send_loop(
    store: Store,
    channels: list[str],
    region: str,
    stop: asyncio.Event,
    now: Callable[[], datetime],
) -> None:
    """Deliver every pending notice, oldest first; once more after ``stop`` to flush.
    Each channel's result is kept for the dashboard's channel health."""
    while True:
        for item in await asyncio.to_thread(store.claim, region, now()):
            if not channels:
                await asyncio.to_thread(store.mark, item.id, sent=True, error="no channel")
                continue
            results = await deliver(item.message, channels)
            for result in results:
                await asyncio.to_thread(
                    store.channel_result, result.channel, now(), ok=result.ok, error=result.error
                )
            sent = any(r.ok for r in results)
            failed = "; ".join(f"{r.channel}: {r.error}" for r in results if not r.ok) or None
            await asyncio.to_thread(store.mark, item.id, sent=sent, error=failed)
            if failed:
                log.warning("alert %s for %s: %s", item.kind, item.check, failed)
        if await _stopped(stop, SEND_EVERY_S):
            return


async def _compact_loop(store: Store, stop: asyncio.Event, now: Callable[[], datetime]) -> None:
    """Raw results older than 7 days become hourly roll-ups: at start, then every hour."""
    while True:
        rolled = await asyncio.to_thread(store.compact, now())
        if rolled:
            log.info("rolled %d results older than 7 days into hourly rows", rolled)
        if await _stopped(stop, COMPACT_EVERY_S):
            return


def region_check(name: str) -> MonitorCheck:
    """The check every region keeps on region ``name``: does it still report?"""
    return MonitorCheck(f"region {name}", "region", name)


def retire_region(manifest: Manifest, store_url: str, region: str) -> Notice | None:
    """Forget a decommissioned region (``monitor --retire-region``); the notice closing its
    silence incident, if one was open. An unknown region is an input error naming the
    known ones."""
    store = Store(store_url)
    try:
        check = region_check(region)
        try:
            return store.retire_region(
                region, check.name, datetime.now(UTC), _builder(check, manifest.site.domain)
            )
        except KeyError:
            known = ", ".join(sorted(store.regions())) or "none yet"
            raise InputError(
                f"--retire-region {region}: no such region in the store (known: {known})"
            ) from None
    finally:
        store.close()


async def _regions_loop(
    store: Store,
    region: str,
    site: str,
    interval: float,
    rules: Policy,
    stop: asyncio.Event,
    now: Callable[[], datetime],
) -> None:
    """Once there is more than one region, each interval every region checks that every
    region still reports: a silent region is an incident of its own ("region eu"), since
    its checks no longer count toward the quorum."""
    window = rules.active_window
    while not await _stopped(stop, interval):
        regions = await asyncio.to_thread(store.regions)
        if len(regions) < 2:
            continue
        at = now()
        for name, last in sorted(regions.items()):
            quiet = (at - last).total_seconds() if name != region else 0.0
            ok = quiet <= window.total_seconds()
            condition = f"[LAST_REPORT] ({round(quiet)}s ago) <= {round(window.total_seconds())}s"
            check = region_check(name)
            seen = Observation(check.name, "region", name, region, Outcome(ok, at, (condition,)))
            await asyncio.to_thread(store.record, seen, rules, _builder(check, site))


async def _stopped(stop: asyncio.Event, wait_s: float) -> bool:
    """Wait up to ``wait_s``; whether the monitor is stopping."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=wait_s)
    return stop.is_set()


__all__ = ["MonitorOptions", "retire_region", "run_monitor"]
