import io

import pytest
from PIL import Image

from generation.compositor.poster import compose
from provenance.fingerprint import DUPLICATE_DISTANCE, Fingerprint, hamming, pdq
from tests.generation.compositor.samples import COPY_EN, cutout_png, spec_for


@pytest.fixture(scope="module")
def poster() -> Image.Image:
    image, _, _ = compose(spec_for("live_1080x1920", product=cutout_png(), seed=0))
    return image


@pytest.fixture(scope="module")
def other_poster() -> Image.Image:
    spec = spec_for(
        "live_1080x1920", copy=COPY_EN, product=cutout_png("jar"), palette="ocean", seed=2
    )
    image, _, _ = compose(spec)
    return image


def test_identical_images_are_at_distance_zero(poster):
    assert hamming(pdq(poster).bits, pdq(poster.copy()).bits) == 0


def test_a_jpeg_q75_reencode_stays_a_duplicate(poster):
    buffer = io.BytesIO()
    poster.save(buffer, "JPEG", quality=75)
    reencoded = Image.open(io.BytesIO(buffer.getvalue()))

    assert hamming(pdq(poster).bits, pdq(reencoded).bits) <= DUPLICATE_DISTANCE


def test_a_half_size_copy_stays_a_duplicate(poster):
    half = poster.resize((poster.width // 2, poster.height // 2), Image.Resampling.LANCZOS)

    assert hamming(pdq(poster).hex, pdq(half).hex) <= DUPLICATE_DISTANCE


def test_different_posters_are_not_duplicates(poster, other_poster):
    assert hamming(pdq(poster).bits, pdq(other_poster).bits) > DUPLICATE_DISTANCE


def test_bits_and_hex_are_the_same_hash(poster):
    fingerprint = pdq(poster)

    assert len(fingerprint.bits) == 256
    assert set(fingerprint.bits) <= {"0", "1"}
    assert len(fingerprint.hex) == 64
    assert int(fingerprint.hex, 16) == int(fingerprint.bits, 2)
    assert hamming(fingerprint.bits, fingerprint.hex) == 0
    assert 0 <= fingerprint.quality <= 100
    assert fingerprint.quality >= 50  # a poster has plenty of structure


def test_hamming_counts_differing_bits():
    a = "0" * 256
    b = "1" * 3 + "0" * 253

    assert hamming(a, b) == 3
    assert hamming("f" * 64, "0" * 64) == 256
    assert hamming(Fingerprint(bits=b, quality=100).hex, a) == 3


@pytest.mark.parametrize("bad", ["", "01", "z" * 64, "2" * 256])
def test_hamming_rejects_what_is_not_a_pdq_hash(bad):
    with pytest.raises(ValueError, match="256 binary digits or 64 hex digits"):
        hamming(bad, "0" * 64)


def test_transparent_and_small_images_hash(poster):
    rgba = poster.convert("RGBA")
    tiny = poster.resize((90, 160))

    assert hamming(pdq(rgba).bits, pdq(poster).bits) == 0
    assert hamming(pdq(tiny).bits, pdq(poster).bits) <= DUPLICATE_DISTANCE
