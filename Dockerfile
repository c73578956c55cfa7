# voxcap RunPod serverless worker (docs/RUNPOD.md).
# Build: docker build -t voxcap-worker .   Run on RunPod: CMD is the worker.
ARG CUDA_BASE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04
FROM ${CUDA_BASE}

# Which extras go into the image (the engines you deploy, storage, the RunPod SDK).
ARG VOXCAP_EXTRAS=piper,s3,runpod

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
COPY src ./src

# The same install recipe CI runs (.ci/run -> scripts/setup), with the image's extras.
RUN VOXCAP_EXTRAS="${VOXCAP_EXTRAS}" bash scripts/setup \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 voxcap \
    && mkdir -p /app/voxcap-data \
    && chown -R voxcap:voxcap /app/voxcap-data
USER 1000

ENV PATH=/app/.venv/bin:${PATH} \
    VOXCAP_LOG_LEVEL=INFO \
    VOXCAP_VOICE_CACHE_DIR=/tmp/voxcap-voices

CMD ["python", "-m", "voxcap.runpod"]
