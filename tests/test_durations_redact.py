from __future__ import annotations

import pytest

from launchready.durations import format_duration, parse_duration
from launchready.errors import DurationError
from launchready.redact import Redactor, mask


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("2s", 2.0),
        ("60s", 60.0),
        ("15m", 900.0),
        ("24h", 86400.0),
        ("30d", 2592000.0),
        (" 1.5s ", 1.5),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5", "5 mins", "", "-1s", "s", "1w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(DurationError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.3, "300ms"), (2, "2s"), (600, "10m"), (86400 * 14, "14d"), (90, "90s")]
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == pytest.approx(seconds)


def test_redactor_replaces_values_longest_first() -> None:
    redact = Redactor({"abcdef": "SHORT", "abcdef123456": "LONG"})
    assert redact("x abcdef123456 y abcdef") == "x ${LONG} y ${SHORT}"
    assert not Redactor({})
    assert Redactor({})("abcdef") == "abcdef"


def test_mask_never_shows_the_whole_secret() -> None:
    secret = "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
    masked = mask(secret)
    assert masked == "sk_live_…k1L2"
    assert secret not in masked
    assert mask("short") == "sh…"
