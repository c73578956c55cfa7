"""voxcap: text -> speech in a (cloned) voice -> exact word timings -> captions.

>>> import voxcap
>>> result = voxcap.speak(voxcap.SpeechRequest("Hello there."))   # doctest: +SKIP
>>> [(w.text, w.start, w.end) for w in result.words]               # doctest: +SKIP

``import voxcap`` loads nothing else: each name below is imported on first use, so a command
line or a worker starts without paying for the parts it does not touch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from voxcap.domain import (
        Audio,
        CaptionOptions,
        Cue,
        Pronunciation,
        SpeechRequest,
        SpeechResult,
        Word,
    )
    from voxcap.errors import VoxcapError
    from voxcap.lexicons import Lexicons
    from voxcap.pipeline import ProgressEvent, align, speak
    from voxcap.runtime import Runtime
    from voxcap.settings import Settings

_EXPORTS = {
    "Audio": "voxcap.domain",
    "CaptionOptions": "voxcap.domain",
    "Cue": "voxcap.domain",
    "SpeechRequest": "voxcap.domain",
    "SpeechResult": "voxcap.domain",
    "Word": "voxcap.domain",
    "Pronunciation": "voxcap.domain",
    "Lexicons": "voxcap.lexicons",
    "VoxcapError": "voxcap.errors",
    "ProgressEvent": "voxcap.pipeline",
    "speak": "voxcap.pipeline",
    "align": "voxcap.pipeline",
    "Runtime": "voxcap.runtime",
    "Settings": "voxcap.settings",
    "Spoken": "voxcap.text.preview",
    "spoken": "voxcap.text.preview",
}

__all__ = [
    "Audio",
    "CaptionOptions",
    "Cue",
    "Lexicons",
    "ProgressEvent",
    "Pronunciation",
    "Runtime",
    "Settings",
    "SpeechRequest",
    "SpeechResult",
    "Spoken",
    "VoxcapError",
    "Word",
    "align",
    "speak",
    "spoken",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'voxcap' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
