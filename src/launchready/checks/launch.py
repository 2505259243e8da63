"""The launch gate: what the manifest itself says about readiness to launch.

These checks read only the manifest. They encode the roadmaps' business rules: no launch
with checkout untested, nobody without an owner, no deploy without a way back.
"""

from __future__ import annotations

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import OWNER_ROLES, Manifest


async def run(ctx: CheckContext) -> list[Finding]:
    return check_manifest(ctx.manifest)


def check_manifest(manifest: Manifest) -> list[Finding]:
    """All launch-gate findings for ``manifest`` (pure, so it is also used by ``handover``)."""
    findings: list[Finding] = []
    if not any(route.checkout for route in manifest.routes):
        findings.append(
            finding(
                "launch.checkout-untested",
                target="routes",
                evidence={"routes": [r.name for r in manifest.routes]},
                fingerprint_keys=(),
            )
        )
    missing = [
        role
        for role in _owner_roles_needed(manifest)
        if manifest.owners is None or getattr(manifest.owners, role) is None
    ]
    if missing:
        noun = "account" if len(missing) == 1 else "accounts"
        findings.append(
            finding(
                "launch.owner-unknown",
                target="owners",
                evidence={"missing": missing},
                title=f"No named owner for the {', '.join(missing)} {noun}",
            )
        )
    deploy = manifest.deploy
    if deploy is None or not [step for step in deploy.rollback if step.strip()]:
        findings.append(finding("launch.rollback-undocumented", target="deploy.rollback"))
    if deploy is None or not (deploy.secrets_store or "").strip():
        findings.append(finding("launch.secrets-store-undocumented", target="deploy.secrets_store"))
    return findings


def _owner_roles_needed(manifest: Manifest) -> list[str]:
    """Every role of OWNER_ROLES; the CDN account only matters when there is a CDN."""
    return [role for role in OWNER_ROLES if not (role == "cdn" and manifest.site.cdn == "none")]
