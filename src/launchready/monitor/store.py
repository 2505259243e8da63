"""The monitor's store (SQLAlchemy 2; SQLite by default, PostgreSQL for teams and regions).

:meth:`Store.record` is the one write of a probe: the result, the region's streak, the
check's incident and the notices it calls for, in one transaction that holds the check's
row lock, so monitors of several regions sharing one PostgreSQL decide about a check one at
a time. Sending reads :meth:`Store.pending` and marks each notice with :meth:`Store.mark`,
so a restart (even ``kill -9``) resends exactly what no channel accepted. The schema is
kept by Alembic migrations, applied when the store opens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, make_url, or_, select, text
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError
from sqlalchemy.orm import Session

from launchready.errors import InputError
from launchready.monitor.decide import Incident, Notice, Outcome, Policy, Streak, decide, observe
from launchready.monitor.logfollow import Position
from launchready.monitor.message import Message
from launchready.monitor.tables import (
    ChannelRow,
    CheckRow,
    HeartbeatRow,
    IncidentRow,
    LogPositionRow,
    OutboxRow,
    RegionRow,
    RegionStateRow,
    ResultRow,
    RollupRow,
    StateRow,
)

Builder = Callable[[Notice], Message]
RAW_KEPT = timedelta(days=7)
ROLLUPS_KEPT = timedelta(days=400)
REGIONS_REFRESH = timedelta(seconds=1)
CLAIM_LEASE = timedelta(minutes=5)
"""How long a claimed notice is left to its sender (sending with retries takes seconds)."""
MIGRATION_LOCK = 0x6C61756E6368
"""PostgreSQL advisory lock key: monitors starting together migrate one after another."""


@dataclass(frozen=True)
class Pending:
    id: int
    check: str
    kind: str
    message: Message
    attempts: int


@dataclass(frozen=True)
class LogMark:
    """How far a region's monitor has read one log file, and how many lines in all."""

    path: str
    position: Position
    lines: int


@dataclass(frozen=True)
class Observation:
    """One probe of one check from one region, as the store keeps it."""

    check: str
    kind: str
    target: str
    region: str
    outcome: Outcome
    latency_ms: float | None = None
    value: float | None = None
    """What the probe measured beyond latency (a certificate's days left)."""


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a new store, or one from an older version)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("launchready.monitor") / "migrations")
    )
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files run in WAL mode, so the dashboard reads while
    probes write, with ``synchronous=NORMAL`` (durable at each checkpoint, and a crash
    never corrupts the file)."""
    try:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":  # psycopg 3, not SQLAlchemy's psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError) as wrong:
        raise InputError(
            f"--db: {wrong}; write sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from wrong
    except ModuleNotFoundError as missing:
        raise InputError(
            f"--db {parsed.render_as_string(hide_password=True)}: the driver is not installed"
            f" ({missing.name}); for PostgreSQL: pip install 'launchready[postgres]'"
        ) from missing
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


class Store:
    def __init__(self, url: str) -> None:
        self.engine = open_engine(url)
        migrate(self.engine)
        self._check_ids: dict[str, int] = {}
        # SQLite has one writer at a time, and a deferred transaction that reads and then
        # writes can fail at once rather than wait; this process's writes take turns instead.
        # (PostgreSQL needs no such lock: the check's row lock orders the regions.)
        self._writing = threading.Lock() if self.engine.dialect.name == "sqlite" else None
        self._regions_read: dict[str, tuple[datetime, set[str]]] = {}

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writing or nullcontext(), Session(self.engine) as session, session.begin():
            yield session

    def check_id(self, name: str, kind: str, target: str) -> int:
        """The check's id, created (with its state row) the first time any region sees it."""
        known = self._check_ids.get(name)
        if known is not None:
            return known
        for _attempt in range(2):
            try:
                with self._write() as session:
                    row = session.scalar(select(CheckRow).where(CheckRow.name == name))
                    if row is None:
                        row = CheckRow(name=name, kind=kind, target=target)
                        session.add(row)
                        session.flush()
                        session.add(StateRow(check_id=row.id))
                    else:
                        row.kind, row.target = kind, target
                    self._check_ids[name] = row.id
                    return row.id
            except IntegrityError:  # another region created it first: read it again
                continue
        raise RuntimeError(f"could not register check {name!r}")

    def record(self, seen: Observation, policy: Policy, build: Builder) -> list[Notice]:
        """Store one probe and everything it decides, atomically; the notices it queued."""
        check_id = self.check_id(seen.check, seen.kind, seen.target)
        outcome = seen.outcome
        with self._write() as session:
            state_row = session.scalar(
                select(StateRow).where(StateRow.check_id == check_id).with_for_update()
            )
            if state_row is None:  # a store whose check predates its state row
                state_row = StateRow(check_id=check_id)
                session.add(state_row)
            streak_rows = {
                r.region: r
                for r in session.scalars(
                    select(RegionStateRow).where(RegionStateRow.check_id == check_id)
                )
            }
            streaks = {region: _streak(row) for region, row in streak_rows.items()}
            streaks[seen.region] = observe(streaks.get(seen.region, Streak()), outcome, policy)
            _save_streak(session, check_id, seen.region, streak_rows, streaks[seen.region])
            active = self._active(session, seen.region, outcome.at, policy.active_window)
            incident, notices = decide(_incident_of(state_row), streaks, active, outcome.at, policy)
            _save_incident(state_row, incident)
            session.add(
                ResultRow(
                    check_id=check_id,
                    region=seen.region,
                    at=outcome.at,
                    ok=outcome.ok,
                    latency_ms=seen.latency_ms,
                    conditions="\n".join(outcome.conditions),
                    value=seen.value,
                )
            )
            for notice in notices:
                _incident(session, check_id, notice)
                session.add(_outbox(check_id, notice, build(notice)))
        return list(notices)

    def _active(self, session: Session, region: str, at: datetime, window: timedelta) -> set[str]:
        """The regions that reported within ``window`` before ``at``, this one included.
        Its own report is written, and the others read, at most once a second: a window of
        three intervals does not need more, and 5,000 probes a minute save two statements
        each."""
        cached = self._regions_read.get(region)
        if cached is not None and timedelta(0) <= at - cached[0] < REGIONS_REFRESH:
            return cached[1]
        _seen(session, region, at)
        active = _active_regions(session, at - window) | {region}
        self._regions_read[region] = (at, active)
        return active

    def regions(self) -> dict[str, datetime]:
        """Every region that ever reported, with its last report."""
        with Session(self.engine) as session:
            rows = session.execute(select(RegionRow.name, RegionRow.last_seen_at)).all()
            return {name: as_utc(at) for name, at in rows}

    def pending(self) -> list[Pending]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(OutboxRow, CheckRow.name)
                .join(CheckRow, CheckRow.id == OutboxRow.check_id)
                .where(OutboxRow.sent_at.is_(None))
                .order_by(OutboxRow.id)
            ).all()
            return [
                Pending(o.id, name, o.kind, Message(o.title, o.body, o.failure), o.attempts)
                for o, name in rows
            ]

    def claim(self, region: str, now: datetime, lease: timedelta = CLAIM_LEASE) -> list[Pending]:
        """The unsent notices this region's monitor may send now, claimed for ``lease``:
        of several regions sharing the store, exactly one sends each notice."""
        with self._write() as session:
            free = or_(
                OutboxRow.claimed_by.is_(None),
                OutboxRow.claimed_by == region,
                OutboxRow.claimed_until < now,
            )
            rows = session.execute(
                select(OutboxRow, CheckRow.name)
                .join(CheckRow, CheckRow.id == OutboxRow.check_id)
                .where(OutboxRow.sent_at.is_(None), free)
                .order_by(OutboxRow.id)
                .with_for_update(skip_locked=True, of=OutboxRow)
            ).all()
            for row, _name in rows:
                row.claimed_by, row.claimed_until = region, now + lease
            return [
                Pending(o.id, name, o.kind, Message(o.title, o.body, o.failure), o.attempts)
                for o, name in rows
            ]

    def mark(self, item: int, *, sent: bool, error: str | None = None) -> None:
        """A send's result; a notice not sent is released for any region to retry."""
        with self._write() as session:
            row = session.get(OutboxRow, item)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error
            if sent:
                row.sent_at = datetime.now(UTC)
            else:
                row.claimed_by = row.claimed_until = None

    def channel_result(
        self, channel: str, at: datetime, *, ok: bool, error: str | None = None
    ) -> None:
        """How one delivery to ``channel`` (its masked description) went."""
        with self._write() as session:
            row = session.get(ChannelRow, channel)
            if row is None:
                row = ChannelRow(channel=channel, sent=0, failed=0)
                session.add(row)
            if ok:
                row.sent += 1
                row.last_ok_at = at
            else:
                row.failed += 1
                row.last_failure_at, row.last_error = at, error

    def ping(self, name: str, at: datetime) -> None:
        """A background job checked in."""
        with self._write() as session:
            row = session.get(HeartbeatRow, name)
            if row is None:
                session.add(HeartbeatRow(name=name, last_ping_at=at))
            else:
                row.last_ping_at = at

    def last_ping(self, name: str) -> datetime | None:
        with Session(self.engine) as session:
            row = session.get(HeartbeatRow, name)
            return as_utc(row.last_ping_at) if row is not None else None

    def retire_region(self, region: str, check: str, at: datetime, build: Builder) -> Notice | None:
        """Forget a decommissioned region, so that its silence stops being an incident.

        Its last report and its streaks go; the incident of ``check`` (the region's own
        "region NAME" check) closes with a ``retired`` notice queued for the running
        monitors to send, so whoever got the DOWN also hears why it ended. A monitor still
        running in that region simply joins again with its next report. Raises
        :class:`KeyError` for a region that never reported."""
        with self._write() as session:
            if session.get(RegionRow, region) is None:
                raise KeyError(region)
            quiet = {"synchronize_session": False}
            session.execute(
                delete(RegionRow).where(RegionRow.name == region).execution_options(**quiet)
            )
            session.execute(
                delete(RegionStateRow)
                .where(RegionStateRow.region == region)
                .execution_options(**quiet)
            )
            check_row = session.scalar(select(CheckRow).where(CheckRow.name == check))
            if check_row is None:
                return None
            # The other regions' streaks of "region NAME" start again from nothing.
            session.execute(
                delete(RegionStateRow)
                .where(RegionStateRow.check_id == check_row.id)
                .execution_options(**quiet)
            )
            state_row = session.scalar(
                select(StateRow).where(StateRow.check_id == check_row.id).with_for_update()
            )
            if state_row is None or (incident := _incident_of(state_row)) is None:
                return None
            _save_incident(state_row, None)
            notice = Notice("retired", incident.opened_at, at, incident.conditions)
            _incident(session, check_row.id, notice)
            session.add(_outbox(check_row.id, notice, build(notice)))
        return notice

    def log_marks(self, region: str) -> dict[str, LogMark]:
        """Where this region's monitor stopped in each log file it follows."""
        with Session(self.engine) as session:
            rows = session.scalars(select(LogPositionRow).where(LogPositionRow.region == region))
            return {
                row.path: LogMark(
                    row.path,
                    Position(row.device, row.inode, row.offset, row.fingerprint),
                    row.lines,
                )
                for row in rows
            }

    def save_log_marks(self, region: str, marks: list[LogMark], at: datetime) -> None:
        """Positions after lines were handled, all in one transaction."""
        if not marks:
            return
        with self._write() as session:
            for mark in marks:
                row = session.get(LogPositionRow, (region, mark.path))
                if row is None:
                    row = LogPositionRow(region=region, path=mark.path)
                    session.add(row)
                row.device, row.inode = mark.position.device, mark.position.inode
                row.offset, row.fingerprint = mark.position.offset, mark.position.fingerprint
                row.lines, row.updated_at = mark.lines, at

    def compact(self, now: datetime) -> int:
        """Roll raw results older than :data:`RAW_KEPT` into hourly rows and delete them;
        drop roll-ups older than :data:`ROLLUPS_KEPT`. Returns the raw rows rolled up."""
        cutoff = now - RAW_KEPT
        with self._write() as session:
            old = session.scalars(select(ResultRow).where(ResultRow.at < cutoff)).all()
            totals: dict[tuple[int, str, datetime], list[float]] = {}
            for row in old:
                hour = as_utc(row.at).replace(minute=0, second=0, microsecond=0)
                entry = totals.setdefault((row.check_id, row.region, hour), [0, 0, 0.0, 0.0])
                latency = row.latency_ms or 0.0
                entry[0] += 1
                entry[1] += 0 if row.ok else 1
                entry[2] += latency
                entry[3] = max(entry[3], latency)
            for (check_id, region, hour), (probes, failures, total, top) in totals.items():
                rollup = session.get(RollupRow, (check_id, region, hour))
                if rollup is None:
                    rollup = RollupRow(
                        check_id=check_id,
                        region=region,
                        hour=hour,
                        probes=0,
                        failures=0,
                        latency_sum_ms=0.0,
                        latency_max_ms=0.0,
                    )
                    session.add(rollup)
                rollup.probes += int(probes)
                rollup.failures += int(failures)
                rollup.latency_sum_ms += total
                rollup.latency_max_ms = max(rollup.latency_max_ms, top)
            # No in-session bookkeeping for the bulk deletes: SQLite hands datetimes back
            # naive, and nothing loaded here is used after the commit.
            quiet = {"synchronize_session": False}
            session.execute(
                delete(ResultRow).where(ResultRow.at < cutoff).execution_options(**quiet)
            )
            session.execute(
                delete(RollupRow)
                .where(RollupRow.hour < now - ROLLUPS_KEPT)
                .execution_options(**quiet)
            )
            return len(old)

    def uptime(self, check: str, since: datetime) -> tuple[int, int]:
        """(probes, failures) of ``check`` since ``since``, raw rows and roll-ups together."""
        with Session(self.engine) as session:
            row = session.scalar(select(CheckRow).where(CheckRow.name == check))
            if row is None:
                return 0, 0
            raw = session.scalars(
                select(ResultRow.ok).where(ResultRow.check_id == row.id, ResultRow.at >= since)
            ).all()
            rolled = session.execute(
                select(RollupRow.probes, RollupRow.failures).where(
                    RollupRow.check_id == row.id, RollupRow.hour >= since
                )
            ).all()
            probes = len(raw) + sum(p for p, _ in rolled)
            failures = sum(1 for ok in raw if not ok) + sum(f for _, f in rolled)
            return probes, failures

    def open_incidents(self) -> list[tuple[str, datetime]]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(CheckRow.name, IncidentRow.opened_at)
                .join(CheckRow, CheckRow.id == IncidentRow.check_id)
                .where(IncidentRow.closed_at.is_(None))
            ).all()
            return [(name, as_utc(opened)) for name, opened in rows]


def _seen(session: Session, region: str, at: datetime) -> None:
    row = session.get(RegionRow, region)
    if row is None:
        session.add(RegionRow(name=region, last_seen_at=at))
    elif as_utc(row.last_seen_at) < at:
        row.last_seen_at = at


def _active_regions(session: Session, since: datetime) -> set[str]:
    return set(session.scalars(select(RegionRow.name).where(RegionRow.last_seen_at >= since)))


def _streak(row: RegionStateRow) -> Streak:
    return Streak(
        row.failures,
        row.successes,
        maybe_utc(row.first_failure_at),
        maybe_utc(row.down_since),
        tuple(row.conditions.splitlines()),
    )


def _save_streak(
    session: Session,
    check_id: int,
    region: str,
    rows: dict[str, RegionStateRow],
    streak: Streak,
) -> None:
    row = rows.get(region)
    if row is None:
        row = RegionStateRow(check_id=check_id, region=region)
        session.add(row)
    row.failures, row.successes = streak.failures, streak.successes
    row.first_failure_at, row.down_since = streak.first_failure_at, streak.down_since
    row.conditions = "\n".join(streak.conditions)


def _incident_of(row: StateRow) -> Incident | None:
    if row.incident_opened_at is None or row.last_notice_at is None:
        return None
    conditions = tuple((row.incident_conditions or "").splitlines())
    return Incident(as_utc(row.incident_opened_at), conditions, as_utc(row.last_notice_at))


def _save_incident(row: StateRow, incident: Incident | None) -> None:
    row.incident_opened_at = incident.opened_at if incident else None
    row.incident_conditions = "\n".join(incident.conditions) if incident else None
    row.last_notice_at = incident.last_notice_at if incident else None


def _incident(session: Session, check_id: int, notice: Notice) -> None:
    if notice.kind == "alert":
        session.add(
            IncidentRow(
                check_id=check_id,
                opened_at=notice.opened_at,
                conditions="\n".join(notice.conditions),
                regions=",".join(notice.regions),
            )
        )
    elif notice.kind in ("recovery", "retired"):
        open_row = session.scalar(
            select(IncidentRow).where(
                IncidentRow.check_id == check_id, IncidentRow.closed_at.is_(None)
            )
        )
        if open_row is not None:
            open_row.closed_at = notice.at


def _outbox(check_id: int, notice: Notice, message: Message) -> OutboxRow:
    return OutboxRow(
        check_id=check_id,
        kind=notice.kind,
        created_at=notice.at,
        title=message.title,
        body=message.body,
        failure=message.failure,
        attempts=0,
    )


def as_utc(value: datetime) -> datetime:
    """SQLite hands timezone-aware columns back naive; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def maybe_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
