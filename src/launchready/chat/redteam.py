"""The red-team run: every probe in its own session, concurrently, at a bounded rate.

One greeting goes first, alone: it proves the endpoint answers and the manifest's paths
fit its replies before fifty probes are spent on it. Then every probe's conversation runs
turn by turn; conversations run side by side under ``chatbot.concurrency`` and
``chatbot.rate``, so the evaluation neither takes minutes nor floods the store. A 429 is
the store's rate limit doing its job: the probe waits as asked and tries again, and a
probe that stays limited is reported as not evaluated, never as an outage or a pass.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiolimiter import AsyncLimiter

from launchready.chat.adapter import ChatClient, ChatSession, Reply
from launchready.chat.detectors import Knowns, Turn, Verdict, judge
from launchready.chat.judge import Opinion, second_opinion
from launchready.chat.probeset import (
    FAMILIES,
    PreparedProbe,
    Probe,
    ProbeValues,
    SkippedProbe,
    load_probes,
    prepare,
)
from launchready.context import CheckContext
from launchready.errors import CheckError
from launchready.manifest.models import Chatbot

GREETING = "Hello!"
MAX_RETRIES = 2
MAX_WAIT_S = 5.0
"""The longest a probe waits on a Retry-After; longer limits leave it not evaluated."""

Status = Literal["pass", "fail", "error", "rate-limited"]


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    turns: tuple[Turn, ...]
    verdicts: tuple[Verdict, ...]
    status: Status
    error: str | None = None
    opinion: Opinion | None = None

    @property
    def elapsed_ms(self) -> float:
        return sum(t.reply.elapsed_ms for t in self.turns)


@dataclass(frozen=True)
class RedteamRun:
    """What was sent, what came back, and what was not run (with why)."""

    bot: Chatbot
    greeting: Turn
    results: list[ProbeResult] = field(default_factory=list)
    skipped: list[SkippedProbe] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def replies(self) -> list[Turn]:
        """Every exchange that got an answer, the greeting included."""
        turns = [self.greeting, *(t for r in self.results for t in r.turns)]
        return [t for t in turns if t.reply.status is not None and not t.reply.rate_limited]


ProgressFn = Callable[[int, int], None]


async def run_redteam(
    ctx: CheckContext,
    *,
    families: Collection[str] | None = None,
    probes: Sequence[Probe] | None = None,
    progress: ProgressFn | None = None,
) -> RedteamRun:
    """Greet, then run the probe set. Raises :class:`ChatConfigError` when the manifest's
    paths do not fit the first reply, and InputError for a broken probe file."""
    bot = ctx.manifest.chatbot
    assert bot is not None, "run_redteam needs a chatbot section"
    started = time.perf_counter()
    client = ChatClient(bot, ctx.http)
    limiter = AsyncLimiter(bot.rate, 1)
    gate = asyncio.Semaphore(bot.concurrency)
    greeting_reply, limited = await _send(
        client.session("launchready-hello"), GREETING, limiter, gate
    )
    if limited:
        raise CheckError(
            "the chat endpoint answered 429 (rate-limited) to the first message even after "
            "waiting as asked: nothing was evaluated"
        )
    greeting = Turn(GREETING, greeting_reply)
    if not greeting_reply.ok:
        return RedteamRun(bot, greeting, duration_ms=_since(started))
    chosen = (
        list(probes)
        if probes is not None
        else load_probes([ctx.manifest.resolve_path(p) for p in bot.probes], families=families)
    )
    prepared, skipped = prepare(chosen, ProbeValues.from_chatbot(bot))
    knowns = Knowns.from_manifest(ctx.manifest)
    done = 0

    async def one(item: PreparedProbe) -> ProbeResult:
        nonlocal done
        result = await _converse(client, item, knowns, limiter, gate)
        if bot.judge is not None and result.turns:
            opinion = await second_opinion(bot.judge, ctx.http, item.probe.family, result.turns)
            result = replace(result, opinion=opinion)
        done += 1
        if progress is not None:
            progress(done, len(prepared))
        return result

    results = await asyncio.gather(*(one(item) for item in prepared))
    return RedteamRun(bot, greeting, list(results), skipped, _since(started))


async def _converse(
    client: ChatClient,
    item: PreparedProbe,
    knowns: Knowns,
    limiter: AsyncLimiter,
    gate: asyncio.Semaphore,
) -> ProbeResult:
    session = client.session(f"launchready-{item.probe.id}")
    turns: list[Turn] = []
    status: Status = "pass"
    error: str | None = None
    for message in item.messages:
        reply, waited_out = await _send(session, message, limiter, gate)
        turns.append(Turn(message, reply))
        if waited_out:
            status, error = "rate-limited", "still rate-limited after waiting as asked"
            break
        if not reply.ok:
            status, error = "error", reply.error or "an empty reply"
            break
    verdicts = tuple(judge(item.probe, turns, knowns))
    if verdicts:
        status = "fail"
    return ProbeResult(item.probe, tuple(turns), verdicts, status, error)


async def _send(
    session: ChatSession, message: str, limiter: AsyncLimiter, gate: asyncio.Semaphore
) -> tuple[Reply, bool]:
    """One message, retried on 429 as the server asks; True when it stayed limited."""
    for attempt in range(MAX_RETRIES + 1):
        async with gate:
            await limiter.acquire()
            reply = await session.send(message)
        if not reply.rate_limited:
            return reply, False
        wait = reply.retry_after or 1.0
        if attempt == MAX_RETRIES or wait > MAX_WAIT_S:
            break
        await asyncio.sleep(wait)
    return reply, True


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(run: RedteamRun) -> dict[str, Any]:
    """The deliverable: per family and per probe, for the report and the handover."""
    latencies = [t.reply.elapsed_ms for t in run.replies]
    families: dict[str, dict[str, int]] = {}
    for family in FAMILIES:
        mine = [r for r in run.results if r.probe.family == family]
        families[family] = {
            "run": len(mine),
            "failed": sum(r.status == "fail" for r in mine),
            "errors": sum(r.status == "error" for r in mine),
            "rate_limited": sum(r.status == "rate-limited" for r in mine),
            "skipped": sum(s.probe.family == family for s in run.skipped),
        }
    return {
        "endpoint": run.bot.url,
        "kind": run.bot.kind,
        "budget_ms": round(run.bot.budget * 1000),
        "duration_ms": run.duration_ms,
        "greeting": {"ok": run.greeting.reply.ok, "elapsed_ms": run.greeting.reply.elapsed_ms},
        "probes_run": len(run.results),
        "families": families,
        "latency_ms": (
            {
                "p50": percentile(latencies, 0.5),
                "p95": percentile(latencies, 0.95),
                "max": max(latencies),
            }
            if latencies
            else {}
        ),
        "results": [_result_json(r) for r in run.results],
        **({"judge": _judge_summary(run.results)} if run.bot.judge is not None else {}),
        "skipped": [
            {"probe": s.probe.id, "family": s.probe.family, "missing": list(s.missing)}
            for s in run.skipped
        ],
    }


def _judge_summary(results: Sequence[ProbeResult]) -> dict[str, Any]:
    """Where the model's second opinion agrees with the detectors, and where it does not:
    the probes only the judge flags are the ones worth a human look."""
    opinions = [(r, r.opinion) for r in results if r.opinion is not None]
    usable = [(r, o) for r, o in opinions if o.violation is not None]
    return {
        "asked": len(opinions),
        "unusable": len(opinions) - len(usable),
        "agreed": sum((r.status == "fail") is o.violation for r, o in usable),
        "only_judge_flags": [r.probe.id for r, o in usable if o.violation and r.status != "fail"],
        "only_detectors_flag": [
            r.probe.id for r, o in usable if not o.violation and r.status == "fail"
        ],
    }


def _result_json(result: ProbeResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "probe": result.probe.id,
        "family": result.probe.family,
        "disguise": result.probe.disguise,
        "status": result.status,
        "ids": [v.finding_id for v in result.verdicts],
        "turns": len(result.turns),
        "elapsed_ms": round(result.elapsed_ms, 1),
    }
    if result.error:
        data["error"] = result.error
    if result.opinion is not None:
        data["judge"] = result.opinion.to_json()
    return data
