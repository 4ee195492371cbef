"""The pipeline's near-duplicate checks, with jobs rendered by the real services in this process
(tests.compliance.factories.rendered, as a worker runs them).

To draw a poster the brand already has without the render cache answering first, the earlier
asset's render key is changed, as an asset stored by an earlier backend version would differ.
"""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

from generation import selectors, storage
from generation.models import Asset, Job, Render
from library import copy_hashes, dedup, image_hashes, services
from library.models import CopyHash, ImageHash
from tenants.context import tenant_scope
from tests.compliance.factories import CLEAN_SCRIPT, fresh, rendered
from tests.tenants.factories import TenantFactory, rows

pytestmark = pytest.mark.django_db

REQUEST = {"channels": ("main_800x800",), "variants": 1, "seed": 4242}


def first_poster(tenant) -> tuple[Job, Render]:
    job = rendered(tenant, CLEAN_SCRIPT, **REQUEST)
    (render,) = rows(Render, tenant, job=job)
    assert render.status == Render.Status.DONE
    with tenant_scope(tenant.pk):
        # No longer found by its key: the same inputs draw the same poster again.
        Asset.objects.filter(pk=render.asset_id).update(render_key="earlier-backend")
    return job, render


def again(tenant) -> Render:
    job = rendered(tenant, CLEAN_SCRIPT, **REQUEST)
    (render,) = rows(Render, tenant, job=job)
    return render


def test_every_stored_poster_is_fingerprinted_and_its_copy_too():
    tenant = TenantFactory()
    _job, render = first_poster(tenant)

    hashes = rows(ImageHash, tenant, asset_id=render.asset_id)
    assert {h.kind for h in hashes} >= {"pdq"}
    assert all(len(h.bits) == 256 for h in hashes)
    assert len(rows(CopyHash, tenant, render_id=render.pk)) == 1
    asset = fresh(tenant, Asset, render.asset_id)
    assert asset.colours and asset.caption  # indexed for the library's search


def test_a_near_duplicate_of_the_library_is_redrawn_with_another_seed_and_layout():
    tenant = TenantFactory()
    _job, first = first_poster(tenant)

    second = again(tenant)

    assert second.status == Render.Status.DONE
    # Each redraw takes the next layout; without a product two square layouts look alike, so
    # it may take two.
    assert 1 <= second.redraws <= 3
    assert second.layout != first.layout
    assert second.seed != first.seed
    assert second.asset_id != first.asset_id
    assert "kind" not in second.duplicate  # the delivered poster is not a near-duplicate
    # Its copy is the first job's, word for word: flagged, not redrawn (a redraw keeps copy).
    assert second.duplicate["copy"]["render_id"] == first.pk
    # The receipt names the seed the delivered poster was drawn with.
    assert fresh(tenant, Asset, second.asset_id).receipt["seed"] == second.seed


def test_past_the_redraw_bound_the_render_is_delivered_flagged(settings):
    settings.APP_DEDUP_MAX_REDRAWS = 0
    tenant = TenantFactory()
    _job, first = first_poster(tenant)

    second = again(tenant)

    assert second.status == Render.Status.DONE
    assert second.redraws == 0
    assert second.duplicate["source"] == "library"
    assert second.duplicate["asset_id"] == first.asset_id
    assert second.duplicate["distance"] <= 8
    asset = fresh(tenant, Asset, second.asset_id)
    assert asset.duplicate_of_id == first.asset_id  # in the library's duplicate clusters


def test_a_do_not_reuse_bank_entry_is_never_delivered(settings):
    settings.APP_DEDUP_MAX_REDRAWS = 0
    tenant = TenantFactory()
    _job, first = first_poster(tenant)
    with tenant_scope(tenant.pk):
        bank = services.bank_create(tenant=tenant, actor=None, name="Rejected")
        services.bank_entry_add(
            tenant=tenant, actor=None, bank=bank, asset=fresh(tenant, Asset, first.asset_id)
        )

    second = again(tenant)

    assert second.status == Render.Status.FAILED
    assert "do-not-reuse" in second.error
    assert second.duplicate["source"] == "bank"
    assert second.asset_id is None


def test_a_disabled_bank_does_not_stop_generation(settings):
    settings.APP_DEDUP_MAX_REDRAWS = 0
    tenant = TenantFactory()
    _job, first = first_poster(tenant)
    with tenant_scope(tenant.pk):
        bank = services.bank_create(tenant=tenant, actor=None, name="Competitors")
        services.bank_entry_add(
            tenant=tenant, actor=None, bank=bank, asset=fresh(tenant, Asset, first.asset_id)
        )
        services.bank_update(tenant=tenant, actor=None, bank=bank, enabled=False)

    second = again(tenant)

    assert second.status == Render.Status.DONE
    assert second.duplicate["source"] == "library"


def test_a_banked_asset_is_not_reused_from_the_render_cache():
    tenant = TenantFactory()
    job = rendered(tenant, CLEAN_SCRIPT, **REQUEST)
    (first,) = rows(Render, tenant, job=job)
    with tenant_scope(tenant.pk):
        bank = services.bank_create(tenant=tenant, actor=None, name="Rejected")
        services.bank_entry_add(
            tenant=tenant, actor=None, bank=bank, asset=fresh(tenant, Asset, first.asset_id)
        )

    second = again(tenant)  # identical inputs: the cache would hand out the banked asset

    assert second.is_cache_hit is False
    assert second.status == Render.Status.DONE
    assert second.asset_id != first.asset_id
    assert second.redraws >= 1


def test_copy_near_a_banked_slogan_fails_the_render_before_drawing():
    tenant = TenantFactory()
    _job, first = first_poster(tenant)
    with tenant_scope(tenant.pk):
        bank = services.bank_create(tenant=tenant, actor=None, name="Competitor slogans")
        services.bank_entry_add(
            tenant=tenant, actor=None, bank=bank, text=copy_hashes.copy_text(first.copy)
        )

    second = again(tenant)

    assert second.status == Render.Status.FAILED
    assert second.duplicate["copy"]["source"] == "bank"
    assert second.asset_id is None


def test_the_job_reports_its_duplicate_rate(settings):
    settings.APP_DEDUP_MAX_REDRAWS = 0
    tenant = TenantFactory()
    first_poster(tenant)

    job = rendered(tenant, CLEAN_SCRIPT, **REQUEST)

    with tenant_scope(tenant.pk):
        duplicates = selectors.job_duplicates(tenant=tenant, job=job)
    assert duplicates.delivered == 1
    assert duplicates.rate == 1.0


def test_a_near_picture_is_a_duplicate_by_its_headline_not_by_copy_the_poster_does_not_show(
    settings,
):
    """The first poster's stored copy is made to differ in its host line and social post
    (which a poster does not show), then in its headline alone."""
    settings.APP_DEDUP_MAX_REDRAWS = 0
    tenant = TenantFactory()
    _job, first = first_poster(tenant)
    unshown = {**first.copy, "host_line": "家人们看过来，今天福利超多", "social_post": "好物分享"}
    with tenant_scope(tenant.pk):
        CopyHash.objects.filter(render_id=first.pk).update(
            bits=copy_hashes.simhash(copy_hashes.copy_text(unshown))
        )

    same_headline = again(tenant)

    assert same_headline.duplicate["asset_id"] == first.asset_id
    with tenant_scope(tenant.pk):
        Asset.objects.filter(pk=same_headline.asset_id).update(render_key="earlier-backend-2")
        CopyHash.objects.filter(render_id__in=[first.pk, same_headline.pk]).update(
            headline=copy_hashes.simhash("干皮救星 温和修护")
        )

    other_headline = again(tenant)

    assert other_headline.status == Render.Status.DONE and other_headline.redraws == 0
    assert "kind" not in other_headline.duplicate


def test_a_poster_with_another_headline_or_product_is_not_a_duplicate_however_close_its_picture():
    """A template with another headline can be 6 PDQ bits from its sibling: the picture alone
    cannot tell them apart, the headline and the product do. Here the picture is the stored
    poster's own, so only they decide; the copy the poster does not show (host line, social
    post) does not."""
    tenant = TenantFactory()
    job = rendered(tenant, CLEAN_SCRIPT, **REQUEST)
    (render,) = rows(Render, tenant, job=job)
    asset = fresh(tenant, Asset, render.asset_id)
    query = image_hashes.query_signature(
        Image.open(io.BytesIO(storage.read_bytes(asset.file.name)))
    )
    own = copy_hashes.simhash(copy_hashes.headline_text(render.copy))
    own_with_punctuation = copy_hashes.simhash(render.copy["headline"] + "！！")
    other = copy_hashes.simhash("干皮救星 温和修护")

    with tenant_scope(tenant.pk):

        def check(headline_bits, product_id=None):
            return dedup.image_check(
                tenant_id=tenant.pk, job_id=0, query=query, headline_bits=headline_bits,
                product_id=product_id,
            )  # fmt: skip

        assert check(own).match.asset_id == asset.pk
        assert check(own_with_punctuation).match.asset_id == asset.pk
        assert check(other).clear
        assert render.product_id is None
        assert check(own, product_id=10**9).clear  # the same picture of another product
        # Without copy (an upload compared by picture alone) the picture decides.
        assert check(None).source == "library"


def test_the_backfill_hashes_the_headlines_of_renders_hashed_before_and_can_run_again():
    tenant = TenantFactory()
    _job, render = first_poster(tenant)
    with tenant_scope(tenant.pk):
        CopyHash.objects.filter(render_id=render.pk).update(headline=None)
    backfill = importlib.import_module("library.migrations.0003_copyhash_headline").backfill
    state = MigrationExecutor(connection).loader.project_state(
        ("library", "0003_copyhash_headline")
    )

    with transaction.atomic():
        backfill(state.apps, SimpleNamespace(connection=connection))
        backfill(state.apps, SimpleNamespace(connection=connection))

    [row] = rows(CopyHash, tenant, render_id=render.pk)
    assert row.headline == copy_hashes.simhash(render.copy["headline"])


def test_finalize_flags_the_later_of_two_renders_drawn_at_once_only_with_the_same_headline():
    """Renders drawn at the same moment on two workers do not see each other; here the second
    render's stored picture is made the first's, as if it had been drawn beside it."""
    tenant = TenantFactory()
    job = rendered(tenant, CLEAN_SCRIPT, finalize=False, **{**REQUEST, "variants": 2})
    earlier, later = rows(Render, tenant, job=job)
    with tenant_scope(tenant.pk):
        pdq = ImageHash.objects.get(asset_id=earlier.asset_id, kind="pdq").bits
        ImageHash.objects.filter(asset_id=later.asset_id, kind="pdq").update(bits=pdq)
        CopyHash.objects.filter(render_id=later.pk).update(
            headline=copy_hashes.simhash("干皮救星 温和修护")
        )
        Render.objects.filter(pk=later.pk).update(duplicate={"copy": {"kind": "copy"}})

        assert dedup.job_duplicates_flag(tenant_id=tenant.pk, job_id=job.pk) == 0

        CopyHash.objects.filter(render_id=later.pk).update(
            headline=CopyHash.objects.get(render_id=earlier.pk).headline
        )
        assert dedup.job_duplicates_flag(tenant_id=tenant.pk, job_id=job.pk) == 1
        # Once flagged it is not flagged again.
        assert dedup.job_duplicates_flag(tenant_id=tenant.pk, job_id=job.pk) == 0

    flagged = fresh(tenant, Render, later.pk)
    assert flagged.duplicate["source"] == "job"
    assert flagged.duplicate["asset_id"] == earlier.asset_id
    assert flagged.duplicate["copy"] == {"kind": "copy"}  # the copy flag it had is kept
    assert "kind" not in fresh(tenant, Render, earlier.pk).duplicate
