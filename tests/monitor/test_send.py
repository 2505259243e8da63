"""Building alert messages, and sending them through Apprise to a real webhook receiver on
loopback: delivered once, retried with backoff when the receiver fails, reported per
channel when it never answers, never blocking the others."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from launchready.monitor.decide import Notice
from launchready.monitor.message import build, human
from launchready.monitor.send import deliver, describe
from tests.labserver import free_port, serve

OPENED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WHY = ("[STATUS] (503) == 200",)


def test_alert_and_recovery_messages() -> None:
    alert = build(
        Notice("alert", OPENED, OPENED + timedelta(minutes=2), WHY),
        "health",
        "https://api.shop/healthz",
        "shop.test",
    )
    assert alert.title == "[shop.test] DOWN: health"
    assert "[STATUS] (503) == 200" in alert.body
    assert "2m 0s so far" in alert.body
    assert alert.failure
    recovery = build(
        Notice("recovery", OPENED, OPENED + timedelta(hours=1, minutes=4), WHY),
        "health",
        "https://api.shop/healthz",
        "shop.test",
    )
    assert recovery.title == "[shop.test] RECOVERED: health (down 1h 4m)"
    assert not recovery.failure
    reminder = build(
        Notice("reminder", OPENED, OPENED + timedelta(seconds=45), WHY), "health", "x", "shop.test"
    )
    assert reminder.title.startswith("[shop.test] STILL DOWN")
    assert human(timedelta(seconds=45)) == "45s"


@dataclass
class Receiver:
    origin: str
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver("")

    async def hook(request: web.Request) -> web.Response:
        if state.fail_first > 0:
            state.fail_first -= 1
            return web.Response(status=503)
        state.received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with serve(app) as origin:
        state.origin = origin
        yield state


def json_url(origin: str) -> str:
    return "json://" + origin.removeprefix("http://") + "/hook"


async def test_a_message_reaches_the_webhook_once(receiver: Receiver) -> None:
    message = build(Notice("alert", OPENED, OPENED, WHY), "home", "https://shop/", "shop.test")
    (delivery,) = await deliver(message, [json_url(receiver.origin)], backoff_s=0.01)
    assert delivery.ok and delivery.attempts == 1
    assert len(receiver.received) == 1
    assert receiver.received[0]["title"] == "[shop.test] DOWN: home"
    assert receiver.received[0]["type"] == "failure"


async def test_a_failing_receiver_is_retried_with_backoff(receiver: Receiver) -> None:
    receiver.fail_first = 2
    message = build(Notice("recovery", OPENED, OPENED, WHY), "home", "https://shop/", "shop.test")
    (delivery,) = await deliver(message, [json_url(receiver.origin)], backoff_s=0.01)
    assert delivery.ok and delivery.attempts == 3
    assert len(receiver.received) == 1


async def test_a_dead_channel_is_reported_and_does_not_stop_the_others(receiver: Receiver) -> None:
    dead = f"json://127.0.0.1:{free_port()}/hook"
    message = build(Notice("alert", OPENED, OPENED, WHY), "home", "https://shop/", "shop.test")
    results = await deliver(
        message, [dead, json_url(receiver.origin), "nonsense"], attempts=2, backoff_s=0.01
    )
    assert [(d.ok, d.attempts) for d in results] == [(False, 2), (True, 1), (False, 0)]
    assert results[2].error == "not a valid Apprise URL"
    assert len(receiver.received) == 1


def test_a_channel_is_described_without_its_secret() -> None:
    shown = describe("slack://TOKENA1234567890/TOKENB1234567890/TOKENC1234567890abcdef")
    assert shown.startswith("slack://")
    assert "TOKENC1234567890abcdef" not in shown
    assert "TOKENA1234567890" not in shown
    assert describe("mailto://user:pass@mail.example.com") == "mailto://mail.example.com"
