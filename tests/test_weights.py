"""With the real weights (``pytest -m weights``): F5 speaks intelligibly enough for the aligners
and clones deterministically; MMS_FA times Piper's words as closely as pocketsphinx does.

Skipped where the weights are not cached (``voxcap models download all`` fetches them; HF_HOME,
TORCH_HOME or VOXCAP_MODEL_DIR say where). Runs on the GPU when there is one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voxcap import models
from voxcap.domain import SpeechRequest, SpeechResult
from voxcap.errors import ModelNotFound
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings

pytestmark = [pytest.mark.weights, pytest.mark.slow]


def cached(model: str) -> Settings:
    settings = Settings(engine="f5")
    try:
        models.locate(model, settings)
    except ModelNotFound as exc:
        pytest.skip(f"no {model} weights: {exc.message}")
    return settings


@pytest.fixture(scope="module")
def f5_runtime() -> Runtime:
    return Runtime(cached("f5"))


def check(result: SpeechResult) -> None:
    assert [w.text for w in result.words] == result.text.split()
    times = [t for w in result.words for t in (w.start, w.end)]
    assert times == sorted(times) and times[-1] <= result.duration


def test_f5_speaks_text_the_aligner_can_place(f5_runtime: Runtime) -> None:
    text = "The quick brown fox jumps over the lazy dog. It was a sunny day in May."
    result = speak(SpeechRequest(text, engine="f5", aligner="sphinx", seed=1), f5_runtime)
    check(result)
    assert 2.5 < result.duration < 12
    spoken = [w for w in result.words if w.end - w.start >= 0.04]
    assert len(spoken) == len(result.words)


def test_f5_clones_a_clip_the_same_way_for_the_same_seed(
    f5_runtime: Runtime, clip_wav: bytes, tmp_path: Path
) -> None:
    from .conftest import CLIP_TEXT

    clip = tmp_path / "clip.wav"
    clip.write_bytes(clip_wav)
    request = SpeechRequest(
        "Cloned speech, twice.", engine="f5", voice=str(clip), ref_text=CLIP_TEXT, seed=4
    )
    a, b = speak(request, f5_runtime), speak(request, f5_runtime)
    check(a)
    assert np.array_equal(a.audio.samples, b.audio.samples)


def test_mms_fa_times_piper_words_closely(sentence_results: list[SpeechResult]) -> None:
    from voxcap.aligners.ctc import CTCAligner
    from voxcap.aligners.timing import word_times
    from voxcap.text import prepare

    aligner = CTCAligner(cached("ctc"))
    errors = []
    for result in sentence_results:
        script = prepare(result.text)
        spans = aligner.align(result.audio, [t.text for t in script.tokens])
        words = word_times(script, spans, result.duration)
        check(SpeechResult(result.text, result.audio, words))
        assert result.engine_words is not None
        for ours, piper in zip(words, result.engine_words, strict=True):
            errors += [abs(ours.start - piper.start), abs(ours.end - piper.end)]
    ms = np.array(errors) * 1000
    assert ms.mean() <= 40, f"mean {ms.mean():.1f} ms"
    assert np.percentile(ms, 95) <= 120, f"p95 {np.percentile(ms, 95):.1f} ms"


def test_whisper_transcribes_a_reference_clip(clip_wav: bytes) -> None:
    from voxcap.asr import Transcriber
    from voxcap.audio import decode

    from .conftest import CLIP_TEXT

    heard = Transcriber(cached("asr")).transcribe(decode(clip_wav))
    said = {w.strip(".,").lower() for w in CLIP_TEXT.split()}
    got = {w.strip(".,").lower() for w in heard.split()}
    assert len(said & got) >= 0.8 * len(said), heard


def test_mms_fa_aligns_a_long_recording_through_the_windows() -> None:
    """Long-form CTC (voxcap.aligners.ctcpath) with the real model: 5 minutes of espeak-ng
    speech, with its word events as the reference, and the same with an edited text."""
    from tests.longform import edited, espeak_recording, prose, score
    from voxcap.pipeline import align

    runtime = Runtime(cached("ctc"))
    recording = espeak_recording(prose(70, seed=6))
    result = align(recording.audio, " ".join(recording.sentences), runtime, "ctc")
    assert result.alignment is not None and result.alignment.unplaced == ()
    found = score(result.words, set(), recording, recording.sentences)
    assert found.errors.mean() <= 0.040 and np.percentile(found.errors, 95) <= 0.1
    edit = edited(recording.sentences)
    result = align(recording.audio, " ".join(edit.sentences), runtime, "ctc")
    assert result.alignment is not None
    found = score(
        result.words, set(result.alignment.unplaced), recording, edit.sentences, edit.origin
    )
    assert found.placed_unspoken == 0
