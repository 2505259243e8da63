"""edge.no-rate-limit: a bounded burst that a protected endpoint must answer with 429.

Opt-in (``--probe-rate-limits``): the burst is real traffic against the real store, so it
is small and stops at the first 429. Requests go out in short concurrent waves, like a
modest bot, never more than :data:`MAX_REQUESTS` within :data:`WINDOW_S` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from launchready.catalog import finding
from launchready.chat.adapter import ChatClient
from launchready.context import CheckContext
from launchready.findings import Finding

MAX_REQUESTS = 30
WINDOW_S = 10.0
WAVE = 5


@dataclass(frozen=True)
class Target:
    """One endpoint to burst, as the manifest describes its request."""

    name: str
    method: str
    url: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None
    checkout: bool = False


def targets(ctx: CheckContext) -> list[Target]:
    """Every ``rate_limited`` route, and the chatbot with its request template filled in."""
    found = [
        Target(r.name, r.method, r.url, r.headers, r.json_body, r.form, r.checkout)
        for r in ctx.manifest.routes
        if r.rate_limited
    ]
    bot = ctx.manifest.chatbot
    if bot is not None:
        session = ChatClient(bot, ctx.http).session("launchready-rate-probe")
        method, url, headers, body, form = session.build_request("hello")
        found.append(Target("chatbot", method, url, headers, body, form))
    return found


async def burst(ctx: CheckContext, target: Target) -> Finding | None:
    """Send waves until a 429, :data:`MAX_REQUESTS` or :data:`WINDOW_S`; no 429 -> finding."""
    statuses: Counter[str] = Counter()
    sent = 0
    started = time.monotonic()
    while sent < MAX_REQUESTS and time.monotonic() - started < WINDOW_S:
        wave = min(WAVE, MAX_REQUESTS - sent)
        responses = await asyncio.gather(
            *(
                ctx.http.request(
                    target.method,
                    target.url,
                    headers=target.headers,
                    json=target.json,
                    form=target.form,
                    max_body=16 * 1024,
                )
                for _ in range(wave)
            )
        )
        sent += wave
        statuses.update(str(r.status) if r.status is not None else "error" for r in responses)
        if statuses["429"]:
            return None
    if statuses["error"] == sent:
        return None  # nothing answered: not evidence of a missing limit
    return finding(
        "edge.no-rate-limit",
        target=target.url,
        evidence={
            "route": target.name,
            "requests": sent,
            "seconds": round(time.monotonic() - started, 1),
            "statuses": dict(statuses),
        },
        checkout=target.checkout,
        fingerprint_keys=["route"],
    )


async def no_rate_limit(ctx: CheckContext) -> list[Finding]:
    results = await asyncio.gather(*(burst(ctx, t) for t in targets(ctx)))
    return [f for f in results if f is not None]
