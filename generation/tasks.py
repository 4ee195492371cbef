"""Celery entry points of the pipeline: each loads ids, enters the brand's scope, calls a service.

plan (queue default) → group(render × N) on queue render, interactive before bulk by priority
→ chord callback finalize. The beat sweep (recovery.py) re-sends whatever a lost worker or a
flushed Redis dropped, because the rows in PostgreSQL, not the messages, say what is left.
"""

import logging
from collections.abc import Sequence

from celery import chord, group, shared_task
from celery.app.task import Task
from django.conf import settings

from generation import jobs, recovery, rendering
from generation.backends.text.base import TextBackendError
from tenants.context import tenant_scope

logger = logging.getLogger(__name__)

RENDER_MAX_RETRIES = 4


@shared_task(
    name="generation.job_plan",
    bind=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def job_plan(self: Task, *, tenant_id: int, job_id: int) -> None:
    try:
        with tenant_scope(tenant_id):
            jobs.job_plan(tenant_id=tenant_id, job_id=job_id)
    except TextBackendError as error:
        if error.retryable and self.request.retries < (self.max_retries or 0):
            raise self.retry(countdown=2 ** (self.request.retries + 1)) from error
        with tenant_scope(tenant_id):
            jobs.job_fail(tenant_id=tenant_id, job_id=job_id, reason=f"Copy failed: {error}")
    except Exception as error:
        # Left queued, the job would be planned again by every recovery sweep, forever.
        logger.exception("job.plan_crashed", extra={"tenant_id": tenant_id, "job_id": job_id})
        with tenant_scope(tenant_id):
            jobs.job_fail(
                tenant_id=tenant_id,
                job_id=job_id,
                reason=f"Planning failed unexpectedly ({type(error).__name__}); clone the job "
                "to try again.",
            )


def render_batches(render_ids: Sequence[int], *, largest: int) -> list[list[int]]:
    """Split a job's renders into tasks: about eight or more per job, at most `largest` each.

    One task per render costs a broker round trip, a result and a chord count each; batching
    pays them once per batch. Small jobs keep one render per task, so they spread over every
    worker process and finish fastest; a batch also bounds how long an interactive render can
    wait behind a bulk task already running.
    """
    size = max(1, min(largest, len(render_ids) // 8))
    return [list(render_ids[i : i + size]) for i in range(0, len(render_ids), size)]


def renders_dispatch(
    *, tenant_id: int, job_id: int, render_ids: Sequence[int], priority: int
) -> None:
    """Send the renders in batches, with the job's finalisation as the chord callback."""
    header = group(
        render_run.si(tenant_id=tenant_id, render_ids=batch).set(priority=priority)
        for batch in render_batches(render_ids, largest=settings.APP_RENDER_BATCH)
    )
    chord(header)(job_finalize.si(tenant_id=tenant_id, job_id=job_id).set(priority=priority))


@shared_task(
    name="generation.render_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=RENDER_MAX_RETRIES,
)
def render_run(self: Task, *, tenant_id: int, render_ids: list[int]) -> dict[str, int]:
    """Each render in its own transaction; those that failed transiently are retried together.

    Never raises once retries are spent: a raising chord member would cancel the callback.
    """
    outcomes: dict[str, int] = {}
    transient: list[int] = []
    reason = ""
    for render_id in render_ids:
        try:
            with tenant_scope(tenant_id):
                outcome = rendering.render_execute(tenant_id=tenant_id, render_id=render_id)
        except rendering.RetryableRenderError as error:
            transient.append(render_id)
            reason = str(error)
            continue
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if transient and self.request.retries < RENDER_MAX_RETRIES:
        raise self.retry(
            kwargs={"tenant_id": tenant_id, "render_ids": transient},
            countdown=min(60, 2 ** (self.request.retries + 1)),
        )
    for render_id in transient:
        with tenant_scope(tenant_id):
            rendering.render_fail(
                tenant_id=tenant_id,
                render_id=render_id,
                reason=f"Gave up after {RENDER_MAX_RETRIES + 1} attempts: {reason}",
            )
        outcomes[rendering.Outcome.FAILED] = outcomes.get(rendering.Outcome.FAILED, 0) + 1
    return outcomes


@shared_task(name="generation.job_finalize", acks_late=True)
def job_finalize(*, tenant_id: int, job_id: int) -> None:
    with tenant_scope(tenant_id):
        jobs.job_finalize(tenant_id=tenant_id, job_id=job_id)


@shared_task(name="generation.renders_recover")
def renders_recover() -> dict[str, int]:
    """Beat: re-send stuck renders and plans, close jobs whose chord was lost."""
    return recovery.pipeline_recover()
