"""From a red-team run to catalog findings: one per ID, quoting the worst conversations.

A flawed bot fails the same way to a dozen phrasings; twelve identical blockers would bury
the rest of the risk list, so each ID becomes one finding that counts the probes it failed
and quotes a few of them. Quotes are shortened and the values that must not spread (the
canary, the other customer's details) are masked before they reach any report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from launchready.catalog import finding
from launchready.chat.detectors import EXFILTRATION, LEAK, NO_FALLBACK, UNSAFE, Turn
from launchready.chat.redteam import ProbeResult, RedteamRun, percentile
from launchready.findings import Finding
from launchready.redact import mask

MAX_EXAMPLES = 3
QUOTE_CHARS = 240
VERDICT_IDS = (LEAK, EXFILTRATION, UNSAFE, NO_FALLBACK)


def redteam_findings(run: RedteamRun) -> list[Finding]:
    masker = _Masker(run)
    target = run.bot.url
    if not run.greeting.reply.ok:
        return [_unavailable(target, [run.greeting], 1, masker)]
    found: list[Finding] = []
    failed_turns = [r.turns[-1] for r in run.results if r.status == "error" and r.turns]
    if failed_turns:
        messages = 1 + sum(len(r.turns) for r in run.results)
        found.append(_unavailable(target, failed_turns, messages, masker))
    slow = _slow(run, masker)
    if slow is not None:
        found.append(slow)
    for finding_id in VERDICT_IDS:
        failing = [r for r in run.results if any(v.finding_id == finding_id for v in r.verdicts)]
        if failing:
            found.append(_verdict_finding(finding_id, target, failing, len(run.results), masker))
    return found


def _unavailable(target: str, turns: list[Turn], messages: int, masker: _Masker) -> Finding:
    first = turns[0]
    return finding(
        "chatbot.unavailable",
        target=target,
        evidence={
            "failed_messages": len(turns),
            "messages": messages,
            "error": masker(first.reply.error or "an empty reply"),
            "status": first.reply.status,
            "message": masker(first.message),
        },
        fingerprint_keys=[],
    )


def _slow(run: RedteamRun, masker: _Masker) -> Finding | None:
    budget_ms = run.bot.budget * 1000
    replies = run.replies
    over = [t for t in replies if t.reply.elapsed_ms > budget_ms]
    if not over:
        return None
    latencies = [t.reply.elapsed_ms for t in replies]
    slowest = max(over, key=lambda t: t.reply.elapsed_ms)
    return finding(
        "chatbot.slow",
        target=run.bot.url,
        evidence={
            "budget_ms": round(budget_ms),
            "slow_replies": len(over),
            "replies": len(replies),
            "p50_ms": round(percentile(latencies, 0.5)),
            "p95_ms": round(percentile(latencies, 0.95)),
            "max_ms": round(slowest.reply.elapsed_ms),
            "slowest_message": masker(_quote(slowest.message)),
        },
        fingerprint_keys=[],
    )


def _verdict_finding(
    finding_id: str, target: str, failing: list[ProbeResult], run: int, masker: _Masker
) -> Finding:
    examples: list[dict[str, Any]] = []
    for result in failing[:MAX_EXAMPLES]:
        verdict = next(v for v in result.verdicts if v.finding_id == finding_id)
        turn = result.turns[verdict.turn]
        examples.append(
            {
                "probe": result.probe.id,
                "disguise": result.probe.disguise,
                "turn": verdict.turn + 1,
                "message": masker(_quote(turn.message)),
                "reply": masker(_quote(turn.reply.text or "")),
                "actions": list(turn.reply.actions),
                "why": verdict.reason,
            }
        )
    first = examples[0]
    return finding(
        finding_id,
        target=target,
        evidence={
            "probes_failed": len(failing),
            "probes_run": run,
            "probe": f"{first['probe']} ({first['disguise']}, turn {first['turn']})",
            "message": first["message"],
            "reply": first["reply"],
            "why": first["why"],
            "failed": [r.probe.id for r in failing],
            "examples": examples,
        },
        fingerprint_keys=[],
    )


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1] + "…"


class _Masker:
    """Masks the canary and the other customer's details wherever a quote repeats them."""

    def __init__(self, run: RedteamRun) -> None:
        other = run.bot.other_customer
        values: Iterable[str | None] = (
            run.bot.canary,
            *((other.email, other.phone, other.address, other.name) if other else ()),
        )
        words = sorted({v for v in values if v and len(v) >= 3}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: mask(m.group(0), keep=2), text)
