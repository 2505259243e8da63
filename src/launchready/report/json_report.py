"""The JSON report of cli.md, and its inverse for ``handover --from REPORT.json``.

The JSON form is the contract CI jobs and dashboards parse, so it follows the schema in
``schema.json`` exactly; only ``why`` (per finding) and ``extras`` (top level, when there are
any) are added. Values are never shortened here: this is the machine-readable record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from launchready import catalog
from launchready.errors import InputError
from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    Finding,
    Impact,
    Report,
    Severity,
    Stage,
    ToolInfo,
)
from launchready.report.common import attempt_reason, dumps_json, iso_utc, ordered


def to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, keys in the order of cli.md."""
    data: dict[str, Any] = {
        "tool": {"name": report.tool.name, "version": report.tool.version},
        "site": report.site,
        "started_at": iso_utc(report.started_at),
        "duration_ms": report.duration_ms,
        "ready": report.ready,
        "summary": report.summary,
        "findings": [_finding(f) for f in ordered(report)],
        "checks": [_attempt(c) for c in report.checks],
    }
    if report.extras:
        data["extras"] = dict(report.extras)
    data["command"] = report.command
    return data


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every rendered report validates against."""
    text = resources.files("launchready.report").joinpath("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def render(report: Report) -> str:
    """The report as indented UTF-8 JSON text (non-ASCII kept readable)."""
    return dumps_json(to_dict(report))


def _finding(item: Finding) -> dict[str, Any]:
    return {
        "id": item.id,
        "severity": item.severity.value,
        "title": item.title,
        "target": item.target,
        "stage": item.stage.value,
        "impact": [i.value for i in item.impact],
        "evidence": dict(item.evidence),
        "why": item.why,
        "fix": item.fix,
        "references": list(item.references),
        "fingerprint": item.fingerprint,
    }


def _attempt(attempt: CheckAttempt) -> dict[str, Any]:
    data: dict[str, Any] = {"area": attempt.area, "status": attempt.status.value}
    if attempt.status is AttemptStatus.SKIPPED:
        data["reason"] = attempt_reason(attempt)
    elif attempt.status is AttemptStatus.ERROR:
        data["error"] = attempt_reason(attempt)
    data["duration_ms"] = attempt.duration_ms
    return data


def report_from_json(text: str) -> Report:
    """Read back a report written by :func:`render`.

    A malformed file is the user's input going wrong (exit 2), so every problem becomes an
    :class:`InputError` naming the field, never a KeyError from deep inside.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"the report is not JSON: {exc}") from None
    try:
        return _report(_obj(data, "report"))
    except KeyError as exc:
        raise InputError(f"the report lacks the field {exc}") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"the report does not follow the launchready schema: {exc}") from None


def _report(data: dict[str, Any]) -> Report:
    tool = _obj(data["tool"], "tool")
    started = datetime.fromisoformat(_str(data["started_at"], "started_at"))
    if started.tzinfo is None:
        raise ValueError("started_at has no time zone")
    findings = [_read_finding(_obj(f, "finding"), n) for n, f in enumerate(_list(data["findings"]))]
    checks = [_read_attempt(_obj(c, "check")) for c in _list(data["checks"])]
    return Report(
        tool=ToolInfo(_str(tool["name"], "tool.name"), _str(tool["version"], "tool.version")),
        site=_str(data["site"], "site"),
        started_at=started.astimezone(UTC),
        duration_ms=_int(data["duration_ms"], "duration_ms"),
        findings=tuple(findings),
        checks=tuple(checks),
        extras=_obj(data.get("extras", {}), "extras"),
        command=_str(data.get("command", "audit"), "command"),
    )


def _read_finding(data: dict[str, Any], position: int) -> Finding:
    finding_id = _str(data["id"], "finding id")
    index, keys = _catalog_facts(finding_id, position)
    return Finding(
        id=finding_id,
        severity=Severity(data["severity"]),
        title=_str(data["title"], "title"),
        target=_str(data["target"], "target"),
        stage=Stage(data["stage"]),
        impact=tuple(Impact(i) for i in _list(data["impact"])),
        evidence=_obj(data["evidence"], "evidence"),
        why=_str(data.get("why", ""), "why"),
        fix=_str(data["fix"], "fix"),
        references=tuple(_str(r, "reference") for r in _list(data["references"])),
        fingerprint=_str(data["fingerprint"], "fingerprint"),
        catalog_index=index,
        fingerprint_keys=keys,
    )


def _catalog_facts(finding_id: str, position: int) -> tuple[int, tuple[str, ...] | None]:
    """Catalog order and fingerprint keys, which JSON does not carry.

    A report from a newer launchready may name an ID this version lacks: it keeps its place
    after every known ID, in file order, rather than failing the handover.
    """
    known = catalog.entries()
    spec = known.get(finding_id)
    if spec is None:
        return len(known) + position, None
    return spec.index, spec.fingerprint_keys


def _read_attempt(data: dict[str, Any]) -> CheckAttempt:
    status = AttemptStatus(data["status"])
    reason: str | None = None
    if status is AttemptStatus.SKIPPED:
        reason = _str(data["reason"], "reason")
    elif status is AttemptStatus.ERROR:
        reason = _str(data["error"], "error")
    return CheckAttempt(
        area=_str(data["area"], "area"),
        status=status,
        duration_ms=_int(data.get("duration_ms", 0), "duration_ms"),
        reason=reason,
    )


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be an object")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("findings, checks, impact and references must be arrays")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer")
    return value
