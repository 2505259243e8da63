"""HTTPS under the demo CA, the redirect maps, the API and the access log."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from launchready.demo.api import stripe_signature
from launchready.demo.settings import DemoSettings
from launchready.net import HttpClient

if TYPE_CHECKING:
    from .conftest import Probe

D = "demo-candles.test"
WWW = f"https://www.{D}"
API = f"https://api.{D}"
HOSTS = (D, f"www.{D}", f"api.{D}", f"chat.{D}", f"staging.{D}", f"mta-sts.{D}")
COMBINED = re.compile(
    r'^\S+ - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "[A-Z]+ \S+ HTTP/1\.\d" '
    r'\d{3} \d+ "[^"]*" "[^"]*" \d+\.\d{3}( [0-9a-f]{32})?$'
)
"""nginx combined, the request time, and (fixed store) the request ID."""


@pytest.mark.parametrize("host", HOSTS)
async def test_each_host_presents_its_own_verified_certificate(probe: Probe, host: str) -> None:
    cert = await probe.certificate(host)  # raises unless the chain and the name verify
    assert ("DNS", host) in cert["subjectAltName"]
    response = await probe.get(f"https://{host}/")
    assert response.error is None
    assert response.status is not None


async def test_without_the_demo_ca_verification_fails(probe: Probe) -> None:
    async with HttpClient(probe.manifest.network, probe.resolver, timeout=5) as bare:
        response = await bare.request("GET", f"{WWW}/")
    assert response.status is None
    assert response.error_kind == "tls"


async def test_flawed_apex_takes_two_hops_to_https(flawed: Probe) -> None:
    hops = await flawed.chain(f"http://{D}/")
    assert [(h.status, h.header("Location")) for h in hops[:-1]] == [
        (301, f"http://www.{D}/"),
        (301, f"{WWW}/"),
    ]
    assert hops[-1].status == 200


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (f"http://{D}/", f"{WWW}/"),
        (f"http://{D}/products/lavender?ref=ad", f"{WWW}/products/lavender?ref=ad"),
        (f"http://www.{D}/shop", f"{WWW}/shop"),
        (f"https://{D}/cart", f"{WWW}/cart"),
        (f"http://api.{D}/healthz", f"{API}/healthz"),
    ],
)
async def test_fixed_redirects_are_one_permanent_hop(fixed: Probe, start: str, end: str) -> None:
    hops = await fixed.chain(start)
    assert len(hops) == 2
    assert hops[0].status == 301
    assert hops[0].header("Location") == end
    assert hops[1].status == 200


async def test_manifest_redirects_end_where_they_say(probe: Probe) -> None:
    for redirect in probe.manifest.redirects:
        hops = await probe.chain(redirect.from_url)
        assert hops[-1].status == 200
        assert hops[-1].url == redirect.to


async def test_fixed_staging_asks_for_credentials(fixed: Probe) -> None:
    for url in (f"https://staging.{D}/", f"http://staging.{D}/"):
        response = await fixed.get(url)
        assert response.status == 401
        assert (response.header("WWW-Authenticate") or "").startswith("Basic")


async def test_every_route_answers_as_the_manifest_expects(probe: Probe) -> None:
    for route in probe.manifest.routes:
        response = await probe.http.request(
            route.method, route.url, headers=route.headers, json=route.json_body, form=route.form
        )
        assert response.status is not None, route.name
        if route.webhook:
            assert response.status == (400 if probe.settings.fixed else 500)
        else:
            assert response.status == 200, (route.name, response.text)
        if route.expect and route.expect.body_contains:
            assert route.expect.body_contains in response.text


async def test_signed_webhook_is_accepted(probe: Probe) -> None:
    payload = json.dumps({"type": "checkout.session.completed"}).encode()
    secret = probe.settings.credentials.webhook_secret
    signature = stripe_signature(secret, payload, int(time.time()))
    url = f"{API}/webhooks/stripe"
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    accepted = await probe.http.request("POST", url, headers=headers, json=json.loads(payload))
    assert accepted.status == 200
    forged = {**headers, "Stripe-Signature": signature[:-4] + "0000"}
    rejected = await probe.http.request("POST", url, headers=forged, json=json.loads(payload))
    assert rejected.status == 400


async def test_order_status_needs_the_customers_token(probe: Probe) -> None:
    token = {"Authorization": f"Bearer {probe.settings.credentials.order_token}"}
    assert (await probe.get(f"{API}/orders/1001/status")).status == 401
    mine = await probe.get(f"{API}/orders/1001/status", headers=token)
    assert mine.status == 200
    assert json.loads(mine.body)["order"] == "1001"
    assert (await probe.get(f"{API}/orders/1002/status", headers=token)).status == 404


async def test_login_sets_a_session_only_for_the_right_password(probe: Probe) -> None:
    settings: DemoSettings = probe.settings
    form = {"email": f"smoke@{D}", "password": settings.credentials.smoke_password}
    good = await probe.http.request("POST", f"{WWW}/login", form=form)
    assert good.status == 200
    assert (good.header("Set-Cookie") or "").startswith("session=")
    bad = await probe.http.request("POST", f"{WWW}/login", form={**form, "password": "nope"})
    assert bad.status == 401
    assert bad.header("Set-Cookie") is None


async def test_chat_widget_is_on_the_home_page(probe: Probe) -> None:
    home = (await probe.get(f"{WWW}/")).text
    for marker in ('id="chat-launcher"', 'id="chat-input"', "chat-message", "/static/app.js"):
        assert marker in home
    css = await probe.get(f"{WWW}/static/app.css", headers={"Accept-Encoding": "identity"})
    assert len(css.body) > 1024


async def test_chat_api_allows_the_storefront_origin(probe: Probe) -> None:
    preflight = await probe.http.request("OPTIONS", f"https://chat.{D}/api/message")
    assert preflight.status == 204
    assert preflight.header("Access-Control-Allow-Origin") == WWW


async def test_odd_requests_do_not_break_the_servers(probe: Probe) -> None:
    odd: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", f"https://chat.{D}/api/message", {"form": {"message": "not json"}}),
        ("POST", f"https://chat.{D}/api/message", {"json": {"message": 42}}),
        ("POST", f"{API}/checkout/session", {"json": ["not", "an", "object"]}),
        ("POST", f"{API}/webhooks/stripe", {"headers": {"Stripe-Signature": "t=x,v1="}}),
        ("GET", f"{WWW}/products/%00%ff", {}),
        ("DELETE", f"{WWW}/cart", {}),
        ("GET", f"{WWW}/", {"headers": {"Host": f"unknown.{D}"}}),
    ]
    for method, url, kwargs in odd:
        result = await probe.http.request(method, url, **kwargs)
        assert result.status is not None, (url, result.error)
        assert 400 <= result.status < 500, (method, url, kwargs, result.status)
    assert (await probe.get(f"{API}/healthz")).status == 200


async def test_every_request_is_in_the_access_log(probe: Probe) -> None:
    marker = f"/products/lavender?probe={time.time_ns()}"
    written = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if marker in record.getMessage():
                loop.call_soon_threadsafe(written.set)

    probe.store.watch_access_log(Watch())
    await probe.get(f"{WWW}{marker}")
    await asyncio.wait_for(written.wait(), timeout=5)  # the server logs after replying
    log = probe.store.workdir / "logs" / "access.log"
    lines = log.read_text().splitlines()
    assert lines
    bad = [line for line in lines if not COMBINED.match(line)]
    assert not bad
    (line,) = [line for line in lines if f'"GET {marker} HTTP/1.1" 200' in line]
    # The fixed store ties each line to its response's X-Request-ID; the flawed one cannot.
    assert bool(re.search(r" [0-9a-f]{32}$", line)) is probe.store.fixed
