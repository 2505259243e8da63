"""DNS and email audit speed: launchready against checkdmarc on 1, 10 and 100 lab domains.

Run by hand, as root (it makes a private network namespace so that nothing can leave
loopback, and serves the lab on 127.0.0.1:53 because checkdmarc only speaks to port 53):

    python -m venv /tmp/cdm && /tmp/cdm/bin/pip install checkdmarc
    python bench/dns_email.py --checkdmarc /tmp/cdm/bin/checkdmarc

Every lab answer is delayed by 30 ms (``--delay``), standing in for a real round trip.
launchready audits all domains' ``dns`` and ``email`` areas through its library in one
process (an agency auditing many stores); checkdmarc gets the same domains on one command
line. The critical path of one lab domain is its longest chain of dependent lookups: the
SPF tree (store TXT -> _spf.mailhost.test -> _a.mailhost.test), three answers deep.
Goals (issue 3): at 100 domains launchready at least 5x faster than checkdmarc, and one
domain within 3x the critical path.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

from isolation import isolate

sys.path.insert(0, str(Path(__file__).resolve().parent))

from labdns import LabThread, lab_domains

from launchready.checks import select_areas
from launchready.manifest import Manifest
from launchready.runner import AuditOptions, run_audit

CRITICAL_PATH_HOPS = 3


def manifest_for(domain: str, nameserver: str) -> Manifest:
    return Manifest.model_validate(
        {
            "site": {
                "domain": domain,
                "hosts": [
                    {"name": f"www.{domain}", "role": "storefront"},
                    {"name": f"api.{domain}", "role": "api"},
                ],
            },
            "email": {
                "senders": [{"include": "_spf.mailhost.test"}, {"include": "sendgrid.test"}],
                "dkim_selectors": ["s1"],
            },
            "network": {"nameservers": [nameserver]},
        }
    )


async def time_launchready(domains: list[str], nameserver: str) -> tuple[float, int]:
    areas = select_areas({"dns", "email"})
    manifests = [manifest_for(d, nameserver) for d in domains]
    started = time.perf_counter()
    reports = await asyncio.gather(
        *(run_audit(m, AuditOptions(timeout=5, concurrency=64), areas=areas) for m in manifests)
    )
    elapsed = time.perf_counter() - started
    errors = sum(1 for r in reports for c in r.checks if c.status.value == "error")
    return elapsed, errors


async def time_checkdmarc(checkdmarc: str, domains: list[str]) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        checkdmarc,
        "-n",
        "127.0.0.1",
        "-t",
        "5",
        "-f",
        "json",
        *domains,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        sys.exit(f"checkdmarc failed: {stderr.decode()[-500:]}")
    return time.perf_counter() - started


async def bench(args: argparse.Namespace) -> None:
    print(
        f"delay {args.delay * 1000:g} ms per answer; critical path of one domain "
        f"{CRITICAL_PATH_HOPS} answers = {CRITICAL_PATH_HOPS * args.delay * 1000:g} ms"
    )
    print(f"{'domains':>7}  {'launchready':>11}  {'checkdmarc':>10}  {'ratio':>6}  note")
    for count in args.sizes:
        domains = lab_domains(count)
        with LabThread(domains, delay=args.delay) as lab:
            ours, errors = await time_launchready(domains, f"{lab.host}:{lab.port}")
            theirs = await time_checkdmarc(args.checkdmarc, domains) if args.checkdmarc else None
        note = f"{errors} area errors" if errors else ""
        if count == 1:
            note += f" {ours / (CRITICAL_PATH_HOPS * args.delay):.1f}x critical path"
        their_text = f"{theirs:9.2f}s" if theirs is not None else "       n/a"
        ratio = f"{theirs / ours:5.1f}x" if theirs is not None else "   n/a"
        print(f"{count:>7}  {ours:10.2f}s  {their_text}  {ratio}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkdmarc", default=shutil.which("checkdmarc"))
    parser.add_argument("--delay", type=float, default=0.030)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    isolate()
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
