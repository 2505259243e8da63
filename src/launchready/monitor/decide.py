"""Deciding when to alert: pure functions from what each region saw to the notices to send.

Split from building a message and from sending it (Gatus separates ``alerting/`` from
``watchdog/alerting.go`` the same way), so the rules the roadmap sets — alert after two
consecutive failures, exactly one alert per incident, exactly one recovery with the
downtime, optional reminders while still down — are proven on sequences of outcomes,
without a clock, a network or a database. The store persists the returned state and the
notices in one transaction, which is what makes a restart neither lose nor repeat one.

Two steps, because several monitors in different regions may watch the same check:
:func:`observe` keeps one region's streak (is this check down *from here*?), and
:func:`decide` turns the streaks of the regions still reporting into the one incident
customers would notice: it opens only when a quorum of them (by default all) see the check
down, so one region's network trouble is never a customer-facing alert. With a single
region the two steps are exactly "alert after ``alert_after`` failures in a row".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

NoticeKind = Literal["alert", "recovery", "reminder", "retired"]
"""``retired``: an operator retired the silent region the incident was about (never
decided here: see ``Store.retire_region``)."""


@dataclass(frozen=True)
class Policy:
    """``monitor`` section: when an incident opens, closes, and is recalled."""

    alert_after: int = 2
    """Consecutive failures that make a check down from one region (the roadmap: two)."""
    recover_after: int = 1
    """Consecutive successes that make it up again."""
    remind_every: timedelta | None = None
    """Repeat the alert while the incident stays open; None: never."""
    quorum: int | None = None
    """Regions that must see a check down before it is an incident; None: every region
    still reporting."""
    active_window: timedelta = timedelta(minutes=3)
    """A region that reported within this window counts toward the quorum (three
    intervals); one that did not is silent, and that is an alert of its own."""

    def __post_init__(self) -> None:
        if self.alert_after < 1 or self.recover_after < 1:
            raise ValueError("alert_after and recover_after are at least 1")
        if self.quorum is not None and self.quorum < 1:
            raise ValueError("quorum is at least 1")


@dataclass(frozen=True)
class Outcome:
    """One probe of one check: whether every condition held, when, and the conditions in
    resolved form (``[STATUS] (503) == 200``) so the alert can say why."""

    ok: bool
    at: datetime
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Streak:
    """One region's recent results for one check."""

    failures: int = 0
    """Consecutive failed probes up to now."""
    successes: int = 0
    """Consecutive passed probes up to now."""
    first_failure_at: datetime | None = None
    """The first failure of the current run of failures."""
    down_since: datetime | None = None
    """Set once ``alert_after`` failures in a row were seen (to the first of them); cleared
    after ``recover_after`` successes."""
    conditions: tuple[str, ...] = ()
    """The failing conditions of the last failure."""


@dataclass(frozen=True)
class Incident:
    opened_at: datetime
    """When the first of the failures that opened it was seen."""
    conditions: tuple[str, ...]
    """The failing conditions of the probe that opened it."""
    last_notice_at: datetime


@dataclass(frozen=True)
class Notice:
    """Something to tell the owners; built into a message and sent elsewhere."""

    kind: NoticeKind
    opened_at: datetime
    at: datetime
    conditions: tuple[str, ...]
    regions: tuple[str, ...] = ()
    """The regions that saw the check down (for an alert or reminder)."""

    @property
    def downtime(self) -> timedelta:
        return self.at - self.opened_at


def observe(streak: Streak, outcome: Outcome, policy: Policy) -> Streak:
    """One region's streak after its probe ``outcome``."""
    if outcome.ok:
        successes = streak.successes + 1
        recovered = successes >= policy.recover_after
        return replace(
            streak,
            failures=0,
            successes=successes,
            first_failure_at=None,
            down_since=None if recovered else streak.down_since,
        )
    first = streak.first_failure_at if streak.failures else outcome.at
    failures = streak.failures + 1
    down_since = streak.down_since
    if down_since is None and failures >= policy.alert_after:
        down_since = first
    return Streak(failures, 0, first, down_since, outcome.conditions)


def decide(
    incident: Incident | None,
    streaks: Mapping[str, Streak],
    active: Collection[str],
    at: datetime,
    policy: Policy,
) -> tuple[Incident | None, tuple[Notice, ...]]:
    """The check's incident after a probe at ``at``, and the notice it calls for (at most
    one), from the streaks of every region; only ``active`` regions count."""
    down = {
        region: streak
        for region, streak in sorted(streaks.items())
        if region in active and streak.down_since is not None
    }
    needed = len(active) if policy.quorum is None else min(policy.quorum, len(active))
    failing = bool(down) and len(down) >= needed
    regions = tuple(down)
    if incident is None:
        if not failing:
            return None, ()
        # The incident began when the last region the quorum needs went down.
        starts = sorted(s.down_since for s in down.values() if s.down_since is not None)
        opened_at = starts[max(needed, 1) - 1]
        latest = max(down.values(), key=lambda s: s.first_failure_at or opened_at)
        opened = Incident(opened_at, latest.conditions, at)
        return opened, (Notice("alert", opened_at, at, latest.conditions, regions),)
    if not failing:
        return None, (Notice("recovery", incident.opened_at, at, incident.conditions),)
    due = policy.remind_every is not None and at - incident.last_notice_at >= (policy.remind_every)
    if not due:
        return incident, ()
    conditions = next(iter(down.values())).conditions
    reminder = Notice("reminder", incident.opened_at, at, conditions, regions)
    return replace(incident, last_notice_at=at), (reminder,)
