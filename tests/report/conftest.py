"""Shared reports for the renderer tests: one full of trouble, one clean.

The full report is built through ``catalog.finding`` like the checks build theirs, and is
handed over out of order: every renderer must sort it itself. One finding carries evidence a
hostile server could send (markup, a CDATA terminator, a terminal escape, non-ASCII text).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from launchready import catalog
from launchready.findings import AttemptStatus, CheckAttempt, Finding, Report, ToolInfo

HOSTILE = "<script>alert(1)</script> ]]> <!-- café naïve 日本 \x1b[2J"
SKIP_REASON = "no load section in the manifest"
ERROR_REASON = "connectivity: chat endpoint refused <port 8443> & closed"
STARTED = datetime(2026, 11, 22, 15, 0, 0, tzinfo=UTC)


def fixture_findings() -> list[Finding]:
    """Several severities and areas, deliberately not in report order."""
    return [
        catalog.finding("dns.caa-missing", target="bücher-shop.example"),
        catalog.finding(
            "web.error-leak",
            target="https://shop.example/debug",
            evidence={"status": 500, "body": HOSTILE, "headers": {"x-powered-by": "Express"}},
        ),
        catalog.finding("email.dmarc-policy-none", target="shop.example", evidence={"p": "none"}),
        catalog.finding(
            "dns.dangling-cname",
            target="promo.shop.example",
            evidence={"cname": "old-store.myshopify.com", "answer": "NXDOMAIN"},
        ),
        catalog.finding(
            "web.headers-missing",
            target="https://shop.example/checkout",
            evidence={"missing": ["X-Content-Type-Options", "Referrer-Policy"]},
            checkout=True,
        ),
        catalog.finding("dns.dnssec-missing", target="shop.example"),
        catalog.finding(
            "secrets.in-tree",
            target="src/settings.py:42",
            evidence={"rule": "stripe-secret-key", "match": "sk_live_51Ha…wxyz", "line": 42},
        ),
        catalog.finding(
            "web.version-disclosure",
            target="https://shop.example/debug",
            evidence={"server": "nginx/1.18.0"},
        ),
        catalog.finding("monitor.not-configured", target="launchready.yaml"),
        catalog.finding("launch.checkout-untested", target="launchready.yaml"),
        catalog.finding("tls.hsts-missing", target="shop.example"),
        catalog.finding("launch.rollback-undocumented", target="deploy.rollback"),
    ]


def fixture_checks() -> tuple[CheckAttempt, ...]:
    return (
        CheckAttempt("launch", AttemptStatus.RAN, 3),
        CheckAttempt("dns", AttemptStatus.RAN, 120),
        CheckAttempt("email", AttemptStatus.RAN, 95),
        CheckAttempt("tls", AttemptStatus.RAN, 310),
        CheckAttempt("routing", AttemptStatus.RAN, 204),
        CheckAttempt("web", AttemptStatus.RAN, 450),
        CheckAttempt("secrets", AttemptStatus.RAN, 80),
        CheckAttempt("monitor", AttemptStatus.RAN, 1),
        CheckAttempt("perf", AttemptStatus.SKIPPED, reason=SKIP_REASON),
        CheckAttempt("chatbot", AttemptStatus.ERROR, 2000, ERROR_REASON),
    )


@pytest.fixture
def report() -> Report:
    """The demo-stage store: blockers, highs, a checkout escalation, hostile evidence."""
    return Report(
        tool=ToolInfo("launchready", "0.1.0"),
        site="shop.example",
        started_at=STARTED,
        duration_ms=1840,
        findings=tuple(fixture_findings()),
        checks=fixture_checks(),
    )


@pytest.fixture
def empty_report() -> Report:
    """The fixed store: every area ran and found nothing."""
    return Report(
        tool=ToolInfo("launchready", "0.1.0"),
        site="shop.example",
        started_at=STARTED,
        duration_ms=900,
        findings=(),
        checks=tuple(c for c in fixture_checks() if c.status is AttemptStatus.RAN),
    )
