"""voxcap studio: the web page ``voxcap serve`` serves at ``/`` (docs/STUDIO.md).

Plain HTML, CSS and JavaScript shipped inside the package: no build step, no CDN, so it works
offline and on the same origin (and API keys) as the API.
"""

from __future__ import annotations

from importlib import resources
from pathlib import PurePosixPath

from voxcap.errors import ObjectNotFound

# the media type of each kind of file the studio ships (its scripts are ES modules)
TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


def asset(name: str) -> tuple[bytes, str]:
    """The file ``name`` of the studio and its media type. Raises ObjectNotFound."""
    kind = TYPES.get(PurePosixPath(name).suffix)
    file = resources.files(__package__) / name
    if kind is None or "/" in name or name.startswith(".") or not file.is_file():
        raise ObjectNotFound(f"the studio has no file {name[:100]!r}")
    return file.read_bytes(), kind
