"""Judging one host's probe: reachability, trust, names, expiry, chain and protocols.

Each failure gets exactly one ID, the one whose fix helps: a certificate made for another
site entirely is ``tls.cert-invalid`` (install the right certificate), while the store's
own certificate that lacks this name is ``tls.host-not-covered`` (add the name). An expired
leaf is ``tls.cert-expired`` only, not also "invalid".

An incomplete chain cannot be told from an unknown issuer without fetching the issuer
(AIA), which an audit must not do behind the user's back; like testssl.sh we read
OpenSSL's "unable to get local issuer certificate" on a leaf that is not self-signed as
an incomplete chain, and a self-signed leaf or an untrusted root *in the chain* as invalid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from launchready.catalog import finding
from launchready.findings import Finding, JSONValue, Severity
from launchready.net.certs import days_left
from launchready.net.tls import WEAK_VERSIONS, TlsProbe

DAY_S = 86400.0
EXPIRING_HIGH_S = 14 * DAY_S
EXPIRING_MEDIUM_S = 30 * DAY_S
X509_V_ERR_CERT_HAS_EXPIRED = 10
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
X509_V_ERR_HOSTNAME_MISMATCH = 62
_MISSING_ISSUER = (
    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
)


Issue = tuple[str, dict[str, JSONValue], Severity | None]
"""A finding ID, its evidence, and a severity when checks.md makes it depend on the facts."""


@dataclass(frozen=True)
class Judge:
    """What the rules need beyond the probe: the time, the store's names, the thresholds."""

    now: datetime
    store_names: tuple[str, ...]
    domain: str
    expiring_high_s: float = EXPIRING_HIGH_S
    checkout_hosts: frozenset[str] = frozenset()

    def host(self, probe: TlsProbe) -> list[Finding]:
        """Every finding for one probed host (none for a host that does not resolve)."""
        if probe.error_kind in ("unresolved", "dns"):
            return []
        target = f"{probe.host}:{probe.port}"
        checkout = probe.host in self.checkout_hosts
        if not probe.ok:
            evidence = {"error": probe.error, "kind": probe.error_kind, "address": probe.address}
            return [finding("tls.unreachable", target=target, evidence=evidence, checkout=checkout)]
        issues = [*self._certificate(probe), *_weak_protocols(probe)]
        return [
            finding(i, target=target, evidence=e, severity=s, checkout=checkout)
            for i, e, s in issues
        ]

    def _certificate(self, probe: TlsProbe) -> Iterable[Issue]:
        leaf = probe.leaf
        if leaf is None:
            yield "tls.cert-invalid", {"reason": "the server sent no certificate"}, None
            return
        left_s = (leaf.not_after - self.now).total_seconds()
        dates = {
            "not_after": leaf.not_after.isoformat(),
            "days_left": days_left(leaf.not_after, self.now),
        }
        if left_s <= 0:
            yield "tls.cert-expired", dates, None
        elif left_s <= self.expiring_high_s:
            yield "tls.cert-expiring", dates, Severity.HIGH
        elif left_s <= max(EXPIRING_MEDIUM_S, self.expiring_high_s):
            yield "tls.cert-expiring", dates, Severity.MEDIUM
        if leaf.not_before > self.now:
            yield (
                "tls.cert-invalid",
                {"reason": "not valid yet", "not_before": leaf.not_before.isoformat()},
                None,
            )
        if not covers(probe.host, leaf.names):
            names: dict[str, JSONValue] = {"names": list(leaf.names)}
            if any(covers(n, leaf.names) for n in self.store_names) or any(
                _under(n, self.domain) for n in leaf.names
            ):
                yield "tls.host-not-covered", names, None
            else:
                yield (
                    "tls.cert-invalid",
                    {"reason": "the certificate is for another site", **names},
                    None,
                )
        if probe.verified is False and probe.verify_code not in (
            X509_V_ERR_HOSTNAME_MISMATCH,
            X509_V_ERR_CERT_HAS_EXPIRED,
        ):
            facts: dict[str, JSONValue] = {
                "reason": probe.verify_error,
                "chain": [c.subject for c in probe.chain],
                "issuer": leaf.issuer,
            }
            if probe.verify_code in _MISSING_ISSUER and not leaf.self_signed:
                yield "tls.chain-incomplete", facts, None
            else:
                yield "tls.cert-invalid", facts, None


def _weak_protocols(probe: TlsProbe) -> Iterable[Issue]:
    weak = [v for v in WEAK_VERSIONS if probe.accepted.get(v)]
    if weak:
        yield "tls.weak-protocol", {"accepted": list(weak)}, None


def covers(host: str, names: Iterable[str]) -> bool:
    """Whether a certificate for ``names`` is valid for ``host`` (RFC 6125 6.4: a wildcard
    stands for exactly one whole left-most label)."""
    wanted = host.lower().rstrip(".")
    for name in names:
        pattern = name.lower().rstrip(".")
        if pattern == wanted:
            return True
        if pattern.startswith("*.") and "." in wanted:
            label, rest = wanted.split(".", 1)
            if label and rest == pattern[2:] and "." in rest:
                return True
    return False


def _under(name: str, domain: str) -> bool:
    bare = name.lower().removeprefix("*.")
    return bare == domain or bare.endswith("." + domain)
