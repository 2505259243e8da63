"""DKIM (RFC 6376): key records at ``<selector>._domainkey.<domain>``, and signatures.

The key parser is ours because the audit must say *why* a key is unusable (revoked, bad
base64, a version that makes verifiers discard it) and how long it is; dkimpy only answers
"verifies or not". Signature verification is dkimpy's, fed from DNS answers we fetched
through :class:`~launchready.net.Resolver`, so ``network.nameservers`` applies and dkimpy
never opens a socket of its own.

Also here: the RFC 6376 3.2 tag-list grammar, which DMARC, MTA-STS and TLS-RPT records
borrow.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import dkim  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from dkim.util import InvalidTagValueList, parse_tag_value  # type: ignore[import-untyped]

from launchready.net import DnsAnswer, Resolver

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FWS = re.compile(r"\s+")
_TEMPORARY = ("servfail", "timeout", "error")


class _DebugOnly(logging.LoggerAdapter[logging.Logger]):
    """dkimpy logs a failed verification at ERROR; for us that is a result, not an error,
    so its messages show only with -v."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        self.logger.log(logging.DEBUG, msg, *args, **kwargs)


log = _DebugOnly(logging.getLogger("launchready.mail.dkim"), {})


class TagListError(ValueError):
    """A record that is not a well-formed ``tag=value; ...`` list."""


def parse_tag_list(text: str) -> list[tuple[str, str]]:
    """``a=1; b = 2;`` -> [("a", "1"), ("b", "2")], in order, duplicates kept.

    Empty segments (``;;``) are tolerated, which RFC 6376 3.2 strictly forbids: receivers
    accept them, and a check that fails a record receivers accept would cry wolf.
    Duplicates are left for the caller, whose RFC says what a duplicate means.
    """
    pairs: list[tuple[str, str]] = []
    for spec in text.split(";"):
        if not spec.strip():
            continue
        name, equals, value = spec.partition("=")
        name = name.strip()
        if not equals or not _TAG_NAME.match(name):
            raise TagListError(f"{spec.strip()!r} is not a tag=value pair")
        pairs.append((name, value.strip()))
    return pairs


def duplicates(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Tag names that occur more than once (a whole record is invalid then)."""
    counts = Counter(name for name, _ in pairs)
    return sorted(name for name, count in counts.items() if count > 1)


# --- key records (RFC 6376 3.6.1) ---------------------------------------------------------


class DkimKeyError(ValueError):
    """A key record verifiers cannot use; the message says why in plain words."""


@dataclass(frozen=True)
class DkimKey:
    """A parsed key record. ``public_key`` empty means the key was revoked (``p=``)."""

    key_type: Literal["rsa", "ed25519"]
    public_key: bytes
    bits: int | None
    flags: tuple[str, ...] = ()

    @property
    def revoked(self) -> bool:
        return not self.public_key


def parse_dkim_key(text: str) -> DkimKey:
    """Parse one TXT value of a selector; :class:`DkimKeyError` when unusable for email.

    Unknown tags, hash names and flags are ignored, as RFC 6376 requires of verifiers.
    A revoked key parses (``revoked`` is true): whether that is a problem is the caller's.
    """
    try:
        pairs = parse_tag_list(text)
    except TagListError as exc:
        raise DkimKeyError(f"syntax error: {exc}") from None
    dup = duplicates(pairs)
    if dup:
        raise DkimKeyError(f"tag {', '.join(dup)} appears more than once")
    tags = dict(pairs)
    if "v" in tags and (pairs[0][0] != "v" or tags["v"] != "DKIM1"):
        raise DkimKeyError("v= must come first and be exactly DKIM1, or verifiers discard it")
    key_type = tags.get("k", "rsa").lower()
    if key_type not in ("rsa", "ed25519"):
        raise DkimKeyError(f"unknown key type k={tags['k']}")
    hashes = _colon_list(tags.get("h"))
    if hashes is not None and "sha256" not in hashes:
        raise DkimKeyError("h= does not allow sha256, the only hash verifiers accept (RFC 8301)")
    services = _colon_list(tags.get("s"))
    if services is not None and not {"*", "email"} & set(services):
        raise DkimKeyError(f"s={tags['s']} says the key is not for email")
    if "p" not in tags:
        raise DkimKeyError("no p= tag: the record holds no public key")
    try:
        public = base64.b64decode(_FWS.sub("", tags["p"]), validate=True)
    except (binascii.Error, ValueError):
        raise DkimKeyError("p= is not valid base64") from None
    flags = tuple(_colon_list(tags.get("t")) or ())
    if not public:
        return DkimKey("rsa" if key_type == "rsa" else "ed25519", b"", None, flags)
    if key_type == "ed25519":
        if len(public) != 32:
            raise DkimKeyError(f"an Ed25519 key is 32 bytes, this one is {len(public)}")
        return DkimKey("ed25519", public, 256, flags)
    return DkimKey("rsa", public, _rsa_bits(public), flags)


def _rsa_bits(der: bytes) -> int:
    """Modulus size of a SubjectPublicKeyInfo (or bare PKCS#1 RSAPublicKey) key."""
    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError):
        raise DkimKeyError("p= does not decode to an RSA public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise DkimKeyError("k=rsa but p= holds another kind of key")
    return key.key_size


def _colon_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip().lower() for part in value.split(":") if part.strip()]


def key_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}".lower().rstrip(".")


def best_key(answer: DnsAnswer) -> tuple[DkimKey | None, list[str]]:
    """The usable key among a selector's TXT records (the shortest, when several are),
    and why each other record is unusable."""
    keys: list[DkimKey] = []
    problems: list[str] = []
    for record in answer.records:
        try:
            key = parse_dkim_key(record)
        except DkimKeyError as exc:
            problems.append(str(exc))
            continue
        if key.revoked:
            problems.append("the key was revoked (empty p=)")
        else:
            keys.append(key)
    keys.sort(key=lambda k: k.bits or 0)
    return (keys[0] if keys else None), problems


# --- signatures -----------------------------------------------------------------------------

SignatureResult = Literal["pass", "fail", "neutral", "permerror", "temperror"]


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of one DKIM-Signature header (RFC 8601 result words)."""

    index: int
    domain: str | None
    selector: str | None
    result: SignatureResult
    reason: str | None = None


async def verify_signatures(message: bytes, resolver: Resolver) -> list[SignatureCheck]:
    """Verify every DKIM-Signature of ``message``, topmost first.

    Key records are fetched first, concurrently, through ``resolver``; dkimpy then gets a
    ``dnsfunc`` that only reads those answers, so it never does DNS of its own.
    """
    headers = [v for k, v in dkim.DKIM(message).headers if k.lower() == b"dkim-signature"]
    signers = [_signer(value) for value in headers]
    names = sorted({key_name(s[1], s[0]) for s in signers if isinstance(s, tuple)})
    answers = dict(
        zip(names, await asyncio.gather(*(resolver.query(n, "TXT") for n in names)), strict=True)
    )
    results = []
    for index, signer in enumerate(signers):
        if isinstance(signer, str):
            results.append(SignatureCheck(index, None, None, "permerror", signer))
            continue
        domain, selector = signer
        answer = answers[key_name(selector, domain)]
        result, reason = _verify_one(message, index, answer, answers)
        results.append(SignatureCheck(index, domain, selector, result, reason))
    return results


def _signer(value: bytes) -> tuple[str, str] | str:
    """(d=, s=) of a signature header, or why it cannot be read."""
    try:
        tags = parse_tag_value(value)
        domain = re.sub(rb"\s+", b"", tags[b"d"]).decode("ascii").lower().rstrip(".")
        selector = re.sub(rb"\s+", b"", tags[b"s"]).decode("ascii").lower()
    except (InvalidTagValueList, KeyError, UnicodeDecodeError):
        return "the DKIM-Signature header is malformed (no readable d= and s=)"
    if not domain or not selector:
        return "the DKIM-Signature header has an empty d= or s="
    return domain, selector


def _verify_one(
    message: bytes, index: int, answer: DnsAnswer, answers: dict[str, DnsAnswer]
) -> tuple[SignatureResult, str | None]:
    name = answer.name
    if answer.status in _TEMPORARY:
        return "temperror", f"the key at {name} could not be fetched ({answer.status})"
    if not answer.ok:
        return "permerror", f"no key is published at {name}"
    key, problems = best_key(answer)
    if key is None:
        return "permerror", f"the key at {name} is unusable: {'; '.join(problems)}"
    if key.key_type == "ed25519" and not _has_nacl():
        return "neutral", "Ed25519 signatures need PyNaCl, which is not installed"

    def dnsfunc(qname: bytes, timeout: int = 5) -> bytes | None:
        fetched = answers.get(qname.decode("ascii", "replace").lower().rstrip("."))
        if fetched is None or not fetched.ok:
            return None
        usable = [r for r in fetched.records if _parses(r)]
        return (usable or list(fetched.records))[0].encode("utf-8")

    try:
        verifier = dkim.DKIM(message, logger=log, minkey=1024)
        valid = bool(verifier.verify(idx=index, dnsfunc=dnsfunc))
    except dkim.ValidationError as exc:
        return "fail", str(exc)
    except Exception as exc:  # dkimpy parses hostile input; any crash is a broken signature
        return "permerror", f"{type(exc).__name__}: {exc}"
    return ("pass", None) if valid else ("fail", "the signature does not match the message")


def _parses(record: str) -> bool:
    try:
        return not parse_dkim_key(record).revoked
    except DkimKeyError:
        return False


def _has_nacl() -> bool:
    try:
        import nacl  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True
