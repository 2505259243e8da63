"""Fake credentials, generated fresh for every demo run.

The planted secrets must look exactly like real ones (the secret scanner matches provider
formats), yet no key-shaped string may live in our source tree: a scanner run over
launchready itself, or GitHub's push protection, would rightly flag it. So only the
prefixes are written here and every key body is drawn from ``secrets`` at start-up.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_AWS_SECRET_ALPHABET = _ALNUM + "/+"
_URLSAFE = _ALNUM + "-_"

STRIPE_LIVE_PREFIX = "sk_" + "live_"
STRIPE_TEST_PREFIX = "sk_" + "test_"
AWS_KEY_PREFIX = "AK" + "IA"


def _draw(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def aws_key_pair() -> tuple[str, str]:
    """An access key ID (``AKIA`` + 16) and its 40-character secret."""
    return AWS_KEY_PREFIX + _draw(_UPPER_ALNUM, 16), _draw(_AWS_SECRET_ALPHABET, 40)


def sendgrid_key() -> str:
    return "SG." + _draw(_URLSAFE, 22) + "." + _draw(_URLSAFE, 43)


def webhook_secret() -> str:
    return "whsec_" + _draw(_ALNUM, 32)


def cloudflare_token() -> str:
    """An API token as Cloudflare issues them: 40 URL-safe characters."""
    return _draw(_URLSAFE, 40)


@dataclass(frozen=True)
class Credentials:
    """Every secret value one demo store uses, in its provider's real format."""

    stripe_live: str
    """The production Stripe secret key: leaked into the bundle, the repo and staging."""
    stripe_test: str
    """The key a well-run staging uses instead (fixed variant)."""
    webhook_secret: str
    aws_key_id: str
    aws_secret: str
    """The AWS pair the flawed repo's history still holds."""
    sendgrid: str
    session_production: str
    session_staging: str
    db_password_production: str
    db_password_staging: str
    order_token: str
    """Bearer token of the smoke customer for the order-status API."""
    smoke_password: str
    """Password of the smoke customer on the login form."""

    @classmethod
    def generate(cls) -> Credentials:
        """A fresh, random set: nothing is cached or reused between runs."""
        aws_key_id, aws_secret = aws_key_pair()
        return cls(
            stripe_live=STRIPE_LIVE_PREFIX + _draw(_ALNUM, 99),
            stripe_test=STRIPE_TEST_PREFIX + _draw(_ALNUM, 99),
            webhook_secret=webhook_secret(),
            aws_key_id=aws_key_id,
            aws_secret=aws_secret,
            sendgrid=sendgrid_key(),
            session_production=secrets.token_hex(32),
            session_staging=secrets.token_hex(32),
            db_password_production=_draw(_ALNUM, 24),
            db_password_staging=_draw(_ALNUM, 24),
            order_token="ord_" + _draw(_ALNUM, 32),
            smoke_password="smoke-" + _draw(_ALNUM, 16),
        )
