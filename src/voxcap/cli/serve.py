"""``voxcap serve``: the HTTP API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from voxcap.cli.app import guarded


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the HTTP API (signed file downloads for the local store, health checks)."""

    def run() -> None:
        from voxcap._deps import require

        uvicorn = require("uvicorn", extra="server")
        require("fastapi", extra="server")
        uvicorn.run("voxcap.api.app:create_app", factory=True, host=host, port=port)

    guarded(run)
