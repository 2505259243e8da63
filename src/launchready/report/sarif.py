"""SARIF 2.1.0, so code-scanning dashboards (GitHub, GitLab, IDEs) can show the findings.

One run, one rule per finding ID that occurs (the ID is the rule id, a contract like the
catalog itself). A finding's target is a file and line for the secret and log checks, a URL
for page checks, and a host or record otherwise; SARIF has a location kind for each, and the
right one lets a viewer link to the source line or the page.
"""

from __future__ import annotations

import re
from typing import Any

from launchready import catalog
from launchready.findings import AttemptStatus, Finding, Report, Severity
from launchready.report.common import attempt_reason, dumps_json, iso_utc, not_run, ordered

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/launchready/"
FINGERPRINT_KEY = "launchready/v1"

LEVELS: dict[Severity, str] = {
    Severity.BLOCKER: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# A file target ``path:line``: the path has a separator, starts with a dot (``.env``) or ends
# in a file suffix. ``shop.example.com:8443`` is a host and port, not a file.
_PATH_LINE = re.compile(r"^(?P<path>[^\s]+):(?P<line>[1-9]\d*)$")
_FILE_NAME = re.compile(
    r"(\.(py|m?js|cjs|tsx?|jsx|json|map|ya?ml|toml|ini|cfg|conf|env|txt|log|gz|md|html?|s?css"
    r"|sh|bash|rb|php|go|java|kt|rs|cs|sql|xml|properties|lock|tf|pem|key)"
    r"|^(Dockerfile|Makefile|Procfile))$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log (JSON text)."""
    return dumps_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    """The SARIF log as data."""
    findings = ordered(report)
    rule_ids = list(dict.fromkeys(f.id for f in findings))
    firsts = {rid: next(f for f in findings if f.id == rid) for rid in rule_ids}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(firsts[rid]) for rid in rule_ids],
            }
        },
        "automationDetails": {"id": f"launchready/{report.site}/"},
        "invocations": [_invocation(report)],
        "results": [_result(f, rule_ids.index(f.id)) for f in findings],
        "properties": {
            "site": report.site,
            "ready": report.ready,
            "summary": report.summary,
            **_deliverables(report),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


DELIVERABLES = ("redirect_matrix", "route_timings", "tls")
"""Deliverables carried whole in ``run.properties``: SARIF has no table of its own, and a
dashboard reading the log should not lose the redirect matrix or the route timings."""


def _deliverables(report: Report) -> dict[str, Any]:
    return {
        name: report.extras[name]
        for name in DELIVERABLES
        if isinstance(report.extras.get(name), list)
    }


def _rule(example: Finding) -> dict[str, Any]:
    """A rule from the catalog entry; an ID the catalog lacks (an old report) uses the finding."""
    spec = catalog.entries().get(example.id)
    title = _PLACEHOLDER.sub(r"<\1>", spec.title) if spec else example.title
    default = spec.severity if spec else example.severity
    rule: dict[str, Any] = {
        "id": example.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": example.why or title},
        "help": {"text": example.fix},
        "defaultConfiguration": {"level": LEVELS[default]},
        "properties": {
            "tags": list(
                dict.fromkeys(
                    [example.area, example.stage.value, *(i.value for i in example.impact)]
                )
            ),
            "launchready-severity": default.value,
        },
    }
    if example.references:
        rule["helpUri"] = example.references[0]
    return rule


def _result(item: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": item.id,
        "ruleIndex": rule_index,
        "level": LEVELS[item.severity],
        "message": {"text": f"{item.title}. Fix: {item.fix}"},
        "partialFingerprints": {FINGERPRINT_KEY: item.fingerprint},
        "properties": {
            "severity": item.severity.value,
            "target": item.target,
            "evidence": dict(item.evidence),
        },
    }
    result.update(_location(item.target))
    return result


def _location(target: str) -> dict[str, Any]:
    """``locations`` for a file or URL target, ``logicalLocations`` for a host or record."""
    if target.startswith(("http://", "https://")):
        return {"locations": [{"physicalLocation": {"artifactLocation": {"uri": target}}}]}
    match = _PATH_LINE.match(target)
    if match and _looks_like_file(match["path"]):
        physical = {
            "artifactLocation": {"uri": match["path"].replace("\\", "/")},
            "region": {"startLine": int(match["line"])},
        }
        return {"locations": [{"physicalLocation": physical}]}
    return {"locations": [{"logicalLocations": [{"name": target, "kind": "resource"}]}]}


def _looks_like_file(path: str) -> bool:
    if "/" in path or "\\" in path or path.startswith("."):
        return True
    return _FILE_NAME.search(path) is not None


def _invocation(report: Report) -> dict[str, Any]:
    """Areas that did not run become notifications, so a dashboard shows the gap."""
    skipped = not_run(report)
    return {
        "executionSuccessful": not any(c.status is AttemptStatus.ERROR for c in skipped),
        "startTimeUtc": iso_utc(report.started_at),
        "toolExecutionNotifications": [
            {
                "descriptor": {"id": f"launchready.{c.area}"},
                "level": "error" if c.status is AttemptStatus.ERROR else "note",
                "message": {"text": f"{c.area} {c.status.value}: {attempt_reason(c)}"},
            }
            for c in skipped
        ],
    }
