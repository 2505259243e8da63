"""Helpers every renderer shares, so the formats agree on order, wording and safety.

Evidence comes from servers we do not control: a hostile store can put markup, terminal
escape sequences or characters XML forbids into a header we quote. Each format escapes for
its own syntax; what is common (dropping control characters, shortening, ordering) lives here
so no renderer forgets it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    Finding,
    JSONValue,
    Report,
    Severity,
    sort_findings,
)

EVIDENCE_VALUE_LIMIT = 120
"""Longest evidence value shown in human formats; the JSON report keeps values whole."""

SEVERITY_LABELS: Mapping[Severity, str] = {
    Severity.BLOCKER: "Blocker",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}

SEVERITY_MEANING: Mapping[Severity, str] = {
    Severity.BLOCKER: "no launch until fixed",
    Severity.HIGH: "fix inside the 48-hour window",
    Severity.MEDIUM: "fix soon after launch",
    Severity.LOW: "worth doing",
    Severity.INFO: "for the record",
}

DETAILED = (Severity.BLOCKER, Severity.HIGH, Severity.MEDIUM)
"""Severities shown in full; low and info findings are listed compactly."""

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates, and the two
# non-characters XML 1.0 refuses: what a terminal would execute or a parser reject.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` instead of acted upon."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def one_line(text: str) -> str:
    """``text`` cleaned and folded onto one line, for places a newline would break layout."""
    return " ".join(clean(text).split())


def shorten(text: str, limit: int = EVIDENCE_VALUE_LIMIT) -> str:
    """At most ``limit`` characters, the cut marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


def shown(value: JSONValue, missing: str = "") -> str:
    """A deliverable's value as one short line for a human format; ``missing`` for None.
    Views read reports that may have been edited by hand, so any JSON value is accepted."""
    if value is None:
        return missing
    return shorten(one_line(value if isinstance(value, str) else str(value)))


def mappings(value: JSONValue) -> list[Mapping[str, JSONValue]]:
    """The objects of a deliverable's list (anything else in it, or a non-list, skipped)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def percent(value: JSONValue) -> str:
    """``0.0123`` -> ``1.2 %``; anything else ``-``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return f"{value * 100:.1f} %"


def shown_ms(value: JSONValue, missing: str = "-") -> str:
    """``84 ms`` for a number of milliseconds; ``missing`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return missing
    return f"{value:.0f} ms"


def evidence_value(value: JSONValue) -> str:
    """A compact one-line spelling of an evidence value (strings bare, the rest as JSON)."""
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return shorten(one_line(text))


def evidence_items(evidence: Mapping[str, JSONValue]) -> list[tuple[str, str]]:
    """Evidence as ``(key, value)`` pairs ready for a human format, in the check's order."""
    return [(one_line(str(key)), evidence_value(value)) for key, value in evidence.items()]


def dumps_json(data: object) -> str:
    """Indented JSON, non-ASCII kept readable unless a lone surrogate (undecodable bytes in
    evidence) would make the text unwritable as UTF-8; then everything is escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2, ensure_ascii=True, default=str)
    return text + "\n"


def ordered(report: Report) -> tuple[Finding, ...]:
    """The report's findings in the order of cli.md, whatever order they arrived in."""
    return sort_findings(report.findings)


def by_severity(report: Report) -> dict[Severity, list[Finding]]:
    """Ordered findings grouped by severity, every severity present (possibly empty)."""
    groups: dict[Severity, list[Finding]] = {s: [] for s in Severity}
    for item in ordered(report):
        groups[item.severity].append(item)
    return groups


def not_run(report: Report) -> list[CheckAttempt]:
    """The skipped and errored areas: what the report cannot vouch for."""
    return [c for c in report.checks if c.status is not AttemptStatus.RAN]


def not_run_grouped(report: Report) -> list[tuple[AttemptStatus, str, list[str]]]:
    """The areas that did not run, grouped by status and reason, in check order: fourteen
    areas skipped for one reason read as one line, not fourteen."""
    groups: dict[tuple[AttemptStatus, str], list[str]] = {}
    for attempt in not_run(report):
        groups.setdefault((attempt.status, attempt_reason(attempt)), []).append(attempt.area)
    return [(status, reason, areas) for (status, reason), areas in groups.items()]


def attempt_reason(attempt: CheckAttempt) -> str:
    """Why an area did not run; an attempt without a reason still says something."""
    return attempt.reason or "no reason recorded"


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``; a naive time is taken as UTC already (the runner's)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    spec = "milliseconds" if aware.microsecond else "seconds"
    return aware.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def human_duration(ms: int) -> str:
    """``840 ms``, ``1.8 s``, ``2 min 5 s``: how long the audit took, for people."""
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"


def verdict(report: Report) -> str:
    """The one-sentence answer to 'can we launch?'."""
    counts = report.summary
    if counts["blocker"]:
        return f"Not ready: {counts['blocker']} blocker(s) must be fixed before launch."
    if counts["high"]:
        return f"Not ready: {counts['high']} high finding(s) to fix inside the 48-hour window."
    what = "the audit" if report.command == "audit" else f"launchready {report.command}"
    text = (
        f"Ready: {what} found nothing to fix."
        if not report.findings
        else "Ready: no blocker or high finding; the rest can follow launch."
    )
    missing = len(not_run(report))
    if missing:
        text += f" But {missing} area(s) could not be checked: see below."
    return text
