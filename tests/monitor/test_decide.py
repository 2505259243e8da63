"""Deciding when to alert, proven on sequences of probe outcomes: a flapping target gets
exactly one alert and one recovery per incident, never one for a single failure."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from launchready.monitor.decide import CheckState, Notice, Outcome, Policy, decide

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def run(pattern: str, policy: Policy | None = None) -> list[tuple[int, Notice]]:
    """Feed ``pattern`` ("." pass, "x" fail, one probe a minute); the notices with the
    index of the probe that caused each."""
    state, sent = CheckState(), []
    for index, mark in enumerate(pattern):
        outcome = Outcome(mark == ".", START + index * MINUTE, ("[STATUS] (503) == 200",))
        state, notices = decide(state, outcome, policy or Policy())
        sent += [(index, n) for n in notices]
    return sent


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("....", []),
        ("x.x.x.x.", []),  # flapping single failures never reach two in a row
        ("xx..", [(1, "alert"), (2, "recovery")]),
        ("xxxxxx.", [(1, "alert"), (6, "recovery")]),
        ("xx.xx.", [(1, "alert"), (2, "recovery"), (4, "alert"), (5, "recovery")]),
        (".xxx", [(2, "alert")]),
    ],
)
def test_one_alert_and_one_recovery_per_incident(pattern: str, expected: list[object]) -> None:
    assert [(i, n.kind) for i, n in run(pattern)] == expected


def test_the_incident_starts_at_its_first_failure_and_the_recovery_has_the_downtime() -> None:
    (_, alert), (_, recovery) = run(".xxx.")
    assert alert.opened_at == START + MINUTE
    assert alert.conditions == ("[STATUS] (503) == 200",)
    assert recovery.downtime == 3 * MINUTE


def test_recover_after_and_alert_after_are_configurable() -> None:
    policy = Policy(alert_after=3, recover_after=2)
    assert [(i, n.kind) for i, n in run("xx.xxx.x..", policy)] == [(5, "alert"), (9, "recovery")]


def test_reminders_while_still_down() -> None:
    policy = Policy(remind_every=timedelta(minutes=3))
    kinds = [(i, n.kind) for i, n in run("xxxxxxxxx.", policy)]
    assert kinds == [(1, "alert"), (4, "reminder"), (7, "reminder"), (9, "recovery")]


def test_a_policy_must_wait_for_at_least_one_probe() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Policy(alert_after=0)


@pytest.mark.parametrize("seed", range(20))
def test_random_sequences_keep_the_invariants(seed: int) -> None:
    rng = random.Random(seed)
    pattern = "".join(rng.choice(".x") for _ in range(300))
    notices = [n.kind for _, n in run(pattern)]
    # Alerts and recoveries alternate, starting with an alert.
    assert notices == ["alert", "recovery"] * (len(notices) // 2) + (
        ["alert"] if len(notices) % 2 else []
    )
    # One alert per run of two or more failures, and no other.
    runs = [r for r in pattern.split(".") if len(r) >= 2]
    assert notices.count("alert") == len(runs)
