"""Reading certificates: the facts of each one a launch depends on, with ``cryptography``.

Used by the TLS probe for the chain a server sends, and by anything else that has to show a
certificate to a founder (subject, names, validity, key, signature).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa


@dataclass(frozen=True)
class CertInfo:
    """The facts of one certificate a launch depends on, read with ``cryptography``."""

    subject: str
    issuer: str
    names: tuple[str, ...]
    """DNS names and IP addresses of subjectAltName (browsers ignore the subject CN)."""
    not_before: datetime
    not_after: datetime
    key: str
    signature: str

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


def cert_info(der: bytes) -> CertInfo:
    """Read one DER certificate; a malformed extension leaves that fact empty, not an error."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName)) + tuple(
            str(ip) for ip in san.get_values_for_type(x509.IPAddress)
        )
    except (x509.ExtensionNotFound, ValueError):
        names = ()
    oid = cert.signature_algorithm_oid
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        names=tuple(n.lower() for n in names),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key=_key_text(cert),
        signature=str(getattr(oid, "_name", oid.dotted_string)),
    )


def _key_text(cert: x509.Certificate) -> str:
    try:
        key = cert.public_key()
    except (ValueError, TypeError):
        return "unknown"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} {key.key_size}"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    return type(key).__name__


def days_left(not_after: datetime, now: datetime) -> float:
    """Days until ``not_after`` (negative once expired), to one decimal."""
    return round((not_after - now).total_seconds() / 86400, 1)
