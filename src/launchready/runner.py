"""Runs the audit: every selected area concurrently under one event loop.

Each area runs inside an attempt. Whatever happens inside it (a finding list, a skip, a
timeout, a crash) becomes a :class:`CheckAttempt`, so one area's failure never costs
another area's findings, and every report shows what did not run and why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launchready import __version__
from launchready.checks import AUDIT_AREAS, Area
from launchready.cloudflare.join import join_edge
from launchready.context import CheckContext
from launchready.errors import CheckError
from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    Finding,
    JSONValue,
    Report,
    ToolInfo,
    area_report,
    redact_json,
    sort_findings,
)
from launchready.manifest import Manifest
from launchready.net import HttpClient, Resolver
from launchready.redact import Redactor

if TYPE_CHECKING:
    from launchready.load.run import LoadOptions

log = logging.getLogger("launchready.runner")

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_CONCURRENCY = 32


@dataclass(frozen=True)
class AuditOptions:
    """The knobs of one audit run (the CLI's --timeout, --concurrency, --only, --skip)."""

    timeout: float = DEFAULT_TIMEOUT_S
    """Per network operation, in seconds."""
    concurrency: int = DEFAULT_CONCURRENCY
    """Network operations in flight at once, across all areas."""
    probe_rate_limits: bool = False
    """Opt-in: burst-test ``rate_limited`` routes and the chatbot for a 429."""
    area_timeout: float | None = None
    """Deadline for a whole area; default: 12 operation timeouts, at least 60 s."""
    lighthouse: bool = False
    """Opt-in: score every storefront page with Lighthouse (slow: ~15 s a page)."""
    load: LoadOptions | None = None
    """Opt-in: run the load test as part of the perf area."""

    @property
    def area_deadline(self) -> float:
        if self.area_timeout is not None:
            return self.area_timeout
        load_s = (self.load.duration_s or 0) + 120 if self.load is not None else 0
        return max(60.0, self.timeout * 12, load_s)


class Progress:
    """Receives the runner's events; the CLI's Rich display subclasses it."""

    def start(self, areas: Sequence[str]) -> None:
        """The audit is about to run ``areas``."""

    def area_started(self, area: str) -> None:
        """``area`` began."""

    def area_finished(self, attempt: CheckAttempt, findings: int) -> None:
        """``area`` ended with ``attempt``, having produced ``findings`` findings."""


@asynccontextmanager
async def open_context(
    manifest: Manifest,
    options: AuditOptions,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AsyncIterator[CheckContext]:
    """The network layer for one audit of ``manifest``, closed when the block ends.

    DNS and connections get separate caps of ``--concurrency``: an HTTP request holds a
    connection slot while its hostname resolves, so one shared semaphore could deadlock.
    """
    cap = max(1, options.concurrency)
    resolver = Resolver(manifest.network, timeout=options.timeout, limiter=asyncio.Semaphore(cap))
    ca = manifest.network.ca_bundle
    async with HttpClient(
        manifest.network,
        resolver,
        ca_bundle=manifest.resolve_path(ca) if ca else None,
        timeout=options.timeout,
        limiter=asyncio.Semaphore(cap),
    ) as http:
        yield CheckContext(
            manifest,
            resolver,
            http,
            options.timeout,
            now,
            probe_rate_limits=options.probe_rate_limits,
            lighthouse=options.lighthouse,
            load=options.load,
        )


async def run_audit(
    manifest: Manifest,
    options: AuditOptions | None = None,
    *,
    areas: Sequence[Area] = AUDIT_AREAS,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Report:
    """Audit ``manifest`` over ``areas``; never raises for a problem inside an area."""
    opts = options or AuditOptions()
    sink = progress or Progress()
    started_at = now()
    clock = time.perf_counter()
    sink.start([a.name for a in areas])
    async with open_context(manifest, opts, now) as ctx:
        outcomes = await asyncio.gather(*(_attempt(area, ctx, opts, sink) for area in areas))
    report = Report(
        tool=ToolInfo("launchready", __version__),
        site=manifest.site.domain,
        started_at=started_at,
        duration_ms=round((time.perf_counter() - clock) * 1000),
        findings=sort_findings(join_edge([f for _, found in outcomes for f in found])),
        checks=tuple(attempt for attempt, _ in outcomes),
        extras=dict(ctx.deliverables),
    )
    return redact_report(report, manifest)


def command_report(
    manifest: Manifest,
    area: str,
    findings: Sequence[Finding],
    *,
    command: str,
    started_at: datetime,
    clock: float,
    extras: Mapping[str, JSONValue],
) -> Report:
    """The redacted report of a command that ran one area on its own (``chaos``, ``deploy
    check``, ``deploy drill``); ``clock`` is the ``perf_counter`` at its start."""
    elapsed = round((time.perf_counter() - clock) * 1000)
    report = area_report(
        manifest.site.domain,
        CheckAttempt(area, AttemptStatus.RAN, elapsed),
        findings,
        started_at=started_at,
        extras=extras,
        command=command,
    )
    return redact_report(report, manifest)


def redact_report(report: Report, manifest: Manifest) -> Report:
    """Hide every ``${VAR}`` value of ``manifest`` from ``report``: findings (before their
    fingerprints are used), attempt reasons and deliverables. Every command that reports on
    a manifest passes its report through here."""
    redactor = Redactor(manifest.secret_values)
    if not redactor:
        return report
    return replace(
        report,
        findings=tuple(_redacted(f, redactor) for f in report.findings),
        checks=tuple(_redacted_attempt(a, redactor) for a in report.checks),
        extras={name: redact_json(value, redactor) for name, value in report.extras.items()},
    )


async def _attempt(
    area: Area, ctx: CheckContext, opts: AuditOptions, sink: Progress
) -> tuple[CheckAttempt, list[Finding]]:
    reason = area.skip_reason(ctx.manifest)
    if reason is not None:
        attempt = CheckAttempt(area.name, AttemptStatus.SKIPPED, reason=reason)
        sink.area_finished(attempt, 0)
        return attempt, []
    sink.area_started(area.name)
    started = time.perf_counter()
    findings: list[Finding] = []
    status, why = AttemptStatus.RAN, None
    try:
        findings = await asyncio.wait_for(area.run(ctx), timeout=opts.area_deadline)
    except TimeoutError:
        status, why = (
            AttemptStatus.ERROR,
            f"timeout: the area did not finish within {opts.area_deadline:g}s",
        )
    except CheckError as exc:
        status, why = AttemptStatus.ERROR, f"{exc.kind}: {exc}"
    except Exception as exc:
        log.debug("area %s crashed", area.name, exc_info=True)
        status, why = AttemptStatus.ERROR, f"bug: {type(exc).__name__}: {exc}"
    elapsed = round((time.perf_counter() - started) * 1000)
    attempt = CheckAttempt(area.name, status, elapsed, why)
    sink.area_finished(attempt, len(findings))
    return attempt, findings


def _redacted_attempt(attempt: CheckAttempt, redactor: Redactor) -> CheckAttempt:
    """An error reason may quote a URL or header that carried a ``${VAR}`` value."""
    if not redactor or attempt.reason is None:
        return attempt
    return replace(attempt, reason=redactor(attempt.reason))


def _redacted(item: Finding, redactor: Redactor) -> Finding:
    """Hide ``${VAR}`` values, so no clear secret reaches a hash or a report."""
    return item.with_text(redactor) if redactor else item
