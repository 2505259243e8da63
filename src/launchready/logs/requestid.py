"""Request IDs: which log fields count as one, and whether the routes send the header.

Support can only find a customer's failed order in the logs when every line carries the
ID the response gave that customer. So two things are checked: the share of log lines
that carry an ID (per file, from the parsed records), and whether the live routes answer
with the header (``logs.request_id``, else ``X-Request-ID``). Tracing IDs
(``trace_id``, ``X-Correlation-ID``) count too: they tie a request's lines together in
the same way.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from launchready.manifest import Route
from launchready.net import HttpResponse

DEFAULT_HEADER = "X-Request-ID"
COVERAGE_GOAL = 0.90
"""checks.md: under 90 % of lines carrying the ID is a finding."""
KNOWN_NAMES = frozenset(
    {
        "requestid",
        "reqid",
        "xrequestid",
        "correlationid",
        "xcorrelationid",
        "traceid",
        "xamzntraceid",
        "httprequestid",
    }
)
"""Field names (lowercased, punctuation removed) that hold a request ID."""
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def normal(name: str) -> str:
    """``X-Request-ID``, ``request_id``, ``requestId`` -> ``xrequestid``/``requestid``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def id_names(header: str | None) -> frozenset[str]:
    """The normalised field names that count as the request ID: the configured header
    (with and without its ``X-``) and the usual names."""
    names = set(KNOWN_NAMES)
    if header:
        names.add(normal(header))
        if normal(header).startswith("x"):
            names.add(normal(header)[1:])
    return frozenset(names)


def keyed_pattern(header: str | None) -> str:
    """A regex (for polars) finding an ID under a key: ``request_id=abc1``,
    ``req-id: abc1``, ``"X-Request-ID": ["abc1"]`` or the configured name. In JSON the
    value must be a string, so ``"request_id": null`` does not count."""
    words = [r"(?:x[-_])?(?:request|req|correlation|trace)[-_ ]?id"]
    if header:
        words.append(re.escape(header))
    key = "(?:" + "|".join(words) + ")"
    quoted = r'"\s*:\s*\[?\s*"[A-Za-z0-9][^"\s]{3,}"'
    bare = r'\s*[=:]\s*"?[A-Za-z0-9][\w.:/+-]{3,}'
    return rf"(?i){key}(?:{quoted}|{bare})"


def bare_id_pattern() -> str:
    """An ID written without a key, as nginx's ``$request_id`` (32 hex) or a UUID is when
    appended to the combined format."""
    return r"(?:^|[\s\"\[])(?:" + UUID + r"|[0-9a-fA-F]{16,64})(?:$|[\s\"\]])"


@dataclass(frozen=True)
class LiveCheck:
    """One route's answer: did it carry the request-ID header?"""

    route: str
    method: str
    url: str
    checkout: bool
    status: int | None
    present: bool
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "route": self.route,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "present": self.present,
            "error": self.error,
        }


Fetch = Callable[[Route], Awaitable[HttpResponse]]
"""How a route is requested: the audit passes the context's memoised
:func:`launchready.fetch.route_response`."""


async def live_checks(routes: Sequence[Route], header: str, fetch: Fetch) -> list[LiveCheck]:
    """Each non-webhook route requested once (the audit's memoised request, so the store
    sees no extra traffic) and its answer checked for ``header``. A route that did not
    answer says nothing about the header: ``routing`` reports it."""
    chosen = [r for r in routes if not r.webhook]
    answers = await asyncio.gather(*(fetch(r) for r in chosen))
    return [
        LiveCheck(
            route=r.name,
            method=r.method,
            url=r.url,
            checkout=r.checkout,
            status=a.status,
            present=a.status is not None and bool((a.header(header) or "").strip()),
            error=a.error,
        )
        for r, a in zip(chosen, answers, strict=True)
    ]


__all__ = [
    "COVERAGE_GOAL",
    "DEFAULT_HEADER",
    "Fetch",
    "LiveCheck",
    "bare_id_pattern",
    "id_names",
    "keyed_pattern",
    "live_checks",
    "normal",
]
