"""The Store protocol: where voices and outputs live, handed out as expiring signed URLs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

MAX_EXPIRES = 7 * 24 * 3600  # S3 SigV4 presigned URLs cannot live longer


@dataclass(frozen=True, slots=True)
class SignedUrl:
    url: str
    expires_at: int  # unix seconds


class Store(Protocol):
    """An object store. Keys are made by :mod:`voxcap.storage.keys` only."""

    url: str  # where it is, for messages (never holds secrets)

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        exclusive: bool = False,
    ) -> None:
        """Write ``data`` at ``key`` atomically: readers see the old object or the new one.

        With ``exclusive`` the write happens only if ``key`` does not exist yet, decided by
        the store itself (no check-then-write race). Raises ObjectExists otherwise.
        """
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes. Raises ObjectNotFound."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Keys that start with ``prefix``, sorted."""
        ...

    def signed_url(
        self, key: str, expires: int | None = None, filename: str | None = None
    ) -> SignedUrl:
        """An expiring URL that downloads ``key`` (as ``filename``) without credentials."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The object's path when the store is a local folder, else None."""
        ...
