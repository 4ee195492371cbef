"""/api/v1/library/ and /api/v1/assets/similar: uploads, search, similar images, clusters, banks.

Upload batches are processed by calling the Celery task's function in this process (as the
worker runs it); test_upload_worker.py runs the same on a real worker.
"""

from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from generation import storage
from generation.models import Asset
from library import tasks
from library.models import Bank, BankEntry, UploadBatch, UploadItem
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.tenants import factories as tenant_factories
from tests.tenants.factories import TenantFactory, rows

from .pictures import cropped, encoded, picture, zipped

pytestmark = pytest.mark.django_db

UPLOADS = "/api/v1/library/uploads"
ASSETS = "/api/v1/library/assets"
SIMILAR = "/api/v1/assets/similar"
BANKS = "/api/v1/library/banks"
CLUSTERS = "/api/v1/library/clusters"


key_client = partial(tenant_factories.key_client, scopes=("assets:read", "assets:write"))


session = tenant_factories.session_client


def jpeg(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def upload(client, tenant, files: dict[str, bytes], **fields) -> dict:
    response = client.post(
        UPLOADS, {"files": [jpeg(n, d) for n, d in files.items()], **fields}, format="multipart"
    )
    assert response.status_code == 202, response.content
    tasks.upload_batch_process(tenant_id=tenant.pk, batch_id=response.json()["id"])
    return client.get(f"{UPLOADS}/{response.json()['id']}").json()


def test_bulk_upload_adds_each_file_with_fingerprint_colours_and_tags():
    tenant = TenantFactory()
    client = key_client(tenant)
    red = encoded(picture(1, colour=(200, 30, 30)))
    blue = encoded(picture(2, colour=(30, 60, 200)))

    batch = upload(
        client, tenant, {"夏季_防晒霜-主图.jpg": red, "beach-background.jpg": blue},
        kind="background", tags="夏季, campaign",
    )  # fmt: skip

    assert batch["status"] == "done"
    assert batch["processed"] == batch["total"] == 2
    assert [item["status"] for item in batch["items"]] == ["stored", "stored"]
    assets = rows(Asset, tenant, origin=Asset.Origin.UPLOADED)
    assert len(assets) == 2
    first = next(a for a in assets if a.name == "夏季_防晒霜-主图.jpg")
    assert first.kind == "background"
    assert {"夏季", "campaign", "防晒霜"} <= set(first.tags)
    assert first.colours[0]["hex"].startswith("#")
    assert first.pdq is not None
    assert storage.read_bytes(first.file.name)  # the row has its file
    # Staged copies are gone once processed.
    assert all(item.staged == "" for item in rows(UploadItem, tenant))


def test_the_same_file_again_is_linked_not_stored_twice_and_a_crop_joins_a_cluster():
    tenant = TenantFactory()
    client = key_client(tenant)
    original = picture(5)
    upload(client, tenant, {"hero.jpg": encoded(original)})

    batch = upload(
        client, tenant,
        {"hero-copy.jpg": encoded(original), "hero-cropped.jpg": encoded(cropped(original, 0.05))},
    )  # fmt: skip

    (first,) = [a for a in rows(Asset, tenant) if a.name == "hero.jpg"]
    same, crop = batch["items"]
    assert same["status"] == "duplicate" and same["asset_id"] == first.pk
    assert crop["status"] == "near_duplicate"
    assert len(rows(Asset, tenant)) == 2
    clusters = client.get(CLUSTERS).json()["results"]
    assert [[a["id"] for a in c["assets"]] for c in clusters] == [[first.pk, crop["asset_id"]]]


def test_a_zip_upload_refuses_bad_entries_one_by_one():
    tenant = TenantFactory()
    client = key_client(tenant)
    archive = zipped(
        {
            "shots/one.jpg": encoded(picture(11)),
            "../../etc/evil.jpg": encoded(picture(12)),
            "notes.txt": b"not an image",
            "empty.jpg": b"",
            "shots/two.png": encoded(picture(13), "PNG"),
        }
    )
    response = client.post(
        UPLOADS,
        {"archive": SimpleUploadedFile("shoot.zip", archive, content_type="application/zip")},
        format="multipart",
    )
    assert response.status_code == 202
    tasks.upload_batch_process(tenant_id=tenant.pk, batch_id=response.json()["id"])
    batch = client.get(f"{UPLOADS}/{response.json()['id']}").json()

    statuses = {item["name"]: (item["status"], item["error"]) for item in batch["items"]}
    assert statuses["one.jpg"][0] == "stored"
    assert statuses["two.png"][0] == "stored"
    assert statuses["notes.txt"] == ("failed", "The file is not a PNG, JPEG or WebP image.")
    assert statuses["empty.jpg"][0] == "failed"
    refused = [s for s in statuses.values() if s[0] == "failed"]
    assert len(refused) == 3  # the traversal entry is refused too, by name
    assert batch["status"] == "done"
    assert batch["processed"] == batch["total"] == 5
    assert len(rows(Asset, tenant)) == 2


def test_a_file_that_is_not_a_zip_fails_the_batch_with_a_sentence():
    tenant = TenantFactory()
    client = key_client(tenant)
    response = client.post(
        UPLOADS,
        {
            "archive": SimpleUploadedFile(
                "shoot.zip", b"PK not really", content_type="application/zip"
            )
        },
        format="multipart",
    )
    tasks.upload_batch_process(tenant_id=tenant.pk, batch_id=response.json()["id"])
    batch = client.get(f"{UPLOADS}/{response.json()['id']}").json()

    assert batch["status"] == "failed"
    assert batch["error"].endswith(".")
    assert rows(Asset, tenant) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose one or more images"),
        ({"kind": "spaceship"}, "Choose what the images are"),
    ],
)
def test_bad_upload_requests_get_400_and_store_nothing(fields, message):
    tenant = TenantFactory()
    client = key_client(tenant)
    data = {"files": [jpeg("a.jpg", encoded(picture(1)))]} if "kind" in fields else {}
    response = client.post(UPLOADS, {**data, **fields}, format="multipart")

    assert response.status_code == 400
    assert message in str(response.json())
    assert rows(UploadBatch, tenant) == []


def test_search_by_chinese_words_tags_and_colour():
    tenant = TenantFactory()
    client = key_client(tenant)
    upload(
        client, tenant,
        {
            "夏季防晒霜主图.jpg": encoded(picture(21, colour=(220, 30, 30))),
            "冬季保湿面霜.jpg": encoded(picture(22, colour=(20, 40, 210))),
            "summer-beach-backdrop.jpg": encoded(picture(23, colour=(30, 170, 60))),
        },
    )  # fmt: skip

    def names(**params) -> list[str]:
        response = client.get(ASSETS, params)
        assert response.status_code == 200
        return [a["name"] for a in response.json()["results"]]

    assert names(q="防晒") == ["夏季防晒霜主图.jpg"]
    assert names(q="面霜") == ["冬季保湿面霜.jpg"]
    assert names(q="beach") == ["summer-beach-backdrop.jpg"]
    assert names(q="backdrp") == ["summer-beach-backdrop.jpg"]  # a typo, by trigrams
    assert names(colour="#dd2222") == ["夏季防晒霜主图.jpg"]
    assert names(q="口红") == []
    assert client.get(ASSETS, {"colour": "red"}).status_code == 400


def test_similar_images_by_upload_and_by_asset_id_are_the_brands_own():
    tenant, other = TenantFactory(), TenantFactory()
    client = key_client(tenant)
    original = picture(31)
    upload(client, tenant, {"a.jpg": encoded(original), "b.jpg": encoded(picture(32))})
    upload(key_client(other), other, {"theirs.jpg": encoded(original)})

    response = client.post(
        SIMILAR, {"image": jpeg("q.jpg", encoded(cropped(original, 0.1), quality=70))},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["asset"]["name"] == "a.jpg"
    assert results[0]["duplicate"] is True
    assert results[-1]["duplicate"] is False
    assert {r["asset"]["name"] for r in results} == {"a.jpg", "b.jpg"}  # not the other brand's
    (mine,) = [a for a in rows(Asset, tenant) if a.name == "a.jpg"]
    by_id = client.post(SIMILAR, {"asset_id": mine.pk}, format="json").json()["results"]
    assert [r["asset"]["name"] for r in by_id] == ["b.jpg"]  # itself excluded
    (theirs,) = rows(Asset, other)
    assert client.post(SIMILAR, {"asset_id": theirs.pk}, format="json").status_code == 404
    assert client.post(SIMILAR, {}, format="json").status_code == 400


def test_merging_a_cluster_keeps_one_and_removes_the_uploaded_others():
    tenant = TenantFactory()
    client = session(tenant)
    original = picture(41)
    upload(client, tenant, {"keep.jpg": encoded(original)})
    upload(client, tenant, {"crop.jpg": encoded(cropped(original, 0.05))})
    keep = next(a for a in rows(Asset, tenant) if a.name == "keep.jpg")
    crop = next(a for a in rows(Asset, tenant) if a.name == "crop.jpg")

    response = client.post(f"{CLUSTERS}/{keep.pk}/merge", {"keep": crop.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["removed"] == 1
    assert [a.pk for a in rows(Asset, tenant)] == [crop.pk]
    assert client.get(CLUSTERS).json()["results"] == []


def test_banks_enable_disable_and_entries():
    tenant = TenantFactory()
    client = key_client(tenant)
    created = client.post(BANKS, {"name": "Competitors"}, format="json")
    assert created.status_code == 201
    bank_id = created.json()["id"]
    assert client.post(BANKS, {"name": "Competitors"}, format="json").status_code == 400

    image = client.post(
        f"{BANKS}/{bank_id}/entries", {"image": jpeg("rival.jpg", encoded(picture(51))),
                                        "note": "rival's 618 poster"}, format="multipart",
    )  # fmt: skip
    text = client.post(f"{BANKS}/{bank_id}/entries", {"text": "全网最低价"}, format="json")
    bad = client.post(f"{BANKS}/{bank_id}/entries", {"image": jpeg("x.jpg", b"nope")})

    assert image.status_code == 201 and text.status_code == 201
    assert bad.status_code == 400
    assert (
        client.patch(f"{BANKS}/{bank_id}", {"enabled": False}, format="json").json()["enabled"]
        is False
    )
    detail = client.get(f"{BANKS}/{bank_id}").json()
    assert [e["kind"] for e in detail["items"]] == ["text", "image"]
    entry_id = image.json()["id"]
    assert client.delete(f"{BANKS}/{bank_id}/entries/{entry_id}").status_code == 204
    assert len(rows(BankEntry, tenant)) == 1


def test_another_brands_ids_are_not_found_and_nothing_changes():
    tenant, other = TenantFactory(), TenantFactory()
    client = key_client(tenant)
    theirs = key_client(other)
    upload(theirs, other, {"x.jpg": encoded(picture(61))})
    (asset,) = rows(Asset, other)
    bank = theirs.post(BANKS, {"name": "Theirs"}, format="json").json()
    entry = theirs.post(
        f"{BANKS}/{bank['id']}/entries", {"text": "他们的口号"}, format="json"
    ).json()
    (batch,) = rows(UploadBatch, other)

    assert client.get(f"{ASSETS}/{asset.pk}").status_code == 404
    assert client.patch(f"{ASSETS}/{asset.pk}", {"caption": "x"}, format="json").status_code == 404
    assert client.post(f"{ASSETS}/{asset.pk}/not-duplicate").status_code == 404
    assert client.get(f"{UPLOADS}/{batch.pk}").status_code == 404
    assert client.post(f"{CLUSTERS}/{asset.pk}/merge", {"keep": asset.pk}).status_code == 404
    assert client.get(f"{BANKS}/{bank['id']}").status_code == 404
    assert (
        client.patch(f"{BANKS}/{bank['id']}", {"enabled": False}, format="json").status_code == 404
    )
    assert (
        client.post(f"{BANKS}/{bank['id']}/entries", {"text": "x"}, format="json").status_code
        == 404
    )
    assert client.delete(f"{BANKS}/{bank['id']}/entries/{entry['id']}").status_code == 404
    assert client.get(ASSETS).json()["results"] == []
    with tenant_scope(other.pk):
        assert Bank.objects.get(pk=bank["id"]).enabled is True
        assert Asset.objects.get(pk=asset.pk).caption != "x"
        assert BankEntry.objects.filter(pk=entry["id"]).exists()


def test_a_viewer_may_search_but_not_upload():
    tenant = TenantFactory()
    client = session(tenant, Role.VIEWER)
    assert client.get(ASSETS).status_code == 200
    response = client.post(UPLOADS, {"files": [jpeg("a.jpg", encoded(picture(1)))]})
    assert response.status_code == 403


def test_upload_tags_split_on_chinese_commas_too():
    tenant = TenantFactory()
    client = key_client(tenant)

    upload(client, tenant, {"a.jpg": encoded(picture(81))}, tags="夏季，防晒、 Campaign ,")

    (asset,) = rows(Asset, tenant)
    assert asset.tags[:3] == ["夏季", "防晒", "campaign"]


def test_an_image_past_the_size_limit_is_refused_by_size_and_nothing_is_stored():
    tenant = TenantFactory()
    client = key_client(tenant)
    bank_id = client.post(BANKS, {"name": "Big"}, format="json").json()["id"]
    huge = b"\xff\xd8" + b"\0" * (20 * 1024 * 1024)  # past the 20 MB intake limit

    similar = client.post(SIMILAR, {"image": jpeg("big.jpg", huge)}, format="multipart")
    banked = client.post(
        f"{BANKS}/{bank_id}/entries", {"image": jpeg("big.jpg", huge)}, format="multipart"
    )

    for response in (similar, banked):
        assert response.status_code == 400
        assert "larger than the 20 MB limit" in str(response.json())
    assert rows(BankEntry, tenant) == []
