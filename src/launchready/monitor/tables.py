"""The monitor's store: what it saw, what it decided, and what it still has to send.

The decision state of each check and the notices it calls for are written in the same
transaction as the probe result (an outbox): a ``kill -9`` between two probes loses
nothing, and a notice is marked sent only after a channel accepted it, so a restart
resends what was not sent and never what was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CheckRow(Base):
    __tablename__ = "checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(Text)


class ResultRow(Base):
    """One probe from one region; kept raw for 7 days."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), index=True)
    region: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    conditions: Mapped[str] = mapped_column(Text)
    """The resolved conditions, one per line: ``[STATUS] (503) == 200``."""
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    """What the probe measured beyond latency, when its kind has it: a certificate's days
    left."""


class RegionStateRow(Base):
    """One region's streak for one check (launchready.monitor.decide.Streak)."""

    __tablename__ = "region_state"
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    successes: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    down_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conditions: Mapped[str] = mapped_column(Text)


class RegionRow(Base):
    """When each region's monitor last reported; silent regions leave the quorum."""

    __tablename__ = "regions"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChannelRow(Base):
    """How an alert channel has been doing, for the dashboard (never its credentials)."""

    __tablename__ = "channels"
    channel: Mapped[str] = mapped_column(String(300), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class StateRow(Base):
    """A check's open incident (launchready.monitor.decide.Incident), if any; its row is
    also the lock that serialises the regions' decisions about the check."""

    __tablename__ = "check_state"
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), primary_key=True)
    incident_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    incident_conditions: Mapped[str | None] = mapped_column(Text)
    last_notice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conditions: Mapped[str] = mapped_column(Text)
    regions: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The regions that saw it down, comma-separated."""


class OutboxRow(Base):
    """A notice to send; ``sent_at`` is set once a channel accepted it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    failure: Mapped[bool] = mapped_column(Boolean)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The region whose monitor is sending it; the others leave it alone until
    ``claimed_until`` (a monitor that died mid-send frees it then; its own region's
    restarted monitor takes it back at once)."""
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HeartbeatRow(Base):
    """The last ping of a background job."""

    __tablename__ = "heartbeats"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_ping_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RollupRow(Base):
    """One check's probes from one region in one hour, kept 400 days after the raw rows go."""

    __tablename__ = "rollups"
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    probes: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    latency_sum_ms: Mapped[float] = mapped_column(Float)
    latency_max_ms: Mapped[float] = mapped_column(Float)


class LogPositionRow(Base):
    """Where one region's monitor is in one followed log file: the file's identity, the
    offset after the last line handled, the bytes before it (to recognise a copytruncate),
    and how many lines it has read there in all."""

    __tablename__ = "log_positions"
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    device: Mapped[int] = mapped_column(BigInteger)
    inode: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    lines: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
