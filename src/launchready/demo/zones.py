"""The DNS data the demo serves: the store's zone and the mail providers' stub zones.

The zones are written as zone-file text and parsed with dnspython's zone API, because a
zone file is what a founder would see in their DNS provider, and reading the flawed and
fixed variants side by side shows each planted flaw as one line. The providers' stub
zones (``_spf.google.com``, ``sendgrid.net``) exist so that SPF ``include:`` terms can be
followed on our own server; every address in them is loopback.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import dns.dnssec
import dns.dnssectypes
import dns.zone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from launchready.demo.settings import MAIL_IP, NS1_IP, NS2_IP, ORIGIN_IP, DemoSettings

TTL = 300
_SOA = "@ SOA ns1.{d}. hostmaster.{d}. 2024030101 3600 600 604800 300"
_TXT_CHUNK = 255


def build_zones(settings: DemoSettings) -> list[dns.zone.Zone]:
    """The store's zone (signed when fixed) followed by the providers' stub zones."""
    main = _parse(main_zone_text(settings), settings.domain)
    if settings.fixed:
        _sign(main)
    return [
        main,
        _parse(_google_zone_text(settings.domain), "google.com"),
        _parse(_sendgrid_zone_text(settings.domain), "sendgrid.net"),
    ]


def main_zone_text(settings: DemoSettings) -> str:
    """The zone file of the store's domain, with or without the planted DNS/email flaws."""
    d = settings.domain
    google_key = dkim_record(2048)
    s1_key = dkim_record(2048 if settings.fixed else 1024)
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
        f"google._domainkey TXT {google_key}",
        f"s1._domainkey TXT {s1_key}",
    ]
    if settings.fixed:
        lines += [
            "@ NS ns2",
            f"ns2 A {NS2_IP}",
            '@ CAA 0 issue "letsencrypt.org"',
            f'@ CAA 0 iodef "mailto:security@{d}"',
            '@ TXT "v=spf1 include:_spf.google.com include:sendgrid.net -all"',
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
            '@ TXT "v=spf1 include:_spf.google.com ?all"',
            '_dmarc TXT "v=DMARC1; p=none"',
        ]
    return "\n".join(lines) + "\n"


def dkim_record(bits: int) -> str:
    """A DKIM TXT value for a freshly generated RSA key, split into 255-byte strings."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    value = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii")
    chunks = [value[i : i + _TXT_CHUNK] for i in range(0, len(value), _TXT_CHUNK)]
    return " ".join(f'"{chunk}"' for chunk in chunks)


def _google_zone_text(domain: str) -> str:
    return "\n".join(
        [
            f"$TTL {TTL}",
            _SOA.format(d=domain),
            f"@ NS ns1.{domain}.",
            '_spf TXT "v=spf1 include:_netblocks.google.com ~all"',
            '_netblocks TXT "v=spf1 ip4:127.64.0.0/16 ip4:127.65.0.0/16 ~all"',
            f"smtp A {MAIL_IP}",
        ]
    )


def _sendgrid_zone_text(domain: str) -> str:
    return "\n".join(
        [
            f"$TTL {TTL}",
            _SOA.format(d=domain),
            f"@ NS ns1.{domain}.",
            '@ TXT "v=spf1 ip4:127.89.0.0/16 ip4:127.90.0.0/16 ~all"',
        ]
    )


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
