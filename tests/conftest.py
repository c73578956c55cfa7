"""Shared fixtures: one real Runtime (Piper + pocketsphinx) for the whole session."""

from __future__ import annotations

import atexit
import http.server
import importlib
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from types import ModuleType

import pytest

from voxcap.domain import SpeechRequest, SpeechResult
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings

from .apihelp import Api, live_api
from .sentences import PARAGRAPH, SENTENCES
from .servers import S3Server, seaweedfs

# F5 (the default engine) needs weights that cannot be downloaded here: the suite speaks with
# Piper unless a test says otherwise, and nothing may reach a model hub.
os.environ["VOXCAP_ENGINE"] = "piper"
os.environ["HF_HUB_OFFLINE"] = "1"
# a test that names no store or queue uses the session's own folder, never ./voxcap-data in
# the checkout (newuser.md #27)
_DATA = tempfile.mkdtemp(prefix="voxcap-tests-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
os.environ.setdefault("VOXCAP_STORAGE", f"file://{_DATA}/store")
os.environ.setdefault("VOXCAP_QUEUE", f"{_DATA}/jobs.sqlite3")
# parallel workers (pytest-xdist, one per core) share the cores: one thread per synthesis and
# per torch/CTranslate2 op, or the threads fight (two 2-thread Piper runs on 2 cores: +34 %)
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.setdefault("VOXCAP_PIPER_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (a stable sort: the rest keep their order), so that parallel
    workers (pytest-xdist) start them at once and pack the short ones round them."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def runtime() -> Iterator[Runtime]:
    yield Runtime(Settings(engine="piper", aligner="sphinx", piper_voice=None))


@pytest.fixture(scope="session")
def sentence_results(runtime: Runtime) -> list[SpeechResult]:
    """Real Piper speech for every test sentence, timed by the real pocketsphinx aligner."""
    return [speak(SpeechRequest(text), runtime) for text in SENTENCES]


@pytest.fixture(scope="session")
def paragraph_result(runtime: Runtime) -> SpeechResult:
    """About two minutes of real Piper speech, aligned."""
    return speak(SpeechRequest(PARAGRAPH), runtime)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime) -> Iterator[Api]:
    """A live API on loopback over a store of its own, sharing the session's loaded models (a
    module that needs other settings defines its own ``api``)."""
    with live_api(tmp_path_factory.mktemp("api"), runtime) as live:
        yield live


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """voxcap.runpod imported fresh, over a local store (its runtime is built at import)."""
    folder = tmp_path_factory.mktemp("runpod")
    saved = dict(os.environ)
    os.environ.update(
        {
            "VOXCAP_STORAGE": f"file://{folder / 'store'}",
            "VOXCAP_VOICE_CACHE_DIR": str(folder / "cache"),
            "VOXCAP_MAX_TEXT_CHARS": "500",
        }
    )
    sys.modules.pop("voxcap.runpod", None)
    try:
        yield importlib.import_module("voxcap.runpod")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        sys.modules.pop("voxcap.runpod", None)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 server (SeaweedFS) on loopback for the whole session."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def s3_bucket(s3_server: S3Server) -> str:
    """The session's bucket (each SeaweedFS bucket takes volumes: tests use prefixes)."""
    s3_server.client().create_bucket(Bucket="voxcap")
    return "voxcap"


@pytest.fixture
def s3_prefix() -> str:
    """A fresh prefix for one test."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def clip_wav(runtime: Runtime) -> bytes:
    """A real speech clip (Piper) as WAV bytes, with its transcript in CLIP_TEXT."""
    from voxcap.audio import FORMATS, encode

    result = speak(SpeechRequest(CLIP_TEXT), runtime)
    return encode(result.audio, FORMATS["wav"])


CLIP_TEXT = "This is a short reference clip of a voice, spoken clearly for cloning."


@pytest.fixture(scope="module")
def clip_server(clip_wav: bytes) -> Iterator[str]:
    """A loopback HTTP server that answers every GET with the clip; yields its URL. It counts
    the requests it got in ``clip_server_hits``."""
    CLIP_SERVER_HITS.clear()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            CLIP_SERVER_HITS.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(clip_wav)))
            self.end_headers()
            self.wfile.write(clip_wav)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CLIP_SERVER_HITS: list[str] = []
