"""``POST /v1/speech`` and the job resources: status, Server-Sent Events, cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from voxcap.api.deps import Caller, PoolsDep, QueueDep, RuntimeDep, ServicesDep
from voxcap.api.pools import Pools
from voxcap.engines import ENGINES
from voxcap.errors import (
    JobNotFound,
    QueueUnavailable,
    TextTooLong,
    VoiceNotFound,
    public_message,
)
from voxcap.jobs.base import JobQueue
from voxcap.jobs.notify import Notifier
from voxcap.jobs.records import JobRecord
from voxcap.pipeline import directed_script
from voxcap.runtime import Runtime
from voxcap.schemas import SpeechJob, SpeechOutput
from voxcap.storage import keys

router = APIRouter(prefix="/v1")
POLL = 0.2  # ?wait: how often the job is read
KEEPALIVE = 15.0  # seconds between comments on a quiet event stream
TEXT_SHOWN = 120  # characters of a job's text in the history


@router.post("/speech", status_code=202)
async def submit(
    body: SpeechJob,
    who: Caller,
    services: ServicesDep,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> JSONResponse:
    """Queue a narration; with ``?wait=S`` return the finished job if it ends within S s."""
    rt, queue, pools = services.runtime, services.queue, services.pools
    if len(body.text) > rt.settings.max_text_chars:
        raise TextTooLong(
            f"text is {len(body.text)} characters; the limit is {rt.settings.max_text_chars}"
        )
    # checked and queued in one trip off the event loop (a long text takes a while to read)
    job = await pools.submits.run(accept, body, who, rt, queue)
    return await finished(job, wait, rt, queue, pools)


def accept(body: SpeechJob, who: str, rt: Runtime, queue: JobQueue) -> JobRecord:
    """Check a narration before it is queued (no model loads: the text, the brand, ffmpeg for
    a video, the voice as this caller sees it, the engine's weights), then queue it."""
    if body.speakers:
        scoped = {name: scoped_speaker(rt, who, v) for name, v in body.speakers.items()}
        body = body.model_copy(update={"speakers": scoped})
    read, _ = directed_script(body.speech_request(), rt)
    if body.brand:
        rt.brands.get(body.brand)  # brand_not_found now, not in the job
    if body.video is not None:
        from voxcap.video import ffmpeg

        ffmpeg()  # video_unavailable now, not after synthesis
    if body.voice:
        voice = scoped_voice(rt, who, body.voice, body.engine)
        body = body.model_copy(update={"voice": voice})
    # the engine can run here (F5's weights are there): model_not_found now, not in the job
    # (newuser #14); the engine is built once per process, its weights load in the worker
    rt.check_engine(body.engine, body.voice)
    for engine in read.engines:  # a dialogue's other engines too
        rt.check_engine(engine)
    return queue.submit(body.model_dump(), who)


async def finished(
    job: JobRecord, wait: float, rt: Runtime, queue: JobQueue, pools: Pools
) -> JSONResponse:
    """The queued ``job`` as answered: 202 at once, or with ``?wait=S`` the finished job (200)
    if it ends within S s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while wait and not job.status.finished and loop.time() < deadline:
        await asyncio.sleep(POLL)
        job = await pools.io.run(queue.get, job.id)
    return JSONResponse(view(job, rt), 200 if job.status.finished else 202)


@router.get("/jobs")
async def history(
    who: Caller,
    rt: RuntimeDep,
    queue: QueueDep,
    pools: PoolsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """This caller's jobs still kept (``VOXCAP_RETENTION``), newest first, each with the
    start of its text; ``GET /v1/jobs/{id}`` has the whole job."""
    jobs = await pools.io.run(queue.history, who, limit)
    return {
        "jobs": [{**view(j, rt), "text": (j.request.get("text") or "")[:TEXT_SHOWN]} for j in jobs]
    }


@router.get("/jobs/{job_id}")
async def status(
    job_id: str, who: Caller, rt: RuntimeDep, queue: QueueDep, pools: PoolsDep
) -> dict[str, Any]:
    return view(await _owned(pools, queue, job_id, who), rt)


@router.delete("/jobs/{job_id}")
async def cancel(
    job_id: str, who: Caller, rt: RuntimeDep, queue: QueueDep, pools: PoolsDep
) -> dict[str, Any]:
    await _owned(pools, queue, job_id, who)
    return view(await pools.io.run(queue.cancel, job_id), rt)


@router.get("/jobs/{job_id}/events")
async def events(
    job_id: str, who: Caller, rt: RuntimeDep, queue: QueueDep, pools: PoolsDep, request: Request
) -> StreamingResponse:
    """Server-Sent Events: ``progress`` on every change, then one ``done`` with the job. The
    stream waits on the process's one job watcher (:mod:`voxcap.jobs.notify`), not on a poll
    of its own, and outlasts a queue outage (a Redis restart): it reads again once it can."""
    await _owned(pools, queue, job_id, who)
    notifier: Notifier = request.app.state.notifier

    async def stream() -> AsyncIterator[str]:
        last: tuple[Any, ...] | None = None
        async with notifier.watch(job_id) as changed:
            while True:
                changed.clear()  # before the read: a change after it wakes the wait below
                try:
                    job = await pools.io.run(queue.get, job_id)
                except QueueUnavailable:
                    await asyncio.sleep(1.0)
                    continue
                state = (job.status, job.stage, round(job.fraction, 3))
                if job.status.finished:
                    yield _sse("done", view(job, rt))
                    return
                if state != last:
                    last = state
                    yield _sse("progress", view(job, rt))
                try:
                    await asyncio.wait_for(changed.wait(), KEEPALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"  # (a comment: proxies keep the stream open)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


def view(job: JobRecord, rt: Runtime) -> dict[str, Any]:
    """A job as the API shows it; result files carry fresh signed URLs."""
    out: dict[str, Any] = {
        "id": job.id,
        "status": job.status.value,
        "created": job.created,
        "updated": job.updated,
        "attempts": job.attempts,
        "progress": {"stage": job.stage, "fraction": round(job.fraction, 3)},
    }
    if job.result is not None:
        out["result"] = SpeechOutput.model_validate(job.result).signed(rt.store).public()
    if job.error is not None:
        out["error"] = {**job.error, "message": public_message(job.error.get("message", ""))}
    return out


async def _owned(pools: Pools, queue: JobQueue, job_id: str, who: str) -> JobRecord:
    job = await pools.io.run(queue.get, job_id)
    # with keys, a job is its key's alone (one made while the API was open, or with no owner,
    # is nobody's); an open API has no callers to tell apart, only addresses
    mine = job.owner == who if who.startswith("key:") else not (job.owner or "").startswith("key:")
    if not mine:
        raise JobNotFound(f"no job {job_id!r}")
    return job


def scoped_voice(rt: Runtime, who: str, voice: str, engine: str | None) -> str:
    """What a job should speak in, checked now: an engine's preset as given, a library voice
    as the reference this caller sees (its own voice before a shared one), or a model file on
    the server (a Piper ``.onnx``). Raises VoiceNotFound."""
    if voice in rt.engine(engine).presets:
        return voice
    if keys.VOICE_NAME.fullmatch(voice):
        return rt.voices.for_caller(who).locate(voice)
    path = Path(voice)
    if path.suffix == ".onnx" and ".." not in path.parts and path.is_file():
        return voice
    raise VoiceNotFound(f"no voice named {voice[:100]!r}")


def scoped_speaker(rt: Runtime, who: str, voice: str) -> str:
    """A dialogue speaker's voice as a job should use it: ENGINE:VOICE and presets as given,
    a library voice as this caller sees it (:func:`scoped_voice`)."""
    engine, sep, _ = voice.partition(":")
    if (sep and engine in ENGINES) or not keys.VOICE_NAME.fullmatch(voice):
        return voice
    if any(voice in rt.engine_type(name).presets for name in ENGINES):
        return voice
    return rt.voices.for_caller(who).locate(voice)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"
