"""One job, start to finish: a narration (:func:`narrate`) or a recording captioned
(:func:`caption`): pipeline, files into the store, the result document.

Shared by the job worker and the RunPod handler so both return the same thing; ``JOBS`` is
the registry of the kinds of job a queued request may be.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from voxcap import loudness
from voxcap.audio import audio_format
from voxcap.errors import InvalidRequest
from voxcap.export import render, to_store
from voxcap.fetch import FetchPolicy, fetch
from voxcap.pipeline import Listener, speak
from voxcap.runtime import Runtime
from voxcap.schemas import (
    AlignJob,
    AlignTask,
    SpeechJob,
    SpeechOutput,
    VideoSpec,
    speech_output,
)

if TYPE_CHECKING:
    from voxcap.video import VideoPlan


def narrate(
    runtime: Runtime, spec: SpeechJob, job_id: str, listener: Listener | None = None
) -> SpeechOutput:
    """Speak ``spec``, put its files under ``outputs/{job_id}/``; returns the result with
    object keys (sign it with :meth:`SpeechOutput.signed` to hand it out)."""
    with tempfile.TemporaryDirectory(prefix="voxcap-job-") as folder:
        lufs = loudness.VIDEO if spec.loudness is None else None  # unasked: ready to post
        plan = _video_plan(runtime, spec.video, Path(folder), lufs)  # before any synthesis
        options = spec.caption_options(runtime.brands.get(spec.brand) if spec.brand else None)
        if plan is not None:
            options = replace(options, frame=plan.frame)
        result = speak(spec.speech_request(), runtime, listener, loudness.target(spec.loudness))
        artifacts, stage_times = render(
            result, audio_format(spec.audio_format), list(spec.captions), options, plan, listener
        )
    exported = to_store(artifacts, runtime.store, job_id, stage_times)
    return speech_output(result, exported, keep_keys=True)


def caption(
    runtime: Runtime, spec: AlignJob, job_id: str, listener: Listener | None = None
) -> SpeechOutput:
    """Caption ``spec``'s recording (an upload in the store, or fetched by URL): time its
    text, or transcribe it first when there is none; put the files under
    ``outputs/{job_id}/`` and return the result with object keys."""
    from voxcap.audio import decode
    from voxcap.pipeline import align

    s = runtime.settings
    with tempfile.TemporaryDirectory(prefix="voxcap-job-") as folder:
        if isinstance(spec, AlignTask) and spec.upload is not None:
            data, name = runtime.store.get(spec.upload), Path(spec.upload).name
        elif spec.audio_url is not None:
            policy = FetchPolicy.of(s.max_voice_bytes * 4, s.fetch_timeout, s.fetch_allow_networks)
            data, name = fetch(spec.audio_url, policy)
        else:
            raise InvalidRequest("audio_url is required: the recording to caption")
        path = Path(folder) / f"recording{Path(name).suffix[:8]}"
        path.write_bytes(data)
        recording = decode(path, max_seconds=s.max_audio_seconds)
        plan = _video_plan(runtime, spec.video, Path(folder), loudness.VIDEO, path)
        options = spec.caption_options(runtime.brands.get(spec.brand) if spec.brand else None)
        if plan is not None:
            options = replace(options, frame=plan.frame)
        result = align(
            recording, spec.text, runtime, spec.aligner, listener, spec.verify, spec.language
        )
        formats = spec.formats(result.transcribed)
        artifacts, stage_times = render(result, None, formats, options, plan, listener)
    exported = to_store(artifacts, runtime.store, job_id, stage_times)
    return speech_output(result, exported, keep_keys=True)


Job = Callable[[Runtime, Any, str, Listener | None], SpeechOutput]
# what a queued request is ("operation", default "speak"): its schema and what runs it
JOBS: dict[str, tuple[type[BaseModel], Job]] = {
    "speak": (SpeechJob, narrate),
    "align": (AlignTask, caption),
}


def _video_plan(
    runtime: Runtime,
    v: VideoSpec | None,
    folder: Path,
    lufs: float | None,
    source: Path | None = None,
) -> VideoPlan | None:
    """The job's video, checked; a background URL is fetched (SSRF-safe) into ``folder``.
    With ``source`` (a recording being captioned) a video recording gets the captions."""
    if v is None:
        return None
    from voxcap.video import VideoOptions, plan

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
    return plan(VideoOptions(v.aspect, background, v.background_volume, v.fps, lufs), source)
