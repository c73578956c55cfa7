"""Pipeline benchmark: per-stage wall time and real-time factors on a fixed text, plus the
aligner's word-boundary error against Piper's native timings.

    python bench/pipeline.py [--runs N] [--audio-format mp3]

Real-time factor (RTF) = stage wall time / audio duration (lower is faster). The overhead ratio
is everything but ``synthesize`` over the audio duration; the target is <= 0.05 on 2 CPU cores.
Verification (docs/VERIFY.md) runs the same text with ``verify=True``: its cost is the align
stage's extra time over the audio duration (target <= 0.05 on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from voxcap.audio import audio_format, encode
from voxcap.captions import render_captions
from voxcap.domain import CaptionOptions, SpeechRequest, SpeechResult
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.sentences import PARAGRAPH, SENTENCES

TEXT = "\n\n".join([PARAGRAPH, " ".join(SENTENCES)])
STAGES = ["normalize", "synthesize", "align", "captions", "encode"]


def run_once(
    runtime: Runtime, fmt: str, verify: bool = False
) -> tuple[SpeechResult, dict[str, float]]:
    result = speak(SpeechRequest(TEXT, verify=verify), runtime)
    timings = dict(result.timings)
    started = time.perf_counter()
    render_captions(result, ["srt", "vtt", "ass", "csv", "json"], CaptionOptions())
    timings["captions"] = time.perf_counter() - started
    started = time.perf_counter()
    encode(result.audio, audio_format(fmt))
    timings["encode"] = time.perf_counter() - started
    return result, timings


def boundary_errors(result: SpeechResult) -> np.ndarray:
    assert result.engine_words is not None
    pairs = list(zip(result.words, result.engine_words, strict=True))
    return np.array(
        [abs(a.start - b.start) for a, b in pairs] + [abs(a.end - b.end) for a, b in pairs]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--audio-format", default="mp3")
    args = parser.parse_args()

    runtime = Runtime(Settings(engine="piper", aligner="sphinx"))
    started = time.perf_counter()
    runtime.engine()
    runtime.aligner()
    cold = time.perf_counter() - started
    runs = [run_once(runtime, args.audio_format) for _ in range(args.runs)]
    result = runs[-1][0]
    duration = result.duration
    median = {s: statistics.median(t[s] for _, t in runs) for s in STAGES}

    lines = [
        f"text: {len(TEXT)} chars, {len(result.words)} words; audio {duration:.1f} s; "
        f"{args.runs} runs (median); engine+aligner load {cold:.2f} s"
    ]
    lines.append(f"{'stage':<12}{'wall s':>10}{'RTF':>10}")
    for stage in STAGES:
        lines.append(f"{stage:<12}{median[stage]:>10.3f}{median[stage] / duration:>10.4f}")
    overhead = sum(v for k, v in median.items() if k != "synthesize")
    lines.append(
        f"{'total':<12}{sum(median.values()):>10.3f}{sum(median.values()) / duration:>10.4f}"
    )
    lines.append(
        f"overhead (all but synthesize) / audio = {overhead / duration:.4f}  (target <= 0.05)"
    )
    errors = boundary_errors(result) * 1000
    lines.append(
        f"aligner vs piper boundaries ({len(errors)}): mean {errors.mean():.1f} ms, "
        f"median {np.median(errors):.1f} ms, p95 {np.percentile(errors, 95):.1f} ms, "
        f"within 20 ms {np.mean(errors <= 20):.1%}, within 50 ms {np.mean(errors <= 50):.1%}"
    )
    verified = [run_once(runtime, args.audio_format, verify=True) for _ in range(args.runs)]
    extra = statistics.median(t["align"] for _, t in verified) - median["align"]
    checks = verified[-1][0].verification
    assert checks is not None
    lines.append(
        f"verification: align {extra:+.3f} s, cost / audio = {extra / duration:.4f} (target "
        f"<= 0.05); {len(checks.sentences) - len(checks.flagged)} of {len(checks.sentences)} "
        "sentences ok"
    )
    lines.append(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
