"""Verification benchmark: how many faulty takes it flags, how many clean ones, and its cost.

    python bench/verify.py [--sentences 120] [--voices piper piper1.3 espeak] [--noise-db 6]

The test set (tests/faults.py): each sentence spoken alone (Piper at speed 1.0 or 1.3, or
espeak-ng), then cut, a word repeated, three words replaced by other speech, noise 6 dB over
the speech on a word, and cut short. Every take is checked (``SphinxAligner.check``) and judged
(:func:`voxcap.verify.judge`) against the typical fit of all the voice's takes, as a narration
is. Prints, per voice and fault, the share of takes flagged (suspect or failed), and the cost of
the checks as a real-time factor (check wall time / audio duration; the forced alignment in it
is what an unverified narration pays anyway). Targets (2 CPU cores): >= 95 % of faulty takes
flagged, <= 2 % of clean ones, cost <= 0.05 x the audio duration.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tests.faults
from tests.faults import Judged, espeak_spoken, judged, piper_spoken, takes
from tests.longform import prose

from voxcap.aligners.sphinx import SphinxAligner
from voxcap.text import prepare

log = logging.getLogger("bench.verify")
VOICES = {
    "piper": lambda s: piper_spoken(s),
    "piper1.3": lambda s: piper_spoken(s, speed=1.3),
    "espeak": espeak_spoken,
}


def run(voice: str, sentences: int, seed: int) -> Judged:
    """The test set of ``voice`` judged; logs the cost."""
    set_ = takes(VOICES[voice](prose(sentences, seed=seed)), seed=seed)
    checker = SphinxAligner()
    result = judged(set_, checker)
    log.info(
        "%s: %d takes, %.0f s of audio, typical fit %.2f",
        voice,
        len(set_),
        result.audio,
        result.typical,
    )
    log.info("%s: check RTF %.3f over all takes", voice, result.seconds / result.audio)
    for line in result.clean_flagged:
        log.info("clean take flagged: %s", line)
    # the cost on clean speech alone: what a narration that needs no retake pays
    clean = [t for t in set_ if t.kind == "clean"]
    started = time.perf_counter()
    for take in clean:
        checker.check(take.audio, [t.text for t in prepare(take.sentence).tokens])
    seconds = time.perf_counter() - started
    log.info(
        "%s: check RTF %.3f on clean takes", voice, seconds / sum(t.audio.duration for t in clean)
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=120)
    parser.add_argument("--voices", nargs="+", default=list(VOICES), choices=list(VOICES))
    parser.add_argument("--noise-db", type=float, default=tests.faults.NOISE_DB)
    args = parser.parse_args()
    tests.faults.NOISE_DB = args.noise_db  # the noise fault: dB over the speech
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    for voice in args.voices:
        result = run(voice, args.sentences, seed=11 + list(VOICES).index(voice))
        row = " | ".join(f"{kind} {f}/{t}" for kind, (f, t) in result.counts.items())
        log.info("%s | %s | faulty flagged %.1f %%", voice, row, 100 * result.caught())


if __name__ == "__main__":
    main()
