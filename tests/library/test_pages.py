"""The library's dashboard pages: browse and search, bulk upload and its progress, an image with
its similar images, duplicate clusters and do-not-reuse banks. Images are added by the real
library services; upload batches are processed by calling the Celery task's function in this
process, as the worker runs it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from generation.models import Asset
from library import ingest, services, tasks
from library.models import Bank, BankEntry, UploadBatch, UploadItem
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.generation import factories as generation_factories
from tests.tenants.factories import TenantFactory, member, rows

from .pictures import cropped, encoded, picture, zipped

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "The file is not a PNG, JPEG or WebP image."


def logged_in(tenant, role=Role.EDITOR) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def added(tenant, data: bytes, name: str, **fields) -> ingest.Added:
    with tenant_scope(tenant.pk):
        return ingest.library_image_add(tenant_id=tenant.pk, data=data, name=name, **fields)


def jpeg(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def bank(tenant, name="Rejected by legal") -> Bank:
    with tenant_scope(tenant.pk):
        return services.bank_create(tenant=tenant, actor=None, name=name)


def text_entry(tenant, into: Bank, text="全网最低价") -> BankEntry:
    with tenant_scope(tenant.pk):
        return services.bank_entry_add(tenant=tenant, actor=None, bank=into, text=text)


def cluster(tenant) -> tuple[Asset, Asset]:
    """An uploaded image and a crop of it, which joined its cluster."""
    original = picture(41)
    first = added(tenant, encoded(original), "hero.jpg").asset
    crop = added(tenant, encoded(cropped(original, 0.05)), "hero-crop.jpg")
    assert crop.status == UploadItem.Status.NEAR_DUPLICATE
    return first, crop.asset


def audit_actions(tenant) -> list[str]:
    return [event.action for event in rows(AuditEvent, tenant)]


# BROWSE -------------------------------------------------------------------------------------


def test_the_empty_library_points_to_upload():
    tenant = TenantFactory()
    response = logged_in(tenant).get("/library/")

    assert response.status_code == 200
    assert 'href="/library/" class="active" aria-current="page"' in response.text
    assert "The library is empty" in response.text
    assert 'href="/library/upload/"' in response.text


def test_the_grid_shows_each_image_with_its_kind_tags_colours_and_duplicate_badge():
    tenant = TenantFactory()
    red = added(
        tenant, encoded(picture(1, colour=(210, 30, 30))), "夏季_防晒霜.jpg", kind="product"
    )
    first, crop = cluster(tenant)

    html = logged_in(tenant).get("/library/").text

    for asset in (red.asset, first, crop):
        assert f'href="/library/{asset.pk}/"' in html
    assert "夏季_防晒霜.jpg" in html
    assert '<span class="badge lib-kind kind-product">Product</span>' in html
    assert html.count(">near-duplicate</span>") == 1
    assert f'fill="{red.asset.colours[0]["hex"]}"' in html
    assert 'href="/library/?tag=%E9%98%B2%E6%99%92%E9%9C%9C"' in html  # 防晒霜, from the name
    assert "/files/" in html and "/view" in html  # thumbnails by signed inline links


def test_search_by_words_and_by_colour_only_when_asked():
    tenant = TenantFactory()
    added(tenant, encoded(picture(21, colour=(220, 30, 30))), "夏季防晒霜主图.jpg")
    added(tenant, encoded(picture(22, colour=(20, 40, 210))), "冬季保湿面霜.jpg")
    client = logged_in(tenant)

    def names(**params) -> list[str]:
        response = client.get("/library/", params)
        assert response.status_code == 200
        return re.findall(r'class="lib-tile-name ellipsis"[^>]*>([^<]+)<', response.text)

    assert names(q="防晒") == ["夏季防晒霜主图.jpg"]
    assert names(colour="#dd2222", by_colour="on") == ["夏季防晒霜主图.jpg"]
    # A colour input always sends a value: without the tick it does not filter.
    assert sorted(names(colour="#dd2222")) == ["冬季保湿面霜.jpg", "夏季防晒霜主图.jpg"]
    assert names(q="口红") == []
    # A broken colour is dropped with a message, not a 500.
    response = client.get("/library/", {"colour": "red", "by_colour": "on"})
    assert "Give a colour as #rrggbb." in response.text


def test_the_grid_pages_by_24():
    tenant = TenantFactory()
    for seed in range(25):
        added(tenant, encoded(picture(100 + seed, size=(320, 240))), f"shot-{seed}.jpg")
    client = logged_in(tenant)

    first = client.get("/library/").text
    second = client.get("/library/", {"page": 2}).text

    assert first.count('<li class="lib-tile') == 24
    assert second.count('<li class="lib-tile') == 1
    assert "Page 2 of 2" in second


# UPLOAD -------------------------------------------------------------------------------------


def test_the_upload_form_creates_a_batch_and_its_page_shows_each_file():
    tenant = TenantFactory()
    product = generation_factories.product(tenant, sku="SPF-50")
    client = logged_in(tenant)
    original = picture(51)
    existing = added(tenant, encoded(original), "earlier.jpg").asset

    response = client.post(
        "/library/upload/",
        {
            "files": [
                jpeg("海边背景.jpg", encoded(picture(52, colour=(30, 160, 200)))),
                jpeg("again.jpg", encoded(original)),
                jpeg("notes.jpg", b"not an image at all"),
            ],
            "kind": "background",
            "tags": "夏季，campaign",
            "product": product.pk,
        },
    )

    [batch] = rows(UploadBatch, tenant)
    assert response.status_code == 302
    assert response["Location"] == f"/library/uploads/{batch.pk}/"
    assert (batch.kind, batch.tags) == ("background", ["夏季", "campaign"])
    assert batch.product_id == product.pk
    live = client.get(f"/library/uploads/{batch.pk}/progress/").text
    assert f'hx-get="/library/uploads/{batch.pk}/progress/"' in live  # polls while queued

    tasks.upload_batch_process(tenant_id=tenant.pk, batch_id=batch.pk)

    html = client.get(response["Location"]).text
    assert "hx-get" not in html  # finished: no more polling
    assert "<strong>3</strong> / 3" in html
    assert "海边背景.jpg" in html and ">Added</span>" in html
    assert f'href="/library/{existing.pk}/">see #{existing.pk}</a>' in html
    assert f'>Refused</span> <span class="small danger-text">{NOT_AN_IMAGE}</span>' in html


def test_a_zip_upload_and_a_near_duplicate_with_its_distance():
    tenant = TenantFactory()
    client = logged_in(tenant)
    original = picture(61)
    added(tenant, encoded(original), "hero.jpg")
    archive = zipped({"shoot/hero-crop.jpg": encoded(cropped(original, 0.05))})

    response = client.post(
        "/library/upload/",
        {"archive": SimpleUploadedFile("shoot.zip", archive), "kind": "product"},
    )
    [batch] = rows(UploadBatch, tenant)
    assert batch.archive_name == "shoot.zip"
    tasks.upload_batch_process(tenant_id=tenant.pk, batch_id=batch.pk)

    html = client.get(response["Location"]).text
    [item] = rows(UploadItem, tenant)
    assert item.status == UploadItem.Status.NEAR_DUPLICATE
    assert ">Added, near-duplicate</span>" in html
    assert f"distance {item.distance}" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose one or more images, or a zip of images."),
        ({"both": True}, "Upload either images or one zip, not both at once."),
        ({"kind": "spaceship"}, "Select a valid choice."),
    ],
)
def test_bad_uploads_are_refused_in_place_and_store_nothing(fields, message):
    tenant = TenantFactory()
    data: dict = {"kind": fields.get("kind", "product")}
    if "both" in fields:
        data["files"] = [jpeg("a.jpg", encoded(picture(1)))]
        data["archive"] = SimpleUploadedFile("a.zip", zipped({"b.jpg": encoded(picture(2))}))
    elif "kind" in fields:
        data["files"] = [jpeg("a.jpg", encoded(picture(1)))]

    response = logged_in(tenant).post("/library/upload/", data)

    assert response.status_code == 400
    assert message in response.text
    assert rows(UploadBatch, tenant) == []


# ONE IMAGE ----------------------------------------------------------------------------------


def test_an_image_page_shows_its_facts_cluster_and_similar_images():
    tenant = TenantFactory()
    first, crop = cluster(tenant)
    other = added(tenant, encoded(picture(42, colour=(20, 160, 60))), "green.jpg").asset

    html = logged_in(tenant).get(f"/library/{first.pk}/").text

    assert "hero.jpg" in html and f"{first.width} × {first.height}" in html
    assert "Its duplicate cluster" in html
    similar = html.split('id="similar-heading"')[1]
    # The crop first (a duplicate, with its distance), then the unrelated picture; never itself.
    assert similar.index(f'href="/library/{crop.pk}/"') < similar.index(
        f'href="/library/{other.pk}/"'
    )
    assert f'href="/library/{first.pk}/"' not in similar
    assert similar.count(">duplicate</span>") == 1
    assert f'href="/generate/?reference={first.pk}"' in html


def test_an_editor_changes_tags_caption_and_kind():
    tenant = TenantFactory()
    asset = added(tenant, encoded(picture(71)), "shot.jpg").asset
    client = logged_in(tenant)

    response = client.post(
        f"/library/{asset.pk}/",
        {"kind": "prop", "tags": "夏季, 海边、 Beach", "caption": "沙滩上的遮阳伞", "product": ""},
    )

    assert response.status_code == 302
    [saved] = rows(Asset, tenant)
    assert (saved.kind, saved.caption) == ("prop", "沙滩上的遮阳伞")
    assert saved.tags == ["夏季", "海边", "beach"]
    assert "library.asset_updated" in audit_actions(tenant)
    assert "Image saved." in client.get(response["Location"]).text


def test_an_invalid_edit_is_shown_in_place_and_changes_nothing():
    tenant = TenantFactory()
    asset = added(tenant, encoded(picture(72)), "shot.jpg").asset

    response = logged_in(tenant).post(f"/library/{asset.pk}/", {"kind": "spaceship", "tags": "x"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert rows(Asset, tenant)[0].kind == asset.kind


def test_an_image_goes_into_a_bank_once():
    tenant = TenantFactory()
    asset = added(tenant, encoded(picture(73)), "competitor.jpg").asset
    into = bank(tenant)
    client = logged_in(tenant)

    first = client.post(f"/library/{asset.pk}/bank/", {"bank": into.pk, "note": "竞品海报"})
    again = client.post(f"/library/{asset.pk}/bank/", {"bank": into.pk})

    assert first.status_code == 302
    [entry] = rows(BankEntry, tenant)
    assert (entry.source_asset_id, entry.note, entry.kind) == (asset.pk, "竞品海报", "image")
    assert again.status_code == 400
    assert "This image is in the bank already." in again.text


# DUPLICATES ---------------------------------------------------------------------------------


def test_the_duplicates_page_shows_clusters_and_merging_keeps_the_chosen_image():
    tenant = TenantFactory()
    first, crop = cluster(tenant)
    client = logged_in(tenant)

    html = client.get("/library/duplicates/").text
    assert f'action="/library/duplicates/{first.pk}/merge/"' in html
    assert html.count("Keep this one and merge") == 2
    assert "Generated posters belong to their jobs and stay." in html

    response = client.post(f"/library/duplicates/{first.pk}/merge/", {"keep": crop.pk})

    assert response.status_code == 302
    [kept] = rows(Asset, tenant)
    assert kept.pk == crop.pk and kept.duplicate_of_id is None
    assert "library.cluster_merged" in audit_actions(tenant)
    assert "removed 1 uploaded copy" in client.get("/library/duplicates/").text


def test_merging_with_an_image_outside_the_cluster_is_refused():
    tenant = TenantFactory()
    first, _crop = cluster(tenant)
    stranger = added(tenant, encoded(picture(43, colour=(0, 0, 0))), "other.jpg").asset
    client = logged_in(tenant)

    response = client.post(f"/library/duplicates/{first.pk}/merge/", {"keep": stranger.pk})

    assert response.status_code == 302
    assert len(rows(Asset, tenant)) == 3
    assert "Keep one of the cluster&#x27;s own images." in client.get("/library/duplicates/").text


def test_not_a_duplicate_takes_the_image_out_of_its_cluster():
    tenant = TenantFactory()
    _first, crop = cluster(tenant)
    client = logged_in(tenant)

    response = client.post(f"/library/{crop.pk}/not-duplicate/")

    assert response.status_code == 302
    assert all(a.duplicate_of_id is None for a in rows(Asset, tenant))
    assert "library.duplicate_dismissed" in audit_actions(tenant)
    assert "No duplicates" in client.get("/library/duplicates/").text


# BANKS --------------------------------------------------------------------------------------


def test_banks_are_created_listed_and_turned_off_and_on():
    tenant = TenantFactory()
    client = logged_in(tenant)

    response = client.post("/library/banks/", {"name": "竞品素材", "description": "别家的海报"})
    [created] = rows(Bank, tenant)
    assert response["Location"] == f"/library/banks/{created.pk}/"
    duplicate = client.post("/library/banks/", {"name": "竞品素材"})
    assert duplicate.status_code == 400
    assert "There is already a bank called “竞品素材”." in duplicate.text

    client.post(f"/library/banks/{created.pk}/toggle/", {"enabled": "0", "next": "list"})
    assert rows(Bank, tenant)[0].enabled is False
    html = client.get("/library/banks/").text
    assert "竞品素材" in html and '<span class="badge off">Off</span>' in html
    client.post(f"/library/banks/{created.pk}/toggle/", {"enabled": "1"})
    assert rows(Bank, tenant)[0].enabled is True
    assert audit_actions(tenant).count("library.bank_updated") == 2


def test_a_bank_takes_images_and_copy_and_entries_are_removed():
    tenant = TenantFactory()
    into = bank(tenant)
    client = logged_in(tenant)

    image = client.post(
        f"/library/banks/{into.pk}/entries/",
        {"add": "image", "image": jpeg("rival.jpg", encoded(picture(81))), "note": "对手"},
    )
    copy = client.post(f"/library/banks/{into.pk}/entries/", {"add": "text", "text": "全网最低价"})
    refused = client.post(
        f"/library/banks/{into.pk}/entries/",
        {"add": "image", "image": jpeg("notes.jpg", b"not an image")},
    )

    assert image.status_code == copy.status_code == 302
    assert refused.status_code == 400 and NOT_AN_IMAGE in refused.text
    entries = rows(BankEntry, tenant)
    assert [e.kind for e in entries] == ["image", "text"]
    html = client.get(f"/library/banks/{into.pk}/").text
    assert "全网最低价" in html and "对手" in html and "2 entries" in html

    removed = client.post(f"/library/banks/{into.pk}/entries/{entries[0].pk}/remove/")
    assert removed.status_code == 302
    assert [e.kind for e in rows(BankEntry, tenant)] == ["text"]
    assert {"library.bank_entry_added", "library.bank_entry_removed"} <= set(audit_actions(tenant))


# ROLES AND OTHER BRANDS ---------------------------------------------------------------------


def test_a_viewer_reads_every_page_but_sees_no_forms_and_cannot_post():
    tenant = TenantFactory()
    first, crop = cluster(tenant)
    into = bank(tenant)
    entry = text_entry(tenant, into)
    client = logged_in(tenant, Role.VIEWER)
    with tenant_scope(tenant.pk):
        batch = UploadBatch.objects.create(tenant=tenant, status=UploadBatch.Status.DONE)

    for path in (
        "/library/", "/library/upload/", f"/library/uploads/{batch.pk}/", f"/library/{first.pk}/",
        "/library/duplicates/", "/library/banks/", f"/library/banks/{into.pk}/",
    ):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Keep this one and merge" not in response.text
        assert 'type="submit">Save' not in response.text
    posts = {
        "/library/upload/": {"files": [jpeg("a.jpg", encoded(picture(3)))], "kind": "product"},
        f"/library/{first.pk}/": {"kind": "prop", "tags": "x"},
        f"/library/{first.pk}/bank/": {"bank": into.pk},
        f"/library/duplicates/{first.pk}/merge/": {"keep": crop.pk},
        f"/library/{crop.pk}/not-duplicate/": {},
        "/library/banks/": {"name": "Mine"},
        f"/library/banks/{into.pk}/toggle/": {"enabled": "0"},
        f"/library/banks/{into.pk}/entries/": {"add": "text", "text": "x"},
        f"/library/banks/{into.pk}/entries/{entry.pk}/remove/": {},
    }
    before = audit_actions(tenant)
    for path, data in posts.items():
        assert client.post(path, data).status_code == 403, path
    assert audit_actions(tenant) == before
    assert len(rows(Asset, tenant)) == 2 and len(rows(BankEntry, tenant)) == 1
    assert rows(UploadBatch, tenant) == [batch]


def test_another_brands_ids_are_not_found_and_nothing_changes():
    mine, theirs = TenantFactory(), TenantFactory()
    first, crop = cluster(theirs)
    their_bank = bank(theirs)
    entry = text_entry(theirs, their_bank)
    with tenant_scope(theirs.pk):
        batch = UploadBatch.objects.create(tenant=theirs)
    mine_bank = bank(mine, "Mine")
    client = logged_in(mine, Role.OWNER)

    gets = [
        f"/library/{first.pk}/", f"/library/uploads/{batch.pk}/",
        f"/library/uploads/{batch.pk}/progress/", f"/library/banks/{their_bank.pk}/",
    ]  # fmt: skip
    posts = {
        f"/library/{first.pk}/": {"kind": "prop", "tags": "x"},
        f"/library/{first.pk}/bank/": {"bank": mine_bank.pk},
        f"/library/duplicates/{first.pk}/merge/": {"keep": crop.pk},
        f"/library/{crop.pk}/not-duplicate/": {},
        f"/library/banks/{their_bank.pk}/toggle/": {"enabled": "0"},
        f"/library/banks/{their_bank.pk}/entries/": {"add": "text", "text": "x"},
        f"/library/banks/{their_bank.pk}/entries/{entry.pk}/remove/": {},
        f"/library/banks/{mine_bank.pk}/entries/{entry.pk}/remove/": {},
    }
    before = (audit_actions(theirs), audit_actions(mine))

    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts.items():
        assert client.post(path, data).status_code == 404, path

    assert (audit_actions(theirs), audit_actions(mine)) == before
    assert [a.duplicate_of_id for a in rows(Asset, theirs)] == [None, first.pk]
    assert rows(Bank, theirs)[0].enabled is True
    assert len(rows(BankEntry, theirs)) == 1 and rows(BankEntry, mine) == []


def test_merging_into_a_cluster_with_another_brands_image_is_refused():
    mine, theirs = TenantFactory(), TenantFactory()
    first, _crop = cluster(mine)
    their_first, _ = cluster(theirs)
    client = logged_in(mine)

    client.post(f"/library/duplicates/{first.pk}/merge/", {"keep": their_first.pk})

    assert len(rows(Asset, mine)) == 2 and len(rows(Asset, theirs)) == 2


# SCREENSHOTS --------------------------------------------------------------------------------

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _product_photo(backdrop, bottle, cap, *, size=(800, 800), seed=0) -> bytes:
    """A studio shot: a bottle on a soft backdrop, with a floor shadow."""
    from PIL import Image, ImageDraw, ImageFilter

    image = Image.new("RGB", size, backdrop)
    draw = ImageDraw.Draw(image)
    w, h = size
    floor = tuple(max(0, c - 28) for c in backdrop)
    draw.rectangle((0, int(h * 0.68), w, h), fill=floor)
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).ellipse((w * 0.3, h * 0.74, w * 0.7, h * 0.8), fill=110)
    image.paste((40, 40, 40), mask=shadow.filter(ImageFilter.GaussianBlur(18)))
    left, right = w * (0.38 - seed * 0.02), w * (0.62 + seed * 0.02)
    draw.rounded_rectangle((left, h * 0.3, right, h * 0.77), radius=int(w * 0.05), fill=bottle)
    draw.rectangle((w * 0.44, h * 0.2, w * 0.56, h * 0.31), fill=cap)
    draw.rounded_rectangle((left + 20, h * 0.45, right - 20, h * 0.6), radius=8, fill="#FFFFFF")
    return encoded(image, "JPEG", quality=90)


def _poster(background, accent, headline: str, *, size=(720, 1080)) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.15, h * 0.25, w * 0.85, h * 0.72), fill=accent)
    font = ImageFont.truetype(FONT, 84)
    small = ImageFont.truetype(FONT, 40)
    draw.text((w / 2, h * 0.12), headline, font=font, fill="#FFFFFF", anchor="mm")
    draw.rounded_rectangle((w * 0.25, h * 0.82, w * 0.75, h * 0.9), radius=40, fill="#FFFFFF")
    draw.text((w / 2, h * 0.86), "立即抢购", font=small, fill=background, anchor="mm")
    return encoded(image, "PNG")


def _backdrop(top, bottom, *, size=(1200, 800), waves=False) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    w, h = size
    for y in range(h):
        t = y / (h - 1)
        draw.line(
            (0, y, w, y),
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    if waves:
        for i in range(4):
            y = h * (0.55 + i * 0.1)
            draw.ellipse((-w * 0.2, y, w * 1.2, y + h * 0.5), outline="#FFFFFF", width=6)
    return encoded(image, "JPEG", quality=90)


def library_pictures() -> list[tuple[str, bytes, str, list[str]]]:
    """A dozen images a skincare brand keeps: product shots, posters, backgrounds, props."""
    return [
        (
            "防晒霜-主图-白底.jpg",
            _product_photo((246, 244, 240), "#F28C28", "#333333"),
            "product",
            ["防晒"],
        ),
        (
            "防晒霜-蓝色背景.jpg",
            _product_photo((120, 170, 220), "#F28C28", "#333333", seed=1),
            "product",
            ["防晒", "夏季"],
        ),
        (
            "玫瑰精华液.jpg",
            _product_photo((250, 228, 232), "#C2185B", "#D4AF37"),
            "product",
            ["精华"],
        ),
        (
            "绿茶洁面乳.jpg",
            _product_photo((226, 240, 222), "#2E7D32", "#FFFFFF", seed=2),
            "product",
            ["洁面"],
        ),
        (
            "保湿面霜-奶油色.jpg",
            _product_photo((245, 236, 220), "#8D6E63", "#EEEEEE", seed=1),
            "product",
            ["面霜", "秋冬"],
        ),
        ("夏日大促海报.png", _poster("#0F766E", "#FDBA74", "夏日焕新"), "poster", ["大促"]),
        ("双十一海报.png", _poster("#B91C1C", "#FDE68A", "双十一"), "poster", ["双十一"]),
        ("新品上市海报.png", _poster("#1E3A8A", "#93C5FD", "新品上市"), "poster", ["新品"]),
        (
            "海边渐变背景.jpg",
            _backdrop((255, 214, 165), (64, 156, 200), waves=True),
            "background",
            ["海边", "夏季"],
        ),
        ("薄荷绿背景.jpg", _backdrop((209, 250, 229), (16, 185, 129)), "background", ["清新"]),
        ("暮色紫背景.jpg", _backdrop((76, 29, 149), (244, 114, 182)), "background", []),
        (
            "木质托盘道具.jpg",
            _product_photo((236, 226, 210), "#A0522D", "#A0522D", seed=3),
            "prop",
            ["木纹"],
        ),
    ]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_screenshots_of_the_library_pages(live_server, page, artifacts, redis_client):
    from django.contrib.auth import get_user_model

    password = "s3cret-pass"
    user = get_user_model().objects.create_user("mei@lumiere.test", "mei@lumiere.test", password)
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.OWNER, user)
    product = generation_factories.product(brand, sku="SPF50-120", title="清透防晒霜 SPF50")
    pictures = library_pictures()
    assets = {}
    for name, data, kind, tags in pictures:
        assets[name] = added(
            brand, data, name, kind=kind, tags=tags,
            product=product if name.startswith("防晒") else None,
        ).asset  # fmt: skip
    # A re-saved crop of the white-background shot joins its cluster.
    import io as _io

    from PIL import Image as PILImage

    shot = PILImage.open(_io.BytesIO(pictures[0][1]))
    crop = added(brand, encoded(cropped(shot, 0.06), "JPEG", quality=70), "防晒霜-主图-裁剪.jpg")
    assert crop.status == UploadItem.Status.NEAR_DUPLICATE
    rejected = bank(brand, "法务驳回")
    with tenant_scope(brand.pk):
        services.bank_entry_add(
            tenant=brand, actor=user, bank=rejected, asset=assets["双十一海报.png"],
            note="“全网最低”未经证实",
        )  # fmt: skip
        services.bank_entry_add(
            tenant=brand, actor=user, bank=rejected, text="全网最低价，仅此一天！",
            note="极限用语（广告法第九条）",
        )  # fmt: skip
    bank(brand, "竞品素材")

    page.goto(f"{live_server.url}/library/")
    page.fill("input[name=username]", "mei@lumiere.test")
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/library/")
    # Lazy images below the fold would never load in a headless full-page shot.
    images_loaded = """() => [...document.querySelectorAll('img')].every((img) => {
      img.loading = 'eager'; return img.complete && img.naturalWidth > 0; })"""
    page.wait_for_function(images_loaded)
    page.screenshot(path=str(artifacts / "library-grid.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # Upload through the form: two images, one already here, and two files that are refused.
    page.get_by_role("link", name="Upload images").first.click()
    page.set_input_files(
        "input[name=files]",
        files=[
            {"name": "樱花背景.jpg", "mimeType": "image/jpeg",
             "buffer": _backdrop((255, 228, 236), (244, 143, 177))},
            {"name": "香氛蜡烛道具.jpg", "mimeType": "image/jpeg",
             "buffer": _product_photo((240, 235, 250), "#7E57C2", "#424242", seed=2)},
            {"name": "玫瑰精华液-副本.jpg", "mimeType": "image/jpeg", "buffer": pictures[2][1]},
            {"name": "报价单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 no"},
            {"name": "损坏的图片.jpg", "mimeType": "image/jpeg", "buffer": pictures[3][1][:2000]},
        ],
    )  # fmt: skip
    page.select_option("select[name=kind]", "background")
    page.fill("input[name=tags]", "春季, 新品")
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/library/uploads/*/")
    [batch] = rows(UploadBatch, brand)
    tasks.upload_batch_process(tenant_id=brand.pk, batch_id=batch.pk)
    page.locator("#batch-live[data-status=done]").wait_for(timeout=10_000)
    page.wait_for_function(images_loaded)
    page.screenshot(path=str(artifacts / "library-upload-progress.png"), full_page=True)

    page.goto(f"{live_server.url}/library/{assets['防晒霜-主图-白底.jpg'].pk}/")
    page.wait_for_function(images_loaded)
    page.screenshot(path=str(artifacts / "library-asset.png"), full_page=True)

    page.goto(f"{live_server.url}/library/duplicates/")
    page.wait_for_function(images_loaded)
    page.screenshot(path=str(artifacts / "library-duplicates.png"), full_page=True)

    page.goto(f"{live_server.url}/library/banks/{rejected.pk}/")
    page.wait_for_function(images_loaded)
    page.screenshot(path=str(artifacts / "library-bank.png"), full_page=True)
