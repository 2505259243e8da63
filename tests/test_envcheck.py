"""Environment file parsing: names and value digests, never values."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from launchready.envcheck import looks_secret, parse_env, read_env, required_names
from launchready.errors import InputError

TEXT = """\
# comment
export STRIPE_SECRET_KEY="abc def # not a comment"
SENDGRID_API_KEY=plain-value-123 # a comment
EMPTY=
QUOTED_EMPTY=''
BARE_NAME
  SPACED = 'single quoted'
not a line at all!
PORT=3000
"""


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_parse_keeps_names_and_digests_only() -> None:
    parsed = parse_env(TEXT, Path(".env"))
    assert parsed.names == [
        "STRIPE_SECRET_KEY",
        "SENDGRID_API_KEY",
        "EMPTY",
        "QUOTED_EMPTY",
        "BARE_NAME",
        "SPACED",
        "PORT",
    ]
    entries = parsed.entries
    assert entries["STRIPE_SECRET_KEY"].digest == digest("abc def # not a comment")
    assert entries["SENDGRID_API_KEY"].digest == digest("plain-value-123")
    assert entries["SPACED"].digest == digest("single quoted")
    assert entries["STRIPE_SECRET_KEY"].line == 2
    assert entries["EMPTY"].empty and entries["QUOTED_EMPTY"].empty and entries["BARE_NAME"].empty
    assert not parsed.defined("EMPTY") and parsed.defined("PORT")
    assert "plain-value-123" not in repr(parsed)


def test_later_definitions_win() -> None:
    parsed = parse_env("A=one1one1\nA=two2two2\n", Path(".env"))
    assert parsed.entries["A"].digest == digest("two2two2")


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("STRIPE_SECRET_KEY", "abcdefgh12345678", True),
        ("SESSION_SECRET", "0123456789abcdef0123", True),
        ("DATABASE_URL", "postgresql://app:pw123456@db/shop", True),
        ("API_BASE_URL", "https://api.shop.test", False),
        ("NODE_ENV", "production", False),
        ("PORT", "3000", False),
        ("DB_HOST", "db.internal.example", False),
        ("AWS_REGION", "eu-west-1", False),
        ("NEXT_PUBLIC_STRIPE_KEY", "pk_something_public", False),
        ("FEATURE_FLAG", "true", False),
        ("MAX_ITEMS", "12345678", False),
        ("SHORT", "abc", False),
    ],
)
def test_looks_secret(name: str, value: str, secret: bool) -> None:
    assert looks_secret(name, value) is secret


def test_required_names_and_unreadable(tmp_path: Path) -> None:
    example = tmp_path / ".env.example"
    example.write_text("# names\nA=\nexport B=\nC\n")
    assert required_names(example) == ["A", "B", "C"]
    with pytest.raises(InputError, match="cannot read"):
        read_env(tmp_path / "missing.env")
