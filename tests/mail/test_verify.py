"""``verify-message`` as a library: the SMTP facts read from headers, then DKIM, SPF and
DMARC alignment of messages signed here with keys published in a Knot zone."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from launchready.errors import InputError
from launchready.mail.envelope import envelope, load_message
from launchready.mail.verify import verify_message, verify_report
from launchready.manifest import Network
from launchready.net import Resolver
from tests.dnslab.knot import KnotServer, require_knot
from tests.mail.test_dkim import message, new_key, sign, txt

SHOP_KEY, ESP_KEY, SENDGRID_KEY = new_key(), new_key(), new_key()
ZONES = {
    "shop.test": f"""
        @ TXT "v=spf1 ip4:127.77.0.0/16 -all"
        bounces TXT "v=spf1 ip4:127.77.0.0/16 -all"
        _dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@shop.test"
        s1._domainkey TXT {txt(SHOP_KEY.record())}
    """,
    "strict.test": f"""
        bounces TXT "v=spf1 ip4:127.77.0.0/16 -all"
        _dmarc TXT "v=DMARC1; p=reject; aspf=s; adkim=s"
        s1._domainkey.mail TXT {txt(SHOP_KEY.record())}
    """,
    "esp.test": f"""
        @ TXT "v=spf1 ip4:127.88.0.0/16 -all"
        s1._domainkey TXT {txt(ESP_KEY.record())}
    """,
    "sendgrid.net": f"""
        @ TXT "v=spf1 ip4:127.89.0.0/16 -all"
        smtpapi._domainkey TXT {txt(SENDGRID_KEY.record())}
    """,
}


def received(ip: str, helo: str = "mta.example.test") -> bytes:
    return (
        f"Received: from {helo} (rdns.example.test [{ip}])\r\n"
        "\tby mx.shop.test with ESMTPS id 42; Mon, 02 Mar 2026 10:00:01 +0000\r\n"
    ).encode()


def delivered(data: bytes, return_path: str, ip: str | None = None) -> bytes:
    """``data`` as the receiving server stores it: Return-Path and Received on top."""
    head = f"Return-Path: <{return_path}>\r\n".encode()
    return head + (received(ip) if ip else b"") + data


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    with KnotServer(tmp_path_factory.mktemp("knot"), ZONES) as server:
        yield server


def resolver(knot: KnotServer) -> Resolver:
    return Resolver(Network(nameservers=[knot.nameserver]), timeout=2.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (received("127.77.0.9", "mta.shop.test"), ("127.77.0.9", "mta.shop.test", "Received")),
        (
            received("127.0.0.1", "localhost") + received("10.1.2.3") + received("127.88.0.4"),
            ("127.88.0.4", "mta.example.test", "Received"),
        ),
        (
            b"Received: from mail.esp.test ([127.88.0.7] helo=out7.esp.test)\r\n by mx; date\r\n",
            ("127.88.0.7", "out7.esp.test", "Received"),
        ),
        (
            b"Received: from [IPv6:::ffff:127.88.0.6] (unknown) by mx; date\r\n",
            ("127.88.0.6", "IPv6:::ffff:127.88.0.6", "Received"),
        ),
        (
            b"Received-SPF: pass (mx: domain of b@esp.test designates 127.88.0.2 as permitted) "
            b"client-ip=127.88.0.2; envelope-from=<b@esp.test>; helo=out2.esp.test;\r\n"
            + received("127.77.0.1"),
            ("127.88.0.2", "out2.esp.test", "Received-SPF"),
        ),
        (
            b"Authentication-Results: mx.shop.test; spf=pass smtp.mailfrom=b@esp.test "
            b"smtp.remote-ip=127.88.0.3\r\n",
            ("127.88.0.3", None, "Authentication-Results"),
        ),
        (b"Received: by mx.shop.test (Postfix, from userid 0); date\r\n", (None, None, "none")),
        (b"", (None, None, "none")),
    ],
    ids=[
        "postfix",
        "skips-internal",
        "exim",
        "ipv6",
        "received-spf",
        "auth-results",
        "local",
        "none",
    ],
)
def test_the_sending_ip_and_helo(headers: bytes, expected: tuple[str | None, ...]) -> None:
    env = envelope(message_from_bytes(headers + message()))
    assert (env.ip, env.helo, env.source) == expected


@pytest.mark.parametrize(
    ("headers", "mail_from"),
    [
        (b"Return-Path: <bounce@esp.test>\r\n", "bounce@esp.test"),
        (b"Return-Path: <>\r\n", ""),
        (b"Received-SPF: none client-ip=127.1.1.1; envelope-from=x@esp.test\r\n", "x@esp.test"),
        (b"Authentication-Results: mx; spf=pass smtp.mailfrom=y@esp.test\r\n", "y@esp.test"),
        (b"", None),
    ],
)
def test_the_mail_from(headers: bytes, mail_from: str | None) -> None:
    assert envelope(message_from_bytes(headers + message())).mail_from == mail_from


def test_the_command_line_overrides_headers() -> None:
    env = envelope(message_from_bytes(received("127.88.0.4") + message()), "127.77.0.5", "me.test")
    assert (env.ip, env.helo, env.source) == ("127.77.0.5", "me.test", "command line")


@pytest.mark.parametrize(
    "content",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary", b"just some text\nwith lines\n", b"From: nobody\r\n"],
    ids=["empty", "binary", "text", "no-address"],
)
def test_what_is_not_an_email_is_bad_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not an email message"):
        load_message(path)


def test_an_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_message(tmp_path / "missing.eml")
    with pytest.raises(InputError, match="cannot read"):
        load_message(tmp_path)


async def test_aligned_dkim_passes(knot: KnotServer) -> None:
    verdict = await verify_message(sign(message(), SHOP_KEY, "shop.test"), resolver(knot))
    assert verdict.passed
    assert verdict.aligned_signatures == (0,)
    assert verdict.spf.result == "not checked"
    assert verdict.dmarc_record == "_dmarc.shop.test"


async def test_a_third_party_signature_fails_alignment(knot: KnotServer) -> None:
    data = delivered(sign(message(), ESP_KEY, "esp.test"), "bounce@esp.test", "127.88.0.5")
    verdict = await verify_message(data, resolver(knot))
    assert not verdict.passed
    assert [s.result for s in verdict.signatures] == ["pass"]
    assert (verdict.spf.result, verdict.spf.domain, verdict.spf.aligned) == (
        "pass",
        "esp.test",
        False,
    )


async def test_the_explanation_names_the_provider(knot: KnotServer) -> None:
    data = delivered(
        sign(message(), SENDGRID_KEY, "sendgrid.net", "smtpapi"), "b@sendgrid.net", "127.89.0.1"
    )
    report = await verify_report(data, resolver(knot), target="order.eml")
    [item] = report.findings
    assert item.id == "email.alignment-failed"
    assert item.target == "order.eml"
    assert report.site == "shop.test"
    assert item.fix.startswith(
        "Your message was signed by sendgrid.net, not by your domain: add a DKIM key for "
        "shop.test at SendGrid (domain authentication)."
    )
    assert "SPF passed for sendgrid.net, which is not your domain" in item.evidence["explanation"]
    assert item.evidence["compared_with_from"] == [
        "DKIM d=sendgrid.net (adkim=r)",
        "SPF sendgrid.net (aspf=r)",
    ]
    assert report.extras["message_verification"]["dmarc_passes"] is False


async def test_a_changed_body_fails(knot: KnotServer) -> None:
    signed = sign(message(), SHOP_KEY, "shop.test").replace(b"Thank you", b"Thanks!!!")
    report = await verify_report(signed, resolver(knot), target="tampered.eml")
    [item] = report.findings
    assert item.evidence["dkim"][0]["result"] == "fail"
    assert "did not verify: body hash mismatch" in item.evidence["explanation"]


async def test_no_signature_and_a_foreign_server_fails(knot: KnotServer) -> None:
    data = delivered(message(), "orders@shop.test", "127.99.0.1")
    report = await verify_report(data, resolver(knot), target="plain.eml")
    [item] = report.findings
    assert item.evidence["spf"]["result"] == "fail"
    assert "carries no DKIM signature" in item.fix


async def test_aligned_spf_alone_passes(knot: KnotServer) -> None:
    data = delivered(message(), "bounces@bounces.shop.test", "127.77.0.9")
    verdict = await verify_message(data, resolver(knot))
    assert verdict.passed
    assert (verdict.spf.result, verdict.spf.aligned, verdict.spf.ip_source) == (
        "pass",
        True,
        "Received",
    )


async def test_the_ip_option_feeds_spf(knot: KnotServer) -> None:
    verdict = await verify_message(
        delivered(message(), "orders@shop.test"), resolver(knot), ip="127.77.0.9"
    )
    assert verdict.passed and verdict.spf.ip_source == "command line"


async def test_strict_modes_need_the_exact_domain(knot: KnotServer) -> None:
    signed = sign(message("orders@strict.test"), SHOP_KEY, "mail.strict.test")
    data = delivered(signed, "b@bounces.strict.test", "127.77.0.9")
    verdict = await verify_message(data, resolver(knot))
    assert (verdict.adkim, verdict.aspf) == ("s", "s")
    assert [s.result for s in verdict.signatures] == ["pass"]
    assert verdict.spf.result == "pass"
    assert not verdict.passed


async def test_relaxed_alignment_accepts_a_subdomain_signer(knot: KnotServer) -> None:
    signed = sign(message("orders@news.shop.test"), SHOP_KEY, "shop.test")
    verdict = await verify_message(signed, resolver(knot))
    assert verdict.passed
    assert verdict.dmarc_record == "_dmarc.shop.test"


async def test_the_null_sender_is_checked_with_the_helo(knot: KnotServer) -> None:
    data = delivered(message(), "", None)
    data = b"Received: from bounces.shop.test (x [127.77.0.3]) by mx; date\r\n" + data
    verdict = await verify_message(data, resolver(knot))
    assert (verdict.spf.domain, verdict.spf.result, verdict.passed) == (
        "bounces.shop.test",
        "pass",
        True,
    )
