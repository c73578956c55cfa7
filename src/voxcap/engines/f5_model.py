"""F5-TTS's own code and files: its inference modules, model configs and checkpoints.

Only F5's inference modules are imported (``f5_tts.model.cfm``, ``backbones.dit``, ``modules``,
``utils``): the package's ``__init__`` also imports its trainer, which needs wandb, datasets and
accelerate, none of which inference uses. F5's own prints go to logging.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import io
import logging
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voxcap._deps import require
from voxcap.errors import InvalidInput, MissingDependency, ModelNotFound

log = logging.getLogger("voxcap.engines.f5")

F5_VERSION = "1.1.22"  # the f5-tts release whose model API voxcap calls


def import_f5() -> types.SimpleNamespace:
    """F5's inference modules, imported without ``f5_tts.model.__init__`` (see above)."""
    try:
        version = importlib.metadata.version("f5-tts")
    except importlib.metadata.PackageNotFoundError:
        raise MissingDependency(
            "f5-tts is not installed; install it with: pip install 'voxcap[f5]' && "
            "pip install --no-deps -r requirements/f5-tts.txt (docs/F5.md)"
        ) from None
    if version != F5_VERSION:
        raise MissingDependency(
            f"f5-tts {version} is installed but voxcap supports {F5_VERSION}; "
            f"pip install --no-deps f5-tts=={F5_VERSION}"
        )
    if "f5_tts.model" not in sys.modules:
        spec = importlib.util.find_spec("f5_tts")
        assert spec is not None and spec.submodule_search_locations is not None
        package = types.ModuleType("f5_tts.model")
        package.__path__ = [str(Path(p) / "model") for p in spec.submodule_search_locations]
        sys.modules["f5_tts.model"] = package
    return types.SimpleNamespace(
        cfm=require("f5_tts.model.cfm", extra="f5"),
        backbones=require("f5_tts.model.backbones.dit", extra="f5"),
        utils=require("f5_tts.model.utils", extra="f5"),
    )


def load_config(name: str) -> dict[str, Any]:
    """An F5 model config: a name shipped in f5-tts (``F5TTS_v1_Base``) or a YAML path."""
    yaml = require("yaml", extra="f5")
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise ModelNotFound(f"F5 config {path} does not exist")
        text = path.read_text()
    else:
        shipped = importlib.resources.files("f5_tts").joinpath(f"configs/{name}.yaml")
        if not shipped.is_file():
            raise InvalidInput(f"f5-tts has no model config {name!r} (e.g. F5TTS_v1_Base)")
        text = shipped.read_text()
    config: dict[str, Any] = yaml.safe_load(text)
    return config


def state_dict(torch: Any, path: Path) -> dict[str, Any]:
    """The EMA weights of an F5 checkpoint (.safetensors or .pt), as F5 itself reads them."""
    if path.suffix == ".safetensors":
        state = require("safetensors.torch", extra="f5").load_file(str(path), device="cpu")
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)["ema_model_state_dict"]
    drop = {
        "initted",
        "step",
        "mel_spec.mel_stft.mel_scale.fb",
        "mel_spec.mel_stft.spectrogram.window",
    }
    cleaned = {k.replace("ema_model.", "", 1): v for k, v in state.items()}
    return {k: v for k, v in cleaned.items() if k not in drop}


class _LogWriter(io.TextIOBase):
    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                log.info("f5: %s", line.strip())
        return len(text)


@contextlib.contextmanager
def f5_output() -> Iterator[None]:
    """F5's own prints go to logging, not to the user's terminal or the JSON on stdout."""
    with contextlib.redirect_stdout(_LogWriter()):
        yield
