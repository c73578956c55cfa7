"""voxcap studio: the web page ``voxcap serve`` serves at ``/`` (docs/STUDIO.md).

Plain HTML, CSS and JavaScript shipped inside the package: no build step, no CDN, so it works
offline and on the same origin (and API keys) as the API.
"""

from __future__ import annotations

from importlib import resources

from voxcap.errors import ObjectNotFound

ASSETS: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "studio.css": "text/css; charset=utf-8",
    "studio.js": "text/javascript; charset=utf-8",
}


def asset(name: str) -> tuple[bytes, str]:
    """The file ``name`` of the studio and its media type. Raises ObjectNotFound."""
    if name not in ASSETS:
        raise ObjectNotFound(f"the studio has no file {name[:100]!r}")
    return (resources.files(__package__) / name).read_bytes(), ASSETS[name]
