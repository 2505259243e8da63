"""A routing lab: real nginx serving the hosts of ``shop.test``, and a manifest pointing at it.

A test names the server block body of each (host, scheme) it wants served; every other
host and port of the lab resolves to a closed loopback port, so "no server" is a refused
connection on 127.0.0.1, never a lookup that leaves the machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready.checks import routing
from launchready.findings import Finding, JSONValue
from launchready.manifest import Manifest, parse_manifest
from tests.checks.support import check_context
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

APEX = "shop.test"
WWW = f"www.{APEX}"
API = f"api.{APEX}"
STAGING = f"staging.{APEX}"
NAMES = (APEX, WWW, API, STAGING, f"demo.{APEX}", f"old.{APEX}")
SHOP = 'default_type text/html; return 200 "<h1>shop ok</h1>";'
TO_HTTPS = "return 301 https://$host$request_uri;"


@dataclass
class Outcome:
    findings: list[Finding]
    matrix: list[dict[str, JSONValue]]
    timings: list[dict[str, JSONValue]]

    def ids(self) -> set[str]:
        return {f.id for f in self.findings}

    def of(self, finding_id: str) -> list[Finding]:
        return [f for f in self.findings if f.id == finding_id]

    def row(self, source: str, kind: str | None = None) -> dict[str, JSONValue]:
        return next(r for r in self.matrix if r["source"] == source and kind in (None, r["kind"]))


def manifest_for(
    folder: Path,
    resolve: dict[str, str],
    bundle: Path | None,
    site: dict[str, Any] | None = None,
    **sections: Any,
) -> Manifest:
    data: dict[str, Any] = {
        "site": {"domain": APEX, "canonical": f"https://{WWW}", **(site or {})},
        "network": {"resolve": resolve},
        **sections,
    }
    if bundle is not None:
        data["network"]["ca_bundle"] = str(bundle)
    return parse_manifest(json.dumps(data), folder / "launchready.yaml", environ={})


def dead_resolve(dead_port: int) -> dict[str, str]:
    return {f"{n}:{p}": f"127.0.0.1:{dead_port}" for n in NAMES for p in (80, 443)}


async def run_lab(
    folder: Path,
    blocks: dict[tuple[str, str], str],
    *,
    site: dict[str, Any] | None = None,
    op_timeout: float = 3.0,
    **sections: Any,
) -> Outcome:
    """Serve ``blocks`` ((host, "http"|"https") -> server body) and run the routing area."""
    require_nginx()
    ca = LabCA(folder / "ca")
    cert = ca.leaf(*NAMES)
    https, http = free_port(), free_port()
    servers = []
    resolve = dead_resolve(free_port())
    for (host, scheme), body in blocks.items():
        if scheme == "https":
            listen = f"listen 127.0.0.1:{https} ssl; ssl_certificate {cert.cert}; "
            listen += f"ssl_certificate_key {cert.key};"
        else:
            listen = f"listen 127.0.0.1:{http};"
        servers.append(f"server {{ {listen} server_name {host}; {body} }}")
        resolve[f"{host}:{443 if scheme == 'https' else 80}"] = (
            f"127.0.0.1:{https if scheme == 'https' else http}"
        )
    manifest = manifest_for(folder, resolve, ca.bundle, site, **sections)
    # Relative Locations: nginx would otherwise write its real loopback port into them.
    with NginxServer(folder / "nginx", "\n".join(servers), http_extra="absolute_redirect off;"):
        async with check_context(manifest, op_timeout=op_timeout) as ctx:
            found = await routing.run(ctx)
            return Outcome(
                found, ctx.deliverables["redirect_matrix"], ctx.deliverables["route_timings"]
            )


def https_everywhere(*hosts: str, body: str = SHOP) -> dict[tuple[str, str], str]:
    """Each host serving ``body`` over https, its http redirecting there in one 301."""
    blocks: dict[tuple[str, str], str] = {}
    for host in hosts:
        blocks[(host, "https")] = body
        blocks[(host, "http")] = TO_HTTPS
    return blocks


def clean_store() -> dict[tuple[str, str], str]:
    """www serves the shop; the apex sends everything to www in one permanent hop."""
    blocks = https_everywhere(WWW)
    blocks[(APEX, "http")] = f"return 301 https://{WWW}$request_uri;"
    blocks[(APEX, "https")] = f"return 301 https://{WWW}$request_uri;"
    return blocks


HOSTS = [{"name": APEX, "role": "other"}, {"name": WWW, "role": "storefront"}]
