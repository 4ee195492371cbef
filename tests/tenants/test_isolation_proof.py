"""Every route that takes an object id, called with another brand's ids, answers 404 and
changes nothing. Routes are read from the URL configuration, so new ones join automatically:
a parameter nobody registered below fails `test_every_id_parameter_is_known`."""

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.context import tenant_scope, unscoped
from tenants.models import ApiKey, AuditEvent, Invitation, Membership, TenantOwnedModel
from tenants.roles import Role

from ..compliance import factories as compliance_factories
from ..generation import factories as generation_factories
from ..generation.image_samples import encode, solid
from ..webhooks import factories as webhook_factories
from .factories import TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db

# Route prefixes that are not brand data: staff admin and staff pages (cross-brand by design,
# 404 to everyone else: tests/billing/test_billing_page.py), static files, language, probes,
# schema.
NOT_BRAND_ROUTES = (
    "admin/", "staff/", "i18n/", "static/", "media/", "healthz", "readyz", "api/v1/schema",
)  # fmt: skip
# Parameters that are capabilities by design, not ids: whoever holds the secret may use it.
CAPABILITY_PARAMETERS = {"token", "uidb64"}


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _routes() -> list[tuple[str, list[str]]]:
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_BRAND_ROUTES) or route.startswith("^"):
            continue
        parameters = list(pattern.pattern.converters)
        if parameters and not set(parameters) & CAPABILITY_PARAMETERS:
            routes.append((route, parameters))
    return routes


def _foreign_objects(tenant) -> dict[str, int]:
    """One object of each kind in the *other* brand, by the URL parameter that names it."""
    owner = member(tenant, Role.OWNER)
    viewer = member(tenant, Role.VIEWER)
    with tenant_scope(tenant.pk):
        invitation = Invitation.objects.create(
            tenant=tenant,
            email="x@other.test",
            role=Role.EDITOR,
            token_hash="f" * 64,
            expires_at=timezone.now() + timedelta(days=1),
        )
        key = ApiKey.objects.create(
            tenant=tenant, name="theirs", prefix="zzzzzzzz", key_hash="0" * 64, scopes=[]
        )
        event = AuditEvent.objects.create(tenant=tenant, action="x")
    their_product = generation_factories.product(tenant, sku="THEIRS")
    their_job = generation_factories.job(tenant, product_ids=(their_product.pk,))
    their_photo = generation_factories.product_photo(
        tenant, their_product, encode(solid("RGB", (96, 96), "#C2410C"), "PNG")
    )
    their_endpoint = webhook_factories.endpoint(tenant)
    their_delivery = webhook_factories.delivery(their_endpoint)
    their_evidence = compliance_factories.claim_evidence(tenant)
    their_rule = compliance_factories.custom_rule(tenant)
    their_review_item = compliance_factories.review_items(
        tenant, compliance_factories.planned(tenant, variants=1)
    )[0]
    their_asset, their_bank, their_entry, their_batch = _library_objects(tenant)
    return {
        "job_id": their_job.pk,
        "product_id": their_product.pk,
        "photo_id": their_photo.pk,
        "endpoint_id": their_endpoint.pk,
        "delivery_id": their_delivery.pk,
        "membership_id": viewer.pk,
        "member_id": viewer.pk,
        "invitation_id": invitation.pk,
        "api_key_id": key.pk,
        "key_id": key.pk,
        "audit_event_id": event.pk,
        "tenant_id": tenant.pk,
        "brand_id": tenant.pk,
        "user_id": owner.user_id,
        "evidence_id": their_evidence.pk,
        "rule_id": their_rule.pk,
        "review_item_id": their_review_item.pk,
        "item_id": their_review_item.pk,
        "render_id": their_review_item.render_id,
        "asset_id": their_asset.pk,
        "bank_id": their_bank.pk,
        "entry_id": their_entry.pk,
        "batch_id": their_batch.pk,
    }


def _library_objects(tenant):
    """An uploaded image, a do-not-reuse bank with one entry, and an upload batch of `tenant`."""
    from library import ingest, services
    from library.models import UploadBatch

    with tenant_scope(tenant.pk):
        asset = ingest.library_image_add(
            tenant_id=tenant.pk, data=encode(solid("RGB", (320, 320), "#0F766E"), "PNG"),
            name="theirs.png",
        ).asset  # fmt: skip
        bank = services.bank_create(tenant=tenant, actor=None, name="theirs")
        entry = services.bank_entry_add(tenant=tenant, actor=None, bank=bank, text="theirs")
        batch = UploadBatch.objects.create(tenant=tenant)
    return asset, bank, entry, batch


def _fingerprint() -> str:
    """A hash of every tenant-owned row of every brand."""
    rows = []
    with unscoped(reason="test: compare all brands' rows before and after"):
        for model in sorted(TenantOwnedModel.__subclasses__(), key=lambda m: m.__name__):
            for concrete in [model, *model.__subclasses__()]:
                if concrete._meta.abstract:
                    continue
                rows.append(list(concrete.all_tenants.order_by("pk").values()))
    return hashlib.sha256(json.dumps(rows, cls=DjangoJSONEncoder).encode()).hexdigest()


def test_every_id_parameter_is_known():
    known = set(_foreign_objects(TenantFactory()))
    unknown = {(route, p) for route, params in _routes() for p in params if p not in known}

    assert unknown == set(), "add these parameters to _foreign_objects()"


def _fill(route: str, values: dict[str, int]) -> str:
    path = route
    for name, value in values.items():
        for converter in ("int", "str", "slug", "uuid", "path"):
            path = path.replace(f"<{converter}:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    return "/" + path


def _api_key_for(tenant) -> str:
    from tenants.api_keys import ApiScope, api_key_create

    owner = Membership.all_tenants.filter(tenant=tenant, role=Role.OWNER).first()
    with tenant_scope(tenant.pk):
        _key, plaintext = api_key_create(
            tenant=tenant,
            actor=owner.user if owner else None,
            name="mine",
            scopes=sorted(ApiScope),
            expires_at=None,
        )
    return plaintext


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_another_brands_ids_are_not_found_and_nothing_changes(method):
    mine, theirs = TenantFactory(), TenantFactory()
    me = UserFactory()
    member(mine, Role.OWNER, user=me)
    values = _foreign_objects(theirs)
    session = APIClient()
    session.force_login(me)
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Bearer {_api_key_for(mine)}")
    routes = _routes()
    before = _fingerprint()

    answers = {}
    for route, _params in routes:
        path = _fill(route, values)
        clients = [("session", session)] + ([("key", keyed)] if route.startswith("api/") else [])
        for label, client in clients:
            response = getattr(client, method)(path, data={}, format="json")
            if response.status_code != 405:  # the route does not take this method at all
                answers[(route, label)] = response.status_code

    assert routes, "no route with an id parameter was found"
    assert {k: v for k, v in answers.items() if v != 404} == {}
    assert _fingerprint() == before
