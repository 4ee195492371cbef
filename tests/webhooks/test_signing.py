import re
import time
from pathlib import Path

import pytest

from webhooks.signing import signature_header, signature_verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"7b0c","type":"job.finished","data":{"job":{"id":1}}}'
DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_a_signature_verifies_and_a_tampered_body_does_not():
    header = signature_header(SECRET, BODY)

    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert signature_verify(SECRET, header, BODY) is True
    assert signature_verify(SECRET, header, BODY.decode()) is True
    assert signature_verify(SECRET, header, BODY.replace(b'"id":1', b'"id":2')) is False
    assert signature_verify("whsec_another", header, BODY) is False


def test_an_old_or_future_timestamp_is_refused():
    now = time.time()
    old = signature_header(SECRET, BODY, timestamp=int(now) - 301)
    future = signature_header(SECRET, BODY, timestamp=int(now) + 301)
    recent = signature_header(SECRET, BODY, timestamp=int(now) - 299)

    assert signature_verify(SECRET, old, BODY, now=now) is False
    assert signature_verify(SECRET, future, BODY, now=now) is False
    assert signature_verify(SECRET, recent, BODY, now=now) is True
    assert signature_verify(SECRET, old, BODY, tolerance=600, now=now) is True


def test_the_timestamp_is_signed_too():
    header = signature_header(SECRET, BODY, timestamp=1_800_000_000)
    moved = header.replace("t=1800000000", "t=1800000001")

    assert signature_verify(SECRET, moved, BODY, now=1_800_000_000) is False


def test_one_matching_signature_among_several_is_enough():
    header = signature_header(SECRET, BODY, timestamp=1_800_000_000)
    rotated = header.replace("v1=", "v1=" + "0" * 64 + ",v1=")

    assert signature_verify(SECRET, rotated, BODY, now=1_800_000_000) is True


@pytest.mark.parametrize("header", ["", "v1=abc", "t=now,v1=abc", "t=1800000000", "garbage"])
def test_malformed_headers_do_not_verify(header):
    assert signature_verify(SECRET, header, BODY, now=1_800_000_000) is False


def test_the_verification_example_in_the_docs_works():
    example = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    namespace: dict = {}
    exec(example[1], namespace)  # noqa: S102 - our own documentation
    header = signature_header(SECRET, BODY)

    assert namespace["verify"](SECRET, header, BODY) is True
    assert namespace["verify"](SECRET, header, BODY + b" ") is False
    assert namespace["verify"](SECRET, "t=1,v1=" + "0" * 64, BODY) is False
