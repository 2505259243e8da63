"""``dns.dangling-cname``: CNAMEs that point at names or resources nobody holds any more.

Forgotten aliases are rarely the hosts a manifest lists: they are last summer's campaign
host linked from the home page, or ``blog`` left pointing at a deleted Ghost site. So the
candidates are the manifest's names, the site's own hostnames linked from the home page,
and a short list of labels stores commonly create. A candidate is dangling when its CNAME
chain ends in NXDOMAIN, or when it leads into a hosting service (``data/takeover.yaml``)
whose page on the candidate's own hostname says the resource is unclaimed. The page is
fetched through the audit's HTTP client, so ``network.resolve`` applies; the provider is
never contacted under its own name.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from launchready.catalog import finding
from launchready.checks.dns.survey import JUDGEABLE, Plan, Survey, hostname, within
from launchready.context import CheckContext
from launchready.data import TakeoverService, takeover_service
from launchready.findings import Finding, JSONValue
from launchready.net.http import HttpResponse

COMMON_LABELS = (
    "promo", "shop", "store", "blog", "old", "www2", "dev", "test", "beta", "status",
    "help", "support", "docs", "mail", "news", "cdn", "static", "assets", "app", "careers",
)  # fmt: skip
"""Subdomains stores often create for campaigns and tools, then forget."""
MAX_LINKED = 40
"""At most this many linked hostnames are looked up: a hostile page may link thousands."""
MAX_REDIRECTS = 3
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")
_LINK_ATTRS = {
    "a": "href",
    "area": "href",
    "link": "href",
    "iframe": "src",
    "img": "src",
    "script": "src",
    "source": "src",
    "form": "action",
}


@dataclass(frozen=True)
class Candidate:
    """A name to test for a dangling CNAME; ``judged`` names must give an answer."""

    name: str
    judged: bool


def candidates(plan: Plan, linked: list[str]) -> list[Candidate]:
    """The manifest's names (judged), then linked and common names (best effort)."""
    own = [Candidate(n, True) for n in plan.map_names]
    seen = {c.name for c in own}
    guessed = [*linked, *(f"{label}.{plan.apex}" for label in COMMON_LABELS)]
    extra = [Candidate(n, False) for n in dict.fromkeys(guessed) if n not in seen]
    return own + extra


async def linked_hosts(ctx: CheckContext, plan: Plan) -> list[str]:
    """Hostnames under the site's domain that the home page links to or loads from.

    The home page failing is not this area's finding (the routing and web areas report
    it): without a page there are simply no linked names to test.
    """
    url = plan.home_url
    response = await ctx.http.get(url)
    for _ in range(MAX_REDIRECTS):
        location = response.header("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            break
        url = urljoin(url, location)
        if not within(_host(url, url) or "", plan.apex):
            return []  # off-site (or not a URL): its links are not the store's names
        response = await ctx.http.get(url)
    if response.status is None or not response.body:
        return []
    found: dict[str, None] = {}
    selector = ", ".join(f"{tag}[{attribute}]" for tag, attribute in _LINK_ATTRS.items())
    for node in LexborHTMLParser(response.text).css(selector):
        host = _host(url, node.attributes.get(_LINK_ATTRS.get(node.tag or "", "href")))
        if host and within(host, plan.apex):
            found[host] = None
            if len(found) == MAX_LINKED:
                break
    return list(found)


def _host(base: str, link: str | None) -> str | None:
    if not link:
        return None
    try:
        host = urlsplit(urljoin(base, link.strip())).hostname
    except ValueError:
        return None
    name = hostname(host or "")
    return name if _HOSTNAME.match(name) else None


async def dangling_cnames(
    ctx: CheckContext, plan: Plan, survey: Survey, names: list[Candidate]
) -> list[Finding]:
    """One finding per candidate whose CNAME leads nowhere or to an unclaimed resource."""
    findings: list[Finding] = []
    probes = []
    for candidate in names:
        answer = survey.judged(candidate.name, "CNAME") if candidate.judged else None
        target = survey.cname(candidate.name)
        if target is None or (candidate.judged and answer is None):
            continue
        end = survey.peek(candidate.name, "A")
        if end is None or end.status not in JUDGEABLE:
            if candidate.judged:
                survey.judged(candidate.name, "A")
            continue
        service = takeover_service([target, end.canonical_name or target])
        if end.status == "nxdomain":
            evidence: dict[str, JSONValue] = {
                "cname": target,
                "missing": end.canonical_name or target,
                "answer": "NXDOMAIN",
            }
            if service is not None:
                evidence |= {"service": service.name, "takeover": service.takeover}
            findings.append(_dangling(plan, candidate.name, evidence))
        elif service is not None and service.body:
            probes.append(_fingerprint(ctx, plan, candidate.name, target, service))
    findings += [f for f in await asyncio.gather(*probes) if f is not None]
    return findings


async def _fingerprint(
    ctx: CheckContext, plan: Plan, name: str, target: str, service: TakeoverService
) -> Finding | None:
    """Fetch the candidate's own page over HTTP and HTTPS; the first fingerprint wins."""
    responses: list[HttpResponse] = list(
        await asyncio.gather(ctx.http.get(f"http://{name}/"), ctx.http.get(f"https://{name}/"))
    )
    for response in responses:
        marker = service.unclaimed(response.status, response.headers, response.text)
        if marker is not None:
            return _dangling(
                plan,
                name,
                {
                    "cname": target,
                    "service": service.name,
                    "takeover": service.takeover,
                    "url": response.url,
                    "status": response.status,
                    "fingerprint": marker,
                },
            )
    return None


def _dangling(plan: Plan, name: str, evidence: dict[str, JSONValue]) -> Finding:
    return finding(
        "dns.dangling-cname",
        target=name,
        evidence=evidence,
        checkout=name in plan.checkout_hosts,
    )
