import pytest
from rest_framework.test import APIClient

from generation import storage
from generation.models import BrandKit, Product, ProductPhoto
from tests.tenants.factories import TenantFactory, api_key, rows

from .factories import product
from .image_samples import cut_out_png, encode, png_bomb

pytestmark = pytest.mark.django_db


def client_for(tenant, scopes=("assets:read", "assets:write")) -> APIClient:
    _row, key = api_key(tenant, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_product_with_a_reference_price_needs_its_basis():
    tenant = TenantFactory()
    body = {"sku": "A1", "title": "精华", "price": "199.00", "reference_price": "299.00"}

    refused = client_for(tenant).post("/api/v1/products", body, format="json")
    created = client_for(tenant).post(
        "/api/v1/products", {**body, "reference_price_basis": "前30日最低价"}, format="json"
    )

    assert refused.status_code == 400
    assert "basis" in refused.json()["error"]["details"]["reference_price_basis"][0]
    assert created.status_code == 201
    assert created.json()["reference_price_basis"] == "前30日最低价"
    assert [p.sku for p in rows(Product, tenant)] == ["A1"]


def test_a_duplicate_sku_is_a_400():
    tenant = TenantFactory()
    product(tenant, sku="DUP")

    response = client_for(tenant).post(
        "/api/v1/products", {"sku": "DUP", "title": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "exists" in response.json()["error"]["details"]["sku"][0]


def test_a_cut_out_photo_upload_is_stored_under_the_brand_with_its_alpha():
    tenant = TenantFactory()
    serum = product(tenant)
    upload = encode(cut_out_png(), "PNG")

    response = client_for(tenant).post(
        f"/api/v1/products/{serum.pk}/photos",
        {"image": _file("serum.png", upload, "image/png")},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    photo = response.json()["photos"][0]
    assert photo["has_alpha"] is True
    stored = rows(ProductPhoto, tenant)[0]
    assert stored.file.name.startswith(f"tenants/{tenant.pk}/products/{serum.pk}/")
    assert storage.read_bytes(stored.file.name)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "words"),
    [
        ("bomb.png", png_bomb(), "image/png", "the limit is 40 megapixels"),
        ("notes.png", b"just some text, not a picture", "image/png", "not a PNG, JPEG or WebP"),
        ("cut.png", encode(cut_out_png(), "PNG")[:400], "image/png", "truncated or corrupt"),
    ],
)
def test_hostile_uploads_get_a_400_and_store_nothing(name, data, content_type, words):
    tenant = TenantFactory()
    serum = product(tenant)

    response = client_for(tenant).post(
        f"/api/v1/products/{serum.pk}/photos",
        {"image": _file(name, data, content_type)},
        format="multipart",
    )

    assert response.status_code == 400
    assert words in response.json()["error"]["details"]["image"][0]
    assert rows(ProductPhoto, tenant) == []


def test_editing_the_brand_kit_writes_a_new_version_and_bad_colours_are_refused():
    tenant = TenantFactory()
    client = client_for(tenant)
    current = client.get("/api/v1/brand-kit").json()
    palette = {**current["palette"], "primary": "#112233"}

    updated = client.patch(
        "/api/v1/brand-kit", {"palette": palette, "banned_words": ["最", " 第一 "]}, format="json"
    )
    refused = client.patch(
        "/api/v1/brand-kit", {"palette": {**palette, "accent": "teal"}}, format="json"
    )

    assert current["version"] == 1
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.json()["banned_words"] == ["最", "第一"]
    assert refused.status_code == 400
    assert [k.version for k in rows(BrandKit, tenant)] == [1, 2]


def test_a_key_without_the_write_scope_cannot_change_the_catalog():
    tenant = TenantFactory()

    response = client_for(tenant, scopes=("assets:read",)).post(
        "/api/v1/products", {"sku": "X", "title": "x"}, format="json"
    )

    assert response.status_code == 403
    assert rows(Product, tenant) == []


def _file(name: str, data: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
