"""The application factory: ``uvicorn --factory voxcap.api.app:create_app``."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from voxcap import logs
from voxcap.api import errors
from voxcap.api.deps import TokenBuckets
from voxcap.api.pools import Pools
from voxcap.api.routes import (
    brands,
    capabilities,
    files,
    health,
    openai,
    speech,
    studio,
    voices,
)
from voxcap.jobs import open_queue
from voxcap.jobs.notify import notifier_for
from voxcap.runtime import Runtime
from voxcap.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The voxcap HTTP API over one Runtime and the job queue named by ``settings``."""
    settings = settings or Settings()
    app = FastAPI(
        title="voxcap",
        version="0.1.0",
        description="Narration in a (cloned) voice with word-exact captions. Errors are "
        '{"error": {"code", "message"}}; see docs/API.md.',
    )
    app.state.runtime = Runtime(settings)
    app.state.queue = open_queue(settings)
    app.state.pools = Pools(settings)
    app.state.notifier = notifier_for(app.state.queue, app.state.pools.io.run)
    app.state.limiter = TokenBuckets(settings.rate_limit)
    app.state.auth_failures = TokenBuckets(settings.auth_failure_limit)
    logs.protect(logging.getLogger("uvicorn.access"))  # no signatures in access logs
    for module in (health, speech, voices, brands, openai, files, capabilities, studio):
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(errors.BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    return app
