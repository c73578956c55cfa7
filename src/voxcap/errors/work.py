"""The work could not be done: a missing part, missing weights, an engine, the aligner, a render."""

from __future__ import annotations

from voxcap.errors.base import VoxcapError


class MissingDependency(VoxcapError):
    """An optional extra is needed for what was asked; the message names it
    (``pip install 'voxcap[piper]'``)."""

    code = "missing_dependency"
    http_status = 501
    exit_code = 2


class VideoUnavailable(MissingDependency):
    """Video was asked for and ffmpeg (with libass) is not installed."""

    code = "video_unavailable"


class RenderFailed(VoxcapError):
    """ffmpeg failed to render a video from valid input."""

    code = "render_failed"


class ModelNotFound(VoxcapError):
    """Model weights are not in the cache; the message names the file, the folder looked in and
    the command that fetches them (``voxcap models download …``)."""

    code = "model_not_found"
    http_status = 503
    exit_code = 2


class ModelHubUnreachable(VoxcapError):
    """Weights cannot be downloaded: the model hub (or its mirror, ``HF_ENDPOINT``) cannot be
    reached; the message says where to copy the files instead."""

    code = "model_hub_unreachable"
    http_status = 503
    exit_code = 2


class EngineError(VoxcapError):
    """The speech engine failed on a valid request."""

    code = "engine_failed"


class EngineOutOfMemory(EngineError):
    """The GPU ran out of memory (a RunPod worker is then replaced); retry."""

    code = "engine_out_of_memory"


class AlignmentError(VoxcapError):
    """The aligner could not place the text in the audio, even with wide beams (``align``:
    none of the text was found in the recording)."""

    code = "alignment_failed"
    http_status = 422
    exit_code = 1
