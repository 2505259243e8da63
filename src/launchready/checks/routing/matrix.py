"""The redirect matrix: every audited host over http and https, and every planned redirect.

Each row is one followed chain, judged once; the row's flags become findings and its
verdict becomes the row the reports show, so the table and the risk list cannot disagree.
A chain that fails to connect is recorded (verdict ``error``) but is not a finding: a host
that does not listen on port 80 says something about the network, not about redirects.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from launchready import catalog
from launchready.context import CheckContext
from launchready.fetch import PERMANENT_STATUSES, Chain, Hop, follow, same_url
from launchready.findings import Finding, JSONValue
from launchready.manifest import Manifest

Kind = Literal["http", "https", "redirect"]
Verdict = Literal["ok", "chain", "loop", "mismatch", "temporary", "not-redirected", "error"]


@dataclass(frozen=True)
class Row:
    """One source URL, what the manifest expects of it, and the chain it produced."""

    kind: Kind
    source: str
    expected: str | None
    chain: Chain

    @property
    def loop(self) -> bool:
        return self.chain.loop

    @property
    def not_redirected(self) -> bool:
        """Plain http answered with content (2xx) and never went to https."""
        final = self.chain.final
        return (
            self.kind == "http"
            and not self.loop
            and final.status is not None
            and 200 <= final.status < 300
            and urlsplit(final.url).scheme == "http"
        )

    @property
    def mismatch(self) -> bool:
        """A planned redirect that ends elsewhere (a first-hop failure is not judged)."""
        if self.expected is None or self.loop or self.chain.hops[0].status is None:
            return False
        return not same_url(self.chain.final_url, self.expected)

    @property
    def judged(self) -> tuple[Hop, ...]:
        """The redirects this row is about. A planned redirect owns its whole chain; a host
        row only its origin moves (scheme or host), because ``/`` -> ``/en/`` or ``/login``
        after the move is the application's business, not the domain set-up's."""
        if self.kind == "redirect":
            return self.chain.redirects
        return tuple(h for h in self.chain.redirects if _origin(h.url) != _origin(h.location))

    @property
    def too_long(self) -> bool:
        return not self.loop and len(self.judged) > 1

    @property
    def temporary(self) -> tuple[Hop, ...]:
        """Temporary hops where a permanent move is expected: http->https and planned
        redirects. An https host moving to another origin may have reasons of its own (a
        geo or login gateway), so those rows are not judged."""
        if self.kind == "https" or self.loop:
            return ()
        return tuple(h for h in self.judged if h.status not in PERMANENT_STATUSES)

    @property
    def verdict(self) -> Verdict:
        if self.loop:
            return "loop"
        if self.mismatch:
            return "mismatch"
        if self.chain.failed:
            return "error"
        if self.not_redirected:
            return "not-redirected"
        if self.too_long:
            return "chain"
        if self.temporary:
            return "temporary"
        return "ok"

    def as_json(self) -> dict[str, JSONValue]:
        hops: list[JSONValue] = [
            {"url": h.url, "status": h.status, "location": h.location, "error": h.error}
            for h in self.chain.hops
        ]
        return {
            "source": self.source,
            "kind": self.kind,
            "expected": self.expected,
            "hops": hops,
            "final": self.chain.final_url,
            "loop": self.loop,
            "verdict": self.verdict,
        }


def sources(manifest: Manifest) -> list[tuple[Kind, str, str | None]]:
    """Each audited host's root over http then https, then the manifest's redirects."""
    rows: list[tuple[Kind, str, str | None]] = []
    for host in manifest.audited_hosts():
        rows.append(("http", f"http://{host}/", None))
        rows.append(("https", f"https://{host}/", None))
    rows += [("redirect", r.from_url, r.to) for r in manifest.redirects]
    return rows


async def build(ctx: CheckContext) -> list[Row]:
    """Follow every source concurrently (the client's memo shares repeated hops)."""
    planned = sources(ctx.manifest)
    chains = await asyncio.gather(*(follow(ctx, url) for _, url, _ in planned))
    return [
        Row(kind, url, to, chain) for (kind, url, to), chain in zip(planned, chains, strict=True)
    ]


def judge(rows: list[Row]) -> list[Finding]:
    """Findings for every flagged row; one per ID and source however often it is seen."""
    found: dict[tuple[str, str], Finding] = {}
    for row in rows:
        for item in _row_findings(row):
            found.setdefault((item.id, item.target), item)
    return list(found.values())


def _row_findings(row: Row) -> list[Finding]:
    hops = hop_lines(row.chain)
    out: list[Finding] = []
    if row.loop:
        out.append(
            catalog.finding("routing.redirect-loop", target=row.source, evidence={"hops": hops})
        )
        return out
    if row.not_redirected:
        out.append(
            catalog.finding(
                "routing.http-not-redirected",
                target=row.source,
                evidence={"final": row.chain.final.url, "status": row.chain.final.status},
            )
        )
    if row.mismatch:
        out.append(
            catalog.finding(
                "routing.redirect-mismatch",
                target=row.source,
                evidence={"expected": row.expected, "final": row.chain.final_url, "hops": hops},
                fingerprint_keys=("expected", "final"),
            )
        )
    if row.too_long:
        out.append(
            catalog.finding(
                "routing.redirect-chain",
                target=row.source,
                evidence={"hops": hops, "final": row.chain.final_url},
            )
        )
    if row.temporary:
        out.append(
            catalog.finding(
                "routing.redirect-temporary",
                target=row.source,
                evidence={"temporary": [f"{h.status} {h.url}" for h in row.temporary]},
            )
        )
    return out


def _origin(url: str | None) -> tuple[str, str]:
    parts = urlsplit(url or "")
    return parts.scheme.lower(), parts.netloc.lower()


def hop_lines(chain: Chain) -> list[JSONValue]:
    """``301 http://a/ -> https://a/`` per hop: readable evidence with a stable fingerprint."""
    lines: list[JSONValue] = []
    for hop in chain.hops:
        if hop.status is None:
            lines.append(f"error {hop.url}: {hop.error}")
        elif hop.location is not None:
            lines.append(f"{hop.status} {hop.url} -> {hop.location}")
        else:
            lines.append(f"{hop.status} {hop.url}")
    return lines
