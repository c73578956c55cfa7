"""The application factory: ``uvicorn --factory voxcap.api.app:create_app``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from voxcap.api.routes import files, health
from voxcap.errors import VoxcapError
from voxcap.runtime import Runtime
from voxcap.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """A voxcap API app over one Runtime built from ``settings`` (default: the environment)."""
    app = FastAPI(title="voxcap", version="0.1.0")
    app.state.runtime = Runtime(settings or Settings())
    app.include_router(health.router)
    app.include_router(files.router)

    @app.exception_handler(VoxcapError)
    async def voxcap_error(request: Request, exc: VoxcapError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    return app
