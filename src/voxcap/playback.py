"""Playing a narration as it is made (``voxcap speak --play``).

The 16-bit PCM of each streamed chunk goes to a player process's stdin: ``aplay``
(alsa-utils) or ``ffplay`` (ffmpeg), whichever is installed, in that order. The player dies
with voxcap. Without an audio device the player fails; that is reported once (a warning with
the player's last error line) and the files are written all the same.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from voxcap.audio import pcm16
from voxcap.domain import Audio
from voxcap.errors import MissingDependency
from voxcap.processes import die_with_parent

log = logging.getLogger(__name__)

# a player's command line for raw 16-bit mono PCM at {rate} Hz on stdin
PLAYERS: dict[str, list[str]] = {
    "aplay": ["-q", "-t", "raw", "-f", "S16_LE", "-r", "{rate}", "-c", "1", "-"],
    "ffplay": [
        "-nodisp",
        "-autoexit",
        "-loglevel",
        "error",
        "-f",
        "s16le",
        "-ar",
        "{rate}",
        "-ch_layout",
        "mono",
        "-i",
        "-",
    ],
}


def find_player() -> str:
    """The path of the first player installed. Raises MissingDependency."""
    for name in PLAYERS:
        path = shutil.which(name)
        if path:
            return path
    raise MissingDependency(
        "--play needs a player: aplay (apt-get install alsa-utils) or ffplay (ffmpeg)"
    )


class Player:
    """A player process fed audio as it comes; ``rate`` is fixed by the first chunk."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._process: subprocess.Popen[bytes] | None = None
        self._failed = False

    def play(self, audio: Audio) -> None:
        if self._failed:
            return
        if self._process is None:
            name = executable_name(self.executable)
            args = [a.format(rate=audio.sample_rate) for a in PLAYERS[name]]
            self._process = subprocess.Popen(
                [self.executable, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=die_with_parent(),
            )
        assert self._process.stdin is not None
        pcm = pcm16(audio.samples, audio.sample_rate)
        try:
            self._process.stdin.write(pcm)
            self._process.stdin.flush()
        except BrokenPipeError:
            self._fail()

    def close(self) -> None:
        """Let the player finish what it was given."""
        if self._process is None:
            return
        assert self._process.stdin is not None
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        self._fail()

    def _fail(self) -> None:
        """Warn once if the player failed: a non-zero exit, or anything it said on stderr
        (both players are told to speak only of errors; ffplay exits 0 when it could not
        open the audio device)."""
        if self._failed or self._process is None:
            return
        self._failed = True
        returncode = self._process.wait()
        assert self._process.stderr is not None
        said = self._process.stderr.read().decode(errors="replace").strip()
        if returncode == 0 and not said:
            return
        reason = said.splitlines()[-1][-300:] if said else f"exit status {returncode}"
        log.warning("could not play the narration (%s): %s", self.executable, reason)


def executable_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]
