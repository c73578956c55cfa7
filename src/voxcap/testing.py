"""Random-weight models for tests and benchmarks, built with the real model classes.

They let the real F5 engine and CTC aligner code run end to end where the released weights
cannot be downloaded (CI, offline machines): the output is noise, but shapes, durations,
offsets, batching and seeding behave as with real weights.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

from voxcap._deps import require

# F5's own tokenizer alphabet for English, a character per line (as vocab.txt is)
TINY_VOCAB = [" ", *"abcdefghijklmnopqrstuvwxyz", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *".,;:!?'-\""]


def tiny_f5(folder: Path, dim: int = 64, depth: int = 2, seed: int = 0) -> dict[str, Any]:
    """Write a small random F5 model (config, EMA checkpoint, vocab) and a small random Vocos
    into ``folder``; returns the Settings fields that select them."""
    yaml = require("yaml", extra="f5")
    folder.mkdir(parents=True, exist_ok=True)
    arch = {
        "dim": dim,
        "depth": depth,
        "heads": 2,
        "ff_mult": 2,
        "text_dim": dim // 2,
        "text_mask_padding": True,
        "conv_layers": 1,
        "pe_attn_head": None,
        "attn_backend": "torch",
        "attn_mask_enabled": False,
    }
    config = {"model": {"name": "tiny", "backbone": "DiT", "arch": arch, "mel_spec": MEL}}
    (folder / "tiny.yaml").write_text(yaml.safe_dump(config))
    (folder / "vocab.txt").write_text("".join(f"{c}\n" for c in TINY_VOCAB))
    vocos = {"dim": dim, "intermediate_dim": dim * 2, "num_layers": 1}
    return _random_f5(folder, "tiny.yaml", folder / "vocab.txt", vocos, seed)


def base_f5(folder: Path, seed: int = 0) -> dict[str, Any]:
    """Write F5's released architecture (F5TTS_v1_Base: dim 1024, depth 22, the released
    2,545-symbol vocabulary) and the released Vocos architecture (charactr/vocos-mel-24khz),
    with random weights, into ``folder``: F5's real size and speed without its weights (the
    output is noise)."""
    from voxcap.engines.f5 import VOCAB
    from voxcap.engines.f5_model import load_config

    yaml = require("yaml", extra="f5")
    folder.mkdir(parents=True, exist_ok=True)
    config = load_config("F5TTS_v1_Base")
    (folder / "base.yaml").write_text(yaml.safe_dump({"model": config["model"]}))
    vocab = Path(str(importlib.resources.files("f5_tts").joinpath(VOCAB)))
    vocos = {"dim": 512, "intermediate_dim": 1536, "num_layers": 8}
    return _random_f5(folder, "base.yaml", vocab, vocos, seed)


MEL = {
    "target_sample_rate": 24000,
    "n_mel_channels": 100,
    "hop_length": 256,
    "win_length": 1024,
    "n_fft": 1024,
    "mel_spec_type": "vocos",
}


def _random_f5(
    folder: Path, config_name: str, vocab: Path, vocos: dict[str, int], seed: int
) -> dict[str, Any]:
    """Random weights for the F5 config ``folder/config_name`` and a Vocos of the given
    backbone size, saved as the released files are laid out."""
    torch = require("torch", extra="f5")
    yaml = require("yaml", extra="f5")
    from voxcap.engines.f5_model import import_f5, load_config

    f5 = import_f5()
    torch.manual_seed(seed)
    config = load_config(str(folder / config_name))["model"]
    mel, arch = config["mel_spec"], config["arch"]
    vocab_map, vocab_size = f5.utils.get_tokenizer(str(vocab), "custom")
    model = f5.cfm.CFM(
        transformer=f5.backbones.DiT(**arch, text_num_embeds=vocab_size, mel_dim=100),
        mel_spec_kwargs=dict(mel),
        vocab_char_map=vocab_map,
    )
    # laid out as the released F5TTS_v1_Base/model_1250000.safetensors: the EMA weights under
    # "ema_model.", and the EMA's own "step" and "initted"
    state = {f"ema_model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    state |= {"step": torch.tensor(1250000), "initted": torch.tensor(True)}
    require("safetensors.torch", extra="f5").save_file(state, str(folder / "model.safetensors"))

    vocos_dir = folder / "vocos"
    vocos_dir.mkdir(exist_ok=True)
    dim = vocos["dim"]
    vocos_config = {
        "feature_extractor": {
            "class_path": "vocos.feature_extractors.MelSpectrogramFeatures",
            "init_args": {"sample_rate": 24000, "n_fft": 1024, "hop_length": 256, "n_mels": 100},
        },
        "backbone": {
            "class_path": "vocos.models.VocosBackbone",
            "init_args": {
                "input_channels": 100,
                "dim": dim,
                "intermediate_dim": vocos["intermediate_dim"],
                "num_layers": vocos["num_layers"],
            },
        },
        "head": {
            "class_path": "vocos.heads.ISTFTHead",
            "init_args": {"dim": dim, "n_fft": 1024, "hop_length": 256, "padding": "center"},
        },
    }
    (vocos_dir / "config.yaml").write_text(yaml.safe_dump(vocos_config))
    vocoder = require("vocos", extra="f5").Vocos.from_hparams(str(vocos_dir / "config.yaml"))
    torch.save(vocoder.state_dict(), vocos_dir / "pytorch_model.bin")
    return {
        "f5_model": str(folder / config_name),
        "f5_checkpoint": folder / "model.safetensors",
        "f5_vocab": vocab,
        "f5_vocoder": vocos_dir,
    }


def tiny_ctc(seed: int = 0) -> tuple[Any, tuple[str, ...]]:
    """A small random wav2vec2 CTC model over MMS_FA's alphabet (20 ms frames, as MMS_FA),
    returning log-probabilities; and its labels. For :class:`voxcap.aligners.ctc.CTCAligner`."""
    torch = require("torch", extra="ctc")
    torchaudio = require("torchaudio", extra="ctc")
    labels = tuple(torchaudio.pipelines.MMS_FA.get_labels(star="*"))
    torch.manual_seed(seed)
    conv = [(32, 10, 5)] + [(32, 3, 2)] * 4 + [(32, 2, 2)] * 2
    acoustic = torchaudio.models.wav2vec2_model(
        extractor_mode="group_norm",
        extractor_conv_layer_config=conv,
        extractor_conv_bias=False,
        encoder_embed_dim=32,
        encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=16,
        encoder_pos_conv_groups=4,
        encoder_num_layers=1,
        encoder_num_heads=2,
        encoder_attention_dropout=0.0,
        encoder_ff_interm_features=64,
        encoder_ff_interm_dropout=0.0,
        encoder_dropout=0.0,
        encoder_layer_norm_first=False,
        encoder_layer_drop=0.0,
        aux_num_out=len(labels),
    )

    class LogProbs(torch.nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.acoustic = acoustic

        def forward(self, waveform: Any) -> tuple[Any, Any]:
            emission, lengths = self.acoustic(waveform)
            return torch.log_softmax(emission, dim=-1), lengths

    return LogProbs(), labels
