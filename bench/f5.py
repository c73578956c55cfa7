"""F5 benchmark: real-time factor of synthesis for NFE 16/32, fp32/fp16 and batch 1/4/8, with
peak memory, on the device it finds (cuda > mps > cpu).

    python bench/f5.py               # the tiny random model (runs anywhere, CPU in CI)
    python bench/f5.py --size base   # F5TTS_v1_Base's architecture with random weights:
                                     # F5's real speed and memory, no download (noise output)
    python bench/f5.py --weights     # the released F5TTS_v1_Base from the model cache

RTF = synthesis wall time / seconds of speech produced (lower is faster; < 1 is faster than
real time). The target with real weights on one datacenter GPU is RTF <= 0.05 at NFE 32,
batch 1. fp16 runs on CUDA only. Record real-weight numbers in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from voxcap.engines.base import SynthesisOptions
from voxcap.engines.f5 import F5Engine, F5Options
from voxcap.settings import Settings
from voxcap.text import prepare

PARAGRAPH = (
    "The harbour was quiet when the first boats came back in the morning. Fishermen carried "
    "their crates up the stone steps. The gulls followed them, hoping for scraps. By nine "
    "o'clock the market was open. The smell of coffee drifted over the square. Children ran "
    "between the stalls. Their parents argued about prices. An old man played the accordion."
)
# long enough for several chunks (F5 packs sentences into ~20 s chunks), so batches fill
TEXT = " ".join([PARAGRAPH] * 3)


def peak_memory(engine: F5Engine) -> str:
    torch: Any = engine._torch
    if engine.device.startswith("cuda"):
        return f"{torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB GPU"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB RSS"


def chunks(engine: F5Engine) -> int:
    from voxcap.engines.f5 import f5_ref_text, plan

    ref = engine._reference(None)
    frames = len(ref.audio.samples) // 256
    return len(plan(prepare(TEXT), f5_ref_text(ref.text), frames, 256, 24_000, 1.0))


def _words_in(sentences: int) -> int:
    """How many words the first ``sentences`` sentences of TEXT hold."""
    script = prepare(TEXT)
    last = script.sentences[sentences - 1].tokens[-1].word
    return last + 1


def measure(engine: F5Engine, runs: int) -> tuple[float, float]:
    script = prepare(TEXT)
    engine.synthesize(script, None, SynthesisOptions(seed=0))  # warm-up
    walls, seconds = [], 0.0
    for run in range(runs):
        if engine.device.startswith("cuda"):
            engine._torch.cuda.synchronize()
        started = time.perf_counter()
        audio = engine.synthesize(script, None, SynthesisOptions(seed=run)).audio
        if engine.device.startswith("cuda"):
            engine._torch.cuda.synchronize()
        walls.append(time.perf_counter() - started)
        seconds = audio.duration
    wall = statistics.median(walls)
    return wall, wall / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", action="store_true", help="the released model")
    parser.add_argument(
        "--size",
        choices=("tiny", "base"),
        default="tiny",
        help="random weights: a tiny model, or F5TTS_v1_Base's architecture (without --weights)",
    )
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--sentences",
        type=int,
        default=None,
        help="speak only the first N sentences (F5's real size is slow on a CPU)",
    )
    parser.add_argument("--nfe", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    if args.sentences:
        global TEXT
        TEXT = " ".join(prepare(TEXT).words[: _words_in(args.sentences)])

    fields: dict[str, Any] = {}
    if not args.weights:
        from voxcap.testing import base_f5, tiny_f5

        build = base_f5 if args.size == "base" else tiny_f5
        fields = build(Path(tempfile.mkdtemp(prefix=f"voxcap-{args.size}-f5-")))
    lines = []
    for half in (False, True):
        started = time.perf_counter()
        engine = F5Engine(Settings(f5_half=half, **fields))
        if half and not engine.device.startswith("cuda"):
            lines.append("fp16: skipped (CUDA only)")
            continue
        engine.preload()
        load = time.perf_counter() - started
        if not lines:
            torch: Any = engine._torch
            name = torch.cuda.get_device_name() if engine.device.startswith("cuda") else ""
            model = (
                "F5TTS_v1_Base (real weights)"
                if args.weights
                else "F5TTS_v1_Base architecture, random weights"
                if args.size == "base"
                else "tiny random F5"
            )
            lines.append(f"device {engine.device} {name}; model {model}; torch {torch.__version__}")
            lines.append(
                f"text: {len(TEXT)} chars, {len(prepare(TEXT).sentences)} sentences, "
                f"{chunks(engine)} chunks"
            )
            lines.append(f"{'dtype':<6}{'nfe':>5}{'batch':>7}{'wall s':>9}{'RTF':>9}  peak memory")
        lines.append(f"load {'fp16' if half else 'fp32'}: {load:.2f} s")
        for nfe in args.nfe:
            for batch in args.batch:
                engine.options = dataclasses.replace(
                    F5Options.of(engine.settings, engine.device), nfe_step=nfe, batch_size=batch
                )
                wall, rtf = measure(engine, args.runs)
                dtype = "fp16" if half else "fp32"
                lines.append(
                    f"{dtype:<6}{nfe:>5}{batch:>7}{wall:>9.2f}{rtf:>9.4f}  {peak_memory(engine)}"
                )
                sys.stdout.write(lines[-1] + "\n")
                sys.stdout.flush()
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
