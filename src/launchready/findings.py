"""Findings, check attempts and the report: what every check produces and every renderer reads.

A finding is frozen once built: the runner may redact it (returning a new one) but nothing
edits it in place, so the same finding renders identically in every format.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

JSONValue = Any
"""Evidence values: whatever ``json.dumps`` accepts (str, int, float, bool, None, lists, dicts)."""


class Severity(StrEnum):
    """How bad a finding is, highest first (declaration order is rank order)."""

    BLOCKER = "blocker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for blocker, 4 for info: sorting by rank puts the worst first."""
        return list(Severity).index(self)

    def raised(self) -> Severity:
        """One level worse, never above blocker: the checkout escalation of checks.md."""
        return list(Severity)[max(self.rank - 1, 0)]

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is ``threshold`` or worse."""
        return self.rank <= threshold.rank


class Stage(StrEnum):
    """The roadmap stage a finding belongs to; it places the fix in the 48-hour plan."""

    AUDIT = "audit"
    DOMAIN = "domain"
    DEPLOY = "deploy"
    SECURITY = "security"
    PERFORMANCE = "performance"
    MONITORING = "monitoring"
    HANDOVER = "handover"


class Impact(StrEnum):
    """What the business loses; declaration order is the report's tie-break (checkout first)."""

    CHECKOUT = "checkout"
    EMAIL = "email"
    DOWNTIME = "downtime"
    TRUST = "trust"
    DATA = "data"
    SEO = "seo"
    COST = "cost"

    @property
    def rank(self) -> int:
        """Position in the business-impact order."""
        return list(Impact).index(self)


# Evidence keys whose values change from run to run; a fingerprint must not depend on them.
VOLATILE_EVIDENCE_KEYS = frozenset(
    {
        "elapsed_ms",
        "duration_ms",
        "ttfb_ms",
        "total_ms",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "observed_at",
        "checked_at",
        "days_left",
        "expires_in_days",
        "line",
        "count",
        "seconds",
    }
)


def fingerprint(
    finding_id: str,
    target: str,
    evidence: Mapping[str, JSONValue],
    keys: Sequence[str] | None = None,
) -> str:
    """A stable identity for baselines and alert de-duplication.

    It covers the ID, the target and the stable part of the evidence: either the ``keys``
    the catalog names, or every key not known to vary between runs (timings, dates, line
    numbers). Redacted evidence goes in, so a secret's clear text never reaches the hash.
    """
    chosen = (
        keys if keys is not None else sorted(k for k in evidence if k not in VOLATILE_EVIDENCE_KEYS)
    )
    stable = {k: evidence[k] for k in chosen if k in evidence}
    payload = json.dumps([finding_id, target, stable], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the store, with everything a founder needs to act on it."""

    id: str
    severity: Severity
    title: str
    target: str
    stage: Stage
    impact: tuple[Impact, ...]
    evidence: Mapping[str, JSONValue]
    why: str
    fix: str
    references: tuple[str, ...]
    fingerprint: str
    catalog_index: int = 0
    """Position of the ID in the catalog: the last sort key of the report order."""
    fingerprint_keys: tuple[str, ...] | None = None
    """The evidence keys the fingerprint covers (None: every non-volatile key)."""

    @property
    def area(self) -> str:
        """The catalog area, the part of the ID before the dot."""
        return self.id.split(".", 1)[0]

    def sort_key(self) -> tuple[int, int, int, str]:
        """Severity, then business impact, then catalog order, then target."""
        impact_rank = min((i.rank for i in self.impact), default=len(Impact))
        return (self.severity.rank, impact_rank, self.catalog_index, self.target)

    def with_text(self, transform: Callable[[str], str]) -> Finding:
        """A copy whose title, target and evidence strings went through ``transform``
        (redaction), fingerprinted again so the hash never saw what was removed."""
        target = transform(self.target)
        evidence = _map_strings(self.evidence, transform)
        return replace(
            self,
            title=transform(self.title),
            target=target,
            evidence=evidence,
            fingerprint=fingerprint(self.id, target, evidence, self.fingerprint_keys),
        )


def redact_json(value: JSONValue, transform: Callable[[str], str]) -> JSONValue:
    """``value`` with every string inside it passed through ``transform``."""
    return _map_strings(value, transform)


def _map_strings(value: JSONValue, transform: Callable[[str], str]) -> JSONValue:
    if isinstance(value, str):
        return transform(value)
    if isinstance(value, Mapping):
        return {k: _map_strings(v, transform) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_map_strings(v, transform) for v in value]
    return value


class AttemptStatus(StrEnum):
    """What happened when the runner tried an area."""

    RAN = "ran"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class CheckAttempt:
    """One area's outcome: failures are data, shown in every report, never lost."""

    area: str
    status: AttemptStatus
    duration_ms: int = 0
    reason: str | None = None
    """Why it was skipped, or what went wrong (``timeout: ...``, ``connectivity: ...``)."""


@dataclass(frozen=True)
class ToolInfo:
    name: str
    version: str


@dataclass(frozen=True)
class Report:
    """The outcome of one audit; renderers turn it into text and never touch the network."""

    tool: ToolInfo
    site: str
    started_at: datetime
    duration_ms: int
    findings: tuple[Finding, ...]
    checks: tuple[CheckAttempt, ...]
    extras: Mapping[str, JSONValue] = field(default_factory=dict)
    """Deliverables beyond the risk list (the DNS map, the redirect matrix), by name."""
    command: str = "audit"
    """What produced it (``audit``, ``smoke``, ``redteam``, ``secrets scan``...): the
    headline names it, and only an audit carries the 48-hour launch plan."""

    @property
    def ready(self) -> bool:
        """Ready to launch: no blocker and no high finding."""
        return not any(f.severity.at_least(Severity.HIGH) for f in self.findings)

    @property
    def summary(self) -> dict[str, int]:
        """Count of findings per severity, every severity present (zeros included)."""
        counts = Counter(f.severity for f in self.findings)
        return {s.value: counts.get(s, 0) for s in Severity}

    def worst(self) -> Severity | None:
        """The highest severity among the findings, or None when there are none."""
        return min((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def fails(self, threshold: Severity | None) -> bool:
        """True when a finding is at or above ``threshold`` (None means never fail)."""
        if threshold is None:
            return False
        return any(f.severity.at_least(threshold) for f in self.findings)


def area_report(
    site: str,
    attempt: CheckAttempt,
    findings: Sequence[Finding],
    *,
    started_at: datetime,
    extras: Mapping[str, JSONValue] | None = None,
    command: str = "audit",
) -> Report:
    """The report of a command that runs one area outside an audit (``secrets scan``,
    ``env check``, ``email verify-message``): same shape, so every renderer applies."""
    from launchready import __version__

    return Report(
        tool=ToolInfo("launchready", __version__),
        site=site,
        started_at=started_at,
        duration_ms=attempt.duration_ms,
        findings=sort_findings(findings),
        checks=(attempt,),
        extras=dict(extras or {}),
        command=command,
    )


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The report order of cli.md: severity, business impact, catalog order."""
    return tuple(sorted(findings, key=Finding.sort_key))
