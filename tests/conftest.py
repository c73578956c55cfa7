"""Shared fixtures: one real Runtime (Piper + pocketsphinx) for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voxcap.domain import SpeechRequest, SpeechResult
from voxcap.pipeline import speak
from voxcap.runtime import Runtime
from voxcap.settings import Settings

from .sentences import PARAGRAPH, SENTENCES


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
