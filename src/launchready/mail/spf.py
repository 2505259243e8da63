"""SPF (RFC 7208): the one import for parsing, evaluating and auditing SPF policies.

``check_host`` answers "may this IP send mail for this domain?" for a real message
(``launchready email verify-message``); ``analyze_spf`` answers "is this domain's policy
sound?" for the audit, where no IP is known. Both run on :class:`launchready.net.Resolver`
and are proven on the RFC 7208 test suite (tests/mail/test_spf_rfc7208.py).
"""

from __future__ import annotations

from launchready.mail.spf_analyze import PolicyStatus, SpfPolicy, analyze_spf
from launchready.mail.spf_eval import (
    LOOKUP_LIMIT,
    VOID_LIMIT,
    SpfResult,
    SpfResultCode,
    check_host,
    spf_identity,
)
from launchready.mail.spf_parse import (
    Mechanism,
    Modifier,
    SpfRecord,
    SpfSyntaxError,
    is_spf_record,
    parse_record,
    select_spf_records,
)

__all__ = [
    "LOOKUP_LIMIT",
    "VOID_LIMIT",
    "Mechanism",
    "Modifier",
    "PolicyStatus",
    "SpfPolicy",
    "SpfRecord",
    "SpfResult",
    "SpfResultCode",
    "SpfSyntaxError",
    "analyze_spf",
    "check_host",
    "is_spf_record",
    "parse_record",
    "select_spf_records",
    "spf_identity",
]
