"""Limits on requests, before any route sees them.

* :class:`BodyLimit`: an oversized body is refused with 413 before it is read.
  A declaration is a few kilobytes and a list upload a few megabytes; a body of
  hundreds of megabytes is an attack or an accident, and reading it would tie a
  worker's memory up. Declared lengths are checked at once; bodies sent without
  a length (chunked) are counted as they arrive.
* :class:`UrlGuard`: a path or query parameter holding control characters or
  Unicode bidirectional controls is refused with 422 naming it. No identifier
  or filter needs them, PostgreSQL cannot even compare text with a NUL in it,
  and a comment given in the query is stored like any other text.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.text import refuse_bidi_controls


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware refusing bodies larger than ``limit`` bytes (413, the usual error body)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._refuse(send)
                    return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started and not refused:
                        # Answered here, at once: the framework turns any error raised
                        # while it reads the body into its own 400, which would hide why.
                        refused = True
                        await self._refuse(send)
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is sent; what the application answers after it is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        # Refused above, or the response had begun and the stream is cut.
        with contextlib.suppress(_TooLarge):
            await self.app(scope, counted, tracking)

    async def _refuse(self, send: Send) -> None:
        body: dict[str, Any] = {
            "type": "request too large",
            "detail": f"the request body exceeds {self.limit:,} bytes",
            "errors": [],
        }
        await _send_json(send, 413, body)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _problem(text: str) -> str | None:
    if _CONTROL.search(text):
        return "contains control characters"
    try:
        refuse_bidi_controls(text)
    except ValueError as exc:
        return str(exc)
    return None


class UrlGuard:
    """ASGI middleware refusing control characters and bidirectional controls in the
    path or the query (422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            errors = []
            if problem := _problem(scope.get("path", "")):
                errors.append({"loc": ["path"], "msg": problem})
            query = scope.get("query_string", b"").decode("latin-1")
            for name, value in parse_qsl(query, keep_blank_values=True):
                if problem := _problem(name) or _problem(value):
                    errors.append({"loc": ["query", name], "msg": problem})
            if errors:
                await _send_json(
                    send,
                    422,
                    {
                        "type": "invalid input",
                        "detail": f"{len(errors)} field(s) failed validation",
                        "errors": errors,
                    },
                )
                return
        await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
