"""Talking to any HTTP chatbot the way the manifest describes it.

Two kinds of endpoint cover what stores deploy: a ``template`` bot (a JSON or form body
with ``{message}`` and ``{session}`` filled in, JSONPaths to the reply and the actions it
took; the server keeps the conversation by session id) and an ``openai`` chat-completions
endpoint (the client sends the whole conversation; tool calls are the actions). Either
may stream its answer as server-sent events; the reply is then the joined stream.

A reply is a value, errors included, so a red-team run of fifty probes reports every
failure instead of stopping at the first. The one exception is configuration: a JSONPath
that matches nothing in the first reply raises :class:`ChatConfigError`, because every
later verdict would silently pass on an empty reply.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from jsonpath_ng.ext.parser import parse as parse_jsonpath

from launchready.chat import sse
from launchready.chat.template import fill_template
from launchready.errors import InputError
from launchready.manifest.models import Chatbot
from launchready.net import HttpClient

MAX_REPLY_BYTES = 512 * 1024
"""A chat reply is text for a person; anything longer is a runaway stream."""
DEFAULT_RETRY_AFTER_S = 1.0


ChatRequestParts = tuple[str, str, dict[str, str], Any, dict[str, str] | None]
"""Method, URL, headers, JSON body and form of one chat request."""


class ChatConfigError(InputError):
    """The manifest's chatbot section does not fit what the endpoint answers."""


@dataclass(frozen=True)
class Reply:
    """One answer of the bot, or why there was none."""

    text: str | None
    actions: tuple[str, ...] = ()
    status: int | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    retry_after: float | None = None
    """Seconds the server asked us to wait (HTTP 429)."""
    streamed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.text and self.text.strip())

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


@dataclass
class ChatClient:
    """One chatbot endpoint; hands out sessions and checks its configuration once."""

    bot: Chatbot
    http: HttpClient
    _checked: bool = field(default=False, init=False)

    def session(self, label: str = "launchready") -> ChatSession:
        """A new conversation; the random suffix keeps state from earlier runs out of it."""
        return ChatSession(self, f"{label}-{secrets.token_hex(4)}")

    def check_first(self, body: Any, reply_matched: bool, actions_matched: bool) -> None:
        """Raise once, on the first parsed reply, when a configured path finds nothing."""
        if self._checked:
            return
        self._checked = True
        excerpt = json.dumps(body)[:200] if body is not None else "(no JSON)"
        if not reply_matched:
            raise ChatConfigError(
                f"chatbot.reply: {self.bot.reply} matched nothing in the first reply from "
                f"{self.bot.url}: {excerpt}"
            )
        if self.bot.actions is not None and not actions_matched:
            raise ChatConfigError(
                f"chatbot.actions: {self.bot.actions} matched nothing in the first reply from "
                f"{self.bot.url}: {excerpt} (a bot that omits the field when it takes no "
                "action cannot be checked for unsafe actions)"
            )


@dataclass
class ChatSession:
    """One conversation: the server's session id, and the history an OpenAI bot needs."""

    client: ChatClient
    session_id: str
    history: list[dict[str, str]] = field(default_factory=list)

    def build_request(self, message: str) -> ChatRequestParts:
        """The HTTP request that carries ``message`` in this session, as the endpoint's kind
        wants it (the rate-limit burst sends the same request without a conversation)."""
        if self.client.bot.kind == "openai":
            return self._openai_request(message)
        return self._template_request(message)

    async def send(self, message: str) -> Reply:
        bot = self.client.bot
        method, url, headers, body, form = self.build_request(message)
        response = await self.client.http.request(
            method, url, headers=headers, json=body, form=form, max_body=MAX_REPLY_BYTES
        )
        elapsed = response.total_ms or 0.0
        if response.status is None:
            return Reply(None, elapsed_ms=elapsed, error=response.error or "no answer")
        if response.status == 429:
            return Reply(
                None,
                status=429,
                elapsed_ms=elapsed,
                error="HTTP 429: rate-limited",
                retry_after=_retry_after(response.header("Retry-After")),
            )
        if response.status >= 400:
            return Reply(
                None,
                status=response.status,
                elapsed_ms=elapsed,
                error=f"HTTP {response.status}: {_excerpt(response.text)}",
            )
        if response.truncated:
            return Reply(
                None,
                status=response.status,
                elapsed_ms=elapsed,
                error=f"the reply is longer than {MAX_REPLY_BYTES // 1024} KiB",
            )
        reply = self._parse(response.text, response.header("Content-Type"))
        reply = Reply(
            reply.text,
            reply.actions,
            response.status,
            elapsed,
            reply.error,
            streamed=reply.streamed,
        )
        if bot.kind == "openai":
            self.history += [
                {"role": "user", "content": message},
                {"role": "assistant", "content": reply.text or ""},
            ]
        return reply

    def _template_request(self, message: str) -> ChatRequestParts:
        request = self.client.bot.request
        url = self.client.bot.url.replace("{message}", quote(message)).replace(
            "{session}", quote(self.session_id)
        )
        headers = {
            k: fill_template(v, message, self.session_id) for k, v in request.headers.items()
        }
        body = fill_template(request.json_body, message, self.session_id)
        if request.json_body is None and request.form is None and request.method != "GET":
            body = {"message": message, "session_id": self.session_id}
        form = (
            {k: fill_template(v, message, self.session_id) for k, v in request.form.items()}
            if request.form is not None
            else None
        )
        return request.method, url, headers, body, form

    def _openai_request(self, message: str) -> ChatRequestParts:
        bot = self.client.bot
        body: dict[str, Any] = {
            "model": bot.model or "default",
            "messages": [*self.history, {"role": "user", "content": message}],
            "user": self.session_id,
        }
        if bot.stream:
            body["stream"] = True
        return "POST", bot.url, dict(bot.request.headers), body, None

    def _parse(self, text: str, content_type: str | None) -> Reply:
        openai = self.client.bot.kind == "openai"
        if sse.is_event_stream(content_type):
            parsed = [_json_or_text(event) for event in sse.events(text)]
            if openai:
                return _openai_stream(parsed)
            return self._template_stream(parsed)
        try:
            body = json.loads(text)
        except ValueError:
            return Reply(None, error=f"the reply is not JSON: {_excerpt(text)}")
        return _openai_message(body) if openai else self._template_reply(body)

    def _template_reply(self, body: Any) -> Reply:
        bot = self.client.bot
        texts = _strings(parse_jsonpath(bot.reply).find(body))
        actions = _actions(bot.actions, body)
        self.client.check_first(body, bool(texts), actions is not None)
        if not texts:
            return Reply(None, error=f"{bot.reply} matched nothing: {_excerpt(json.dumps(body))}")
        return Reply("".join(texts), tuple(actions or ()))

    def _template_stream(self, events: list[Any]) -> Reply:
        """Each event is either JSON (the paths apply to it) or plain text (part of the reply)."""
        bot = self.client.bot
        parts: list[str] = []
        actions: list[str] = []
        reply_matched = actions_matched = False
        for event in events:
            if isinstance(event, str):
                parts.append(event)
                reply_matched = True
                continue
            found = _strings(parse_jsonpath(bot.reply).find(event))
            reply_matched = reply_matched or bool(found)
            parts += found
            names = _actions(bot.actions, event)
            actions_matched = actions_matched or names is not None
            actions += names or []
        self.client.check_first(events[0] if events else None, reply_matched, actions_matched)
        if not reply_matched:
            return Reply(None, error="the stream carried no reply", streamed=True)
        return Reply("".join(parts), tuple(actions), streamed=True)


def _json_or_text(event: str) -> Any:
    try:
        return json.loads(event)
    except ValueError:
        return event


def _openai_message(body: Any) -> Reply:
    try:
        message = body["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return Reply(None, error=f"no choices[0].message: {_excerpt(json.dumps(body))}")
    content = message.get("content") if isinstance(message, dict) else None
    calls = message.get("tool_calls") or [] if isinstance(message, dict) else []
    names = [_call_name(call) for call in calls]
    legacy = message.get("function_call") if isinstance(message, dict) else None
    if isinstance(legacy, dict) and isinstance(legacy.get("name"), str):
        names.append(legacy["name"])
    text = content if isinstance(content, str) else ""
    return Reply(text, tuple(n for n in names if n))


def _openai_stream(events: list[Any]) -> Reply:
    parts: list[str] = []
    names: list[str] = []
    for event in events:
        try:
            delta = event["choices"][0]["delta"]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(delta.get("content"), str):
            parts.append(delta["content"])
        names += [n for n in (_call_name(c) for c in delta.get("tool_calls") or []) if n]
    if not events:
        return Reply(None, error="the stream carried no events", streamed=True)
    return Reply("".join(parts), tuple(names), streamed=True)


def _call_name(call: Any) -> str:
    function = call.get("function") if isinstance(call, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) else ""


def _strings(matches: list[Any]) -> list[str]:
    return [m.value if isinstance(m.value, str) else json.dumps(m.value) for m in matches]


def _actions(path: str | None, body: Any) -> list[str] | None:
    """Action names at ``path`` (strings, or objects with a name); None when it matched nothing."""
    if path is None:
        return []
    matches = parse_jsonpath(path).find(body)
    if not matches:
        return None
    names: list[str] = []
    for match in matches:
        values = match.value if isinstance(match.value, list) else [match.value]
        for value in values:
            if isinstance(value, str):
                names.append(value)
            elif isinstance(value, Mapping):
                name = value.get("name") or value.get("action") or value.get("tool")
                if isinstance(name, str):
                    names.append(name)
                elif isinstance(value.get("function"), Mapping):
                    names.append(_call_name(value))
    return names


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER_S
    except ValueError:
        return DEFAULT_RETRY_AFTER_S


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
