"""What the dashboard, the status page and ``/metrics`` show: one read of the store.

Per check: uptime over 24 hours, 7 days and 30 days (raw results and hourly roll-ups
together) against the 99.9% target, p95 latency and error rate over the last day in
buckets for the charts, the latest verdict from each region and, for certificates, the
days left; then the incidents with their resolved conditions, the alert channels' health,
the regions' last reports and the heartbeats' last pings. Reading is separate from drawing
so each page stays a template and the numbers are tested once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from launchready.monitor.store import Store, as_utc, maybe_utc
from launchready.monitor.tables import (
    ChannelRow,
    CheckRow,
    HeartbeatRow,
    IncidentRow,
    LogPositionRow,
    RegionRow,
    ResultRow,
    RollupRow,
    StateRow,
)

UPTIME_TARGET = 99.9
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
CHART_SPAN = timedelta(hours=24)
BUCKETS = 24
INCIDENTS_SHOWN = 50


@dataclass(frozen=True)
class Bucket:
    start: datetime
    probes: int
    p95_ms: float | None
    error_rate: float
    """Failed probes over probes, 0..1."""


@dataclass(frozen=True)
class CheckView:
    name: str
    kind: str
    target: str
    incident_since: datetime | None
    """When its open incident started; None: no open incident."""
    uptime: dict[str, float | None]
    """Percent per window (``24h``, ``7d``, ``30d``); None: no probe yet."""
    p95_ms: float | None
    error_rate: float | None
    buckets: tuple[Bucket, ...]
    latest_ok: bool | None
    latest_at: datetime | None
    latest_conditions: tuple[str, ...]
    regions: dict[str, bool] = field(default_factory=dict)
    """The latest verdict from each region."""
    value: float | None = None
    """The latest measured value: a certificate's days left."""

    @property
    def status(self) -> str:
        if self.incident_since is not None:
            return "down"
        if self.latest_ok is None:
            return "pending"
        return "up" if self.latest_ok else "failing"

    @property
    def below_target(self) -> bool:
        day = self.uptime.get("24h")
        return day is not None and day < UPTIME_TARGET


@dataclass(frozen=True)
class IncidentView:
    check: str
    kind: str
    opened_at: datetime
    closed_at: datetime | None
    conditions: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def duration(self) -> timedelta | None:
        return self.closed_at - self.opened_at if self.closed_at else None


@dataclass(frozen=True)
class ChannelView:
    channel: str
    sent: int
    failed: int
    last_ok_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None

    @property
    def healthy(self) -> bool:
        if self.last_failure_at is None:
            return True
        return self.last_ok_at is not None and self.last_ok_at > self.last_failure_at


@dataclass(frozen=True)
class Overview:
    at: datetime
    checks: tuple[CheckView, ...]
    incidents: tuple[IncidentView, ...]
    """Open ones first, then the most recent closed ones."""
    channels: tuple[ChannelView, ...]
    regions: dict[str, datetime]
    heartbeats: dict[str, datetime]
    log_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    """Lines read so far per (region, followed log file)."""


def overview(store: Store, now: datetime | None = None) -> Overview:
    """Everything the pages show, read in one session."""
    at = now or datetime.now(UTC)
    with Session(store.engine) as session:
        checks = session.execute(
            select(CheckRow.id, CheckRow.name, CheckRow.kind, CheckRow.target).order_by(CheckRow.id)
        ).all()
        open_since = {
            check_id: as_utc(opened)
            for check_id, opened in session.execute(
                select(StateRow.check_id, StateRow.incident_opened_at)
            )
            if opened is not None
        }
        uptimes = {name: _uptime(session, at - span) for name, span in WINDOWS.items()}
        recent = _recent(session, at - CHART_SPAN)
        latest = _latest(session)
        views = []
        for check_id, name, kind, target in checks:
            rows = recent.get(check_id, [])
            last = latest.get(check_id, {})
            newest = max(last.values(), key=lambda r: r[0]) if last else None
            views.append(
                CheckView(
                    name=name,
                    kind=kind,
                    target=target,
                    incident_since=open_since.get(check_id),
                    uptime={w: _percent(uptimes[w].get(check_id)) for w in WINDOWS},
                    p95_ms=_p95([lat for _, _, lat in rows]),
                    error_rate=(sum(1 for _, ok, _ in rows if not ok) / len(rows))
                    if rows
                    else None,
                    buckets=_buckets(rows, at),
                    latest_ok=newest[1] if newest else None,
                    latest_at=newest[0] if newest else None,
                    latest_conditions=newest[2] if newest else (),
                    regions={region: r[1] for region, r in sorted(last.items())},
                    value=newest[3] if newest else None,
                )
            )
        return Overview(
            at=at,
            checks=tuple(views),
            incidents=_incidents(session),
            channels=tuple(
                ChannelView(
                    c.channel,
                    c.sent,
                    c.failed,
                    maybe_utc(c.last_ok_at),
                    maybe_utc(c.last_failure_at),
                    c.last_error,
                )
                for c in session.scalars(select(ChannelRow).order_by(ChannelRow.channel))
            ),
            regions={
                name: as_utc(seen)
                for name, seen in session.execute(select(RegionRow.name, RegionRow.last_seen_at))
            },
            heartbeats={
                name: as_utc(seen)
                for name, seen in session.execute(
                    select(HeartbeatRow.name, HeartbeatRow.last_ping_at)
                )
            },
            log_lines={
                (region, path): lines
                for region, path, lines in session.execute(
                    select(LogPositionRow.region, LogPositionRow.path, LogPositionRow.lines)
                )
            },
        )


def _uptime(session: Session, since: datetime) -> dict[int, tuple[int, int]]:
    """(probes, failures) per check since ``since``, raw and rolled up."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    failed = func.sum(case((ResultRow.ok, 0), else_=1))
    for check_id, probes, failures in session.execute(
        select(ResultRow.check_id, func.count(), failed)
        .where(ResultRow.at >= since)
        .group_by(ResultRow.check_id)
    ):
        totals[check_id][0] += probes
        totals[check_id][1] += failures or 0
    for check_id, probes, failures in session.execute(
        select(RollupRow.check_id, func.sum(RollupRow.probes), func.sum(RollupRow.failures))
        .where(RollupRow.hour >= since)
        .group_by(RollupRow.check_id)
    ):
        totals[check_id][0] += probes or 0
        totals[check_id][1] += failures or 0
    return {check_id: (p, f) for check_id, (p, f) in totals.items()}


def _recent(session: Session, since: datetime) -> dict[int, list[tuple[datetime, bool, float]]]:
    rows: dict[int, list[tuple[datetime, bool, float]]] = defaultdict(list)
    for check_id, at, ok, latency in session.execute(
        select(ResultRow.check_id, ResultRow.at, ResultRow.ok, ResultRow.latency_ms).where(
            ResultRow.at >= since
        )
    ):
        rows[check_id].append((as_utc(at), ok, latency or 0.0))
    return rows


Latest = tuple[datetime, bool, tuple[str, ...], float | None]


def _latest(session: Session) -> dict[int, dict[str, Latest]]:
    """The newest result of each check from each region."""
    newest = (
        select(ResultRow.check_id, ResultRow.region, func.max(ResultRow.id).label("id"))
        .group_by(ResultRow.check_id, ResultRow.region)
        .subquery()
    )
    found: dict[int, dict[str, Latest]] = defaultdict(dict)
    for row in session.scalars(select(ResultRow).join(newest, ResultRow.id == newest.c.id)):
        found[row.check_id][row.region] = (
            as_utc(row.at),
            row.ok,
            tuple(row.conditions.splitlines()),
            row.value,
        )
    return found


def _incidents(session: Session) -> tuple[IncidentView, ...]:
    rows = session.execute(
        select(IncidentRow, CheckRow.name, CheckRow.kind)
        .join(CheckRow, CheckRow.id == IncidentRow.check_id)
        .order_by(IncidentRow.closed_at.is_not(None), IncidentRow.opened_at.desc())
        .limit(INCIDENTS_SHOWN)
    ).all()
    return tuple(
        IncidentView(
            check=name,
            kind=kind,
            opened_at=as_utc(row.opened_at),
            closed_at=maybe_utc(row.closed_at),
            conditions=tuple(row.conditions.splitlines()),
            regions=tuple(r for r in (row.regions or "").split(",") if r),
        )
        for row, name, kind in rows
    )


def _buckets(rows: list[tuple[datetime, bool, float]], now: datetime) -> tuple[Bucket, ...]:
    """The chart's points: the span from the first result (at most a day ago) to now, cut in
    :data:`BUCKETS` equal slices, so a monitor started minutes ago still draws a line."""
    if not rows:
        return ()
    start = min(at for at, _, _ in rows)
    width = max((now - start) / BUCKETS, timedelta(seconds=1))
    slices: list[list[tuple[bool, float]]] = [[] for _ in range(BUCKETS)]
    for at, ok, latency in rows:
        slices[min(int((at - start) / width), BUCKETS - 1)].append((ok, latency))
    return tuple(
        Bucket(
            start + index * width,
            len(items),
            _p95([lat for _, lat in items]),
            sum(1 for ok, _ in items if not ok) / len(items),
        )
        for index, items in enumerate(slices)
        if items
    )


def _p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1)


def _percent(totals: tuple[int, int] | None) -> float | None:
    if not totals or not totals[0]:
        return None
    probes, failures = totals
    return round(100.0 * (probes - failures) / probes, 3)
