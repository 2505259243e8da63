"""The load scenario, built from the manifest and written as JSON for the Locust processes.

Locust runs in its own processes (it monkey-patches the standard library with gevent, which
must never happen inside launchready's asyncio process), so everything it needs travels as
one plain document: the weighted targets with their requests, the load shape (users, ramp,
think time, or an arrival rate), where hosts really are (``network.resolve``), and where to
write the results.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from launchready.chat.adapter import ChatClient, ChatSession
from launchready.errors import InputError
from launchready.manifest import Manifest, Route
from launchready.net import HttpClient

CHAT_MESSAGE = "Hi! Which candle would you recommend as a gift?"
THINK_S = (1.0, 3.0)
"""Seconds a simulated shopper pauses between two steps (closed model)."""
DEFAULT_USERS = 20
DEFAULT_DURATION_S = 60.0
MAX_USERS = 1000
MAX_DURATION_S = 600.0
"""The polite caps: more needs ``--i-own-this-site`` unless every target is loopback."""


@dataclass(frozen=True)
class Target:
    """One weighted step of the mix: a route, or the chatbot with its request filled in."""

    name: str
    method: str
    url: str
    weight: float
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    expect_statuses: list[int] | None = None
    """The statuses that count as success; None: any status below 400."""
    budget_ms: float = 300.0
    checkout: bool = False


@dataclass(frozen=True)
class LoadSpec:
    targets: list[Target]
    users: int
    duration_s: float
    spawn_rate: float
    think_s: tuple[float, float]
    rate: float | None
    """Open model: requests per second at constant arrival; None: closed model (users)."""
    timeout_s: float
    resolve: dict[str, str]
    result_path: str

    @property
    def model(self) -> str:
        return "open" if self.rate is not None else "closed"

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> LoadSpec:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["targets"] = [Target(**t) for t in data["targets"]]
        data["think_s"] = tuple(data["think_s"])
        return cls(**data)


def targets(manifest: Manifest, http: HttpClient) -> list[Target]:
    """``load.mix`` as targets; without a mix, every route that a shopper's browser would
    send (no webhooks, no rate-limited logins) with equal weight."""
    routes = {r.name: r for r in manifest.routes}
    mix = manifest.load.mix if manifest.load is not None and manifest.load.mix else None
    if mix is None:
        return [_route(r, 1.0) for r in manifest.routes if not (r.webhook or r.rate_limited)]
    chosen: list[Target] = []
    for name, weight in mix.items():
        if name == "chatbot":
            if manifest.chatbot is None:
                raise InputError("load.mix names the chatbot, but the manifest has no chatbot")
            chosen.append(_chatbot(manifest, http, float(weight)))
        elif name in routes:
            chosen.append(_route(routes[name], float(weight)))
        else:
            known = ", ".join([*routes, "chatbot"])
            raise InputError(f"load.mix: no route named {name!r} (routes: {known})")
    return [t for t in chosen if t.weight > 0]


def _route(route: Route, weight: float) -> Target:
    return Target(
        name=route.name,
        method=route.method,
        url=route.url,
        weight=weight,
        headers=dict(route.headers),
        json=route.json_body,
        form=dict(route.form) if route.form is not None else None,
        expect_statuses=route.expect.statuses() if route.expect is not None else None,
        budget_ms=route.budget * 1000,
        checkout=route.checkout,
    )


SESSION_SLOT = "{session}"
"""Left in the chatbot's request for the engine to fill: one conversation per shopper."""


def _chatbot(manifest: Manifest, http: HttpClient, weight: float) -> Target:
    bot = manifest.chatbot
    assert bot is not None
    session = ChatSession(ChatClient(bot, http), SESSION_SLOT)
    method, url, headers, body, form = session.build_request(CHAT_MESSAGE)
    return Target("chatbot", method, url, weight, headers, body, form, None, bot.budget * 1000)


def all_loopback(spec_targets: list[Target], resolve: dict[str, str]) -> bool:
    """Whether every request goes to this machine (after ``network.resolve``)."""
    for target in spec_targets:
        parts = urlsplit(target.url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        mapped = resolve.get(f"{host}:{port}")
        address = mapped.rsplit(":", 1)[0].strip("[]") if mapped else host
        if not (address.startswith("127.") or address in ("::1", "localhost")):
            return False
    return True
