"""What an experiment drives, and how one answer is judged.

A target is a manifest route (sent as the manifest describes it, on the staging origin) or
the chatbot (one message, on the staging origin too). Each request is held to the cap; its
outcome keeps what the findings need: the status, the time, whether there was no answer at
all within the cap, and whether the answer was a working one or an error page.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from launchready.chat.adapter import ChatClient
from launchready.conditions import evaluate_all
from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.manifest import Manifest, Route
from launchready.net import HttpResponse
from launchready.smoke.chatsteps import SMOKE_MESSAGE
from launchready.smoke.steps import SMOKE_MAX_BODY, probe_result, rebase, route_conditions

CHATBOT = "chatbot"
"""How ``used_by`` names the chatbot."""
Verdict = Literal["ok", "error", "no answer", "failed"]
"""``ok``: a working answer; ``error``: a 4xx/5xx or an error page; ``no answer``: nothing
within the cap; ``failed``: the request itself failed (connection refused, TLS, reset)."""
ERROR_PAGE = re.compile(
    r"traceback \(most recent call last\)|internal server error|bad gateway|gateway time-?out"
    r"|unhandled exception|exception in thread|stack trace|fatal error",
    re.IGNORECASE,
)
"""What a framework's error page says; a degraded answer says something else."""


@dataclass(frozen=True)
class Target:
    name: str
    """The route name, or ``chatbot``."""
    url: str
    """Where it is sent: the route's path and query on the staging origin."""
    checkout: bool = False
    route: Route | None = None


@dataclass(frozen=True)
class Outcome:
    target: str
    status: int | None
    elapsed_ms: float
    verdict: Verdict
    error: str | None = None

    @property
    def timed_out(self) -> bool:
        return self.verdict == "no answer"

    @property
    def working(self) -> bool:
        return self.verdict == "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "verdict": self.verdict,
            "error": self.error,
        }


@dataclass(frozen=True)
class Experiment:
    """One fault applied to one dependency, and how every target answered under it."""

    fault: str
    """``baseline``, ``cache``, ``latency``, ``hang`` or ``refuse``."""
    label: str
    duration_ms: float
    outcomes: tuple[Outcome, ...]
    upstream: dict[str, int] = field(default_factory=dict)
    """Counter differences over the experiment (connections, requests, bytes)."""
    reached: dict[str, bool] = field(default_factory=dict)
    """``cache`` only: per target, whether its repeated request reached the dependency."""

    def outcome(self, target: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.target == target), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "label": self.label,
            "duration_ms": round(self.duration_ms, 1),
            "upstream": dict(self.upstream),
            "results": [
                {
                    **o.to_json(),
                    **({"reached": self.reached[o.target]} if o.target in self.reached else {}),
                }
                for o in self.outcomes
            ],
        }


def targets(manifest: Manifest, used_by: list[str], base_url: str, where: str) -> list[Target]:
    """The targets ``used_by`` names, or an InputError naming the unknown one."""
    routes = {r.name: r for r in manifest.routes}
    found: list[Target] = []
    for name in used_by:
        if name == CHATBOT:
            if manifest.chatbot is None:
                raise InputError(
                    f"{where}.used_by names the chatbot, but there is no chatbot section"
                )
            found.append(Target(CHATBOT, rebase(manifest.chatbot.url, base_url)))
        elif name in routes:
            route = routes[name]
            found.append(Target(name, rebase(route.url, base_url), route.checkout, route))
        else:
            known = ", ".join([*routes, CHATBOT])
            raise InputError(f"{where}.used_by: no route named {name!r}; known: {known}")
    return found


async def drive(ctx: CheckContext, target: Target, cap: float, tag: str = "") -> Outcome:
    """Send ``target`` once and judge the answer; never longer than ``cap`` seconds.

    ``tag`` varies the chatbot message between experiments so a store that caches its AI
    answers by prompt still calls the AI under each fault (the cache experiment repeats
    one message on purpose)."""
    started = time.perf_counter()
    try:
        response = await asyncio.wait_for(_send(ctx, target, tag), cap)
    except TimeoutError:
        elapsed = (time.perf_counter() - started) * 1000
        return Outcome(target.name, None, elapsed, "no answer", f"no answer within {cap:g}s")
    return judge(target, response)


async def _send(ctx: CheckContext, target: Target, tag: str) -> HttpResponse:
    route = target.route
    if route is None:
        bot = ctx.manifest.chatbot
        assert bot is not None
        session = ChatClient(bot.model_copy(update={"url": target.url}), ctx.http).session(
            "launchready-chaos"
        )
        message = f"{SMOKE_MESSAGE} ({tag})" if tag else SMOKE_MESSAGE
        method, url, headers, body, form = session.build_request(message)
        return await ctx.http.request(
            method, url, headers=headers, json=body, form=form, max_body=SMOKE_MAX_BODY
        )
    return await ctx.http.request(
        route.method,
        target.url,
        headers=route.headers,
        json=route.json_body,
        form=route.form,
        max_body=SMOKE_MAX_BODY,
    )


def judge(target: Target, response: HttpResponse) -> Outcome:
    elapsed = response.total_ms or 0.0
    if response.status is None:
        verdict: Verdict = "no answer" if response.error_kind == "timeout" else "failed"
        error = f"{response.error_kind}: {response.error}"
        return Outcome(target.name, None, elapsed, verdict, error)
    text = response.text
    reason: str | None = None
    if response.status >= 400:
        reason = f"HTTP {response.status}"
    elif ERROR_PAGE.search(text[:65536]):
        reason = "an error page"
    elif target.route is not None:
        failed = [
            r.resolved
            for r in evaluate_all(route_conditions(target.route), probe_result(response))
            if not r.ok
        ]
        reason = "; ".join(failed) or None
    elif not text.strip():
        reason = "an empty reply"
    if reason is not None:
        return Outcome(target.name, response.status, elapsed, "error", reason)
    return Outcome(target.name, response.status, elapsed, "ok")


__all__ = ["CHATBOT", "Experiment", "Outcome", "Target", "drive", "judge", "targets"]
