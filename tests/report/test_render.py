"""The dispatcher, and the promise that every format carries the same content."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace

import pytest

from launchready.findings import Report, Severity
from launchready.report import Format, render

from .conftest import ERROR_REASON, SKIP_REASON


def _json_strings(out: str) -> str:
    return json.dumps(json.loads(out), ensure_ascii=False)


def _xml_strings(out: str) -> str:
    root = ET.fromstring(out.encode("utf-8"))
    parts = [p for element in root.iter() for p in (element.text or "", *element.attrib.values())]
    return " ".join(" ".join(parts).split())


def _html_strings(out: str) -> str:
    without_tags = re.sub(r"<[^>]+>", " ", out)
    return " ".join(html.unescape(without_tags).split())


def _md_strings(out: str) -> str:
    return " ".join(html.unescape(re.sub(r"\\(.)", r"\1", out)).split())


READABLE: dict[Format, Callable[[str], str]] = {
    Format.TEXT: lambda out: " ".join(out.split()),
    Format.JSON: _json_strings,
    Format.MD: _md_strings,
    Format.HTML: _html_strings,
    Format.SARIF: _json_strings,
    Format.JUNIT: _xml_strings,
    Format.PDF: _html_strings,  # the HTML that the CLI prints to PDF
}


def test_formats_are_the_cli_values() -> None:
    assert [f.value for f in Format] == ["text", "json", "md", "html", "sarif", "junit", "pdf"]
    assert Format("md") is Format.MD


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_carries_every_finding_and_every_gap(report: Report, fmt: Format) -> None:
    readable = READABLE[fmt](render(report, fmt))
    for item in report.findings:
        assert item.id in readable, (fmt, item.id)
        assert " ".join(item.title.split()) in readable, (fmt, item.title)
    assert SKIP_REASON in readable
    assert ERROR_REASON in readable


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_renders_the_empty_report(empty_report: Report, fmt: Format) -> None:
    out = render(empty_report, fmt)
    assert out.endswith("\n")
    assert "shop.example" in READABLE[fmt](out)


@pytest.mark.parametrize("fmt", list(Format))
def test_renderers_are_pure(report: Report, fmt: Format) -> None:
    assert render(report, fmt) == render(report, fmt)


def test_fail_on_reaches_junit(report: Report) -> None:
    strict = ET.fromstring(render(report, Format.JUNIT, fail_on=Severity.LOW).encode())
    never = ET.fromstring(render(report, Format.JUNIT, fail_on=None).encode())
    default = ET.fromstring(render(report, Format.JUNIT).encode())
    assert strict.get("failures") == "10"
    assert default.get("failures") == "7"
    assert never.get("failures") == "0"


def test_color_and_width_reach_text(report: Report) -> None:
    assert "\x1b[" in render(report, Format.TEXT, color=True)
    assert "\x1b[" not in render(report, Format.TEXT)
    narrow = render(report, Format.TEXT, width=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60


@pytest.mark.parametrize("fmt", [Format.JSON, Format.MD, Format.HTML, Format.SARIF, Format.JUNIT])
def test_color_and_width_do_not_change_machine_formats(report: Report, fmt: Format) -> None:
    assert render(report, fmt, color=True, width=40) == render(report, fmt)


@pytest.mark.parametrize("fmt", list(Format))
def test_undecodable_bytes_in_evidence_still_give_writable_output(
    report: Report, fmt: Format
) -> None:
    broken = replace(report.findings[0], evidence={"body": "caf\udce9 \x00 \ufffe"})
    out = render(replace(report, findings=(broken, *report.findings[1:])), fmt)
    out.encode("utf-8")
    if fmt in (Format.JSON, Format.SARIF):
        json.loads(out)
    if fmt is Format.JUNIT:
        ET.fromstring(out.encode("utf-8"))
