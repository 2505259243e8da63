"""Secrets in what the site sends to browsers: the page, its scripts, their source maps.

A rushed build inlines ``process.env`` into the bundle, and a published source map hands
out the original modules verbatim (``sourcesContent``), so both are scanned. Only the
site's own files are fetched (the page's registrable domain and its subdomains): a CDN
copy of a library cannot hold the store's keys, and fetching it would only cost time.
Everything goes through the audit's memoised :meth:`HttpClient.get`, concurrently, and
is bounded in count and size because a hostile or broken site may link thousands.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from launchready.mail.dmarc import organizational_domain
from launchready.net import HttpClient, HttpResponse
from launchready.net.dns import is_ip_literal
from launchready.secrets import Match, Scanner

MAX_FILES = 50
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
_MAP_COMMENT = re.compile(rb"[#@]\s*sourceMappingURL=\s*(\S+)")
_MAP_TAIL = 4096
"""The comment is the bundle's last line; only the tail is searched, so a string that
merely mentions sourceMappingURL in the middle of a bundle is not followed."""


@dataclass
class _Budget:
    """Files left to fetch for one page, and URLs already scanned (shared across pages)."""

    left: int
    scanned: set[str] = field(default_factory=set)

    def take(self, urls: Sequence[str]) -> list[str]:
        fresh = [u for u in dict.fromkeys(urls) if u not in self.scanned][: max(self.left, 0)]
        self.left -= len(fresh)
        self.scanned.update(fresh)
        return fresh


async def scan_url(
    http: HttpClient,
    url: str,
    scanner: Scanner,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
    site: str | None = None,
    scanned: set[str] | None = None,
) -> list[Match]:
    """Matches in the page at ``url``, every same-site script it loads and their maps.

    ``site`` is the registrable domain when the caller knows it (the manifest's
    ``site.domain``); ``scanned`` is shared between calls so that a bundle loaded by
    every page is scanned once per audit.
    """
    budget = _Budget(max_files, scanned if scanned is not None else set())
    page = await _landed(http, url, site)
    if page is None:
        return []
    known = (site,) if site else ()
    fresh = page.url not in budget.scanned
    budget.scanned.add(page.url)
    matches = await _scan(scanner, page.body[:max_bytes], page.url) if fresh else []
    scripts = budget.take(
        [u for u in script_urls(page.body, page.url) if same_site(u, page.url, known)]
    )
    bodies = await asyncio.gather(*(http.get(u) for u in scripts))
    loaded = [r for r in bodies if _ok(r)]
    found = await asyncio.gather(*(_scan(scanner, r.body[:max_bytes], r.url) for r in loaded))
    matches += [m for group in found for m in group]
    maps: list[str] = []
    for response in loaded:
        inline, linked = source_map_refs(response)
        for text, label in inline:
            matches += await _scan_map(scanner, text, label, max_bytes)
        maps += [u for u in linked if same_site(u, page.url, known)]
    map_responses = await asyncio.gather(*(http.get(u) for u in budget.take(maps)))
    results = await asyncio.gather(
        *(_scan_map(scanner, r.body, r.url, max_bytes) for r in map_responses if _ok(r))
    )
    return matches + [m for group in results for m in group]


async def _landed(http: HttpClient, url: str, site: str | None) -> HttpResponse | None:
    """The page ``url`` ends on after same-site redirects, or None when it never answers."""
    known = (site,) if site else ()
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        response = await http.get(current)
        location = response.header("location")
        if response.status is None:
            return None
        if 300 <= response.status < 400 and location:
            target = urljoin(current, location)
            if not same_site(target, url, known):
                return None
            current = target
            continue
        return response if 200 <= response.status < 300 else None
    return None


def script_urls(html: bytes, base: str) -> list[str]:
    """Absolute URLs of ``<script src>``, ``<link rel=modulepreload>`` and
    ``<link rel=preload as=script>``, in document order, without fragments."""
    if b"<" not in html:
        return []
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    found: list[str] = []
    for node in tree.css("script[src], link[href]"):
        attrs = node.attributes
        if node.tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            wanted = "modulepreload" in rel or (
                "preload" in rel and (attrs.get("as") or "").lower() == "script"
            )
            raw = attrs.get("href") if wanted else None
        else:
            raw = attrs.get("src")
        if raw and raw.strip():
            absolute = urljoin(base, raw.strip()).split("#", 1)[0]
            if urlsplit(absolute).scheme in ("http", "https"):
                found.append(absolute)
    return list(dict.fromkeys(found))


def source_map_refs(response: HttpResponse) -> tuple[list[tuple[bytes, str]], list[str]]:
    """A script's source maps: inline ``data:`` maps (decoded) and linked map URLs, from
    the ``SourceMap``/``X-SourceMap`` headers and the trailing comment."""
    inline: list[tuple[bytes, str]] = []
    linked: list[str] = []
    refs = [h for h in (response.header("sourcemap"), response.header("x-sourcemap")) if h]
    refs += [m.decode("ascii", "replace") for m in _MAP_COMMENT.findall(response.body[-_MAP_TAIL:])]
    for ref in refs:
        if ref.startswith("data:"):
            data = _data_url(ref)
            if data is not None:
                inline.append((data, f"{response.url}#inline-source-map"))
        else:
            absolute = urljoin(response.url, ref).split("#", 1)[0]
            if urlsplit(absolute).scheme in ("http", "https"):
                linked.append(absolute)
    return inline, list(dict.fromkeys(linked))


def same_site(url: str, page: str, known: Sequence[str] = ()) -> bool:
    """``url`` is on the page's registrable domain or one of its subdomains (an IP
    address is only ever the same site as itself)."""
    host, origin = (urlsplit(u).hostname or "" for u in (url, page))
    if not host or not origin:
        return False
    if is_ip_literal(host) or is_ip_literal(origin):
        return host == origin
    return organizational_domain(host, known) == organizational_domain(origin, known)


async def _scan(scanner: Scanner, data: bytes, path: str) -> list[Match]:
    """Matching is CPU work: it runs in a thread so the audit's sockets keep moving."""
    return await asyncio.to_thread(scanner.scan_bytes, data, path)


async def _scan_map(scanner: Scanner, raw: bytes, map_url: str, max_bytes: int) -> list[Match]:
    """Each ``sourcesContent`` entry scanned as its own file, ``map-url#source-name``."""
    try:
        document = json.loads(raw[:max_bytes])
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(document, dict):
        return []
    contents = document.get("sourcesContent")
    sources = document.get("sources")
    if not isinstance(contents, list):
        return []
    names = sources if isinstance(sources, list) else []
    jobs = []
    for index, text in enumerate(contents):
        if not isinstance(text, str) or not text:
            continue
        name = names[index] if index < len(names) and isinstance(names[index], str) else index
        jobs.append(_scan(scanner, text.encode()[:max_bytes], f"{map_url}#{name}"))
    found = await asyncio.gather(*jobs)
    return [m for group in found for m in group]


def _data_url(ref: str) -> bytes | None:
    header, _, payload = ref.partition(",")
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def _ok(response: HttpResponse) -> bool:
    return response.status is not None and 200 <= response.status < 300


__all__ = ["MAX_BYTES", "MAX_FILES", "same_site", "scan_url", "script_urls", "source_map_refs"]
