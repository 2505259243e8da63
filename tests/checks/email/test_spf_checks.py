"""The SPF checks against a real authoritative server (Knot): every ID fires, its twin is clean.

One Knot serves one zone per case (``<case>.test``) plus the providers' zones the records
include (sendgrid.net, google.com, ...), so the cases share a server but never an answer.
The table says exactly which IDs must come out; every other SPF ID must stay silent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from launchready.checks.email import spf as area
from launchready.errors import ConnectivityError, InputError
from launchready.findings import Finding, Severity, fingerprint
from launchready.mail.spf import check_host
from launchready.manifest import Manifest, parse_manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot

CLEAN = "v=spf1 include:_spf.google.com include:sendgrid.net -all"
BASE_ZONE = """
@ A 127.0.0.10
@ MX 10 mail
mail A 127.0.0.25
@ TXT "google-site-verification=abc123"
"""
PROVIDERS = {
    "sendgrid.net": '@ TXT "v=spf1 ip4:127.0.1.0/24 ~all"',
    "google.com": (
        '_spf TXT "v=spf1 include:_netblocks.google.com ~all"\n'
        '_netblocks TXT "v=spf1 ip4:127.0.2.0/24 ~all"'
    ),
    "shopify.com": 'shops TXT "v=spf1 ip4:127.0.3.0/24 ~all"',
    "relay.test": '@ TXT "v=spf1 include:sendgrid.net -all"',
    "open.test": '@ TXT "v=spf1 +all"',
    "broken.test": '@ TXT "v=spf1 ip4:127.0.4.1 moo -all"',
}
SENDERS = "[google-workspace, sendgrid]"
LOOKUP_HOSTS = "\n".join(f"s{i} A 127.0.0.1{i}\ns{i} MX 10 mail" for i in (1, 2))
LOOKUP_HOSTS += '\ns1 TXT "v=spf1 a mx -all"\ns2 TXT "v=spf1 a mx -all"'
IDS = (
    "email.spf-missing",
    "email.spf-invalid",
    "email.spf-too-many-lookups",
    "email.spf-void-lookups",
    "email.spf-permissive",
    "email.spf-sender-missing",
)


@dataclass(frozen=True)
class Case:
    """A shop whose zone publishes ``spf`` (one TXT per entry) and ``extra`` lines."""

    name: str
    fires: Sequence[str]
    spf: Sequence[str] = (CLEAN,)
    extra: str = ""
    senders: str = SENDERS
    email_domain: str | None = None
    severities: dict[str, Severity] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"{self.name}.test"

    def zone_text(self) -> str:
        lines = [BASE_ZONE, *(f"@ TXT {_strings(text)}" for text in self.spf), self.extra]
        return "\n".join(lines).replace("{d}", self.domain)

    def manifest_text(self, nameserver: str) -> str:
        email_domain = f"\n  domain: {self.email_domain}" if self.email_domain else ""
        return (
            f"site:\n  domain: {self.domain}\n"
            f"email:{email_domain}\n  senders: {self.senders}\n"
            f'network:\n  nameservers: ["{nameserver}"]\n'
        ).replace("{d}", self.domain)


def _strings(text: str) -> str:
    """TXT presentation: RFC 1035 character-strings of at most 255 octets each."""
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


LONG = " ".join(["v=spf1", *(f"ip4:127.0.5.{i}" for i in range(1, 31)), CLEAN[7:]])
HUGE = "\n".join(f'@ TXT "site-verification-{i:02d}={"x" * 48}"' for i in range(49))
SOFT = CLEAN.replace("-all", "~all")


def spf(before: str = "", after: str = "", end: str = "-all") -> list[str]:
    """The clean record with terms added before or after its includes, or another end."""
    terms = ("v=spf1", before, CLEAN[7:-5], after, end)
    return [" ".join(t for t in terms if t)]


TWO_HOSTS = "include:s1.{d} include:s2.{d}"
GOOGLE_SENDGRID_SHOPIFY = "[google-workspace, sendgrid, shopify]"
PERMISSIVE = "email.spf-permissive"

CASES = [
    Case("clean", []),
    Case("clean-nested", [], spf=["v=spf1 include:_spf.google.com include:relay.test -all"]),
    Case("clean-own-include", [], spf=["v=spf1 include:relay.test -all"],
         senders="[{include: relay.test}]"),
    Case("clean-long", [], spf=[LONG]),
    Case("clean-huge-txt", [], extra=HUGE),
    Case("clean-redirect", [], spf=["v=spf1 redirect=policy.{d}"],
         extra=f'policy TXT "{CLEAN}"'),
    Case("missing", ["email.spf-missing"], spf=[],
         severities={"email.spf-missing": Severity.BLOCKER}),
    Case("missing-subdomain", ["email.spf-missing"], email_domain="mail.{d}"),
    Case("syntax", ["email.spf-invalid"], spf=spf(after="moo"),
         severities={"email.spf-invalid": Severity.BLOCKER}),
    Case("two-records", ["email.spf-invalid"], spf=[CLEAN, "v=spf1 -all"]),
    Case("nested-broken", ["email.spf-invalid"], spf=spf(after="include:broken.test")),
    Case("include-nx", ["email.spf-invalid"], spf=spf(after="include:gone.{d}")),
    Case("at-limit", [], spf=spf("a", TWO_HOSTS), extra=LOOKUP_HOSTS),
    Case("over-limit", ["email.spf-too-many-lookups"], spf=spf("a mx", TWO_HOSTS),
         extra=LOOKUP_HOSTS, severities={"email.spf-too-many-lookups": Severity.HIGH}),
    Case("loop", ["email.spf-too-many-lookups"], spf=["v=spf1 include:b.{d} -all"],
         extra='b TXT "v=spf1 include:loop.test -all"', senders="[]"),
    Case("two-voids", [], spf=spf(after="a:gone1.{d} mx:gone2.{d}")),
    Case("three-voids", ["email.spf-void-lookups"],
         spf=spf(after="a:gone1.{d} mx:gone2.{d} a:gone3.{d}"),
         severities={"email.spf-void-lookups": Severity.MEDIUM}),
    Case("plus-all", [PERMISSIVE], spf=spf(end="+all"), severities={PERMISSIVE: Severity.HIGH}),
    Case("neutral-all", [PERMISSIVE], spf=spf(end="?all"), severities={PERMISSIVE: Severity.HIGH}),
    Case("soft-all", [PERMISSIVE], spf=[SOFT], severities={PERMISSIVE: Severity.LOW}),
    Case("no-all", [PERMISSIVE], spf=spf(end=""), severities={PERMISSIVE: Severity.HIGH}),
    Case("open-include", [PERMISSIVE], spf=spf(after="include:open.test"),
         severities={PERMISSIVE: Severity.HIGH}),
    Case("redirect-soft", [PERMISSIVE], spf=["v=spf1 redirect=policy.{d}"],
         extra=f'policy TXT "{SOFT}"', severities={PERMISSIVE: Severity.LOW}),
    Case("shopify-missing", ["email.spf-sender-missing"], senders=GOOGLE_SENDGRID_SHOPIFY,
         severities={"email.spf-sender-missing": Severity.HIGH}),
    Case("own-include-missing", ["email.spf-sender-missing"],
         senders="[{include: spf.elsewhere.test}]"),
]  # fmt: skip


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zones = {case.domain: case.zone_text() for case in CASES} | PROVIDERS
    with KnotServer(tmp_path_factory.mktemp("knot"), zones) as server:
        yield server


def manifest_for(case: Case, knot: KnotServer) -> Manifest:
    return parse_manifest(case.manifest_text(knot.nameserver), Path("launchready.yaml"), {})


async def audit(manifest: Manifest) -> tuple[list[Finding], dict[str, Any]]:
    async with check_context(manifest, op_timeout=2.0) as ctx:
        found = await asyncio.wait_for(area.findings(ctx), timeout=20)
        return found, ctx.deliverables


def case_named(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_each_id_fires_exactly_where_it_should(knot: KnotServer, case: Case) -> None:
    found, _ = await audit(manifest_for(case, knot))
    assert sorted(f.id for f in found) == sorted(case.fires), [
        (f.id, dict(f.evidence)) for f in found
    ]
    for finding_id, severity in case.severities.items():
        assert {f.severity for f in found if f.id == finding_id} == {severity}


def test_every_spf_id_has_a_firing_case_and_a_clean_twin() -> None:
    fired = {i for case in CASES for i in case.fires}
    assert fired == set(IDS)
    assert any(not case.fires for case in CASES)


async def test_the_spf_tree_is_delivered(knot: KnotServer) -> None:
    _, deliverables = await audit(manifest_for(case_named("clean-nested"), knot))
    spf = deliverables["spf"]
    assert spf["status"] == "ok" and spf["all"] == "-" and spf["lookups"] == 4
    assert spf["includes"] == [
        "_spf.google.com",
        "_netblocks.google.com",
        "relay.test",
        "sendgrid.net",
    ]
    first = spf["tree"]["terms"][0]
    assert first["term"] == "include:_spf.google.com"
    assert first["include"]["terms"][0]["include"]["record"] == "v=spf1 ip4:127.0.2.0/24 ~all"


async def test_long_records_are_joined_from_their_strings(knot: KnotServer) -> None:
    _, deliverables = await audit(manifest_for(case_named("clean-long"), knot))
    assert deliverables["spf"]["records"] == [LONG] and len(LONG) > 255


async def test_an_include_to_nxdomain_is_a_void_lookup(knot: KnotServer) -> None:
    found, deliverables = await audit(manifest_for(case_named("include-nx"), knot))
    assert deliverables["spf"]["void_lookups"] == 1
    (broken,) = found
    assert broken.evidence["kind"] == "include"
    assert any("gone.include-nx.test has no SPF record" in p for p in broken.evidence["problems"])


async def test_a_loop_is_reported_never_waited_on(knot: KnotServer) -> None:
    case = case_named("loop")
    (loop,), _ = await audit(manifest_for(case, knot))
    assert loop.evidence["lookups"] > 10
    assert loop.evidence["loops"] == ["loop.test → b.loop.test → loop.test"]
    assert "Break the include loop" in loop.fix
    async with check_context(manifest_for(case, knot)) as ctx:
        result = await asyncio.wait_for(
            check_host(ctx.resolver, "127.0.0.9", case.domain, f"shop@{case.domain}"), 20
        )
    assert result.result == "permerror" and "more than 10" in (result.reason or "")


async def test_evidence_and_fixes_are_specific(knot: KnotServer) -> None:
    found, _ = await audit(manifest_for(case_named("shopify-missing"), knot))
    (missing,) = found
    assert missing.evidence["provider"] == "shopify"
    assert missing.title == "Shopify is missing from the SPF record of shopify-missing.test"
    assert (
        "v=spf1 include:_spf.google.com include:sendgrid.net include:shops.shopify.com -all"
        in missing.fix
    )
    found, _ = await audit(manifest_for(case_named("three-voids"), knot))
    (voids,) = found
    assert voids.evidence["names"] == [f"gone{i}.three-voids.test" for i in (1, 2, 3)]
    found, _ = await audit(manifest_for(case_named("soft-all"), knot))
    assert found[0].evidence["all"] == "~all" and found[0].fix.endswith(CLEAN)
    found, _ = await audit(manifest_for(case_named("missing"), knot))
    assert "v=spf1 include:_spf.google.com include:sendgrid.net -all" in found[0].fix
    found, _ = await audit(manifest_for(case_named("two-records"), knot))
    assert found[0].evidence["count"] == 2


async def test_fingerprints_survive_a_changing_count(knot: KnotServer) -> None:
    (over,), _ = await audit(manifest_for(case_named("over-limit"), knot))
    changed = {**over.evidence, "lookups": 99, "includes": []}
    assert over.fingerprint == fingerprint(over.id, over.target, changed, over.fingerprint_keys)


async def test_a_dns_failure_is_a_check_error_not_a_finding(knot: KnotServer) -> None:
    case = Case("clean", [])  # same zone; the include points where Knot is not authoritative
    text = case.manifest_text(knot.nameserver).replace(
        "domain: clean.test", "domain: elsewhere.example"
    )
    manifest = parse_manifest(text, Path("launchready.yaml"), {})
    async with check_context(manifest, op_timeout=1.0) as ctx:
        with pytest.raises(ConnectivityError, match=r"elsewhere\.example"):
            await area.findings(ctx)
        assert "spf" not in ctx.deliverables


async def test_an_unknown_sender_is_an_input_error(knot: KnotServer) -> None:
    case = Case("clean", [], senders="[sendgird]")
    with pytest.raises(InputError, match="Did you mean 'sendgrid'"):
        manifest_for(case, knot)  # rejected when the manifest loads, with its line
