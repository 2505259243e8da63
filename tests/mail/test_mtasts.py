"""MTA-STS (RFC 8461) records and policy files, and TLS-RPT (RFC 8460) records."""

from __future__ import annotations

import pytest

from launchready.mail.mtasts import (
    MtaStsError,
    is_sts_record,
    mx_matches,
    parse_sts_policy,
    parse_sts_record,
    parse_tlsrpt,
)

POLICY = (
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.shop.test\r\nmx: *.mail.test\r\nmax_age: 86400\r\n"
)


def test_a_record_gives_its_id() -> None:
    assert parse_sts_record("v=STSv1; id=20240301T000000;") == "20240301T000000"
    assert parse_sts_record("v=STSv1; id=1; ext_field=x") == "1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id=1; v=STSv1", "must start with v=STSv1"),
        ("v=STSv2; id=1", "must start with v=STSv1"),
        ("v=STSv1;", "no id= tag"),
        ("v=STSv1; id=2024-03-01", "1 to 32 letters and digits"),
        ("v=STSv1; id=" + "1" * 33, "1 to 32 letters and digits"),
        ("v=STSv1; id=1; id=2", "more than once"),
        ("v=STSv1; id", "syntax error"),
    ],
)
def test_invalid_records(text: str, problem: str) -> None:
    with pytest.raises(MtaStsError, match=problem):
        parse_sts_record(text)


def test_only_records_starting_with_the_version_count() -> None:
    assert is_sts_record("v=STSv1; id=1")
    assert not is_sts_record("v=spf1 -all")
    assert not is_sts_record(" v=STSv1; id=1")


def test_a_policy_parses_with_crlf_or_lf() -> None:
    for text in (POLICY, POLICY.replace("\r\n", "\n")):
        policy = parse_sts_policy(text)
        assert (policy.mode, policy.max_age, policy.mx) == (
            "enforce",
            86400,
            ("mx1.shop.test", "*.mail.test"),
        )


def test_mode_none_needs_no_mx() -> None:
    assert parse_sts_policy("version: STSv1\nmode: none\nmax_age: 0\n").mx == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (POLICY.replace("STSv1", "STSv2"), "is not STSv1"),
        (POLICY.replace("enforce", "strict"), "mode: strict"),
        (POLICY.replace("86400", "forever"), "max_age: forever"),
        (POLICY.replace("86400", "31557601"), "max_age: 31557601"),
        (POLICY.replace("mode: enforce\r\n", ""), "exactly one mode"),
        (POLICY + "mode: testing\n", "exactly one mode"),
        ("version: STSv1\nmode: testing\nmax_age: 60\n", "no mx: line"),
        ("<html>Not found</html>", "is not 'key: value'"),
    ],
)
def test_invalid_policies(text: str, problem: str) -> None:
    with pytest.raises(MtaStsError, match=problem):
        parse_sts_policy(text)


@pytest.mark.parametrize(
    ("host", "pattern", "expected"),
    [
        ("mx1.shop.test", "mx1.shop.test", True),
        ("MX1.shop.test.", "mx1.shop.test", True),
        ("a.mail.test", "*.mail.test", True),
        ("a.b.mail.test", "*.mail.test", False),
        ("mail.test", "*.mail.test", False),
        ("mx2.shop.test", "mx1.shop.test", False),
    ],
)
def test_mx_patterns(host: str, pattern: str, expected: bool) -> None:
    assert mx_matches(host, pattern) is expected


def test_a_tlsrpt_record_gives_its_destinations() -> None:
    record = "v=TLSRPTv1; rua=mailto:tls@shop.test,https://reports.example/tlsrpt"
    assert parse_tlsrpt(record) == ("mailto:tls@shop.test", "https://reports.example/tlsrpt")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rua=mailto:a@shop.test; v=TLSRPTv1", "must start with v=TLSRPTv1"),
        ("v=TLSRPTv1;", "no rua="),
        ("v=TLSRPTv1; rua=tls@shop.test", "not a mailto: or https: URI"),
        ("v=TLSRPTv1; rua=http://reports.example/", "not a mailto: or https: URI"),
        ("v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d", "more than once"),
    ],
)
def test_invalid_tlsrpt_records(text: str, problem: str) -> None:
    with pytest.raises(MtaStsError, match=problem):
        parse_tlsrpt(text)
