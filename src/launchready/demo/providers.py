"""Stub zones of the mail providers the demo store's SPF and mail refer to.

Real providers nest their SPF records (Google's ``_spf`` includes three netblock records),
which is how a store that lists a few services ends up past SPF's limit of 10 lookups
(RFC 7208 4.6.4). These stubs keep that shape so the limit is exceeded for real on our
own DNS server; every address in them is loopback, and no name is a dead end (a void
lookup would be a different flaw).
"""

from __future__ import annotations

from launchready.demo.settings import MAIL_IP

SOA = "@ SOA ns1.{d}. hostmaster.{d}. 2024030101 3600 600 604800 300"
SENDGRID_SELECTOR = "smtpapi"
SENDGRID_MTA_IP = "127.89.0.25"
"""The SendGrid server that delivers the demo's order confirmation (inside sendgrid.net's SPF)."""

FLAWED_SPF = (
    "v=spf1 a mx include:_spf.google.com include:spf.protection.outlook.com "
    "include:servers.mcsv.net include:mail.zendesk.com include:shops.shopify.com ?all"
)
"""12 DNS-querying terms once includes are followed, and still no SendGrid."""
FIXED_SPF = "v=spf1 include:_spf.google.com include:sendgrid.net -all"

_RECORDS: dict[str, list[str]] = {
    "google.com": [
        '_spf TXT "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com '
        'include:_netblocks3.google.com ~all"',
        '_netblocks TXT "v=spf1 ip4:127.64.0.0/16 ip4:127.65.0.0/16 ~all"',
        '_netblocks2 TXT "v=spf1 ip4:127.66.0.0/16 ~all"',
        '_netblocks3 TXT "v=spf1 ip4:127.67.0.0/16 ~all"',
        f"smtp A {MAIL_IP}",
    ],
    "sendgrid.net": ['@ TXT "v=spf1 ip4:127.89.0.0/16 ip4:127.90.0.0/16 ~all"'],
    "outlook.com": ['spf.protection TXT "v=spf1 ip4:127.40.0.0/16 -all"'],
    "mcsv.net": ['servers TXT "v=spf1 ip4:127.41.0.0/16 ~all"'],
    "zendesk.com": [
        'mail TXT "v=spf1 include:_spf1.zendesk.com include:_spf2.zendesk.com ~all"',
        '_spf1 TXT "v=spf1 ip4:127.42.0.0/16 ~all"',
        '_spf2 TXT "v=spf1 ip4:127.43.0.0/16 ~all"',
    ],
    "shopify.com": ['shops TXT "v=spf1 ip4:127.44.0.0/16 ~all"'],
}


def provider_zone_texts(domain: str, sendgrid_key: str) -> dict[str, str]:
    """Origin -> zone text. ``sendgrid_key`` is the TXT value of SendGrid's own DKIM key,
    with which the flawed store's order confirmation is signed."""
    texts = {}
    for origin, records in _RECORDS.items():
        lines = ["$TTL 300", SOA.format(d=domain), f"@ NS ns1.{domain}.", *records]
        if origin == "sendgrid.net":
            lines.append(f"{SENDGRID_SELECTOR}._domainkey TXT {sendgrid_key}")
        texts[origin] = "\n".join(lines) + "\n"
    return texts
