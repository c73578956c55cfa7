"""Runtime: the engines and aligners of one process, built from Settings once and reused."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from voxcap.align import Aligner, create_aligner
from voxcap.domain import Voice
from voxcap.engines import Engine, create_engine
from voxcap.errors import VoiceNotFound
from voxcap.settings import Settings
from voxcap.storage import keys

if TYPE_CHECKING:
    from voxcap.storage import Store
    from voxcap.voices import VoiceLibrary


class Runtime:
    """Holds loaded engines and aligners so models load once per process."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._engines: dict[str, Engine] = {}
        self._aligners: dict[str, Aligner] = {}
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._voices: VoiceLibrary | None = None

    @property
    def store(self) -> Store:
        """The object store named by ``settings.storage`` (built on first use)."""
        if self._store is None:
            from voxcap.storage import create_store

            self._store = create_store(self.settings)
        return self._store

    @property
    def voices(self) -> VoiceLibrary:
        """The voice library over :attr:`store`."""
        if self._voices is None:
            from voxcap.voices import VoiceLibrary

            self._voices = VoiceLibrary(self.store, self.settings)
        return self._voices

    def resolve_voice(self, voice: str | None) -> str | Voice | None:
        """A library voice when ``voice`` names one; otherwise ``voice`` as given (a path or a
        name the engine knows)."""
        if voice is None or not keys.VOICE_NAME.fullmatch(voice):
            return voice
        try:
            return self.voices.get(voice)
        except VoiceNotFound:
            return voice  # a name the engine itself may know ("joe")

    def engine(self, name: str | None = None) -> Engine:
        """The engine ``name`` (default: ``settings.engine``), loading it on first use."""
        name = name or self.settings.engine
        with self._lock:
            if name not in self._engines:
                kwargs = {"default_voice": self.settings.piper_voice} if name == "piper" else {}
                self._engines[name] = create_engine(name, **kwargs)
            return self._engines[name]

    def aligner(self, name: str | None = None) -> Aligner:
        """The aligner ``name`` (default: ``settings.aligner``), loading it on first use."""
        name = name or self.settings.aligner
        with self._lock:
            if name not in self._aligners:
                self._aligners[name] = create_aligner(name)
            return self._aligners[name]
