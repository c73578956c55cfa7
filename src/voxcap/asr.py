"""Speech recognition for reference clips that come without a transcript (``voxcap[asr]``).

faster-whisper (CTranslate2 Whisper) transcribes the clip once when its reference is prepared;
the text is cached with the prepared reference. Weights come from the model cache like every
other model (``voxcap models download asr``), never fetched while serving.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from voxcap import models
from voxcap._deps import require
from voxcap.audio import resample
from voxcap.domain import Audio
from voxcap.errors import VoiceAudioInvalid
from voxcap.settings import Settings

log = logging.getLogger(__name__)

RATE = 16_000


class Transcriber:
    """A Whisper model loaded once; ``transcribe`` is safe to call from several threads."""

    def __init__(self, settings: Settings) -> None:
        whisper = require("faster_whisper", extra="asr")
        ctranslate2 = require("ctranslate2", extra="asr")
        folder = models.locate("asr", settings)["weights"].parent
        cuda = settings.device.startswith("cuda") or (
            settings.device == "auto" and ctranslate2.get_cuda_device_count() > 0
        )
        log.info("loading ASR model %s (%s)", folder, "cuda" if cuda else "cpu")
        self._model: Any = whisper.WhisperModel(
            str(folder),
            device="cuda" if cuda else "cpu",
            compute_type="float16" if cuda else "int8",
        )
        self._lock = threading.Lock()

    def transcribe(self, audio: Audio) -> str:
        """What is said in ``audio``. Raises VoiceAudioInvalid when nothing is recognised."""
        samples = resample(audio, RATE).samples
        with self._lock:
            segments, _ = self._model.transcribe(
                samples, beam_size=5, condition_on_previous_text=False
            )
            text = " ".join(s.text.strip() for s in segments).strip()
        if not text:
            raise VoiceAudioInvalid("no speech was recognised in the reference clip")
        log.info("transcribed a %.1f s reference: %r", audio.duration, text)
        return text
