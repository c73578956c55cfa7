"""One narration job, start to finish: pipeline, files into the store, the result document.

Shared by the job worker and the RunPod handler so both return the same thing.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from voxcap import loudness
from voxcap.audio import audio_format
from voxcap.export import render, to_store
from voxcap.pipeline import Listener, speak
from voxcap.runtime import Runtime
from voxcap.schemas import SpeechJob, SpeechOutput, speech_output

if TYPE_CHECKING:
    from voxcap.video import VideoPlan


def narrate(
    runtime: Runtime, spec: SpeechJob, job_id: str, listener: Listener | None = None
) -> SpeechOutput:
    """Speak ``spec``, put its files under ``outputs/{job_id}/``; returns the result with
    object keys (sign it with :meth:`SpeechOutput.signed` to hand it out)."""
    with tempfile.TemporaryDirectory(prefix="voxcap-job-") as folder:
        plan = _video_plan(runtime, spec, Path(folder))  # checked before any synthesis
        options = spec.caption_options(runtime.brands.get(spec.brand) if spec.brand else None)
        if plan is not None:
            options = replace(options, frame=plan.frame)
        result = speak(spec.speech_request(), runtime, listener, loudness.target(spec.loudness))
        artifacts, stage_times = render(
            result, audio_format(spec.audio_format), list(spec.captions), options, plan, listener
        )
    exported = to_store(artifacts, runtime.store, job_id, stage_times)
    return speech_output(result, exported, keep_keys=True)


def _video_plan(runtime: Runtime, spec: SpeechJob, folder: Path) -> VideoPlan | None:
    """The job's video, checked; a background URL is fetched (SSRF-safe) into ``folder``."""
    if spec.video is None:
        return None
    from voxcap.fetch import FetchPolicy, fetch
    from voxcap.video import VideoOptions, plan

    v = spec.video
    background = v.background
    if v.background_url:
        s = runtime.settings
        data, _ = fetch(
            v.background_url,
            FetchPolicy.of(s.max_voice_bytes * 4, s.fetch_timeout, s.fetch_allow_networks),
        )
        suffix = Path(urlsplit(v.background_url).path).suffix[:8]
        path = folder / f"background{suffix}"
        path.write_bytes(data)
        background = str(path)
    # the narration is at the loudness asked for; unasked, the video is made ready to post
    lufs = loudness.VIDEO if spec.loudness is None else None
    return plan(VideoOptions(v.aspect, background, v.background_volume, v.fps, lufs))
