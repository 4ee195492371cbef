import json
import ssl
import time

import pytest
import trustme
from django.utils import timezone

from tenants.context import tenant_scope
from webhooks import delivery as delivery_module
from webhooks.models import WebhookDelivery
from webhooks.services import delivery_attempt, event_body, event_publish, webhook_endpoint_create
from webhooks.signing import signature_verify

from . import factories
from .factories import rows
from .receiver import Receiver

pytestmark = pytest.mark.django_db

PAYLOAD = {"job": {"id": 42, "status": "succeeded", "renders": 2, "done": 2, "failed": 0}}


def _endpoint(brand, owner, url):
    with tenant_scope(brand.pk, user_id=owner.pk):
        return webhook_endpoint_create(
            tenant=brand, user=owner, url=url, event_types=["job.finished", "job.failed"]
        )


def _publish(brand, event_type="job.finished"):
    with tenant_scope(brand.pk):
        (row,) = event_publish(tenant=brand, event_type=event_type, payload=PAYLOAD)
    return row


def _attempt(row):
    return delivery_attempt(tenant_id=row.tenant_id, delivery_id=row.pk)


def _reload(row) -> WebhookDelivery:
    (fresh,) = rows(WebhookDelivery, row.tenant, pk=row.pk)
    return fresh


def _make_due(row):
    with tenant_scope(row.tenant_id):
        WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_signed_and_succeeds(brand, owner, receiver, allow_private, settings):
    endpoint = _endpoint(brand, owner, receiver.url("/in/brandloom?shop=1"))
    row = _publish(brand)

    result = _attempt(row)

    (request,) = receiver.wait_for(1)
    assert (result.status, result.retry_in) == ("succeeded", None)
    assert request.path == "/in/brandloom?shop=1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Brandloom-Event-Id"] == str(row.event_id)
    assert request.headers["Brandloom-Event-Type"] == "job.finished"
    assert request.headers["Brandloom-Delivery-Attempt"] == "1"
    assert request.headers["User-Agent"] == "Brandloom-Webhooks/1"
    signature = request.headers["Brandloom-Signature"]
    assert signature_verify(endpoint.secret, signature, request.body) is True
    assert signature_verify(endpoint.secret, signature, request.body.replace(b"42", b"43")) is False
    body = json.loads(request.body)
    assert body == {
        "id": str(row.event_id),
        "type": "job.finished",
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "brand_id": brand.pk,
        "data": PAYLOAD,
    }
    stored = _reload(row)
    assert (stored.status, stored.attempts, stored.last_response_code, stored.last_error) == (
        "succeeded",
        1,
        200,
        "",
    )
    assert stored.delivered_at is not None and stored.next_attempt_at is None
    assert [(a["code"], a["error"]) for a in stored.attempt_log] == [(200, "")]


def test_a_succeeded_delivery_is_never_sent_again(brand, owner, receiver, allow_private):
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    _attempt(row)

    again = _attempt(row)

    assert (again.status, again.retry_in) == ("succeeded", None)
    time.sleep(0.2)
    assert len(receiver.requests) == 1
    assert _reload(row).attempts == 1


def test_a_500_is_retried_later_with_the_same_body_and_event_id(
    brand, owner, receiver, allow_private, settings
):
    settings.APP_WEBHOOKS_RETRY_DELAYS = [60]
    endpoint = _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(500, body=b"database is down")

    first = _attempt(row)

    assert first.status == "retrying"
    assert 48 <= first.retry_in <= 72  # 60 s, ±20% jitter
    stored = _reload(row)
    assert (stored.attempts, stored.last_response_code, stored.last_error) == (
        1,
        500,
        "HTTP 500: database is down",
    )
    assert 47 <= (stored.next_attempt_at - timezone.now()).total_seconds() <= 72

    early = _attempt(row)  # a copy of the task that ran too soon sends nothing

    assert early.status == "retrying" and 45 <= early.retry_in <= 72
    assert len(receiver.requests) == 1

    _make_due(row)
    second = _attempt(row)

    assert (second.status, second.retry_in) == ("succeeded", None)
    one, two = receiver.wait_for(2)
    assert one.body == two.body
    assert one.headers["Brandloom-Event-Id"] == two.headers["Brandloom-Event-Id"]
    assert (
        one.headers["Brandloom-Delivery-Attempt"],
        two.headers["Brandloom-Delivery-Attempt"],
    ) == (
        "1",
        "2",
    )
    assert signature_verify(endpoint.secret, two.headers["Brandloom-Signature"], two.body)
    stored = _reload(row)
    assert (stored.status, stored.attempts, stored.last_response_code, stored.last_error) == (
        "succeeded",
        2,
        200,
        "",
    )
    assert [a["code"] for a in stored.attempt_log] == [500, 200]


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503])
def test_transient_answers_are_retried(brand, owner, receiver, allow_private, code):
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(code)

    result = _attempt(row)

    assert result.status == "retrying" and result.retry_in is not None
    assert _reload(row).last_response_code == code


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 422])
def test_other_client_errors_fail_without_retry(brand, owner, receiver, allow_private, code):
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(code, body=b'{"error": "bad signature"}')

    result = _attempt(row)

    assert (result.status, result.retry_in) == ("failed", None)
    stored = _reload(row)
    assert (stored.status, stored.attempts, stored.last_response_code, stored.last_error) == (
        "failed",
        1,
        code,
        f'HTTP {code}: {{"error": "bad signature"}}',
    )
    assert stored.next_attempt_at is None
    _make_due(row)
    assert _attempt(row).status == "failed"
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(brand, owner, receiver, allow_private):
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(302)

    result = _attempt(row)

    assert (result.status, result.retry_in) == ("failed", None)
    assert _reload(row).last_error == (
        "HTTP 302: redirects are not followed (to https://elsewhere.example/); register the "
        "final URL."
    )
    assert len(receiver.requests) == 1


def test_a_delivery_gives_up_after_the_last_scheduled_attempt(
    brand, owner, receiver, allow_private, settings
):
    settings.APP_WEBHOOKS_RETRY_DELAYS = [0, 0]
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(503, 503, 503, 503)

    results = [_attempt(row) for _ in range(4)]

    assert [r.status for r in results] == ["retrying", "retrying", "failed", "failed"]
    assert len(receiver.requests) == 3
    assert [a["code"] for a in _reload(row).attempt_log] == [503, 503, 503]


def test_a_refused_connection_is_retried(brand, owner, allow_private):
    closed = Receiver()
    url = closed.url()
    closed.close()
    _endpoint(brand, owner, url)
    row = _publish(brand)

    result = _attempt(row)

    assert result.status == "retrying"
    stored = _reload(row)
    assert stored.last_response_code is None
    assert stored.last_error.startswith("NewConnectionError: ")
    assert "Connection refused" in stored.last_error


def test_a_slow_receiver_times_out_and_is_retried(
    brand, owner, receiver, allow_private, monkeypatch
):
    monkeypatch.setattr(delivery_module, "READ_TIMEOUT", 0.5)
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(200, delay=3)

    started = time.monotonic()
    result = _attempt(row)

    assert time.monotonic() - started < 2.5
    assert result.status == "retrying"
    assert _reload(row).last_error.startswith("ReadTimeoutError: ")


def test_a_huge_response_body_is_not_read(brand, owner, receiver, allow_private):
    _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    receiver.answer(500, body=b"x" * 5_000_000)

    _attempt(row)

    assert _reload(row).last_error == "HTTP 500: " + "x" * 290


def test_a_deleted_endpoint_has_nothing_left_to_send(brand, owner, receiver, allow_private):
    endpoint = _endpoint(brand, owner, receiver.url())
    row = _publish(brand)
    with tenant_scope(brand.pk):
        endpoint.delete()

    result = _attempt(row)

    assert (result.status, result.retry_in) == ("", None)
    assert receiver.requests == []


def test_a_disabled_endpoint_fails_its_pending_deliveries(brand, receiver):
    endpoint = factories.endpoint(brand, url=receiver.url())
    row = factories.delivery(endpoint)
    with tenant_scope(brand.pk):
        type(endpoint).objects.filter(pk=endpoint.pk).update(is_active=False)

    result = _attempt(row)

    assert (result.status, result.retry_in) == ("failed", None)
    assert _reload(row).last_error == "The endpoint was disabled."
    assert receiver.requests == []


def test_an_attempt_in_flight_holds_the_delivery(brand, receiver, allow_private):
    endpoint = factories.endpoint(brand, url=receiver.url())
    row = factories.delivery(endpoint, attempts=1, last_attempt_at=timezone.now())
    with tenant_scope(brand.pk):  # as a worker that claimed it a moment ago left it
        WebhookDelivery.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() + timezone.timedelta(minutes=2)
        )

    result = _attempt(row)

    assert result.status == "pending" and 110 <= result.retry_in <= 120
    assert receiver.requests == []
    assert _reload(row).attempts == 1


def test_the_body_is_byte_for_byte_the_same_in_every_attempt(brand):
    row = factories.delivery(factories.endpoint(brand), payload={"b": 1, "a": "莲花"})

    assert event_body(_reload(row)) == event_body(_reload(row))
    assert "莲花".encode() in event_body(row)


# DNS REBINDING AND PINNING
# ------------------------------------------------------------------------------


def test_a_name_rebound_to_loopback_after_registration_is_refused_at_delivery(
    dns, brand, owner, receiver
):
    _endpoint(brand, owner, f"https://hooks.brand.test:{receiver.port}/hook")  # public then
    row = _publish(brand)
    dns.answers["hooks.brand.test"] = ["127.0.0.1"]  # and loopback now

    result = _attempt(row)

    assert (result.status, result.retry_in) == ("failed", None)
    stored = _reload(row)
    assert stored.last_error == (
        "Webhooks cannot be sent to hooks.brand.test: it resolves to 127.0.0.1, a loopback address."
    )
    assert stored.last_response_code is None
    assert receiver.requests == []


def test_one_internal_answer_among_public_ones_is_refused_at_delivery(dns, brand, owner):
    _endpoint(brand, owner, "https://hooks.brand.test/hook")
    row = _publish(brand)
    dns.answers["hooks.brand.test"] = ["93.184.215.14", "169.254.169.254"]

    result = _attempt(row)

    assert result.status == "failed"
    assert _reload(row).last_error.endswith(
        "it resolves to 169.254.169.254, the cloud metadata address."
    )


def test_the_connection_goes_to_the_address_that_was_checked(
    dns, brand, owner, receiver, allow_private
):
    dns.answers["hooks.brand.test"] = ["127.0.0.1"]
    _endpoint(brand, owner, f"http://hooks.brand.test:{receiver.port}/hook")
    row = _publish(brand)
    dns.lookups.clear()

    result = _attempt(row)

    (request,) = receiver.wait_for(1)
    assert result.status == "succeeded"
    assert request.headers["Host"] == f"hooks.brand.test:{receiver.port}"
    # Resolved once, by the policy; the HTTP client connected to the number it was given.
    assert dns.lookups == ["hooks.brand.test"]


@pytest.fixture
def tls_receiver(tmp_path):
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("hooks.brand.test").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = Receiver(tls=server_context)
    server.ca_file = str(ca_file)
    yield server
    server.close()


def test_https_to_a_pinned_address_checks_the_certificate_for_the_host_name(
    dns, brand, owner, tls_receiver, allow_private, settings
):
    settings.APP_WEBHOOKS_CA_BUNDLE = tls_receiver.ca_file
    dns.answers["hooks.brand.test"] = ["127.0.0.1"]
    endpoint = _endpoint(brand, owner, f"https://hooks.brand.test:{tls_receiver.port}/hook")
    row = _publish(brand)

    result = _attempt(row)

    (request,) = tls_receiver.wait_for(1)
    assert result.status == "succeeded"
    assert tls_receiver.sni == ["hooks.brand.test"]
    assert request.headers["Host"] == f"hooks.brand.test:{tls_receiver.port}"
    assert signature_verify(endpoint.secret, request.headers["Brandloom-Signature"], request.body)


def test_https_refuses_a_certificate_for_another_name(
    dns, brand, owner, tls_receiver, allow_private, settings
):
    settings.APP_WEBHOOKS_CA_BUNDLE = tls_receiver.ca_file
    dns.answers["other.brand.test"] = ["127.0.0.1"]
    _endpoint(brand, owner, f"https://other.brand.test:{tls_receiver.port}/hook")
    row = _publish(brand)

    result = _attempt(row)

    assert result.status == "retrying"
    error = _reload(row).last_error
    assert error.startswith("SSLError: ")
    assert "certificate verify failed" in error or "match" in error
    assert tls_receiver.requests == []


def test_https_refuses_a_certificate_from_an_unknown_authority(
    dns, brand, owner, tls_receiver, allow_private
):
    dns.answers["hooks.brand.test"] = ["127.0.0.1"]
    _endpoint(brand, owner, f"https://hooks.brand.test:{tls_receiver.port}/hook")
    row = _publish(brand)

    result = _attempt(row)

    assert result.status == "retrying"
    assert "certificate verify failed" in _reload(row).last_error
    assert tls_receiver.requests == []
