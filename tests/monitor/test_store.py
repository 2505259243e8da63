"""The monitor store on a real SQLite file and on a real PostgreSQL (tests/pglab.py): a
flapping check leaves exactly one alert and one recovery per incident in the outbox, and a
process killed with SIGKILL between probes neither loses a failure count nor repeats an
alert when the next one starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from launchready.monitor.decide import Notice, Outcome, Policy
from launchready.monitor.message import Message, build
from launchready.monitor.store import Observation, Store

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def builder(notice: Notice) -> Message:
    return build(notice, "health", "https://api.shop.test/healthz", "shop.test")


def feed(store: Store, pattern: str, offset: int = 0) -> None:
    for index, mark in enumerate(pattern, start=offset):
        outcome = Outcome(mark == ".", START + timedelta(minutes=index), ("[STATUS] (503) == 200",))
        store.record(health(outcome), Policy(), builder)


def health(outcome: Outcome, region: str = "eu") -> Observation:
    return Observation("health", "http", "https://api.shop.test/healthz", region, outcome, 12.0)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    yield opened
    opened.close()


def test_a_flapping_check_queues_one_alert_and_one_recovery_per_incident(store: Store) -> None:
    feed(store, ".xx..x.xxx.")
    pending = store.pending()
    assert [p.kind for p in pending] == ["alert", "recovery", "alert", "recovery"]
    assert pending[0].message.title == "[shop.test] DOWN: health"
    assert store.open_incidents() == []
    for item in pending:
        store.mark(item.id, sent=True)
    assert store.pending() == []


def test_an_unsent_notice_stays_pending_with_its_error(store: Store) -> None:
    feed(store, "xx")
    (alert,) = store.pending()
    store.mark(alert.id, sent=False, error="HTTP 503 from the webhook")
    (again,) = store.pending()
    assert (again.id, again.attempts) == (alert.id, 1)
    assert store.open_incidents() == [("health", START)]


def test_reopening_a_store_keeps_its_schema_and_state(store_url: str) -> None:
    url = store_url
    first = Store(url)
    feed(first, "x")
    first.close()
    second = Store(url)
    feed(second, "x", offset=1)
    assert [p.kind for p in second.pending()] == ["alert"]
    second.close()


CHILD = """
import sys
from datetime import UTC, datetime, timedelta
from importlib import resources
from launchready.monitor.decide import Outcome, Policy
from launchready.monitor.message import build
from launchready.monitor.store import Observation, Store
store = Store(sys.argv[1])
start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
for line in sys.stdin:
    index, mark = line.split()
    at = start + timedelta(minutes=int(index))
    outcome = Outcome(mark == ".", at, ("[STATUS] (503) == 200",))
    seen = Observation("health", "http", "https://api.shop.test/healthz", "eu", outcome, 12.0)
    store.record(seen, Policy(), lambda n: build(n, "health", "x", "shop.test"))
    print("stored", flush=True)
"""


def test_a_sigkill_between_probes_neither_loses_nor_repeats(store_url: str) -> None:
    url = store_url
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("0 x\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "stored"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    restarted = Store(url)
    feed(restarted, "x", offset=1)  # the second failure in a row: the alert, once
    feed(restarted, "x", offset=2)
    assert [p.kind for p in restarted.pending()] == ["alert"]
    restarted.close()


def test_old_results_roll_up_per_hour_and_compacting_twice_changes_nothing(store: Store) -> None:
    # 10 days of probes, one every 20 minutes, every third one failing.
    for index in range(10 * 24 * 3):
        at = START + timedelta(minutes=20 * index)
        outcome = Outcome(index % 3 != 0, at, ())
        seen = Observation("home", "http", "https://shop.test/", "eu", outcome, 100.0 + index % 3)
        store.record(seen, Policy(alert_after=1000), builder)
    now = START + timedelta(days=10)
    before = store.uptime("home", START)
    rolled = store.compact(now)
    assert rolled == 3 * 3 * 24  # the three days older than seven
    assert store.uptime("home", START) == before == (720, 240)
    assert store.compact(now) == 0
    assert store.uptime("home", START) == (720, 240)
    # An hour split across two compactions adds to its roll-up, never duplicates it.
    assert store.compact(now + timedelta(minutes=30)) == 2
    assert store.uptime("home", START) == (720, 240)
    store.compact(now + timedelta(days=500))  # everything ages out
    assert store.uptime("home", START) == (0, 0)


def test_a_store_from_before_regions_keeps_its_failure_count(store_url: str) -> None:
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("launchready.monitor") / "migrations")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text("INSERT INTO checks (id, name, kind, target) VALUES (1, 'health', 'http', 'x')")
        )
        connection.execute(
            text(
                "INSERT INTO check_state (check_id, failures, successes, first_failure_at)"
                " VALUES (1, 1, 0, :at)"
            ),
            {"at": START},
        )
    engine.dispose()
    upgraded = Store(store_url)
    # The old store's failure (kept as region "default") and this one: two in a row.
    failing = Outcome(False, START + timedelta(minutes=1), ("[STATUS] (503) == 200",))
    upgraded.record(health(failing, "default"), Policy(), builder)
    (alert,) = upgraded.pending()
    assert alert.kind == "alert"
    assert upgraded.open_incidents() == [("health", START)]
    upgraded.close()


def test_two_regions_share_a_store_and_need_each_other(store: Store) -> None:
    for index in range(4):
        at = START + timedelta(minutes=index)
        failing = Outcome(False, at, ("[STATUS] (503) == 200",))
        store.record(health(failing, "eu"), Policy(), builder)
        store.record(health(Outcome(True, at), "us"), Policy(), builder)
    assert store.pending() == []  # eu alone: its network, not the customers' problem
    for index in range(4, 6):
        at = START + timedelta(minutes=index)
        failing = Outcome(False, at, ("[STATUS] (503) == 200",))
        store.record(health(failing, "eu"), Policy(), builder)
        store.record(health(failing, "us"), Policy(), builder)
    (alert,) = store.pending()
    assert "Seen failing from: eu, us." in alert.message.body
    assert store.regions() == {
        "eu": START + timedelta(minutes=5),
        "us": START + timedelta(minutes=5),
    }


def test_of_several_regions_exactly_one_sends_each_notice(store: Store) -> None:
    feed(store, "xx")
    now = START + timedelta(minutes=2)
    (claimed,) = store.claim("eu", now)
    assert store.claim("us", now) == []  # eu is sending it
    assert [p.id for p in store.claim("eu", now)] == [claimed.id]  # eu restarted: its own
    store.mark(claimed.id, sent=False, error="HTTP 503 from the webhook")
    assert [p.id for p in store.claim("us", now)] == [claimed.id]  # released on failure
    assert store.claim("eu", now) == []
    # us died mid-send: after the lease, anyone may take it.
    assert [p.id for p in store.claim("eu", now + timedelta(minutes=6))] == [claimed.id]
    store.mark(claimed.id, sent=True)
    assert store.claim("us", now + timedelta(hours=1)) == []


def region_builder(region: str) -> Callable[[Notice], Message]:
    def message(notice: Notice) -> Message:
        return build(notice, f"region {region}", region, "shop.test")

    return message


def region_silence(region: str, ok: bool, at: datetime) -> Observation:
    """What eu's regions loop records about ``region``."""
    outcome = Outcome(ok, at, ("[LAST_REPORT] (300s ago) <= 180s",))
    return Observation(f"region {region}", "region", region, "eu", outcome)


def test_retiring_a_silent_region_closes_its_incident_once(store: Store) -> None:
    for index in range(2):
        at = START + timedelta(minutes=index)
        store.record(health(Outcome(True, at), "us"), Policy(), builder)
        store.record(health(Outcome(True, at), "eu"), Policy(), builder)
    # us fell silent: eu's regions loop fails "region us" twice, an incident opens.
    for index in range(5, 7):
        store.record(
            region_silence("us", False, START + timedelta(minutes=index)), Policy(), builder
        )
    assert [p.kind for p in store.pending()] == ["alert"]
    retired_at = START + timedelta(minutes=30)
    notice = store.retire_region("us", "region us", retired_at, region_builder("us"))
    assert notice is not None
    assert (notice.kind, notice.opened_at, notice.at) == (
        "retired",
        START + timedelta(minutes=5),
        retired_at,
    )
    assert [p.kind for p in store.pending()] == ["alert", "retired"]
    assert store.pending()[1].message.title == "[shop.test] RETIRED: region us (silent 25m 0s)"
    assert not store.pending()[1].message.failure
    assert store.open_incidents() == []
    assert set(store.regions()) == {"eu"}
    with pytest.raises(KeyError):
        store.retire_region("us", "region us", retired_at, builder)


def test_retiring_a_region_without_an_incident_queues_nothing(store: Store) -> None:
    store.record(health(Outcome(True, START), "us"), Policy(), builder)
    store.record(health(Outcome(True, START), "eu"), Policy(), builder)
    assert store.retire_region("us", "region us", START + timedelta(minutes=1), builder) is None
    assert store.pending() == []
    assert set(store.regions()) == {"eu"}
    with pytest.raises(KeyError):
        store.retire_region("asia", "region asia", START, builder)
