"""Secret rules as data: ``rules.yaml`` loaded into frozen :class:`Rule` values.

Rules live in YAML rather than code so a new credential type is one reviewed entry with its
own examples and decoys, and the table-driven tests cover it without a line of Python. The
global allow list (placeholders, public prefixes, documented example keys) sits in the
same file because it is tuned together with the rules it silences.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from launchready.errors import ToolError

ALLOW_MARKER = "launchready:allow"
"""An inline comment with this text (any comment syntax) accepts the match on its line."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Rule:
    """One credential type. ``id`` is a contract: baselines hash it, so it never changes."""

    id: str
    description: str
    pattern: str
    keywords: tuple[str, ...]
    entropy: float | None
    secret_group: int | str = 0


@dataclass(frozen=True)
class AllowList:
    """Values that look like secrets but are not: placeholders, public keys, doc examples."""

    placeholders: tuple[str, ...]
    prefixes: tuple[str, ...]
    weak_defaults: frozenset[str]
    documented_sha256: frozenset[str]
    uuid_rules: frozenset[str]
    digit_rules: frozenset[str]
    url_rules: frozenset[str]
    min_distinct: int

    def allows(self, rule_id: str, value: str) -> bool:
        """True when ``value`` is not a secret whatever rule caught it."""
        lowered = value.lower()
        if any(p in lowered for p in self.placeholders):
            return True
        if any(lowered.startswith(p.lower()) for p in self.prefixes):
            return True
        if lowered in self.weak_defaults:
            return True
        if len(set(value)) < self.min_distinct:
            return True
        if rule_id not in self.uuid_rules and _UUID.fullmatch(value):
            return True
        if rule_id in self.digit_rules and not any(c.isdigit() for c in value):
            return True
        if rule_id in self.url_rules and "://" in value:
            return True
        return hashlib.sha256(value.encode()).hexdigest() in self.documented_sha256


def shannon_entropy(value: str) -> float:
    """Bits per character: random keys score high, words and repeated filler low."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


@cache
def _document() -> Mapping[str, Any]:
    text = resources.files("launchready.secrets").joinpath("rules.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(text, Loader=loader)
    if not isinstance(raw, dict) or "rules" not in raw:
        raise ToolError("secrets/rules.yaml has no 'rules' list")
    return raw


def _rule(spec: Mapping[str, Any]) -> Rule:
    group = spec.get("secret_group", 0)
    entropy = spec.get("entropy")
    return Rule(
        id=str(spec["id"]),
        description=str(spec["description"]),
        pattern=str(spec["pattern"]),
        keywords=tuple(str(k).lower() for k in spec.get("keywords", ())),
        entropy=float(entropy) if entropy is not None else None,
        secret_group=group if isinstance(group, str) else int(group),
    )


@cache
def load_rules() -> tuple[Rule, ...]:
    """Every built-in rule, in file order (specific first, generic last)."""
    return tuple(_rule(spec) for spec in _document()["rules"])


@cache
def load_allow() -> AllowList:
    """The global allow list of ``rules.yaml``."""
    spec = _document().get("allow", {})
    return AllowList(
        placeholders=tuple(str(p).lower() for p in spec.get("placeholders", ())),
        prefixes=tuple(str(p) for p in spec.get("prefixes", ())),
        weak_defaults=frozenset(str(p).lower() for p in spec.get("weak_defaults", ())),
        documented_sha256=frozenset(str(h) for h in spec.get("documented_sha256", ())),
        uuid_rules=frozenset(str(r) for r in spec.get("uuid_rules", ())),
        digit_rules=frozenset(str(r) for r in spec.get("digit_rules", ())),
        url_rules=frozenset(str(r) for r in spec.get("url_rules", ())),
        min_distinct=int(spec.get("min_distinct", 0)),
    )


def rule_cases() -> list[tuple[str, Sequence[str], Sequence[str]]]:
    """``(rule id, examples, decoys)`` per rule, still as templates, for the tests."""
    return [
        (str(s["id"]), tuple(s.get("examples", ())), tuple(s.get("decoys", ())))
        for s in _document()["rules"]
    ]


__all__ = [
    "ALLOW_MARKER",
    "AllowList",
    "Rule",
    "load_allow",
    "load_rules",
    "rule_cases",
    "shannon_entropy",
]
