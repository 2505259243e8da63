"""Smoke steps without a network: what each route is, what it must answer, where it goes."""

from __future__ import annotations

from typing import Any

import pytest

from launchready.conditions import ConditionResult
from launchready.errors import InputError
from launchready.findings import Severity
from launchready.manifest import Route
from launchready.smoke import StepResult, rebase, route_conditions, smoke_findings
from launchready.smoke.steps import route_kind

URL = "https://api.shop.test/healthz"


def route(**fields: Any) -> Route:
    return Route.model_validate({"name": "r", "url": URL, **fields})


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({}, "route"),
        ({"health": True}, "health"),
        ({"webhook": True, "method": "POST"}, "webhook"),
        ({"checkout": True}, "checkout"),
        ({"method": "POST", "form": {"email": "a@b.test"}}, "login"),
        ({"checkout": True, "form": {"cart": "1"}}, "checkout"),
        ({"webhook": True, "health": True}, "webhook"),
    ],
)
def test_route_kind(fields: dict[str, Any], kind: str) -> None:
    assert route_kind(route(**fields)) == kind


@pytest.mark.parametrize(
    ("fields", "conditions"),
    [
        ({}, ["[STATUS] < 400"]),
        ({"health": True}, ["[STATUS] == 200"]),
        (
            {"health": True, "expect": {"status": 200, "body_contains": "ok"}},
            ["[STATUS] == 200", '[BODY] contains "ok"'],
        ),
        ({"expect": {"status": [200, 204]}}, ["[STATUS] == any(200, 204)"]),
        ({"expect": {"body_contains": "Welcome"}}, ["[STATUS] < 400", '[BODY] contains "Welcome"']),
        ({"expect": {"status": 404}}, ["[STATUS] == 404"]),
        ({"webhook": True, "method": "POST"}, ["[STATUS] >= 400", "[STATUS] < 500"]),
        (
            {"webhook": True, "method": "POST", "expect": {"status": 200}},
            ["[STATUS] >= 400", "[STATUS] < 500"],
        ),
        (
            {"expect": {"status": 404}, "conditions": ["[STATUS] == 200", "[RESPONSE_TIME] < 300"]},
            ["[STATUS] == 200", "[RESPONSE_TIME] < 300"],
        ),
        (
            {"webhook": True, "method": "POST", "conditions": ["[STATUS] == 401"]},
            ["[STATUS] == 401"],
        ),
    ],
)
def test_route_conditions(fields: dict[str, Any], conditions: list[str]) -> None:
    assert [str(c) for c in route_conditions(route(**fields))] == conditions


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "https://www.shop.test/products/lavender?ref=mail",
            "https://staging.shop.test",
            "https://staging.shop.test/products/lavender?ref=mail",
        ),
        ("https://www.shop.test/", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
        ("https://www.shop.test:8443/a#frag", "https://[::1]:9443", "https://[::1]:9443/a"),
        ("https://www.shop.test/a", None, "https://www.shop.test/a"),
    ],
)
def test_rebase_keeps_path_and_query(url: str, base: str | None, expected: str) -> None:
    assert rebase(url, base) == expected


@pytest.mark.parametrize(
    "base",
    [
        "staging.shop.test",
        "ftp://staging.shop.test",
        "https://staging.shop.test/app",
        "https://staging.shop.test/?a=1",
        "https://staging.shop.test:http",
        "https://user@staging.shop.test",
        "https://",
    ],
)
def test_a_base_url_that_is_not_an_origin_is_bad_input(base: str) -> None:
    with pytest.raises(InputError, match="--base-url"):
        rebase("https://www.shop.test/", base)


def test_a_step_is_judged_by_its_conditions_and_its_error() -> None:
    held, broke = ConditionResult(True, "[STATUS] (200) < 400"), ConditionResult(False, "[X]")
    assert StepResult.judged("home", "route", URL, [held]).ok
    failed = StepResult.judged("home", "route", URL, [held, broke], elapsed_ms=12.5)
    assert not failed.ok
    assert failed.conditions == ("[STATUS] (200) < 400", "[X]")
    assert failed.failed == ("[X]",)
    assert not StepResult.judged("home", "route", URL, [], error="connect: refused").ok


def test_to_json_is_the_whole_step() -> None:
    step = StepResult.judged(
        "health",
        "health",
        URL,
        [ConditionResult(False, "[STATUS] (503) == 200")],
        elapsed_ms=8.0,
        evidence={"method": "GET", "status": 503},
    )
    assert step.to_json() == {
        "name": "health",
        "kind": "health",
        "target": URL,
        "ok": False,
        "elapsed_ms": 8.0,
        "conditions": ["[STATUS] (503) == 200"],
        "failed": ["[STATUS] (503) == 200"],
        "error": None,
        "evidence": {"method": "GET", "status": 503},
    }


def test_with_text_transforms_every_string() -> None:
    step = StepResult.judged(
        "login",
        "login",
        "https://shop.test/login?t=SECRET",
        [ConditionResult(False, '[BODY] ("SECRET") contains "ok"')],
        error="SECRET refused",
        evidence={"method": "POST", "nested": ["SECRET"]},
    )
    hidden = step.with_text(lambda text: text.replace("SECRET", "${TOKEN}"))
    assert "SECRET" not in str(hidden.to_json())
    assert hidden.target == "https://shop.test/login?t=${TOKEN}"
    assert hidden.failed == ('[BODY] ("${TOKEN}") contains "ok"',)


def failed_step(name: str, condition: str, kind: str = "route") -> StepResult:
    return StepResult.judged(name, kind, URL, [ConditionResult(False, condition)], elapsed_ms=5)


def test_one_blocker_finding_per_failed_step() -> None:
    steps = [
        StepResult.judged("home", "route", URL, [ConditionResult(True, "[STATUS] (200) < 400")]),
        failed_step("health", "[STATUS] (503) == 200", "health"),
        failed_step("cart", "[STATUS] (500) < 400", "checkout"),
    ]
    found = smoke_findings(steps)
    assert [f.evidence["step"] for f in found] == ["health", "cart"]
    assert {f.id for f in found} == {"smoke.step-failed"}
    assert {f.severity for f in found} == {Severity.BLOCKER}
    assert found[0].evidence["conditions"] == ["[STATUS] (503) == 200"]
    assert found[0].evidence["kind"] == "health"
    assert found[0].title == "Smoke test step health failed after deploy"
    assert found[0].target == URL


def test_the_fingerprint_follows_the_step_not_the_failure() -> None:
    first = smoke_findings([failed_step("health", "[STATUS] (503) == 200")])[0]
    again = smoke_findings([failed_step("health", "[STATUS] (502) == 200")])[0]
    other = smoke_findings([failed_step("login", "[STATUS] (503) == 200")])[0]
    assert first.fingerprint == again.fingerprint
    assert first.fingerprint != other.fingerprint
