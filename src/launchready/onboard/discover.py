"""What DNS and HTTP already say about a store, for its first manifest.

Everything runs concurrently through the audit's own network layer (so ``network`` pins,
private nameservers and a test CA work here as in an audit): the apex and www records and
the common subdomains, MX, the SPF record's includes mapped to the mail providers it
names, the DKIM selectors those providers (and the other common ones) publish, where the
apex redirects (the canonical origin), and whether a CDN's headers come back. What cannot
be found is a note, never a guess written as fact.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from launchready.checks.edge.cdn import served_by
from launchready.context import CheckContext
from launchready.fetch import follow
from launchready.mail.providers import providers
from launchready.mail.spf_parse import select_spf_records
from launchready.onboard.cloudflare import ZoneFound

SUBDOMAINS = ("www", "app", "api", "chat", "shop", "staging", "demo")
ROLES = {"www": "storefront", "shop": "storefront", "api": "api", "chat": "chat", "app": "app"}
STAGING = frozenset({"staging", "demo"})
DKIM_SELECTORS = {
    "google": "google-workspace",
    "selector1": "microsoft-365",
    "selector2": "microsoft-365",
    "s1": "sendgrid",
    "s2": "sendgrid",
    "smtpapi": "sendgrid",
    "k1": "mailchimp",
    "k2": "mailchimp",
    "mte1": "mailchimp",
    "mandrill": "mandrill",
    "pm": "postmark",
    "mg": "mailgun",
    "mailo": "mailgun",
    "shopify": "shopify",
    "kl": "klaviyo",
    "zoho": "zoho",
}
"""Selectors worth a lookup, with the provider that uses each."""
SPF_DEPTH = 3
_INCLUDE = re.compile(r"(?:^|\s)[+?~-]?include:(\S+)", re.IGNORECASE)


@dataclass
class Discovery:
    domain: str
    hosts: dict[str, str] = field(default_factory=dict)
    """Names that resolve, with the role their label suggests."""
    staging: list[str] = field(default_factory=list)
    canonical: str | None = None
    redirects: list[tuple[str, str]] = field(default_factory=list)
    mx: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    dkim_selectors: list[str] = field(default_factory=list)
    cdn: str = "none"
    cdn_provider: str | None = None
    notes: list[str] = field(default_factory=list)
    """What could not be found, for the user (and as comments in the file)."""
    cloudflare: ZoneFound | None = None
    """The Cloudflare zone, when init could read it (:mod:`.cloudflare`)."""


async def discover(ctx: CheckContext, domain: str) -> Discovery:
    found = Discovery(domain)
    names = [domain, *(f"{label}.{domain}" for label in SUBDOMAINS)]
    resolving, mx, spf, selectors = await asyncio.gather(
        asyncio.gather(*(_resolves(ctx, name) for name in names)),
        ctx.resolver.query(domain, "MX"),
        _spf_includes(ctx, domain),
        asyncio.gather(*(_has_dkim(ctx, s, domain) for s in DKIM_SELECTORS)),
    )
    for name, ok in zip(names, resolving, strict=True):
        label = name.removesuffix(f".{domain}") if name != domain else ""
        if not ok:
            continue
        if label in STAGING:
            found.staging.append(name)
        elif label:
            found.hosts[name] = ROLES.get(label, "other")
    if not resolving[0]:
        found.notes.append(f"{domain} has no A, AAAA or CNAME record")
    found.mx = sorted(mx.records) if mx.ok else []
    found.dkim_selectors = [s for s, ok in zip(DKIM_SELECTORS, selectors, strict=True) if ok]
    found.senders = _senders(spf, found.dkim_selectors)
    if not spf:
        found.notes.append("no SPF include found: list your mail senders in email.senders")
    await _web(ctx, found)
    return found


async def _resolves(ctx: CheckContext, name: str) -> bool:
    answers = await asyncio.gather(
        *(ctx.resolver.query(name, rdtype) for rdtype in ("A", "AAAA", "CNAME"))
    )
    return any(a.ok and a.records for a in answers)


async def _spf_includes(ctx: CheckContext, domain: str) -> list[str]:
    """The include names the store's own SPF names: those of its record, and of includes
    under its own domain (``_spf.shop.com``). A provider's own includes are its business:
    following them would name every provider a big sender happens to include."""
    seen: list[str] = []
    frontier = [domain]
    for _depth in range(SPF_DEPTH):
        answers = await asyncio.gather(*(ctx.resolver.query(n, "TXT") for n in frontier))
        frontier = []
        for answer in answers:
            for record in select_spf_records(list(answer.records) if answer.ok else []):
                for include in _INCLUDE.findall(record):
                    name = include.lower().rstrip(".")
                    if name in seen:
                        continue
                    seen.append(name)
                    if name.endswith(f".{domain}"):
                        frontier.append(name)
        if not frontier:
            break
    return seen


async def _has_dkim(ctx: CheckContext, selector: str, domain: str) -> bool:
    name = f"{selector}._domainkey.{domain}"
    txt, cname = await asyncio.gather(
        ctx.resolver.query(name, "TXT"), ctx.resolver.query(name, "CNAME")
    )
    return (txt.ok and any("p=" in r for r in txt.records)) or (cname.ok and bool(cname.records))


def _senders(includes: list[str], selectors: list[str]) -> list[str]:
    """Providers named by an SPF include, then those only a DKIM selector reveals (the
    ones SPF forgot: exactly what the audit should then report)."""
    known = providers()
    found = [p.name for p in known.values() if any(i in includes for i in p.includes)]
    for selector in selectors:
        name = DKIM_SELECTORS[selector]
        if name in known and name not in found:
            found.append(name)
    return found


async def _web(ctx: CheckContext, found: Discovery) -> None:
    domain = found.domain
    starts = [f"http://{domain}/", f"https://www.{domain}/", f"https://{domain}/"]
    chains = await asyncio.gather(*(follow(ctx, url) for url in starts))
    for chain in chains:
        final = chain.final
        if chain.loop or final.status is None or final.status >= 400:
            continue
        parts = urlsplit(final.url)
        found.canonical = f"{parts.scheme}://{parts.netloc}"
        break
    if found.canonical is None:
        found.notes.append(f"no page answered at {', '.join(starts)}: set site.canonical")
        return
    for chain in chains:
        if chain.redirects and not chain.loop and chain.final.status is not None:
            found.redirects.append((chain.start, chain.final.url))
    host = urlsplit(found.canonical).hostname or ""
    if host and host != domain:
        found.hosts.setdefault(host, ROLES.get(host.split(".")[0], "storefront"))
    response = await ctx.http.get(found.canonical + "/")
    provider = served_by(response, "other") if response.ok else None
    if provider is not None:
        found.cdn_provider = provider
        found.cdn = "cloudflare" if provider.lower() == "cloudflare" else "other"
