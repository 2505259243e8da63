"""The tls area against a real nginx: every tls.* ID fires on its setup and stays silent on
its clean twin. Each case lists the complete set of findings, so a fault reported twice
(expired *and* invalid) or a stray HSTS finding fails the test as surely as a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme

from launchready.checks import tls as area
from launchready.findings import Finding, Severity
from launchready.manifest import Manifest
from launchready.net.tls import _version_context
from tests.checks.support import check_context
from tests.dnslab.hostile import HostileServer
from tests.weblab.nginx import CertFiles, LabCA, NginxServer, free_port, require_nginx

WWW, API = "www.shop.test", "api.shop.test"
YEAR = "max-age=31536000"
B, H, M, L = Severity.BLOCKER, Severity.HIGH, Severity.MEDIUM, Severity.LOW
MODERN = "ssl_protocols TLSv1.2 TLSv1.3;"
LEGACY = "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers DEFAULT:@SECLEVEL=0;"


@dataclass(frozen=True)
class Host:
    """One lab host: the certificate it serves, its HSTS header and nginx extras."""

    name: str
    cert: str = "valid"
    """valid | expired | days:N | for:NAME | incomplete | full-chain | untrusted | down"""
    hsts: str | None = YEAR
    extra: str = MODERN


@dataclass(frozen=True)
class Case:
    id: str
    hosts: tuple[Host, ...]
    expected: frozenset[tuple[str, str, Severity]]
    manifest: Mapping[str, Any] = field(default_factory=dict)


def case(
    id: str, *hosts: Host, expect: tuple[tuple[str, str, Severity], ...] = (), **extra: Any
) -> Case:
    return Case(id, hosts, frozenset(expect), extra)


def at(host: str) -> str:
    return f"{host}:443"


def url(host: str) -> str:
    return f"https://{host}/"


CASES = [
    case("valid", Host(WWW), Host(API)),
    case("expired", Host(WWW, "expired"), expect=(("tls.cert-expired", at(WWW), B),)),
    case("expiring-10d", Host(WWW, "days:10"), expect=(("tls.cert-expiring", at(WWW), H),)),
    case("expiring-20d", Host(WWW, "days:20"), expect=(("tls.cert-expiring", at(WWW), M),)),
    case("expiring-45d-silent", Host(WWW, "days:45")),
    case(
        "expiring-20d-with-cert-warning-21d",
        Host(WWW, "days:20"),
        expect=(("tls.cert-expiring", at(WWW), H),),
        monitor={"cert_warning": "21d"},
    ),
    case(
        "expiring-20d-on-checkout-host",
        Host(WWW, "days:20"),
        expect=(("tls.cert-expiring", at(WWW), H),),
        routes=[{"name": "cart", "url": f"https://{WWW}/cart", "checkout": True}],
    ),
    case("wrong-name", Host(WWW, "for:other.example"), expect=(("tls.cert-invalid", at(WWW), B),)),
    case(
        "host-not-covered",
        Host(WWW),
        Host(API, f"for:{WWW}"),
        expect=(("tls.host-not-covered", at(API), B),),
    ),
    case("untrusted", Host(WWW, "untrusted"), expect=(("tls.cert-invalid", at(WWW), B),)),
    case(
        "incomplete-chain", Host(WWW, "incomplete"), expect=(("tls.chain-incomplete", at(WWW), H),)
    ),
    case("full-chain", Host(WWW, "full-chain")),
    case("weak-protocol", Host(WWW, extra=LEGACY), expect=(("tls.weak-protocol", at(WWW), H),)),
    case("unreachable", Host(WWW), Host(API, "down"), expect=(("tls.unreachable", at(API), B),)),
    case("hsts-missing", Host(WWW, hsts=None), expect=(("tls.hsts-missing", url(WWW), M),)),
    case(
        "hsts-invalid-is-missing",
        Host(WWW, hsts="max-age=soon"),
        expect=(("tls.hsts-missing", url(WWW), M),),
    ),
    case(
        "hsts-missing-waits-for-https-everywhere",
        Host(WWW, hsts=None),
        Host(API, "down"),
        expect=(("tls.unreachable", at(API), B),),
    ),
    case("hsts-short", Host(WWW, hsts="max-age=86400"), expect=(("tls.hsts-short", url(WWW), L),)),
    case(
        "hsts-premature",
        Host(WWW, hsts=f"{YEAR}; includeSubDomains"),
        Host(API, "down"),
        expect=(("tls.unreachable", at(API), B), ("tls.hsts-premature", url(WWW), H)),
    ),
    case(
        "hsts-preload-premature",
        Host(WWW, hsts=f"{YEAR}; preload"),
        Host(API, "expired"),
        expect=(("tls.cert-expired", at(API), B), ("tls.hsts-premature", url(WWW), H)),
    ),
    case("hsts-include-subdomains-when-ready", Host(WWW, hsts=f"{YEAR}; includeSubDomains")),
]


def _cert(ca: LabCA, host: Host) -> CertFiles:
    now = dt.datetime.now(dt.UTC)
    kind, _, arg = host.cert.partition(":")
    if kind == "expired":
        return ca.leaf(
            host.name, not_before=now - dt.timedelta(days=90), not_after=now - dt.timedelta(days=1)
        )
    if kind == "days":
        return ca.leaf(
            host.name,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=int(arg), minutes=5),
        )
    if kind == "for":
        return ca.leaf(arg)
    if kind in ("incomplete", "full-chain"):
        return ca.leaf(host.name, via_intermediate=True, send_chain=kind == "full-chain")
    if kind == "untrusted":
        # A CA nobody trusts, sent with its root: clients say "self-signed certificate in
        # chain", which no missing intermediate could explain.
        other = trustme.CA()
        files = ca.leaf(host.name)
        leaf = other.issue_cert(host.name)
        files.cert.write_bytes(leaf.cert_chain_pems[0].bytes() + other.cert_pem.bytes())
        leaf.private_key_pem.write_to_path(str(files.key))
        return files
    return ca.leaf(host.name)


def _server(host: Host, port: int, files: CertFiles) -> str:
    hsts = f'add_header Strict-Transport-Security "{host.hsts}" always;' if host.hsts else ""
    return f"""
        server {{
          listen 127.0.0.1:{port} ssl;
          server_name {host.name};
          ssl_certificate {files.cert};
          ssl_certificate_key {files.key};
          {host.extra}
          {hsts}
          location / {{ return 200 "ok\\n"; }}
        }}
    """


def lab_manifest(hosts: Mapping[str, int], ca: LabCA, **extra: Any) -> Manifest:
    data: dict[str, Any] = {
        "site": {"domain": "shop.test", "hosts": [{"name": h} for h in hosts]},
        "network": {
            "resolve": {f"{h}:443": f"127.0.0.1:{p}" for h, p in hosts.items()},
            "ca_bundle": str(ca.bundle),
        },
        **extra,
    }
    return Manifest.model_validate(data)


async def run_case(tmp_path: Path, c: Case) -> tuple[list[Finding], list[dict[str, Any]]]:
    ca = LabCA(tmp_path / "ca")
    ports = {h.name: free_port() for h in c.hosts}
    servers = "".join(_server(h, ports[h.name], _cert(ca, h)) for h in c.hosts if h.cert != "down")
    manifest = lab_manifest(ports, ca, **c.manifest)
    with NginxServer(tmp_path / "nginx", servers):
        async with check_context(manifest) as ctx:
            found = await area.run(ctx)
            return found, ctx.deliverables["tls"]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
async def test_each_tls_id_fires_on_its_setup_and_only_there(tmp_path: Path, c: Case) -> None:
    require_nginx()
    if any(h.extra == LEGACY for h in c.hosts) and _version_context("TLSv1") is None:
        pytest.skip("this OpenSSL cannot offer TLS 1.0 at all, so acceptance is untestable")
    found, _ = await run_case(tmp_path, c)
    assert {(f.id, f.target, f.severity) for f in found} == c.expected


async def test_the_deliverable_has_one_entry_per_host_in_the_shared_shape(tmp_path: Path) -> None:
    require_nginx()
    c = case("shape", Host(WWW, "full-chain"), Host(API, "down"))
    _, delivered = await run_case(tmp_path, c)
    www, api = delivered
    assert set(www) == {
        "host", "ok", "error", "protocol", "cipher", "accepted", "leaf", "chain", "hsts"
    }  # fmt: skip
    assert www["host"] == WWW and www["ok"] is True and www["error"] is None
    assert www["protocol"] == "TLSv1.3" and www["hsts"] == YEAR
    assert www["accepted"] == {"TLSv1": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True}
    assert set(www["leaf"]) == {
        "subject", "issuer", "names", "not_before", "not_after", "days_left", "key", "signature"
    }  # fmt: skip
    assert www["leaf"]["names"] == [WWW] and www["leaf"]["key"] == "EC secp256r1 256"
    assert [c["subject"] for c in www["chain"]][1] == www["leaf"]["issuer"]
    assert len(www["chain"]) == 2
    assert api["host"] == API and api["ok"] is False and "refused" in api["error"]
    assert api["leaf"] is None and api["chain"] == [] and api["hsts"] is None


async def test_a_host_that_does_not_resolve_is_left_to_the_dns_area(tmp_path: Path) -> None:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    port = free_port()
    servers = _server(Host(WWW), port, ca.leaf(WWW))
    async with HostileServer("@ NS ns1\nns1 A 127.0.0.53\n@ A 127.0.0.10\n") as dns_server:
        manifest = lab_manifest({WWW: port}, ca)
        data = manifest.model_dump(by_alias=True)
        data["site"]["hosts"].append({"name": "gone.shop.test"})
        data["network"]["nameservers"] = [dns_server.nameserver]
        with NginxServer(tmp_path / "nginx", servers):
            async with check_context(Manifest.model_validate(data)) as ctx:
                found = await area.run(ctx)
                delivered = ctx.deliverables["tls"]
    assert found == []
    gone = next(e for e in delivered if e["host"] == "gone.shop.test")
    assert gone["ok"] is False and "does not resolve" in gone["error"]
