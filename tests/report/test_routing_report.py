"""The redirect matrix, route timings and TLS deliverables in every format.

URLs, Location headers, errors and certificate subjects come from servers we do not control,
and a report may be re-rendered from an edited JSON file: the extras here carry markup,
table pipes, terminal escapes, a loop longer than the rows show, and entries that are not
shaped like the deliverables at all.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest

from launchready.findings import Report
from launchready.report import Format, render, report_from_json
from launchready.report.routing import MAX_HOPS_SHOWN, matrix_rows, timing_rows
from launchready.report.tlsview import tls_rows

from .test_html import parse

HOSTILE = "<script>alert(1)</script> | `x` ]]> \x1b[2J"
LOOP_HOPS = [
    {
        "url": f"https://shop.example/r{i}",
        "status": 301,
        "location": f"https://shop.example/r{i + 1}",
        "error": None,
    }
    for i in range(15)
]
MATRIX: list[Any] = [
    {
        "source": "http://shop.example/",
        "kind": "http",
        "expected": None,
        "hops": [
            {
                "url": "http://shop.example/",
                "status": 301,
                "location": "http://www.shop.example/",
                "error": None,
            },
            {
                "url": "http://www.shop.example/",
                "status": 301,
                "location": "https://www.shop.example/",
                "error": None,
            },
            {"url": "https://www.shop.example/", "status": 200, "location": None, "error": None},
        ],
        "final": "https://www.shop.example/",
        "loop": False,
        "verdict": "chain",
    },
    {
        "source": "https://www.shop.example/old",
        "kind": "redirect",
        "expected": "https://www.shop.example/new",
        "hops": [
            {
                "url": "https://www.shop.example/old",
                "status": 302,
                "location": f"https://www.shop.example/{HOSTILE}",
                "error": None,
            }
        ],
        "final": f"https://www.shop.example/{HOSTILE}",
        "loop": False,
        "verdict": "mismatch",
    },
    {
        "source": "https://shop.example/r0",
        "kind": "redirect",
        "expected": None,
        "hops": LOOP_HOPS,
        "final": "https://shop.example/r15",
        "loop": True,
        "verdict": "loop",
    },
    {
        "source": "http://api.shop.example/",
        "kind": "http",
        "expected": None,
        "hops": [
            {
                "url": "http://api.shop.example/",
                "status": None,
                "location": None,
                "error": "connection refused",
            }
        ],
        "final": "http://api.shop.example/",
        "loop": False,
        "verdict": "error",
    },
    "not a row",
    {"kind": "http"},
    {"source": "https://odd.example/", "hops": "nope", "verdict": 7},
]
TIMINGS: list[Any] = [
    {
        "route": "home",
        "method": "GET",
        "url": "https://www.shop.example/",
        "status": 200,
        "ttfb_ms": 41.2,
        "total_ms": 55.9,
        "error": None,
        "checkout": False,
    },
    {
        "route": "cart",
        "method": "POST",
        "url": "https://www.shop.example/cart",
        "status": None,
        "ttfb_ms": None,
        "total_ms": 3001.0,
        "error": f"timeout {HOSTILE}",
        "checkout": True,
    },
    {"route": 5},
    ["garbage"],
]
TLS: list[Any] = [
    {
        "host": "www.shop.example",
        "ok": True,
        "error": None,
        "protocol": "TLSv1.3",
        "cipher": "TLS_AES_256_GCM_SHA384",
        "accepted": {"TLSv1": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True},
        "leaf": {
            "subject": f"CN={HOSTILE}",
            "issuer": "CN=Lab CA",
            "names": ["www.shop.example", "shop.example"],
            "not_before": "2026-01-01",
            "not_after": "2027-01-01",
            "days_left": 37,
            "key": "EC P-256",
            "signature": "ecdsa-with-SHA256",
        },
        "chain": [{"subject": "CN=Lab Intermediate", "issuer": "CN=Lab CA"}],
        "hsts": None,
    },
    {
        "host": "chat.shop.example",
        "ok": False,
        "error": "certificate has expired",
        "accepted": None,
        "leaf": None,
        "chain": None,
    },
    {
        "host": "old.shop.example",
        "ok": False,
        "error": "certificate has expired",
        "accepted": {},
        "leaf": {
            "subject": "CN=old.shop.example",
            "issuer": "CN=Lab CA",
            "names": ["old.shop.example"],
            "not_after": "2026-01-01",
            "days_left": -3,
        },
        "chain": [],
        "hsts": None,
    },
    {"ok": True},
]


@pytest.fixture
def routed(report: Report) -> Report:
    return replace(report, extras={"redirect_matrix": MATRIX, "route_timings": TIMINGS, "tls": TLS})


def test_rows_are_read_defensively(routed: Report) -> None:
    rows = matrix_rows(routed)
    assert [r.source for r in rows] == [
        "http://shop.example/",
        "https://www.shop.example/old",
        "https://shop.example/r0",
        "http://api.shop.example/",
        "https://odd.example/",
    ]
    assert rows[0].hops == (
        "301 -> http://www.shop.example/",
        "301 -> https://www.shop.example/",
        "200",
    )
    assert len(rows[2].hops) == MAX_HOPS_SHOWN and rows[2].omitted == 15 - MAX_HOPS_SHOWN
    assert rows[3].hops == ("error: connection refused",)
    assert rows[4].hops == () and rows[4].verdict == "unknown"
    assert all("\x1b" not in h for r in rows for h in r.hops)
    timings = timing_rows(routed)
    assert [(t.route, t.status, t.ttfb_ms, t.checkout) for t in timings] == [
        ("home", "200", "41 ms", False),
        ("cart", "-", "-", True),
    ]
    certs = tls_rows(routed)
    assert [c.host for c in certs] == ["www.shop.example", "chat.shop.example", "old.shop.example"]
    assert certs[2].expires == "2026-01-01 (-3 days left)" and not certs[2].ok
    assert certs[0].accepted == "TLSv1 no, TLSv1.1 no, TLSv1.2 yes, TLSv1.3 yes"
    assert certs[0].expires == "2027-01-01 (37 days left)" and certs[0].hsts == "none"
    assert not certs[1].ok and certs[1].subject == ""


SECTIONS = ("Redirect matrix", "Route timings", "TLS certificates")


def test_markdown(routed: Report) -> None:
    out = render(routed, Format.MD)
    assert "<script>" not in out and "\x1b" not in out
    body = out.split("## Redirect matrix")[1].split("## Checks")[0]
    for line in body.splitlines():
        if line.startswith("| "):
            cells = line.count("|") - line.count("\\|")
            assert cells in (6, 7), line  # matrix/TLS: 5 columns, timings: 6
    assert "| home | GET https://www.shop.example/ | 200 | 41 ms | 56 ms |  |" in out
    assert "**chain**" in out and "… and 3 more" in out
    assert out.index("## Risk list") < out.index("## Redirect matrix") < out.index("## Checks")
    assert "## Route timings" in out and "## TLS certificates" in out


def test_html(routed: Report) -> None:
    out = render(routed, Format.HTML)
    page = parse(out)
    assert "script" not in page.tags and "\x1b" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    text = page.plain
    for title in SECTIONS:
        assert title in text
    assert "handshake failed: certificate has expired" in text
    assert "handshake failed: certificate has expired CN=old.shop.example" in text
    assert "301 -&gt; http://www.shop.example/" in out
    assert text.index("Risk list") < text.index("Redirect matrix") < text.index("Checks")


def test_text(routed: Report) -> None:
    out = render(routed, Format.TEXT, width=160)
    for title in SECTIONS:
        assert title in out
    assert "\x1b" not in out
    assert "301 -> https://www.shop.example/" in out
    assert "cart (checkout)" in out and "TLSv1.2 yes" in out
    assert "CN=old.shop.example" in out


def test_json_keeps_the_deliverables_whole_and_reloads_them(routed: Report) -> None:
    data = json.loads(render(routed, Format.JSON))
    assert data["extras"]["redirect_matrix"] == MATRIX
    assert data["extras"]["route_timings"] == TIMINGS
    again = report_from_json(json.dumps(data))
    assert render(again, Format.MD) == render(routed, Format.MD)


def test_sarif_carries_them_in_run_properties(routed: Report) -> None:
    run = json.loads(render(routed, Format.SARIF))["runs"][0]
    assert run["properties"]["redirect_matrix"] == MATRIX
    assert run["properties"]["route_timings"] == TIMINGS
    assert run["properties"]["tls"] == TLS


def test_junit_system_out_of_the_routing_and_tls_suites(routed: Report) -> None:
    root = ET.fromstring(render(routed, Format.JUNIT).split("\n", 1)[1])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    routing_out = suites["launchready.routing"].find("system-out")
    assert routing_out is not None and routing_out.text is not None
    assert "[chain] http://shop.example/" in routing_out.text
    assert "cart [checkout]: POST https://www.shop.example/cart -> -" in routing_out.text
    tls_out = suites["launchready.tls"].find("system-out")
    assert tls_out is not None and "chat.shop.example: handshake failed" in (tls_out.text or "")


@pytest.mark.parametrize(
    "extras",
    [
        {},
        {"redirect_matrix": [], "route_timings": [], "tls": []},
        {"redirect_matrix": "x", "route_timings": {}, "tls": 3},
    ],
)
@pytest.mark.parametrize("fmt", [Format.MD, Format.HTML, Format.TEXT, Format.JUNIT])
def test_nothing_delivered_no_section(report: Report, extras: dict[str, Any], fmt: Format) -> None:
    out = render(replace(report, extras=extras), fmt)
    for title in (*SECTIONS, "Redirect matrix:"):
        assert title not in out
    if fmt is Format.JUNIT:
        assert (
            "system-out" not in out.split('name="launchready.routing"')[1].split("</testsuite>")[0]
        )
