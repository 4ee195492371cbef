import logging

import pytest
from django.urls import reverse

from config.request_context import RequestIdLogFilter, request_id_var


def test_a_request_without_an_id_gets_a_fresh_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_well_formed_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd-5678"})

    assert response["X-Request-ID"] == "lb-1234abcd-5678"


@pytest.mark.parametrize("incoming", ["short", "x" * 65, "abc def ghi jk", "id\r\nSet-Cookie: a=b"])
def test_a_malformed_id_from_outside_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_log_records_carry_the_current_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = request_id_var.set("req-abcdef12")
    try:
        RequestIdLogFilter().filter(record)
    finally:
        request_id_var.reset(token)

    assert record.request_id == "req-abcdef12"


def test_log_records_outside_a_request_say_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)

    RequestIdLogFilter().filter(record)

    assert record.request_id == "-"


@pytest.mark.celery_worker
def test_a_task_published_in_a_request_runs_under_that_request_id(celery_worker):
    from tests.celery_tasks import echo_request_id

    token = request_id_var.set("req-from-web-0001")
    try:
        result = echo_request_id.delay()
    finally:
        request_id_var.reset(token)

    assert result.get(timeout=20) == "req-from-web-0001"
    assert reverse("readyz") == "/readyz"


@pytest.mark.celery_worker
def test_a_task_published_outside_a_request_runs_under_its_own_task_id(celery_worker):
    from tests.celery_tasks import echo_request_id

    result = echo_request_id.delay()

    assert result.get(timeout=20) == result.id
