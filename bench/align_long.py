"""Long-form alignment benchmark: real-time factor, peak memory and accuracy against the
reference word starts, per condition and per 5-minute slice (drift).

    python bench/align_long.py [--minutes 0.5 5 30] [--source piper|espeak] [--conditions ...]

Speech is made here (tests/longform.py): continuous Piper narration (reference: Piper's own
phoneme timing) or espeak-ng (reference: its word events). Conditions: clean, noise20 and
noise10 (white noise at that SNR), tone (a bed of chords 15 dB under the speech), edit (the
text has 3 sentences that are not spoken and misses 2 that are). RTF = alignment wall time /
audio duration. For each clean recording, `voxcap align` also runs as a process of its own on
it (as a user runs it): its wall time (start-up included) and peak RSS. Targets (2 CPU cores):
RTF <= 0.05 at any length, peak RSS <= 1 GB, clean mean error <= 20 ms and p95 <= 60 ms with no
slice worse than the first, no failure at 20 dB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.longform import (
    Recording,
    edited,
    espeak_recording,
    piper_narration,
    prose,
    score,
    with_noise,
    with_tone_bed,
)

from voxcap.domain import Audio
from voxcap.pipeline import align
from voxcap.runtime import Runtime

SECONDS_PER_SENTENCE = {"piper": 3.8, "espeak": 4.3}


def condition(name: str, recording: Recording) -> tuple[Audio, list[str], list[int | None]]:
    audio, text = recording.audio, recording.sentences
    origin: list[int | None] = list(range(len(text)))
    if name.startswith("noise"):
        audio = with_noise(audio, float(name[5:]))
    elif name == "tone":
        audio = with_tone_bed(audio)
    elif name == "edit":
        edit = edited(text)
        text, origin = edit.sentences, edit.origin
    return audio, text, origin


def cli_run(audio: Audio, text: list[str], aligner: str) -> tuple[float, float]:
    """``voxcap align`` on the recording as a WAV file, as a user runs it: wall time and the
    process's peak RSS (the RSS column above is this whole benchmark process: the speech it
    made, every mixed copy of it)."""
    with tempfile.TemporaryDirectory() as folder:
        wav, script = Path(folder) / "speech.wav", Path(folder) / "script.txt"
        soundfile.write(wav, audio.samples, audio.sample_rate, subtype="PCM_16")
        script.write_text(" ".join(text))
        command = [sys.executable, "-m", "voxcap", "align", str(wav), "-f", str(script)]
        command += ["--aligner", aligner, "--captions", "json", "--out", f"{folder}/out"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak >= before  # the largest child so far: lengths run shortest first
    return wall, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[0.5, 5, 30])
    parser.add_argument("--source", choices=["piper", "espeak"], default="piper")
    parser.add_argument(
        "--conditions", nargs="+", default=["clean", "noise20", "noise10", "tone", "edit"]
    )
    parser.add_argument("--aligner", default="sphinx")
    args = parser.parse_args()
    runtime = Runtime()
    make = piper_narration if args.source == "piper" else espeak_recording
    out = sys.stdout
    out.write(f"source {args.source}, aligner {args.aligner}\n")
    out.write(
        f"{'minutes':>7} {'condition':>9} {'RTF':>6} {'RSS MiB':>8} {'mean ms':>8} "
        f"{'p95 ms':>7} {'unplaced':>8} {'wrongly placed':>14} {'unmatched s':>11}\n"
    )
    for minutes in args.minutes:
        count = max(2, round(minutes * 60 / SECONDS_PER_SENTENCE[args.source]))
        recording = make(prose(count, seed=7))
        for name in args.conditions:
            audio, text, origin = condition(name, recording)
            started = time.perf_counter()
            result = align(audio, " ".join(text), runtime, args.aligner)
            wall = time.perf_counter() - started
            assert result.alignment is not None
            found = score(result.words, set(result.alignment.unplaced), recording, text, origin)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            unmatched = sum(e - s for s, e in result.alignment.unmatched)
            out.write(
                f"{audio.duration / 60:7.1f} {name:>9} {wall / audio.duration:6.3f} {rss:8.0f} "
                f"{found.errors.mean() * 1000:8.1f} {np.percentile(found.errors, 95) * 1000:7.1f} "
                f"{found.unplaced_spoken:8d} {found.placed_unspoken:14d} {unmatched:11.1f}\n"
            )
            if audio.duration > 600:
                slices = ", ".join(f"{m * 1000:.0f}/{p * 1000:.0f}" for m, p in found.slices(300))
                out.write(f"{'':17} per 5-minute slice (mean/p95 ms): {slices}\n")
            if name == "clean":
                wall, rss = cli_run(audio, text, args.aligner)
                out.write(
                    f"{'':17} voxcap align (a process of its own): wall {wall:.1f} s, "
                    f"RTF {wall / audio.duration:.3f}, peak RSS {rss:.0f} MiB\n"
                )
            out.flush()


if __name__ == "__main__":
    main()
