"""The dns area: the domain and its records, judged before anything else can be.

Every later check stands on DNS: a store whose apex does not resolve, whose alias points
at a deleted app, or whose staging host is published has problems no TLS or page check can
see. The area fetches what it needs in three concurrent rounds (the apex; then every name,
the guessed names, the nameservers and the home page; then the names the page links to),
lets the rules judge the answers, and delivers the DNS map (``dns_map``) that the reports
show.

A lookup that times out or fails is not a finding: it says something about the network,
not the store. The area then raises :class:`~launchready.errors.ConnectivityError` naming
the lookups, so the audit reports "dns: could not check" instead of crying wolf.
"""

from __future__ import annotations

import asyncio

from launchready.checks.dns import records, rules, takeover
from launchready.checks.dns.survey import (
    JUDGEABLE,
    MAP_TYPES,
    Plan,
    Survey,
    dns_map,
    failure_text,
)
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding
from launchready.manifest import Manifest
from launchready.net.dns import DnsAnswer

__all__ = ["run", "skip_reason"]

APEX_TYPES = ("A", "AAAA", "NS")
"""The first round: if none of these answers, nothing else will, so stop early."""
ZONE_TYPES = ("CAA", "DNSKEY")
MAX_FAILURES_SHOWN = 4


def skip_reason(manifest: Manifest) -> str | None:
    """The area needs only ``site.domain``, which every manifest has."""
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    plan = Plan.of(ctx.manifest)
    survey = Survey(ctx.resolver)
    await survey.fetch((plan.apex, t) for t in APEX_TYPES)
    first = [survey.peek(plan.apex, t) for t in APEX_TYPES]
    if not any(a is not None and a.status in JUDGEABLE for a in first):
        ctx.deliver("dns_map", dns_map(plan, survey, ()))
        raise ConnectivityError(_unreachable(ctx, plan, first))

    # Round two, with the home page fetched alongside: every name of the map, the zone's
    # own records, the planned records, the guessed names and the nameservers' addresses.
    guessed = [f"{label}.{plan.apex}" for label in takeover.COMMON_LABELS]
    names_round = survey.fetch(
        [(name, t) for name in plan.map_names for t in MAP_TYPES]
        + [(plan.apex, t) for t in ZONE_TYPES]
        + [(e.name, e.type) for e in plan.expected]
        + [(name, t) for name in guessed for t in ("CNAME", "A")]
        + [(name, t) for name in _nameservers(plan, survey) for t in ("A", "AAAA")]
    )
    _, linked = await asyncio.gather(names_round, takeover.linked_hosts(ctx, plan))
    candidates = takeover.candidates(plan, linked)
    # Round three: the names only the home page revealed.
    await survey.fetch((c.name, t) for c in candidates for t in ("CNAME", "A"))

    dangling = await takeover.dangling_cnames(ctx, plan, survey, candidates)
    findings = [*dangling, *_judge(ctx, plan, survey, {f.target for f in dangling})]
    discovered = [c.name for c in candidates if not c.judged and survey.cname(c.name)]
    ctx.deliver("dns_map", dns_map(plan, survey, discovered))
    if survey.failures:
        raise ConnectivityError(_failed(survey, len(findings)))
    return findings


def _nameservers(plan: Plan, survey: Survey) -> tuple[str, ...]:
    answer = survey.peek(plan.apex, "NS")
    return answer.records if answer is not None and answer.ok else ()


def _judge(ctx: CheckContext, plan: Plan, survey: Survey, dangling: set[str]) -> list[Finding]:
    """Every rule but the dangling CNAMEs, which need the network and ran already."""
    findings = rules.apex_unresolved(plan, survey)
    findings += rules.hosts_unresolved(plan, survey)
    findings += records.record_mismatches(plan, survey)
    findings += rules.stale_records(plan, survey, ctx.manifest, dangling)
    findings += rules.staging_public(plan, survey)
    if rules.apex_exists(plan, survey):
        findings += rules.nameservers_single(plan, survey)
        findings += rules.caa_missing(plan, survey)
        findings += rules.dnssec_missing(plan, survey)
    return findings


def _servers(ctx: CheckContext) -> str:
    configured = ctx.manifest.network.nameservers
    return f"the nameservers {', '.join(configured)}" if configured else "the system resolver"


def _unreachable(ctx: CheckContext, plan: Plan, answers: list[DnsAnswer | None]) -> str:
    details = "; ".join(failure_text(a) for a in answers if a is not None)
    return f"{_servers(ctx)} gave no usable answer for {plan.apex} ({details})"


def _failed(survey: Survey, judged: int) -> str:
    failures = list(survey.failures.values())
    shown = "; ".join(failures[:MAX_FAILURES_SHOWN])
    more = len(failures) - MAX_FAILURES_SHOWN
    text = f"{len(failures)} DNS lookup(s) gave no usable answer: {shown}"
    if more > 0:
        text += f"; and {more} more"
    if judged:
        text += f" ({judged} finding(s) from the other answers are held back until these answer)"
    return text
