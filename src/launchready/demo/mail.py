"""The demo store's mail: the DKIM keys it publishes and a real order confirmation.

The keys are generated per run, the public halves go into the zones and the private
halves sign ``mail/order-confirmation.eml``, a message as the customer's mailbox received
it, so ``launchready email verify-message`` has something real to judge. In the flawed
store SendGrid sends it on its defaults: signed as sendgrid.net, bounces to sendgrid.net,
so nothing ties it to the store's domain (``email.alignment-failed``). In the fixed store
it is signed with the store's own ``s1`` key and bounces to the store's domain.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from pathlib import Path

import dkim  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from launchready.demo.providers import SENDGRID_MTA_IP, SENDGRID_SELECTOR
from launchready.demo.settings import SMOKE_CUSTOMER, DemoSettings

SAMPLE_MESSAGE = "mail/order-confirmation.eml"
_TXT_CHUNK = 255
_SIGNED = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]


@dataclass(frozen=True)
class DkimKeyPair:
    """A freshly generated RSA key: the TXT record to publish and the PEM to sign with."""

    bits: int
    private_pem: bytes
    public_der: bytes

    @classmethod
    def generate(cls, bits: int) -> DkimKeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(bits, pem, der)

    def record(self) -> str:
        """The zone-file TXT value, split into 255-byte strings."""
        value = "v=DKIM1; k=rsa; p=" + base64.b64encode(self.public_der).decode("ascii")
        chunks = [value[i : i + _TXT_CHUNK] for i in range(0, len(value), _TXT_CHUNK)]
        return " ".join(f'"{chunk}"' for chunk in chunks)


@dataclass(frozen=True)
class DemoMailKeys:
    """Every DKIM key of one demo run. ``s2`` exists only when fixed: in the flawed store
    the second SendGrid selector was never published (``email.dkim-missing``)."""

    google: DkimKeyPair
    s1: DkimKeyPair
    s2: DkimKeyPair | None
    sendgrid: DkimKeyPair

    @classmethod
    def generate(cls, fixed: bool) -> DemoMailKeys:
        return cls(
            google=DkimKeyPair.generate(2048),
            s1=DkimKeyPair.generate(2048 if fixed else 1024),
            s2=DkimKeyPair.generate(2048) if fixed else None,
            sendgrid=DkimKeyPair.generate(2048),
        )


def sample_message(settings: DemoSettings, keys: DemoMailKeys) -> bytes:
    """The order confirmation as delivered to the smoke customer's mailbox."""
    d = settings.domain
    now = datetime.now(UTC)
    body = (
        f"Hello {SMOKE_CUSTOMER.name},\r\n\r\n"
        f"Thank you for your order {SMOKE_CUSTOMER.order}: {SMOKE_CUSTOMER.items}.\r\n"
        "We will email you again when it ships.\r\n\r\nDemo Candles\r\n"
    )
    headers = (
        f"From: Demo Candles <orders@{d}>\r\n"
        f"To: {SMOKE_CUSTOMER.name} <{SMOKE_CUSTOMER.email}>\r\n"
        f"Subject: Your order {SMOKE_CUSTOMER.order} is confirmed\r\n"
        f"Date: {format_datetime(now)}\r\n"
        f"Message-ID: {make_msgid('order', domain=d)}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
    )
    message = (headers + "\r\n" + body).encode("utf-8")
    if settings.fixed:
        signer, selector, pem = d, "s1", keys.s1.private_pem
        bounce = f"bounces+4821@{d}"
    else:
        signer, selector, pem = "sendgrid.net", SENDGRID_SELECTOR, keys.sendgrid.private_pem
        bounce = f"bounces+4821-smoke={d}@sendgrid.net"
    signature = dkim.sign(message, selector.encode(), signer.encode(), pem, include_headers=_SIGNED)
    delivery = (
        f"Return-Path: <{bounce}>\r\n"
        f"Received: from o1.ptr4821.sendgrid.net (o1.ptr4821.sendgrid.net [{SENDGRID_MTA_IP}])\r\n"
        f"\tby smtp.google.com with ESMTPS id demo4821\r\n"
        f"\tfor <{SMOKE_CUSTOMER.email}>; {format_datetime(now)}\r\n"
    ).encode("ascii")
    return delivery + bytes(signature) + message


def write_sample_message(workdir: Path, settings: DemoSettings, keys: DemoMailKeys) -> Path:
    path = workdir / SAMPLE_MESSAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(sample_message(settings, keys))
    return path
