"""The DKIM findings against Knot DNS: one selector per case, each with its clean twin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from launchready.checks.email import dkim
from launchready.errors import ConnectivityError
from launchready.findings import Severity
from launchready.manifest import Manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot
from tests.mail.test_dkim import ED_P, KEY_512, KEY_1024, KEY_2048, txt

STRONG = txt(KEY_2048.record())

# selector -> (records at <selector>._domainkey.shop.test, expected IDs with severity)
CASES: dict[str, tuple[str, list[tuple[str, Severity]]]] = {
    "good": (f"TXT {STRONG}", []),
    "missing": ("", [("email.dkim-missing", Severity.HIGH)]),
    "nodata": ("A 127.0.0.10", [("email.dkim-missing", Severity.HIGH)]),
    "revoked": ('TXT "v=DKIM1; k=rsa; p="', [("email.dkim-missing", Severity.HIGH)]),
    "garbage": ('TXT "v=DKIM1; p=@@@"', [("email.dkim-missing", Severity.HIGH)]),
    "wrongversion": (
        f"TXT {txt('v=DKIM2; p=' + KEY_2048.p)}",
        [("email.dkim-missing", Severity.HIGH)],
    ),
    "rotated": (f'TXT "v=DKIM1; p="\n{{sel}}._domainkey TXT {STRONG}', []),
    "dangling": (
        "CNAME s9.domainkey.u1.wl.provider.test.",
        [("email.dkim-missing", Severity.HIGH)],
    ),
    "delegated": ("CNAME s1.domainkey.u1.wl.provider.test.", []),
    "weak": (f"TXT {txt(KEY_1024.record())}", [("email.dkim-weak-key", Severity.MEDIUM)]),
    "tiny": (f"TXT {txt(KEY_512.record())}", [("email.dkim-weak-key", Severity.HIGH)]),
    "ed": (f'TXT "v=DKIM1; k=ed25519; p={ED_P}"', []),
}
PROVIDER_ZONE = f"s1.domainkey.u1.wl TXT {STRONG}"


def _zone() -> str:
    lines = ["www A 127.0.0.10"]
    for selector, (records, _) in CASES.items():
        if records:
            lines.append(f"{selector}._domainkey {records.format(sel=selector)}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zones = {"shop.test": _zone(), "provider.test": PROVIDER_ZONE}
    with KnotServer(tmp_path_factory.mktemp("knot"), zones) as server:
        yield server


def manifest(nameserver: str, selectors: list[str]) -> Manifest:
    return Manifest.model_validate(
        {
            "site": {"domain": "shop.test"},
            "email": {"dkim_selectors": selectors},
            "network": {"nameservers": [nameserver]},
        }
    )


@pytest.mark.parametrize("selector", list(CASES))
async def test_dkim_findings(knot: KnotServer, selector: str) -> None:
    async with check_context(manifest(knot.nameserver, [selector])) as ctx:
        found = await dkim.findings(ctx)
    assert [(f.id, f.severity) for f in found] == CASES[selector][1]
    for item in found:
        assert item.target == f"{selector}._domainkey.shop.test"


async def test_every_selector_is_judged_once(knot: KnotServer) -> None:
    selectors = ["good", "missing", "weak", "missing"]
    async with check_context(manifest(knot.nameserver, selectors)) as ctx:
        found = await dkim.findings(ctx)
    assert [(f.id, f.evidence["selector"]) for f in found] == [
        ("email.dkim-missing", "missing"),
        ("email.dkim-weak-key", "weak"),
    ]


async def test_evidence_explains_the_problem(knot: KnotServer) -> None:
    async with check_context(manifest(knot.nameserver, ["dangling", "revoked", "tiny"])) as ctx:
        dangling, revoked, tiny = await dkim.findings(ctx)
    assert dangling.evidence["cname_target"] == "s9.domainkey.u1.wl.provider.test"
    assert dangling.evidence["answer"] == "NXDOMAIN"
    assert revoked.evidence["problems"] == ["the key was revoked (empty p=)"]
    assert tiny.evidence["bits"] == 512


async def test_no_selectors_no_findings(knot: KnotServer) -> None:
    async with check_context(manifest(knot.nameserver, [])) as ctx:
        assert await dkim.findings(ctx) == []


async def test_a_silent_nameserver_is_not_a_finding() -> None:
    with pytest.raises(ConnectivityError):
        async with check_context(manifest("127.0.0.1:9", ["s1"]), op_timeout=0.5) as ctx:
            await dkim.findings(ctx)
