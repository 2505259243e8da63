"""Server-sent events, as chat endpoints stream their replies.

Only what a streamed chat reply needs from the WHATWG event-stream format: ``data:``
lines joined per event, events split on blank lines, comments and other fields ignored.
The body is read whole (bounded by the HTTP client) because the reply we judge is the
joined stream, and the latency we hold to the budget is the time to its last event.
"""

from __future__ import annotations

SSE_CONTENT_TYPE = "text/event-stream"
DONE = "[DONE]"
"""The OpenAI convention for the end of a stream; not part of the reply."""


def is_event_stream(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == SSE_CONTENT_TYPE


def events(body: str) -> list[str]:
    """The ``data`` of every event in ``body``, in order, without the ``[DONE]`` marker."""
    found: list[str] = []
    data: list[str] = []
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw == "":
            if data:
                found.append("\n".join(data))
                data = []
            continue
        if raw.startswith(":"):
            continue
        field, _, value = raw.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        found.append("\n".join(data))
    return [event for event in found if event.strip() != DONE]
