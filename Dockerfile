# voxcap RunPod serverless worker (docs/RUNPOD.md).
# Build: docker build -t voxcap-worker .   Run on RunPod: CMD is the worker.
ARG CUDA_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
FROM ${CUDA_BASE}

# Which extras go into the image (the engines you deploy, storage, the RunPod SDK).
ARG VOXCAP_EXTRAS=f5,ctc,asr,piper,s3,runpod
# torch + torchaudio (requirements/torch.txt) built for this CUDA; PyPI's default build is
# CUDA 13, which needs a newer driver (>= 580) than many GPU hosts have.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128
# Model strategy (docs/RUNPOD.md): BAKE_MODELS=1 downloads every weight into the image at
# MODEL_DIR (fast, self-contained cold starts; a ~2 GB larger image). BAKE_MODELS=0 with
# MODEL_DIR=/runpod-volume/models reads them from a network volume filled once with
# `voxcap models download all`.
ARG BAKE_MODELS=1
ARG MODEL_DIR=/app/models

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# Python; scripts/setup installs the rest of the system packages (scripts/apt-packages.txt).
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts ./scripts
COPY requirements ./requirements
COPY src ./src

# The same install recipe CI runs (.ci/run -> scripts/setup), with the image's extras.
# flash-attn is not installed (F5 runs on torch's attention); nothing installs at start.
RUN VOXCAP_EXTRAS="${VOXCAP_EXTRAS}" TORCH_INDEX_URL="${TORCH_INDEX_URL}" bash scripts/setup \
    && rm -rf /var/lib/apt/lists/*

ENV VOXCAP_MODEL_DIR=${MODEL_DIR}
RUN if [ "${BAKE_MODELS}" = "1" ]; then /app/.venv/bin/voxcap models download all; fi

RUN useradd --create-home --uid 1000 voxcap \
    && mkdir -p /app/voxcap-data \
    && chown -R voxcap:voxcap /app/voxcap-data
USER 1000

ENV PATH=/app/.venv/bin:${PATH} \
    VOXCAP_LOG_LEVEL=INFO \
    VOXCAP_VOICE_CACHE_DIR=/tmp/voxcap-voices

CMD ["python", "-m", "voxcap.runpod"]
