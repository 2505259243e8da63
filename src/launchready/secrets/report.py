"""Scanner matches as findings: redacted evidence, fingerprints that never saw a secret.

A :class:`~launchready.secrets.Match` carries the clear value so the engine can compare
and fingerprint it; this module is the one door between matches and reports, and only
``match.redacted`` and the engine's keyed :func:`~launchready.secrets.fingerprint` pass
through it.

The finding's target is the file (or URL) without the line: DESIGN.md forbids line numbers
in a fingerprint, and the catalog fingerprint always covers the target, so an edit above
a leaked key must not turn an accepted finding into a new one. The line is in the title
and the evidence, where people read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from launchready.catalog import entry, finding
from launchready.findings import Finding
from launchready.secrets import Match, fingerprint

FINGERPRINT_KEYS = ("rule", "secret_fingerprint")


def match_finding(finding_id: str, match: Match) -> Finding:
    """The finding ``finding_id`` for ``match``; the clear value appears nowhere in it."""
    target = _scrub(match.path, match)
    evidence: dict[str, object] = {
        "rule": match.rule_id,
        "value": match.redacted,
        "secret_fingerprint": fingerprint(match),
        "line": match.line,
    }
    if match.commit is not None:
        evidence["commit"] = match.commit
    if match.author_date is not None:
        evidence["author_date"] = match.author_date
    title = entry(finding_id).title.format_map({"target": f"{target}:{match.line}"})
    return finding(
        finding_id,
        target=target,
        evidence=evidence,
        title=title,
        fingerprint_keys=FINGERPRINT_KEYS,
    )


def match_findings(finding_id: str, matches: Iterable[Match]) -> list[Finding]:
    """One finding per distinct fingerprint (the same key twice in a file is one leak),
    keeping the first occurrence in scan order."""
    seen: dict[str, Finding] = {}
    for match in matches:
        item = match_finding(finding_id, match)
        seen.setdefault(item.fingerprint, item)
    return list(seen.values())


def build_findings(matches: Iterable[Match]) -> list[Finding]:
    """``secrets.in-build`` for matches in build output (``deploy check`` scans
    ``deploy.artifacts`` after a clean build; it reports through this door too)."""
    return match_findings("secrets.in-build", matches)


def relocate(match: Match, path: str) -> Match:
    """``match`` at another spelling of its path (relative to the scan root, or under the
    repository folder), so fingerprints and baselines do not depend on where the scan ran."""
    return Match(
        rule_id=match.rule_id,
        path=path,
        line=match.line,
        secret=match.secret,
        commit=match.commit,
        author_date=match.author_date,
    )


def relative_to(match: Match, root: Path, prefix: str = "") -> Match:
    """``match`` with its path relative to ``root`` (when below it), under ``prefix``."""
    path = Path(match.path)
    try:
        shown = (
            path.resolve().relative_to(root.resolve()).as_posix()
            if path.is_absolute()
            else (path.as_posix())
        )
    except ValueError:
        shown = path.as_posix()
    if prefix and prefix != ".":
        shown = f"{prefix.rstrip('/')}/{shown}"
    return relocate(match, shown)


def _scrub(text: str, match: Match) -> str:
    """A path or URL that somehow contains the value (a key in a query string, a source
    map's source name) shows the redacted form instead."""
    return text.replace(match.secret, match.redacted) if match.secret else text


__all__ = [
    "FINGERPRINT_KEYS",
    "build_findings",
    "match_finding",
    "match_findings",
    "relative_to",
    "relocate",
]
