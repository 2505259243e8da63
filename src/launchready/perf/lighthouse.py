"""Lighthouse performance scores for the storefront pages (``audit --lighthouse``).

The Lighthouse score is the figure founders and agencies quote, so it is measured with
Lighthouse itself (the npm package, run as a subprocess) rather than approximated. Its
settings are Lighthouse's defaults, which are also what PageSpeed Insights shows: the mobile
form factor (a mid-range phone's screen) with *simulated* throttling (a slow 4G network and
a 4x slower CPU, modelled from one unthrottled load). A desktop score would flatter the
store; the shoppers who leave a slow page are mostly on phones.

Lighthouse drives Debian's Chromium (``CHROME_PATH``), never a browser it downloads, with
the same flags as the chat browser check: ``network.resolve`` becomes
``--host-resolver-rules`` and Chromium's own service hosts are answered "not found", so the
run reaches only the addresses the manifest names. Lighthouse's error reporting stays off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready.catalog import finding
from launchready.chat.browser import (
    CHROMIUM_ENV,
    _dns_extra,
    chromium_args,
    find_chromium,
    host_resolver_rules,
)
from launchready.findings import Finding
from launchready.manifest import Network

if TYPE_CHECKING:
    from launchready.net.dns import Resolver

BUDGET = 80
"""checks.md's threshold for ``perf.lighthouse-below-budget``: Lighthouse paints 50-89 orange,
and a store in the lower part of that band is slow enough for shoppers to notice."""
LIGHTHOUSE_ENV = "LAUNCHREADY_LIGHTHOUSE"
INSTALL_LIGHTHOUSE = f"npm install -g lighthouse, or set {LIGHTHOUSE_ENV}"
INSTALL_NODE = "apt-get install nodejs npm"
INSTALL_CHROMIUM = "apt-get install chromium"
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
TOP_OPPORTUNITIES = 5
PASS_THRESHOLD = 0.9
"""Lighthouse shows an audit as passed from this score up; passed audits are no advice."""
UNITLESS_SAVINGS = frozenset({"CLS"})
NOT_ADVICE = frozenset(
    {"largest-contentful-paint-element", "lcp-breakdown-insight", "network-dependency-tree-insight"}
)
"""Diagnostics that carry the whole metric as their "savings" to explain it (which element
was the LCP, how its time splits), not a change that would save that time."""
MAX_LOAD_WAIT_S = 45.0
"""Lighthouse's own default: a page still loading by then is scored as it stands."""
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Opportunity:
    """One piece of Lighthouse advice and the time it would save on the throttled load."""

    id: str
    title: str
    savings_ms: float


@dataclass(frozen=True)
class PageScore:
    """One page's Lighthouse result; a run that failed keeps only its ``error``."""

    url: str
    score: float | None
    """0..100, as Lighthouse's report shows it."""
    metrics: dict[str, float]
    """Milliseconds, except ``cumulative-layout-shift`` (unitless)."""
    opportunities: tuple[Opportunity, ...]
    """The largest savings first, at most :data:`TOP_OPPORTUNITIES`."""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "score": self.score,
            "metrics": dict(self.metrics),
            "opportunities": [
                {"id": o.id, "title": o.title, "savings_ms": o.savings_ms}
                for o in self.opportunities
            ],
            "error": self.error,
        }


def find_lighthouse(explicit: str | None = None) -> list[str] | None:
    """The command that runs Lighthouse: ``explicit``, else ``$LAUNCHREADY_LIGHTHOUSE``, else
    ``lighthouse`` on PATH. A path the user names is the only one tried, like
    :func:`~launchready.chat.browser.find_chromium`. The npm launcher is a Node script, so
    without ``node`` there is nothing to run."""
    if shutil.which("node") is None:
        return None
    named = explicit or os.environ.get(LIGHTHOUSE_ENV)
    found = shutil.which(named or "lighthouse")
    return [found] if found else None


def unavailable_reason(lighthouse: str | None = None, chromium: str | None = None) -> str | None:
    """Why Lighthouse cannot run here (for a skipped check), or None when it can."""
    if shutil.which("node") is None:
        return f"Node.js is not installed ({INSTALL_NODE})"
    if find_lighthouse(lighthouse) is None:
        named = lighthouse or os.environ.get(LIGHTHOUSE_ENV)
        if named:
            return f"Lighthouse is not installed at {named} ({INSTALL_LIGHTHOUSE})"
        return f"Lighthouse is not installed ({INSTALL_LIGHTHOUSE})"
    return None if find_chromium(chromium) else _no_chromium(chromium)


async def score_page(
    url: str,
    network: Network | None,
    *,
    ca_bundle: Path | None,
    timeout: float,  # noqa: ASYNC109 - bounds the whole run, which ends in a process kill
    lighthouse: list[str] | None = None,
    chromium: str | None = None,
    resolver: Resolver | None = None,
) -> PageScore:
    """Score ``url`` with Lighthouse; every failure is a :class:`PageScore` with ``error``.

    ``timeout`` (seconds) bounds the whole run; past it Lighthouse and the Chromium it
    started (in a session of its own) are killed. With a ``ca_bundle`` (here or in
    ``network``) the store uses a private CA that Chromium cannot load, so certificate
    errors are ignored; the tls area verifies the certificates. ``resolver`` maps the
    page's host when only the manifest's nameservers know it.
    """
    command = lighthouse or find_lighthouse()
    if command is None:
        return _failed(url, unavailable_reason() or "Lighthouse is not installed")
    binary = find_chromium(chromium)
    if binary is None:
        return _failed(url, _no_chromium(chromium))
    net = network or Network()
    rules = host_resolver_rules(net, await _dns_extra(url, net, resolver))
    flags = ["--headless=new", *chromium_args(rules)]
    if ca_bundle is not None or net.ca_bundle is not None:
        flags.append("--ignore-certificate-errors")
    wait_ms = int(min(MAX_LOAD_WAIT_S, timeout / 2) * 1000)
    argv = [
        *command,
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--only-categories=performance",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        "--no-enable-error-reporting",
        "--disable-full-page-screenshot",
        f"--max-wait-for-load={wait_ms}",
        f"--chrome-flags={chrome_flags(flags)}",
    ]
    with tempfile.TemporaryDirectory(prefix="launchready-lh-", ignore_cleanup_errors=True) as tmp:
        # Chrome-launcher's profile and Chromium's scratch files land in TMPDIR: one folder
        # to remove, even after a kill.
        env = {**os.environ, "CHROME_PATH": str(binary), "TMPDIR": tmp}
        try:
            stdout, stderr, code = await _run(argv, env, timeout)
        except TimeoutError:
            return _failed(url, f"Lighthouse did not finish within {timeout:g}s")
        except OSError as exc:
            return _failed(url, f"Lighthouse did not start: {exc}")
    return parse_report(url, stdout, stderr=stderr, returncode=code)


async def score_pages(
    urls: Sequence[str],
    network: Network | None,
    *,
    ca_bundle: Path | None,
    timeout: float,  # noqa: ASYNC109 - per page, passed on to score_page
    concurrency: int = 1,
    lighthouse: list[str] | None = None,
    chromium: str | None = None,
    resolver: Resolver | None = None,
) -> list[PageScore]:
    """Score every page, in the order given.

    One at a time by default: Lighthouse's simulated throttling scales what it measured on
    this machine, so two runs sharing a 2-core runner each see a slower CPU and both scores
    drop. Raise ``concurrency`` only with cores to spare.
    """
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(url: str) -> PageScore:
        async with gate:
            return await score_page(
                url,
                network,
                ca_bundle=ca_bundle,
                timeout=timeout,
                lighthouse=lighthouse,
                chromium=chromium,
                resolver=resolver,
            )

    return list(await asyncio.gather(*(one(url) for url in urls)))


def lighthouse_findings(scores: Sequence[PageScore]) -> list[Finding]:
    """One ``perf.lighthouse-below-budget`` per page scoring under :data:`BUDGET`.

    The fingerprint is the ID and the page alone: the score moves a few points from run to
    run, and a baseline must still recognise the same slow page.
    """
    return [
        finding(
            "perf.lighthouse-below-budget",
            target=s.url,
            evidence=_evidence(s),
            fingerprint_keys=[],
        )
        for s in scores
        if s.error is None and s.score is not None and s.score < BUDGET
    ]


def parse_report(
    url: str, stdout: bytes | str, *, stderr: bytes | str = b"", returncode: int = 0
) -> PageScore:
    """A :class:`PageScore` from Lighthouse's JSON report (``--output=json``).

    Lighthouse prints a report even when the page failed to load (``runtimeError``) and
    then exits 1; its reason is more useful than the exit code.
    """
    try:
        report = json.loads(stdout)
    except ValueError:
        report = None
    if not isinstance(report, dict):
        tail = _tail(stderr) or f"exit code {returncode}, no report"
        return _failed(url, f"Lighthouse failed: {tail}")
    runtime = report.get("runtimeError")
    if isinstance(runtime, Mapping):
        code = runtime.get("code") or "ERROR"
        return _failed(url, _clip(f"{code}: {runtime.get('message') or 'no message'}"))
    audits = report.get("audits")
    audits = audits if isinstance(audits, Mapping) else {}
    category = (report.get("categories") or {}).get("performance") or {}
    raw = category.get("score") if isinstance(category, Mapping) else None
    if not isinstance(raw, int | float):
        warnings = report.get("runWarnings") or []
        why = f": {_clip(str(warnings[0]))}" if warnings else ""
        return _failed(url, f"Lighthouse gave no performance score{why}")
    return PageScore(
        url=url,
        score=round(float(raw) * 100, 1),
        metrics=_metrics(audits),
        opportunities=_opportunities(audits),
    )


def chrome_flags(flags: Sequence[str]) -> str:
    """One ``--chrome-flags`` value: Lighthouse splits it on spaces (yargs-parser), so a value
    holding spaces (the resolver rules) is double-quoted, which that parser honours."""
    parts = []
    for flag in flags:
        if '"' in flag:
            raise ValueError(f"a Chromium flag cannot hold a double quote: {flag!r}")
        name, sep, value = flag.partition("=")
        parts.append(f'{name}="{value}"' if sep and any(c.isspace() for c in value) else flag)
    return " ".join(parts)


def _evidence(score: PageScore) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "score": score.score,
        "budget": BUDGET,
        "opportunities": [
            f"{o.title} (saves {o.savings_ms / 1000:.1f} s)" for o in score.opportunities
        ],
    }
    for metric, number in score.metrics.items():
        key = metric.replace("-", "_")
        evidence[key if metric == "cumulative-layout-shift" else f"{key}_ms"] = round(number, 3)
    return evidence


def _metrics(audits: Mapping[str, Any]) -> dict[str, float]:
    found = {}
    for metric in METRICS:
        audit = audits.get(metric)
        value = audit.get("numericValue") if isinstance(audit, Mapping) else None
        if isinstance(value, int | float):
            found[metric] = float(value)
    return found


def _opportunities(audits: Mapping[str, Any]) -> tuple[Opportunity, ...]:
    """Failed audits that promise to save time, the largest saving first.

    Lighthouse 12 lists classic audits (``render-blocking-resources``) and, in parallel,
    the newer ``*-insight`` audits giving the same advice; the insights count only when the
    report has no classic opportunities (Lighthouse 13 dropped them), so nothing is listed
    twice.
    """
    classic = any(_details(a).get("type") == "opportunity" for a in audits.values())
    found = []
    for audit_id, audit in audits.items():
        if not isinstance(audit, Mapping) or audit_id in NOT_ADVICE:
            continue
        if classic and audit_id.endswith("-insight"):
            continue
        score = audit.get("score")
        if not isinstance(score, int | float) or score >= PASS_THRESHOLD:
            continue
        savings = _savings(audit)
        if savings > 0:
            found.append(Opportunity(audit_id, str(audit.get("title") or audit_id), savings))
    found.sort(key=lambda o: (-o.savings_ms, o.id))
    return tuple(found[:TOP_OPPORTUNITIES])


def _savings(audit: Mapping[str, Any]) -> float:
    """``overallSavingsMs`` of an opportunity, else the largest time in ``metricSavings``
    (what Lighthouse 12 sorts its diagnostics by; CLS is no time)."""
    overall = _details(audit).get("overallSavingsMs")
    if isinstance(overall, int | float):
        return float(overall)
    metric = audit.get("metricSavings")
    if not isinstance(metric, Mapping):
        return 0.0
    return max(
        (
            float(v)
            for k, v in metric.items()
            if k not in UNITLESS_SAVINGS and isinstance(v, int | float)
        ),
        default=0.0,
    )


def _details(audit: Any) -> Mapping[str, Any]:
    details = audit.get("details") if isinstance(audit, Mapping) else None
    return details if isinstance(details, Mapping) else {}


async def _run(argv: list[str], env: dict[str, str], seconds: float) -> tuple[bytes, bytes, int]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(seconds):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:  # timed out or cancelled
            _kill_tree(process.pid)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return stdout, stderr, process.returncode or 0


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, its descendants and their process groups.

    Chrome-launcher starts Chromium detached (a session of its own), so killing
    Lighthouse's process group alone would leave a headless browser behind.
    """
    doomed = [pid, *_descendants(pid)]
    groups = set()
    for each in doomed:
        with contextlib.suppress(OSError):
            groups.add(os.getpgid(each))
    for group in groups:
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)
    for each in doomed:
        with contextlib.suppress(OSError):
            os.kill(each, signal.SIGKILL)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    queue = [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _no_chromium(chromium: str | None) -> str:
    named = chromium or os.environ.get(CHROMIUM_ENV)
    if named:
        return f"no Chromium at {named} ({INSTALL_CHROMIUM})"
    return f"Debian's chromium is not installed ({INSTALL_CHROMIUM})"


def _failed(url: str, error: str) -> PageScore:
    return PageScore(url=url, score=None, metrics={}, opportunities=(), error=error)


def _tail(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return _clip(lines[-1]) if lines else ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
