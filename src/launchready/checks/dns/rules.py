"""The DNS rules that read answers only: resolution, staging, nameservers, CAA, DNSSEC, stale.

Each rule is a pure function of the plan and the survey, so a test can feed it answers
from any server. A rule that needs an answer the network did not give records the failure
in the survey and says nothing: silence from a timeout is not evidence.
"""

from __future__ import annotations

import ipaddress

from launchready.catalog import finding
from launchready.checks.dns.records import normalise
from launchready.checks.dns.survey import Plan, Survey, hostname, within
from launchready.data import in_cdn
from launchready.findings import Finding, JSONValue, Severity
from launchready.manifest import Manifest

NS_PREFIX = {4: 24, 6: 48}
"""One network for nameserver diversity: a /24 for IPv4, a /48 for IPv6 (checks.md)."""


def apex_exists(plan: Plan, survey: Survey) -> bool:
    """False when the apex itself is NXDOMAIN: the zone is not there at all, and
    NS, CAA and DNSSEC findings would only repeat dns.apex-unresolved."""
    answer = survey.peek(plan.apex, "A")
    return not (answer is not None and answer.status == "nxdomain" and not answer.canonical_name)


def apex_unresolved(plan: Plan, survey: Survey) -> list[Finding]:
    addresses = survey.addresses(plan.apex)
    if addresses is None or addresses:
        return []
    return [
        finding(
            "dns.apex-unresolved",
            target=plan.apex,
            evidence=_resolution(plan.apex, survey),
        )
    ]


def hosts_unresolved(plan: Plan, survey: Survey) -> list[Finding]:
    """Every audited host must resolve; a storefront that does not is the store down."""
    findings = []
    for host in plan.hosts:
        addresses = survey.addresses(host)
        if addresses is None or addresses:
            continue
        storefront = ("storefront" in plan.roles(host)) or host == plan.canonical_host
        findings.append(
            finding(
                "dns.host-unresolved",
                target=host,
                evidence=_resolution(host, survey),
                severity=Severity.BLOCKER if storefront else None,
                checkout=host in plan.checkout_hosts,
            )
        )
    return findings


def staging_public(plan: Plan, survey: Survey) -> list[Finding]:
    findings = []
    for host in plan.staging:
        addresses = survey.addresses(host)
        if addresses:
            evidence: dict[str, JSONValue] = {"addresses": addresses}
            if survey.cname(host):
                evidence["cname"] = survey.cname(host)
            findings.append(finding("dns.staging-public", target=host, evidence=evidence))
    return findings


def nameservers_single(plan: Plan, survey: Survey) -> list[Finding]:
    """Fewer than two NS, or every NS address in one network (RFC 2182 section 3.1)."""
    answer = survey.judged(plan.apex, "NS")
    if answer is None:
        return []
    names = sorted(hostname(n) for n in answer.records) if answer.ok else []
    evidence: dict[str, JSONValue] = {"nameservers": names}
    if len(names) >= 2:
        networks: set[str] = set()
        unresolved: list[str] = []
        unknown = False
        for name in names:
            addresses = survey.addresses(name)
            if addresses is None:
                unknown = True
            elif not addresses:
                unresolved.append(name)
            networks.update(_network(a) for a in addresses or ())
        if len(networks) >= 2 or unknown:
            return []  # diverse, or not knowable: the failed NS lookup was recorded
        evidence["networks"] = sorted(networks)
        if unresolved:
            evidence["unresolved"] = unresolved
    return [finding("dns.nameservers-single", target=plan.apex, evidence=evidence)]


def caa_missing(plan: Plan, survey: Survey) -> list[Finding]:
    answer = survey.judged(plan.apex, "CAA")
    if answer is None or answer.ok:
        return []
    return [finding("dns.caa-missing", target=plan.apex, evidence={"CAA": answer.status})]


def dnssec_missing(plan: Plan, survey: Survey) -> list[Finding]:
    answer = survey.judged(plan.apex, "DNSKEY")
    if answer is None or answer.ok:
        return []
    return [finding("dns.dnssec-missing", target=plan.apex, evidence={"DNSKEY": answer.status})]


def stale_records(
    plan: Plan, survey: Survey, manifest: Manifest, dangling: set[str]
) -> list[Finding]:
    """A/AAAA/CNAME of audited hosts that point outside everything the manifest calls ours.

    Known addresses are ``site.origin_ips``, the A/AAAA values of ``dns.expect`` and, with
    ``site.cdn: cloudflare``, Cloudflare's published ranges; known CNAME targets are the
    CNAME values of ``dns.expect`` and names under the site's own domain. A manifest that
    declares none of them gives nothing to compare with, so the rule stays silent.
    """
    known_ips = {normalise("A", ip) for ip in manifest.site.origin_ips}
    known_names: set[str] = set()
    for record in plan.expected:
        if record.type in ("A", "AAAA"):
            known_ips.update(normalise(record.type, v) for v in record.values)
        elif record.type == "CNAME":
            known_names.update(normalise("CNAME", v) for v in record.values)
    cdn = manifest.site.cdn if manifest.site.cdn == "cloudflare" else None
    judge_addresses = bool(known_ips) or cdn is not None
    if not judge_addresses and not known_names:
        return []
    findings = []
    for host in [plan.apex, *plan.hosts]:
        if host in dangling:
            continue
        if survey.judged(host, "CNAME") is None:
            continue
        target = survey.cname(host)
        if target is not None and not within(target, plan.apex):
            if target in known_names:
                continue  # a declared provider: its addresses are the provider's to change
            findings.append(_stale(plan, host, {"cname": target}))
            continue
        if not judge_addresses:
            continue
        addresses = survey.addresses(host)
        strays = [
            a for a in addresses or () if normalise("A", a) not in known_ips and not _in(a, cdn)
        ]
        if strays:
            evidence: dict[str, JSONValue] = {"addresses": strays, "known": sorted(known_ips)}
            if cdn:
                evidence["cdn"] = cdn
            findings.append(_stale(plan, host, evidence))
    return findings


def _stale(plan: Plan, host: str, evidence: dict[str, JSONValue]) -> Finding:
    return finding(
        "dns.stale-record",
        target=host,
        evidence=evidence,
        checkout=host in plan.checkout_hosts,
    )


def _in(address: str, cdn: str | None) -> bool:
    return cdn is not None and in_cdn(address, cdn)


def _network(address: str) -> str:
    ip = ipaddress.ip_address(address)
    return str(ipaddress.ip_network(f"{ip}/{NS_PREFIX[ip.version]}", strict=False))


def _resolution(name: str, survey: Survey) -> dict[str, JSONValue]:
    """What DNS said for ``name``: each type's status, and the CNAME chain if any."""
    evidence: dict[str, JSONValue] = {}
    for rdtype in ("A", "AAAA"):
        answer = survey.peek(name, rdtype)
        evidence[rdtype] = answer.status if answer is not None else "not asked"
    first = survey.peek(name, "A")
    if survey.cname(name):
        evidence["cname"] = survey.cname(name)
    if first is not None and first.canonical_name:
        evidence["via"] = first.canonical_name
    return evidence
