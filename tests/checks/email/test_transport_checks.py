"""MX, MTA-STS and TLS-RPT findings: Knot DNS for the records, and a real aiohttp HTTPS
server under a trustme CA for the policy files, reached through ``network.resolve``."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web

from launchready.checks.email import transport
from launchready.errors import ConnectivityError
from launchready.manifest import Manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot

MX = "@ MX 10 mx1\nmx1 A 127.0.0.25"
STS = '_mta-sts TXT "v=STSv1; id=20240301"'
RPT = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{d}"'
POLICY = "version: STSv1\nmode: enforce\nmx: mx1.{d}\nmax_age: 604800\n"
TEXT = "text/plain"

# case -> (zone records, receives_mail, policy served as (status, type, body) or None, IDs)
Served = tuple[int, str, str] | None
CASES: dict[str, tuple[str, bool, Served, list[str]]] = {
    "clean": (f"{MX}\n{STS}\n{RPT}", True, (200, TEXT, POLICY), []),
    "testing-mode": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, TEXT, POLICY.replace("enforce", "testing").replace("mx1.{d}", "*.{d}")),
        [],
    ),
    "no-mx": ("www A 127.0.0.10", True, None, ["email.mx-missing"]),
    "null-mx": ("@ MX 0 .", True, None, ["email.mx-missing"]),
    "null-mx-no-mail": ("@ MX 0 .", False, None, []),
    "no-mx-no-mail": ("www A 127.0.0.10", False, None, []),
    "mx-but-no-mail": (MX, False, None, ["email.mta-sts-missing", "email.tlsrpt-missing"]),
    "no-sts": (f"{MX}\n{RPT}", True, None, ["email.mta-sts-missing"]),
    "sts-no-id": (f'{MX}\n{RPT}\n_mta-sts TXT "v=STSv1;"', True, None, ["email.mta-sts-missing"]),
    "sts-two": (
        f'{MX}\n{RPT}\n{STS}\n_mta-sts TXT "v=STSv1; id=2"',
        True,
        None,
        ["email.mta-sts-missing"],
    ),
    "policy-404": (f"{MX}\n{STS}\n{RPT}", True, (404, TEXT, "nope"), ["email.mta-sts-missing"]),
    "policy-redirect": (f"{MX}\n{STS}\n{RPT}", True, (301, TEXT, ""), ["email.mta-sts-missing"]),
    "policy-html": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, "text/html", POLICY),
        ["email.mta-sts-missing"],
    ),
    "policy-invalid": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, TEXT, POLICY.replace("enforce", "strict")),
        ["email.mta-sts-missing"],
    ),
    "policy-mode-none": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, TEXT, "version: STSv1\nmode: none\nmax_age: 86400\n"),
        ["email.mta-sts-missing"],
    ),
    "policy-wrong-mx": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, TEXT, POLICY.replace("mx1.{d}", "mx.elsewhere.test")),
        ["email.mta-sts-missing"],
    ),
    "policy-bad-cert": (
        f"{MX}\n{STS}\n{RPT}",
        True,
        (200, TEXT, POLICY),
        ["email.mta-sts-missing"],
    ),
    "policy-host-down": (f"{MX}\n{STS}\n{RPT}", True, None, ["email.mta-sts-missing"]),
    "no-tlsrpt": (f"{MX}\n{STS}", True, (200, TEXT, POLICY), ["email.tlsrpt-missing"]),
    "tlsrpt-no-rua": (
        f'{MX}\n{STS}\n_smtp._tls TXT "v=TLSRPTv1;"',
        True,
        (200, TEXT, POLICY),
        ["email.tlsrpt-missing"],
    ),
}
NOT_IN_CERT = {"policy-bad-cert"}


@dataclass
class PolicyServer:
    port: int
    ca_path: Path


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zones = {f"{c}.test": records.format(d=f"{c}.test") for c, (records, *_) in CASES.items()}
    zones["slow.test"] = f"{MX}\n{STS}\n{RPT}".format(d="slow.test")
    with KnotServer(tmp_path_factory.mktemp("knot"), zones) as server:
        yield server


async def _policy(request: web.Request) -> web.Response:
    served = CASES.get(request.host.split(":")[0].removeprefix("mta-sts.").removesuffix(".test"))
    if served is None or served[2] is None:
        return web.Response(status=404)
    status, content_type, body = served[2]
    domain = request.host.split(":")[0].removeprefix("mta-sts.")
    headers = {"Location": "https://www.example.test/"} if status == 301 else {}
    text = body.format(d=domain)
    return web.Response(
        status=status, body=text.encode(), content_type=content_type, headers=headers
    )


async def _hang(request: web.Request) -> web.Response:
    await asyncio.sleep(30)
    return web.Response(text="too late")


@pytest.fixture
async def policy_server(tmp_path: Path) -> AsyncIterator[PolicyServer]:
    ca = trustme.CA()
    names = [f"mta-sts.{c}.test" for c in CASES if c not in NOT_IN_CERT] + ["mta-sts.slow.test"]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    app = web.Application()
    app.router.add_get("/.well-known/mta-sts.txt", _policy)
    slow = web.Application()
    slow.router.add_get("/.well-known/mta-sts.txt", _hang)
    app.add_domain("mta-sts.slow.test", slow)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield PolicyServer(runner.addresses[0][1], ca_path)
    finally:
        await runner.cleanup()


def manifest(knot: KnotServer, server: PolicyServer, case: str, receives: bool = True) -> Manifest:
    port = 1 if case == "policy-host-down" else server.port
    data: dict[str, Any] = {
        "site": {"domain": f"{case}.test"},
        "email": {"receives_mail": receives},
        "network": {
            "nameservers": [knot.nameserver],
            "resolve": {f"mta-sts.{case}.test:443": f"127.0.0.1:{port}"},
            "ca_bundle": str(server.ca_path),
        },
    }
    return Manifest.model_validate(data)


@pytest.mark.parametrize("case", list(CASES))
async def test_transport_findings(knot: KnotServer, policy_server: PolicyServer, case: str) -> None:
    _, receives, _, expected = CASES[case]
    async with check_context(manifest(knot, policy_server, case, receives)) as ctx:
        found = await transport.findings(ctx)
    assert sorted(f.id for f in found) == sorted(expected), [f.evidence for f in found]


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("null-mx", "null MX"),
        ("policy-redirect", "senders do not follow redirects"),
        ("policy-html", "not text/plain"),
        ("policy-wrong-mx", "MX host mx1.policy-wrong-mx.test matches no mx: line"),
        ("policy-bad-cert", "the policy cannot be fetched"),
        ("policy-mode-none", "mode: none withdraws the policy"),
    ],
)
async def test_evidence_says_why(
    knot: KnotServer, policy_server: PolicyServer, case: str, problem: str
) -> None:
    async with check_context(manifest(knot, policy_server, case)) as ctx:
        [item] = await transport.findings(ctx)
    said = str(item.evidence.get("problem") or item.evidence.get("answer"))
    assert problem in said


async def test_a_policy_host_that_hangs_is_not_a_finding(
    knot: KnotServer, policy_server: PolicyServer
) -> None:
    async with check_context(manifest(knot, policy_server, "slow"), op_timeout=0.5) as ctx:
        with pytest.raises(ConnectivityError):
            await transport.findings(ctx)


async def test_a_silent_nameserver_is_not_a_finding(
    knot: KnotServer, policy_server: PolicyServer
) -> None:
    data = manifest(knot, policy_server, "clean").model_dump(by_alias=True)
    data["network"]["nameservers"] = ["127.0.0.1:9"]
    with pytest.raises(ConnectivityError):
        async with check_context(Manifest.model_validate(data), op_timeout=0.5) as ctx:
            await transport.findings(ctx)
