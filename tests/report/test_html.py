"""The HTML report: one offline file, every value escaped, no script anywhere."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

from launchready.findings import Report, sort_findings
from launchready.report.html import render

from .conftest import ERROR_REASON, SKIP_REASON


class Page(HTMLParser):
    """Collects what matters for safety and structure: tags, links, sources, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if name in ("src", "srcset", "action", "data") and value is not None:
                self.sources.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def test_no_script_and_no_external_resource(report: Report) -> None:
    out = render(report)
    page = parse(out)
    assert "script" not in page.tags
    assert "<script" not in out.lower()
    assert "link" not in page.tags
    assert page.sources == []
    assert all(h.startswith("https://") for h in page.hrefs)
    assert "default-src 'none'" in out


def test_hostile_evidence_is_text_not_markup(report: Report) -> None:
    out = render(report)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;!--" in out
    assert "\x1b" not in out
    page = parse(out)
    assert "<script>alert(1)</script> ]]> <!-- café naïve 日本 \\x1b[2J" in page.plain


def test_a_javascript_reference_is_not_a_link(report: Report) -> None:
    first = replace(
        report.findings[0], references=("javascript:alert(1)", "https://ok.example/doc")
    )
    page = parse(render(replace(report, findings=(first,))))
    assert page.hrefs == ["https://ok.example/doc"]
    assert "javascript:alert(1)" in page.plain


def test_every_finding_is_shown_in_order(report: Report) -> None:
    page = parse(render(report))
    text = page.plain
    risks = text.split("48-hour launch sequence")[0]
    positions = [risks.index(f.id) for f in sort_findings(report.findings)]
    assert positions == sorted(positions)
    for item in report.findings:
        assert " ".join(item.title.split()) in risks
        assert " ".join(item.fix.split()) in risks
        assert " ".join(item.why.split()) in risks
    assert page.tags.count("article") == len(report.findings)


def test_summary_counts_and_chart(report: Report) -> None:
    out = render(report)
    page = parse(out)
    assert "svg" in page.tags
    assert page.tags.count("rect") == 5
    assert "Ready to launch: no" in page.plain
    assert 'width="260"' in out


def test_checks_and_plan(report: Report) -> None:
    text = parse(render(report)).plain
    assert SKIP_REASON in text
    assert ERROR_REASON in text
    plan = text.split("48-hour launch sequence")[1]
    first = plan.split("Hour 6 to 18")[0]
    for finding_id in ("launch.checkout-untested", "dns.dangling-cname", "secrets.in-tree"):
        assert finding_id in first
    assert "Hour 40 to 48" in plan


def test_empty_report(empty_report: Report) -> None:
    page = parse(render(empty_report))
    assert "No findings" in page.plain
    assert "Ready to launch: yes" in page.plain
    assert "Final validation" in page.plain
    assert page.tags.count("article") == 0
