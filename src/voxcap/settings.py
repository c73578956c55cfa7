"""Settings: the only module that reads the environment (prefix ``VOXCAP_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def child_environment(settings: Settings, *fields: str) -> dict[str, str]:
    """The environment for a child voxcap process: this one's, with ``fields`` of ``settings``
    set as ``VOXCAP_*`` variables (a value this process decided, such as the served URL)."""
    env = dict(os.environ)
    for field in fields:
        env[f"VOXCAP_{field.upper()}"] = str(getattr(settings, field))
    return env


class Settings(BaseSettings):
    """voxcap configuration, read from ``VOXCAP_*`` environment variables (and a .env file)."""

    # an empty VOXCAP_* variable is unset (VOXCAP_ENGINE= is the default engine, newuser #27)
    model_config = SettingsConfigDict(
        env_prefix="VOXCAP_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    engine: str | None = Field(
        None,
        description="Default speech engine (f5, piper); unset: f5 where it is installed and "
        "an NVIDIA GPU is there, else piper (docs/F5.md).",
    )
    aligner: str = Field("sphinx", description="Default forced aligner (sphinx, ctc).")
    piper_voice: str | None = Field(
        None, description="Default Piper voice (.onnx path); unset = the bundled en_US joe voice."
    )
    max_text_chars: int = Field(20_000, gt=0, description="Longest accepted input text.")
    max_align_chars: int = Field(
        250_000, gt=0, description="Longest text to align to a recording (about 3 hours)."
    )
    max_speech_seconds: float = Field(
        3600.0, gt=0, description="Longest narration, estimated from the words before synthesis."
    )
    max_audio_seconds: float = Field(
        3 * 3600.0,
        gt=0,
        description="Longest recording to align; a longer one is refused before it is decoded.",
    )
    sentence_pause: float = Field(0.25, ge=0, description="Silence inserted between sentences.")
    verify: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Check speech against the text (docs/VERIFY.md): auto = for cloning "
        "engines (f5), on = for every engine and for voxcap align, off = never.",
    )
    takes: int = Field(
        3,
        ge=1,
        le=10,
        description="Takes of a sentence that fails verification, at most "
        "(engines with a seed synthesise it again with a new seed); 1 = no retakes.",
    )
    log_level: str = Field("WARNING")

    # models (docs/F5.md)
    model_dir: Path | None = Field(
        None,
        description="Model weights folder (e.g. /runpod-volume/models); unset = the Hugging "
        "Face cache (HF_HOME) and torch's hub cache (TORCH_HOME).",
    )
    device: str = Field("auto", description="auto (cuda > mps > cpu), cuda, cuda:1, mps or cpu.")
    f5_model: str = Field(
        "F5TTS_v1_Base", description="An f5-tts config name or the path of such a YAML file."
    )
    f5_checkpoint: Path | None = Field(None, description="Local F5 checkpoint (.safetensors/.pt).")
    f5_vocab: Path | None = Field(None, description="Local F5 vocab.txt.")
    f5_vocoder: Path | None = Field(
        None, description="Local Vocos folder (config.yaml + pytorch_model.bin)."
    )
    f5_nfe_step: int = Field(32, ge=1, le=128, description="Flow steps; 16 is the fast preset.")
    f5_cfg_strength: float = Field(2.0, ge=0, description="Classifier-free guidance strength.")
    f5_sway_sampling: float = Field(-1.0, description="Sway sampling coefficient.")
    f5_cross_fade: float = Field(0.15, ge=0, le=1, description="Cross-fade between chunks, s.")
    f5_batch_size: int | None = Field(
        None, ge=1, le=64, description="Chunks generated together; unset = 4 on CUDA, else 1."
    )
    f5_half: bool = Field(True, description="Half precision on a GPU.")
    asr_model: str = Field(
        "tiny.en",
        description="Speech recognition (captions without a script, clips without a "
        "transcript): tiny.en (packaged with voxcap[asr]), a faster-whisper model name "
        "(small, large-v3-turbo...), a Hugging Face repo, or a local folder.",
    )

    # storage (docs/STORAGE.md)
    storage: str = Field(
        "file://./voxcap-data",
        description="file:///path or s3://bucket/prefix for voices and outputs.",
    )
    signing_secret: SecretStr | None = Field(
        None,
        description="HMAC key for local-store signed URLs; unset = a random key kept in the store.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL of `voxcap serve`, for local signed URLs."
    )
    url_expires: int = Field(3600, gt=0, le=7 * 24 * 3600, description="Signed URL lifetime, s.")
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint (B2, R2, MinIO, ...).")
    s3_region: str | None = Field(None, description="S3 region; unset = the AWS chain's.")
    s3_addressing: Literal["auto", "path", "virtual"] = Field("auto")

    # voice library
    max_voice_bytes: int = Field(25 * 1024 * 1024, gt=0, description="Largest reference upload.")
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds allowed to fetch a voice URL.")
    fetch_allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs that voice URLs may point at although private (e.g. 10.0.0.0/8).",
    )
    voice_cache_dir: Path = Field(
        Path.home() / ".cache" / "voxcap" / "voices", description="Workers' local voice cache."
    )
    piper_threads: int = Field(
        0,
        ge=0,
        description="Threads per Piper synthesis (0: every core). 1 where several processes "
        "share the cores (workers, parallel tests): two 2-thread syntheses on 2 cores take "
        "a third longer than two 1-thread ones.",
    )
    piper_cache_dir: Path = Field(
        Path.home() / ".cache" / "voxcap" / "piper",
        description="Piper voices with their word-timing output added (made once, reused).",
    )

    # HTTP API and jobs (docs/API.md)
    api_keys: list[SecretStr] = Field(
        default_factory=list, description="Accepted API keys; empty = no authentication."
    )
    rate_limit: int = Field(120, ge=1, description="Requests per minute per API key (or IP).")
    synthesis_threads: int = Field(
        2, ge=1, description="Threads for inline synthesis (/v1/audio/speech); 4x wait."
    )
    voice_threads: int = Field(
        4, ge=1, description="Threads for voice uploads and URL fetches; 4x more may wait."
    )
    io_threads: int = Field(8, ge=1, description="Threads for queue and store calls.")
    submit_threads: int = Field(
        2, ge=1, description="Threads that check and queue submitted jobs (CPU-bound: few)."
    )
    auth_failure_limit: int = Field(
        10, ge=1, description="Requests with a wrong API key per minute per client address."
    )
    max_body_bytes: int = Field(30 * 1024 * 1024, gt=0, description="Largest request body.")
    cors_origins: list[str] = Field(default_factory=list, description="CORS; empty = off.")
    allowed_hosts: list[str] | None = Field(
        None,
        description='Host names the API answers to ("*": any). Unset: voxcap serve on a '
        "loopback address answers to loopback names (and VOXCAP_PUBLIC_URL's host) only, "
        "on any other address to any name.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of proxies whose X-Forwarded-For names the client; empty: none.",
    )
    queue: str = Field(
        "voxcap-data/jobs.sqlite3",
        description="The job queue: a SQLite file (one machine), or redis://host:6379/0 "
        "(Redis or Valkey, with Celery workers on any number of machines; docs/SCALE.md).",
    )

    @field_validator("queue", mode="before")
    @classmethod
    def _queue_path(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value  # a path object names a file

    visibility_timeout: int = Field(
        4 * 3600,
        gt=0,
        description="Redis queue: seconds before a job whose worker vanished is handed to "
        "another; keep it longer than the longest job.",
    )
    lease: float = Field(30.0, gt=0, description="Seconds a worker holds a job between beats.")
    max_attempts: int = Field(3, ge=1, description="Claims of one job before it is failed.")
    retention: float = Field(7 * 24 * 3600, gt=0, description="Seconds finished jobs are kept.")
    runpod_webhook_get_job: str | None = Field(
        None,
        validation_alias="RUNPOD_WEBHOOK_GET_JOB",
        description="Set by RunPod on its workers; progress updates are sent only there.",
    )
    openai_voices: dict[str, str] = Field(
        default_factory=dict, description='OpenAI voice -> voxcap voice, e.g. {"alloy": "kim"}.'
    )
