"""Every routing.* ID against real nginx: a setup where it fires and a clean twin where the
same question is asked and the answer is right, so the check is silent.

Each scenario is the clean store (www serves the shop, the apex 301s to it) with one thing
changed. The twin must produce no finding at all: a routing check that cries wolf on a
healthy store would be ignored on the day it matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from launchready.findings import Severity
from tests.checks.routing_lab import (
    APEX,
    API,
    HOSTS,
    SHOP,
    STAGING,
    TO_HTTPS,
    WWW,
    clean_store,
    https_everywhere,
    run_lab,
)

Blocks = dict[tuple[str, str], str]


@dataclass
class Scenario:
    finding_id: str
    target: str
    fire: Blocks
    clean: Blocks
    sections: dict[str, Any] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=lambda: {"hosts": HOSTS})


def _with(**changes: str) -> Blocks:
    """The clean store with some blocks replaced; keys are ``host|scheme``."""
    blocks = clean_store()
    for key, body in changes.items():
        host, scheme = key.split("|")
        blocks[(host, scheme)] = body
    return blocks


def _hops(count: int) -> str:
    """``/r1`` -> ``/r2`` -> ... -> ``/r{count}`` -> ``/shop`` (count redirects) and the shop."""
    lines = [f"location = /r{i} {{ return 301 /r{i + 1}; }}" for i in range(1, count)]
    lines.append(f"location = /r{count} {{ return 301 /shop; }}")
    return " ".join(lines) + f" location / {{ {SHOP} }}"


OLD = f"https://{WWW}/old"
NEW = f"https://{WWW}/new"
MOVED = {"redirects": [{"from": OLD, "to": NEW}]}
SHOP_LOC = f"location / {{ {SHOP} }}"

SCENARIOS = [
    Scenario(
        "routing.route-down",
        f"https://{WWW}/health",
        _with(**{f"{WWW}|https": f'location /health {{ return 200 "degraded"; }} {SHOP_LOC}'}),
        _with(**{f"{WWW}|https": f'location /health {{ return 200 "all ok"; }} {SHOP_LOC}'}),
        {
            "routes": [
                {
                    "name": "health",
                    "url": f"https://{WWW}/health",
                    "expect": {"status": 200, "body_contains": "ok"},
                }
            ]
        },
    ),
    Scenario(
        "routing.http-not-redirected",
        f"http://{WWW}/",
        _with(**{f"{WWW}|http": SHOP}),
        clean_store(),
    ),
    Scenario(
        "routing.redirect-chain",
        f"http://{APEX}/",
        _with(**{f"{APEX}|http": f"return 301 http://{WWW}$request_uri;"}),
        clean_store(),
    ),
    Scenario(
        "routing.redirect-loop",
        OLD,
        _with(
            **{
                f"{WWW}|https": f"location = /old {{ return 301 /back; }} "
                f"location = /back {{ return 301 /old; }} {SHOP_LOC}"
            }
        ),
        _with(**{f"{WWW}|https": f"location = /old {{ return 301 /new; }} {SHOP_LOC}"}),
        MOVED,
    ),
    Scenario(
        "routing.redirect-mismatch",
        OLD,
        _with(**{f"{WWW}|https": f"location = /old {{ return 301 /elsewhere; }} {SHOP_LOC}"}),
        _with(
            **{f"{WWW}|https": f"location = /old {{ return 301 https://{WWW}/new; }} {SHOP_LOC}"}
        ),
        MOVED,
    ),
    Scenario(
        "routing.redirect-temporary",
        OLD,
        _with(**{f"{WWW}|https": f"location = /old {{ return 307 /new; }} {SHOP_LOC}"}),
        _with(**{f"{WWW}|https": f"location = /old {{ return 308 /new; }} {SHOP_LOC}"}),
        MOVED,
    ),
    Scenario(
        "routing.duplicate-host",
        f"https://{APEX}/",
        _with(**{f"{APEX}|https": SHOP}),
        clean_store(),
    ),
    Scenario(
        "routing.staging-reachable",
        f"https://{STAGING}/",
        {**clean_store(), **https_everywhere(STAGING)},
        {**clean_store(), (STAGING, "https"): 'return 401 "login";', (STAGING, "http"): TO_HTTPS},
        site={"hosts": HOSTS, "staging": [STAGING]},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.finding_id)
async def test_fires(tmp_path: Path, scenario: Scenario) -> None:
    out = await run_lab(tmp_path, scenario.fire, site=scenario.site, **scenario.sections)
    assert [f.target for f in out.of(scenario.finding_id)] == [scenario.target], [
        (f.id, f.target) for f in out.findings
    ]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.finding_id)
async def test_clean_twin_is_silent(tmp_path: Path, scenario: Scenario) -> None:
    out = await run_lab(tmp_path, scenario.clean, site=scenario.site, **scenario.sections)
    assert out.findings == [], [(f.id, f.target, f.evidence) for f in out.findings]
    assert {r["verdict"] for r in out.matrix} <= {"ok", "error"}


async def test_temporary_http_to_https_and_the_matrix_rows(tmp_path: Path) -> None:
    blocks = _with(**{f"{WWW}|http": "return 302 https://$host$request_uri;"})
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS})
    assert [f.target for f in out.of("routing.redirect-temporary")] == [f"http://{WWW}/"]
    row = out.row(f"http://{WWW}/")
    assert row["verdict"] == "temporary" and row["final"] == f"https://{WWW}/"
    assert row["hops"] == [
        {"url": f"http://{WWW}/", "status": 302, "location": f"https://{WWW}/", "error": None},
        {"url": f"https://{WWW}/", "status": 200, "location": None, "error": None},
    ]
    # Hosts with no server at all are recorded as errors, never judged.
    assert out.row(f"http://{APEX}/")["verdict"] == "ok"


async def test_an_https_login_redirect_is_not_temporary(tmp_path: Path) -> None:
    blocks = _with(**{f"{WWW}|https": f"location = / {{ return 302 /login; }} {SHOP_LOC}"})
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS})
    assert out.findings == []


async def test_twelve_hops_is_a_loop_and_ten_is_a_chain(tmp_path: Path) -> None:
    body = _hops(12)
    blocks = _with(**{f"{WWW}|https": body})
    redirects = [
        {"from": f"https://{WWW}/r1", "to": f"https://{WWW}/shop"},
        {"from": f"https://{WWW}/r3", "to": f"https://{WWW}/shop"},
    ]
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS}, redirects=redirects)
    assert [f.target for f in out.of("routing.redirect-loop")] == [f"https://{WWW}/r1"]
    assert [f.target for f in out.of("routing.redirect-chain")] == [f"https://{WWW}/r3"]
    assert out.of("routing.redirect-mismatch") == []
    assert len(out.row(f"https://{WWW}/r1")["hops"]) == 11


ROUTE_CASES: list[tuple[str, dict[str, Any], Callable[[str], bool]]] = [
    ("500", {"url": f"https://{WWW}/boom"}, lambda p: "answered 500" in p),
    ("status", {"url": f"https://{WWW}/", "expect": {"status": 201}}, lambda p: "201" in p),
    ("refused", {"url": f"https://{API}/orders"}, lambda p: p.startswith("connect")),
]


@pytest.mark.parametrize(("name", "route", "says"), ROUTE_CASES, ids=[c[0] for c in ROUTE_CASES])
async def test_route_down_reasons(
    tmp_path: Path, name: str, route: dict[str, Any], says: Callable[[str], bool]
) -> None:
    blocks = _with(**{f"{WWW}|https": f'location = /boom {{ return 500 "x"; }} {SHOP_LOC}'})
    routes = [{"name": name, "checkout": True, **route}]
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS}, routes=routes)
    (down,) = out.of("routing.route-down")
    assert down.severity is Severity.BLOCKER and says(str(down.evidence["problem"]))
    (timing,) = out.timings
    assert timing["route"] == name and timing["checkout"] is True


async def test_webhooks_are_left_to_the_web_area(tmp_path: Path) -> None:
    blocks = _with(**{f"{WWW}|https": f'location /hook {{ return 400 "no sig"; }} {SHOP_LOC}'})
    routes = [
        {"name": "home", "url": f"https://{WWW}/"},
        {"name": "hook", "url": f"https://{WWW}/hook", "method": "POST", "webhook": True},
        {
            "name": "login",
            "url": f"https://{WWW}/",
            "method": "POST",
            "form": {"a": "b"},
            "expect": {"status": [200, 405]},
        },
    ]
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS}, routes=routes)
    assert out.findings == []
    assert [t["route"] for t in out.timings] == ["home", "login"]
    assert all(isinstance(t["ttfb_ms"], float) for t in out.timings)


@pytest.mark.parametrize(
    "staging",
    [
        'return 404 "nothing here";',
        'return 403 "forbidden";',
        f"return 301 https://{WWW}/;",
    ],
    ids=["404", "403", "to-canonical"],
)
async def test_staging_answers_that_are_fine(tmp_path: Path, staging: str) -> None:
    blocks = {**clean_store(), (STAGING, "https"): staging, (STAGING, "http"): staging}
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS, "staging": [STAGING]})
    assert out.findings == []


async def test_staging_without_dns_or_server_is_fine(tmp_path: Path) -> None:
    out = await run_lab(tmp_path, clean_store(), site={"hosts": HOSTS, "staging": [STAGING]})
    assert out.findings == []


async def test_staging_open_over_plain_http_only(tmp_path: Path) -> None:
    blocks = {**clean_store(), (STAGING, "http"): SHOP}
    out = await run_lab(tmp_path, blocks, site={"hosts": HOSTS, "staging": [STAGING]})
    assert [f.target for f in out.of("routing.staging-reachable")] == [f"http://{STAGING}/"]
