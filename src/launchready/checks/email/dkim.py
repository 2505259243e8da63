"""DKIM findings: every selector of ``email.dkim_selectors`` needs a usable, long key.

A selector whose name does not exist, holds no TXT, holds only unparseable records or a
revoked key gives receivers nothing to verify signatures with: ``email.dkim-missing``.
RSA keys under 2048 bits are ``email.dkim-weak-key`` (medium), under 1024 high, because
RFC 8301 tells verifiers to reject those outright. A lookup that fails (SERVFAIL,
timeout) proves nothing either way and raises instead of guessing.
"""

from __future__ import annotations

import asyncio

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding, Severity
from launchready.mail.dkim import best_key, key_name
from launchready.net import DnsAnswer

STRONG_BITS = 2048
MINIMUM_BITS = 1024


async def findings(ctx: CheckContext) -> list[Finding]:
    email = ctx.manifest.email
    selectors = list(dict.fromkeys(email.dkim_selectors)) if email is not None else []
    domain = ctx.manifest.sending_domain
    names = [key_name(selector, domain) for selector in selectors]
    answers = await asyncio.gather(*(ctx.resolver.query(name, "TXT") for name in names))
    found: list[Finding] = []
    for selector, answer in zip(selectors, answers, strict=True):
        found += _selector_findings(selector, answer)
    return found


def _selector_findings(selector: str, answer: DnsAnswer) -> list[Finding]:
    name = answer.name
    if answer.status in ("servfail", "timeout", "error"):
        raise ConnectivityError(f"DNS lookup of {name} TXT failed: {answer.status}")
    base: dict[str, object] = {"selector": selector, "record_name": name}
    if answer.canonical_name:
        base["cname_target"] = answer.canonical_name
    if not answer.ok:
        words = "the name does not exist" if answer.status == "nxdomain" else "no TXT record"
        evidence = {**base, "answer": answer.status.upper(), "problem": words}
        return [finding("email.dkim-missing", target=name, evidence=evidence)]
    key, problems = best_key(answer)
    if key is None:
        evidence = {**base, "records": list(answer.records), "problems": problems}
        return [finding("email.dkim-missing", target=name, evidence=evidence)]
    if key.key_type == "rsa" and key.bits is not None and key.bits < STRONG_BITS:
        severity = Severity.HIGH if key.bits < MINIMUM_BITS else Severity.MEDIUM
        evidence = {**base, "key_type": "rsa", "bits": key.bits}
        return [finding("email.dkim-weak-key", target=name, evidence=evidence, severity=severity)]
    return []
