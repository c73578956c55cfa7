"""Celery carries the Redis queue's jobs to workers on any number of machines (docs/SCALE.md).

A job's message holds only its id; its record lives in :class:`voxcap.jobs.redis.RedisQueue`.
The settings are the ones GPU work needs: one job at a time per worker (the ``solo`` pool and
a prefetch of 1), late acknowledgement (a worker that dies mid-job leaves its message unacked,
and Redis hands it to another worker after the visibility timeout), and the queue's own
``start`` deciding whether a delivered message is run: a job that ended already (a duplicate
delivery) is skipped, one whose worker still holds a live lease is asked again later, so a
job's result is written once.
"""

from __future__ import annotations

import logging
from typing import Any

from voxcap._deps import require
from voxcap.jobs.records import Start

log = logging.getLogger(__name__)
TASK = "voxcap.run"
QUEUE = "voxcap"


def celery_app(url: str, visibility_timeout: int) -> Any:
    """A Celery app on the Redis at ``url``."""
    celery = require("celery", extra="redis")
    app = celery.Celery("voxcap", broker=url, set_as_current=False)
    restore = max(1, min(10, visibility_timeout // 4))  # look for lost messages this often, s
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results live in the job records
        task_acks_late=True,
        task_acks_on_failure_or_timeout=False,  # a task that could not record its end: redo
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # wait out a Redis restart
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            "unacked_restore_interval": restore,
            "unacked_restore_throttle": 1,
            "socket_timeout": 30,
        },
    )
    return app


def enqueue(app: Any, job_id: str) -> None:
    """Hand job ``job_id`` to the workers."""
    app.send_task(TASK, args=[job_id], queue=QUEUE)


def run_worker(app: Any, runtime: Any, queue: Any) -> None:
    """Run jobs delivered by Celery until SIGTERM (warm: the running job finishes first)."""
    from voxcap.jobs.worker import Worker

    worker = Worker(runtime, queue)
    lease = runtime.settings.lease

    @app.task(name=TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
    def run(task: Any, job_id: str) -> None:
        outcome = queue.start(job_id, worker.id, lease)
        if outcome == Start.busy:  # delivered twice while its worker lives: look again later
            raise task.retry(countdown=lease)
        if outcome != Start.started:
            log.info("job %s: %s; nothing to do", job_id, outcome.value)
            return
        worker.process(queue.get(job_id))  # (expired jobs are dropped by Worker.present)

    celery = require("celery", extra="redis")
    celery.signals.setup_logging.connect(_keep_logging, weak=False)  # voxcap's own logging
    log.info("worker %s started (Celery on %s)", worker.id, queue.display)
    with worker.present():
        _celery_worker(app, worker.id)


def _celery_worker(app: Any, worker_id: str) -> None:
    app.Worker(
        hostname=f"voxcap@{worker_id}",
        pool="solo",
        concurrency=1,
        queues=[QUEUE],
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        optimization="fair",
        quiet=True,
    ).start()


def _keep_logging(**_: object) -> None:
    """A ``setup_logging`` receiver: its presence tells Celery to leave logging alone."""
