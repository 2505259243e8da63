"""The HTTP client against real HTTPS servers on loopback: overrides, TLS, hostile answers."""

from __future__ import annotations

import asyncio

from launchready.manifest import Network
from launchready.net import HttpClient, Resolver

from .conftest import LabServer


def _client(
    lab: LabServer, *, timeout: float = 5.0, max_body: int = 1 << 20, ca: bool = True
) -> HttpClient:
    network = Network(
        resolve={
            "www.shop.test:443": f"127.0.0.1:{lab.port}",
            "shop.test:443": f"127.0.0.1:{lab.port}",
            "wrong.test:443": f"127.0.0.1:{lab.port}",
            "down.shop.test:443": "127.0.0.1:1",
        }
    )
    return HttpClient(
        network,
        Resolver(network, timeout=timeout),
        ca_bundle=lab.ca_path if ca else None,
        timeout=timeout,
        max_body=max_body,
    )


async def test_resolve_override_keeps_the_real_hostname_for_sni_and_host(lab: LabServer) -> None:
    async with _client(lab) as http:
        response = await http.request("GET", "https://www.shop.test/")
    assert response.status == 200
    assert response.text == "hello www.shop.test"
    assert response.ttfb_ms is not None and response.total_ms is not None
    assert response.total_ms >= response.ttfb_ms


async def test_certificate_name_is_checked_against_the_real_hostname(lab: LabServer) -> None:
    async with _client(lab) as http:
        response = await http.request("GET", "https://wrong.test/")
    assert response.status is None
    assert response.error_kind == "tls"
    assert lab.hits == []


async def test_unknown_ca_is_refused_without_the_bundle(lab: LabServer) -> None:
    async with _client(lab, ca=False) as http:
        response = await http.request("GET", "https://www.shop.test/")
    assert response.error_kind == "tls"


async def test_refused_connection_is_an_error_value(lab: LabServer) -> None:
    async with _client(lab) as http:
        response = await http.request("GET", "https://down.shop.test/")
    assert response.status is None and response.error_kind == "connect"


async def test_redirects_are_not_followed(lab: LabServer) -> None:
    async with _client(lab) as http:
        response = await http.request("GET", "https://www.shop.test/moved")
    assert response.status == 301
    assert response.header("location") == "/"


async def test_json_body_and_headers_are_sent(lab: LabServer) -> None:
    async with _client(lab) as http:
        response = await http.request(
            "POST",
            "https://www.shop.test/echo",
            json={"cart_id": "c1"},
            headers={"Authorization": "Bearer t"},
        )
    assert response.status == 200
    assert response.text == '{"json": {"cart_id": "c1"}, "auth": "Bearer t"}'


async def test_endless_body_is_cut_at_the_limit(lab: LabServer) -> None:
    async with _client(lab, max_body=200_000) as http:
        response = await http.request("GET", "https://www.shop.test/endless")
    assert response.status == 200
    assert response.truncated
    assert len(response.body) == 200_000


async def test_slow_drip_ends_in_a_timeout(lab: LabServer) -> None:
    async with _client(lab, timeout=0.5) as http:
        response = await http.request("GET", "https://www.shop.test/drip")
    assert response.status is None
    assert response.error_kind == "timeout"


async def test_get_is_fetched_once_and_shared(lab: LabServer) -> None:
    async with _client(lab) as http:
        first, second = await asyncio.gather(
            http.get("https://www.shop.test/"), http.get("https://www.shop.test/")
        )
        third = await http.get("https://www.shop.test/")
    assert first is second is third
    assert lab.hits == ["GET www.shop.test/"]
