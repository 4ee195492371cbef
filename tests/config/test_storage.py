import uuid

import boto3
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings


def _s3_settings(endpoint: str, bucket: str) -> dict:
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


def test_media_round_trips_through_an_s3_compatible_bucket(s3_endpoint):
    bucket = f"brandloom-{uuid.uuid4().hex[:8]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)

    with override_settings(STORAGES=_s3_settings(s3_endpoint, bucket)):
        storage = storages["default"]
        name = storage.save("tenants/1/posters/a.jpg", ContentFile(b"\xff\xd8poster", name="a.jpg"))
        second = storage.save("tenants/1/posters/a.jpg", ContentFile(b"other", name="a.jpg"))
        url = storage.url(name)
        with storage.open(name) as handle:
            content = handle.read()
        storage.delete(second)

    assert name == "tenants/1/posters/a.jpg"
    assert second != name  # never overwrites an existing asset
    assert content == b"\xff\xd8poster"
    assert url.startswith(f"{s3_endpoint}/{bucket}/tenants/1/posters/a.jpg?")
    assert "Signature=" in url or "X-Amz-Signature=" in url
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["tenants/1/posters/a.jpg"]
