"""What the audit fetches from the store, each thing once, shared by every check.

Routes are requested as the manifest describes them, redirect chains are followed hop by
hop (so every status code and Location is on record for the redirect matrix), and all of it
goes through the context's :class:`~launchready.net.HttpClient`, whose memo makes the same
request happen once per audit however many checks read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from launchready.context import CheckContext
from launchready.manifest import Route
from launchready.net import HttpResponse

MAX_HOPS = 10
"""checks.md: a chain that exceeds 10 hops is a loop."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_STATUSES = frozenset({301, 308})


async def route_response(ctx: CheckContext, route: Route) -> HttpResponse:
    """The route requested exactly as the manifest describes it (once per audit)."""
    return await ctx.http.request_once(
        route.method, route.url, headers=route.headers, json=route.json_body, form=route.form
    )


@dataclass(frozen=True)
class Hop:
    """One request of a redirect chain and what it answered."""

    url: str
    status: int | None
    location: str | None = None
    """The absolute URL the Location header points to, for a redirect."""
    error: str | None = None
    ttfb_ms: float | None = None


@dataclass(frozen=True)
class Chain:
    """A redirect chain from ``start``: every hop in order, and how it ended."""

    start: str
    hops: tuple[Hop, ...]
    loop: bool = False
    """The chain repeated a URL, or exceeded MAX_HOPS."""

    @property
    def final(self) -> Hop:
        return self.hops[-1]

    @property
    def redirects(self) -> tuple[Hop, ...]:
        """The hops that redirected (every hop but a final answer)."""
        return tuple(h for h in self.hops if h.location is not None)

    @property
    def final_url(self) -> str:
        return self.final.location if self.loop and self.final.location else self.final.url

    @property
    def failed(self) -> bool:
        """The chain ended on an error instead of an answer."""
        return self.final.status is None


async def follow(ctx: CheckContext, url: str, *, max_hops: int = MAX_HOPS) -> Chain:
    """Follow ``url``'s redirects with GET, one request per hop, stopping at a final answer,
    an error, a URL seen before (a loop) or ``max_hops`` redirects."""
    hops: list[Hop] = []
    seen: set[str] = set()
    current = url
    while True:
        seen.add(current)
        response = await ctx.http.get(current)
        location = _location(response, current)
        hops.append(Hop(current, response.status, location, response.error, response.ttfb_ms))
        if location is None:
            return Chain(url, tuple(hops))
        if location in seen or len(hops) > max_hops:
            return Chain(url, tuple(hops), loop=True)
        current = location


def same_url(a: str, b: str) -> bool:
    """Whether two absolute URLs name the same resource: scheme and host compared without
    case, default ports dropped, an empty path read as ``/``; so ``to:`` in the manifest
    matches the Location a server writes in its own spelling."""
    return _normal(a) == _normal(b)


def _normal(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host = f"{host}:{port}"
    return scheme, host, parts.path or "/", parts.query


def _location(response: HttpResponse, url: str) -> str | None:
    if response.status not in REDIRECT_STATUSES:
        return None
    target = response.header("location")
    if not target:
        return None
    absolute = urljoin(url, target.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None
