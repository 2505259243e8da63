"""One problem, one finding: the cloudflare area's view joined with the edge area's.

A host that the zone keeps DNS-only and that the edge area saw answering without the CDN
is the same problem seen twice: it stays ``cloudflare.record-not-proxied`` (the API says
exactly which switch to flip), carrying what was seen from outside, and the
``edge.no-cdn`` of that host goes. An unproxied record that points at one of
``origin_ips`` strengthens the ``edge.origin-exposed`` of that address with the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from launchready.findings import Finding, JSONValue

NOT_PROXIED = "cloudflare.record-not-proxied"
NO_CDN = "edge.no-cdn"
ORIGIN_EXPOSED = "edge.origin-exposed"


def join_edge(findings: Sequence[Finding]) -> list[Finding]:
    not_proxied = {f.target: f for f in findings if f.id == NOT_PROXIED}
    if not not_proxied:
        return list(findings)
    outside = {f.target: f for f in findings if f.id == NO_CDN and f.target in not_proxied}
    origin_records = _origin_records(not_proxied.values())
    joined: list[Finding] = []
    for item in findings:
        if item.id == NO_CDN and item.target in outside:
            continue
        if item.id == NOT_PROXIED and item.target in outside:
            seen = outside[item.target]
            item = replace(
                item, evidence={**item.evidence, "seen_from_outside": dict(seen.evidence)}
            )
        elif item.id == ORIGIN_EXPOSED and item.target in origin_records:
            records: JSONValue = origin_records[item.target]
            item = replace(item, evidence={**item.evidence, "cloudflare_dns_only": records})
        joined.append(item)
    return joined


def _origin_records(found: Iterable[Finding]) -> dict[str, list[JSONValue]]:
    """Origin address -> the DNS-only records (host, type) that point at it."""
    by_address: dict[str, list[JSONValue]] = {}
    for item in found:
        if item.evidence.get("points_at_origin") is not True:
            continue
        records = item.evidence.get("records")
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and isinstance(record.get("content"), str):
                entry: JSONValue = {"host": item.target, "type": record.get("type")}
                by_address.setdefault(str(record["content"]), []).append(entry)
    return by_address


__all__ = ["join_edge"]
