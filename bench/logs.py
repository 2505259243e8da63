"""Log analysis: launchready against GoAccess and a plain Python line loop, on one 1 GB log.

Run by hand, as root (it makes a private network namespace holding only loopback, like
every bench here, though this one opens no socket):

    apt-get install -y goaccess        # Debian's GoAccess 1.7
    python bench/logs.py [--lines 5000000] [--keep DIR] [--skip-python]

1. A seeded nginx ``combined`` log with ``$request_time`` is generated in a temporary
   folder (never in the repository): 5,000,000 lines over 24 hours, about 1 GB, shop-like
   traffic (order lookups by ID, product pages, cart, the checkout POST, hashed static
   assets, account pages), lognormal request times per route, a 5xx burst.
2. Each tool reads the whole file once, in its own process, timed and measured by
   ``/usr/bin/time`` (wall clock, peak RSS):
   - ``launchready logs FILE --format json -q -o OUT``: the real command, every check on
     (templates, exact percentiles, windows, secret and PII scan, request IDs);
   - ``goaccess FILE --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T' -o OUT.json``:
     per-URL hits and average/max time served (GoAccess has no percentile);
   - a plain Python loop (``--python-loop``): one regex per line, the same route
     templates, durations kept per route, ``statistics.quantiles`` for p95.
3. Per-route p95 from launchready and the Python loop are compared for the busiest
   routes (GoAccess gives none: it reports the average and maximum only).

Goals (issue): at least GoAccess's lines per second, under 1 GB of memory for a 1 GB log.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from isolation import isolate

ROOT = Path(__file__).resolve().parent.parent
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GOACCESS_FORMAT = '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
)
ROUTES = (
    # (weight, method, path pattern, median seconds, sigma)
    (30, "GET", "/products/{product}", 0.060, 0.5),
    (18, "GET", "/orders/{order}", 0.110, 0.6),
    (15, "GET", "/static/js/main.{hash}.chunk.js", 0.004, 0.4),
    (10, "GET", "/", 0.045, 0.4),
    (8, "GET", "/cart", 0.080, 0.5),
    (6, "POST", "/checkout/session", 0.240, 0.5),
    (5, "GET", "/account/{customer}/orders", 0.150, 0.6),
    (5, "GET", "/search?q={word}", 0.200, 0.7),
    (3, "POST", "/api/cart/items", 0.090, 0.5),
)
WORDS = ("candle", "lavender", "gift", "soy", "wick", "vanilla", "large", "set")


def clf(at: datetime) -> str:
    return f"{at:%d}/{MONTHS[at.month - 1]}/{at:%Y:%H:%M:%S} +0000"


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """``lines`` combined lines with ``$request_time``, over 24 hours ending now."""
    rng = random.Random(seed)
    weights = [r[0] for r in ROUTES]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=24)
    step = 86_400 / lines
    burst = range(int(lines * 0.61), int(lines * 0.612))
    hashes = [f"{rng.getrandbits(48):012x}" for _ in range(6)]
    batch: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            _, method, pattern, median, sigma = rng.choices(ROUTES, weights)[0]
            target = pattern.format(
                product=rng.randint(1, 400),
                order=rng.randint(100_000, 999_999),
                hash=rng.choice(hashes),
                customer=rng.randint(1, 80_000),
                word=rng.choice(WORDS),
            )
            seconds = rng.lognormvariate(math.log(median), sigma)
            status = 200
            if i in burst and rng.random() < 0.3:
                status = 502
            elif rng.random() < 0.002:
                status = 500
            elif rng.random() < 0.01:
                status = 404
            at = start + timedelta(seconds=i * step)
            batch.append(
                f"203.0.{rng.randint(0, 255)}.{rng.randint(1, 254)} - - [{clf(at)}] "
                f'"{method} {target} HTTP/1.1" {status} {rng.randint(200, 90_000)} '
                f'"https://acme-candles.test/" "{rng.choice(AGENTS)}" {seconds:.3f}\n'
            )
            if len(batch) == 10_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))


# The plain Python loop (``--python-loop FILE OUT``), in its own process.

LINE = re.compile(r'^\S+ \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "[^"]*" (\S+)')
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^/@%\s]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
TOKEN = re.compile(r"^[A-Za-z0-9_~.=+%-]{16,}$")


def segment(part: str) -> str:
    """launchready's template rules, one segment at a time in Python."""
    digit = any(c.isdigit() for c in part)
    if EMAIL.match(part):
        return "{email}"
    if UUID.match(part):
        return "{uuid}"
    if part.isdigit():
        return "{id}"
    if len(part) >= 8 and digit and all(c in "0123456789abcdefABCDEF" for c in part):
        return "{hex}"
    slug = "-" in part and not any(c.isupper() for c in part)
    if TOKEN.match(part) and digit and not slug:
        return "{token}"
    return part


def python_loop(path: Path, out: Path) -> None:
    durations: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lines = parsed = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            lines += 1
            match = LINE.match(line)
            if match is None:
                continue
            parsed += 1
            _, method, target, status, seconds = match.groups()
            bare = target.split("?", 1)[0]
            key = f"{method} " + ("/".join(segment(p) for p in bare.split("/")) or "/")
            durations[key].append(float(seconds) * 1000)
            if status.startswith("5"):
                errors[key] += 1
    routes = {
        key: {
            "requests": len(values),
            "errors_5xx": errors[key],
            "p95_ms": statistics.quantiles(values, n=100, method="inclusive")[94],
        }
        for key, values in durations.items()
        if len(values) >= 2
    }
    out.write_text(json.dumps({"lines": lines, "parsed": parsed, "routes": routes}))


# Running and measuring.


def timed(command: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds and peak RSS (MB) of ``command``, measured by GNU time."""
    stats = cwd / "time.txt"
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    wall, rss_kb = stats.read_text().split()[-2:]
    return float(wall), int(rss_kb) / 1024, run


def repeat(command: list[str], cwd: Path, runs: int) -> tuple[list[float], float]:
    """Wall times of ``runs`` runs, and the highest peak RSS among them."""
    walls: list[float] = []
    peak = 0.0
    for _ in range(runs):
        wall, rss, run = timed(command, cwd)
        assert run.returncode == 0, run.stderr
        walls.append(wall)
        peak = max(peak, rss)
    return walls, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--skip-python", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="runs of launchready and the loop")
    parser.add_argument("--goaccess-runs", type=int, default=1, help="GoAccess takes minutes")
    parser.add_argument("--python-loop", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.python_loop:
        python_loop(*args.python_loop)
        return
    isolate()
    if shutil.which("goaccess") is None:
        sys.exit("goaccess is not installed: apt-get install -y goaccess")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="launchready-bench-logs-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "access.log"
    try:
        if not log.exists() or args.keep is None:
            clock = time.perf_counter()
            generate(log, args.lines)
            print(
                f"generated {args.lines} lines, {log.stat().st_size / 1e9:.2f} GB "
                f"in {time.perf_counter() - clock:.0f} s",
                file=sys.stderr,
            )
        lines = sum(1 for _ in log.open("rb"))
        size_mb = log.stat().st_size / 1e6
        rows: list[tuple[str, list[float], float]] = []
        ours_command = [
            sys.executable,
            "-m",
            "launchready",
            "logs",
            str(log),
            "--format",
            "json",
            "-q",
            "-o",
            str(folder / "launchready.json"),
            "--fail-on",
            "never",
        ]
        rows.append(("launchready logs", *repeat(ours_command, folder, args.runs)))
        ours = json.loads((folder / "launchready.json").read_text())["extras"]["logs"]
        goaccess = [
            "goaccess",
            str(log),
            f"--log-format={GOACCESS_FORMAT}",
            "--date-format=%d/%b/%Y",
            "--time-format=%T",
            "--no-progress",
            "-o",
            str(folder / "goaccess.json"),
        ]
        rows.append(
            ("GoAccess " + _goaccess_version(), *repeat(goaccess, folder, args.goaccess_runs))
        )
        loop: dict[str, object] | None = None
        if not args.skip_python:
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--python-loop",
                str(log),
                str(folder / "loop.json"),
            ]
            rows.append(("plain Python loop", *repeat(command, folder, args.runs)))
            loop = json.loads((folder / "loop.json").read_text())
        report(lines, size_mb, rows, ours, loop, folder)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _goaccess_version() -> str:
    text = subprocess.run(["goaccess", "--version"], capture_output=True, text=True).stdout
    found = re.search(r"GoAccess - (\d+(?:\.\d+)*)", text)
    return found.group(1) if found else "?"


def report(
    lines: int,
    size_mb: float,
    rows: list[tuple[str, list[float], float]],
    ours: dict[str, object],
    loop: dict[str, object] | None,
    folder: Path,
) -> None:
    """Median wall time per tool (all runs listed), and the per-route p95 side by side."""
    goaccess = next(statistics.median(w) for name, w, _ in rows if name.startswith("GoAccess"))
    print(f"\n{lines} lines, {size_mb:.0f} MB\n")
    print("| tool | runs (s) | median | lines/s | MB/s | peak RSS | vs GoAccess |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, walls, rss in rows:
        wall = statistics.median(walls)
        runs = " / ".join(f"{w:.1f}" for w in walls)
        print(
            f"| {name} | {runs} | {wall:.1f} s | {lines / wall:,.0f} | {size_mb / wall:.0f} "
            f"| {rss:.0f} MB | {goaccess / wall:.2f}x |"
        )
    routes = ours.get("routes")
    assert isinstance(routes, list)
    goaccess_data = json.loads((folder / "goaccess.json").read_text())
    print(
        "\n| route (busiest) | requests | launchready p95 | Python loop p95 | GoAccess avg / max |"
    )
    print("|---|---:|---:|---:|---:|")
    by_url = _goaccess_by_template(goaccess_data)
    loop_routes = loop.get("routes", {}) if loop else {}
    assert isinstance(loop_routes, dict)
    for row in routes[:9]:
        key = row["template"]
        theirs = loop_routes.get(key, {})
        ga = by_url.get(key)
        ga_text = f"{ga[0]:.0f} / {ga[1]:.0f} ms" if ga else "-"
        loop_p95 = theirs.get("p95_ms")
        print(
            f"| {key} | {row['requests']} | {row['p95_ms']:.1f} ms | "
            f"{loop_p95:.1f} ms | {ga_text} |"
            if loop_p95 is not None
            else f"| {key} | {row['requests']} | {row['p95_ms']:.1f} ms | - | {ga_text} |"
        )


def _goaccess_by_template(data: dict[str, object]) -> dict[str, tuple[float, float]]:
    """GoAccess's per-URL average and maximum time served, folded into templates
    (weighted by hits), so its figures sit beside the same rows."""
    items = [
        item
        for panel in ("requests", "static_requests")
        if isinstance(data.get(panel), dict)
        for item in data[panel].get("data", [])  # type: ignore[union-attr]
    ]
    folded: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for item in items:
        url = str(item.get("data", "")).split("?", 1)[0]
        key = f"{item.get('method', '-')} " + ("/".join(segment(p) for p in url.split("/")) or "/")
        hits = float(item["hits"]["count"])
        acc = folded[key]
        acc[0] += hits
        acc[1] += float(item.get("cumts", 0))
        acc[2] = max(acc[2], float(item.get("maxts", 0)))
    return {k: (v[1] / v[0] / 1000, v[2] / 1000) for k, v in folded.items() if v[0]}


if __name__ == "__main__":
    main()
