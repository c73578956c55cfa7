"""``GET /files/{key}``: serves local-store signed URLs (expiry and signature enforced)."""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from voxcap.api.deps import RuntimeDep
from voxcap.errors import ObjectNotFound
from voxcap.storage.local import LocalStore

router = APIRouter()


@router.get("/files/{key:path}")
def get_file(
    key: str,
    rt: RuntimeDep,
    expires: Annotated[int, Query()],
    filename: Annotated[str, Query()],
    signature: Annotated[str, Query()],
) -> FileResponse:
    store = rt.store
    if not isinstance(store, LocalStore):
        raise ObjectNotFound("this server's store hands out its own signed URLs")
    store.verify(key, expires, filename, signature)
    path = store.local_path(key)
    if not path.is_file():
        raise ObjectNotFound(f"no object {key}")
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=filename)
