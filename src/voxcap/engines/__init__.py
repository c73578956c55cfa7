"""Speech engines, chosen by name from a lazy registry (a new engine = a file + one line)."""

from __future__ import annotations

from typing import Any

from voxcap.engines.base import Engine, Synthesis, SynthesisOptions
from voxcap.errors import UnknownEngine
from voxcap.registry import create

# in the order offered (the studio starts on the first that can run where the default cannot)
ENGINES: dict[str, str] = {
    "f5": "voxcap.engines.f5:F5Engine",
    "piper": "voxcap.engines.piper:PiperEngine",
    "espeak": "voxcap.engines.espeak:EspeakEngine",
}

__all__ = ["ENGINES", "Engine", "Synthesis", "SynthesisOptions", "create_engine"]


def create_engine(name: str, **kwargs: Any) -> Engine:
    """Build the engine registered as ``name``.

    Raises:
        UnknownEngine: no engine has that name.
        MissingDependency: the engine's extra is not installed.
    """
    engine: Engine = create(ENGINES, name, UnknownEngine, "engine", **kwargs)
    return engine
