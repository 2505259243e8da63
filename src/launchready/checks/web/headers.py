"""Judgements read from response headers: security headers, CSP, cookies, versions.

Each is a property of how a host is configured, so findings are grouped per host (one
finding listing every page and header concerned) instead of one per page: the fix is one
line of server configuration, and the report should read that way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from launchready.catalog import finding
from launchready.checks.web.collect import Exchange, host_of
from launchready.findings import Finding, JSONValue
from launchready.net import HttpResponse

SESSION_NAME = re.compile(
    r"^(?:session|sessionid|sid|sess|auth|token|remember|connect\.sid|phpsessid|jsessionid"
    r"|asp\.net_sessionid|laravel_session|_session_id)$|session|sess_|_sess|auth|token|remember",
    re.I,
)
"""Cookie names that hold a login or cart session (exact names, then name fragments)."""
VERSION = re.compile(r"\d+(?:\.\d+)+")
VERSION_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")
ALWAYS_VERSIONED = frozenset({"x-aspnet-version", "x-aspnetmvc-version"})


def _by_host(exchanges: Iterable[Exchange]) -> dict[str, list[Exchange]]:
    hosts: dict[str, list[Exchange]] = {}
    for ex in exchanges:
        hosts.setdefault(host_of(ex.response.url), []).append(ex)
    return hosts


def missing_headers(response: HttpResponse) -> list[str]:
    """The basic security headers ``response`` lacks, by name."""
    missing = []
    if (response.header("x-content-type-options") or "").strip().lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    csp = " ".join(response.header_all("content-security-policy")).lower()
    xfo = (response.header("x-frame-options") or "").strip().lower()
    if "frame-ancestors" not in csp and xfo not in ("deny", "sameorigin"):
        missing.append("X-Frame-Options or CSP frame-ancestors")
    if not (response.header("referrer-policy") or "").strip():
        missing.append("Referrer-Policy")
    return missing


def headers_missing(pages: list[Exchange]) -> list[Finding]:
    """web.headers-missing: one finding per host, naming each header missing on any page."""
    findings = []
    for host, exchanges in _by_host(pages).items():
        missing: dict[str, None] = {}
        urls = []
        for ex in exchanges:
            lacking = missing_headers(ex.response)
            if lacking:
                urls.append(ex.response.url)
                missing.update(dict.fromkeys(lacking))
        if missing:
            findings.append(
                finding(
                    "web.headers-missing",
                    target=urls[0] if len(urls) == 1 else host,
                    evidence={"missing": list(missing), "pages": urls},
                    fingerprint_keys=["missing"],
                )
            )
    return findings


def csp_missing(pages: list[Exchange]) -> list[Finding]:
    """web.csp-missing: HTML pages without an enforced Content-Security-Policy, per host."""
    findings = []
    for host, exchanges in _by_host(pages).items():
        responses = [ex.response for ex in exchanges]
        lacking = [r for r in responses if not r.header("content-security-policy")]
        if not lacking:
            continue
        report_only = all(r.header("content-security-policy-report-only") for r in lacking)
        evidence: dict[str, JSONValue] = {"pages": [r.url for r in lacking]}
        if report_only:
            evidence["report_only"] = True
        findings.append(
            finding(
                "web.csp-missing",
                target=lacking[0].url if len(lacking) == 1 else host,
                evidence=evidence,
                fingerprint_keys=["report_only"],
            )
        )
    return findings


@dataclass(frozen=True)
class Cookie:
    """The parts of a Set-Cookie header that decide whether it is safe."""

    name: str
    attributes: frozenset[str]
    deleting: bool

    @classmethod
    def parse(cls, header: str) -> Cookie:
        first, _, rest = header.partition(";")
        name = first.partition("=")[0].strip()
        attributes = set()
        deleting = False
        for part in rest.split(";"):
            key, _, value = part.strip().partition("=")
            key = key.strip().lower()
            attributes.add(key)
            if key == "max-age" and value.strip().lstrip("-").isdigit():
                deleting = deleting or int(value.strip()) <= 0
            if key == "expires" and ("1970" in value or "1980" in value):
                deleting = True
        return cls(name, frozenset(attributes), deleting)

    @property
    def session(self) -> bool:
        return bool(SESSION_NAME.search(self.name))

    def problems(self, https: bool) -> list[str]:
        """What the cookie lacks: Secure on HTTPS, HttpOnly and SameSite for a session."""
        lacking = []
        if https and "secure" not in self.attributes:
            lacking.append("Secure")
        if self.session and "httponly" not in self.attributes:
            lacking.append("HttpOnly")
        if self.session and "samesite" not in self.attributes:
            lacking.append("SameSite")
        return lacking


def cookies_insecure(exchanges: Iterable[Exchange]) -> list[Finding]:
    """web.cookie-insecure: one finding per host and cookie name, where it was first set."""
    seen: dict[tuple[str, str], Finding] = {}
    for ex in exchanges:
        response = ex.response
        https = response.url.startswith("https://")
        for header in response.header_all("set-cookie"):
            cookie = Cookie.parse(header)
            key = (host_of(response.url), cookie.name)
            lacking = cookie.problems(https)
            if not cookie.name or cookie.deleting or not lacking or key in seen:
                continue
            seen[key] = finding(
                "web.cookie-insecure",
                target=response.url,
                evidence={"cookie": cookie.name, "missing": lacking, "session": cookie.session},
                checkout=ex.checkout,
                fingerprint_keys=["cookie", "missing"],
            )
    return list(seen.values())


def version_disclosure(exchanges: Iterable[Exchange]) -> list[Finding]:
    """web.version-disclosure: headers naming exact versions, once per host."""
    findings = []
    for host, group in _by_host(exchanges).items():
        named: dict[str, str] = {}
        for ex in group:
            for header in VERSION_HEADERS:
                value = ex.response.header(header)
                if value and (header in ALWAYS_VERSIONED or VERSION.search(value)):
                    named.setdefault(header, value.strip()[:200])
        if named:
            shown = {_title(k): v for k, v in named.items()}
            findings.append(
                finding("web.version-disclosure", target=host, evidence={"headers": shown})
            )
    return findings


def _title(header: str) -> str:
    return "-".join(p.capitalize() for p in header.split("-")).replace("Aspnet", "AspNet")
