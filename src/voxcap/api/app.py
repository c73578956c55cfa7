"""The application factory: ``uvicorn --factory voxcap.api.app:create_app``."""

from __future__ import annotations

import logging
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from voxcap import logs
from voxcap.api import errors
from voxcap.api.deps import Services, TokenBuckets
from voxcap.api.guards import Guards
from voxcap.api.pools import Pools
from voxcap.api.routes import (
    align,
    brands,
    capabilities,
    files,
    health,
    lexicons,
    openai,
    speech,
    studio,
    voices,
)
from voxcap.jobs import open_queue
from voxcap.jobs.notify import notifier_for
from voxcap.runtime import Runtime
from voxcap.settings import Settings

# The event loop and the pool threads share one GIL: at Python's default 5 ms switch interval
# a submit handed to a pool thread waited up to 5 ms a hop behind the loop's other requests
# (bench/api.py --burst-only, 100 submits and 12 scrapers: p99 265 ms, 190 ms at 0.5 ms).
SWITCH_INTERVAL = 0.0005


def create_app(settings: Settings | None = None) -> FastAPI:
    """The voxcap HTTP API over one Runtime and the job queue named by ``settings``."""
    settings = settings or Settings()
    sys.setswitchinterval(SWITCH_INTERVAL)
    app = FastAPI(
        title="voxcap",
        version="0.1.0",
        description="Narration in a (cloned) voice with word-exact captions. Errors are "
        '{"error": {"code", "message"}}; see docs/API.md.',
    )
    app.state.runtime = Runtime(settings)
    app.state.queue = open_queue(settings)
    app.state.pools = Pools(settings)
    app.state.services = Services(app.state.runtime, app.state.queue, app.state.pools)
    app.state.notifier = notifier_for(app.state.queue, app.state.pools.io.run)
    app.state.limiter = TokenBuckets(settings.rate_limit)
    app.state.auth_failures = TokenBuckets(settings.auth_failure_limit)
    logs.protect(logging.getLogger("uvicorn.access"))  # no signatures in access logs
    for module in (
        health,
        speech,
        align,
        voices,
        brands,
        lexicons,
        openai,
        files,
        capabilities,
        studio,
    ):
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(errors.BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(health.FreshMetrics, state=app.state)  # scrapes answered before routing
    hosts = ["*"] if settings.allowed_hosts is None else settings.allowed_hosts
    app.add_middleware(Guards, hosts=hosts, origins=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    return app


def server_config(app: FastAPI, **options: Any) -> Any:
    """uvicorn's configuration for ``app``: ``X-Forwarded-For`` is believed from
    ``VOXCAP_TRUSTED_PROXIES`` only (uvicorn's own default trusts loopback, which let any
    local client choose its address, its rate-limit bucket and its jobs' owner)."""
    import uvicorn

    trusted = app.state.runtime.settings.trusted_proxies
    return uvicorn.Config(
        app, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, **options
    )
