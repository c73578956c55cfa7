"""Issue 25's flair: a hook title, keyword colour, word animation and brand kits, the same names
on every face; checked on rendered frames by pixels, the ASS parsed back by pysubs2."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from voxcap.captions import render_captions
from voxcap.captions.presets import PRESETS, look
from voxcap.domain import Audio, CaptionOptions, SpeechResult, Word
from voxcap.errors import BrandExists, BrandNotFound, InvalidInput
from voxcap.export import render, to_folder
from voxcap.runtime import Runtime
from voxcap.video import ASPECTS, VideoOptions, plan

from .apihelp import Api
from .test_video import BACKGROUND, _fiery, frame, near

TIMED = (
    Word("GlowCut", 0.2, 0.8),
    Word("is", 0.8, 1.1),
    Word("free", 1.1, 1.6),
    Word("today.", 1.6, 2.3),
    Word("Look", 3.6, 4.0),
    Word("at", 4.0, 4.2),
    Word("this", 4.2, 4.8),
    Word("🔥", 4.8, 4.8),
)
HOOK = "Free app"


def rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


@pytest.fixture(scope="module")
def silent() -> SpeechResult:
    audio = Audio(np.zeros(24000 * 5, np.float32), 24000)
    return SpeechResult(" ".join(w.text for w in TIMED), audio, TIMED)


@pytest.mark.parametrize("style", list(PRESETS))
@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_every_preset_shows_hook_keywords_emoji_and_the_spoken_word(
    silent: SpeechResult, style: str, aspect: str, tmp_path: Path
) -> None:
    look = PRESETS[style]
    video = plan(VideoOptions(aspect=aspect, loudness=None))
    options = CaptionOptions(style=style, frame=video.frame, keywords=("glowcut",), hook=HOOK)
    artifacts, _ = render(silent, None, ["ass"], options, video)
    exported = to_folder(artifacts, tmp_path, {})
    assert exported.video is not None and exported.video.path is not None
    path, size = exported.video.path, video.frame
    top = slice(0, int(0.4 * size[1]))
    band = slice(int(0.4 * size[1]), size[1])
    # while "GlowCut" is said: the hook title in its box, the keyword in the keyword colour
    first = frame(path, 0.5, size)
    assert near(first[top], rgb(look.highlight), 30) > 3000, "the hook's box"
    assert near(first[top], (0x11, 0x11, 0x11), 30) > 300, "the hook's text"
    assert near(first[band], rgb(look.keyword), 40) > 200, "the keyword"
    # while "is" is said: the spoken word lit (every preset with an effect)
    second = frame(path, 0.95, size)
    if look.effect != "none":
        assert near(second[band], rgb(look.highlight), 40) > 100, "the spoken word"
    # after the hook's 3 s: the emoji in colour, no hook
    later = frame(path, 4.5, size)
    assert _fiery(later).sum() > 300, "the emoji in colour"
    assert near(later[top], BACKGROUND, 12) == later[top].shape[0] * later[top].shape[1]
    shots = os.environ.get("VOXCAP_CAPTION_SHOTS")  # docs/CAPTIONS.md's pictures
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        name = f"{aspect.replace(':', 'x')}-{style}.png"
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y", "-ss", "0.95", "-i", str(path)),
                *("-ss", "4.5", "-i", str(path), "-filter_complex"),
                "[0:v]scale=iw/4:-1[a];[1:v]scale=iw/4:-1[b];[a][b]hstack",
                *("-frames:v", "1", str(Path(shots) / name)),
            ],
            check=True,
        )


def test_keywords_and_emphasis_colour_the_words_in_the_ass() -> None:
    timed = [
        Word(t, 0.4 * i, 0.4 * i + 0.3)
        for i, t in enumerate("Maria saved $40 with GlowCut, free.".split())
    ]
    result = SpeechResult("", Audio(np.zeros(24000 * 3, np.float32), 24000), tuple(timed))

    def coloured(style: str, keywords: tuple[str, ...]) -> set[str]:
        options = CaptionOptions(style=style, keywords=keywords, mode="word")
        data = render_captions(result, ["ass"], options)["ass"].decode()
        hexes = PRESETS[style].keyword
        tag = f"\\1c&H{hexes[5:7]}{hexes[3:5]}{hexes[1:3]}&".upper()
        subs = pysubs2.SSAFile.from_string(data)
        return {e.plaintext.lower().strip(",.") for e in subs if tag in e.text.upper()}

    # karaoke has no automatic emphasis: only the keywords; accent adds money and names
    assert coloured("karaoke", ("glowcut", "FREE")) == {"glowcut", "free"}
    assert coloured("accent", ()) == {"$40", "glowcut"}  # "Maria" starts the sentence


@pytest.mark.parametrize("animation", ["pop", "scale", "bounce"])
def test_the_spoken_word_animates(animation: str) -> None:
    timed = [Word("Hello", 0.0, 0.5), Word("there.", 0.5, 1.0)]
    result = SpeechResult("", Audio(np.zeros(24000, np.float32), 24000), tuple(timed))
    options = CaptionOptions(style="highlight", animation=animation)
    subs = pysubs2.SSAFile.from_string(render_captions(result, ["ass"], options)["ass"].decode())
    assert all("\\t(" in e.text for e in subs), [e.text for e in subs]
    with pytest.raises(InvalidInput, match="animation must be one of"):
        look(CaptionOptions(animation="wiggle"))


def test_a_brand_kit_is_a_saved_look(tmp_path: Path) -> None:
    from voxcap.settings import Settings

    brands = Runtime(Settings(storage=f"file://{tmp_path}")).brands
    brands.add("glow", {"style": "bold", "highlight": "#00E5FF"}, ("GlowCut",))
    with pytest.raises(BrandExists):
        brands.add("glow", {})
    with pytest.raises(InvalidInput, match="not installed"):
        brands.add("bad", {"font": "Nope Sans"})
    assert [b.name for b in brands.list()] == ["glow"]
    brand = brands.get("glow")
    # the request's own fields win over the brand's; the brand's over the preset
    options = brand.apply(CaptionOptions(highlight="#123456", keywords=("free",)), {"highlight"})
    shown = look(options)
    assert (shown.name, shown.highlight, shown.font) == ("bold", "#123456", "Bebas Neue")
    assert options.keywords == ("free", "GlowCut")
    brands.delete("glow")
    with pytest.raises(BrandNotFound):
        brands.get("glow")


@pytest.mark.slow
def test_brands_hooks_and_keywords_on_the_cli(tmp_path: Path) -> None:
    from .servers import run_voxcap as voxcap

    env = {"VOXCAP_STORAGE": f"file://{tmp_path / 'store'}"}
    added = voxcap("brands", "add", "glow", "--caption-style", "bold", "--highlight", "#00E5FF",
                   "--keywords", "GlowCut", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = voxcap("brands", "list", "--json", env=env)
    assert json.loads(listed.stdout)[0]["look"] == {"style": "bold", "highlight": "#00E5FF"}
    out = tmp_path / "o"
    run = voxcap("speak", "GlowCut is free.", "--engine", "piper", "--brand", "glow",
                 "--hook", "Free app", "--keywords", "free", "--captions", "ass", "--out", str(out),
                 env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    subs = pysubs2.load(str(out / "captions.ass"))
    assert subs.styles["Default"].fontname == "Bebas Neue"
    assert subs.styles["Hook"].outlinecolor == pysubs2.Color(0x00, 0xE5, 0xFF)
    assert any(e.plaintext == "FREE APP" for e in subs)
    missing = voxcap("speak", "Hi.", "--engine", "piper", "--brand", "nope", env=env)
    assert missing.returncode == 2 and "(brand_not_found)" in missing.stderr
    assert voxcap("brands", "rm", "glow", env=env).returncode == 0


def test_brands_over_http(api: Api) -> None:
    with api.working(), api.client() as client:
        added = client.post(
            "/v1/brands", json={"name": "http-kit", "caption_style": "accent", "keywords": ["X"]}
        )
        assert added.status_code == 201, added.text
        assert added.json()["look"] == {"style": "accent"}
        assert any(b["name"] == "http-kit" for b in client.get("/v1/brands").json())
        bad = client.post("/v1/brands", json={"name": "b2", "colour": "red"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
        job = client.post(
            "/v1/speech?wait=60",
            json={"text": "Hi there.", "brand": "http-kit", "hook": "Hey", "captions": ["ass"]},
        )
        assert job.json()["status"] == "succeeded", job.text
        missing = client.post("/v1/speech", json={"text": "Hi.", "brand": "nope"})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "brand_not_found"
        assert client.delete("/v1/brands/http-kit").status_code == 204
        assert client.get("/v1/brands/http-kit").status_code == 404
