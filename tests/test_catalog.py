"""The catalog against checks.md, and the finding machinery built on it."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from pathlib import Path

import pytest

import launchready.checks as checks_pkg
from launchready import catalog
from launchready.checks import AUDIT_AREAS
from launchready.findings import Severity

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "checks.md"
SRC = Path(catalog.__file__).parent
ROW = re.compile(r"^\| ([a-z]+\.[a-z0-9-]+) \| (blocker|high|medium|low|info) \|", re.M)


def _spec_rows() -> dict[str, str]:
    if not SPEC.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SPEC} must be beside the checkout in CI: the catalog test needs it")
        pytest.skip(f"{SPEC} is not beside this checkout")
    return dict(ROW.findall(SPEC.read_text(encoding="utf-8")))


def test_catalog_and_checks_md_agree_on_ids_and_severities() -> None:
    spec = _spec_rows()
    ours = {i: e.severity.value for i, e in catalog.entries().items()}
    assert set(spec) - set(ours) == set(), "IDs in checks.md missing from catalog.yaml"
    assert set(ours) - set(spec) == set(), "IDs in catalog.yaml that checks.md does not define"
    assert ours == spec


def test_every_entry_is_complete() -> None:
    for entry in catalog.entries().values():
        assert entry.title and entry.why and entry.fix, entry.id
        assert entry.impact, entry.id
        assert all(ref.startswith("https://") for ref in entry.references), entry.id


def _ids_in_source(paths: list[Path]) -> set[str]:
    known = set(catalog.entries())
    found: set[str] = set()
    for path in paths:
        found |= {m for m in re.findall(r'"([a-z]+\.[a-z0-9-]+)"', path.read_text()) if m in known}
    return found


def test_implemented_areas_can_emit_every_id_of_their_area() -> None:
    """An implemented area's IDs are each emitted somewhere in src/ (the area module or the
    library it calls, e.g. ``email.alignment-failed`` from ``verify-message``)."""
    emitted = _ids_in_source(list(SRC.rglob("*.py")))
    for area in AUDIT_AREAS:
        if area.module is None:
            continue
        wanted = {i for i, e in catalog.entries().items() if e.area == area.name}
        assert wanted - emitted == set(), f"{area.name} cannot emit these catalog IDs"


def test_no_source_emits_an_id_outside_the_catalog() -> None:
    pattern = re.compile(r'finding\(\s*"([a-z]+\.[a-z0-9-]+)"')
    for path in SRC.rglob("*.py"):
        for finding_id in pattern.findall(path.read_text()):
            assert finding_id in catalog.entries(), f"{path}: {finding_id}"


def test_every_checks_module_is_registered() -> None:
    registered = {a.module.__name__ for a in AUDIT_AREAS if a.module is not None}
    for info in pkgutil.iter_modules(checks_pkg.__path__):
        name = f"launchready.checks.{info.name}"
        importlib.import_module(name)
        assert name in registered, f"{name} is not in checks.AUDIT_AREAS"


def test_checkout_escalation_raises_one_level_never_above_blocker() -> None:
    assert catalog.finding("routing.redirect-chain", target="x").severity is Severity.MEDIUM
    assert (
        catalog.finding("routing.redirect-chain", target="x", checkout=True).severity
        is Severity.HIGH
    )
    assert (
        catalog.finding("routing.route-down", target="x", checkout=True).severity
        is Severity.BLOCKER
    )
    assert (
        catalog.finding(
            "dns.host-unresolved", target="x", severity=Severity.BLOCKER, checkout=True
        ).severity
        is Severity.BLOCKER
    )


def test_fingerprint_ignores_volatile_evidence_and_follows_stable_evidence() -> None:
    a = catalog.finding(
        "routing.route-down", target="https://x.test/", evidence={"status": 503, "elapsed_ms": 120}
    )
    b = catalog.finding(
        "routing.route-down", target="https://x.test/", evidence={"status": 503, "elapsed_ms": 980}
    )
    c = catalog.finding(
        "routing.route-down", target="https://x.test/", evidence={"status": 500, "elapsed_ms": 120}
    )
    d = catalog.finding(
        "routing.route-down", target="https://y.test/", evidence={"status": 503, "elapsed_ms": 120}
    )
    assert a.fingerprint == b.fingerprint
    assert len({a.fingerprint, c.fingerprint, d.fingerprint}) == 3


def test_title_template_uses_target_and_keeps_unknown_placeholders() -> None:
    item = catalog.finding("dns.caa-missing", target="shop.test")
    assert "shop.test" in item.title or item.title == catalog.entry("dns.caa-missing").title
    assert catalog._fill("{target} via {missing}", "t", {}) == "t via {missing}"


def test_unknown_id_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="not in the catalog"):
        catalog.finding("dns.no-such-thing", target="x")
