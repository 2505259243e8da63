"""The TLS deliverable (``extras["tls"]``) as rows for the human formats.

The ``tls`` area delivers one entry per host: handshake result, protocol versions accepted,
the leaf certificate and the chain the server sent. Read defensively, like the DNS map: the
report may come from an edited JSON file, and subjects and errors come from the servers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import shown

PROTOCOLS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
MAX_NAMES_SHOWN = 8


@dataclass(frozen=True)
class TlsRow:
    """One host's certificate and handshake, each field already a display string."""

    host: str
    ok: bool
    error: str
    protocol: str
    accepted: str
    subject: str
    issuer: str
    names: str
    expires: str
    key: str
    chain: tuple[str, ...]
    hsts: str


def _map(value: JSONValue) -> Mapping[str, JSONValue]:
    return value if isinstance(value, Mapping) else {}


def tls_rows(report: Report) -> list[TlsRow]:
    raw = report.extras.get("tls")
    entries = raw if isinstance(raw, list) else []
    return [row for e in entries if isinstance(e, Mapping) and (row := _row(e)) is not None]


def _row(entry: Mapping[str, JSONValue]) -> TlsRow | None:
    if not isinstance(entry.get("host"), str):
        return None
    leaf = _map(entry.get("leaf"))
    chain = entry.get("chain")
    names = leaf.get("names")
    listed = [shown(n) for n in names] if isinstance(names, list) else []
    if len(listed) > MAX_NAMES_SHOWN:
        listed = [*listed[:MAX_NAMES_SHOWN], f"… and {len(listed) - MAX_NAMES_SHOWN} more"]
    days = leaf.get("days_left")
    expires = shown(leaf.get("not_after"))
    if isinstance(days, int) and not isinstance(days, bool):
        expires = f"{expires} ({days} days left)" if expires else f"{days} days left"
    key = ", ".join(t for t in (shown(leaf.get("key")), shown(leaf.get("signature"))) if t)
    hsts = entry.get("hsts")
    return TlsRow(
        host=shown(entry["host"]),
        ok=entry.get("ok") is True,
        error=shown(entry.get("error")),
        protocol=" ".join(
            t for t in (shown(entry.get("protocol")), shown(entry.get("cipher"))) if t
        ),
        accepted=_accepted(_map(entry.get("accepted"))),
        subject=shown(leaf.get("subject")),
        issuer=shown(leaf.get("issuer")),
        names=", ".join(listed),
        expires=expires,
        key=key,
        chain=tuple(
            shown(f"{shown(_map(c).get('subject'))} (issued by {shown(_map(c).get('issuer'))})")
            for c in (chain if isinstance(chain, list) else [])
            if isinstance(c, Mapping)
        ),
        hsts=shown(hsts) if hsts else "none",
    )


def _accepted(accepted: Mapping[str, JSONValue]) -> str:
    """``TLSv1.2 yes, TLSv1.3 yes, TLSv1 no``: unknown (null) versions are left out."""
    parts = []
    for name in [*PROTOCOLS, *sorted(k for k in accepted if k not in PROTOCOLS)]:
        value = accepted.get(name)
        if isinstance(value, bool):
            parts.append(f"{shown(name)} {'yes' if value else 'no'}")
    return ", ".join(parts)


def tls_lines(rows: list[TlsRow]) -> list[str]:
    """Plain lines for formats without tables."""
    lines = []
    for row in rows:
        failed = f"handshake failed: {row.error or 'unknown error'}"
        if not row.ok and not row.subject:
            lines.append(f"{row.host}: {failed}")
            continue
        lines.append(
            f"{row.host}: {failed + '; ' if not row.ok else ''}{row.protocol}; "
            f"accepts {row.accepted or '?'}; {row.subject} "
            f"issued by {row.issuer}; names {row.names}; expires {row.expires}; "
            f"key {row.key}; HSTS {row.hsts}"
        )
    return lines
