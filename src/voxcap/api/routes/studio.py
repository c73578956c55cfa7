"""The studio web page (:mod:`voxcap.studio`): ``/`` and its files under ``/studio/``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from voxcap.studio import asset

router = APIRouter(include_in_schema=False)

# Scripts, styles and API calls from this server only; audio and video may come from the
# store's signed URLs (an S3 bucket is another origin), recordings from blob: URLs.
POLICY = (
    "default-src 'self'; media-src 'self' blob: https: http:; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@router.get("/")
def page() -> Response:
    return _file("index.html")


@router.get("/studio/{name}")
def studio_file(name: str) -> Response:
    return _file(name)


def _file(name: str) -> Response:
    body, media_type = asset(name)
    headers = {"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"}
    return Response(body, media_type=media_type, headers=headers)
