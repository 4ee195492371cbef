"""Celery entry points of the pipeline: each loads ids, enters the brand's scope, calls a service.

plan (queue default) → group(render × N) on queue render, interactive before bulk by priority
→ chord callback finalize. The beat sweep (recovery.py) re-sends whatever a lost worker or a
flushed Redis dropped, because the rows in PostgreSQL, not the messages, say what is left.
"""

import logging
from collections.abc import Sequence

from celery import chord, group, shared_task
from celery.app.task import Task

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


def renders_dispatch(
    *, tenant_id: int, job_id: int, render_ids: Sequence[int], priority: int
) -> None:
    """Send one render task per id, with the job's finalisation as the chord callback."""
    header = group(
        render_run.si(tenant_id=tenant_id, render_id=render_id).set(priority=priority)
        for render_id in render_ids
    )
    chord(header)(job_finalize.si(tenant_id=tenant_id, job_id=job_id).set(priority=priority))


@shared_task(
    name="generation.render_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=RENDER_MAX_RETRIES,
)
def render_run(self: Task, *, tenant_id: int, render_id: int) -> str:
    """Never raises once retries are spent: a raising chord member would cancel the callback."""
    try:
        with tenant_scope(tenant_id):
            return rendering.render_execute(tenant_id=tenant_id, render_id=render_id)
    except rendering.RetryableRenderError as error:
        if self.request.retries < RENDER_MAX_RETRIES:
            raise self.retry(countdown=min(60, 2 ** (self.request.retries + 1))) from error
        with tenant_scope(tenant_id):
            rendering.render_fail(
                tenant_id=tenant_id,
                render_id=render_id,
                reason=f"Gave up after {RENDER_MAX_RETRIES + 1} attempts: {error}",
            )
        return rendering.Outcome.FAILED


@shared_task(name="generation.job_finalize", acks_late=True)
def job_finalize(*, tenant_id: int, job_id: int) -> None:
    with tenant_scope(tenant_id):
        jobs.job_finalize(tenant_id=tenant_id, job_id=job_id)


@shared_task(name="generation.renders_recover")
def renders_recover() -> dict[str, int]:
    """Beat: re-send stuck renders and plans, close jobs whose chord was lost."""
    return recovery.pipeline_recover()
