"""Streaming benchmark: time to the first audio byte and to the first word event over HTTP,
for a 3-sentence and a 30-sentence text, against a real ``voxcap serve`` with Piper on the CPU.

The yardstick is the time to speak the first sentence alone (the whole answer for a
one-sentence text): streaming should deliver the first audio of any text in about that time,
whatever the text's length.

    python bench/stream.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SENTENCE = "This is sentence number {}, spoken in its turn by the narrator."


@contextmanager
def server(folder: Path) -> Iterator[str]:
    """``voxcap serve --port 0`` (Piper, no workers); yields the URL it reports."""
    env = {
        **os.environ,
        "VOXCAP_ENGINE": "piper",
        "VOXCAP_STORAGE": f"file://{folder}/store",
        "VOXCAP_QUEUE": f"{folder}/jobs.sqlite3",
        "VOXCAP_LOG_LEVEL": "WARNING",
        "VOXCAP_RATE_LIMIT": "1000000",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "serve", "--port", "0", "--workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            match = re.search(r"serving on (http://\S+)", line)
            if match:
                found.append(match.group(1))

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while not found:
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.1)
        yield found[0]
    finally:
        process.terminate()
        process.wait()


def body(sentences: int, **extra: str) -> dict[str, str]:
    text = " ".join(SENTENCE.format(i) for i in range(1, sentences + 1))
    return {"model": "tts-1", "voice": "alloy", "input": text, "response_format": "pcm", **extra}


def first_events(client: httpx.Client, sentences: int) -> tuple[float, float, float]:
    """Seconds to the first audio delta, to the first word event, and to the end (SSE)."""
    started = time.perf_counter()
    audio = words = 0.0
    with client.stream("POST", "/v1/audio/speech", json=body(sentences, stream_format="sse")) as r:
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            kind = json.loads(line[6:])["type"]
            now = time.perf_counter() - started
            if kind == "speech.audio.delta" and not audio:
                audio = now
            if kind == "speech.words" and not words:
                words = now
    return audio, words, time.perf_counter() - started


def first_byte(client: httpx.Client, sentences: int) -> float:
    """Seconds to the first byte of a plain (not SSE) pcm stream (read to its end, so no
    abandoned synthesis slows the next run down)."""
    started = time.perf_counter()
    first = 0.0
    with client.stream("POST", "/v1/audio/speech", json=body(sentences)) as r:
        for _ in r.iter_raw():
            first = first or time.perf_counter() - started
    return first


def whole(client: httpx.Client, sentences: int) -> float:
    """Seconds for the complete answer (the yardstick for one sentence)."""
    started = time.perf_counter()
    client.post("/v1/audio/speech", json=body(sentences)).raise_for_status()
    return time.perf_counter() - started


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, server(Path(tmp)) as url:
        with httpx.Client(base_url=url, timeout=300) as client:
            whole(client, 1)  # warm-up: the voice loads
            one = statistics.median(whole(client, 1) for _ in range(args.runs))
            say(f"first sentence alone, whole answer: {one * 1000:.0f} ms (median of {args.runs})")
            say("sentences | first byte (pcm) | first audio (SSE) | first words (SSE) | all (SSE)")
            firsts: dict[int, float] = {}
            for sentences in (3, 30):
                byte = statistics.median(first_byte(client, sentences) for _ in range(args.runs))
                runs = [first_events(client, sentences) for _ in range(args.runs)]
                audio, words, total = (statistics.median(r[k] for r in runs) for k in range(3))
                firsts[sentences] = byte
                say(
                    f"{sentences:9d} | {byte * 1000:13.0f} ms | {audio * 1000:14.0f} ms | "
                    f"{words * 1000:14.0f} ms | {total * 1000:6.0f} ms"
                )
            say(f"first byte / first sentence alone (30 sentences): {firsts[30] / one:.2f}")
            say(f"first byte, 30 vs 3 sentences: {firsts[30] / firsts[3]:.2f}")


if __name__ == "__main__":
    main()
