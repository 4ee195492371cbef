"""The provenance pages: label an upload, verify an image, the labelling settings and duty, a
poster without its visible label and the audit trail from the job page, and the public
verification page. Jobs are planned and rendered by the real services in this process."""

import io
import re
import uuid
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from generation.models import Asset, Render
from provenance import services
from provenance.models import LabellingDutyAcceptance, ProvenanceSettings, UnlabelledExport
from provenance.views import PUBLIC_VERIFY_LIMIT
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.compliance.factories import CLEAN_SCRIPT, HELD_SCRIPT, rendered
from tests.generation.image_samples import encode, noise
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "The file is not a PNG, JPEG or WebP image."
CORRUPT = "The image file is truncated or corrupt."


def logged_in(tenant, role=Role.EDITOR) -> tuple[Client, object]:
    user = member(tenant, role).user
    client = Client()
    client.force_login(user)
    return client, user


def photo(seed: int = 0, size=(512, 384), pillow_format="PNG") -> bytes:
    """A picture a brand made elsewhere (a different one for each seed)."""
    image = Image.new("RGB", size, (90 + seed * 20 % 160, 140, 180))
    draw = ImageDraw.Draw(image)
    draw.ellipse((60 + seed * 7, 80, 260, 300), fill="#E8C39E")
    draw.rectangle((300, 200, 460, 340), fill="#3B5B3F")
    return encode(image, pillow_format)


def file(data: bytes, name: str = "product.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def labelled(tenant, data: bytes) -> tuple[Asset, bytes]:
    """An image labelled by the real service, and the labelled file."""
    with tenant_scope(tenant.pk):
        asset, _ = services.label_upload(
            tenant=tenant, data=data, filename="elsewhere.png", actor=None, language="zh"
        )
        return asset, asset.file.read()


def released_render(tenant, script=CLEAN_SCRIPT) -> Render:
    job = rendered(tenant, script, variants=1)
    [render] = rows(Render, tenant, job=job)
    return render


def accept(tenant, user) -> LabellingDutyAcceptance:
    with tenant_scope(tenant.pk, user_id=user.pk):
        return services.labelling_duty_accept(
            tenant=tenant, user=user, ip_address="203.0.113.9", user_agent="pytest"
        )


def anonymous() -> Client:
    # Each test from its own address, so the public page's rate limit counts it alone.
    return Client(REMOTE_ADDR=f"2001:db8::{uuid.uuid4().hex[:4]}")


BAD_UPLOADS = [
    pytest.param(b"hello, not an image", NOT_AN_IMAGE, id="text"),
    pytest.param(photo()[:300], CORRUPT, id="truncated-png"),
    pytest.param(b"", "The submitted file is empty.", id="zero-bytes"),
]


# LABEL --------------------------------------------------------------------------------------


def test_the_label_page_shows_the_form_with_the_brand_kits_language():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)

    response = client.get("/provenance/")

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert '<option value="zh" selected>' in response.text
    assert 'href="/provenance/" class="active" aria-current="page"' in response.text


@pytest.mark.parametrize(("language", "text"), [("zh", "AI生成"), ("en", "AI-generated")])
def test_an_editor_labels_an_image_and_sees_what_was_written(language, text):
    tenant = TenantFactory()
    client, user = logged_in(tenant)

    response = client.post("/provenance/", {"image": file(photo()), "language": language})

    assert response.status_code == 200
    [asset] = rows(Asset, tenant)
    assert asset.origin == Asset.Origin.LABELLED
    assert asset.marks["visible_label"] == text
    html = response.text
    assert f"Labelled as asset #{asset.pk}" in html
    assert f"<dd>{text}</dd>" in html
    assert f"<dd>#{asset.pk} <span" in html
    assert f"installation {settings.APP_WATERMARK_INSTALLATION_ID}</span>" in html
    assert "<dt>C2PA</dt><dd>No</dd>" in html
    assert f"<code>{settings.APP_AIGC_PROVIDER_CODE}</code>" in html
    assert f"<code>{asset.pk}</code>" in html  # ProduceID
    assert re.search(r'href="/files/[^"/]+" download>Download the labelled image<', html)
    assert re.search(r'src="/files/[^"/]+/view"', html)  # the inline preview
    [event] = rows(AuditEvent, tenant, action="provenance.image_labelled")
    assert event.actor_id == user.pk


def test_labelling_the_same_file_again_returns_the_first_asset():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)
    client.post("/provenance/", {"image": file(photo()), "language": "zh"})

    response = client.post("/provenance/", {"image": file(photo()), "language": "zh"})

    assert response.status_code == 200
    assert "Labelled before: the same file" in response.text
    assert len(rows(Asset, tenant)) == 1


@pytest.mark.parametrize(("data", "message"), BAD_UPLOADS)
def test_a_bad_upload_is_refused_with_a_message(data, message):
    tenant = TenantFactory()
    client, _ = logged_in(tenant)

    response = client.post("/provenance/", {"image": file(data), "language": "zh"})

    assert response.status_code == 400
    assert f'<p class="field-error" role="alert">{message}</p>' in response.text
    assert rows(Asset, tenant) == []


def test_an_image_too_small_to_label_is_refused():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)

    response = client.post(
        "/provenance/", {"image": file(photo(size=(300, 200))), "language": "zh"}
    )

    assert response.status_code == 400
    assert "a label image must be at least 256 pixels on each side" in response.text
    assert rows(Asset, tenant) == []


def test_a_viewer_cannot_label():
    tenant = TenantFactory()
    client, _ = logged_in(tenant, Role.VIEWER)

    page = client.get("/provenance/")
    response = client.post("/provenance/", {"image": file(photo()), "language": "zh"})

    assert "Editors, admins and owners label images." in page.text
    assert 'enctype="multipart/form-data"' not in page.text
    assert response.status_code == 403
    assert rows(Asset, tenant) == []


# VERIFY -------------------------------------------------------------------------------------


def test_a_brand_verifies_its_own_labelled_image_and_sees_the_asset():
    tenant = TenantFactory()
    asset, data = labelled(tenant, photo())
    client, _ = logged_in(tenant, Role.VIEWER)  # verifying stores nothing: viewers may

    response = client.post("/provenance/verify/", {"image": file(data, "mine.png")})

    assert response.status_code == 200
    html = response.text
    assert 'id="verdict">Labelled here<' in html
    assert "This installation labelled this image as AI-generated on" in html
    assert "Recognised by its invisible watermark." in html
    assert f'<strong id="report-asset">#{asset.pk}</strong>' in html
    assert f'<strong id="report-brand">{tenant.name}</strong>' in html
    assert '<span class="badge ok">Present, seal valid</span>' in html
    assert '<span class="badge ok">Found: ours</span>' in html
    assert '<span class="badge ok">Shown</span>' in html
    assert f"<code>ProduceID={asset.pk}</code>" in html


def test_another_brands_image_shows_neither_its_asset_nor_its_name():
    mine, theirs = TenantFactory(), TenantFactory(name="Secret Brand 秘")
    _, data = labelled(theirs, photo())
    client, _ = logged_in(mine)

    response = client.post("/provenance/verify/", {"image": file(data)})

    html = response.text
    assert 'id="verdict">Labelled here<' in html
    assert "Secret Brand" not in html
    assert 'id="report-asset"' not in html
    assert rows(Asset, mine) == []


def test_an_image_made_elsewhere_is_not_recognised():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)

    response = client.post("/provenance/verify/", {"image": file(photo(seed=5))})

    assert response.status_code == 200
    assert 'id="verdict">Not recognised<' in response.text
    assert "This installation did not make or label this image" in response.text


@pytest.mark.parametrize(("data", "message"), BAD_UPLOADS)
def test_verifying_a_bad_upload_is_refused_with_a_message(data, message):
    client, _ = logged_in(TenantFactory())

    response = client.post("/provenance/verify/", {"image": file(data)})

    assert response.status_code == 400
    assert f'<p class="field-error" role="alert">{message}</p>' in response.text


# SETTINGS -----------------------------------------------------------------------------------


def test_an_admin_changes_the_labelling_settings():
    tenant = TenantFactory()
    client, user = logged_in(tenant, Role.ADMIN)

    response = client.post(
        "/provenance/settings/",
        {"copy_label_position": "start", "public_disclosure": "on"},
        follow=True,
    )

    assert response.redirect_chain == [("/provenance/settings/", 302)]
    assert "Labelling settings saved." in response.text
    [saved] = rows(ProvenanceSettings, tenant)
    assert (saved.copy_label_position, saved.public_disclosure) == ("start", True)
    assert saved.updated_by_id == user.pk
    assert re.search(r'value="start"[^>]* checked>', response.text)
    assert re.search(r'name="public_disclosure"[^>]* checked>', response.text)
    assert len(rows(AuditEvent, tenant, action="provenance.settings_updated")) == 1


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_members_who_do_not_manage_the_brand_see_the_settings_read_only(role):
    tenant = TenantFactory()
    client, _ = logged_in(tenant, role)

    page = client.get("/provenance/settings/")
    response = client.post(
        "/provenance/settings/", {"copy_label_position": "start", "public_disclosure": "on"}
    )

    assert page.status_code == 200
    assert page.text.count(" disabled") == 3  # two radios and the checkbox
    assert "Owners and admins change these settings." in page.text
    assert response.status_code == 403
    assert rows(ProvenanceSettings, tenant) == []


def test_an_invalid_position_is_refused():
    client, _ = logged_in(tenant := TenantFactory(), Role.OWNER)

    response = client.post("/provenance/settings/", {"copy_label_position": "middle"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert rows(ProvenanceSettings, tenant) == []


# LABELLING DUTY -----------------------------------------------------------------------------


def test_an_editor_reads_and_accepts_the_labelling_duty():
    tenant = TenantFactory()
    client, user = logged_in(tenant)

    page = client.get("/provenance/duty/")
    response = client.post(
        "/provenance/duty/", {"terms_version": services.TERMS_VERSION}, follow=True
    )

    assert "《人工智能生成合成内容标识办法》 Art. 9" in page.text
    assert "keep the log for at least six months" in page.text
    assert "I accept" in page.text
    assert response.redirect_chain == [("/provenance/duty/", 302)]
    [acceptance] = rows(LabellingDutyAcceptance, tenant)
    assert (acceptance.user_id, acceptance.terms_version) == (user.pk, services.TERMS_VERSION)
    assert acceptance.ip_address == "127.0.0.1"
    assert "You accepted these terms on" in response.text
    assert ">I accept<" not in response.text


def test_accepting_terms_that_changed_meanwhile_is_refused():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)

    response = client.post("/provenance/duty/", {"terms_version": "2020-01"})

    assert response.status_code == 400
    assert "The terms changed while the page was open." in response.text
    assert rows(LabellingDutyAcceptance, tenant) == []


def test_a_viewer_cannot_accept_the_duty():
    tenant = TenantFactory()
    client, _ = logged_in(tenant, Role.VIEWER)

    response = client.post("/provenance/duty/", {"terms_version": services.TERMS_VERSION})

    assert response.status_code == 403
    assert rows(LabellingDutyAcceptance, tenant) == []


def test_the_duty_page_lists_the_brands_unlabelled_exports_with_ips_for_admins():
    tenant, other = TenantFactory(), TenantFactory()
    editor, editor_user = logged_in(tenant)
    admin, _ = logged_in(tenant, Role.ADMIN)
    render = released_render(tenant)
    accept(tenant, editor_user)
    editor.post(f"/provenance/renders/{render.pk}/unlabelled/")
    other_render = released_render(other)
    other_client, other_user = logged_in(other)
    accept(other, other_user)
    other_client.post(f"/provenance/renders/{other_render.pk}/unlabelled/", REMOTE_ADDR="192.0.2.7")

    as_admin = admin.get("/provenance/duty/").text
    as_editor = editor.get("/provenance/duty/").text

    [export] = rows(UnlabelledExport, tenant)
    assert as_admin.count("<tr>") == 2  # the head and one export: not the other brand's
    assert editor_user.email in as_admin and f"#{export.asset_id}" in as_admin
    assert "127.0.0.1" in as_admin and "192.0.2.7" not in as_admin
    assert "127.0.0.1" not in as_editor and f"#{export.asset_id}" in as_editor


# A POSTER WITHOUT ITS VISIBLE LABEL ---------------------------------------------------------


def test_before_accepting_the_duty_the_member_is_sent_to_it_and_nothing_is_exported():
    tenant = TenantFactory()
    client, _ = logged_in(tenant)
    render = released_render(tenant)

    response = client.post(f"/provenance/renders/{render.pk}/unlabelled/", follow=True)

    assert response.redirect_chain == [(f"/provenance/duty/?job={render.job_id}#duty-terms", 302)]
    assert "Accept the labelling duty first" in response.text
    assert f'<input type="hidden" name="job" value="{render.job_id}">' in response.text
    assert rows(UnlabelledExport, tenant) == []

    accepted = client.post(
        "/provenance/duty/", {"terms_version": services.TERMS_VERSION, "job": render.job_id}
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/jobs/{render.job_id}/"


def test_an_editor_who_accepted_takes_a_poster_without_its_label_and_it_is_logged():
    tenant = TenantFactory()
    client, user = logged_in(tenant)
    render = released_render(tenant)
    acceptance = accept(tenant, user)

    response = client.post(
        f"/provenance/renders/{render.pk}/unlabelled/", HTTP_USER_AGENT="Chromium test"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    filename = f"job{render.job_id}-{render.channel}-1-unlabelled.jpg"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(response.content)).size == (render.width, render.height)
    [export] = rows(UnlabelledExport, tenant)
    assert (export.user_id, export.acceptance_id, export.asset_id) == (
        user.pk, acceptance.pk, render.asset_id,
    )  # fmt: skip
    assert (export.ip_address, export.user_agent) == ("127.0.0.1", "Chromium test")


def test_another_brands_render_is_not_found_and_nothing_is_logged():
    mine, theirs = TenantFactory(), TenantFactory()
    client, user = logged_in(mine)
    accept(mine, user)
    their_render = released_render(theirs)

    response = client.post(f"/provenance/renders/{their_render.pk}/unlabelled/")

    assert response.status_code == 404
    assert rows(UnlabelledExport, mine) == [] and rows(UnlabelledExport, theirs) == []
    assert rows(AuditEvent, mine, action="provenance.unlabelled_exported") == []


def test_a_viewer_cannot_take_a_poster_without_its_label():
    tenant = TenantFactory()
    client, user = logged_in(tenant, Role.VIEWER)
    accept(tenant, user)
    render = released_render(tenant)

    response = client.post(f"/provenance/renders/{render.pk}/unlabelled/")

    assert response.status_code == 403
    assert rows(UnlabelledExport, tenant) == []


def test_a_held_poster_is_refused_with_a_message_on_the_job_page():
    tenant = TenantFactory()
    client, user = logged_in(tenant)
    accept(tenant, user)
    render = released_render(tenant, HELD_SCRIPT)
    assert render.compliance_state == "held"

    response = client.post(f"/provenance/renders/{render.pk}/unlabelled/", follow=True)

    assert response.redirect_chain == [(f"/jobs/{render.job_id}/", 302)]
    assert "This poster cannot be taken without its label: This poster is held" in response.text
    assert rows(UnlabelledExport, tenant) == []


# THE JOB PAGE -------------------------------------------------------------------------------


def test_the_job_page_links_the_audit_trail_and_offers_released_posters_without_label():
    tenant = TenantFactory()
    editor, _ = logged_in(tenant)
    viewer, _ = logged_in(tenant, Role.VIEWER)
    render = released_render(tenant)
    held = released_render(tenant, HELD_SCRIPT)

    page = editor.get(f"/jobs/{render.job_id}/").text
    held_page = editor.get(f"/jobs/{held.job_id}/").text
    viewer_page = viewer.get(f"/jobs/{render.job_id}/").text

    export = f'/jobs/{render.job_id}/provenance-export/" download>Audit trail (JSON + CSV)<'
    assert export in page and export in viewer_page
    assert f'action="/provenance/renders/{render.pk}/unlabelled/"' in page
    assert "Without visible label" in page
    assert f'action="/provenance/renders/{held.pk}/unlabelled/"' not in held_page
    assert "/unlabelled/" not in viewer_page


def test_the_audit_trail_downloads_as_a_zip_of_json_and_csv():
    tenant = TenantFactory()
    client, _ = logged_in(tenant, Role.VIEWER)
    render = released_render(tenant)

    response = client.get(f"/jobs/{render.job_id}/provenance-export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    stem = f"job{render.job_id}-provenance"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == [f"{stem}.csv", f"{stem}.json"]


def test_another_brands_job_has_no_audit_trail_here():
    mine, theirs = TenantFactory(), TenantFactory()
    client, _ = logged_in(mine)
    their_render = released_render(theirs)

    response = client.get(f"/jobs/{their_render.job_id}/provenance-export/")

    assert response.status_code == 404


# THE PUBLIC PAGE ----------------------------------------------------------------------------


def test_anyone_opens_the_public_page_without_logging_in():
    response = anonymous().get("/verify/")

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert 'class="sidenav"' not in response.text


@pytest.mark.parametrize("disclosure", [False, True])
def test_the_public_page_says_an_image_was_labelled_here_and_names_the_brand_only_if_allowed(
    disclosure,
):
    tenant = TenantFactory(name="Lumière 光屿护肤")
    asset, data = labelled(tenant, photo())
    if disclosure:
        with tenant_scope(tenant.pk):
            services.provenance_settings_update(
                tenant=tenant, actor=None, copy_label_position="end", public_disclosure=True
            )

    response = anonymous().post("/verify/", {"image": file(data)})

    assert response.status_code == 200
    html = response.text
    assert "This installation labelled this image as AI-generated on" in html
    assert asset.created_at.strftime("%Y-%m-%d") in html
    assert ("Lumière 光屿护肤" in html) is disclosure
    assert 'id="report-asset"' not in html
    assert "ProduceID" not in html
    assert f"#{asset.pk}" not in html


def test_the_public_page_says_a_poster_was_generated_here():
    tenant = TenantFactory(name="Pine & Ink 松墨")
    render = released_render(tenant)
    with tenant_scope(tenant.pk):
        data = Asset.objects.get(pk=render.asset_id).file.read()

    response = anonymous().post("/verify/", {"image": file(data, "poster.jpg")})

    assert response.status_code == 200
    assert "This installation generated this image on" in response.text
    assert "Pine &amp; Ink" not in response.text


def test_the_public_page_does_not_recognise_an_image_made_elsewhere():
    response = anonymous().post("/verify/", {"image": file(photo(seed=9))})

    assert response.status_code == 200
    assert "This installation did not make or label this image" in response.text


@pytest.mark.parametrize(("data", "message"), BAD_UPLOADS)
def test_the_public_page_refuses_a_bad_upload_with_a_message(data, message):
    response = anonymous().post("/verify/", {"image": file(data)})

    assert response.status_code == 400
    assert f'<p class="field-error" role="alert">{message}</p>' in response.text


def test_the_public_page_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/verify/", {"image": file(photo())})

    assert response.status_code == 403


def test_the_public_page_limits_checks_per_address():
    client = anonymous()
    noisy = encode(noise("RGB", (32, 32)), "PNG")
    answers = [
        client.post("/verify/", {"image": file(noisy)}).status_code
        for _ in range(PUBLIC_VERIFY_LIMIT + 1)
    ]

    assert answers == [200] * PUBLIC_VERIFY_LIMIT + [429]
    assert "Too many checks from your address." in client.post("/verify/").text
    assert anonymous().post("/verify/", {"image": file(noisy)}).status_code == 200
