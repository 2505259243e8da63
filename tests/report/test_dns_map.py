"""The DNS map deliverable in every human format: complete, escaped, and robust to odd input.

Record values come from nameservers we do not control, and a report may be re-rendered
from an edited JSON file, so the map here carries markup, table pipes, terminal escapes, a
flood of TXT values and entries that are not shaped like the map at all.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from launchready.findings import Report
from launchready.report import Format, render, report_from_json
from launchready.report.dnsmap import DNS_MAP_VALUES, dns_map_names
from launchready.report.markdown import md

from .test_html import parse

HOSTILE_TXT = "<script>alert(1)</script> | `x` ]]> \x1b[2J"
DNS_MAP: list[Any] = [
    {
        "name": "shop.example",
        "roles": ["apex", "expected"],
        "status": "ok",
        "records": {
            "TXT": [HOSTILE_TXT, *(f"verification-{i}" for i in range(14))],
            "A": ["127.0.0.10"],
            "MX": ["1 smtp.google.com"],
            "NS": ["ns1.shop.example", "ns2.shop.example"],
        },
        "via": None,
        "errors": {"CAA": "timeout: no answer within 2s"},
    },
    {
        "name": "www.shop.example",
        "roles": ["storefront", "canonical"],
        "status": "ok",
        "records": {"CNAME": ["shop.example"], "A": ["127.0.0.10"]},
        "via": "shop.example",
        "errors": {},
    },
    {
        "name": "promo.shop.example",
        "roles": ["discovered"],
        "status": "dangling",
        "records": {"CNAME": ["summer-sale.shop.example"]},
        "via": "summer-sale.shop.example",
        "errors": {},
    },
    {"name": "staging.shop.example", "roles": ["staging"], "status": "nxdomain", "records": {}},
    "not an entry",
    {"roles": ["no name"]},
    {"name": "odd.shop.example", "records": ["not", "a", "mapping"], "roles": "x"},
]


@pytest.fixture
def mapped(report: Report) -> Report:
    return replace(report, extras={"dns_map": DNS_MAP})


def test_rows_are_read_defensively(mapped: Report) -> None:
    names = dns_map_names(mapped)
    assert [n.name for n in names] == [
        "shop.example",
        "www.shop.example",
        "promo.shop.example",
        "staging.shop.example",
        "odd.shop.example",
    ]
    apex = names[0]
    assert [r.rtype for r in apex.records] == ["A", "MX", "TXT", "NS", "CAA"]
    txt = apex.records[2]
    assert len(txt.values) == DNS_MAP_VALUES and txt.omitted == 5
    assert apex.records[-1].note and "timeout" in apex.records[-1].values[0]
    assert "\x1b" not in txt.values[0]
    assert names[2].records[-1].values == (
        "the CNAME target summer-sale.shop.example does not exist",
    )
    assert names[3].records[0].values == ("does not exist (NXDOMAIN)",)
    assert names[4].roles == () and names[4].records[0].values == ("no answer recorded",)


def test_markdown_table_is_escaped_and_complete(mapped: Report) -> None:
    out = render(mapped, Format.MD)
    section = out.split("## DNS map")[1].split("## Checks")[0]
    assert "<script>" not in section and "\x1b" not in section
    assert md(HOSTILE_TXT.replace("\x1b", "\\x1b")) in section
    for line in section.splitlines():
        if line.startswith("| "):
            assert line.count("|") - line.count("\\|") == 5, line
    assert "| shop.example | apex, expected | A | 127.0.0.10 |" in section
    assert "… and 5 more" in section
    assert out.index("## Risk list") < out.index("## DNS map") < out.index("## Checks")


def test_html_table_is_escaped_and_spans_each_name(mapped: Report) -> None:
    out = render(mapped, Format.HTML)
    page = parse(out)
    assert "script" not in page.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "\x1b" not in out
    text = page.plain
    assert "DNS map" in text and "summer-sale.shop.example does not exist" in text
    assert 'rowspan="5"' in out  # the apex: A, MX, TXT, NS and the CAA error
    assert text.index("Risk list") < text.index("DNS map") < text.index("Checks")


def test_text_shows_the_map(mapped: Report) -> None:
    out = render(mapped, Format.TEXT, width=140)
    assert "DNS map" in out
    assert "www.shop.example (storefront, canonical)" in out
    assert "\x1b" not in out
    assert "<script>alert(1)</script>" in out  # plain text is inert in a terminal
    assert "… and 5 more" in out


def test_json_keeps_the_map_whole_and_reloads_it(mapped: Report) -> None:
    data = json.loads(render(mapped, Format.JSON))
    assert data["extras"]["dns_map"] == DNS_MAP
    again = report_from_json(json.dumps(data))
    assert render(again, Format.MD) == render(mapped, Format.MD)


@pytest.mark.parametrize("extras", [{}, {"dns_map": []}, {"dns_map": "garbage"}])
@pytest.mark.parametrize("fmt", [Format.MD, Format.HTML, Format.TEXT])
def test_no_map_no_section(report: Report, extras: dict[str, Any], fmt: Format) -> None:
    assert "DNS map" not in render(replace(report, extras=extras), fmt)
