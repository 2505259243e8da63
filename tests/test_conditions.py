"""Conditions: a table of conditions, probes and verdicts (Gatus ``condition_test.go`` style)."""

from __future__ import annotations

import pytest

from launchready.conditions import (
    BODY_EVIDENCE_CHARS,
    Condition,
    ProbeResult,
    evaluate_all,
    excerpt,
)
from launchready.errors import InputError

DAY = 86400.0
ANSWERED = ProbeResult(
    status=200, response_time_ms=84.4, body="ok", connected=True, certificate_expiration_s=10 * DAY
)


@pytest.mark.parametrize(
    ("text", "probe", "ok", "resolved"),
    [
        ("[STATUS] == 200", ANSWERED, True, "[STATUS] (200) == 200"),
        ("[STATUS] == 200", ProbeResult(status=503), False, "[STATUS] (503) == 200"),
        ("[STATUS] != 200", ProbeResult(status=503), True, "[STATUS] (503) != 200"),
        ("[STATUS] < 500", ProbeResult(status=499), True, "[STATUS] (499) < 500"),
        ("[STATUS] < 500", ProbeResult(status=500), False, "[STATUS] (500) < 500"),
        ("[STATUS] <= 500", ProbeResult(status=500), True, "[STATUS] (500) <= 500"),
        ("[STATUS] >= 400", ProbeResult(status=400), True, "[STATUS] (400) >= 400"),
        ("[STATUS] > 400", ProbeResult(status=400), False, "[STATUS] (400) > 400"),
        ("[STATUS] == 4xx", ProbeResult(status=404), True, "[STATUS] (404) == 4xx"),
        ("[STATUS] == 4xx", ProbeResult(status=500), False, "[STATUS] (500) == 4xx"),
        ("[STATUS] != 5xx", ProbeResult(status=502), False, "[STATUS] (502) != 5xx"),
        ("[STATUS] == any(200, 3xx)", ProbeResult(status=301), True, None),
        ("[STATUS] == any(200, 204)", ProbeResult(status=201), False, None),
        ("[STATUS] != any(500, 503)", ProbeResult(status=200), True, None),
        ("[STATUS] < 500", ProbeResult(), False, "[STATUS] (no answer) < 500"),
        ("[STATUS] != 200", ProbeResult(), False, "[STATUS] (no answer) != 200"),
        ("[RESPONSE_TIME] < 300", ANSWERED, True, "[RESPONSE_TIME] (84) < 300"),
        ("[RESPONSE_TIME] < 80", ANSWERED, False, "[RESPONSE_TIME] (84) < 80"),
        ("[RESPONSE_TIME] <= 2s", ProbeResult(response_time_ms=2000), True, None),
        ("[RESPONSE_TIME] < 500ms", ProbeResult(response_time_ms=500), False, None),
        ("[RESPONSE_TIME] < 300", ProbeResult(), False, "[RESPONSE_TIME] (no answer) < 300"),
        ('[BODY] contains "ok"', ANSWERED, True, '[BODY] ("ok") contains "ok"'),
        ("[BODY] contains ok", ProbeResult(body="not found"), False, None),
        ('[BODY] !contains "Traceback"', ProbeResult(body="Traceback (most"), False, None),
        ('[BODY] !contains "Traceback"', ANSWERED, True, '[BODY] ("ok") !contains "Traceback"'),
        ('[BODY] == "ok"', ANSWERED, True, '[BODY] ("ok") == "ok"'),
        ('[BODY] != "ok"', ANSWERED, False, None),
        ('[BODY] == ""', ProbeResult(), True, '[BODY] ("") == ""'),
        ('[BODY] contains "say \\"hi\\""', ProbeResult(body='say "hi"'), True, None),
        ("[BODY] contains  two words ", ProbeResult(body="two words"), True, None),
        ("[CONNECTED] == true", ANSWERED, True, "[CONNECTED] (true) == true"),
        ("[CONNECTED] == true", ProbeResult(), False, "[CONNECTED] (false) == true"),
        ("[CONNECTED] != TRUE", ProbeResult(), True, None),
        ("[CONNECTED] == false", ANSWERED, False, None),
        (
            "[CERTIFICATE_EXPIRATION] > 48h",
            ANSWERED,
            True,
            "[CERTIFICATE_EXPIRATION] (10d) > 48h",
        ),
        (
            "[CERTIFICATE_EXPIRATION] > 14d",
            ANSWERED,
            False,
            "[CERTIFICATE_EXPIRATION] (10d) > 14d",
        ),
        (
            "[CERTIFICATE_EXPIRATION] > 48h",
            ProbeResult(certificate_expiration_s=36 * 3600),
            False,
            "[CERTIFICATE_EXPIRATION] (36h) > 48h",
        ),
        (
            "[CERTIFICATE_EXPIRATION] > 0s",
            ProbeResult(certificate_expiration_s=-7200),
            False,
            "[CERTIFICATE_EXPIRATION] (-2h) > 0s",
        ),
        (
            "[CERTIFICATE_EXPIRATION] > 48h",
            ProbeResult(),
            False,
            "[CERTIFICATE_EXPIRATION] (no answer) > 48h",
        ),
        ("  [STATUS]==200  ", ANSWERED, True, "[STATUS] (200) == 200"),
    ],
)
def test_condition_table(text: str, probe: ProbeResult, ok: bool, resolved: str | None) -> None:
    result = Condition.parse(text).evaluate(probe)
    assert result.ok is ok
    if resolved is not None:
        assert result.resolved == resolved


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("STATUS == 200", "write [PLACEHOLDER] OPERATOR VALUE"),
        ("[STATUS] 200", "write [PLACEHOLDER] OPERATOR VALUE"),
        ("[STATUS] =~ 200", "write [PLACEHOLDER] OPERATOR VALUE"),
        ("[STATUS] ==", "nothing to compare with"),
        ("[STATUSCODE] == 200", "unknown placeholder [STATUSCODE]"),
        ("[STATUS] == ok", "'ok' is not a status code"),
        ("[STATUS] == 6xx", "is not a status code"),
        ("[STATUS] < 4xx", "compares with a number"),
        ("[STATUS] < any(400, 500)", "compares with a number"),
        ("[STATUS] contains 200", "[STATUS] takes == != <= >= < >, not contains"),
        ("[BODY] < 3", "[BODY] takes"),
        ('[BODY] contains "open', "the quoted text is not closed"),
        ('[BODY] contains "a"b"', 'write \\" for a quote'),
        ("[RESPONSE_TIME] < soon", "is not milliseconds"),
        ("[CONNECTED] == yes", "true or false"),
        ("[CONNECTED] < true", "[CONNECTED] takes == !="),
        ("[CERTIFICATE_EXPIRATION] > 48", "not a duration with a unit"),
    ],
)
def test_bad_syntax_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        Condition.parse(text)
    assert message in str(caught.value)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "[STATUS] == 200",
        "[STATUS] == any(200, 4xx)",
        "[RESPONSE_TIME] < 2s",
        '[BODY] contains "ok"',
        '[BODY] !contains "say \\"no\\""',
        "[CONNECTED] == true",
        "[CERTIFICATE_EXPIRATION] > 48h",
    ],
)
def test_canonical_text_parses_back_to_the_same_condition(text: str) -> None:
    condition = Condition.parse(text)
    assert str(condition) == text
    assert Condition.parse(str(condition)) == condition


def test_bare_body_text_is_quoted_in_canonical_form() -> None:
    assert str(Condition.parse("[BODY] contains ok")) == '[BODY] contains "ok"'


def test_body_evidence_is_one_line_and_truncated() -> None:
    page = "<html>\n<body>" + "Internal Server Error " * 500 + "</body></html>"
    result = Condition.parse('[BODY] contains "ok"').evaluate(ProbeResult(body=page))
    assert not result.ok
    shown = result.resolved.removeprefix('[BODY] ("').split('") contains')[0]
    assert len(shown) == BODY_EVIDENCE_CHARS
    assert shown.endswith("…")
    assert "\n" not in result.resolved
    assert shown.startswith("<html> <body>Internal Server Error")


def test_body_match_sees_the_whole_body_not_the_excerpt() -> None:
    body = "x" * 10_000 + "ok"
    assert Condition.parse('[BODY] contains "ok"').evaluate(ProbeResult(body=body)).ok


def test_excerpt_keeps_short_text_whole() -> None:
    assert excerpt("  ok \n") == "ok"
    assert excerpt("a" * BODY_EVIDENCE_CHARS) == "a" * BODY_EVIDENCE_CHARS


def test_evaluate_all_reports_every_condition_in_order() -> None:
    conditions = [Condition.parse("[STATUS] == 200"), Condition.parse('[BODY] contains "ok"')]
    results = evaluate_all(conditions, ProbeResult(status=503, body="down"))
    assert [r.ok for r in results] == [False, False]
    assert [r.resolved for r in results] == [
        "[STATUS] (503) == 200",
        '[BODY] ("down") contains "ok"',
    ]
