"""Settings: the only module that reads the environment (prefix ``VOXCAP_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """voxcap configuration, read from ``VOXCAP_*`` environment variables (and a .env file)."""

    model_config = SettingsConfigDict(env_prefix="VOXCAP_", env_file=".env", extra="ignore")

    engine: str = Field("piper", description="Default speech engine.")
    aligner: str = Field("sphinx", description="Default forced aligner.")
    piper_voice: str | None = Field(
        None, description="Default Piper voice (.onnx path); unset = the bundled en_US joe voice."
    )
    max_text_chars: int = Field(20_000, gt=0, description="Longest accepted input text.")
    sentence_pause: float = Field(0.25, ge=0, description="Silence inserted between sentences.")
    log_level: str = Field("WARNING")
