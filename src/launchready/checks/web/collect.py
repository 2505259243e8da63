"""Every response the web and edge checks judge, fetched once through the shared memo.

The pages are the canonical URL and every GET route (redirects followed, so a check reads
the page a shopper lands on); the routes are requested as the manifest describes them;
the probes are the requests a careless error handler trips over: an API route re-sent
with a broken JSON body, a GET route with a stray quote in its query, a webhook without
its signature. All of it goes through :mod:`launchready.fetch` and the context's client,
so the same request is sent once however many areas read it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from launchready.context import CheckContext
from launchready.fetch import follow, route_response
from launchready.manifest import Manifest, Route
from launchready.net import HttpResponse

Kind = Literal["page", "route", "malformed", "unsigned"]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BROKEN_JSON_FORM = {'{"': ""}
"""Sent as the form of a request whose Content-Type says JSON: the client encodes it as
``%7B%22=``, a body no JSON parser accepts (the client has no raw-body parameter)."""
BOGUS_QUERY = "id='"
SIGNATURE_HINTS = ("signature", "hmac", "-sig")
"""Header names that carry a webhook signature (Stripe-Signature, X-Hub-Signature-256,
X-Shopify-Hmac-Sha256, Paypal-Transmission-Sig, ...): dropped from the unsigned request."""


@dataclass(frozen=True)
class Exchange:
    """One request the audit made, why, and what came back."""

    kind: Kind
    response: HttpResponse
    route: Route | None = None

    @property
    def label(self) -> str:
        """The request as a person would name it in a report."""
        suffix = {"malformed": " (malformed)", "unsigned": " (unsigned)"}.get(self.kind, "")
        return f"{self.response.method} {self.response.url}{suffix}"

    @property
    def checkout(self) -> bool:
        return self.route is not None and self.route.checkout

    @property
    def answered(self) -> bool:
        return self.response.status is not None


def page_urls(manifest: Manifest) -> list[str]:
    """The canonical URL and every GET route's URL without extra headers, in order."""
    urls = [manifest.site.canonical] if manifest.site.canonical else []
    urls += [r.url for r in manifest.routes if r.method == "GET" and not r.headers]
    return list(dict.fromkeys(_with_path(u) for u in urls))


def _with_path(url: str) -> str:
    """``https://host`` and ``https://host/`` are one request; spell it the second way."""
    parts = urlsplit(url)
    return url if parts.path else parts._replace(path="/").geturl()


async def pages(ctx: CheckContext) -> list[Exchange]:
    """The page each URL of :func:`page_urls` ends on (one redirect chain each)."""
    routes = {
        _with_path(r.url): r for r in ctx.manifest.routes if r.method == "GET" and not r.headers
    }

    async def landed(url: str) -> Exchange:
        chain = await follow(ctx, url)
        return Exchange("page", await ctx.http.get(chain.final.url), routes.get(url))

    return list(await asyncio.gather(*(landed(u) for u in page_urls(ctx.manifest))))


async def routes(ctx: CheckContext) -> list[Exchange]:
    """Every route requested as the manifest describes it."""
    routes = ctx.manifest.routes
    responses = await asyncio.gather(*(route_response(ctx, r) for r in routes))
    return [Exchange("route", resp, r) for r, resp in zip(routes, responses, strict=True)]


async def malformed(ctx: CheckContext, route: Route) -> Exchange:
    """``route`` with input its handler should reject politely (4xx, plain message)."""
    if route.method in BODY_METHODS or route.json_body is not None or route.form is not None:
        headers = {**route.headers, "Content-Type": "application/json"}
        response = await ctx.http.request_once(
            route.method, route.url, headers=headers, form=BROKEN_JSON_FORM
        )
    else:
        parts = urlsplit(route.url)
        joiner = "&" if parts.query else "?"
        url = parts._replace(fragment="").geturl() + joiner + BOGUS_QUERY
        response = await ctx.http.request_once(route.method, url, headers=route.headers)
    return Exchange("malformed", response, route)


def unsigned_headers(route: Route) -> dict[str, str]:
    """The route's headers minus any that look like a signature."""
    return {
        k: v for k, v in route.headers.items() if not any(h in k.lower() for h in SIGNATURE_HINTS)
    }


async def unsigned(ctx: CheckContext, route: Route) -> Exchange:
    """A webhook route's described request, without any signature header."""
    response = await ctx.http.request_once(
        route.method,
        route.url,
        headers=unsigned_headers(route),
        json=route.json_body,
        form=route.form,
    )
    return Exchange("unsigned", response, route)


async def probes(ctx: CheckContext) -> list[Exchange]:
    """The malformed request of every route and the unsigned request of every webhook."""
    routes = ctx.manifest.routes
    jobs = [malformed(ctx, r) for r in routes] + [unsigned(ctx, r) for r in routes if r.webhook]
    return list(await asyncio.gather(*jobs))


def is_html(response: HttpResponse) -> bool:
    content_type = (response.header("content-type") or "").lower()
    return "html" in content_type or (not content_type and b"<html" in response.body[:2048])


def html_pages(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """The answered HTML documents, each URL once (a route may repeat the canonical)."""
    seen: dict[str, Exchange] = {}
    for ex in exchanges:
        resp = ex.response
        if resp.status is not None and 200 <= resp.status < 300 and is_html(resp):
            seen.setdefault(resp.url, ex)
    return list(seen.values())


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
