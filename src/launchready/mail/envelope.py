"""Reading a saved message: the bytes, and the SMTP facts its headers record.

Where the SMTP facts come from, first match wins:

* the sending IP and HELO: ``--ip``/``--helo``; else the topmost ``Received-SPF`` with
  ``client-ip=`` (the receiver's own record of its SPF inputs, RFC 7208 9.1); else the
  topmost ``Authentication-Results`` with ``smtp.remote-ip``/``policy.iprev``; else the
  topmost ``Received`` whose ``from`` clause names an address literal, skipping hops from
  127.0.0.1/::1 and private networks (content filters and internal relays of the
  receiving site). Only the top of the message is trusted: the receiver wrote it, while
  anything lower may have been written by the sender.
* the MAIL FROM: the topmost ``Return-Path`` (written at final delivery), else
  ``Received-SPF`` ``envelope-from=``, else ``Authentication-Results`` ``smtp.mailfrom``.

A message saved before it was sent has no such headers: pass ``--ip``, or rely on DKIM.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

from launchready.errors import InputError
from launchready.mail.dmarc import normalize

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
_PAIR = re.compile(r"([a-z][a-z0-9.-]*)=(\"[^\"]*\"|[^\s;]+)", re.I)
_FROM_CLAUSE = re.compile(r"^\s*from\s+(?P<helo>\S+)(?P<rest>.*?)(?:\bby\b|;|$)", re.I | re.S)
_LITERAL = re.compile(r"\[(?:IPv6:)?(?P<ip>[0-9A-Fa-f:.]+)\]")


def load_message(path: Path) -> bytes:
    """The file's bytes; :class:`InputError` when unreadable or not an email message."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MESSAGE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_MESSAGE_BYTES:
        raise InputError(f"{path} is larger than {MAX_MESSAGE_BYTES // 2**20} MiB: not a message")
    parse_message(data, str(path))
    return data


def parse_message(data: bytes, name: str = "the message") -> tuple[Message, str]:
    """The parsed message and its From: domain, or :class:`InputError`."""
    message = message_from_bytes(data)
    values = message.get_all("From") or []
    addresses = [a for _, a in getaddresses([str(v) for v in values]) if "@" in a]
    if not addresses:
        raise InputError(f"{name} is not an email message: it has no From: address")
    return message, normalize(addresses[0].rpartition("@")[2])


@dataclass(frozen=True)
class Envelope:
    """What the receiving server saw in SMTP, and where each fact was read from."""

    ip: str | None
    helo: str | None
    mail_from: str | None
    """The MAIL FROM address; "" for the null sender ``<>``; None when unknown."""
    source: str


def envelope(message: Message, ip: str | None = None, helo: str | None = None) -> Envelope:
    """The SMTP facts by the rule of the module docstring."""
    mail_from = _return_path(message)
    spf_pairs = _pairs(_first(message, "Received-SPF"))
    ar_pairs = _pairs(_first(message, "Authentication-Results"))
    if mail_from is None:
        mail_from = spf_pairs.get("envelope-from") or ar_pairs.get("smtp.mailfrom")
    if ip is not None:
        return Envelope(ip, helo, mail_from, "command line")
    if _ip(spf_pairs.get("client-ip")):
        return Envelope(
            spf_pairs["client-ip"], helo or spf_pairs.get("helo"), mail_from, "Received-SPF"
        )
    remote = ar_pairs.get("smtp.remote-ip") or ar_pairs.get("policy.iprev")
    if _ip(remote):
        return Envelope(
            remote, helo or ar_pairs.get("smtp.helo"), mail_from, "Authentication-Results"
        )
    for header in message.get_all("Received") or []:
        hop = _received_hop(str(header))
        if hop is not None:
            return Envelope(hop[0], helo or hop[1], mail_from, "Received")
    return Envelope(None, helo, mail_from, "none")


def _first(message: Message, name: str) -> str:
    values = message.get_all(name) or []
    return re.sub(r"\s+", " ", str(values[0])) if values else ""


def _pairs(text: str) -> dict[str, str]:
    return {k.lower(): v.strip('"<>') for k, v in _PAIR.findall(text)}


def _return_path(message: Message) -> str | None:
    value = _first(message, "Return-Path").strip()
    if not value:
        return None
    address = value.strip("<> ")
    return address if "@" in address or not address else None


def _ip(text: str | None) -> bool:
    try:
        ipaddress.ip_address(text or "")
    except ValueError:
        return False
    return True


def _received_hop(header: str) -> tuple[str, str] | None:
    """(ip, helo) of one Received header's from clause, unless it is an internal hop."""
    match = _FROM_CLAUSE.match(re.sub(r"\s+", " ", header))
    if match is None:
        return None
    literal = _LITERAL.search(match["rest"]) or _LITERAL.search(match["helo"])
    if literal is None or not _ip(literal["ip"]):
        return None
    address = ipaddress.ip_address(literal["ip"])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    internal = address.is_private and not address.is_loopback
    if internal or str(address) in ("127.0.0.1", "::1"):
        return None
    helo = match["helo"].strip("[]")
    exim = re.search(r"helo=([^\s)]+)", match["rest"], re.I)
    return str(address), (exim[1] if exim else helo)
