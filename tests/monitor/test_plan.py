"""What the monitor watches on the demo store, probed for real: every route, every HTTPS
host's certificate against the 14-day warning, the canonical host's DNS, the chatbot."""

from __future__ import annotations

from pathlib import Path

from launchready.manifest import load_manifest
from launchready.monitor.plan import plan, probe
from tests.checks.support import check_context


async def verdicts(path: Path) -> dict[str, tuple[bool, tuple[str, ...]]]:
    manifest = load_manifest(path)
    async with check_context(manifest, op_timeout=5) as ctx:
        return {
            c.name: ((step := await probe(ctx, c)).ok, step.failed or step.conditions)
            for c in plan(manifest)
        }


async def test_the_fixed_demo_passes_every_check(fixed: Path) -> None:
    found = await verdicts(fixed)
    kinds = {name.split()[0] for name in found}
    assert {"certificate", "dns", "chatbot", "health", "home"} <= kinds
    assert all(ok for ok, _ in found.values()), {n: v for n, v in found.items() if not v[0]}
    assert found["dns www.demo-candles.test"][1] == ("[CONNECTED] (true) == true",)


async def test_the_flawed_demo_fails_its_expiring_certificate_and_crashing_webhook(
    flawed: Path,
) -> None:
    found = await verdicts(flawed)
    failing = {name for name, (ok, _) in found.items() if not ok}
    assert failing == {"certificate chat.demo-candles.test", "stripe-webhook"}
    (condition,) = found["certificate chat.demo-candles.test"][1]
    assert condition.startswith("[CERTIFICATE_EXPIRATION] (")
    assert condition.endswith("> 14d")
