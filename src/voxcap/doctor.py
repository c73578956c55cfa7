"""Health checks for ``voxcap doctor``: each says what it found and, on failure, the fix."""

from __future__ import annotations

import logging
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from voxcap.errors import MissingDependency, ModelNotFound, VoxcapError
from voxcap.runtime import Runtime
from voxcap.storage import keys
from voxcap.storage.local import LocalStore

MIN_FREE_BYTES = 1 << 30
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(runtime: Runtime) -> list[Check]:
    """Every check, in order; a crash inside one is reported as its failure."""
    checks: list[Check] = []
    for name, probe in CHECKS.items():
        try:
            checks.append(probe(runtime))
        except VoxcapError as exc:
            checks.append(Check(name, False, exc.message, _fix(name, exc)))
    return checks


def _settings(rt: Runtime) -> Check:
    s = rt.settings
    return Check(
        "settings", True, f"engine={rt.engine_name()} aligner={s.aligner} storage={s.storage}"
    )


def _storage(rt: Runtime) -> Check:
    """Write, read, sign and delete a probe. A local folder that did not exist is removed
    again (with its signing key): the doctor leaves no ./voxcap-data behind (newuser.md #27)."""
    local = urlparse(rt.settings.storage).scheme == "file"
    new_folder = LocalStore.root_of(rt.settings) if local else None
    if new_folder is not None and new_folder.exists():
        new_folder = None
    try:
        check = _probe_store(rt)
    finally:
        if new_folder is not None:
            shutil.rmtree(new_folder, ignore_errors=True)
    if new_folder is not None:
        check = replace(check, detail=f"{check.detail} (the folder is made on first use)")
    return check


def _probe_store(rt: Runtime) -> Check:
    store = rt.store
    key = keys.output(f"doctor-{uuid.uuid4().hex[:12]}", "probe.txt")
    log.debug("probing the store %s with %s", store.url, key)
    payload = f"voxcap doctor {time.time()}".encode()
    store.put(key, payload, "text/plain")
    try:
        if store.get(key) != payload:
            return Check("storage", False, f"read back different bytes from {store.url}")
        signed = store.signed_url(key, 60)
        if isinstance(store, LocalStore):
            store.verify_url(signed.url)
            how = f"signed URL verified (served by `voxcap serve` at {rt.settings.public_url})"
        else:
            with urllib.request.urlopen(signed.url, timeout=20) as response:
                if response.read() != payload:
                    return Check("storage", False, "the signed URL returned different bytes")
            how = "signed URL fetched"
    except urllib.error.HTTPError as exc:
        return Check(
            "storage",
            False,
            f"signed URL refused: HTTP {exc.code}",
            "check the endpoint, region and addressing style (VOXCAP_S3_*)",
        )
    finally:
        store.delete(key)
    return Check("storage", True, f"{store.url}: write, read, sign, {how}, delete")


def _disk(rt: Runtime) -> Check:
    folder = rt.store.local_path("x")
    path = folder.parent if folder else rt.settings.voice_cache_dir
    path = next(p for p in [path, *path.parents] if p.exists())
    free = shutil.disk_usage(path).free
    return Check(
        "disk",
        free >= MIN_FREE_BYTES,
        f"{free / 2**30:.1f} GiB free at {path}",
        "free some disk space (voxcap wants at least 1 GiB)",
    )


def _models(rt: Runtime) -> Check:
    rt.engine().preload()
    rt.aligner()
    where = rt.settings.model_dir or "the Hugging Face and torch caches"
    return Check(
        "models",
        True,
        f"engine {rt.engine_name()} and aligner {rt.settings.aligner} load (weights: {where})",
    )


def _tools(rt: Runtime) -> Check:
    from voxcap.errors import VideoUnavailable
    from voxcap.video import ffmpeg

    missing = [t for t in ("espeak-ng", "ffmpeg") if shutil.which(t) is None]
    if "ffmpeg" not in missing:
        try:
            ffmpeg()
        except VideoUnavailable:
            missing.append("libass in ffmpeg (for --video)")
    return Check(
        "tools",
        not missing,
        "missing: " + ", ".join(missing) if missing else "espeak-ng, ffmpeg with libass found",
        "apt-get install espeak-ng ffmpeg",
    )


def _gpu(rt: Runtime) -> Check:
    smi = shutil.which("nvidia-smi")
    found = Path("/dev/nvidia0").exists() or smi is not None
    return Check("gpu", True, "NVIDIA GPU present" if found else "none: engines run on the CPU")


def _queue(rt: Runtime) -> Check:
    from voxcap.fetch import display_url
    from voxcap.jobs import REDIS_SCHEMES, open_queue
    from voxcap.jobs.worker import SEEN_WITHIN

    where = rt.settings.queue
    if not where.startswith(REDIS_SCHEMES) and not Path(where).exists():
        return Check("queue", True, f"{where} (SQLite; `voxcap serve` creates it)")
    queue = open_queue(rt.settings)
    queue.probe()
    alive = queue.workers(SEEN_WITHIN)
    return Check(
        "queue", True, f"{display_url(rt.settings.queue)} writable; {alive} worker(s) alive"
    )


CHECKS: dict[str, Callable[[Runtime], Check]] = {
    "settings": _settings,
    "storage": _storage,
    "queue": _queue,
    "disk": _disk,
    "models": _models,
    "tools": _tools,
    "gpu": _gpu,
}


def _fix(check: str, exc: VoxcapError) -> str:
    """What to do about a failed check, for the error it failed with."""
    if check == "storage":
        return "check VOXCAP_STORAGE and the credentials (docs/STORAGE.md)"
    if check == "queue":
        return "check VOXCAP_QUEUE: a writable SQLite path, or a reachable Redis (docs/SCALE.md)"
    if isinstance(exc, ModelNotFound):
        model = exc.message.split("'")[1] if "'" in exc.message else "all"
        return (
            f"`voxcap models download {model}` (offline: copy the weights into "
            "VOXCAP_MODEL_DIR), or speak without weights: --engine piper / VOXCAP_ENGINE=piper"
        )
    if isinstance(exc, MissingDependency):
        return "install the extra the message names, or use --engine piper / VOXCAP_ENGINE=piper"
    return ""
