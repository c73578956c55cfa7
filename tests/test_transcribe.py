"""Captions for a recording without a script (voxcap.asr + voxcap.pipeline.align): Whisper
tiny.en (packaged with voxcap[asr]) transcribes, voxcap's aligner times the transcript. Real
speech made here: Piper and espeak-ng, each with its own word times as the reference. The
real-time factor is in bench/asr.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pysubs2
import pytest
import soundfile

from tests.longform import espeak_recording, heard, piper_narration, prose, with_tone_bed
from voxcap.asr import _pieces
from voxcap.domain import Audio, Word
from voxcap.errors import NoSpeech, UnsupportedLanguage
from voxcap.pipeline import _heard_times, align
from voxcap.runtime import Runtime

from .servers import run_voxcap as voxcap


@pytest.fixture(scope="module")
def piper_speech() -> object:
    return piper_narration(prose(16, seed=11))


def test_piper_speech_is_transcribed_and_timed_like_a_script(
    runtime: Runtime, piper_speech: object
) -> None:
    recording = piper_speech
    result = align(recording.audio, None, runtime)  # type: ignore[attr-defined]
    assert result.transcribed and result.text == " ".join(w.text for w in result.words)
    score = heard(result.words, recording)
    assert score.wer <= 0.10, score.wer
    assert len(score.errors) >= 0.85 * sum(len(s.split()) for s in recording.sentences)  # type: ignore[attr-defined]
    assert score.errors.mean() <= 0.030 and np.percentile(score.errors, 95) <= 0.100
    assert any(c in result.text for c in ".!?") and result.text[0].isupper()  # as written
    assert result.timings["transcribe"] > 0 and result.timings["align"] > 0


def test_espeak_speech_is_transcribed_and_timed_like_a_script(runtime: Runtime) -> None:
    recording = espeak_recording(prose(16, seed=12))
    result = align(recording.audio, None, runtime)
    score = heard(result.words, recording)
    assert score.wer <= 0.20, score.wer
    assert score.errors.mean() <= 0.030 and np.percentile(score.errors, 95) <= 0.100
    # the aligner, not Whisper, sets the times: Whisper's own are several times coarser
    recognition = runtime.transcriber().recognise(recording.audio)
    assert heard(recognition.words, recording).errors.mean() > 2 * score.errors.mean()


def test_a_word_the_aligner_cannot_place_keeps_whisper_time_in_order() -> None:
    aligned = (Word("a", 0.1, 0.3), Word("b", 0.3, 0.3), Word("c", 0.9, 1.2))
    whisper = (Word("a", 0.0, 0.3), Word("b", 0.2, 1.0), Word("c", 0.8, 1.2))
    words, recognised = _heard_times(aligned, whisper, (1,))
    assert recognised == (1,)
    assert (words[1].start, words[1].end) == (0.3, 0.9)  # inside its neighbours' times
    assert words[0] == aligned[0] and words[2] == aligned[2]


def test_whisper_words_become_voxcap_words() -> None:
    assert [w.text for w in _pieces(" Hello,", 0.0, 0.4)] == ["Hello,"]
    assert [w.text for w in _pieces(" J. P.", 0.0, 0.4)] == ["J.", "P."]
    assert _pieces(" ♪", 0.0, 0.4) == [] and _pieces(" -", 0.0, 0.1) == []


def test_no_speech_is_a_clear_error(runtime: Runtime) -> None:
    rate = 16_000
    with pytest.raises(NoSpeech, match="no speech"):
        align(Audio(np.zeros(rate * 6, np.float32), rate), None, runtime)
    silence = Audio(np.zeros(rate * 10, np.float32) + 1e-4, rate)
    with pytest.raises(NoSpeech):  # chords, no voice
        align(with_tone_bed(silence, 0.0), None, runtime)
    with pytest.raises(UnsupportedLanguage, match=r"English only.*multilingual"):
        runtime.transcriber().recognise(silence, "de")


def test_align_without_text_then_edit_and_retime(tmp_path: Path) -> None:
    said = prose(3, seed=21)
    speech = piper_narration(said).audio
    clip = tmp_path / "clip.wav"
    soundfile.write(clip, speech.samples, speech.sample_rate)
    first = voxcap("align", str(clip), "--out", str(tmp_path / "a"), "--json")
    assert first.returncode == 0, first.stderr
    transcript = (tmp_path / "a" / "transcript.txt").read_text()
    words = json.loads((tmp_path / "a" / "words.json").read_text())
    assert words["transcribed"] is True and words["text"] == transcript.strip()
    assert [w["text"] for w in words["words"]] == transcript.split()
    assert json.loads(first.stdout)["captions"]["txt"]["format"] == "txt"
    (tmp_path / "a" / "transcript.txt").write_text(" ".join(said))  # the user's fixes
    second = voxcap(
        "align", str(clip), "-f", str(tmp_path / "a" / "transcript.txt"), "--out",
        str(tmp_path / "b"),
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    srt = pysubs2.load(str(tmp_path / "b" / "captions.srt"))
    assert " ".join(e.plaintext.replace("\n", " ") for e in srt).split() == " ".join(said).split()
    assert not (tmp_path / "b" / "transcript.txt").exists()  # a script is no transcript
    timed = json.loads((tmp_path / "b" / "words.json").read_text())
    assert "transcribed" not in timed and not timed["alignment"]["unplaced_words"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("silence", "(no_speech)"),
        ("music", "(no_speech)"),
        ("empty", "(audio_unreadable)"),
        ("mute-video", "has no audio track"),
    ],
)
def test_align_without_text_refuses_what_has_no_speech(
    tmp_path: Path, make: str, message: str
) -> None:
    import subprocess

    rate = 16_000
    path = tmp_path / f"{make}.wav"
    if make == "silence":
        soundfile.write(path, np.zeros(rate * 5, np.float32), rate)
    elif make == "music":
        bed = with_tone_bed(Audio(np.full(rate * 8, 1e-3, np.float32), rate), 0.0)
        soundfile.write(path, bed.samples * 0.2, rate)
    elif make == "empty":
        path.write_bytes(b"")
    else:
        path = tmp_path / "mute.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=160x120:r=10", "-t",
             "2", "-c:v", "libx264", str(path)],
            check=True,
        )  # fmt: skip
    run = voxcap("align", str(path), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "out").exists()
