"""The monitor's store (SQLAlchemy 2; SQLite by default, PostgreSQL for teams and regions).

:meth:`Store.record` is the one write of a probe: the result, the check's new decision
state, the incident it opens or closes and the notices it calls for, in one transaction.
Sending reads :meth:`Store.pending` and marks each notice with :meth:`Store.mark`, so a
restart (even ``kill -9``) resends exactly what no channel accepted. The schema is kept by
Alembic migrations, applied when the store opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, select
from sqlalchemy.orm import Session

from launchready.monitor.decide import CheckState, Incident, Notice, Outcome, Policy, decide
from launchready.monitor.message import Message
from launchready.monitor.tables import (
    CheckRow,
    HeartbeatRow,
    IncidentRow,
    OutboxRow,
    ResultRow,
    RollupRow,
    StateRow,
)

Builder = Callable[[Notice], Message]
RAW_KEPT = timedelta(days=7)
ROLLUPS_KEPT = timedelta(days=400)


@dataclass(frozen=True)
class Pending:
    id: int
    check: str
    kind: str
    message: Message
    attempts: int


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a new store, or one from an older version)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("launchready.monitor") / "migrations")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def record(
        self,
        check: str,
        kind: str,
        target: str,
        region: str,
        outcome: Outcome,
        latency_ms: float | None,
        policy: Policy,
        build: Builder,
    ) -> list[Notice]:
        """Store one probe and everything it decides, atomically; the notices it queued."""
        with Session(self.engine) as session, session.begin():
            row = session.scalar(select(CheckRow).where(CheckRow.name == check))
            if row is None:
                row = CheckRow(name=check, kind=kind, target=target)
                session.add(row)
                session.flush()
            state_row = session.get(StateRow, row.id)
            state, notices = decide(_state(state_row), outcome, policy)
            session.add(
                ResultRow(
                    check_id=row.id,
                    region=region,
                    at=outcome.at,
                    ok=outcome.ok,
                    latency_ms=latency_ms,
                    conditions="\n".join(outcome.conditions),
                )
            )
            _save_state(session, row.id, state_row, state)
            for notice in notices:
                _incident(session, row.id, notice)
                message = build(notice)
                session.add(
                    OutboxRow(
                        check_id=row.id,
                        kind=notice.kind,
                        created_at=notice.at,
                        title=message.title,
                        body=message.body,
                        failure=message.failure,
                        attempts=0,
                    )
                )
        return list(notices)

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

    def mark(self, item: int, *, sent: bool, error: str | None = None) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxRow, item)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error
            if sent:
                row.sent_at = datetime.now(UTC)

    def ping(self, name: str, at: datetime) -> None:
        """A background job checked in."""
        with Session(self.engine) as session, session.begin():
            row = session.get(HeartbeatRow, name)
            if row is None:
                session.add(HeartbeatRow(name=name, last_ping_at=at))
            else:
                row.last_ping_at = at

    def last_ping(self, name: str) -> datetime | None:
        with Session(self.engine) as session:
            row = session.get(HeartbeatRow, name)
            return _utc(row.last_ping_at) if row is not None else None

    def compact(self, now: datetime) -> int:
        """Roll raw results older than :data:`RAW_KEPT` into hourly rows and delete them;
        drop roll-ups older than :data:`ROLLUPS_KEPT`. Returns the raw rows rolled up."""
        cutoff = now - RAW_KEPT
        with Session(self.engine) as session, session.begin():
            old = session.scalars(select(ResultRow).where(ResultRow.at < cutoff)).all()
            totals: dict[tuple[int, str, datetime], list[float]] = {}
            for row in old:
                hour = _utc(row.at).replace(minute=0, second=0, microsecond=0)
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
            return [(name, _utc(opened)) for name, opened in rows]


def _state(row: StateRow | None) -> CheckState:
    if row is None:
        return CheckState()
    incident = None
    if row.incident_opened_at is not None and row.last_notice_at is not None:
        conditions = tuple((row.incident_conditions or "").splitlines())
        incident = Incident(_utc(row.incident_opened_at), conditions, _utc(row.last_notice_at))
    first = _utc(row.first_failure_at) if row.first_failure_at is not None else None
    return CheckState(row.failures, row.successes, first, incident)


def _save_state(session: Session, check_id: int, row: StateRow | None, state: CheckState) -> None:
    if row is None:
        row = StateRow(check_id=check_id)
        session.add(row)
    row.failures, row.successes = state.failures, state.successes
    row.first_failure_at = state.first_failure_at
    incident = state.incident
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
            )
        )
    elif notice.kind == "recovery":
        open_row = session.scalar(
            select(IncidentRow).where(
                IncidentRow.check_id == check_id, IncidentRow.closed_at.is_(None)
            )
        )
        if open_row is not None:
            open_row.closed_at = notice.at


def _utc(value: datetime) -> datetime:
    """SQLite hands timezone-aware columns back naive; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
