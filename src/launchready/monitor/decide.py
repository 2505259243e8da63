"""Deciding when to alert: one pure function from a check's state and a probe outcome to
its next state and the notices to send.

Split from building a message and from sending it (Gatus separates ``alerting/`` from
``watchdog/alerting.go`` the same way), so the rules the roadmap sets — alert after two
consecutive failures, exactly one alert per incident, exactly one recovery with the
downtime, optional reminders while still down — are proven on sequences of outcomes,
without a clock, a network or a database. The store persists the returned state and the
notices in one transaction, which is what makes a restart neither lose nor repeat one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

NoticeKind = Literal["alert", "recovery", "reminder"]


@dataclass(frozen=True)
class Policy:
    """``monitor`` section: when an incident opens, closes, and is recalled."""

    alert_after: int = 2
    """Consecutive failures that open an incident (the roadmap: two)."""
    recover_after: int = 1
    """Consecutive successes that close it."""
    remind_every: timedelta | None = None
    """Repeat the alert while the incident stays open; None: never."""

    def __post_init__(self) -> None:
        if self.alert_after < 1 or self.recover_after < 1:
            raise ValueError("alert_after and recover_after are at least 1")


@dataclass(frozen=True)
class Outcome:
    """One probe of one check: whether every condition held, when, and the conditions in
    resolved form (``[STATUS] (503) == 200``) so the alert can say why."""

    ok: bool
    at: datetime
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incident:
    opened_at: datetime
    """When the first of the failures that opened it was seen."""
    conditions: tuple[str, ...]
    """The failing conditions of the probe that opened it."""
    last_notice_at: datetime


@dataclass(frozen=True)
class CheckState:
    failures: int = 0
    """Consecutive failed probes up to now."""
    successes: int = 0
    """Consecutive passed probes up to now."""
    first_failure_at: datetime | None = None
    incident: Incident | None = None


@dataclass(frozen=True)
class Notice:
    """Something to tell the owners; built into a message and sent elsewhere."""

    kind: NoticeKind
    opened_at: datetime
    at: datetime
    conditions: tuple[str, ...]

    @property
    def downtime(self) -> timedelta:
        return self.at - self.opened_at


def decide(
    state: CheckState, outcome: Outcome, policy: Policy
) -> tuple[CheckState, tuple[Notice, ...]]:
    """The state after ``outcome`` and the notices it calls for (at most one)."""
    if outcome.ok:
        return _passed(state, outcome, policy)
    return _failed(state, outcome, policy)


def _failed(
    state: CheckState, outcome: Outcome, policy: Policy
) -> tuple[CheckState, tuple[Notice, ...]]:
    first = state.first_failure_at if state.failures else outcome.at
    failed = replace(state, failures=state.failures + 1, successes=0, first_failure_at=first)
    incident = state.incident
    if incident is None:
        if failed.failures < policy.alert_after:
            return failed, ()
        assert first is not None
        opened = Incident(first, outcome.conditions, outcome.at)
        notice = Notice("alert", first, outcome.at, outcome.conditions)
        return replace(failed, incident=opened), (notice,)
    due = policy.remind_every is not None and outcome.at - incident.last_notice_at >= (
        policy.remind_every
    )
    if not due:
        return failed, ()
    reminded = replace(incident, last_notice_at=outcome.at)
    notice = Notice("reminder", incident.opened_at, outcome.at, outcome.conditions)
    return replace(failed, incident=reminded), (notice,)


def _passed(
    state: CheckState, outcome: Outcome, policy: Policy
) -> tuple[CheckState, tuple[Notice, ...]]:
    passed = replace(state, failures=0, successes=state.successes + 1, first_failure_at=None)
    incident = state.incident
    if incident is None:
        return passed, ()
    if passed.successes < policy.recover_after:
        return passed, ()
    notice = Notice("recovery", incident.opened_at, outcome.at, incident.conditions)
    return replace(passed, incident=None), (notice,)
