"""CTC forced alignment with torchaudio's ``forced_align`` and the MMS_FA acoustic model
(``voxcap[ctc]``): wav2vec2 trained on 1,100+ languages, over a romanised alphabet, on the GPU
when there is one. Weights come from the model cache (``voxcap models download ctc``).

Each token is romanised (uroman: any script to Latin letters) and spelled in the model's
alphabet (accents removed; characters it does not know are skipped), a star token at each end
absorbs sound that is not in the text, and the best CTC path gives every character its frames.
CTC puts a word's end on its last character's spike, so an end is carried on to the next
word's start unless a pause lies between them.
"""

from __future__ import annotations

import itertools
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from voxcap import models
from voxcap._deps import require
from voxcap.aligners.base import Found
from voxcap.aligners.ctcpath import best_path
from voxcap.audio import resample
from voxcap.domain import Audio
from voxcap.engines.base import Span
from voxcap.errors import AlignmentError
from voxcap.settings import Settings

RATE = 16_000
STAR = "*"
PAUSE = 0.3  # a gap at least this long between two words is a pause and is left alone
TAIL = 0.08  # a word before a pause (or the last word) keeps this much after its last spike
WINDOW = 30 * RATE  # the acoustic model runs on windows this long (attention is quadratic)


class CTCAligner:
    """CTC forced aligner. ``model`` and ``labels`` replace MMS_FA (tests use a random one):
    ``model(waveform[1, n])`` must return ``(log_probs[1, frames, len(labels)], lengths)``."""

    name = "ctc"
    languages: frozenset[str] | None = None  # any script: uroman romanises it first

    def __init__(
        self,
        settings: Settings | None = None,
        model: Any = None,
        labels: tuple[str, ...] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._torch = require("torch", extra="ctc")
        self._functional = require("torchaudio.functional", extra="ctc")
        self.device = models.pick_device(self.settings.device)
        if model is None:
            model, labels = _mms_fa(self.settings)
        assert labels is not None
        self._model = model.to(self.device).eval()
        self._index = {label: i for i, label in enumerate(labels)}
        self._uroman = require("uroman", extra="ctc").Uroman()  # any script -> Latin letters
        self._spelled: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def align(self, audio: Audio, tokens: list[str]) -> list[Span]:
        """See :class:`voxcap.aligners.Aligner`."""
        if not tokens:
            return []
        emission, edges = self._emission(audio)
        spelled = [self._spell(t) for t in tokens]
        targets = [self._index[STAR], *(c for s in spelled for c in s), self._index[STAR]]
        frames = emission.shape[1]
        repeats = sum(a == b for a, b in itertools.pairwise(targets))
        if frames < len(targets) + repeats:
            raise AlignmentError(
                f"{audio.duration:.2f} s of audio is too short for {len(tokens)} words"
            )
        torch, F = self._torch, self._functional
        aligned, scores = F.forced_align(
            emission, torch.tensor([targets], dtype=torch.int32, device=emission.device), blank=0
        )
        pieces = F.merge_tokens(aligned[0].cpu(), scores[0].exp().cpu())[1:-1]  # no stars
        spans: list[Span] = []
        cursor, at = 0, 0.0
        for chars in spelled:
            if chars:
                mine = pieces[cursor : cursor + len(chars)]
                cursor += len(chars)
                start, end = float(edges[mine[0].start]), float(edges[mine[-1].end])
            else:  # nothing the model can spell ("—" or a script it does not know)
                start = end = at
            spans.append((start, end))
            at = end
        return [s for s in _extend(spans, audio.duration) if s is not None]

    def place(
        self, audio: Audio, sentences: Sequence[Sequence[str]], garbage: bool = False
    ) -> Found:
        """See :class:`voxcap.aligners.Aligner`: :func:`voxcap.aligners.ctcpath.best_path` over the
        window's emissions, where sentences may be skipped and the text may end anywhere."""
        if not any(sentences):
            return Found([], [], [])
        emission, edges = self._emission(audio)
        spelled = [[self._spell(t) for t in sentence] for sentence in sentences]
        path = best_path(emission[0].float().cpu().numpy(), spelled, 0, self._index[STAR], garbage)
        spans: list[Span | None] = []
        at: float | None = None
        for frames, sentence_chars in zip(
            path.frames, (c for s in spelled for c in s), strict=True
        ):
            if frames is not None:
                at = float(edges[frames[1]])
                spans.append((float(edges[frames[0]]), at))
            elif not sentence_chars and at is not None:
                spans.append((at, at))  # nothing the model can spell, among placed words
            else:
                spans.append(None)
        stretch = path.garbage
        found_garbage = [(float(edges[stretch[0]]), float(edges[stretch[1]]))] if stretch else []
        return Found(_extend(spans, audio.duration), found_garbage, list(path.fits))

    def _spell(self, token: str) -> list[int]:
        if token not in self._spelled:
            roman = self._uroman.romanize_string(token)
            plain = unicodedata.normalize("NFKD", roman.lower())
            self._spelled[token] = [
                self._index[c] for c in plain if c in self._index and c not in (STAR, "-")
            ]
        return self._spelled[token]

    def _emission(self, audio: Audio) -> tuple[Any, np.ndarray[Any, Any]]:
        """Log-probabilities per frame, and where each frame starts in seconds (``edges`` has
        one more entry: the end of the audio). Windows are timed on their own, so the frames
        a window's edge loses do not shift the times after it."""
        torch = self._torch
        samples = resample(audio, RATE).samples
        wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
        parts: list[Any] = []
        edges: list[np.ndarray[Any, Any]] = []
        with self._lock, torch.inference_mode():
            for start in range(0, max(len(wave), 1), WINDOW):
                piece = wave[start : start + WINDOW]
                if len(piece) < 400 and parts:  # shorter than one frame: nothing to add
                    break
                emission, _ = self._model(piece.unsqueeze(0).to(self.device))
                frames = emission.shape[1]
                step = len(piece) / frames / RATE
                edges.append(start / RATE + step * np.arange(frames))
                parts.append(emission)
        times = np.concatenate([*edges, [audio.duration]])
        return torch.cat(parts, dim=1), np.minimum(times, audio.duration)


def _extend(spans: Sequence[Span | None], duration: float) -> list[Span | None]:
    """Carry each word's end on to the next spoken word's start unless a pause lies between
    (one pass from the end: linear in the number of words)."""
    out: list[Span | None] = [None] * len(spans)
    following: float | None = None  # start of the next word that has a length
    for i in range(len(spans) - 1, -1, -1):
        span = spans[i]
        if span is None:
            continue
        start, end = span
        if following is not None and following - end < PAUSE:
            end = max(end, following)
        else:
            end = min(end + TAIL, following if following is not None else duration)
        out[i] = (min(start, duration), min(max(end, start), duration))
        if span[1] > span[0]:
            following = span[0]
    return out


def _mms_fa(settings: Settings) -> tuple[Any, tuple[str, ...]]:
    """torchaudio's MMS_FA bundle, its weights read from the cache (never fetched here)."""
    path = models.locate("ctc", settings)["weights"]
    bundle = require("torchaudio.pipelines", extra="ctc").MMS_FA
    model = bundle.get_model(with_star=True, dl_kwargs={"model_dir": str(path.parent)})
    labels = bundle.get_labels(star=STAR)
    return model, tuple(labels)
