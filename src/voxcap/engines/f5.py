"""F5-TTS: zero-shot voice cloning from a short reference clip (``voxcap[f5]``, docs/F5.md).

The model (a DiT under conditional flow matching) and the Vocos vocoder are loaded once per
process from the model cache (:mod:`voxcap.models`) or from local files named in Settings.
The script is generated in *chunks* that fit F5's duration budget for the reference:
consecutive sentences packed together, a longer sentence split at punctuation. Chunks are
generated several at a time in one batch and stitched with a cross-fade, and the offset of
every chunk is kept, so every sentence's span in the audio is exact (sentences spoken in one
chunk share its span, and the aligner times them together).

F5's own code is imported and its files read by :mod:`voxcap.engines.f5_model`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import logging
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voxcap import audio as audio_io
from voxcap import models
from voxcap._deps import require
from voxcap.domain import Audio, Reference
from voxcap.engines.base import Piece, Progress, Span, Synthesis, SynthesisOptions
from voxcap.engines.f5_model import f5_output, import_f5, load_config, state_dict
from voxcap.engines.stitching import stitch, stitch_step
from voxcap.errors import (
    EngineError,
    InvalidInput,
    ModelNotFound,
    VoiceNotFound,
)
from voxcap.settings import Settings
from voxcap.text import Script, Sentence, Token

log = logging.getLogger(__name__)

BUNDLED = "default"  # the English example clip that ships in f5-tts
BUNDLED_CLIP = "infer/examples/basic/basic_ref_en.wav"
BUNDLED_TEXT = "Some call me nature, others call me mother nature."
VOCAB = "infer/examples/vocab.txt"  # the tokenizer vocabulary F5's released models use
MAX_SECONDS = 22.0  # reference + generated speech per chunk: F5's own budget
TARGET_RMS = 0.1  # quiet references are raised to this level, and the output lowered back
SHORT_TEXT_BYTES = 10  # F5 slows very short texts down (its "local speed" of 0.3)
SHORT_TEXT_SPEED = 0.3


@dataclass(frozen=True, slots=True)
class F5Options:
    """Sampling options (defaults from Settings: ``VOXCAP_F5_*``)."""

    nfe_step: int = 32  # 16 is the fast preset
    cfg_strength: float = 2.0
    sway_sampling_coef: float = -1.0
    cross_fade: float = 0.15  # seconds
    batch_size: int = 4

    @classmethod
    def of(cls, settings: Settings, device: str = "cpu") -> F5Options:
        # a batch keeps a GPU busy; on a CPU one chunk already does, and padding costs
        batch = settings.f5_batch_size or (4 if device.startswith("cuda") else 1)
        return cls(
            settings.f5_nfe_step,
            settings.f5_cfg_strength,
            settings.f5_sway_sampling,
            settings.f5_cross_fade,
            batch,
        )


@dataclass(frozen=True, slots=True)
class Chunk:
    """What F5 generates in one go: whole sentences that fit its budget together, or a part
    of one sentence that does not fit alone."""

    sentences: tuple[int, ...]  # script sentence indexes, in order
    text: str
    frames: int  # mel frames to generate, reference included


class F5Engine:
    """F5-TTS behind the Engine protocol; clones a :class:`Reference`."""

    name = "f5"
    presets = (BUNDLED,)
    clones = True
    seeded = True
    phonemes = False  # F5 reads characters: a pronunciation goes in as its alias

    def __init__(self, settings: Settings | None = None, options: F5Options | None = None) -> None:
        self.settings = settings or Settings()
        self._torch = require("torch", extra="f5")
        self._f5 = import_f5()
        self.device = models.pick_device(self.settings.device)
        self.options = options or F5Options.of(self.settings, self.device)
        self.dtype = (
            self._torch.float16
            if self.settings.f5_half and self.device.startswith("cuda")
            else self._torch.float32
        )
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()  # one generation at a time (and one stdout redirect)
        self._model: Any = None
        self._vocoder: Any = None
        self._hop = 256
        self._rate = 24_000
        self._bundled: Reference | None = None

    @classmethod
    def languages(cls, voice: str | None, settings: Settings) -> frozenset[str] | None:
        """F5TTS_v1_Base was trained on English and Chinese speech (Emilia), in any voice."""
        return frozenset({"en", "zh"})

    # ---------------------------------------------------------------- loading
    def preload(self) -> None:
        """Load the model and the vocoder now (cold start)."""
        self._load()

    def check(self) -> None:
        """Every weight file is there (see :class:`voxcap.engines.Engine`)."""
        self._paths()
        load_config(self.settings.f5_model)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._model is None:
                self._model, self._vocoder = self._build()
            return self._model, self._vocoder

    def _paths(self) -> dict[str, Path]:
        s = self.settings
        vocab = s.f5_vocab or Path(str(importlib.resources.files("f5_tts").joinpath(VOCAB)))
        given = {
            "checkpoint": s.f5_checkpoint,
            "vocab": vocab,
            "vocoder_config": s.f5_vocoder / "config.yaml" if s.f5_vocoder else None,
            "vocoder_weights": s.f5_vocoder / "pytorch_model.bin" if s.f5_vocoder else None,
        }
        for role, path in given.items():
            if path is not None and not path.is_file():
                raise ModelNotFound(f"F5 {role.replace('_', ' ')} {path} does not exist")
        missing = tuple(role for role, path in given.items() if path is None)
        found = models.locate("f5", s, missing) if missing else {}
        return {role: path or found[role] for role, path in given.items()}

    def _build(self) -> tuple[Any, Any]:
        torch, f5 = self._torch, self._f5
        paths = self._paths()
        config = load_config(self.settings.f5_model)
        mel = config["model"]["mel_spec"]
        if mel.get("mel_spec_type", "vocos") != "vocos":
            raise InvalidInput(f"F5 config {self.settings.f5_model!r}: only the vocos vocoder")
        self._hop, self._rate = int(mel["hop_length"]), int(mel["target_sample_rate"])
        log.info(
            "loading F5 %s from %s on %s", self.settings.f5_model, paths["checkpoint"], self.device
        )
        with f5_output():
            vocab_map, vocab_size = f5.utils.get_tokenizer(str(paths["vocab"]), "custom")
            backbone = getattr(f5.backbones, config["model"]["backbone"])
            model = f5.cfm.CFM(
                transformer=backbone(
                    **config["model"]["arch"],
                    text_num_embeds=vocab_size,
                    mel_dim=int(mel["n_mel_channels"]),
                ),
                mel_spec_kwargs=dict(mel),  # as f5-tts passes its config's mel_spec
                odeint_kwargs={"method": "euler"},
                vocab_char_map=vocab_map,
            )
            model.load_state_dict(state_dict(torch, paths["checkpoint"]))
            model = model.to(self.device, self.dtype).eval()
            vocos = require("vocos", extra="f5").Vocos
            vocoder = vocos.from_hparams(str(paths["vocoder_config"]))
            vocoder.load_state_dict(
                torch.load(paths["vocoder_weights"], map_location="cpu", weights_only=True)
            )
            vocoder = vocoder.to(self.device).eval()
        return model, vocoder

    # ---------------------------------------------------------------- speaking
    def synthesize(
        self,
        script: Script,
        voice: str | Reference | None,
        options: SynthesisOptions,
        progress: Progress | None = None,
    ) -> Synthesis:
        """Speak ``script`` in the voice of ``voice``; see :class:`voxcap.engines.Engine`."""
        chunks, waves = [], []
        for chunk, wave in self._waves(script, voice, options, progress):
            chunks.append(chunk)
            waves.append(wave)
        samples, starts = stitch(waves, round(self.options.cross_fade * self._rate))
        # a sentence lies in its chunk (sentences spoken together share the chunk's span), or
        # across the chunks it was split into
        spans: dict[int, Span] = {}
        for chunk, start, wave in zip(chunks, starts, waves, strict=True):
            for n in chunk.sentences:
                begin = spans.get(n, (start / self._rate, 0.0))[0]
                spans[n] = (begin, (start + len(wave)) / self._rate)
        sentence_spans = tuple(spans[i] for i in range(len(script.sentences)))
        return Synthesis(Audio(samples, self._rate), sentence_spans, None)

    def stream(
        self, script: Script, voice: str | Reference | None, options: SynthesisOptions
    ) -> Iterator[Piece]:
        """The narration chunk by chunk as it is generated, stitched exactly as
        :meth:`synthesize` stitches it (the pieces concatenate to the same samples for the same
        seed): each piece is the audio that no later chunk's cross-fade can change, and names
        the sentences whose audio it completes."""
        fade = round(self.options.cross_fade * self._rate)
        tail = np.zeros(0, dtype=np.float32)
        emitted = 0  # samples handed out so far
        spans: dict[int, Span] = {}
        pending: list[int] = []  # sentences whose audio is not all handed out yet
        chunks: list[Chunk] = []
        for chunk, wave in self._waves(script, voice, options, None, chunks):
            settled, tail, at = stitch_step(tail, wave, fade)
            start = emitted + at  # where this wave begins in the narration
            for n in chunk.sentences:
                begin = spans.get(n, (start / self._rate, 0.0))[0]
                spans[n] = (begin, (start + len(wave)) / self._rate)
                if n not in pending:
                    pending.append(n)
            emitted += len(settled)
            done = [n for n in pending if spans[n][1] * self._rate <= emitted + 1e-6]
            pending = [n for n in pending if n not in done]
            yield Piece(settled, self._rate, tuple((n, spans[n]) for n in done))
        yield Piece(tail, self._rate, tuple((n, spans[n]) for n in pending))

    def _waves(
        self,
        script: Script,
        voice: str | Reference | None,
        options: SynthesisOptions,
        progress: Progress | None,
        plan_out: list[Chunk] | None = None,
    ) -> Iterator[tuple[Chunk, np.ndarray[Any, Any]]]:
        """Each chunk of the script with its generated wave, in order. The first chunk is
        generated alone (so the first audio comes soon), the rest ``batch_size`` at a time,
        all with one seed."""
        reference = self._reference(voice)
        model, vocoder = self._load()
        ref = audio_io.resample(reference.audio, self._rate)
        ref_text = f5_ref_text(reference.text)
        chunks = plan(
            script, ref_text, len(ref.samples) // self._hop, self._hop, self._rate, options.speed
        )
        if plan_out is not None:
            plan_out.extend(chunks)
        seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
        size = self.options.batch_size
        batches = [chunks[:1], *(chunks[i : i + size] for i in range(1, len(chunks), size))]
        done = 0
        for batch in batches:
            waves = self._generate(model, vocoder, ref, ref_text, batch, seed)
            done += len(batch)
            if progress:
                progress(min(1.0, done / len(chunks)))
            yield from zip(batch, waves, strict=True)

    def _generate(
        self,
        model: Any,
        vocoder: Any,
        ref: Audio,
        ref_text: str,
        batch: list[Chunk],
        seed: int,
    ) -> list[np.ndarray[Any, Any]]:
        torch = self._torch
        rms = float(np.sqrt(np.mean(np.square(ref.samples))))
        gain = TARGET_RMS / rms if 0 < rms < TARGET_RMS else 1.0
        cond = torch.from_numpy(ref.samples * gain).to(self.device).unsqueeze(0)
        ref_frames = len(ref.samples) // self._hop
        text = self._f5.utils.convert_char_to_pinyin([ref_text + c.text for c in batch])
        duration = torch.tensor([c.frames for c in batch], device=self.device)
        try:
            with self._run_lock, torch.inference_mode(), f5_output():
                mel, _ = model.sample(
                    cond=cond.expand(len(batch), -1),
                    text=text,
                    duration=duration,
                    steps=self.options.nfe_step,
                    cfg_strength=self.options.cfg_strength,
                    sway_sampling_coef=self.options.sway_sampling_coef,
                    seed=seed,
                )
                waves = []
                for i, chunk in enumerate(batch):
                    generated = mel[i : i + 1, ref_frames : chunk.frames, :].float()
                    wave = vocoder.decode(generated.permute(0, 2, 1)).squeeze(0)
                    waves.append((wave / gain).cpu().numpy().astype(np.float32))
        except torch.cuda.OutOfMemoryError:
            raise
        except RuntimeError as exc:
            raise EngineError(f"F5 failed: {exc}") from exc
        return waves

    def _reference(self, voice: str | Reference | None) -> Reference:
        if isinstance(voice, Reference):
            return voice
        if voice in (None, BUNDLED):
            if self._bundled is None:
                clip = importlib.resources.files("f5_tts").joinpath(BUNDLED_CLIP).read_bytes()
                audio = audio_io.trim_silence(audio_io.resample(audio_io.decode(clip), self._rate))
                self._bundled = Reference(BUNDLED, audio, BUNDLED_TEXT)
            return self._bundled
        raise VoiceNotFound(
            f"f5 clones a reference clip: {voice!r} is neither a library voice nor an audio "
            f"file; add it with `voxcap voices add` or pass a clip with --ref-text"
        )


# ---------------------------------------------------------------- planning and stitching
def f5_ref_text(text: str) -> str:
    """The reference transcript as F5 expects it before the text to speak (its own rule)."""
    text = " ".join(text.split())
    if not text.endswith(". ") and not text.endswith("。"):
        text += " " if text.endswith(".") else ". "
    if len(text[-1].encode("utf-8")) == 1:
        text += " "
    return text


def plan(
    script: Script, ref_text: str, ref_frames: int, hop: int, rate: int, speed: float
) -> list[Chunk]:
    """Chunks for the script, each within F5's budget for this reference: consecutive
    sentences packed together while they fit (fewer chunks, so less reference to condition on
    and more context for the prosody), a longer sentence split at punctuation. Each chunk gets
    F5's duration estimate: frames per byte of the reference text, scaled by ``speed``."""
    ref_bytes = len(ref_text.encode("utf-8"))
    ref_seconds = ref_frames * hop / rate
    budget = max(16, int(ref_bytes / ref_seconds * (MAX_SECONDS - ref_seconds) * speed))
    pieces: list[tuple[list[int], str, bool]] = []  # sentences, text, whole sentences only
    for n, sentence in enumerate(script.sentences):
        runs = split(sentence.tokens, budget)
        if len(runs) > 1:
            pieces.extend(([n], Sentence(run).speech, False) for run in runs)
            continue
        text = sentence.speech
        if pieces and pieces[-1][2]:
            joined = f"{pieces[-1][1]} {text}"
            if len(joined.encode("utf-8")) <= budget:
                pieces[-1] = ([*pieces[-1][0], n], joined, True)
                continue
        pieces.append(([n], text, True))
    chunks: list[Chunk] = []
    for sentences, text, _ in pieces:
        size = len(text.encode("utf-8"))
        local = SHORT_TEXT_SPEED if size < SHORT_TEXT_BYTES else speed
        frames = ref_frames + int(ref_frames / ref_bytes * size / local)
        # F5 generates at least one frame per character of its text, plus one
        frames = max(frames, len(ref_text) + len(text) + 1)
        chunks.append(Chunk(tuple(sentences), text, frames))
    return chunks


def split(tokens: tuple[Token, ...], budget: int) -> list[tuple[Token, ...]]:
    """Tokens in runs of at most ``budget`` bytes of speech, cut after punctuation where a run
    has some, else between words (a single longer word stands alone)."""
    runs: list[tuple[Token, ...]] = []
    current: list[Token] = []
    for token in tokens:
        if current and len(Sentence((*current, token)).speech.encode("utf-8")) > budget:
            cut = max((i + 1 for i, t in enumerate(current) if t.punct), default=len(current))
            runs.append(tuple(current[:cut]))
            current = current[cut:]
        current.append(token)
    if current:
        runs.append(tuple(current))
    return runs
