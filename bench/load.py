"""Load testing: launchready against plain Locust and wrk, throughput and p95 accuracy.

Run by hand, as root (it makes a private network namespace holding only loopback):

    apt-get install -y wrk        # Debian's wrk 4.1; nginx is Debian's too
    python bench/load.py [--runs 3] [--duration 10] [--users 50] [--rate 100] [--processes 2]

1. Throughput: Debian's nginx answering ``return 200 "ok\\n"`` (no access log) is the target,
   fast enough not to be the bottleneck of a Python load generator. Each tool runs for the
   same time with the same concurrency and no think time: wrk (``-t 1``), a plain Locust
   locustfile (one FastHttpUser doing ``GET /``, ``--headless``), and launchready's closed
   model through the library (``run_load`` with ``think_s=(0, 0)``; the CLI has no think
   option). Requests are counted by each tool and, neutrally, by nginx's stub_status; ratios
   use nginx's counts. With ``--processes N``, launchready ``workers=N`` against
   ``locust --processes N`` as well.
2. Accuracy: an aiohttp server (in its own process) sleeps a seeded lognormal delay per
   request (median 80 ms, sigma 0.5: true p95 = 80 ms x e^(1.645 x 0.5) = 182.1 ms) and
   records the delay it really applied; ``/_stats`` reports that run's realised p95, the
   per-run truth that removes the sampling noise of a 2000-request run. launchready's open
   model (``--rate``, latency from the intended send time, p95 from its HDR histogram) is
   compared with it, and so are the closed-loop tools (launchready's closed model, plain
   Locust's CSV ``95%`` column, wrk's ``latency:percentile(95)``) at about the same rate:
   as many users as rate x mean latency, no think time. Debian has no wrk2, so wrk is
   closed-loop only.

Goals (issue 7): launchready's throughput within 10 % of plain Locust's (it adds no
overhead), and its open-model p95 within 5 % of the truth.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

from isolation import isolate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.weblab.nginx import NginxServer, free_port  # noqa: E402

from launchready.load.run import LoadOptions, run_load  # noqa: E402
from launchready.manifest import load_manifest  # noqa: E402
from launchready.runner import AuditOptions, open_context  # noqa: E402

THROUGHPUT_GOAL = 0.90
"""launchready's requests/s at least 90 % of plain Locust's."""
ACCURACY_GOAL = 0.05
MEDIAN_S, SIGMA = 0.080, 0.5
MU = math.log(MEDIAN_S)
TRUE_P95_MS = math.exp(MU + SIGMA * NormalDist().inv_cdf(0.95)) * 1000
MEAN_S = math.exp(MU + SIGMA**2 / 2)
LOCUSTFILE = """\
from locust import FastHttpUser, constant, task


class Bench(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("{path}")
"""
WRK_P95 = """\
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


@dataclass(frozen=True)
class Row:
    tool: str
    reported_rps: float
    counted_rps: float | None = None
    p95_ms: float | None = None
    truth_ms: float | None = None
    note: str = ""


# The latency server (``--serve PORT SEED``): its own process, so that no load generator
# shares its event loop.


def serve(port: int, seed: int) -> None:
    from aiohttp import web

    rng = random.Random(seed)
    realised: list[float] = []
    drawn: list[float] = []

    async def item(request: web.Request) -> web.Response:
        delay = rng.lognormvariate(MU, SIGMA)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(delay)
        realised.append(loop.time() - started)
        drawn.append(delay)
        return web.Response(text="ok\n")

    async def stats(request: web.Request) -> web.Response:
        body = {
            "count": len(realised),
            "realised_p95_ms": nearest_rank(realised, 95) * 1000 if realised else None,
            "drawn_p95_ms": nearest_rank(drawn, 95) * 1000 if drawn else None,
        }
        if request.query.get("reset"):
            realised.clear()
            drawn.clear()
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/item", item)
    app.router.add_get("/_stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def nearest_rank(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        data: dict[str, object] = json.load(response)
        return data


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the latency server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("the latency server did not listen within 15 s")


# The three tools.


def launchready(url: str, folder: Path, options: LoadOptions) -> dict[str, object]:
    """One run through the library; the route's JSON row from the report."""
    manifest = folder / "launchready.yaml"
    manifest.write_text(f'site: {{domain: bench.test}}\nroutes:\n  - {{name: r, url: "{url}"}}\n')

    async def run() -> dict[str, object]:
        async with open_context(load_manifest(manifest), AuditOptions()) as ctx:
            result = await run_load(ctx, options)
        row: dict[str, object] = result.to_json()["routes"][0]
        return row

    return asyncio.run(run())


def locust(
    origin: str, path: str, folder: Path, users: int, duration: int, processes: int = 0
) -> dict[str, str]:
    """Plain Locust, headless; the CSV's aggregated row."""
    locustfile = folder / "locustfile.py"
    locustfile.write_text(LOCUSTFILE.format(path=path))
    prefix = folder / f"locust-{users}-{processes}"
    binary = Path(sys.executable).parent / "locust"
    command = [
        str(binary if binary.exists() else shutil.which("locust") or "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "-H",
        origin,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{duration}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *(["--processes", str(processes)] if processes else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        sys.exit(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
    with stats.open() as handle:
        return next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")


def wrk(url: str, folder: Path, connections: int, duration: int) -> tuple[float, float]:
    """wrk with one thread: its requests/s and its p95 in ms (from a Lua ``done`` hook)."""
    script = folder / "p95.lua"
    script.write_text(WRK_P95)
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "-s", str(script)]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 30, check=True
    )
    rps = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    p95 = re.search(r"p95_us (\d+)", done.stdout)
    assert rps and p95, done.stdout
    return float(rps.group(1)), int(p95.group(1)) / 1000


# The two parts.


class Counted:
    """nginx's own request count (stub_status) across one tool's run: a neutral figure."""

    def __init__(self, status_url: str, duration: int) -> None:
        self.url, self.duration = status_url, duration
        self.rps = 0.0

    def total(self) -> int:
        with urllib.request.urlopen(self.url, timeout=5) as response:
            text = response.read().decode()
        match = re.search(r"^\s*\d+\s+\d+\s+(\d+)\s*$", text, re.MULTILINE)
        assert match, text
        return int(match.group(1))

    def __enter__(self) -> Counted:
        self.before = self.total()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rps = (self.total() - self.before - 1) / self.duration


def throughput(args: argparse.Namespace, folder: Path) -> list[Row]:
    port = free_port()
    servers = f"""
        server {{
          listen 127.0.0.1:{port} backlog=4096;
          access_log off;
          keepalive_requests 1000000;
          location = / {{ return 200 "ok\\n"; }}
          location = /nginx_status {{ stub_status; }}
        }}
    """
    origin = f"http://127.0.0.1:{port}"
    status = f"{origin}/nginx_status"
    runs: list[Row] = []
    users, duration = args.users, args.duration
    with NginxServer(folder / "nginx", servers):
        for _ in range(args.runs):
            if shutil.which("wrk"):
                with Counted(status, duration) as counted:
                    rps, _ = wrk(f"{origin}/", folder, users, duration)
                runs.append(Row("wrk -t 1", rps, counted.rps))
            for processes in [0, *([args.processes] if args.processes else [])]:
                with Counted(status, duration) as counted:
                    row = locust(origin, "/", folder, users, duration, processes)
                label = f"locust --processes {processes}" if processes else "locust"
                runs.append(Row(label, float(row["Requests/s"]), counted.rps))
                options = LoadOptions(
                    users=users,
                    duration_s=duration,
                    think_s=(0, 0),
                    spawn_rate=users,
                    workers=processes,
                )
                with Counted(status, duration) as counted:
                    ours = launchready(f"{origin}/", folder, options)
                label = f"launchready workers={processes}" if processes else "launchready"
                failures = f"{ours['failures']} failures" if ours["failures"] else ""
                runs.append(Row(label, float(str(ours["rps"])), counted.rps, note=failures))
    return medians(runs)


def medians(runs: list[Row]) -> list[Row]:
    """One row per tool: the median of its runs (tools take turns, so drift hits all)."""
    tools = dict.fromkeys(r.tool for r in runs)
    rows = []
    for tool in tools:
        mine = [r for r in runs if r.tool == tool]
        counted = [r.counted_rps for r in mine if r.counted_rps is not None]
        spread = f"nginx counts {', '.join(f'{c:.0f}' for c in counted)}" if len(mine) > 1 else ""
        notes = "; ".join(n for n in [spread, *dict.fromkeys(r.note for r in mine)] if n)
        rows.append(
            Row(
                tool,
                statistics.median(r.reported_rps for r in mine),
                statistics.median(counted) if counted else None,
                note=notes,
            )
        )
    return rows


def accuracy(args: argparse.Namespace, folder: Path) -> list[Row]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    url = f"{origin}/item"
    duration = args.accuracy_duration
    users = max(1, round(args.rate * MEAN_S))
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), str(args.seed)],
        stdout=subprocess.DEVNULL,
    )
    rows: list[Row] = []
    try:
        wait_listening(port, server)

        def truth() -> float:
            stats = get_json(f"{origin}/_stats?reset=1")
            return float(str(stats["realised_p95_ms"]))

        get_json(f"{origin}/_stats?reset=1")
        ours = launchready(url, folder, LoadOptions(users=1, duration_s=duration, rate=args.rate))
        rows.append(
            Row(
                f"launchready open, {args.rate:g}/s",
                float(str(ours["rps"])),
                p95_ms=float(str(ours["p95_ms"])),
                truth_ms=truth(),
                note=f"its Locust p95 {ours['locust_p95_ms']} ms",
            )
        )
        closed = LoadOptions(users=users, duration_s=duration, think_s=(0, 0), spawn_rate=users)
        ours = launchready(url, folder, closed)
        rows.append(
            Row(
                f"launchready closed, {users} users",
                float(str(ours["rps"])),
                p95_ms=float(str(ours["p95_ms"])),
                truth_ms=truth(),
                note=f"its Locust p95 {ours['locust_p95_ms']} ms",
            )
        )
        plain = locust(origin, "/item", folder, users, duration)
        rows.append(
            Row(
                f"locust, {users} users",
                float(plain["Requests/s"]),
                p95_ms=float(plain["95%"]),
                truth_ms=truth(),
            )
        )
        if shutil.which("wrk"):
            rps, p95 = wrk(url, folder, users, duration)
            rows.append(Row(f"wrk, {users} connections", rps, p95_ms=p95, truth_ms=truth()))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return rows


def report(rates: list[Row], accuracies: list[Row]) -> None:
    print("\nThroughput (requests/s, median; 'nginx': counted by nginx over the nominal time)")
    print(f"{'tool':34} {'own figure':>11} {'nginx':>9}  note")
    for row in rates:
        counted = f"{row.counted_rps:9.0f}" if row.counted_rps is not None else f"{'':>9}"
        print(f"{row.tool:34} {row.reported_rps:11.0f} {counted}  {row.note}")
    by_tool = {r.tool: r for r in rates}
    for ours, theirs in (("launchready", "locust"), ("launchready workers=", "locust --proc")):
        mine = next((r for t, r in by_tool.items() if t.startswith(ours)), None)
        other = next((r for t, r in by_tool.items() if t.startswith(theirs)), None)
        if mine is None or other is None or mine.counted_rps is None or not other.counted_rps:
            continue
        ratio = mine.counted_rps / other.counted_rps
        verdict = "met" if ratio >= THROUGHPUT_GOAL else "NOT met"
        print(f"{mine.tool} / {other.tool}: {ratio:.2f} (goal >= {THROUGHPUT_GOAL}: {verdict})")
    wrk_row, ours_row = by_tool.get("wrk -t 1"), by_tool.get("launchready")
    if wrk_row and ours_row and wrk_row.counted_rps and ours_row.counted_rps:
        print(f"wrk / launchready: {wrk_row.counted_rps / ours_row.counted_rps:.1f}x")
    print(f"\nAccuracy: true p95 {TRUE_P95_MS:.1f} ms (lognormal, median 80 ms, sigma 0.5)")
    print(
        f"{'tool':34} {'req/s':>7} {'p95 ms':>8} {'realised':>9} {'err vs real':>12} "
        f"{'err vs true':>12}  note"
    )
    for row in accuracies:
        assert row.p95_ms is not None and row.truth_ms is not None
        real = (row.p95_ms - row.truth_ms) / row.truth_ms
        true = (row.p95_ms - TRUE_P95_MS) / TRUE_P95_MS
        print(
            f"{row.tool:34} {row.reported_rps:7.1f} {row.p95_ms:8.1f} {row.truth_ms:9.1f} "
            f"{real:+12.1%} {true:+12.1%}  {row.note}"
        )
    if accuracies and accuracies[0].tool.startswith("launchready open"):
        row = accuracies[0]
        assert row.p95_ms is not None and row.truth_ms is not None
        error = abs(row.p95_ms - row.truth_ms) / row.truth_ms
        verdict = "met" if error <= ACCURACY_GOAL else "NOT met"
        print(f"launchready open-model p95 vs realised truth: {error:.1%} ({verdict})")


def bench(args: argparse.Namespace) -> None:
    print(
        f"cpus: {os.cpu_count()}, throughput: {args.users} users/connections for "
        f"{args.duration} s, {args.runs} run(s); accuracy: {args.rate:g} requests/s for "
        f"{args.accuracy_duration} s"
    )
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        rates = [] if args.skip_throughput else throughput(args, folder)
        accuracies = [] if args.skip_accuracy else accuracy(args, folder)
    report(rates, accuracies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run")
    parser.add_argument("--users", type=int, default=50, help="users/connections (throughput)")
    parser.add_argument("--processes", type=int, default=0, help="also compare N processes")
    parser.add_argument("--runs", type=int, default=1, help="throughput runs (median)")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s (accuracy)")
    parser.add_argument("--accuracy-duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--serve", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    isolate()
    bench(args)


if __name__ == "__main__":
    main()
