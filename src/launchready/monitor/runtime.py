"""The running monitor: schedule, probe, decide, store, send.

Each check is probed on its own slot of the interval (:mod:`.schedule`); a probe's verdict
goes through the store in one transaction (:meth:`.store.Store.record`), and a separate
sender drains the store's outbox to the Apprise channels with retries, so a slow or broken
channel never delays a probe, and a restart resends exactly what was not delivered.
It watches what :mod:`.plan` finds in the manifest: every route, every HTTPS host's
certificate, the canonical host's DNS and the chatbot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.manifest import Manifest
from launchready.monitor.decide import Notice, Outcome, Policy
from launchready.monitor.listener import listener_app
from launchready.monitor.message import Message, build
from launchready.monitor.plan import MonitorCheck, heartbeat_verdict, plan, probe
from launchready.monitor.schedule import Run, run_schedule
from launchready.monitor.send import deliver
from launchready.monitor.store import Store
from launchready.smoke.steps import StepResult

log = logging.getLogger("launchready.monitor")

SEND_EVERY_S = 1.0
"""How often the sender looks at the outbox."""
COMPACT_EVERY_S = 3600.0


@dataclass(frozen=True)
class MonitorOptions:
    store_url: str
    region: str = "default"
    interval: float | None = None
    """Seconds between two probes of a check; None: ``monitor.interval`` (60 s)."""
    listen: tuple[str, int] | None = None
    """Where to serve ``/healthz`` and the heartbeat pings; None: no listener."""


def policy(manifest: Manifest) -> Policy:
    section = manifest.monitor
    return Policy(alert_after=section.alert_after if section else 2)


async def run_monitor(
    ctx: CheckContext,
    options: MonitorOptions,
    stop: asyncio.Event,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Watch every route of ``ctx.manifest`` until ``stop`` is set."""
    manifest = ctx.manifest
    watching_since = now()
    heartbeats = list(manifest.monitor.heartbeats) if manifest.monitor else []
    unguarded = [b.name for b in heartbeats if not b.token]
    if unguarded:
        raise InputError(
            f"monitor.heartbeats {', '.join(unguarded)}: set a token (e.g. "
            "token: ${ORDER_SYNC_PING_TOKEN}) so only your job can ping"
        )

    store = await asyncio.to_thread(Store, options.store_url)
    interval = options.interval or (manifest.monitor.interval if manifest.monitor else 60.0)
    rules = policy(manifest)
    channels = list(manifest.monitor.notify) if manifest.monitor else []
    site = manifest.site.domain

    async def check_once(check: MonitorCheck) -> StepResult:
        if check.kind == "heartbeat":
            last = await asyncio.to_thread(store.last_ping, check.target.rsplit("/", 1)[-1])
            return heartbeat_verdict(check, last, watching_since, now())
        return await probe(ctx, check)

    async def report(run: Run[MonitorCheck, StepResult]) -> None:
        step = run.result
        conditions = step.failed or step.conditions
        if step.error:
            conditions = (*conditions, step.error)
        outcome = Outcome(step.ok, now(), tuple(conditions))
        check = run.check

        def message(notice: Notice) -> Message:
            return build(notice, check.name, check.target, site)

        await asyncio.to_thread(
            store.record,
            check.name,
            check.kind,
            check.target,
            options.region,
            outcome,
            step.elapsed_ms,
            rules,
            message,
        )

    site_runner: web.AppRunner | None = None
    if options.listen is not None:
        site_runner = web.AppRunner(listener_app(store, heartbeats, now))
        await site_runner.setup()
        await web.TCPSite(site_runner, *options.listen).start()
    sender = asyncio.create_task(_send_loop(store, channels, stop))
    compactor = asyncio.create_task(_compact_loop(store, stop, now))
    try:
        await run_schedule(plan(manifest), interval, check_once, report, stop)
    finally:
        await sender
        await compactor
        if site_runner is not None:
            await site_runner.cleanup()
        await asyncio.to_thread(store.close)


async def _send_loop(store: Store, channels: list[str], stop: asyncio.Event) -> None:
    """Deliver every pending notice, oldest first; once more after ``stop`` to flush."""
    while True:
        for item in await asyncio.to_thread(store.pending):
            if not channels:
                await asyncio.to_thread(store.mark, item.id, sent=True, error="no channel")
                continue
            results = await deliver(item.message, channels)
            sent = any(r.ok for r in results)
            failed = "; ".join(f"{r.channel}: {r.error}" for r in results if not r.ok) or None
            await asyncio.to_thread(store.mark, item.id, sent=sent, error=failed)
            if failed:
                log.warning("alert %s for %s: %s", item.kind, item.check, failed)
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=SEND_EVERY_S)


__all__ = ["MonitorOptions", "run_monitor"]


async def _compact_loop(store: Store, stop: asyncio.Event, now: Callable[[], datetime]) -> None:
    """Raw results older than 7 days become hourly roll-ups: at start, then every hour."""
    while True:
        rolled = await asyncio.to_thread(store.compact, now())
        if rolled:
            log.info("rolled %d results older than 7 days into hourly rows", rolled)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=COMPACT_EVERY_S)
        if stop.is_set():
            return
