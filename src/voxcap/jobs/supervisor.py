"""Keeps ``voxcap serve --workers N``'s worker processes alive.

Each worker is a ``python -m voxcap worker`` child that dies with the server (parent-death
signal, so even ``kill -9`` of the server leaves no orphan). A worker that exits is restarted
after a backoff that doubles up to a minute (and resets once a worker has run for a minute);
every exit and restart is logged. :meth:`stop` sends SIGTERM, which lets each worker finish
its running job, and kills whatever is still running after ``grace`` seconds.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from voxcap.processes import die_with_parent

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0


@dataclass
class _Slot:
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    backoff: float = 1.0
    restart_at: float = 0.0
    restarts: int = 0
    exits: list[int] = field(default_factory=list)


class Supervisor:
    """Runs ``count`` workers and replaces any that exit, until :meth:`stop`."""

    def __init__(
        self,
        count: int,
        command: list[str] | None = None,
        check: float = 0.5,
        env: dict[str, str] | None = None,
    ) -> None:
        self.command = command or [sys.executable, "-m", "voxcap", "worker"]
        self.env = env
        self.slots = [_Slot() for _ in range(count)]
        self._check = check
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voxcap-supervisor", daemon=True)

    def start(self) -> None:
        """Start the workers (from the supervising thread, which outlives them)."""
        self._thread.start()

    def alive(self) -> int:
        """How many workers are running now."""
        return sum(1 for s in self.slots if s.process is not None and s.process.poll() is None)

    def pids(self) -> list[int]:
        return [s.process.pid for s in self.slots if s.process is not None]

    def _run(self) -> None:
        for slot in self.slots:
            self._spawn(slot)
        while not self._stop.wait(self._check):
            now = time.monotonic()
            for number, slot in enumerate(self.slots):
                if slot.process is not None:
                    code = slot.process.poll()
                    if code is None:
                        continue
                    self._exited(number, slot, code, now)
                if now >= slot.restart_at and not self._stop.is_set():
                    slot.restarts += 1
                    log.warning("restarting worker %d (restart %d)", number, slot.restarts)
                    self._spawn(slot)

    def _exited(self, number: int, slot: _Slot, code: int, now: float) -> None:
        assert slot.process is not None
        how = f"signal {-code}" if code < 0 else f"code {code}"
        if now - slot.started >= MAX_BACKOFF:
            slot.backoff = 1.0  # it ran fine for a while: this is a fresh failure
        log.error(
            "worker %d (pid %d) exited with %s; restarting it in %.0f s",
            number,
            slot.process.pid,
            how,
            slot.backoff,
        )
        slot.exits.append(code)
        slot.process = None
        slot.restart_at = now + slot.backoff
        slot.backoff = min(slot.backoff * 2, MAX_BACKOFF)

    def _spawn(self, slot: _Slot) -> None:
        slot.started = time.monotonic()
        try:
            slot.process = subprocess.Popen(
                self.command, env=self.env, preexec_fn=die_with_parent(signal.SIGTERM)
            )
        except OSError as exc:  # out of processes or memory: try again after the backoff
            log.error("cannot start a worker: %s; retrying in %.0f s", exc, slot.backoff)
            slot.restart_at = slot.started + slot.backoff
            slot.backoff = min(slot.backoff * 2, MAX_BACKOFF)
            return
        log.info("worker started (pid %d)", slot.process.pid)

    def stop(self, grace: float) -> None:
        """SIGTERM every worker (each finishes its running job), SIGKILL after ``grace`` s."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        running = [s.process for s in self.slots if s.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop in %.0f s; killing it", process.pid, grace)
                process.kill()
                process.wait()
