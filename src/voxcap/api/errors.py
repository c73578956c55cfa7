"""Every API error is ``{"error": {"code", "message"}}`` with the status of its code."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxcap.errors import (
    BodyTooLarge,
    InvalidRequest,
    MethodNotAllowed,
    ObjectNotFound,
    RetryLater,
    VoxcapError,
    public_message,
)
from voxcap.schemas import describe

HTTP_CODES = {404: ObjectNotFound.code, 405: MethodNotAllowed.code, 400: InvalidRequest.code}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one JSON shape."""

    @app.exception_handler(VoxcapError)
    async def voxcap_error(request: Request, exc: VoxcapError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RetryLater) else None
        return error_response(exc.http_status, exc.code, public_message(exc.message), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", describe(exc.errors()))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        """A bug: the JSON shape still holds (Starlette logs the traceback and re-raises)."""
        return error_response(500, "internal_error", "unexpected failure; see the server log")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(exc.status_code, code, str(exc.detail))


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 ``body_too_large``.

    A body with a Content-Length is judged by its header. A chunked body (no length) is read
    here first, up to the limit, and handed on only when it fits: raising from inside the
    app's own body parsing would turn into FastAPI's 400.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, BodyTooLarge.code, f"request body is over {self.limit:,} bytes"
        )
        await response(scope, receive, send)
