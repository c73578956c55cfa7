"""The distributed job queue: job records in Redis (or Valkey), jobs handed to workers on any
number of machines by Celery over the same Redis (:mod:`voxcap.jobs.distributed`).

Every state change is one Lua script, so it is atomic however many API replicas and workers
share the server; a change after a start is conditional on the starting worker still holding
the job, so a job's end is written once. Each change is published on ``voxcap:events`` (the
API's Server-Sent Events listen there instead of polling).

Keys: ``voxcap:job:{id}`` (a hash), ``voxcap:status:{status}`` and ``voxcap:owner:{owner}``
(sorted sets of job ids, by last update and by creation).
"""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from voxcap._deps import require
from voxcap.errors import JobNotCancelable, JobNotFound, QueueUnavailable
from voxcap.fetch import display_url
from voxcap.jobs.records import JobRecord, JobStatus, Start
from voxcap.jobs.sqlite import WORKER_DIED, measured

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "voxcap:"
EVENTS = PREFIX + "events"
FINISHED = ("succeeded", "failed", "canceled")

_LIB = """
local function held(key, worker)
  return redis.call('HGET', key, 'status') == 'running'
     and redis.call('HGET', key, 'worker') == worker
end
local function move(id, old, new, now)
  redis.call('ZREM', 'voxcap:status:' .. old, id)
  redis.call('ZADD', 'voxcap:status:' .. new, now, id)
  redis.call('PUBLISH', 'voxcap:events', id)
end
"""
SUBMIT = """
local id, now = ARGV[1], ARGV[3]
redis.call('HSET', KEYS[1], 'id', id, 'status', 'queued', 'request', ARGV[2], 'fraction', '0',
           'attempts', '0', 'created', now, 'updated', now)
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'owner', ARGV[4])
  redis.call('ZADD', 'voxcap:owner:' .. ARGV[4], now, id)
end
redis.call('ZADD', 'voxcap:status:queued', now, id)
"""
START = (
    _LIB
    + """
local id, worker, now, lease = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'succeeded' or status == 'failed' or status == 'canceled' then return 'finished' end
if status == 'running' then
  if tonumber(redis.call('HGET', KEYS[1], 'lease_until')) >= now then return 'busy' end
  if tonumber(redis.call('HGET', KEYS[1], 'attempts')) >= tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[6], 'updated', ARGV[3])
    redis.call('HDEL', KEYS[1], 'worker', 'lease_until')
    move(id, 'running', 'failed', now)
    return 'exhausted'
  end
end
redis.call('HSET', KEYS[1], 'status', 'running', 'worker', worker, 'fraction', '0',
           'lease_until', tostring(now + lease), 'updated', ARGV[3])
redis.call('HDEL', KEYS[1], 'stage')
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
move(id, status, 'running', now)
return 'started'
"""
)
HEARTBEAT = (
    _LIB
    + """
local id, now = ARGV[1], tonumber(ARGV[3])
if not held(KEYS[1], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'lease_until', tostring(now + tonumber(ARGV[4])), 'updated', ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'stage', ARGV[5], 'fraction', ARGV[6]) end
move(id, 'running', 'running', now)
return 1
"""
)
FINISH = (
    _LIB
    + """
local id, now = ARGV[1], tonumber(ARGV[3])
if not held(KEYS[1], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[4], ARGV[5], ARGV[6], 'fraction', '1',
           'updated', ARGV[3])
if ARGV[4] == 'succeeded' then
  for i = 7, #ARGV, 2 do  -- the running totals: name, seconds
    redis.call('HINCRBYFLOAT', 'voxcap:totals:seconds', ARGV[i], ARGV[i + 1])
    redis.call('HINCRBY', 'voxcap:totals:count', ARGV[i], 1)
  end
end
redis.call('HDEL', KEYS[1], 'lease_until')
move(id, 'running', ARGV[4], now)
return 1
"""
)
# running jobs whose lease ran out, each marked so that it is handed on once per ARGV[2] s
RECLAIM = """
local now, again = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', 'voxcap:status:running', '-inf', ARGV[1])) do
  local key = 'voxcap:job:' .. id
  local lease_until = tonumber(redis.call('HGET', key, 'lease_until') or '0')
  local resent = tonumber(redis.call('HGET', key, 'resent') or '0')
  if lease_until < now and resent <= now - again then
    redis.call('HSET', key, 'resent', ARGV[1])
    table.insert(out, id)
  end
end
return out
"""
CANCEL = (
    _LIB
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status ~= 'queued' then return status end
redis.call('HSET', KEYS[1], 'status', 'canceled', 'updated', ARGV[2])
move(ARGV[1], 'queued', 'canceled', tonumber(ARGV[2]))
return 'queued'
"""
)


def _translated(method: F) -> F:
    """Redis's connection and server errors (down, loading, read-only, out of memory), and
    Celery's failing to send a job's message, become QueueUnavailable."""

    @functools.wraps(method)
    def wrapper(self: RedisQueue, *args: Any, **kwargs: Any) -> Any:
        redis = require("redis", extra="redis")
        kombu = require("kombu.exceptions", extra="redis")  # Celery's messages (submit)
        try:
            return method(self, *args, **kwargs)
        except (redis.RedisError, kombu.OperationalError) as exc:
            log.error("job queue %s: %s", self.display, exc)
            raise QueueUnavailable(f"the job queue cannot be used: {exc}") from None

    return cast(F, wrapper)


class RedisQueue:
    """Jobs in the Redis at ``url`` (``redis://``, ``rediss://``, ``unix://``), run by Celery
    workers. Raises QueueUnavailable when Redis cannot be reached."""

    def __init__(self, url: str, max_attempts: int = 3, visibility_timeout: int = 4 * 3600):
        redis = require("redis", extra="redis")
        self.url = url
        self.display = display_url(url)  # no password in the logs
        self.max_attempts = max_attempts
        self.visibility_timeout = visibility_timeout
        self.client: Any = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5
        )
        self._scripts = {
            name: self.client.register_script(source)
            for name, source in {
                "submit": SUBMIT,
                "start": START,
                "heartbeat": HEARTBEAT,
                "finish": FINISH,
                "cancel": CANCEL,
                "reclaim": RECLAIM,
            }.items()
        }
        self._celery: Any = None

    def close(self) -> None:
        """Close the connections to Redis."""
        self.client.close()

    @property
    def celery(self) -> Any:
        """The Celery app that carries this queue's jobs to workers (made on first use)."""
        if self._celery is None:
            from voxcap.jobs.distributed import celery_app

            self._celery = celery_app(self.url, self.visibility_timeout)
        return self._celery

    @_translated
    def probe(self) -> None:
        self.client.set(PREFIX + "probe", time.time())

    @_translated
    def submit(self, request: dict[str, Any], owner: str | None = None) -> JobRecord:
        from voxcap.jobs.distributed import enqueue

        now = time.time()
        job = JobRecord(
            uuid.uuid4().hex, JobStatus.queued, request, None, 0.0, None, None, 0, None, None,
            now, now, owner,
        )  # fmt: skip
        args = [job.id, json.dumps(request), repr(now), owner or ""]
        self._scripts["submit"](keys=[_key(job.id)], args=args)
        try:
            enqueue(self.celery, job.id)
        except Exception:
            self.client.delete(_key(job.id))  # not handed to any worker: not accepted either
            self.client.zrem(PREFIX + "status:queued", job.id)
            raise
        return job

    @_translated
    def reclaim(self, lease: float) -> list[str]:
        """Send the jobs whose worker died (lease run out) to Celery again, instead of waiting
        for Celery's visibility timeout (hours) to redeliver them."""
        from voxcap.jobs.distributed import enqueue

        ids: list[str] = self._scripts["reclaim"](args=[repr(time.time()), lease])
        for job_id in ids:
            log.warning("job %s: its worker stopped beating; handed to another worker", job_id)
            enqueue(self.celery, job_id)
        return ids

    @_translated
    def get(self, job_id: str) -> JobRecord:
        fields = self.client.hgetall(_key(job_id))
        if not fields:
            raise JobNotFound(f"no job {job_id!r}")
        return _record(fields)

    @_translated
    def history(self, owner: str | None, limit: int = 50) -> list[JobRecord]:
        if owner is None:
            return []
        ids = self.client.zrevrange(PREFIX + "owner:" + owner, 0, limit - 1)
        pipe = self.client.pipeline(transaction=False)
        for job_id in ids:
            pipe.hgetall(_key(job_id))
        return [_record(fields) for fields in pipe.execute() if fields]

    @_translated
    def cancel(self, job_id: str) -> JobRecord:
        was = self._scripts["cancel"](keys=[_key(job_id)], args=[job_id, repr(time.time())])
        if was == "missing":
            raise JobNotFound(f"no job {job_id!r}")
        if was != "queued":
            raise JobNotCancelable(f"job {job_id} is {was}; only queued jobs can be canceled")
        return self.get(job_id)

    @_translated
    def start(self, job_id: str, worker: str, lease: float) -> Start:
        args = [job_id, worker, repr(time.time()), lease, self.max_attempts]
        outcome = self._scripts["start"](keys=[_key(job_id)], args=[*args, json.dumps(WORKER_DIED)])
        return Start(outcome)

    @_translated
    def heartbeat(
        self,
        job_id: str,
        worker: str,
        lease: float,
        stage: str | None = None,
        fraction: float = 0.0,
    ) -> bool:
        args = [job_id, worker, repr(time.time()), lease, stage or "", repr(fraction)]
        return bool(self._scripts["heartbeat"](keys=[_key(job_id)], args=args))

    @_translated
    def complete(self, job_id: str, worker: str, result: dict[str, Any]) -> bool:
        return self._finish(job_id, worker, "succeeded", "result", result)

    @_translated
    def fail(self, job_id: str, worker: str, error: dict[str, str]) -> bool:
        return self._finish(job_id, worker, "failed", "error", error)

    def _finish(
        self, job_id: str, worker: str, status: str, field: str, value: dict[str, Any]
    ) -> bool:
        args = [job_id, worker, repr(time.time()), status, field, json.dumps(value)]
        if status == "succeeded":
            args += [item for pair in measured(value).items() for item in map(str, pair)]
        return bool(self._scripts["finish"](keys=[_key(job_id)], args=args))

    @_translated
    def seen(self, worker: str) -> None:
        now = time.time()
        pipe = self.client.pipeline()
        pipe.zadd(PREFIX + "workers", {worker: now})
        pipe.zremrangebyscore(PREFIX + "workers", "-inf", now - 3600)
        pipe.execute()

    @_translated
    def workers(self, within: float) -> int:
        return int(self.client.zcount(PREFIX + "workers", time.time() - within, "+inf"))

    @_translated
    def counts(self) -> dict[JobStatus, int]:
        pipe = self.client.pipeline(transaction=False)
        for status in JobStatus:
            pipe.zcard(PREFIX + "status:" + status.value)
        return dict(zip(JobStatus, (int(n) for n in pipe.execute()), strict=True))

    @_translated
    def expire(self, older_than: float) -> list[JobRecord]:
        gone: list[JobRecord] = []
        for status in FINISHED:
            for job_id in self.client.zrangebyscore(
                PREFIX + "status:" + status, "-inf", older_than
            ):
                fields = self.client.hgetall(_key(job_id))
                pipe = self.client.pipeline()
                pipe.delete(_key(job_id))
                pipe.zrem(PREFIX + "status:" + status, job_id)
                if fields.get("owner"):
                    pipe.zrem(PREFIX + "owner:" + fields["owner"], job_id)
                pipe.execute()
                if fields:
                    gone.append(_record(fields))
        return gone

    @_translated
    def totals(self) -> dict[str, tuple[float, int]]:
        pipe = self.client.pipeline(transaction=False)  # one round trip
        pipe.hgetall(PREFIX + "totals:seconds")
        pipe.hgetall(PREFIX + "totals:count")
        seconds, counts = pipe.execute()
        return {name: (float(value), int(counts.get(name, 0))) for name, value in seconds.items()}


def _key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


def _record(fields: dict[str, str]) -> JobRecord:
    def number(name: str) -> float | None:
        return float(fields[name]) if fields.get(name) else None

    return JobRecord(
        id=fields["id"],
        status=JobStatus(fields["status"]),
        request=json.loads(fields["request"]),
        stage=fields.get("stage") or None,
        fraction=float(fields.get("fraction", 0)),
        result=json.loads(fields["result"]) if fields.get("result") else None,
        error=json.loads(fields["error"]) if fields.get("error") else None,
        attempts=int(fields.get("attempts", 0)),
        worker=fields.get("worker") or None,
        lease_until=number("lease_until"),
        created=float(fields["created"]),
        updated=float(fields["updated"]),
        owner=fields.get("owner") or None,
    )
