"""Wire models shared by the faces: the requests (CLI, HTTP API, RunPod, jobs) and the result
document they all return."""

from voxcap.schemas.requests import (
    AlignJob,
    AlignTask,
    CaptionSpec,
    PronunciationIn,
    SpeechJob,
    VideoSpec,
)
from voxcap.schemas.results import (
    AlignmentOut,
    AudioRef,
    FileRef,
    SentenceOut,
    SpeechOutput,
    VerificationOut,
    WordOut,
    alignment_output,
    describe,
    speech_output,
)

__all__ = [
    "AlignJob",
    "AlignTask",
    "AlignmentOut",
    "AudioRef",
    "CaptionSpec",
    "FileRef",
    "PronunciationIn",
    "SentenceOut",
    "SpeechJob",
    "SpeechOutput",
    "VerificationOut",
    "VideoSpec",
    "WordOut",
    "alignment_output",
    "describe",
    "speech_output",
]
