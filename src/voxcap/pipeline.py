"""The pipeline: text -> speech -> word timings of the exact input text.

``speak`` strings the steps together; ``align`` times the words of a text in existing audio.
Both report progress through a callback and record the wall time of every stage.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from voxcap import loudness as loudness_
from voxcap import registry
from voxcap.aligners import ALIGNERS
from voxcap.aligners.longform import align_long
from voxcap.aligners.timing import unplaced_words, word_times
from voxcap.directing import Read, engine_for, read_of, takes_phonemes, with_speakers
from voxcap.domain import AlignmentReport, Audio, SpeechRequest, SpeechResult, Word
from voxcap.engines import ENGINES
from voxcap.engines.base import Engine, SynthesisOptions
from voxcap.errors import (
    AlignmentError,
    EmptyText,
    InvalidInput,
    NoEngineTimings,
    SpeechTooLong,
    UnknownAligner,
    UnsupportedLanguage,
)
from voxcap.retake import Retakes, time_and_verify
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.text import Script, check_language, prepare
from voxcap.verify import LANGUAGES as VERIFIED_LANGUAGES
from voxcap.verify import check_recording

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Progress of one stage (normalize, synthesize, align, loudness); ``fraction`` in [0, 1]."""

    stage: str
    fraction: float


Listener = Callable[[ProgressEvent], None]


class _Stages:
    def __init__(self, listener: Listener | None) -> None:
        self.listener = listener
        self.timings: dict[str, float] = {}

    def report(self, stage: str, fraction: float) -> None:
        if self.listener:
            self.listener(ProgressEvent(stage, fraction))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.report(name, 0.0)
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
        self.report(name, 1.0)


def speak(
    request: SpeechRequest,
    runtime: Runtime | None = None,
    on_progress: Listener | None = None,
    loudness: str | float | None = None,
) -> SpeechResult:
    """Synthesize ``request.text`` and time every word of it.

    Args:
        loudness: target integrated loudness: LUFS (-40 to -13) or a preset of
            :mod:`voxcap.loudness` ("tiktok", "podcast", "broadcast"...); None = as is. Reached
            within ±0.5 LU with true peak ≤ -1 dBTP.

    Raises:
        InvalidInput: empty/overlong text, unknown engine/voice, bad speed.
        AlignmentError, EngineError: a stage failed.
    """
    runtime = runtime or Runtime()
    check_request(request)
    lufs = loudness_.target(loudness)
    stages = _Stages(on_progress)
    with stages.stage("normalize"):
        read, script = directed_script(request, runtime)
    verifying = verifies(request, runtime.engine_type(read.parts[None][0]), runtime.settings)
    # The aligner loads now: missing weights fail before synthesis, not after it.
    aligner = runtime.aligner(request.aligner) if request.timings == "align" else None
    checker = runtime.checker() if verifying else None
    with stages.stage("reference"):
        engine, voice = engine_for(script, read, request, runtime)
    with stages.stage("synthesize"):
        options = SynthesisOptions(request.speed, runtime.settings.sentence_pause, request.seed)
        synthesis = engine.synthesize(
            script, voice, options, lambda f: stages.report("synthesize", f)
        )
    audio = synthesis.audio
    engine_words = (
        word_times(script, synthesis.token_times, audio.duration)
        if synthesis.token_times is not None
        else None
    )
    verification = None
    if request.timings == "engine":
        if engine_words is None:
            raise NoEngineTimings(f"engine {engine.name!r} reports no word timings for this voice")
        words = engine_words
    else:
        assert aligner is not None
        retakes = Retakes(engine, voice, options, runtime.settings.takes)
        with stages.stage("align"):
            narration = time_and_verify(script, synthesis, aligner, checker, retakes, stages.report)
        for stage, seconds in narration.timings.items():  # retakes ran inside "align"
            stages.timings["align"] -= seconds
            stages.timings[stage] = seconds
        audio, verification = narration.audio, narration.verification
        words = word_times(script, narration.spans, audio.duration)
        if narration.confidence is not None:
            words = _confident(script, words, narration.confidence)
        if narration.retaken:
            engine_words = None  # a retake replaced some of the engine's speech
    if lufs is not None:
        with stages.stage("loudness"):
            audio = loudness_.normalize(audio, lufs)
    words = with_speakers(words, read)
    engine_words = with_speakers(engine_words, read) if engine_words is not None else None
    return SpeechResult(
        read.text, audio, words, stages.timings, engine_words, verification=verification
    )


def verifies(request: SpeechRequest, engine: type[Engine], settings: Settings) -> bool:
    """Whether ``request``'s speech is checked against its text (:mod:`voxcap.verify`): as the
    request says, else ``settings.verify`` ("auto": for cloning engines). Checked before
    anything is synthesised.

    Raises:
        InvalidInput: verification asked for with the engine's own timings.
        UnsupportedLanguage: verification asked for on a text that is not English.
    """
    asked = request.verify if request.verify is not None else settings.verify == "on"
    auto = request.verify is None and settings.verify == "auto"
    if not asked and not (auto and getattr(engine, "clones", False)):
        return False
    try:
        check_language(request.text, "verification", VERIFIED_LANGUAGES)
    except UnsupportedLanguage:
        if asked:
            raise
        log.info("speech not verified: verification reads English only")
        return False
    if request.timings == "engine":
        if asked:
            raise InvalidInput("verification needs aligned timings (timings 'align')")
        return False
    return True


def _confident(
    script: Script, words: tuple[Word, ...], confidence: list[float]
) -> tuple[Word, ...]:
    """``words`` with each one's confidence: the least of its tokens'."""
    least: dict[int, float] = {}
    for token, value in zip(script.tokens, confidence, strict=True):
        least[token.word] = min(least.get(token.word, 1.0), value)
    return tuple(dataclasses.replace(w, confidence=least.get(i)) for i, w in enumerate(words))


def synthesize(request: SpeechRequest, runtime: Runtime | None = None) -> Audio:
    """Speech only, no word timings (the OpenAI-compatible endpoint)."""
    runtime = runtime or Runtime()
    check_request(request)
    read, script = directed_script(request, runtime, timings=False)
    options = SynthesisOptions(request.speed, runtime.settings.sentence_pause, request.seed)
    engine, voice = engine_for(script, read, request, runtime)
    return engine.synthesize(script, voice, options).audio


def align(
    audio: Audio,
    text: str | None,
    runtime: Runtime | None = None,
    aligner: str | None = None,
    on_progress: Listener | None = None,
    verify: bool | None = None,
    language: str | None = None,
) -> SpeechResult:
    """Time every word of ``text`` in ``audio`` (a recording of that text), at any length
    (:mod:`voxcap.aligners.longform`). Words that are not spoken and speech that is not in the
    text are reported in the result's ``alignment``. With ``verify`` (None:
    ``settings.verify`` is "on"), each sentence is checked too (:mod:`voxcap.verify`): the
    result's ``verification``, and a confidence per word.

    With no ``text``, the recording is transcribed first (:mod:`voxcap.asr`, in ``language``
    or the one Whisper detects) and the transcript is timed the same way; a word the aligner
    cannot place keeps Whisper's time and is listed in ``alignment.recognised``. The result's
    ``transcribed`` is then True and its ``text`` is the transcript.

    Raises:
        AlignmentError: none of the text could be found in the audio.
        NoSpeech: no text was given and no speech is recognised in the audio.
        UnsupportedLanguage: verification of a text that is not English.
    """
    runtime = runtime or Runtime()
    stages = _Stages(on_progress)
    verify = verify if verify is not None else runtime.settings.verify == "on"
    heard = None
    if text is None:
        transcriber = runtime.transcriber()
        with stages.stage("transcribe"):
            heard = transcriber.recognise(audio, language, lambda f: stages.report("transcribe", f))
        text = heard.text
    with stages.stage("normalize"):
        script = check_alignable(text, aligner, runtime.settings)
        if verify:
            check_language(text, "verification", VERIFIED_LANGUAGES)
    chosen = runtime.aligner(aligner)
    with stages.stage("align"):
        sentences = [[t.text for t in s.tokens] for s in script.sentences]
        placement = align_long(chosen, audio, sentences, lambda f: stages.report("align", f))
        if not any(placement.spans) and heard is None:
            raise AlignmentError(
                f"could not place any of the {len(script.words)} words in "
                f"{audio.duration:.2f} s of audio; is this the text that is spoken?"
            )
        words = word_times(script, placement.spans, audio.duration)
    verification, spans = None, list(placement.spans)
    if verify:
        with stages.stage("verify"):
            verification, confidence, spans = check_recording(
                runtime.checker(), audio, script, spans, lambda f: stages.report("verify", f)
            )
        words = _confident(script, word_times(script, spans, audio.duration), confidence)
    unplaced = unplaced_words(script, spans)
    recognised: tuple[int, ...] = ()
    if heard is not None:
        words, recognised = _heard_times(words, heard.words, unplaced)
        unplaced = ()
    report = AlignmentReport(unplaced, placement.unmatched, recognised)
    if report.unplaced or report.unmatched or report.recognised:
        log.warning(
            "%d of %d words could not be placed (%d timed by speech recognition); %d "
            "stretches of speech are not in the text",
            len(report.unplaced) + len(recognised),
            len(words),
            len(recognised),
            len(report.unmatched),
        )
    return SpeechResult(
        text,
        audio,
        words,
        stages.timings,
        alignment=report,
        verification=verification,
        transcribed=heard is not None,
    )


def _heard_times(
    words: tuple[Word, ...], heard: tuple[Word, ...], unplaced: tuple[int, ...]
) -> tuple[tuple[Word, ...], tuple[int, ...]]:
    """The aligner's word times, with Whisper's (``heard``, one per word of the transcript) for
    the words it could not place, kept in order between their neighbours; and the indices of
    those words."""
    out = list(words)
    for i in unplaced:
        low = out[i - 1].end if i else 0.0
        high = next((out[j].start for j in range(i + 1, len(out)) if j not in unplaced), None)
        start = max(heard[i].start, low)
        end = max(start, min(heard[i].end, high) if high is not None else heard[i].end)
        out[i] = dataclasses.replace(out[i], start=round(start, 3), end=round(end, 3))
    return tuple(out), unplaced


def check_speakable(
    request: SpeechRequest, runtime: Runtime, timings: bool = True, read: Read | None = None
) -> None:
    """Every engine of the read (in its voice) speaks the text's language, the aligner reads
    it when words are to be aligned, and verification can run when it is asked for: checked
    before any model loads.

    Raises:
        UnknownEngine, UnknownAligner: no such engine or aligner.
        UnsupportedLanguage: the text is in a language they cannot handle.
        InvalidInput: verification asked for with the engine's own timings.
    """
    settings = runtime.settings
    read = read or read_of(request, runtime)
    for name, voice in dict.fromkeys(read.parts.values()):
        engine = runtime.engine_type(name)
        others: dict[str, Collection[str] | None] = {
            f"engine {n!r}": registry.load(target).languages(None, settings)
            for n, target in ENGINES.items()
            if n != name
        }
        others["a Piper voice of that language (--engine piper --voice VOICE.onnx)"] = None
        told = f" with voice {voice!r}" if voice else ""
        check_language(
            read.text, f"engine {name!r}{told}", engine.languages(voice, settings), others
        )
    if timings and request.timings == "align":
        _check_aligner(read.text, request.aligner or settings.aligner)
    if timings:
        engine = runtime.engine_type(read.parts[None][0])
        verifies(request, engine, settings)  # verification asked for where it cannot run


def checked_script(request: SpeechRequest, runtime: Runtime, timings: bool = True) -> Script:
    """The request's text prepared for speech (:func:`directed_script`)."""
    return directed_script(request, runtime, timings)[1]


def directed_script(
    request: SpeechRequest, runtime: Runtime, timings: bool = True
) -> tuple[Read, Script]:
    """The request's read (:mod:`voxcap.directing`) and its text prepared for speech, after
    every check that needs no model: :func:`check_speakable`, and the spoken length
    (:func:`check_length`).

    Raises:
        EmptyText, TextTooLong, SpeechTooLong, InvalidInput (markup, speakers, lexicons), and
        :func:`check_speakable`'s errors.
    """
    read = read_of(request, runtime)
    script = prepare(
        read.text,
        max_chars=runtime.settings.max_text_chars,
        direction=read.direction,
        phonemes=takes_phonemes(read, runtime),
    )
    check_speakable(request, runtime, timings=timings, read=read)
    check_length(script, request, runtime.settings)
    return read, script


SECONDS_PER_WORD = 0.33  # a spoken word at speed 1 (Piper and F5 say 2.6-3.2 a second)


def check_length(script: Script, request: SpeechRequest, settings: Settings) -> None:
    """Raise SpeechTooLong when ``script`` would take longer to say than the limit."""
    estimate = len(script.tokens) * SECONDS_PER_WORD / request.speed
    if estimate > settings.max_speech_seconds:
        raise SpeechTooLong(
            f"the text would take about {estimate / 60:.0f} minutes to say; the limit is "
            f"{settings.max_speech_seconds / 60:.0f} (VOXCAP_MAX_SPEECH_SECONDS)"
        )


def check_alignable(text: str, aligner: str | None, settings: Settings) -> Script:
    """``text`` prepared for alignment, checked: not too long (``max_align_chars``), in a
    language the aligner reads. Raises TextTooLong, EmptyText, UnknownAligner,
    UnsupportedLanguage."""
    try:
        script = prepare(text, max_chars=settings.max_align_chars)
    except EmptyText:  # newuser.md #27: not "no words to speak"
        raise EmptyText(
            "the text has no words to align; give the words the recording says, or no text at "
            "all to have the recording transcribed"
        ) from None
    _check_aligner(text, aligner or settings.aligner)
    return script


def _check_aligner(text: str, name: str) -> None:
    aligner = registry.create_class(ALIGNERS, name, UnknownAligner, "aligner")
    others = {
        f"aligner {n!r} (--aligner {n})": registry.load(target).languages
        for n, target in ALIGNERS.items()
        if n != name
    }
    check_language(text, f"aligner {name!r}", aligner.languages, others)


def check_request(request: SpeechRequest) -> None:
    """What can be checked of a request by itself (the speed)."""
    if not 0.25 <= request.speed <= 4.0:
        raise InvalidInput(f"speed must be between 0.25 and 4.0, not {request.speed}")
