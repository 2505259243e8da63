"""``launchready email verify-message``: does a real sent message pass DMARC alignment?

DMARC (RFC 7489 3.1, 4.2) passes when at least one of these holds for the From: domain:
*aligned DKIM*, a valid signature whose ``d=`` aligns with it (per ``adkim``), or
*aligned SPF*, an SPF pass for a MAIL FROM domain (the HELO name when MAIL FROM is empty)
that aligns with it (per ``aspf``). Without a DMARC record both modes are relaxed.

The SMTP facts (sending IP, HELO, MAIL FROM) come from the headers by the rule in
:mod:`launchready.mail.envelope`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from launchready.catalog import finding
from launchready.findings import AttemptStatus, CheckAttempt, Finding, Report, area_report
from launchready.mail.dkim import SignatureCheck, verify_signatures
from launchready.mail.dmarc import aligned, discover, normalize, organizational_domain
from launchready.mail.envelope import Envelope, envelope, parse_message
from launchready.mail.spf import SpfResult, check_host
from launchready.net import Resolver

SpfCheck = Callable[..., Awaitable[SpfResult]]
"""``check_host``'s signature; tests may pass another evaluator."""


@dataclass(frozen=True)
class SpfOutcome:
    result: str
    """An SPF result word, or ``not checked`` when the inputs were missing."""
    domain: str | None
    ip: str | None
    ip_source: str
    aligned: bool = False
    detail: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Everything ``verify-message`` decided about one message."""

    from_domain: str
    signatures: tuple[SignatureCheck, ...]
    aligned_signatures: tuple[int, ...]
    spf: SpfOutcome
    dmarc_record: str | None
    adkim: str
    aspf: str

    @property
    def passed(self) -> bool:
        return bool(self.aligned_signatures) or self.spf.aligned

    def as_json(self) -> dict[str, Any]:
        return {
            "from_domain": self.from_domain,
            "dmarc_passes": self.passed,
            "dkim": [
                {**asdict(s), "aligned": s.index in self.aligned_signatures}
                for s in self.signatures
            ],
            "spf": asdict(self.spf),
            "dmarc": {"record": self.dmarc_record, "adkim": self.adkim, "aspf": self.aspf},
        }


async def verify_message(
    data: bytes,
    resolver: Resolver,
    *,
    ip: str | None = None,
    helo: str | None = None,
    known: Sequence[str] = (),
    spf_check: SpfCheck = check_host,
) -> Verdict:
    """DKIM, SPF and DMARC alignment of one raw message (RFC 5322 bytes); the three
    evaluations share no lookups, so they run concurrently."""
    message, from_domain = parse_message(data)
    env = envelope(message, ip, helo)
    lookup, signatures, spf = await asyncio.gather(
        discover(resolver, from_domain, known),
        verify_signatures(data, resolver),
        _spf(resolver, env, spf_check),
    )
    record = lookup.record
    adkim, aspf = (record.adkim, record.aspf) if record is not None else ("r", "r")
    aligned_sigs = tuple(
        s.index
        for s in signatures
        if s.result == "pass" and s.domain and aligned(s.domain, from_domain, adkim, known)
    )
    spf_aligned = spf.result == "pass" and aligned(spf.domain or "", from_domain, aspf, known)
    spf = replace(spf, aligned=spf_aligned)
    name = lookup.name if record is not None else None
    return Verdict(from_domain, tuple(signatures), aligned_sigs, spf, name, adkim, aspf)


async def _spf(resolver: Resolver, env: Envelope, spf_check: SpfCheck) -> SpfOutcome:
    """check_host() for the MAIL FROM domain, or for the HELO name when MAIL FROM is <>."""
    if env.mail_from:
        domain, sender = normalize(env.mail_from.rpartition("@")[2]), env.mail_from
    elif env.helo and env.mail_from is not None:
        domain = normalize(env.helo)
        sender = f"postmaster@{domain}"
    else:
        return SpfOutcome("not checked", None, env.ip, env.source, detail="no MAIL FROM is known")
    if env.ip is None:
        missing = "no sending IP: no Received header names one (pass --ip)"
        return SpfOutcome("not checked", domain, None, env.source, detail=missing)
    outcome = await spf_check(resolver, env.ip, domain, sender, env.helo)
    matched = f"matched {outcome.mechanism}" if outcome.result == "pass" else None
    detail = outcome.explanation or outcome.reason or matched
    return SpfOutcome(outcome.result, domain, env.ip, env.source, detail=detail)


# --- the finding and the report -------------------------------------------------------------

_MAIL_PROVIDERS = {
    "SendGrid (domain authentication)": ("sendgrid.net",),
    "Amazon SES (Easy DKIM)": ("amazonses.com",),
    "Mailgun (sending domain setup)": ("mailgun.org",),
    "Mailchimp (domain authentication)": ("mcsv.net", "mailchimpapp.net", "mcdlv.net"),
    "Shopify (sender email authentication)": ("shopify.com", "shopifyemail.com"),
    "Postmark (DKIM of the sender signature)": ("mtasv.net", "postmarkapp.com"),
    "Klaviyo (branded sending domain)": ("klaviyomail.com", "klaviyo.com"),
    "Google Workspace (Admin console: Authenticate email)": ("gappssmtp.com", "google.com"),
    "Microsoft 365 (Defender portal: DKIM)": ("onmicrosoft.com",),
}
_PROVIDER = {org: label for label, orgs in _MAIL_PROVIDERS.items() for org in orgs}


def explain(verdict: Verdict, known: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(what happened, what to do) in plain words, so a founder can act on the finding
    without reading RFC 7489."""
    mine, said, todo = verdict.from_domain, [], []
    if not verdict.signatures:
        todo.append(
            f"Your message carries no DKIM signature: turn on DKIM signing for {mine} in the "
            "service that sent it and publish the key it gives you."
        )
    for sig in verdict.signatures:
        if sig.result != "pass":
            said.append(
                f"The DKIM signature of {sig.domain or 'an unknown domain'} did not "
                f"verify: {sig.reason}."
            )
        elif sig.index not in verdict.aligned_signatures and sig.domain:
            org = organizational_domain(sig.domain, known)
            where = _PROVIDER.get(org, f"the service that signs as {org}")
            todo.append(
                f"Your message was signed by {sig.domain}, not by your domain: add a DKIM key "
                f"for {mine} at {where}."
            )
    spf = verdict.spf
    if spf.result == "not checked":
        said.append(f"SPF was not checked: {spf.detail}.")
    elif spf.result != "pass":
        said.append(f"SPF gave {spf.result} for {spf.domain} and server {spf.ip}.")
    elif not spf.aligned:
        todo.append(
            f"SPF passed for {spf.domain}, which is not your domain: set a custom return-path "
            f"(bounce domain) under {mine} at the provider."
        )
    return said + todo, todo


def verdict_finding(verdict: Verdict, target: str, known: Sequence[str] = ()) -> Finding | None:
    """``email.alignment-failed`` when neither aligned DKIM nor aligned SPF passed."""
    if verdict.passed:
        return None
    sentences, todo = explain(verdict, known)
    facts = verdict.as_json()
    compared = [f"DKIM d={s.domain} (adkim={verdict.adkim})" for s in verdict.signatures]
    if verdict.spf.domain:
        compared.append(f"SPF {verdict.spf.domain} (aspf={verdict.aspf})")
    evidence = {
        "explanation": " ".join(sentences),
        "from_domain": verdict.from_domain,
        "compared_with_from": compared,
        "dkim": facts["dkim"],
        "spf": facts["spf"],
        "dmarc": facts["dmarc"],
    }
    fix = " ".join(todo) or None
    return finding("email.alignment-failed", target=target, evidence=evidence, fix=fix)


async def verify_report(
    data: bytes,
    resolver: Resolver,
    *,
    target: str,
    ip: str | None = None,
    helo: str | None = None,
    known: Sequence[str] = (),
    spf_check: SpfCheck = check_host,
) -> Report:
    """The whole command as a library call: verify, judge, and build the Report."""
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    verdict = await verify_message(
        data, resolver, ip=ip, helo=helo, known=known, spf_check=spf_check
    )
    found = verdict_finding(verdict, target, known)
    elapsed = round((time.perf_counter() - clock) * 1000)
    return area_report(
        verdict.from_domain,
        CheckAttempt("email", AttemptStatus.RAN, elapsed),
        [found] if found else [],
        started_at=started_at,
        extras={"message_verification": verdict.as_json()},
        command="email verify-message",
    )
