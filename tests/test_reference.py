"""Reference preparation for cloning, on real Piper speech and the real aligner."""

from __future__ import annotations

import pytest

from voxcap.domain import SpeechRequest
from voxcap.pipeline import speak
from voxcap.reference import MAX_SECONDS, prepare_reference
from voxcap.runtime import Runtime

LONG = (
    "The harbour was quiet when the first boats came back in the morning. Fishermen carried "
    "their crates up the stone steps, and the gulls followed them, hoping for scraps. By nine "
    "o'clock the market was open, and the smell of coffee drifted over the square. Children ran "
    "between the stalls while their parents argued about prices, and an old man played the "
    "accordion by the fountain."
)


@pytest.mark.slow
def test_a_long_clip_and_its_transcript_are_cut_at_the_same_word(runtime: Runtime) -> None:
    clip = speak(SpeechRequest(LONG), runtime)
    assert clip.duration > 18
    ref = prepare_reference(clip.audio, LONG, runtime.aligner())
    assert ref.audio.sample_rate == 24_000 and ref.audio.duration <= MAX_SECONDS
    words = LONG.split()
    kept = ref.text.split()
    assert kept == words[: len(kept)] and 10 < len(kept) < len(words)
    # the cut lies between the last kept word and the next one, as the aligner timed them
    last, following = clip.words[len(kept) - 1], clip.words[len(kept)]
    lead = clip.words[0].start  # the reference is trimmed: its time 0 is near the first word
    assert ref.audio.duration <= following.start - lead + 0.15
    assert ref.audio.duration >= last.end - lead - 0.15


def test_a_short_clip_is_kept_whole(runtime: Runtime) -> None:
    clip = speak(SpeechRequest("Short and sweet, and kept whole."), runtime)
    ref = prepare_reference(clip.audio, "  Short and   sweet, and kept whole. ", runtime.aligner())
    assert ref.text == "Short and sweet, and kept whole."
    assert abs(ref.audio.duration - clip.duration) < 0.5


def test_under_a_second_of_speech_is_refused(runtime: Runtime) -> None:
    from voxcap.errors import VoiceAudioInvalid

    clip = speak(SpeechRequest("Hi."), runtime)
    with pytest.raises(VoiceAudioInvalid, match="at least 1 s"):
        prepare_reference(clip.audio, "Hi.", runtime.aligner())
