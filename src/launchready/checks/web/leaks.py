"""web.error-leak: responses that show how the store is built, or hand over a key.

The patterns are data (``data/error_leaks.yaml``): a framework's debug page or a driver's
error text changes on the framework's schedule, and adding one should be a reviewed line,
not code. The evidence is a short excerpt around the first match with every secret-shaped
string masked, so the report proves the leak without repeating it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from launchready.catalog import finding
from launchready.checks.web.collect import Exchange
from launchready.findings import Finding, JSONValue
from launchready.redact import mask

MAX_SCAN_CHARS = 1_000_000
"""A leak shows near the top of an error page; scanning a hostile 5 MB body whole buys nothing."""
EXCERPT_BEFORE = 40
EXCERPT_AFTER = 100
MAX_LEAKS_SHOWN = 4


@dataclass(frozen=True)
class LeakPattern:
    name: str
    kind: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Leak:
    """One pattern found in one response, with its masked excerpt."""

    pattern: str
    kind: str
    excerpt: str


@cache
def patterns() -> tuple[LeakPattern, ...]:
    """The patterns of ``error_leaks.yaml``, compiled once (a bad regex is a bug here)."""
    text = resources.files("launchready.data").joinpath("error_leaks.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return tuple(
        LeakPattern(
            str(p["name"]),
            str(p["kind"]),
            re.compile(p["regex"], re.I if p.get("ignore_case") else 0),
        )
        for p in raw["patterns"]
    )


def _secret_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(p.regex for p in patterns() if p.kind == "secret")


def masked(text: str) -> str:
    """``text`` with every secret-shaped match replaced by its masked stub."""
    for regex in _secret_patterns():
        text = regex.sub(lambda m: mask(m.group(0)), text)
    return text


def scan(text: str) -> list[Leak]:
    """Every pattern that matches ``text``, each once, with a masked excerpt."""
    text = text[:MAX_SCAN_CHARS]
    leaks = []
    for pattern in patterns():
        match = pattern.regex.search(text)
        if match is None:
            continue
        start = max(0, match.start() - EXCERPT_BEFORE)
        end = min(len(text), match.end() + EXCERPT_AFTER)
        excerpt = masked(" ".join(text[start:end].split()))
        leaks.append(Leak(pattern.name, pattern.kind, excerpt))
    return leaks


def error_leaks(exchanges: Iterable[Exchange]) -> list[Finding]:
    """One finding per URL whose answers leak, naming the requests and what they showed."""
    by_url: dict[str, list[tuple[Exchange, list[Leak]]]] = {}
    done: set[int] = set()
    for ex in exchanges:
        response = ex.response
        if response.status is None or not response.body or id(response) in done:
            continue
        done.add(id(response))  # the memo hands a route and its identical probe one response
        found = scan(response.text)
        if found:
            by_url.setdefault(response.url.split("?", 1)[0], []).append((ex, found))
    findings = []
    for url, hits in by_url.items():
        found = hits[0][1]
        shown: list[JSONValue] = [
            {"pattern": leak.pattern, "kind": leak.kind, "excerpt": leak.excerpt}
            for leak in found[:MAX_LEAKS_SHOWN]
        ]
        findings.append(
            finding(
                "web.error-leak",
                target=url,
                evidence={
                    "requests": [f"{ex.label} -> {ex.response.status}" for ex, _ in hits],
                    "kinds": sorted({leak.kind for _, leaks in hits for leak in leaks}),
                    "leaks": shown,
                },
                checkout=any(ex.checkout for ex, _ in hits),
                fingerprint_keys=["kinds"],
            )
        )
    return findings
