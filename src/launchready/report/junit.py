"""JUnit XML, so any CI system shows the audit as a test run that passes or fails.

One testsuite per check area (``launchready.<area>``) and one testcase per area and target:
CI dashboards then show which host or file broke the gate. A testcase fails when one of its
findings is at or above ``fail_on`` (the CLI's ``--fail-on``), the same rule as the exit
code; findings below the threshold stay visible in ``system-out``. An area that did not run
is a skipped or an errored testcase, never silently a pass.

The smoke suite is the exception: one testcase per smoke *step* (the step's name, its time),
passing steps included, so CI lists every step a deploy was checked with; a failed step
fails by the same threshold through its ``smoke.step-failed`` finding.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

from launchready.findings import AttemptStatus, CheckAttempt, Finding, Report, Severity
from launchready.report.common import (
    attempt_reason,
    clean,
    evidence_items,
    iso_utc,
    one_line,
    ordered,
    shorten,
)
from launchready.report.perfview import light_lines, load_lines
from launchready.report.redteamview import redteam_lines
from launchready.report.routing import matrix_lines, matrix_rows, timing_lines, timing_rows
from launchready.report.smokeview import SmokeRow, smoke_rows, step_line
from launchready.report.tlsview import tls_lines, tls_rows

SMOKE_AREA = "smoke"
STEP_FAILED = "smoke.step-failed"


@dataclass
class _Suite:
    area: str
    attempt: CheckAttempt | None
    targets: dict[str, list[Finding]] = field(default_factory=dict)


def render(report: Report, fail_on: Severity | None = Severity.HIGH) -> str:
    """The report as a JUnit XML document (UTF-8 text with its declaration)."""
    extra = _area_output(report)
    steps = smoke_rows(report)
    suites = [
        _suite(s, fail_on, extra.get(s.area), steps if s.area == SMOKE_AREA else [])
        for s in _group(report)
    ]
    root = ET.Element(
        "testsuites",
        name=_safe(f"launchready {report.site}"),
        tests=str(sum(int(s.get("tests", "0")) for s in suites)),
        failures=str(sum(int(s.get("failures", "0")) for s in suites)),
        errors=str(sum(int(s.get("errors", "0")) for s in suites)),
        skipped=str(sum(int(s.get("skipped", "0")) for s in suites)),
        time=_seconds(report.duration_ms),
        timestamp=iso_utc(report.started_at),
    )
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _group(report: Report) -> list[_Suite]:
    """Suites in check order; a finding whose area had no attempt still gets its suite."""
    suites = {c.area: _Suite(c.area, c) for c in report.checks}
    for item in ordered(report):
        suite = suites.setdefault(item.area, _Suite(item.area, None))
        suite.targets.setdefault(item.target, []).append(item)
    return list(suites.values())


def _area_output(report: Report) -> dict[str, str]:
    """Deliverables shown in their area's ``system-out``: CI keeps the suite's output with
    the run, so the redirect matrix and route timings are there when a gate fails."""
    out: dict[str, str] = {}
    routing: list[str] = []
    matrix, timings = matrix_lines(matrix_rows(report)), timing_lines(timing_rows(report))
    if matrix:
        routing += ["Redirect matrix:", *matrix]
    if timings:
        routing += (["", "Route timings:"] if routing else ["Route timings:"]) + timings
    if routing:
        out["routing"] = "\n".join(routing)
    perf = [*(["Light traffic:", *light] if (light := light_lines(report)) else [])]
    perf += ["Load test:", *loaded] if (loaded := load_lines(report)) else []
    if perf:
        out["perf"] = "\n".join(perf)
    red = redteam_lines(report)
    if red:
        out["chatbot"] = "\n".join(["Red team:", *red])
    tls = tls_lines(tls_rows(report))
    if tls:
        out["tls"] = "\n".join(["TLS certificates:", *tls])
    return out


def _suite(
    suite: _Suite,
    fail_on: Severity | None,
    output: str | None = None,
    steps: Sequence[SmokeRow] = (),
) -> ET.Element:
    name = _safe(f"launchready.{suite.area}")
    cases: list[ET.Element] = []
    attempt = suite.attempt
    if steps:
        by_step = _step_findings(suite, {row.name for row in steps})
        cases.extend(_step_case(name, row, by_step.get(row.name), fail_on) for row in steps)
    elif attempt is not None and attempt.status is not AttemptStatus.RAN:
        case = ET.Element("testcase", name=_safe(suite.area), classname=name, time="0")
        tag = "skipped" if attempt.status is AttemptStatus.SKIPPED else "error"
        reason = _safe(attempt_reason(attempt))
        problem = ET.SubElement(case, tag, message=reason)
        if tag == "error":
            problem.set("type", "check-error")
            problem.text = reason
        cases.append(case)
    elif not suite.targets:
        cases.append(ET.Element("testcase", name=_safe(suite.area), classname=name, time="0"))
    cases.extend(_case(name, target, found, fail_on) for target, found in suite.targets.items())
    element = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.find("failure") is not None)),
        errors=str(sum(1 for c in cases if c.find("error") is not None)),
        skipped=str(sum(1 for c in cases if c.find("skipped") is not None)),
        time=_seconds(attempt.duration_ms if attempt else 0),
    )
    element.extend(cases)
    if output:
        ET.SubElement(element, "system-out").text = _safe(output)
    return element


def _step_findings(suite: _Suite, names: set[str]) -> dict[str, Finding]:
    """The ``smoke.step-failed`` finding of each listed step, by step name, taken out of
    the suite's targets: the step's own testcase reports it."""
    found: dict[str, Finding] = {}
    for target, items in list(suite.targets.items()):
        rest = []
        for item in items:
            step = item.evidence.get("step")
            name = shorten(one_line(step)) if isinstance(step, str) else None
            if item.id == STEP_FAILED and name is not None and name in names:
                found.setdefault(name, item)
            else:
                rest.append(item)
        if rest:
            suite.targets[target] = rest
        else:
            del suite.targets[target]
    return found


def _step_case(
    classname: str, row: SmokeRow, found: Finding | None, fail_on: Severity | None
) -> ET.Element:
    case = ET.Element(
        "testcase", name=_safe(row.name), classname=classname, time=f"{row.seconds:.3f}"
    )
    lines = [step_line(row)]
    if found is not None:
        lines.append(_describe([found]))
    text = _safe("\n\n".join(lines))
    severity = found.severity if found is not None else Severity.BLOCKER
    if not row.ok and fail_on is not None and severity.at_least(fail_on):
        reason = "; ".join(row.reasons) or "the step failed"
        failure = ET.SubElement(
            case,
            "failure",
            message=_safe(f"{STEP_FAILED}: {row.name}: {reason}"),
            type=severity.value,
        )
        failure.text = text
    else:
        ET.SubElement(case, "system-out").text = text
    return case


def _case(
    classname: str, target: str, found: list[Finding], fail_on: Severity | None
) -> ET.Element:
    case = ET.Element("testcase", name=_safe(target), classname=classname, time="0")
    failing = [f for f in found if fail_on is not None and f.severity.at_least(fail_on)]
    passing = [f for f in found if fail_on is None or not f.severity.at_least(fail_on)]
    if failing:
        worst = failing[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        failure = ET.SubElement(
            case,
            "failure",
            message=_safe(f"{worst.id}: {worst.title}{more}"),
            type=worst.severity.value,
        )
        failure.text = _describe(failing)
    if passing:
        ET.SubElement(case, "system-out").text = _describe(passing)
    return case


def _describe(found: Sequence[Finding]) -> str:
    blocks = []
    for item in found:
        lines = [f"[{item.severity.value}] {item.id}: {item.title}", f"why: {item.why}"]
        lines += [f"evidence {key}: {value}" for key, value in evidence_items(item.evidence)]
        lines.append(f"fix: {item.fix}")
        lines += [f"see: {ref}" for ref in item.references]
        blocks.append("\n".join(lines))
    return _safe("\n\n".join(blocks))


def _safe(text: str) -> str:
    """Characters XML 1.0 cannot carry are spelled out; ElementTree escapes the rest."""
    return clean(text)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"
