"""The dns rules and their data without a network: normalisation, fingerprints, CDN ranges.

Rules read a :class:`Survey`; here it is filled by hand with the answers a server could
give, which lets a test use Cloudflare's real ranges without any packet leaving loopback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks.dns import rules
from launchready.checks.dns.records import normalise
from launchready.checks.dns.survey import Plan, Survey, dns_map
from launchready.data import cdn_ranges, in_cdn, takeover_service, takeover_services
from launchready.manifest import Manifest, Network, parse_manifest
from launchready.net import Resolver
from launchready.net.dns import AnswerStatus, DnsAnswer


@pytest.mark.parametrize(
    ("rdtype", "written", "canonical"),
    [
        ("A", " 127.0.0.10 ", "127.0.0.10"),
        ("AAAA", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("CNAME", "Shop.Example.", "shop.example"),
        ("CNAME", "bücher.example", "xn--bcher-kva.example"),
        ("NS", "NS1.Example.NET.", "ns1.example.net"),
        ("MX", "01  SMTP.Google.com.", "1 smtp.google.com"),
        ("MX", "smtp.google.com.", "smtp.google.com"),
        ("TXT", '"v=spf1 " "include:_spf.google.com -all"', "v=spf1 include:_spf.google.com -all"),
        ("TXT", "v=spf1 -all", "v=spf1 -all"),
        ("TXT", r'"say \"hi\"" "\059 done"', 'say "hi"; done'),
        ("CAA", '0 ISSUE "letsencrypt.org"', '0 issue "letsencrypt.org"'),
        ("CAA", "0 issue letsencrypt.org", '0 issue "letsencrypt.org"'),
        ("SRV", "10 5 5060 SIP.Example.", "10 5 5060 sip.example"),
        ("A", "not-an-address", "not-an-address"),
    ],
)
def test_normalise(rdtype: str, written: str, canonical: str) -> None:
    assert normalise(rdtype, written) == canonical


def test_takeover_data_loads_with_the_services_the_issue_names() -> None:
    names = {s.name for s in takeover_services()}
    assert {"Shopify", "Heroku", "GitHub Pages", "AWS S3", "Microsoft Azure"} <= names
    assert {"Netlify", "Vercel", "Fastly"} <= names
    azure = next(s for s in takeover_services() if s.name == "Microsoft Azure")
    assert azure.nxdomain and len(azure.cname) > 5
    assert all(s.source for s in takeover_services())


@pytest.mark.parametrize(
    ("chain", "service"),
    [
        (["shops.myshopify.com"], "Shopify"),
        (["MyApp.HerokuApp.com."], "Heroku"),
        (["shop.example", "acme.github.io"], "GitHub Pages"),
        (["app.azurewebsites.net"], "Microsoft Azure"),
        (["evilmyshopify.com"], None),
        (["myshopify.com.evil.example"], None),
        (["www.shop.example"], None),
    ],
)
def test_services_match_cname_suffixes_on_label_edges(
    chain: list[str], service: str | None
) -> None:
    found = takeover_service(chain)
    assert (found.name if found else None) == service


def test_fingerprints_need_every_condition() -> None:
    [netlify] = [s for s in takeover_services() if s.name == "Netlify"]
    body = "<p>Not Found - Request ID: 01HX</p>"
    assert netlify.unclaimed(404, [("Server", "Netlify")], body) == "Not Found - Request ID:"
    assert netlify.unclaimed(404, [("Server", "nginx")], body) is None
    assert netlify.unclaimed(None, [("Server", "Netlify")], body) is None
    [shopify] = [s for s in takeover_services() if s.name == "Shopify"]
    assert shopify.unclaimed(404, [], "SORRY, THIS SHOP IS CURRENTLY UNAVAILABLE.") is not None


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("104.16.1.1", True),
        ("172.67.0.1", True),
        ("2606:4700::6810:1", True),
        ("127.0.0.10", False),
        ("2001:db8::1", False),
        ("not an address", False),
    ],
)
def test_cloudflare_ranges(address: str, inside: bool) -> None:
    assert in_cdn(address, "cloudflare") is inside
    assert in_cdn(address, "unknown-cdn") is False
    assert len(cdn_ranges()["cloudflare"]) == 22


MANIFEST = """
site:
  domain: shop.test
  hosts: [{name: www.shop.test, role: storefront}]
  cdn: CDN
"""


def _manifest(text: str) -> Manifest:
    return parse_manifest(text, Path("launchready.yaml"), {})


Answers = dict[tuple[str, str], tuple[AnswerStatus, tuple[str, ...]]]


def _survey(answers: Answers) -> Survey:
    survey = Survey(Resolver(Network()))
    for (name, rdtype), (status, records) in answers.items():
        survey.answers[(name, rdtype)] = DnsAnswer(name, rdtype, status, records)
    return survey


CLOUDFLARE_FRONTED: Answers = {
    ("shop.test", "A"): ("ok", ("104.16.1.1",)),
    ("shop.test", "AAAA"): ("ok", ("2606:4700::6810:101",)),
    ("shop.test", "CNAME"): ("nodata", ()),
    ("www.shop.test", "A"): ("ok", ("172.67.1.1",)),
    ("www.shop.test", "AAAA"): ("nodata", ()),
    ("www.shop.test", "CNAME"): ("nodata", ()),
}


@pytest.mark.parametrize(
    ("cdn", "stale"),
    [("cloudflare", []), ("none", []), ("other", [])],
)
def test_cdn_addresses_are_known_only_for_cloudflare(cdn: str, stale: list[str]) -> None:
    manifest = _manifest(MANIFEST.replace("CDN", cdn))
    found = rules.stale_records(Plan.of(manifest), _survey(CLOUDFLARE_FRONTED), manifest, set())
    assert [f.target for f in found] == stale  # no known addresses at all: silent


def test_an_origin_address_next_to_cloudflare_is_stale() -> None:
    manifest = _manifest(MANIFEST.replace("CDN", "cloudflare") + "  origin_ips: [127.0.0.10]\n")
    answers: Answers = dict(CLOUDFLARE_FRONTED)
    answers[("www.shop.test", "A")] = ("ok", ("172.67.1.1", "127.0.0.99"))
    [item] = rules.stale_records(Plan.of(manifest), _survey(answers), manifest, set())
    assert item.target == "www.shop.test"
    assert item.evidence["addresses"] == ["127.0.0.99"]
    assert item.evidence["cdn"] == "cloudflare"


def test_a_stale_check_that_cannot_see_an_aaaa_records_the_failure() -> None:
    manifest = _manifest(MANIFEST.replace("CDN", "none") + "  origin_ips: [127.0.0.10]\n")
    answers: Answers = dict(CLOUDFLARE_FRONTED)
    answers[("www.shop.test", "A")] = ("nodata", ())
    answers[("www.shop.test", "AAAA")] = ("timeout", ())
    survey = _survey(answers)
    found = rules.stale_records(Plan.of(manifest), survey, manifest, set())
    assert [f.target for f in found] == ["shop.test"]
    assert ("www.shop.test", "AAAA") in survey.failures


def test_one_type_answering_is_enough_to_resolve() -> None:
    manifest = _manifest(MANIFEST.replace("CDN", "none"))
    answers: Answers = dict(CLOUDFLARE_FRONTED)
    answers[("www.shop.test", "AAAA")] = ("servfail", ())
    survey = _survey(answers)
    assert rules.hosts_unresolved(Plan.of(manifest), survey) == []
    assert survey.failures == {}


def test_the_map_shows_errors_and_keeps_hostile_text_as_data() -> None:
    manifest = _manifest(MANIFEST.replace("CDN", "none"))
    answers: Answers = dict(CLOUDFLARE_FRONTED)
    answers[("shop.test", "TXT")] = ("ok", ("<script>alert(1)</script>\x1b[2J",))
    answers[("www.shop.test", "MX")] = ("timeout", ())
    entries = {e["name"]: e for e in dns_map(Plan.of(manifest), _survey(answers), ())}
    assert entries["shop.test"]["records"]["TXT"] == ["<script>alert(1)</script>\x1b[2J"]
    assert entries["www.shop.test"]["errors"] == {"MX": "timeout"}
    assert entries["www.shop.test"]["roles"] == ["storefront"]


@pytest.mark.parametrize(
    ("addresses", "single"),
    [
        ({"ns1": ["127.0.0.53"], "ns2": ["127.0.1.53"]}, False),
        ({"ns1": ["127.0.0.53"], "ns2": ["127.0.0.54"]}, True),
        ({"ns1": ["2001:db8:1::53"], "ns2": ["2001:db8:2::53"]}, False),
        ({"ns1": ["2001:db8:1::53"], "ns2": ["2001:db8:1:ff::53"]}, True),
        ({"ns1": ["127.0.0.53", "2001:db8:1::53"], "ns2": ["2001:db8:1::54"]}, False),
        ({"ns1": ["127.0.0.53"]}, True),
    ],
    ids=["v4-two-nets", "v4-one-24", "v6-two-nets", "v6-one-48", "mixed", "one-ns"],
)
def test_nameserver_networks(addresses: dict[str, list[str]], single: bool) -> None:
    """Addresses held only in hand-made answers: none is ever contacted."""
    answers: Answers = {("shop.test", "NS"): ("ok", tuple(f"{n}.shop.test." for n in addresses))}
    for ns, ips in addresses.items():
        for rdtype, version in (("A", "."), ("AAAA", ":")):
            found = tuple(ip for ip in ips if version in ip)
            answers[(f"{ns}.shop.test", rdtype)] = ("ok", found) if found else ("nodata", ())
    manifest = _manifest("site:\n  domain: shop.test\n")
    found = rules.nameservers_single(Plan.of(manifest), _survey(answers))
    assert bool(found) is single
