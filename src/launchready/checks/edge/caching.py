"""What caches and compression do with the store's responses.

Static files should be cached for a long time (the CDN and the browser do the work),
private responses never by a shared cache (one shopper's cart must not reach the next),
and text should travel compressed. The client asks for gzip/deflate/br and decompresses
transparently, so the Content-Encoding header, not the body, tells whether the server
compressed.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from launchready.catalog import finding
from launchready.checks.web.collect import Exchange, host_of
from launchready.checks.web.html import Ref, stylesheet_refs, subresources
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Manifest
from launchready.net import HttpResponse

MAX_ASSETS = 40
MIN_MAX_AGE = 86_400
MIN_COMPRESS_BYTES = 1024
STATIC_KINDS = frozenset({"script", "style", "image", "font"})
COMPRESSED = frozenset({"gzip", "br", "zstd", "deflate"})
TEXT_TYPES = ("text/html", "text/css", "javascript", "application/json", "+json", "image/svg")
PER_CUSTOMER = re.compile(r"/(?:cart|basket|checkout|account|my-?account|orders?|login|profile)\b")
MAX_URLS_SHOWN = 10


def same_site(url: str, manifest: Manifest) -> bool:
    """A URL on the store's own domain or one of its audited hosts."""
    host = host_of(url)
    domain = manifest.site.domain.lower()
    return host == domain or host.endswith("." + domain) or host in manifest.audited_hosts()


async def assets(ctx: CheckContext, pages: list[Exchange]) -> list[HttpResponse]:
    """The same-site static files the pages load (and fonts their stylesheets load),
    each fetched once, at most :data:`MAX_ASSETS`."""
    refs: dict[str, Ref] = {}
    for ex in pages:
        for ref in subresources(ex.response.text, ex.response.url):
            if ref.kind in STATIC_KINDS and not ref.insecure and same_site(ref.url, ctx.manifest):
                refs.setdefault(ref.url.split("#", 1)[0], ref)
    chosen = list(refs)[:MAX_ASSETS]
    fetched = list(await asyncio.gather(*(ctx.http.get(u) for u in chosen)))
    extra: dict[str, None] = {}
    for response in fetched:
        if "css" in (response.header("content-type") or "") and response.status == 200:
            for ref in stylesheet_refs(response.text, response.url):
                if same_site(ref.url, ctx.manifest) and ref.url not in refs:
                    extra.setdefault(ref.url, None)
    room = MAX_ASSETS - len(chosen)
    fetched += await asyncio.gather(*(ctx.http.get(u) for u in list(extra)[: max(room, 0)]))
    return [r for r in fetched if r.status is not None and 200 <= r.status < 300]


def directives(response: HttpResponse) -> dict[str, str]:
    """Cache-Control as a mapping of lower-case directive to value ('' when none)."""
    found: dict[str, str] = {}
    for header in response.header_all("cache-control"):
        for part in header.split(","):
            key, _, value = part.strip().partition("=")
            if key:
                found.setdefault(key.strip().lower(), value.strip().strip('"'))
    return found


def _seconds(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def cacheable(response: HttpResponse) -> bool:
    """Cacheable for at least a day by a browser or a shared cache."""
    cc = directives(response)
    if {"no-store", "no-cache", "private"} & cc.keys():
        return False
    return max(_seconds(cc.get("max-age")), _seconds(cc.get("s-maxage"))) >= MIN_MAX_AGE


def static_not_cached(files: list[HttpResponse]) -> list[Finding]:
    """edge.static-not-cached: one finding per host listing its uncached files."""
    by_host: dict[str, list[HttpResponse]] = {}
    for response in files:
        if not cacheable(response):
            by_host.setdefault(host_of(response.url), []).append(response)
    return [
        finding(
            "edge.static-not-cached",
            target=host,
            evidence={
                "files": [
                    {"url": r.url, "cache_control": r.header("cache-control") or "(none)"}
                    for r in responses[:MAX_URLS_SHOWN]
                ],
                "total": len(responses),
            },
            fingerprint_keys=[],
        )
        for host, responses in by_host.items()
    ]


def is_text(response: HttpResponse) -> bool:
    content_type = (response.header("content-type") or "").lower()
    return any(t in content_type for t in TEXT_TYPES)


def no_compression(responses: list[HttpResponse]) -> list[Finding]:
    """edge.no-compression: text over 1 KiB sent without gzip/br, per host."""
    by_host: dict[str, dict[str, int]] = {}
    for r in responses:
        encoding = (r.header("content-encoding") or "").strip().lower()
        if r.status != 200 or not is_text(r) or encoding in COMPRESSED:
            continue
        if len(r.body) > MIN_COMPRESS_BYTES:
            by_host.setdefault(host_of(r.url), {}).setdefault(r.url, len(r.body))
    return [
        finding(
            "edge.no-compression",
            target=host,
            evidence={
                "files": [{"url": u, "bytes": n} for u, n in list(files.items())[:MAX_URLS_SHOWN]],
                "total": len(files),
            },
            fingerprint_keys=[],
        )
        for host, files in by_host.items()
    ]


def private_cached(exchanges: list[Exchange]) -> list[Finding]:
    """edge.private-cached: a private response (sets a cookie, needs Authorization, or a
    per-customer path) that a shared cache may keep (``public`` or ``s-maxage``)."""
    findings = []
    done: set[str] = set()
    for ex in exchanges:
        response = ex.response
        if response.status is None or response.url in done:
            continue
        cc = directives(response)
        if "public" not in cc and "s-maxage" not in cc:
            continue
        reasons = []
        if response.header_all("set-cookie"):
            reasons.append("sets a cookie")
        if ex.route is not None and any(k.lower() == "authorization" for k in ex.route.headers):
            reasons.append("requires Authorization")
        if PER_CUSTOMER.search(urlsplit(response.url).path.lower()):
            reasons.append("per-customer path")
        if reasons:
            done.add(response.url)
            findings.append(
                finding(
                    "edge.private-cached",
                    target=response.url,
                    evidence={
                        "cache_control": ", ".join(response.header_all("cache-control")),
                        "private_because": reasons,
                    },
                    checkout=ex.checkout,
                    fingerprint_keys=["private_because"],
                )
            )
    return findings
