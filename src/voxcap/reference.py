"""Reference clips for voice cloning: a clip and a transcript that says exactly what is in it.

A cloning engine (F5) conditions on the reference audio *and* its text; if the text holds words
that were cut off the audio, the model's text and mel lengths disagree (the "Expected size 2106
but got size 4089" failure). So a long clip is cut at a pause, and its transcript is cut at the
same word, found by forced alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxcap.align.base import Aligner
from voxcap.audio import resample, trim_silence
from voxcap.domain import Audio
from voxcap.errors import VoiceAudioInvalid
from voxcap.pipeline import word_times
from voxcap.text import prepare

RATE = 24_000
MAX_SECONDS = 12.0
MIN_PAUSE = 0.12  # a gap between words this long is a place to cut


@dataclass(frozen=True, slots=True)
class Reference:
    audio: Audio  # mono, 24 kHz, silence trimmed, at most MAX_SECONDS
    text: str  # the transcript's words that are spoken in ``audio``, as written


def prepare_reference(
    clip: Audio, transcript: str, aligner: Aligner, max_seconds: float = MAX_SECONDS
) -> Reference:
    """Trim ``clip``; if it is longer than ``max_seconds``, cut it at the last pause that fits
    and cut ``transcript`` after the last word before that pause.

    Raises:
        VoiceAudioInvalid: no word boundary fits in ``max_seconds``.
        AlignmentError: the transcript does not match the clip.
    """
    audio = trim_silence(resample(clip, RATE))
    if audio.duration <= max_seconds:
        return Reference(audio, " ".join(transcript.split()))
    script = prepare(transcript)
    spans = aligner.align(audio, [t.text for t in script.tokens])
    words = word_times(script, spans, audio.duration)
    ends = [i for i, w in enumerate(words) if w.end <= max_seconds and w.end > w.start]
    if not ends:
        raise VoiceAudioInvalid(f"no word of the transcript ends within {max_seconds:.0f} s")
    pauses = [
        i for i in ends if i + 1 < len(words) and words[i + 1].start - words[i].end >= MIN_PAUSE
    ]
    last = (pauses or ends)[-1]
    following = words[last + 1].start if last + 1 < len(words) else audio.duration
    cut = min((words[last].end + following) / 2, max_seconds)
    clipped = Audio(audio.samples[: round(cut * RATE)], RATE)
    return Reference(trim_silence(clipped), " ".join(w.text for w in words[: last + 1]))
