"""check_host() against the RFC 7208 test suite (openspf.org release 2014.04, from pyspf).

Each scenario's ``zonedata`` is served by a real DNS server on loopback (``suite_dns``), our
Resolver asks it over UDP/TCP, and check_host's result (and explanation, where the suite
names one) must be one the suite accepts. ``scripts/test`` extracts the YAML into
``.cache/rfc7208-tests.yml``; without it the suite is skipped locally and fails in CI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchready.mail.spf import check_host, spf_identity
from launchready.manifest import Network
from launchready.net import Resolver
from tests.mail.suite_dns import SuiteDns

SUITE = Path(__file__).resolve().parents[2] / ".cache" / "rfc7208-tests.yml"
RESOLVER_TIMEOUT_S = 0.6
"""Short, because the suite's TIMEOUT entries are answered by silence."""

XFAIL = {
    "macro-expansion-rules/v-macro-ip6": (
        "the suite expects upper-case nibbles for %{ir} of an IPv6 address (pyspf's output); "
        "RFC 7208 7.4's own example expands %{ir} to lower-case nibbles, which we follow"
    ),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cases() -> list[Any]:
    if not SUITE.is_file():
        if os.environ.get("CI"):
            return [pytest.param(None, None, id="suite-missing")]
        return [
            pytest.param(
                None,
                None,
                id="suite-missing",
                marks=pytest.mark.skip(reason=f"{SUITE} is missing: run scripts/test to fetch it"),
            )
        ]
    cases = []
    for scenario in yaml.safe_load_all(SUITE.read_text(encoding="utf-8")):
        for name, test in scenario["tests"].items():
            case_id = f"{_slug(scenario['description'])}/{name}"
            marks = (
                [pytest.mark.xfail(reason=XFAIL[case_id], strict=True)] if case_id in XFAIL else []
            )
            cases.append(pytest.param(scenario["zonedata"], test, id=case_id, marks=marks))
    return cases


@pytest.mark.parametrize(("zonedata", "test"), _cases())
async def test_rfc7208(zonedata: dict[str, Any] | None, test: dict[str, Any] | None) -> None:
    if zonedata is None or test is None:
        pytest.fail(f"{SUITE} is missing: scripts/test extracts it from pyspf's sdist")
    domain, sender = spf_identity(test["mailfrom"], test["helo"])
    async with SuiteDns(zonedata) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=RESOLVER_TIMEOUT_S)
        outcome = await check_host(resolver, test["host"], domain, sender, test["helo"])
    expected = test["result"] if isinstance(test["result"], list) else [test["result"]]
    assert outcome.result in expected, (
        f"{test.get('description', '')} got {outcome} (queries: {server.queries})"
    )
    if "explanation" in test:
        wanted = None if test["explanation"] == "DEFAULT" else test["explanation"]
        assert outcome.explanation == wanted


def test_the_suite_is_complete() -> None:
    """Every scenario of the file is collected: a YAML change cannot silently drop tests."""
    if not SUITE.is_file():
        pytest.skip("suite missing")
    total = sum(len(s["tests"]) for s in yaml.safe_load_all(SUITE.read_text(encoding="utf-8")))
    ids = [p.id for p in _cases()]
    assert len(ids) == len(set(ids)) == total
