"""DMARC findings for the sending domain: missing, invalid, not enforcing, blind, or
reporting to a destination that never agreed to receive the reports."""

from __future__ import annotations

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.findings import Finding, JSONValue
from launchready.mail.dmarc import DmarcLookup, discover, external_destinations
from launchready.manifest import Manifest


def known_domains(manifest: Manifest) -> tuple[str, ...]:
    """Registrable domains the manifest vouches for, for the organizational-domain rule."""
    return (manifest.site.domain,)


async def findings(ctx: CheckContext) -> list[Finding]:
    domain = ctx.manifest.sending_domain
    known = known_domains(ctx.manifest)
    lookup = await discover(ctx.resolver, domain, known)
    if lookup.found_at is None:
        asked = [f"_dmarc.{d}" for d in lookup.asked]
        facts = {"asked": asked, "answer": "no v=DMARC1 record"}
        return [finding("email.dmarc-missing", target=domain, evidence=facts)]
    record = lookup.record
    if record is None:
        broken = {
            "record_name": lookup.name,
            "records": list(lookup.records),
            "problems": list(lookup.problems),
        }
        return [finding("email.dmarc-invalid", target=domain, evidence=broken)]
    found: list[Finding] = []
    base = _base(lookup)
    policy = lookup.effective_policy
    if policy == "none" or record.pct < 100:
        found.append(
            finding(
                "email.dmarc-policy-none",
                target=domain,
                evidence={**base, "policy": policy, "pct": record.pct},
            )
        )
    if not record.rua:
        found.append(finding("email.dmarc-no-reports", target=domain, evidence=base))
    unauthorized = [
        d for d in await external_destinations(ctx.resolver, lookup, known) if not d.authorized
    ]
    if unauthorized:
        evidence: dict[str, JSONValue] = {
            **base,
            "unauthorized": [
                {"uri": d.uri, "authorization_record": d.checked, "answer": "no v=DMARC1 record"}
                for d in unauthorized
            ],
        }
        found.append(
            finding("email.dmarc-external-reports-unauthorized", target=domain, evidence=evidence)
        )
    return found


def _base(lookup: DmarcLookup) -> dict[str, str]:
    base = {"record_name": lookup.name, "record": lookup.records[0]}
    if lookup.found_at != lookup.domain:
        base["inherited_from"] = lookup.found_at or ""
    return base
