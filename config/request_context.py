"""A request id for every request, carried into logs and into the Celery tasks it starts."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Celery message header that carries the id from the web process to the worker.
TASK_HEADER = "request_id"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# An id from a proxy is kept only if it cannot inject anything into logs or headers.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Runs each request in its own copy of the context variables, with a request id.

    Whatever a request puts in a ContextVar (its id, its tenant, its user) dies with it, so a
    worker thread's next request starts clean. The id comes from X-Request-ID when the proxy
    sent a well-formed one, else it is made here, and is echoed back on the response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return contextvars.copy_context().run(self._handle, request)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTABLE_ID.match(incoming) else new_request_id()
        request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Celery `before_task_publish`: stamp the current request id on the outgoing message."""
    request_id = request_id_var.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def enter_task_request_id(task: Any = None, **_: Any) -> None:
    """Celery `task_prerun`: make the publishing request's id current inside the task."""
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    request_id_var.set(request_id or (task.request.id if task is not None else None))


def leave_task_request_id(**_: Any) -> None:
    """Celery `task_postrun`: a pool process runs many tasks; none inherits the last one's id."""
    request_id_var.set(None)
