"""The runner: areas run concurrently, and a crash, a hang or a skip never costs other findings."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path

from launchready import catalog
from launchready.checks import Area
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import AttemptStatus, Finding, Severity
from launchready.manifest import load_manifest
from launchready.runner import AuditOptions, run_audit


def _area(name: str, run: object, skip_reason: object = None) -> Area:
    module = types.ModuleType(f"fake_{name}")
    module.run = run  # type: ignore[attr-defined]
    if skip_reason is not None:
        module.skip_reason = skip_reason  # type: ignore[attr-defined]
    return Area(name, module)


async def _finds(ctx: CheckContext) -> list[Finding]:
    return [catalog.finding("dns.caa-missing", target=ctx.manifest.site.domain)]


async def _raises(ctx: CheckContext) -> list[Finding]:
    raise RuntimeError("boom in the check")


async def _hangs(ctx: CheckContext) -> list[Finding]:
    await asyncio.Event().wait()
    return []


async def _cannot_connect(ctx: CheckContext) -> list[Finding]:
    raise ConnectivityError("the resolver is unreachable")


async def test_one_area_crashing_or_hanging_keeps_the_others(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)
    areas = [
        _area("dns", _finds),
        _area("email", _raises),
        _area("tls", _hangs),
        _area("web", _cannot_connect),
        _area("perf", _finds, skip_reason=lambda m: "no load section in the manifest"),
        Area("db"),
    ]
    report = await run_audit(manifest, AuditOptions(area_timeout=0.2), areas=areas)
    by_area = {c.area: c for c in report.checks}
    assert [c.area for c in report.checks] == ["dns", "email", "tls", "web", "perf", "db"]
    assert by_area["dns"].status is AttemptStatus.RAN
    assert by_area["email"].status is AttemptStatus.ERROR
    assert by_area["email"].reason == "bug: RuntimeError: boom in the check"
    assert by_area["tls"].status is AttemptStatus.ERROR
    assert by_area["tls"].reason is not None and by_area["tls"].reason.startswith("timeout:")
    assert by_area["web"].reason == "connectivity: the resolver is unreachable"
    assert by_area["perf"].status is AttemptStatus.SKIPPED
    assert by_area["perf"].reason == "no load section in the manifest"
    assert by_area["db"].status is AttemptStatus.SKIPPED
    assert "not implemented" in (by_area["db"].reason or "")
    assert [f.id for f in report.findings] == ["dns.caa-missing"]
    assert report.site == "shop.test"


async def test_areas_run_concurrently(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)
    arrived = 0
    all_here = asyncio.Event()

    async def meet(ctx: CheckContext) -> list[Finding]:
        nonlocal arrived
        arrived += 1
        if arrived == 3:
            all_here.set()
        await all_here.wait()  # only completes if all three run at the same time
        return []

    areas = [_area(name, meet) for name in ("dns", "email", "tls")]
    report = await run_audit(manifest, AuditOptions(area_timeout=5), areas=areas)
    assert all(c.status is AttemptStatus.RAN for c in report.checks)


async def test_secrets_from_variables_never_reach_the_report(write_manifest) -> None:  # type: ignore[no-untyped-def]
    path = write_manifest("""
        site: {domain: shop.test}
        routes:
          - name: orders
            url: https://api.shop.test/orders
            headers: {Authorization: "Bearer ${TOKEN}"}
    """)
    manifest = load_manifest(path, environ={"TOKEN": "s3cr3t-value-xyz"})

    async def leaky(ctx: CheckContext) -> list[Finding]:
        route = ctx.manifest.routes[0]
        return [
            catalog.finding(
                "routing.route-down",
                target=route.url,
                evidence={"sent": route.headers["Authorization"]},
            )
        ]

    report = await run_audit(manifest, areas=[_area("routing", leaky)])
    finding = report.findings[0]
    assert finding.evidence["sent"] == "Bearer ${TOKEN}"
    unredacted = catalog.finding(
        "routing.route-down",
        target="https://api.shop.test/orders",
        evidence={"sent": "Bearer s3cr3t-value-xyz"},
    )
    assert finding.fingerprint != unredacted.fingerprint
    assert (
        finding.fingerprint
        == catalog.finding(
            "routing.route-down",
            target="https://api.shop.test/orders",
            evidence={"sent": "Bearer ${TOKEN}"},
        ).fingerprint
    )


async def test_findings_are_ordered_by_severity_then_impact(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)

    async def many(ctx: CheckContext) -> list[Finding]:
        return [
            catalog.finding("dns.caa-missing", target="shop.test"),
            catalog.finding("email.spf-missing", target="shop.test"),
            catalog.finding("launch.checkout-untested", target="routes"),
            catalog.finding("monitor.not-configured", target="monitor.notify"),
        ]

    report = await run_audit(manifest, areas=[_area("dns", many)])
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=lambda s: s.rank)
    assert report.findings[0].severity is Severity.BLOCKER
    assert report.findings[0].id == "launch.checkout-untested"  # checkout before email
    assert not report.ready
    assert report.summary == {"blocker": 2, "high": 1, "medium": 0, "low": 1, "info": 0}


async def test_deliverables_reach_the_report_redacted(write_manifest) -> None:  # type: ignore[no-untyped-def]
    path = write_manifest("""
        site: {domain: shop.test, name: "${SHOP_NAME}"}
    """)
    manifest = load_manifest(path, environ={"SHOP_NAME": "secret-shop-name"})

    async def mapper(ctx: CheckContext) -> list[Finding]:
        ctx.deliver("dns_map", [{"name": ctx.manifest.site.name, "records": {"A": ["127.0.0.1"]}}])
        return []

    report = await run_audit(manifest, areas=[_area("dns", mapper)])
    assert report.extras == {"dns_map": [{"name": "${SHOP_NAME}", "records": {"A": ["127.0.0.1"]}}]}


async def test_error_reasons_are_redacted_too(write_manifest) -> None:  # type: ignore[no-untyped-def]
    path = write_manifest("""
        site: {domain: shop.test}
        routes:
          - {name: orders, url: "https://api.shop.test/orders?key=${API_KEY}"}
    """)
    manifest = load_manifest(path, environ={"API_KEY": "k3y-v4lue-123"})

    async def fails(ctx: CheckContext) -> list[Finding]:
        raise ConnectivityError(f"could not reach {ctx.manifest.routes[0].url}")

    report = await run_audit(manifest, areas=[_area("routing", fails)])
    assert report.checks[0].reason == (
        "connectivity: could not reach https://api.shop.test/orders?key=${API_KEY}"
    )
