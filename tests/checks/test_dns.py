"""The dns area against a real authoritative server (Knot): every ID fires, and its twin is clean.

One Knot serves one zone per case, each under its own domain, so the cases share a server
but never an answer. A case is the clean shop with a few lines changed, in the zone or in
the manifest; the table says exactly which IDs must come out (the others must not).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from launchready import catalog
from launchready.checks import dns as area
from launchready.errors import ConnectivityError
from launchready.findings import Finding, Severity
from launchready.manifest import Manifest, parse_manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot

DNSKEY = "@ DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
ZONE = f"""
@ NS ns1
@ NS ns2
ns1 A 127.0.0.53
ns2 A 127.0.1.53
@ A 127.0.0.10
www CNAME @
api A 127.0.0.10
@ MX 10 mail
mail A 127.0.0.25
@ CAA 0 issue "letsencrypt.org"
@ TXT "v=spf1 -all"
{DNSKEY}
"""
MANIFEST = """
site:
  domain: {d}
  canonical: https://www.{d}
  hosts:
    - {{name: www.{d}, role: storefront}}
    - {{name: api.{d}, role: api}}
  staging: [staging.{d}]
  origin_ips: [127.0.0.10]
routes:
  - {{name: home, url: "https://www.{d}/"}}
  - {{name: order, url: "https://api.{d}/orders/1", checkout: {checkout}}}
dns:
  expect:
    - {{name: {d}, type: A, values: [127.0.0.10]}}
    - {{name: www.{d}, type: CNAME, values: ["{d}"]}}
    - {{name: {d}, type: MX, values: ["{mx}"]}}
network:
  nameservers: ["{ns}"]
"""


@dataclass(frozen=True)
class Case:
    """The clean shop with ``zone`` and ``manifest`` edits (old -> new); ``fires`` is exact."""

    name: str
    fires: Sequence[str]
    zone: Sequence[tuple[str, str]] = ()
    manifest: Sequence[tuple[str, str]] = ()
    severities: dict[str, Severity] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"{self.name}.test"

    def zone_text(self) -> str:
        return _edit(ZONE, self.zone)

    def manifest_text(self, nameserver: str) -> str:
        base = MANIFEST.format(d=self.domain, ns=nameserver, mx="10 mail.{d}", checkout="false")
        return _edit(base.replace("{d}", self.domain), self.manifest)


def _edit(text: str, edits: Sequence[tuple[str, str]]) -> str:
    for old, new in edits:
        assert old in text, f"{old!r} is not in the template"
        text = text.replace(old, new)
    return text


CASES = [
    Case("clean", []),
    Case(
        "apex-gone",
        ["dns.apex-unresolved", "dns.host-unresolved", "dns.record-mismatch"],
        zone=[("@ A 127.0.0.10\n", "")],
        severities={
            "dns.apex-unresolved": Severity.BLOCKER,
            "dns.host-unresolved": Severity.BLOCKER,
        },
    ),
    Case("apex-v6-only", [], zone=[("@ A 127.0.0.10", "@ AAAA ::1")], manifest=[
        ("    - {name: apex-v6-only.test, type: A, values: [127.0.0.10]}\n", ""),
        ("origin_ips: [127.0.0.10]", "origin_ips: [127.0.0.10, '::1']"),
    ]),
    Case(
        "api-gone",
        ["dns.host-unresolved"],
        zone=[("api A 127.0.0.10\n", "")],
        severities={"dns.host-unresolved": Severity.HIGH},
    ),
    Case(
        "api-gone-checkout",
        ["dns.host-unresolved"],
        zone=[("api A 127.0.0.10\n", "")],
        manifest=[("checkout: false", "checkout: true")],
        severities={"dns.host-unresolved": Severity.BLOCKER},
    ),
    Case("mx-other", ["dns.record-mismatch"], zone=[("@ MX 10 mail", "@ MX 20 backup")],
         severities={"dns.record-mismatch": Severity.BLOCKER}),
    Case("mx-spelled-differently", [], manifest=[
        ('values: ["10 mail.mx-spelled-differently.test"]',
         'values: ["10   MAIL.Mx-Spelled-Differently.test."]'),
    ]),
    Case("mx-host-only", [], manifest=[
        ('values: ["10 mail.mx-host-only.test"]', 'values: ["mail.mx-host-only.test"]'),
    ]),
    Case("api-expected-elsewhere", ["dns.record-mismatch"], manifest=[
        ("  expect:\n", "  expect:\n    - {name: api.api-expected-elsewhere.test, type: A, "
         "values: [127.0.0.11]}\n"),
    ], severities={"dns.record-mismatch": Severity.HIGH}),
    Case("txt-quoted-split", [], manifest=[
        ("  expect:\n", "  expect:\n    - {name: txt-quoted-split.test, type: TXT, "
         "values: ['\"v=spf1 \" \"-all\"']}\n"),
    ]),
    Case("txt-missing", ["dns.record-mismatch"], manifest=[
        ("  expect:\n", "  expect:\n    - {name: txt-missing.test, type: TXT, "
         "values: ['google-site-verification=abc']}\n"),
    ]),
    Case("promo-dangling", ["dns.dangling-cname"], zone=[("api A", "promo CNAME gone\napi A")],
         severities={"dns.dangling-cname": Severity.BLOCKER}),
    Case("api-dangling", ["dns.dangling-cname", "dns.host-unresolved"],
         zone=[("api A 127.0.0.10", "api CNAME old-api")]),
    Case("promo-alias-alive", [], zone=[("api A", "promo CNAME www\napi A")]),
    Case("api-stale", ["dns.stale-record"], zone=[("api A 127.0.0.10", "api A 127.0.0.99")],
         severities={"dns.stale-record": Severity.MEDIUM}),
    Case("api-stale-declared", [], zone=[("api A 127.0.0.10", "api A 127.0.0.99")],
         manifest=[("origin_ips: [127.0.0.10]", "origin_ips: [127.0.0.10, 127.0.0.99]")]),
    Case("api-stale-unknowable", [], zone=[("api A 127.0.0.10", "api A 127.0.0.99")], manifest=[
        ("  origin_ips: [127.0.0.10]\n", ""),
        ("    - {name: api-stale-unknowable.test, type: A, values: [127.0.0.10]}\n", ""),
    ]),
    Case("api-cname-out", ["dns.stale-record"],
         zone=[("api A 127.0.0.10", "api CNAME api.provider.test.")]),
    Case("api-cname-declared", [], zone=[("api A 127.0.0.10", "api CNAME api.provider.test.")],
         manifest=[("  expect:\n", "  expect:\n    - {name: api.api-cname-declared.test, "
                    "type: CNAME, values: [api.provider.test]}\n")]),
    Case("staging-public", ["dns.staging-public"], zone=[("api A", "staging A 127.0.0.10\napi A")],
         severities={"dns.staging-public": Severity.HIGH}),
    Case("one-ns", ["dns.nameservers-single"], zone=[("@ NS ns2\n", "")]),
    Case("ns-one-net", ["dns.nameservers-single"], zone=[("ns2 A 127.0.1.53", "ns2 A 127.0.0.54")]),
    Case("ns-lame", ["dns.nameservers-single"], zone=[("ns2 A 127.0.1.53\n", "")]),
    Case("no-caa", ["dns.caa-missing"], zone=[('@ CAA 0 issue "letsencrypt.org"\n', "")],
         severities={"dns.caa-missing": Severity.LOW}),
    Case("unsigned", ["dns.dnssec-missing"], zone=[(DNSKEY + "\n", "")],
         severities={"dns.dnssec-missing": Severity.INFO}),
]  # fmt: skip


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zones = {case.domain: case.zone_text() for case in CASES}
    zones["provider.test"] = "@ NS ns1.clean.test.\napi A 127.0.0.80\n"
    zones["parent.test"] = "@ NS ns1\nns1 A 127.0.0.53\n"
    with KnotServer(tmp_path_factory.mktemp("knot"), zones) as server:
        yield server


def lab_manifest(text: str) -> Manifest:
    return parse_manifest(text, Path("launchready.yaml"), {})


async def audit(manifest: Manifest, *, op_timeout: float = 2.0) -> list[Finding]:
    async with check_context(manifest, op_timeout=op_timeout) as ctx:
        return await area.run(ctx)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_each_id_fires_exactly_where_it_should(knot: KnotServer, case: Case) -> None:
    found = await audit(lab_manifest(case.manifest_text(knot.nameserver)))
    assert sorted({f.id for f in found}) == sorted(case.fires), [
        (f.id, f.target, dict(f.evidence)) for f in found
    ]
    for finding_id, severity in case.severities.items():
        assert {f.severity for f in found if f.id == finding_id} == {severity}


def test_every_dns_id_has_a_firing_case() -> None:
    dns_ids = {i for i in catalog.entries() if i.startswith("dns.")}
    assert dns_ids == {i for case in CASES for i in case.fires}


async def test_evidence_names_what_is_wrong(knot: KnotServer) -> None:
    by_case = {c.name: c for c in CASES}
    mx = await audit(lab_manifest(by_case["mx-other"].manifest_text(knot.nameserver)))
    [mismatch] = mx
    assert mismatch.target == "mx-other.test MX"
    assert mismatch.evidence["missing"] == ["10 mail.mx-other.test"]
    assert mismatch.evidence["unexpected"] == ["20 backup.mx-other.test"]
    dangling = await audit(lab_manifest(by_case["promo-dangling"].manifest_text(knot.nameserver)))
    [item] = dangling
    assert item.target == "promo.promo-dangling.test"
    assert item.evidence["missing"] == "gone.promo-dangling.test"
    stale = await audit(lab_manifest(by_case["api-stale"].manifest_text(knot.nameserver)))
    assert stale[0].evidence["addresses"] == ["127.0.0.99"]


async def test_the_dns_map_is_delivered(knot: KnotServer) -> None:
    manifest = lab_manifest(CASES[0].manifest_text(knot.nameserver))
    async with check_context(manifest) as ctx:
        assert await area.run(ctx) == []
        entries = {e["name"]: e for e in ctx.deliverables["dns_map"]}
    apex = entries["clean.test"]
    assert apex["roles"] == ["apex", "expected"]
    assert apex["records"]["NS"] == ["ns1.clean.test", "ns2.clean.test"]
    assert apex["records"]["MX"] == ["10 mail.clean.test"]
    assert apex["records"]["CAA"] == ['0 issue "letsencrypt.org"']
    www = entries["www.clean.test"]
    assert www["records"] == {"A": ["127.0.0.10"], "CNAME": ["clean.test"]}
    assert www["via"] == "clean.test"
    assert "storefront" in www["roles"] and "canonical" in www["roles"]
    assert entries["staging.clean.test"]["status"] == "nxdomain"


async def test_a_dead_nameserver_is_a_check_error_not_a_finding(knot: KnotServer) -> None:
    text = CASES[0].manifest_text("127.0.0.1:9")
    with pytest.raises(ConnectivityError, match=r"gave no usable answer for clean\.test"):
        await audit(lab_manifest(text), op_timeout=0.5)


async def test_a_domain_that_does_not_exist_is_one_blocker(knot: KnotServer) -> None:
    """NS, CAA and DNSSEC findings would only repeat that the zone is not there."""
    text = f'site:\n  domain: absent.parent.test\nnetwork:\n  nameservers: ["{knot.nameserver}"]\n'
    [item] = await audit(lab_manifest(text))
    assert (item.id, item.severity) == ("dns.apex-unresolved", Severity.BLOCKER)
    assert item.evidence == {"A": "nxdomain", "AAAA": "nxdomain"}


def test_skip_reason_is_none_for_any_manifest() -> None:
    assert area.skip_reason(lab_manifest("site:\n  domain: shop.test\n")) is None
