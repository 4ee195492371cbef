"""provenance.services.unlabelled_export: a poster without its visible label, only after the
member accepted the labelling duty, still carrying its other marks, and logged."""

import hashlib
import io

import pytest
from django.conf import settings
from PIL import Image, ImageChops, ImageDraw, ImageStat

from compliance import review
from generation import catalog, storage
from generation.channels import channel_get
from generation.compositor.layouts import label_slot
from generation.models import Render
from provenance import metadata, services, watermark
from provenance.models import LabellingDutyAcceptance, UnlabelledExport
from provenance.services import LabellingDutyNotAccepted, NotExportable
from provenance.verification import verify
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.compliance.factories import CLEAN_SCRIPT, HELD_SCRIPT, rendered, review_items
from tests.generation.factories import product, product_photo
from tests.generation.image_samples import cut_out_png, encode
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = pytest.mark.django_db


class Brand:
    """A brand with one rendered job and a member who exports from it."""

    def __init__(self, script: str = CLEAN_SCRIPT, tenant=None, **request) -> None:
        self.tenant = tenant or TenantFactory()
        self.user = member(self.tenant, Role.EDITOR).user
        self.job = rendered(self.tenant, script, variants=1, **request)
        [self.item] = review_items(self.tenant, self.job) or [None]

    def render(self) -> Render:
        with tenant_scope(self.tenant.pk):
            return (
                Render.objects.select_related("asset", "job", "job__brand_kit", "job__tenant")
                .filter(tenant=self.tenant, job=self.job)
                .get()
            )

    def accept(self, user=None) -> LabellingDutyAcceptance:
        user = user or self.user
        with tenant_scope(self.tenant.pk, user_id=user.pk):
            return services.labelling_duty_accept(
                tenant=self.tenant, user=user, ip_address="203.0.113.9", user_agent="pytest"
            )

    def export(self, user=None) -> services.ExportedFile:
        user = user or self.user
        render = self.render()
        with tenant_scope(self.tenant.pk, user_id=user.pk):
            return services.unlabelled_export(
                tenant=self.tenant,
                user=user,
                render_id=render.pk,
                ip_address="203.0.113.9",
                user_agent="pytest",
            )


def pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image, mask: Image.Image) -> float:
    difference = ImageChops.difference(a, b).convert("L")
    return ImageStat.Stat(difference, mask).mean[0]


def test_without_accepting_the_labelling_duty_nothing_is_exported():
    brand = Brand()

    with pytest.raises(LabellingDutyNotAccepted, match="Accept the labelling duty first"):
        brand.export()

    assert rows(UnlabelledExport, brand.tenant) == []
    assert rows(AuditEvent, brand.tenant, action="provenance.unlabelled_exported") == []


def test_another_members_acceptance_does_not_count():
    brand = Brand()
    brand.accept(member(brand.tenant, Role.OWNER).user)

    with pytest.raises(LabellingDutyNotAccepted):
        brand.export()

    assert rows(UnlabelledExport, brand.tenant) == []


def test_an_export_has_no_visible_label_but_keeps_the_watermark_and_metadata():
    brand = Brand()
    acceptance = brand.accept()
    render = brand.render()
    asset = render.asset

    exported = brand.export()

    assert exported.content_type == "image/jpeg"
    assert exported.filename == f"job{brand.job.pk}-{render.channel}-1-unlabelled.jpg"
    stored, bare = pixels(storage.read_bytes(asset.file.name)), pixels(exported.data)
    assert bare.size == stored.size == (render.width, render.height)
    slot = label_slot(
        render.layout,
        width=render.width,
        height=render.height,
        safe_zone=channel_get(render.channel).safe_zone,
        text="AI生成",
    )
    inside = Image.new("L", bare.size, 0)
    ImageDraw.Draw(inside).rectangle((slot.x0, slot.y0, slot.x1 - 1, slot.y1 - 1), fill=255)
    # Outside the slot, less a JPEG block or two around it where its edge bleeds.
    outside = Image.new("L", bare.size, 255)
    ImageDraw.Draw(outside).rectangle(
        (slot.x0 - 16, slot.y0 - 16, slot.x1 + 15, slot.y1 + 15), fill=0
    )
    assert mean_difference(stored, bare, inside) > 20
    assert mean_difference(stored, bare, outside) < 0.5
    found = watermark.detect(bare)
    assert found.payload == watermark.Payload(settings.APP_WATERMARK_INSTALLATION_ID, asset.pk)
    read = metadata.read(exported.data)
    assert read.label is not None
    assert (read.label.produce_id, read.seal_valid) == (str(asset.pk), True)
    assert read.label.content_producer == settings.APP_AIGC_PROVIDER_CODE
    [logged] = rows(UnlabelledExport, brand.tenant)
    assert logged.sha256 == hashlib.sha256(exported.data).hexdigest()
    assert (logged.asset_id, logged.user_id, logged.acceptance_id) == (
        asset.pk, brand.user.pk, acceptance.pk,
    )  # fmt: skip
    assert (logged.ip_address, logged.user_agent) == ("203.0.113.9", "pytest")
    [event] = rows(AuditEvent, brand.tenant, action="provenance.unlabelled_exported")
    assert (event.actor_id, event.target_id) == (brand.user.pk, str(logged.pk))
    assert event.data == {"asset_id": asset.pk, "render_id": render.pk, "sha256": logged.sha256}


def test_verifying_the_exported_file_says_it_shows_no_visible_label():
    brand = Brand()
    brand.accept()
    exported = brand.export()

    report = verify(exported.data, viewer_tenant_id=brand.tenant.pk)

    assert report["ai_label"]["visible"] is False
    assert report["generated_by_us"] is True
    assert report["asset"]["asset_id"] == brand.render().asset_id


def test_the_labelled_original_still_verifies_as_visibly_labelled_after_an_export():
    brand = Brand()
    brand.accept()
    brand.export()
    asset = brand.render().asset

    report = verify(storage.read_bytes(asset.file.name), viewer_tenant_id=brand.tenant.pk)

    assert report["ai_label"]["visible"] is True


def test_exporting_twice_logs_two_exports_under_one_acceptance():
    brand = Brand()
    first, again = brand.accept(), brand.accept()

    one, two = brand.export(), brand.export()

    assert first.pk == again.pk
    assert len(rows(LabellingDutyAcceptance, brand.tenant)) == 1
    assert len(rows(AuditEvent, brand.tenant, action="provenance.duty_accepted")) == 1
    assert one.data == two.data  # drawn again from the same inputs, byte for byte
    exports = rows(UnlabelledExport, brand.tenant)
    assert [e.acceptance_id for e in exports] == [first.pk, first.pk]
    assert len(rows(AuditEvent, brand.tenant, action="provenance.unlabelled_exported")) == 2


@pytest.mark.parametrize("decision", ["held", "rejected"])
def test_a_held_or_rejected_poster_is_not_exportable(decision):
    brand = Brand(HELD_SCRIPT)
    brand.accept()
    if decision == "rejected":
        reviewer = member(brand.tenant, Role.REVIEWER).user
        with tenant_scope(brand.tenant.pk, user_id=reviewer.pk):
            review.review_reject(
                tenant=brand.tenant, user=reviewer, item_id=brand.item.pk,
                reason_code="medical_claim", note="抑菌需检测报告",
            )  # fmt: skip
    assert brand.render().compliance_state == decision

    with pytest.raises(NotExportable, match="held or rejected in ad-law review"):
        brand.export()

    assert rows(UnlabelledExport, brand.tenant) == []


def test_an_approved_poster_is_exportable():
    brand = Brand(HELD_SCRIPT)
    brand.accept()
    reviewer = member(brand.tenant, Role.REVIEWER).user
    with tenant_scope(brand.tenant.pk, user_id=reviewer.pk):
        review.review_approve(tenant=brand.tenant, user=reviewer, item_id=brand.item.pk)

    exported = brand.export()

    assert watermark.detect(pixels(exported.data)).payload.asset_id == brand.render().asset_id
    assert len(rows(UnlabelledExport, brand.tenant)) == 1


def test_a_poster_whose_product_photo_was_deleted_cannot_be_drawn_again():
    tenant = TenantFactory()
    cream = product(tenant)
    photo = product_photo(tenant, cream, encode(cut_out_png(), "PNG"))
    brand = Brand(tenant=tenant, product_ids=(cream.pk,))
    brand.accept()
    with tenant_scope(tenant.pk):
        catalog.product_photo_delete(tenant=tenant, user=None, photo_id=photo.pk)

    with pytest.raises(NotExportable, match="cannot be drawn again exactly"):
        brand.export()

    assert rows(UnlabelledExport, tenant) == []


def test_another_brands_render_is_not_exported():
    mine, theirs = Brand(), Brand()
    mine.accept()
    their_render = theirs.render()

    with (
        tenant_scope(mine.tenant.pk, user_id=mine.user.pk),
        pytest.raises(Render.DoesNotExist),
    ):
        services.unlabelled_export(
            tenant=mine.tenant, user=mine.user, render_id=their_render.pk,
            ip_address=None, user_agent="pytest",
        )  # fmt: skip

    assert rows(UnlabelledExport, mine.tenant) == []
