"""Sending a message to every channel (Apprise URLs), with retries and backoff.

Each channel is its own Apprise instance, so one broken channel neither hides the others
nor is hidden by them: every send reports per channel whether it got through, after how
many attempts and why not, for the dashboard's channel health. Apprise is synchronous, so
sends run in a worker thread and never block probing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import apprise

from launchready.monitor.message import Message
from launchready.redact import mask

log = logging.getLogger("launchready.monitor")

ATTEMPTS = 3
BACKOFF_S = 1.0
"""The wait before the second attempt; doubled before each later one."""


@dataclass(frozen=True)
class Delivery:
    channel: str
    """The channel's URL with any credential in it masked."""
    ok: bool
    attempts: int
    error: str | None = None


def describe(url: str) -> str:
    """The channel for people: scheme and host (``mailto://mail.example.com``), never a
    credential. Services whose first URL part is a token (``slack://TOKEN/TOKEN/TOKEN``)
    show the token masked: a hostname has a dot, a token does not."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    shown = host if "." in host or host == "localhost" else mask(host, keep=2)
    return f"{scheme}://{shown}"


async def deliver(
    message: Message,
    channels: Sequence[str],
    *,
    attempts: int = ATTEMPTS,
    backoff_s: float = BACKOFF_S,
) -> list[Delivery]:
    """Send ``message`` to every channel concurrently; never raises for a channel."""
    return list(
        await asyncio.gather(*(_one(message, url, attempts, backoff_s) for url in channels))
    )


async def _one(message: Message, url: str, attempts: int, backoff_s: float) -> Delivery:
    channel = describe(url)
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return Delivery(channel, False, 0, "not a valid Apprise URL")
    kind = apprise.NotifyType.FAILURE if message.failure else apprise.NotifyType.SUCCESS
    wait = backoff_s
    for attempt in range(1, attempts + 1):
        sent = await asyncio.to_thread(
            notifier.notify, body=message.body, title=message.title, notify_type=kind
        )
        if sent:
            return Delivery(channel, True, attempt)
        if attempt < attempts:
            await asyncio.sleep(wait)
            wait *= 2
    log.warning("alert channel %s failed after %d attempts", channel, attempts)
    return Delivery(channel, False, attempts, f"failed after {attempts} attempts")
