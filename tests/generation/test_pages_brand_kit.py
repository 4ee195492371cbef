import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from generation.models import BrandKit
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member, rows

from .image_samples import cut_out_png, encode

pytestmark = pytest.mark.django_db


def logged_in(tenant, role=Role.EDITOR) -> tuple[Client, object]:
    client = Client()
    user = member(tenant, role).user
    client.force_login(user)
    return client, user


def kit_form(**changes):
    data = {
        "palette_primary": "#c2410c",
        "palette_secondary": "#fdba74",
        "palette_accent": "#0f766e",
        "palette_background": "#fff7ed",
        "palette_text": "#1f2937",
        "font_family": "sans",
        "tone_of_voice": "",
        "banned_words": "",
        "language": "zh",
    }
    data.update(changes)
    return data


def test_the_page_shows_the_current_version_and_its_palette():
    tenant = TenantFactory()
    client, _user = logged_in(tenant, Role.VIEWER)

    response = client.get("/brand-kit/")

    assert response.status_code == 200
    text = response.text
    assert "version 1" in text
    assert 'type="color" name="palette_primary" value="#c2410c"' in text
    assert "Save as a new version" not in text  # a viewer can't save
    assert [k.version for k in rows(BrandKit, tenant)] == [1]


def test_saving_writes_the_next_version_and_lists_it_in_the_history():
    tenant = TenantFactory()
    client, user = logged_in(tenant)
    client.get("/brand-kit/")

    response = client.post(
        "/brand-kit/",
        kit_form(
            palette_primary="#112233",
            tone_of_voice="温柔、专业",
            banned_words="最好\n第一\n 最好 ",
            language="en",
        ),
        follow=True,
    )

    assert "Saved as version 2." in response.text
    assert "version 2" in response.text
    old, new = rows(BrandKit, tenant)
    assert (old.version, new.version) == (1, 2)
    assert new.palette["primary"] == "#112233"
    assert (new.tone_of_voice, new.banned_words, new.language) == (
        "温柔、专业",
        ["最好", "第一"],
        "en",
    )
    assert new.created_by == user
    history = response.context["versions"]
    assert [entry.kit.version for entry in history] == [2, 1]
    assert history[0].changed == "palette, tone of voice, banned words, language"
    assert user.email in response.text


def test_saving_without_changes_writes_no_version():
    tenant = TenantFactory()
    client, _user = logged_in(tenant)

    response = client.post("/brand-kit/", kit_form(), follow=True)

    assert "Nothing changed" in response.text
    assert [k.version for k in rows(BrandKit, tenant)] == [1]


def test_a_logo_upload_is_stored_with_the_new_version():
    tenant = TenantFactory()
    client, _user = logged_in(tenant)
    logo = SimpleUploadedFile("logo.png", encode(cut_out_png(), "PNG"), content_type="image/png")

    response = client.post("/brand-kit/", {**kit_form(), "logo": logo}, follow=True)

    latest = rows(BrandKit, tenant)[-1]
    assert latest.version == 2
    assert latest.logo.name.startswith(f"tenants/{tenant.pk}/brand/logo-")
    assert 'class="logo-preview"' in response.text
    shown = Client().get(response.context["logo_url"])
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"palette_accent": "teal"}, "palette_accent", "Use a colour like #C2410C."),
        ({"font_family": "comic"}, "font_family", "Select a valid choice."),
        (
            {"banned_words": "x" * 41},
            "banned_words",
            "Each banned word must be 1 to 40 characters.",
        ),
        ({"tone_of_voice": "长" * 301}, "tone_of_voice", "Ensure this value has at most 300"),
    ],
)
def test_bad_kit_input_shows_the_form_again_with_the_message(changes, field, message):
    tenant = TenantFactory()
    client, _user = logged_in(tenant)

    response = client.post("/brand-kit/", kit_form(**changes))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert [k.version for k in rows(BrandKit, tenant)] == [1]


def test_a_corrupt_logo_is_a_form_error():
    tenant = TenantFactory()
    client, _user = logged_in(tenant)
    broken = SimpleUploadedFile("logo.png", encode(cut_out_png(), "PNG")[:60], "image/png")

    response = client.post("/brand-kit/", {**kit_form(), "logo": broken})

    assert response.status_code == 400
    assert "The image file is truncated or corrupt." in response.text
    assert [k.version for k in rows(BrandKit, tenant)] == [1]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_roles_without_create_content_cannot_save(role):
    tenant = TenantFactory()
    client, _user = logged_in(tenant, role)
    client.get("/brand-kit/")

    response = client.post("/brand-kit/", kit_form(palette_primary="#000000"))

    assert response.status_code == 403
    assert [k.version for k in rows(BrandKit, tenant)] == [1]


def test_each_brand_edits_only_its_own_kit():
    mine, theirs = TenantFactory(), TenantFactory()
    their_client, _ = logged_in(theirs)
    their_client.post("/brand-kit/", kit_form(tone_of_voice="他们的语气"))
    client, _user = logged_in(mine)

    response = client.post("/brand-kit/", kit_form(tone_of_voice="我们的语气"), follow=True)

    assert [(k.version, k.tone_of_voice) for k in rows(BrandKit, mine)] == [
        (1, ""),
        (2, "我们的语气"),
    ]
    assert [(k.version, k.tone_of_voice) for k in rows(BrandKit, theirs)] == [
        (1, ""),
        (2, "他们的语气"),
    ]
    assert "他们的语气" not in response.text


def test_preferred_layouts_are_picked_from_the_image_backends_layouts():
    tenant = TenantFactory()
    client, _user = logged_in(tenant)
    page = client.get("/brand-kit/")

    saved = client.post("/brand-kit/", kit_form(preferred_layouts=["tall_stage", "square_band"]))
    refused = client.post("/brand-kit/", kit_form(preferred_layouts=["comic_sans"]))

    assert 'value="tall_stage"' in page.text and "Portrait" in page.text
    assert saved.status_code == 302
    assert rows(BrandKit, tenant)[-1].preferred_layouts == ["tall_stage", "square_band"]
    assert refused.status_code == 400
    assert "Select a valid choice. comic_sans is not one of the available choices." in refused.text
