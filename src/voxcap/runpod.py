"""RunPod serverless worker: ``python -m voxcap.runpod`` (``pip install 'voxcap[runpod]'``).

The runtime (engine, aligner, store) is built once at import, the cold start, and reused by
every job. Input and output are those of :mod:`voxcap.operations`.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from voxcap import logs
from voxcap._deps import require
from voxcap.errors import EngineOutOfMemory, VoxcapError
from voxcap.operations import handle
from voxcap.pipeline import ProgressEvent
from voxcap.runtime import Runtime

runpod = require("runpod", extra="runpod")
log = logging.getLogger("voxcap.runpod")


def _start() -> Runtime:
    """The runtime with the engine, aligner and store ready. A missing weight file or a bad
    setting ends the worker with one log line (exit 2), not a traceback."""
    try:
        runtime = Runtime()
        logs.configure(runtime.settings.log_level)
        runtime.engine().preload()
        runtime.aligner()
        runtime.store  # noqa: B018 - build it now, not on the first job
    except VoxcapError as exc:
        logs.configure("WARNING")
        log.error("voxcap worker cannot start (%s): %s", exc.code, exc.message)
        raise SystemExit(2) from None
    return runtime


_started = time.perf_counter()
RUNTIME = _start()
COLD_START = time.perf_counter() - _started
log.warning("voxcap worker ready: cold start %.2f s", COLD_START)


def handler(job: dict[str, Any]) -> dict[str, Any]:
    """One RunPod job. Errors are ``{"error": "<JSON of {code, message}>"}`` (RunPod's error
    field is a string). A bad request never kills the worker; a CUDA out-of-memory error asks
    RunPod for a fresh one."""
    job_id = str(job.get("id") or "local")

    def progress(event: ProgressEvent) -> None:
        if RUNTIME.settings.runpod_webhook_get_job and event.fraction in (0.0, 1.0):
            runpod.serverless.progress_update(
                job, {"stage": event.stage, "fraction": event.fraction}
            )

    try:
        output = handle(RUNTIME, job.get("input"), job_id, progress)
    except Exception as exc:
        log.exception("job %s: unexpected failure", job_id)
        out_of_memory = "out of memory" in str(exc).lower() or type(exc).__name__ in {
            "OutOfMemoryError",
            "OutOfMemoryException",
        }
        error = {
            "code": EngineOutOfMemory.code if out_of_memory else VoxcapError.code,
            "message": "the GPU ran out of memory; retry"
            if out_of_memory
            else "unexpected failure; see the worker log",
        }
        return {"error": json.dumps(error), "refresh_worker": out_of_memory}
    if "error" in output:  # RunPod carries a job's error as a string: the JSON of it
        return {"error": json.dumps(output["error"])}
    return output


if __name__ == "__main__":
    runpod.serverless.start({"handler": handler})
