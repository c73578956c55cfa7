"""Loudness targets that are reached: integrated loudness (ITU-R BS.1770, pyloudnorm) within
±0.5 LU of the target and true peak at most -1 dBTP, by gain and a look-ahead true-peak limiter.

Presets name the platforms' targets: ``tiktok``, ``reels``, ``youtube`` and ``social`` (-14
LUFS), ``podcast`` (-16), ``broadcast`` (-23, EBU R128). A target is a preset name or a number
of LUFS between -40 and -13.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import soxr

from voxcap.domain import Audio
from voxcap.errors import InvalidInput

log = logging.getLogger(__name__)

PRESETS: dict[str, float] = {
    "tiktok": -14.0,
    "reels": -14.0,
    "youtube": -14.0,
    "social": -14.0,
    "podcast": -16.0,
    "broadcast": -23.0,
}
VIDEO = -14.0  # a video is made ready to post: at this target unless the user says otherwise
OFF = "off"  # the loudness option that keeps the speech as it is, video too
LOWEST, HIGHEST = -40.0, -13.0  # much louder speech is not reached under -1 dBTP
PEAK_DBTP = -1.0  # the true-peak ceiling every target keeps
_CEILING_DB = -1.3  # what the limiter aims at: headroom for the meter's own oversampling
_OVERSAMPLE = 4  # true peak by 4x oversampling, as BS.1770-4 does
_HOLD_S = 0.010  # limiter look-ahead / hold and smoothing, seconds
_TOLERANCE_LU = 0.1  # the gain is refined until the result is this close
_STEPS = 10


def target(value: str | float | None) -> float | None:
    """The LUFS a loudness option asks for: a preset name or a number; None for none or
    ``"off"``.

    Raises:
        InvalidInput: an unknown name, NaN, or a number outside [-40, -13] LUFS.
    """
    if value is None:
        return None
    if isinstance(value, str):
        name = value.strip().lower()
        if name == OFF:
            return None
        if name in PRESETS:
            return PRESETS[name]
        try:
            value = float(name)
        except ValueError:
            raise InvalidInput(
                f"unknown loudness {value!r}: give LUFS (e.g. -14), off, or a preset: "
                f"{', '.join(PRESETS)}"
            ) from None
    if not math.isfinite(value) or not LOWEST <= value <= HIGHEST:
        raise InvalidInput(f"loudness must be between {LOWEST:g} and {HIGHEST:g} LUFS, not {value}")
    return float(value)


def integrated(audio: Audio) -> float:
    """Integrated loudness in LUFS (-inf for silence or audio under 400 ms)."""
    import pyloudnorm

    if audio.duration < 0.4:  # BS.1770 gating needs at least one 400 ms block
        return float("-inf")
    meter = pyloudnorm.Meter(audio.sample_rate)
    return float(meter.integrated_loudness(audio.samples.astype(np.float64)))


def true_peak(audio: Audio) -> float:
    """True peak in dBTP (4x oversampled)."""
    if not len(audio.samples):
        return float("-inf")
    up = soxr.resample(audio.samples, audio.sample_rate, audio.sample_rate * _OVERSAMPLE)
    peak = float(np.max(np.abs(up)))
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


def normalize(audio: Audio, lufs: float) -> Audio:
    """``audio`` at ``lufs`` integrated loudness (±0.5 LU) with true peak ≤ -1 dBTP.

    Gain brings the loudness to the target and the limiter holds the peaks under the ceiling;
    limiting lowers the loudness a little, so the gain is measured again and refined. Audio
    with no measurable loudness (silence, under 400 ms) is only kept under the ceiling.
    """
    current = integrated(audio)
    if not math.isfinite(current):
        return limit(audio, _CEILING_DB)
    # the loudness reached rises more slowly than the gain once the limiter works: secant steps
    gain_db, out = lufs - current, audio
    tried: list[tuple[float, float]] = []
    for _ in range(_STEPS):
        scaled = Audio((audio.samples * 10 ** (gain_db / 20)).astype(np.float32), audio.sample_rate)
        out = limit(scaled, _CEILING_DB)
        reached = integrated(out)
        if abs(lufs - reached) <= _TOLERANCE_LU:
            break
        tried.append((gain_db, reached))
        slope = 1.0
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
        gain_db += (lufs - reached) / min(1.0, max(0.2, slope))
    else:
        if abs(lufs - reached) > 0.5:  # very peaky audio at a loud target: said, not hidden
            log.warning("loudness %.1f LUFS reached %.1f under the -1 dBTP ceiling", lufs, reached)
    return out


def limit(audio: Audio, ceiling_db: float) -> Audio:
    """A look-ahead true-peak limiter: gain that never lets the oversampled peak envelope pass
    ``ceiling_db``, applied smoothly (a hold of 10 ms, then a 10 ms moving average, which is
    never above the gain each sample needs)."""
    samples = audio.samples.astype(np.float64)
    n = len(samples)
    if n == 0:
        return audio
    ceiling = 10 ** (ceiling_db / 20)
    up = np.abs(soxr.resample(samples, audio.sample_rate, audio.sample_rate * _OVERSAMPLE))
    up = np.pad(up, (0, max(0, n * _OVERSAMPLE - len(up))))[: n * _OVERSAMPLE]
    envelope = np.maximum(up.reshape(n, _OVERSAMPLE).max(axis=1), np.abs(samples))
    need = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if need.min() >= 1.0:
        return audio
    width = max(1, round(_HOLD_S * audio.sample_rate))
    held = _min_filter(need, width)  # min over [t - width, t + width]
    smooth = _moving_average(held, width)  # mean over about [t - width/2, t + width/2]
    gain = np.minimum(smooth, held)
    return Audio((samples * gain).astype(np.float32), audio.sample_rate)


def _min_filter(x: np.ndarray, radius: int) -> np.ndarray:
    """The minimum of ``x`` over [t - radius, t + radius], by doubling shifts (O(n log r))."""
    out = x.copy()
    span = 0  # out[t] covers [t - span, t + span]
    while span < radius:
        step = min(span + 1, radius - span)
        left = np.concatenate([out[step:], np.full(step, out[-1])])
        right = np.concatenate([np.full(step, out[0]), out[:-step]])
        out = np.minimum(out, np.minimum(left, right))
        span += step
    return out


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    padded = np.pad(x, (width // 2, width - width // 2), mode="edge")
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    averaged: np.ndarray = (sums[width:] - sums[:-width])[: len(x)] / width
    return averaged
