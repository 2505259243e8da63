"""Customer data and credentials in log lines: found, counted, never kept in clear."""

from __future__ import annotations

import polars as pl
import pytest

from launchready.logs.exposure import (
    KIND_CARD,
    KIND_CREDENTIAL,
    KIND_EMAIL,
    is_card,
    luhn,
    scan_pii,
    scan_secrets,
    scrub,
)
from launchready.secrets import Scanner
from tests.secrets.corpus import expand

from .logfiles import luhn_card


def test_luhn() -> None:
    card = luhn_card()
    assert luhn(card) and is_card(card)
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not luhn(broken) and not is_card(broken)
    assert is_card(" ".join(card[i : i + 4] for i in range(0, 16, 4)))
    assert not is_card("1" + card[1:])  # no card brand starts with 1 (ms timestamps do)


def _kinds(lines: list[str], own: tuple[str, ...] = ()) -> dict[str, tuple[int, int, str]]:
    return {k: (n, line, ex) for k, n, line, ex in scan_pii(pl.Series(lines), 10, None, own)}


def test_cards_emails_and_credentials_are_found_with_first_line() -> None:
    card = luhn_card("5" + "1")
    lines = [
        "GET /health 200",
        f"POST /pay card={card} amount=12.00",
        "notify jane.doe@example.com about order 1001",
        "GET /login?user=jane&password=hunter2 HTTP/1.1",
        '{"event": "reset", "token": "x9Ab3kQ7"}',
        "mail sent from orders@shop.test",
    ]
    found = _kinds(lines, ("shop.test",))
    assert found[KIND_CARD][:2] == (1, 11)
    assert found[KIND_EMAIL][:2] == (1, 12)
    assert found[KIND_CREDENTIAL][:2] == (2, 13)
    assert card not in str(found) and "jane.doe" not in str(found) and "hunter2" not in str(found)
    assert found[KIND_CARD][2] == f"5…{card[-4:]}"


@pytest.mark.parametrize(
    "line",
    [
        "ts=1732287600123 took 1732287600123ms",  # ms timestamps: no card brand
        "order 4111111111111112 shipped",  # fails Luhn
        "GET /img/logo@2x.png 200",
        "password=*** token=[FILTERED] api_key=null session_id=",
        '{"password": null, "token_type": "bearer"}',
        "csrf_token=abc123 is fine",
    ],
)
def test_lookalikes_are_not_customer_data(line: str) -> None:
    assert _kinds([line]) == {}


def test_window_mask_drops_old_lines() -> None:
    lines = pl.Series(["a jane@example.com", "b bob@example.com"])
    found = scan_pii(lines, 1, pl.Series([False, True]), ())
    assert [(k, n, line) for k, n, line, _ in found] == [(KIND_EMAIL, 1, 2)]


def test_secrets_go_through_the_secret_engine() -> None:
    key = expand("sk_live_{rand32}")
    data = f"line one\nStripe call failed with key {key}\n".encode()
    (match,) = scan_secrets(Scanner(), data, "app.log", 41, None)
    assert (match.rule_id, match.line, match.path) == ("stripe-secret-key", 42, "app.log")
    assert key not in repr(match)


def test_scrub_removes_every_kind() -> None:
    key = expand("sk_live_{rand32}")
    card = luhn_card()
    matches = scan_secrets(Scanner(), f"k={key}\n".encode(), "x", 1, None)
    text = f"failed for {card} jane@example.com?password=hunter2 using {key}"
    out = scrub(text, matches)
    for clear in (key, card, "jane@example.com", "hunter2"):
        assert clear not in out
    assert "{card}" in out and "{email}" in out and "password=…" in out
