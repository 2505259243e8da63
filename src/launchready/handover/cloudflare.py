"""The Cloudflare zone as the last audit found it, in one line of the handover.

Whoever takes the store over needs to know, before touching Cloudflare, what it currently
does: the SSL mode (is the origin leg verified?), which hosts go through the proxy, and
which rate-limiting rules exist. The audit's ``extras["cloudflare"]`` says it all; the page
keeps to a count and the first few names, so it stays one page however large the zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import one_line, shorten

DELIVERABLE = "cloudflare"
NAMES_SHOWN = 3
RULES_SHOWN = 3
RULE_LIMIT = 48
"""Longest rule description shown; a rule's expression is never shown on the page."""


@dataclass(frozen=True)
class ZoneAsFound:
    zone: str
    ssl: str | None
    proxied: tuple[str, ...]
    """The first proxied hosts, by name."""
    proxied_count: int
    rules: tuple[str, ...]
    """The first rate-limiting rules' descriptions (``(off)`` when disabled)."""
    rules_count: int

    @property
    def proxied_text(self) -> str:
        if not self.proxied_count:
            return "no proxied host"
        names = ", ".join(self.proxied)
        more = self.proxied_count - len(self.proxied)
        noun = "host" if self.proxied_count == 1 else "hosts"
        return f"{self.proxied_count} proxied {noun} ({names}{f' and {more} more' if more else ''})"

    @property
    def rules_text(self) -> str:
        if not self.rules_count:
            return "no rate-limiting rule"
        more = self.rules_count - len(self.rules)
        noun = "rule" if self.rules_count == 1 else "rules"
        listed = "; ".join(self.rules) + (f"; and {more} more" if more else "")
        return f"{self.rules_count} rate-limiting {noun} ({listed})"

    @property
    def text(self) -> str:
        """One sentence, for Markdown and the page alike."""
        ssl = f"SSL {self.ssl}" if self.ssl else "SSL mode not read"
        return f"Cloudflare zone {self.zone}: {ssl}; {self.proxied_text}; {self.rules_text}"


def zone_as_found(report: Report | None) -> ZoneAsFound | None:
    """The zone of ``report``'s cloudflare deliverable; None without one (or when the
    report is not an audit that read it)."""
    raw = report.extras.get(DELIVERABLE) if report is not None else None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("zone"), str):
        return None
    settings = raw.get("settings")
    ssl = settings.get("ssl") if isinstance(settings, Mapping) else None
    proxied = [one_line(n) for n in _list(raw.get("proxied")) if isinstance(n, str)]
    rules = [_rule(r) for r in _list(raw.get("rate_limit_rules")) if isinstance(r, Mapping)]
    return ZoneAsFound(
        zone=one_line(str(raw["zone"])),
        ssl=one_line(ssl) if isinstance(ssl, str) else None,
        proxied=tuple(proxied[:NAMES_SHOWN]),
        proxied_count=len(proxied),
        rules=tuple(rules[:RULES_SHOWN]),
        rules_count=len(rules),
    )


def _list(value: JSONValue | None) -> Sequence[JSONValue]:
    return value if isinstance(value, list) else []


def _rule(rule: Mapping[str, JSONValue]) -> str:
    description = rule.get("description")
    name = one_line(description) if isinstance(description, str) and description.strip() else ""
    text = shorten(name or "unnamed rule", RULE_LIMIT)
    return text if rule.get("enabled") is not False else f"{text} (off)"


__all__ = ["ZoneAsFound", "zone_as_found"]
