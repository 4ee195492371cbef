import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from generation.models import Job, Render
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.generation.factories import job, product, product_photo
from tests.generation.image_samples import cut_out_png, encode
from tests.generation.test_pages_jobs import settle
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

SCRIPTS = Path(__file__).resolve().parent.parent / "generation" / "fixtures" / "scripts"
ALL_IMAGES_LOADED = """() => {
  const images = [...document.querySelectorAll('.gallery img')];
  return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
}"""


def test_a_member_turns_a_chinese_script_into_posters(
    live_server, page, browser, artifacts, start_worker
):
    start_worker()
    user = get_user_model().objects.create_user("li@lumiere.test", "li@lumiere.test", "s3cret-pass")
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.EDITOR, user)
    serum = product(
        brand,
        sku="SERUM-30",
        title="玻尿酸补水精华液 30ml",
        reference_price=Decimal("299.00"),
        reference_price_basis="前30日最低价",
    )
    product_photo(brand, serum, encode(cut_out_png(), "PNG"))
    script = (SCRIPTS / "skincare_zh.txt").read_text()

    page.goto(f"{live_server.url}/generate/")
    page.fill("input[name=username]", "li@lumiere.test")
    page.fill("input[name=password]", "s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/generate/")

    page.fill("textarea[name=script]", script)
    expect(page.locator("#script-count")).to_contain_text("/ 20,000")
    page.screenshot(path=str(artifacts / "generation-new.png"), full_page=True)

    page.get_by_role("button", name="Analyse").click()
    keywords = page.locator("#analysis .chip.keyword")
    # The first analysis in a fresh web process loads jieba's dictionaries (a few seconds).
    expect(keywords.first).to_be_visible(timeout=30_000)
    assert "玻尿酸" in keywords.all_inner_texts()
    expect(page.locator("#analysis")).to_contain_text("到手价只要199元")
    page.screenshot(path=str(artifacts / "generation-analysis.png"), full_page=True)

    page.locator("input[name=products]").first.check()
    page.get_by_label("主图 Main image 800×800").check()
    page.get_by_label("小红书 Xiaohongshu 1080×1440").check()
    page.fill("input[name=variants]", "2")
    page.get_by_role("button", name="Generate").dblclick()
    page.wait_for_url(re.compile(rf"{live_server.url}/jobs/\d+/$"))
    page.screenshot(path=str(artifacts / "generation-job-running.png"), full_page=True)

    [job] = rows(Job, brand)  # the double click sent one job
    assert (job.channels, job.variants, job.product_ids) == (
        ["main_800x800", "xiaohongshu_1080x1440"],
        2,
        [serum.pk],
    )
    expect(page.locator("#job-live")).to_have_attribute("data-status", "succeeded", timeout=120_000)
    expect(page.locator(".gallery img")).to_have_count(4)
    page.wait_for_function(ALL_IMAGES_LOADED, timeout=30_000)
    # The script promises 原价399 (no 7-day price history for a product added today) and
    # 手慢无-style urgency: the ad-law check holds every poster for the brand's reviewer.
    expect(page.locator(".gallery").get_by_role("link", name="At review")).to_have_count(4)
    expect(page.locator(".gallery").get_by_role("link", name="Download")).to_have_count(0)
    expect(page.locator(".job-count")).to_contain_text("4 / 4")
    page.screenshot(path=str(artifacts / "generation-job-finished.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(page.url)
    phone.wait_for_function(ALL_IMAGES_LOADED, timeout=30_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "generation-job-mobile.png"), full_page=True)
    mobile.close()

    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.locator(".jobs-table tbody tr")).to_have_count(1)
    expect(page.locator(".jobs-table")).to_contain_text("Succeeded")
    page.screenshot(path=str(artifacts / "generation-jobs.png"), full_page=True)

    page.get_by_role("link", name="Catalog", exact=True).click()
    expect(page.get_by_role("link", name="玻尿酸补水精华液 30ml")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.thumb')].every((i) => i.naturalWidth > 0)"
    )
    page.screenshot(path=str(artifacts / "generation-catalog.png"), full_page=True)
    page.get_by_role("link", name="玻尿酸补水精华液 30ml").click()
    expect(page.locator("input[name=reference_price_basis]")).to_have_value("前30日最低价")
    page.screenshot(path=str(artifacts / "generation-product.png"), full_page=True)
    page.fill("input[name=reference_price_basis]", "")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("alert")).to_contain_text("A reference price needs its basis")
    page.screenshot(path=str(artifacts / "generation-product-error.png"), full_page=True)

    page.get_by_role("link", name="Brand kit", exact=True).click()
    page.fill("input[name=tone_of_voice]", "温柔、专业、不夸张")
    page.fill("textarea[name=banned_words]", "最好\n第一")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.locator(".history li")).to_have_count(2)
    page.screenshot(path=str(artifacts / "generation-brand-kit.png"), full_page=True)

    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="任务", exact=True)).to_be_visible()
    expect(page.locator(".jobs-table")).to_contain_text("成功")
    page.screenshot(path=str(artifacts / "generation-jobs-zh.png"), full_page=True)
    page.get_by_role("link", name="生成", exact=True).click()
    page.fill("textarea[name=script]", "")
    page.get_by_role("button", name="生成", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("请填写脚本或至少选择一个商品")
    page.screenshot(path=str(artifacts / "generation-new-error-zh.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/generate/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "generation-new-mobile.png"), full_page=True)
    mobile.close()


def test_a_partially_failed_job_shows_its_errors_and_retry(live_server, page, artifacts):
    user = get_user_model().objects.create_user("li@lumiere.test", "li@lumiere.test", "s3cret-pass")
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.EDITOR, user)
    partial = settle(
        brand,
        job(brand, channels=("live_1080x1920",), variants=4),
        ["done", "failed", "done", "pending"],
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/jobs/{partial.pk}/")
    page.fill("input[name=username]", "li@lumiere.test")
    page.fill("input[name=password]", "s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/jobs/{partial.pk}/")
    page.wait_for_function(ALL_IMAGES_LOADED)
    page.screenshot(path=str(artifacts / "generation-job-partial-running.png"), full_page=True)

    with tenant_scope(brand.pk):
        Render.objects.filter(job=partial, status="pending").update(
            status="failed", error="Timed out after 3 attempts"
        )
    settle(brand, partial, [], status=Job.Status.PARTIALLY_FAILED)
    expect(page.locator("#job-live")).to_have_attribute("data-status", "partially_failed")
    expect(page.get_by_role("button", name="Retry failed")).to_be_visible()
    expect(page.locator(".render-errors")).to_contain_text("Compositor ran out of fonts")
    page.screenshot(path=str(artifacts / "generation-job-partial.png"), full_page=True)
