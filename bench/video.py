"""Video rendering: wall time / video duration for each aspect on a colour background, and on
a 1080p video background, with peak memory (this process and ffmpeg).

    python bench/video.py            # a ~60 s Piper narration

Targets (docs/VIDEO.md): ≤ 0.5 for a 60 s 1080x1920 narration on a colour, ≤ 1.0 on a 1080p
video background; memory flat with length (ffmpeg streams; no frame passes through Python).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voxcap.domain import CaptionOptions, SpeechRequest
from voxcap.export import render
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.video import ASPECTS, VideoOptions, plan

PARAGRAPH = (
    "The harbour was quiet when the first boats came back in the morning. Fishermen carried "
    "their crates up the stone steps. The gulls followed them, hoping for scraps. By nine "
    "o'clock the market was open. The smell of coffee drifted over the square. Children ran "
    "between the stalls. Their parents argued about prices. An old man played the accordion. "
)


def main() -> None:
    runtime = Runtime(Settings(engine="piper", aligner="sphinx"))
    result = speak(SpeechRequest(PARAGRAPH * 3), runtime)
    folder = Path(tempfile.mkdtemp(prefix="voxcap-bench-video-"))
    clip = folder / "background.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=20"),
            *("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(clip)),
        ],
        check=True,
    )
    runs = [(aspect, VideoOptions(aspect=aspect)) for aspect in ASPECTS]
    runs.append(("9:16 on 1080p video", VideoOptions(background=str(clip))))
    sys.stdout.write(f"narration {result.duration:.1f} s, {len(result.words)} words\n")
    sys.stdout.write(f"{'video':<22}{'wall s':>8}{'wall/duration':>15}\n")
    for name, options in runs:
        video = plan(options)
        captions = CaptionOptions(frame=video.frame)
        started = time.perf_counter()
        render(result, None, ["ass"], captions, video)
        wall = time.perf_counter() - started
        sys.stdout.write(f"{name:<22}{wall:>8.2f}{wall / result.duration:>15.3f}\n")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ffmpeg = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sys.stdout.write(f"peak memory: python {own:,.0f} MiB, ffmpeg {ffmpeg:,.0f} MiB\n")


if __name__ == "__main__":
    main()
