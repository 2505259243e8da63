"""TLS and header audit speed: launchready against testssl.sh on 1, 10 and 50 lab hosts.

Run by hand, as root (it makes a private network namespace holding only loopback):

    python bench/web.py            # needs Debian's nginx and testssl.sh

The lab: one real nginx serving N store hosts (each its own certificate from a lab CA,
HSTS, security headers, a page with assets), reached through a proxy that delays every
chunk by 10 ms each way (20 ms round trips; ``tc netem`` is not available here).
launchready audits all N hosts' ``tls``, ``routing``, ``web`` and ``edge`` areas in one
audit (every host in one manifest); testssl.sh runs the checks both tools do
(``--protocols --server-defaults --headers``) host by host, as it works, on up to
``--testssl-hosts`` hosts, and its time per host is compared with ours.
Goals (issue 4): launchready's full web audit of 50 hosts under 3 s, and at least 20x
faster than testssl.sh per host.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from isolation import isolate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from delayproxy import DelayProxy, free_port  # noqa: E402
from tests.weblab.nginx import LabCA, NginxServer  # noqa: E402

from launchready.checks import select_areas  # noqa: E402
from launchready.manifest import Manifest  # noqa: E402
from launchready.runner import AuditOptions, run_audit  # noqa: E402

PROXY = "127.0.0.2"
AREAS = {"tls", "routing", "web", "edge"}


def host_names(count: int) -> list[str]:
    return [f"www.store{i:02d}.lab.test" for i in range(count)]


def nginx_servers(names: list[str], ca: LabCA, port: int, plain_port: int, web_root: Path) -> str:
    (web_root / "app.css").write_text("body{margin:0}\n" * 200)
    (web_root / "index.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="/app.css"></head>'
        "<body><h1>Lab store</h1></body></html>"
    )
    blocks = []
    for name in names:
        cert = ca.leaf(name)
        blocks.append(f"""
server {{
  listen 127.0.0.1:{port} ssl;
  server_name {name};
  ssl_certificate {cert.cert};
  ssl_certificate_key {cert.key};
  root {web_root};
  server_tokens off;
  gzip on; gzip_types text/css application/javascript;
  add_header Strict-Transport-Security "max-age=31536000" always;
  add_header X-Content-Type-Options nosniff always;
  add_header X-Frame-Options DENY always;
  add_header Referrer-Policy strict-origin-when-cross-origin always;
  add_header Content-Security-Policy "default-src 'self'" always;
  location /app.css {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
}}""")
    blocks.append(f"""
server {{
  listen 127.0.0.1:{plain_port};
  return 301 https://$host$request_uri;
}}""")
    return "\n".join(blocks)


def manifest_for(names: list[str], ca_bundle: Path, plain_port: int) -> Manifest:
    resolve = {f"{n}:443": f"{PROXY}:443" for n in names}
    resolve |= {f"{n}:80": f"127.0.0.1:{plain_port}" for n in names}
    return Manifest.model_validate(
        {
            "site": {
                "domain": "lab.test",
                "cdn": "none",
                "hosts": [{"name": n, "role": "storefront"} for n in names],
            },
            "routes": [{"name": f"home{i}", "url": f"https://{n}/"} for i, n in enumerate(names)],
            "network": {"resolve": resolve, "ca_bundle": str(ca_bundle)},
        }
    )


async def time_launchready(names: list[str], ca_bundle: Path, plain_port: int) -> tuple[float, int]:
    manifest = manifest_for(names, ca_bundle, plain_port)
    started = time.perf_counter()
    report = await run_audit(
        manifest, AuditOptions(timeout=10, concurrency=64), areas=select_areas(AREAS)
    )
    elapsed = time.perf_counter() - started
    errors = [c for c in report.checks if c.status.value == "error"]
    for c in errors:
        print(f"    area error: {c.area}: {c.reason}", file=sys.stderr)
    ran = sorted(c.area for c in report.checks if c.status.value == "ran")
    tls_hosts = len(report.extras.get("tls", []))
    matrix = len(report.extras.get("redirect_matrix", []))
    print(
        f"    ran {','.join(ran)}; {tls_hosts} TLS probes, {matrix} matrix rows, "
        f"{len(report.findings)} findings ({sorted({f.id for f in report.findings})})",
        file=sys.stderr,
    )
    return elapsed, len(errors)


def time_testssl(names: list[str], ca_bundle: Path) -> float:
    testssl = shutil.which("testssl") or shutil.which("testssl.sh")
    if testssl is None:
        return float("nan")
    started = time.perf_counter()
    for name in names:
        subprocess.run(
            [
                testssl,
                "--quiet",
                "--warnings",
                "off",
                "--color",
                "0",
                "--ip",
                PROXY,
                "--add-ca",
                str(ca_bundle),
                "--protocols",
                "--server-defaults",
                "--headers",
                f"https://{name}/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=600,
        )
    return (time.perf_counter() - started) / max(len(names), 1)


def bench(args: argparse.Namespace) -> None:
    largest = max(args.sizes)
    with tempfile.TemporaryDirectory(prefix="launchready-bench-web-") as tmp:
        folder = Path(tmp)
        ca = LabCA(folder / "ca")
        names = host_names(largest)
        port, plain_port = free_port(), free_port()
        web_root = folder / "www"
        web_root.mkdir()
        servers = nginx_servers(names, ca, port, plain_port, web_root)
        with (
            NginxServer(folder / "nginx", servers),
            DelayProxy((PROXY, 443), ("127.0.0.1", port), args.delay),
        ):
            per_host_testssl = time_testssl(names[: args.testssl_hosts], ca.bundle)
            print(
                f"delay {args.delay * 1000:g} ms each way; testssl.sh per host "
                f"(mean of {args.testssl_hosts}): {per_host_testssl:.2f} s"
            )
            print(f"{'hosts':>5}  {'launchready':>11}  {'per host':>9}  {'testssl/ours':>12}")
            for count in args.sizes:
                ours, errors = asyncio.run(time_launchready(names[:count], ca.bundle, plain_port))
                per_host = ours / count
                ratio = per_host_testssl / per_host
                note = f"  {errors} area errors" if errors else ""
                print(f"{count:>5}  {ours:10.2f}s  {per_host:8.3f}s  {ratio:11.0f}x{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.010, help="seconds, each way")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--testssl-hosts", type=int, default=2)
    args = parser.parse_args()
    isolate()
    bench(args)


if __name__ == "__main__":
    main()
