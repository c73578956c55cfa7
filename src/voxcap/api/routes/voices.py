"""``/v1/voices``: add (multipart upload or JSON with a URL), list, show, delete. A voice is
shown with ``audio_url``: a signed URL of its reference clip, to listen to."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.api.pools import Pools
from voxcap.domain import Voice
from voxcap.errors import InvalidRequest
from voxcap.runtime import Runtime
from voxcap.schemas import describe
from voxcap.transcripts import transcript_text
from voxcap.voices import VoiceLibrary

router = APIRouter(prefix="/v1/voices")


class VoiceFromUrl(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    audio_url: str = Field(pattern=r"^https?://")
    transcript: str = ""
    replace: bool = False


@router.post("", status_code=201)
async def add(request: Request, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> dict[str, Any]:
    """Multipart (``name``, ``audio``, ``transcript`` or ``transcript_file``) or JSON
    (``name``, ``audio_url``, ``transcript``)."""
    library = rt.voices.for_caller(who)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return shown(await _add_upload(request, library, pools), rt)
    if content_type.startswith("application/x-www-form-urlencoded"):
        raise InvalidRequest(
            "send multipart/form-data with 'name' and an 'audio' file, or application/json "
            "with 'name' and 'audio_url'"
        )
    if not content_type.startswith("application/json"):  # text/plain is a CSRF "simple" type
        raise InvalidRequest(
            "send multipart/form-data with 'name' and an 'audio' file, or application/json "
            "with 'name' and 'audio_url'"
        )
    try:
        body = VoiceFromUrl.model_validate_json(await request.body())
    except ValidationError as exc:
        raise InvalidRequest(f"voice JSON: {describe(exc.errors())}") from None
    voice = await pools.voices.run(
        library.add_from, body.name, body.audio_url, body.transcript, body.replace
    )
    return shown(voice, rt)


async def _add_upload(request: Request, library: VoiceLibrary, pools: Pools) -> Voice:
    async with request.form() as form:  # closes the uploaded temp files
        name, audio = form.get("name"), form.get("audio")
        if not isinstance(name, str) or audio is None or isinstance(audio, str):
            raise InvalidRequest("multipart voice needs a 'name' field and an 'audio' file")
        transcript = form.get("transcript")
        text = transcript if isinstance(transcript, str) else ""
        upload = form.get("transcript_file")
        if upload is not None and not isinstance(upload, str):
            text = transcript_text(await upload.read(), upload.filename or "transcript.txt")
        data = await audio.read()
        filename = audio.filename or "upload.bin"
        replace = form.get("replace") == "true"
    voice = await pools.voices.run(
        functools.partial(
            library.add,
            name,
            data,
            transcript=text,
            filename=filename,
            source=f"upload:{filename}",
            replace=replace,
        )
    )
    return voice


@router.get("")
async def list_voices(who: Caller, rt: RuntimeDep, pools: PoolsDep) -> list[dict[str, Any]]:
    return [shown(v, rt) for v in await pools.io.run(rt.voices.for_caller(who).list)]


@router.get("/{name}")
async def show(name: str, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> dict[str, Any]:
    return shown(await pools.io.run(rt.voices.for_caller(who).get, name), rt)


@router.delete("/{name}", status_code=204)
async def delete(name: str, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> Response:
    await pools.io.run(rt.voices.for_caller(who).delete, name)
    return Response(status_code=204)


def shown(voice: Voice, rt: Runtime) -> dict[str, Any]:
    """A voice as the API shows it: its record, and a signed URL of its reference clip."""
    url = None
    if voice.reference:  # (voices added before 0.2 have none to sign)
        url = rt.store.signed_url(voice.reference, filename=f"{voice.name}.wav").url
    return {**asdict(voice), "audio_url": url}
