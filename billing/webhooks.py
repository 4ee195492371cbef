"""The Stripe webhook endpoint: verify, store once, answer 200, process in a task."""

import logging

import stripe
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import stripe_sync, tasks

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event, is_new = stripe_sync.event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except stripe.SignatureVerificationError:
        return JsonResponse(
            {"error": "The Stripe-Signature header is missing, forged or stale."}, status=400
        )
    except ValueError:
        return JsonResponse({"error": "The body is not a Stripe event."}, status=400)
    if is_new:
        event_id = event.pk
        transaction.on_commit(lambda: tasks.stripe_event_process.delay(event_id=event_id))
    return JsonResponse({"received": True, "duplicate": not is_new})
