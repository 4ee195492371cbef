from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from generation.models import Product, ProductPhoto
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member, rows

from .factories import product, product_photo
from .image_samples import cut_out_png, encode, noise

pytestmark = pytest.mark.django_db


def logged_in(tenant, role=Role.EDITOR) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def fields(**changes):
    data = {
        "sku": "SERUM-30",
        "title": "玻尿酸补水精华液 30ml",
        "category": "护肤",
        "description": "清爽不黏腻",
        "price": "199.00",
        "currency": "cny",
        "reference_price": "",
        "reference_price_basis": "",
        "attributes": "容量: 30ml\n成分：玻尿酸\n\n",
    }
    data.update(changes)
    return data


def jpeg(seed: int = 1) -> bytes:
    return encode(noise("RGB", (120, 90), seed=seed), "JPEG")


def test_the_catalog_lists_products_with_thumbnails():
    tenant = TenantFactory()
    serum = product(tenant, sku="SERUM-30", title="玻尿酸补水精华液")
    product_photo(tenant, serum, jpeg())
    product(tenant, sku="CREAM-50", title="修护面霜")

    response = logged_in(tenant, Role.VIEWER).get("/catalog/")

    assert response.status_code == 200
    text = response.text
    assert "玻尿酸补水精华液" in text and "修护面霜" in text
    assert text.count('<img class="thumb"') == 1
    assert "New product" not in text  # a viewer can't add one


def test_the_catalog_searches_by_sku_or_title():
    tenant = TenantFactory()
    product(tenant, sku="SERUM-30", title="精华液")
    product(tenant, sku="CREAM-50", title="面霜")

    response = logged_in(tenant).get("/catalog/?q=cream")

    assert [row.product.sku for row in response.context["rows"]] == ["CREAM-50"]


def test_the_catalog_costs_the_same_queries_for_many_products(django_assert_max_num_queries):
    tenant = TenantFactory()
    client = logged_in(tenant)
    product_photo(tenant, product(tenant, sku="P-0"), jpeg(0))
    with django_assert_max_num_queries(20) as few:
        client.get("/catalog/")
    for n in range(1, 12):
        product_photo(tenant, product(tenant, sku=f"P-{n}"), jpeg(n))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/catalog/")

    assert len(response.context["rows"]) == 12


def test_another_brands_products_are_not_listed():
    mine, theirs = TenantFactory(), TenantFactory()
    product(theirs, sku="THEIRS", title="别人的产品")

    response = logged_in(mine).get("/catalog/")

    assert "别人的产品" not in response.text
    assert response.context["rows"] == []


def test_an_editor_creates_a_product():
    tenant = TenantFactory()

    response = logged_in(tenant).post("/catalog/new/", fields())

    [created] = rows(Product, tenant)
    assert response["Location"] == f"/catalog/{created.pk}/"
    assert (created.sku, created.price, created.currency) == ("SERUM-30", Decimal("199.00"), "CNY")
    assert created.attributes == {"容量": "30ml", "成分": "玻尿酸"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"reference_price": "299.00"},
            "A reference price needs its basis (for example 前30日最低价 or &#x27;List price&#x27;)"
            ": price-display rules forbid a crossed-out price without one.",
        ),
        (
            {"reference_price": "99.00", "reference_price_basis": "前30日最低价"},
            "The reference price must be higher than the price.",
        ),
        ({"price": "-1"}, "Prices cannot be negative."),
        ({"sku": ""}, "This field is required."),
        ({"attributes": "容量 30ml"}, "Line 1: write it as key: value."),
        ({"currency": "12$"}, "Use a three-letter currency code, e.g. CNY."),
    ],
)
def test_bad_product_input_shows_the_form_again_with_the_message(changes, message):
    tenant = TenantFactory()

    response = logged_in(tenant).post("/catalog/new/", fields(**changes))

    assert response.status_code == 400
    assert message in response.text
    assert rows(Product, tenant) == []


def test_a_duplicate_sku_is_a_form_error():
    tenant = TenantFactory()
    product(tenant, sku="SERUM-30")

    response = logged_in(tenant).post("/catalog/new/", fields())

    assert response.status_code == 400
    assert "A product with SKU &#x27;SERUM-30&#x27; exists." in response.text
    assert len(rows(Product, tenant)) == 1


def test_an_editor_edits_a_product_with_a_reference_price_and_basis():
    tenant = TenantFactory()
    serum = product(tenant, sku="SERUM-30")
    client = logged_in(tenant)
    page = client.get(f"/catalog/{serum.pk}/")

    response = client.post(
        f"/catalog/{serum.pk}/",
        fields(title="新标题", reference_price="299.00", reference_price_basis="前30日最低价"),
    )

    assert page.status_code == 200
    assert "容量: 30ml" in page.text
    assert response["Location"] == f"/catalog/{serum.pk}/"
    [saved] = rows(Product, tenant)
    assert (saved.title, saved.reference_price, saved.reference_price_basis) == (
        "新标题",
        Decimal("299.00"),
        "前30日最低价",
    )


def test_a_viewer_sees_the_product_read_only_and_cannot_change_it():
    tenant = TenantFactory()
    serum = product(tenant, sku="SERUM-30", title="原标题")
    client = logged_in(tenant, Role.VIEWER)

    page = client.get(f"/catalog/{serum.pk}/")
    new_form = client.get("/catalog/new/")
    create = client.post("/catalog/new/", fields(sku="NEW"))
    update = client.post(f"/catalog/{serum.pk}/", fields(title="改了"))
    delete = client.post(f"/catalog/{serum.pk}/delete/")
    upload = client.post(
        f"/catalog/{serum.pk}/photos/",
        {"image": SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")},
    )

    assert page.status_code == 200
    assert 'name="title" value="原标题" maxlength="200" required disabled' in page.text
    assert "Save product" not in page.text
    assert [
        new_form.status_code,
        create.status_code,
        update.status_code,
        delete.status_code,
        upload.status_code,
    ] == [403] * 5
    assert [(p.sku, p.title) for p in rows(Product, tenant)] == [("SERUM-30", "原标题")]
    assert rows(ProductPhoto, tenant) == []


def test_photo_upload_adds_a_normalised_photo():
    tenant = TenantFactory()
    serum = product(tenant)
    client = logged_in(tenant)
    upload = SimpleUploadedFile("cut.png", encode(cut_out_png(), "PNG"), content_type="image/png")

    response = client.post(f"/catalog/{serum.pk}/photos/", {"image": upload}, follow=True)

    assert "Photo added." in response.text
    [photo] = rows(ProductPhoto, tenant)
    assert (photo.product_id, photo.has_alpha, photo.content_type) == (
        serum.pk,
        True,
        "image/png",
    )
    assert "cut-out" in response.text
    thumbnail = Client().get(response.context["photos"][0].thumbnail_url)
    assert (thumbnail.status_code, thumbnail["Content-Type"]) == (200, "image/jpeg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (jpeg()[:300], "The image file is truncated or corrupt."),
        (b"<html><script>alert(1)</script></html>", "The file is not a PNG, JPEG or WebP image."),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_bad_upload_is_a_form_error(data, message):
    tenant = TenantFactory()
    serum = product(tenant)

    response = logged_in(tenant).post(
        f"/catalog/{serum.pk}/photos/",
        {"image": SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")},
    )

    assert response.status_code == 400
    assert message in response.text
    assert rows(ProductPhoto, tenant) == []


def test_an_editor_removes_a_photo_and_deletes_a_product():
    tenant = TenantFactory()
    serum = product(tenant)
    photo = product_photo(tenant, serum, jpeg())
    client = logged_in(tenant)

    removed = client.post(f"/catalog/{serum.pk}/photos/{photo.pk}/delete/")
    deleted = client.post(f"/catalog/{serum.pk}/delete/", follow=True)

    assert removed["Location"] == f"/catalog/{serum.pk}/"
    assert deleted.redirect_chain == [("/catalog/", 302)]
    assert "Product SKU-1 deleted." in deleted.text
    assert rows(ProductPhoto, tenant) == [] and rows(Product, tenant) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/catalog/{product}/"),
        ("post", "/catalog/{product}/"),
        ("post", "/catalog/{product}/delete/"),
        ("post", "/catalog/{product}/photos/"),
        ("post", "/catalog/{product}/photos/{photo}/delete/"),
    ],
)
def test_another_brands_product_is_not_found_and_not_touched(method, path):
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs, sku="THEIRS", title="别人的")
    their_photo = product_photo(theirs, their_product, jpeg())
    upload = SimpleUploadedFile("a.jpg", jpeg(2), content_type="image/jpeg")

    response = getattr(logged_in(mine), method)(
        path.format(product=their_product.pk, photo=their_photo.pk),
        {**fields(title="改了"), "image": upload},
    )

    assert response.status_code == 404
    assert [(p.sku, p.title) for p in rows(Product, theirs)] == [("THEIRS", "别人的")]
    assert [p.pk for p in rows(ProductPhoto, theirs)] == [their_photo.pk]
    assert rows(Product, mine) == []


def test_a_photo_of_another_product_is_not_found():
    tenant = TenantFactory()
    serum, cream = product(tenant, sku="A"), product(tenant, sku="B")
    photo = product_photo(tenant, cream, jpeg())

    response = logged_in(tenant).post(f"/catalog/{serum.pk}/photos/{photo.pk}/delete/")

    assert response.status_code == 404
    assert [p.pk for p in rows(ProductPhoto, tenant)] == [photo.pk]
