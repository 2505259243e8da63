"""What the dashboard reads from the store: uptime per window against the target, p95 and
error rate, chart buckets, open and closed incidents with their conditions, the latest
certificate days left and channel health, from a store fed known probes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from launchready.monitor.decide import Outcome, Policy
from launchready.monitor.message import build
from launchready.monitor.overview import overview
from launchready.monitor.pages import dashboard, status_page
from launchready.monitor.store import Observation, Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FAILED = ("[STATUS] (503) == 200",)


def test_the_overview_counts_what_was_stored(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    # 40 probes over the last 40 minutes, latencies 1..40 ms, the last two failing (an
    # open incident); and one 8-day-old failure that only the 30-day uptime counts.
    old = Observation(
        "home",
        "http",
        "https://shop.test/",
        "eu",
        Outcome(False, NOW - timedelta(days=8), FAILED),
        5.0,
    )
    store.record(old, Policy(alert_after=99), lambda n: build(n, "home", "x", "shop.test"))
    for minute in range(40):
        at = NOW - timedelta(minutes=40 - minute)
        outcome = Outcome(minute < 38, at, () if minute < 38 else FAILED)
        seen = Observation("home", "http", "https://shop.test/", "eu", outcome, float(minute + 1))
        store.record(seen, Policy(), lambda n: build(n, "home", "x", "shop.test"))
    cert = Observation(
        "certificate shop.test", "certificate", "shop.test", "eu", Outcome(True, NOW), 3.0, 61.5
    )
    store.record(cert, Policy(), lambda n: build(n, "cert", "x", "shop.test"))
    store.channel_result(
        "json://hooks.shop.test", NOW - timedelta(minutes=1), ok=False, error="HTTP 500"
    )
    view = overview(store, NOW)
    store.close()

    home, certificate = view.checks
    assert home.status == "down" and home.incident_since == NOW - timedelta(minutes=2)
    assert home.uptime == {"24h": 95.0, "7d": 95.0, "30d": round(100 * 38 / 41, 3)}
    assert home.below_target
    assert home.p95_ms == 38.0  # nearest rank of 1..40
    assert home.error_rate == 2 / 40
    assert sum(b.probes for b in home.buckets) == 40
    assert home.latest_conditions == FAILED and home.regions == {"eu": False}
    assert certificate.value == 61.5 and certificate.status == "up"
    (incident,) = view.incidents
    assert (incident.check, incident.closed_at, incident.conditions) == ("home", None, FAILED)
    (channel,) = view.channels
    assert not channel.healthy and channel.failed == 1

    page = dashboard(view, "shop.test", 30, {"home": 300.0})
    assert "expires in 61.5 days" in page and "[STATUS] (503) == 200" in page
    public = status_page(view, "shop.test", 30)
    assert "1 of 1 down" in public and "certificate" not in public and "https://" not in public
