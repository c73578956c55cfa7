"""Media files for the tests, made by the real ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

_PICTURE = ("-c:v", "libx264", "-pix_fmt", "yuv420p")


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly (overwriting its output); raises when it fails."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


def silent_video(path: Path, size: str = "64x64", seconds: float = 1) -> Path:
    """An H.264 video with a picture and no sound track."""
    ffmpeg("-f", "lavfi", "-i", f"color=s={size}:r=5", "-t", str(seconds), *_PICTURE, path)
    return path


def h264(*inputs: str | Path, out: Path, audio: str = "aac") -> Path:
    """``inputs`` (ffmpeg input options) encoded as H.264 yuv420p with ``audio`` sound."""
    ffmpeg(*inputs, "-shortest", *_PICTURE, "-c:a", audio, out)
    return out
