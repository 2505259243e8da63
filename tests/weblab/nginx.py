"""A real nginx (Debian's) on loopback, and a test CA, for the HTTPS, redirect, page and edge tests.

A test writes nginx ``server`` blocks (listening on 127.0.0.x ports from :func:`free_port`)
and certificates from :class:`LabCA`; :class:`NginxServer` wraps them in a configuration
whose every path lives in the test's folder, runs ``nginx -g 'daemon off;'`` and waits until
each listening port accepts connections. nginx is a real, independent server: our checks
must read its redirects, headers, cookies and handshakes as they would read production.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
READY_TIMEOUT_S = 15.0


def require_nginx() -> None:
    """Skip without nginx on a developer's machine; in CI (which installs it) fail instead."""
    if Path(NGINX).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("nginx is missing: scripts/test installs the Debian package nginx-light")
    pytest.skip("nginx is not installed (apt-get install nginx-light)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class CertFiles:
    """PEM files nginx reads: ``cert`` is what the server sends (leaf, maybe the chain)."""

    cert: Path
    key: Path


class LabCA:
    """A test certificate authority (trustme) writing PEM files into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.root = trustme.CA()
        self.intermediate = self.root.create_child_ca()
        self.bundle = folder / "lab-ca.pem"
        self.root.cert_pem.write_to_path(str(self.bundle))
        self._count = 0

    def leaf(
        self,
        *names: str,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        via_intermediate: bool = False,
        send_chain: bool = True,
        self_signed: bool = False,
    ) -> CertFiles:
        """A certificate for ``names``. ``via_intermediate`` issues it from an intermediate
        CA, and ``send_chain=False`` then makes the server omit that intermediate (an
        incomplete chain); ``self_signed`` uses a CA nobody trusts."""
        issuer = (
            trustme.CA() if self_signed else (self.intermediate if via_intermediate else self.root)
        )
        cert = issuer.issue_cert(*names, not_before=not_before, not_after=not_after)
        self._count += 1
        cert_path = self.folder / f"leaf{self._count}.pem"
        key_path = self.folder / f"leaf{self._count}.key"
        chain = cert.cert_chain_pems if send_chain else cert.cert_chain_pems[:1]
        cert_path.write_bytes(b"".join(blob.bytes() for blob in chain))
        cert.private_key_pem.write_to_path(str(key_path))
        return CertFiles(cert_path, key_path)


@dataclass
class NginxServer:
    """nginx serving ``servers`` (``server { ... }`` blocks) from ``folder``."""

    folder: Path
    servers: str
    http_extra: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> NginxServer:
        for sub in ("logs", "tmp", "html"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        config = self.folder / "nginx.conf"
        config.write_text(self._config())
        check = subprocess.run(
            [NGINX, "-t", "-p", str(self.folder), "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected its configuration:\n{check.stderr}")
        log = (self.folder / "logs" / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.folder), "-c", str(config), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> NginxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _config(self) -> str:
        tmp = self.folder / "tmp"
        return (
            textwrap.dedent(f"""\
            user root;
            worker_processes 1;
            pid {self.folder / "nginx.pid"};
            error_log {self.folder / "logs" / "error.log"} warn;
            events {{ worker_connections 256; }}
            http {{
              access_log {self.folder / "logs" / "access.log"};
              client_body_temp_path {tmp / "body"};
              proxy_temp_path {tmp / "proxy"};
              fastcgi_temp_path {tmp / "fastcgi"};
              uwsgi_temp_path {tmp / "uwsgi"};
              scgi_temp_path {tmp / "scgi"};
              types {{ text/html html; text/css css; application/javascript js;
                       image/png png; font/woff2 woff2; application/json json; }}
              default_type application/octet-stream;
            """)
            + textwrap.indent(textwrap.dedent(self.http_extra), "  ")
            + "\n"
            + textwrap.indent(textwrap.dedent(self.servers), "  ")
            + "\n}\n"
        )

    def _listen_addresses(self) -> list[tuple[str, int]]:
        found = re.findall(r"listen\s+([0-9.]+):(\d+)", self.servers)
        return sorted({(host, int(port)) for host, port in found})

    def _wait_until_ready(self) -> None:
        """Poll (bounded) until every listen address accepts a TCP connection."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = self._listen_addresses()
        while pending and time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                text = (self.folder / "logs" / "stderr.log").read_text(errors="replace")
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{text}")
            still = []
            for host, port in pending:
                try:
                    socket.create_connection((host, port), timeout=0.2).close()
                except OSError:
                    still.append((host, port))
            pending = still
            if pending:
                time.sleep(0.02)
        if pending:
            self.stop()
            raise RuntimeError(f"nginx did not listen on {pending} in {READY_TIMEOUT_S:g}s")
