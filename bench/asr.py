"""Captions without a script: word error rate, start error of the matched words (voxcap's
aligner on the transcript, against Whisper's own word times), and real-time factor.

    python bench/asr.py [--minutes 1 5] [--sources piper espeak]

Speech is made here (tests/longform.py): continuous Piper narration (reference: Piper's own
phoneme timing) and espeak-ng (reference: its word events). The model is the one
VOXCAP_ASR_MODEL names (default tiny.en, packaged with voxcap[asr]); it loads before timing.
RTF = (transcription + alignment) wall time / audio duration. Targets (issue 26, 2 CPU cores):
WER <= 10 % on Piper and <= 20 % on espeak-ng, matched-word start error mean <= 30 ms and
p95 <= 100 ms, RTF <= 0.3.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.longform import espeak_recording, heard, piper_narration, prose

from voxcap.pipeline import align
from voxcap.runtime import Runtime

SOURCES = {"piper": piper_narration, "espeak": espeak_recording}
SENTENCES_PER_MINUTE = 16  # about right for both voices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 5.0])
    parser.add_argument("--sources", nargs="+", choices=list(SOURCES), default=list(SOURCES))
    args = parser.parse_args()
    runtime = Runtime()
    runtime.transcriber()  # the model loads once, outside the timings
    runtime.aligner()
    sys.stdout.write(
        f"{'source':<8}{'audio s':>9}{'WER':>7}{'mean ms':>9}{'p95 ms':>8}"
        f"{'whisper mean':>14}{'whisper p95':>13}{'RTF':>7}\n"
    )
    for source in args.sources:
        for minutes in args.minutes:
            recording = SOURCES[source](prose(round(minutes * SENTENCES_PER_MINUTE), seed=7))
            started = time.perf_counter()
            result = align(recording.audio, None, runtime, verify=False)
            wall = time.perf_counter() - started
            ours = heard(result.words, recording)
            whisper = heard(runtime.transcriber().recognise(recording.audio).words, recording)
            sys.stdout.write(
                f"{source:<8}{recording.audio.duration:>9.1f}{ours.wer:>7.1%}"
                f"{ours.errors.mean() * 1000:>9.0f}{np.percentile(ours.errors, 95) * 1000:>8.0f}"
                f"{whisper.errors.mean() * 1000:>14.0f}"
                f"{np.percentile(whisper.errors, 95) * 1000:>13.0f}"
                f"{wall / recording.audio.duration:>7.3f}\n"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
