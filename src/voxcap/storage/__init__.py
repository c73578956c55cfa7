"""Object stores, chosen by the scheme of ``VOXCAP_STORAGE`` from a lazy registry."""

from __future__ import annotations

from urllib.parse import urlparse

from voxcap.errors import InvalidInput
from voxcap.registry import load
from voxcap.settings import Settings
from voxcap.storage.base import MAX_EXPIRES, SignedUrl, Store

STORES: dict[str, str] = {
    "file": "voxcap.storage.local:LocalStore",
    "s3": "voxcap.storage.s3:S3Store",
}

__all__ = ["MAX_EXPIRES", "STORES", "SignedUrl", "Store", "create_store"]


def create_store(settings: Settings) -> Store:
    """The store that ``settings.storage`` names (``file:///path`` or ``s3://bucket/prefix``)."""
    scheme = urlparse(settings.storage).scheme
    if scheme not in STORES:
        raise InvalidInput(
            f"VOXCAP_STORAGE={settings.storage!r}: use file:///path or s3://bucket/prefix"
        )
    store: Store = load(STORES[scheme]).from_settings(settings)
    return store
