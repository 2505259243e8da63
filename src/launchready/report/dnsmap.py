"""The DNS map deliverable as rows every human format renders the same way.

The ``dns`` area delivers ``extras["dns_map"]``; this module reads it defensively (a
report may come back from an edited JSON file) and cleans and shortens the text once, so
Markdown, HTML and the terminal show identical rows and only escape for their own syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import one_line, shorten

DNS_MAP_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA")
DNS_MAP_VALUES = 10
"""Values shown per name and type in human formats; the JSON report keeps them all."""
_DNS_STATUS_NOTES = {
    "nxdomain": "does not exist (NXDOMAIN)",
    "empty": "exists, but has none of these record types",
}


@dataclass(frozen=True)
class DnsMapRecord:
    """One row of a name in the DNS map: a type and its values, or a note."""

    rtype: str
    values: tuple[str, ...]
    omitted: int = 0
    note: bool = False


@dataclass(frozen=True)
class DnsMapName:
    name: str
    roles: tuple[str, ...]
    records: tuple[DnsMapRecord, ...]


def dns_map_names(report: Report) -> list[DnsMapName]:
    """The ``dns_map`` deliverable as rows for the human formats (every renderer shows the
    same thing), read defensively: a report may come from an edited JSON file, so anything
    not shaped like the map is skipped instead of breaking the report. Text is cleaned and
    shortened here; each format still escapes for its own syntax."""
    raw = report.extras.get("dns_map")
    entries = raw if isinstance(raw, list) else []
    return [name for entry in entries if (name := _dns_map_name(entry)) is not None]


def _dns_map_name(entry: JSONValue) -> DnsMapName | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
        return None
    roles = entry.get("roles")
    found = entry.get("records")
    records = found if isinstance(found, Mapping) else {}
    types = [t for t in DNS_MAP_TYPES if t in records]
    types += sorted(str(t) for t in records if t not in DNS_MAP_TYPES)
    rows = [_dns_row(t, records[t]) for t in types]
    status = entry.get("status")
    if status == "dangling" and isinstance(entry.get("via"), str):
        rows.append(_dns_note(f"the CNAME target {entry['via']} does not exist"))
    elif isinstance(status, str) and status in _DNS_STATUS_NOTES:
        rows.append(_dns_note(_DNS_STATUS_NOTES[status]))
    errors = entry.get("errors")
    for rtype, error in errors.items() if isinstance(errors, Mapping) else ():
        rows.append(DnsMapRecord(_short(rtype), (_short(f"not checked: {error}"),), note=True))
    return DnsMapName(
        name=_short(entry["name"]),
        roles=tuple(_short(r) for r in roles) if isinstance(roles, list) else (),
        records=tuple(rows) or (_dns_note("no answer recorded"),),
    )


def _dns_row(rtype: str, values: JSONValue) -> DnsMapRecord:
    listed = values if isinstance(values, list) else [values]
    shown = tuple(_short(v) for v in listed[:DNS_MAP_VALUES])
    return DnsMapRecord(_short(rtype), shown, max(len(listed) - DNS_MAP_VALUES, 0))


def _dns_note(text: str) -> DnsMapRecord:
    return DnsMapRecord("", (_short(text),), note=True)


def _short(value: JSONValue) -> str:
    return shorten(one_line(value if isinstance(value, str) else str(value)))
