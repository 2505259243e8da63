"""What the monitor watches on the demo store, probed for real: every route, every HTTPS
host's certificate against the 14-day warning, the canonical host's DNS, the chatbot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from launchready.demo.manifest import ACCESS_LOG
from launchready.manifest import Manifest, load_manifest
from launchready.monitor.plan import PROBED, SLOW_CHECK, SPIKE_CHECK, plan, probe
from launchready.monitor.runtime import policy
from tests.checks.support import check_context


async def verdicts(path: Path) -> dict[str, tuple[bool, tuple[str, ...]]]:
    manifest = load_manifest(path)
    async with check_context(manifest, op_timeout=5) as ctx:
        return {
            c.name: ((step := await probe(ctx, c)).ok, step.failed or step.conditions)
            for c in plan(manifest)
            if c.kind in PROBED
        }


def test_followed_access_logs_add_the_two_log_checks(fixed: Path) -> None:
    logs = [c for c in plan(load_manifest(fixed)) if c.kind == "logs"]
    assert [c.name for c in logs] == [SPIKE_CHECK, SLOW_CHECK]
    assert logs[0].target == ACCESS_LOG


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


def test_the_manifest_sets_the_alerting_rules(tmp_path: Path) -> None:
    path = tmp_path / "launchready.yaml"
    path.write_text(
        """
site: {domain: shop.test}
routes: [{name: home, url: "https://shop.test/"}]
monitor: {alert_after: 3, recover_after: 2, remind_every: 1h, quorum: 2}
"""
    )
    rules = policy(load_manifest(path), interval=20.0)
    assert (rules.alert_after, rules.recover_after, rules.quorum) == (3, 2, 2)
    assert rules.remind_every == timedelta(hours=1)
    assert rules.active_window == timedelta(seconds=60)  # three intervals
    defaults = policy(_bare(tmp_path), 60.0)
    assert (defaults.alert_after, defaults.recover_after, defaults.remind_every) == (2, 1, None)
    assert defaults.quorum is None


def _bare(tmp_path: Path) -> Manifest:
    path = tmp_path / "bare.yaml"
    path.write_text(
        'site: {domain: shop.test}\nroutes: [{name: home, url: "https://shop.test/"}]\n'
    )
    return load_manifest(path)
