"""The beat sweep that makes PostgreSQL, not Redis, the record of what is left to do.

A worker killed mid-render rolls its transaction back; a flushed or failed-over Redis loses
queued messages and chord counters. Either way the rows still say `pending` (renders) or
`queued`/`running` (jobs), and this sweep sends them again. Sending twice is harmless: every
task checks its row's state under a row lock before it acts.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from generation import tasks
from generation.models import LANE_PRIORITY, Job, Render
from tenants.context import unscoped

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 5000


def pipeline_recover() -> dict[str, int]:
    """Re-send renders pending past the deadline, unplanned jobs, and jobs left unfinished."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.APP_RENDER_STUCK_AFTER)
    with unscoped(reason="pipeline recovery sweep"):
        stuck = list(
            Render.all_tenants.filter(status=Render.Status.PENDING, enqueued_at__lt=cutoff)
            .exclude(job__status=Job.Status.CANCELLED)
            .values_list("pk", "tenant_id", "job__lane")[:SWEEP_LIMIT]
        )
        Render.all_tenants.filter(pk__in=[pk for pk, _, _ in stuck]).update(enqueued_at=now)
        unplanned = list(
            Job.all_tenants.filter(status=Job.Status.QUEUED, created_at__lt=cutoff).values_list(
                "pk", "tenant_id"
            )[:SWEEP_LIMIT]
        )
        pending = Render.all_tenants.filter(job=OuterRef("pk"), status=Render.Status.PENDING)
        settled = list(
            Job.all_tenants.filter(status=Job.Status.RUNNING)
            .filter(~Exists(pending))
            .values_list("pk", "tenant_id")[:SWEEP_LIMIT]
        )

        def send() -> None:
            for render_id, tenant_id, lane in stuck:
                tasks.render_run.apply_async(
                    kwargs={"tenant_id": tenant_id, "render_ids": [render_id]},
                    priority=LANE_PRIORITY[Job.Lane(lane)],
                )
            for job_id, tenant_id in unplanned:
                tasks.job_plan.delay(tenant_id=tenant_id, job_id=job_id)
            for job_id, tenant_id in settled:
                tasks.job_finalize.delay(tenant_id=tenant_id, job_id=job_id)

        transaction.on_commit(send)
    counts = {"renders": len(stuck), "plans": len(unplanned), "finalizations": len(settled)}
    if any(counts.values()):
        logger.warning("pipeline.recovered", extra=counts)
    return counts
