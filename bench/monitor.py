"""Uptime monitor: ``launchready monitor`` against monit, CPU, memory and schedule drift.

Run by hand, as root (it makes a private network namespace holding only loopback):

    apt-get install -y monit      # Debian's monit 5.33; nginx is Debian's too
    python bench/monitor.py [--sizes 100,1000,5000] [--interval-s 60] [--measure-s 60]
                            [--warmup-s 10] [--grace-s 10] [--scrape-every-s 0]
                            [--no-peer] [--src DIR] [--keep DIR]

The target: Debian's nginx (one worker, its own process) answering ``return 200 "ok"`` on
every path and logging ``$msec $uri`` for each request, so the arrival time of every probe
is known from outside either tool. For each size N a temporary manifest names N routes
``http://127.0.0.1:PORT/r{i}`` and the real CLI watches them (``launchready monitor -m
MANIFEST --db sqlite:///PATH --interval I --listen 127.0.0.1:PORT``, a fresh SQLite store);
then monit (``monit -I -c RC``) watches the same N paths with N ``check host`` HTTP tests
at ``set daemon I``. The tools run one after the other against a fresh nginx. Each runs
``--warmup-s`` after its first probe arrives, then ``--measure-s`` of measurement, then
``--grace-s`` more so that late probes still arrive, then it is stopped (SIGINT, SIGTERM,
SIGKILL of its process group, bounded). A warm-up shorter than the interval leaves part of
launchready's first pass in the window, where each check is also registered in the store
(once per start); ``--warmup-s`` of the interval plus a little measures the steady state.

Figures, over the measurement window only (start-up, imports and migrations excluded):
- CPU: the tool's process tree CPU time (user + system, psutil) over the window, as a
  percentage of one core, and per 1,000 checks/minute (the rate is N x 60 / I; a shorter
  ``--interval-s`` scales the 60 s interval down in time and multiplies the rate).
- RSS: peak (sampled every 0.5 s) and at the end of the window, summed over the tree.
- Drift, outside-in, from the target's arrival log: launchready spreads check i of n at
  offset i x I / n, so the k-th probe of path i is planned at T0 + i x I / n + k x I, with
  T0 = min over paths of (first arrival - offset); lateness = arrival - planned. monit
  runs every check at the start of each cycle (offset 0 for all) and then sleeps I, so its
  planned time is T0 + k x I and its lateness is how far into the cycle a check was
  reached, plus the cycles' slip. Slots planned inside the window with no arrival by the
  end of the grace period count as missed, and as infinitely late in the percentiles.
- launchready's own view, if its ``/metrics`` exposes ``launchready_schedule_drift_p99_seconds``
  (read once after the window; with ``--scrape-every-s`` also during it, as Prometheus
  would, so the scrapes' cost counts).

``--src DIR`` runs the monitor from another source tree (e.g. ``git archive COMMIT src``
unpacked), so a measurement names a commit while the working tree changes.

Goal (issue 8): 5,000 checks/minute on one core at under 25 % CPU and 200 MB RSS, with a
p99 drift under 1 s. The verdicts use the largest size run; CPU is scaled linearly to
5,000 checks/minute when the run's rate differs.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from isolation import isolate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.weblab.nginx import NginxServer, free_port  # noqa: E402

GOAL_RATE = 5000.0
"""Checks per minute the goal is stated at."""
GOAL_CPU_PERCENT = 25.0
GOAL_RSS_MB = 200.0
GOAL_DRIFT_S = 1.0
OWN_DRIFT_METRIC = "launchready_schedule_drift_p99_seconds"
FIRST_PROBE_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
SCRAPE_TIMEOUT_S = 30.0
SAMPLE_EVERY_S = 0.5
MB = 1024 * 1024


@dataclass(frozen=True)
class Drift:
    p50_s: float
    p99_s: float
    max_s: float
    planned: int
    """Probe slots planned inside the measurement window."""
    missed: int
    """Of those, slots with no arrival by the end of the grace period."""


@dataclass(frozen=True)
class Measure:
    tool: str
    checks: int
    interval_s: float
    cpu_percent: float
    """Of one core, over the window, the whole process tree."""
    rss_peak_mb: float
    rss_end_mb: float
    drift: Drift
    own_drift_p99_s: float | None = None
    note: str = ""

    @property
    def rate(self) -> float:
        """Checks per minute."""
        return self.checks * 60 / self.interval_s

    @property
    def cpu_per_1k(self) -> float:
        """CPU % of one core per 1,000 checks/minute."""
        return self.cpu_percent / (self.rate / 1000)

    @property
    def rss_per_1k(self) -> float:
        """Peak RSS in MB per 1,000 checks."""
        return self.rss_peak_mb / (self.checks / 1000)


@dataclass(frozen=True)
class Tool:
    name: str
    spread: bool
    """Whether the tool spreads its checks over the interval (else all at a cycle's start)."""
    stop_signal: signal.Signals
    command: Callable[[Path, list[str], int, int], list[str]]
    """(folder, paths, target port, interval) -> the command line, files written."""
    listen_port: int | None = None
    env: dict[str, str] | None = None


# The target: nginx logging every arrival.


def target_servers(port: int, log: Path) -> str:
    return f"""
        server {{
          listen 127.0.0.1:{port} backlog=4096;
          access_log {log} arrival;
          keepalive_requests 1000000;
          location / {{ return 200 "ok\\n"; }}
        }}
    """


def arrivals(log: Path) -> dict[str, list[float]]:
    """Arrival times (epoch seconds, ms resolution) of every path, in order."""
    found: dict[str, list[float]] = defaultdict(list)
    if not log.exists():
        return found
    for line in log.read_text().splitlines():
        stamp, _, path = line.partition(" ")
        if path:
            found[path].append(float(stamp))
    for times in found.values():
        times.sort()
    return found


def wait_first_arrival(log: Path, process: subprocess.Popen[bytes], name: str) -> float:
    deadline = time.monotonic() + FIRST_PROBE_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before its first probe")
        if log.exists() and log.stat().st_size > 0:
            return time.time()
        time.sleep(0.05)
    raise RuntimeError(f"{name}: no probe reached the target in {FIRST_PROBE_TIMEOUT_S:g} s")


# The two tools.


def launchready_command(folder: Path, paths: list[str], port: int, interval: int) -> list[str]:
    manifest = folder / "launchready.yaml"
    lines = ["site: {domain: bench.test}", "routes:"]
    lines += [f'  - {{name: r{i}, url: "http://127.0.0.1:{port}{p}"}}' for i, p in enumerate(paths)]
    manifest.write_text("\n".join(lines) + "\n")
    return [
        sys.executable,
        "-m",
        "launchready",
        "monitor",
        "-m",
        str(manifest),
        "--db",
        f"sqlite:///{folder / 'monitor.db'}",
        "--interval",
        f"{interval}s",
    ]


def monit_command(folder: Path, paths: list[str], port: int, interval: int) -> list[str]:
    """monit in the foreground; no alert recipients, no httpd: checks only."""
    control = folder / "monitrc"
    head = f"""\
        set daemon {interval}
        set logfile {folder / "monit.log"}
        set pidfile {folder / "monit.pid"}
        set idfile {folder / "monit.id"}
        set statefile {folder / "monit.state"}
        """
    checks = [
        f"check host r{i} with address 127.0.0.1\n"
        f'  if failed port {port} protocol http request "{p}" with timeout 5 seconds '
        "then alert\n"
        for i, p in enumerate(paths)
    ]
    control.write_text(textwrap.dedent(head) + "".join(checks))
    control.chmod(0o600)  # monit refuses a control file others can read
    return ["monit", "-I", "-c", str(control)]


# Measuring a process tree.


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(process: psutil.Process) -> float:
    total = 0.0
    for member in tree(process):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def rss_bytes(process: psutil.Process) -> int:
    total = 0
    for member in tree(process):
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


@contextmanager
def running(
    command: list[str], folder: Path, name: str, env: dict[str, str] | None
) -> Iterator[subprocess.Popen[bytes]]:
    """The tool in its own process group, always killed at the end (it is normally stopped
    before, with its own signal)."""
    log = (folder / f"{name}.stderr").open("wb")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=folder,
        env=env,
    )
    try:
        yield process
    finally:
        stop_group(process, signal.SIGKILL)
        log.close()


def stop_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class Scrape:
    """One read of launchready's ``/metrics``."""

    took_s: float | None
    """None: no answer (``error`` says why)."""
    drift_p99_s: float | None = None
    error: str = ""

    @property
    def note(self) -> str:
        if self.took_s is None:
            return f"/metrics: {self.error}"
        missing = "" if self.drift_p99_s is not None else f", no {OWN_DRIFT_METRIC}"
        return f"/metrics scrape {self.took_s:.2f} s{missing}"


def scrape(port: int) -> Scrape:
    """launchready's own p99 drift, when its ``/metrics`` exposes one (tolerates its
    absence: the metric came later than the monitor)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/metrics", timeout=SCRAPE_TIMEOUT_S
        ) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        return Scrape(None, error=f"HTTP {error.code}")
    except OSError as error:
        return Scrape(None, error=str(error))
    took = time.monotonic() - started
    match = re.search(rf"^{OWN_DRIFT_METRIC}(?:\{{[^}}]*\}})?\s+(\S+)\s*$", text, re.MULTILINE)
    return Scrape(took, float(match.group(1)) if match else None)


# Drift from the arrival log.


def nearest_rank(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def drift(
    seen: dict[str, list[float]],
    paths: list[str],
    interval: float,
    window: tuple[float, float],
    *,
    spread: bool,
) -> Drift:
    """Lateness of every probe slot planned inside ``window`` (see the module docstring)."""
    count = len(paths)
    offsets = {p: interval * i / count if spread else 0.0 for i, p in enumerate(paths)}
    firsts = [seen[p][0] - offsets[p] for p in paths if seen.get(p)]
    if not firsts:
        return Drift(math.inf, math.inf, math.inf, 0, 0)
    t0 = min(firsts)
    start, end = window
    late: list[float] = []
    missed = 0
    for path in paths:
        base = t0 + offsets[path]
        times = seen.get(path, [])
        first = max(0, math.ceil((start - base) / interval))
        last = math.floor((end - base) / interval)
        for slot in range(first, last + 1):
            if slot < len(times):
                late.append(times[slot] - (base + slot * interval))
            else:
                missed += 1
                late.append(math.inf)
    if not late:
        return Drift(math.inf, math.inf, math.inf, 0, 0)
    return Drift(nearest_rank(late, 50), nearest_rank(late, 99), max(late), len(late), missed)


# One run: a fresh target, one tool, one size.


def measure(tool: Tool, count: int, args: argparse.Namespace, folder: Path) -> Measure:
    folder.mkdir(parents=True)
    port = free_port()
    log = folder / "arrivals.log"
    paths = [f"/r{i}" for i in range(count)]
    interval = args.interval_s
    command = tool.command(folder, paths, port, interval)
    if tool.listen_port is not None:
        command += ["--listen", f"127.0.0.1:{tool.listen_port}"]
    nginx = NginxServer(
        folder / "nginx", target_servers(port, log), http_extra="log_format arrival '$msec $uri';"
    )
    with nginx, running(command, folder, tool.name, tool.env) as process:
        wait_first_arrival(log, process, tool.name)
        time.sleep(args.warmup_s)
        watched = psutil.Process(process.pid)
        cpu_before = cpu_seconds(watched)
        start = time.time()
        started = time.monotonic()
        peak = rss_bytes(watched)
        scrapes: list[Scrape] = []
        scrape_every = args.scrape_every_s if tool.listen_port else 0
        next_scrape = started + scrape_every
        while time.monotonic() - started < args.measure_s:
            time.sleep(min(SAMPLE_EVERY_S, args.measure_s - (time.monotonic() - started)))
            peak = max(peak, rss_bytes(watched))
            if tool.listen_port and scrape_every and time.monotonic() >= next_scrape:
                scrapes.append(scrape(tool.listen_port))
                next_scrape += scrape_every
        cpu_after = cpu_seconds(watched)
        elapsed = time.monotonic() - started
        end = time.time()
        ending = rss_bytes(watched)
        peak = max(peak, ending)
        last = scrape(tool.listen_port) if tool.listen_port else None
        time.sleep(args.grace_s)
        alive = process.poll() is None
        stop_group(process, tool.stop_signal)
    notes = [last.note] if last else []
    timed = [s.took_s for s in scrapes if s.took_s is not None]
    if scrapes:
        notes.append(
            f"{len(scrapes)} scrapes in the window, {len(timed)} answered"
            + (f", longest {max(timed):.2f} s" if timed else "")
        )
    if not alive:
        notes.append(f"exited early ({process.returncode}), see {tool.name}.stderr")
    return Measure(
        tool.name,
        count,
        interval,
        100 * (cpu_after - cpu_before) / elapsed,
        peak / MB,
        ending / MB,
        drift(arrivals(log), paths, interval, (start, end), spread=tool.spread),
        last.drift_p99_s if last else None,
        "; ".join(notes),
    )


# The report.


def seconds(value: float) -> str:
    if math.isinf(value):
        return "missed"
    return f"{value:.3f}"


def print_table(results: list[Measure]) -> None:
    print(
        f"\n{'N':>5} {'tool':12} {'checks/min':>10} {'CPU %':>7} {'CPU %/1k/min':>12} "
        f"{'RSS peak MB':>11} {'RSS end MB':>10} {'MB/1k chk':>9} {'drift p50 s':>11} "
        f"{'p99 s':>8} {'max s':>8} {'missed':>12} {'own p99 s':>9}  note"
    )
    for row in results:
        own = f"{row.own_drift_p99_s:9.3f}" if row.own_drift_p99_s is not None else f"{'n/a':>9}"
        missed = f"{row.drift.missed}/{row.drift.planned}"
        print(
            f"{row.checks:5d} {row.tool:12} {row.rate:10.0f} {row.cpu_percent:7.2f} "
            f"{row.cpu_per_1k:12.3f} {row.rss_peak_mb:11.1f} {row.rss_end_mb:10.1f} "
            f"{row.rss_per_1k:9.1f} {seconds(row.drift.p50_s):>11} "
            f"{seconds(row.drift.p99_s):>8} {seconds(row.drift.max_s):>8} {missed:>12} "
            f"{own}  {row.note}"
        )


def print_ratios(results: list[Measure]) -> None:
    ours = {r.checks: r for r in results if r.tool == "launchready"}
    peer = {r.checks: r for r in results if r.tool == "monit"}
    both = sorted(set(ours) & set(peer))
    if not both:
        return
    print("\nlaunchready / monit (below 1: launchready uses less)")
    print(f"{'N':>5} {'CPU':>8} {'RSS peak':>9} {'drift p99':>10}")
    for count in both:
        mine, theirs = ours[count], peer[count]
        cpu = mine.cpu_percent / theirs.cpu_percent if theirs.cpu_percent else math.inf
        rss = mine.rss_peak_mb / theirs.rss_peak_mb
        p99 = (
            mine.drift.p99_s / theirs.drift.p99_s
            if theirs.drift.p99_s and not math.isinf(theirs.drift.p99_s)
            else math.nan
        )
        print(f"{count:5d} {cpu:7.1f}x {rss:8.1f}x {p99:9.2f}x")


def print_verdicts(results: list[Measure]) -> None:
    ours = [r for r in results if r.tool == "launchready"]
    if not ours:
        return
    row = max(ours, key=lambda r: r.checks)
    cpu = row.cpu_per_1k * GOAL_RATE / 1000
    scaled = "" if row.rate == GOAL_RATE else f" (scaled from {row.rate:.0f}/min)"
    sized = "" if row.checks == 5000 else f" (at {row.checks} checks, not 5,000)"

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(f"\nGoal at {GOAL_RATE:.0f} checks/minute, from the N = {row.checks} run:")
    print(
        f"  CPU {cpu:.2f} % of one core{scaled} < {GOAL_CPU_PERCENT:g} %: "
        f"{verdict(cpu < GOAL_CPU_PERCENT)}"
    )
    print(
        f"  RSS peak {row.rss_peak_mb:.1f} MB{sized} < {GOAL_RSS_MB:g} MB: "
        f"{verdict(row.rss_peak_mb < GOAL_RSS_MB)}"
    )
    print(
        f"  drift p99 {seconds(row.drift.p99_s)} s < {GOAL_DRIFT_S:g} s "
        f"({row.drift.missed} of {row.drift.planned} slots missed): "
        f"{verdict(row.drift.p99_s < GOAL_DRIFT_S)}"
    )
    if len(ours) > 1:
        small = min(ours, key=lambda r: r.checks)
        slope = (row.rss_peak_mb - small.rss_peak_mb) / ((row.checks - small.checks) / 1000)
        print(f"  RSS grows {slope:.1f} MB per 1,000 checks ({small.checks} -> {row.checks})")
        marginal = (row.cpu_percent - small.cpu_percent) / ((row.rate - small.rate) / 1000)
        print(
            f"  CPU grows {marginal:.2f} % per 1,000 checks/minute "
            f"({small.rate:.0f} -> {row.rate:.0f}/min; fixed cost about "
            f"{small.cpu_percent - marginal * small.rate / 1000:.2f} %)"
        )


def bench(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    env = None
    if args.src:
        src = str(Path(args.src).resolve())
        paths = [src, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    tools = [Tool("launchready", True, signal.SIGINT, launchready_command, free_port(), env)]
    if args.no_peer:
        print("peer: skipped (--no-peer)")
    elif shutil.which("monit") is None:
        print("peer: monit is not installed (apt-get install -y monit); skipped")
    else:
        tools.append(Tool("monit", False, signal.SIGTERM, monit_command))
    print(
        f"cpus: {os.cpu_count()}, sizes: {sizes}, interval {args.interval_s} s, warm-up "
        f"{args.warmup_s:g} s, measurement {args.measure_s:g} s, grace {args.grace_s:g} s"
    )
    if args.warmup_s < args.interval_s:
        print(
            "note: the warm-up is shorter than the interval, so the window holds part of the "
            "first pass (check registration); --warmup-s above the interval for steady state"
        )
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as scratch:
        tmp = args.keep or scratch
        for count in sizes:
            for tool in tools:
                print(f"  {tool.name}, {count} checks ...", file=sys.stderr, flush=True)
                folder = Path(tmp) / f"{tool.name}-{count}"
                try:
                    results.append(measure(tool, count, args, folder))
                except RuntimeError as error:
                    print(f"  {tool.name}, {count} checks: {error}", file=sys.stderr)
                    stderr = folder / f"{tool.name}.stderr"
                    if stderr.exists():
                        print(stderr.read_text(errors="replace")[-2000:], file=sys.stderr)
    print_table(results)
    print_ratios(results)
    print_verdicts(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="numbers of checks, a,b,c")
    parser.add_argument("--interval-s", type=int, default=60, help="seconds between probes")
    parser.add_argument("--measure-s", type=float, default=60.0, help="measurement window")
    parser.add_argument("--warmup-s", type=float, default=10.0, help="after the first probe")
    parser.add_argument("--grace-s", type=float, default=10.0, help="for late probes")
    parser.add_argument(
        "--scrape-every-s",
        type=float,
        default=0.0,
        help="also read launchready's /metrics this often during the window, as Prometheus "
        "would (its cost then counts in the CPU figure); 0: only once, after the window",
    )
    parser.add_argument("--no-peer", action="store_true", help="launchready only")
    parser.add_argument(
        "--src",
        metavar="DIR",
        help="run the monitor from this source tree (e.g. `git archive HEAD src` unpacked) "
        "instead of the installed one",
    )
    parser.add_argument("--keep", metavar="DIR", help="keep logs, stores and configs in DIR")
    args = parser.parse_args()
    if args.interval_s < 1:
        parser.error("--interval-s must be at least 1 (both tools' minimum)")
    isolate()
    bench(args)


if __name__ == "__main__":
    main()
