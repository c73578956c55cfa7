"""Loudness targets are reached on real speech, as an independent meter (ffmpeg's ebur128)
measures them: integrated loudness within ±0.5 LU, true peak at most -1 dBTP."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pydantic
import pytest

from voxcap import loudness
from voxcap.audio import audio_format, encode
from voxcap.domain import Audio, SpeechResult
from voxcap.errors import InvalidInput
from voxcap.schemas import SpeechJob

from .servers import run_voxcap as voxcap


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, by ffmpeg's ebur128 filter."""
    done = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    lufs = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert lufs and peak, summary
    return float(lufs[1]), float(peak[1])


@pytest.mark.parametrize("preset", ["tiktok", "podcast", "broadcast"])
def test_targets_are_reached_with_true_peak_under_minus_one(
    paragraph_result: SpeechResult, preset: str, tmp_path: Path
) -> None:
    target = loudness.target(preset)
    assert target is not None
    before, _ = ebur128(_wav(paragraph_result.audio, tmp_path / "before.wav"))
    assert abs(before - target) > 1  # Piper's own level is about -21 LUFS: work to do
    out = loudness.normalize(paragraph_result.audio, target)
    lufs, peak = ebur128(_wav(out, tmp_path / "after.wav"))
    assert abs(lufs - target) <= 0.5
    assert peak <= -1.0
    assert len(out.samples) == len(paragraph_result.audio.samples)


@pytest.mark.parametrize("target", [-15.0, -18.0, -30.0, -40.0])
def test_any_target_in_range_is_reached(
    sentence_results: list[SpeechResult], target: float, tmp_path: Path
) -> None:
    out = loudness.normalize(sentence_results[3].audio, target)
    lufs, peak = ebur128(_wav(out, tmp_path / "out.wav"))
    assert abs(lufs - target) <= 0.5 and peak <= -1.0


def test_silence_and_short_clips_are_left_quiet() -> None:
    silence = Audio(__import__("numpy").zeros(24000, dtype="float32"), 24000)
    assert not loudness.normalize(silence, -14).samples.any()
    click = Audio(__import__("numpy").ones(2400, dtype="float32"), 24000)  # 0.1 s at 0 dBFS
    assert loudness.true_peak(loudness.normalize(click, -14)) <= -1.0


@pytest.mark.parametrize(
    ("value", "lufs"),
    [
        ("tiktok", -14),
        ("Reels", -14),
        ("youtube", -14),
        ("podcast", -16),
        ("broadcast", -23),
        ("-16", -16),
        (-20.5, -20.5),
        (None, None),
        ("social", -14),
    ],
)
def test_targets_and_presets(value: str | float | None, lufs: float | None) -> None:
    assert loudness.target(value) == lufs


@pytest.mark.parametrize("value", ["nan", math.nan, "inf", -math.inf, "-5", 0, -70, "loud", ""])
def test_bad_targets_are_invalid_input(value: str | float) -> None:
    with pytest.raises(InvalidInput, match="loudness"):
        loudness.target(value)
    with pytest.raises(pydantic.ValidationError, match="loudness"):
        SpeechJob(text="Hi.", loudness=value)


@pytest.mark.slow
def test_cli_social_reaches_minus_14(tmp_path: Path) -> None:
    text = "Dr. Smith paid $3.50 for 2 coffees at 9:30 a.m. Every word is captioned."
    run = voxcap("speak", text, "--engine", "piper", "--social", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    lufs, peak = ebur128(tmp_path / "speech.wav")
    assert abs(lufs - -14) <= 0.5 and peak <= -1.0


@pytest.mark.parametrize(
    "args", [["--loudness", "nan"], ["--loudness", "-3"], ["--social", "--loudness", "-16"]]
)
def test_cli_refuses_bad_loudness_before_any_work(args: list[str], tmp_path: Path) -> None:
    run = voxcap("speak", "Hello.", "--engine", "piper", *args, "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert "invalid_input" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def _wav(audio: Audio, path: Path) -> Path:
    path.write_bytes(encode(audio, audio_format("wav")))
    return path
