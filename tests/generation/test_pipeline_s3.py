"""Renders stored in an S3-compatible bucket (moto's server on loopback) by a real worker."""

import io
import urllib.request
import uuid

import boto3
import pytest
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from generation.models import Job
from tests.tenants.factories import TenantFactory, api_key

from .factories import product, product_photo
from .image_samples import cut_out_png, encode
from .test_pipeline_worker import renders_of, submit, wait_finished

pytestmark = pytest.mark.celery_worker


# Copy the ad-law check passes, so every asset is released for download (the live-stream
# fixture's urgency and 原价 claims would hold them for review).
CLEAN_SCRIPT = (
    "家人们，这款玻尿酸补水精华液质地清爽不黏腻，30ml小瓶装，早晚洁面后用两三滴，"
    "上脸很快吸收，干皮油皮都能用。到手价199元。"
)


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        "APP_STORAGE": "s3",
        "APP_S3_BUCKET": bucket,
        "APP_S3_ENDPOINT_URL": endpoint,
        "APP_S3_REGION": "us-east-1",
        "APP_S3_ACCESS_KEY_ID": "testing",
        "APP_S3_SECRET_ACCESS_KEY": "testing",
    }


def s3_storages(endpoint: str, bucket: str) -> dict:
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_a_job_on_s3_stores_each_asset_under_its_brand_and_links_are_signed(
    s3_endpoint, start_worker
):
    bucket = f"brandloom-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket)
    start_worker(**s3_env(s3_endpoint, bucket))
    tenant = TenantFactory()

    with override_settings(STORAGES=s3_storages(s3_endpoint, bucket)):
        serum = product(tenant)
        product_photo(tenant, serum, encode(cut_out_png(), "PNG"))
        job = wait_finished(
            tenant, submit(tenant, script=CLEAN_SCRIPT, product_ids=(serum.pk,), variants=2)
        )
        _row, key = api_key(tenant, scopes=["assets:read"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        listed = client.get(f"/api/v1/jobs/{job.pk}/assets").json()

    assert job.status == Job.Status.SUCCEEDED
    assert {r.compliance_state for r in renders_of(tenant, job)} == {"passed"}
    renders = renders_of(tenant, job)
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    asset_keys = sorted(r.asset.file.name for r in renders)
    assert set(asset_keys) <= set(keys)
    assert all(k.startswith(f"tenants/{tenant.pk}/") for k in keys)
    assert len([k for k in keys if "/assets/" in k]) == 2
    for entry in listed["results"]:
        url = entry["asset"]["url"]
        assert url.startswith(f"{s3_endpoint}/{bucket}/tenants/{tenant.pk}/assets/")
        assert "Signature=" in url
        with urllib.request.urlopen(url) as response:  # noqa: S310 - moto on loopback
            data = response.read()
        assert Image.open(io.BytesIO(data)).size == (800, 800)
