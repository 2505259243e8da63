"""The chat adapter against chat servers shaped like the ones stores really run: form
bodies, a GET with the message in the query, nested reply paths, tool objects, and plain
text streamed as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from launchready.chat import sse
from launchready.chat.adapter import ChatClient, ChatConfigError
from launchready.manifest import load_manifest
from launchready.runner import AuditOptions, open_context
from tests.labserver import serve


def test_sse_events_join_data_lines_and_drop_comments_and_done() -> None:
    body = (
        ': keep-alive\r\ndata: one\r\ndata: two\r\n\r\nevent: x\ndata: {"a": 1}\n\ndata: [DONE]\n\n'
    )
    assert sse.events(body) == ["one\ntwo", '{"a": 1}']
    assert sse.events("data:no space\n") == ["no space"]
    assert sse.is_event_stream("text/event-stream; charset=utf-8")
    assert not sse.is_event_stream("application/json")


@pytest.fixture
async def lab_bot() -> AsyncIterator[str]:
    """One server, several bot shapes, each on its own path."""

    async def form(request: web.Request) -> web.StreamResponse:
        data = await request.post()
        return web.json_response(
            {
                "data": {"text": f"you said {data['text']}"},
                "tools": [{"name": "lookup_order"}, {"function": {"name": "create_refund"}}],
                "conversation": data["conversation"],
            }
        )

    async def query(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"reply": f"{request.query['q']} / {request.query['s'][:10]}", "actions": []}
        )

    async def plain_stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for part in ("Hel", "lo ", "there"):
            await response.write(f"data: {part}\n\n".encode())
        return response

    app = web.Application()
    app.router.add_post("/form", form)
    app.router.add_get("/query", query)
    app.router.add_post("/plain-stream", plain_stream)
    async with serve(app) as origin:
        yield origin


async def send(tmp_path: Path, chatbot: dict[str, Any], *messages: str) -> list[Any]:
    path = tmp_path / "launchready.yaml"
    path.write_text(yaml.safe_dump({"site": {"domain": "lab.test"}, "chatbot": chatbot}))
    manifest = load_manifest(path)
    assert manifest.chatbot is not None
    async with open_context(manifest, AuditOptions(timeout=5)) as ctx:
        session = ChatClient(manifest.chatbot, ctx.http).session("lab")
        return [await session.send(m) for m in messages]


async def test_a_form_bot_with_nested_paths_and_tool_objects(lab_bot: str, tmp_path: Path) -> None:
    (reply,) = await send(
        tmp_path,
        {
            "url": f"{lab_bot}/form",
            "request": {"form": {"text": "{message}", "conversation": "{session}"}},
            "reply": "$.data.text",
            "actions": "$.tools",
        },
        "hi there",
    )
    assert reply.ok
    assert reply.text == "you said hi there"
    assert reply.actions == ("lookup_order", "create_refund")


async def test_a_get_bot_with_the_message_in_the_query(lab_bot: str, tmp_path: Path) -> None:
    (reply,) = await send(
        tmp_path,
        {
            "url": f"{lab_bot}/query?q={{message}}&s={{session}}",
            "request": {"method": "GET"},
            "actions": "$.actions",
        },
        "où & why?",
    )
    assert reply.text.startswith("où & why? / lab-")


async def test_a_plain_text_stream_is_the_joined_reply(lab_bot: str, tmp_path: Path) -> None:
    (reply,) = await send(tmp_path, {"url": f"{lab_bot}/plain-stream"}, "hello")
    assert reply.streamed
    assert reply.text == "Hello there"


async def test_the_configuration_is_checked_on_the_first_reply_only(
    lab_bot: str, tmp_path: Path
) -> None:
    chatbot = {"url": f"{lab_bot}/query?q={{message}}&s={{session}}", "request": {"method": "GET"}}
    with pytest.raises(ChatConfigError, match=r"\$\.nothing matched nothing in the first reply"):
        await send(tmp_path, chatbot | {"reply": "$.nothing"}, "hi")


def test_a_jsonpath_that_does_not_parse_is_a_manifest_error(tmp_path: Path) -> None:
    from launchready.errors import ManifestError

    path = tmp_path / "launchready.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "site": {"domain": "lab.test"},
                "chatbot": {"url": "https://c.lab.test/", "reply": "$.["},
            }
        )
    )
    with pytest.raises(ManifestError, match=r"chatbot\.reply.*not a JSONPath"):
        load_manifest(path)
