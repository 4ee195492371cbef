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
