"""The staging side of the demo: releases behind ``current``, the routes on one origin, the
order mail and the model calls through the dependencies' ``listen`` addresses.

The planted flaws themselves are proven in ``test_demo_flaws`` (observers in
``opsflaws.py``); these tests pin down the rest of the behaviour the ``chaos`` and
``deploy`` commands rely on, with a relay of our own on the ``listen`` addresses.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from launchready.cli.demo import keep_running_message
from launchready.demo.smtp import send_mail
from launchready.demo.sockets import EPHEMERAL_RANGE_FILE
from launchready.staging import production_hosts, staging_base_url

from .opsflaws import BAD, GOOD, base_url, chat, checkout, dependency, point_current
from .relay import relay

if TYPE_CHECKING:
    from .conftest import Probe


async def _get(p: Probe, path: str) -> tuple[int, str, str | None]:
    async with aiohttp.ClientSession() as session, session.get(base_url(p) + path) as response:
        return response.status, await response.text(), response.headers.get("X-Release")


async def test_current_symlink_decides_what_staging_serves(probe: Probe) -> None:
    try:
        for release, checkout_status in (("v1", 200), (BAD, 500), ("v3", 200), (GOOD, 200)):
            point_current(probe, release)
            assert (await _get(probe, "/healthz"))[2] == release
            assert (await checkout(probe))[0] == checkout_status, release
        point_current(probe, "no-such-release")
        for path in ("/", "/healthz", "/cart"):
            status, text, _ = await _get(probe, path)
            assert status == 503 and "No release is deployed" in text
        assert (await checkout(probe))[0] == 503
    finally:
        point_current(probe, GOOD)


async def _answer(session: aiohttp.ClientSession, p: Probe, route: Any) -> tuple[int, str]:
    parts = urlsplit(route.url)
    url = base_url(p) + parts.path + (f"?{parts.query}" if parts.query else "")
    if route.webhook:
        kwargs: dict[str, Any] = {"json": {}}
        method = "POST"
    else:
        kwargs = {"headers": route.headers}
        if route.json_body is not None:
            kwargs["json"] = route.json_body
        if route.form is not None:
            kwargs["data"] = route.form
        method = route.method
    async with session.request(method, url, allow_redirects=False, **kwargs) as response:
        return response.status, await response.text()


async def test_every_route_answers_on_staging(probe: Probe) -> None:
    """A good release passes what a post-deploy smoke test asks of each route, in both
    variants, so a drill's verdict depends on its deploy and rollback alone."""
    async with aiohttp.ClientSession() as session:
        for route in probe.manifest.routes:
            status, text = await _answer(session, probe, route)
            if route.webhook:
                assert 400 <= status < 500, route.name
            elif route.health:
                assert status == 200 and "ok" in text, route.name
            else:
                assert status < 400, (route.name, status, text[:200])


def test_the_drill_targets_staging_never_production(probe: Probe) -> None:
    assert staging_base_url(probe.manifest, "deploy drill") == base_url(probe)
    assert urlsplit(base_url(probe)).hostname not in production_hosts(probe.manifest)
    names = {r.name for r in probe.manifest.routes} | {"chatbot"}
    for dep in probe.manifest.dependencies:
        assert set(dep.used_by) <= names
        assert dep.listen != dep.upstream


async def test_nothing_listens_on_the_listen_addresses_until_a_proxy_does(probe: Probe) -> None:
    """The ports are left free for ``chaos``; the upstreams are the demo's real servers."""
    for dep in probe.manifest.dependencies:
        host, _, port = dep.listen.rpartition(":")
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect((host, int(port)))
    host, _, port = dependency(probe, "email-provider").upstream.rpartition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    assert (await reader.readline()).startswith(b"220 ")
    writer.close()


async def test_the_email_provider_speaks_smtp(probe: Probe) -> None:
    """A message with a leading-dot line crosses intact (dot-stuffed, then unstuffed)."""
    host, _, port = dependency(probe, "email-provider").upstream.rpartition(":")
    marker = secrets.token_hex(6)
    message = f"Subject: {marker}\r\n\r\n.leading dot\r\n..two\r\nend\r\n".encode()
    await send_mail(host, int(port), "a@x.test", ["b@y.test", "c@y.test"], message, timeout=5)
    assert probe.store.staging is not None
    (got,) = [m for m in probe.store.staging.mail_server.received if marker.encode() in m.data]
    assert got.data == message and got.recipients == ("b@y.test", "c@y.test")


def test_listen_ports_are_below_the_ephemeral_range(probe: Probe) -> None:
    """No outgoing connection can take a ``listen`` port as its source port before the
    proxy binds it (which made a relay's bind fail once in a busy run)."""
    if not Path(EPHEMERAL_RANGE_FILE).exists():
        pytest.skip("no Linux ephemeral port range to compare with")
    low = int(Path(EPHEMERAL_RANGE_FILE).read_text().split()[0])
    for dep in probe.manifest.dependencies:
        assert int(dep.listen.rpartition(":")[2]) < low, dep.listen


async def test_flawed_checkout_answers_only_after_the_mail_is_sent(flawed: Probe) -> None:
    email = dependency(flawed, "email-provider")
    async with relay(email.listen, email.upstream) as wire:
        status, data, _ = await checkout(flawed, cart=f"cart-{secrets.token_hex(4)}")
        assert status == 200
        # Already on the wire, data and final dot, when the answer arrived.
        assert wire.saw(data["id"]) and wire.saw("\r\n.\r\n")


async def test_fixed_checkout_answers_while_the_provider_hangs_and_mails_later(
    fixed: Probe,
) -> None:
    email = dependency(fixed, "email-provider")
    async with relay(email.listen, email.upstream, mode="hang"):
        status, data, elapsed = await checkout(fixed, wait=2)
    assert status == 200 and elapsed < 1
    async with relay(email.listen, email.upstream) as wire:
        # The worker's next attempt (after its retry delay) goes through.
        assert await wire.wait_for(lambda r: r.saw(data["id"]), within=10)


async def test_fixed_bot_degrades_without_caching_the_fallback(fixed: Probe) -> None:
    llm = dependency(fixed, "llm")
    question = f"What scent is best for sleep? (ref {secrets.token_hex(4)})"
    status, data, _ = await chat(fixed, question)  # nothing on the model's address
    assert status == 200 and data["degraded"] is True and "help" in data["reply"]
    async with relay(llm.listen, llm.upstream) as wire:
        status, data, _ = await chat(fixed, question)
        assert status == 200 and "degraded" not in data and "Lavender" in data["reply"]
        status, again, _ = await chat(fixed, question.upper())
        assert again["reply"] == data["reply"]
    assert wire.connections == 1


async def test_fixed_bot_bounds_a_hanging_model_call(fixed: Probe) -> None:
    llm = dependency(fixed, "llm")
    async with relay(llm.listen, llm.upstream, mode="hang"):
        status, data, elapsed = await chat(fixed, f"Hello {secrets.token_hex(4)}", wait=5)
    assert status == 200 and data["degraded"] is True and elapsed < 2


async def test_staging_traffic_stays_out_of_the_access_log(probe: Probe) -> None:
    """The audit reads the production access log: a drill's 503s must not land there."""
    marker = f"staging-{secrets.token_hex(4)}"
    production = f"/products/lavender?{marker}"
    written = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if production in record.getMessage():
                loop.call_soon_threadsafe(written.set)

    probe.store.watch_access_log(Watch())
    assert (await _get(probe, f"/products/lavender?{marker}"))[0] == 200
    assert (await probe.get(f"https://www.{probe.settings.domain}{production}")).status == 200
    await asyncio.wait_for(written.wait(), timeout=5)
    lines = (probe.store.workdir / "logs" / "access.log").read_text().splitlines()
    assert len([line for line in lines if marker in line]) == 1


def test_keep_running_prints_the_active_commands(probe: Probe) -> None:
    message = keep_running_message(probe.store)
    manifest = str(probe.store.manifest_path)
    assert f"Its manifest: {manifest}" in message
    assert f"launchready chaos -m {manifest}" in message
    assert f"launchready deploy drill -m {manifest}" in message
    assert f"launchready deploy check -m {manifest}" in message
    assert base_url(probe) in message
