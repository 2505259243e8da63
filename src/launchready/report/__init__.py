"""Renderers: one pure function per output format (pip-audit's ``_format`` pattern).

Every renderer takes the same :class:`~launchready.findings.Report` and returns text; none
writes a file, reads the environment or opens a socket, so the CLI decides where output
goes and every format shows the same findings and the same check attempts.
"""

from __future__ import annotations

from enum import StrEnum

from launchready.findings import Report, Severity
from launchready.report import html, json_report, junit, markdown, sarif, text
from launchready.report.json_report import report_from_json
from launchready.report.plan import LaunchPlan, PlanItem, PlanWindow, build_plan

__all__ = [
    "Format",
    "LaunchPlan",
    "PlanItem",
    "PlanWindow",
    "build_plan",
    "render",
    "report_from_json",
]


class Format(StrEnum):
    """The values of ``--format``."""

    TEXT = "text"
    JSON = "json"
    MD = "md"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"
    PDF = "pdf"
    """The HTML report printed by Chromium (the CLI prints it: see launchready.pdf)."""


def render(
    report: Report,
    fmt: Format,
    *,
    color: bool = False,
    width: int = 100,
    fail_on: Severity | None = Severity.HIGH,
) -> str:
    """``report`` in format ``fmt``.

    ``color`` and ``width`` only shape the text format (the others are read by programs or
    browsers); ``fail_on`` only shapes JUnit, where it decides which test cases fail, the
    same threshold the CLI's exit code uses (None: nothing fails).
    """
    match Format(fmt):
        case Format.TEXT:
            return text.render(report, color=color, width=width)
        case Format.JSON:
            return json_report.render(report)
        case Format.MD:
            return markdown.render(report)
        case Format.HTML | Format.PDF:
            return html.render(report)
        case Format.SARIF:
            return sarif.render(report)
        case Format.JUNIT:
            return junit.render(report, fail_on=fail_on)
