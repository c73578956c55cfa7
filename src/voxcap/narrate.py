"""One narration job, start to finish: pipeline, files into the store, the result document.

Shared by the job worker and the RunPod handler so both return the same thing.
"""

from __future__ import annotations

from voxcap.audio import audio_format
from voxcap.export import render, to_store
from voxcap.pipeline import Listener, speak
from voxcap.runtime import Runtime
from voxcap.schemas import SpeechJob, SpeechOutput, speech_output


def narrate(
    runtime: Runtime, spec: SpeechJob, job_id: str, listener: Listener | None = None
) -> SpeechOutput:
    """Speak ``spec``, put its files under ``outputs/{job_id}/``; returns the result with
    object keys (sign it with :meth:`SpeechOutput.signed` to hand it out)."""
    result = speak(spec.speech_request(), runtime, listener, spec.loudness)
    artifacts, stage_times = render(
        result, audio_format(spec.audio_format), list(spec.captions), spec.caption_options()
    )
    exported = to_store(artifacts, runtime.store, job_id, stage_times)
    return speech_output(result, exported, keep_keys=True)
