"""SPF findings for the sending domain: missing, broken, over the lookup limits, too
permissive, or not authorizing a provider the manifest says sends the store's mail.

A DNS failure says nothing about the store, so it is never turned into a finding: it
raises :class:`ConnectivityError` and the runner records the area as not checked.

A record that ends without ``all`` (and without a redirect) yields the default result,
neutral (RFC 7208 4.7): receivers treat it exactly like ``?all``, so it is reported at the
same severity, high, with a fix that adds ``-all``.
"""

from __future__ import annotations

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding, JSONValue, Severity
from launchready.mail.providers import Provider, resolve_sender
from launchready.mail.spf import (
    LOOKUP_LIMIT,
    VOID_LIMIT,
    Mechanism,
    Modifier,
    SpfPolicy,
    SpfRecord,
    analyze_spf,
    parse_record,
)
from launchready.manifest import Manifest

DELIVERABLE = "spf"


def senders(manifest: Manifest) -> list[Provider]:
    """The manifest's senders as providers; an unknown name raises InputError."""
    return [resolve_sender(s) for s in manifest.email.senders] if manifest.email else []


async def findings(ctx: CheckContext) -> list[Finding]:
    """Every SPF finding for the sending domain; also delivers the SPF tree as ``spf``."""
    domain = ctx.manifest.sending_domain
    providers = senders(ctx.manifest)
    policy = await analyze_spf(ctx.resolver, domain)
    if policy.status == "temperror":
        raise ConnectivityError(f"SPF of {domain} could not be read: {'; '.join(policy.problems)}")
    ctx.deliver(DELIVERABLE, policy.to_json())
    if policy.status == "none":
        return [_missing(domain, providers)]
    if policy.status == "multiple":
        return [_multiple(domain, policy)]
    found: list[Finding] = []
    if policy.status == "invalid":
        found.append(_invalid(domain, policy))
    record = policy.record
    if record is None:
        return found
    if policy.lookups > LOOKUP_LIMIT:
        found.append(_too_many(domain, policy))
    if policy.void_lookups > VOID_LIMIT:
        found.append(_voids(domain, policy))
    found.extend(_permissive(domain, policy, record))
    if policy.truncated:
        return found  # part of the tree was never read: a sender may hide there
    found.extend(
        _sender_missing(domain, policy, record, p)
        for p in providers
        if not any(include in policy.includes for include in p.includes)
    )
    return found


def _missing(domain: str, providers: list[Provider]) -> Finding:
    evidence = {"domain": domain, "answer": "no TXT record starting with v=spf1"}
    fix = None
    if providers:
        includes = " ".join(f"include:{p.include}" for p in providers)
        fix = (
            f"Publish one TXT record at {domain} listing the senders in your manifest: "
            f"v=spf1 {includes} -all"
        )
    return finding(
        "email.spf-missing", target=domain, evidence=evidence, fix=fix, fingerprint_keys=[]
    )


def _invalid(domain: str, policy: SpfPolicy) -> Finding:
    kind = "syntax" if policy.record is None else "include"
    problems = list(policy.problems)
    evidence: dict[str, JSONValue] = {
        "kind": kind,
        "records": list(policy.records),
        "problems": problems,
    }
    if kind == "syntax":
        fix = (
            f"Correct the SPF record of {domain} ({'; '.join(problems)}), keeping a single "
            "TXT record that starts with v=spf1; then run launchready audit --only email."
        )
    else:
        fix = (
            f"Fix or remove the include:/redirect= terms whose records are broken "
            f"({'; '.join(problems)}): receivers return permerror when they reach them. If a "
            "provider renamed its include, use the one its documentation gives today."
        )
    return finding(
        "email.spf-invalid", target=domain, evidence=evidence, fix=fix, fingerprint_keys=["kind"]
    )


def _multiple(domain: str, policy: SpfPolicy) -> Finding:
    terms: dict[str, None] = {}
    for text in policy.records:
        try:
            parsed = parse_record(text)
        except ValueError:
            continue
        terms.update((t.text, None) for t in parsed.terms if not _is_end(t))
    merged = " ".join(["v=spf1", *terms, "-all"])
    evidence = {"kind": "multiple", "records": list(policy.records), "count": len(policy.records)}
    fix = (
        f"Receivers treat {len(policy.records)} v=spf1 records as an error. Replace them with "
        f"one TXT record that keeps every sender, for example: {merged}"
    )
    return finding(
        "email.spf-invalid", target=domain, evidence=evidence, fix=fix, fingerprint_keys=["kind"]
    )


def _too_many(domain: str, policy: SpfPolicy) -> Finding:
    evidence: dict[str, JSONValue] = {
        "lookups": policy.lookups,
        "limit": LOOKUP_LIMIT,
        "record": policy.records[0],
        "includes": list(policy.includes),
    }
    fix = None
    if policy.loops:
        evidence["loops"] = list(policy.loops)
        fix = (
            f"Break the include loop ({'; '.join(policy.loops)}): a record must never include "
            "itself, directly or through another record. Receivers give up with permerror."
        )
    if policy.truncated:
        evidence["truncated"] = True
    return finding(
        "email.spf-too-many-lookups", target=domain, evidence=evidence, fix=fix, fingerprint_keys=[]
    )


def _voids(domain: str, policy: SpfPolicy) -> Finding:
    names = list(policy.void_names)
    evidence = {"void_lookups": policy.void_lookups, "limit": VOID_LIMIT, "names": names}
    fix = (
        f"Remove or correct the terms naming {', '.join(names)}: these names do not exist or "
        "have no records, usually left over from a provider you no longer use."
    )
    return finding(
        "email.spf-void-lookups", target=domain, evidence=evidence, fix=fix, fingerprint_keys=[]
    )


def _permissive(domain: str, policy: SpfPolicy, record: SpfRecord) -> list[Finding]:
    found: list[Finding] = []
    qualifier = policy.all_qualifier
    strict = _rewritten(record, end="-all")
    if record.all_mechanism is None and record.redirect is not None:
        strict = f"edit the record that {record.redirect.text} points to, ending it with -all"
    base: dict[str, JSONValue] = {"record": record.text}
    if qualifier in ("+", "?"):
        fix = f"Change {qualifier}all to -all once every real sender is listed: {strict}"
        found.append(_permissive_finding(domain, {**base, "all": f"{qualifier}all"}, fix))
    elif qualifier == "~":
        fix = f"Once DMARC reports show every real sender passing, change ~all to -all: {strict}"
        found.append(
            _permissive_finding(domain, {**base, "all": "~all"}, fix, severity=Severity.LOW)
        )
    elif qualifier is None:
        evidence = {**base, "all": None, "default_result": "neutral (RFC 7208 4.7, as ?all)"}
        fix = f"End the record with -all so unlisted servers fail: {strict}"
        found.append(_permissive_finding(domain, evidence, fix))
    if policy.open_terms:
        evidence = {
            **base,
            "all": "+all below the top record",
            "open_terms": list(policy.open_terms),
        }
        fix = (
            "Remove the include (or the term) that lets every server pass: "
            f"{'; '.join(policy.open_terms)}. Anything it includes is allowed to send as you."
        )
        found.append(_permissive_finding(domain, evidence, fix))
    return found


def _permissive_finding(
    domain: str, evidence: dict[str, JSONValue], fix: str, severity: Severity | None = None
) -> Finding:
    return finding(
        "email.spf-permissive",
        target=domain,
        evidence=evidence,
        severity=severity,
        fix=fix,
        fingerprint_keys=["all"],
    )


def _sender_missing(
    domain: str, policy: SpfPolicy, record: SpfRecord, provider: Provider
) -> Finding:
    evidence = {
        "provider": provider.name,
        "display": provider.display,
        "needs_include": provider.include,
        "accepted_includes": list(provider.includes),
        "record": record.text,
    }
    fix = (
        f"Add include:{provider.include} to the SPF record of {domain}, before the all term, "
        f"keeping a single record: {_rewritten(record, insert=f'include:{provider.include}')}"
    )
    if policy.lookups >= LOOKUP_LIMIT:
        fix += f" The record already needs {policy.lookups} lookups: make room first."
    if provider.note:
        fix += f" {provider.note}"
    if provider.docs:
        fix += f" ({provider.docs})"
    return finding(
        "email.spf-sender-missing",
        target=domain,
        evidence=evidence,
        title=f"{provider.display} is missing from the SPF record of {domain}",
        fix=fix,
        fingerprint_keys=["provider"],
    )


def _is_end(term: Mechanism | Modifier) -> bool:
    return (isinstance(term, Mechanism) and term.name == "all") or (
        isinstance(term, Modifier) and term.name == "redirect"
    )


def _rewritten(record: SpfRecord, *, insert: str | None = None, end: str | None = None) -> str:
    """The record with ``insert`` placed before its ``all`` (or redirect), or with its
    ending replaced by ``end``: the exact text to paste, not a description of it."""
    terms = [t.text for t in record.terms]
    position = next((i for i, t in enumerate(record.terms) if _is_end(t)), len(terms))
    if insert is not None:
        terms.insert(position, insert)
    if end is not None and record.modifier("redirect") is None:
        mechanism = record.all_mechanism
        if mechanism is None:
            terms.append(end)
        else:
            terms[terms.index(mechanism.text)] = end
    return " ".join(["v=spf1", *terms])
