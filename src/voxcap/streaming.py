"""Streaming narration: audio sentence by sentence, each piece with the words it completes.

:func:`stream` speaks one sentence of the prepared script at a time and yields it at once, so
the first audio is ready after the first sentence instead of the whole text. Pieces are joined
exactly as :func:`voxcap.pipeline.speak` joins sentences (``sentence_pause`` of silence before
every sentence but the first), so the concatenated stream is the narration. Each piece carries
the user's words that it completes, timed by the aligner on that sentence alone (or by the
engine's own timings), in the same arithmetic as the whole-file path
(:func:`voxcap.align.timing.word_times`), so a read-along display or live captions can show a
word as soon as its audio exists.

An engine that generates several sentences together (F5 packs them into chunks and cross-fades
them) is asked for one sentence at a time here: its stream is a faithful narration, but not
sample-identical to its batched output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from voxcap.align.base import Aligner
from voxcap.align.timing import word_times
from voxcap.domain import Audio, SpeechRequest, Word
from voxcap.engines.base import Span, Synthesis, SynthesisOptions
from voxcap.errors import NoEngineTimings
from voxcap.pipeline import check_request, check_speakable
from voxcap.runtime import Runtime
from voxcap.text import Script, Sentence, prepare


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One piece of a streamed narration.

        ``audio`` holds this piece's samples (the pause before its sentence included); it starts
        ``start`` seconds into the narration. ``words`` are the user's words this piece completes,
        with times from the start of the narration. ``sentence`` counts from 0 to ``sentences``;
    ``last`` marks the final piece.
    """

    audio: Audio
    start: float
    words: tuple[Word, ...]
    sentence: int
    sentences: int  # how many the narration has
    last: bool


def stream(
    request: SpeechRequest, runtime: Runtime | None = None, timings: bool = True
) -> Iterator[StreamChunk]:
    """Speak ``request`` sentence by sentence (see the module). Everything that can be checked
    is checked before the first sentence is synthesised.

    Args:
        timings: time the words (by ``request.timings``: the aligner or the engine); False
            streams audio only (every chunk's ``words`` is empty).

    Raises:
        InvalidInput and its kinds: as :func:`voxcap.pipeline.speak`, before any audio.
        AlignmentError, EngineError: a sentence failed (after the chunks before it).
    """
    runtime = runtime or Runtime()
    check_request(request)
    script = prepare(request.text, max_chars=runtime.settings.max_text_chars)
    check_speakable(request, runtime, timings=timings)
    engine = runtime.engine(request.engine)
    aligner = runtime.aligner(request.aligner) if timings and request.timings == "align" else None
    voice = runtime.resolve_voice(request.voice, request.ref_text, engine)
    options = SynthesisOptions(request.speed, runtime.settings.sentence_pause, request.seed)
    spans: list[Span] = []
    emitted = 0
    offset = 0
    last_token = _last_token_of_words(script)
    count = len(script.sentences)
    for n, sentence in enumerate(script.sentences):
        synthesis = engine.synthesize(
            Script(script.text, script.words, (sentence,)), voice, options
        )
        audio = synthesis.audio
        rate = audio.sample_rate
        pause = np.zeros(round(options.sentence_pause * rate) if n else 0, dtype=np.float32)
        start = offset / rate
        begins = (offset + len(pause)) / rate
        samples = np.concatenate([pause, audio.samples]).astype(np.float32)
        offset += len(samples)
        words: tuple[Word, ...] = ()
        if timings:
            found = _sentence_spans(synthesis, aligner, sentence)
            spans += [(s + begins, e + begins) for s, e in found]
            done = n == count - 1
            complete = len(script.words) if done else _complete_words(last_token, len(spans))
            timed = word_times(_prefix(script, complete, len(spans)), spans, offset / rate)
            words, emitted = timed[emitted:complete], complete
        yield StreamChunk(Audio(samples, rate), start, words, n, count, n == count - 1)


def _sentence_spans(
    synthesis: Synthesis, aligner: Aligner | None, sentence: Sentence
) -> list[Span]:
    """One (start, end) per token of the sentence, from its own start."""
    if aligner is None:
        if synthesis.token_times is None:
            raise NoEngineTimings("the engine reports no word timings for this voice")
        return list(synthesis.token_times)
    return list(aligner.align(synthesis.audio, [t.text for t in sentence.tokens]))


def _last_token_of_words(script: Script) -> dict[int, int]:
    """For each word with tokens, the index (in the script) of its last token."""
    last: dict[int, int] = {}
    for index, token in enumerate(script.tokens):
        last[token.word] = index
    return last


def _complete_words(last_token: dict[int, int], tokens_done: int) -> int:
    """How many leading words are complete once ``tokens_done`` tokens have times: up to the
    first word whose last token is still to come (words without tokens go with the words
    before them)."""
    pending = [word for word, index in last_token.items() if index >= tokens_done]
    return min(pending) if pending else max(last_token, default=-1) + 1


def _prefix(script: Script, words: int, tokens: int) -> Script:
    """The script cut after ``words`` words, with the sentences whose tokens have times."""
    kept, count = [], 0
    for sentence in script.sentences:
        if count >= tokens:
            break
        kept.append(sentence)
        count += len(sentence.tokens)
    return Script(script.text, script.words[:words], tuple(kept))
