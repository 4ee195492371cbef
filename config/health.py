"""Liveness and readiness probes for load balancers and `make run`."""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the vector extension is not installed: run `manage.py migrate`")
    return f"pgvector {row[0]}"


def _check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()
    return "pong"


def _check_celery() -> str:
    replies = celery_app.control.ping(timeout=1.0)
    if not replies:
        raise RuntimeError("no Celery worker answered a ping within 1 s")
    return f"{len(replies)} worker(s)"


# In order: the Celery check is skipped when Redis, its broker, is down (it would only hang).
CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "redis": _check_redis,
    "celery": _check_celery,
}


@require_GET
@never_cache
@transaction.non_atomic_requests  # liveness must not depend on the database
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        if name == "celery" and not results["redis"]["ok"]:
            results[name] = {"ok": False, "error": "not checked: Redis, its broker, is unreachable"}
            continue
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            results[name] = {"ok": False, "error": message or type(error).__name__}
    failing = [name for name, result in results.items() if not result["ok"]]
    body = {"status": "unavailable" if failing else "ready", "failing": failing, "checks": results}
    return JsonResponse(body, status=503 if failing else 200)
