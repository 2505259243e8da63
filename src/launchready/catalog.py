"""The check catalog: every finding ID of ``shared/spec/checks.md`` with its fixed texts.

The entries live in ``catalog.yaml`` beside this module, one per ID, so severity, stage,
impact, title, the business reason, fix and references are written once and every check
builds its findings through :func:`finding`. IDs are a contract: a user's baseline, CI gate
and dashboards depend on them, so an ID is never renamed or reused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from launchready.findings import (
    Finding,
    Impact,
    JSONValue,
    Severity,
    Stage,
    fingerprint,
)


@dataclass(frozen=True)
class CatalogEntry:
    """The fixed part of every finding with this ID."""

    id: str
    severity: Severity
    stage: Stage
    impact: tuple[Impact, ...]
    title: str
    why: str
    fix: str
    references: tuple[str, ...]
    index: int
    fingerprint_keys: tuple[str, ...] | None = None

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]


@cache
def entries() -> Mapping[str, CatalogEntry]:
    """Every catalog entry by ID, in catalog order."""
    text = resources.files("launchready").joinpath("catalog.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster start-up
    raw: dict[str, dict[str, Any]] = yaml.load(text, Loader=loader)
    return {
        finding_id: CatalogEntry(
            id=finding_id,
            severity=Severity(spec["severity"]),
            stage=Stage(spec["stage"]),
            impact=tuple(Impact(i) for i in spec["impact"]),
            title=spec["title"],
            why=spec["why"],
            fix=spec["fix"],
            references=tuple(spec.get("references", ())),
            index=index,
            fingerprint_keys=tuple(spec["fingerprint"]) if "fingerprint" in spec else None,
        )
        for index, (finding_id, spec) in enumerate(raw.items())
    }


def entry(finding_id: str) -> CatalogEntry:
    """The entry for ``finding_id``; an unknown ID is a programming error, not user input."""
    try:
        return entries()[finding_id]
    except KeyError:
        raise KeyError(
            f"{finding_id!r} is not in the catalog (src/launchready/catalog.yaml)"
        ) from None


def areas() -> list[str]:
    """The catalog's areas in catalog order (``launch``, ``dns``, ...)."""
    return list(dict.fromkeys(e.area for e in entries().values()))


def finding(
    finding_id: str,
    *,
    target: str,
    evidence: Mapping[str, JSONValue] | None = None,
    severity: Severity | None = None,
    checkout: bool = False,
    title: str | None = None,
    fix: str | None = None,
    fingerprint_keys: Sequence[str] | None = None,
) -> Finding:
    """Build a finding from the catalog.

    ``severity`` overrides the default where checks.md makes it depend on the evidence
    (``blocker for role storefront``); ``checkout`` then raises it one level, because a
    finding on a checkout route or host costs sales. ``title`` and ``fix`` replace the
    catalog text when the check knows something more specific; the catalog title is a
    template that may name ``{target}`` and any evidence key.
    """
    spec = entry(finding_id)
    chosen = severity if severity is not None else spec.severity
    if checkout:
        chosen = chosen.raised()
    facts = dict(evidence or {})
    keys = fingerprint_keys if fingerprint_keys is not None else spec.fingerprint_keys
    return Finding(
        id=finding_id,
        severity=chosen,
        title=title or _fill(spec.title, target, facts),
        target=target,
        stage=spec.stage,
        impact=spec.impact,
        evidence=facts,
        why=spec.why,
        fix=fix or spec.fix,
        references=spec.references,
        fingerprint=fingerprint(finding_id, target, facts, keys),
        catalog_index=spec.index,
        fingerprint_keys=tuple(keys) if keys is not None else None,
    )


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, target: str, evidence: Mapping[str, JSONValue]) -> str:
    return template.format_map(_Blank(evidence, target=target))
