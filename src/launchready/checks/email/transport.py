"""Inbound mail transport: MX, MTA-STS and TLS-RPT of the mail domain.

Decision: MTA-STS and TLS-RPT protect mail *to* the domain, so they are judged only when
the domain publishes a real MX. With no MX (or the null MX ``0 .`` of RFC 7505, which
says "this domain takes no mail") there is nothing for them to protect: the finding then
is ``email.mx-missing``, and only when ``email.receives_mail`` says mail must arrive. A
domain with ``receives_mail: false`` that still publishes an MX does receive mail, so its
transport is judged like any other.
"""

from __future__ import annotations

import asyncio

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding, JSONValue
from launchready.mail.mtasts import inspect_mta_sts, inspect_tlsrpt
from launchready.net import DnsAnswer


def mx_hosts(answer: DnsAnswer) -> list[str]:
    """The exchanges of an MX answer; empty for no MX and for a null MX (RFC 7505)."""
    hosts = []
    for record in answer.records:
        _, _, exchange = record.partition(" ")
        host = exchange.strip().rstrip(".").lower()
        if host:
            hosts.append(host)
    return hosts


async def findings(ctx: CheckContext) -> list[Finding]:
    domain = ctx.manifest.sending_domain
    email = ctx.manifest.email
    receives_mail = email.receives_mail if email is not None else True
    # The policy records are asked for alongside the MX (answers are memoised), so a domain
    # that receives mail costs one round trip before the policy fetch, not two.
    answer, *_ = await asyncio.gather(
        ctx.resolver.query(domain, "MX"),
        ctx.resolver.query(f"_mta-sts.{domain}", "TXT"),
        ctx.resolver.query(f"_smtp._tls.{domain}", "TXT"),
    )
    if answer.status in ("servfail", "timeout", "error"):
        raise ConnectivityError(f"DNS lookup of {domain} MX failed: {answer.status}")
    hosts = mx_hosts(answer) if answer.ok else []
    if not hosts:
        if not receives_mail:
            return []
        null_mx = answer.ok and bool(answer.records)
        said = "null MX (0 .): the domain refuses mail" if null_mx else answer.status.upper()
        return [finding("email.mx-missing", target=domain, evidence={"answer": said})]
    sts, tlsrpt = await asyncio.gather(
        inspect_mta_sts(ctx.resolver, ctx.http, domain, hosts), inspect_tlsrpt(ctx.resolver, domain)
    )
    found: list[Finding] = []
    if not sts.usable:
        evidence: dict[str, JSONValue] = {"problem": sts.problem or "", "mx": hosts}
        if sts.record:
            evidence["record"] = sts.record
        if sts.policy_url:
            evidence["policy_url"] = sts.policy_url
        if sts.http_status is not None:
            evidence["http_status"] = sts.http_status
        found.append(finding("email.mta-sts-missing", target=domain, evidence=evidence))
    if not tlsrpt.usable:
        facts = {"problem": tlsrpt.problem or ""}
        if tlsrpt.record:
            facts["record"] = tlsrpt.record
        found.append(finding("email.tlsrpt-missing", target=domain, evidence=facts))
    return found
