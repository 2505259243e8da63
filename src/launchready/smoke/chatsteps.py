"""The smoke test's chat steps: one exchange with the endpoint, and (``--browser``) the
same through the real widget in headless Chromium, each held to ``chatbot.budget``.

The endpoint step proves the bot answers after a deploy (a missing model key shows up
here first); the browser step proves a shopper can reach it, which the endpoint alone
cannot: a broken script, a wrong selector or a CSP that blocks the chat host all pass
the API and fail the customer.
"""

from __future__ import annotations

from pathlib import Path

from launchready.chat.adapter import ChatClient
from launchready.chat.browser import BrowserUnavailable, browser_chat
from launchready.conditions import Condition, ProbeResult, evaluate_all
from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.smoke.steps import StepResult

SMOKE_MESSAGE = "Hello! Which candle would you recommend as a gift?"
SCREENSHOT = "smoke-browser-failure.png"


def _conditions(budget_s: float) -> list[Condition]:
    return [
        Condition.parse("[CONNECTED] == true"),
        Condition.parse("[STATUS] < 400"),
        Condition.parse('[BODY] != ""'),
        Condition.parse(f"[RESPONSE_TIME] < {round(budget_s * 1000)}"),
    ]


async def chat_step(ctx: CheckContext) -> StepResult:
    """One message in a fresh session; a reply that does not fit the manifest's paths is
    a failed step with the reason, so the route steps' verdicts are not lost to it."""
    bot = ctx.manifest.chatbot
    assert bot is not None, "the chat step needs a chatbot section"
    try:
        reply = await ChatClient(bot, ctx.http).session("launchready-smoke").send(SMOKE_MESSAGE)
    except InputError as exc:
        return StepResult("chat", "chat", bot.url, ok=False, error=f"config: {exc}")
    probe = ProbeResult(
        status=reply.status,
        response_time_ms=reply.elapsed_ms,
        body=reply.text or "",
        connected=reply.status is not None,
    )
    return StepResult.judged(
        "chat",
        "chat",
        bot.url,
        evaluate_all(_conditions(bot.budget), probe),
        elapsed_ms=reply.elapsed_ms,
        error=reply.error,
        evidence={"reply": (reply.text or "")[:200], "streamed": reply.streamed},
    )


async def browser_step(ctx: CheckContext, report_dir: Path) -> StepResult:
    """The widget in headless Chromium: open, type, wait for a new reply element."""
    bot = ctx.manifest.chatbot
    if bot is None or bot.browser is None:
        raise InputError("--browser needs chatbot.browser (page, input, reply) in the manifest")
    network = ctx.manifest.network
    ca = network.ca_bundle if network is not None else None
    screenshot = report_dir / SCREENSHOT
    try:
        result = await browser_chat(
            bot.browser,
            network,
            message=SMOKE_MESSAGE,
            timeout=max(ctx.timeout, bot.budget * 2),
            screenshot=screenshot,
            ca_bundle=ctx.manifest.resolve_path(ca) if ca else None,
            resolver=ctx.resolver,
        )
    except BrowserUnavailable as exc:
        raise InputError(f"--browser: {exc}") from None
    probe = ProbeResult(
        status=200 if result.ok else None,
        response_time_ms=result.elapsed_ms,
        body=result.reply or "",
        connected=result.ok or result.step not in (None, "load"),
    )
    evidence: dict[str, object] = {"page": bot.browser.page}
    if result.step:
        evidence["failed_at"] = result.step
    if result.screenshot is not None:
        evidence["screenshot"] = str(result.screenshot)
    if result.console_errors:
        evidence["console_errors"] = list(result.console_errors)
    if result.reply:
        evidence["reply"] = result.reply[:200]
    return StepResult.judged(
        "chat-widget",
        "browser",
        bot.browser.page,
        evaluate_all(
            [
                Condition.parse('[BODY] != ""'),
                Condition.parse(f"[RESPONSE_TIME] < {round(bot.budget * 1000)}"),
            ],
            probe,
        ),
        elapsed_ms=result.elapsed_ms,
        error=result.error,
        evidence=evidence,
    )
