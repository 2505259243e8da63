"""The DNS data the demo serves: the store's zone and the mail providers' stub zones.

The zones are written as zone-file text and parsed with dnspython's zone API, because a
zone file is what a founder would see in their DNS provider, and reading the flawed and
fixed variants side by side shows each planted flaw as one line. The providers' stub
zones (``providers.py``) exist so that SPF ``include:`` terms can be followed on our own
server; every address in them is loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dns.dnssec
import dns.dnssectypes
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ed25519

from launchready.demo.mail import DemoMailKeys
from launchready.demo.providers import FIXED_SPF, FLAWED_SPF, provider_zone_texts
from launchready.demo.settings import NS1_IP, NS2_IP, ORIGIN_IP, DemoSettings

TTL = 300
_SOA = "@ SOA ns1.{d}. hostmaster.{d}. 2024030101 3600 600 604800 300"


def build_zones(settings: DemoSettings, keys: DemoMailKeys | None = None) -> list[dns.zone.Zone]:
    """The store's zone (signed when fixed) followed by the providers' stub zones.

    ``keys`` are the DKIM keys the run signs its sample message with; fresh ones are made
    when none are given (tests that only look at the zones).
    """
    keys = keys or DemoMailKeys.generate(settings.fixed)
    main = _parse(main_zone_text(settings, keys), settings.domain)
    if settings.fixed:
        _sign(main)
    providers = provider_zone_texts(settings.domain, keys.sendgrid.record())
    return [main, *(_parse(text, origin) for origin, text in providers.items())]


def main_zone_text(settings: DemoSettings, keys: DemoMailKeys) -> str:
    """The zone file of the store's domain, with or without the planted DNS/email flaws."""
    d = settings.domain
    lines = [
        f"$TTL {TTL}",
        _SOA.format(d=d),
        "@ NS ns1",
        f"ns1 A {NS1_IP}",
        f"@ A {ORIGIN_IP}",
        "www CNAME @",
        f"api A {ORIGIN_IP}",
        f"chat A {ORIGIN_IP}",
        "@ MX 1 smtp.google.com.",
        f"google._domainkey TXT {keys.google.record()}",
        f"s1._domainkey TXT {keys.s1.record()}",
    ]
    if keys.s2 is not None:
        lines.append(f"s2._domainkey TXT {keys.s2.record()}")
    if settings.fixed:
        lines += [
            "@ NS ns2",
            f"ns2 A {NS2_IP}",
            '@ CAA 0 issue "letsencrypt.org"',
            f'@ CAA 0 iodef "mailto:security@{d}"',
            f'@ TXT "{FIXED_SPF}"',
            f'_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{d}"',
            f"mta-sts A {ORIGIN_IP}",
            '_mta-sts TXT "v=STSv1; id=20240301T000000"',
            f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@{d}"',
        ]
    else:
        lines += [
            # The campaign host was deleted but its alias was not: a takeover waiting to happen.
            "promo CNAME summer-sale",
            # The team's preview environment, published for anyone to find.
            f"staging A {ORIGIN_IP}",
            # Every service anyone ever tried, but not SendGrid, which sends the order mail.
            f'@ TXT "{FLAWED_SPF}"',
            '_dmarc TXT "v=DMARC1; p=none"',
        ]
    return "\n".join(lines) + "\n"


def _parse(text: str, origin: str) -> dns.zone.Zone:
    # Absolute names throughout, so rdata (CNAME targets, MX exchanges) renders without
    # needing the origin again when answers are built.
    return dns.zone.from_text(text, origin=origin + ".", relativize=False)


def _sign(zone: dns.zone.Zone) -> None:
    """DNSSEC-sign ``zone`` with a fresh Ed25519 key (adds DNSKEY, RRSIG and NSEC)."""
    key = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssectypes.Algorithm.ED25519, flags=257)
    now = datetime.now(UTC)
    dns.dnssec.sign_zone(
        zone,
        keys=[(key, dnskey)],
        inception=now - timedelta(hours=1),
        expiration=now + timedelta(days=30),
    )
