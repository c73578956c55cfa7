"""CTC aligner plumbing on real Piper speech with a random acoustic model (offline).

A random model places words arbitrarily, so these tests check what does not depend on the
weights: one span per token, order, bounds, 20 ms frames at any input rate, the star tokens,
long audio in windows, and the word-end rule. Accuracy is measured with the real MMS_FA weights
in test_weights.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from voxcap.aligners import ctc
from voxcap.audio import resample
from voxcap.domain import Audio, SpeechResult
from voxcap.errors import AlignmentError
from voxcap.settings import Settings

pytest.importorskip("torchaudio")


@pytest.fixture(scope="module")
def aligner() -> ctc.CTCAligner:
    from voxcap.testing import tiny_ctc

    model, labels = tiny_ctc()
    return ctc.CTCAligner(Settings(device="cpu"), model, labels)


def tokens_of(result: SpeechResult) -> list[str]:
    from voxcap.text import prepare

    return [t.text for t in prepare(result.text).tokens]


def check_spans(spans: list[tuple[float, float]], count: int, duration: float) -> None:
    assert len(spans) == count
    last = 0.0
    for start, end in spans:
        assert last <= start <= end <= duration + 1e-9
        last = end


def test_every_token_gets_a_span_in_order(
    aligner: ctc.CTCAligner, sentence_results: list[SpeechResult]
) -> None:
    for result in sentence_results[:8]:
        tokens = tokens_of(result)
        spans = aligner.align(result.audio, tokens)
        check_spans(spans, len(tokens), result.duration)
        assert sum(end > start for start, end in spans) == len(tokens)


def test_frames_are_20ms_at_any_sample_rate(
    aligner: ctc.CTCAligner, sentence_results: list[SpeechResult]
) -> None:
    audio = sentence_results[0].audio
    tokens = tokens_of(sentence_results[0])
    for rate in (audio.sample_rate, 16_000, 48_000, 8_000):
        at_rate = resample(audio, rate)
        emission, edges = aligner._emission(at_rate)
        assert len(edges) == emission.shape[1] + 1 and edges[-1] == at_rate.duration
        assert emission.shape[0] == 1 and emission.shape[2] == len(aligner._index)
        assert emission.shape[1] == pytest.approx(audio.duration * 50, abs=2)
        check_spans(aligner.align(at_rate, tokens), len(tokens), at_rate.duration)


def test_long_audio_runs_in_windows(
    aligner: ctc.CTCAligner, paragraph_result: SpeechResult
) -> None:
    assert paragraph_result.duration > 3 * ctc.WINDOW / ctc.RATE
    emission, edges = aligner._emission(paragraph_result.audio)
    windows = -(-round(paragraph_result.duration * ctc.RATE) // ctc.WINDOW)
    # each window loses under one frame at its edge ...
    assert emission.shape[1] == pytest.approx(paragraph_result.duration * 50, abs=windows + 1)
    # ... and is timed from its own start, so the loss does not pile up
    window = ctc.WINDOW / ctc.RATE
    assert np.all(np.diff(edges) > 0) and edges[-1] == paragraph_result.duration
    for n in range(1, windows):
        assert n * window in edges
        assert edges[np.searchsorted(edges, n * window) - 1] == pytest.approx(
            n * window - 0.02, abs=0.001
        )
    tokens = tokens_of(paragraph_result)
    check_spans(
        aligner.align(paragraph_result.audio, tokens), len(tokens), paragraph_result.duration
    )


def test_star_tokens_frame_the_text_and_are_not_returned(
    aligner: ctc.CTCAligner, sentence_results: list[SpeechResult], monkeypatch: Any
) -> None:
    seen: list[list[int]] = []
    forced_align = aligner._functional.forced_align

    def spy(emission: Any, targets: Any, blank: int) -> Any:
        seen.append(targets[0].tolist())
        return forced_align(emission, targets, blank=blank)

    monkeypatch.setattr(aligner._functional, "forced_align", spy)
    result = sentence_results[1]
    tokens = tokens_of(result)
    spans = aligner.align(result.audio, tokens)
    star = aligner._index[ctc.STAR]
    assert seen[0][0] == star and seen[0][-1] == star and star not in seen[0][1:-1]
    assert len(seen[0]) == 2 + sum(len(aligner._spell(t)) for t in tokens)
    check_spans(spans, len(tokens), result.duration)


def test_a_token_with_nothing_to_spell_gets_a_zero_length_span(
    aligner: ctc.CTCAligner, sentence_results: list[SpeechResult]
) -> None:
    result = sentence_results[0]
    tokens = tokens_of(result)
    tokens.insert(2, "♪")
    spans = aligner.align(result.audio, tokens)
    check_spans(spans, len(tokens), result.duration)
    assert spans[2][0] == spans[2][1] == spans[1][1]


def test_any_script_is_romanised_before_spelling(aligner: ctc.CTCAligner) -> None:
    def letters(token: str) -> str:
        labels = {i: c for c, i in aligner._index.items()}
        return "".join(labels[i] for i in aligner._spell(token))

    assert letters("café") == letters("cafe") == "cafe"
    assert letters("привет") == "privet"
    assert letters("東京") == "dongjing"
    assert letters("don't") == "don't"


def test_too_little_audio_is_a_clear_error(aligner: ctc.CTCAligner) -> None:
    blip = Audio(np.zeros(3200, dtype=np.float32), 16_000)  # 0.2 s: 10 frames
    with pytest.raises(AlignmentError, match="too short"):
        aligner.align(blip, ["several", "words", "here"])


def test_word_ends_run_on_to_the_next_word_unless_there_is_a_pause() -> None:
    spans = [(0.0, 0.1), (0.2, 0.3), (1.0, 1.2), (1.25, 1.3)]
    out = ctc._extend(spans, 2.0)
    assert out[0] == (0.0, 0.2)  # a short gap closes
    assert out[1] == pytest.approx((0.2, 0.3 + ctc.TAIL))  # a pause keeps a short tail
    assert out[2] == (1.0, 1.25)
    assert out[3] == pytest.approx((1.25, 1.3 + ctc.TAIL))
    assert ctc._extend([(0.0, 1.99)], 2.0) == [(0.0, 2.0)]


def test_missing_weights_are_a_clear_error(tmp_path: Any) -> None:
    from voxcap.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="voxcap models download ctc"):
        ctc.CTCAligner(Settings(model_dir=tmp_path, device="cpu"))


@pytest.mark.long
def test_a_long_recording_goes_through_the_windows(
    aligner: ctc.CTCAligner, sentence_results: list[SpeechResult]
) -> None:
    """The long-form path with CTC (its own search: free end, sentence skips, star): one
    span or None per token, in order, inside the audio, whatever the (random) model says."""
    from voxcap.aligners.longform import WINDOW, align_long
    from voxcap.text import prepare

    results = sentence_results * 6
    audio = Audio(np.concatenate([r.audio.samples for r in results]), results[0].audio.sample_rate)
    assert audio.duration > 2 * WINDOW
    sentences = [[t.text for t in prepare(r.text).tokens] for r in results]
    placement = align_long(aligner, audio, sentences)
    assert len(placement.spans) == sum(map(len, sentences))
    placed = [s for s in placement.spans if s is not None]
    check_spans(placed, len(placed), audio.duration)
    for start, end in placement.unmatched:
        assert 0 <= start < end <= audio.duration + 1e-6
