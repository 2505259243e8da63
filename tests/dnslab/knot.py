"""A real authoritative DNS server (Knot DNS, from Debian) on loopback, for tests and benches.

The fixture writes zone files and a configuration into a temporary folder, starts ``knotd``
in the foreground on a free port of 127.0.0.1, waits until it answers the SOA of every zone,
and stops it afterwards. Knot is a real, independent implementation: our checks must read
its answers exactly as they would read a production server's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"
READY_TIMEOUT_S = 15.0


def knot_available() -> bool:
    return Path(KNOTD).exists()


def require_knot() -> None:
    """Skip without Knot on a developer's machine; in CI (which installs it) fail instead."""
    if knot_available():
        return
    if os.environ.get("CI"):
        pytest.fail("knotd is missing: scripts/test installs the Debian package knot")
    pytest.skip("knotd is not installed (apt-get install knot)")


def free_port() -> int:
    """A port free on 127.0.0.1 for both UDP and TCP at the time of asking."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


@dataclass
class KnotServer:
    """``zones`` maps an origin (``shop.test``) to the zone file's records (without $ORIGIN)."""

    folder: Path
    zones: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def nameserver(self) -> str:
        """The manifest's ``network.nameservers`` entry for this server."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> KnotServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        for origin, records in self.zones.items():
            (self.folder / f"{origin}.zone").write_text(_zone_file(origin, records))
        config = self.folder / "knot.conf"
        config.write_text(self._config())
        log = (self.folder / "knotd.log").open("wb")
        self.process = subprocess.Popen(
            [KNOTD, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> KnotServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _config(self) -> str:
        zones = "\n".join(
            f"  - domain: {origin}\n    file: {self.folder / (origin + '.zone')}"
            for origin in self.zones
        )
        return (
            textwrap.dedent(f"""\
            server:
              rundir: {self.folder}
              listen: 127.0.0.1@{self.port}
              udp-workers: 1
              tcp-workers: 1
              background-workers: 1
            database:
              storage: {self.folder}
            log:
              - target: stderr
                any: warning
            template:
              - id: default
                storage: {self.folder}
                semantic-checks: off
                zonefile-sync: -1
                journal-content: none
            zone:
            """)
            + zones
            + "\n"
        )

    def _wait_until_ready(self) -> None:
        """Poll with real SOA queries (bounded) until every zone is served."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = set(self.zones)
        while pending and time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.folder / "knotd.log").read_text(errors="replace")
                raise RuntimeError(f"knotd exited with {self.process.returncode}:\n{log}")
            for origin in list(pending):
                query = dns.message.make_query(origin, "SOA")
                try:
                    answer = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                except (OSError, dns.exception.Timeout):
                    continue
                if answer.rcode() == dns.rcode.NOERROR and answer.answer:
                    pending.discard(origin)
        if pending:
            self.stop()
            raise RuntimeError(f"knotd did not serve {sorted(pending)} in {READY_TIMEOUT_S:g}s")


def _zone_file(origin: str, records: str) -> str:
    head = textwrap.dedent(f"""\
        $ORIGIN {origin}.
        $TTL 300
        @ SOA ns1.{origin}. hostmaster.{origin}. 1 3600 600 86400 300
        """)
    return head + textwrap.dedent(records).strip() + "\n"
