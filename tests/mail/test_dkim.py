"""DKIM key records (RFC 6376 3.6.1) and signature verification against Knot DNS."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from launchready.mail.dkim import (
    DkimKeyError,
    TagListError,
    parse_dkim_key,
    parse_tag_list,
    verify_signatures,
)
from launchready.manifest import Network
from launchready.net import Resolver
from tests.dnslab.knot import KnotServer, require_knot


@dataclass(frozen=True)
class MadeKey:
    """An RSA key made by a test: the PEM to sign with and the DER to publish."""

    pem: bytes
    der: bytes
    bits: int

    @property
    def p(self) -> str:
        return base64.b64encode(self.der).decode("ascii")

    def record(self, prefix: str = "v=DKIM1; k=rsa; ") -> str:
        return prefix + "p=" + self.p


def new_key(bits: int = 2048) -> MadeKey:
    key = _small_key(bits) if bits < 1024 else rsa.generate_private_key(65537, bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return MadeKey(pem, der, bits)


def _small_key(bits: int) -> rsa.RSAPrivateKey:
    """cryptography refuses to generate keys under 1024 bits (rightly), but the weak-key
    rules need one: build it from two primes (Fermat-tested, plenty for a test key)."""
    rng = random.Random(bits)
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        try:
            d = pow(65537, -1, (p - 1) * (q - 1))
        except ValueError:
            continue
        public = rsa.RSAPublicNumbers(65537, p * q)
        dmp1, dmq1, iqmp = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
        return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, public).private_key()


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)):
            return n


def txt(value: str) -> str:
    """A zone-file TXT value split into 255-byte strings, as DNS requires."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def message(
    from_addr: str = "orders@shop.test", body: str = "Thank you for your order.\r\n"
) -> bytes:
    return (
        f"From: Shop <{from_addr}>\r\nTo: sam@example.test\r\nSubject: Order 1001\r\n"
        f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1001@shop.test>\r\n\r\n{body}"
    ).encode()


def sign(data: bytes, key: MadeKey, domain: str, selector: str = "s1") -> bytes:
    signature = dkim.sign(data, selector.encode(), domain.encode(), key.pem)
    return bytes(signature) + data


KEY_2048 = new_key(2048)
KEY_1024 = new_key(1024)
KEY_512 = new_key(512)
ED_RAW = (
    ed25519.Ed25519PrivateKey.generate()
    .public_key()
    .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
)
ED_P = base64.b64encode(ED_RAW).decode()


@pytest.mark.parametrize(
    ("text", "key_type", "bits"),
    [
        (KEY_2048.record(), "rsa", 2048),
        (KEY_1024.record(""), "rsa", 1024),
        (f"k=rsa; t=y:s; h=sha1:sha256; s=email; p={KEY_2048.p}", "rsa", 2048),
        (f"v=DKIM1; p={KEY_2048.p[:40]} {KEY_2048.p[40:]}", "rsa", 2048),
        (f"v=DKIM1; k=ed25519; p={ED_P}", "ed25519", 256),
        (f"v=DKIM1; n=notes are ignored; x_unknown=1; p={KEY_2048.p}", "rsa", 2048),
        (f"v=DKIM1; s=*; h=sha256:future; p={KEY_2048.p}", "rsa", 2048),
    ],
    ids=["spki", "no-version", "flags", "folded-p", "ed25519", "unknown-tags", "star"],
)
def test_valid_keys(text: str, key_type: str, bits: int) -> None:
    key = parse_dkim_key(text)
    assert (key.key_type, key.bits, key.revoked) == (key_type, bits, False)


def test_empty_p_is_a_revoked_key() -> None:
    assert parse_dkim_key("v=DKIM1; k=rsa; p=").revoked


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"k=rsa; v=DKIM1; p={KEY_2048.p}", "v= must come first"),
        (f"v=DKIM2; p={KEY_2048.p}", "v= must come first"),
        (f"v=DKIM1; k=dsa; p={KEY_2048.p}", "unknown key type"),
        ("v=DKIM1; k=rsa", "no p= tag"),
        ("v=DKIM1; p=@@notbase64@@", "not valid base64"),
        ("v=DKIM1; p=aGVsbG8gd29ybGQ=", "does not decode to an RSA public key"),
        (f"v=DKIM1; k=ed25519; p={KEY_2048.p}", "32 bytes"),
        (f"v=DKIM1; p={KEY_2048.p}; p={KEY_2048.p}", "more than once"),
        (f"v=DKIM1; h=sha1; p={KEY_2048.p}", "sha256"),
        (f"v=DKIM1; s=tlsrpt; p={KEY_2048.p}", "not for email"),
        ("v=DKIM1; k=rsa; garbage", "syntax error"),
    ],
    ids=[
        "v-not-first",
        "v-wrong",
        "k-unknown",
        "no-p",
        "bad-base64",
        "not-a-key",
        "ed25519-length",
        "duplicate",
        "sha1-only",
        "not-email",
        "syntax",
    ],
)
def test_invalid_keys(text: str, problem: str) -> None:
    with pytest.raises(DkimKeyError, match=problem):
        parse_dkim_key(text)


def test_tag_list_grammar() -> None:
    assert parse_tag_list(" a=1 ;b = two words; ;c=;") == [
        ("a", "1"),
        ("b", "two words"),
        ("c", ""),
    ]
    for bad in ("=1", "1a=2", "a"):
        with pytest.raises(TagListError):
            parse_tag_list(bad)


ZONE = f"""
s1._domainkey TXT {txt(KEY_2048.record())}
weak._domainkey TXT {txt(KEY_512.record())}
revoked._domainkey TXT "v=DKIM1; k=rsa; p="
other._domainkey TXT {txt(new_key().record())}
"""


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    with KnotServer(tmp_path_factory.mktemp("knot"), {"shop.test": ZONE}) as server:
        yield server


def resolver(knot: KnotServer) -> Resolver:
    return Resolver(Network(nameservers=[knot.nameserver]), timeout=2.0)


async def test_a_good_signature_passes(knot: KnotServer) -> None:
    [check] = await verify_signatures(sign(message(), KEY_2048, "shop.test"), resolver(knot))
    assert (check.result, check.domain, check.selector) == ("pass", "shop.test", "s1")


async def test_a_changed_body_fails(knot: KnotServer) -> None:
    signed = sign(message(), KEY_2048, "shop.test").replace(b"Thank you", b"Thank YOU")
    [check] = await verify_signatures(signed, resolver(knot))
    assert check.result == "fail"
    assert check.reason is not None and "body hash" in check.reason


@pytest.mark.parametrize(
    ("selector", "result", "reason"),
    [
        ("missing", "permerror", "no key is published"),
        ("revoked", "permerror", "revoked"),
        ("other", "fail", "does not match"),
        ("weak", "permerror", "too small"),
    ],
)
async def test_key_problems(knot: KnotServer, selector: str, result: str, reason: str) -> None:
    key = KEY_512 if selector == "weak" else KEY_2048
    signed = sign(message(), key, "shop.test", selector)
    [check] = await verify_signatures(signed, resolver(knot))
    assert check.result == result
    assert check.reason is not None and reason in check.reason


async def test_every_signature_is_verified_topmost_first(knot: KnotServer) -> None:
    inner = sign(message(), KEY_2048, "shop.test")
    both = sign(inner, KEY_2048, "shop.test", "missing")
    checks = await verify_signatures(both, resolver(knot))
    assert [(c.index, c.selector, c.result) for c in checks] == [
        (0, "missing", "permerror"),
        (1, "s1", "pass"),
    ]


async def test_an_unreachable_nameserver_is_a_temperror() -> None:
    silent = Resolver(Network(nameservers=["127.0.0.1:9"]), timeout=0.5)
    [check] = await verify_signatures(sign(message(), KEY_2048, "shop.test"), silent)
    assert check.result == "temperror"


async def test_a_malformed_signature_header_is_a_permerror(knot: KnotServer) -> None:
    broken = b"DKIM-Signature: v=1; a=rsa-sha256; b=abc\r\n" + message()
    [check] = await verify_signatures(broken, resolver(knot))
    assert check.result == "permerror"
    assert check.domain is None


async def test_no_signature_means_no_checks(knot: KnotServer) -> None:
    assert await verify_signatures(message(), resolver(knot)) == []
