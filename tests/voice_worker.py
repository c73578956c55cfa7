"""Child-process bodies for the voice cache concurrency tests (run under multiprocessing)."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from voxcap.settings import Settings
from voxcap.storage import create_store
from voxcap.voices import VoiceLibrary


def fetch_reference(settings_json: str, name: str, log_path: str) -> str:
    """Fetch a voice's reference through the cache; returns the sha256 of what it read."""
    handler = logging.FileHandler(log_path)
    logger = logging.getLogger("voxcap.voices")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    settings = Settings.model_validate_json(settings_json)
    library = VoiceLibrary(create_store(settings), settings)
    path = library.reference(name)
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SlowStore:
    """Wraps a real store; ``get`` announces itself, then hangs (to be killed mid-download)."""

    def __init__(self, inner: object, marker: Path) -> None:
        self._inner = inner
        self._marker = marker

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def get(self, key: str) -> bytes:
        if key.endswith("reference.wav"):
            self._marker.write_text("downloading")
            time.sleep(120)
        return self._inner.get(key)  # type: ignore[attr-defined, no-any-return]


def hang_in_download(settings_json: str, name: str, marker: str) -> None:
    settings = Settings.model_validate_json(settings_json)
    store = SlowStore(create_store(settings), Path(marker))
    VoiceLibrary(store, settings).reference(name)  # type: ignore[arg-type]
