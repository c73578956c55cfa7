"""Joining generated pieces of speech with a short linear cross-fade, all at once
(:func:`stitch`) or one piece at a time for a stream (:func:`stitch_step`), with the same
arithmetic, so a stream's pieces concatenate to the whole."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["stitch", "stitch_step"]


def stitch_step(
    tail: np.ndarray[Any, Any], wave: np.ndarray[Any, Any], fade: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], int]:
    """One step of :func:`stitch` for a stream: ``tail`` is the end of the audio so far that a
    cross-fade may still change (at most ``fade`` samples). Returns the samples now settled,
    the new tail, and where ``wave`` begins relative to the old tail's start. The same
    arithmetic as :func:`stitch`, so the pieces concatenate to its output exactly."""
    n = min(fade, len(tail), len(wave))
    begin = len(tail) - n
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        overlap = tail[begin:] * (1 - ramp) + wave[:n] * ramp
        merged = np.concatenate([tail[:begin], overlap, wave[n:]])
    else:
        merged = np.concatenate([tail, wave])
    merged = merged.astype(np.float32)
    keep = min(fade, len(merged))
    return merged[: len(merged) - keep], merged[len(merged) - keep :], begin


def stitch(waves: list[np.ndarray[Any, Any]], fade: int) -> tuple[np.ndarray[Any, Any], list[int]]:
    """Join ``waves`` with a linear cross-fade of ``fade`` samples; returns the audio and the
    sample where each wave starts in it (one :func:`stitch_step` per wave)."""
    settled: list[np.ndarray[Any, Any]] = []
    tail = np.zeros(0, dtype=np.float32)
    starts, emitted = [], 0
    for wave in waves:
        done, tail, begin = stitch_step(tail, wave, fade)
        starts.append(emitted + begin)
        settled.append(done)
        emitted += len(done)
    return np.concatenate([*settled, tail]).astype(np.float32), starts
