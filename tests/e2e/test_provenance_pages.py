"""In Chromium: a member labels an image made elsewhere, downloads it and checks it on the public
page as a visitor; takes a poster without its visible label after accepting the duty; and
verifies it on the dashboard. Screenshots land in test-artifacts/."""

import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from generation.models import Asset, Render
from provenance.models import UnlabelledExport
from provenance.verification import verify
from tenants.roles import Role
from tests.compliance.factories import CLEAN_SCRIPT, rendered
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass"
IMAGES_LOADED = """() => [...document.querySelectorAll('img')].every(
  (img) => img.complete && img.naturalWidth > 0)"""


def user(email: str):
    return get_user_model().objects.create_user(email, email, PASSWORD)


def log_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url)


def product_shot() -> bytes:
    """A product photo a brand made with another tool."""
    image = Image.new("RGB", (900, 600), "#F4EDE4")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((330, 120, 570, 520), radius=40, fill="#C9A27E")
    draw.rectangle((380, 60, 520, 130), fill="#3B3B3B")
    draw.ellipse((120, 380, 300, 560), fill="#8FB9A8")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def test_label_download_and_verify_on_the_public_page(live_server, page, browser, artifacts):
    owner = user("mei@lumiere.test")
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.OWNER, owner)

    log_in(page, f"{live_server.url}/provenance/", "mei@lumiere.test")
    expect(page.get_by_role("link", name="Provenance")).to_have_attribute("aria-current", "page")
    page.set_input_files(
        "input[name=image]",
        files=[{"name": "serum.jpg", "mimeType": "image/jpeg", "buffer": product_shot()}],
    )
    page.get_by_role("button", name="Label", exact=True).click()
    expect(page.locator("#result-heading")).to_contain_text("Labelled as asset #")
    [asset] = rows(Asset, brand)
    expect(page.locator("#label-result")).to_contain_text("AI生成")
    expect(page.locator(".tc260-table")).to_contain_text(str(asset.pk))
    page.wait_for_function(IMAGES_LOADED)
    page.screenshot(path=str(artifacts / "provenance-label.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the labelled image").click()
    assert download_info.value.suggested_filename == f"labelled-{asset.pk}.jpg"
    labelled = artifacts / download_info.value.suggested_filename
    download_info.value.save_as(labelled)
    report = verify(labelled.read_bytes())
    assert report["labelled_by_us"] is True and report["watermark"]["ours"] is True

    # A visitor who got the file checks it on the public page, without an account.
    visitor = browser.new_context(viewport={"width": 1280, "height": 800})
    public = visitor.new_page()
    public.goto(f"{live_server.url}/verify/")
    public.set_input_files("input[name=image]", str(labelled))
    public.get_by_role("button", name="Verify", exact=True).click()
    expect(public.locator("#verdict")).to_have_text("Labelled here")
    expect(public.locator("#verdict-text")).to_contain_text(
        "This installation labelled this image as AI-generated on"
    )
    expect(public.locator("body")).not_to_contain_text("Lumière")
    expect(public.locator("#report-asset")).to_have_count(0)
    public.screenshot(path=str(artifacts / "public-verify.png"), full_page=True)
    assert public.evaluate("document.documentElement.scrollWidth") <= 1280

    public.set_input_files(
        "input[name=image]",
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"}],
    )
    public.get_by_role("button", name="Verify", exact=True).click()
    expect(public.locator(".field-error")).to_have_text(
        "The file is not a PNG, JPEG or WebP image."
    )
    visitor.close()

    # The brand lets the public page name it; the visitor now sees who labelled it.
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("The public verification page may show our brand name").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message.success")).to_have_text("Labelling settings saved.")
    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(f"{live_server.url}/verify/")
    public.set_input_files("input[name=image]", str(labelled))
    public.get_by_role("button", name="Verify", exact=True).click()
    expect(public.locator("#report-brand")).to_have_text("Lumière 光屿护肤")
    public.get_by_role("button", name="简体中文").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("这张图片是用 Brandloom 生成的吗？")
    public.set_input_files("input[name=image]", str(labelled))
    public.get_by_role("button", name="核验", exact=True).click()
    expect(public.locator("#verdict")).to_have_text("本平台标识")
    public.screenshot(path=str(artifacts / "public-verify-zh.png"), full_page=True)
    visitor.close()


def test_a_poster_without_its_label_after_accepting_the_duty(live_server, page, artifacts):
    editor = user("li@lumiere.test")
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.ADMIN, editor)
    job = rendered(brand, CLEAN_SCRIPT, variants=1)
    [render] = rows(Render, brand, job=job)

    log_in(page, f"{live_server.url}/jobs/{job.pk}/", "li@lumiere.test")
    expect(page.locator("#job-provenance")).to_contain_text("Audit trail (JSON + CSV)")
    with page.expect_download() as audit:
        page.get_by_role("link", name="Audit trail (JSON + CSV)").click()
    assert audit.value.suggested_filename == f"job{job.pk}-provenance.zip"

    page.locator("#job-provenance").screenshot(path=str(artifacts / "job-provenance.png"))
    # Not accepted yet: the button leads to the duty, and back to the job after accepting.
    page.get_by_role("button", name="Without visible label").click()
    page.wait_for_url(f"**/provenance/duty/?job={job.pk}#duty-terms")
    expect(page.locator(".message")).to_contain_text("Accept the labelling duty first")
    page.get_by_role("button", name="I accept").click()
    page.wait_for_url(f"{live_server.url}/jobs/{job.pk}/")
    with page.expect_download() as bare:
        page.get_by_role("button", name="Without visible label").click()
    assert bare.value.suggested_filename == f"job{job.pk}-{render.channel}-1-unlabelled.jpg"
    bare_file = artifacts / bare.value.suggested_filename
    bare.value.save_as(bare_file)
    [export] = rows(UnlabelledExport, brand)
    assert export.asset_id == render.asset_id

    page.goto(f"{live_server.url}/provenance/duty/")
    expect(page.locator("#duty-state")).to_contain_text("You accepted these terms on")
    expect(page.locator(".exports-table tbody tr")).to_have_count(1)
    expect(page.locator(".exports-table")).to_contain_text("li@lumiere.test")
    page.screenshot(path=str(artifacts / "provenance-duty.png"), full_page=True)

    page.get_by_role("link", name="Verify an image").click()
    page.set_input_files("input[name=image]", str(bare_file))
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verdict")).to_have_text("Generated here")
    expect(page.locator("#report-asset")).to_have_text(f"#{render.asset_id}")
    expect(page.locator(".marks-table")).to_contain_text("Not shown")
    page.screenshot(path=str(artifacts / "provenance-verify.png"), full_page=True)
