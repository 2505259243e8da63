"""The nginx lab itself: it serves what a test configures, under certificates from the lab CA."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from launchready.manifest import Network
from launchready.net import HttpClient, Resolver
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx


async def test_nginx_serves_https_and_redirects(tmp_path: Path) -> None:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    good = ca.leaf("www.shop.test", via_intermediate=True)
    expired = ca.leaf(
        "old.shop.test",
        not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=90),
    )
    https, plain = free_port(), free_port()
    servers = f"""
        server {{
          listen 127.0.0.1:{https} ssl;
          server_name www.shop.test;
          ssl_certificate {good.cert};
          ssl_certificate_key {good.key};
          location / {{ add_header X-Lab yes; return 200 "hello\\n"; }}
        }}
        server {{
          listen 127.0.0.1:{https} ssl;
          server_name old.shop.test;
          ssl_certificate {expired.cert};
          ssl_certificate_key {expired.key};
          return 200 "old\\n";
        }}
        server {{
          listen 127.0.0.1:{plain};
          server_name www.shop.test;
          return 301 https://www.shop.test$request_uri;
        }}
    """
    network = Network(
        resolve={
            "www.shop.test:443": f"127.0.0.1:{https}",
            "old.shop.test:443": f"127.0.0.1:{https}",
            "www.shop.test:80": f"127.0.0.1:{plain}",
        }
    )
    with NginxServer(tmp_path / "nginx", servers):
        async with HttpClient(network, Resolver(network), ca_bundle=ca.bundle, timeout=5) as http:
            ok = await http.request("GET", "https://www.shop.test/")
            old = await http.request("GET", "https://old.shop.test/")
            moved = await http.request("GET", "http://www.shop.test/x?y=1")
    assert ok.status == 200 and ok.header("x-lab") == "yes"
    assert old.error_kind == "tls" and "expired" in (old.error or "")
    assert moved.status == 301
    assert moved.header("location") == "https://www.shop.test/x?y=1"
