"""/api/v1/provenance/: label an upload, verify any image, export a job's audit trail.

Jobs are planned and rendered by the real services in this process (tests.compliance.factories
.rendered, as a worker would run them); tests/provenance/test_pipeline_marks.py covers the
same marks on a real Celery worker.
"""

import csv
import io
import json
import zipfile
from functools import partial

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from compliance import review
from generation import storage
from generation.models import Asset, Render
from provenance import services, watermark
from provenance.audit_export import CSV_COLUMNS
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.compliance.factories import CLEAN_SCRIPT, HELD_SCRIPT, rendered, review_items
from tests.tenants import factories as tenant_factories
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = pytest.mark.django_db

LABEL = "/api/v1/provenance/label"
VERIFY = "/api/v1/provenance/verify"


key_client = partial(
    tenant_factories.key_client, scopes=("assets:read", "assets:write", "jobs:read")
)


session = tenant_factories.session_client


def photo(seed: int = 0, pillow_format: str = "PNG", size=(512, 384)) -> bytes:
    """A picture a brand made elsewhere (a different one for each seed)."""
    image = Image.new("RGB", size, (90 + seed * 20 % 160, 140, 180))
    draw = ImageDraw.Draw(image)
    draw.ellipse((60 + seed * 7, 80, 260, 300), fill="#E8C39E")
    draw.rectangle((300, 200, 460, 340), fill="#3B5B3F")
    buffer = io.BytesIO()
    image.save(buffer, pillow_format)
    return buffer.getvalue()


def upload(client: APIClient, url: str, data: bytes, name: str = "product.png", **fields):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(url, {"image": file, **fields}, format="multipart")


def error(response) -> dict:
    return response.json()["error"]


def asset_file(asset_id: int, tenant) -> bytes:
    with tenant_scope(tenant.pk):
        return storage.read_bytes(Asset.objects.get(pk=asset_id).file.name)


def poster(tenant) -> tuple[Asset, bytes]:
    """The first poster of a freshly rendered job of `tenant`, and its file."""
    job = rendered(tenant, CLEAN_SCRIPT, variants=1)
    with tenant_scope(tenant.pk):
        [render] = Render.objects.filter(tenant=tenant, job=job).select_related("asset")
    return render.asset, storage.read_bytes(render.asset.file.name)


# LABEL --------------------------------------------------------------------------------------


def test_an_upload_is_labelled_once_and_the_same_file_returns_its_asset():
    tenant = TenantFactory()
    client = key_client(tenant)
    data = photo()

    first = upload(client, LABEL, data)
    again = upload(client, LABEL, data, name="renamed.png")

    assert (first.status_code, again.status_code) == (201, 200), first.content
    body = first.json()
    assert again.json()["id"] == body["id"]
    assert body["origin"] == "labelled"
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 512, 384)
    assert body["marks"]["visible_label"] == "AI生成"
    assert body["marks"]["watermark"]["asset_id"] == body["id"]
    assert body["marks"]["aigc"]["ProduceID"] == str(body["id"])
    assert body["url"]
    [asset] = rows(Asset, tenant)
    assert (asset.pk, asset.origin, asset.sha256) == (body["id"], "labelled", body["sha256"])
    stored = asset_file(asset.pk, tenant)
    found = watermark.detect(Image.open(io.BytesIO(stored)))
    assert found.payload == watermark.Payload(settings.APP_WATERMARK_INSTALLATION_ID, asset.pk)
    [event] = rows(AuditEvent, tenant, action="provenance.image_labelled")
    assert event.target_id == str(asset.pk)
    assert event.actor_api_key_id is not None


def test_an_english_label_can_be_asked_for_and_an_unknown_language_is_refused():
    tenant = TenantFactory()
    client = key_client(tenant)

    english = upload(client, LABEL, photo(1), language="en")
    unknown = upload(client, LABEL, photo(2), language="fr")
    chinese = upload(client, LABEL, photo(1), language="zh")

    assert english.status_code == 201, english.content
    assert english.json()["marks"]["visible_label"] == "AI-generated"
    assert unknown.status_code == 400
    assert "language" in error(unknown)["details"]
    # The same picture with the other label is another file, so another asset.
    assert chinese.status_code == 201
    assert chinese.json()["marks"]["visible_label"] == "AI生成"
    assert chinese.json()["id"] != english.json()["id"]
    assert len(rows(Asset, tenant)) == 2


def test_the_same_file_labelled_by_another_brand_is_that_brands_own_asset():
    one, two = TenantFactory(), TenantFactory()
    data = photo()

    first = upload(key_client(one), LABEL, data)
    second = upload(key_client(two), LABEL, data)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert [a.pk for a in rows(Asset, two)] == [second.json()["id"]]


def test_a_key_without_assets_write_may_not_label():
    tenant = TenantFactory()

    response = upload(key_client(tenant, scopes=("assets:read", "jobs:read")), LABEL, photo())

    assert response.status_code == 403
    assert rows(Asset, tenant) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.VIEWER, 403), (Role.REVIEWER, 403), (Role.EDITOR, 201)],
)
def test_only_members_who_create_content_may_label(role, status):
    tenant = TenantFactory()

    response = upload(session(tenant, role), LABEL, photo())

    assert response.status_code == status, response.content
    assert len(rows(Asset, tenant)) == (1 if status == 201 else 0)


def cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, not a picture", "The file is not a PNG, JPEG or WebP image."),
        (cut(photo(pillow_format="JPEG")), "The image file is truncated or corrupt."),
        (photo(size=(200, 120)), "must be at least 256 pixels"),
        (b"", "The file is empty."),
    ],
    ids=["text", "truncated", "too-small", "empty"],
)
def test_a_file_that_cannot_be_labelled_is_a_400_that_says_why(data, message):
    tenant = TenantFactory()

    response = upload(key_client(tenant), LABEL, data)

    assert response.status_code == 400, response.content
    [said] = error(response)["details"]["image"]
    assert message in said
    assert rows(Asset, tenant) == []


def test_a_request_without_an_image_is_a_400():
    response = key_client(TenantFactory()).post(LABEL, {}, format="multipart")

    assert response.status_code == 400
    assert error(response)["details"]["image"]


# VERIFY -------------------------------------------------------------------------------------


def test_a_brand_verifying_its_own_poster_sees_its_asset():
    tenant = TenantFactory(name="Lumière")
    asset, data = poster(tenant)

    response = upload(key_client(tenant, scopes=("assets:read",)), VERIFY, data, "p.jpg")

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["generated_by_us"], report["labelled_by_us"]) == (True, False)
    assert report["watermark"]["asset_id"] == asset.pk
    assert report["asset"]["asset_id"] == asset.pk
    assert report["asset"]["brand"] == "Lumière"
    assert report["asset"]["matched_by"] == "watermark"


def test_another_brand_learns_that_we_made_a_poster_but_not_whose_it_is():
    owner, stranger = TenantFactory(name="Lumière"), TenantFactory()
    asset, data = poster(owner)
    client = key_client(stranger, scopes=("assets:read",))

    report = upload(client, VERIFY, data, "p.jpg").json()

    assert report["generated_by_us"] is True
    assert set(report["asset"]) == {"matched_by", "created_at"}
    # The fingerprint finds the poster too, without naming the other brand's asset.
    assert report["fingerprint_match"]["match"] is True
    assert "asset_id" not in report["fingerprint_match"]
    # The raw marks still carry the id; the report must not resolve it to the brand's row.
    assert "Lumière" not in json.dumps(report, ensure_ascii=False)
    assert asset.sha256 not in json.dumps(report)


def test_the_brand_is_named_to_others_only_when_it_allows_public_disclosure():
    owner, stranger = TenantFactory(name="Lumière"), TenantFactory()
    labelled = upload(key_client(owner), LABEL, photo()).json()
    data = asset_file(labelled["id"], owner)
    client = key_client(stranger, scopes=("assets:read",))
    before = upload(client, VERIFY, data).json()
    owner_user = member(owner).user
    with tenant_scope(owner.pk, user_id=owner_user.pk):
        services.provenance_settings_update(
            tenant=owner, actor=owner_user, copy_label_position="end", public_disclosure=True
        )

    after = upload(client, VERIFY, data).json()

    assert (before["labelled_by_us"], before["generated_by_us"]) == (True, False)
    assert "brand" not in before["asset"]
    assert after["labelled_by_us"] is True
    assert after["asset"]["brand"] == "Lumière"
    assert "asset_id" not in after["asset"]
    assert "sha256" not in after["asset"]


def test_verifying_needs_assets_read_and_a_real_image():
    tenant = TenantFactory()

    unscoped = upload(key_client(tenant, scopes=("jobs:read",)), VERIFY, photo())
    garbage = upload(key_client(tenant, scopes=("assets:read",)), VERIFY, b"\x00" * 64)

    assert unscoped.status_code == 403
    assert garbage.status_code == 400
    assert error(garbage)["details"]["image"] == ["The file is not a PNG, JPEG or WebP image."]


# EXPORT -------------------------------------------------------------------------------------


def export_url(job_id: int) -> str:
    return f"/api/v1/provenance/jobs/{job_id}/export"


def unzip(response) -> tuple[dict, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].endswith(".csv") and names[1].endswith(".json"), names
    document = json.loads(archive.read(names[1]))
    table = list(csv.reader(io.StringIO(archive.read(names[0]).decode())))
    return document, table


def test_a_jobs_export_has_each_renders_marks_receipt_checks_and_decisions():
    tenant = TenantFactory(name="Lumière")
    reviewer = member(tenant, Role.REVIEWER).user
    job = rendered(tenant, HELD_SCRIPT, variants=2)
    items = review_items(tenant, job)
    assert len(items) == 2
    with tenant_scope(tenant.pk, user_id=reviewer.pk):
        review.review_approve(tenant=tenant, user=reviewer, item_id=items[0].pk, note="报告已补")
        renders = list(
            Render.objects.filter(tenant=tenant, job=job)
            .select_related("asset")
            .order_by("channel", "variant", "id")
        )

    response = key_client(tenant, scopes=("jobs:read",)).get(export_url(job.pk))

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert f'filename="job{job.pk}-provenance.zip"' in response["Content-Disposition"]
    document, table = unzip(response)
    assert document["job"]["id"] == job.pk
    assert document["job"]["brand"] == "Lumière"
    assert [r["render_id"] for r in document["renders"]] == [r.pk for r in renders]
    approved = {item.render_id for item in items[:1]}
    for record, render in zip(document["renders"], renders, strict=True):
        asset = render.asset
        assert record["asset"]["id"] == asset.pk
        assert record["asset"]["sha256"] == asset.sha256
        assert record["asset"]["marks"] == asset.marks
        assert record["asset"]["marks"]["watermark"]["asset_id"] == asset.pk
        assert record["asset"]["receipt"] == asset.receipt
        assert len(record["asset"]["pdq"]) == 64
        assert record["compliance"]["state"] == render.compliance_state
        assert record["compliance"]["rule_set"] == render.ruleset_version
        assert record["compliance"]["findings"]  # the antibacterial claim that held it
        decisions = record["review"]["decisions"]
        if render.pk in approved:
            assert record["review"]["state"] == "approved"
            assert [(d["action"], d["by"], d["note"]) for d in decisions] == [
                ("approve", reviewer.email, "报告已补")
            ]
        else:
            assert (record["review"]["state"], decisions) == ("open", [])
    assert table[0] == list(CSV_COLUMNS)
    assert len(table) == 1 + len(renders)
    column = {name: i for i, name in enumerate(CSV_COLUMNS)}
    for line, render in zip(table[1:], renders, strict=True):
        assert line[column["render_id"]] == str(render.pk)
        assert line[column["asset_id"]] == str(render.asset_id)
        assert line[column["watermark_asset_id"]] == str(render.asset_id)
        assert line[column["tc260_produce_id"]] == str(render.asset_id)
        assert line[column["visible_label"]] == "AI生成"
        assert line[column["compliance_state"]] == render.compliance_state


def test_another_brands_job_is_not_found_and_the_export_needs_jobs_read():
    owner, stranger = TenantFactory(), TenantFactory()
    job = rendered(owner, CLEAN_SCRIPT, variants=1)

    theirs = key_client(stranger, scopes=("jobs:read",)).get(export_url(job.pk))
    missing = key_client(owner, scopes=("jobs:read",)).get(export_url(job.pk + 10_000))
    unscoped = key_client(owner, scopes=("assets:read",)).get(export_url(job.pk))

    assert theirs.status_code == 404
    assert missing.status_code == 404
    assert unscoped.status_code == 403
