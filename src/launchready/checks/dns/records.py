"""``dns.record-mismatch``: the records the founder planned against the records DNS serves.

A founder writes ``1 smtp.google.com`` or ``Smtp.Google.com.``, ``"v=spf1 ..."`` with quotes
or split into 255-byte strings, ``2001:DB8::1`` in full; DNS serves its own presentation
form. Both sides are reduced to one canonical spelling per type before comparing, so a
mismatch is always a real difference and never a matter of spelling.
"""

from __future__ import annotations

import ipaddress
import re

import dns.exception
import dns.name

from launchready.catalog import finding
from launchready.checks.dns.survey import Plan, Survey, hostname
from launchready.findings import Finding, Severity

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(\d{3}|.)")


def normalise(rdtype: str, value: str) -> str:
    """The canonical spelling of one record value of ``rdtype``."""
    text = value.strip()
    if rdtype in ("A", "AAAA"):
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            return text.lower()
    if rdtype in ("CNAME", "NS"):
        return _name(text)
    if rdtype == "MX":
        parts = text.split()
        if len(parts) == 2 and parts[0].isdigit():
            return f"{int(parts[0])} {_name(parts[1])}"
        return _name(text) if len(parts) == 1 else " ".join(parts).lower()
    if rdtype == "TXT":
        return _unquote(text)
    if rdtype == "CAA":
        parts = text.split(None, 2)
        if len(parts) == 3 and parts[0].isdigit():
            return f'{int(parts[0])} {parts[1].lower()} "{_unquote(parts[2])}"'
    if rdtype == "SRV":
        parts = text.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
            return " ".join([*(str(int(p)) for p in parts[:3]), _name(parts[3])])
    return " ".join(text.split())


def _name(text: str) -> str:
    """A DNS name in ASCII (IDNA for a name typed in Unicode), lower case, no final dot."""
    try:
        return hostname(dns.name.from_unicode(text.rstrip(".") or ".").to_text())
    except (dns.exception.DNSException, UnicodeError, ValueError):
        return hostname(text)


def _unquote(text: str) -> str:
    """TXT as resolvers read it: quoted character-strings joined (RFC 7208 3.3), escapes
    undone; an unquoted value is taken as written."""
    if not text.startswith('"'):
        return text
    strings = _QUOTED.findall(text)
    return "".join(_ESCAPE.sub(_unescape, s) for s in strings)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code)) if code.isdigit() else code


def _same(rdtype: str, expected: str, found: str) -> bool:
    """An MX written without a preference matches that host at any preference."""
    if expected == found:
        return True
    return rdtype == "MX" and " " not in expected and found.split()[-1] == expected


def record_mismatches(plan: Plan, survey: Survey) -> list[Finding]:
    """One finding per ``dns.expect`` entry that DNS does not serve as planned.

    Extra TXT values at the name are allowed: a TXT set mixes unrelated uses (SPF, site
    verification), so "exactly" means the planned values are there. For every other type
    the served set must equal the planned set.
    """
    findings: list[Finding] = []
    for record in plan.expected:
        answer = survey.judged(record.name, record.type)
        if answer is None:
            continue
        name = hostname(record.name)
        expected = list(dict.fromkeys(normalise(record.type, v) for v in record.values))
        # The resolver already joined and unquoted TXT strings: a served TXT value is text.
        served = [v if record.type == "TXT" else normalise(record.type, v) for v in answer.records]
        found = served if answer.ok else []
        missing = [e for e in expected if not any(_same(record.type, e, f) for f in found)]
        unexpected = [f for f in found if not any(_same(record.type, e, f) for e in expected)]
        if record.type == "TXT":
            unexpected = []
        if not missing and not unexpected:
            continue
        important = name in (plan.apex, plan.canonical_host)
        findings.append(
            finding(
                "dns.record-mismatch",
                target=f"{name} {record.type}",
                evidence={
                    "type": record.type,
                    "expected": expected,
                    "found": found,
                    "missing": missing,
                    "unexpected": unexpected,
                    "answer": answer.status,
                },
                severity=Severity.BLOCKER if important else None,
                checkout=name in plan.checkout_hosts,
            )
        )
    return findings
