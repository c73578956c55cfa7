"""Reference clips for voice cloning: a clip and a transcript that says exactly what is in it.

A cloning engine (F5) conditions on the reference audio *and* its text; if the text holds words
that were cut off the audio, the model's text and mel lengths disagree (the "Expected size 2106
but got size 4089" failure). So a long clip is cut at a pause, and its transcript is cut at the
same word, found by forced alignment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from voxcap.aligners.base import Aligner
from voxcap.aligners.timing import word_times
from voxcap.audio import decode, peak_dbfs, resample, trim_silence
from voxcap.domain import Audio, Reference
from voxcap.errors import InvalidInput, VoiceAudioInvalid
from voxcap.text import prepare

RATE = 24_000
MAX_SECONDS = 12.0
DECODED_SECONDS = 120.0  # longest clip decoded (silence is trimmed after decoding)
MIN_PAUSE = 0.12  # a gap between words this long is a place to cut
MIN_SECONDS = 1.0


SILENT_DBFS = -50.0
KEPT_SECONDS = 30.0  # longest clip a voice keeps (a cloning engine uses its first 12 s)
BEST_SECONDS = (3.0, MAX_SECONDS)  # the clip length that clones best
TRIM_NOTE = 0.5  # silence trimmed off a clip that is worth telling the user about, s
QUIET_DBFS = -20.0  # a clip peaking below this was recorded too far from the microphone
Transcribe = Callable[[Audio], str]  # speech recognition for a clip that came without text


def prepare_reference(
    clip: Audio,
    transcript: str,
    aligner: Aligner,
    max_seconds: float = MAX_SECONDS,
    name: str = "clip",
    transcribe: Transcribe | None = None,
) -> Reference:
    """Mono 24 kHz, silence trimmed; if longer than ``max_seconds``, cut at the last pause that
    fits, and ``transcript`` cut after the last word before that pause.

    Raises:
        InvalidInput: the transcript is empty and there is no ``transcribe``.
        VoiceAudioInvalid: the clip is silent or under a second, or no word boundary fits in
            ``max_seconds``.
        AlignmentError: the transcript does not match the clip.
    """
    if peak_dbfs(clip) < SILENT_DBFS:
        raise VoiceAudioInvalid(f"the reference {name!r} is silent")
    audio = trim_silence(resample(clip, RATE))
    if audio.duration < MIN_SECONDS:
        raise VoiceAudioInvalid(
            f"the reference {name!r} has {audio.duration:.1f} s of speech; give at least "
            f"{MIN_SECONDS:.0f} s (3-12 s works best)"
        )
    if not transcript.strip():
        if transcribe is None:
            raise InvalidInput(
                f"the reference {name!r} has no transcript: a cloning engine needs exactly what "
                f"the clip says (--ref-text, or the voice's --transcript; or install "
                f"'voxcap[asr]' to transcribe clips)"
            )
        transcript = transcribe(audio)
    if audio.duration <= max_seconds:
        return Reference(name, audio, " ".join(transcript.split()))
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
    return Reference(name, trim_silence(clipped), " ".join(w.text for w in words[: last + 1]))


class ReferenceCache:
    """Prepared references, kept per clip version and transcript so that repeat requests
    skip decoding and alignment (a small LRU in memory; library voices also cache on disk)."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple[object, ...], Reference] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def file(
        self, path: Path, transcript: str, aligner: Aligner, transcribe: Transcribe | None = None
    ) -> Reference:
        """The reference for an audio file on disk and what it says."""
        try:
            stat = path.stat()
        except OSError:
            raise InvalidInput(f"no audio file at {path}") from None
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, transcript, aligner.name)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        reference = prepare_reference(
            decode(path, max_seconds=DECODED_SECONDS),
            transcript,
            aligner,
            name=path.name,
            transcribe=transcribe,
        )
        with self._lock:
            self._items[key] = reference
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return reference


def kept_clip(clip: Audio) -> tuple[Audio, tuple[str, ...]]:
    """A voice's clip as the library keeps it: mono 24 kHz, silence trimmed, 1-30 s of
    speech; and advice on it (what a user sees beside it). Raises VoiceAudioInvalid."""
    peak = peak_dbfs(clip)
    if peak < SILENT_DBFS:
        raise VoiceAudioInvalid("the clip is silent")
    trimmed = trim_silence(clip)
    if not MIN_SECONDS <= trimmed.duration <= KEPT_SECONDS:
        raise VoiceAudioInvalid(
            f"the clip has {trimmed.duration:.1f} s of speech after trimming silence; "
            f"give {MIN_SECONDS:.0f}-{KEPT_SECONDS:.0f} s"
        )
    notes = []
    if clip.duration - trimmed.duration >= TRIM_NOTE:
        notes.append(
            f"trimmed {clip.duration - trimmed.duration:.1f} s of silence: "
            f"{trimmed.duration:.1f} s of speech kept"
        )
    if trimmed.duration < BEST_SECONDS[0]:
        notes.append(
            f"short: {trimmed.duration:.1f} s of speech; "
            f"{BEST_SECONDS[0]:.0f}-{BEST_SECONDS[1]:.0f} s clones best"
        )
    elif trimmed.duration > BEST_SECONDS[1]:
        notes.append(
            f"long: a cloning engine uses the first {BEST_SECONDS[1]:.0f} s, cut at a pause"
        )
    if peak < QUIET_DBFS:
        notes.append(f"quiet: it peaks at {peak:.0f} dBFS; record closer to the microphone")
    return resample(trimmed, RATE), tuple(notes)
