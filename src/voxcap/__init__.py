"""voxcap: text -> speech in a (cloned) voice -> exact word timings -> captions.

>>> import voxcap
>>> result = voxcap.speak(voxcap.SpeechRequest("Hello there."))   # doctest: +SKIP
>>> [(w.text, w.start, w.end) for w in result.words]               # doctest: +SKIP
"""

from voxcap.domain import Audio, CaptionOptions, Cue, SpeechRequest, SpeechResult, Word
from voxcap.errors import VoxcapError
from voxcap.pipeline import ProgressEvent, align, speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings

__all__ = [
    "Audio",
    "CaptionOptions",
    "Cue",
    "ProgressEvent",
    "Runtime",
    "Settings",
    "SpeechRequest",
    "SpeechResult",
    "VoxcapError",
    "Word",
    "align",
    "speak",
]
__version__ = "0.1.0"
