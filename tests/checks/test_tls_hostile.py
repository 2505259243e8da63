"""The tls area when a host's port is hostile: the finding comes within the deadline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from launchready.checks import tls as area
from launchready.manifest import Manifest
from tests.checks.support import check_context
from tests.net.test_tls_probe import Handler, drip, plain_http, silent, tcp_server
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

WWW, API, CHAT = "www.shop.test", "api.shop.test", "chat.shop.test"


@pytest.mark.parametrize("handler", [silent, drip, plain_http], ids=["silent", "drip", "plain"])
async def test_a_hostile_host_is_unreachable_and_the_others_are_still_judged(
    tmp_path: Path, handler: Handler
) -> None:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    files = ca.leaf(WWW)
    port = free_port()
    servers = f"""
        server {{
          listen 127.0.0.1:{port} ssl;
          ssl_certificate {files.cert};
          ssl_certificate_key {files.key};
          ssl_protocols TLSv1.2 TLSv1.3;
          add_header Strict-Transport-Security "max-age=600" always;
          return 200;
        }}"""
    async with tcp_server(handler) as hostile:
        manifest = Manifest.model_validate(
            {
                "site": {"domain": "shop.test", "hosts": [{"name": h} for h in (WWW, API, CHAT)]},
                "network": {
                    "resolve": {
                        f"{WWW}:443": f"127.0.0.1:{port}",
                        f"{API}:443": f"127.0.0.1:{hostile}",
                        f"{CHAT}:443": f"127.0.0.1:{hostile}",
                    },
                    "ca_bundle": str(ca.bundle),
                },
            }
        )
        with NginxServer(tmp_path / "nginx", servers):
            async with check_context(manifest, op_timeout=1.0) as ctx:
                started = time.monotonic()
                found = await area.run(ctx)
                elapsed = time.monotonic() - started
    assert sorted((f.id, f.target) for f in found) == [
        ("tls.hsts-short", f"https://{WWW}/"),
        ("tls.unreachable", f"{API}:443"),
        ("tls.unreachable", f"{CHAT}:443"),
    ]
    assert elapsed < 3.0  # two hostile hosts, probed concurrently, one deadline each
