"""``GET /v1/capabilities``: what this server offers and its limits, for clients (the studio)
to build their forms from: engines and their voices, caption presets, loudness presets, audio
formats, video, and the size limits."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import Any, Literal, get_args, get_origin

from fastapi import APIRouter
from pydantic import BaseModel

from voxcap import loudness, models
from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.captions.presets import ANIMATIONS, PRESETS
from voxcap.engines import ENGINES
from voxcap.errors import VoxcapError, public_message
from voxcap.runtime import Runtime
from voxcap.schemas import SpeechJob, VideoSpec

router = APIRouter(prefix="/v1")


@router.get("/capabilities")
async def capabilities(who: Caller, rt: RuntimeDep, pools: PoolsDep) -> dict[str, Any]:
    settings = rt.settings
    return {
        "engines": await pools.io.run(_engines, rt),
        "default_engine": rt.engine_name(),
        "verify": settings.verify,
        "transcribes": await pools.io.run(_transcribes, rt),
        "caption_styles": {name: asdict(p) for name, p in PRESETS.items()},
        "animations": list(ANIMATIONS),
        "brands": [b.name for b in await pools.io.run(rt.brands.list)],
        "caption_formats": _choices(SpeechJob, "captions"),
        "cue_modes": _choices(SpeechJob, "cue_mode"),
        "loudness_presets": loudness.PRESETS,
        "audio_formats": _choices(SpeechJob, "audio_format"),
        "video": {
            "available": await pools.io.run(_video_available),
            "aspects": _choices(VideoSpec, "aspect"),
        },
        "limits": {
            "max_text_chars": settings.max_text_chars,
            "max_voice_bytes": settings.max_voice_bytes,
        },
    }


def _choices(model: type[BaseModel], field: str) -> list[str]:
    """The values a ``Literal`` field (or a list of one) of ``model`` takes."""
    annotation = model.model_fields[field].annotation
    while get_origin(annotation) is not Literal:
        annotation = get_args(annotation)[0]
    return list(get_args(annotation))


def _engines(rt: Runtime) -> list[dict[str, Any]]:
    """Each registered engine: its own voices, whether it clones, and whether it can run here
    (``problem`` says why not)."""
    out = []
    for name in ENGINES:
        entry: dict[str, Any] = {"name": name, "voices": [], "clones": False, "problem": None}
        try:
            engine = rt.engine(name)
            entry.update(voices=list(engine.presets), clones=engine.clones)
            engine.check()
        except VoxcapError as exc:
            entry["problem"] = public_message(exc.message)  # no server paths (newuser #18)
        out.append(entry)
    return out


def _transcribes(rt: Runtime) -> bool:
    """Whether a voice may come without its transcript: ``voxcap[asr]`` and its weights."""
    if rt.transcribe is None:
        return False
    try:
        models.locate("asr", rt.settings)
    except VoxcapError:
        return False
    return True


@functools.cache
def _video_available() -> bool:
    from voxcap.video import ffmpeg

    try:
        ffmpeg()
    except VoxcapError:
        return False
    return True
