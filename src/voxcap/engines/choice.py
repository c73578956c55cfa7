"""Which engine speaks when neither the request nor ``VOXCAP_ENGINE`` names one (issue 31).

F5 clones voices but needs torch, and a GPU to be quick (on a CPU it takes about 17 s per
second of speech); Piper runs anywhere. So the default follows what is installed and what the
machine has: F5 where it is installed and an NVIDIA GPU is there, else Piper, never F5 chosen
silently on a CPU. A voice to clone (a clip, a library voice) asks for F5 wherever it is
installed; where it is not, that is a clear error naming what to install. Told without
importing torch.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from voxcap.errors import MissingDependency

CLONING = "f5"
ANYWHERE = "piper"
# the packages F5 runs on (voxcap[f5] and requirements/f5-tts.txt)
F5_PACKAGES = ("torch", "f5_tts", "x_transformers", "vocos")
INSTALL_F5 = (
    "bash scripts/setup gpu (or pip install -r requirements/torch.txt 'voxcap[f5]' && "
    "pip install --no-deps -r requirements/f5-tts.txt; docs/F5.md)"
)
NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")


@dataclass(frozen=True, slots=True)
class Choice:
    """The engine chosen, and what to tell the user about the choice (None: nothing)."""

    name: str
    note: str | None = None


def f5_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in F5_PACKAGES)


def has_gpu() -> bool:
    """An NVIDIA driver is loaded."""
    return NVIDIA_DRIVER.exists()


def default_engine(clone: bool) -> Choice:
    """The engine for a request that names none; ``clone``: it asks for a voice to clone.

    Raises:
        MissingDependency: a voice to clone, and F5 is not installed.
    """
    installed = f5_installed()
    if installed and has_gpu():
        return Choice(CLONING)
    if clone:
        if not installed:
            raise MissingDependency(
                f"cloning a voice needs the F5 engine, which is not installed here: {INSTALL_F5}"
            )
        return Choice(CLONING, "cloning with F5 on a CPU: about 17 s per second of speech")
    if installed:
        return Choice(
            ANYWHERE,
            "speaking with Piper: F5 is installed but there is no GPU here (on a CPU it takes "
            "about 17 s per second of speech); --engine f5 to use it anyway",
        )
    return Choice(ANYWHERE, f"speaking with Piper; to clone voices, install F5: {INSTALL_F5}")
