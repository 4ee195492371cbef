from pathlib import Path

import pytest
from django.test import Client

from generation.models import Job
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member, rows

from .factories import job, product

pytestmark = pytest.mark.django_db

SCRIPT = (Path(__file__).parent / "fixtures" / "scripts" / "skincare_zh.txt").read_text()
KEY = "web-" + "a" * 32


def logged_in(tenant, role=Role.EDITOR) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def form(**changes):
    data = {
        "script": "家人们，这款玻尿酸精华真的超级补水！到手价199元！",
        "channels": ["main_800x800", "live_1080x1920"],
        "variants": "2",
        "lane": "interactive",
        "output_format": "jpeg",
        "idempotency_key": KEY,
    }
    data.update(changes)
    return data


def test_the_page_shows_script_box_products_and_channels():
    tenant = TenantFactory()
    product(tenant, sku="SERUM-30", title="玻尿酸补水精华液")

    response = logged_in(tenant, Role.VIEWER).get("/generate/")

    assert response.status_code == 200
    text = response.text
    assert 'maxlength="20000"' in text
    assert "Analyse" in text
    assert "玻尿酸补水精华液" in text and "SERUM-30" in text
    for label in ("直播间 Live stream 1080×1920", "主图 Main image 800×800", "小红书 Xiaohongshu"):
        assert label in text
    assert 'name="idempotency_key" value="web-' in text
    assert "but not start a generation" in text  # a viewer's submit button is disabled


def test_each_render_of_the_form_gets_a_new_idempotency_key():
    client = logged_in(TenantFactory())

    first = client.get("/generate/").context["form"]["idempotency_key"].value()
    second = client.get("/generate/").context["form"]["idempotency_key"].value()

    assert first != second


def test_an_editor_submits_a_job_and_lands_on_its_page():
    tenant = TenantFactory()
    serum = product(tenant)
    client = logged_in(tenant)

    response = client.post(
        "/generate/", form(products=[serum.pk], variants="3", lane="bulk", output_format="webp")
    )

    [created] = rows(Job, tenant)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{created.pk}/"
    assert created.channels == ["main_800x800", "live_1080x1920"]
    assert (created.variants, created.lane, created.output_format) == (3, "bulk", "webp")
    assert created.product_ids == [serum.pk]
    assert created.idempotency_key == KEY
    assert created.created_by is not None


def test_a_double_submit_creates_one_job():
    tenant = TenantFactory()
    client = logged_in(tenant)

    first = client.post("/generate/", form())
    second = client.post("/generate/", form())

    [created] = rows(Job, tenant)
    assert first["Location"] == second["Location"] == f"/jobs/{created.pk}/"


def test_the_same_key_with_other_values_asks_to_send_again_with_a_new_key():
    tenant = TenantFactory()
    client = logged_in(tenant)
    client.post("/generate/", form())

    response = client.post("/generate/", form(variants="5"))

    assert response.status_code == 400
    assert "already sent with other values" in response.text
    assert response.context["form"]["idempotency_key"].value() != KEY
    assert [j.variants for j in rows(Job, tenant)] == [2]


def test_a_custom_size_is_sent_as_a_custom_channel():
    tenant = TenantFactory()

    logged_in(tenant).post("/generate/", form(channels=[], custom_size="1080 x 1080"))

    assert [j.channels for j in rows(Job, tenant)] == [["custom_1080x1080"]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"script": "   "}, "Give a script or choose at least one product."),
        ({"script": "字" * 20_001}, "The script has 20001 characters; the limit is 20000."),
        ({"channels": []}, "Choose at least one channel."),
        ({"variants": "0"}, "Variants must be between 1 and 200."),
        ({"variants": "201"}, "Variants must be between 1 and 200."),
        ({"variants": "many"}, "Enter the number of variants."),
        ({"custom_size": "99x99"}, "Each side must be 256 to 4096 pixels."),
        ({"custom_size": "big"}, "Write the size as width×height, e.g. 1080x1080."),
        ({"output_format": "gif"}, "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message(changes, message):
    tenant = TenantFactory()

    response = logged_in(tenant).post("/generate/", form(**changes))

    assert response.status_code == 400
    assert message in response.text
    assert rows(Job, tenant) == []


def test_the_service_has_the_last_word_and_its_message_is_shown():
    tenant = TenantFactory()
    # The form takes a repeated channel; the service refuses it, with its own message.
    response = logged_in(tenant).post(
        "/generate/",
        form(channels=["main_800x800", "main_800x800"]),
    )

    assert response.status_code == 400
    assert "Each channel may appear once." in response.text
    assert rows(Job, tenant) == []


def test_another_brands_product_is_not_accepted():
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs, sku="THEIRS")

    response = logged_in(mine).post("/generate/", form(products=[their_product.pk]))

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert rows(Job, mine) == [] and rows(Job, theirs) == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_roles_without_create_content_cannot_submit(role):
    tenant = TenantFactory()

    response = logged_in(tenant, role).post("/generate/", form())

    assert response.status_code == 403
    assert rows(Job, tenant) == []


def test_edit_and_run_again_prefills_the_form_from_a_job():
    tenant = TenantFactory()
    source = job(tenant, script="源脚本：保湿精华", channels=("banner_1200x628",), variants=7)

    response = logged_in(tenant).get(f"/generate/?from={source.pk}")

    assert response.status_code == 200
    bound = response.context["form"]
    assert bound["script"].value() == "源脚本：保湿精华"
    assert bound["channels"].value() == ["banner_1200x628"]
    assert bound["variants"].value() == 7
    assert f"Prefilled from job #{source.pk}" in response.text


def test_sending_a_prefilled_form_records_the_clone_with_a_new_seed():
    tenant = TenantFactory()
    source = job(tenant, seed=5)

    logged_in(tenant).post("/generate/", form(clone_of=str(source.pk), variants="4"))

    clone = rows(Job, tenant)[-1]
    assert clone.cloned_from_id == source.pk
    assert clone.variants == 4
    assert clone.seed != 5


def test_another_brands_job_cannot_be_prefilled_or_cloned():
    mine, theirs = TenantFactory(), TenantFactory()
    their_job = job(theirs, script="他们的脚本")
    client = logged_in(mine)

    prefill = client.get(f"/generate/?from={their_job.pk}")
    clone = client.post("/generate/", form(clone_of=str(their_job.pk)))

    assert (prefill.status_code, clone.status_code) == (404, 404)
    assert rows(Job, mine) == []
    assert len(rows(Job, theirs)) == 1


# ANALYSIS PREVIEW ---------------------------------------------------------------------------


def test_analyse_shows_the_preview_as_a_partial():
    client = logged_in(TenantFactory(), Role.VIEWER)

    response = client.post("/generate/analyse/", {"script": SCRIPT}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert '<span class="chip keyword">玻尿酸</span>' in text
    assert "Selling points" in text and "Tone" in text
    assert "到手价只要199元" in text
    assert "买一送一" in text


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("   ", "The script is empty."),
        ("字" * 20_001, "The script has 20001 characters; the limit is 20000."),
    ],
)
def test_analyse_explains_a_script_it_cannot_read(script, message):
    client = logged_in(TenantFactory())

    response = client.post("/generate/analyse/", {"script": script}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200  # htmx swaps only 2xx answers in
    assert message in response.text
