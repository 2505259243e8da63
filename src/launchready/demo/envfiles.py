"""The deployment's environment files, kept outside the repository as a host would.

``environments.required`` points at the repo's ``.env.example``; these two files are
what production and staging really hold. The flawed pair has the two mistakes the
roadmap names: a variable missing in production, and staging running on the live
Stripe key.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from launchready.demo.credentials import aws_key_pair, sendgrid_key, webhook_secret
from launchready.demo.settings import DemoSettings

REQUIRED_NAMES = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "SENDGRID_API_KEY",
    "DATABASE_URL",
    "SESSION_SECRET",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)
MISSING_IN_PRODUCTION = "SENDGRID_API_KEY"


def env_example() -> str:
    """The repo's ``.env.example``: every name, no value."""
    header = "# Copy to .env for local work. Real values live in the host's secret store.\n"
    return header + "".join(f"{name}=\n" for name in REQUIRED_NAMES)


def write_env_files(settings: DemoSettings, folder: Path) -> dict[str, Path]:
    """Write ``.env.production`` and ``.env.staging``; returns environment -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    creds = settings.credentials
    prod_aws, staging_aws = aws_key_pair(), aws_key_pair()
    production = {
        "STRIPE_SECRET_KEY": creds.stripe_live,
        "STRIPE_WEBHOOK_SECRET": creds.webhook_secret,
        "SENDGRID_API_KEY": creds.sendgrid,
        "DATABASE_URL": _database_url("candles", creds.db_password_production),
        "SESSION_SECRET": creds.session_production,
        "AWS_ACCESS_KEY_ID": prod_aws[0],
        "AWS_SECRET_ACCESS_KEY": prod_aws[1],
    }
    staging = {
        # Flawed: someone copied production's Stripe key into staging.
        "STRIPE_SECRET_KEY": creds.stripe_test if settings.fixed else creds.stripe_live,
        "STRIPE_WEBHOOK_SECRET": webhook_secret(),
        "SENDGRID_API_KEY": sendgrid_key(),
        "DATABASE_URL": _database_url("candles_staging", creds.db_password_staging),
        "SESSION_SECRET": creds.session_staging,
        "AWS_ACCESS_KEY_ID": staging_aws[0],
        "AWS_SECRET_ACCESS_KEY": staging_aws[1],
    }
    if not settings.fixed:
        del production[MISSING_IN_PRODUCTION]
    files = {"production": folder / ".env.production", "staging": folder / ".env.staging"}
    for name, values in (("production", production), ("staging", staging)):
        files[name].write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return files


def _database_url(database: str, password: str) -> str:
    user = "app_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(4))
    return f"postgresql://{user}:{password}@127.0.0.1:5432/{database}"
