"""Runtime: the engines and aligners of one process, built from Settings once and reused."""

from __future__ import annotations

import threading

from voxcap.align import Aligner, create_aligner
from voxcap.engines import Engine, create_engine
from voxcap.settings import Settings


class Runtime:
    """Holds loaded engines and aligners so models load once per process."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._engines: dict[str, Engine] = {}
        self._aligners: dict[str, Aligner] = {}
        self._lock = threading.Lock()

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
