"""The real F5 engine code on a tiny random-weight F5 model and Vocos (offline, CPU).

The speech is noise, but everything around the model is real: loading from local checkpoint
files, F5's duration estimate, chunking, batching, seeding, stitching, and the pipeline and
caption files on its output (timed by the CTC aligner with a random acoustic model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pysubs2
import pytest

from voxcap.audio import FORMATS, encode
from voxcap.captions import render_captions
from voxcap.domain import Audio, CaptionOptions, SpeechRequest
from voxcap.engines.base import SynthesisOptions
from voxcap.engines.f5 import (
    BUNDLED_TEXT,
    F5Engine,
    F5Options,
    f5_ref_text,
    plan,
    split,
    stitch,
)
from voxcap.errors import InvalidInput, ModelNotFound
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.testing import tiny_ctc, tiny_f5
from voxcap.text import prepare

from .servers import run_voxcap as voxcap

pytest.importorskip("f5_tts")

HOP, RATE = 256, 24_000
LONG = (
    "The harbour was quiet when the first boats came back in the morning, and the fishermen "
    "carried their crates up the stone steps while the gulls followed them, hoping for scraps, "
    "and the market slowly opened around the fountain in the square. Then it rained."
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return tiny_f5(tmp_path_factory.mktemp("tiny-f5"))


@pytest.fixture(scope="module")
def engine(tiny: dict[str, Any]) -> F5Engine:
    return F5Engine(Settings(engine="f5", device="cpu", **tiny), F5Options(nfe_step=4))


@pytest.fixture(scope="module")
def f5_runtime(tiny: dict[str, Any]) -> Runtime:
    from voxcap.aligners.ctc import CTCAligner

    # the tiny model speaks noise: verification (on for f5) would fail it and take it again;
    # that is tested on its own (test_verification_takes_the_tiny_f5s_noise_again)
    settings = Settings(
        engine="f5", aligner="ctc", device="cpu", f5_nfe_step=4, verify="off", **tiny
    )
    runtime = Runtime(settings)
    model, labels = tiny_ctc()
    runtime.use_aligner(CTCAligner(settings, model, labels))
    return runtime


def generated_samples(engine: F5Engine, text: str, speed: float = 1.0) -> list[int]:
    ref = engine._reference(None)
    ref_frames = len(ref.audio.samples) // HOP
    chunks = plan(prepare(text), f5_ref_text(ref.text), ref_frames, HOP, RATE, speed)
    return [(c.frames - ref_frames) * HOP for c in chunks]


def test_speaks_24khz_float32_as_long_as_f5_estimates(engine: F5Engine) -> None:
    text = "Hello there, this is a test of the tiny model."
    synthesis = engine.synthesize(prepare(text), None, SynthesisOptions(seed=1))
    audio = synthesis.audio
    assert audio.sample_rate == RATE and audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1 and np.isfinite(audio.samples).all()
    (expected,) = generated_samples(engine, text)
    assert abs(len(audio.samples) - expected) <= HOP  # F5's frames-per-byte estimate
    assert synthesis.sentence_spans == ((0.0, audio.duration),)
    assert synthesis.token_times is None


def test_speed_scales_the_duration(engine: F5Engine) -> None:
    text = "Speed changes how long this sentence takes to say."
    normal = engine.synthesize(prepare(text), None, SynthesisOptions(seed=1)).audio
    fast = engine.synthesize(prepare(text), None, SynthesisOptions(speed=2.0, seed=1)).audio
    assert fast.duration == pytest.approx(normal.duration / 2, abs=0.05)


def test_the_same_seed_gives_the_same_audio(engine: F5Engine) -> None:
    script = prepare("Same seed, same speech.")
    a = engine.synthesize(script, None, SynthesisOptions(seed=7)).audio.samples
    b = engine.synthesize(script, None, SynthesisOptions(seed=7)).audio.samples
    c = engine.synthesize(script, None, SynthesisOptions(seed=8)).audio.samples
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_long_text_is_chunked_and_stitched_with_exact_offsets(engine: F5Engine) -> None:
    script = prepare(LONG)
    assert len(script.sentences) == 2
    sizes = generated_samples(engine, LONG)
    assert len(sizes) >= 3  # the first sentence is over F5's budget for this reference: split
    synthesis = engine.synthesize(script, None, SynthesisOptions(seed=3))
    fade = round(engine.options.cross_fade * RATE)
    total = sum(sizes) - fade * (len(sizes) - 1)
    assert abs(len(synthesis.audio.samples) - total) <= HOP * len(sizes)
    (s0, e0), (s1, e1) = synthesis.sentence_spans
    assert s0 == 0.0 and e1 == pytest.approx(synthesis.audio.duration, abs=1e-6)
    # the second sentence starts where the last chunk before it fades out
    assert e0 - s1 == pytest.approx(fade / RATE, abs=1e-6)


def test_short_sentences_are_spoken_together_and_share_a_span(
    engine: F5Engine, f5_runtime: Runtime
) -> None:
    text = "One. Two is here. Three comes next. Four is the last one!"
    script = prepare(text)
    assert len(script.sentences) == 4
    ref = engine._reference(None)
    chunks = plan(script, f5_ref_text(ref.text), len(ref.audio.samples) // HOP, HOP, RATE, 1.0)
    assert [c.sentences for c in chunks] == [(0, 1, 2, 3)]
    assert chunks[0].text == " ".join(s.speech for s in script.sentences)
    synthesis = engine.synthesize(script, None, SynthesisOptions(seed=2))
    assert len(set(synthesis.sentence_spans)) == 1  # one chunk: one span for all four
    result = speak(SpeechRequest(text, seed=2), f5_runtime)  # aligned together in it
    assert [w.text for w in result.words] == text.split()


def test_verification_takes_the_tiny_f5s_noise_again(tiny: dict[str, Any]) -> None:
    """Verification is on for f5: the random model's noise fails every check, so each chunk is
    synthesised again with new seeds (the real F5 code path) until the takes run out; the
    narration stays whole and repeatable."""
    from voxcap.aligners.ctc import CTCAligner

    settings = Settings(engine="f5", aligner="ctc", device="cpu", f5_nfe_step=2, takes=2, **tiny)
    runtime = Runtime(settings)
    runtime.use_aligner(CTCAligner(settings, *tiny_ctc()))
    request = SpeechRequest("A first sentence here. And then a second one.", seed=4)
    result = speak(request, runtime)
    assert result.verification is not None
    assert [s.status for s in result.verification.sentences] == ["failed", "failed"]
    assert {s.attempts for s in result.verification.sentences} == {2}
    assert all(w.confidence is not None for w in result.words)
    assert result.words[-1].end <= result.duration
    again = speak(request, runtime)
    assert np.array_equal(again.audio.samples, result.audio.samples)  # seeded takes repeat


def test_batching_does_not_change_the_chunks(tiny: dict[str, Any]) -> None:
    settings = Settings(engine="f5", device="cpu", **tiny)
    one = F5Engine(settings, F5Options(nfe_step=2, batch_size=1))
    four = F5Engine(settings, F5Options(nfe_step=2, batch_size=4))
    script = prepare(LONG)
    a = one.synthesize(script, None, SynthesisOptions(seed=5))
    b = four.synthesize(script, None, SynthesisOptions(seed=5))
    assert len(a.audio.samples) == len(b.audio.samples)
    assert a.sentence_spans == b.sentence_spans


def test_split_keeps_every_token_and_prefers_punctuation() -> None:
    tokens = prepare(LONG).sentences[0].tokens
    runs = split(tokens, 80)
    assert [t for run in runs for t in run] == list(tokens)
    for run in runs[:-1]:
        speech = " ".join(t.text + t.punct for t in run)
        assert len(speech.encode()) <= 80
    assert any(run[-1].punct for run in runs[:-1])


def test_stitch_cross_fades_and_reports_where_each_piece_starts() -> None:
    waves = [np.ones(1000, np.float32), np.full(500, 3.0, np.float32), np.ones(50, np.float32)]
    out, starts = stitch(waves, 100)
    assert starts == [0, 900, 1350]  # a short last piece shortens its fade to its length
    assert len(out) == 1400
    assert out[899] == 1.0 and out[999] == pytest.approx(3.0, abs=0.03)
    assert 1.0 < out[950] < 3.0  # inside the fade
    assert out[1350] == pytest.approx(3.0) and out[1399] == pytest.approx(1.0)


def test_f5_ref_text_ends_the_way_f5_expects() -> None:
    assert f5_ref_text("Some call me nature") == "Some call me nature.  "
    assert f5_ref_text(BUNDLED_TEXT) == BUNDLED_TEXT + "  "


def test_the_pipeline_times_and_captions_f5_output(f5_runtime: Runtime, tmp_path: Path) -> None:
    text = "Dr. Smith paid $3.50 for 2 apples, at 9 a.m. on Monday. Then he left!"
    result = speak(SpeechRequest(text, seed=11), f5_runtime)
    assert [w.text for w in result.words] == text.split()
    assert result.audio.sample_rate == RATE
    times = [t for w in result.words for t in (w.start, w.end)]
    assert times == sorted(times) and 0 <= times[0] and times[-1] <= result.duration
    assert {"reference", "synthesize", "align"} <= set(result.timings)
    srt = render_captions(result, ["srt"], CaptionOptions(mode="word"))["srt"]
    subs = pysubs2.SSAFile.from_string(srt.decode(), format_="srt")
    assert " ".join(e.plaintext for e in subs) == text


def test_a_clip_by_path_is_cloned_with_its_text(
    f5_runtime: Runtime, clip_wav: bytes, tmp_path: Path
) -> None:
    from .conftest import CLIP_TEXT

    clip = tmp_path / "me.wav"
    clip.write_bytes(clip_wav)
    request = SpeechRequest("Now in my voice.", voice=str(clip), ref_text=CLIP_TEXT, seed=1)
    result = speak(request, f5_runtime)
    assert result.duration > 0.3 and len(result.words) == 4


def test_a_clip_without_text_is_transcribed_or_refused(
    f5_runtime: Runtime, clip_wav: bytes, tmp_path: Path
) -> None:
    from voxcap.audio import decode
    from voxcap.reference import prepare_reference

    from .conftest import CLIP_TEXT

    clip = tmp_path / "me.wav"
    clip.write_bytes(clip_wav)
    aligner = f5_runtime.aligner()
    heard: list[float] = []

    def transcribe(audio: Audio) -> str:
        heard.append(audio.duration)
        return CLIP_TEXT

    reference = prepare_reference(decode(clip_wav), "", aligner, transcribe=transcribe)
    assert reference.text == CLIP_TEXT and heard and heard[0] <= reference.audio.duration + 0.01
    with pytest.raises(InvalidInput, match=r"no transcript.*voxcap\[asr\]"):
        prepare_reference(decode(clip_wav), " ", aligner, name="me.wav")
    # with voxcap[asr]: the packaged Whisper tiny.en transcribes the clip, offline
    assert f5_runtime.transcribe is not None
    assert "reference clip" in f5_runtime.transcribe(decode(clip_wav)).lower()
    assert speak(SpeechRequest("Now in my voice.", voice=str(clip)), f5_runtime).duration > 0.3
    # a model that is not downloaded: one clear error naming the fix
    other = Runtime(f5_runtime.settings.model_copy(update={"asr_model": "small"}))
    other.use_aligner(f5_runtime.aligner())
    with pytest.raises(ModelNotFound, match="voxcap models download asr"):
        speak(SpeechRequest("Now in my voice.", voice=str(clip)), other)


def test_a_library_voice_is_prepared_once_and_cached(
    tiny: dict[str, Any], clip_wav: bytes, tmp_path: Path
) -> None:
    from voxcap.aligners.ctc import CTCAligner

    from .conftest import CLIP_TEXT

    settings = Settings(
        engine="f5",
        aligner="ctc",
        device="cpu",
        f5_nfe_step=2,
        verify="off",
        storage=f"file://{tmp_path / 'store'}",
        voice_cache_dir=tmp_path / "cache",
        **tiny,
    )
    runtime = Runtime(settings)
    runtime.use_aligner(CTCAligner(settings, *tiny_ctc()))
    runtime.voices.add("kim", clip_wav, transcript=CLIP_TEXT, filename="kim.wav", source="t")
    reference = runtime.resolve_voice("kim", None, runtime.engine())
    assert reference is not None and not isinstance(reference, str)
    assert reference.text == CLIP_TEXT
    assert len(list((tmp_path / "cache" / "kim").glob("*.prepared.*"))) == 2
    again = runtime.resolve_voice("kim", None, runtime.engine())
    assert again is not None and not isinstance(again, str)
    assert np.array_equal(again.audio.samples, reference.audio.samples)
    result = speak(SpeechRequest("Hi from Kim.", voice="kim", seed=2), runtime)
    assert len(result.words) == 3


def test_piper_refuses_a_library_voice(runtime: Runtime, clip_wav: bytes, tmp_path: Path) -> None:
    settings = Settings(engine="piper", storage=f"file://{tmp_path}", voice_cache_dir=tmp_path)
    rt = Runtime(settings)
    rt.voices.add("kim", clip_wav, transcript="x", filename="kim.wav", source="t")
    with pytest.raises(InvalidInput, match="cannot clone"):
        speak(SpeechRequest("Hello.", voice="kim"), rt)


def test_missing_weights_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as caught:
        F5Engine(Settings(model_dir=tmp_path, device="cpu")).preload()
    message = caught.value.message
    assert "'f5'" in message and str(tmp_path) in message
    assert "voxcap models download f5" in message


@pytest.mark.slow
def test_cli_without_weights_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {"VOXCAP_MODEL_DIR": str(tmp_path / "models"), "VOXCAP_ENGINE": "f5"}
    done = voxcap("speak", "Hello there.", "-o", str(tmp_path / "o"), env=env)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "model_not_found" in lines[0]
    assert str(tmp_path / "models") in lines[0] and "voxcap models download f5" in lines[0]
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_wav_round_trip_of_f5_output(engine: F5Engine) -> None:
    audio = engine.synthesize(prepare("Round trip."), None, SynthesisOptions(seed=1)).audio
    assert encode(audio, FORMATS["wav"])[:4] == b"RIFF"


def test_a_training_checkpoint_gives_the_same_model(tiny: dict[str, Any], tmp_path: Path) -> None:
    """A fine-tune's ``model_N.pt`` (EMA weights under "ema_model_state_dict") loads the same
    weights as the released ``.safetensors`` layout."""
    import torch
    from safetensors.torch import load_file

    state = load_file(str(tiny["f5_checkpoint"]))
    torch.save({"ema_model_state_dict": state, "step": 5000}, tmp_path / "model_5000.pt")
    options, script = F5Options(nfe_step=2), prepare("Hi there.")
    released = F5Engine(Settings(device="cpu", **tiny), options)
    trained = F5Engine(
        Settings(device="cpu", **{**tiny, "f5_checkpoint": tmp_path / "model_5000.pt"}), options
    )
    a = released.synthesize(script, None, SynthesisOptions(seed=1)).audio.samples
    b = trained.synthesize(script, None, SynthesisOptions(seed=1)).audio.samples
    assert np.array_equal(a, b)


def test_batches_default_to_the_device() -> None:
    assert F5Options.of(Settings(), "cuda").batch_size == 4
    assert F5Options.of(Settings(), "cpu").batch_size == 1
    assert F5Options.of(Settings(f5_batch_size=8), "cpu").batch_size == 8
    assert F5Options.of(Settings(f5_nfe_step=16), "cuda").nfe_step == 16


def test_chinese_is_spoken_and_aligned_end_to_end(f5_runtime: Runtime) -> None:
    # F5 speaks Chinese and the CTC aligner reads it (romanised): no unsupported_language
    text = "你好 世界。 今天 天气 很好。"
    result = speak(SpeechRequest(text, seed=1), f5_runtime)
    assert [w.text for w in result.words] == text.split()
    assert result.words[-1].end <= result.duration
    assert all(
        a.end <= b.start + 1e-9 for a, b in zip(result.words, result.words[1:], strict=False)
    )


def test_f5_streams_chunk_by_chunk_with_the_same_samples(engine: F5Engine) -> None:
    """Issue 14: the pieces F5 hands out as it generates concatenate to exactly the batched
    narration for the same seed; each sentence is reported once, with the same span."""
    script = prepare(LONG)
    options = SynthesisOptions(seed=5)
    whole = engine.synthesize(script, None, options)
    pieces = list(engine.stream(script, None, options))
    assert len(pieces) >= 3  # the first chunk comes alone, before the rest is generated
    joined = np.concatenate([p.samples for p in pieces])
    assert np.array_equal(joined, whole.audio.samples)
    assert [n for p in pieces for n, _ in p.sentences] == list(range(len(script.sentences)))
    spans = dict(span for p in pieces for span in p.sentences)
    assert tuple(spans[n] for n in range(len(spans))) == whole.sentence_spans


def test_the_library_stream_of_f5_is_the_narration_and_its_words(f5_runtime: Runtime) -> None:
    from voxcap.domain import SpeechRequest
    from voxcap.pipeline import speak
    from voxcap.streaming import stream

    request = SpeechRequest(LONG, seed=5)
    chunks = list(stream(request, f5_runtime))
    result = speak(request, f5_runtime)
    audio = np.concatenate([c.audio.samples for c in chunks])
    assert np.array_equal(audio, result.audio.samples)
    assert [w for c in chunks for w in c.words] == list(result.words)
    assert [c.last for c in chunks].count(True) == 1 and chunks[-1].last
