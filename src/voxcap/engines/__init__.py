"""Speech engines, chosen by name from a lazy registry (a new engine = a file + one line)."""

from __future__ import annotations

from typing import Any

from voxcap.engines.base import Engine, Synthesis, SynthesisOptions
from voxcap.errors import UnknownEngine
from voxcap.registry import create

ENGINES: dict[str, str] = {
    "espeak": "voxcap.engines.espeak:EspeakEngine",
    "f5": "voxcap.engines.f5:F5Engine",
    "piper": "voxcap.engines.piper:PiperEngine",
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
