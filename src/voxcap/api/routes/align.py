"""``POST /v1/align``: caption a recording, queued as a job like a narration. With no text
the recording is transcribed first (``voxcap[asr]``); the job's result has the same files as
``voxcap align`` (and ``txt``, the transcript, to edit and send again with ``text``)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from voxcap.api.deps import Caller, PoolsDep, QueueDep, RuntimeDep
from voxcap.api.routes.speech import finished
from voxcap.errors import AudioDecodeError, AudioTooLong, InvalidRequest
from voxcap.runtime import Runtime
from voxcap.schemas import AlignJob, AlignTask, describe
from voxcap.storage import keys

router = APIRouter(prefix="/v1")
HOW = (
    "send multipart/form-data with an 'audio' file (and optionally 'text' and 'options', a "
    "JSON object of the other fields), or application/json with 'audio_url'"
)


@router.post("/align", status_code=202)
async def submit(
    request: Request,
    who: Caller,
    rt: RuntimeDep,
    queue: QueueDep,
    pools: PoolsDep,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> JSONResponse:
    """Queue a recording to caption; with ``?wait=S`` return the finished job if it ends
    within S s. Everything that can be known is checked first: the recording is decoded (an
    empty file, a video without sound, one over ``VOXCAP_MAX_AUDIO_SECONDS`` are refused),
    the text or the speech recognition model, the brand, ffmpeg for a video."""
    content_type = request.headers.get("content-type", "")
    data: bytes | None = None
    if content_type.startswith("multipart/form-data"):
        spec, data, filename = await _upload(request)
    elif content_type.startswith("application/json"):  # (text/plain would be CSRF-able)
        spec = _parsed(await request.body())
        if spec.audio_url is None:
            raise InvalidRequest(f"no recording: {HOW}")
    else:
        raise InvalidRequest(HOW)
    await pools.io.run(check, spec, rt)
    task = spec.model_dump()
    if data is not None:
        await pools.io.run(checked_upload, data, filename, rt.settings.max_audio_seconds)
        key = keys.upload(uuid.uuid4().hex, Path(filename).suffix)
        await pools.io.run(rt.store.put, key, data, "application/octet-stream")
        task = AlignTask(**task, upload=key).model_dump()
    job = await pools.io.run(queue.submit, task, who)
    return await finished(job, wait, rt, queue, pools)


def check(spec: AlignJob, rt: Runtime) -> None:
    """What an align job needs, checked before it is queued, without loading any model."""
    from voxcap import models
    from voxcap._deps import require
    from voxcap.pipeline import check_alignable

    if spec.text is not None:
        check_alignable(spec.text, spec.aligner, rt.settings)
    else:
        require("faster_whisper", extra="asr")
        models.locate("asr", rt.settings)
    if spec.brand:
        rt.brands.get(spec.brand)
    if spec.video is not None:
        from voxcap.video import ffmpeg

        ffmpeg()


def checked_upload(data: bytes, filename: str, max_seconds: float) -> None:
    """The upload is media with a sound track, not longer than ``max_seconds``: read from its
    header by ffprobe (a local file, the media formats only), never decoded here, so a
    small file that would decode to hours of samples costs the API nothing. The worker's
    decode bounds what a header does not say.

    Raises:
        AudioDecodeError: empty, not media, or no sound track. AudioTooLong: over the limit.
    """
    from voxcap.video import probe

    name = Path(filename).name or "recording"
    if not data:
        raise AudioDecodeError(f"{name} is empty")
    with tempfile.TemporaryDirectory(prefix="voxcap-upload-") as folder:
        path = Path(folder) / f"recording{Path(name).suffix[:8]}"
        path.write_bytes(data)
        info = probe(path, AudioDecodeError)
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        raise AudioDecodeError(f"{name} has no audio track")
    seconds = float(info.get("format", {}).get("duration") or 0)
    if seconds > max_seconds:
        raise AudioTooLong(f"{name} is longer than the limit of {max_seconds:g} s")


async def _upload(request: Request) -> tuple[AlignJob, bytes, str]:
    async with request.form() as form:  # closes the uploaded temp files
        audio, text, options = form.get("audio"), form.get("text"), form.get("options")
        if audio is None or isinstance(audio, str):
            raise InvalidRequest(f"no 'audio' file: {HOW}")
        if options is not None and not isinstance(options, str):
            raise InvalidRequest("'options' must be a JSON object in a text field")
        spec = _parsed((options or "{}").encode())
        if isinstance(text, str) and text.strip():
            spec = spec.model_copy(update={"text": text})
        return spec, await audio.read(), audio.filename or "recording.bin"


def _parsed(body: bytes) -> AlignJob:
    try:
        return AlignJob.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidRequest(f"align request: {describe(exc.errors())}") from None
