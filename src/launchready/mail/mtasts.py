"""MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460) for a domain that receives mail.

A policy counts only when a sender would use it: exactly one ``v=STSv1`` TXT record at
``_mta-sts.<domain>`` *and* a valid policy file fetched from
``https://mta-sts.<domain>/.well-known/mta-sts.txt`` with a verified certificate, status
200, no redirect and ``text/plain``. ``mode: none`` is how a domain withdraws its policy,
so it counts as none. A policy whose ``mx`` patterns miss a real MX host is unusable too:
in enforce mode senders would refuse to deliver to that host.

DNS that cannot answer, or a policy host that times out, raises
:class:`~launchready.errors.ConnectivityError`: we cannot tell a missing policy from a slow
network. A policy host that refuses, fails TLS or does not resolve is a finding, because
senders fail on it exactly as we did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from launchready.errors import ConnectivityError
from launchready.mail.dkim import TagListError, duplicates, parse_tag_list
from launchready.net import DnsAnswer, HttpClient, Resolver

StsMode = Literal["enforce", "testing", "none"]
MAX_AGE_LIMIT = 31_557_600
_ID = re.compile(r"[A-Za-z0-9]{1,32}\Z")
_TEMPORARY = ("servfail", "timeout", "error")


class MtaStsError(ValueError):
    """A record or policy senders would ignore; the message says why."""


def is_sts_record(text: str) -> bool:
    return text.startswith("v=STSv1;") or text == "v=STSv1"


def parse_sts_record(text: str) -> str:
    """The policy ``id`` of a ``_mta-sts`` TXT record (RFC 8461 3.1)."""
    try:
        pairs = parse_tag_list(text)
    except TagListError as exc:
        raise MtaStsError(f"syntax error: {exc}") from None
    if not pairs or pairs[0] != ("v", "STSv1"):
        raise MtaStsError("the record must start with v=STSv1;")
    if duplicates(pairs):
        raise MtaStsError(f"tag {', '.join(duplicates(pairs))} appears more than once")
    policy_id = dict(pairs).get("id")
    if policy_id is None:
        raise MtaStsError("no id= tag: senders cannot tell when the policy changes")
    if not _ID.match(policy_id):
        raise MtaStsError(f"id={policy_id} must be 1 to 32 letters and digits")
    return policy_id


@dataclass(frozen=True)
class StsPolicy:
    mode: StsMode
    max_age: int
    mx: tuple[str, ...]


def parse_sts_policy(text: str) -> StsPolicy:
    """The policy file (RFC 8461 3.2): ``key: value`` lines, CRLF or LF."""
    fields: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise MtaStsError(f"line {line.strip()!r} is not 'key: value'")
        fields.setdefault(key.strip(), []).append(value.strip())
    for key in ("version", "mode", "max_age"):
        if len(fields.get(key, [])) != 1:
            raise MtaStsError(f"the policy needs exactly one {key}: line")
    if fields["version"][0] != "STSv1":
        raise MtaStsError(f"version: {fields['version'][0]} is not STSv1")
    mode = fields["mode"][0]
    if mode not in ("enforce", "testing", "none"):
        raise MtaStsError(f"mode: {mode} is not enforce, testing or none")
    max_age = fields["max_age"][0]
    if not max_age.isdigit() or len(max_age) > 10 or int(max_age) > MAX_AGE_LIMIT:
        raise MtaStsError(f"max_age: {max_age} is not a number of seconds up to {MAX_AGE_LIMIT}")
    mx = tuple(p.lower().rstrip(".") for p in fields.get("mx", []))
    if mode != "none" and not mx:
        raise MtaStsError("no mx: line: senders would accept no MX host")
    return StsPolicy(
        "enforce" if mode == "enforce" else "testing" if mode == "testing" else "none",
        int(max_age),
        mx,
    )


def mx_matches(host: str, pattern: str) -> bool:
    """RFC 8461 4.1: exact names, or ``*.`` for exactly one leftmost label."""
    name = host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return name == pattern


@dataclass(frozen=True)
class StsStatus:
    """Whether a sender would find a usable MTA-STS policy, and why not."""

    usable: bool
    problem: str | None = None
    record: str | None = None
    policy_url: str | None = None
    http_status: int | None = None
    mode: StsMode | None = None


async def inspect_mta_sts(
    resolver: Resolver, http: HttpClient, domain: str, mx_hosts: Sequence[str]
) -> StsStatus:
    """Find the policy the way a sender does (DNS record first, then the HTTPS file)."""
    answer = await resolver.query(f"_mta-sts.{domain}", "TXT")
    candidates = [r for r in _records(answer) if is_sts_record(r)]
    if not candidates:
        return StsStatus(False, f"no v=STSv1 TXT record at _mta-sts.{domain}")
    if len(candidates) > 1:
        return StsStatus(False, f"{len(candidates)} v=STSv1 records: senders then use none")
    record = candidates[0]
    try:
        parse_sts_record(record)
    except MtaStsError as exc:
        return StsStatus(False, str(exc), record)
    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    response = await http.get(url)
    if response.error_kind == "timeout":
        raise ConnectivityError(f"GET {url}: {response.error}")
    if response.status is None:
        return StsStatus(False, f"the policy cannot be fetched: {response.error}", record, url)
    problem = _response_problem(response.status, response.header("Content-Type"))
    if problem is not None:
        return StsStatus(False, problem, record, url, response.status)
    try:
        policy = parse_sts_policy(response.text)
    except MtaStsError as exc:
        return StsStatus(False, str(exc), record, url, response.status)
    if policy.mode == "none":
        return StsStatus(False, "mode: none withdraws the policy", record, url, 200, "none")
    missed = [h for h in mx_hosts if not any(mx_matches(h, p) for p in policy.mx)]
    if missed:
        problem = f"MX host {', '.join(missed)} matches no mx: line of the policy"
        return StsStatus(False, problem, record, url, 200, policy.mode)
    return StsStatus(True, None, record, url, 200, policy.mode)


def _response_problem(status: int, content_type: str | None) -> str | None:
    if 300 <= status < 400:
        return f"the policy URL answers {status}: senders do not follow redirects"
    if status != 200:
        return f"the policy URL answers {status}"
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "text/plain":
        return f"the policy is served as {media or 'no type'}, not text/plain"
    return None


# --- TLS-RPT (RFC 8460 3) ----------------------------------------------------------------


def parse_tlsrpt(text: str) -> tuple[str, ...]:
    """The ``rua`` destinations of a ``_smtp._tls`` record."""
    try:
        pairs = parse_tag_list(text)
    except TagListError as exc:
        raise MtaStsError(f"syntax error: {exc}") from None
    if not pairs or pairs[0] != ("v", "TLSRPTv1"):
        raise MtaStsError("the record must start with v=TLSRPTv1;")
    if duplicates(pairs):
        raise MtaStsError(f"tag {', '.join(duplicates(pairs))} appears more than once")
    rua = [u.strip() for u in dict(pairs).get("rua", "").split(",") if u.strip()]
    if not rua:
        raise MtaStsError("no rua=: reports have nowhere to go")
    bad = [u for u in rua if not re.match(r"(mailto:[^@\s]+@[^@\s]+|https://\S+)\Z", u, re.I)]
    if bad:
        raise MtaStsError(f"rua {', '.join(bad)} is not a mailto: or https: URI")
    return tuple(rua)


@dataclass(frozen=True)
class TlsRptStatus:
    usable: bool
    problem: str | None = None
    record: str | None = None


async def inspect_tlsrpt(resolver: Resolver, domain: str) -> TlsRptStatus:
    answer = await resolver.query(f"_smtp._tls.{domain}", "TXT")
    candidates = [r for r in _records(answer) if r.startswith("v=TLSRPTv1")]
    if not candidates:
        return TlsRptStatus(False, f"no v=TLSRPTv1 TXT record at _smtp._tls.{domain}")
    if len(candidates) > 1:
        return TlsRptStatus(False, f"{len(candidates)} v=TLSRPTv1 records: senders use none")
    try:
        parse_tlsrpt(candidates[0])
    except MtaStsError as exc:
        return TlsRptStatus(False, str(exc), candidates[0])
    return TlsRptStatus(True, None, candidates[0])


def _records(answer: DnsAnswer) -> tuple[str, ...]:
    if answer.status in _TEMPORARY:
        raise ConnectivityError(f"DNS lookup of {answer.name} TXT failed: {answer.status}")
    return answer.records
