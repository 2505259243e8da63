"""The DMARC findings against Knot DNS: each ID fires on its zone and stays silent on the
clean twin next to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from launchready.checks.email import dmarc
from launchready.errors import ConnectivityError
from launchready.manifest import Manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot

GOOD = '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{d}"'

# case -> (records of the zone <case>.test, email section, expected IDs)
CASES: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "clean": (GOOD, {}, []),
    "missing": ("www A 127.0.0.10", {}, ["email.dmarc-missing"]),
    "invalid": ('_dmarc TXT "v=DMARC1; p=bogus; rua=mailto:d@{d}"', {}, ["email.dmarc-invalid"]),
    "unknown-tag": (
        '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@{d}; policy=strict"',
        {},
        ["email.dmarc-invalid"],
    ),
    "two-records": (
        GOOD + '\n_dmarc TXT "v=DMARC1; p=none"',
        {},
        ["email.dmarc-invalid"],
    ),
    "monitor-only": (
        '_dmarc TXT "v=DMARC1; p=none; rua=mailto:d@{d}"',
        {},
        ["email.dmarc-policy-none"],
    ),
    "partial-pct": (
        '_dmarc TXT "v=DMARC1; p=quarantine; pct=25; rua=mailto:d@{d}"',
        {},
        ["email.dmarc-policy-none"],
    ),
    "no-rua": ('_dmarc TXT "v=DMARC1; p=reject"', {}, ["email.dmarc-no-reports"]),
    "external-unauthorized": (
        '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.test"',
        {},
        ["email.dmarc-external-reports-unauthorized"],
    ),
    "external-authorized": (
        '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.test; ruf=mailto:f@reports.test"',
        {},
        [],
    ),
    "sub-inherits-none": (
        '_dmarc TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@{d}"',
        {"domain": "mail.{d}"},
        ["email.dmarc-policy-none"],
    ),
    "sub-inherits-reject": (GOOD, {"domain": "mail.{d}"}, []),
}

REPORTS_ZONE = """
external-authorized.test._report._dmarc TXT "v=DMARC1"
"""


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zones = {
        f"{case}.test": records.format(d=f"{case}.test") for case, (records, _, _) in CASES.items()
    }
    zones["reports.test"] = REPORTS_ZONE
    with KnotServer(tmp_path_factory.mktemp("knot"), zones) as server:
        yield server


def manifest(nameserver: str, domain: str, email: dict[str, Any]) -> Manifest:
    section = {k: v.format(d=domain) if isinstance(v, str) else v for k, v in email.items()}
    return Manifest.model_validate(
        {"site": {"domain": domain}, "email": section, "network": {"nameservers": [nameserver]}}
    )


@pytest.mark.parametrize("case", list(CASES))
async def test_dmarc_findings(knot: KnotServer, case: str) -> None:
    _, email, expected = CASES[case]
    async with check_context(manifest(knot.nameserver, f"{case}.test", email)) as ctx:
        found = await dmarc.findings(ctx)
    assert sorted(f.id for f in found) == sorted(expected)


async def test_evidence_names_the_record_and_the_problems(knot: KnotServer) -> None:
    async with check_context(manifest(knot.nameserver, "invalid.test", {})) as ctx:
        [item] = await dmarc.findings(ctx)
    assert item.target == "invalid.test"
    assert item.evidence["record_name"] == "_dmarc.invalid.test"
    assert item.evidence["problems"] == ["p=bogus is not none, quarantine or reject"]


async def test_inherited_policy_says_where_it_came_from(knot: KnotServer) -> None:
    domain = "sub-inherits-none.test"
    async with check_context(manifest(knot.nameserver, domain, {"domain": "mail.{d}"})) as ctx:
        [item] = await dmarc.findings(ctx)
    assert item.target == f"mail.{domain}"
    assert item.evidence["inherited_from"] == domain
    assert item.evidence["policy"] == "none"


async def test_unauthorized_destination_evidence(knot: KnotServer) -> None:
    domain = "external-unauthorized.test"
    async with check_context(manifest(knot.nameserver, domain, {})) as ctx:
        [item] = await dmarc.findings(ctx)
    assert item.evidence["unauthorized"] == [
        {
            "uri": "mailto:d@reports.test",
            "authorization_record": f"{domain}._report._dmarc.reports.test",
            "answer": "no v=DMARC1 record",
        }
    ]


async def test_a_silent_nameserver_is_not_a_finding() -> None:
    with pytest.raises(ConnectivityError):
        async with check_context(manifest("127.0.0.1:9", "shop.test", {}), op_timeout=0.5) as ctx:
            await dmarc.findings(ctx)
