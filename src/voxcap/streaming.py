"""Streaming narration: audio piece by piece, each piece with the words it completes.

:func:`stream` speaks one sentence of the prepared script at a time and yields it at once, so
the first audio is ready after the first sentence instead of the whole text. Pieces are joined
exactly as :func:`voxcap.pipeline.speak` joins sentences (``sentence_pause`` of silence before
every sentence but the first), so the concatenated stream is the narration. Each piece carries
the user's words that it completes, timed by the aligner on that sentence alone (or by the
engine's own timings), in the same arithmetic as the whole-file path
(:func:`voxcap.aligners.timing.word_times`), so a read-along display or live captions can show a
word as soon as its audio exists.

A streaming engine (:class:`voxcap.engines.base.StreamingEngine`: F5, which packs sentences
into chunks and cross-fades them) hands out its pieces itself, chunk by chunk, the first chunk
alone for a quick start; its pieces concatenate to exactly the audio of ``speak`` for the same
seed, and each piece's words come with the piece that completes their sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from voxcap.aligners.base import Aligner
from voxcap.aligners.timing import word_times
from voxcap.directing import engine_for, with_speakers
from voxcap.domain import Audio, SpeechRequest, Word
from voxcap.engines.base import Piece, Span, StreamingEngine, Synthesis, SynthesisOptions
from voxcap.engines.cast import gap_between
from voxcap.errors import NoEngineTimings
from voxcap.pipeline import check_request, directed_script
from voxcap.runtime import Runtime
from voxcap.text import Script, Sentence


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
    """Speak ``request`` in pieces: a streaming engine's own (F5: chunk by chunk), else
    sentence by sentence (see the module). Everything that can be checked is checked before
    anything is synthesised (on the first ``next()``: this is a generator).

    Args:
        timings: time the words (by ``request.timings``: the aligner or the engine); False
            streams audio only (every chunk's ``words`` is empty).

    Raises:
        InvalidInput and its kinds: as :func:`voxcap.pipeline.speak`, before any audio.
        AlignmentError, EngineError: a sentence failed (after the chunks before it).
    """
    runtime = runtime or Runtime()
    check_request(request)
    read, script = directed_script(request, runtime, timings=timings)
    engine, voice = engine_for(script, read, request, runtime)
    aligner = runtime.aligner(request.aligner) if timings and request.timings == "align" else None
    if timings and aligner is None and isinstance(engine, StreamingEngine):
        raise NoEngineTimings(f"engine {engine.name!r} reports no word timings")
    options = SynthesisOptions(request.speed, runtime.settings.sentence_pause, request.seed)
    if isinstance(engine, StreamingEngine):
        yield from _pieces(engine.stream(script, voice, options), script, aligner, timings)
        return
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
        gap = gap_between(script.sentences[n - 1], sentence, options) if n else 0.0
        pause = np.zeros(round(gap * rate), dtype=np.float32)
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
            if read.direction.speakers:
                timed = with_speakers(timed, read, len(timed))
            words, emitted = timed[emitted:complete], complete
        yield StreamChunk(Audio(samples, rate), start, words, n, count, n == count - 1)


def _pieces(
    pieces: Iterator[Piece], script: Script, aligner: Aligner | None, timings: bool
) -> Iterator[StreamChunk]:
    """Chunks from a streaming engine's pieces: the words of the sentences each piece
    completes, aligned in their stretch of the narration (sentences of one engine chunk share
    a stretch and are aligned together, as ``speak`` does)."""
    parts: list[np.ndarray[Any, Any]] = []
    offset = 0
    spans: list[Span] = []
    emitted, completed, last_sentence = 0, 0, -1
    last_token = _last_token_of_words(script)
    count = len(script.sentences)
    for piece in pieces:
        if completed == count and not len(piece.samples):
            continue  # an empty tail after the end
        parts.append(piece.samples)
        start = offset / piece.rate
        offset += len(piece.samples)
        completed += len(piece.sentences)
        words: tuple[Word, ...] = ()
        if piece.sentences:
            last_sentence = piece.sentences[-1][0]
            if timings and aligner is not None:
                narration = np.concatenate(parts)
                for (begin, end), group in _by_span(piece.sentences):
                    region = narration[round(begin * piece.rate) : round(end * piece.rate)]
                    tokens = [t.text for n in group for t in script.sentences[n].tokens]
                    found = aligner.align(Audio(region, piece.rate), tokens)
                    spans += [(s + begin, e + begin) for s, e in found]
                done = completed == count
                complete = len(script.words) if done else _complete_words(last_token, len(spans))
                timed = word_times(
                    _prefix(script, complete, len(spans)), spans, offset / piece.rate
                )
                words, emitted = timed[emitted:complete], complete
        audio = Audio(piece.samples.astype(np.float32), piece.rate)
        yield StreamChunk(audio, start, words, last_sentence, count, completed == count)


def _by_span(sentences: tuple[tuple[int, Span], ...]) -> list[tuple[Span, list[int]]]:
    """Sentences grouped by their (shared) span, in order."""
    groups: list[tuple[Span, list[int]]] = []
    for n, span in sentences:
        if groups and groups[-1][0] == span:
            groups[-1][1].append(n)
        else:
            groups.append((span, [n]))
    return groups


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
