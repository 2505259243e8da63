"""Deciding when to alert, proven on sequences of probe outcomes: a flapping target gets
exactly one alert and one recovery per incident, never one for a single failure."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from launchready.monitor.decide import Incident, Notice, Outcome, Policy, Streak, decide, observe

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def run(pattern: str, policy: Policy | None = None) -> list[tuple[int, Notice]]:
    """Feed ``pattern`` ("." pass, "x" fail, one probe a minute); the notices with the
    index of the probe that caused each."""
    return run_regions({"eu": pattern}, policy)


def run_regions(
    patterns: dict[str, str], policy: Policy | None = None, silent: dict[str, int] | None = None
) -> list[tuple[int, Notice]]:
    """Several regions probing the same check in turn, one round a minute; ``silent``: the
    round from which a region stops reporting (it then leaves the active set)."""
    rules = policy or Policy()
    streaks = {region: Streak() for region in patterns}
    incident: Incident | None = None
    sent: list[tuple[int, Notice]] = []
    for index in range(max(len(p) for p in patterns.values())):
        at = START + index * MINUTE
        active = {r for r in patterns if index < (silent or {}).get(r, 10**9)}
        for region in sorted(active):
            ok = patterns[region][index] == "."
            outcome = Outcome(ok, at, ("[STATUS] (503) == 200",))
            streaks[region] = observe(streaks[region], outcome, rules)
            incident, notices = decide(incident, streaks, active, at, rules)
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


def test_one_region_that_fails_alone_is_not_an_incident() -> None:
    assert run_regions({"eu": "xxxxxx", "us": "......"}) == []


def test_every_reporting_region_must_see_it_down_by_default() -> None:
    notices = run_regions({"eu": "xxxxx..", "us": "..xxxx."})
    assert [(i, n.kind, n.regions) for i, n in notices] == [
        (3, "alert", ("eu", "us")),
        (5, "recovery", ()),
    ]
    # Customers were hit once the last region went down: us, from round 2.
    assert notices[0][1].opened_at == START + 2 * MINUTE


def test_a_quorum_of_one_alerts_on_any_region() -> None:
    notices = run_regions({"eu": "xx..", "us": "...."}, Policy(quorum=1))
    assert [(i, n.kind, n.regions) for i, n in notices] == [
        (1, "alert", ("eu",)),
        (2, "recovery", ()),
    ]


def test_a_silent_region_no_longer_holds_the_quorum_back() -> None:
    # us stops reporting at round 3: eu alone is then every active region.
    notices = run_regions({"eu": "xxxxxx", "us": "......"}, silent={"us": 3})
    assert [(i, n.kind) for i, n in notices] == [(3, "alert")]


def test_a_quorum_is_a_positive_number() -> None:
    with pytest.raises(ValueError, match="quorum"):
        Policy(quorum=0)
