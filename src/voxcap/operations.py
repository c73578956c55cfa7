"""Operations of the RunPod worker (a registry, not an if/elif chain), over the same schemas
and the same result document as the HTTP API.

    {"operation": "speak" (default) | "align" | "voices.add" | "voices.list" | "voices.delete",
     ...the operation's fields}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voxcap.errors import VoxcapError
from voxcap.pipeline import Listener
from voxcap.runtime import Runtime
from voxcap.schemas import AlignJob, SpeechJob, describe

Result = dict[str, Any]


class SpeakInput(SpeechJob):
    operation: Literal["speak"] = "speak"


class AlignInput(AlignJob):
    audio_url: str = Field(pattern=r"^https?://", description="The recording to caption.")


class VoiceAddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: Literal["voices.add"]
    name: str
    audio_url: str = Field(pattern=r"^https?://")
    transcript: str = ""
    replace: bool = False


class VoiceListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: Literal["voices.list"]


class VoiceDeleteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: Literal["voices.delete"]
    name: str


def _speak(rt: Runtime, spec: Any, job_id: str, listener: Listener | None) -> Result:
    from voxcap.narrate import narrate

    return narrate(rt, spec, job_id, listener).signed(rt.store).public()


def _align(rt: Runtime, spec: Any, job_id: str, listener: Listener | None) -> Result:
    from voxcap.narrate import caption

    return caption(rt, spec, job_id, listener).signed(rt.store).public()


def _voice_add(rt: Runtime, spec: Any, job_id: str, listener: Listener | None) -> Result:
    return asdict(rt.voices.add_from(spec.name, spec.audio_url, spec.transcript, spec.replace))


def _voice_list(rt: Runtime, spec: Any, job_id: str, listener: Listener | None) -> Result:
    return {"voices": [asdict(v) for v in rt.voices.list()]}


def _voice_delete(rt: Runtime, spec: Any, job_id: str, listener: Listener | None) -> Result:
    rt.voices.delete(spec.name)
    return {"deleted": spec.name}


Operation = Callable[[Runtime, Any, str, Listener | None], Result]
OPERATIONS: dict[str, tuple[type[BaseModel], Operation]] = {
    "speak": (SpeakInput, _speak),
    "align": (AlignInput, _align),
    "voices.add": (VoiceAddInput, _voice_add),
    "voices.list": (VoiceListInput, _voice_list),
    "voices.delete": (VoiceDeleteInput, _voice_delete),
}


def handle(rt: Runtime, payload: Any, job_id: str, listener: Listener | None = None) -> Result:
    """Run one operation; every deliberate failure comes back as ``{"error": {code, message}}``
    with the HTTP API's codes."""
    if not isinstance(payload, dict):
        return _invalid("input must be a JSON object")
    name = payload.get("operation", "speak")
    if name not in OPERATIONS:
        return _invalid(f"unknown operation {name!r}; choose one of: {', '.join(OPERATIONS)}")
    model, run = OPERATIONS[name]
    try:
        spec = model.model_validate(payload)
    except ValidationError as exc:
        return _invalid(describe(exc.errors()))
    try:
        return run(rt, spec, job_id, listener)
    except VoxcapError as exc:
        return exc.to_dict()


def _invalid(message: str) -> Result:
    return {"error": {"code": "invalid_request", "message": message}}
