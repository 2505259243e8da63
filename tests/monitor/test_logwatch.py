"""The monitor's log checks on real files and a real store: a 5xx spike and slow responses
judged over the last 5 minutes by the audit's own rules, only live files followed, and the
position and line count carried across a restart and a rotation."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from launchready.manifest import Route
from launchready.monitor.logwatch import LogWatch
from launchready.monitor.store import Store
from tests.logs.logfiles import Hit, caddy, combined, now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The store a team would share: positions survive in either (``offset`` and big inode
    numbers included)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = Store(url)
    yield opened
    opened.close()


def watching(
    tmp_path: Path, store: Store, *specs: str, routes: list[Route] | None = None
) -> LogWatch:
    watch = LogWatch(specs or ("access.log",), tmp_path, routes or [], store, "default")
    watch.poll(now())  # the first look: what exists now is old traffic
    return watch


def write(path: Path, hits: list[Hit], spell: object = combined) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.writelines(spell(hit) + "\n" for hit in hits)  # type: ignore[operator]


def hits(count: int, at: datetime, **fields: object) -> list[Hit]:
    return [Hit(at, **fields) for _ in range(count)]  # type: ignore[arg-type]


def test_a_5xx_spike_fails_and_recovers_once_traffic_dilutes_it(
    tmp_path: Path, store: Store
) -> None:
    watch = watching(tmp_path, store)
    at = now()
    log = tmp_path / "access.log"
    write(log, hits(30, at) + hits(10, at, path="/checkout", method="POST", status=502))
    assert watch.poll(at) == 40
    verdict = watch.spike(at)
    assert not verdict.ok
    assert verdict.failed == ("[5XX_RATE] (25.0%: 10 of 40 requests in 5m) < 5%",)
    assert verdict.kind == "logs" and verdict.target == "access.log"
    write(log, hits(400, at))
    watch.poll(at)
    recovered = watch.spike(at)
    assert recovered.ok
    assert recovered.conditions == ("[5XX_RATE] (2.3%: 10 of 440 requests in 5m) < 5%",)


def test_caddy_json_is_read_by_the_same_rules(tmp_path: Path, store: Store) -> None:
    watch = watching(tmp_path, store, "caddy.log")
    at = now()
    write(tmp_path / "caddy.log", hits(19, at) + hits(1, at, status=500), caddy)
    watch.poll(at)
    assert not watch.spike(at).ok  # 5% of 20: the window rule's edge


def test_too_few_requests_or_old_ones_are_not_judged(tmp_path: Path, store: Store) -> None:
    watch = watching(tmp_path, store)
    at = now()
    log = tmp_path / "access.log"
    write(log, hits(19, at, status=503))  # below the 20 the rule needs
    write(log, hits(50, at - timedelta(minutes=6), status=503))  # outside the window
    watch.poll(at)
    verdict = watch.spike(at)
    assert verdict.ok
    assert verdict.conditions == ("[5XX_RATE] (not judged: 19 requests in 5m, 20 needed) < 5%",)
    later = watch.spike(at + timedelta(minutes=5))  # the window slides on without new lines
    assert later.ok and "not judged: 0 requests" in later.conditions[0]


def test_a_slow_template_over_its_budget_fails_and_checkout_gets_500_ms(
    tmp_path: Path, store: Store
) -> None:
    watch = watching(tmp_path, store)
    at = now()
    log = tmp_path / "access.log"
    lookups = [Hit(at, path=f"/orders/{1000 + n}/status", seconds=0.45) for n in range(60)]
    checkout = hits(60, at, path="/checkout", method="POST", seconds=0.45)
    write(log, lookups + checkout)
    watch.poll(at)
    verdict = watch.slow(at)
    assert not verdict.ok
    assert verdict.failed == (
        "[P95] GET /orders/{id}/status (450 ms over 60 requests in 5m) <= 300 ms",
    )
    assert "[P95] POST /checkout (450 ms over 60 requests in 5m) <= 500 ms" in verdict.conditions


def test_a_route_budget_from_the_manifest_applies(tmp_path: Path, store: Store) -> None:
    route = Route.model_validate(
        {"name": "order", "url": "https://shop.test/orders/1001/status", "budget_p95": "1s"}
    )
    watch = watching(tmp_path, store, routes=[route])
    at = now()
    write(tmp_path / "access.log", hits(60, at, path="/orders/7/status", seconds=0.45))
    watch.poll(at)
    verdict = watch.slow(at)
    assert verdict.ok
    assert verdict.conditions == (
        "[P95] GET /orders/{id}/status (450 ms over 60 requests in 5m) <= 1,000 ms",
    )


def test_slow_responses_need_50_requests(tmp_path: Path, store: Store) -> None:
    watch = watching(tmp_path, store)
    at = now()
    write(tmp_path / "access.log", hits(49, at, path="/search", seconds=3.0))
    watch.poll(at)
    verdict = watch.slow(at)
    assert verdict.ok
    assert "not judged" in verdict.conditions[0]


def test_only_live_files_are_followed_and_old_content_is_skipped(
    tmp_path: Path, store: Store
) -> None:
    at = now()
    write(tmp_path / "access.log", hits(30, at, status=500))  # there before the monitor
    write(tmp_path / "access.log.1", hits(5, at))
    write(tmp_path / "access.log-20261125", hits(5, at))
    with gzip.open(tmp_path / "access.log.2.gz", "wt") as old:
        old.write(combined(Hit(at)) + "\n")
    watch = watching(tmp_path, store, "access.log*")
    assert watch.live_paths() == [tmp_path / "access.log"]
    assert watch.poll(at) == 0
    assert watch.spike(at).ok
    write(tmp_path / "access.log", hits(3, at))
    assert watch.poll(at) == 3


def test_a_restart_goes_on_from_the_saved_position_across_a_rename(
    tmp_path: Path, any_store: Store
) -> None:
    store = any_store
    log = tmp_path / "access.log"
    first = watching(tmp_path, store)
    at = now()
    write(log, hits(5, at))
    assert first.poll(at) == 5
    first.close()
    write(log, hits(3, at))  # written while the monitor was down, then rotated away
    os.rename(log, tmp_path / "access.log.1")
    write(log, hits(2, at))
    second = LogWatch(["access.log"], tmp_path, [], store, "default")
    assert second.poll(at) == 5
    assert second.poll(at) == 0
    (mark,) = store.log_marks("default").values()
    assert mark.lines == 10
    assert mark.position.inode == os.stat(log).st_ino
    second.close()
