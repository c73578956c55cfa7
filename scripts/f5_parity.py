"""Check that voxcap's F5 engine produces exactly what f5-tts's own inference produces.

voxcap calls F5's model code directly (to batch chunks and keep their offsets) instead of
``f5_tts.infer.utils_infer.infer_batch_process``; this script runs both on the same tiny
random-weight model, reference, text and seed and compares the samples. Run it when changing
the pinned f5-tts version. It needs f5-tts *with* its own requirements (its inference helpers
import matplotlib, transformers, pydub, wandb, ...), so use a scratch virtualenv:

    python -m venv /tmp/parity && . /tmp/parity/bin/activate
    pip install -r requirements/torch.txt && pip install -e '.[f5]' \
        && pip install -r requirements/f5-tts.txt
    python scripts/f5_parity.py

Prints the lengths and the largest sample difference; exits 1 unless they are identical.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import f5_tts.infer.utils_infer as f5_infer  # before voxcap: the full f5_tts.model package
import numpy as np
import torch
import yaml
from f5_tts.model import DiT

from voxcap.engines.base import SynthesisOptions
from voxcap.engines.f5 import F5Engine, F5Options
from voxcap.settings import Settings
from voxcap.testing import tiny_f5
from voxcap.text import prepare

TEXT = "Hello there, this is a test of the tiny model."
SEED, NFE = 5, 8


def main() -> int:
    fields = tiny_f5(Path(tempfile.mkdtemp(prefix="voxcap-parity-")))
    engine = F5Engine(Settings(device="cpu", **fields), F5Options(nfe_step=NFE, batch_size=1))
    script = prepare(TEXT)
    ours = engine.synthesize(script, None, SynthesisOptions(seed=SEED)).audio.samples

    config = yaml.safe_load(Path(fields["f5_model"]).read_text())
    model = f5_infer.load_model(
        DiT,
        config["model"]["arch"],
        str(fields["f5_checkpoint"]),
        mel_spec_type="vocos",
        vocab_file=str(fields["f5_vocab"]),
        device="cpu",
    )
    vocoder = f5_infer.load_vocoder(
        "vocos", is_local=True, local_path=str(fields["f5_vocoder"]), device="cpu"
    )
    reference = engine._reference(None)  # F5's example clip, as voxcap prepares it
    torch.manual_seed(SEED)  # what CFM.sample(seed=...) does before drawing the noise
    theirs, _, _ = next(
        f5_infer.infer_batch_process(
            (torch.from_numpy(reference.audio.samples).unsqueeze(0), 24000),
            reference.text + " ",  # f5-tts's preprocess_ref_audio_text adds this
            [script.sentences[0].speech],
            model,
            vocoder,
            mel_spec_type="vocos",
            nfe_step=NFE,
            cfg_strength=2.0,
            sway_sampling_coef=-1.0,
            speed=1.0,
            device="cpu",
        )
    )
    same = len(ours) == len(theirs) and np.array_equal(ours, theirs)
    n = min(len(ours), len(theirs))
    diff = float(np.abs(ours[:n] - theirs[:n]).max())
    sys.stdout.write(
        f"voxcap {len(ours)} samples, f5-tts {len(theirs)} samples, max |diff| {diff:.3g}: "
        f"{'identical' if same else 'DIFFERENT'}\n"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
