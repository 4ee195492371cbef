import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from generation import pages_support, storage
from generation.pages_support import InlineLinkInvalid, inline_token_read, inline_url

from .image_samples import encode, noise

pytestmark = pytest.mark.django_db


def stored_jpeg(tenant_id: int = 7) -> str:
    data = encode(noise("RGB", (300, 200), seed=tenant_id), "JPEG")
    return storage.store_once(storage.tenant_key(tenant_id, "assets", f"t{tenant_id}.jpg"), data)


def token_of(url: str) -> str:
    return url.removeprefix("/files/").removesuffix("/view")


def forged(payload: dict) -> str:
    return signing.Signer(salt="generation.inline").sign_object(payload, compress=True)


def test_an_inline_link_serves_the_image_inline_and_is_cached_by_the_browser():
    key = stored_jpeg()

    response = Client().get(inline_url(tenant_id=7, key=key))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"].startswith("private, max-age=")


def test_links_stay_the_same_within_the_hour_so_polling_pages_reuse_them():
    key = stored_jpeg()

    assert inline_url(tenant_id=7, key=key) == inline_url(tenant_id=7, key=key)


def test_a_thumbnail_is_made_once_at_the_asked_width():
    key = stored_jpeg()

    first = Client().get(inline_url(tenant_id=7, key=key, width=160))
    again = Client().get(inline_url(tenant_id=7, key=key, width=160))

    assert first.status_code == again.status_code == 200
    thumb = pages_support.thumbnail_key(
        inline_token_read(token_of(inline_url(tenant_id=7, key=key, width=160)))
    )
    assert storage.media_storage().exists(thumb)
    assert b"".join(first.streaming_content) == b"".join(again.streaming_content)


@pytest.mark.parametrize(
    "payload",
    [
        {"t": 8, "k": "tenants/7/assets/t7.jpg", "w": 0, "e": 2**40},  # another brand's file
        {"t": 7, "k": "tenants/7/../8/assets/t8.jpg", "w": 0, "e": 2**40},
        {"t": 7, "k": "tenants/7/assets/page.html", "w": 0, "e": 2**40},  # not an image
        {"t": 7, "k": "tenants/7/assets/t7.jpg", "w": 999, "e": 2**40},  # unknown width
        {"t": 7, "k": "tenants/7/assets/t7.jpg", "w": 0, "e": 1},  # expired
        {"t": 7, "k": "tenants/7/assets/t7.jpg"},  # malformed
    ],
)
def test_links_that_reach_outside_their_brand_or_time_are_refused(payload):
    stored_jpeg()

    with pytest.raises(InlineLinkInvalid):
        inline_token_read(forged(payload))
    assert Client().get(reverse("file_inline", args=[forged(payload)])).status_code == 404


def test_a_download_token_is_not_an_inline_link():
    key = stored_jpeg()
    download = storage.download_url(tenant_id=7, key=key, filename="a.jpg")
    token = download.removeprefix("/files/")

    assert Client().get(f"/files/{token}/view").status_code == 404


def test_a_tampered_link_is_refused():
    url = inline_url(tenant_id=7, key=stored_jpeg())

    assert Client().get(url.replace("/view", "x/view")).status_code == 404


def test_links_expire_between_one_and_two_hours():
    now = time.time()
    token = token_of(inline_url(tenant_id=7, key=stored_jpeg()))

    assert inline_token_read(token, now=now + 3600)
    with pytest.raises(InlineLinkInvalid):
        inline_token_read(token, now=now + 7201)
