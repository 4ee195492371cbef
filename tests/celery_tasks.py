"""Tasks that exist only for the test suite; test workers load them with `--include`."""

import os
import time

import redis
from celery import shared_task
from django.conf import settings

from config.request_context import current_request_id


@shared_task(name="tests.echo_request_id")
def echo_request_id() -> str | None:
    return current_request_id()


@shared_task(name="tests.count_and_sleep")
def count_and_sleep(*, key: str, seconds: float) -> int:
    """Counts each delivery in Redis, then works for `seconds`: a killed worker shows as 2."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    attempt = int(client.incr(key))
    client.rpush(f"{key}:pids", os.getpid())
    time.sleep(seconds)
    return attempt


@shared_task(name="tests.count_members_in_scope")
def count_members_in_scope(*, tenant_id: int) -> dict[str, int]:
    """A tenant task as every real one is written: it enters its brand's scope explicitly."""
    from django.db import connection

    from tenants.context import tenant_scope
    from tenants.models import Membership

    with tenant_scope(tenant_id):
        orm = Membership.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenants_membership")
            raw = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenants_membership")
        outside = cursor.fetchone()[0]
    return {"orm": orm, "raw": raw, "outside": outside}


@shared_task(name="tests.count_members_unscoped")
def count_members_unscoped() -> str:
    from tenants.context import TenantScopeMissing
    from tenants.models import Membership

    try:
        Membership.objects.count()
    except TenantScopeMissing:
        return "refused"
    return "counted"
