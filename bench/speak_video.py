"""The whole ``voxcap speak --video`` command, as a creator runs it: wall time over the
narration's length, for Piper narrations of about 30, 60 and 120 s on a colour background
(9:16, karaoke captions, loudness by default). Each run is a fresh process (model loads
included), the median of ``--runs``; the render stage's own share is printed beside it.

    python bench/speak_video.py [--runs 3] [--lengths 30,60,120]

Target (issue 25): whole command ≤ 0.2 x the audio's duration on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = (
    "Here is the one trick that saved me an hour every single day.",
    "First, write down the three things that matter before you open your email.",
    "Then block the first ninety minutes of the morning for the hardest one.",
    "Your phone goes in another room, and notifications stay off until lunch.",
    "It sounds simple, but most people never try it for a whole week.",
    "By Friday you will notice how much calmer the afternoons feel.",
)


def script(seconds: int) -> str:
    """About ``seconds`` of Piper speech (some 2.6 words a second)."""
    words, out = 0, []
    while words < seconds * 2.6:
        sentence = SENTENCES[len(out) % len(SENTENCES)]
        out.append(sentence)
        words += len(sentence.split())
    return " ".join(out)


def run(seconds: int, folder: Path) -> tuple[float, float, float]:
    """(wall seconds, audio seconds, render seconds) of one whole command."""
    text = folder / f"script-{seconds}.txt"
    text.write_text(script(seconds))
    out = folder / f"out-{seconds}"
    started = time.perf_counter()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "voxcap", "speak", "-f", str(text), "--engine", "piper"),
            *("--video", "--out", str(out), "--json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)
    return wall, result["duration"], result["timings"].get("render", 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lengths", default="30,60,120")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voxcap-bench-speak-video-"))
    sys.stdout.write(
        f"{'target s':>9}{'audio s':>9}{'wall s':>9}{'wall/audio':>12}{'render/audio':>14}\n"
    )
    for seconds in (int(s) for s in args.lengths.split(",")):
        runs = [run(seconds, folder) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        audio = runs[0][1]
        render = statistics.median(r[2] for r in runs)
        sys.stdout.write(
            f"{seconds:>9}{audio:>9.1f}{wall:>9.2f}{wall / audio:>12.3f}{render / audio:>14.3f}\n"
        )


if __name__ == "__main__":
    main()
