"""The studio as a creator uses it: a real ``voxcap serve`` (Piper, one worker) on loopback and
the page in Debian's headless Chromium, driven by Selenium. Set VOXCAP_STUDIO_SHOTS to a folder
to keep the screenshots (docs/studio/ is made that way)."""

from __future__ import annotations

import difflib
import io
import itertools
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pysubs2
import pytest
import soundfile
import webvtt

from voxcap.audio import FORMATS, decode, encode
from voxcap.captions.presets import PRESETS
from voxcap.domain import Audio

from .conftest import CLIP_TEXT
from .servers import Served, serve

pytestmark = pytest.mark.slow

selenium = pytest.importorskip("selenium", reason="selenium comes with voxcap[dev]")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402

SCRIPT = (
    "The harbour was quiet at dawn. Two small boats came in with the tide, and the gulls "
    "followed them home. By noon the market was full of voices."
)
HIGHLIGHT_RGB = "rgba(255, 214, 0, 1)"  # the karaoke preset's #FFD600, as Chromium computes it


def _browser(*extra: str) -> WebDriver:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, (
        "the studio tests need Debian's chromium and chromium-driver "
        "(scripts/apt-packages-dev.txt; scripts/setup installs them with the dev extras)"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        "--autoplay-policy=no-user-gesture-required",
        *extra,
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver))


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("studio"), "--workers", "1") as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    # a fake microphone (a beeping tone) that needs no permission prompt
    driver = _browser("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
    try:
        yield driver
    finally:
        driver.quit()


def until(driver: WebDriver, what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {console(driver)}"
        time.sleep(0.05)


def console(driver: WebDriver) -> list[dict[str, Any]]:
    """The browser console's warnings and errors since the last call."""
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def open_studio(driver: WebDriver, studio: Served) -> None:
    driver.get(studio.url + "/")
    until(driver, "the form", lambda: driver.find_element(By.ID, "engine").get_attribute("value"))
    until(driver, "the history", lambda: driver.find_elements(By.CSS_SELECTOR, "#job-list li"))


def by_id(driver: WebDriver, element: str) -> WebElement:
    return driver.find_element(By.ID, element)


def screenshot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("VOXCAP_STUDIO_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def clip_file(folder: Path, clip_wav: bytes) -> Path:
    """The session's speech clip with a second of silence before it (to be trimmed)."""
    clip = decode(clip_wav, "clip.wav")
    padded = np.concatenate([np.zeros(clip.sample_rate, np.float32), clip.samples])
    path = folder / "narrator.wav"
    path.write_bytes(encode(Audio(padded, clip.sample_rate), FORMATS["wav"]))
    return path


VIDEO_LINK = "//ul[@id='downloads']//a[starts-with(., 'video')]"


def downloaded_streams(link: WebElement, folder: Path) -> list[str]:
    """The kinds of stream ("video", "audio") in the file a download link gives."""
    path = folder / "download.mp4"
    path.write_bytes(httpx.get(link.get_attribute("href") or "").content)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return probe.stdout.split()


def narrate(driver: WebDriver, text: str) -> list[str]:
    """Type ``text``, submit from the keyboard, and return every progress label seen."""
    box = by_id(driver, "text")
    box.clear()
    box.send_keys(text)
    by_id(driver, "run").send_keys(Keys.ENTER)
    labels: list[str] = []

    def finished() -> bool:
        label = by_id(driver, "stage").text
        if label and (not labels or labels[-1] != label):
            labels.append(label)
        return label in ("succeeded", "failed", "canceled")

    until(driver, "the narration", finished, timeout=120)
    return labels


def test_the_page_loads_labelled_with_no_console_errors(studio: Served, browser: WebDriver) -> None:
    open_studio(browser, studio)
    assert console(browser) == []
    unlabelled = browser.execute_script(
        "return [...document.querySelectorAll('input, select, textarea, button, audio')]"
        ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
        " && !e.textContent.trim()).map(e => e.id || e.outerHTML)"
    )
    assert unlabelled == []
    assert by_id(browser, "key-form").is_displayed() is False  # this server has no API keys
    assert by_id(browser, "count").text == "0 / 20,000 characters"
    assert by_id(browser, "run").is_enabled() is False  # nothing to say yet
    engines = [
        o.get_attribute("value")
        for o in by_id(browser, "engine").find_elements(By.TAG_NAME, "option")
    ]
    assert engines == ["f5", "piper", "espeak"]
    assert by_id(browser, "engine").get_attribute("value") == "piper"
    page = httpx.get(studio.url + "/")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self'
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(studio.url + "/studio/../settings.py").status_code == 404


def test_a_voice_is_uploaded_with_feedback_listed_played_and_deleted(
    studio: Served, browser: WebDriver, clip_wav: bytes, tmp_path: Path
) -> None:
    open_studio(browser, studio)
    by_id(browser, "voice-name").send_keys("narrator")
    by_id(browser, "voice-file").send_keys(str(clip_file(tmp_path, clip_wav)))
    by_id(browser, "voice-transcript").send_keys(CLIP_TEXT)
    by_id(browser, "voice-add").click()
    item = until(
        browser,
        "the voice in the list",
        lambda: browser.find_elements(By.CSS_SELECTOR, "#voice-list li[data-voice=narrator]"),
    )[0]
    feedback = by_id(browser, "voice-feedback").text
    assert feedback.startswith("Added narrator:"), feedback
    # the server's advice, next to the clip (trimming keeps 0.1 s of lead-in)
    trimmed = r"trimmed (0\.9|1\.0) s of silence: \d\.\d s of speech kept"
    assert re.search("Note: " + trimmed, feedback), feedback
    assert re.search(trimmed, item.text) and CLIP_TEXT in item.text
    screenshot(browser, "voices")
    clip = item.find_element(By.TAG_NAME, "audio")
    assert clip.get_attribute("aria-label") == "Clip of narrator"
    played = httpx.get(clip.get_attribute("src"))
    assert played.status_code == 200
    data, rate = soundfile.read(io.BytesIO(played.content))
    assert rate == 24_000 and 3 < len(data) / rate < 6  # the trimmed reference, not the upload
    # a cloning engine offers it; Piper (which cannot clone) does not
    choose(browser, "engine", "f5")
    assert "narrator" in options_of(browser, "voice")
    choose(browser, "engine", "piper")
    assert "narrator" not in options_of(browser, "voice")
    item.find_element(By.CSS_SELECTOR, "button[aria-label='Delete voice narrator']").click()
    browser.switch_to.alert.accept()
    until(
        browser,
        "the voice to go",
        lambda: not browser.find_elements(By.CSS_SELECTOR, "#voice-list li[data-voice=narrator]"),
    )
    assert httpx.get(studio.url + "/v1/voices").json() == []
    assert console(browser) == []


def test_a_voice_recorded_from_the_microphone(studio: Served, browser: WebDriver) -> None:
    open_studio(browser, studio)
    by_id(browser, "record").click()
    until(browser, "recording", lambda: by_id(browser, "record-state").text == "Recording…")
    time.sleep(2.5)
    by_id(browser, "record").click()
    until(
        browser, "the recording", lambda: by_id(browser, "record-state").text.startswith("Recorded")
    )
    assert by_id(browser, "recorded").is_displayed()
    by_id(browser, "voice-name").send_keys("mic")
    by_id(browser, "voice-transcript").send_keys("A tone from the test microphone.")
    by_id(browser, "voice-add").click()
    until(
        browser, "the voice", lambda: browser.find_elements(By.CSS_SELECTOR, "li[data-voice=mic]")
    )
    [voice] = httpx.get(studio.url + "/v1/voices").json()
    assert voice["name"] == "mic" and voice["source"] == "upload:recording.webm"
    assert 1.0 <= voice["duration"] <= 3.0
    httpx.delete(studio.url + "/v1/voices/mic")
    assert console(browser) == []


def choose(driver: WebDriver, select: str, value: str) -> None:
    from selenium.webdriver.support.select import Select

    Select(by_id(driver, select)).select_by_value(value)


def options_of(driver: WebDriver, select: str) -> list[str]:
    return [
        o.get_attribute("value") for o in by_id(driver, select).find_elements(By.TAG_NAME, "option")
    ]


def highlighted(driver: WebDriver, at: float) -> dict[str, Any]:
    """Seek the player to ``at`` s and read what the page highlights."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const p = document.getElementById('player'); p.currentTime = arguments[0];"
        "p.dispatchEvent(new Event('timeupdate'));"
        "const now = document.querySelector('#words .now');"
        "const lit = [...document.querySelectorAll('#caption span')]"
        "  .filter(s => s.style.color).map(s => s.textContent.trim());"
        "return {index: now ? Number(now.dataset.index) : null, time: p.currentTime, lit: lit};",
        at,
    )


def test_a_narration_runs_with_progress_and_the_highlight_follows_the_audio(
    studio: Served, browser: WebDriver
) -> None:
    open_studio(browser, studio)
    labels = narrate(browser, SCRIPT)
    assert labels[-1] == "succeeded", labels
    assert any(label.endswith("%") for label in labels), labels  # live stage + percent (SSE)
    [job] = httpx.get(studio.url + "/v1/jobs?limit=1").json()["jobs"]
    words = httpx.get(f"{studio.url}/v1/jobs/{job['id']}").json()["result"]["words"]
    shown = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#words .word")]
    assert shown == [w["text"] for w in words] and len(words) == len(SCRIPT.split())
    until(browser, "the audio", lambda: browser.execute_script("return player.readyState >= 1"))
    # at set times: the highlighted word is the one whose span holds the time
    for i, word in enumerate(words):
        seen = highlighted(browser, (word["start"] + word["end"]) / 2)
        assert seen["index"] == i, (word, seen)
        assert seen["lit"][-1] == word["text"]  # karaoke: the caption lights up to this word
    caption = browser.find_elements(By.CSS_SELECTOR, "#caption span")
    assert any(s.value_of_css_property("color") == HIGHLIGHT_RGB for s in caption)
    gaps = [(a["end"], b["start"]) for a, b in itertools.pairwise(words)]
    wide = [g for g in gaps if g[1] - g[0] > 0.1]
    assert wide, "Piper pauses between sentences"
    assert highlighted(browser, sum(wide[0]) / 2)["index"] is None  # nothing is said there
    # while it plays: the highlight keeps up with currentTime
    browser.execute_script("player.currentTime = 0; player.play()")
    samples = []
    for _ in range(12):
        time.sleep(0.15)
        samples.append(
            browser.execute_script(
                "const now = document.querySelector('#words .now');"
                "return [player.currentTime, now ? Number(now.dataset.index) : null]"
            )
        )
    browser.execute_script("player.pause()")
    assert samples[-1][0] > samples[0][0] > 0, samples  # it really played
    for t, index in samples:  # (a sample is read a frame or so after the highlight was set)
        near = [i for i, w in enumerate(words) if w["start"] - 0.1 <= t < w["end"] + 0.1]
        inside = [i for i, w in enumerate(words) if w["start"] + 0.1 <= t < w["end"] - 0.1]
        assert index in near if index is not None else inside == [], (t, index, near)
    screenshot(browser, "narration")
    # downloads: every file comes back and parses
    links = {
        a.text.split(" (")[0]: a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")
    }
    assert set(links) == {
        "audio",
        "SRT captions",
        "WebVTT captions",
        "ASS captions",
        "CSV word timings",
        "JSON word timings",
    }  # fmt: skip (newuser #25)
    audio = decode(httpx.get(links["audio"]).content, "narration.mp3")
    assert abs(audio.duration - words[-1]["end"]) < 1.0
    srt = pysubs2.SSAFile.from_string(httpx.get(links["SRT captions"]).text)
    assert " ".join(e.plaintext.replace("\n", " ") for e in srt).split() == shown
    vtt = webvtt.from_buffer(io.StringIO(httpx.get(links["WebVTT captions"]).text))
    assert len(vtt.captions) == len(srt)
    assert httpx.get(links["JSON word timings"]).json()["words"][0]["text"] == "The"
    # the history lists it, and re-opening it shows it again
    browser.refresh()
    open_studio(browser, studio)
    item = browser.find_element(By.CSS_SELECTOR, f"#job-list li[data-job='{job['id']}']")
    assert SCRIPT[:40] in item.text and "succeeded" in item.text
    item.find_element(By.TAG_NAME, "button").click()
    until(
        browser, "the re-opened job", lambda: browser.find_elements(By.CSS_SELECTOR, "#words .word")
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, "#words .word")) == len(words)
    assert console(browser) == []


def test_a_dialogue_is_narrated_with_a_voice_per_speaker(
    studio: Served, browser: WebDriver
) -> None:
    """docs/DIRECTING.md: the studio takes the dialogue script and its speaker voices."""
    open_studio(browser, studio)
    voices = by_id(browser, "speakers")
    voices.clear()
    voices.send_keys("Ana=espeak:en-us+f3\nBen=joe")
    try:
        labels = narrate(browser, "Ana: Is it ready?\nBen: Yes, it is ready now.")
    finally:
        voices.clear()
    assert labels[-1] == "succeeded", labels
    shown = browser.find_elements(By.CSS_SELECTOR, "#words .word")
    assert [b.text for b in shown][:4] == ["Is", "it", "ready?", "Yes,"]  # no labels shown
    speakers = [b.get_attribute("data-speaker") for b in shown]
    assert speakers == ["Ana"] * 3 + ["Ben"] * 5
    assert (shown[3].get_attribute("title") or "").startswith("Ben · ")
    assert console(browser) == []


def test_a_verified_narration_with_video_shows_confidence_and_the_rendered_video(
    studio: Served, browser: WebDriver, tmp_path: Path
) -> None:
    open_studio(browser, studio)
    choose(browser, "verify", "true")
    choose(browser, "caption-style", "bold")
    assert by_id(browser, "font-size").get_attribute("value") == "150"  # the preset's own
    choose(browser, "aspect", "9:16")
    choose(browser, "animation", "pop")
    by_id(browser, "hook").send_keys("Free tip")
    by_id(browser, "keywords").send_keys("clip, feed")
    by_id(browser, "video-on").click()
    text = "A short clip for the feed. It ends here."
    labels = narrate(browser, text)
    assert labels[-1] == "succeeded", labels
    words = browser.find_elements(By.CSS_SELECTOR, "#words .word")
    assert len(words) == len(text.split()) == 9
    assert all(re.search(r"confidence [01]\.\d\d$", w.get_attribute("title")) for w in words)
    assert by_id(browser, "summary").text == "All 9 words verified."
    video = by_id(browser, "video")
    assert video.is_displayed() and not by_id(browser, "caption").is_displayed()
    until(browser, "the video", lambda: browser.execute_script("return video.readyState >= 1"))
    assert browser.execute_script("return [video.videoWidth, video.videoHeight]") == [1080, 1920]
    browser.execute_script("video.currentTime = 1.5")  # a frame with a caption on it
    ready = "return !video.seeking && video.readyState >= 2"
    until(browser, "the frame", lambda: browser.execute_script(ready))
    time.sleep(1.0)
    link = browser.find_element(By.XPATH, VIDEO_LINK)
    assert downloaded_streams(link, tmp_path) == ["video", "audio"]
    # the flair asked for on the page reached the captions (issue 25)
    ass = browser.find_element(By.XPATH, "//ul[@id='downloads']//a[starts-with(., 'ASS captions')]")
    subs = pysubs2.SSAFile.from_string(httpx.get(ass.get_attribute("href")).text)
    assert [e.plaintext for e in subs if e.style == "Hook"] == ["FREE TIP"]
    keyword = PRESETS["bold"].keyword
    tag = f"\\1c&H{keyword[5:7]}{keyword[3:5]}{keyword[1:3]}&"
    assert any(tag in e.text and "CLIP" in e.text for e in subs)
    assert any("\\t(" in e.text for e in subs if e.style == "Default")  # the pop
    screenshot(browser, "video")
    assert console(browser) == []


def test_a_recording_is_captioned_edited_and_retimed_into_a_video(
    studio: Served, browser: WebDriver, tmp_path: Path
) -> None:
    from tests.longform import piper_narration, prose

    said = prose(3, seed=21)  # "...near the harbour...": Whisper writes "harbor"
    speech = piper_narration(said).audio
    take = tmp_path / "my-take.wav"
    soundfile.write(take, speech.samples, speech.sample_rate)
    open_studio(browser, studio)
    by_id(browser, "recording-file").send_keys(str(take))
    by_id(browser, "caption-run").click()
    box = by_id(browser, "transcript")
    until(browser, "the transcript", lambda: box.get_attribute("value"), timeout=120)
    assert by_id(browser, "stage").text == "succeeded"
    transcript = box.get_attribute("value")
    shown = [w.text for w in browser.find_elements(By.CSS_SELECTOR, "#words .word")]
    assert shown == transcript.split()
    assert browser.execute_script("return player.src").startswith("blob:")  # its own sound
    heard, truth = transcript.split(), " ".join(said).split()
    fixes = [
        op for op in difflib.SequenceMatcher(None, heard, truth).get_opcodes() if op[0] != "equal"
    ]
    assert fixes, "tiny.en writes 'harbor' for 'harbour': there is a word to fix"
    _, i1, i2, j1, j2 = fixes[0]
    edited = heard[:i1] + truth[j1:j2] + heard[i2:]  # the creator fixes one word
    box.clear()
    box.send_keys(" ".join(edited))
    by_id(browser, "video-on").click()
    by_id(browser, "retime").click()
    link = until(browser, "the video", lambda: browser.find_elements(By.XPATH, VIDEO_LINK), 180)
    shown = [w.text for w in browser.find_elements(By.CSS_SELECTOR, "#words .word")]
    assert shown == edited  # the text as fixed, word for word
    assert downloaded_streams(link[0], tmp_path) == ["video", "audio"]
    srt = browser.find_element(By.XPATH, "//ul[@id='downloads']//a[starts-with(., 'SRT captions')]")
    cues = pysubs2.SSAFile.from_string(httpx.get(srt.get_attribute("href")).text)
    assert " ".join(e.plaintext.replace("\n", " ") for e in cues).split() == shown
    screenshot(browser, "recording")
    assert console(browser) == []


def test_a_queued_narration_can_be_canceled(studio: Served, browser: WebDriver) -> None:
    open_studio(browser, studio)
    busy = httpx.post(studio.url + "/v1/speech", json={"text": SCRIPT * 6}).json()  # the worker
    box = by_id(browser, "text")
    box.clear()
    box.send_keys("This one waits its turn.")
    by_id(browser, "run").click()
    until(browser, "the cancel button", lambda: by_id(browser, "cancel").is_enabled())
    by_id(browser, "cancel").click()
    until(browser, "the cancel", lambda: by_id(browser, "stage").text == "canceled")
    [latest] = httpx.get(studio.url + "/v1/jobs?limit=1").json()["jobs"]
    assert latest["status"] == "canceled" and latest["text"] == "This one waits its turn."
    until(browser, "the run button", lambda: by_id(browser, "run").is_enabled())
    httpx.get(f"{studio.url}/v1/jobs/{busy['id']}")
    assert console(browser) == []


def test_a_phone_width_screen_has_no_horizontal_overflow(studio: Served) -> None:
    phone = _browser("--window-size=390,844")
    try:
        phone.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
        )
        job = httpx.post(studio.url + "/v1/speech?wait=120", json={"text": SCRIPT}, timeout=130)
        job = job.json()
        assert job["status"] == "succeeded", job
        open_studio(phone, studio)
        phone.find_element(By.CSS_SELECTOR, f"#job-list li[data-job='{job['id']}'] button").click()
        until(phone, "a narration", lambda: phone.find_elements(By.CSS_SELECTOR, "#words .word"))
        width = phone.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1] == 390, width
        wide = phone.execute_script(
            "return [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 391).map(e => e.id || e.tagName)"
        )
        assert wide == []
        screenshot(phone, "phone")
        assert console(phone) == []
    finally:
        phone.quit()


def test_with_api_keys_the_page_asks_for_one_and_shows_that_keys_jobs(tmp_path: Path) -> None:
    keys = '["studio-key-1", "other-key-2"]'
    with serve(tmp_path, "--workers", "0", VOXCAP_API_KEYS=keys, VOXCAP_ENGINE="f5") as s:
        theirs = httpx.post(
            s.url + "/v1/speech",
            json={"text": "Not yours.", "engine": "piper"},  # f5 has no weights here
            headers={"Authorization": "Bearer other-key-2"},
        )
        assert theirs.status_code == 202
        driver = _browser()
        try:
            driver.get(s.url + "/")
            until(driver, "the key form", lambda: by_id(driver, "key-form").is_displayed())
            # asked for calmly: no red error before the user has done anything (newuser #25)
            assert by_id(driver, "alert").is_displayed() is False
            assert "needs an API key" in by_id(driver, "key-form").text
            by_id(driver, "api-key").send_keys("studio-key-1" + Keys.ENTER)
            until(driver, "the form", lambda: by_id(driver, "engine").get_attribute("value"))
            until(
                driver, "the history", lambda: driver.find_elements(By.CSS_SELECTOR, "#job-list li")
            )
            assert by_id(driver, "key-form").is_displayed() is False
            assert by_id(driver, "alert").is_displayed() is False
            assert "No narrations yet." in by_id(driver, "job-list").text  # not the other key's
            # the default engine (f5) has no weights here: the page starts on one that runs
            assert by_id(driver, "engine").get_attribute("value") == "piper"
            assert "f5 (not ready)" in by_id(driver, "engine").text
            assert (
                driver.execute_script("return localStorage.getItem('voxcap.key')") == "studio-key-1"
            )
        finally:
            driver.quit()
